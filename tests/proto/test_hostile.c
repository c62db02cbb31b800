/* test_hostile.c — the decoder against frames built to hurt it: truncation at
 * every length, counts claiming 2^32-1 entries, deep nesting, lengths past
 * the buffer, a wrong type in every field, unknown types and versions,
 * trailing garbage, bad identifiers, random bytes and mutations. Each must
 * fail cleanly with the right error code and without allocating much (a
 * forked child under a small RLIMIT_AS proves it where ASan allows). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "internal.h"
#include "proto.h"
#include "samples.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* No hostile frame below may make a decode build an arena over this. */
#define ARENA_LIMIT (1u << 20)

/* ---- a tiny raw msgpack writer for frames the encoder would refuse ---- */

struct w {
  uint8_t b[4096];
  size_t n;
};
static void put(struct w *w, const void *p, size_t n) {
  assert_true(w->n + n <= sizeof w->b);
  memcpy(w->b + w->n, p, n);
  w->n += n;
}
static void byte(struct w *w, uint8_t c) { put(w, &c, 1); }
static void str(struct w *w, const char *s) {
  size_t n = strlen(s);
  assert_true(n < 32);
  byte(w, (uint8_t)(0xa0 | n));
  put(w, s, n);
}
static void envelope(struct w *w, unsigned extra, const char *type) {
  byte(w, (uint8_t)(0x80 | (3 + extra)));
  str(w, "v"); byte(w, JP_PROTO_VERSION);
  str(w, "type"); str(w, type);
  str(w, "rid"); byte(w, 0x2a);
}

static enum jp_errcode decode_code(const void *buf, size_t len) {
  struct jp_msg m;
  enum jp_errcode code = JP_E_NONE;
  char err[256];
  int rc = jp_msg_decode(buf, len, &m, &code, err, sizeof err);
  if (rc == 0) {
    jp_msg_free(&m);
    return JP_E_NONE;
  }
  assert_int_equal(m.type, JP_MSG_NONE);
  assert_null(m.arena_);
  assert_true(code != JP_E_NONE);
  assert_true(err[0] != '\0');
  return code;
}

static void expect_code(const void *buf, size_t len, enum jp_errcode want) {
  enum jp_errcode got = decode_code(buf, len);
  if (got != want)
    fail_msg("expected %s, got %s", jp_errcode_name(want), got ? jp_errcode_name(got) : "success");
}

/* ---- the hostile frames ---- */

static void test_truncated_at_every_length(void **state) {
  (void)state;
  for (size_t i = 0; i < sample_count(); i++) {
    void *buf;
    size_t len;
    sample_encode(i, &buf, &len);
    for (size_t cut = 0; cut < len; cut++) {
      /* a copy of exactly cut bytes, so ASan sees any read past it */
      uint8_t *p = malloc(cut ? cut : 1);
      memcpy(p, buf, cut);
      expect_code(p, cut, JP_E_BAD_REQUEST);
      free(p);
    }
    expect_code(buf, len, JP_E_NONE);
    free(buf);
  }
}

static const uint8_t map32_huge[] = {0xdf, 0xff, 0xff, 0xff, 0xff};
static const uint8_t array32_in_map[] = {0x81, 0xa1, 'x', 0xdd, 0xff, 0xff, 0xff, 0xff};
static const uint8_t str32_huge[] = {0x81, 0xa1, 'x', 0xdb, 0xff, 0xff, 0xff, 0xff, 'a'};
static const uint8_t bin32_huge[] = {0x81, 0xa1, 'x', 0xc6, 0x7f, 0xff, 0xff, 0xff, 0};

static void test_huge_counts_rejected_before_allocation(void **state) {
  (void)state;
  jp_arena_peak_reset();
  expect_code(map32_huge, sizeof map32_huge, JP_E_TOO_LARGE);
  expect_code(array32_in_map, sizeof array32_in_map, JP_E_TOO_LARGE);
  expect_code(str32_huge, sizeof str32_huge, JP_E_BAD_REQUEST);
  expect_code(bin32_huge, sizeof bin32_huge, JP_E_BAD_REQUEST);
  /* A count under the item cap but over the bytes present. */
  const uint8_t map16[] = {0xde, 0x10, 0x00, 0xa1, 'v', 0x01};
  expect_code(map16, sizeof map16, JP_E_BAD_REQUEST);
  assert_int_equal(jp_arena_peak_total(), 0); /* the validator stopped them all */
  assert_int_equal(jp_msg_validate(map32_huge, sizeof map32_huge, NULL, NULL, 0), -1);
}

