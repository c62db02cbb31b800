/* sockets.c — socket options for every role (see sockets.h). */
#include "sockets.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "err.h"
#include "proto.h"
#include "zauth.h"

/* the process default identity for connecting roles (jp_socket) */
static struct jp_keypair g_own;
static char g_broker_pub[JP_Z85_KEY_LEN + 1];
static int g_have;

int jp_socket_set_identity(const char *cert, const char *broker_key, char *err, size_t errlen) {
  jp_keypair_wipe(&g_own);
  g_broker_pub[0] = 0;
  g_have = 0;
  if (!cert) return 0;
  if (!broker_key || !*broker_key)
    return jp_err(err, errlen, "--broker-key missing: the broker's public certificate (or its Z85 key) "
                  "is needed with --cert");
  char sub[512];
  if (jp_cert_load_secret(cert, &g_own, sub, sizeof sub) < 0)
    return jp_err(err, errlen, "own certificate: %s", sub);
  if (jp_cert_load_public(broker_key, g_broker_pub, sub, sizeof sub) < 0) {
    jp_keypair_wipe(&g_own);
    return jp_err(err, errlen, "broker key: %s", sub);
  }
  g_have = 1;
  return 0;
}

int jp_socket_has_identity(void) { return g_have; }

/* libzmq takes tcp://host:99999 and listens on 99999 mod 65536; the log
 * would then name a port nobody listens on */
static int tcp_port_ok(const char *endpoint) {
  if (strncmp(endpoint, "tcp://", 6)) return 1;
  const char *c = strrchr(endpoint, ':');
  if (!c || c < endpoint + 6) return 1; /* libzmq says what is wrong */
  if (!strcmp(c + 1, "*")) return 1;
  char *end;
  long port = strtol(c + 1, &end, 10);
  return end != c + 1 && *end == 0 && port >= 1 && port <= 65535;
}

static int opt_int(void *s, int opt, int v) { return zmq_setsockopt(s, opt, &v, sizeof v); }

void *jp_socket(void *ctx, enum jp_sock_role role, const char *endpoint, const char *routing_id,
                char *err, size_t errlen) {
  struct jp_sock_auth a = {.kp = &g_own, .server_public = g_broker_pub};
  int connecting = role > JP_SOCK_BROKER_EVENTS;
  return jp_socket_auth(ctx, role, endpoint, routing_id, connecting && g_have ? &a : NULL, err, errlen);
}

