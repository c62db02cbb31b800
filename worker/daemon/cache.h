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

struct wcache_fetch; /* one package being fetched and assembled (cache.c) */
struct wcache_pin;   /* one package directory in use by jobs (cache.c) */

struct wcache {
  struct blobstore bs;
  char root[2048];
  char broker[256];
  void *zctx;
  /* The packages being fetched and assembled now, at most one per slot
   * (nslots entries): a slot wanting one of them waits on cv until it is
   * assembled (so it crosses the network once per worker), different
   * packages fetch at once, and trimming spares the blobs they list. mu
   * guards the set and nwaiting. */
  pthread_mutex_t mu;
  pthread_cond_t cv;
  struct wcache_fetch *inflight;
  size_t nslots, ninflight;
  size_t nwaiting; /* callers waiting for another's fetch of their package */
  /* Package directories jobs are using (wcache_problem to wcache_unpin), at
   * most one per slot, with a count each: trimming never removes them,
   * however long a job runs. Under mu. */
  struct wcache_pin *pins;
  size_t npins;
};

/* slots: how many threads call wcache_problem at once (each fetches at most
 * one package at a time). wcache_close frees what init made, also after a
 * failed init. */
int wcache_init(struct wcache *c, const char *root, uint64_t max_bytes, size_t slots, void *zctx,
                const char *broker, char *err, size_t errlen);
void wcache_close(struct wcache *c);
/* A directory holding the problem package, fetching missing blobs. On
 * success the directory is pinned (trimming leaves it) until the caller
 * passes it to wcache_unpin, once, when the job no longer needs it. */
int wcache_problem(struct wcache *c, const struct jp_problem *p, char *dir, size_t dirlen, char *err,
                   size_t errlen);
void wcache_unpin(struct wcache *c, const char *dir);
/* Writes the sources under jobdir (created); paths[i] receive the files. */
int wcache_sources(const struct jp_submit *s, const char *jobdir, char (*paths)[4096], size_t maxn,
                   char *err, size_t errlen);
/* Removes a job directory tree. */
void wcache_rmtree(const char *dir);
/* Keeps the cache under its bound (problem dirs unused for an hour and not
 * pinned, then blobs no problem directory and no package being fetched
 * uses). */
void wcache_trim(struct wcache *c);

#endif
