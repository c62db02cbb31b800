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