static void test_deep_nesting(void **state) {
  (void)state;
  for (unsigned depth = JP_PROTO_MAX_DEPTH + 1; depth <= 48; depth += 13) {
    struct w w = {.n = 0};
    envelope(&w, 1, "STATUS");
    str(&w, "x");
    for (unsigned d = 1; d < depth; d++) byte(&w, 0x91); /* [ [ [ ... */
    byte(&w, 0xc0);
    /* root map is level 1: depth-1 arrays inside reach level depth */
    expect_code(w.b, w.n, JP_E_BAD_REQUEST);
  }
  /* A map nested 40 deep in place of a real field. */
  struct w w = {.n = 0};
  envelope(&w, 1, "SUBMIT");
  str(&w, "problem");
  for (int d = 0; d < 40; d++) { byte(&w, 0x81); str(&w, "k"); }
  byte(&w, 0x01);
  expect_code(w.b, w.n, JP_E_BAD_REQUEST);
  /* Unknown keys nested within the cap are skipped, not rejected. */
  struct w ok = {.n = 0};
  envelope(&ok, 1, "STATUS");
  str(&ok, "future");
  for (unsigned d = 1; d < JP_PROTO_MAX_DEPTH; d++) byte(&ok, 0x91); /* exactly the cap */
  byte(&ok, 0x07);
  expect_code(ok.b, ok.n, JP_E_NONE);
}

static void test_string_longer_than_buffer(void **state) {
  (void)state;
  struct w w = {.n = 0};
  envelope(&w, 1, "CANCEL");
  str(&w, "sid");
  byte(&w, 0xd9); byte(&w, 200); /* str8 of 200 bytes, 3 present */
  put(&w, "abc", 3);
  expect_code(w.b, w.n, JP_E_BAD_REQUEST);
  /* A sid longer than its cap, fully present. */
  struct w l = {.n = 0};
  envelope(&l, 1, "CANCEL");
  str(&l, "sid");
  byte(&l, 0xd9); byte(&l, JP_PROTO_MAX_SID + 1);
  for (unsigned i = 0; i <= JP_PROTO_MAX_SID; i++) byte(&l, 'a');
  expect_code(l.b, l.n, JP_E_TOO_LARGE);
}

/* Replaces the object at [start, end) of a valid frame with one byte. */
static void expect_replaced_rejected(const uint8_t *buf, size_t len, size_t start, size_t end,
                                     uint8_t with, size_t sample_no) {
  uint8_t *p = malloc(len);
  memcpy(p, buf, start);
  p[start] = with;
  memcpy(p + start + 1, buf + end, len - end);
  size_t plen = start + 1 + (len - end);
  enum jp_errcode got = decode_code(p, plen);
  if (got != JP_E_BAD_REQUEST)
    fail_msg("sample %zu (%s): value at byte %zu replaced by 0x%02x gave %s", sample_no,
             jp_msg_type_name(sample(sample_no)->type), start, with,
             got ? jp_errcode_name(got) : "success");
  free(p);
}

/* Every value in every sample, at every depth, replaced by a value of a
 * type no field accepts there: must be bad_request, never success. */
static void test_wrong_type_in_every_field(void **state) {
  (void)state;
  size_t checked = 0;
  for (size_t i = 0; i < sample_count(); i++) {
    void *vbuf;
    size_t len;
    sample_encode(i, &vbuf, &len);
    const uint8_t *buf = vbuf;
    struct jp_rd r = {buf, buf + len};
    struct jp_rd_item it;
    /* Walk every object; for each, find its extent with jp_rd_skip. */
    const uint8_t *p = buf;
    while (p < buf + len) {
      struct jp_rd one = {p, buf + len};
      struct jp_rd whole = one;
      assert_int_equal(jp_rd_skip(&whole, JP_PROTO_MAX_DEPTH), 0);
      assert_int_equal(jp_rd_next(&one, &it), 0);
      size_t start = (size_t)(p - buf), end = (size_t)(whole.p - buf);
      if (start > 0) { /* the root map itself is tested elsewhere */
        /* bool is accepted only by bool fields; a fixmap only by maps */
        uint8_t with = it.kind == JP_K_BOOL ? 0x80 : 0xc3;
        expect_replaced_rejected(buf, len, start, end, with, i);
        checked++;
      }
      p = one.p; /* step into containers, over scalars */
    }
    (void)r;
    free(vbuf);
  }
  assert_true(checked > 300);
}

