/* jpclient_follow.c — one submission's progress over the clients socket
 * (WATCH): the broker sends its EVENTs to this connection only, and only
 * if the key may read it. Events may be lost (a full pipe, a broker
 * restart, a reconnect); silence is answered by WATCHing again, which the
 * broker answers with the final RESULT once there is one, so the verdict
 * always arrives. The final event is answered the same way: one WATCH. */
#include <string.h>

#include "err.h"
#include "jpclient_internal.h"

/* Quiet this long and we ask again (WATCH is idempotent). */
#define FOLLOW_SILENCE_MS 3000

/* WATCH sid. 1: *out is the final RESULT; 0: watching (or, after 'poll',
 * events will not come: the caller polls); -1: error in err. */
static int send_watch(struct jpc *c, const char *sid, int *poll, struct jp_msg *out, char *err, size_t errlen) {
  struct jp_msg req = {.type = JP_MSG_WATCH}, rep;
  req.u.watch.sid = sid;
  if (jpc_request(c, &req, &rep, err, errlen) < 0) return -1;
  if (rep.type == JP_MSG_RESULT && rep.u.result.final) {
    *out = rep;
    return 1;
  }
  int rc = 0;
  if (rep.type == JP_MSG_ERROR && rep.u.error.code == JP_E_QUEUE_FULL)
    *poll = 1; /* the broker holds too many watches: the verdict by polling */
  else if (rep.type == JP_MSG_ERROR)
    rc = jp_err(err, errlen, "%s: %s: %s", sid, jp_errcode_name(rep.u.error.code), rep.u.error.message);
  else if (rep.type != JP_MSG_ACK && rep.type != JP_MSG_RESULT)
    rc = jp_err(err, errlen, "unexpected %s reply to WATCH", jp_msg_type_name(rep.type));
  jp_msg_free(&rep);
  return rc;
}

int jpc_follow(struct jpc *c, const char *sid, int watching, int wait_ms, jpc_event_fn fn, void *ctx,
               struct jp_msg *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  int64_t deadline = wait_ms > 0 ? jpc_now_ms() + wait_ms : 0;
  int64_t heard = jpc_now_ms();
  int need_watch = !watching, poll = 0;
  for (;;) {
    if (need_watch && !poll) {
      int r = send_watch(c, sid, &poll, out, err, errlen);
      if (r != 0) return r;
      need_watch = 0;
      heard = jpc_now_ms();
    }
    int64_t now = jpc_now_ms();
    if (poll) {
      int left = deadline ? (int)(deadline - now) : 0x7fffffff;
      return jpc_result(c, sid, left > 0 ? left : 1, out, err, errlen);
    }
    if (deadline && now >= deadline) return jpc_result(c, sid, 0, out, err, errlen);
    int64_t wait = heard + FOLLOW_SILENCE_MS - now;
    if (deadline && deadline - now < wait) wait = deadline - now;
    struct jp_msg m;
    char e2[256];
    if (wait <= 0 || jpc_recv(c, (int)wait, &m, e2, sizeof e2) < 0) {
      if (jpc_now_ms() - heard >= FOLLOW_SILENCE_MS) need_watch = 1;
      continue;
    }
    /* other replies (late answers to earlier requests) are not ours */
    if (m.type != JP_MSG_EVENT || strcmp(m.u.event.sid, sid)) {
      jp_msg_free(&m);
      continue;
    }
    heard = jpc_now_ms();
    enum jp_event_kind k = m.u.event.kind;
    if (fn) fn(ctx, &m.u.event);
    jp_msg_free(&m);
    /* the final event: WATCH now answers with the final RESULT (the broker
     * stores it before it sends the event); one not visible yet is asked
     * again after the usual silence */
    if (k == JP_EV_DONE || k == JP_EV_CANCELLED) need_watch = 1;
  }
}
