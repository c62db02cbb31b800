/* test_wcache.c — the worker's problem cache against a scripted fake broker
 * (a ROUTER on an ipc endpoint, in a thread) that counts every BLOB_GET and
 * answers only when the test lets it: two different cold packages fetch at
 * once, two callers of the same cold package make one BLOB_GET per blob, a
 * failed fetch wakes its waiter who fetches itself, trimming during a
 * fetch spares that package's blobs and never removes a package directory
 * in use, and a manifest naming a path and a path under it is refused. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cache.h"
#include "fake_router.h"
#include "tmpdir_fixture.h"

#define NBLOBS 4
#define MAX_PENDING 16

struct pending { /* a BLOB_GET held until the gate opens */
  uint8_t peer[256];
  size_t peer_len;
  int blob;
};

struct fake {
  struct fake_router r;
  char data[NBLOBS][32];
  char hash[NBLOBS][65];
  pthread_mutex_t mu;
  int gets[NBLOBS];   /* BLOB_GETs received per blob */
  int open;           /* 1: answer what is held and everything after */
  unsigned open_when; /* nonzero: open once each blob in this mask has been asked for */
  int bad_first;      /* 1: the first answer carries content not matching its hash */
  int answered;
  struct pending held[MAX_PENDING];
  int nheld;
};

static void answer(struct fake *f, const struct pending *p) {
  struct jp_msg m = {.type = JP_MSG_BLOB};
  m.u.blob.sha256 = f->hash[p->blob];
  m.u.blob.found = true;
  const char *d = f->bad_first && f->answered == 0 ? "not the content" : f->data[p->blob];
  m.u.blob.data.data = (const uint8_t *)d;
  m.u.blob.data.len = strlen(d);
  f->answered++;
  fake_router_send(&f->r, p->peer, p->peer_len, &m);
}

static int blob_of(const struct fake *f, const char *hash) {
  for (int i = 0; i < NBLOBS; i++)
    if (!strcmp(f->hash[i], hash)) return i;
  return -1;
}

/* Holds every request; answers them all once the test opens the gate (or
 * once each blob in open_when has been asked for). */
static void *serve(void *arg) {
  struct fake *f = arg;
  while (!f->r.stop) {
    struct pending p;
    struct jp_msg req;
    if (fake_router_recv(&f->r, 10, p.peer, &p.peer_len, &req)) {
      p.blob = req.type == JP_MSG_BLOB_GET ? blob_of(f, req.u.blob_get.sha256) : -1;
      pthread_mutex_lock(&f->mu);
      if (p.blob >= 0 && f->nheld < MAX_PENDING) {
        f->held[f->nheld++] = p;
        f->gets[p.blob]++;
      }
      pthread_mutex_unlock(&f->mu);
      jp_msg_free(&req);
    }
    pthread_mutex_lock(&f->mu);
    if (f->open_when) {
      int all = 1;
      for (int i = 0; i < NBLOBS; i++) all &= !(f->open_when & 1u << i) || f->gets[i] > 0;
      if (all) f->open = 1;
    }
    if (f->open) {
      for (int i = 0; i < f->nheld; i++) answer(f, &f->held[i]);
      f->nheld = 0;
    }
    pthread_mutex_unlock(&f->mu);
  }
  return NULL;
}

/* A fake broker serving (see struct fake for the two flags). */
static struct fake *fake_start(unsigned open_when, int bad_first) {
  struct fake *f = calloc(1, sizeof *f);
  assert_non_null(f);
  f->open_when = open_when;
  f->bad_first = bad_first;
  pthread_mutex_init(&f->mu, NULL);
  for (int i = 0; i < NBLOBS; i++) {
    snprintf(f->data[i], sizeof f->data[i], "content of blob %d", i);
    blob_hash(f->data[i], strlen(f->data[i]), f->hash[i]);
  }
  char ep[128], err[256];
  snprintf(ep, sizeof ep, "ipc://%s/broker", tmpdir_path);
  if (fake_router_start(&f->r, ep, serve, f, err, sizeof err) < 0) fail_msg("%s", err);
  return f;
}

