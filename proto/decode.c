/* decode.c — frame -> struct jp_msg. Runs the zero-allocation validator
 * first, then reads the raw bytes with the bounded reader, checking every
 * field's type, cap and format (ids, hashes, paths) and copying strings into
 * the message's arena with a NUL terminator. Unknown keys are skipped for
 * forward compatibility; duplicate keys are rejected. */
#include <math.h>
#include <string.h>

#include "err.h"
#include "internal.h"

struct dctx {
  struct jp_rd r;
  struct jp_arena *arena;
  const char *type; /* for messages */
  enum jp_errcode code;
  char *err;
  size_t errlen;
};

static int bad(struct dctx *c, enum jp_errcode code, const char *field, const char *what) {
  c->code = code;
  return jp_err(c->err, c->errlen, "%s: field '%s' %s", c->type, field, what);
}

static int next(struct dctx *c, const char *field, struct jp_rd_item *it) {
  if (jp_rd_next(&c->r, it) < 0) return bad(c, JP_E_BAD_REQUEST, field, "is truncated");
  return 0;
}

/* ---- scalar fields ---- */

enum strkind { S_TEXT, S_SID, S_HASH, S_PATH };

static int d_str(struct dctx *c, const char *field, enum strkind kind, size_t cap,
                 const char **out) {
  struct jp_rd_item it;
  if (next(c, field, &it) < 0) return -1;
  if (it.kind == JP_K_NIL) {
    it.n = 0;
    it.data = (const uint8_t *)"";
  } else if (it.kind != JP_K_STR) {
    return bad(c, JP_E_BAD_REQUEST, field, "must be a string");
  }
  if (it.n > cap) return bad(c, JP_E_TOO_LARGE, field, "is longer than its cap");
  size_t n = (size_t)it.n;
  if (memchr(it.data, 0, n)) return bad(c, JP_E_BAD_REQUEST, field, "contains a NUL byte");
  if (kind == S_SID && !jp_check_sid(it.data, n))
    return bad(c, JP_E_BAD_REQUEST, field, "may hold only A-Z a-z 0-9 - _ . :");
  if (kind == S_HASH && !jp_check_hash(it.data, n))
    return bad(c, JP_E_BAD_REQUEST, field, "must be 64 lowercase hex characters (sha256)");
  if (kind == S_PATH && !jp_check_path(it.data, n))
    return bad(c, JP_E_BAD_REQUEST, field, "must be a relative path without '.', '..' or '\\'");
  if (n == 0) { /* the common default: no allocation */
    *out = "";
    return 0;
  }
  char *s = jp_arena_alloc(&c->arena, n + 1);
  if (!s) return bad(c, JP_E_INTERNAL, field, "could not be stored: out of memory");
  memcpy(s, it.data, n);
  s[n] = '\0';
  *out = s;
  return 0;
}

static int d_bytes(struct dctx *c, const char *field, struct jp_bytes *out) {
  struct jp_rd_item it;
  if (next(c, field, &it) < 0) return -1;
  if (it.kind == JP_K_NIL) {
    out->data = NULL;
    out->len = 0;
    return 0;
  }
  if (it.kind != JP_K_BIN && it.kind != JP_K_STR)
    return bad(c, JP_E_BAD_REQUEST, field, "must be binary (or a string)");
  uint8_t *d = jp_arena_alloc(&c->arena, (size_t)it.n ? (size_t)it.n : 1);
  if (!d) return bad(c, JP_E_INTERNAL, field, "could not be stored: out of memory");
  memcpy(d, it.data, (size_t)it.n);
  out->data = d;
  out->len = (size_t)it.n;
  return 0;
}

static int d_uint(struct dctx *c, const char *field, uint64_t max, uint64_t *out) {
  struct jp_rd_item it;
  if (next(c, field, &it) < 0) return -1;
  if (it.kind == JP_K_NIL) {
    *out = 0;
    return 0;
  }
  if (it.kind == JP_K_INT && it.i >= 0) it.n = (uint64_t)it.i;
  else if (it.kind != JP_K_UINT)
    return bad(c, JP_E_BAD_REQUEST, field, "must be a non-negative integer");
  if (it.n > max) return bad(c, JP_E_BAD_REQUEST, field, "is out of range");
  *out = it.n;
  return 0;
}

static int d_u32(struct dctx *c, const char *field, uint32_t *out) {
  uint64_t v;
  if (d_uint(c, field, UINT32_MAX, &v) < 0) return -1;
  *out = (uint32_t)v;
  return 0;
}

static int d_u64(struct dctx *c, const char *field, uint64_t *out) {
  return d_uint(c, field, UINT64_MAX, out);
}

static int d_i32(struct dctx *c, const char *field, int32_t *out) {
  struct jp_rd_item it;
  if (next(c, field, &it) < 0) return -1;
  if (it.kind == JP_K_NIL) {
    *out = 0;
    return 0;
  }
  if (it.kind == JP_K_UINT) {
    if (it.n > INT32_MAX) return bad(c, JP_E_BAD_REQUEST, field, "is out of range");
    *out = (int32_t)it.n;
  } else if (it.kind == JP_K_INT) {
    if (it.i < INT32_MIN || it.i > INT32_MAX)
      return bad(c, JP_E_BAD_REQUEST, field, "is out of range");
    *out = (int32_t)it.i;
  } else {
    return bad(c, JP_E_BAD_REQUEST, field, "must be an integer");
  }
  return 0;
}

