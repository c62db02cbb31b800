/* test_peer_budget.c — the per-peer byte budget of BLOB replies: refuses
 * over the cap, always takes one reply into an empty bucket, drains with
 * time, keeps peers apart, survives more peers than slots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <cmocka.h>

#include "peer_budget.h"

#define MiB (1ull << 20)

static void caps_and_drains(void **st) {
  (void)st;
  struct peer_budget *pb = pb_new(16 * MiB, 8 * MiB, 8);
  assert_non_null(pb);
  assert_int_equal(pb_take(pb, "a", 1, 10 * MiB, 0), 0);
  assert_int_equal(pb_take(pb, "a", 1, 6 * MiB, 0), 0);  /* exactly the cap */
  assert_int_equal(pb_take(pb, "a", 1, 1, 0), -1);       /* over it */
  assert_int_equal(pb_take(pb, "b", 1, 16 * MiB, 0), 0); /* another peer is apart */
  assert_int_equal(pb_outstanding(pb, "a", 1, 0), 16 * MiB);
  /* one second drains 8 MiB */
  assert_int_equal(pb_outstanding(pb, "a", 1, 1000), 8 * MiB);
  assert_int_equal(pb_take(pb, "a", 1, 8 * MiB, 1000), 0);
  assert_int_equal(pb_take(pb, "a", 1, 1 * MiB, 1000), -1);
  assert_int_equal(pb_outstanding(pb, "a", 1, 100000), 0);
  pb_free(pb);
}

static void empty_takes_one_big(void **st) {
  (void)st;
  struct peer_budget *pb = pb_new(1 * MiB, 1 * MiB, 4);
  assert_int_equal(pb_take(pb, "x", 1, 64 * MiB, 0), 0); /* bigger than the cap, but alone */
  assert_int_equal(pb_take(pb, "x", 1, 1, 0), -1);
  assert_int_equal(pb_take(pb, "x", 1, 1, 10000), -1);   /* 54 MiB still left */
  assert_int_equal(pb_take(pb, "x", 1, 1, 64000), 0);    /* drained */
  pb_free(pb);
}

static void many_peers(void **st) {
  (void)st;
  struct peer_budget *pb = pb_new(4 * MiB, 1 * MiB, 4);
  char key[16];
  for (int i = 0; i < 100; i++) {
    int n = snprintf(key, sizeof key, "peer%d", i);
    assert_int_equal(pb_take(pb, key, (size_t)n, 1 * MiB, i), 0);
  }
  /* a long key is cut, not overflowed */
  char longkey[1000] = {0};
  assert_int_equal(pb_take(pb, longkey, sizeof longkey, 1, 0), 0);
  assert_null(pb_new(0, 1, 1));
  assert_null(pb_new(1, 1, 0));
  pb_free(pb);
  pb_free(NULL);
}

int main(void) {
  const struct CMUnitTest t[] = {cmocka_unit_test(caps_and_drains), cmocka_unit_test(empty_takes_one_big),
                                 cmocka_unit_test(many_peers)};
  return cmocka_run_group_tests(t, NULL, NULL);
}
