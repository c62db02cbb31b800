/* broker.c — the broker's single-threaded event loop. Each turn: take up to
 * `batch` messages from workers and clients, write everything that must be
 * durable in ONE transaction (group commit), and only then acknowledge
 * (ACK to clients, RESULT_ACK to workers) and dispatch. Nothing is
 * acknowledged before it is on disk, and nothing is dispatched before its
 * submission is. */
#include "broker.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include <zmq.h>

#include "blobstore.h"
#include "err.h"
#include "journal.h"
#include "lang.h"
#include "outbox.h"
#include "peer_budget.h"
#include "proto.h"
#include "scheduler.h"
#include "sockets.h"
#include "source_rules.h"
#include "watch.h"
#include "zauth.h"

struct peer {
  unsigned char id[256];
  size_t len;
};

struct pend_sub {
  struct sched_job *job; /* NULL: duplicate, only acknowledge */
  struct peer who;
  char client[SCHED_ID_MAX + 1]; /* fairness key / owner */
  int keyed;                      /* client is an authenticated key */
  uint64_t rid;
  char sid[SCHED_ID_MAX + 1];
  int dup, forbidden;
  int watch; /* SUBMIT asked for its EVENTs on this connection */
};

struct pend_fin {
  struct sched_job *job;
  char verdict[16];
  void *blob; /* encoded RESULT, stored for RESULT_GET */
  size_t len;
  enum jp_event_kind ev;
  enum jp_verdict v;
  double score;
  int ack_worker, ack_client;
  int stale; /* the journal had a final result already: not published */
  struct peer worker, client;
  uint64_t lease, crid;
};

struct pend_att {
  char sid[SCHED_ID_MAX + 1];
  uint32_t attempts;
};

#define BROKER_MAX_DRAINED 256

struct broker {
  const struct broker_cfg *cfg;
  void *ctx, *cs, *ws, *ps;
  struct journal *j;
  struct sched *s;
  struct blobstore bs;
  uint64_t epoch, sid_counter;
  struct pend_sub *subs;
  size_t nsubs, capsubs;
  struct pend_fin *fins;
  size_t nfins, capfins;
  struct pend_att *atts;
  size_t natts, capatts;
  uint64_t completed;
  uint64_t done_per_sec[16]; /* ring of completions per second for the rate */
  int64_t sec_base;
  struct jp_zap *zap;        /* NULL: --insecure */
  struct jp_keypair kp;      /* the broker's own key pair */
  struct peer_budget *pb;    /* BLOB bytes queued per worker */
  struct peer_budget *cpb;   /* large reply bytes queued per client connection */
  struct watches *wt;        /* sid -> client connections that WATCH it */
  struct outbox ob;          /* this turn's RESULT_ACKs and JOBs, sent grouped by worker */
  int64_t now;               /* this loop turn's clock */
  char langs[SCHED_LANG_MAX][65]; /* accepted languages; none = see lang_accepted */
  size_t nlangs;
  struct lang_table builtin;       /* the judging engine's built-in languages */
  /* worker names an admin drained: kept by name, and journaled, so a worker
   * that re-registers (also after a broker restart) stays drained */
  char drained[BROKER_MAX_DRAINED][SCHED_ID_MAX + 1];
  size_t ndrained;
};

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void logmsg(const struct broker *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logmsg(const struct broker *b, const char *fmt, ...) {
  (void)b;
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "judge-broker: ");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

void broker_cfg_defaults(struct broker_cfg *c) {
  memset(c, 0, sizeof *c);
  strcpy(c->clients, "tcp://*:7700");
  strcpy(c->workers, "tcp://*:7701");
  strcpy(c->events, "tcp://*:7702");
  strcpy(c->data, "./judgepool-data");
  c->lease_ms = 5000;
  c->heartbeat_ms = (int)JP_PROTO_HEARTBEAT_MS;
  c->job_timeout_ms = 30 * 60 * 1000;
  c->max_attempts = JP_PROTO_MAX_ATTEMPTS;
  c->max_per_client = 100000;
  c->max_total = 200000;
  c->max_bytes = (size_t)1 << 30;
  c->max_client_bytes = (size_t)256 << 20;
  c->max_client_reply_bytes = (size_t)64 << 20;
  c->batch = 2048;
  c->io_threads = 2;
  c->max_watches = 1024;
  c->max_watches_total = 16384;
}

/* ---- growable pending arrays ---- */

#define PUSH(arr, n, cap, out)                                                   \
  do {                                                                           \
    if ((n) == (cap)) {                                                          \
      size_t nc = (cap) ? (cap) * 2 : 256;                                       \
      void *p = realloc((arr), nc * sizeof *(arr));                              \
      if (!p) { (out) = NULL; break; }                                           \
      (arr) = p;                                                                 \
      (cap) = nc;                                                                \
    }                                                                            \
    (out) = &(arr)[(n)++];                                                       \
    memset((out), 0, sizeof *(out));                                             \
  } while (0)

/* ---- sending ---- */

/* 0 sent; -1 peer unreachable or its pipe is full (ROUTER_MANDATORY). */
static int send_raw(void *sock, const struct peer *p, const void *body, size_t len) {
  if (p && zmq_send(sock, p->id, p->len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) return -1;
  if (zmq_send(sock, body, len, ZMQ_DONTWAIT) < 0) return -1;
  return 0;
}

static void send_error(struct broker *b, void *sock, const struct peer *p, uint64_t rid,
                       enum jp_errcode code, const char *text);

/* Replies of CLIENT_REPLY_CHARGED bytes or more to a client connection are
 * charged to its budget (peer_budget.h, --max-client-reply-mb): libzmq
 * bounds a connection's queue by messages (SNDHWM), and a client
 * pipelining RESULT_GETs of a large result it never reads made the broker
 * hold gigabytes. Smaller replies are left to SNDHWM (at most SNDHWM x
 * this size). */
#define CLIENT_REPLY_CHARGED (4u << 10)

static int send_msg(struct broker *b, void *sock, const struct peer *p, const struct jp_msg *m) {
  void *buf;
  size_t len;
  char err[256];
  if (jp_msg_encode(m, &buf, &len, err, sizeof err) < 0) {
    logmsg(b, "encoding %s: %s", jp_msg_type_name(m->type), err);
    return -2;
  }
  if (sock == b->cs && p && len >= CLIENT_REPLY_CHARGED && pb_take(b->cpb, p->id, p->len, len, b->now) < 0) {
    free(buf);
    send_error(b, sock, p, m->rid, JP_E_QUEUE_FULL,
               "too many reply bytes queued to this connection: read the replies, then retry");
    return -1;
  }
  int rc = send_raw(sock, p, buf, len);
  free(buf);
  return rc;
}

static void send_error(struct broker *b, void *sock, const struct peer *p, uint64_t rid,
                       enum jp_errcode code, const char *text) {
  struct jp_msg m = {.type = JP_MSG_ERROR, .rid = rid};
  m.u.error.code = code;
  m.u.error.message = text;
  send_msg(b, sock, p, &m);
}

struct event_out {
  struct broker *b;
  const void *buf;
  size_t len;
  struct peer gone; /* a watcher found unreachable */
};

/* One EVENT to one watcher. Never blocks: a full pipe (a watcher that does
 * not read) loses this event and keeps the watch — the client fetches the
 * verdict by request when events stop; an unroutable one (disconnected)
 * loses the watch. */
static int event_to_watcher(void *ctx, const void *peer, size_t len) {
  struct event_out *o = ctx;
  struct peer p;
  memcpy(p.id, peer, len);
  p.len = len;
  if (send_raw(o->b->cs, &p, o->buf, o->len) == 0) return 0;
  if (zmq_errno() != EHOSTUNREACH) return 0;
  o->gone = p;
  return 1;
}

/* An event goes to the admin feed (PUB, admin keys only) and to the
 * connections that WATCH that submission (its owner's, or an admin's); a
 * final one ends those watches. */
static void publish_event(struct broker *b, const struct jp_msg *m) {
  const char *sid = m->u.event.sid;
  void *buf;
  size_t len;
  if (jp_msg_encode(m, &buf, &len, NULL, 0) < 0) return;
  zmq_send(b->ps, sid, strlen(sid), ZMQ_SNDMORE | ZMQ_DONTWAIT);
  zmq_send(b->ps, buf, len, ZMQ_DONTWAIT);
  struct event_out o = {.b = b, .buf = buf, .len = len};
  watch_each(b->wt, sid, event_to_watcher, &o);
  /* its other watches would fail alike: drop them now */
  if (o.gone.len) {
    size_t n = 1 + watch_drop_peer(b->wt, o.gone.id, o.gone.len);
    if (b->cfg->verbose) logmsg(b, "%s: a watcher's connection is gone; %zu watches dropped", sid, n);
  }
  if (m->u.event.kind == JP_EV_DONE || m->u.event.kind == JP_EV_CANCELLED) watch_end(b->wt, sid);
  free(buf);
}

static void publish(struct broker *b, const char *sid, enum jp_event_kind kind, uint32_t attempt,
                    enum jp_verdict v, double score) {
  struct jp_msg m = {.type = JP_MSG_EVENT};
  m.u.event.sid = sid;
  m.u.event.kind = kind;
  m.u.event.attempt = attempt;
  m.u.event.verdict = v;
  m.u.event.score = score;
  publish_event(b, &m);
}

/* ---- receiving ---- */

/* One routed message: [identity][body]. 1 got, 0 nothing waiting,
 * -1 malformed envelope (already drained). */
static int recv_routed(void *sock, struct peer *p, zmq_msg_t *body) {
  int n = zmq_recv(sock, p->id, sizeof p->id, ZMQ_DONTWAIT);
  if (n < 0) return 0;
  p->len = (size_t)n > sizeof p->id ? sizeof p->id : (size_t)n;
  int more = 0;
  size_t ml = sizeof more;
  zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &ml);
  if (!more) return -1;
  zmq_msg_init(body);
  if (zmq_msg_recv(body, sock, 0) < 0) {
    zmq_msg_close(body);
    return -1;
  }
  int extra = 0;
  for (;;) {
    zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &ml);
    if (!more) break;
    extra = 1;
    zmq_msg_t junk;
    zmq_msg_init(&junk);
    zmq_msg_recv(&junk, sock, 0);
    zmq_msg_close(&junk);
  }
  if (extra) {
    zmq_msg_close(body);
    return -1;
  }
  return 1;
}