static int d_bool(struct dctx *c, const char *field, bool *out) {
  struct jp_rd_item it;
  if (next(c, field, &it) < 0) return -1;
  if (it.kind == JP_K_NIL) {
    *out = false;
    return 0;
  }
  if (it.kind != JP_K_BOOL) return bad(c, JP_E_BAD_REQUEST, field, "must be a boolean");
  *out = it.n != 0;
  return 0;
}

static int d_double(struct dctx *c, const char *field, double *out) {
  struct jp_rd_item it;
  if (next(c, field, &it) < 0) return -1;
  switch (it.kind) {
  case JP_K_NIL: *out = 0; return 0;
  case JP_K_FLOAT: *out = it.f; break;
  case JP_K_UINT: *out = (double)it.n; break;
  case JP_K_INT: *out = (double)it.i; break;
  default: return bad(c, JP_E_BAD_REQUEST, field, "must be a number");
  }
  if (!isfinite(*out)) return bad(c, JP_E_BAD_REQUEST, field, "must be finite");
  return 0;
}

/* A string naming an enum value, via one of the names.c parsers. */
static int d_enum(struct dctx *c, const char *field, int (*parse)(const char *, size_t),
                  int *out) {
  struct jp_rd_item it;
  if (next(c, field, &it) < 0) return -1;
  if (it.kind != JP_K_STR) return bad(c, JP_E_BAD_REQUEST, field, "must be a string");
  int v = parse((const char *)it.data, (size_t)it.n);
  if (v < 0) return bad(c, JP_E_BAD_REQUEST, field, "has an unknown value");
  *out = v;
  return 0;
}

/* ---- containers ---- */

static int d_container(struct dctx *c, const char *field, enum jp_rd_kind want, size_t cap,
                       size_t *n) {
  struct jp_rd_item it;
  if (next(c, field, &it) < 0) return -1;
  if (want == JP_K_ARRAY && it.kind == JP_K_NIL) {
    *n = 0;
    return 0;
  }
  if (it.kind != want)
    return bad(c, JP_E_BAD_REQUEST, field, want == JP_K_MAP ? "must be a map" : "must be an array");
  if (it.n > cap) return bad(c, JP_E_TOO_LARGE, field, "has more entries than its cap");
  *n = (size_t)it.n;
  return 0;
}

/* Reads one map key and finds it in keys[]. Returns its index; -2 for a key
 * we do not know (its value is skipped); -1 on error. Duplicates are an
 * error: two values for one field would make the meaning ambiguous. */
static int d_key(struct dctx *c, const char *where, const char *const *keys, int nkeys,
                 uint64_t *seen) {
  struct jp_rd_item it;
  if (next(c, where, &it) < 0) return -1;
  if (it.kind != JP_K_STR) return bad(c, JP_E_BAD_REQUEST, where, "has a map key that is not a string");
  int k = jp_name_lookup(keys, nkeys, (const char *)it.data, (size_t)it.n);
  if (k < 0) {
    if (jp_rd_skip(&c->r, JP_PROTO_MAX_DEPTH) < 0)
      return bad(c, JP_E_BAD_REQUEST, where, "has an unreadable value");
    return -2;
  }
  if (*seen & (1ull << k)) return bad(c, JP_E_BAD_REQUEST, keys[k], "appears twice");
  *seen |= 1ull << k;
  return k;
}

static int need(struct dctx *c, const char *const *keys, uint64_t seen, uint64_t required) {
  uint64_t missing = required & ~seen;
  if (!missing) return 0;
  int k = __builtin_ctzll(missing);
  return bad(c, JP_E_BAD_REQUEST, keys[k], "is required but missing");
}

#define BIT(k) (1ull << (k))
#define NKEYS(a) ((int)(sizeof(a) / sizeof(a[0])))

/* ---- nested structs ---- */

enum { TK_NAME, TK_GROUP, TK_VERDICT, TK_CPU, TK_WALL, TK_MEM, TK_EXIT, TK_SIG, TK_SYSCALL,
       TK_MESSAGE, TK_SCORE };
static const char *const test_keys[] = {"name", "group", "verdict", "cpu_ms", "wall_ms",
                                        "memory_kib", "exit_code", "signal", "syscall",
                                        "message", "score"};

