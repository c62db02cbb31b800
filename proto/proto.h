/* proto.h — the judgepool wire protocol: message types as plain C structs,
 * and the encode/decode API shared by broker, worker daemon and client.
 * proto/PROTOCOL.md is the normative description of the bytes on the wire;
 * this header is its C binding.
 *
 * Every message is ONE msgpack map in ONE ZeroMQ frame (after ZeroMQ's
 * routing frames). Decoding never trusts the input: the frame is walked by a
 * zero-allocation validator before anything is allocated, and every count and
 * length is checked against the bytes that remain and against the caps below.
 *
 * Ownership: a decoded message owns all its strings and arrays (one internal
 * arena, at most ~3x the frame plus ~2 MiB for the largest capped arrays) —
 * release it with jp_msg_free(). A message you fill in yourself for
 * encoding points at your own memory; jp_msg_free() on it is a no-op for
 * those pointers (it only frees what a decode allocated). */
#ifndef JP_PROTO_H
#define JP_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JP_PROTO_VERSION 1u

/* Caps (the decoder rejects anything larger; the encoder refuses to produce
 * it). Set ZMQ_MAXMSGSIZE to JP_PROTO_MAX_FRAME on every socket. */
#define JP_PROTO_MAX_FRAME (64u * 1024u * 1024u) /* bytes in one frame */
#define JP_PROTO_MAX_DEPTH 8u          /* nesting of maps/arrays, root = 1 */
#define JP_PROTO_MAX_SID 128u          /* submission id, bytes */
#define JP_PROTO_MAX_NAME 256u         /* lang, worker, test name, group... */
#define JP_PROTO_MAX_PATH 1024u        /* file path in a manifest / source */
#define JP_PROTO_MAX_TEXT 65536u       /* error / compile / test messages */
#define JP_PROTO_HASH_LEN 64u          /* sha256 as lowercase hex */
#define JP_PROTO_MAX_FILES 65536u      /* files in a problem manifest */
#define JP_PROTO_MAX_SOURCES 64u       /* source files in a submission */
#define JP_PROTO_MAX_TESTS 10000u      /* tests in a result */
#define JP_PROTO_MAX_HASHES 65536u     /* hashes in BLOB_HAVE/BLOBS_MISSING */
#define JP_PROTO_MAX_LANGS 64u         /* languages a worker announces */
#define JP_PROTO_MAX_LEASES 2048u      /* leases a worker's HEARTBEAT names */
#define JP_PROTO_MAX_ITEMS 65536u      /* any array/map count at all */

/* Timing of the reliability layer (see PROTOCOL.md §6). */
#define JP_PROTO_HEARTBEAT_MS 1000u /* both directions */
#define JP_PROTO_LIVENESS 5u        /* missed heartbeats = peer dead */
#define JP_PROTO_MAX_ATTEMPTS 3u    /* leases per submission before IE */

enum jp_msg_type {
  JP_MSG_NONE = 0,
  /* client -> broker */
  JP_MSG_SUBMIT,
  JP_MSG_BLOB_HAVE,
  JP_MSG_BLOB_PUT,
  JP_MSG_RESULT_GET,
  JP_MSG_CANCEL,
  JP_MSG_STATUS,
  /* broker -> client */
  JP_MSG_ACK,
  JP_MSG_ERROR, /* also broker <-> worker */
  JP_MSG_RESULT,
  JP_MSG_STATUS_REPLY,
  JP_MSG_BLOBS_MISSING,
  /* worker -> broker */
  JP_MSG_REGISTER,
  JP_MSG_HEARTBEAT, /* also broker -> worker */
  JP_MSG_PROGRESS,
  JP_MSG_JOB_RESULT,
  JP_MSG_BLOB_GET,
  /* broker -> worker */
  JP_MSG_JOB,
  JP_MSG_RESULT_ACK,
  JP_MSG_BLOB,
  JP_MSG_CANCEL_JOB,
  /* broker PUB -> subscribers */
  JP_MSG_EVENT, /* also broker -> client, to a WATCH */
  /* client (admin) -> broker; appended last so older numbering stays */
  JP_MSG_DRAIN,
  /* client -> broker: EVENTs of one submission on this connection */
  JP_MSG_WATCH,
  JP_MSG__COUNT
};

/* Who may send a type, as a bit mask (jp_msg_dirs). A receiver should answer
 * a well-formed message of the wrong direction with ERROR bad_request. */
