/* pool-bench-load.c — load generator behind bench/pool-bench.
 *   pool-bench-load raw SECONDS
 *     raw ZeroMQ ROUTER<->DEALER round trips over tcp loopback (64 B, 64 in
 *     flight): the ceiling any broker on this machine lives under.
 *   pool-bench-load pool CLIENTS_EP WORKERS_EP NWORKERS TOTAL_SLOTS NSUBS NCLIENTS
 *     NWORKERS simulated null workers (one thread, one DEALER each, slots
 *     split evenly, answering every JOB at once) and NCLIENTS client threads
 *     pipelining NSUBS submissions; prints completed submissions per second
 *     (a completion = the broker stored the verdict and acknowledged it). */
#include <inttypes.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "proto.h"

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

static int send_msg(void *s, struct jp_msg *m) {
  void *buf;
  size_t len;
  if (jp_msg_encode(m, &buf, &len, NULL, 0) < 0) return -1;
  int rc = zmq_send(s, buf, len, ZMQ_DONTWAIT);
  free(buf);
  return rc;
}

static void do_register(void *s, int i, int slots) {
  char name[32];
  snprintf(name, sizeof name, "null-%d", i);
  const char *langs[] = {"c"};
  struct jp_msg m = {.type = JP_MSG_REGISTER, .rid = 1};
  m.u.reg.name = name;
  m.u.reg.slots = (uint32_t)slots;
  m.u.reg.langs = langs;
  m.u.reg.nlangs = 1;
  send_msg(s, &m);
}

static struct jp_result ac_result;
static int worker_per;

/* drains one simulated worker's socket; ZMQ_FD is edge-like, so after every
 * recv/send we re-check ZMQ_EVENTS until nothing is readable */
static void drain(void *sock, int i) {
  for (;;) {
    zmq_msg_t z;
    zmq_msg_init(&z);
    if (zmq_msg_recv(&z, sock, ZMQ_DONTWAIT) < 0) {
      zmq_msg_close(&z);
      int ev = 0;
      size_t el = sizeof ev;
      zmq_getsockopt(sock, ZMQ_EVENTS, &ev, &el);
      if (!(ev & ZMQ_POLLIN)) return;
      continue;
    }
    struct jp_msg m;
    if (jp_msg_decode(zmq_msg_data(&z), zmq_msg_size(&z), &m, NULL, NULL, 0) == 0) {
      if (m.type == JP_MSG_JOB) {
        struct jp_msg r = {.type = JP_MSG_JOB_RESULT};
        r.u.job_result.sid = m.u.job.sub.sid;
        r.u.job_result.lease = m.u.job.lease;
        r.u.job_result.result = ac_result;
        send_msg(sock, &r);
      } else if (m.type == JP_MSG_RESULT_ACK) {
        __atomic_add_fetch(&completed, 1, __ATOMIC_RELAXED);
      } else if (m.type == JP_MSG_ERROR && m.u.error.code == JP_E_FORBIDDEN) {
        do_register(sock, i, worker_per);
      }
      jp_msg_free(&m);
    }
    zmq_msg_close(&z);
  }
}

static void *workers_main(void *arg) {
  (void)arg;
  void **socks = calloc((size_t)nworkers, sizeof *socks);
  worker_per = total_slots / nworkers > 0 ? total_slots / nworkers : 1;
  ac_result = (struct jp_result){.verdict = JP_V_AC, .score = 1};
  ac_result.compile.ok = true;
  ac_result.compile.message = "";
  /* epoll over the sockets' ZMQ_FDs: zmq_poll over 1000 sockets would make
   * the simulator, not the broker, the bottleneck */
  int ep = epoll_create1(EPOLL_CLOEXEC);
  for (int i = 0; i < nworkers; i++) {
    socks[i] = zmq_socket(zctx, ZMQ_DEALER);
    int z = 0, hwm = 100000;
    zmq_setsockopt(socks[i], ZMQ_LINGER, &z, sizeof z);
    zmq_setsockopt(socks[i], ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(socks[i], ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_connect(socks[i], workers_ep);
    int fd;
    size_t fl = sizeof fd;
    zmq_getsockopt(socks[i], ZMQ_FD, &fd, &fl);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  usleep(200000);
  for (int i = 0; i < nworkers; i++) do_register(socks[i], i, worker_per);
  double last_hb = now_s();
  struct epoll_event evs[256];
  while (!pool_stop) {
    int n = epoll_wait(ep, evs, 256, 20);
    for (int k = 0; k < n; k++) drain(socks[evs[k].data.u32], (int)evs[k].data.u32);
    if (now_s() - last_hb > 1.0) {
      for (int i = 0; i < nworkers; i++) {
        struct jp_msg h = {.type = JP_MSG_HEARTBEAT};
        h.u.heartbeat.free_slots = (uint32_t)worker_per;
        send_msg(socks[i], &h);
        drain(socks[i], i);
      }
      last_hb = now_s();
    }
  }
  for (int i = 0; i < nworkers; i++) zmq_close(socks[i]);
  close(ep);
  free(socks);
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
  return NULL;
}

static int pool(void) {
  snprintf(run_tag, sizeof run_tag, "r%lx", (unsigned long)time(NULL) ^ (unsigned long)getpid());
  pthread_t wt;
  pthread_create(&wt, NULL, workers_main, NULL);
  sleep(1); /* registrations */
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
  printf("workers %d slots %d submissions %ld completed %ld seconds %.2f completed_per_s %.0f\n", nworkers,
         total_slots, nsubs, c, dt, c / dt);
  return c == nsubs ? 0 : 1;
}

int main(int argc, char **argv) {
  zctx = zmq_ctx_new();
  /* a thousand simulated workers are a thousand TCP connections: one I/O
   * thread for all of them makes the simulator the bottleneck */
  zmq_ctx_set(zctx, ZMQ_IO_THREADS, 2);
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