/* The fairness key: the client library names its connection
 * "<client>/<pid>.<random>"; anything else is keyed by its raw id. */
static void client_key(const struct peer *p, char *out, size_t outlen) {
  size_t i = 0;
  for (; i < p->len && i < SCHED_ID_MAX; i++) {
    unsigned char c = p->id[i];
    if (c == '/') break;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.' || c == ':' || c == '+'))
      break;
  }
  if (i > 0 && i < p->len && p->id[i] == '/') {
    snprintf(out, outlen, "%.*s", (int)i, (const char *)p->id);
    return;
  }
  /* 'z' and the hex of at most 32 bytes, as far as out takes it */
  size_t n = p->len < 32 ? p->len : 32;
  if (outlen < 2) {
    if (outlen) out[0] = 0;
    return;
  }
  if (n > (outlen - 2) / 2) n = (outlen - 2) / 2;
  out[0] = 'z';
  sodium_bin2hex(out + 1, outlen - 1, p->id, n);
}

/* With authentication the owner of a submission is its submitter's public
 * key, kept as the client name (hex: the scheduler's names are [A-Za-z0-9._:+-],
 * and Z85 is not), which also makes fairness per key: a routing id costs
 * nothing to forge, a key listed by the admin does. */
_Static_assert(SCHED_ID_MAX >= 64, "an owner (a key in hex) must fit a scheduler name");
static void owner_of(const struct jp_peer *who, const struct peer *p, char out[SCHED_ID_MAX + 1]) {
  uint8_t raw[32];
  if (who->key[0] && zmq_z85_decode(raw, who->key)) {
    sodium_bin2hex(out, SCHED_ID_MAX + 1, raw, sizeof raw);
    return;
  }
  client_key(p, out, SCHED_ID_MAX + 1);
}

/* May who read a submission owned by `owner` (as journaled: owner_of's
 * form)? The reader's key is put in that form to compare, and the policy
 * (own key or admin) stays jp_peer_may_read's. */
static int may_read(const struct jp_peer *who, const struct peer *p, const char *owner) {
  char mine[SCHED_ID_MAX + 1];
  owner_of(who, p, mine);
  return jp_peer_may_read(who, strcmp(mine, owner) ? NULL : who->key);
}

/* The owner of sid (1), 0 if unknown, -1 when the journal cannot say. */
static int owner_lookup(struct broker *b, const char *sid, char *out, size_t outlen) {
  struct sched_job *j = sched_find(b->s, sid);
  if (j) {
    snprintf(out, outlen, "%s", sched_job_client(j));
    return 1;
  }
  char err[256];
  int rc = journal_owner(b->j, sid, out, outlen, err, sizeof err);
  if (rc < 0) logmsg(b, "%s", err);
  return rc;
}

/* 0 when who may read sid (or sid is unknown: the caller answers that);
 * otherwise an ERROR has been sent. */
static int check_read(struct broker *b, void *sock, const struct peer *p, const struct jp_peer *who,
                      const char *sid, uint64_t rid) {
  if (who->role & JP_ROLE_ADMIN) return 0;
  char owner[SCHED_ID_MAX + 1];
  int rc = owner_lookup(b, sid, owner, sizeof owner);
  if (rc < 0) {
    send_error(b, sock, p, rid, JP_E_INTERNAL, "journal read failed");
    return -1;
  }
  if (rc == 0 || may_read(who, p, owner)) return 0;
  send_error(b, sock, p, rid, JP_E_FORBIDDEN, "submission belongs to another client key");
  return -1;
}

/* ---- results ---- */

static int encode_result(const char *sid, enum jp_state st, const struct jp_result *r, void **buf,
                         size_t *len) {
  struct jp_msg m = {.type = JP_MSG_RESULT};
  m.u.result.sid = sid;
  m.u.result.state = st;
  m.u.result.final = true;
  if (r) {
    m.u.result.has_result = true;
    m.u.result.result = *r;
  }
  return jp_msg_encode(&m, buf, len, NULL, 0);
}

static void add_fin(struct broker *b, struct sched_job *j, enum jp_state st, const struct jp_result *r,
                    enum jp_event_kind ev) {
  struct pend_fin *f;
  PUSH(b->fins, b->nfins, b->capfins, f);
  if (!f) {
    logmsg(b, "out of memory finishing %s: requeued", j->id);
    sched_requeue(b->s, j);
    return;
  }
  f->job = j;
  f->ev = ev;
  f->v = r ? r->verdict : JP_V_NONE;
  f->score = r ? r->score : 0;
  snprintf(f->verdict, sizeof f->verdict, "%s", st == JP_ST_CANCELLED ? "CANCELLED" : jp_verdict_name(f->v));
  if (encode_result(j->id, st, r, &f->blob, &f->len) < 0) {
    f->blob = NULL;
    f->len = 0;
  }
}

static void on_expire(void *ctx, struct sched_job *j, int failed);
static void queue_ack(struct broker *b, const struct peer *p, const char *sid, uint64_t lease);

/* ---- client messages ---- */

/* A language a SUBMIT may name: with a configured list, one in it; without,
 * one of the judging engine's built-in table or one a registered worker
 * announced (anything else could only wait forever, and would take room in
 * the scheduler's language table). 0, or -1 with the reason in err. */
static int lang_accepted(const struct broker *b, const char *lang, char *err, size_t errlen) {
  if (b->nlangs) {
    for (size_t i = 0; i < b->nlangs; i++)
      if (!strcmp(b->langs[i], lang)) return 0;
    return jp_err(err, errlen, "unknown language '%.40s': not in the broker's language list (its 'languages' "
                  "setting)", lang);
  }
  if (lang_find(&b->builtin, lang) || sched_lang_spoken(b->s, lang)) return 0;
  return jp_err(err, errlen, "unknown language '%.40s': not in the judge's built-in language table and no "
                "registered worker announces it (an operator may list it in the broker's 'languages' setting)",
                lang);
}

/* The judging engine's rules for sources (source_rules.h), checked at
 * intake: a submission every worker refuses would be acknowledged, then
 * burn every attempt on a worker before ending IE. 0, or -1 with the
 * reason in err. */
static int sources_judgeable(const struct jp_submit *s, char *err, size_t errlen) {
  for (size_t i = 0; i < s->nsources; i++) {
    const struct jp_source *f = &s->sources[i];
    if (!f->name || !jp_safe_name(f->name))
      return jp_err(err, errlen, "source file name '%.100s' is not allowed: a plain file name of 1-100 "
                    "characters of [A-Za-z0-9._+-], not starting with '.'", f->name ? f->name : "");
    if (f->content.len > JP_SOURCE_MAX_BYTES)
      return jp_err(err, errlen, "source file %s is %zu bytes; the judge takes at most %u per file", f->name,
                    f->content.len, JP_SOURCE_MAX_BYTES);
  }
  return 0;
}

