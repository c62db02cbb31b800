/* blobstore.h — content-addressed files (problem data) named by their
 * sha256: DIR/ab/abcdef…  Written atomically (temp file, fsync, rename), so
 * a crash never leaves a blob with wrong content under its name. The broker
 * keeps everything; a worker's cache is bounded and evicts the least
 * recently used blobs no problem directory links to. */
#ifndef JP_BLOBSTORE_H
#define JP_BLOBSTORE_H

#include <stddef.h>
#include <stdint.h>

struct blobstore {
  char dir[3072];
  uint64_t max_bytes; /* 0 = unbounded */
};

/* 1 if s is 64 lowercase hex characters. */
int blob_hash_valid(const char *s);
/* sha256 of data as 64 hex characters + NUL into out[65]. */
void blob_hash(const void *data, size_t len, char out[65]);
/* sha256 of a file (streamed), out[65]; *size gets its length. */
int blob_hash_file(const char *path, char out[65], uint64_t *size, char *err, size_t errlen);

/* One process per directory (the broker's, or one worker's cache): init
 * removes temp files left by puts that never finished. */
int blobstore_init(struct blobstore *bs, const char *dir, uint64_t max_bytes, char *err, size_t errlen);
int blobstore_has(const struct blobstore *bs, const char *hash);
/* The path a blob has (or would have); -1 for a bad hash. */
int blobstore_path(const struct blobstore *bs, const char *hash, char *out, size_t outlen);
/* Stores data under hash after checking the content matches it. */
int blobstore_put(const struct blobstore *bs, const char *hash, const void *data, size_t len,
                  char *err, size_t errlen);
/* Reads a whole blob (at most max bytes) into a malloc'd buffer. */
int blobstore_read(const struct blobstore *bs, const char *hash, size_t max, void **data,
                   size_t *len, char *err, size_t errlen);
/* Removes least recently used blobs not linked elsewhere (link count 1)
 * and not kept by keep(hash, arg) (NULL: none kept) until the store is
 * under max_bytes. No-op when unbounded. */
int blobstore_evict(const struct blobstore *bs, int (*keep)(const char *hash, void *arg), void *arg, char *err,
                    size_t errlen);

#endif