enum {
  JP_DIR_C2B = 1, /* client -> broker */
  JP_DIR_B2C = 2, /* broker -> client */
  JP_DIR_W2B = 4, /* worker -> broker */
  JP_DIR_B2W = 8, /* broker -> worker */
  JP_DIR_PUB = 16 /* broker event stream */
};

/* Error codes: in ERROR messages, and what a failed decode asks the receiver
 * to reply with. Wire form: the lowercase name ("bad_request", ...). */
enum jp_errcode {
  JP_E_NONE = 0,
  JP_E_BAD_REQUEST,         /* malformed, wrong field type, missing field */
  JP_E_UNSUPPORTED_VERSION, /* "v" is not JP_PROTO_VERSION */
  JP_E_UNKNOWN_TYPE,        /* "type" names no message we know */
  JP_E_TOO_LARGE,           /* a frame, string, or count over a cap */
  JP_E_QUEUE_FULL,
  JP_E_UNKNOWN_SUBMISSION,
  JP_E_UNKNOWN_BLOB,
  JP_E_UNKNOWN_LEASE,
  JP_E_FORBIDDEN,
  JP_E_INTERNAL,
  JP_E__COUNT
};

enum jp_verdict {
  JP_V_NONE = 0, /* not judged (yet); wire: "" */
  JP_V_AC, JP_V_WA, JP_V_TLE, JP_V_MLE, JP_V_OLE, JP_V_RTE, JP_V_CE,
  JP_V_SV, /* security violation: a forbidden system call */
  JP_V_IE, /* internal error (judge's fault, or attempts exhausted) */
  JP_V__COUNT
};

enum jp_priority { /* wire: "contest", "normal", "rejudge", "bulk" */
  JP_PRIO_CONTEST = 0, JP_PRIO_NORMAL, JP_PRIO_REJUDGE, JP_PRIO_BULK, JP_PRIO__COUNT
};

enum jp_state { /* a submission's state; wire: lowercase name */
  JP_ST_UNKNOWN = 0, JP_ST_QUEUED, JP_ST_RUNNING, JP_ST_DONE, JP_ST_CANCELLED,
  JP_ST__COUNT
};

enum jp_event_kind { /* wire: lowercase name */
  JP_EV_QUEUED = 0, JP_EV_STARTED, JP_EV_COMPILED, JP_EV_TEST, JP_EV_REQUEUED,
  JP_EV_DONE, JP_EV_CANCELLED, JP_EV__COUNT
};

/* Binary content (msgpack bin; str accepted on decode). */
struct jp_bytes {
  const uint8_t *data;
  size_t len;
};

/* One file of a problem package, by content. */
struct jp_file_ref {
  const char *path;   /* relative, '/'-separated, no "..", no leading '/' */
  const char *sha256; /* JP_PROTO_HASH_LEN lowercase hex chars */
  uint64_t size;
};

struct jp_problem {
  const char *hash; /* content hash of the whole package (hex sha256) */
  const struct jp_file_ref *files;
  size_t nfiles;
};

struct jp_source {
  const char *name; /* file name, e.g. "main.c" */
  struct jp_bytes content;
};

struct jp_options {
  bool stop_at_first_failure;
  bool all_tests; /* run every test even after a failure; not with stop_at_first_failure */
};

struct jp_test_result {
  const char *name;
  const char *group; /* "" if none */
  enum jp_verdict verdict;
  uint32_t cpu_ms, wall_ms;
  uint64_t memory_kib;
  int32_t exit_code; /* -1 if killed by a signal / not run */
  int32_t signal;    /* 0 if none */
  const char *syscall; /* the denied syscall for SV, else "" */
  const char *message; /* checker / judge message, "" if none */
  double score;        /* the test's score in a scoring problem (result.scoring), else 0 */
};

struct jp_compile_info {
  bool ok;
  const char *message; /* compiler output (bounded), "" if none */
  uint32_t cpu_ms;
};

struct jp_result {
  enum jp_verdict verdict;
  double score;
  struct jp_compile_info compile;
  const struct jp_test_result *tests;
  size_t ntests;
  uint32_t max_cpu_ms;
  uint64_t max_memory_kib;
  bool scoring; /* the problem is scored (print `score`); false: pass-fail */
};

/* ---- message bodies ---- */

struct jp_submit { /* SUBMIT; also the core of JOB */
  const char *sid; /* "" = broker assigns one (returned in ACK) */
  struct jp_problem problem;
  const char *lang;
  const struct jp_source *sources;
  size_t nsources;
  enum jp_priority priority;
  struct jp_options options;
  bool watch; /* SUBMIT only: also WATCH it on this connection (ACK says) */
};

