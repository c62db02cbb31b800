/* test_watch.c — the broker's watch table (broker/watch.c): a watch per
 * (sid, connection), idempotent; the per-owner and total caps refuse
 * instead of growing; events reach exactly the watchers of that sid; a
 * watcher found gone loses its watch (and all its others), a final
 * verdict ends every watch of its sid, and owners with no watches left
 * are forgotten. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "watch.h"

struct seen {
  int n;
  char peers[8][16];
  const char *gone; /* this peer's sends fail */
};

static int record(void *ctx, const void *peer, size_t len) {
  struct seen *s = ctx;
  if (s->n < 8) {
    memcpy(s->peers[s->n], peer, len);
    s->peers[s->n][len] = 0;
  }
  s->n++;
  return s->gone && strlen(s->gone) == len && !memcmp(s->gone, peer, len);
}

static void test_add_each_end(void **state) {
  (void)state;
  struct watches *w = watch_new(10, 100);
  assert_non_null(w);
  assert_int_equal(watch_add(w, "s1", "alice", "c1", 2), WATCH_ADDED);
  assert_int_equal(watch_add(w, "s1", "alice", "c1", 2), WATCH_ALREADY);
  assert_int_equal(watch_add(w, "s1", "admin", "c2", 2), WATCH_ADDED);
  assert_int_equal(watch_add(w, "s10", "alice", "c1", 2), WATCH_ADDED);
  assert_int_equal(watch_count(w), 3);
  assert_int_equal(watch_owner_count(w, "alice"), 2);
  struct seen s = {0};
  watch_each(w, "s1", record, &s);
  assert_int_equal(s.n, 2); /* not s10's watcher: exact sids */
  memset(&s, 0, sizeof s);
  watch_each(w, "s2", record, &s);
  assert_int_equal(s.n, 0);
  watch_end(w, "s1");
  assert_int_equal(watch_count(w), 1);
  assert_int_equal(watch_owner_count(w, "admin"), 0);
  memset(&s, 0, sizeof s);
  watch_each(w, "s10", record, &s);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.peers[0], "c1");
  watch_free(w);
}

static void test_caps(void **state) {
  (void)state;
  struct watches *w = watch_new(2, 3);
  assert_int_equal(watch_add(w, "a", "alice", "c1", 2), WATCH_ADDED);
  assert_int_equal(watch_add(w, "b", "alice", "c2", 2), WATCH_ADDED);
  /* a third for alice, from any connection: refused */
  assert_int_equal(watch_add(w, "c", "alice", "c3", 2), WATCH_FULL_OWNER);
  assert_int_equal(watch_add(w, "c", "bob", "c4", 2), WATCH_ADDED);
  assert_int_equal(watch_add(w, "d", "carol", "c5", 2), WATCH_FULL_TOTAL);
  assert_int_equal(watch_count(w), 3);
  /* one ends: room again */
  watch_end(w, "a");
  assert_int_equal(watch_add(w, "c", "alice", "c3", 2), WATCH_ADDED);
  /* over-long ids are refused, never truncated into someone else's */
  char longsid[200];
  memset(longsid, 'x', sizeof longsid - 1);
  longsid[sizeof longsid - 1] = 0;
  assert_true(watch_add(w, longsid, "bob", "c4", 2) < 0);
  watch_free(w);
}

static void test_gone_peer(void **state) {
  (void)state;
  struct watches *w = watch_new(10, 100);
  assert_int_equal(watch_add(w, "s1", "alice", "gone", 4), WATCH_ADDED);
  assert_int_equal(watch_add(w, "s2", "alice", "gone", 4), WATCH_ADDED);
  assert_int_equal(watch_add(w, "s1", "bob", "here", 4), WATCH_ADDED);
  struct seen s = {.gone = "gone"};
  watch_each(w, "s1", record, &s);
  assert_int_equal(s.n, 2);
  assert_int_equal(watch_count(w), 2); /* the failed send dropped that watch */
  assert_int_equal(watch_drop_peer(w, "gone", 4), 1);
  assert_int_equal(watch_count(w), 1);
  assert_int_equal(watch_owner_count(w, "alice"), 0);
  watch_clear(w);
  assert_int_equal(watch_count(w), 0);
  assert_int_equal(watch_owner_count(w, "bob"), 0);
  watch_free(w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_add_each_end),
      cmocka_unit_test(test_caps),
      cmocka_unit_test(test_gone_peer),
  };
  return cmocka_run_group_tests_name("pool_watch", tests, NULL, NULL);
}
