/* test_roundtrip.c — every message type survives encode -> decode with all
 * its fields, the wire names of every enum round-trip, and the encoder
 * refuses what the decoder would reject. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto.h"
#include "samples.h"

#define H1 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* decode(encode(m)) re-encodes to the same bytes: nothing was dropped or
 * changed (the encoder is deterministic and writes every field). */
static void test_every_sample_roundtrips(void **state) {
  (void)state;
  bool seen[JP_MSG__COUNT] = {0};
  for (size_t i = 0; i < sample_count(); i++) {
    void *a, *b;
    size_t alen, blen;
    sample_encode(i, &a, &alen);
    struct jp_msg m;
    enum jp_errcode code;
    char err[256] = "";
    int rc = jp_msg_decode(a, alen, &m, &code, err, sizeof err);
    if (rc != 0) fail_msg("sample %zu (%s): %s", i, jp_msg_type_name(sample(i)->type), err);
    assert_int_equal(code, JP_E_NONE);
    assert_int_equal(m.type, sample(i)->type);
    assert_true(m.rid == sample(i)->rid);
    assert_int_equal(jp_msg_encode(&m, &b, &blen, err, sizeof err), 0);
    assert_int_equal(alen, blen);
    assert_memory_equal(a, b, alen);
    seen[m.type] = true;
    jp_msg_free(&m);
    jp_msg_free(&m); /* twice is safe */
    free(a);
    free(b);
  }
  for (int t = 1; t < JP_MSG__COUNT; t++)
    if (!seen[t]) fail_msg("no sample of type %s", jp_msg_type_name((enum jp_msg_type)t));
}

/* The broker keeps a queued job's encoding for the job's lifetime: a buffer
 * with kilobytes of unused capacity per message (msgpack-c starts at 8 KiB)
 * held 5 KB per queued submission. Encodings come back sized to fit. */
static void test_encoding_fits_its_buffer(void **state) {
  (void)state;
  for (size_t i = 0; i < sample_count(); i++) {
    void *a;
    size_t alen;
    sample_encode(i, &a, &alen);
    if (malloc_usable_size(a) > alen + 512)
      fail_msg("sample %zu (%s): %zu bytes in a %zu-byte buffer", i, jp_msg_type_name(sample(i)->type), alen,
               malloc_usable_size(a));
    free(a);
  }
  static char big[100000];
  memset(big, 'x', sizeof big - 1);
  struct jp_source src = {.name = "main.c", .content = {(const uint8_t *)big, sizeof big - 1}};
  struct jp_msg m = {.type = JP_MSG_SUBMIT, .rid = 1};
  m.u.submit.sid = "fits";
  m.u.submit.problem.hash = H1;
  m.u.submit.lang = "c";
  m.u.submit.sources = &src;
  m.u.submit.nsources = 1;
  void *b;
  size_t blen;
  char err[256];
  assert_int_equal(jp_msg_encode(&m, &b, &blen, err, sizeof err), 0);
  assert_true(blen > sizeof big - 1);
  /* a buffer this size is mmap'd: whole pages */
  if (malloc_usable_size(b) > blen + 4096) fail_msg("%zu bytes in a %zu-byte buffer", blen, malloc_usable_size(b));
  free(b);
}

static struct jp_msg decode_sample(size_t i) {
  void *buf;
  size_t len;
  sample_encode(i, &buf, &len);
  struct jp_msg m;
  char err[256];
  if (jp_msg_decode(buf, len, &m, NULL, err, sizeof err) < 0) fail_msg("%s", err);
  free(buf);
  return m;
}

static size_t find_sample(enum jp_msg_type t) {
  for (size_t i = 0; i < sample_count(); i++)
    if (sample(i)->type == t) return i;
  fail_msg("no sample of type %d", (int)t);
  return 0;
}

/* Field-by-field checks of the richest messages (the byte comparison above
 * would not notice a field the encoder forgot on both passes). */
