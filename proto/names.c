/* names.c — the wire spellings of every enum in proto.h, both ways. One
 * table per enum so PROTOCOL.md and the code cannot drift apart silently
 * (tests round-trip every entry). */
#include <string.h>

#include "proto.h"

static const char *const type_names[JP_MSG__COUNT] = {
    [JP_MSG_NONE] = NULL,
    [JP_MSG_SUBMIT] = "SUBMIT",
    [JP_MSG_BLOB_HAVE] = "BLOB_HAVE",
    [JP_MSG_BLOB_PUT] = "BLOB_PUT",
    [JP_MSG_RESULT_GET] = "RESULT_GET",
    [JP_MSG_CANCEL] = "CANCEL",
    [JP_MSG_DRAIN] = "DRAIN",
    [JP_MSG_STATUS] = "STATUS",
    [JP_MSG_ACK] = "ACK",
    [JP_MSG_ERROR] = "ERROR",
    [JP_MSG_RESULT] = "RESULT",
    [JP_MSG_STATUS_REPLY] = "STATUS_REPLY",
    [JP_MSG_BLOBS_MISSING] = "BLOBS_MISSING",
    [JP_MSG_REGISTER] = "REGISTER",
    [JP_MSG_HEARTBEAT] = "HEARTBEAT",
    [JP_MSG_PROGRESS] = "PROGRESS",
    [JP_MSG_JOB_RESULT] = "JOB_RESULT",
    [JP_MSG_BLOB_GET] = "BLOB_GET",
    [JP_MSG_JOB] = "JOB",
    [JP_MSG_RESULT_ACK] = "RESULT_ACK",
    [JP_MSG_BLOB] = "BLOB",
    [JP_MSG_CANCEL_JOB] = "CANCEL_JOB",
    [JP_MSG_EVENT] = "EVENT",
    [JP_MSG_WATCH] = "WATCH",
};

static const unsigned type_dirs[JP_MSG__COUNT] = {
    [JP_MSG_SUBMIT] = JP_DIR_C2B,
    [JP_MSG_BLOB_HAVE] = JP_DIR_C2B,
    [JP_MSG_BLOB_PUT] = JP_DIR_C2B,
    [JP_MSG_RESULT_GET] = JP_DIR_C2B,
    [JP_MSG_CANCEL] = JP_DIR_C2B,
    [JP_MSG_DRAIN] = JP_DIR_C2B,
    [JP_MSG_STATUS] = JP_DIR_C2B,
    [JP_MSG_ACK] = JP_DIR_B2C | JP_DIR_B2W,
    [JP_MSG_ERROR] = JP_DIR_B2C | JP_DIR_B2W | JP_DIR_W2B,
    [JP_MSG_RESULT] = JP_DIR_B2C,
    [JP_MSG_STATUS_REPLY] = JP_DIR_B2C,
    [JP_MSG_BLOBS_MISSING] = JP_DIR_B2C,
    [JP_MSG_REGISTER] = JP_DIR_W2B,
    [JP_MSG_HEARTBEAT] = JP_DIR_W2B | JP_DIR_B2W,
    [JP_MSG_PROGRESS] = JP_DIR_W2B,
    [JP_MSG_JOB_RESULT] = JP_DIR_W2B,
    [JP_MSG_BLOB_GET] = JP_DIR_W2B,
    [JP_MSG_JOB] = JP_DIR_B2W,
    [JP_MSG_RESULT_ACK] = JP_DIR_B2W,
    [JP_MSG_BLOB] = JP_DIR_B2W,
    [JP_MSG_CANCEL_JOB] = JP_DIR_B2W,
    [JP_MSG_EVENT] = JP_DIR_PUB | JP_DIR_B2C,
    [JP_MSG_WATCH] = JP_DIR_C2B,
};

