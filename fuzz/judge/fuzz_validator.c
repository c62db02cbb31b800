/* fuzz_validator.c — libFuzzer harness for the default output validator,
 * the one piece of the judge that reads contestant output in process.
 * Input: FLAGS \0 TEAM \0 ANSWER (missing parts empty). Properties beyond
 * "no crash": the verdict is 0 or 1 with a NUL-terminated message inside
 * its buffer on WA; an output always matches itself; without float
 * tolerance the comparison is symmetric. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "default_validator.h"
#include "problem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmp(const char *a, size_t an, const char *b, size_t bn, const struct dv_flags *f) {
  char msg[300];
  memset(msg, 'x', sizeof msg);
  /* a small message buffer inside a larger one catches overruns of msglen */
  int r = dv_compare(a, an, b, bn, f, msg, 100);
  if (r != 0 && r != 1) abort();
  if (r == 0 && !memchr(msg, 0, 100)) abort();
  if (msg[100] != 'x') abort();
  return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data, *end = s + size;
  const char *z1 = memchr(s, 0, size);
  const char *team = z1 ? z1 + 1 : end;
  const char *z2 = z1 ? memchr(team, 0, (size_t)(end - team)) : NULL;
  const char *ans = z2 ? z2 + 1 : end;
  size_t flen = (size_t)((z1 ? z1 : end) - s);
  size_t tlen = (size_t)((z2 ? z2 : end) - team);
  size_t alen = (size_t)(end - ans);

  char *fs = malloc(flen + 1);
  if (!fs) return 0;
  memcpy(fs, s, flen);
  fs[flen] = 0;
  char *words[PROBLEM_MAX_FLAGS];
  size_t nw = 0;
  char err[256];
  struct dv_flags f;
  memset(&f, 0, sizeof f);
  if (flags_split(fs, words, &nw, PROBLEM_MAX_FLAGS, err, sizeof err) == 0) {
    if (nw > PROBLEM_MAX_FLAGS) abort();
    err[0] = 0;
    if (dv_parse_flags((const char *const *)words, nw, &f, err, sizeof err) < 0) {
      if (!err[0]) abort();
      memset(&f, 0, sizeof f);
    }
  }
  for (size_t i = 0; i < nw; i++) free(words[i]);
  free(fs);

  /* exact-size copies so ASan sees any read past the end */
  char *t = malloc(tlen ? tlen : 1), *a = malloc(alen ? alen : 1);
  if (!t || !a) abort();
  memcpy(t, team, tlen);
  memcpy(a, ans, alen);
  int r = cmp(t, tlen, a, alen, &f);
  if (!cmp(a, alen, a, alen, &f) || !cmp(t, tlen, t, tlen, &f)) abort();
  if (!f.use_float && cmp(a, alen, t, tlen, &f) != r) abort();
  free(t);
  free(a);
  return 0;
}
