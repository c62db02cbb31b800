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

struct jp_keypair;

/* Authentication of one socket. Broker roles: kp is the broker's own key
 * pair (jp_curve_server, admitting workers on the workers socket, clients
 * and admins on the clients and events sockets). Connecting roles: kp is the
 * peer's own key pair and server_public the broker's public key
 * (jp_curve_client). kp NULL = no CURVE at all (--insecure). */
struct jp_sock_auth {
  const struct jp_keypair *kp;
  const char *server_public; /* Z85, connecting roles only */
};

/* Creates the socket for `role`, sets its options (MAXMSGSIZE, HWMs,
 * linger, ROUTER_MANDATORY, IMMEDIATE, reconnect backoff, TCP keepalive,
 * CURVE from auth) before it binds or connects it to endpoint, because
 * libzmq applies security options only to connections made after them.
 * routing_id may be NULL; auth NULL or auth->kp NULL = plain. Returns the
 * socket or NULL with err set. */
void *jp_socket_auth(void *ctx, enum jp_sock_role role, const char *endpoint, const char *routing_id,
                     const struct jp_sock_auth *auth, char *err, size_t errlen);

/* jp_socket_auth with this process's default identity for connecting roles
 * (set by jp_socket_set_identity; none = plain). Broker roles get no
 * default: the broker passes its key pair explicitly. */
void *jp_socket(void *ctx, enum jp_sock_role role, const char *endpoint, const char *routing_id,
                char *err, size_t errlen);

/* The identity every later jp_socket() of a connecting role (worker,
 * client, subscriber) in this process uses: own secret certificate file
 * and the broker's public certificate file or Z85 key. Loaded and checked
 * here (so a bad file is reported at start, not at the first connect).
 * cert NULL clears it (plain sockets, for a broker run with --insecure).
 * Call before creating sockets; not thread-safe against jp_socket. */
int jp_socket_set_identity(const char *cert, const char *broker_key, char *err, size_t errlen);
/* 1 when an identity is set. */
int jp_socket_has_identity(void);

#endif