static void test_unknown_type_and_version(void **state) {
  (void)state;
  struct w w = {.n = 0};
  envelope(&w, 0, "LAUNCH_MISSILES");
  expect_code(w.b, w.n, JP_E_UNKNOWN_TYPE);

  struct w v = {.n = 0};
  byte(&v, 0x83);
  str(&v, "rid"); byte(&v, 0xcd); byte(&v, 0x12); byte(&v, 0x34);
  str(&v, "type"); str(&v, "SUBMIT");
  str(&v, "v"); byte(&v, 2);
  struct jp_msg m;
  enum jp_errcode code;
  char err[256];
  assert_int_equal(jp_msg_decode(v.b, v.n, &m, &code, err, sizeof err), -1);
  assert_int_equal(code, JP_E_UNSUPPORTED_VERSION);
  assert_true(m.rid == 0x1234); /* kept, so the ERROR reply can echo it */
  assert_non_null(strstr(err, "version 2"));

  struct w nov = {.n = 0};
  byte(&nov, 0x81); str(&nov, "type"); str(&nov, "STATUS");
  expect_code(nov.b, nov.n, JP_E_BAD_REQUEST);
  struct w not = {.n = 0};
  byte(&not, 0x81); str(&not, "v"); byte(&not, 1);
  expect_code(not.b, not.n, JP_E_BAD_REQUEST);
  const uint8_t array_root[] = {0x93, 0x01, 0xa1, 'x', 0x00};
  expect_code(array_root, sizeof array_root, JP_E_BAD_REQUEST);
}

static void test_trailing_garbage(void **state) {
  (void)state;
  void *buf;
  size_t len;
  sample_encode(0, &buf, &len);
  uint8_t *p = malloc(len + 1);
  memcpy(p, buf, len);
  p[len] = 0xc0;
  expect_code(p, len + 1, JP_E_BAD_REQUEST);
  free(p);
  free(buf);
}