static int dec_test(struct dctx *c, struct jp_test_result *t) {
  size_t n;
  if (d_container(c, "test", JP_K_MAP, JP_PROTO_MAX_ITEMS, &n) < 0) return -1;
  uint64_t seen = 0;
  t->name = t->group = t->syscall = t->message = "";
  for (size_t i = 0; i < n; i++) {
    int rc = 0, v;
    switch (d_key(c, "test", test_keys, NKEYS(test_keys), &seen)) {
    case -1: return -1;
    case -2: continue;
    case TK_NAME: rc = d_str(c, "name", S_TEXT, JP_PROTO_MAX_NAME, &t->name); break;
    case TK_GROUP: rc = d_str(c, "group", S_TEXT, JP_PROTO_MAX_NAME, &t->group); break;
    case TK_VERDICT:
      rc = d_enum(c, "verdict", jp_verdict_parse, &v);
      t->verdict = (enum jp_verdict)v;
      break;
    case TK_CPU: rc = d_u32(c, "cpu_ms", &t->cpu_ms); break;
    case TK_WALL: rc = d_u32(c, "wall_ms", &t->wall_ms); break;
    case TK_MEM: rc = d_u64(c, "memory_kib", &t->memory_kib); break;
    case TK_EXIT: rc = d_i32(c, "exit_code", &t->exit_code); break;
    case TK_SIG: rc = d_i32(c, "signal", &t->signal); break;
    case TK_SYSCALL: rc = d_str(c, "syscall", S_TEXT, JP_PROTO_MAX_NAME, &t->syscall); break;
    case TK_MESSAGE: rc = d_str(c, "message", S_TEXT, JP_PROTO_MAX_TEXT, &t->message); break;
    case TK_SCORE: rc = d_double(c, "score", &t->score); break;
    }
    if (rc < 0) return -1;
  }
  return need(c, test_keys, seen, BIT(TK_NAME) | BIT(TK_VERDICT));
}

enum { CK_OK, CK_MESSAGE, CK_CPU };
static const char *const compile_keys[] = {"ok", "message", "cpu_ms"};

static int dec_compile(struct dctx *c, struct jp_compile_info *ci) {
  size_t n;
  if (d_container(c, "compile", JP_K_MAP, JP_PROTO_MAX_ITEMS, &n) < 0) return -1;
  uint64_t seen = 0;
  ci->message = "";
  for (size_t i = 0; i < n; i++) {
    int rc = 0;
    switch (d_key(c, "compile", compile_keys, NKEYS(compile_keys), &seen)) {
    case -1: return -1;
    case -2: continue;
    case CK_OK: rc = d_bool(c, "ok", &ci->ok); break;
    case CK_MESSAGE: rc = d_str(c, "message", S_TEXT, JP_PROTO_MAX_TEXT, &ci->message); break;
    case CK_CPU: rc = d_u32(c, "cpu_ms", &ci->cpu_ms); break;
    }
    if (rc < 0) return -1;
  }
  return need(c, compile_keys, seen, BIT(CK_OK));
}

enum { RK_VERDICT, RK_SCORE, RK_COMPILE, RK_TESTS, RK_MAXCPU, RK_MAXMEM, RK_SCORING };
static const char *const result_keys[] = {"verdict", "score", "compile", "tests", "max_cpu_ms",
                                          "max_memory_kib", "scoring"};

static int dec_result(struct dctx *c, struct jp_result *res) {
  size_t n;
  if (d_container(c, "result", JP_K_MAP, JP_PROTO_MAX_ITEMS, &n) < 0) return -1;
  uint64_t seen = 0;
  res->compile.message = "";
  for (size_t i = 0; i < n; i++) {
    int rc = 0, v;
    switch (d_key(c, "result", result_keys, NKEYS(result_keys), &seen)) {
    case -1: return -1;
    case -2: continue;
    case RK_VERDICT:
      rc = d_enum(c, "verdict", jp_verdict_parse, &v);
      res->verdict = (enum jp_verdict)v;
      break;
    case RK_SCORE: rc = d_double(c, "score", &res->score); break;
    case RK_COMPILE: rc = dec_compile(c, &res->compile); break;
    case RK_TESTS: {
      size_t nt;
      if (d_container(c, "tests", JP_K_ARRAY, JP_PROTO_MAX_TESTS, &nt) < 0) return -1;
      struct jp_test_result *t = NULL;
      if (nt) {
        t = jp_arena_alloc(&c->arena, nt * sizeof *t);
        if (!t) return bad(c, JP_E_INTERNAL, "tests", "could not be stored: out of memory");
      }
      for (size_t j = 0; j < nt; j++)
        if (dec_test(c, &t[j]) < 0) return -1;
      res->tests = t;
      res->ntests = nt;
      break;
    }
    case RK_MAXCPU: rc = d_u32(c, "max_cpu_ms", &res->max_cpu_ms); break;
    case RK_MAXMEM: rc = d_u64(c, "max_memory_kib", &res->max_memory_kib); break;
    case RK_SCORING: rc = d_bool(c, "scoring", &res->scoring); break;
    }
    if (rc < 0) return -1;
  }
  return need(c, result_keys, seen, BIT(RK_VERDICT));
}

enum { FK_PATH, FK_SHA, FK_SIZE };
static const char *const file_keys[] = {"path", "sha256", "size"};

static int dec_file(struct dctx *c, struct jp_file_ref *f) {
  size_t n;
  if (d_container(c, "files[]", JP_K_MAP, JP_PROTO_MAX_ITEMS, &n) < 0) return -1;
  uint64_t seen = 0;
  for (size_t i = 0; i < n; i++) {
    int rc = 0;
    switch (d_key(c, "files[]", file_keys, NKEYS(file_keys), &seen)) {
    case -1: return -1;
    case -2: continue;
    case FK_PATH: rc = d_str(c, "path", S_PATH, JP_PROTO_MAX_PATH, &f->path); break;
    case FK_SHA: rc = d_str(c, "sha256", S_HASH, JP_PROTO_HASH_LEN, &f->sha256); break;
    case FK_SIZE: rc = d_u64(c, "size", &f->size); break;
    }
    if (rc < 0) return -1;
  }
  return need(c, file_keys, seen, BIT(FK_PATH) | BIT(FK_SHA) | BIT(FK_SIZE));
}