struct jp_hashes { /* BLOB_HAVE, BLOBS_MISSING */
  const char *const *hashes;
  size_t n;
};

struct jp_blob_put { /* BLOB_PUT */
  const char *sha256;
  struct jp_bytes data;
};

struct jp_sid_ref { /* RESULT_GET, CANCEL, STATUS ("" = pool status), WATCH */
  const char *sid;
};

struct jp_drain { /* DRAIN (admin): stop (undo: resume) giving jobs to a worker */
  const char *worker; /* the REGISTER name */
  bool undo;
};

struct jp_ack { /* ACK */
  const char *sid; /* the submission concerned, "" if none */
  bool duplicate;  /* SUBMIT of an id the broker already had */
  bool watching;   /* WATCH, SUBMIT with watch: EVENTs will follow on this connection */
};

struct jp_error { /* ERROR */
  enum jp_errcode code;
  const char *message;
};

struct jp_result_msg { /* RESULT (broker -> client) */
  const char *sid;
  enum jp_state state;
  bool final;      /* true: result is the final verdict */
  bool has_result; /* result present (final, or partial while running) */
  struct jp_result result;
};

struct jp_status_reply { /* STATUS_REPLY */
  const char *sid; /* "" for pool status */
  enum jp_state state;
  uint32_t attempt;
  uint32_t queued, running, workers, free_slots;
  /* pool status only (optional on the wire, 0 when absent) */
  uint32_t queued_contest, queued_normal, queued_rejudge, queued_bulk; /* queued by priority */
  uint32_t slots;     /* judging slots of all live workers */
  uint64_t completed; /* submissions finished since the broker started */
  double rate;        /* submissions finished per second over the last 10 s */
  uint32_t draining;  /* live workers an admin drained (DRAIN) */
};

struct jp_register { /* REGISTER */
  const char *name;
  uint32_t slots;
  const char *const *langs;
  size_t nlangs;
};

struct jp_heartbeat { /* HEARTBEAT, both directions */
  uint32_t free_slots; /* worker -> broker; 0 from the broker */
  uint64_t epoch;      /* broker -> worker: changes when the broker restarts */
  /* worker -> broker, optional (has_leases): every lease it holds (queued,
   * judging, or its result not yet acknowledged); the broker renews only
   * those. Without it, every lease of the worker is renewed. */
  bool has_leases;
  const uint64_t *leases;
  size_t nleases;
};

struct jp_progress { /* PROGRESS */
  const char *sid;
  uint64_t lease;
  uint32_t index; /* 0-based position of this test in the run */
  struct jp_test_result test;
  uint32_t total; /* tests of the problem (0 = not said) */
};

struct jp_job_result { /* JOB_RESULT */
  const char *sid;
  uint64_t lease;
  struct jp_result result;
};

struct jp_blob_get { /* BLOB_GET */
  const char *sha256;
};

struct jp_job { /* JOB */
  uint64_t lease;
  uint32_t attempt; /* 1-based */
  struct jp_submit sub; /* sid always set */
};

struct jp_lease_ref { /* RESULT_ACK, CANCEL_JOB */
  const char *sid;
  uint64_t lease;
};

struct jp_blob { /* BLOB */
  const char *sha256;
  bool found; /* false: the broker has no such blob; data empty */
  struct jp_bytes data;
};

struct jp_event { /* EVENT (PUB body, topic frame = sid; or to a watcher on the clients socket) */
  const char *sid;
  enum jp_event_kind kind;
  uint32_t attempt;
  bool has_test; /* kind == JP_EV_TEST */
  uint32_t index;
  struct jp_test_result test;
  enum jp_verdict verdict; /* kind == JP_EV_DONE (and COMPILED: CE or NONE) */
  double score;
  uint32_t total; /* kind == JP_EV_TEST: tests of the problem (0 = not said) */
};