static void on_submit(struct broker *b, const struct peer *p, const struct jp_peer *who, struct jp_msg *m) {
  char sid[SCHED_ID_MAX + 1], client[SCHED_ID_MAX + 1], err[256];
  const char *given = m->u.submit.sid;
  if (!given || !*given)
    snprintf(sid, sizeof sid, "b%llu-%llu", (unsigned long long)b->epoch,
             (unsigned long long)++b->sid_counter);
  else if (strlen(given) > SCHED_ID_MAX)
    return send_error(b, b->cs, p, m->rid, JP_E_BAD_REQUEST, "submission id longer than 128 bytes");
  else
    snprintf(sid, sizeof sid, "%s", given);
  owner_of(who, p, client);
  /* a language the pool is not configured for can never be judged; one no
   * connected worker speaks yet may be (workers come back after a restart
   * later than clients do), so that one waits in the queue */
  if (lang_accepted(b, m->u.submit.lang, err, sizeof err) < 0)
    return send_error(b, b->cs, p, m->rid, JP_E_BAD_REQUEST, err);
  if (sources_judgeable(&m->u.submit, err, sizeof err) < 0)
    return send_error(b, b->cs, p, m->rid, JP_E_BAD_REQUEST, err);
  /* the package must be named by its manifest and be here in full */
  char ph[JP_PROTO_HASH_LEN + 1];
  if (jp_problem_hash(&m->u.submit.problem, ph, err, sizeof err) < 0)
    return send_error(b, b->cs, p, m->rid, JP_E_BAD_REQUEST, err);
  if (strcmp(ph, m->u.submit.problem.hash))
    return send_error(b, b->cs, p, m->rid, JP_E_BAD_REQUEST, "problem.hash does not match the manifest (PROTOCOL.md 4.2)");
  size_t nmiss = 0;
  for (size_t i = 0; i < m->u.submit.problem.nfiles; i++)
    if (!blobstore_has(&b->bs, m->u.submit.problem.files[i].sha256)) nmiss++;
  if (nmiss) {
    const char **miss = calloc(nmiss, sizeof *miss);
    if (!miss) return send_error(b, b->cs, p, m->rid, JP_E_INTERNAL, "broker out of memory");
    size_t k = 0;
    for (size_t i = 0; i < m->u.submit.problem.nfiles; i++)
      if (!blobstore_has(&b->bs, m->u.submit.problem.files[i].sha256)) miss[k++] = m->u.submit.problem.files[i].sha256;
    struct jp_msg r = {.type = JP_MSG_BLOBS_MISSING, .rid = m->rid};
    r.u.blobs_missing.hashes = miss;
    r.u.blobs_missing.n = k;
    send_msg(b, b->cs, p, &r);
    free(miss);
    return;
  }
  struct jp_msg pm = {.type = JP_MSG_SUBMIT};
  pm.u.submit = m->u.submit;
  pm.u.submit.sid = sid;
  pm.u.submit.watch = false; /* how it is followed is not part of its content */
  void *payload;
  size_t len;
  if (jp_msg_encode(&pm, &payload, &len, err, sizeof err) < 0)
    return send_error(b, b->cs, p, m->rid, JP_E_BAD_REQUEST, err);
  /* its JOB (jp_job_from_submit) must fit in a frame too, or the
   * acknowledged submission could never be sent to a worker */
  if (len > JP_PROTO_MAX_FRAME - JP_PROTO_JOB_HEADER_MAX) {
    free(payload);
    snprintf(err, sizeof err, "submission too large: %zu bytes encoded, at most %u (its JOB must fit in the "
             "64 MiB frame cap); send smaller sources or a smaller problem manifest", len,
             JP_PROTO_MAX_FRAME - JP_PROTO_JOB_HEADER_MAX);
    return send_error(b, b->cs, p, m->rid, JP_E_BAD_REQUEST, err);
  }
  /* one the journal has and the scheduler does not hold (finished, or
   * left out at recovery) is answered from the journal, never queued
   * again: a job held until this turn's commit would meet a CANCEL or WATCH
   * of the same turn as if it were new, and be journaled a second time */
  if (!sched_find(b->s, sid)) {
    int done, same, same_client;
    int found = journal_find(b->j, sid, NULL, client, &done, &same, &same_client, err, sizeof err);
    if (found == 1) {
      char digest[65];
      blob_hash(payload, len, digest);
      found = journal_find(b->j, sid, digest, client, &done, &same, &same_client, err, sizeof err);
    }
    if (found != 0) free(payload);
    if (found < 0) {
      logmsg(b, "%s", err);
      return send_error(b, b->cs, p, m->rid, JP_E_INTERNAL, "broker could not read its journal; retry later");
    }
    if (found == 1) {
      if (!same || (who->key[0] && !same_client))
        return send_error(b, b->cs, p, m->rid, JP_E_FORBIDDEN, "sid already used for different content");
      if (!done)
        logmsg(b, "%s: resubmitted; journaled but not queued (left out at recovery: see above); restart the broker "
               "with room for it (--max-queue, --max-per-client) to judge it", sid);
      struct jp_msg a = {.type = JP_MSG_ACK, .rid = m->rid};
      a.u.ack.sid = sid;
      a.u.ack.duplicate = true;
      send_msg(b, b->cs, p, &a);
      return;
    }
  }
  struct sched_job *job;
  int rc = sched_add(b->s, sid, client, (int)m->u.submit.priority, m->u.submit.lang, 0, payload, len,
                     &job, err, sizeof err);
  if (rc == SCHED_DUPLICATE &&
      (job->payload_len != len || memcmp(job->payload, payload, len) ||
       (who->key[0] && strcmp(sched_job_client(job), client)))) {
    free(payload);
    return send_error(b, b->cs, p, m->rid, JP_E_FORBIDDEN, "sid already used for different content");
  }
  if (rc != SCHED_ADDED) free(payload);
  if (rc == SCHED_FULL) return send_error(b, b->cs, p, m->rid, JP_E_QUEUE_FULL, err);
  if (rc < 0) return send_error(b, b->cs, p, m->rid, JP_E_BAD_REQUEST, err);
  struct pend_sub *ps;
  PUSH(b->subs, b->nsubs, b->capsubs, ps);
  if (!ps) {
    if (rc == SCHED_ADDED) {
      sched_finishing(b->s, job);
      sched_done(b->s, job);
    }
    return send_error(b, b->cs, p, m->rid, JP_E_INTERNAL, "broker out of memory");
  }
  ps->job = rc == SCHED_ADDED ? job : NULL;
  ps->dup = rc == SCHED_DUPLICATE;
  ps->who = *p;
  snprintf(ps->client, sizeof ps->client, "%s", client);
  ps->keyed = who->key[0] != 0;
  ps->rid = m->rid;
  ps->watch = m->u.submit.watch;
  snprintf(ps->sid, sizeof ps->sid, "%s", sid);
}

static enum jp_state job_state(const struct sched_job *j) {
  return j->state == SCHED_RUNNING ? JP_ST_RUNNING : JP_ST_QUEUED;
}

/* RESULT for sid (its reader already checked). */
static void result_reply(struct broker *b, const struct peer *p, const char *sid, uint64_t rid) {
  char err[256], verdict[32];
  struct sched_job *j = sched_find(b->s, sid);
  if (j && j->state != SCHED_FINISHING) {
    struct jp_msg r = {.type = JP_MSG_RESULT, .rid = rid};
    r.u.result.sid = sid;
    r.u.result.state = job_state(j);
    send_msg(b, b->cs, p, &r);
    return;
  }
  int state;
  void *blob;
  size_t len;
  if (journal_get(b->j, sid, &state, verdict, sizeof verdict, &blob, &len, err, sizeof err) < 0) {
    logmsg(b, "%s", err);
    return send_error(b, b->cs, p, rid, JP_E_INTERNAL, "journal read failed");
  }
  if (state == 0) return send_error(b, b->cs, p, rid, JP_E_UNKNOWN_SUBMISSION, "no such submission");
  if (state == 1 || !blob) {
    /* journaled but not in memory: being finished in this very turn */
    struct jp_msg r = {.type = JP_MSG_RESULT, .rid = rid};
    r.u.result.sid = sid;
    r.u.result.state = JP_ST_RUNNING;
    send_msg(b, b->cs, p, &r);
    free(blob);
    return;
  }
  struct jp_msg r;
  if (jp_msg_decode(blob, len, &r, NULL, err, sizeof err) < 0) {
    free(blob);
    logmsg(b, "stored result of %s unreadable: %s", sid, err);
    return send_error(b, b->cs, p, rid, JP_E_INTERNAL, "stored result unreadable");
  }
  r.rid = rid;
  send_msg(b, b->cs, p, &r);
  jp_msg_free(&r);
  free(blob);
}

static void on_result_get(struct broker *b, const struct peer *p, const struct jp_peer *who, struct jp_msg *m) {
  const char *sid = m->u.result_get.sid;
  if (check_read(b, b->cs, p, who, sid, m->rid) < 0) return;
  result_reply(b, p, sid, m->rid);
}

/* Starts a watch of sid for this connection; how a refusal reads. */
static const char *watch_start(struct broker *b, const char *sid, const char *owner, const struct peer *p) {
  switch (watch_add(b->wt, sid, owner, p->id, p->len)) {
  case WATCH_ADDED:
  case WATCH_ALREADY: return NULL;
  case WATCH_FULL_OWNER:
    return "too many watched submissions for your key (the broker's max-watches): wait for some to finish, "
           "or poll RESULT_GET";
  case WATCH_FULL_TOTAL:
    return "the broker watches too many submissions (its max-watches-total): poll RESULT_GET, or retry later";
  default: return "broker out of memory";
  }
}

/* WATCH: the EVENTs of one submission (its owner's, or any for an admin) on
 * this connection until its final one. One already final (or unknown) is
 * answered as RESULT_GET would be, so the watcher has its verdict at once. */
static void on_watch(struct broker *b, const struct peer *p, const struct jp_peer *who, struct jp_msg *m) {
  const char *sid = m->u.watch.sid;
  if (check_read(b, b->cs, p, who, sid, m->rid) < 0) return;
  if (!sched_find(b->s, sid)) return result_reply(b, p, sid, m->rid);
  char owner[SCHED_ID_MAX + 1];
  owner_of(who, p, owner);
  const char *why = watch_start(b, sid, owner, p);
  if (why) return send_error(b, b->cs, p, m->rid, JP_E_QUEUE_FULL, why);
  struct jp_msg a = {.type = JP_MSG_ACK, .rid = m->rid};
  a.u.ack.sid = sid;
  a.u.ack.watching = true;
  send_msg(b, b->cs, p, &a);
}