void *jp_socket_auth(void *ctx, enum jp_sock_role role, const char *endpoint, const char *routing_id,
                     const struct jp_sock_auth *auth, char *err, size_t errlen) {
  static const int types[] = {
      [JP_SOCK_BROKER_CLIENTS] = ZMQ_ROUTER, [JP_SOCK_BROKER_WORKERS] = ZMQ_ROUTER,
      [JP_SOCK_BROKER_EVENTS] = ZMQ_PUB,     [JP_SOCK_WORKER] = ZMQ_DEALER,
      [JP_SOCK_CLIENT] = ZMQ_DEALER,         [JP_SOCK_SUBSCRIBER] = ZMQ_SUB,
  };
  if ((unsigned)role > JP_SOCK_SUBSCRIBER || !endpoint) {
    jp_err(err, errlen, "socket: bad role or missing endpoint");
    return NULL;
  }
  void *s = zmq_socket(ctx, types[role]);
  if (!s) {
    jp_err(err, errlen, "zmq_socket: %s", zmq_strerror(zmq_errno()));
    return NULL;
  }
  int rc = 0;
  /* never block process exit on unsent messages: everything that matters
   * is journaled or kept by the worker until acknowledged */
  rc |= opt_int(s, ZMQ_LINGER, 0);
  /* a peer that sends a frame over the cap is disconnected by libzmq
   * before we ever allocate it */
  int64_t maxmsg = JP_PROTO_MAX_FRAME;
  rc |= zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
  /* dead TCP peers (cut links) surface eventually even without traffic */
  rc |= opt_int(s, ZMQ_TCP_KEEPALIVE, 1);
  rc |= opt_int(s, ZMQ_TCP_KEEPALIVE_IDLE, 10);
  rc |= opt_int(s, ZMQ_TCP_KEEPALIVE_INTVL, 2);
  rc |= opt_int(s, ZMQ_TCP_KEEPALIVE_CNT, 3);
  switch (role) {
  case JP_SOCK_BROKER_CLIENTS:
  case JP_SOCK_BROKER_WORKERS:
    /* replies to a vanished peer fail loudly (EHOSTUNREACH) instead of
     * vanishing; we treat that as the peer being gone */
    rc |= opt_int(s, ZMQ_ROUTER_MANDATORY, 1);
    /* bounded pipes: the broker's own queue (bounded by the scheduler) is
     * where work waits, not libzmq buffers */
    rc |= opt_int(s, ZMQ_SNDHWM, 10000);
    rc |= opt_int(s, ZMQ_RCVHWM, 10000);
    rc |= opt_int(s, ZMQ_SNDTIMEO, 0);
    /* a worker keeps one routing id for its life (worker.c): when its link
     * drops and it reconnects, the new connection takes the old one's
     * place at once, and its leases stay its own, instead of being refused
     * until the broker notices the old connection is dead. Another key
     * cannot use such a takeover to act for that worker: broker.c
     * (on_worker) drops messages whose key is not the one that
     * registered the routing id */
    if (role == JP_SOCK_BROKER_WORKERS) rc |= opt_int(s, ZMQ_ROUTER_HANDOVER, 1);
    /* a client's frames may be 64 MiB each: what libzmq holds read ahead
     * of the loop per connection is RCVHWM frames, so keep it to a few and
     * let TCP push back on a client sending faster than the loop takes.
     * A trade-off: 60 pipelined 60 MiB BLOB_PUTs peaked at 0.44 / 0.68 /
     * 1.05 GB RSS with 4 / 8 / 16 (0.99 and growing with 10000), while
     * deeply pipelined small SUBMITs get fewer per group commit the lower
     * it is (bench/pool-bench: about 10-30% fewer per second with 8, ~5%
     * with 16): 16 bounds a connection to ~1 GiB of frames */
    if (role == JP_SOCK_BROKER_CLIENTS) rc |= opt_int(s, ZMQ_RCVHWM, 16);
    break;
  case JP_SOCK_BROKER_EVENTS:
    /* live views only; a slow subscriber loses progress, never verdicts
     * (those are fetchable by RESULT_GET) */
    rc |= opt_int(s, ZMQ_SNDHWM, 100000);
    break;
  case JP_SOCK_WORKER:
  case JP_SOCK_CLIENT:
    /* no parking of messages for a broker that is not connected: sends
     * fail and the caller retries after reconnecting */
    rc |= opt_int(s, ZMQ_IMMEDIATE, 1);
    rc |= opt_int(s, ZMQ_RECONNECT_IVL, 100);
    rc |= opt_int(s, ZMQ_RECONNECT_IVL_MAX, 2000);
    rc |= opt_int(s, ZMQ_SNDHWM, 10000);
    rc |= opt_int(s, ZMQ_RCVHWM, 10000);
    if (routing_id)
      rc |= zmq_setsockopt(s, ZMQ_ROUTING_ID, routing_id, strnlen(routing_id, 255));
    break;
  case JP_SOCK_SUBSCRIBER:
    rc |= opt_int(s, ZMQ_RCVHWM, 100000);
    rc |= opt_int(s, ZMQ_RECONNECT_IVL, 100);
    rc |= opt_int(s, ZMQ_RECONNECT_IVL_MAX, 2000);
    break;
  }
  if (rc != 0) {
    jp_err(err, errlen, "setting socket options for %s: %s", endpoint, zmq_strerror(zmq_errno()));
    zmq_close(s);
    return NULL;
  }
  int bind = role <= JP_SOCK_BROKER_EVENTS;
  if (auth && auth->kp) {
    /* who may connect where: workers only to the workers socket, clients
     * and admins to the clients socket, admins only to the event feed (a
     * PUB socket cannot filter per key, and it carries every submission's
     * events; a client follows its own with WATCH on the clients socket) */
    static const unsigned roles[] = {
        [JP_SOCK_BROKER_CLIENTS] = JP_ROLE_CLIENT | JP_ROLE_ADMIN,
        [JP_SOCK_BROKER_WORKERS] = JP_ROLE_WORKER,
        [JP_SOCK_BROKER_EVENTS] = JP_ROLE_ADMIN,
    };
    char sub[512];
    int arc = bind ? jp_curve_server(s, auth->kp, roles[role], sub, sizeof sub)
                   : jp_curve_client(s, auth->kp, auth->server_public, sub, sizeof sub);
    if (arc < 0) {
      jp_err(err, errlen, "%s: %s", endpoint, sub);
      zmq_close(s);
      return NULL;
    }
  }
  if (!tcp_port_ok(endpoint)) {
    jp_err(err, errlen, "%s: the port must be 1-65535%s", endpoint, bind ? " or *" : "");
    zmq_close(s);
    return NULL;
  }
  if ((bind ? zmq_bind(s, endpoint) : zmq_connect(s, endpoint)) != 0) {
    int e = zmq_errno();
    jp_err(err, errlen, "%s %s: %s (%s)", bind ? "binding" : "connecting to", endpoint, zmq_strerror(e),
           e == EADDRINUSE ? "is another broker running on it?"
                           : "check the address: tcp://HOST:PORT, ipc:///PATH or inproc://NAME");
    zmq_close(s);
    return NULL;
  }
  return s;
}