enum { PK_HASH, PK_FILES };
static const char *const problem_keys[] = {"hash", "files"};

static int dec_problem(struct dctx *c, struct jp_problem *p) {
  size_t n;
  if (d_container(c, "problem", JP_K_MAP, JP_PROTO_MAX_ITEMS, &n) < 0) return -1;
  uint64_t seen = 0;
  for (size_t i = 0; i < n; i++) {
    switch (d_key(c, "problem", problem_keys, NKEYS(problem_keys), &seen)) {
    case -1: return -1;
    case -2: continue;
    case PK_HASH:
      if (d_str(c, "hash", S_HASH, JP_PROTO_HASH_LEN, &p->hash) < 0) return -1;
      break;
    case PK_FILES: {
      size_t nf;
      if (d_container(c, "files", JP_K_ARRAY, JP_PROTO_MAX_FILES, &nf) < 0) return -1;
      struct jp_file_ref *f = NULL;
      if (nf) {
        f = jp_arena_alloc(&c->arena, nf * sizeof *f);
        if (!f) return bad(c, JP_E_INTERNAL, "files", "could not be stored: out of memory");
      }
      for (size_t j = 0; j < nf; j++)
        if (dec_file(c, &f[j]) < 0) return -1;
      p->files = f;
      p->nfiles = nf;
      break;
    }
    }
  }
  return need(c, problem_keys, seen, BIT(PK_HASH) | BIT(PK_FILES));
}

enum { SK_NAME, SK_CONTENT };
static const char *const source_keys[] = {"name", "content"};

static int dec_source(struct dctx *c, struct jp_source *s) {
  size_t n;
  if (d_container(c, "sources[]", JP_K_MAP, JP_PROTO_MAX_ITEMS, &n) < 0) return -1;
  uint64_t seen = 0;
  for (size_t i = 0; i < n; i++) {
    int rc = 0;
    switch (d_key(c, "sources[]", source_keys, NKEYS(source_keys), &seen)) {
    case -1: return -1;
    case -2: continue;
    case SK_NAME: rc = d_str(c, "name", S_PATH, JP_PROTO_MAX_PATH, &s->name); break;
    case SK_CONTENT: rc = d_bytes(c, "content", &s->content); break;
    }
    if (rc < 0) return -1;
  }
  return need(c, source_keys, seen, BIT(SK_NAME) | BIT(SK_CONTENT));
}

enum { OK_STOP, OK_ALL };
static const char *const option_keys[] = {"stop_at_first_failure", "all_tests"};

static int dec_options(struct dctx *c, struct jp_options *o) {
  size_t n;
  struct jp_rd save = c->r;
  struct jp_rd_item it;
  if (next(c, "options", &it) < 0) return -1;
  if (it.kind == JP_K_NIL) return 0;
  c->r = save;
  if (d_container(c, "options", JP_K_MAP, JP_PROTO_MAX_ITEMS, &n) < 0) return -1;
  uint64_t seen = 0;
  for (size_t i = 0; i < n; i++) {
    switch (d_key(c, "options", option_keys, NKEYS(option_keys), &seen)) {
    case -1: return -1;
    case -2: continue;
    case OK_STOP:
      if (d_bool(c, "stop_at_first_failure", &o->stop_at_first_failure) < 0) return -1;
      break;
    case OK_ALL:
      if (d_bool(c, "all_tests", &o->all_tests) < 0) return -1;
      break;
    }
  }
  return 0;
}

/* An array of strings (hashes or language names). */
static int dec_strings(struct dctx *c, const char *field, enum strkind kind, size_t strcap,
                       size_t cap, const char *const **out, size_t *count) {
  size_t n;
  if (d_container(c, field, JP_K_ARRAY, cap, &n) < 0) return -1;
  const char **v = NULL;
  if (n) {
    v = jp_arena_alloc(&c->arena, n * sizeof *v);
    if (!v) return bad(c, JP_E_INTERNAL, field, "could not be stored: out of memory");
  }
  for (size_t i = 0; i < n; i++)
    if (d_str(c, field, kind, strcap, &v[i]) < 0) return -1;
  *out = v;
  *count = n;
  return 0;
}

/* An array of unsigned integers (leases). */
static int dec_u64s(struct dctx *c, const char *field, size_t cap, const uint64_t **out, size_t *count) {
  size_t n;
  if (d_container(c, field, JP_K_ARRAY, cap, &n) < 0) return -1;
  uint64_t *v = NULL;
  if (n) {
    v = jp_arena_alloc(&c->arena, n * sizeof *v);
    if (!v) return bad(c, JP_E_INTERNAL, field, "could not be stored: out of memory");
  }
  for (size_t i = 0; i < n; i++)
    if (d_u64(c, field, &v[i]) < 0) return -1;
  *out = v;
  *count = n;
  return 0;
}

/* ---- the root map ---- */

/* Every key any message uses at the top level. The envelope keys come first;
 * each message type reads the ones it knows and skips the rest. */
