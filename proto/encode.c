/* encode.c — struct jp_msg -> one msgpack frame, with msgpack-c's packer.
 * Applies the same caps and formats as the decoder (check.c), so a peer
 * never receives from us a frame it would answer with bad_request. NULL
 * strings are written as "". */
#include <math.h>
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "internal.h"

#define ENC_START 512  /* first buffer size: most messages fit */
#define ENC_SLACK 256  /* unused tail worth giving back */

struct enc {
  msgpack_sbuffer sb;
  msgpack_packer pk;
  const char *type;
  int failed; /* first failure wins; later writes become no-ops */
  char *err;
  size_t errlen;
};

static void fail(struct enc *e, const char *field, const char *what) {
  if (e->failed) return;
  e->failed = 1;
  jp_err(e->err, e->errlen, "cannot encode %s: field '%s' %s", e->type, field, what);
}

/* msgpack-c returns non-zero only when the buffer could not grow. */
static void chk(struct enc *e, int rc) {
  if (rc != 0) fail(e, "(buffer)", "could not be grown: out of memory");
}

static void e_map(struct enc *e, size_t n) {
  if (!e->failed) chk(e, msgpack_pack_map(&e->pk, n));
}
static void e_array(struct enc *e, size_t n) {
  if (!e->failed) chk(e, msgpack_pack_array(&e->pk, n));
}
static void e_raw_str(struct enc *e, const char *s, size_t n) {
  if (e->failed) return;
  chk(e, msgpack_pack_str(&e->pk, n));
  if (!e->failed && n) chk(e, msgpack_pack_str_body(&e->pk, s, n));
}
static void e_key(struct enc *e, const char *k) { e_raw_str(e, k, strlen(k)); }
static void e_u(struct enc *e, uint64_t v) {
  if (!e->failed) chk(e, msgpack_pack_uint64(&e->pk, v));
}
static void e_i(struct enc *e, int64_t v) {
  if (!e->failed) chk(e, msgpack_pack_int64(&e->pk, v));
}
static void e_b(struct enc *e, bool v) {
  if (!e->failed) chk(e, v ? msgpack_pack_true(&e->pk) : msgpack_pack_false(&e->pk));
}
static void e_d(struct enc *e, const char *field, double v) {
  if (!isfinite(v)) { fail(e, field, "must be finite"); return; }
  if (!e->failed) chk(e, msgpack_pack_double(&e->pk, v));
}
static void e_bin(struct enc *e, const char *field, struct jp_bytes b) {
  if (e->failed) return;
  if (b.len && !b.data) { fail(e, field, "has a length but no data"); return; }
  if (b.len > JP_PROTO_MAX_FRAME) { fail(e, field, "is larger than a frame"); return; }
  chk(e, msgpack_pack_bin(&e->pk, b.len));
  if (!e->failed && b.len) chk(e, msgpack_pack_bin_body(&e->pk, b.data, b.len));
}

enum strkind { S_TEXT, S_SID, S_HASH, S_PATH };

static void e_str(struct enc *e, const char *field, enum strkind kind, size_t cap,
                  const char *s) {
  if (!s) s = "";
  size_t n = strnlen(s, cap + 1);
  if (n > cap) { fail(e, field, "is longer than its cap"); return; }
  const uint8_t *u = (const uint8_t *)s;
  if (kind == S_SID && !jp_check_sid(u, n))
    { fail(e, field, "may hold only A-Z a-z 0-9 - _ . :"); return; }
  if (kind == S_HASH && !jp_check_hash(u, n))
    { fail(e, field, "must be 64 lowercase hex characters (sha256)"); return; }
  if (kind == S_PATH && !jp_check_path(u, n))
    { fail(e, field, "must be a relative path without '.', '..' or '\\'"); return; }
  e_raw_str(e, s, n);
}

static void e_enum(struct enc *e, const char *field, const char *name) {
  if (!name) { fail(e, field, "has an out-of-range value"); return; }
  e_key(e, field);
  e_raw_str(e, name, strlen(name));
}

/* ---- nested structs ---- */

