/* test_default_validator.c — the default output validator's flags and edge
 * cases: whitespace, case, float tolerances, exponents, nan/inf, huge tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "default_validator.h"

static int cmp_flags(const char *team, const char *ans, const char *const *flags, size_t nflags) {
  struct dv_flags f;
  char err[256], msg[512];
  assert_int_equal(dv_parse_flags(flags, nflags, &f, err, sizeof err), 0);
  return dv_compare(team, strlen(team), ans, strlen(ans), &f, msg, sizeof msg);
}

static int cmp(const char *team, const char *ans) { return cmp_flags(team, ans, NULL, 0); }

static void test_whitespace(void **s) {
  (void)s;
  assert_true(cmp("1 2 3\n", "1 2 3\n"));
  assert_true(cmp("1   2\t3", "1 2 3\n"));
  assert_true(cmp("1 2 3\n\n\n   ", "1 2 3"));   /* trailing whitespace */
  assert_true(cmp("\n 1 2 3", "1 2 3"));          /* leading whitespace */
  assert_true(cmp("", ""));
  assert_true(cmp("  \n", ""));
  assert_false(cmp("1 2", "1 2 3"));              /* team ended early */
  assert_false(cmp("1 2 3 4", "1 2 3"));          /* trailing output */
  assert_false(cmp("12 3", "1 23"));
  assert_false(cmp("", "x"));
}

static void test_space_change_sensitive(void **s) {
  (void)s;
  const char *f[] = {"space_change_sensitive"};
  assert_true(cmp_flags("1 2\n", "1 2\n", f, 1));
  assert_false(cmp_flags("1  2\n", "1 2\n", f, 1));
  assert_false(cmp_flags("1 2", "1 2\n", f, 1)); /* missing trailing newline */
  assert_false(cmp_flags("1 2\n\n", "1 2\n", f, 1));
  assert_false(cmp_flags("1\t2\n", "1 2\n", f, 1));
}

static void test_case(void **s) {
  (void)s;
  const char *f[] = {"case_sensitive"};
  assert_true(cmp("Yes", "YES"));
  assert_false(cmp_flags("Yes", "YES", f, 1));
  assert_true(cmp_flags("YES", "YES", f, 1));
}

static void test_float(void **s) {
  (void)s;
  const char *abs[] = {"float_absolute_tolerance", "1e-6"};
  const char *rel[] = {"float_relative_tolerance", "1e-6"};
  const char *both[] = {"float_tolerance", "1e-6"};
  assert_false(cmp("1.0000001", "1.0"));                /* no tolerance: strings */
  assert_true(cmp_flags("1.0000001", "1.0", abs, 2));
  assert_false(cmp_flags("1.00001", "1.0", abs, 2));
  assert_true(cmp_flags("1000000.5", "1000000", rel, 2)); /* 0.5 <= 1e-6 * 1e6 */
  assert_false(cmp_flags("1000002", "1000000", rel, 2));
  assert_true(cmp_flags("-0.0000001", "0", both, 2));
  assert_true(cmp_flags("1e5", "100000", both, 2));      /* exponent */
  assert_true(cmp_flags("1.5E-3", "0.0015", both, 2));
  assert_true(cmp_flags(".5", "0.5", both, 2));
  assert_false(cmp_flags("abc", "0.5", both, 2));
  assert_false(cmp_flags("0x1p-1", "0.5", both, 2));     /* no hex floats */
  assert_false(cmp_flags("1e", "1", both, 2));
  /* non-numeric answer tokens are still compared as strings */
  assert_true(cmp_flags("hello 1.0000001", "HELLO 1", both, 2));
  assert_false(cmp_flags("hello", "world", both, 2));
}

static void test_nan_inf(void **s) {
  (void)s;
  const char *both[] = {"float_tolerance", "1e-6"};
  assert_false(cmp_flags("nan", "1.0", both, 2));
  assert_false(cmp_flags("inf", "1e308", both, 2));
  assert_false(cmp_flags("-inf", "-1", both, 2));
  assert_false(cmp_flags("1e999", "1e308", both, 2));   /* overflows to inf */
  assert_true(cmp_flags("nan", "NaN", both, 2));          /* answer is literally nan */
  assert_true(cmp_flags("inf", "inf", both, 2));
  assert_false(cmp_flags("1", "inf", both, 2));
}

static void test_huge_tokens(void **s) {
  (void)s;
  size_t n = 3u << 20;
  char *a = malloc(n + 1), *b = malloc(n + 1);
  assert_non_null(a);
  assert_non_null(b);
  memset(a, '7', n);
  a[n] = 0;
  memcpy(b, a, n + 1);
  const char *both[] = {"float_tolerance", "1e-6"};
  assert_true(cmp(a, b));
  assert_true(cmp_flags(a, b, both, 2));
  b[n - 1] = '8';
  assert_false(cmp(a, b));
  assert_false(cmp_flags(a, b, both, 2)); /* too long to be a number: strings differ */
  free(a);
  free(b);
}

static void test_embedded_nul_and_message(void **s) {
  (void)s;
  struct dv_flags f;
  char err[128], msg[512];
  assert_int_equal(dv_parse_flags(NULL, 0, &f, err, sizeof err), 0);
  const char team[] = {'1', 0, '2'};
  assert_false(dv_compare(team, 3, "12", 2, &f, msg, sizeof msg));
  assert_non_null(strstr(msg, "\\x00"));
  assert_false(dv_compare("5", 1, "6", 1, &f, msg, sizeof msg));
  assert_non_null(strstr(msg, "expected '6', got '5'"));
}

static void test_bad_flags(void **s) {
  (void)s;
  struct dv_flags f;
  char err[256];
  const char *a[] = {"float_tolerance"};
  const char *b[] = {"float_tolerance", "abc"};
  const char *c[] = {"bogus_flag"};
  const char *d[] = {"float_absolute_tolerance", "-1"};
  assert_int_equal(dv_parse_flags(a, 1, &f, err, sizeof err), -1);
  assert_int_equal(dv_parse_flags(b, 2, &f, err, sizeof err), -1);
  assert_int_equal(dv_parse_flags(c, 1, &f, err, sizeof err), -1);
  assert_non_null(strstr(err, "bogus_flag"));
  assert_int_equal(dv_parse_flags(d, 2, &f, err, sizeof err), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_whitespace),      cmocka_unit_test(test_space_change_sensitive),
      cmocka_unit_test(test_case),            cmocka_unit_test(test_float),
      cmocka_unit_test(test_nan_inf),         cmocka_unit_test(test_huge_tokens),
      cmocka_unit_test(test_embedded_nul_and_message), cmocka_unit_test(test_bad_flags),
  };
  return cmocka_run_group_tests_name("default_validator", tests, NULL, NULL);
}
