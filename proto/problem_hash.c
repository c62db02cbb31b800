/* problem_hash.c — the content hash of a problem package, computed from its
 * manifest alone (PROTOCOL.md §4.2), so the broker can check a SUBMIT's
 * problem.hash against its files and both sides can name a package by it. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "proto.h"

static int by_path(const void *a, const void *b) {
  const struct jp_file_ref *x = *(const struct jp_file_ref *const *)a;
  const struct jp_file_ref *y = *(const struct jp_file_ref *const *)b;
  return strcmp(x->path, y->path); /* bytewise: strcmp compares as unsigned char */
}

/* Path order with '/' below every other byte: a path is then followed
 * directly by the paths under it ("a", "a/b", "a.txt"), so one pass over
 * neighbours finds a file that is also a directory. */
static int by_component(const void *a, const void *b) {
  const unsigned char *x = (const unsigned char *)(*(const struct jp_file_ref *const *)a)->path;
  const unsigned char *y = (const unsigned char *)(*(const struct jp_file_ref *const *)b)->path;
  while (*x && *x == *y) x++, y++;
  unsigned cx = *x == '/' ? 1u : *x ? *x + 1u : 0u, cy = *y == '/' ? 1u : *y ? *y + 1u : 0u;
  return cx < cy ? -1 : cx > cy;
}

/* A manifest listing both "a" and "a/b" names no package: a directory
 * holding both cannot be made, and the worker would lose one of them. */
static int check_prefixes(const struct jp_file_ref **v, size_t n, char *err, size_t errlen) {
  qsort(v, n, sizeof *v, by_component);
  for (size_t i = 0; i + 1 < n; i++) {
    size_t k = strlen(v[i]->path);
    if (!strncmp(v[i]->path, v[i + 1]->path, k) && v[i + 1]->path[k] == '/')
      return jp_err(err, errlen, "problem hash: '%s' is a file and also the directory of '%s' in the manifest",
                    v[i]->path, v[i + 1]->path);
  }
  return 0;
}

int jp_problem_hash(const struct jp_problem *p, char out[JP_PROTO_HASH_LEN + 1], char *err,
                    size_t errlen) {
  out[0] = '\0';
  if (p->nfiles > JP_PROTO_MAX_FILES)
    return jp_err(err, errlen, "problem hash: %zu files is over the cap of %u", p->nfiles,
                  JP_PROTO_MAX_FILES);
  if (p->nfiles && !p->files) return jp_err(err, errlen, "problem hash: files missing");
  const struct jp_file_ref **v = malloc((p->nfiles ? p->nfiles : 1) * sizeof *v);
  if (!v) return jp_err(err, errlen, "problem hash: out of memory for %zu files", p->nfiles);
  for (size_t i = 0; i < p->nfiles; i++) {
    v[i] = &p->files[i];
    if (!v[i]->path || !v[i]->sha256) {
      free(v);
      return jp_err(err, errlen, "problem hash: file %zu has no path or hash", i);
    }
  }
  if (check_prefixes(v, p->nfiles, err, errlen) < 0) {
    free(v);
    return -1;
  }
  qsort(v, p->nfiles, sizeof *v, by_path);
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  for (size_t i = 0; i < p->nfiles; i++) {
    if (i && !strcmp(v[i]->path, v[i - 1]->path)) {
      int rc = jp_err(err, errlen, "problem hash: path '%s' appears twice in the manifest",
                      v[i]->path);
      free(v);
      return rc;
    }
    char size[24];
    int n = snprintf(size, sizeof size, "%llu\n", (unsigned long long)v[i]->size);
    crypto_hash_sha256_update(&st, (const unsigned char *)v[i]->path, strlen(v[i]->path) + 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)v[i]->sha256, strlen(v[i]->sha256) + 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)size, (unsigned long long)n);
  }
  free(v);
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, h);
  sodium_bin2hex(out, JP_PROTO_HASH_LEN + 1, h, sizeof h);
  return 0;
}