static void enc_test(struct enc *e, const struct jp_test_result *t) {
  e_map(e, 11);
  e_key(e, "name"); e_str(e, "name", S_TEXT, JP_PROTO_MAX_NAME, t->name);
  e_key(e, "group"); e_str(e, "group", S_TEXT, JP_PROTO_MAX_NAME, t->group);
  e_enum(e, "verdict", jp_verdict_name(t->verdict));
  e_key(e, "cpu_ms"); e_u(e, t->cpu_ms);
  e_key(e, "wall_ms"); e_u(e, t->wall_ms);
  e_key(e, "memory_kib"); e_u(e, t->memory_kib);
  e_key(e, "exit_code"); e_i(e, t->exit_code);
  e_key(e, "signal"); e_i(e, t->signal);
  e_key(e, "syscall"); e_str(e, "syscall", S_TEXT, JP_PROTO_MAX_NAME, t->syscall);
  e_key(e, "message"); e_str(e, "message", S_TEXT, JP_PROTO_MAX_TEXT, t->message);
  e_key(e, "score"); e_d(e, "score", t->score);
}

static void enc_result(struct enc *e, const struct jp_result *r) {
  if (r->ntests > JP_PROTO_MAX_TESTS) { fail(e, "tests", "has more entries than its cap"); return; }
  if (r->ntests && !r->tests) { fail(e, "tests", "has a count but no array"); return; }
  e_map(e, 7);
  e_enum(e, "verdict", jp_verdict_name(r->verdict));
  e_key(e, "score"); e_d(e, "score", r->score);
  e_key(e, "compile");
  e_map(e, 3);
  e_key(e, "ok"); e_b(e, r->compile.ok);
  e_key(e, "message"); e_str(e, "compile.message", S_TEXT, JP_PROTO_MAX_TEXT, r->compile.message);
  e_key(e, "cpu_ms"); e_u(e, r->compile.cpu_ms);
  e_key(e, "tests");
  e_array(e, r->ntests);
  for (size_t i = 0; i < r->ntests; i++) enc_test(e, &r->tests[i]);
  e_key(e, "max_cpu_ms"); e_u(e, r->max_cpu_ms);
  e_key(e, "max_memory_kib"); e_u(e, r->max_memory_kib);
  e_key(e, "scoring"); e_b(e, r->scoring);
}

static void enc_problem(struct enc *e, const struct jp_problem *p) {
  if (p->nfiles > JP_PROTO_MAX_FILES) { fail(e, "files", "has more entries than its cap"); return; }
  if (p->nfiles && !p->files) { fail(e, "files", "has a count but no array"); return; }
  e_map(e, 2);
  e_key(e, "hash"); e_str(e, "problem.hash", S_HASH, JP_PROTO_HASH_LEN, p->hash);
  e_key(e, "files");
  e_array(e, p->nfiles);
  for (size_t i = 0; i < p->nfiles; i++) {
    e_map(e, 3);
    e_key(e, "path"); e_str(e, "files[].path", S_PATH, JP_PROTO_MAX_PATH, p->files[i].path);
    e_key(e, "sha256"); e_str(e, "files[].sha256", S_HASH, JP_PROTO_HASH_LEN, p->files[i].sha256);
    e_key(e, "size"); e_u(e, p->files[i].size);
  }
}

static void enc_submit_fields(struct enc *e, const struct jp_submit *s) {
  if (s->nsources > JP_PROTO_MAX_SOURCES) { fail(e, "sources", "has more entries than its cap"); return; }
  if (s->nsources && !s->sources) { fail(e, "sources", "has a count but no array"); return; }
  e_key(e, "sid"); e_str(e, "sid", S_SID, JP_PROTO_MAX_SID, s->sid);
  e_key(e, "problem"); enc_problem(e, &s->problem);
  e_key(e, "lang"); e_str(e, "lang", S_TEXT, JP_PROTO_MAX_NAME, s->lang);
  e_key(e, "sources");
  e_array(e, s->nsources);
  for (size_t i = 0; i < s->nsources; i++) {
    e_map(e, 2);
    e_key(e, "name"); e_str(e, "sources[].name", S_PATH, JP_PROTO_MAX_PATH, s->sources[i].name);
    e_key(e, "content"); e_bin(e, "sources[].content", s->sources[i].content);
  }
  e_enum(e, "priority", jp_priority_name(s->priority));
  e_key(e, "options");
  /* all_tests only when set: a submission without it encodes exactly as
   * before the option existed, so the broker's duplicate check (it compares
   * stored encodings) still matches journals written by older versions */
  e_map(e, s->options.all_tests ? 2 : 1);
  e_key(e, "stop_at_first_failure"); e_b(e, s->options.stop_at_first_failure);
  if (s->options.all_tests) { e_key(e, "all_tests"); e_b(e, true); }
}
#define SUBMIT_FIELDS 6