/* The journal's word on a submission the scheduler no longer holds: 1
 * unfinished, 2 final (verdict set); 0 after answering the request with
 * the error (unknown id, or the journal could not be read). */
static int journaled_state(struct broker *b, const struct peer *p, uint64_t rid, const char *sid, char verdict[32]) {
  int state;
  char err[256];
  if (journal_get(b->j, sid, &state, verdict, 32, NULL, NULL, err, sizeof err) < 0) {
    logmsg(b, "%s", err);
    send_error(b, b->cs, p, rid, JP_E_INTERNAL, "journal read failed");
    return 0;
  }
  if (state == 0) send_error(b, b->cs, p, rid, JP_E_UNKNOWN_SUBMISSION, "no such submission");
  return state;
}

static void on_cancel(struct broker *b, const struct peer *p, struct jp_msg *m) {
  const char *sid = m->u.cancel.sid;
  struct sched_job *j = sched_find(b->s, sid);
  if (j && j->state != SCHED_FINISHING) {
    struct peer wp;
    uint64_t lease = j->lease;
    int running = j->state == SCHED_RUNNING;
    if (running) {
      memcpy(wp.id, j->worker->rid, j->worker->rid_len);
      wp.len = j->worker->rid_len;
    }
    struct sched_job *c;
    sched_cancel(b->s, sid, &c);
    if (running) {
      struct jp_msg cm = {.type = JP_MSG_CANCEL_JOB};
      cm.u.cancel_job.sid = sid;
      cm.u.cancel_job.lease = lease;
      send_msg(b, b->ws, &wp, &cm);
    }
    add_fin(b, c, JP_ST_CANCELLED, NULL, JP_EV_CANCELLED);
    if (b->nfins && b->fins[b->nfins - 1].job == c) {
      struct pend_fin *f = &b->fins[b->nfins - 1];
      f->ack_client = 1;
      f->client = *p;
      f->crid = m->rid;
    }
    return;
  }
  char verdict[32];
  if (journaled_state(b, p, m->rid, sid, verdict) == 0) return;
  /* already final (or finishing this turn): cancelling is a no-op */
  struct jp_msg a = {.type = JP_MSG_ACK, .rid = m->rid};
  a.u.ack.sid = sid;
  send_msg(b, b->cs, p, &a);
}

static void rate_advance(struct broker *b, int64_t now);

/* completions per second over the last 10 whole seconds */
static double recent_rate(struct broker *b, int64_t now) {
  rate_advance(b, now);
  uint64_t recent = 0;
  for (int k = 1; k <= 10; k++) recent += b->done_per_sec[(now / 1000 - k) & 15];
  return (double)recent / 10.0;
}

static void on_status(struct broker *b, const struct peer *p, const struct jp_peer *who, struct jp_msg *m) {
  struct jp_msg r = {.type = JP_MSG_STATUS_REPLY, .rid = m->rid};
  const char *sid = m->u.status.sid ? m->u.status.sid : "";
  if (*sid && check_read(b, b->cs, p, who, sid, m->rid) < 0) return;
  struct sched_stats st;
  sched_stats(b->s, &st);
  r.u.status_reply.sid = sid;
  r.u.status_reply.queued = (uint32_t)(st.queued[0] + st.queued[1] + st.queued[2] + st.queued[3]);
  r.u.status_reply.running = (uint32_t)st.running;
  r.u.status_reply.workers = (uint32_t)st.workers;
  r.u.status_reply.free_slots = (uint32_t)st.free_slots;
  r.u.status_reply.queued_contest = (uint32_t)st.queued[SCHED_CONTEST];
  r.u.status_reply.queued_normal = (uint32_t)st.queued[SCHED_NORMAL];
  r.u.status_reply.queued_rejudge = (uint32_t)st.queued[SCHED_REJUDGE];
  r.u.status_reply.queued_bulk = (uint32_t)st.queued[SCHED_BULK];
  r.u.status_reply.slots = (uint32_t)st.slots;
  r.u.status_reply.completed = b->completed;
  r.u.status_reply.rate = recent_rate(b, now_ms());
  if (!*sid)
    for (struct sched_worker *w = sched_workers(b->s); w; w = sched_worker_next(w))
      if (w->slots > 0 && w->drained) r.u.status_reply.draining++;
  if (*sid) {
    struct sched_job *j = sched_find(b->s, sid);
    if (j && j->state != SCHED_FINISHING) {
      r.u.status_reply.state = job_state(j);
      r.u.status_reply.attempt = j->attempts;
    } else {
      char verdict[32];
      int state = journaled_state(b, p, m->rid, sid, verdict);
      if (state == 0) return;
      r.u.status_reply.state = state == 1 ? JP_ST_RUNNING
                               : !strcmp(verdict, "CANCELLED") ? JP_ST_CANCELLED : JP_ST_DONE;
    }
  }
  send_msg(b, b->cs, p, &r);
}

static void on_blob_have(struct broker *b, const struct peer *p, struct jp_msg *m) {
  size_t n = m->u.blob_have.n;
  const char **missing = calloc(n ? n : 1, sizeof *missing);
  if (!missing) return send_error(b, b->cs, p, m->rid, JP_E_INTERNAL, "broker out of memory");
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (!blobstore_has(&b->bs, m->u.blob_have.hashes[i])) missing[k++] = m->u.blob_have.hashes[i];
  struct jp_msg r = {.type = JP_MSG_BLOBS_MISSING, .rid = m->rid};
  r.u.blobs_missing.hashes = missing;
  r.u.blobs_missing.n = k;
  send_msg(b, b->cs, p, &r);
  free(missing);
}

static void on_blob_put(struct broker *b, const struct peer *p, struct jp_msg *m) {
  char err[512];
  if (blobstore_put(&b->bs, m->u.blob_put.sha256, m->u.blob_put.data.data, m->u.blob_put.data.len, err,
                    sizeof err) < 0)
    return send_error(b, b->cs, p, m->rid, JP_E_BAD_REQUEST, err);
  struct jp_msg a = {.type = JP_MSG_ACK, .rid = m->rid};
  a.u.ack.sid = "";
  send_msg(b, b->cs, p, &a);
}

static int drained_index(const struct broker *b, const char *name) {
  for (size_t i = 0; i < b->ndrained; i++)
    if (!strcmp(b->drained[i], name)) return (int)i;
  return -1;
}

static struct sched_worker *worker_by_name(struct broker *b, const char *name) {
  for (struct sched_worker *w = sched_workers(b->s); w; w = sched_worker_next(w))
    if (w->slots > 0 && !strcmp(w->name, name)) return w;
  return NULL;
}

/* DRAIN (admin): the named worker keeps its running jobs but gets no new
 * ones until undo. Unknown names are refused so a typo is not silent. */
static void on_drain(struct broker *b, const struct peer *p, struct jp_msg *m) {
  const char *name = m->u.drain.worker;
  char msg[SCHED_ID_MAX + 80];
  int idx = drained_index(b, name);
  struct sched_worker *w = worker_by_name(b, name);
  if (!w && (idx < 0 || !m->u.drain.undo)) {
    snprintf(msg, sizeof msg, "no worker named '%.*s' is registered", SCHED_ID_MAX, name);
    return send_error(b, b->cs, p, m->rid, JP_E_BAD_REQUEST, msg);
  }
  if (!m->u.drain.undo && idx < 0 && (b->ndrained >= BROKER_MAX_DRAINED || strlen(name) > SCHED_ID_MAX))
    return send_error(b, b->cs, p, m->rid, JP_E_TOO_LARGE, "too many drained workers; undo some first");
  /* durable before it is acknowledged (its own small transaction: drains
   * are rare admin commands) */
  char err[512];
  if ((!m->u.drain.undo) != (idx >= 0) && journal_drain_set(b->j, name, !m->u.drain.undo, err, sizeof err) < 0) {
    logmsg(b, "%s", err);
    return send_error(b, b->cs, p, m->rid, JP_E_INTERNAL, "journal write failed; the drain state is unchanged");
  }
  if (!m->u.drain.undo && idx < 0) {
    snprintf(b->drained[b->ndrained++], sizeof b->drained[0], "%s", name);
  } else if (m->u.drain.undo && idx >= 0) {
    memmove(b->drained[idx], b->drained[b->ndrained - 1], sizeof b->drained[0]);
    b->ndrained--;
  }
  /* every live registration under that name (a restarted worker may briefly
   * have two) */
  for (struct sched_worker *x = sched_workers(b->s); x; x = sched_worker_next(x))
    if (!strcmp(x->name, name)) sched_worker_drain(b->s, x, !m->u.drain.undo);
  logmsg(b, "worker %s %s by admin", name, m->u.drain.undo ? "undrained" : "drained");
  struct jp_msg a = {.type = JP_MSG_ACK, .rid = m->rid};
  a.u.ack.sid = "";
  send_msg(b, b->cs, p, &a);
}

/* Decode a frame from a client or worker socket and check that this
 * direction and the peer's role (zauth_policy.c) may send its type. On
 * refusal the peer has its ERROR and nothing is left to free. */
