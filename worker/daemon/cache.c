/* cache.c — problem data cache of the worker (see cache.h). */
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "err.h"
#include "sockets.h"

/* A package being fetched and assembled by one caller of wcache_problem:
 * others wanting the same key wait for it, and trimming spares the blobs
 * it lists (pins: its manifest's hashes, sorted; pointers into the
 * caller's jp_problem, which outlives the entry). */
struct wcache_fetch {
  char key[65];
  const char **pins;
  size_t npins;
};

struct wcache_pin {
  char key[65];
  unsigned n; /* jobs using it */
};

int wcache_init(struct wcache *c, const char *root, uint64_t max_bytes, size_t slots, void *zctx,
                const char *broker, char *err, size_t errlen) {
  memset(c, 0, sizeof *c);
  if (strlen(root) > 1500 || strlen(broker) >= sizeof c->broker)
    return jp_err(err, errlen, "cache directory or broker endpoint too long");
  if (slots < 1 || slots > 4096) return jp_err(err, errlen, "cache for %zu slots: want 1-4096", slots);
  snprintf(c->root, sizeof c->root, "%s", root);
  snprintf(c->broker, sizeof c->broker, "%s", broker);
  c->zctx = zctx;
  if (!(c->inflight = calloc(slots, sizeof *c->inflight))) return jp_errno(err, errlen, "allocating the fetch set");
  if (!(c->pins = calloc(slots, sizeof *c->pins))) {
    free(c->inflight);
    c->inflight = NULL;
    return jp_errno(err, errlen, "allocating the pin set");
  }
  c->nslots = slots;
  pthread_mutex_init(&c->mu, NULL);
  pthread_cond_init(&c->cv, NULL);
  if (mkdir(root, 0755) < 0 && errno != EEXIST) return jp_errno(err, errlen, "creating cache %s", root);
  char p[4096];
  snprintf(p, sizeof p, "%s/problems", root);
  if (mkdir(p, 0755) < 0 && errno != EEXIST) return jp_errno(err, errlen, "creating %s", p);
  snprintf(p, sizeof p, "%s/jobs", root);
  if (mkdir(p, 0755) < 0 && errno != EEXIST) return jp_errno(err, errlen, "creating %s", p);
  snprintf(p, sizeof p, "%s/blobs", root);
  return blobstore_init(&c->bs, p, max_bytes, err, errlen);
}

void wcache_close(struct wcache *c) {
  if (!c->inflight) return; /* init failed before making anything */
  pthread_mutex_destroy(&c->mu);
  pthread_cond_destroy(&c->cv);
  free(c->inflight);
  c->inflight = NULL;
  free(c->pins);
  c->pins = NULL;
}

/* relative, no empty, "." or ".." component, printable */
static int safe_relpath(const char *p) {
  if (!p || !*p || *p == '/' || strlen(p) > JP_PROTO_MAX_PATH) return 0;
  const char *s = p;
  while (*s) {
    const char *e = strchr(s, '/');
    size_t n = e ? (size_t)(e - s) : strlen(s);
    if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) return 0;
    for (size_t i = 0; i < n; i++)
      if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) return 0;
    s += n;
    if (*s == '/') s++;
  }
  return 1;
}

static int mkdirs_for(char *path) {
  for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
    *s = 0;
    int rc = mkdir(path, 0755);
    *s = '/';
    if (rc < 0 && errno != EEXIST) return -1;
  }
  return 0;
}

/* A socket for BLOB_GETs whose sends give up: a worker socket waits for a
 * connected broker (ZMQ_IMMEDIATE), and a send that never returns would
 * stall the slot, every slot waiting for the same package, and a SIGTERM
 * with them. */
static void *fetch_socket(struct wcache *c, char *err, size_t errlen) {
  void *sock = jp_socket(c->zctx, JP_SOCK_WORKER, c->broker, NULL, err, errlen);
  int ms = 5000;
  if (sock && zmq_setsockopt(sock, ZMQ_SNDTIMEO, &ms, sizeof ms) < 0) {
    jp_err(err, errlen, "fetch socket: ZMQ_SNDTIMEO: %s", zmq_strerror(zmq_errno()));
    zmq_close(sock);
    return NULL;
  }
  return sock;
}

