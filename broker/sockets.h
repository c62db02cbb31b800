/* sockets.h — every judgepool ZeroMQ socket is created here, so the options
 * that matter (REFERENCE.md §4) are set deliberately in one place, and
 * authentication (CURVE/ZAP, a later issue) has one place to go. */
#ifndef JP_SOCKETS_H
#define JP_SOCKETS_H

#include <stddef.h>

enum jp_sock_role {
  JP_SOCK_BROKER_CLIENTS, /* ROUTER, bind: clients */
  JP_SOCK_BROKER_WORKERS, /* ROUTER, bind: workers */
  JP_SOCK_BROKER_EVENTS,  /* PUB, bind: live progress */
  JP_SOCK_WORKER,         /* DEALER, connect: a worker to the broker */
  JP_SOCK_CLIENT,         /* DEALER, connect: a client to the broker */
  JP_SOCK_SUBSCRIBER,     /* SUB, connect: a live view */
};

/* Creates the socket for `role`, sets its options (MAXMSGSIZE, HWMs,
 * linger, ROUTER_MANDATORY, IMMEDIATE, reconnect backoff, TCP keepalive),
 * then binds or connects it to endpoint. routing_id may be NULL. Returns
 * the socket or NULL with err set. */
void *jp_socket(void *ctx, enum jp_sock_role role, const char *endpoint, const char *routing_id,
                char *err, size_t errlen);

#endif
