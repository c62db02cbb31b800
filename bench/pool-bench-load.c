/* pool-bench-load.c — load generator behind bench/pool-bench.
 *   pool-bench-load raw SECONDS
 *     raw ZeroMQ ROUTER<->DEALER round trips over tcp loopback (64 B, 64 in
 *     flight): the ceiling any broker on this machine lives under.
 *   pool-bench-load pool CLIENTS_EP WORKERS_EP NWORKERS TOTAL_SLOTS NSUBS NCLIENTS
 *     NWORKERS simulated null workers (all in one thread, each a bare ZMTP
 *     DEALER connection, zmtp_peer.h; slots split evenly; answering every
 *     JOB at once, heartbeats every second) and NCLIENTS client threads
 *     (libzmq, like the real client library) pipelining NSUBS submissions;
 *     prints completed submissions per second (a completion = the broker
 *     stored the verdict and acknowledged it) and the CPU seconds the
 *     simulator and the clients used, which the broker did not get. */
#include <inttypes.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "internal.h" /* the bounded msgpack reader (jp_rd) */
#include "proto.h"
#include "zmtp_peer.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *zctx;

/* ---- raw round trips ---- */

static volatile int raw_stop;
static void *raw_server(void *ep) {
  void *r = zmq_socket(zctx, ZMQ_ROUTER);
  int z = 0;
  zmq_setsockopt(r, ZMQ_LINGER, &z, sizeof z);
  zmq_bind(r, ep);
  int t = 100;
  zmq_setsockopt(r, ZMQ_RCVTIMEO, &t, sizeof t);
  char id[256], buf[256];
  while (!raw_stop) {
    int n = zmq_recv(r, id, sizeof id, 0);
    if (n < 0) continue;
    int m = zmq_recv(r, buf, sizeof buf, 0);
    zmq_send(r, id, (size_t)n, ZMQ_SNDMORE);
    zmq_send(r, buf, (size_t)m, 0);
  }
  zmq_close(r);
  return NULL;
}

static int raw(double seconds) {
  const char *ep = "tcp://127.0.0.1:27999";
  pthread_t th;
  pthread_create(&th, NULL, raw_server, (void *)ep);
  void *d = zmq_socket(zctx, ZMQ_DEALER);
  int z = 0;
  zmq_setsockopt(d, ZMQ_LINGER, &z, sizeof z);
  zmq_connect(d, ep);
  char msg[64] = {0}, buf[64];
  for (int i = 0; i < 64; i++) zmq_send(d, msg, sizeof msg, 0);
  uint64_t n = 0;
  double t0 = now_s(), end = t0 + seconds;
  while (now_s() < end) {
    for (int i = 0; i < 1000; i++) {
      zmq_recv(d, buf, sizeof buf, 0);
      zmq_send(d, msg, sizeof msg, 0);
      n++;
    }
  }
  double dt = now_s() - t0;
  raw_stop = 1;
  pthread_join(th, NULL);
  zmq_close(d);
  printf("raw_roundtrips_per_s %.0f\n", n / dt);
  return 0;
}

/* ---- simulated pool ---- */

static const char *clients_ep, *workers_ep;
static int nworkers, total_slots, nclients;
static long nsubs;
static volatile long completed, acked;
static volatile int pool_stop;
static char run_tag[32];

static struct jp_result ac_result;
static int worker_per;
static volatile int registered;
static double sim_cpu, client_cpu; /* CPU seconds of the simulated workers' thread, of the client threads */
static pthread_mutex_t cpu_lock = PTHREAD_MUTEX_INITIALIZER;

static double thread_cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct sim_worker {
  struct zmtp_peer peer;
  int index, acked, reg_sent;
  int want_out; /* EPOLLOUT is asked for (a write was left over) */
};

static void queue_msg(struct zmtp_peer *p, const struct jp_msg *m) {
  void *buf;
  size_t len;
  if (jp_msg_encode(m, &buf, &len, NULL, 0) < 0) return;
  zmtp_queue(p, buf, len);
  free(buf);
}

static void queue_register(struct sim_worker *w) {
  char name[32];
  snprintf(name, sizeof name, "null-%d", w->index);
  const char *langs[] = {"c"};
  struct jp_msg m = {.type = JP_MSG_REGISTER, .rid = 1};
  m.u.reg.name = name;
  m.u.reg.slots = (uint32_t)worker_per;
  m.u.reg.langs = langs;
  m.u.reg.nlangs = 1;
  queue_msg(&w->peer, &m);
}

static int str_is(const struct jp_rd_item *it, const char *s) {
  return it->kind == JP_K_STR && it->n == strlen(s) && !memcmp(it->data, s, it->n);
}