static void test_bad_identifiers_and_values(void **state) {
  (void)state;
  const char *bad_paths[] = {"../x", "a/../b", "/etc/passwd", "a//b", "a/./b", ".", "a\\b", "a/"};
  for (size_t i = 0; i < sizeof bad_paths / sizeof bad_paths[0]; i++) {
    struct w w = {.n = 0};
    envelope(&w, 3, "SUBMIT");
    str(&w, "problem");
    byte(&w, 0x82); str(&w, "hash");
    byte(&w, 0xd9); byte(&w, 64);
    for (int k = 0; k < 64; k++) byte(&w, 'a');
    str(&w, "files"); byte(&w, 0x90);
    str(&w, "lang"); str(&w, "c");
    str(&w, "sources");
    byte(&w, 0x91); byte(&w, 0x82);
    str(&w, "name"); str(&w, bad_paths[i]);
    str(&w, "content"); byte(&w, 0xc4); byte(&w, 0);
    expect_code(w.b, w.n, JP_E_BAD_REQUEST);
  }
  /* uppercase hash, NUL inside a string, duplicate key, missing field,
   * unknown enum value, NaN score, negative lease, ext type, 0xc1 */
  struct w h = {.n = 0};
  envelope(&h, 1, "BLOB_GET");
  str(&h, "sha256"); byte(&h, 0xd9); byte(&h, 64);
  for (int k = 0; k < 64; k++) byte(&h, 'A');
  expect_code(h.b, h.n, JP_E_BAD_REQUEST);

  struct w z = {.n = 0};
  envelope(&z, 1, "CANCEL");
  str(&z, "sid"); byte(&z, 0xa3); put(&z, "a\0b", 3);
  expect_code(z.b, z.n, JP_E_BAD_REQUEST);

  struct w d = {.n = 0};
  envelope(&d, 2, "CANCEL");
  str(&d, "sid"); str(&d, "a");
  str(&d, "sid"); str(&d, "b");
  expect_code(d.b, d.n, JP_E_BAD_REQUEST);

  struct w dv = {.n = 0};
  envelope(&dv, 1, "STATUS");
  str(&dv, "v"); byte(&dv, 1);
  expect_code(dv.b, dv.n, JP_E_BAD_REQUEST);

  struct w miss = {.n = 0};
  envelope(&miss, 0, "CANCEL");
  expect_code(miss.b, miss.n, JP_E_BAD_REQUEST);

  /* DRAIN: worker required, not empty, no NUL, undo a bool, name capped */
  struct w dm = {.n = 0};
  envelope(&dm, 1, "DRAIN");
  str(&dm, "undo"); byte(&dm, 0xc3);
  expect_code(dm.b, dm.n, JP_E_BAD_REQUEST);
  struct w de = {.n = 0};
  envelope(&de, 1, "DRAIN");
  str(&de, "worker"); str(&de, "");
  expect_code(de.b, de.n, JP_E_BAD_REQUEST);
  struct w dz = {.n = 0};
  envelope(&dz, 1, "DRAIN");
  str(&dz, "worker"); byte(&dz, 0xa3); put(&dz, "w\0x", 3);
  expect_code(dz.b, dz.n, JP_E_BAD_REQUEST);
  struct w du = {.n = 0};
  envelope(&du, 2, "DRAIN");
  str(&du, "worker"); str(&du, "w1");
  str(&du, "undo"); str(&du, "yes");
  expect_code(du.b, du.n, JP_E_BAD_REQUEST);
  struct w dl = {.n = 0};
  envelope(&dl, 1, "DRAIN");
  str(&dl, "worker"); byte(&dl, 0xda); byte(&dl, (JP_PROTO_MAX_NAME + 1) >> 8); byte(&dl, (JP_PROTO_MAX_NAME + 1) & 0xff);
  for (unsigned i = 0; i <= JP_PROTO_MAX_NAME; i++) byte(&dl, 'a');
  expect_code(dl.b, dl.n, JP_E_TOO_LARGE);
  struct w dok = {.n = 0};
  envelope(&dok, 1, "DRAIN");
  str(&dok, "worker"); str(&dok, "w1");
  expect_code(dok.b, dok.n, JP_E_NONE);

  /* WATCH: sid required, non-empty, in the sid alphabet; SUBMIT's watch and
   * options.all_tests are booleans, and all_tests excludes stop_at_first_failure */
  struct w wm = {.n = 0};
  envelope(&wm, 0, "WATCH");
  expect_code(wm.b, wm.n, JP_E_BAD_REQUEST);
  struct w we = {.n = 0};
  envelope(&we, 1, "WATCH");
  str(&we, "sid"); str(&we, "");
  expect_code(we.b, we.n, JP_E_BAD_REQUEST);
  struct w ws = {.n = 0};
  envelope(&ws, 1, "WATCH");
  str(&ws, "sid"); str(&ws, "a b");
  expect_code(ws.b, ws.n, JP_E_BAD_REQUEST);
  struct w wok = {.n = 0};
  envelope(&wok, 1, "WATCH");
  str(&wok, "sid"); str(&wok, "a-1");
  expect_code(wok.b, wok.n, JP_E_NONE);

  struct w en = {.n = 0};
  envelope(&en, 2, "ERROR");
  str(&en, "code"); str(&en, "on_fire");
  str(&en, "message"); str(&en, "x");
  expect_code(en.b, en.n, JP_E_BAD_REQUEST);

  struct w nan = {.n = 0};
  envelope(&nan, 3, "EVENT");
  str(&nan, "sid"); str(&nan, "s");
  str(&nan, "kind"); str(&nan, "done");
  str(&nan, "score");
  const uint8_t qnan[] = {0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0};
  put(&nan, qnan, sizeof qnan);
  expect_code(nan.b, nan.n, JP_E_BAD_REQUEST);

  struct w neg = {.n = 0};
  envelope(&neg, 2, "RESULT_ACK");
  str(&neg, "sid"); str(&neg, "s");
  str(&neg, "lease"); byte(&neg, 0xff); /* -1 */
  expect_code(neg.b, neg.n, JP_E_BAD_REQUEST);

  struct w big = {.n = 0}; /* slots over uint32 */
  envelope(&big, 3, "REGISTER");
  str(&big, "name"); str(&big, "w");
  str(&big, "slots"); byte(&big, 0xcf);
  put(&big, "\x00\x00\x00\x01\x00\x00\x00\x00", 8);
  str(&big, "langs"); byte(&big, 0x90);
  expect_code(big.b, big.n, JP_E_BAD_REQUEST);

  struct w ext = {.n = 0};
  envelope(&ext, 1, "STATUS");
  str(&ext, "x"); byte(&ext, 0xd4); byte(&ext, 1); byte(&ext, 2);
  expect_code(ext.b, ext.n, JP_E_BAD_REQUEST);

  struct w c1 = {.n = 0};
  envelope(&c1, 1, "STATUS");
  str(&c1, "x"); byte(&c1, 0xc1);
  expect_code(c1.b, c1.n, JP_E_BAD_REQUEST);

  struct w key = {.n = 0}; /* non-string key */
  envelope(&key, 1, "STATUS");
  byte(&key, 0x05); byte(&key, 0x05);
  expect_code(key.b, key.n, JP_E_BAD_REQUEST);

  expect_code("", 0, JP_E_BAD_REQUEST);
  expect_code(NULL, 0, JP_E_BAD_REQUEST);
  /* the length alone decides: nothing is read from a too-large frame */
  expect_code(map32_huge, (size_t)JP_PROTO_MAX_FRAME + 1, JP_E_TOO_LARGE);
}