static int admit(struct broker *b, void *sock, const struct peer *p, const struct jp_peer *who, const void *buf,
                 size_t len, unsigned dir, const char *from, struct jp_msg *m) {
  enum jp_errcode code = JP_E_BAD_REQUEST;
  char err[256];
  if (jp_msg_decode(buf, len, m, &code, err, sizeof err) < 0) {
    if (b->cfg->verbose) logmsg(b, "%s message rejected: %s", from, err);
    send_error(b, sock, p, m->rid, code, err);
    return -1;
  }
  if (!(jp_msg_dirs(m->type) & dir)) {
    snprintf(err, sizeof err, "message type not accepted from %ss", from);
    send_error(b, sock, p, m->rid, JP_E_BAD_REQUEST, err);
  } else if (!jp_role_may_send(who->role, m->type)) {
    send_error(b, sock, p, m->rid, JP_E_FORBIDDEN, "your key's role may not send this message");
  } else {
    return 0;
  }
  jp_msg_free(m);
  return -1;
}

static void on_client(struct broker *b, const struct peer *p, const struct jp_peer *who, const void *buf,
                      size_t len) {
  struct jp_msg m;
  if (admit(b, b->cs, p, who, buf, len, JP_DIR_C2B, "client", &m) < 0) return;
  switch (m.type) {
  case JP_MSG_SUBMIT: on_submit(b, p, who, &m); break;
  case JP_MSG_RESULT_GET: on_result_get(b, p, who, &m); break;
  case JP_MSG_WATCH: on_watch(b, p, who, &m); break;
  case JP_MSG_CANCEL: on_cancel(b, p, &m); break;
  case JP_MSG_DRAIN: on_drain(b, p, &m); break;
  case JP_MSG_STATUS: on_status(b, p, who, &m); break;
  case JP_MSG_BLOB_HAVE: on_blob_have(b, p, &m); break;
  case JP_MSG_BLOB_PUT: on_blob_put(b, p, &m); break;
  default: send_error(b, b->cs, p, m.rid, JP_E_BAD_REQUEST, "unexpected message"); break;
  }
  jp_msg_free(&m);
}

/* ---- worker messages ---- */

static void on_register(struct broker *b, const struct peer *p, const struct jp_peer *who, struct jp_msg *m,
                        int64_t now) {
  char err[256];
  const struct jp_register *r = &m->u.reg;
  struct sched_worker *old = sched_worker_find(b->s, p->id, p->len);
  if (old) {
    /* PROTOCOL.md 6.3: a worker that REGISTERs again without reporting its
     * leases has lost them, and each counts an attempt (a job that keeps
     * crashing its worker into a restart must still end at the cap) */
    sched_worker_expire(b->s, old, on_expire, b);
  }
  struct sched_worker *w = sched_worker_hello(b->s, p->id, p->len, r->name, (int)r->slots, r->langs,
                                              (int)r->nlangs, now, err, sizeof err);
  if (!w) return send_error(b, b->ws, p, m->rid, JP_E_BAD_REQUEST, err);
  _Static_assert(SCHED_KEY_MAX == JP_Z85_KEY_LEN, "a worker's key must fit the scheduler's");
  snprintf(w->key, sizeof w->key, "%s", who->key);
  if (drained_index(b, r->name) >= 0) sched_worker_drain(b->s, w, 1);
  if (b->cfg->verbose) logmsg(b, "worker %s registered with %u slots", r->name, r->slots);
  struct jp_msg a = {.type = JP_MSG_ACK, .rid = m->rid};
  a.u.ack.sid = "";
  send_msg(b, b->ws, p, &a);
  struct jp_msg h = {.type = JP_MSG_HEARTBEAT};
  h.u.heartbeat.epoch = b->epoch;
  send_msg(b, b->ws, p, &h);
}


static void on_job_result(struct broker *b, const struct peer *p, struct jp_msg *m) {
  const struct jp_job_result *r = &m->u.job_result;
  struct sched_job *j;
  if (sched_result(b->s, p->id, p->len, r->sid, r->lease, &j) != SCHED_RES_ACCEPT) {
    /* late, duplicate or from before a restart: it must not make a second
     * verdict, but the worker may forget it */
    queue_ack(b, p, r->sid, r->lease);
    return;
  }
  if (r->result.verdict == JP_V_IE && j->attempts < b->cfg->max_attempts) {
    /* the worker could not judge it: a lost attempt, try elsewhere */
    logmsg(b, "%s: worker reported IE on attempt %u: requeued", j->id, j->attempts);
    sched_requeue(b->s, j);
    struct pend_att *a;
    PUSH(b->atts, b->natts, b->capatts, a);
    if (a) {
      snprintf(a->sid, sizeof a->sid, "%s", j->id);
      a->attempts = j->attempts;
    }
    publish(b, j->id, JP_EV_REQUEUED, j->attempts, JP_V_NONE, 0);
    queue_ack(b, p, r->sid, r->lease);
    return;
  }
  add_fin(b, j, JP_ST_DONE, &r->result, JP_EV_DONE);
  if (b->nfins && b->fins[b->nfins - 1].job == j) {
    struct pend_fin *f = &b->fins[b->nfins - 1];
    f->ack_worker = 1;
    f->worker = *p;
    f->lease = r->lease;
  }
}

static void on_progress(struct broker *b, const struct peer *p, struct jp_msg *m) {
  const struct jp_progress *pr = &m->u.progress;
  struct sched_job *j = sched_find(b->s, pr->sid);
  if (!j || j->state != SCHED_RUNNING || j->lease != pr->lease || !j->worker ||
      j->worker->rid_len != p->len || memcmp(j->worker->rid, p->id, p->len))
    return; /* progress of a lease we gave up: not news */
  struct jp_msg e = {.type = JP_MSG_EVENT};
  e.u.event = (struct jp_event){.sid = j->id, .kind = JP_EV_TEST, .attempt = j->attempts, .has_test = true,
                                .index = pr->index, .test = pr->test, .verdict = pr->test.verdict,
                                .total = pr->total};
  publish_event(b, &e);
}

static void on_blob_get(struct broker *b, const struct peer *p, const struct jp_peer *who, struct jp_msg *m,
                        int64_t now) {
  struct jp_msg r = {.type = JP_MSG_BLOB, .rid = m->rid};
  r.u.blob.sha256 = m->u.blob_get.sha256;
  void *data = NULL;
  size_t len = 0;
  char err[512];
  /* leave room for the envelope under the frame cap */
  if (blobstore_read(&b->bs, m->u.blob_get.sha256, JP_PROTO_MAX_FRAME - 4096, &data, &len, err, sizeof err) == 0) {
    /* bytes queued to one peer are bounded (peer_budget.h): by key when
     * authenticated (one worker, many connections), else by connection */
    const void *k = who->key[0] ? (const void *)who->key : (const void *)p->id;
    size_t kl = who->key[0] ? strlen(who->key) : p->len;
    if (b->pb && pb_take(b->pb, k, kl, len, now) < 0) {
      free(data);
      return send_error(b, b->ws, p, m->rid, JP_E_QUEUE_FULL,
                        "too many blob bytes queued to you; read them, then retry");
    }
    r.u.blob.found = true;
    r.u.blob.data.data = data;
    r.u.blob.data.len = len;
  }
  send_msg(b, b->ws, p, &r);
  free(data);
}

_Static_assert(JP_PROTO_MAX_LEASES <= SCHED_MAX_LEASES, "every lease a heartbeat names is looked at");
static void on_worker(struct broker *b, const struct peer *p, const struct jp_peer *who, const void *buf,
                      size_t len, int64_t now) {
  struct jp_msg m;
  struct sched_worker *sw = sched_worker_find(b->s, p->id, p->len);
  if (sw && strcmp(sw->key, who->key)) {
    /* a worker's routing id is stable and the workers socket hands it
     * over to whichever connection presents it last (sockets.c), so a
     * connection with another key that learned it would receive that
     * worker's JOBs until the worker reconnects (libzmq leaves a replaced
     * connection open but deaf; the worker hears nothing for 5 s and
     * reconnects, taking its id back). The id is 128 random
     * bits carried only inside the encrypted link, so it cannot be
     * guessed; and such a connection never acts for the worker: its
     * REGISTER would expire the worker's leases, its results and
     * heartbeats would count as the worker's. Dropped without a reply:
     * an ERROR to this routing id could reach the worker itself (once it
     * took its id back) and make it register again, losing its leases. */
    if (b->cfg->verbose) logmsg(b, "dropped a message from key %s for worker %s, registered by another key",
                                who->key, sw->name);
    return;
  }
  if (admit(b, b->ws, p, who, buf, len, JP_DIR_W2B, "worker", &m) < 0) return;
  int known = sw != NULL;
  switch (m.type) {
  case JP_MSG_REGISTER: on_register(b, p, who, &m, now); break;
  case JP_MSG_HEARTBEAT:
    if (sched_worker_heartbeat(b->s, p->id, p->len, (int)m.u.heartbeat.free_slots,
                               m.u.heartbeat.leases,
                               m.u.heartbeat.has_leases ? m.u.heartbeat.nleases : SCHED_ALL_LEASES, now) < 0)
      send_error(b, b->ws, p, m.rid, JP_E_FORBIDDEN, "unknown worker: register first");
    break;
  case JP_MSG_JOB_RESULT: on_job_result(b, p, &m); break;
  case JP_MSG_PROGRESS: if (known) on_progress(b, p, &m); break;
  case JP_MSG_BLOB_GET: on_blob_get(b, p, who, &m, now); break;
  case JP_MSG_ERROR: break;
  default: send_error(b, b->ws, p, m.rid, JP_E_BAD_REQUEST, "unexpected message"); break;
  }
  jp_msg_free(&m);
}

