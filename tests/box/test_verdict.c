/* test_verdict.c — box_classify: every status, and the precedence between
 * them when several facts hold at once. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "verdict.h"

static struct box_facts base(void) {
  struct box_facts f;
  memset(&f, 0, sizeof f);
  f.exited = 1;
  f.cpu_limit_ms = 1000;
  f.wall_limit_ms = 3000;
  f.memory_limit_kib = 262144;
  f.cpu_ms = 10;
  f.wall_ms = 20;
  f.memory_kib = 1000;
  return f;
}

static box_status classify(const struct box_facts *f, struct box_result *r) {
  memset(r, 0, sizeof *r);
  box_classify(f, r);
  return r->status;
}

static void ok_and_rte(void **state) {
  (void)state;
  struct box_result r;
  struct box_facts f = base();
  assert_int_equal(classify(&f, &r), BOX_OK);
  assert_string_equal(r.message, "");
  f.exit_code = 3;
  assert_int_equal(classify(&f, &r), BOX_RTE);
  assert_int_equal(r.exit_code, 3);
  assert_int_equal(r.signal, 0);
  f = base();
  f.exited = 0;
  f.signal = SIGSEGV;
  assert_int_equal(classify(&f, &r), BOX_RTE);
  assert_int_equal(r.signal, SIGSEGV);
  assert_non_null(strstr(r.message, "SIGSEGV"));
  f = base();
  f.exited = 1;
  f.exit_code = 127;
  f.exec_errno = 2;
  assert_int_equal(classify(&f, &r), BOX_RTE);
  assert_non_null(strstr(r.message, "cannot execute"));
}

static void tle(void **state) {
  (void)state;
  struct box_result r;
  struct box_facts f = base();
  f.killed_cpu = 1;
  f.exited = 0;
  f.signal = SIGKILL;
  assert_int_equal(classify(&f, &r), BOX_TLE);
  assert_non_null(strstr(r.message, "CPU"));
  /* Exited cleanly, but over the limit between two polls. */
  f = base();
  f.cpu_ms = 1001;
  assert_int_equal(classify(&f, &r), BOX_TLE);
  f = base();
  f.killed_wall = 1;
  f.exited = 0;
  f.signal = SIGKILL;
  assert_int_equal(classify(&f, &r), BOX_TLE);
  assert_non_null(strstr(r.message, "wall"));
  /* Unlimited means unlimited. */
  f = base();
  f.cpu_limit_ms = f.wall_limit_ms = 0;
  f.cpu_ms = f.wall_ms = 1e9;
  assert_int_equal(classify(&f, &r), BOX_OK);
}

static void mle(void **state) {
  (void)state;
  struct box_result r;
  struct box_facts f = base();
  f.oom_killed = 1;
  f.exited = 0;
  f.signal = SIGKILL;
  assert_int_equal(classify(&f, &r), BOX_MLE);
  /* A refused charge in a run that exited 0 is page cache: OK. */
  f = base();
  f.memory_limit_hit = 1;
  assert_int_equal(classify(&f, &r), BOX_OK);
  /* ... but a failing run with it is MLE (malloc returned NULL). */
  f.exit_code = 1;
  assert_int_equal(classify(&f, &r), BOX_MLE);
  /* Crash with the peak at the limit: stack over the memory limit. */
  f = base();
  f.exited = 0;
  f.signal = SIGSEGV;
  f.memory_kib = f.memory_limit_kib;
  assert_int_equal(classify(&f, &r), BOX_MLE);
  f.memory_kib = f.memory_limit_kib / 2;
  assert_int_equal(classify(&f, &r), BOX_RTE);
  /* MLE wins over TLE when the OOM killer fired. */
  f = base();
  f.oom_killed = 1;
  f.cpu_ms = 5000;
  assert_int_equal(classify(&f, &r), BOX_MLE);
}

static void ole_sv_ie(void **state) {
  (void)state;
  struct box_result r;
  struct box_facts f = base();
  f.output_exceeded = 1;
  f.oom_killed = 1;
  assert_int_equal(classify(&f, &r), BOX_OLE);
  f = base();
  f.exited = 0;
  f.signal = SIGXFSZ;
  assert_int_equal(classify(&f, &r), BOX_OLE);
  f = base();
  f.syscall = "ptrace";
  f.output_exceeded = 1;
  f.killed_cpu = 1;
  assert_int_equal(classify(&f, &r), BOX_SV);
  assert_string_equal(r.syscall, "ptrace");
  assert_non_null(strstr(r.message, "ptrace"));
  f.ie = 1;
  f.ie_message = "mount proc: EPERM";
  assert_int_equal(classify(&f, &r), BOX_IE);
  assert_string_equal(r.syscall, "");
  assert_non_null(strstr(r.message, "mount proc"));
  f.ie_message = NULL;
  assert_int_equal(classify(&f, &r), BOX_IE);
  assert_non_null(strstr(r.message, "unknown"));
}

static void names(void **state) {
  (void)state;
  for (int s = BOX_OK; s <= BOX_IE; s++) {
    box_status back;
    assert_int_equal(box_status_parse(box_status_name((box_status)s), &back), 0);
    assert_int_equal(back, s);
  }
  box_status st;
  assert_int_equal(box_status_parse("ok", &st), -1);
  assert_int_equal(box_status_parse(NULL, &st), -1);
  assert_string_equal(box_status_name((box_status)99), "IE");
  box_policy p;
  assert_int_equal(box_policy_parse("strict", &p), 0);
  assert_int_equal(p, BOX_POLICY_STRICT);
  assert_string_equal(box_policy_name(BOX_POLICY_NONE), "none");
  assert_int_equal(box_policy_parse("lenient", &p), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ok_and_rte), cmocka_unit_test(tle),   cmocka_unit_test(mle),
      cmocka_unit_test(ole_sv_ie),  cmocka_unit_test(names),
  };
  return cmocka_run_group_tests_name("box_verdict", tests, NULL, NULL);
}