static void test_submit_fields(void **state) {
  (void)state;
  struct jp_msg m = decode_sample(find_sample(JP_MSG_SUBMIT));
  const struct jp_submit *s = &m.u.submit;
  assert_string_equal(s->sid, "contest-42:team7.123");
  assert_string_equal(s->problem.hash, H1);
  assert_int_equal(s->problem.nfiles, 3);
  assert_string_equal(s->problem.files[1].path, "data/secret/01.in");
  assert_true(s->problem.files[1].size == 1u << 20);
  assert_string_equal(s->lang, "c");
  assert_int_equal(s->nsources, 2);
  assert_string_equal(s->sources[1].name, "lib/util.h");
  assert_int_equal(s->sources[1].content.len, 8);
  assert_int_equal(s->sources[1].content.data[5], 0xc1);
  assert_int_equal(s->priority, JP_PRIO_CONTEST);
  assert_true(s->options.stop_at_first_failure);
  jp_msg_free(&m);
}

static void test_result_fields(void **state) {
  (void)state;
  struct jp_msg m = decode_sample(find_sample(JP_MSG_JOB_RESULT));
  const struct jp_result *r = &m.u.job_result.result;
  assert_string_equal(m.u.job_result.sid, "s-8");
  assert_true(m.u.job_result.lease == 100);
  assert_int_equal(r->verdict, JP_V_TLE);
  assert_true(r->score == 0.75);
  assert_true(r->compile.ok);
  assert_string_equal(r->compile.message, "warning: unused variable");
  assert_int_equal(r->compile.cpu_ms, 321);
  assert_int_equal(r->ntests, 3);
  assert_string_equal(r->tests[1].syscall, "socket");
  assert_int_equal(r->tests[1].verdict, JP_V_SV);
  assert_int_equal(r->tests[1].exit_code, -1);
  assert_int_equal(r->tests[1].signal, 31);
  assert_true(r->tests[2].memory_kib == 1ull << 33);
  assert_int_equal(r->max_cpu_ms, 2000);
  jp_msg_free(&m);
}

static void test_job_and_event_fields(void **state) {
  (void)state;
  struct jp_msg m = decode_sample(find_sample(JP_MSG_JOB));
  assert_true(m.u.job.lease == 101);
  assert_int_equal(m.u.job.attempt, 2);
  assert_string_equal(m.u.job.sub.sid, "s-9");
  assert_int_equal(m.u.job.sub.priority, JP_PRIO_REJUDGE);
  jp_msg_free(&m);
  m = decode_sample(find_sample(JP_MSG_EVENT));
  assert_true(m.u.event.has_test);
  assert_int_equal(m.u.event.kind, JP_EV_TEST);
  assert_string_equal(m.u.event.test.name, "03");
  assert_int_equal(m.u.event.total, 14);
  jp_msg_free(&m);
  m = decode_sample(find_sample(JP_MSG_HEARTBEAT));
  assert_true(m.u.heartbeat.epoch == 0x1122334455667788ull);
  assert_true(m.u.heartbeat.has_leases);
  assert_int_equal(m.u.heartbeat.nleases, 3);
  assert_true(m.u.heartbeat.leases[1] == 0x1122334455667788ull && m.u.heartbeat.leases[2] == UINT64_MAX);
  jp_msg_free(&m);
  /* without the list (the broker's heartbeats, older workers) */
  struct jp_msg h = {.type = JP_MSG_HEARTBEAT, .rid = 1, .u.heartbeat = {.free_slots = 2}};
  void *buf;
  size_t len;
  assert_int_equal(jp_msg_encode(&h, &buf, &len, NULL, 0), 0);
  assert_int_equal(jp_msg_decode(buf, len, &m, NULL, NULL, 0), 0);
  assert_false(m.u.heartbeat.has_leases);
  assert_int_equal(m.u.heartbeat.nleases, 0);
  jp_msg_free(&m);
  free(buf);
  m = decode_sample(find_sample(JP_MSG_REGISTER));
  assert_int_equal(m.u.reg.nlangs, 4);
  assert_string_equal(m.u.reg.langs[3], "java");
  jp_msg_free(&m);
}

/* The fields added for watching over the clients socket, --all-tests on
 * the wire and the scoring flag of a result. */