/* ---- group commit ---- */

/* moves the per-second ring to `now`, zeroing the seconds that passed */
static void rate_advance(struct broker *b, int64_t now) {
  int64_t sec = now / 1000;
  if (sec != b->sec_base) {
    for (int64_t s = b->sec_base + 1; s <= sec && s - b->sec_base <= 16; s++) b->done_per_sec[s & 15] = 0;
    b->sec_base = sec;
  }
}

static void count_done(struct broker *b, int64_t now) {
  rate_advance(b, now);
  b->done_per_sec[(now / 1000) & 15]++;
  b->completed++;
}

static void undo_dispatch(void *ctx, void *job) {
  struct broker *b = ctx;
  sched_undispatch(b->s, job);
}

static void flush(struct broker *b, int64_t now) {
  if (!b->nsubs && !b->nfins && !b->natts) return;
  char err[512];
  int ok = journal_begin(b->j, err, sizeof err) == 0;
  for (size_t i = 0; ok && i < b->nsubs; i++) {
    struct pend_sub *ps = &b->subs[i];
    if (!ps->job) continue;
    struct journal_sub js = {.id = ps->job->id, .client = "", .lang = sched_lang_name(b->s, ps->job->lang),
                             .prio = ps->job->prio, .attempts = 0, .payload = ps->job->payload,
                             .payload_len = ps->job->payload_len};
    char digest[65];
    blob_hash(ps->job->payload, ps->job->payload_len, digest);
    js.client = ps->client;
    js.digest = digest;
    int existed, done, same, same_client;
    if (journal_put(b->j, &js, &existed, &done, &same, &same_client, err, sizeof err) < 0) ok = 0;
    else if (existed) {
      /* on_submit answers ids the journal has; should one get here all the
       * same it is a duplicate or a clash, and only a job still merely
       * queued is dropped (one dispatched or cancelled this turn has a JOB
       * or a verdict pending that still refer to it) */
      if (ps->job->state == SCHED_QUEUED) {
        sched_finishing(b->s, ps->job);
        sched_done(b->s, ps->job);
      }
      ps->job = NULL;
      ps->dup = 1;
      ps->forbidden = !same || (ps->keyed && !same_client);
    }
  }
  for (size_t i = 0; ok && i < b->natts; i++)
    if (journal_set_attempts(b->j, b->atts[i].sid, b->atts[i].attempts, err, sizeof err) < 0) ok = 0;
  for (size_t i = 0; ok && i < b->nfins; i++) {
    struct pend_fin *f = &b->fins[i];
    int rc = journal_finish(b->j, f->job->id, f->verdict, f->blob, f->len, err, sizeof err);
    if (rc < 0) ok = 0;
    f->stale = rc == 1;
    if (f->stale) logmsg(b, "%s: already has its final result; this %s is not stored", f->job->id, f->verdict);
  }
  if (ok && journal_commit(b->j, err, sizeof err) < 0) ok = 0;
  if (!ok) {
    journal_rollback(b->j);
    logmsg(b, "journal write failed, nothing acknowledged: %s", err);
    /* this turn's JOBs go nowhere: their attempts are not stored */
    outbox_discard(&b->ob, undo_dispatch, b);
    for (size_t i = 0; i < b->nfins; i++) {
      sched_requeue(b->s, b->fins[i].job);
      free(b->fins[i].blob);
    }
    for (size_t i = 0; i < b->nsubs; i++) {
      struct pend_sub *ps = &b->subs[i];
      if (ps->job) {
        sched_finishing(b->s, ps->job);
        sched_done(b->s, ps->job);
      }
      send_error(b, b->cs, &ps->who, ps->rid, JP_E_INTERNAL, "broker could not store the submission; retry");
    }
    b->nsubs = b->nfins = b->natts = 0;
    return;
  }
  for (size_t i = 0; i < b->nsubs; i++) {
    struct pend_sub *ps = &b->subs[i];
    if (ps->forbidden) {
      send_error(b, b->cs, &ps->who, ps->rid, JP_E_FORBIDDEN, "sid already used for different content");
      continue;
    }
    struct jp_msg a = {.type = JP_MSG_ACK, .rid = ps->rid};
    a.u.ack.sid = ps->sid;
    a.u.ack.duplicate = ps->dup;
    /* watched from before its first event on; a duplicate still being
     * judged too. A refused watch leaves watching false: the client polls */
    if (ps->watch && sched_find(b->s, ps->sid))
      a.u.ack.watching = watch_start(b, ps->sid, ps->client, &ps->who) == NULL;
    send_msg(b, b->cs, &ps->who, &a);
    if (ps->job) publish(b, ps->sid, JP_EV_QUEUED, 0, JP_V_NONE, 0);
  }
  for (size_t i = 0; i < b->nfins; i++) {
    struct pend_fin *f = &b->fins[i];
    struct sched_job *j = f->job;
    if (!f->stale) publish(b, j->id, f->ev, j->attempts, f->v, f->score);
    if (f->ack_worker) queue_ack(b, &f->worker, j->id, f->lease);
    if (f->ack_client) {
      struct jp_msg a = {.type = JP_MSG_ACK, .rid = f->crid};
      a.u.ack.sid = j->id;
      send_msg(b, b->cs, &f->client, &a);
    }
    sched_done(b->s, j);
    free(f->blob);
    if (!f->stale) count_done(b, now);
  }
  b->nsubs = b->nfins = b->natts = 0;
}

/* ---- leases, dispatch, heartbeats ---- */

static void on_expire(void *ctx, struct sched_job *j, int failed) {
  struct broker *b = ctx;
  if (failed) {
    struct jp_result r = {.verdict = JP_V_IE};
    r.compile.message = "";
    logmsg(b, "%s: %u attempts lost their worker; giving up with IE", j->id, j->attempts);
    add_fin(b, j, JP_ST_DONE, &r, JP_EV_DONE);
    return;
  }
  logmsg(b, "%s: lease expired (worker silent or job overdue), requeued after attempt %u", j->id, j->attempts);
  struct pend_att *a;
  PUSH(b->atts, b->natts, b->capatts, a);
  if (a) {
    snprintf(a->sid, sizeof a->sid, "%s", j->id);
    a->attempts = j->attempts;
  }
  publish(b, j->id, JP_EV_REQUEUED, j->attempts, JP_V_NONE, 0);
}

/* A JOB left the outbox (rc 0) or could not (rc -1). */
static void job_sent(struct broker *b, struct sched_job *j, int rc) {
  struct sched_worker *w = j->worker;
  if (rc < 0) {
    /* not sent: the worker's connection is gone, or it is between two (a
     * worker keeps its routing id across reconnects). This job goes back
     * as if never leased and the worker gets no more until it is heard
     * from; its other leases stand, renewed by its heartbeats or expiring
     * (counted) if it is gone for good */
    logmsg(b, "%s: worker %s unreachable; the job goes back to the queue", j->id, w->name);
    sched_worker_unreachable(b->s, w);
    sched_undispatch(b->s, j);
    return;
  }
  w->last_job_sent = b->now;
  /* which worker judged what: operators (and tests/pool/pool_drain.sh) */
  if (b->cfg->verbose) logmsg(b, "%s: attempt %u leased to worker %s", j->id, j->attempts, w->name);
  publish(b, j->id, JP_EV_STARTED, j->attempts, JP_V_NONE, 0);
}

static void send_queued(void *ctx, const struct outbox_msg *om) {
  struct broker *b = ctx;
  struct peer p;
  memcpy(p.id, om->id, om->id_len);
  p.len = om->id_len;
  int rc = send_raw(b->ws, &p, om->body, om->len);
  /* a lost RESULT_ACK (tag NULL) is harmless: the worker resends the result */
  if (om->tag) job_sent(b, om->tag, rc);
}

/* Queues an encoded body (taken, malloc'd) for the worker at p until the
 * end of the turn (outbox.h); a JOB carries its job. Without memory for the
 * outbox it goes at once. */
static void queue_to_worker(struct broker *b, const struct peer *p, void *buf, size_t len, struct sched_job *job) {
  if (outbox_add(&b->ob, p->id, p->len, buf, len, job) == 0) return;
  struct outbox_msg om = {.id_len = p->len, .body = buf, .len = len, .tag = job};
  memcpy(om.id, p->id, p->len);
  send_queued(b, &om);
  free(buf);
}

static void queue_ack(struct broker *b, const struct peer *p, const char *sid, uint64_t lease) {
  struct jp_msg a = {.type = JP_MSG_RESULT_ACK};
  a.u.result_ack.sid = sid;
  a.u.result_ack.lease = lease;
  void *buf;
  size_t len;
  char err[256];
  if (jp_msg_encode(&a, &buf, &len, err, sizeof err) < 0) {
    logmsg(b, "encoding RESULT_ACK: %s", err); /* harmless: the worker resends the result */
    return;
  }
  queue_to_worker(b, p, buf, len, NULL);
}