static int fetch(struct wcache *c, void *sock, const char *hash, char *err, size_t errlen) {
  static uint64_t rid;
  int busy = 0;
  for (int attempt = 0; attempt < 3; attempt++) {
    struct jp_msg m = {.type = JP_MSG_BLOB_GET, .rid = __atomic_add_fetch(&rid, 1, __ATOMIC_RELAXED)};
    m.u.blob_get.sha256 = hash;
    void *buf;
    size_t len;
    if (jp_msg_encode(&m, &buf, &len, err, errlen) < 0) return -1;
    int rc = zmq_send(sock, buf, len, 0);
    free(buf);
    if (rc < 0) continue;
    zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
    int64_t deadline = 30000;
    while (deadline > 0) {
      if (zmq_poll(&it, 1, 1000) <= 0) {
        deadline -= 1000;
        continue;
      }
      zmq_msg_t z;
      zmq_msg_init(&z);
      if (zmq_msg_recv(&z, sock, 0) < 0) {
        zmq_msg_close(&z);
        break;
      }
      struct jp_msg r;
      int ok = jp_msg_decode(zmq_msg_data(&z), zmq_msg_size(&z), &r, NULL, err, errlen) == 0;
      int done = 0, failed = 0;
      if (ok && r.type == JP_MSG_ERROR && r.u.error.code == JP_E_QUEUE_FULL && busy < 120) {
        /* the broker bounds blob bytes queued to us (it has sent us a
         * lot we have not read yet): ask again shortly, not as a failure */
        jp_msg_free(&r);
        zmq_msg_close(&z);
        busy++;
        attempt--;
        usleep(250000);
        break;
      }
      if (ok && r.type == JP_MSG_BLOB && !strcmp(r.u.blob.sha256, hash)) {
        done = 1;
        if (!r.u.blob.found) failed = jp_err(err, errlen, "broker has no blob %.16s... (resubmit the problem)", hash);
        else if (blobstore_put(&c->bs, hash, r.u.blob.data.data, r.u.blob.data.len, err, errlen) < 0) failed = -1;
      }
      jp_msg_free(&r);
      zmq_msg_close(&z);
      if (done) return failed ? -1 : 0;
    }
  }
  return jp_err(err, errlen, "fetching blob %.16s... from %s timed out", hash, c->broker);
}

/* Fetches the package's blobs the cache lacks (its entry in the fetch set held). */
static int fetch_missing(struct wcache *c, const struct jp_problem *p, char *err, size_t errlen) {
  void *sock = NULL;
  size_t fetched = 0;
  uint64_t bytes = 0;
  int rc = 0;
  for (size_t i = 0; i < p->nfiles && rc == 0; i++) {
    if (blobstore_has(&c->bs, p->files[i].sha256)) continue;
    if (!sock && !(sock = fetch_socket(c, err, errlen))) rc = -1;
    else if (fetch(c, sock, p->files[i].sha256, err, errlen) < 0) rc = -1;
    else {
      fetched++;
      bytes += p->files[i].size;
    }
  }
  if (sock) zmq_close(sock);
  if (rc == 0 && fetched)
    fprintf(stderr, "judge-worker: fetched %zu problem files (%llu bytes) from the broker\n", fetched,
            (unsigned long long)bytes);
  return rc;
}

/* Links the package's blobs into a new directory and renames it to dir
 * (its entry in the fetch set held, so trimming spares the blobs). */