static void enc_strings(struct enc *e, const char *field, enum strkind kind, size_t strcap,
                        size_t cap, const char *const *v, size_t n) {
  if (n > cap) { fail(e, field, "has more entries than its cap"); return; }
  if (n && !v) { fail(e, field, "has a count but no array"); return; }
  e_key(e, field);
  e_array(e, n);
  for (size_t i = 0; i < n; i++) e_str(e, field, kind, strcap, v[i]);
}

/* Number of body fields each type writes (the map header comes first). */
static size_t body_fields(const struct jp_msg *m) {
  switch (m->type) {
  case JP_MSG_SUBMIT: return SUBMIT_FIELDS + (m->u.submit.watch ? 1 : 0);
  case JP_MSG_JOB: return SUBMIT_FIELDS + 2;
  case JP_MSG_BLOB_HAVE: case JP_MSG_BLOBS_MISSING: return 1;
  case JP_MSG_BLOB_PUT: return 2;
  case JP_MSG_RESULT_GET: case JP_MSG_CANCEL: case JP_MSG_STATUS: case JP_MSG_WATCH: return 1;
  case JP_MSG_DRAIN: return 2;
  case JP_MSG_ACK: return 3;
  case JP_MSG_ERROR: return 2;
  case JP_MSG_RESULT: return m->u.result.has_result ? 4 : 3;
  case JP_MSG_STATUS_REPLY: return !m->u.status_reply.sid || !*m->u.status_reply.sid ? 15 : 7;
  case JP_MSG_REGISTER: return 3;
  case JP_MSG_HEARTBEAT: return m->u.heartbeat.has_leases ? 3 : 2;
  case JP_MSG_PROGRESS: return 5;
  case JP_MSG_JOB_RESULT: return 3;
  case JP_MSG_BLOB_GET: return 1;
  case JP_MSG_RESULT_ACK: case JP_MSG_CANCEL_JOB: return 2;
  case JP_MSG_BLOB: return 3;
  case JP_MSG_EVENT: return m->u.event.has_test ? 8 : 6;
  default: return 0;
  }
}