static void test_watch_all_tests_scoring(void **state) {
  (void)state;
  struct jp_msg m = decode_sample(find_sample(JP_MSG_WATCH));
  assert_string_equal(m.u.watch.sid, "s-15");
  jp_msg_free(&m);
  bool seen_watch = false;
  for (size_t i = 0; i < sample_count(); i++) {
    if (sample(i)->type != JP_MSG_SUBMIT || !sample(i)->u.submit.watch) continue;
    m = decode_sample(i);
    assert_true(m.u.submit.watch);
    assert_true(m.u.submit.options.all_tests);
    assert_false(m.u.submit.options.stop_at_first_failure);
    jp_msg_free(&m);
    seen_watch = true;
  }
  assert_true(seen_watch);
  m = decode_sample(find_sample(JP_MSG_SUBMIT)); /* the first: neither */
  assert_false(m.u.submit.watch);
  assert_false(m.u.submit.options.all_tests);
  jp_msg_free(&m);
  m = decode_sample(find_sample(JP_MSG_JOB));
  assert_true(m.u.job.sub.options.all_tests);
  jp_msg_free(&m);
  m = decode_sample(find_sample(JP_MSG_ACK));
  assert_true(m.u.ack.watching);
  jp_msg_free(&m);
  m = decode_sample(find_sample(JP_MSG_JOB_RESULT));
  assert_true(m.u.job_result.result.scoring);
  assert_true(m.u.job_result.result.tests[2].score == 0.5);
  jp_msg_free(&m);
  assert_true(jp_msg_dirs(JP_MSG_EVENT) & JP_DIR_B2C);
  assert_true(jp_msg_dirs(JP_MSG_WATCH) == JP_DIR_C2B);
  /* both ways of judging at once is a contradiction the encoder refuses */
  struct jp_source src = {.name = "a.c", .content = {(const uint8_t *)"x", 1}};
  struct jp_msg bad = {.type = JP_MSG_SUBMIT,
                       .u.submit = {.sid = "b", .problem = {.hash = H1}, .lang = "c", .sources = &src, .nsources = 1,
                                    .options = {.stop_at_first_failure = true, .all_tests = true}}};
  void *buf;
  size_t len;
  assert_int_equal(jp_msg_encode(&bad, &buf, &len, NULL, 0), -1);
  /* an empty WATCH sid is refused too */
  struct jp_msg w = {.type = JP_MSG_WATCH, .u.watch = {.sid = ""}};
  assert_int_equal(jp_msg_encode(&w, &buf, &len, NULL, 0), -1);
}

static void test_names_roundtrip(void **state) {
  (void)state;
  for (int t = 1; t < JP_MSG__COUNT; t++) {
    const char *n = jp_msg_type_name((enum jp_msg_type)t);
    assert_non_null(n);
    assert_int_equal(jp_msg_type_parse(n, strlen(n)), t);
    assert_true(jp_msg_dirs((enum jp_msg_type)t) != 0);
  }
  assert_null(jp_msg_type_name(JP_MSG__COUNT));
  assert_int_equal(jp_msg_type_parse("SUBMITX", 7), -1);
  assert_int_equal(jp_msg_type_parse("SUBMIT", 5), -1); /* prefix is not a match */
  for (int v = 0; v < JP_V__COUNT; v++) {
    const char *n = jp_verdict_name((enum jp_verdict)v);
    assert_int_equal(jp_verdict_parse(n, strlen(n)), v);
  }
  for (int c = 1; c < JP_E__COUNT; c++) assert_non_null(jp_errcode_name((enum jp_errcode)c));
  assert_string_equal(jp_errcode_name(JP_E_UNSUPPORTED_VERSION), "unsupported_version");
  assert_string_equal(jp_priority_name(JP_PRIO_BULK), "bulk");
  assert_string_equal(jp_state_name(JP_ST_CANCELLED), "cancelled");
  assert_string_equal(jp_event_kind_name(JP_EV_REQUEUED), "requeued");
}

static void expect_encode_fails(const struct jp_msg *m, const char *needle) {
  void *buf = (void *)1;
  size_t len = 1;
  char err[256] = "";
  assert_int_equal(jp_msg_encode(m, &buf, &len, err, sizeof err), -1);
  assert_null(buf);
  assert_int_equal(len, 0);
  if (!strstr(err, needle)) fail_msg("error '%s' does not mention '%s'", err, needle);
}

