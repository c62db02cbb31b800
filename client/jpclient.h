/* jpclient.h — the judgepool client library: submit to a broker, fetch
 * results, watch live progress, cancel, ask for status. The `judge` CLI is
 * built on it; programs can embed it (link jp_client).
 *
 * Every call that can fail returns -1 with a sentence in err. Requests are
 * retried on silence (the broker may be restarting): submissions carry
 * client-chosen ids, so a retried SUBMIT is idempotent. */
#ifndef JP_CLIENT_H
#define JP_CLIENT_H

#include <stddef.h>
#include <stdio.h>

#include "jpclient_auth.h" /* jpc_set_auth: call before jpc_open */
#include "proto.h"

struct jpc;

/* Connects to the broker's client endpoint (e.g. tcp://host:7700). name
 * identifies the client for fairness between clients (NULL = "judge"). */
int jpc_open(struct jpc **out, const char *endpoint, const char *name, char *err, size_t errlen);
void jpc_close(struct jpc *c);
/* Per-request reply timeout in ms (default 5000) and total retry budget
 * (default 30000). */
void jpc_set_timeouts(struct jpc *c, int reply_ms, int total_ms);

/* $JUDGE_BROKER, else tcp://127.0.0.1:7700. */
const char *jpc_default_endpoint(void);

/* The event endpoint next to a client endpoint: the same host, port + 2. */
int jpc_events_endpoint(const char *endpoint, char *out, size_t outlen);

/* A problem package by content: every regular file under dir, hashed. */
struct jpc_problem;
int jpc_problem_scan(const char *dir, struct jpc_problem **out, char *err, size_t errlen);
void jpc_problem_free(struct jpc_problem *p);
/* Sends the hashes, then only the files the broker lacks. */
int jpc_problem_upload(struct jpc *c, struct jpc_problem *p, char *err, size_t errlen);

struct jpc_submission {
  const char *sid;                /* NULL: the library makes a unique one */
  const char *lang;               /* e.g. "c", "cpp", "python3"; NULL: from the extension */
  const char *const *sources;     /* paths of source files */
  size_t nsources;
  const struct jp_source *contents; /* or, when sources is NULL: in memory */
  enum jp_priority priority;
  int stop_at_first_failure;
  int all_tests; /* run every test even after a failure (not with stop_at_first_failure) */
  int watch;     /* also WATCH it on this connection from its ACK on: pass watching = 1 to jpc_follow */
};

/* Submits one; sid_out (>= JP_PROTO_MAX_SID + 1 bytes) receives the id.
 * Returns 0 once the broker has it on disk; *duplicate = 1 if it already
 * had that id. A full queue is an error ("queue full"). */
int jpc_submit(struct jpc *c, const struct jpc_problem *p, const struct jpc_submission *s, char *sid_out,
               int *duplicate, char *err, size_t errlen);
/* Submits many with up to `window` in flight; waits and retries when the
 * broker says the queue is full. sids[i] get the ids. */
int jpc_submit_many(struct jpc *c, const struct jpc_problem *p, const struct jpc_submission *s, size_t n,
                    size_t window, char (*sids)[JP_PROTO_MAX_SID + 1], char *err, size_t errlen);

/* Fetches the result of sid into *out (a RESULT message; jp_msg_free it).
 * wait_ms > 0 polls until the verdict is final or the time is up. Returns
 * 1 final, 0 not final yet, -1 error (unknown id included). */
int jpc_result(struct jpc *c, const char *sid, int wait_ms, struct jp_msg *out, char *err, size_t errlen);
/* STATUS: sid NULL/"" = the pool. *out is a STATUS_REPLY; jp_msg_free it. */
int jpc_status(struct jpc *c, const char *sid, struct jp_msg *out, char *err, size_t errlen);
int jpc_cancel(struct jpc *c, const char *sid, char *err, size_t errlen);
/* DRAIN (admin): the worker named `worker` gets no new jobs (undo: again). */
int jpc_drain(struct jpc *c, const char *worker, int undo, char *err, size_t errlen);

/* The language id for a source file name by its extension ("c", "cpp",
 * "python3", "java", "kotlin", "go", "rust"), or NULL. */
const char *jpc_lang_for_file(const char *path);

/* Everything at once: scan + upload the problem, submit, wait for the final
 * verdict (wait_ms, 0 = forever). *out is the RESULT message. */
int jpc_judge(const char *endpoint, const char *problem_dir, const char *lang, const char *const *sources,
              size_t nsources, enum jp_priority prio, int wait_ms, struct jp_msg *out, char *err,
              size_t errlen);

typedef int (*jpc_event_fn)(void *ctx, const struct jp_event *ev);

/* Follows one submission the key may read (its own; any for an admin) over
 * this connection: WATCH (unless watching: the SUBMIT had .watch), fn for
 * each EVENT (may be NULL; its return value is ignored), then the final
 * RESULT in *out (jp_msg_free it). Lost events and broker restarts are
 * covered: silence makes it WATCH again, which answers with the final
 * RESULT once there is one; a broker holding too many watches makes it
 * poll. wait_ms 0 = until final. Returns 1 final, 0 not final within
 * wait_ms (*out the latest RESULT), -1 error (forbidden, unknown id...). */
int jpc_follow(struct jpc *c, const char *sid, int watching, int wait_ms, jpc_event_fn fn, void *ctx,
               struct jp_msg *out, char *err, size_t errlen);

/* The admin feed: live events for sid (NULL = all) from the event endpoint
 * (PUB; the broker admits admin keys only there), until fn returns nonzero
 * or timeout_ms passes (0 = forever). Returns 0, or -1. */
int jpc_watch(const char *events_endpoint, const char *sid, int timeout_ms, jpc_event_fn fn, void *ctx,
              char *err, size_t errlen);

/* Human-readable verdict, per-test lines and resources, as `judge result`
 * prints it. */
void jpc_print_result(FILE *f, const struct jp_result_msg *r);

#endif
