/* test_journal.c — the journal keeps acknowledged submissions across a
 * reopen, deduplicates ids, stores results, bumps the epoch, and rolls
 * back what was never committed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "tmpdir_fixture.h"

struct seen {
  int n;
  char ids[16][16];
  uint32_t attempts[16];
};

static int collect(void *ctx, const struct journal_sub *s) {
  struct seen *v = ctx;
  if (v->n < 16) {
    snprintf(v->ids[v->n], sizeof v->ids[0], "%s", s->id);
    v->attempts[v->n] = s->attempts;
    v->n++;
  }
  return 0;
}

static void durable_dedupe_results(void **st) {
  (void)st;
  char err[512];
  struct journal *j;
  uint64_t e1, e2;
  assert_int_equal(journal_open(&j, tmpdir_path, &e1, err, sizeof err), 0);
  assert_int_equal(journal_begin(j, err, sizeof err), 0);
  int existed, done, same, same_client;
  const char *ids[] = {"s1", "s2", "s3"};
  for (int i = 0; i < 3; i++) {
    struct journal_sub s = {.id = ids[i], .client = "A", .lang = "c", .prio = 1, .payload = "xyz", .payload_len = 3};
    assert_int_equal(journal_put(j, &s, &existed, &done, &same, &same_client, err, sizeof err), 0);
    assert_int_equal(existed, 0);
  }
  assert_int_equal(journal_commit(j, err, sizeof err), 0);

  /* an uncommitted write is not kept */
  assert_int_equal(journal_begin(j, err, sizeof err), 0);
  struct journal_sub lost = {.id = "s9", .client = "A", .lang = "c", .payload = "", .payload_len = 0};
  assert_int_equal(journal_put(j, &lost, &existed, &done, &same, &same_client, err, sizeof err), 0);
  journal_rollback(j);

  /* one broker per data directory */
  struct journal *j2;
  uint64_t e3;
  assert_int_equal(journal_open(&j2, tmpdir_path, &e3, err, sizeof err), -1);
  assert_non_null(strstr(err, "in use by another judge-broker"));

  assert_int_equal(journal_begin(j, err, sizeof err), 0);
  assert_int_equal(journal_finish(j, "s2", "AC", "res", 3, err, sizeof err), 0);
  /* one final result: a second one is refused (1), the first stays */
  assert_int_equal(journal_finish(j, "s2", "CANCELLED", "x", 1, err, sizeof err), 1);
  assert_int_equal(journal_finish(j, "nope", "AC", "x", 1, err, sizeof err), 1);
  assert_int_equal(journal_find(j, "s2", NULL, "A", &done, &same, &same_client, err, sizeof err), 1);
  assert_int_equal(done, 1);
  assert_int_equal(journal_find(j, "nope", NULL, "A", &done, &same, &same_client, err, sizeof err), 0);
  assert_int_equal(journal_set_attempts(j, "s3", 2, err, sizeof err), 0);
  struct journal_sub again = {.id = "s2", .client = "B", .lang = "c", .payload = "q", .payload_len = 1, .digest = "d2"};
  assert_int_equal(journal_put(j, &again, &existed, &done, &same, &same_client, err, sizeof err), 0);
  assert_int_equal(existed, 1);
  assert_int_equal(done, 1);
  assert_int_equal(same, 1); /* s2 was stored without a digest: no claim */
  assert_int_equal(same_client, 0); /* taken from A, not B */
  struct journal_sub d1 = {.id = "s4", .client = "B", .lang = "c", .payload = "q", .payload_len = 1, .digest = "aa"};
  assert_int_equal(journal_put(j, &d1, &existed, &done, &same, &same_client, err, sizeof err), 0);
  d1.digest = "bb";
  assert_int_equal(journal_put(j, &d1, &existed, &done, &same, &same_client, err, sizeof err), 0);
  assert_int_equal(existed, 1);
  assert_int_equal(same, 0);
  assert_int_equal(same_client, 1);
  d1.digest = "aa";
  assert_int_equal(journal_put(j, &d1, &existed, &done, &same, &same_client, err, sizeof err), 0);
  assert_int_equal(same, 1);
  assert_int_equal(journal_commit(j, err, sizeof err), 0);
  journal_close(j);

  assert_int_equal(journal_open(&j, tmpdir_path, &e2, err, sizeof err), 0);
  assert_true(e2 > e1);
  struct seen v = {0};
  assert_int_equal(journal_unfinished(j, collect, &v, err, sizeof err), 0);
  assert_int_equal(v.n, 3);
  assert_string_equal(v.ids[0], "s1");
  assert_string_equal(v.ids[1], "s3");
  assert_int_equal(v.attempts[1], 2);
  assert_string_equal(v.ids[2], "s4");

  int state;
  char verdict[16];
  void *res;
  size_t len;
  assert_int_equal(journal_get(j, "s2", &state, verdict, sizeof verdict, &res, &len, err, sizeof err), 0);
  assert_int_equal(state, 2);
  assert_string_equal(verdict, "AC");
  assert_int_equal(len, 3);
  assert_memory_equal(res, "res", 3);
  free(res);
  assert_int_equal(journal_get(j, "s1", &state, verdict, sizeof verdict, &res, &len, err, sizeof err), 0);
  assert_int_equal(state, 1);
  assert_int_equal(journal_get(j, "s9", &state, verdict, sizeof verdict, &res, &len, err, sizeof err), 0);
  assert_int_equal(state, 0);
  assert_int_equal(journal_count_done(j), 1);
  journal_close(j);
}

