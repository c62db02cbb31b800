/* worker.c — the worker daemon's loop (see worker.h). The main thread owns
 * the broker socket; slot threads judge and talk back over an inproc PULL
 * ('P' = progress frame to forward, 'D' = a job finished). A result stays in
 * `unacked` and is resent until the broker's RESULT_ACK, so neither a lost
 * message nor a broker restart loses it. */
#include "worker.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "cache.h"
#include "err.h"
#include "sockets.h"

#define EVENTS_EP "inproc://worker-events"

struct wjob {
  struct jp_msg msg; /* the decoded JOB (owns its strings) */
  char sid[JP_PROTO_MAX_SID + 1];
  uint64_t lease;
  void *result; /* encoded JOB_RESULT */
  size_t rlen;
  int64_t last_sent;
  atomic_int cancel; /* CANCEL_JOB or the drain deadline: the runner stops, the result is dropped */
  struct wjob *next;
  struct wjob *rnext; /* in worker.running while a slot judges it */
};

struct worker {
  const struct worker_cfg *cfg;
  struct runner *runner;
  struct wcache cache;
  void *ctx, *ds, *pull;
  pthread_t *threads;
  int nthreads;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  struct wjob *todo, *todo_tail;
  struct wjob *running;   /* being judged, until this thread takes the result (rnext): cancels reach them, heartbeats name them */
  int quit;
  int busy;               /* jobs held: queued here or being judged */
  struct wjob *unacked;   /* finished, waiting for RESULT_ACK */
  uint64_t epoch, rid;
  char link_id[40]; /* the broker socket's routing id, for the process's life */
  int registered;     /* a REGISTER went out in this broker epoch */
  int64_t last_heard, last_hb, last_reg, backoff_ms;
};

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void logw(const struct worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logw(const struct worker *w, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "judge-worker %s: ", w->cfg->name);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

static int send_msg(struct worker *w, const struct jp_msg *m) {
  void *buf;
  size_t len;
  char err[256];
  if (jp_msg_encode(m, &buf, &len, err, sizeof err) < 0) {
    logw(w, "encoding %s: %s", jp_msg_type_name(m->type), err);
    return -1;
  }
  int rc = zmq_send(w->ds, buf, len, ZMQ_DONTWAIT);
  free(buf);
  return rc < 0 ? -1 : 0;
}

static void wjob_free(struct wjob *j) {
  jp_msg_free(&j->msg);
  free(j->result);
  free(j);
}

/* ---- slot threads ---- */

struct slot_ctx {
  struct worker *w;
  struct wjob *job;
  void *push;
  int emitted;
};

static void on_progress(void *c, uint32_t index, uint32_t total, const struct jp_test_result *t) {
  struct slot_ctx *sc = c;
  struct jp_msg m = {.type = JP_MSG_PROGRESS};
  m.u.progress.sid = sc->job->sid;
  m.u.progress.lease = sc->job->lease;
  m.u.progress.index = index;
  m.u.progress.total = total;
  m.u.progress.test = *t;
  void *buf;
  size_t len;
  if (jp_msg_encode(&m, &buf, &len, NULL, 0) < 0) return;
  zmq_send(sc->push, "P", 1, ZMQ_SNDMORE);
  zmq_send(sc->push, buf, len, 0);
  free(buf);
}

static void on_emit(void *c, const struct jp_result *r) {
  struct slot_ctx *sc = c;
  if (sc->emitted) return;
  struct jp_msg m = {.type = JP_MSG_JOB_RESULT};
  m.u.job_result.sid = sc->job->sid;
  m.u.job_result.lease = sc->job->lease;
  m.u.job_result.result = *r;
  char err[256];
  if (jp_msg_encode(&m, &sc->job->result, &sc->job->rlen, err, sizeof err) < 0) {
    logw(sc->w, "%s: result not encodable (%s): reporting IE", sc->job->sid, err);
    return;
  }
  sc->emitted = 1;
}

static void judge_one(struct worker *w, struct wjob *j, void *push) {
  struct slot_ctx sc = {.w = w, .job = j, .push = push};
  char err[1024] = "", dir[4096] = "", jobdir[4096] = "";
  char (*paths)[4096] = NULL;
  const char *srcs[JP_PROTO_MAX_SOURCES];
  size_t nsrc = 0;
  int rc = 0, pinned = 0;
  const struct jp_job *job = &j->msg.u.job;
  if (atomic_load(&j->cancel)) return; /* cancelled before it started */
  if (w->runner->needs_files) {
    nsrc = job->sub.nsources;
    paths = calloc(nsrc ? nsrc : 1, sizeof *paths);
    snprintf(jobdir, sizeof jobdir, "%s/jobs/%016" PRIx64, w->cfg->cache, j->lease);
    wcache_rmtree(jobdir);
    if (!paths) rc = jp_errno(err, sizeof err, "allocating source paths");
    else if (wcache_problem(&w->cache, &job->sub.problem, dir, sizeof dir, err, sizeof err) < 0) rc = -1;
    else {
      pinned = 1;
      if (wcache_sources(&job->sub, jobdir, paths, nsrc, err, sizeof err) < 0) rc = -1;
    }
    for (size_t i = 0; paths && i < nsrc; i++) srcs[i] = paths[i];
  }
  if (rc == 0)
    rc = w->runner->judge(w->runner->state, job, dir, srcs, nsrc, &j->cancel, on_progress, on_emit, &sc, err,
                          sizeof err);
  if (atomic_load(&j->cancel)) {
    logw(w, "%s: cancelled (lease %" PRIu64 "): stopped judging, no result sent", j->sid, j->lease);
  } else if (rc < 0 || !sc.emitted) {
    if (!err[0]) snprintf(err, sizeof err, "judging produced no result");
    logw(w, "%s: %s: reporting IE", j->sid, err);
    struct jp_result r = {.verdict = JP_V_IE};
    r.compile.message = err;
    sc.emitted = 0;
    on_emit(&sc, &r);
  }
  if (jobdir[0]) wcache_rmtree(jobdir);
  if (pinned) wcache_unpin(&w->cache, dir); /* trimming may remove it from now on */
  free(paths);
  if (w->runner->needs_files) wcache_trim(&w->cache);
}

static void *slot_main(void *arg) {
  struct worker *w = arg;
  void *push = zmq_socket(w->ctx, ZMQ_PUSH);
  int zero = 0;
  zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
  zmq_connect(push, EVENTS_EP);
  for (;;) {
    pthread_mutex_lock(&w->mu);
    while (!w->todo && !w->quit) pthread_cond_wait(&w->cv, &w->mu);
    if (!w->todo) {
      pthread_mutex_unlock(&w->mu);
      break;
    }
    struct wjob *j = w->todo;
    w->todo = j->next;
    if (!w->todo) w->todo_tail = NULL;
    j->rnext = w->running;
    w->running = j;
    pthread_mutex_unlock(&w->mu);
    j->next = NULL;
    judge_one(w, j, push);
    /* it stays in `running` until the main thread takes its result, so
     * every heartbeat names its lease (todo, running, then unacked) */
    zmq_send(push, "D", 1, ZMQ_SNDMORE);
    zmq_send(push, &j, sizeof j, 0);
  }
  zmq_close(push);
  return NULL;
}

/* ---- broker link ---- */

static void send_register(struct worker *w, int64_t now) {
  struct jp_msg m = {.type = JP_MSG_REGISTER, .rid = ++w->rid};
  m.u.reg.name = w->cfg->name;
  m.u.reg.slots = (uint32_t)w->cfg->slots;
  m.u.reg.langs = w->cfg->langs;
  m.u.reg.nlangs = w->cfg->nlangs;
  w->last_reg = now;
  if (send_msg(w, &m) == 0) w->registered = 1;
}

static void resend_results(struct worker *w, int64_t now, int all) {
  for (struct wjob *j = w->unacked; j; j = j->next)
    if (all || now - j->last_sent >= 2000) {
      if (zmq_send(w->ds, j->result, j->rlen, ZMQ_DONTWAIT) >= 0) j->last_sent = now;
    }
}

/* The broker knows a worker by its routing id (its leases, its results).
 * One id for the process's life, on every socket reconnect() makes (and so
 * on libzmq's own reconnects after a blip), keeps the leases across a link
 * drop: the broker hands the id over to the new connection. Random, so no
 * other process, not even a second worker of the same name, knows it (and
 * the broker drops any other key's messages on it). */
static int make_link_id(struct worker *w, char *err, size_t errlen) {
  unsigned char raw[16];
  size_t got = 0;
  while (got < sizeof raw) {
    ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return jp_errno(err, errlen, "getrandom for the worker's routing id");
    got += (size_t)n;
  }
  _Static_assert(sizeof w->link_id >= 3 + 2 * sizeof raw + 1, "routing id buffer");
  /* printable, and never a leading 0 byte (libzmq reserves those) */
  size_t off = (size_t)snprintf(w->link_id, sizeof w->link_id, "jw-");
  for (size_t i = 0; i < sizeof raw; i++, off += 2)
    snprintf(w->link_id + off, sizeof w->link_id - off, "%02x", raw[i]);
  return 0;
}

static int reconnect(struct worker *w, char *err, size_t errlen) {
  if (w->ds) zmq_close(w->ds);
  w->ds = jp_socket(w->ctx, JP_SOCK_WORKER, w->cfg->broker, w->link_id, err, errlen);
  return w->ds ? 0 : -1;
}

/* CANCEL_JOB (PROTOCOL.md §3.4): a job not started yet is dropped, a
 * running one gets its flag set (the runner stops at its next check: the
 * engine kills the box run in progress). No JOB_RESULT is sent for it. */
static void cancel_job(struct worker *w, const char *sid, uint64_t lease) {
  int found = 0;
  pthread_mutex_lock(&w->mu);
  for (struct wjob **pp = &w->todo, *prev = NULL; *pp; prev = *pp, pp = &(*pp)->next)
    if ((*pp)->lease == lease && !strcmp((*pp)->sid, sid)) {
      struct wjob *j = *pp;
      *pp = j->next;
      if (w->todo_tail == j) w->todo_tail = prev;
      w->busy--;
      wjob_free(j);
      found = 1;
      break;
    }
  for (struct wjob *j = w->running; j && !found; j = j->rnext)
    if (j->lease == lease && !strcmp(j->sid, sid)) {
      atomic_store(&j->cancel, 1);
      found = 1;
    }
  pthread_mutex_unlock(&w->mu);
  logw(w, "%s: CANCEL_JOB for lease %" PRIu64 ": %s", sid, lease,
       found ? "stopping it" : "not held here (finished or never got it)");
}

/* The drain deadline passed: every running job is cancelled so the process
 * can exit; their leases are lost and the broker requeues them. */
static int cancel_running(struct worker *w) {
  int n = 0;
  pthread_mutex_lock(&w->mu);
  for (struct wjob *j = w->running; j; j = j->rnext, n++) atomic_store(&j->cancel, 1);
  /* in the same critical section nothing queued may start any more: a
   * slot finishing now would take the next job, and the exit wait for it */
  struct wjob *todo = w->todo;
  w->todo = w->todo_tail = NULL;
  w->quit = 1;
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  while (todo) {
    struct wjob *j = todo;
    todo = j->next;
    wjob_free(j);
  }
  return n;
}

/* Answers a JOB this worker cannot take with IE, kept until acknowledged
 * like any result: the broker counts the attempt and tries another worker
 * (IE for good after its attempt cap). Dropping it would leave the job
 * "running" here, its lease renewed by every heartbeat, until the broker's
 * job timeout. */
static void refuse_job(struct worker *w, const char *sid, uint64_t lease, const char *why, int64_t now) {
  char msg[512];
  snprintf(msg, sizeof msg, "worker %s could not take this job: %s", w->cfg->name, why);
  logw(w, "%s: %s: answering IE so the broker can try it elsewhere", sid, why);
  struct jp_msg m = {.type = JP_MSG_JOB_RESULT};
  m.u.job_result.sid = sid;
  m.u.job_result.lease = lease;
  m.u.job_result.result.verdict = JP_V_IE;
  m.u.job_result.result.compile.message = msg;
  struct wjob *j = calloc(1, sizeof *j);
  if (j && jp_msg_encode(&m, &j->result, &j->rlen, NULL, 0) == 0) {
    snprintf(j->sid, sizeof j->sid, "%s", sid);
    j->lease = lease;
    j->next = w->unacked;
    w->unacked = j;
    j->last_sent = now;
    if (zmq_send(w->ds, j->result, j->rlen, ZMQ_DONTWAIT) < 0) j->last_sent = 0;
    return;
  }
  free(j);
  send_msg(w, &m); /* no memory to keep it: once, best effort */
}

static void on_broker(struct worker *w, const void *buf, size_t len, int64_t now) {
  struct jp_msg m;
  char err[256];
  if (jp_msg_decode(buf, len, &m, NULL, err, sizeof err) < 0) {
    char sid[JP_PROTO_MAX_SID + 1];
    uint64_t lease;
    if (jp_job_ref(buf, len, sid, &lease) == 0) refuse_job(w, sid, lease, err, now);
    else logw(w, "ignoring a malformed message from the broker: %s", err);
    return;
  }
  w->last_heard = now;
  w->backoff_ms = 0;
  switch (m.type) {
  case JP_MSG_HEARTBEAT:
    if (w->epoch && m.u.heartbeat.epoch != w->epoch) {
      logw(w, "broker restarted (epoch %" PRIu64 " -> %" PRIu64 "): registering again", w->epoch,
           m.u.heartbeat.epoch);
      w->epoch = m.u.heartbeat.epoch;
      send_register(w, now);
      resend_results(w, now, 1);
    }
    w->epoch = m.u.heartbeat.epoch;
    break;
  case JP_MSG_ERROR:
    if (m.u.error.code == JP_E_FORBIDDEN) {
      /* a broker that does not know us (restarted, or dropped us). The
       * answer to a heartbeat sent before our last REGISTER reached it is
       * no news, and its next HEARTBEAT's epoch is no further restart:
       * either read as one would REGISTER again and lose the leases that
       * registration was given */
      if (w->last_reg && now - w->last_reg < 2000) break;
      w->epoch = 0;
      send_register(w, now);
      resend_results(w, now, 1);
    } else {
      logw(w, "broker says: %s: %s", jp_errcode_name(m.u.error.code), m.u.error.message);
    }
    break;
  case JP_MSG_JOB: {
    struct wjob *j = calloc(1, sizeof *j);
    if (!j) {
      refuse_job(w, m.u.job.sub.sid, m.u.job.lease, "out of memory", now);
      break;
    }
    j->msg = m;
    j->lease = m.u.job.lease;
    snprintf(j->sid, sizeof j->sid, "%s", m.u.job.sub.sid);
    memset(&m, 0, sizeof m); /* ownership moved */
    pthread_mutex_lock(&w->mu);
    if (w->todo_tail) w->todo_tail->next = j;
    else w->todo = j;
    w->todo_tail = j;
    w->busy++;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    break;
  }
  case JP_MSG_RESULT_ACK:
    for (struct wjob **pp = &w->unacked; *pp; pp = &(*pp)->next)
      if ((*pp)->lease == m.u.result_ack.lease && !strcmp((*pp)->sid, m.u.result_ack.sid)) {
        struct wjob *j = *pp;
        *pp = j->next;
        wjob_free(j);
        break;
      }
    break;
  case JP_MSG_CANCEL_JOB:
    cancel_job(w, m.u.cancel_job.sid, m.u.cancel_job.lease);
    break;
  default:
    break;
  }
  jp_msg_free(&m);
}

static void on_slot_event(struct worker *w, int64_t now) {
  char kind;
  if (zmq_recv(w->pull, &kind, 1, 0) < 0) return;
  zmq_msg_t body;
  zmq_msg_init(&body);
  zmq_msg_recv(&body, w->pull, 0);
  if (kind == 'P') {
    zmq_send(w->ds, zmq_msg_data(&body), zmq_msg_size(&body), ZMQ_DONTWAIT);
  } else if (kind == 'D' && zmq_msg_size(&body) == sizeof(struct wjob *)) {
    struct wjob *j;
    memcpy(&j, zmq_msg_data(&body), sizeof j);
    pthread_mutex_lock(&w->mu);
    w->busy--;
    for (struct wjob **pp = &w->running; *pp; pp = &(*pp)->rnext)
      if (*pp == j) {
        *pp = j->rnext;
        break;
      }
    pthread_mutex_unlock(&w->mu);
    if (atomic_load(&j->cancel)) { /* nobody wants its result (§3.4 CANCEL_JOB) */
      wjob_free(j);
      zmq_msg_close(&body);
      return;
    }
    j->next = w->unacked;
    w->unacked = j;
    j->last_sent = now;
    if (zmq_send(w->ds, j->result, j->rlen, ZMQ_DONTWAIT) < 0) j->last_sent = 0;
  }
  zmq_msg_close(&body);
}

/* Names every lease this worker holds (received and not finished, or its
 * result not acknowledged): the broker renews those only, so a JOB that
 * never arrived (lost with a connection that died under it) expires and
 * is tried again instead of waiting for the job timeout. More than the
 * protocol's cap, or no memory: no list, and the broker renews them all. */
static void heartbeat(struct worker *w, int draining) {
  struct jp_msg m = {.type = JP_MSG_HEARTBEAT};
  pthread_mutex_lock(&w->mu);
  int free_slots = w->cfg->slots - w->busy;
  /* every job held: queued, being judged (or judged, its result not yet
   * taken by this thread), unacknowledged */
  size_t n = 0;
  for (struct wjob *j = w->todo; j; j = j->next) n++;
  for (struct wjob *j = w->running; j; j = j->rnext) n++;
  for (struct wjob *j = w->unacked; j; j = j->next) n++;
  uint64_t *leases = n <= JP_PROTO_MAX_LEASES ? malloc((n ? n : 1) * sizeof *leases) : NULL;
  if (leases) {
    n = 0;
    for (struct wjob *j = w->todo; j; j = j->next) leases[n++] = j->lease;
    for (struct wjob *j = w->running; j; j = j->rnext) leases[n++] = j->lease;
    for (struct wjob *j = w->unacked; j; j = j->next) leases[n++] = j->lease;
    m.u.heartbeat.has_leases = true;
    m.u.heartbeat.leases = leases;
    m.u.heartbeat.nleases = n;
  }
  pthread_mutex_unlock(&w->mu);
  m.u.heartbeat.free_slots = draining || free_slots < 0 ? 0 : (uint32_t)free_slots;
  send_msg(w, &m);
  free(leases);
}

int worker_run(const struct worker_cfg *cfg, struct runner *runner, volatile sig_atomic_t *stop,
               char *err, size_t errlen) {
  struct worker w = {.cfg = cfg, .runner = runner};
  pthread_mutex_init(&w.mu, NULL);
  pthread_cond_init(&w.cv, NULL);
  int ret = -1;
  w.ctx = zmq_ctx_new();
  if (!w.ctx) return jp_err(err, errlen, "zmq_ctx_new failed");
  w.pull = zmq_socket(w.ctx, ZMQ_PULL);
  int zero = 0;
  zmq_setsockopt(w.pull, ZMQ_LINGER, &zero, sizeof zero);
  if (zmq_bind(w.pull, EVENTS_EP) < 0) {
    jp_err(err, errlen, "binding %s: %s", EVENTS_EP, zmq_strerror(zmq_errno()));
    goto out;
  }
  if (wcache_init(&w.cache, cfg->cache, cfg->cache_bytes, (size_t)cfg->slots, w.ctx, cfg->broker, err, errlen) < 0)
    goto out;
  if (make_link_id(&w, err, errlen) < 0 || reconnect(&w, err, errlen) < 0) goto out;
  w.threads = calloc((size_t)cfg->slots, sizeof *w.threads);
  if (!w.threads) {
    jp_errno(err, errlen, "allocating threads");
    goto out;
  }
  for (int i = 0; i < cfg->slots; i++) {
    if (pthread_create(&w.threads[i], NULL, slot_main, &w) != 0) {
      jp_errno(err, errlen, "starting slot thread");
      goto out;
    }
    w.nthreads++;
  }
  logw(&w, "%d slots (%s runner), broker %s", cfg->slots, runner->name, cfg->broker);
  int64_t now = now_ms(), drain_end = 0;
  w.last_heard = now;
  send_register(&w, now);
  int draining = 0;
  for (;;) {
    if (*stop && !draining) {
      draining = 1;
      drain_end = now + cfg->drain_ms;
      logw(&w, "stopping: finishing %d held jobs", w.busy);
      heartbeat(&w, 1);
    }
    if (draining) {
      pthread_mutex_lock(&w.mu);
      int busy = w.busy;
      pthread_mutex_unlock(&w.mu);
      if (busy == 0 && !w.unacked) break;
      if (now > drain_end) {
        int n = cancel_running(&w);
        if (n) logw(&w, "drain deadline passed: cancelled %d running jobs (the broker requeues them)", n);
        break;
      }
    }
    zmq_pollitem_t items[2] = {{w.ds, 0, ZMQ_POLLIN, 0}, {w.pull, 0, ZMQ_POLLIN, 0}};
    zmq_poll(items, 2, 100);
    now = now_ms();
    for (int i = 0; i < 4096; i++) {
      zmq_msg_t z;
      zmq_msg_init(&z);
      if (zmq_msg_recv(&z, w.ds, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&z);
        break;
      }
      int more = zmq_msg_more(&z);
      if (!more) on_broker(&w, zmq_msg_data(&z), zmq_msg_size(&z), now);
      zmq_msg_close(&z);
      while (more) { /* multi-frame: not ours, drain */
        zmq_msg_init(&z);
        zmq_msg_recv(&z, w.ds, 0);
        more = zmq_msg_more(&z);
        zmq_msg_close(&z);
      }
    }
    for (int i = 0; i < 4096; i++) {
      zmq_pollitem_t it = {w.pull, 0, ZMQ_POLLIN, 0};
      if (zmq_poll(&it, 1, 0) <= 0) break;
      on_slot_event(&w, now);
    }
    if (now - w.last_hb >= (int64_t)JP_PROTO_HEARTBEAT_MS) {
      heartbeat(&w, draining);
      resend_results(&w, now, 0);
      w.last_hb = now;
    }
    if (!w.registered && now - w.last_reg >= 1000) send_register(&w, now);
    /* a silent broker (dead, restarted, link cut): a fresh connection,
     * with exponential backoff between attempts */
    int64_t silence = (int64_t)JP_PROTO_HEARTBEAT_MS * JP_PROTO_LIVENESS;
    if (now - w.last_heard > silence + w.backoff_ms) {
      w.backoff_ms = w.backoff_ms ? (w.backoff_ms * 2 > 8000 ? 8000 : w.backoff_ms * 2) : 1000;
      logw(&w, "no word from the broker for %" PRId64 " ms: reconnecting", now - w.last_heard);
      if (reconnect(&w, err, errlen) < 0) goto out;
      w.last_heard = now;
      /* the same routing id: a broker of the same epoch still holds our
       * leases, and a REGISTER would lose them (PROTOCOL.md 6.3). A
       * HEARTBEAT carries on; a broker that forgot us answers it ERROR
       * forbidden, a restarted one with a new epoch: both make us
       * register (on_broker) */
      if (w.registered) heartbeat(&w, draining);
      else send_register(&w, now);
      resend_results(&w, now, 1);
    }
  }
  ret = 0;
out:
  pthread_mutex_lock(&w.mu);
  /* jobs never started are dropped: their leases expire at the broker */
  while (w.todo) {
    struct wjob *j = w.todo;
    w.todo = j->next;
    wjob_free(j);
  }
  w.todo_tail = NULL;
  w.quit = 1;
  pthread_cond_broadcast(&w.cv);
  pthread_mutex_unlock(&w.mu);
  for (int i = 0; i < w.nthreads; i++) pthread_join(w.threads[i], NULL);
  free(w.threads);
  /* jobs that ended after the loop (cancelled at the drain deadline): their
   * 'D' events are still queued, and own the jobs */
  for (;;) {
    zmq_pollitem_t it = {w.pull, 0, ZMQ_POLLIN, 0};
    if (!w.pull || zmq_poll(&it, 1, 0) <= 0) break;
    char kind;
    if (zmq_recv(w.pull, &kind, 1, 0) < 0) break;
    zmq_msg_t body;
    zmq_msg_init(&body);
    if (zmq_msg_recv(&body, w.pull, 0) >= 0 && kind == 'D' && zmq_msg_size(&body) == sizeof(struct wjob *)) {
      struct wjob *j;
      memcpy(&j, zmq_msg_data(&body), sizeof j);
      wjob_free(j);
    }
    zmq_msg_close(&body);
  }
  while (w.unacked) {
    struct wjob *j = w.unacked;
    w.unacked = j->next;
    wjob_free(j);
  }
  if (w.ds) zmq_close(w.ds);
  if (w.pull) zmq_close(w.pull);
  wcache_close(&w.cache);
  zmq_ctx_term(w.ctx);
  pthread_mutex_destroy(&w.mu);
  pthread_cond_destroy(&w.cv);
  return ret;
}