static void fake_stop(struct fake *f) {
  fake_router_stop(&f->r);
  pthread_mutex_destroy(&f->mu);
  free(f);
}

static int gets(struct fake *f, int blob) {
  pthread_mutex_lock(&f->mu);
  int n = f->gets[blob];
  pthread_mutex_unlock(&f->mu);
  return n;
}

static void fake_open(struct fake *f) {
  pthread_mutex_lock(&f->mu);
  f->open = 1;
  pthread_mutex_unlock(&f->mu);
}

static size_t nwaiting(struct wcache *c) {
  pthread_mutex_lock(&c->mu);
  size_t n = c->nwaiting;
  pthread_mutex_unlock(&c->mu);
  return n;
}

/* The tests wait for the state they need, without a deadline of their own:
 * ctest's timeout bounds a test that never gets there. */
static void settle(void) { usleep(1000); }

/* package 0: blobs 0 and 1; package 1: blobs 2 and 3 */
struct pkg {
  struct jp_file_ref files[2];
  struct jp_problem p;
};

static void make_pkg(struct pkg *k, const struct fake *f, int first) {
  static const char *const paths[2] = {"data/secret/1.in", "problem.yaml"};
  for (int i = 0; i < 2; i++)
    k->files[i] = (struct jp_file_ref){.path = paths[i], .sha256 = f->hash[first + i], .size = strlen(f->data[first + i])};
  k->p = (struct jp_problem){.hash = f->hash[first], .files = k->files, .nfiles = 2};
}

struct call {
  struct wcache *c;
  const struct jp_problem *p;
  pthread_t th;
  int rc;
  char dir[4096], err[512];
};

static void *call_main(void *arg) {
  struct call *k = arg;
  k->rc = wcache_problem(k->c, k->p, k->dir, sizeof k->dir, k->err, sizeof k->err);
  return NULL;
}

static void call_start(struct call *k, struct wcache *c, const struct jp_problem *p) {
  memset(k, 0, sizeof *k);
  k->c = c;
  k->p = p;
  assert_int_equal(pthread_create(&k->th, NULL, call_main, k), 0);
}

static void call_join(struct call *k) { assert_int_equal(pthread_join(k->th, NULL), 0); }

/* the assembled directory holds the package's files with their content */
static void assert_assembled(const struct call *k, const struct fake *f, int first) {
  if (k->rc != 0) fail_msg("wcache_problem: %s", k->err);
  char path[4200], buf[64] = "";
  snprintf(path, sizeof path, "%s/data/secret/1.in", k->dir);
  FILE *fp = fopen(path, "r");
  assert_non_null(fp);
  assert_non_null(fgets(buf, sizeof buf, fp));
  fclose(fp);
  assert_string_equal(buf, f->data[first]);
  snprintf(path, sizeof path, "%s/problem.yaml", k->dir);
  assert_int_equal(access(path, F_OK), 0);
}

static void cache_open(struct wcache *c, const struct fake *f, uint64_t max_bytes) {
  char err[512], root[256];
  snprintf(root, sizeof root, "%s/cache", tmpdir_path);
  if (wcache_init(c, root, max_bytes, 2, f->r.ctx, f->r.ep, err, sizeof err) < 0) fail_msg("wcache_init: %s", err);
}

/* Two callers of package 0 on a cold cache (c opened here); the fake
 * answers once one of them waits for the other's fetch, and does not when
 * they fetch it twice (asking the broker twice). Returns when both have. */