static void enc_body(struct enc *e, const struct jp_msg *m) {
  switch (m->type) {
  case JP_MSG_SUBMIT:
    enc_submit_fields(e, &m->u.submit);
    /* only when asked: the broker stores SUBMITs without it (watching is
     * not part of a submission's content) */
    if (m->u.submit.watch) { e_key(e, "watch"); e_b(e, true); }
    break;
  case JP_MSG_JOB:
    e_key(e, "lease"); e_u(e, m->u.job.lease);
    e_key(e, "attempt"); e_u(e, m->u.job.attempt);
    enc_submit_fields(e, &m->u.job.sub);
    break;
  case JP_MSG_BLOB_HAVE:
  case JP_MSG_BLOBS_MISSING:
    enc_strings(e, "hashes", S_HASH, JP_PROTO_HASH_LEN, JP_PROTO_MAX_HASHES,
                m->u.blob_have.hashes, m->u.blob_have.n);
    break;
  case JP_MSG_BLOB_PUT:
    e_key(e, "sha256"); e_str(e, "sha256", S_HASH, JP_PROTO_HASH_LEN, m->u.blob_put.sha256);
    e_key(e, "data"); e_bin(e, "data", m->u.blob_put.data);
    break;
  case JP_MSG_RESULT_GET:
  case JP_MSG_CANCEL:
  case JP_MSG_STATUS:
  case JP_MSG_WATCH:
    e_key(e, "sid"); e_str(e, "sid", S_SID, JP_PROTO_MAX_SID, m->u.status.sid);
    break;
  case JP_MSG_DRAIN:
    e_key(e, "worker"); e_str(e, "worker", S_TEXT, JP_PROTO_MAX_NAME, m->u.drain.worker);
    e_key(e, "undo"); e_b(e, m->u.drain.undo);
    break;
  case JP_MSG_ACK:
    e_key(e, "sid"); e_str(e, "sid", S_SID, JP_PROTO_MAX_SID, m->u.ack.sid);
    e_key(e, "duplicate"); e_b(e, m->u.ack.duplicate);
    e_key(e, "watching"); e_b(e, m->u.ack.watching);
    break;
  case JP_MSG_ERROR:
    e_enum(e, "code", jp_errcode_name(m->u.error.code));
    e_key(e, "message"); e_str(e, "message", S_TEXT, JP_PROTO_MAX_TEXT, m->u.error.message);
    break;
  case JP_MSG_RESULT:
    e_key(e, "sid"); e_str(e, "sid", S_SID, JP_PROTO_MAX_SID, m->u.result.sid);
    e_enum(e, "state", jp_state_name(m->u.result.state));
    e_key(e, "final"); e_b(e, m->u.result.final);
    if (m->u.result.has_result) {
      e_key(e, "result");
      enc_result(e, &m->u.result.result);
    }
    break;
  case JP_MSG_STATUS_REPLY: {
    const struct jp_status_reply *s = &m->u.status_reply;
    e_key(e, "sid"); e_str(e, "sid", S_SID, JP_PROTO_MAX_SID, s->sid);
    e_enum(e, "state", jp_state_name(s->state));
    e_key(e, "attempt"); e_u(e, s->attempt);
    e_key(e, "queued"); e_u(e, s->queued);
    e_key(e, "running"); e_u(e, s->running);
    e_key(e, "workers"); e_u(e, s->workers);
    e_key(e, "free_slots"); e_u(e, s->free_slots);
    if (!s->sid || !*s->sid) { /* pool status: the queue by priority and throughput */
      e_key(e, "queued_contest"); e_u(e, s->queued_contest);
      e_key(e, "queued_normal"); e_u(e, s->queued_normal);
      e_key(e, "queued_rejudge"); e_u(e, s->queued_rejudge);
      e_key(e, "queued_bulk"); e_u(e, s->queued_bulk);
      e_key(e, "slots"); e_u(e, s->slots);
      e_key(e, "completed"); e_u(e, s->completed);
      e_key(e, "rate"); e_d(e, "rate", s->rate);
      e_key(e, "draining"); e_u(e, s->draining);
    }
    break;
  }
  case JP_MSG_REGISTER:
    e_key(e, "name"); e_str(e, "name", S_TEXT, JP_PROTO_MAX_NAME, m->u.reg.name);
    e_key(e, "slots"); e_u(e, m->u.reg.slots);
    enc_strings(e, "langs", S_TEXT, JP_PROTO_MAX_NAME, JP_PROTO_MAX_LANGS, m->u.reg.langs,
                m->u.reg.nlangs);
    break;
  case JP_MSG_HEARTBEAT:
    e_key(e, "free_slots"); e_u(e, m->u.heartbeat.free_slots);
    e_key(e, "epoch"); e_u(e, m->u.heartbeat.epoch);
    if (m->u.heartbeat.has_leases) {
      const struct jp_heartbeat *h = &m->u.heartbeat;
      if (h->nleases > JP_PROTO_MAX_LEASES) { fail(e, "leases", "has more entries than its cap"); break; }
      if (h->nleases && !h->leases) { fail(e, "leases", "has a count but no array"); break; }
      e_key(e, "leases");
      e_array(e, h->nleases);
      for (size_t i = 0; i < h->nleases; i++) e_u(e, h->leases[i]);
    }
    break;
  case JP_MSG_PROGRESS:
    e_key(e, "sid"); e_str(e, "sid", S_SID, JP_PROTO_MAX_SID, m->u.progress.sid);
    e_key(e, "lease"); e_u(e, m->u.progress.lease);
    e_key(e, "index"); e_u(e, m->u.progress.index);
    e_key(e, "test"); enc_test(e, &m->u.progress.test);
    e_key(e, "total"); e_u(e, m->u.progress.total);
    break;
  case JP_MSG_JOB_RESULT:
    e_key(e, "sid"); e_str(e, "sid", S_SID, JP_PROTO_MAX_SID, m->u.job_result.sid);
    e_key(e, "lease"); e_u(e, m->u.job_result.lease);
    e_key(e, "result"); enc_result(e, &m->u.job_result.result);
    break;
  case JP_MSG_BLOB_GET:
    e_key(e, "sha256"); e_str(e, "sha256", S_HASH, JP_PROTO_HASH_LEN, m->u.blob_get.sha256);
    break;
  case JP_MSG_RESULT_ACK:
  case JP_MSG_CANCEL_JOB:
    e_key(e, "sid"); e_str(e, "sid", S_SID, JP_PROTO_MAX_SID, m->u.result_ack.sid);
    e_key(e, "lease"); e_u(e, m->u.result_ack.lease);
    break;
  case JP_MSG_BLOB:
    e_key(e, "sha256"); e_str(e, "sha256", S_HASH, JP_PROTO_HASH_LEN, m->u.blob.sha256);
    e_key(e, "found"); e_b(e, m->u.blob.found);
    e_key(e, "data"); e_bin(e, "data", m->u.blob.data);
    break;
  case JP_MSG_EVENT: {
    const struct jp_event *ev = &m->u.event;
    e_key(e, "sid"); e_str(e, "sid", S_SID, JP_PROTO_MAX_SID, ev->sid);
    e_enum(e, "kind", jp_event_kind_name(ev->kind));
    e_key(e, "attempt"); e_u(e, ev->attempt);
    e_key(e, "index"); e_u(e, ev->index);
    e_enum(e, "verdict", jp_verdict_name(ev->verdict));
    e_key(e, "score"); e_d(e, "score", ev->score);
    if (ev->has_test) {
      e_key(e, "test");
      enc_test(e, &ev->test);
      e_key(e, "total"); e_u(e, ev->total);
    }
    break;
  }
  default: fail(e, "type", "is not a message type"); break;
  }
}