/* The type, lease and sub.sid of a frame by a scan (jp_rd), without a full
 * decode: the simulated workers stand in for other hosts, whose CPU the
 * broker would not share, so they do no more per job than they must. 0, or
 * -1 when the frame is not a map of that shape (then it is decoded fully). */
static int scan_msg(const void *body, size_t len, struct jp_rd_item *type, uint64_t *lease, char *sid, size_t sidcap) {
  struct jp_rd r = {.p = body, .end = (const uint8_t *)body + len};
  struct jp_rd_item top, k, v;
  type->kind = JP_K_NIL;
  *lease = 0;
  sid[0] = 0;
  if (jp_rd_next(&r, &top) < 0 || top.kind != JP_K_MAP) return -1;
  for (uint64_t i = 0; i < top.n; i++) {
    if (jp_rd_next(&r, &k) < 0 || k.kind != JP_K_STR) return -1;
    if (str_is(&k, "type")) {
      if (jp_rd_next(&r, type) < 0) return -1;
    } else if (str_is(&k, "lease")) {
      if (jp_rd_next(&r, &v) < 0 || v.kind != JP_K_UINT) return -1;
      *lease = v.n;
    } else if (str_is(&k, "sub")) {
      struct jp_rd_item sub;
      if (jp_rd_next(&r, &sub) < 0 || sub.kind != JP_K_MAP) return -1;
      for (uint64_t j = 0; j < sub.n; j++) {
        if (jp_rd_next(&r, &k) < 0 || k.kind != JP_K_STR) return -1;
        if (str_is(&k, "sid")) {
          if (jp_rd_next(&r, &v) < 0 || v.kind != JP_K_STR || v.n >= sidcap) return -1;
          memcpy(sid, v.data, v.n);
          sid[v.n] = 0;
        } else if (jp_rd_skip(&r, 8) < 0) {
          return -1;
        }
      }
    } else if (jp_rd_skip(&r, 8) < 0) {
      return -1;
    }
  }
  return 0;
}

/* one message from the broker to simulated worker ctx: answer a JOB at once */
static void on_broker_msg(void *ctx, const void *body, size_t len) {
  struct sim_worker *w = ctx;
  struct jp_rd_item type;
  uint64_t lease;
  char sid[256];
  if (scan_msg(body, len, &type, &lease, sid, sizeof sid) == 0) {
    if (str_is(&type, "JOB") && sid[0] && lease) {
      struct jp_msg r = {.type = JP_MSG_JOB_RESULT};
      r.u.job_result.sid = sid;
      r.u.job_result.lease = lease;
      r.u.job_result.result = ac_result;
      queue_msg(&w->peer, &r);
      return;
    }
    if (str_is(&type, "RESULT_ACK")) {
      __atomic_add_fetch(&completed, 1, __ATOMIC_RELAXED);
      return;
    }
  }
  struct jp_msg m;
  if (jp_msg_decode(body, len, &m, NULL, NULL, 0) < 0) return;
  if (m.type == JP_MSG_JOB) { /* not reached unless the scan missed a field */
    struct jp_msg r = {.type = JP_MSG_JOB_RESULT};
    r.u.job_result.sid = m.u.job.sub.sid;
    r.u.job_result.lease = m.u.job.lease;
    r.u.job_result.result = ac_result;
    queue_msg(&w->peer, &r);
  } else if (m.type == JP_MSG_RESULT_ACK) {
    __atomic_add_fetch(&completed, 1, __ATOMIC_RELAXED);
  } else if (m.type == JP_MSG_ACK && !w->acked) {
    w->acked = 1;
    __atomic_add_fetch(&registered, 1, __ATOMIC_RELAXED);
  } else if (m.type == JP_MSG_ERROR && m.u.error.code == JP_E_FORBIDDEN) {
    queue_register(w);
  }
  jp_msg_free(&m);
}

/* writes what a worker has queued; asks for EPOLLOUT while some is left */
static void flush_worker(int ep, struct sim_worker *w) {
  int r = zmtp_flush(&w->peer);
  if (r < 0) {
    fprintf(stderr, "pool-bench-load: simulated worker %d lost its connection\n", w->index);
    _exit(1);
  }
  int want = r == 0;
  if (want == w->want_out) return;
  struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.u32 = (uint32_t)w->index};
  epoll_ctl(ep, EPOLL_CTL_MOD, w->peer.fd, &ev);
  w->want_out = want;
}

/* All simulated workers in this one thread: bare ZMTP peers (zmtp_peer.h)
 * under one epoll, heartbeats at the real 1 s interval, no busy loop. */
