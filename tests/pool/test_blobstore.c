/* test_blobstore.c — the content store refuses content that does not match
 * its name and bad names, stores atomically, reads back, and a bounded
 * store evicts only blobs nothing else links to and the caller does not
 * keep, oldest first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blobstore.h"
#include "tmpdir_fixture.h"

static void put_get_and_refusals(void **st) {
  (void)st;
  char err[512], h[65], path[4096];
  struct blobstore bs;
  snprintf(path, sizeof path, "%s/b", tmpdir_path);
  assert_int_equal(blobstore_init(&bs, path, 0, err, sizeof err), 0);
  blob_hash("hello", 5, h);
  assert_string_equal(h, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  assert_false(blobstore_has(&bs, h));
  assert_int_equal(blobstore_put(&bs, h, "hello", 5, err, sizeof err), 0);
  assert_true(blobstore_has(&bs, h));
  void *d;
  size_t n;
  assert_int_equal(blobstore_read(&bs, h, 1 << 20, &d, &n, err, sizeof err), 0);
  assert_int_equal(n, 5);
  assert_memory_equal(d, "hello", 5);
  free(d);
  /* too large for the caller's cap */
  assert_int_equal(blobstore_read(&bs, h, 4, &d, &n, err, sizeof err), -1);
  /* content that does not match its name */
  assert_int_equal(blobstore_put(&bs, h, "HELLO", 5, err, sizeof err), -1);
  char h2[65];
  blob_hash("other", 5, h2);
  assert_int_equal(blobstore_put(&bs, h2, "hello", 5, err, sizeof err), -1);
  assert_false(blobstore_has(&bs, h2));
  /* names that are not 64 lowercase hex: no path, no file */
  const char *bad[] = {"", "../../etc/passwd", "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
                       "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824/"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_false(blob_hash_valid(bad[i]));
    assert_int_equal(blobstore_put(&bs, bad[i], "x", 1, err, sizeof err), -1);
    assert_int_equal(blobstore_path(&bs, bad[i], path, sizeof path), -1);
  }
}

/* A worker's slots fetch the same problem files at once on a cold cache:
 * every put of the same blob succeeds, whoever renames first (with one temp
 * name per process, a thread's rename failed and its job ended IE). */
#define RACE_THREADS 4
#define RACE_ROUNDS 200
static struct blobstore race_bs;
static pthread_barrier_t race_bar;
static int race_failures;

static void *race_putter(void *arg) {
  (void)arg;
  char err[512], h[65], data[32];
  for (int r = 0; r < RACE_ROUNDS; r++) {
    int n = snprintf(data, sizeof data, "blob %d", r);
    blob_hash(data, (size_t)n, h);
    pthread_barrier_wait(&race_bar);
    if (blobstore_put(&race_bs, h, data, (size_t)n, err, sizeof err) < 0) __atomic_add_fetch(&race_failures, 1, __ATOMIC_RELAXED);
  }
  return NULL;
}

static void same_blob_from_many_threads(void **st) {
  (void)st;
  char err[512], path[4096];
  snprintf(path, sizeof path, "%s/b", tmpdir_path);
  assert_int_equal(blobstore_init(&race_bs, path, 0, err, sizeof err), 0);
  assert_int_equal(pthread_barrier_init(&race_bar, NULL, RACE_THREADS), 0);
  pthread_t t[RACE_THREADS];
  for (int i = 0; i < RACE_THREADS; i++) assert_int_equal(pthread_create(&t[i], NULL, race_putter, NULL), 0);
  for (int i = 0; i < RACE_THREADS; i++) pthread_join(t[i], NULL);
  pthread_barrier_destroy(&race_bar);
  assert_int_equal(race_failures, 0);
  /* every blob readable and whole, no temp file left behind */
  char h[65], data[32];
  for (int r = 0; r < RACE_ROUNDS; r++) {
    int n = snprintf(data, sizeof data, "blob %d", r);
    blob_hash(data, (size_t)n, h);
    void *d;
    size_t len;
    assert_int_equal(blobstore_read(&race_bs, h, 1 << 20, &d, &len, err, sizeof err), 0);
    assert_int_equal(len, (size_t)n);
    assert_memory_equal(d, data, len);
    free(d);
  }
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "find '%s' -name '*.tmp.*' | grep -q .", path);
  assert_int_not_equal(system(cmd), 0);
}