static void test_encoder_refuses_invalid(void **state) {
  (void)state;
  struct jp_source src = {"main.c", {(const uint8_t *)"x", 1}};
  struct jp_msg m = {.type = JP_MSG_SUBMIT,
                     .u.submit = {"ok", {H1, NULL, 0}, "c", &src, 1, JP_PRIO_NORMAL, {false, false}, false}};
  void *buf;
  size_t len;
  assert_int_equal(jp_msg_encode(&m, &buf, &len, NULL, 0), 0);
  free(buf);

  struct jp_msg b = m;
  b.u.submit.sid = "has/slash";
  expect_encode_fails(&b, "sid");
  b = m;
  char longsid[JP_PROTO_MAX_SID + 2];
  memset(longsid, 'a', sizeof longsid - 1);
  longsid[sizeof longsid - 1] = 0;
  b.u.submit.sid = longsid;
  expect_encode_fails(&b, "cap");
  b = m;
  b.u.submit.problem.hash = "ABCDEF";
  expect_encode_fails(&b, "hash");
  b = m;
  struct jp_source evil = {"../etc/passwd", {NULL, 0}};
  b.u.submit.sources = &evil;
  expect_encode_fails(&b, "path");
  b = m;
  b.u.submit.nsources = 0;
  expect_encode_fails(&b, "sources");
  b = m;
  b.u.submit.priority = (enum jp_priority)17;
  expect_encode_fails(&b, "priority");
  b = m;
  b.u.submit.lang = NULL; /* NULL is "", and lang must not be empty */
  expect_encode_fails(&b, "lang");
  b = m;
  b.u.submit.problem.nfiles = 3; /* count without an array */
  expect_encode_fails(&b, "files");

  struct jp_msg e = {.type = JP_MSG_EVENT, .u.event = {.sid = "s", .score = 1.0 / 0.0}};
  expect_encode_fails(&e, "finite");
  struct jp_msg er = {.type = JP_MSG_ERROR, .u.error = {JP_E_NONE, "x"}};
  expect_encode_fails(&er, "code");
  struct jp_msg none = {.type = JP_MSG_NONE};
  expect_encode_fails(&none, "not valid");
  struct jp_msg bl = {.type = JP_MSG_BLOB, .u.blob = {H1, false, {(const uint8_t *)"x", 1}}};
  expect_encode_fails(&bl, "found");
}

/* A decoded message never has NULL strings, even for fields left out. */
static void test_defaults_are_empty_strings(void **state) {
  (void)state;
  struct jp_msg m = {.type = JP_MSG_PROGRESS, .u.progress = {.sid = "s", .test = {.name = "t"}}};
  void *buf;
  size_t len;
  assert_int_equal(jp_msg_encode(&m, &buf, &len, NULL, 0), 0);
  struct jp_msg d;
  assert_int_equal(jp_msg_decode(buf, len, &d, NULL, NULL, 0), 0);
  assert_string_equal(d.u.progress.test.group, "");
  assert_string_equal(d.u.progress.test.message, "");
  assert_string_equal(d.u.progress.test.syscall, "");
  jp_msg_free(&d);
  free(buf);
}

/* The broker builds a JOB from the stored SUBMIT by copying its fields as
 * bytes (job_splice.c): for every SUBMIT sample the result is exactly what
 * encoding the equivalent JOB gives, and it decodes to the same fields. */