struct jp_msg {
  enum jp_msg_type type;
  uint64_t rid; /* request id: chosen by the sender; replies echo it */
  union {
    struct jp_submit submit;
    struct jp_hashes blob_have;
    struct jp_blob_put blob_put;
    struct jp_sid_ref result_get, cancel, status, watch;
    struct jp_ack ack;
    struct jp_error error;
    struct jp_result_msg result;
    struct jp_status_reply status_reply;
    struct jp_hashes blobs_missing;
    struct jp_register reg;
    struct jp_heartbeat heartbeat;
    struct jp_progress progress;
    struct jp_job_result job_result;
    struct jp_blob_get blob_get;
    struct jp_job job;
    struct jp_lease_ref result_ack, cancel_job;
    struct jp_blob blob;
    struct jp_event event;
    struct jp_drain drain;
  } u;
  void *arena_; /* internal: what a decode allocated */
};

/* Serialises m into a fresh malloc'd buffer (*out, *outlen; free() it, or
 * hand it to zmq_msg_init_data with a free callback). Refuses (-1) messages
 * the decoder would reject: over a cap, bad enum, NULL string... */
int jp_msg_encode(const struct jp_msg *m, void **out, size_t *outlen, char *err,
                  size_t errlen);

/* Decodes one frame into *m (zeroed first). On failure returns -1 with a
 * sentence in err, m->type == JP_MSG_NONE, *code says which ERROR to answer
 * with (bad_request, unsupported_version, unknown_type, too_large), and m->rid
 * holds the request id if it could be read (else 0), so the reply can echo
 * it. Nothing is left allocated on failure. code may be NULL. */
int jp_msg_decode(const void *buf, size_t len, struct jp_msg *m,
                  enum jp_errcode *code, char *err, size_t errlen);

/* The JOB (rid 0) for a SUBMIT frame as jp_msg_encode wrote it, with the
 * submission's fields copied as bytes instead of decoded and re-encoded:
 * the same frame jp_msg_encode gives for that JOB. Checks the frame's shape
 * (one map, v, type SUBMIT, each JOB field once), not the fields' contents:
 * for frames this process encoded or already decoded. */
int jp_job_from_submit(const void *submit, size_t len, uint64_t lease, uint32_t attempt, void **out,
                       size_t *outlen, char *err, size_t errlen);
/* A JOB built so is at most this many bytes longer than the stored SUBMIT
 * (its own header; the SUBMIT's v, type, rid and watch are left out): a
 * SUBMIT encoding longer than JP_PROTO_MAX_FRAME - JP_PROTO_JOB_HEADER_MAX
 * could make a JOB over the frame cap, so the broker refuses it at intake. */
#define JP_PROTO_JOB_HEADER_MAX 64u

/* The sid and lease of a frame that says it is a JOB but did not decode (a
 * newer broker's, or damaged), so a worker can answer it with IE instead of
 * holding a lease it will never judge. -1 unless the frame is a map with
 * type "JOB", a valid sid and an unsigned lease. */
int jp_job_ref(const void *buf, size_t len, char sid[JP_PROTO_MAX_SID + 1], uint64_t *lease);

/* Frees what jp_msg_decode allocated; safe on a zeroed or hand-built message,
 * and twice. */
void jp_msg_free(struct jp_msg *m);

/* The zero-allocation structural check jp_msg_decode runs first: exactly one
 * msgpack map filling the buffer, nesting <= JP_PROTO_MAX_DEPTH, every count
 * and length within the remaining bytes and JP_PROTO_MAX_ITEMS, no ext
 * types. Exposed for fuzzing and for cheap rejection before queueing. */
int jp_msg_validate(const void *buf, size_t len, enum jp_errcode *code,
                    char *err, size_t errlen);

/* The package's content hash from its manifest (PROTOCOL.md §4.2): sha256
 * over "path\0sha256\0size\n" for each file in bytewise path order. Writes
 * 64 hex chars + NUL. -1 on duplicate paths, a path that is also the
 * directory of another ("a" and "a/b"), or files over the cap. */
int jp_problem_hash(const struct jp_problem *p, char out[JP_PROTO_HASH_LEN + 1], char *err,
                    size_t errlen);

/* Names on the wire, and back. Return NULL / -1 for out-of-range values. */
const char *jp_msg_type_name(enum jp_msg_type t);
int jp_msg_type_parse(const char *s, size_t len); /* -1: unknown */
unsigned jp_msg_dirs(enum jp_msg_type t);          /* JP_DIR_* mask */
const char *jp_errcode_name(enum jp_errcode c);
const char *jp_verdict_name(enum jp_verdict v);
const char *jp_priority_name(enum jp_priority p);
const char *jp_state_name(enum jp_state s);
const char *jp_event_kind_name(enum jp_event_kind k);
int jp_verdict_parse(const char *s, size_t len); /* -1: unknown */

#endif
