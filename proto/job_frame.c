/* job_frame.c — JOB frames handled without a full decode: built from a
 * stored SUBMIT (broker), and identified when unreadable (worker).
 *
 * The broker keeps every queued submission as the SUBMIT frame it
 * encoded itself (or checked when it read it back from its journal), and
 * dispatching one used to decode that frame and encode a JOB around the
 * decoded fields: a sixth of the broker's work per job. The submission's
 * fields are copied here as bytes, in their order, behind the JOB's own
 * header, giving the same bytes jp_msg_encode would. */
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "internal.h"

/* the SUBMIT body fields a JOB carries (encode.c, enc_submit_fields) */
static const char *const job_fields[] = {"sid", "problem", "lang", "sources", "priority", "options"};
#define NJOB_FIELDS (sizeof job_fields / sizeof job_fields[0])

static int key_is(const struct jp_rd_item *k, const char *s) {
  return k->n == strlen(s) && memcmp(k->data, s, k->n) == 0;
}

static int pack_key_uint(msgpack_packer *pk, const char *key, uint64_t v) {
  int rc = msgpack_pack_str_with_body(pk, key, strlen(key));
  return rc ? rc : msgpack_pack_uint64(pk, v);
}

int jp_job_from_submit(const void *submit, size_t len, uint64_t lease, uint32_t attempt, void **out,
                       size_t *outlen, char *err, size_t errlen) {
  *out = NULL;
  *outlen = 0;
  struct jp_rd r = {.p = submit, .end = (const uint8_t *)submit + len};
  struct jp_rd_item it;
  if (!submit || jp_rd_next(&r, &it) < 0 || it.kind != JP_K_MAP || it.n > 16)
    return jp_err(err, errlen, "stored submission: not a SUBMIT frame (no top-level map)");
  const uint8_t *start[NJOB_FIELDS] = {0}, *stop[NJOB_FIELDS] = {0};
  size_t body = 0;
  int is_submit = 0;
  for (uint64_t i = 0; i < it.n; i++) {
    struct jp_rd_item k;
    const uint8_t *at = r.p;
    if (jp_rd_next(&r, &k) < 0 || k.kind != JP_K_STR)
      return jp_err(err, errlen, "stored submission: map key %llu is not a string", (unsigned long long)i);
    size_t f = 0;
    while (f < NJOB_FIELDS && !key_is(&k, job_fields[f])) f++;
    if (key_is(&k, "type")) {
      struct jp_rd_item v;
      if (jp_rd_next(&r, &v) < 0 || v.kind != JP_K_STR || !key_is(&v, "SUBMIT"))
        return jp_err(err, errlen, "stored submission: type is not SUBMIT");
      is_submit = 1;
      continue;
    }
    if (key_is(&k, "v")) {
      struct jp_rd_item v;
      if (jp_rd_next(&r, &v) < 0 || v.kind != JP_K_UINT || v.n != JP_PROTO_VERSION)
        return jp_err(err, errlen, "stored submission: protocol version is not %u", JP_PROTO_VERSION);
      continue;
    }
    if (jp_rd_skip(&r, JP_PROTO_MAX_DEPTH - 1) < 0)
      return jp_err(err, errlen, "stored submission: value of key %llu is cut short or too deep",
                    (unsigned long long)i);
    if (f == NJOB_FIELDS) continue; /* rid, watch: not part of a JOB */
    if (start[f]) return jp_err(err, errlen, "stored submission: field '%s' twice", job_fields[f]);
    start[f] = at;
    stop[f] = r.p;
    body += (size_t)(r.p - at);
  }
  if (r.p != r.end) return jp_err(err, errlen, "stored submission: bytes after the map");
  if (!is_submit) return jp_err(err, errlen, "stored submission: no type SUBMIT");
  for (size_t f = 0; f < NJOB_FIELDS; f++)
    if (!start[f]) return jp_err(err, errlen, "stored submission: field '%s' missing", job_fields[f]);

  /* the header as jp_msg_encode writes it: v, type, rid, then lease, attempt */
  msgpack_sbuffer sb;
  msgpack_sbuffer_init(&sb);
  sb.data = malloc(JP_PROTO_JOB_HEADER_MAX + body);
  sb.alloc = sb.data ? JP_PROTO_JOB_HEADER_MAX + body : 0;
  msgpack_packer pk;
  msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
  int rc = msgpack_pack_map(&pk, 5 + NJOB_FIELDS);
  if (rc == 0) rc = pack_key_uint(&pk, "v", JP_PROTO_VERSION);
  if (rc == 0) rc = msgpack_pack_str_with_body(&pk, "type", 4);
  if (rc == 0) rc = msgpack_pack_str_with_body(&pk, "JOB", 3);
  if (rc == 0) rc = pack_key_uint(&pk, "rid", 0);
  if (rc == 0) rc = pack_key_uint(&pk, "lease", lease);
  if (rc == 0) rc = pack_key_uint(&pk, "attempt", attempt);
  for (size_t f = 0; rc == 0 && f < NJOB_FIELDS; f++)
    rc = msgpack_sbuffer_write(&sb, (const char *)start[f], (size_t)(stop[f] - start[f]));
  if (rc != 0 || sb.size > JP_PROTO_MAX_FRAME) {
    msgpack_sbuffer_destroy(&sb);
    return jp_err(err, errlen, rc ? "building a JOB: out of memory" : "building a JOB: frame over JP_PROTO_MAX_FRAME");
  }
  *outlen = sb.size;
  *out = msgpack_sbuffer_release(&sb);
  return 0;
}

/* A worker that drops a JOB it cannot read leaves the broker holding a
 * lease the worker's heartbeats keep renewing (until the job timeout, half
 * an hour by default); with the sid and lease it can answer IE at once. */
int jp_job_ref(const void *buf, size_t len, char sid[JP_PROTO_MAX_SID + 1], uint64_t *lease) {
  struct jp_rd r = {.p = buf, .end = (const uint8_t *)buf + len};
  struct jp_rd_item it;
  if (!buf || jp_rd_next(&r, &it) < 0 || it.kind != JP_K_MAP) return -1;
  int is_job = 0, have_sid = 0, have_lease = 0;
  for (uint64_t i = 0; i < it.n && !(is_job && have_sid && have_lease); i++) {
    struct jp_rd_item k, v;
    if (jp_rd_next(&r, &k) < 0 || k.kind != JP_K_STR) return -1;
    if (key_is(&k, "type") || key_is(&k, "sid") || key_is(&k, "lease")) {
      if (jp_rd_next(&r, &v) < 0) return -1;
      if (key_is(&k, "type")) {
        is_job = v.kind == JP_K_STR && key_is(&v, "JOB");
        if (!is_job) return -1;
      } else if (key_is(&k, "sid")) {
        if (v.kind != JP_K_STR || v.n == 0 || v.n > JP_PROTO_MAX_SID || !jp_check_sid(v.data, v.n)) return -1;
        memcpy(sid, v.data, v.n);
        sid[v.n] = 0;
        have_sid = 1;
      } else {
        if (v.kind != JP_K_UINT) return -1;
        *lease = v.n;
        have_lease = 1;
      }
    } else if (jp_rd_skip(&r, JP_PROTO_MAX_DEPTH - 1) < 0) {
      return -1;
    }
  }
  return is_job && have_sid && have_lease ? 0 : -1;
}