static void same_package_twice(struct fake *f, struct wcache *c, struct call k[2]) {
  cache_open(c, f, 0);
  struct pkg a;
  make_pkg(&a, f, 0);
  call_start(&k[0], c, &a.p);
  call_start(&k[1], c, &a.p);
  while (nwaiting(c) < 1 && gets(f, 0) < 2) settle();
  assert_int_equal(nwaiting(c), 1);
  fake_open(f);
  call_join(&k[0]);
  call_join(&k[1]);
}

/* Two slots, two different cold packages: the fake answers nothing until
 * it has been asked for a blob of each (a package's blobs are asked for one
 * after the other: the first of each), so one package's fetch waiting
 * for the other's to finish (one fetch lock per worker) never completes
 * (its BLOB_GETs time out and it fails); fetched at once, both arrive. */
static void different_packages_fetch_at_once(void **st) {
  (void)st;
  struct fake *f = fake_start(1u << 0 | 1u << 2, 0);
  struct wcache c;
  cache_open(&c, f, 0);
  struct pkg a, b;
  make_pkg(&a, f, 0);
  make_pkg(&b, f, 2);
  struct call ka, kb;
  call_start(&ka, &c, &a.p);
  call_start(&kb, &c, &b.p);
  call_join(&ka);
  call_join(&kb);
  assert_assembled(&ka, f, 0);
  assert_assembled(&kb, f, 2);
  assert_string_not_equal(ka.dir, kb.dir);
  for (int i = 0; i < NBLOBS; i++) assert_int_equal(gets(f, i), 1);
  wcache_close(&c);
  fake_stop(f);
}

/* Two slots, the same cold package: the second waits for the first's fetch
 * (the fake answers only once it waits), then both use one directory, and
 * the broker was asked for each blob once. */
static void same_package_fetched_once(void **st) {
  (void)st;
  struct fake *f = fake_start(0, 0);
  struct wcache c;
  struct call k[2];
  same_package_twice(f, &c, k);
  assert_assembled(&k[0], f, 0);
  assert_assembled(&k[1], f, 0);
  assert_string_equal(k[0].dir, k[1].dir);
  assert_int_equal(gets(f, 0), 1);
  assert_int_equal(gets(f, 1), 1);
  wcache_close(&c);
  fake_stop(f);
}

/* The first fetch of a package gets a blob whose content does not match
 * its hash: that caller fails, and the caller waiting for it is woken and
 * fetches the package itself (a second BLOB_GET for that blob) and gets
 * it, instead of waiting forever or sharing the failure. */
static void failed_fetch_wakes_its_waiter(void **st) {
  (void)st;
  struct fake *f = fake_start(0, 1);
  struct wcache c;
  struct call k[2];
  same_package_twice(f, &c, k);
  struct call *failed = k[0].rc ? &k[0] : &k[1], *got = k[0].rc ? &k[1] : &k[0];
  assert_int_equal(failed->rc, -1);
  assert_non_null(strstr(failed->err, "does not match"));
  assert_assembled(got, f, 0);
  assert_int_equal(gets(f, 0), 2);
  wcache_close(&c);
  fake_stop(f);
}

/* A bounded cache trimmed while a package is being fetched: the blob of
 * that package already here (unlinked, oldest) stays for its link, an
 * unrelated unlinked blob goes, and the package is assembled. */
static void trim_spares_a_package_being_fetched(void **st) {
  (void)st;
  struct fake *f = fake_start(0, 0);
  struct wcache c;
  cache_open(&c, f, 1); /* every unlinked blob is over the bound */
  char err[512];
  /* blob 1 (the package's) and blob 3 (no package's) are cached, unlinked */
  assert_int_equal(blobstore_put(&c.bs, f->hash[1], f->data[1], strlen(f->data[1]), err, sizeof err), 0);
  assert_int_equal(blobstore_put(&c.bs, f->hash[3], f->data[3], strlen(f->data[3]), err, sizeof err), 0);
  struct pkg a;
  make_pkg(&a, f, 0);
  struct call k;
  call_start(&k, &c, &a.p);
  while (gets(f, 0) < 1) settle(); /* blob 0 asked for: the fetch is under way */
  assert_int_equal(gets(f, 1), 0);
  wcache_trim(&c);
  assert_true(blobstore_has(&c.bs, f->hash[1]));
  assert_false(blobstore_has(&c.bs, f->hash[3]));
  fake_open(f);
  call_join(&k);
  assert_assembled(&k, f, 0);
  assert_int_equal(gets(f, 1), 0);
  wcache_close(&c);
  fake_stop(f);
}

