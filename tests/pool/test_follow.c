/* test_follow.c — jpc_follow against a scripted fake broker (a ROUTER
 * socket in a thread) that records every request: when the final event
 * arrives the verdict comes from one WATCH (no RESULT_GET besides), and
 * when the final event is lost the WATCH sent after the silence brings it. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_router.h"
#include "jpclient.h"

#define SID "f-1"
#define MAX_REQS 8

struct fake {
  struct fake_router r;
  int send_done;                    /* 1: the final event is sent; 0: it is "lost" */
  enum jp_msg_type reqs[MAX_REQS];  /* what the client asked, in order */
  int nreqs;
  uint8_t peer[256];                /* the client's routing id */
  size_t peer_len;
};

/* One frame pair (routing id, body) to the client; 0 or -1. */
static int reply(struct fake *f, const struct jp_msg *m) { return fake_router_send(&f->r, f->peer, f->peer_len, m); }

static int event(struct fake *f, enum jp_event_kind k) {
  struct jp_msg e = {.type = JP_MSG_EVENT};
  e.u.event.sid = SID;
  e.u.event.kind = k;
  e.u.event.attempt = 1;
  e.u.event.verdict = k == JP_EV_DONE ? JP_V_WA : JP_V_NONE;
  return reply(f, &e);
}

/* The first request is answered as a watch, every later one with the
 * final RESULT (WA), as the broker answers WATCH and RESULT_GET of a
 * finished submission. */
static int answer(struct fake *f, const struct jp_msg *req) {
  if (req->type != JP_MSG_WATCH && req->type != JP_MSG_RESULT_GET) {
    struct jp_msg e = {.type = JP_MSG_ERROR, .rid = req->rid};
    e.u.error.code = JP_E_BAD_REQUEST;
    e.u.error.message = "the fake broker answers WATCH and RESULT_GET only";
    return reply(f, &e);
  }
  if (f->nreqs == 1) {
    struct jp_msg a = {.type = JP_MSG_ACK, .rid = req->rid};
    a.u.ack.sid = SID;
    a.u.ack.watching = true;
    if (reply(f, &a) < 0 || event(f, JP_EV_STARTED) < 0) return -1;
    return f->send_done ? event(f, JP_EV_DONE) : 0;
  }
  struct jp_msg r = {.type = JP_MSG_RESULT, .rid = req->rid};
  r.u.result.sid = SID;
  r.u.result.state = JP_ST_DONE;
  r.u.result.final = true;
  r.u.result.has_result = true;
  r.u.result.result.verdict = JP_V_WA;
  r.u.result.result.compile.ok = true;
  r.u.result.result.compile.message = "";
  return reply(f, &r);
}

static void *serve(void *arg) {
  struct fake *f = arg;
  while (!f->r.stop) {
    struct jp_msg req;
    if (!fake_router_recv(&f->r, 50, f->peer, &f->peer_len, &req)) continue;
    if (f->nreqs < MAX_REQS) f->reqs[f->nreqs++] = req.type;
    answer(f, &req);
    jp_msg_free(&req);
  }
  return NULL;
}

static struct fake *fake_start(int send_done) {
  struct fake *f = calloc(1, sizeof *f);
  assert_non_null(f);
  f->send_done = send_done;
  char err[256];
  if (fake_router_start(&f->r, "tcp://127.0.0.1:*", serve, f, err, sizeof err) < 0) fail_msg("%s", err);
  return f;
}

static int count_event(void *ctx, const struct jp_event *e) {
  (void)e;
  ++*(int *)ctx;
  return 0;
}

/* Follows SID (jpc_follow sends the first WATCH) from a fake broker that
 * sends the final event or not: the verdict arrives, after the events
 * expected, through exactly two requests, both WATCH (the second on the
 * final event, or after the silence when it was lost). */
static void follow(int send_done, int events_expected) {
  struct fake *f = fake_start(send_done);
  struct jpc_auth plain = {.insecure = 1};
  char err[512];
  assert_int_equal(jpc_set_auth(&plain, err, sizeof err), 0);
  struct jpc *c;
  assert_int_equal(jpc_open(&c, f->r.ep, "follow-test", err, sizeof err), 0);
  struct jp_msg r;
  int events = 0;
  int rc = jpc_follow(c, SID, 0, 20000, count_event, &events, &r, err, sizeof err);
  if (rc != 1) fail_msg("jpc_follow: %d: %s", rc, err);
  assert_true(r.u.result.final && r.u.result.has_result);
  assert_int_equal(r.u.result.result.verdict, JP_V_WA);
  jp_msg_free(&r);
  jpc_close(c);
  fake_router_stop(&f->r);
  assert_int_equal(events, events_expected);
  assert_int_equal(f->nreqs, 2);
  assert_int_equal(f->reqs[0], JP_MSG_WATCH);
  assert_int_equal(f->reqs[1], JP_MSG_WATCH);
  free(f);
}

/* started, done: the verdict from the WATCH sent on "done" (no RESULT_GET) */
static void final_event_then_one_watch(void **st) {
  (void)st;
  follow(1, 2);
}

/* started only: the WATCH after the silence brings the verdict */
static void lost_final_event(void **st) {
  (void)st;
  follow(0, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(final_event_then_one_watch), cmocka_unit_test(lost_final_event)};
  return cmocka_run_group_tests_name("client_follow", tests, NULL, NULL);
}
