/* fuzz_yaml.c — libFuzzer harness for the judge's bounded YAML reader and
 * the two things built on it from untrusted or operator files: test group
 * settings (testdata.yaml / test_group.yaml) and the language table. Beyond
 * "no crash": a refusal always says why, and an accepted tree is well
 * formed (a map's keys all set, line numbers inside the input). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lang.h"
#include "problem.h"
#include "yaml_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An upper bound on the lines libyaml can count: it breaks lines at \n,
 * \r, and the UTF-8 NEL / LS / PS characters (lead bytes 0xc2, 0xe2). */
static size_t lines_in(const uint8_t *d, size_t n) {
  size_t l = 1;
  for (size_t i = 0; i < n; i++)
    l += d[i] == '\n' || d[i] == '\r' || d[i] == 0xc2 || d[i] == 0xe2;
  return l;
}

static void check_tree(const struct yt_node *n, size_t maxline, int depth) {
  if (!n || depth > YT_MAX_DEPTH + 1) abort();
  if (n->line > maxline + 1) abort();
  if (n->type == YT_SCALAR) {
    if (!n->str || strlen(n->str) > YT_MAX_SCALAR) abort();
    return;
  }
  if (n->n > n->cap && n->cap) abort();
  for (size_t i = 0; i < n->n; i++) {
    if (n->type == YT_MAP && !n->keys[i]) abort();
    check_tree(n->kids[i], maxline, depth + 1);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512];
  err[0] = 0;
  struct yt_node *y = NULL;
  if (yt_load_buf((const char *)data, size, "fuzz.yaml", &y, err, sizeof err) < 0) {
    if (!err[0] || y) abort();
  } else {
    check_tree(y, lines_in(data, size), 0);
    struct tdsettings s;
    tdsettings_default(&s);
    err[0] = 0;
    if (tdsettings_apply(&s, y, "testdata.yaml", err, sizeof err) < 0 && !err[0]) abort();
    if (s.nout_flags > PROBLEM_MAX_FLAGS) abort();
    struct tdsettings c;
    if (tdsettings_copy(&c, &s) == 0) tdsettings_free(&c);
    tdsettings_free(&s);
    yt_free(y);
  }
  struct lang_table t;
  memset(&t, 0, sizeof t);
  err[0] = 0;
  if (lang_table_load_buf(&t, (const char *)data, size, "languages.yaml", err, sizeof err) < 0) {
    if (!err[0]) abort();
  } else {
    lang_table_free(&t);
  }
  return 0;
}