static void test_job_from_submit_equals_encoding(void **state) {
  (void)state;
  int n = 0;
  for (size_t i = 0; i < sample_count(); i++) {
    if (sample(i)->type != JP_MSG_SUBMIT) continue;
    struct jp_msg sm = *sample(i);
    sm.u.submit.sid = "s-77"; /* the broker stores SUBMITs with their id and without watch */
    struct jp_msg stored = sm;
    stored.u.submit.watch = false;
    void *sub, *want, *got;
    size_t sublen, wantlen, gotlen;
    char err[256] = "";
    assert_int_equal(jp_msg_encode(&stored, &sub, &sublen, err, sizeof err), 0);
    struct jp_msg jm = {.type = JP_MSG_JOB};
    jm.u.job.lease = 0x123456789ull;
    jm.u.job.attempt = 3;
    jm.u.job.sub = stored.u.submit;
    assert_int_equal(jp_msg_encode(&jm, &want, &wantlen, err, sizeof err), 0);
    if (jp_job_from_submit(sub, sublen, 0x123456789ull, 3, &got, &gotlen, err, sizeof err) != 0)
      fail_msg("sample %zu: %s", i, err);
    assert_int_equal(gotlen, wantlen);
    assert_memory_equal(got, want, wantlen);
    /* a watched SUBMIT (the client's frame) gives the same JOB: watch is dropped */
    void *wsub, *wgot;
    size_t wsublen, wgotlen;
    sm.u.submit.watch = true;
    assert_int_equal(jp_msg_encode(&sm, &wsub, &wsublen, err, sizeof err), 0);
    assert_int_equal(jp_job_from_submit(wsub, wsublen, 0x123456789ull, 3, &wgot, &wgotlen, err, sizeof err), 0);
    assert_int_equal(wgotlen, wantlen);
    assert_memory_equal(wgot, want, wantlen);
    free(sub), free(want), free(got), free(wsub), free(wgot);
    n++;
  }
  assert_true(n >= 2);
}

/* Shapes it refuses instead of copying into a JOB a worker would reject. */
static void test_job_from_submit_refuses(void **state) {
  (void)state;
  void *out = (void *)1;
  size_t outlen = 1;
  char err[256];
  for (size_t i = 0; i < sample_count(); i++) {
    if (sample(i)->type == JP_MSG_SUBMIT) continue;
    void *buf;
    size_t len;
    sample_encode(i, &buf, &len);
    if (jp_job_from_submit(buf, len, 1, 1, &out, &outlen, err, sizeof err) != -1)
      fail_msg("sample %zu (%s) became a JOB", i, jp_msg_type_name(sample(i)->type));
    assert_null(out);
    free(buf);
  }
  size_t si = 0;
  while (sample(si)->type != JP_MSG_SUBMIT) si++;
  void *sub;
  size_t sublen;
  sample_encode(si, &sub, &sublen);
  for (size_t cut = 0; cut < sublen; cut++) /* every truncation */
    assert_int_equal(jp_job_from_submit(sub, cut, 1, 1, &out, &outlen, err, sizeof err), -1);
  uint8_t *longer = malloc(sublen + 1);
  memcpy(longer, sub, sublen);
  longer[sublen] = 0xc0; /* a nil after the map */
  assert_int_equal(jp_job_from_submit(longer, sublen + 1, 1, 1, &out, &outlen, err, sizeof err), -1);
  /* a field missing: the map says one pair fewer and the last pair (options) is cut off */
  struct jp_msg m = *sample(si);
  void *full;
  size_t fulllen;
  m.u.submit.options.all_tests = false;
  assert_int_equal(jp_msg_encode(&m, &full, &fulllen, err, sizeof err), 0);
  uint8_t *cut = malloc(fulllen);
  memcpy(cut, full, fulllen);
  assert_true((cut[0] & 0xf0) == 0x80); /* fixmap */
  cut[0]--;
  static const uint8_t opts[] = {0xa7, 'o', 'p', 't', 'i', 'o', 'n', 's', 0x81};
  size_t at = 0;
  while (at + sizeof opts <= fulllen && memcmp(cut + at, opts, sizeof opts)) at++;
  assert_true(at + sizeof opts <= fulllen);
  assert_int_equal(jp_job_from_submit(cut, at, 1, 1, &out, &outlen, err, sizeof err), -1);
  assert_non_null(strstr(err, "options"));
  free(sub), free(longer), free(full), free(cut);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_sample_roundtrips),
      cmocka_unit_test(test_encoding_fits_its_buffer),
      cmocka_unit_test(test_submit_fields),
      cmocka_unit_test(test_result_fields),
      cmocka_unit_test(test_job_and_event_fields),
      cmocka_unit_test(test_job_from_submit_equals_encoding),
      cmocka_unit_test(test_job_from_submit_refuses),
      cmocka_unit_test(test_watch_all_tests_scoring),
      cmocka_unit_test(test_names_roundtrip),
      cmocka_unit_test(test_encoder_refuses_invalid),
      cmocka_unit_test(test_defaults_are_empty_strings),
  };
  return cmocka_run_group_tests_name("proto_roundtrip", tests, NULL, NULL);
}