/* Over-cap counts that do fit in the frame: TESTS and SOURCES. */
static void test_field_caps(void **state) {
  (void)state;
  size_t n = JP_PROTO_MAX_SOURCES + 1;
  struct w w = {.n = 0};
  envelope(&w, 1, "SUBMIT");
  str(&w, "sources");
  byte(&w, 0xdc); byte(&w, (uint8_t)(n >> 8)); byte(&w, (uint8_t)n);
  for (size_t i = 0; i < n; i++) byte(&w, 0x80);
  expect_code(w.b, w.n, JP_E_TOO_LARGE);

  static uint8_t big[16 + 2 * JP_PROTO_MAX_TESTS];
  size_t k = 0;
  const uint8_t head[] = {0x84, 0xa1, 'v', 0x01, 0xa4, 't', 'y', 'p', 'e'};
  memcpy(big, head, sizeof head);
  k = sizeof head;
  const char *t = "JOB_RESULT";
  big[k++] = (uint8_t)(0xa0 | strlen(t));
  memcpy(big + k, t, strlen(t));
  k += strlen(t);
  const uint8_t res[] = {0xa6, 'r', 'e', 's', 'u', 'l', 't', 0x81, 0xa5, 't', 'e', 's', 't', 's'};
  memcpy(big + k, res, sizeof res);
  k += sizeof res;
  size_t nt = JP_PROTO_MAX_TESTS + 1;
  big[k++] = 0xdc; big[k++] = (uint8_t)(nt >> 8); big[k++] = (uint8_t)nt;
  for (size_t i = 0; i < nt; i++) big[k++] = 0x80;
  big[k++] = 0xa3; big[k++] = 's'; big[k++] = 'i'; big[k++] = 'd';
  big[k++] = 0xa1; big[k++] = 's';
  assert_true(k <= sizeof big);
  expect_code(big, k, JP_E_TOO_LARGE);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void) { /* xorshift64*: seeded, reproducible */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ull;
}

