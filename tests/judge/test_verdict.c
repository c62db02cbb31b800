/* test_verdict.c — interactive precedence (problemtools' rules), validator
 * exit codes, test scores and group aggregation with grader flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "verdict.h"

static judge_verdict inter(box_status sub, box_status val, int code, int sig, int val_first) {
  struct inter_outcome o = {sub, val, code, sig, val_first};
  char why[200];
  return verdict_interactive(&o, why, sizeof why);
}

static void test_interactive_precedence(void **s) {
  (void)s;
  /* validator failure wins over everything */
  assert_int_equal(inter(BOX_TLE, BOX_RTE, 1, 0, 0), JUDGE_IE);
  assert_int_equal(inter(BOX_OK, BOX_OK, 0, 0, 1), JUDGE_IE);
  assert_int_equal(inter(BOX_RTE, BOX_RTE, 0, 11, 1), JUDGE_IE); /* validator crashed */
  assert_int_equal(inter(BOX_OK, BOX_TLE, 0, 9, 0), JUDGE_IE);   /* validator timed out */
  assert_int_equal(inter(BOX_SV, BOX_IE, 0, 0, 0), JUDGE_IE);
  /* WA given before the submission exited beats TLE and crashes */
  assert_int_equal(inter(BOX_TLE, BOX_RTE, 43, 0, 1), JUDGE_WA);
  assert_int_equal(inter(BOX_RTE, BOX_RTE, 43, 0, 1), JUDGE_WA);
  /* ... but not when the submission exited first */
  assert_int_equal(inter(BOX_TLE, BOX_RTE, 43, 0, 0), JUDGE_TLE);
  assert_int_equal(inter(BOX_RTE, BOX_RTE, 43, 0, 0), JUDGE_RTE);
  /* TLE beats a crash class and the validator's AC */
  assert_int_equal(inter(BOX_TLE, BOX_RTE, 42, 0, 0), JUDGE_TLE);
  assert_int_equal(inter(BOX_TLE, BOX_RTE, 42, 0, 1), JUDGE_TLE);
  /* crashes, reported precisely */
  assert_int_equal(inter(BOX_RTE, BOX_RTE, 42, 0, 1), JUDGE_RTE);
  assert_int_equal(inter(BOX_MLE, BOX_RTE, 42, 0, 0), JUDGE_MLE);
  assert_int_equal(inter(BOX_SV, BOX_RTE, 43, 0, 0), JUDGE_SV);
  assert_int_equal(inter(BOX_OLE, BOX_RTE, 42, 0, 0), JUDGE_OLE);
  /* clean submission: the validator decides */
  assert_int_equal(inter(BOX_OK, BOX_RTE, 42, 0, 0), JUDGE_AC);
  assert_int_equal(inter(BOX_OK, BOX_RTE, 42, 0, 1), JUDGE_AC);
  assert_int_equal(inter(BOX_OK, BOX_RTE, 43, 0, 0), JUDGE_WA);
}

static void test_exit_codes(void **s) {
  (void)s;
  assert_int_equal(verdict_kattis_exit(42), JUDGE_AC);
  assert_int_equal(verdict_kattis_exit(43), JUDGE_WA);
  assert_int_equal(verdict_kattis_exit(0), JUDGE_IE);
  assert_int_equal(verdict_kattis_exit(1), JUDGE_IE);
  assert_int_equal(verdict_testlib_exit(0), JUDGE_AC);
  assert_int_equal(verdict_testlib_exit(1), JUDGE_WA);
  assert_int_equal(verdict_testlib_exit(2), JUDGE_WA);
  assert_int_equal(verdict_testlib_exit(3), JUDGE_IE);
  assert_int_equal(verdict_testlib_exit(7), JUDGE_AC);
  assert_int_equal(verdict_testlib_exit(42), JUDGE_IE);
  assert_int_equal(verdict_from_box(BOX_SV), JUDGE_SV);
  assert_int_equal(verdict_from_box(BOX_IE), JUDGE_IE);
}

static void test_names(void **s) {
  (void)s;
  judge_verdict v;
  assert_string_equal(judge_verdict_name(JUDGE_TLE), "TLE");
  assert_int_equal(judge_verdict_parse("SV", &v), 0);
  assert_int_equal(v, JUDGE_SV);
  assert_int_equal(judge_verdict_parse("XX", &v), -1);
}

static void test_aggregate(void **s) {
  (void)s;
  struct tdsettings t;
  tdsettings_default(&t);
  struct vres k[] = {{JUDGE_AC, 10, 0}, {JUDGE_WA, 0, 0}, {JUDGE_TLE, 0, 0}, {JUDGE_AC, 5, 0}};
  struct vres r = verdict_aggregate(&t, k, 4);
  assert_int_equal(r.verdict, JUDGE_WA); /* first_error */
  assert_true(r.score == 15);
  t.agg = AGG_MIN;
  r = verdict_aggregate(&t, k, 4);
  assert_true(r.score == 0);
  t.verdict_mode = VERDICT_WORST_ERROR;
  r = verdict_aggregate(&t, k, 4);
  assert_int_equal(r.verdict, JUDGE_TLE);
  t.verdict_mode = VERDICT_FIRST_ERROR;
  t.accept_if_any = 1;
  r = verdict_aggregate(&t, k, 4);
  assert_int_equal(r.verdict, JUDGE_AC);
  /* skipped children do not count; all-AC min */
  tdsettings_default(&t);
  t.agg = AGG_MIN;
  struct vres k2[] = {{JUDGE_AC, 20, 0}, {JUDGE_AC, 30, 0}, {JUDGE_SKIPPED, 0, 0}};
  r = verdict_aggregate(&t, k2, 3);
  assert_int_equal(r.verdict, JUDGE_AC);
  assert_true(r.score == 20);
  /* ignore_sample */
  tdsettings_default(&t);
  t.ignore_sample = 1;
  struct vres k3[] = {{JUDGE_WA, 0, 1}, {JUDGE_AC, 40, 0}};
  r = verdict_aggregate(&t, k3, 2);
  assert_int_equal(r.verdict, JUDGE_AC);
  assert_true(r.score == 40);
  /* range: out of range is a judge error */
  tdsettings_default(&t);
  t.has_range = 1;
  t.range_lo = 0;
  t.range_hi = 100;
  struct vres k4[] = {{JUDGE_AC, 80, 0}, {JUDGE_AC, 80, 0}};
  r = verdict_aggregate(&t, k4, 2);
  assert_int_equal(r.verdict, JUDGE_IE);
  /* IE is never hidden */
  tdsettings_default(&t);
  t.accept_if_any = 1;
  struct vres k5[] = {{JUDGE_AC, 1, 0}, {JUDGE_IE, 0, 0}};
  r = verdict_aggregate(&t, k5, 2);
  assert_int_equal(r.verdict, JUDGE_IE);
}

static void test_scores(void **s) {
  (void)s;
  struct tdsettings t;
  tdsettings_default(&t);
  t.accept_score = 25;
  t.reject_score = -1;
  assert_true(verdict_test_score(&t, JUDGE_AC, 0, 0) == 25);
  assert_true(verdict_test_score(&t, JUDGE_AC, 1, 7.5) == 7.5);
  assert_true(verdict_test_score(&t, JUDGE_TLE, 1, 7.5) == -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_interactive_precedence), cmocka_unit_test(test_exit_codes),
      cmocka_unit_test(test_names), cmocka_unit_test(test_aggregate), cmocka_unit_test(test_scores),
  };
  return cmocka_run_group_tests_name("verdict", tests, NULL, NULL);
}