static void *workers_main(void *arg) {
  int port = *(int *)arg;
  struct sim_worker *ws = calloc((size_t)nworkers, sizeof *ws);
  worker_per = total_slots / nworkers > 0 ? total_slots / nworkers : 1;
  ac_result = (struct jp_result){.verdict = JP_V_AC, .score = 1};
  ac_result.compile.ok = true;
  ac_result.compile.message = "";
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (!ws || ep < 0) {
    perror("pool-bench-load: simulated workers");
    _exit(1);
  }
  for (int i = 0; i < nworkers; i++) {
    ws[i].index = i;
    if (zmtp_connect(&ws[i].peer, port) < 0) {
      perror("pool-bench-load: connecting a simulated worker");
      _exit(1);
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, ws[i].peer.fd, &ev);
    flush_worker(ep, &ws[i]);
  }
  double next_hb = now_s() + 1.0;
  struct epoll_event evs[256];
  while (!pool_stop) {
    int n = epoll_wait(ep, evs, 256, 50);
    for (int k = 0; k < n; k++) {
      struct sim_worker *w = &ws[evs[k].data.u32];
      if ((evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && zmtp_read(&w->peer, on_broker_msg, w) < 0) {
        fprintf(stderr, "pool-bench-load: simulated worker %d: connection closed or bad frame\n", w->index);
        _exit(1);
      }
      /* libzmq takes no message before its own READY went out */
      if (w->peer.ready && !w->reg_sent) {
        queue_register(w);
        w->reg_sent = 1;
      }
      flush_worker(ep, w);
    }
    if (now_s() >= next_hb) {
      for (int i = 0; i < nworkers; i++) {
        if (!ws[i].reg_sent) continue;
        struct jp_msg h = {.type = JP_MSG_HEARTBEAT};
        h.u.heartbeat.free_slots = (uint32_t)worker_per;
        queue_msg(&ws[i].peer, &h);
        flush_worker(ep, &ws[i]);
      }
      next_hb += 1.0;
    }
  }
  sim_cpu = thread_cpu_s();
  for (int i = 0; i < nworkers; i++) zmtp_close(&ws[i].peer);
  close(ep);
  free(ws);
  return NULL;
}

static void *client_main(void *arg) {
  long me = (long)arg;
  long mine = nsubs / nclients + (me < nsubs % nclients ? 1 : 0);
  void *s = zmq_socket(zctx, ZMQ_DEALER);
  int z = 0;
  zmq_setsockopt(s, ZMQ_LINGER, &z, sizeof z);
  char rid[64];
  snprintf(rid, sizeof rid, "bench%ld/%d", me, (int)getpid());
  zmq_setsockopt(s, ZMQ_ROUTING_ID, rid, strlen(rid));
  zmq_connect(s, clients_ep);
  static const char empty[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; /* no files */
  struct jp_source src = {.name = "main.c", .content = {(const uint8_t *)"int main(){}", 12}};
  long next = 0, done = 0, inflight = 0;
  const long window = 512;
  /* the sid of request rid r is index r-1 */
  while (done < mine) {
    while (inflight < window && next < mine) {
      char sid[64];
      snprintf(sid, sizeof sid, "%s-%ld-%ld", run_tag, me, next);
      struct jp_msg m = {.type = JP_MSG_SUBMIT, .rid = (uint64_t)next + 1};
      m.u.submit.sid = sid;
      m.u.submit.problem.hash = empty;
      m.u.submit.lang = "c";
      m.u.submit.sources = &src;
      m.u.submit.nsources = 1;
      m.u.submit.priority = JP_PRIO_NORMAL;
      void *buf;
      size_t len;
      jp_msg_encode(&m, &buf, &len, NULL, 0);
      zmq_send(s, buf, len, 0);
      free(buf);
      next++;
      inflight++;
    }
    zmq_msg_t zm;
    zmq_msg_init(&zm);
    if (zmq_msg_recv(&zm, s, 0) < 0) {
      zmq_msg_close(&zm);
      continue;
    }
    struct jp_msg r;
    if (jp_msg_decode(zmq_msg_data(&zm), zmq_msg_size(&zm), &r, NULL, NULL, 0) == 0) {
      inflight--;
      if (r.type == JP_MSG_ACK) {
        done++;
        __atomic_add_fetch(&acked, 1, __ATOMIC_RELAXED);
      } else if (r.type == JP_MSG_ERROR && r.u.error.code == JP_E_QUEUE_FULL) {
        /* back off and resend that one (same sid: idempotent) */
        usleep(1000);
        char sid[64];
        snprintf(sid, sizeof sid, "%s-%ld-%" PRIu64, run_tag, me, r.rid - 1);
        struct jp_msg m = {.type = JP_MSG_SUBMIT, .rid = r.rid};
        m.u.submit.sid = sid;
        m.u.submit.problem.hash = empty;
        m.u.submit.lang = "c";
        m.u.submit.sources = &src;
        m.u.submit.nsources = 1;
        void *buf;
        size_t len;
        jp_msg_encode(&m, &buf, &len, NULL, 0);
        zmq_send(s, buf, len, 0);
        free(buf);
        inflight++;
      } else {
        fprintf(stderr, "pool-bench-load: unexpected reply %s %s %s\n", jp_msg_type_name(r.type),
                r.type == JP_MSG_ERROR ? jp_errcode_name(r.u.error.code) : "", r.type == JP_MSG_ERROR ? r.u.error.message : "");
        done++;
      }
      jp_msg_free(&r);
    }
    zmq_msg_close(&zm);
  }
  zmq_close(s);
  double cpu = thread_cpu_s();
  pthread_mutex_lock(&cpu_lock);
  client_cpu += cpu;
  pthread_mutex_unlock(&cpu_lock);
  return NULL;
}

static int pool(void) {
  snprintf(run_tag, sizeof run_tag, "r%lx", (unsigned long)time(NULL) ^ (unsigned long)getpid());
  const char *colon = strrchr(workers_ep, ':');
  static int port;
  port = colon ? atoi(colon + 1) : 0;
  if (strncmp(workers_ep, "tcp://127.0.0.1:", 16) || port <= 0 || port > 65535) {
    fprintf(stderr, "pool-bench-load: the workers endpoint must be tcp://127.0.0.1:PORT\n");
    return 2;
  }
  pthread_t wt;
  pthread_create(&wt, NULL, workers_main, &port);
  /* every simulated worker registered (and acknowledged) before the clock starts */
  double reg_limit = now_s() + 60;
  while (__atomic_load_n(&registered, __ATOMIC_RELAXED) < nworkers && now_s() < reg_limit) usleep(2000);
  if (registered < nworkers) {
    fprintf(stderr, "pool-bench-load: only %d of %d simulated workers registered in 60 s\n", registered, nworkers);
    _exit(1);
  }
  double t0 = now_s();
  pthread_t *ct = calloc((size_t)nclients, sizeof *ct);
  for (long i = 0; i < nclients; i++) pthread_create(&ct[i], NULL, client_main, (void *)i);
  double limit = t0 + 300;
  while (__atomic_load_n(&completed, __ATOMIC_RELAXED) < nsubs && now_s() < limit) usleep(2000);
  double dt = now_s() - t0;
  long c = __atomic_load_n(&completed, __ATOMIC_RELAXED);
  if (c < nsubs) {
    fprintf(stderr, "pool-bench-load: only %ld of %ld completed in %.0f s (is the broker alive?)\n", c, nsubs, dt);
    _exit(1);
  }
  for (long i = 0; i < nclients; i++) pthread_join(ct[i], NULL);
  pool_stop = 1;
  pthread_join(wt, NULL);
  free(ct);
  printf("workers %d slots %d submissions %ld completed %ld seconds %.2f completed_per_s %.0f "
         "simulator_cpu_s %.2f clients_cpu_s %.2f\n",
         nworkers, total_slots, nsubs, c, dt, c / dt, sim_cpu, client_cpu);
  return c == nsubs ? 0 : 1;
}

int main(int argc, char **argv) {
  zctx = zmq_ctx_new();
  /* the raw loop's baseline as it was always measured; in pool mode libzmq
   * carries only the few client sockets */
  zmq_ctx_set(zctx, ZMQ_IO_THREADS, argc > 1 && !strcmp(argv[1], "raw") ? 2 : 1);
  int rc = 2;
  if (argc == 3 && !strcmp(argv[1], "raw")) {
    rc = raw(atof(argv[2]));
  } else if (argc == 8 && !strcmp(argv[1], "pool")) {
    clients_ep = argv[2];
    workers_ep = argv[3];
    nworkers = atoi(argv[4]);
    total_slots = atoi(argv[5]);
    nsubs = atol(argv[6]);
    nclients = atoi(argv[7]);
    if (nworkers > 0 && total_slots > 0 && nsubs > 0 && nclients > 0) rc = pool();
  } else {
    fprintf(stderr, "usage: pool-bench-load raw SECONDS | pool CLIENTS WORKERS NWORKERS SLOTS NSUBS NCLIENTS\n");
  }
  zmq_ctx_term(zctx);
  return rc;
}
