/* pool_client.c — test driver built on the client library. Submissions are
 * fake-runner sources whose verdict follows from their index, so a check
 * knows exactly what a calm run gives:
 *   pool_client submit BROKER PREFIX N [SLEEP_MS] [PRIO]  (ids PREFIX-0..N-1)
 *   pool_client check  BROKER PREFIX N TIMEOUT_S
 *     every id has exactly its expected final verdict; prints counts;
 *     exit 0 only if all N match.
 *   pool_client crash  BROKER ID    (a source that kills the worker)
 *   pool_client judge  BROKER PROBLEM_DIR SOURCE  (prints the verdict)
 *   pool_client one    BROKER SID   (one submission, no retry on queue full)
 *   pool_client status BROKER       (prints "workers N" and the STATUS_REPLY fields)
 *   pool_client get BROKER SID      (prints "verdict V", "state S" or "error CODE: text")
 *   pool_client cancel BROKER SID   (prints "ok" or "error CODE: text")
 *   pool_client keygen BASENAME     (writes BASENAME + BASENAME_secret, prints the public key)
 *   pool_client follow BROKER SID [new [SOURCE-TEXT] | lost]
 *     follows SID over the clients socket (jpc_follow): "new" submits it
 *     first with watch (source text default "verdict=AC sleep=600"); "lost"
 *     claims a watch that was never asked for, as if every event, the final
 *     one included, were lost; prints "event KIND[ TEST-NAME]" per EVENT,
 *     then "verdict V" (or "error ...")
 *   pool_client watchreq BROKER SID (one WATCH: "watching", "verdict V" or "error CODE: text")
 *   pool_client sub EVENTS SECONDS  (the admin PUB feed for that long: "events N")
 * $POOL_CLIENT_NAME names the client (fairness key; default "tester").
 * $POOL_CERT and $POOL_BROKER_KEY: authenticate with CURVE (jpc_set_auth);
 * without them the sockets are plain (a broker run with --insecure).
 * $POOL_TIMEOUT_MS: total retry budget per request (default 60000).
 * $POOL_LANG: the language of `one` (default c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jpclient.h"
#include "jpclient_auth.h"
#include "jpclient_internal.h"
#include "zauth.h"

static int print_event(void *ctx, const struct jp_event *e) {
  (void)ctx;
  if (e->kind == JP_EV_TEST) printf("event test %s\n", e->test.name);
  else printf("event %s\n", jp_event_kind_name(e->kind));
  fflush(stdout);
  return 0;
}

static int count_event(void *ctx, const struct jp_event *e) {
  (void)e;
  ++*(int *)ctx;
  return 0;
}

static const char *expected(size_t i) {
  if (i % 5 == 1) return "WA";
  if (i % 7 == 2) return "TLE";
  return "AC";
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: pool_client submit|check|crash|status|get|cancel BROKER ... | keygen BASENAME\n");
    return 2;
  }
  const char *mode = argv[1], *broker = argv[2];
  char err[512];
  if (!strcmp(mode, "keygen")) {
    struct jp_keypair kp;
    if (jp_keypair_new(&kp, err, sizeof err) < 0 || jp_cert_write(argv[2], &kp, 1, err, sizeof err) < 0) {
      fprintf(stderr, "pool_client: %s\n", err);
      return 2;
    }
    printf("%s\n", kp.public_z85);
    jp_keypair_wipe(&kp);
    return 0;
  }
  const char *cert = getenv("POOL_CERT"), *bkey = getenv("POOL_BROKER_KEY");
  if (cert && *cert) {
    struct jpc_auth a = {.cert = cert, .broker_key = bkey};
    if (jpc_set_auth(&a, err, sizeof err) < 0) {
      fprintf(stderr, "pool_client: %s\n", err);
      return 2;
    }
  }
  if (!strcmp(mode, "sub") && argc >= 4) {
    int n = 0;
    if (jpc_watch(broker, NULL, atoi(argv[3]) * 1000, count_event, &n, err, sizeof err) < 0) {
      fprintf(stderr, "pool_client: %s\n", err);
      return 2;
    }
    printf("events %d\n", n);
    return 0;
  }
  struct jpc *c;
  const char *cname = getenv("POOL_CLIENT_NAME");
  if (jpc_open(&c, broker, cname && *cname ? cname : "tester", err, sizeof err) < 0) {
    fprintf(stderr, "pool_client: %s\n", err);
    return 2;
  }
  const char *tmo = getenv("POOL_TIMEOUT_MS"); /* total retry budget; tests of refusal keep it short */
  jpc_set_timeouts(c, 3000, tmo && atoi(tmo) > 0 ? atoi(tmo) : 60000);
  int rc = 0;
  if (!strcmp(mode, "judge") && argc >= 5) {
    struct jp_msg r;
    const char *srcs[] = {argv[4]};
    if (jpc_judge(broker, argv[3], NULL, srcs, 1, JP_PRIO_CONTEST, 120000, &r, err, sizeof err) < 0) {
      fprintf(stderr, "pool_client: %s\n", err);
      rc = 2;
    } else {
      jpc_print_result(stdout, &r.u.result);
      jp_msg_free(&r);
    }
  } else if (!strcmp(mode, "one") && argc >= 4) {
    struct jp_source src = {.name = "main.c", .content = {(const uint8_t *)"verdict=AC", 10}};
    const char *lang = getenv("POOL_LANG"); /* default c */
    struct jpc_submission s = {.sid = argv[3], .lang = lang && *lang ? lang : "c", .contents = &src, .nsources = 1,
                               .priority = JP_PRIO_BULK};
    char sid[JP_PROTO_MAX_SID + 1];
    if (jpc_submit(c, NULL, &s, sid, NULL, err, sizeof err) < 0) {
      printf("error: %s\n", err);
      rc = 1;
    } else {
      printf("ok %s\n", sid);
    }
  } else if (!strcmp(mode, "follow") && argc >= 4) {
    int watching = 0;
    if (argc >= 5 && !strcmp(argv[4], "new")) {
      const char *text = argc >= 6 ? argv[5] : "verdict=AC sleep=600";
      struct jp_source src = {.name = "main.c", .content = {(const uint8_t *)text, strlen(text)}};
      struct jpc_submission s = {.sid = argv[3], .lang = "c", .contents = &src, .nsources = 1,
                                 .priority = JP_PRIO_NORMAL, .watch = 1};
      if (jpc_submit(c, NULL, &s, NULL, NULL, err, sizeof err) < 0) {
        printf("error %s\n", err);
        jpc_close(c);
        return 1;
      }
      watching = 1;
    } else if (argc >= 5 && !strcmp(argv[4], "lost")) {
      watching = 1;
    }
    struct jp_msg r;
    int f = jpc_follow(c, argv[3], watching, 60000, print_event, NULL, &r, err, sizeof err);
    if (f < 0) {
      printf("error %s\n", err);
      rc = 1;
    } else {
      printf(f == 1 && r.u.result.has_result ? "verdict %s\n" : "state %s\n",
             f == 1 && r.u.result.has_result ? jp_verdict_name(r.u.result.result.verdict) : jp_state_name(r.u.result.state));
      rc = f == 1 ? 0 : 1;
      jp_msg_free(&r);
    }
  } else if (!strcmp(mode, "watchreq") && argc >= 4) {
    struct jp_msg req = {.type = JP_MSG_WATCH}, r;
    req.u.watch.sid = argv[3];
    if (jpc_request(c, &req, &r, err, sizeof err) < 0) {
      fprintf(stderr, "pool_client: %s\n", err);
      rc = 2;
    } else {
      if (r.type == JP_MSG_ERROR) {
        printf("error %s: %s\n", jp_errcode_name(r.u.error.code), r.u.error.message);
        rc = 1;
      } else if (r.type == JP_MSG_ACK && r.u.ack.watching) {
        printf("watching\n");
      } else if (r.type == JP_MSG_RESULT && r.u.result.has_result) {
        printf("verdict %s\n", jp_verdict_name(r.u.result.result.verdict));
      } else {
        printf("unexpected %s\n", jp_msg_type_name(r.type));
        rc = 1;
      }
      jp_msg_free(&r);
    }
  } else if (!strcmp(mode, "status")) {
    struct jp_msg r;
    if (jpc_status(c, NULL, &r, err, sizeof err) < 0) {
      fprintf(stderr, "pool_client: %s\n", err);
      rc = 2;
    } else { /* jpc_status answers 0 for a STATUS_REPLY only */
      const struct jp_status_reply *st = &r.u.status_reply;
      printf("workers %u\nqueued %u\nrunning %u\nfree_slots %u\n", st->workers, st->queued, st->running,
             st->free_slots);
      printf("queued_contest %u\nqueued_normal %u\nqueued_rejudge %u\nqueued_bulk %u\nslots %u\n"
             "completed %llu\nrate %.1f\n",
             st->queued_contest, st->queued_normal, st->queued_rejudge, st->queued_bulk, st->slots,
             (unsigned long long)st->completed, st->rate);
      jp_msg_free(&r);
    }
  } else if ((!strcmp(mode, "get") || !strcmp(mode, "cancel")) && argc >= 4) {
    struct jp_msg req = {.type = !strcmp(mode, "get") ? JP_MSG_RESULT_GET : JP_MSG_CANCEL}, r;
    if (req.type == JP_MSG_RESULT_GET) req.u.result_get.sid = argv[3];
    else req.u.cancel.sid = argv[3];
    if (jpc_request(c, &req, &r, err, sizeof err) < 0) {
      fprintf(stderr, "pool_client: %s\n", err);
      rc = 2;
    } else {
      if (r.type == JP_MSG_ERROR) {
        printf("error %s: %s\n", jp_errcode_name(r.u.error.code), r.u.error.message ? r.u.error.message : "");
        rc = 1;
      } else if (r.type == JP_MSG_RESULT && r.u.result.final && r.u.result.has_result)
        printf("verdict %s\n", jp_verdict_name(r.u.result.result.verdict));
      else if (r.type == JP_MSG_RESULT)
        printf("state %s\n", jp_state_name(r.u.result.state));
      else
        printf("ok\n");
      jp_msg_free(&r);
    }
  } else if (!strcmp(mode, "crash") && argc >= 4) {
    struct jp_source src = {.name = "main.c", .content = {(const uint8_t *)"crash", 5}};
    struct jpc_submission s = {.sid = argv[3], .lang = "c", .contents = &src, .nsources = 1, .priority = JP_PRIO_NORMAL};
    char sid[JP_PROTO_MAX_SID + 1];
    if (jpc_submit(c, NULL, &s, sid, NULL, err, sizeof err) < 0) {
      fprintf(stderr, "pool_client: %s\n", err);
      rc = 2;
    }
  } else if (!strcmp(mode, "submit") && argc >= 5) {
    size_t n = strtoul(argv[4], NULL, 10);
    long sleep_ms = argc > 5 ? atol(argv[5]) : 0;
    int prio = argc > 6 ? atoi(argv[6]) : JP_PRIO_NORMAL;
    struct jpc_submission *s = calloc(n, sizeof *s);
    struct jp_source *src = calloc(n, sizeof *src);
    char (*text)[64] = calloc(n, 64);
    char (*ids)[JP_PROTO_MAX_SID + 1] = calloc(n, sizeof *ids);
    char (*out)[JP_PROTO_MAX_SID + 1] = calloc(n, sizeof *out);
    for (size_t i = 0; i < n; i++) {
      snprintf(ids[i], sizeof ids[i], "%s-%zu", argv[3], i);
      snprintf(text[i], 64, "verdict=%s sleep=%ld", expected(i), sleep_ms);
      src[i] = (struct jp_source){.name = "main.c", .content = {(const uint8_t *)text[i], strlen(text[i])}};
      s[i] = (struct jpc_submission){.sid = ids[i], .lang = "c", .contents = &src[i], .nsources = 1,
                                     .priority = (enum jp_priority)prio};
    }
    if (jpc_submit_many(c, NULL, s, n, 64, out, err, sizeof err) < 0) {
      fprintf(stderr, "pool_client: %s\n", err);
      rc = 2;
    } else {
      printf("submitted %zu\n", n);
    }
    free(s), free(src), free(text), free(ids), free(out);
  } else if (!strcmp(mode, "check") && argc >= 6) {
    size_t n = strtoul(argv[4], NULL, 10);
    int timeout = atoi(argv[5]);
    size_t ok = 0, wrong = 0, missing = 0;
    char sid[JP_PROTO_MAX_SID + 1];
    int64_t left_ms = (int64_t)timeout * 1000;
    for (size_t i = 0; i < n; i++) {
      snprintf(sid, sizeof sid, "%s-%zu", argv[3], i);
      struct jp_msg r;
      int wait = left_ms > 0 ? (int)left_ms : 1;
      int f = jpc_result(c, sid, wait, &r, err, sizeof err);
      if (f == 1) {
        const char *v = r.u.result.has_result ? jp_verdict_name(r.u.result.result.verdict) : "none";
        if (!strcmp(v, expected(i)) && r.u.result.result.ntests == 3 && r.u.result.result.max_memory_kib > 0) ok++;
        else {
          wrong++;
          fprintf(stderr, "%s: got %s, expected %s\n", sid, v, expected(i));
        }
        jp_msg_free(&r);
      } else {
        missing++;
        if (f == 0) jp_msg_free(&r);
        fprintf(stderr, "%s: no final verdict (%s)\n", sid, f < 0 ? err : "not final");
        left_ms = 0; /* don't wait again for every other one */
      }
    }
    printf("ok %zu wrong %zu missing %zu\n", ok, wrong, missing);
    rc = ok == n ? 0 : 1;
  } else {
    fprintf(stderr, "pool_client: bad arguments\n");
    rc = 2;
  }
  jpc_close(c);
  return rc;
}