enum {
  K_V, K_TYPE, K_RID, K_SID, K_PROBLEM, K_LANG, K_SOURCES, K_PRIORITY, K_OPTIONS, K_HASHES,
  K_SHA256, K_DATA, K_DUPLICATE, K_CODE, K_MESSAGE, K_STATE, K_FINAL, K_RESULT, K_ATTEMPT,
  K_QUEUED, K_RUNNING, K_WORKERS, K_FREE, K_NAME, K_SLOTS, K_LANGS, K_EPOCH, K_LEASE,
  K_INDEX, K_TEST, K_FOUND, K_KIND, K_VERDICT, K_SCORE, K_QCONTEST, K_QNORMAL, K_QREJUDGE,
  K_QBULK, K_COMPLETED, K_RATE, K_WORKER, K_UNDO, K_DRAINING, K_WATCH, K_WATCHING, K_TOTAL,
  K_LEASES
};
static const char *const root_keys[] = {
    "v", "type", "rid", "sid", "problem", "lang", "sources", "priority", "options", "hashes",
    "sha256", "data", "duplicate", "code", "message", "state", "final", "result", "attempt",
    "queued", "running", "workers", "free_slots", "name", "slots", "langs", "epoch", "lease",
    "index", "test", "found", "kind", "verdict", "score", "queued_contest", "queued_normal",
    "queued_rejudge", "queued_bulk", "completed", "rate", "worker", "undo", "draining", "watch",
    "watching", "total", "leases"};

/* Fields of SUBMIT, shared by JOB. Returns 1 if key is not one of them. */
static int dec_submit_field(struct dctx *c, struct jp_submit *s, int key) {
  int v;
  switch (key) {
  case K_SID: return d_str(c, "sid", S_SID, JP_PROTO_MAX_SID, &s->sid);
  case K_PROBLEM: return dec_problem(c, &s->problem);
  case K_LANG: return d_str(c, "lang", S_TEXT, JP_PROTO_MAX_NAME, &s->lang);
  case K_SOURCES: {
    size_t n;
    if (d_container(c, "sources", JP_K_ARRAY, JP_PROTO_MAX_SOURCES, &n) < 0) return -1;
    struct jp_source *src = NULL;
    if (n) {
      src = jp_arena_alloc(&c->arena, n * sizeof *src);
      if (!src) return bad(c, JP_E_INTERNAL, "sources", "could not be stored: out of memory");
    }
    for (size_t i = 0; i < n; i++)
      if (dec_source(c, &src[i]) < 0) return -1;
    s->sources = src;
    s->nsources = n;
    return 0;
  }
  case K_PRIORITY:
    if (d_enum(c, "priority", jp_priority_parse, &v) < 0) return -1;
    s->priority = (enum jp_priority)v;
    return 0;
  case K_OPTIONS: return dec_options(c, &s->options);
  }
  return 1;
}

/* One top-level field of message m. Returns 0, -1 on error, 1 if the key
 * means nothing for this type (the caller skips its value). */