/* Ends a queued job as IE without judging it: its stored SUBMIT cannot be
 * read (a damaged journal), or it has had all its attempts. */
static int end_as_ie(struct broker *b, struct sched_job *j, const char *why) {
  logmsg(b, "%s: %s: IE", j->id, why);
  struct sched_job *c;
  if (sched_cancel(b->s, j->id, &c) == 0) return 0;
  struct jp_result r = {.verdict = JP_V_IE};
  r.compile.message = "";
  size_t before = b->nfins;
  add_fin(b, c, JP_ST_DONE, &r, JP_EV_DONE);
  return b->nfins > before ? 0 : -1; /* out of memory: it went back to the queue */
}

static int fail_unreadable(struct broker *b, struct sched_job *j, const char *err) {
  char why[320];
  snprintf(why, sizeof why, "stored submission unreadable (%s)", err);
  return end_as_ie(b, j, why);
}

/* Runs before the turn's commit (flush), whose outbox_send then sends the
 * JOBs. The stored SUBMIT was encoded by this process or checked when it
 * was read back from the journal (recover_one), so the JOB copies its
 * fields as bytes (jp_job_from_submit) instead of decoding and re-encoding. */
static void dispatch(struct broker *b, int64_t now) {
  struct sched_job *j;
  struct sched_worker *w;
  while (sched_dispatch(b->s, now, &j, &w) == 1) {
    void *buf;
    size_t len;
    char err[256];
    /* both ways out take the dispatch back first: no attempt, no slot for
     * a JOB that never went; and stop the turn if even IE could not be
     * recorded (no memory), or the same job would come round forever */
    if (j->attempts > b->cfg->max_attempts) {
      /* journaled attempts say its last lease died with the broker (or a
       * failed commit put its verdict back): no further try */
      sched_undispatch(b->s, j);
      if (end_as_ie(b, j, "every attempt used (the last one was lost with the broker)") < 0) return;
      continue;
    }
    if (jp_job_from_submit(j->payload, j->payload_len, j->lease, j->attempts, &buf, &len, err, sizeof err) < 0) {
      sched_undispatch(b->s, j);
      if (fail_unreadable(b, j, err) < 0) return;
      continue;
    }
    /* the attempt is journaled in this turn's commit, before the JOB goes
     * out: a job that takes its worker (and broker) down with it still
     * reaches the attempt cap across broker restarts */
    struct pend_att *a;
    PUSH(b->atts, b->natts, b->capatts, a);
    if (!a) {
      free(buf);
      sched_undispatch(b->s, j);
      return;
    }
    snprintf(a->sid, sizeof a->sid, "%s", j->id);
    a->attempts = j->attempts;
    struct peer p;
    memcpy(p.id, w->rid, w->rid_len);
    p.len = w->rid_len;
    queue_to_worker(b, &p, buf, len, j);
  }
}

/* PROTOCOL.md 6.1: any message is a sign of life, heartbeats fill the
 * silences; a busy worker gets JOBs all the time, so a thousand of them
 * cost no thousand extra sends (and pipe wake-ups) a second. */
static void heartbeat_workers(struct broker *b, int64_t now) {
  struct jp_msg h = {.type = JP_MSG_HEARTBEAT};
  h.u.heartbeat.epoch = b->epoch;
  void *buf;
  size_t len;
  if (jp_msg_encode(&h, &buf, &len, NULL, 0) < 0) return;
  for (struct sched_worker *w = sched_workers(b->s), *n; w; w = n) {
    n = sched_worker_next(w);
    if (now - w->last_job_sent < b->cfg->heartbeat_ms) continue;
    struct peer p;
    memcpy(p.id, w->rid, w->rid_len);
    p.len = w->rid_len;
    send_raw(b->ws, &p, buf, len); /* an unreachable one just times out */
  }
  free(buf);
}

/* ---- recovery ---- */

static int recover_one(void *ctx, const struct journal_sub *s) {
  struct broker *b = ctx;
  char err[256];
  void *payload = malloc(s->payload_len ? s->payload_len : 1);
  if (!payload) return -1;
  memcpy(payload, s->payload, s->payload_len);
  struct sched_job *j;
  int rc = sched_add(b->s, s->id, s->client, s->prio, s->lang, s->attempts, payload, s->payload_len, &j, err,
                     sizeof err);
  if (rc != SCHED_ADDED) {
    free(payload);
    logmsg(b, "recovery: cannot requeue %s: %s", s->id, rc < 0 ? err : "duplicate");
    return 0;
  }
  /* read back from disk: checked whole once here, so dispatch can copy it */
  struct jp_msg m;
  if (jp_msg_decode(s->payload, s->payload_len, &m, NULL, err, sizeof err) < 0) fail_unreadable(b, j, err);
  else if (m.type != JP_MSG_SUBMIT) fail_unreadable(b, j, "not a SUBMIT");
  jp_msg_free(&m);
  return 0;
}

/* a drained name from the journal; more than the bound (a hand-edited
 * journal) are left out, loudly */
static int load_drained(void *ctx, const char *name) {
  struct broker *b = ctx;
  if (b->ndrained >= BROKER_MAX_DRAINED || strlen(name) > SCHED_ID_MAX) {
    logmsg(b, "journal: drained worker '%.*s' ignored (more than %d names, or too long)", SCHED_ID_MAX, name,
           BROKER_MAX_DRAINED);
    return 0;
  }
  snprintf(b->drained[b->ndrained++], sizeof b->drained[0], "%s", name);
  logmsg(b, "worker %s stays drained (journal)", name);
  return 0;
}

/* ---- the loop ---- */

static void teardown(struct broker *b) {
  if (b->cs) zmq_close(b->cs);
  if (b->ws) zmq_close(b->ws);
  if (b->ps) zmq_close(b->ps);
  /* the ZAP handler's socket lives in ctx: stop it before zmq_ctx_term
   * waits for every socket */
  if (b->zap) jp_zap_stop(b->zap);
  b->zap = NULL;
  watch_free(b->wt);
  if (b->ctx) zmq_ctx_term(b->ctx);
  jp_keypair_wipe(&b->kp);
  pb_free(b->pb);
  pb_free(b->cpb);
  outbox_free(&b->ob);
  sched_free(b->s);
  lang_table_free(&b->builtin);
  journal_close(b->j);
  free(b->subs);
  free(b->fins);
  free(b->atts);
}

/* Every body frame: who sent it (the ZAP handler's verdict at the
 * handshake, checked again against the current keys file). */
static int identify(struct broker *b, void *sock, const struct peer *p, zmq_msg_t *body, struct jp_peer *who) {
  char err[256];
  if (jp_zap_peer(b->zap, body, who, err, sizeof err) == 0) return 0;
  if (b->cfg->verbose) logmsg(b, "refused a message: %s", err);
  send_error(b, sock, p, 0, JP_E_FORBIDDEN, "forbidden: your key is not (or no longer) admitted");
  return -1;
}

static int parse_langs(struct broker *b, const char *list, char *err, size_t errlen) {
  char buf[sizeof b->cfg->langs];
  snprintf(buf, sizeof buf, "%s", list);
  b->nlangs = 0;
  for (char *save, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
    if (b->nlangs == SCHED_LANG_MAX || strlen(t) >= sizeof b->langs[0])
      return jp_err(err, errlen, "languages: at most %d names of at most %zu characters", SCHED_LANG_MAX,
                    sizeof b->langs[0] - 1);
    snprintf(b->langs[b->nlangs++], sizeof b->langs[0], "%s", t);
  }
  return 0;
}

static void reload_keys(struct broker *b) {
  char err[512];
  if (!b->zap) {
    logmsg(b, "SIGHUP: running --insecure, no keys file to reload");
    return;
  }
  int r = jp_zap_reload(b->zap, err, sizeof err);
  if (r < 0) {
    logmsg(b, "SIGHUP: keys file not reloaded, the old keys stay in force: %s", err);
    return;
  }
  logmsg(b, "SIGHUP: keys file reloaded, %zu keys, %d removed or changed role", jp_zap_count(b->zap), r);
  /* a PUB socket has no per-message check: make every subscriber
   * handshake again so a removed key loses the feed too */
  if (r > 0 && jp_rebind(b->ps, b->cfg->events, err, sizeof err) < 0)
    logmsg(b, "SIGHUP: rebinding the event socket: %s", err);
  /* likewise a watch set up by a key removed since: every watcher must
   * WATCH again, checked against the new keys (clients do on silence) */
  if (r > 0) watch_clear(b->wt);
}

/* The client part of a loop turn ends after this many bytes of client
 * frames or this long, whichever comes first (or `batch` messages). */
#define CLIENT_TURN_BYTES ((size_t)32 << 20)
#define CLIENT_TURN_MS 100

