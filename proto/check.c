/* check.c — the formats of identifiers on the wire (submission ids, sha256
 * hashes, relative paths), shared by the encoder and the decoder so both
 * sides enforce exactly the same rules. */
#include <string.h>

#include "err.h"
#include "internal.h"

bool jp_check_sid(const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint8_t ch = s[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
          ch == '-' || ch == '_' || ch == '.' || ch == ':'))
      return false;
  }
  return true;
}

bool jp_check_hash(const uint8_t *s, size_t n) {
  if (n != JP_PROTO_HASH_LEN) return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
  return true;
}

/* Relative, '/'-separated, no empty, "." or ".." component: a worker may
 * create files by these names, so they must stay inside its directory. */
bool jp_check_path(const uint8_t *s, size_t n) {
  if (n == 0) return false;
  size_t start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i < n && s[i] == '\\') return false;
    if (i == n || s[i] == '/') {
      size_t len = i - start;
      if (len == 0) return false;
      if (len == 1 && s[start] == '.') return false;
      if (len == 2 && s[start] == '.' && s[start + 1] == '.') return false;
      start = i + 1;
    }
  }
  return true;
}


#define S(x) ((x) ? (x) : "")

/* The sid of the messages that must name a submission. */
static const char *msg_sid(const struct jp_msg *m) {
  switch (m->type) {
  case JP_MSG_RESULT_GET: return S(m->u.result_get.sid);
  case JP_MSG_CANCEL: return S(m->u.cancel.sid);
  case JP_MSG_WATCH: return S(m->u.watch.sid);
  case JP_MSG_RESULT: return S(m->u.result.sid);
  case JP_MSG_PROGRESS: return S(m->u.progress.sid);
  case JP_MSG_JOB_RESULT: return S(m->u.job_result.sid);
  case JP_MSG_RESULT_ACK: return S(m->u.result_ack.sid);
  case JP_MSG_CANCEL_JOB: return S(m->u.cancel_job.sid);
  case JP_MSG_EVENT: return S(m->u.event.sid);
  default: return "";
  }
}

static int bad(enum jp_errcode *code, char *err, size_t errlen, const struct jp_msg *m,
               const char *field, const char *what) {
  if (code) *code = JP_E_BAD_REQUEST;
  const char *t = jp_msg_type_name(m->type);
  return jp_err(err, errlen, "%s: field '%s' %s", t ? t : "message", field, what);
}

int jp_msg_check(const struct jp_msg *m, enum jp_errcode *code, char *err, size_t errlen) {
  switch (m->type) {
  case JP_MSG_SUBMIT:
  case JP_MSG_JOB: {
    const struct jp_submit *s = m->type == JP_MSG_JOB ? &m->u.job.sub : &m->u.submit;
    if (m->type == JP_MSG_JOB && !*S(s->sid))
      return bad(code, err, errlen, m, "sid", "must not be empty");
    if (!*S(s->lang)) return bad(code, err, errlen, m, "lang", "must not be empty");
    if (s->nsources == 0) return bad(code, err, errlen, m, "sources", "must not be empty");
    for (size_t i = 0; i < s->nsources; i++)
      for (size_t j = 0; j < i; j++)
        if (!strcmp(S(s->sources[i].name), S(s->sources[j].name)))
          return bad(code, err, errlen, m, "sources", "has two files with the same name");
    if (s->options.stop_at_first_failure && s->options.all_tests)
      return bad(code, err, errlen, m, "options", "may not ask for both stop_at_first_failure and all_tests");
    if (m->type == JP_MSG_JOB && m->u.job.attempt == 0)
      return bad(code, err, errlen, m, "attempt", "must be 1 or more");
    return 0;
  }
  case JP_MSG_RESULT_GET:
  case JP_MSG_CANCEL:
  case JP_MSG_WATCH:
  case JP_MSG_RESULT:
  case JP_MSG_PROGRESS:
  case JP_MSG_JOB_RESULT:
  case JP_MSG_RESULT_ACK:
  case JP_MSG_CANCEL_JOB:
  case JP_MSG_EVENT:
    if (!*msg_sid(m)) return bad(code, err, errlen, m, "sid", "must not be empty");
    return 0;
  case JP_MSG_ERROR:
    if (m->u.error.code <= JP_E_NONE || m->u.error.code >= JP_E__COUNT)
      return bad(code, err, errlen, m, "code", "must name an error");
    return 0;
  case JP_MSG_DRAIN:
    if (!*S(m->u.drain.worker)) return bad(code, err, errlen, m, "worker", "must not be empty");
    return 0;
  case JP_MSG_REGISTER:
    if (!*S(m->u.reg.name)) return bad(code, err, errlen, m, "name", "must not be empty");
    if (m->u.reg.slots == 0) return bad(code, err, errlen, m, "slots", "must be 1 or more");
    return 0;
  case JP_MSG_BLOB:
    if (!m->u.blob.found && m->u.blob.data.len)
      return bad(code, err, errlen, m, "data", "must be empty when found is false");
    return 0;
  default: return 0;
  }
}
