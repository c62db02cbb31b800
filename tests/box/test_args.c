/* test_args.c — strict parsing of limit values (seconds, integers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "box_args.h"

static void seconds(void **state) {
  (void)state;
  uint64_t ms = 0;
  assert_int_equal(box_parse_seconds("1", 10000, &ms), 0);
  assert_int_equal(ms, 1000);
  assert_int_equal(box_parse_seconds("0.5", 10000, &ms), 0);
  assert_int_equal(ms, 500);
  assert_int_equal(box_parse_seconds("2.25", 10000, &ms), 0);
  assert_int_equal(ms, 2250);
  assert_int_equal(box_parse_seconds("0.001", 10000, &ms), 0);
  assert_int_equal(ms, 1);
  assert_int_equal(box_parse_seconds("0.0001", 10000, &ms), 0);
  assert_int_equal(ms, 1); /* rounded up, never to 0 */
  assert_int_equal(box_parse_seconds("1.2500", 10000, &ms), 0);
  assert_int_equal(ms, 1250);
  const char *bad[] = {"", ".5", "1.", "-1", "+1", "1e3", "1,5", " 1", "1 ", "abc", "1.2.3",
                       "99999999999", "0x10", "1.00000000001"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(box_parse_seconds(bad[i], 10000, &ms), -1);
  assert_int_equal(box_parse_seconds("10.001", 10000, &ms), -1); /* over max */
  assert_int_equal(box_parse_seconds(NULL, 10000, &ms), -1);
}

static void integers(void **state) {
  (void)state;
  uint64_t v = 0;
  assert_int_equal(box_parse_uint("256", 1, 1024, &v), 0);
  assert_int_equal(v, 256);
  assert_int_equal(box_parse_uint("0", 1, 1024, &v), -1);
  assert_int_equal(box_parse_uint("1025", 1, 1024, &v), -1);
  assert_int_equal(box_parse_uint("18446744073709551615", 0, UINT64_MAX, &v), 0);
  assert_true(v == UINT64_MAX);
  assert_int_equal(box_parse_uint("18446744073709551616", 0, UINT64_MAX, &v), -1);
  assert_int_equal(box_parse_uint("-1", 0, 10, &v), -1);
  assert_int_equal(box_parse_uint("12a", 0, 100, &v), -1);
  assert_int_equal(box_parse_uint("", 0, 100, &v), -1);
  assert_int_equal(box_parse_uint(NULL, 0, 100, &v), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(seconds), cmocka_unit_test(integers)};
  return cmocka_run_group_tests_name("box_args", tests, NULL, NULL);
}