int broker_run(const struct broker_cfg *cfg, volatile sig_atomic_t *stop, volatile sig_atomic_t *reload,
               char *err, size_t errlen) {
  struct broker b = {.cfg = cfg};
  char path[4096];
  if (parse_langs(&b, cfg->langs, err, errlen) < 0) return -1;
  if (!cfg->insecure && jp_cert_load_secret(cfg->cert, &b.kp, err, errlen) < 0) return -1;
  /* a worker is allowed max_peer_bytes of BLOB replies outstanding; a
   * reading one drains about 64 MiB/s over loopback or a LAN */
  b.pb = pb_new(cfg->max_peer_bytes ? cfg->max_peer_bytes : (uint64_t)256 << 20, (uint64_t)64 << 20, 1024);
  /* a client connection likewise: max_client_reply_bytes of large
   * replies outstanding, assumed read at that many bytes per second */
  b.cpb = pb_new(cfg->max_client_reply_bytes, cfg->max_client_reply_bytes, 1024);
  b.wt = watch_new(cfg->max_watches, cfg->max_watches_total);
  if (!b.pb || !b.cpb || !b.wt) {
    pb_free(b.pb);
    pb_free(b.cpb);
    watch_free(b.wt);
    jp_keypair_wipe(&b.kp);
    return jp_err(err, errlen, "allocating the per-peer byte budget and the watch table: out of memory");
  }
  if (journal_open(&b.j, cfg->data, &b.epoch, err, errlen) < 0 ||
      lang_table_load_builtin(&b.builtin, err, errlen) < 0) {
    teardown(&b);
    return -1;
  }
  snprintf(path, sizeof path, "%s/blobs", cfg->data);
  struct sched_cfg sc = {.lease_ms = cfg->lease_ms, .worker_timeout_ms = cfg->lease_ms,
                         .job_timeout_ms = cfg->job_timeout_ms,
                         .max_attempts = cfg->max_attempts, .max_per_client = cfg->max_per_client,
                         .max_total = cfg->max_total, .max_bytes = cfg->max_bytes,
                         /* ticks come every 100 ms: a second without one is
                          * the broker's own stall, not its workers' silence */
                         .stall_ms = 1000, .max_client_bytes = cfg->max_client_bytes};
  if (blobstore_init(&b.bs, path, 0, err, errlen) < 0 || !(b.s = sched_new(&sc, err, errlen))) {
    teardown(&b);
    return -1;
  }
  /* leases carry the epoch in their top bits: a result for a lease of an
   * earlier broker run can never match a lease of this one */
  sched_set_lease_base(b.s, b.epoch << 40);
  sched_set_force(b.s, 1);
  if (journal_unfinished(b.j, recover_one, &b, err, errlen) < 0) {
    teardown(&b);
    return -1;
  }
  sched_set_force(b.s, 0);
  if (journal_drained(b.j, load_drained, &b, err, errlen) < 0) {
    teardown(&b);
    return -1;
  }
  struct sched_stats st;
  sched_stats(b.s, &st);
  logmsg(&b, "epoch %llu, recovered %zu unfinished submissions", (unsigned long long)b.epoch,
         st.queued[0] + st.queued[1] + st.queued[2] + st.queued[3]);

  b.ctx = zmq_ctx_new();
  /* a second I/O thread keeps a thousand worker connections from
   * serialising behind one (measured with the old libzmq load generator:
   * 1000 workers went from 0.6 to ~1.0 of the 10-worker rate; with the
   * ZMTP one, 1 and 2 threads were within the noise, 6 rounds each) */
  if (b.ctx) zmq_ctx_set(b.ctx, ZMQ_IO_THREADS, cfg->io_threads > 0 ? cfg->io_threads : 2);
  if (!b.ctx) {
    jp_err(err, errlen, "zmq_ctx_new failed");
    teardown(&b);
    return -1;
  }
  /* the ZAP handler must answer before any socket binds: a CURVE socket
   * with ZAP enforced refuses every peer while no handler is there */
  if (!cfg->insecure && jp_zap_start(b.ctx, cfg->keys, &b.zap, err, errlen) < 0) {
    teardown(&b);
    return -1;
  }
  struct jp_sock_auth auth = {.kp = &b.kp}, *a = cfg->insecure ? NULL : &auth;
  if (!(b.cs = jp_socket_auth(b.ctx, JP_SOCK_BROKER_CLIENTS, cfg->clients, NULL, a, err, errlen)) ||
      !(b.ws = jp_socket_auth(b.ctx, JP_SOCK_BROKER_WORKERS, cfg->workers, NULL, a, err, errlen)) ||
      !(b.ps = jp_socket_auth(b.ctx, JP_SOCK_BROKER_EVENTS, cfg->events, NULL, a, err, errlen))) {
    teardown(&b);
    return -1;
  }
  if (cfg->insecure)
    logmsg(&b, "--insecure: no authentication or encryption: every peer is treated as admin");
  else
    logmsg(&b, "CURVE on every socket; %zu keys admitted from %s (SIGHUP rereads it); broker public key %s",
           jp_zap_count(b.zap), cfg->keys, b.kp.public_z85);
  logmsg(&b, "serving clients on %s, workers on %s, events on %s", cfg->clients, cfg->workers, cfg->events);

  int64_t last_tick = now_ms(), last_hb = 0, last_report = last_tick;
  unsigned long last_refused = 0;
  b.sec_base = last_tick / 1000;
  zmq_msg_t body;
  while (!*stop) {
    if (reload && *reload) {
      *reload = 0;
      reload_keys(&b);
    }
    zmq_pollitem_t items[2] = {{b.ws, 0, ZMQ_POLLIN, 0}, {b.cs, 0, ZMQ_POLLIN, 0}};
    if (zmq_poll(items, 2, 50) < 0 && zmq_errno() != EINTR) {
      jp_err(err, errlen, "zmq_poll: %s", zmq_strerror(zmq_errno()));
      teardown(&b);
      return -1;
    }
    int64_t now = now_ms();
    b.now = now;
    struct peer p;
    struct jp_peer who;
    for (int i = 0; i < cfg->batch; i++) {
      int rc = recv_routed(b.ws, &p, &body);
      if (rc == 0) break;
      if (rc < 0) continue;
      if (identify(&b, b.ws, &p, &body, &who) == 0)
        on_worker(&b, &p, &who, zmq_msg_data(&body), zmq_msg_size(&body), now);
      zmq_msg_close(&body);
    }
    /* a turn's client work is bounded by bytes and time as well as by
     * count: each BLOB_PUT is hashed, written and fsynced here, and a
     * flood of them kept workers' messages (heartbeats, results) unread
     * for seconds; the rest waits one turn, after the workers' */
    size_t turn_bytes = 0;
    for (int i = 0; i < cfg->batch; i++) {
      int rc = recv_routed(b.cs, &p, &body);
      if (rc == 0) break;
      if (rc < 0) {
        send_error(&b, b.cs, &p, 0, JP_E_BAD_REQUEST, "expected exactly one body frame");
        continue;
      }
      turn_bytes += zmq_msg_size(&body);
      if (identify(&b, b.cs, &p, &body, &who) == 0)
        on_client(&b, &p, &who, zmq_msg_data(&body), zmq_msg_size(&body));
      zmq_msg_close(&body);
      int64_t spent = now_ms() - now;
      if (turn_bytes >= CLIENT_TURN_BYTES || spent >= CLIENT_TURN_MS) {
        if (cfg->verbose)
          logmsg(&b, "client turn cut after %d messages, %zu bytes, %lld ms: the rest waits until the workers' "
                 "messages are read", i + 1, turn_bytes, (long long)spent);
        break;
      }
    }
    if (now - last_tick >= 100) {
      /* a stall of the loop itself (heartbeats still unread behind the
       * batch cap) is no silence of the workers: the scheduler forgives a
       * gap between ticks over stall_ms (sched_cfg) */
      sched_tick(b.s, now, on_expire, &b);
      last_tick = now;
    }
    dispatch(&b, now);
    flush(&b, now);
    outbox_send(&b.ob, send_queued, &b);
    if (now - last_hb >= cfg->heartbeat_ms) {
      heartbeat_workers(&b, now);
      last_hb = now;
    }
    if (now - last_report >= 10000) {
      /* a peer with a key the broker does not admit only sees silence:
       * the operator at least sees it here */
      unsigned long refused = 0;
      if (b.zap) jp_zap_stats(b.zap, NULL, &refused);
      if (refused > last_refused)
        logmsg(&b, "refused %lu connection handshake(s) in the last 10 s: a key not in %s, or a client key on the "
               "workers socket (or the reverse); add it with its role, then SIGHUP", refused - last_refused, cfg->keys);
      last_refused = refused;
      /* the same figures as `judge status`, in the log for operators */
      struct sched_stats ss;
      sched_stats(b.s, &ss);
      uint64_t recent = (uint64_t)(recent_rate(&b, now) * 10.0 + 0.5);
      if (recent || ss.running || ss.queued[0] + ss.queued[1] + ss.queued[2] + ss.queued[3])
        logmsg(&b, "%llu done in the last 10 s; queued contest %zu normal %zu rejudge %zu bulk %zu; running %zu; "
               "workers %zu, slots %zu free of %zu",
               (unsigned long long)recent, ss.queued[0], ss.queued[1], ss.queued[2], ss.queued[3], ss.running,
               ss.workers, ss.free_slots, ss.slots);
      last_report = now;
    }
  }
  flush(&b, now_ms());
  outbox_send(&b.ob, send_queued, &b);
  logmsg(&b, "stopping");
  teardown(&b);
  return 0;
}