int jp_msg_encode(const struct jp_msg *m, void **out, size_t *outlen, char *err,
                  size_t errlen) {
  *out = NULL;
  *outlen = 0;
  const char *tname = jp_msg_type_name(m->type);
  if (!tname) return jp_err(err, errlen, "cannot encode: message type %d is not valid", (int)m->type);
  enum jp_errcode code;
  if (jp_msg_check(m, &code, err, errlen) < 0) return -1;
  struct enc e = {.type = tname, .err = err, .errlen = errlen};
  msgpack_sbuffer_init(&e.sb);
  /* msgpack-c starts every buffer at 8 KiB; most messages are a few hundred
   * bytes and the broker keeps a queued job's encoding for its lifetime, so
   * start small (sbuffer grows by doubling from whatever it has) */
  e.sb.data = malloc(ENC_START);
  e.sb.alloc = e.sb.data ? ENC_START : 0;
  msgpack_packer_init(&e.pk, &e.sb, msgpack_sbuffer_write);
  e_map(&e, 3 + body_fields(m));
  e_key(&e, "v"); e_u(&e, JP_PROTO_VERSION);
  e_key(&e, "type"); e_raw_str(&e, tname, strlen(tname));
  e_key(&e, "rid"); e_u(&e, m->rid);
  enc_body(&e, m);
  if (!e.failed && e.sb.size > JP_PROTO_MAX_FRAME)
    fail(&e, "(frame)", "makes the frame larger than JP_PROTO_MAX_FRAME");
  if (e.failed) {
    msgpack_sbuffer_destroy(&e.sb);
    return -1;
  }
  *outlen = e.sb.size;
  if (e.sb.alloc - e.sb.size > ENC_SLACK) { /* give back what doubling left over (in place) */
    void *fit = realloc(e.sb.data, e.sb.size);
    if (fit) e.sb.data = fit, e.sb.alloc = e.sb.size;
  }
  *out = msgpack_sbuffer_release(&e.sb); /* malloc'd: free() it */
  if (!*out) { /* an empty buffer cannot happen: there is always a map */
    *outlen = 0;
    return jp_err(err, errlen, "cannot encode %s: empty buffer", tname);
  }
  return 0;
}
