/* jpclient_conn.c — connection and request/reply with retries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "err.h"
#include "jpclient_auth.h"
#include "jpclient_internal.h"
#include "sockets.h"

/* The identity lives in sockets.c (process-wide), so every socket the
 * library makes — requests here, the event feed in jpclient_watch.c — gets
 * CURVE before it connects. */
int jpc_set_auth(const struct jpc_auth *a, char *err, size_t errlen) {
  if (!a) return jp_err(err, errlen, "no authentication given: --cert FILE --broker-key FILE|Z85, or --insecure");
  if (a->insecure) return jp_socket_set_identity(NULL, NULL, err, errlen);
  if (!a->cert || !*a->cert || !a->broker_key || !*a->broker_key)
    return jp_err(err, errlen, "authentication needs both --cert FILE (your secret certificate) and "
                  "--broker-key FILE|Z85 (the broker's public key), or --insecure");
  return jp_socket_set_identity(a->cert, a->broker_key, err, errlen);
}

int64_t jpc_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int jpc_reconnect(struct jpc *c, char *err, size_t errlen) {
  if (c->sock) zmq_close(c->sock);
  /* "<name>/<pid>.<random>": the broker's fairness key is the part before
   * '/', the rest keeps connections apart */
  char rid[160];
  unsigned r = (unsigned)rand() ^ (unsigned)jpc_now_ms();
  snprintf(rid, sizeof rid, "%s/%d.%x", c->name, (int)getpid(), r);
  c->sock = jp_socket(c->ctx, JP_SOCK_CLIENT, c->endpoint, rid, err, errlen);
  if (!c->sock) return -1;
  int ms = c->reply_ms;
  zmq_setsockopt(c->sock, ZMQ_SNDTIMEO, &ms, sizeof ms);
  return 0;
}

int jpc_open(struct jpc **out, const char *endpoint, const char *name, char *err, size_t errlen) {
  *out = NULL;
  if (!endpoint || strlen(endpoint) >= 256) return jp_err(err, errlen, "broker endpoint missing or too long");
  struct jpc *c = calloc(1, sizeof *c);
  if (!c) return jp_errno(err, errlen, "allocating client");
  snprintf(c->endpoint, sizeof c->endpoint, "%s", endpoint);
  snprintf(c->name, sizeof c->name, "%s", name && *name ? name : "judge");
  for (char *p = c->name; *p; p++)
    if (*p == '/') *p = '_';
  c->reply_ms = 5000;
  c->total_ms = 30000;
  srand((unsigned)getpid() ^ (unsigned)jpc_now_ms());
  c->ctx = zmq_ctx_new();
  if (!c->ctx || jpc_reconnect(c, err, errlen) < 0) {
    jpc_close(c);
    return -1;
  }
  *out = c;
  return 0;
}

void jpc_close(struct jpc *c) {
  if (!c) return;
  if (c->sock) zmq_close(c->sock);
  if (c->ctx) zmq_ctx_term(c->ctx);
  free(c);
}

void jpc_set_timeouts(struct jpc *c, int reply_ms, int total_ms) {
  if (reply_ms > 0) c->reply_ms = reply_ms;
  if (total_ms > 0) c->total_ms = total_ms;
  if (c->sock) zmq_setsockopt(c->sock, ZMQ_SNDTIMEO, &c->reply_ms, sizeof c->reply_ms);
}

const char *jpc_default_endpoint(void) {
  const char *e = getenv("JUDGE_BROKER");
  return e && *e ? e : "tcp://127.0.0.1:7700";
}

int jpc_events_endpoint(const char *endpoint, char *out, size_t outlen) {
  const char *colon = strrchr(endpoint, ':');
  char *end;
  long port = colon ? strtol(colon + 1, &end, 10) : -1;
  if (!colon || port <= 0 || port > 65533 || *end) return -1;
  if ((size_t)snprintf(out, outlen, "%.*s:%ld", (int)(colon - endpoint), endpoint, port + 2) >= outlen) return -1;
  return 0;
}

int jpc_send(struct jpc *c, struct jp_msg *req, char *err, size_t errlen) {
  req->rid = ++c->rid;
  void *buf;
  size_t len;
  if (jp_msg_encode(req, &buf, &len, err, errlen) < 0) return -2;
  int rc = zmq_send(c->sock, buf, len, 0);
  free(buf);
  if (rc < 0) return jp_err(err, errlen, "sending to %s: %s (is the broker running?)", c->endpoint,
                            zmq_strerror(zmq_errno()));
  return 0;
}

int jpc_recv(struct jpc *c, int timeout_ms, struct jp_msg *rep, char *err, size_t errlen) {
  memset(rep, 0, sizeof *rep);
  zmq_pollitem_t it = {c->sock, 0, ZMQ_POLLIN, 0};
  int rc = zmq_poll(&it, 1, timeout_ms);
  if (rc <= 0) return jp_err(err, errlen, "no reply from %s within %d ms", c->endpoint, timeout_ms);
  zmq_msg_t z;
  zmq_msg_init(&z);
  if (zmq_msg_recv(&z, c->sock, 0) < 0) {
    zmq_msg_close(&z);
    return jp_err(err, errlen, "receiving from %s: %s", c->endpoint, zmq_strerror(zmq_errno()));
  }
  int more = zmq_msg_more(&z);
  rc = jp_msg_decode(zmq_msg_data(&z), zmq_msg_size(&z), rep, NULL, err, errlen);
  zmq_msg_close(&z);
  while (more) {
    zmq_msg_init(&z);
    zmq_msg_recv(&z, c->sock, 0);
    more = zmq_msg_more(&z);
    zmq_msg_close(&z);
  }
  return rc;
}

int jpc_request(struct jpc *c, struct jp_msg *req, struct jp_msg *rep, char *err, size_t errlen) {
  int64_t deadline = jpc_now_ms() + c->total_ms;
  for (;;) {
    int sr = jpc_send(c, req, err, errlen);
    if (sr == -2) return -1; /* the request itself is bad */
    if (sr == 0) {
      int64_t until = jpc_now_ms() + c->reply_ms;
      for (;;) {
        int64_t left = until - jpc_now_ms();
        if (left <= 0) break;
        if (jpc_recv(c, (int)left, rep, err, errlen) < 0) continue;
        if (rep->rid == req->rid) return 0;
        jp_msg_free(rep); /* a late reply to an earlier attempt */
      }
    }
    if (jpc_now_ms() >= deadline)
      return jp_err(err, errlen, "broker %s did not answer %s within %d ms (is it running?)", c->endpoint,
                    jp_msg_type_name(req->type), c->total_ms);
    /* a fresh connection: the old one may point at a dead broker process */
    if (jpc_reconnect(c, err, errlen) < 0) return -1;
  }
}