static int names(void *ctx, const char *name) {
  char *out = ctx;
  strcat(out, name);
  strcat(out, ";");
  return 0;
}

/* drained worker names survive a reopen; undo removes them; twice is once */
static void drained_names_persist(void **st) {
  (void)st;
  char err[512], got[256] = "";
  struct journal *j;
  uint64_t epoch;
  assert_int_equal(journal_open(&j, tmpdir_path, &epoch, err, sizeof err), 0);
  assert_int_equal(journal_drain_set(j, "w1", 1, err, sizeof err), 0);
  assert_int_equal(journal_drain_set(j, "w2", 1, err, sizeof err), 0);
  assert_int_equal(journal_drain_set(j, "w1", 1, err, sizeof err), 0);
  assert_int_equal(journal_drain_set(j, "w3", 0, err, sizeof err), 0); /* undo of a name never drained */
  journal_close(j);
  assert_int_equal(journal_open(&j, tmpdir_path, &epoch, err, sizeof err), 0);
  assert_int_equal(journal_drained(j, names, got, err, sizeof err), 0);
  assert_string_equal(got, "w1;w2;");
  assert_int_equal(journal_drain_set(j, "w1", 0, err, sizeof err), 0);
  journal_close(j);
  assert_int_equal(journal_open(&j, tmpdir_path, &epoch, err, sizeof err), 0);
  got[0] = 0;
  assert_int_equal(journal_drained(j, names, got, err, sizeof err), 0);
  assert_string_equal(got, "w2;");
  journal_close(j);
}

static void unwritable_dir_fails_cleanly(void **st) {
  (void)st;
  char err[512] = "";
  struct journal *j;
  uint64_t e;
  assert_int_equal(journal_open(&j, "/proc/no-such/dir", &e, err, sizeof err), -1);
  assert_null(j);
  assert_true(strlen(err) > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(durable_dedupe_results, tmpdir_setup, tmpdir_teardown),
      cmocka_unit_test_setup_teardown(drained_names_persist, tmpdir_setup, tmpdir_teardown),
      cmocka_unit_test(unwritable_dir_fails_cleanly),
  };
  return cmocka_run_group_tests_name("pool_journal", tests, NULL, NULL);
}