/* A manifest listing "data/x" and then "data" (as a hostile or broken
 * broker might send it): assembling fails with a message naming the path,
 * instead of a package directory silently missing the file "data". */
static void path_and_its_directory_refused(void **st) {
  (void)st;
  struct fake *f = fake_start(0, 0);
  fake_open(f);
  struct wcache c;
  cache_open(&c, f, 0);
  struct jp_file_ref files[2] = {
      {.path = "data/x", .sha256 = f->hash[0], .size = strlen(f->data[0])},
      {.path = "data", .sha256 = f->hash[1], .size = strlen(f->data[1])},
  };
  struct jp_problem p = {.hash = f->hash[0], .files = files, .nfiles = 2};
  char dir[4096], err[512] = "";
  assert_int_equal(wcache_problem(&c, &p, dir, sizeof dir, err, sizeof err), -1);
  assert_non_null(strstr(err, "'data'"));
  assert_int_not_equal(access(dir, F_OK), 0); /* nothing half-made is left for the next job */
  wcache_close(&c);
  fake_stop(f);
}

/* makes a path look unused for two hours (trim removes those after one) */
static void age(const char *path) {
  struct timespec t[2] = {{.tv_sec = time(NULL) - 7200}, {.tv_sec = time(NULL) - 7200}};
  assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

/* A package directory in use is pinned: a job that outlives the trim age
 * keeps its test files (trim removed any problem directory older than an
 * hour by mtime, touched only when a job started). Once unpinned, the same
 * trim removes it; a second user's pin keeps it until both are done. */
static void trim_spares_a_package_in_use(void **st) {
  (void)st;
  struct fake *f = fake_start(0, 0);
  fake_open(f);
  struct wcache c;
  cache_open(&c, f, 1); /* bounded: trim runs */
  struct pkg a;
  make_pkg(&a, f, 0);
  struct call k[2];
  for (int i = 0; i < 2; i++) {
    call_start(&k[i], &c, &a.p);
    call_join(&k[i]);
    assert_assembled(&k[i], f, 0);
  }
  age(k[0].dir);
  wcache_trim(&c);
  assert_assembled(&k[0], f, 0); /* two jobs use it */
  wcache_unpin(&c, k[0].dir);
  age(k[0].dir);
  wcache_trim(&c);
  assert_assembled(&k[1], f, 0); /* one still does */
  wcache_unpin(&c, k[1].dir);
  wcache_trim(&c);
  assert_int_not_equal(access(k[0].dir, F_OK), 0); /* unused for "two hours": gone */
  wcache_close(&c);
  fake_stop(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(different_packages_fetch_at_once, tmpdir_setup, tmpdir_teardown),
      cmocka_unit_test_setup_teardown(same_package_fetched_once, tmpdir_setup, tmpdir_teardown),
      cmocka_unit_test_setup_teardown(failed_fetch_wakes_its_waiter, tmpdir_setup, tmpdir_teardown),
      cmocka_unit_test_setup_teardown(trim_spares_a_package_being_fetched, tmpdir_setup, tmpdir_teardown),
      cmocka_unit_test_setup_teardown(path_and_its_directory_refused, tmpdir_setup, tmpdir_teardown),
      cmocka_unit_test_setup_teardown(trim_spares_a_package_in_use, tmpdir_setup, tmpdir_teardown),
  };
  return cmocka_run_group_tests_name("pool_wcache", tests, NULL, NULL);
}