static void test_random_bytes_and_mutations(void **state) {
  (void)state;
  jp_arena_peak_reset();
  size_t ok = 0, rejected = 0;
  for (int iter = 0; iter < 4000; iter++) {
    size_t len = rng() % 300;
    uint8_t *p = malloc(len ? len : 1);
    for (size_t i = 0; i < len; i++) p[i] = (uint8_t)rng();
    if (len && iter % 2) p[0] = (uint8_t)(0x80 | (rng() & 15)); /* get past "not a map" */
    if (decode_code(p, len) == JP_E_NONE) ok++; else rejected++;
    free(p);
  }
  for (int iter = 0; iter < 4000; iter++) {
    void *buf;
    size_t len;
    sample_encode((size_t)iter % sample_count(), &buf, &len);
    uint8_t *p = buf;
    int flips = 1 + (int)(rng() % 4);
    for (int f = 0; f < flips; f++) {
      size_t at = rng() % len;
      if (rng() & 1) p[at] ^= (uint8_t)(1u << (rng() % 8));
      else p[at] = (uint8_t)rng();
    }
    if (decode_code(p, len) == JP_E_NONE) ok++; else rejected++;
    free(buf);
  }
  assert_int_equal(ok + rejected, 8000);
  assert_true(rejected > 4000);
  assert_true(jp_arena_peak_total() < ARENA_LIMIT);
}

/* A manifest naming a path and a path under it ("a" and "a/b", in any
 * order, with paths sorting between them such as "a.txt") is refused like
 * a duplicate path: no directory holds both. Siblings sharing a name
 * prefix ("a" and "ab/c") are fine. */
static void test_problem_hash_path_conflicts(void **state) {
  (void)state;
  const char *h = "0000000000000000000000000000000000000000000000000000000000000000";
  const char *const bad[][3] = {{"a/b", "a", "x"}, {"a", "a.txt", "a/b"}, {"d/e/f", "b", "d/e"}, {"a", "b", "a"}};
  const char *const good[3] = {"a", "ab/c", "a.txt"};
  char out[JP_PROTO_HASH_LEN + 1], err[256];
  for (size_t t = 0; t < sizeof bad / sizeof bad[0]; t++) {
    struct jp_file_ref f[3];
    for (int i = 0; i < 3; i++) f[i] = (struct jp_file_ref){.path = bad[t][i], .sha256 = h, .size = 1};
    struct jp_problem p = {.hash = h, .files = f, .nfiles = 3};
    err[0] = 0;
    assert_int_equal(jp_problem_hash(&p, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "problem hash"));
  }
  struct jp_file_ref f[3];
  for (int i = 0; i < 3; i++) f[i] = (struct jp_file_ref){.path = good[i], .sha256 = h, .size = 1};
  struct jp_problem p = {.hash = h, .files = f, .nfiles = 3};
  assert_int_equal(jp_problem_hash(&p, out, err, sizeof err), 0);
  assert_int_equal(strlen(out), JP_PROTO_HASH_LEN);
}

/* In a child with 256 MiB of address space, the worst frames decode to a
 * clean error; msgpack-c's own unpacker could not even reserve for them. */
static void test_small_address_space(void **state) {
  (void)state;
  if (UNDER_ASAN) {
    skip(); /* ASan reserves terabytes of shadow: RLIMIT_AS cannot apply */
    return;
  }
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    struct rlimit rl = {256u << 20, 256u << 20};
    if (setrlimit(RLIMIT_AS, &rl) < 0) _exit(3);
    const struct { const uint8_t *p; size_t n; } frames[] = {
        {map32_huge, sizeof map32_huge},
        {array32_in_map, sizeof array32_in_map},
        {str32_huge, sizeof str32_huge},
        {bin32_huge, sizeof bin32_huge},
    };
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
      struct jp_msg m;
      enum jp_errcode code;
      if (jp_msg_decode(frames[i].p, frames[i].n, &m, &code, NULL, 0) != -1) _exit(1);
      if (code == JP_E_NONE || code == JP_E_INTERNAL) _exit(2);
    }
    _exit(0);
  }
  int st;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_truncated_at_every_length),
      cmocka_unit_test(test_huge_counts_rejected_before_allocation),
      cmocka_unit_test(test_deep_nesting),
      cmocka_unit_test(test_string_longer_than_buffer),
      cmocka_unit_test(test_wrong_type_in_every_field),
      cmocka_unit_test(test_unknown_type_and_version),
      cmocka_unit_test(test_trailing_garbage),
      cmocka_unit_test(test_bad_identifiers_and_values),
      cmocka_unit_test(test_field_caps),
      cmocka_unit_test(test_random_bytes_and_mutations),
      cmocka_unit_test(test_small_address_space),
      cmocka_unit_test(test_problem_hash_path_conflicts),
  };
  return cmocka_run_group_tests_name("proto_hostile", tests, NULL, NULL);
}
