/* fake_router.c — a fake broker's ROUTER for unit tests (see the header). */
#include "fake_router.h"

#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "err.h"

int fake_router_start(struct fake_router *r, const char *ep, void *(*serve)(void *), void *arg, char *err,
                      size_t errlen) {
  memset(r, 0, sizeof *r);
  if (!(r->ctx = zmq_ctx_new())) return jp_err(err, errlen, "zmq_ctx_new failed");
  size_t n = sizeof r->ep;
  if (!(r->router = zmq_socket(r->ctx, ZMQ_ROUTER)) || zmq_bind(r->router, ep) < 0 ||
      zmq_getsockopt(r->router, ZMQ_LAST_ENDPOINT, r->ep, &n) < 0) {
    jp_err(err, errlen, "fake broker on %s: %s", ep, zmq_strerror(zmq_errno()));
    if (r->router) zmq_close(r->router);
    zmq_ctx_term(r->ctx);
    return -1;
  }
  if (pthread_create(&r->th, NULL, serve, arg) != 0) {
    zmq_close(r->router);
    zmq_ctx_term(r->ctx);
    return jp_err(err, errlen, "starting the fake broker's thread failed");
  }
  return 0;
}

void fake_router_stop(struct fake_router *r) {
  r->stop = 1;
  pthread_join(r->th, NULL);
  zmq_close(r->router);
  zmq_ctx_term(r->ctx);
}

int fake_router_recv(struct fake_router *r, int ms, uint8_t id[256], size_t *idlen, struct jp_msg *req) {
  zmq_pollitem_t it = {r->router, 0, ZMQ_POLLIN, 0};
  if (zmq_poll(&it, 1, ms) <= 0) return 0;
  zmq_msg_t idm, body;
  zmq_msg_init(&idm);
  zmq_msg_init(&body);
  int got = 0;
  if (zmq_msg_recv(&idm, r->router, 0) >= 0 && zmq_msg_more(&idm) && zmq_msg_recv(&body, r->router, 0) >= 0 &&
      zmq_msg_size(&idm) <= 256 &&
      jp_msg_decode(zmq_msg_data(&body), zmq_msg_size(&body), req, NULL, NULL, 0) == 0) {
    *idlen = zmq_msg_size(&idm);
    memcpy(id, zmq_msg_data(&idm), *idlen);
    got = 1;
  }
  zmq_msg_close(&idm);
  zmq_msg_close(&body);
  return got;
}

int fake_router_send(struct fake_router *r, const uint8_t *id, size_t idlen, const struct jp_msg *m) {
  void *buf;
  size_t len;
  if (jp_msg_encode(m, &buf, &len, NULL, 0) < 0) return -1;
  int rc = zmq_send(r->router, id, idlen, ZMQ_SNDMORE) < 0 || zmq_send(r->router, buf, len, 0) < 0 ? -1 : 0;
  free(buf);
  return rc;
}