static int assemble(struct wcache *c, const struct jp_problem *p, const char *dir, char *err, size_t errlen) {
  static unsigned long seq;
  char tmp[4200], src[4096], dst[8400];
  snprintf(tmp, sizeof tmp, "%s.tmp.%d.%lu", dir, (int)getpid(), __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
  if (mkdir(tmp, 0755) < 0) return jp_errno(err, errlen, "creating %s", tmp);
  for (size_t i = 0; i < p->nfiles; i++) {
    blobstore_path(&c->bs, p->files[i].sha256, src, sizeof src);
    /* the directory is new: EEXIST means the manifest lists the path twice
     * or also as the directory of an earlier path ("a/b", then "a"), and
     * going on would judge with a package missing that file */
    if ((size_t)snprintf(dst, sizeof dst, "%s/%s", tmp, p->files[i].path) >= sizeof dst || mkdirs_for(dst) < 0 ||
        link(src, dst) < 0) {
      if (errno == EEXIST || errno == ENOTDIR)
        jp_err(err, errlen, "problem manifest lists '%s' twice or as both a file and a directory: refusing the package",
               p->files[i].path);
      else
        jp_errno(err, errlen, "linking %s into the problem directory", p->files[i].path);
      wcache_rmtree(tmp);
      return -1;
    }
  }
  if (rename(tmp, dir) < 0) {
    int e = errno;
    wcache_rmtree(tmp);
    /* another slot assembled the same package first: use theirs */
    if ((e == EEXIST || e == ENOTEMPTY) && access(dir, F_OK) == 0) return 0;
    errno = e;
    return jp_errno(err, errlen, "renaming %s", tmp);
  }
  return 0;
}

static int by_hash(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* 1 if a package being fetched lists hash (mu held): trimming keeps it. */
static int pinned(const char *hash, void *arg) {
  const struct wcache *c = arg;
  for (size_t i = 0; i < c->ninflight; i++)
    if (bsearch(&hash, c->inflight[i].pins, c->inflight[i].npins, sizeof *c->inflight[i].pins, by_hash)) return 1;
  return 0;
}

static struct wcache_fetch *find_fetch(struct wcache *c, const char *key) {
  for (size_t i = 0; i < c->ninflight; i++)
    if (!strcmp(c->inflight[i].key, key)) return &c->inflight[i];
  return NULL;
}

/* The cold path of wcache_problem: one entry per package in the fetch set.
 * The caller that adds it fetches and assembles; a caller finding it there
 * waits until it is gone, then uses the directory, or, when that fetch
 * failed, tries itself (so every waiter ends: it gets the package or its own
 * fetch's error, bounded by the fetch timeouts). Different packages fetch at
 * once. Trimming spares the blobs of every package in the set rather than
 * waiting for the set to empty: a waiting trim would idle its slot (and
 * delay its result) behind another slot's 100 MB fetch, and under a steady
 * stream of overlapping fetches never run at all. */
static int fetch_and_assemble(struct wcache *c, const struct jp_problem *p, const char *key, const char *dir,
                              char *err, size_t errlen) {
  struct wcache_fetch mine = {.npins = p->nfiles};
  snprintf(mine.key, sizeof mine.key, "%s", key);
  mine.pins = malloc((p->nfiles ? p->nfiles : 1) * sizeof *mine.pins);
  if (!mine.pins) return jp_errno(err, errlen, "allocating the blob list of a package");
  for (size_t i = 0; i < p->nfiles; i++) mine.pins[i] = p->files[i].sha256;
  qsort(mine.pins, mine.npins, sizeof *mine.pins, by_hash);
  int ready = 0;
  pthread_mutex_lock(&c->mu);
  for (;;) {
    if (access(dir, F_OK) == 0) { /* another caller just assembled it */
      ready = 1;
      break;
    }
    /* at most one entry per slot: more callers than slots wait too */
    if (!find_fetch(c, key) && c->ninflight < c->nslots) break;
    c->nwaiting++;
    pthread_cond_wait(&c->cv, &c->mu);
    c->nwaiting--;
  }
  if (!ready) c->inflight[c->ninflight++] = mine;
  pthread_mutex_unlock(&c->mu);
  int rc = 0;
  if (!ready) {
    rc = fetch_missing(c, p, err, errlen);
    if (rc == 0) rc = assemble(c, p, dir, err, errlen);
    pthread_mutex_lock(&c->mu);
    struct wcache_fetch *f = find_fetch(c, key);
    *f = c->inflight[--c->ninflight];
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
  }
  free(mine.pins);
  return rc;
}

static struct wcache_pin *find_pin(struct wcache *c, const char *key) {
  for (size_t i = 0; i < c->npins; i++)
    if (!strcmp(c->pins[i].key, key)) return &c->pins[i];
  return NULL;
}

/* Takes a pin on the package key (mu not held). -1 when every pin is taken:
 * more callers than the slots the cache was made for. */
static int pin(struct wcache *c, const char *key, char *err, size_t errlen) {
  int rc = 0;
  pthread_mutex_lock(&c->mu);
  struct wcache_pin *p = find_pin(c, key);
  if (p) p->n++;
  else if (c->npins < c->nslots) {
    p = &c->pins[c->npins++];
    snprintf(p->key, sizeof p->key, "%s", key);
    p->n = 1;
  } else {
    rc = jp_err(err, errlen, "more than %zu packages in use at once (one per slot)", c->nslots);
  }
  pthread_mutex_unlock(&c->mu);
  return rc;
}

static void unpin_key(struct wcache *c, const char *key) {
  pthread_mutex_lock(&c->mu);
  struct wcache_pin *p = find_pin(c, key);
  if (p && --p->n == 0) *p = c->pins[--c->npins];
  pthread_mutex_unlock(&c->mu);
}

void wcache_unpin(struct wcache *c, const char *dir) {
  const char *s = strrchr(dir, '/');
  unpin_key(c, s ? s + 1 : dir);
}

int wcache_problem(struct wcache *c, const struct jp_problem *p, char *dir, size_t dirlen, char *err,
                   size_t errlen) {
  /* our own key over the manifest: a client cannot make two different
   * packages share a directory by reusing a hash */
  size_t mlen = 1;
  for (size_t i = 0; i < p->nfiles; i++) {
    if (!safe_relpath(p->files[i].path) || !blob_hash_valid(p->files[i].sha256))
      return jp_err(err, errlen, "problem manifest entry %zu has an unsafe path or bad hash", i);
    mlen += strlen(p->files[i].path) + 66;
  }
  char *man = malloc(mlen);
  if (!man) return jp_errno(err, errlen, "allocating manifest");
  size_t o = 0;
  for (size_t i = 0; i < p->nfiles; i++)
    o += (size_t)sprintf(man + o, "%s%c%s%c", p->files[i].path, 0, p->files[i].sha256, 0);
  char key[65];
  blob_hash(man, o, key);
  free(man);
  if ((size_t)snprintf(dir, dirlen, "%s/problems/%s", c->root, key) >= dirlen)
    return jp_err(err, errlen, "cache path too long");
  /* pinned before looking: a trim cannot remove it between our check and
   * the job's use */
  if (pin(c, key, err, errlen) < 0) return -1;
  if (access(dir, F_OK) == 0) {
    utimensat(AT_FDCWD, dir, NULL, 0);
    return 0;
  }
  if (fetch_and_assemble(c, p, key, dir, err, errlen) < 0) {
    unpin_key(c, key);
    return -1;
  }
  return 0;
}

int wcache_sources(const struct jp_submit *s, const char *jobdir, char (*paths)[4096], size_t maxn,
                   char *err, size_t errlen) {
  if (mkdir(jobdir, 0755) < 0 && errno != EEXIST) return jp_errno(err, errlen, "creating %s", jobdir);
  if (s->nsources > maxn) return jp_err(err, errlen, "too many source files (%zu)", s->nsources);
  for (size_t i = 0; i < s->nsources; i++) {
    const char *name = s->sources[i].name;
    if (!safe_relpath(name) || strchr(name, '/'))
      return jp_err(err, errlen, "source file name '%.64s' must be a plain file name", name ? name : "");
    if ((size_t)snprintf(paths[i], 4096, "%s/%s", jobdir, name) >= 4096) return jp_err(err, errlen, "path too long");
    int fd = open(paths[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return jp_errno(err, errlen, "creating %s", paths[i]);
    const uint8_t *d = s->sources[i].content.data;
    size_t left = s->sources[i].content.len;
    while (left) {
      ssize_t n = write(fd, d, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close(fd);
        return jp_errno(err, errlen, "writing %s", paths[i]);
      }
      d += n;
      left -= (size_t)n;
    }
    close(fd);
  }
  return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  remove(path);
  return 0;
}

void wcache_rmtree(const char *dir) { nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

void wcache_trim(struct wcache *c) {
  if (!c->bs.max_bytes) return;
  char p[4096];
  snprintf(p, sizeof p, "%s/problems", c->root);
  DIR *d = opendir(p);
  if (d) {
    struct dirent *e;
    time_t old = time(NULL) - 3600;
    while ((e = readdir(d))) {
      if (e->d_name[0] == '.') continue;
      char q[8192];
      struct stat st;
      snprintf(q, sizeof q, "%s/%s", p, e->d_name);
      if (lstat(q, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_mtime >= old) continue;
      /* under mu, a directory not pinned is moved aside (no job can pin it
       * and use it after that), then removed without holding mu */
      static unsigned long seq;
      char gone[8300];
      snprintf(gone, sizeof gone, "%s.trim.%d.%lu", q, (int)getpid(), __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
      pthread_mutex_lock(&c->mu);
      int moved = !find_pin(c, e->d_name) && rename(q, gone) == 0;
      pthread_mutex_unlock(&c->mu);
      if (moved) wcache_rmtree(gone);
    }
    closedir(d);
  }
  /* under mu: a package being fetched keeps its blobs (a blob it found
   * here or fetched must not go before it is linked), and none starts
   * fetching (trusting the blobs it finds) while we choose what to evict */
  pthread_mutex_lock(&c->mu);
  blobstore_evict(&c->bs, pinned, c, NULL, 0);
  pthread_mutex_unlock(&c->mu);
}
