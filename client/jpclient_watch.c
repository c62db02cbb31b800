/* jpclient_watch.c — the admin feed: live events of every submission from
 * the broker's PUB endpoint (admin keys only; clients follow their own
 * submissions with jpc_follow). PUB/SUB drops to late joiners: callers
 * fetch the final verdict by request too. */
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "err.h"
#include "jpclient_internal.h"
#include "sockets.h"

int jpc_watch(const char *events_endpoint, const char *sid, int timeout_ms, jpc_event_fn fn, void *ctx,
              char *err, size_t errlen) {
  void *zctx = zmq_ctx_new();
  if (!zctx) return jp_err(err, errlen, "zmq_ctx_new failed");
  void *s = jp_socket(zctx, JP_SOCK_SUBSCRIBER, events_endpoint, NULL, err, errlen);
  if (!s) {
    zmq_ctx_term(zctx);
    return -1;
  }
  const char *topic = sid ? sid : "";
  zmq_setsockopt(s, ZMQ_SUBSCRIBE, topic, strlen(topic));
  int64_t until = timeout_ms > 0 ? jpc_now_ms() + timeout_ms : 0;
  int rc = 0;
  for (;;) {
    int64_t left = until ? until - jpc_now_ms() : 1000;
    if (left <= 0) break;
    zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, (long)(left > 1000 ? 1000 : left)) <= 0) continue;
    char t[JP_PROTO_MAX_SID + 1];
    int tn = zmq_recv(s, t, sizeof t - 1, 0);
    int more = 0;
    size_t ml = sizeof more;
    zmq_getsockopt(s, ZMQ_RCVMORE, &more, &ml);
    if (tn < 0 || !more) continue;
    zmq_msg_t z;
    zmq_msg_init(&z);
    if (zmq_msg_recv(&z, s, 0) < 0) {
      zmq_msg_close(&z);
      continue;
    }
    /* exact topic match: "s1" must not see "s10" */
    int match = !sid || ((size_t)tn == strlen(sid) && !memcmp(t, sid, (size_t)tn));
    struct jp_msg m;
    if (match && jp_msg_decode(zmq_msg_data(&z), zmq_msg_size(&z), &m, NULL, NULL, 0) == 0) {
      int stop = m.type == JP_MSG_EVENT ? fn(ctx, &m.u.event) : 0;
      jp_msg_free(&m);
      zmq_msg_close(&z);
      if (stop) break;
      continue;
    }
    zmq_msg_close(&z);
  }
  zmq_close(s);
  zmq_ctx_term(zctx);
  return rc;
}