static int dec_field(struct dctx *c, struct jp_msg *m, int key) {
  int v;
  switch (m->type) {
  case JP_MSG_SUBMIT:
    if (key == K_WATCH) return d_bool(c, "watch", &m->u.submit.watch);
    return dec_submit_field(c, &m->u.submit, key);
  case JP_MSG_JOB:
    if (key == K_LEASE) return d_u64(c, "lease", &m->u.job.lease);
    if (key == K_ATTEMPT) return d_u32(c, "attempt", &m->u.job.attempt);
    return dec_submit_field(c, &m->u.job.sub, key);
  case JP_MSG_BLOB_HAVE:
  case JP_MSG_BLOBS_MISSING:
    if (key != K_HASHES) return 1;
    return dec_strings(c, "hashes", S_HASH, JP_PROTO_HASH_LEN, JP_PROTO_MAX_HASHES,
                       &m->u.blob_have.hashes, &m->u.blob_have.n);
  case JP_MSG_BLOB_PUT:
    if (key == K_SHA256) return d_str(c, "sha256", S_HASH, JP_PROTO_HASH_LEN, &m->u.blob_put.sha256);
    if (key == K_DATA) return d_bytes(c, "data", &m->u.blob_put.data);
    return 1;
  case JP_MSG_RESULT_GET:
  case JP_MSG_CANCEL:
  case JP_MSG_STATUS:
  case JP_MSG_WATCH:
    if (key != K_SID) return 1;
    return d_str(c, "sid", S_SID, JP_PROTO_MAX_SID, &m->u.status.sid);
  case JP_MSG_DRAIN:
    if (key == K_WORKER) return d_str(c, "worker", S_TEXT, JP_PROTO_MAX_NAME, &m->u.drain.worker);
    if (key == K_UNDO) return d_bool(c, "undo", &m->u.drain.undo);
    return 1;
  case JP_MSG_ACK:
    if (key == K_SID) return d_str(c, "sid", S_SID, JP_PROTO_MAX_SID, &m->u.ack.sid);
    if (key == K_DUPLICATE) return d_bool(c, "duplicate", &m->u.ack.duplicate);
    if (key == K_WATCHING) return d_bool(c, "watching", &m->u.ack.watching);
    return 1;
  case JP_MSG_ERROR:
    if (key == K_CODE) {
      if (d_enum(c, "code", jp_errcode_parse, &v) < 0) return -1;
      m->u.error.code = (enum jp_errcode)v;
      return 0;
    }
    if (key == K_MESSAGE) return d_str(c, "message", S_TEXT, JP_PROTO_MAX_TEXT, &m->u.error.message);
    return 1;
  case JP_MSG_RESULT: {
    struct jp_result_msg *r = &m->u.result;
    switch (key) {
    case K_SID: return d_str(c, "sid", S_SID, JP_PROTO_MAX_SID, &r->sid);
    case K_STATE:
      if (d_enum(c, "state", jp_state_parse, &v) < 0) return -1;
      r->state = (enum jp_state)v;
      return 0;
    case K_FINAL: return d_bool(c, "final", &r->final);
    case K_RESULT: {
      struct jp_rd save = c->r;
      struct jp_rd_item it;
      if (next(c, "result", &it) < 0) return -1;
      if (it.kind == JP_K_NIL) return 0;
      c->r = save;
      r->has_result = true;
      return dec_result(c, &r->result);
    }
    }
    return 1;
  }
  case JP_MSG_STATUS_REPLY: {
    struct jp_status_reply *s = &m->u.status_reply;
    switch (key) {
    case K_SID: return d_str(c, "sid", S_SID, JP_PROTO_MAX_SID, &s->sid);
    case K_STATE:
      if (d_enum(c, "state", jp_state_parse, &v) < 0) return -1;
      s->state = (enum jp_state)v;
      return 0;
    case K_ATTEMPT: return d_u32(c, "attempt", &s->attempt);
    case K_QUEUED: return d_u32(c, "queued", &s->queued);
    case K_RUNNING: return d_u32(c, "running", &s->running);
    case K_WORKERS: return d_u32(c, "workers", &s->workers);
    case K_FREE: return d_u32(c, "free_slots", &s->free_slots);
    case K_QCONTEST: return d_u32(c, "queued_contest", &s->queued_contest);
    case K_QNORMAL: return d_u32(c, "queued_normal", &s->queued_normal);
    case K_QREJUDGE: return d_u32(c, "queued_rejudge", &s->queued_rejudge);
    case K_QBULK: return d_u32(c, "queued_bulk", &s->queued_bulk);
    case K_SLOTS: return d_u32(c, "slots", &s->slots);
    case K_COMPLETED: return d_u64(c, "completed", &s->completed);
    case K_RATE: return d_double(c, "rate", &s->rate);
    case K_DRAINING: return d_u32(c, "draining", &s->draining);
    }
    return 1;
  }
  case JP_MSG_REGISTER:
    if (key == K_NAME) return d_str(c, "name", S_TEXT, JP_PROTO_MAX_NAME, &m->u.reg.name);
    if (key == K_SLOTS) return d_u32(c, "slots", &m->u.reg.slots);
    if (key == K_LANGS)
      return dec_strings(c, "langs", S_TEXT, JP_PROTO_MAX_NAME, JP_PROTO_MAX_LANGS,
                         &m->u.reg.langs, &m->u.reg.nlangs);
    return 1;
  case JP_MSG_HEARTBEAT:
    if (key == K_FREE) return d_u32(c, "free_slots", &m->u.heartbeat.free_slots);
    if (key == K_EPOCH) return d_u64(c, "epoch", &m->u.heartbeat.epoch);
    if (key == K_LEASES) {
      m->u.heartbeat.has_leases = true;
      return dec_u64s(c, "leases", JP_PROTO_MAX_LEASES, &m->u.heartbeat.leases, &m->u.heartbeat.nleases);
    }
    return 1;
  case JP_MSG_PROGRESS:
    if (key == K_SID) return d_str(c, "sid", S_SID, JP_PROTO_MAX_SID, &m->u.progress.sid);
    if (key == K_LEASE) return d_u64(c, "lease", &m->u.progress.lease);
    if (key == K_INDEX) return d_u32(c, "index", &m->u.progress.index);
    if (key == K_TEST) return dec_test(c, &m->u.progress.test);
    if (key == K_TOTAL) return d_u32(c, "total", &m->u.progress.total);
    return 1;
  case JP_MSG_JOB_RESULT:
    if (key == K_SID) return d_str(c, "sid", S_SID, JP_PROTO_MAX_SID, &m->u.job_result.sid);
    if (key == K_LEASE) return d_u64(c, "lease", &m->u.job_result.lease);
    if (key == K_RESULT) return dec_result(c, &m->u.job_result.result);
    return 1;
  case JP_MSG_BLOB_GET:
    if (key != K_SHA256) return 1;
    return d_str(c, "sha256", S_HASH, JP_PROTO_HASH_LEN, &m->u.blob_get.sha256);
  case JP_MSG_RESULT_ACK:
  case JP_MSG_CANCEL_JOB:
    if (key == K_SID) return d_str(c, "sid", S_SID, JP_PROTO_MAX_SID, &m->u.result_ack.sid);
    if (key == K_LEASE) return d_u64(c, "lease", &m->u.result_ack.lease);
    return 1;
  case JP_MSG_BLOB:
    if (key == K_SHA256) return d_str(c, "sha256", S_HASH, JP_PROTO_HASH_LEN, &m->u.blob.sha256);
    if (key == K_FOUND) return d_bool(c, "found", &m->u.blob.found);
    if (key == K_DATA) return d_bytes(c, "data", &m->u.blob.data);
    return 1;
  case JP_MSG_EVENT: {
    struct jp_event *e = &m->u.event;
    switch (key) {
    case K_SID: return d_str(c, "sid", S_SID, JP_PROTO_MAX_SID, &e->sid);
    case K_KIND:
      if (d_enum(c, "kind", jp_event_kind_parse, &v) < 0) return -1;
      e->kind = (enum jp_event_kind)v;
      return 0;
    case K_ATTEMPT: return d_u32(c, "attempt", &e->attempt);
    case K_INDEX: return d_u32(c, "index", &e->index);
    case K_TEST: {
      struct jp_rd save = c->r;
      struct jp_rd_item it;
      if (next(c, "test", &it) < 0) return -1;
      if (it.kind == JP_K_NIL) return 0;
      c->r = save;
      e->has_test = true;
      return dec_test(c, &e->test);
    }
    case K_VERDICT:
      if (d_enum(c, "verdict", jp_verdict_parse, &v) < 0) return -1;
      e->verdict = (enum jp_verdict)v;
      return 0;
    case K_SCORE: return d_double(c, "score", &e->score);
    case K_TOTAL: return d_u32(c, "total", &e->total);
    }
    return 1;
  }
  default: return 1;
  }
}

