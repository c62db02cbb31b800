/* cache.h — the worker's bounded on-disk cache of problem data: blobs by
 * sha256 fetched from the broker once, and problem directories assembled
 * from them with hard links, so a big test set crosses the network once per
 * worker, not once per submission. */
#ifndef JP_WCACHE_H
#define JP_WCACHE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "blobstore.h"
#include "proto.h"

struct wcache {
  struct blobstore bs;
  char root[2048];
  char broker[256];
  void *zctx;
  /* one slot fetches and assembles a package at a time (the others, wanting
   * the same package on a cold cache, then find its blobs here instead of
   * fetching them again), and trimming waits for it */
  pthread_mutex_t fetch_lock;
};

int wcache_init(struct wcache *c, const char *root, uint64_t max_bytes, void *zctx, const char *broker,
                char *err, size_t errlen);
/* A directory holding the problem package, fetching missing blobs. */
int wcache_problem(struct wcache *c, const struct jp_problem *p, char *dir, size_t dirlen, char *err,
                   size_t errlen);
/* Writes the sources under jobdir (created); paths[i] receive the files. */
int wcache_sources(const struct jp_submit *s, const char *jobdir, char (*paths)[4096], size_t maxn,
                   char *err, size_t errlen);
/* Removes a job directory tree. */
void wcache_rmtree(const char *dir);
/* Keeps the cache under its bound (problem dirs unused for an hour, then blobs). */
void wcache_trim(struct wcache *c);

#endif