static const char *const errcode_names[JP_E__COUNT] = {
    [JP_E_NONE] = "",
    [JP_E_BAD_REQUEST] = "bad_request",
    [JP_E_UNSUPPORTED_VERSION] = "unsupported_version",
    [JP_E_UNKNOWN_TYPE] = "unknown_type",
    [JP_E_TOO_LARGE] = "too_large",
    [JP_E_QUEUE_FULL] = "queue_full",
    [JP_E_UNKNOWN_SUBMISSION] = "unknown_submission",
    [JP_E_UNKNOWN_BLOB] = "unknown_blob",
    [JP_E_UNKNOWN_LEASE] = "unknown_lease",
    [JP_E_FORBIDDEN] = "forbidden",
    [JP_E_INTERNAL] = "internal",
};

static const char *const verdict_names[JP_V__COUNT] = {
    [JP_V_NONE] = "", [JP_V_AC] = "AC", [JP_V_WA] = "WA",   [JP_V_TLE] = "TLE",
    [JP_V_MLE] = "MLE", [JP_V_OLE] = "OLE", [JP_V_RTE] = "RTE", [JP_V_CE] = "CE",
    [JP_V_SV] = "SV",   [JP_V_IE] = "IE",
};

static const char *const priority_names[JP_PRIO__COUNT] = {
    [JP_PRIO_CONTEST] = "contest", [JP_PRIO_NORMAL] = "normal",
    [JP_PRIO_REJUDGE] = "rejudge", [JP_PRIO_BULK] = "bulk",
};

static const char *const state_names[JP_ST__COUNT] = {
    [JP_ST_UNKNOWN] = "unknown", [JP_ST_QUEUED] = "queued",
    [JP_ST_RUNNING] = "running", [JP_ST_DONE] = "done",
    [JP_ST_CANCELLED] = "cancelled",
};

static const char *const event_names[JP_EV__COUNT] = {
    [JP_EV_QUEUED] = "queued",     [JP_EV_STARTED] = "started",
    [JP_EV_COMPILED] = "compiled", [JP_EV_TEST] = "test",
    [JP_EV_REQUEUED] = "requeued", [JP_EV_DONE] = "done",
    [JP_EV_CANCELLED] = "cancelled",
};

#define NAME_OF(table, v) \
  ((unsigned)(v) < sizeof(table) / sizeof(table[0]) ? (table)[(unsigned)(v)] : NULL)

const char *jp_msg_type_name(enum jp_msg_type t) { return NAME_OF(type_names, t); }
const char *jp_errcode_name(enum jp_errcode c) { return NAME_OF(errcode_names, c); }
const char *jp_verdict_name(enum jp_verdict v) { return NAME_OF(verdict_names, v); }
const char *jp_priority_name(enum jp_priority p) { return NAME_OF(priority_names, p); }
const char *jp_state_name(enum jp_state s) { return NAME_OF(state_names, s); }
const char *jp_event_kind_name(enum jp_event_kind k) { return NAME_OF(event_names, k); }

unsigned jp_msg_dirs(enum jp_msg_type t) {
  return (unsigned)t < JP_MSG__COUNT ? type_dirs[t] : 0;
}

/* Exact, length-bounded match: wire strings are not NUL-terminated. */
int jp_name_lookup(const char *const *table, int n, const char *s, size_t len) {
  for (int i = 0; i < n; i++) {
    const char *t = table[i];
    /* first byte before strlen: most candidates differ there */
    if (!t || (len && t[0] != s[0])) continue;
    if (strlen(t) == len && memcmp(t, s, len) == 0) return i;
  }
  return -1;
}

int jp_msg_type_parse(const char *s, size_t len) {
  return jp_name_lookup(type_names, JP_MSG__COUNT, s, len);
}
int jp_verdict_parse(const char *s, size_t len) {
  return jp_name_lookup(verdict_names, JP_V__COUNT, s, len);
}
int jp_errcode_parse(const char *s, size_t len) {
  return jp_name_lookup(errcode_names, JP_E__COUNT, s, len);
}
int jp_priority_parse(const char *s, size_t len) {
  return jp_name_lookup(priority_names, JP_PRIO__COUNT, s, len);
}
int jp_state_parse(const char *s, size_t len) {
  return jp_name_lookup(state_names, JP_ST__COUNT, s, len);
}
int jp_event_kind_parse(const char *s, size_t len) {
  return jp_name_lookup(event_names, JP_EV__COUNT, s, len);
}