/* Keys each type must carry (besides v/type/rid). */
static uint64_t required_keys(enum jp_msg_type t) {
  switch (t) {
  case JP_MSG_SUBMIT: return BIT(K_PROBLEM) | BIT(K_LANG) | BIT(K_SOURCES);
  case JP_MSG_JOB:
    return BIT(K_SID) | BIT(K_LEASE) | BIT(K_ATTEMPT) | BIT(K_PROBLEM) | BIT(K_LANG) |
           BIT(K_SOURCES);
  case JP_MSG_BLOB_HAVE:
  case JP_MSG_BLOBS_MISSING: return BIT(K_HASHES);
  case JP_MSG_BLOB_PUT: return BIT(K_SHA256) | BIT(K_DATA);
  case JP_MSG_RESULT_GET:
  case JP_MSG_CANCEL:
  case JP_MSG_WATCH: return BIT(K_SID);
  case JP_MSG_DRAIN: return BIT(K_WORKER);
  case JP_MSG_ERROR: return BIT(K_CODE);
  case JP_MSG_RESULT: return BIT(K_SID) | BIT(K_STATE) | BIT(K_FINAL);
  case JP_MSG_STATUS_REPLY: return BIT(K_STATE);
  case JP_MSG_REGISTER: return BIT(K_NAME) | BIT(K_SLOTS) | BIT(K_LANGS);
  case JP_MSG_PROGRESS: return BIT(K_SID) | BIT(K_LEASE) | BIT(K_TEST);
  case JP_MSG_JOB_RESULT: return BIT(K_SID) | BIT(K_LEASE) | BIT(K_RESULT);
  case JP_MSG_BLOB_GET: return BIT(K_SHA256);
  case JP_MSG_RESULT_ACK:
  case JP_MSG_CANCEL_JOB: return BIT(K_SID) | BIT(K_LEASE);
  case JP_MSG_BLOB: return BIT(K_SHA256) | BIT(K_FOUND);
  case JP_MSG_EVENT: return BIT(K_SID) | BIT(K_KIND);
  default: return 0;
  }
}

/* Default for every string field: "" (never NULL), so receivers need no
 * NULL checks. Set before decoding; decoded values overwrite. */
static void default_strings(struct jp_msg *m) {
  switch (m->type) {
  case JP_MSG_SUBMIT: m->u.submit.sid = m->u.submit.lang = ""; m->u.submit.priority = JP_PRIO_NORMAL; break;
  case JP_MSG_JOB: m->u.job.sub.sid = m->u.job.sub.lang = ""; m->u.job.sub.priority = JP_PRIO_NORMAL; break;
  case JP_MSG_RESULT_GET: case JP_MSG_CANCEL: case JP_MSG_STATUS: case JP_MSG_WATCH: m->u.status.sid = ""; break;
  case JP_MSG_DRAIN: m->u.drain.worker = ""; break;
  case JP_MSG_ACK: m->u.ack.sid = ""; break;
  case JP_MSG_ERROR: m->u.error.message = ""; break;
  case JP_MSG_RESULT: m->u.result.sid = ""; m->u.result.result.compile.message = ""; break;
  case JP_MSG_STATUS_REPLY: m->u.status_reply.sid = ""; break;
  case JP_MSG_REGISTER: m->u.reg.name = ""; break;
  case JP_MSG_PROGRESS:
    m->u.progress.sid = "";
    m->u.progress.test.name = m->u.progress.test.group = "";
    m->u.progress.test.syscall = m->u.progress.test.message = "";
    break;
  case JP_MSG_JOB_RESULT: m->u.job_result.sid = ""; m->u.job_result.result.compile.message = ""; break;
  case JP_MSG_RESULT_ACK: case JP_MSG_CANCEL_JOB: m->u.result_ack.sid = ""; break;
  case JP_MSG_EVENT:
    m->u.event.sid = "";
    m->u.event.test.name = m->u.event.test.group = "";
    m->u.event.test.syscall = m->u.event.test.message = "";
    break;
  default: break;
  }
}

