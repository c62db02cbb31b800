/* fake_router.h — a fake broker's socket for unit tests that script one (the
 * client's jpc_follow, the worker's problem cache): a ROUTER served by a
 * thread of the test's own, with the frame handling (routing id + one
 * judgepool message) every such fake repeats. */
#ifndef JP_FAKE_ROUTER_H
#define JP_FAKE_ROUTER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct fake_router {
  void *ctx, *router;
  char ep[128];      /* the endpoint bound (tcp port resolved) */
  volatile int stop; /* set by fake_router_stop: the serve loop ends */
  pthread_t th;
};

/* Binds a ROUTER on ep ("tcp://127.0.0.1:*", "ipc://...") and runs
 * serve(arg) in a thread, which loops until r->stop. 0, or -1 with err. */
int fake_router_start(struct fake_router *r, const char *ep, void *(*serve)(void *), void *arg, char *err,
                      size_t errlen);
/* Stops and joins the thread, closes the socket and its context. */
void fake_router_stop(struct fake_router *r);
/* Waits up to ms for one request: 1 with its routing id in id (*idlen, at
 * most 256 bytes) and decoded into *req (jp_msg_free it), 0 when none came
 * or it was not a decodable judgepool message. */
int fake_router_recv(struct fake_router *r, int ms, uint8_t id[256], size_t *idlen, struct jp_msg *req);
/* Sends m to the peer with routing id (id, idlen). 0 or -1. */
int fake_router_send(struct fake_router *r, const uint8_t *id, size_t idlen, const struct jp_msg *m);

#endif