/* A writer killed mid-put leaves its temp file: the next start removes it
 * and keeps the blobs. */
static void stale_temps_removed_at_start(void **st) {
  (void)st;
  char err[512], path[4096], h[65], tmp[4300];
  struct blobstore bs;
  snprintf(path, sizeof path, "%s/b", tmpdir_path);
  assert_int_equal(blobstore_init(&bs, path, 0, err, sizeof err), 0);
  blob_hash("kept", 4, h);
  assert_int_equal(blobstore_put(&bs, h, "kept", 4, err, sizeof err), 0);
  snprintf(tmp, sizeof tmp, "%s/%.2s/%s.tmp.Ab12Cd", path, h, h);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, "half", 4), 4);
  close(fd);
  assert_int_equal(blobstore_init(&bs, path, 0, err, sizeof err), 0);
  assert_int_equal(access(tmp, F_OK), -1);
  assert_true(blobstore_has(&bs, h));
}

static int keep_one(const char *hash, void *arg) { return !strcmp(hash, arg); }

static void bounded_eviction(void **st) {
  (void)st;
  char err[512], path[4096], h[3][65], link_path[4200];
  struct blobstore bs;
  snprintf(path, sizeof path, "%s/c", tmpdir_path);
  assert_int_equal(blobstore_init(&bs, path, 2500, err, sizeof err), 0);
  char data[3][1000];
  for (int i = 0; i < 3; i++) {
    memset(data[i], 'a' + i, sizeof data[i]);
    blob_hash(data[i], sizeof data[i], h[i]);
    assert_int_equal(blobstore_put(&bs, h[i], data[i], sizeof data[i], err, sizeof err), 0);
    /* make ages distinct: blob 0 oldest */
    blobstore_path(&bs, h[i], path, sizeof path);
    struct timespec ts[2] = {{.tv_sec = 1000000 + i * 1000}, {.tv_sec = 1000000 + i * 1000}};
    utimensat(AT_FDCWD, path, ts, 0);
  }
  /* blob 0 is in use (a problem directory links to it): never evicted */
  blobstore_path(&bs, h[0], path, sizeof path);
  snprintf(link_path, sizeof link_path, "%s/in-use", tmpdir_path);
  assert_int_equal(link(path, link_path), 0);
  assert_int_equal(blobstore_evict(&bs, NULL, NULL, err, sizeof err), 0);
  assert_true(blobstore_has(&bs, h[0]));
  assert_false(blobstore_has(&bs, h[1])); /* the oldest unlinked one went */
  assert_true(blobstore_has(&bs, h[2]));
  /* over the bound again with a newer blob: the oldest unlinked one (2) is
   * kept by the caller (a package being fetched lists it), the newer goes */
  char newer[1000], hn[65];
  memset(newer, 'z', sizeof newer);
  blob_hash(newer, sizeof newer, hn);
  assert_int_equal(blobstore_put(&bs, hn, newer, sizeof newer, err, sizeof err), 0);
  assert_int_equal(blobstore_evict(&bs, keep_one, h[2], err, sizeof err), 0);
  assert_true(blobstore_has(&bs, h[0]));
  assert_true(blobstore_has(&bs, h[2]));
  assert_false(blobstore_has(&bs, hn));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(put_get_and_refusals, tmpdir_setup, tmpdir_teardown),
      cmocka_unit_test_setup_teardown(bounded_eviction, tmpdir_setup, tmpdir_teardown),
      cmocka_unit_test_setup_teardown(same_blob_from_many_threads, tmpdir_setup, tmpdir_teardown),
      cmocka_unit_test_setup_teardown(stale_temps_removed_at_start, tmpdir_setup, tmpdir_teardown),
  };
  return cmocka_run_group_tests_name("pool_blobstore", tests, NULL, NULL);
}