/* Pass 1: the envelope (v, type, rid), wherever it sits in the root map, so
 * a wrong version is reported as such even if the body is nonsense. */
static int dec_envelope(struct dctx *c, struct jp_msg *m, size_t nkeys) {
  struct jp_rd start = c->r;
  uint64_t seen = 0, v = 0;
  const uint8_t *type = NULL;
  size_t typelen = 0;
  for (size_t i = 0; i < nkeys; i++) {
    struct jp_rd_item it;
    if (next(c, "(root)", &it) < 0) return -1;
    int k = it.kind == JP_K_STR ? jp_name_lookup(root_keys, 3, (const char *)it.data, (size_t)it.n) : -1;
    if (it.kind != JP_K_STR) return bad(c, JP_E_BAD_REQUEST, "(root)", "has a map key that is not a string");
    if (k >= 0 && (seen & BIT(k))) return bad(c, JP_E_BAD_REQUEST, root_keys[k], "appears twice");
    if (k >= 0) seen |= BIT(k);
    if (k == K_RID) {
      if (d_u64(c, "rid", &m->rid) < 0) return -1;
    } else if (k == K_V) {
      if (d_uint(c, "v", UINT64_MAX, &v) < 0) return -1;
    } else if (k == K_TYPE) {
      if (next(c, "type", &it) < 0) return -1;
      if (it.kind != JP_K_STR) return bad(c, JP_E_BAD_REQUEST, "type", "must be a string");
      type = it.data;
      typelen = (size_t)it.n;
    } else if (jp_rd_skip(&c->r, JP_PROTO_MAX_DEPTH) < 0) {
      return bad(c, JP_E_BAD_REQUEST, "(root)", "has an unreadable value");
    }
  }
  if (!(seen & BIT(K_V))) return bad(c, JP_E_BAD_REQUEST, "v", "(protocol version) is required but missing");
  if (v != JP_PROTO_VERSION) {
    c->code = JP_E_UNSUPPORTED_VERSION;
    return jp_err(c->err, c->errlen, "protocol version %llu is not supported (this side speaks %u)",
                  (unsigned long long)v, JP_PROTO_VERSION);
  }
  if (!type) return bad(c, JP_E_BAD_REQUEST, "type", "is required but missing");
  int t = jp_msg_type_parse((const char *)type, typelen);
  if (t <= 0) {
    c->code = JP_E_UNKNOWN_TYPE;
    return jp_err(c->err, c->errlen, "unknown message type '%.*s'",
                  (int)(typelen > 64 ? 64 : typelen), (const char *)type);
  }
  m->type = (enum jp_msg_type)t;
  c->r = start;
  return 0;
}

int jp_msg_decode(const void *buf, size_t len, struct jp_msg *m, enum jp_errcode *code,
                  char *err, size_t errlen) {
  memset(m, 0, sizeof *m);
  if (code) *code = JP_E_NONE;
  if (jp_msg_validate(buf, len, code, err, errlen) < 0) return -1;
  struct dctx c = {.r = {buf, (const uint8_t *)buf + len}, .type = "message", .err = err,
                   .errlen = errlen, .code = JP_E_NONE};
  struct jp_rd_item it;
  size_t nkeys;
  if (jp_rd_next(&c.r, &it) < 0 || it.kind != JP_K_MAP) { /* validator guarantees it */
    c.code = JP_E_BAD_REQUEST;
    jp_err(err, errlen, "a message must be a msgpack map");
    goto fail;
  }
  nkeys = (size_t)it.n;
  if (dec_envelope(&c, m, nkeys) < 0) goto fail;
  c.type = jp_msg_type_name(m->type);
  default_strings(m);
  uint64_t seen = 0;
  for (size_t i = 0; i < nkeys; i++) {
    int k = d_key(&c, "(root)", root_keys, NKEYS(root_keys), &seen);
    if (k == -1) goto fail;
    if (k == -2) continue;
    int rc = (k <= K_RID) ? 1 : dec_field(&c, m, k);
    if (rc < 0) goto fail;
    if (rc == 1 && jp_rd_skip(&c.r, JP_PROTO_MAX_DEPTH) < 0) {
      bad(&c, JP_E_BAD_REQUEST, root_keys[k], "has an unreadable value");
      goto fail;
    }
  }
  if (need(&c, root_keys, seen, required_keys(m->type)) < 0) goto fail;
  if (jp_msg_check(m, &c.code, err, errlen) < 0) goto fail;
  if (c.r.p != c.r.end) { /* validator guarantees it; belt and braces */
    bad(&c, JP_E_BAD_REQUEST, "(root)", "is followed by trailing bytes");
    goto fail;
  }
  m->arena_ = c.arena;
  return 0;
fail:
  jp_arena_free(c.arena);
  {
    uint64_t rid = m->rid;
    memset(m, 0, sizeof *m);
    m->rid = rid;
  }
  if (code) *code = c.code ? c.code : JP_E_BAD_REQUEST;
  return -1;
}

void jp_msg_free(struct jp_msg *m) {
  if (!m) return;
  jp_arena_free(m->arena_);
  m->arena_ = NULL;
}
