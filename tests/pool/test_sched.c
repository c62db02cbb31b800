/* test_sched.c — unit tests of the scheduler: priorities, fairness,
 * languages, credits, leases, attempt cap, stale results, bounds, cancel,
 * a re-registering worker's leases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scheduler.h"

static const struct sched_cfg cfg = {
    .lease_ms = 1000, .worker_timeout_ms = 3000, .max_attempts = 3,
    .max_per_client = 5, .max_total = 8, .max_bytes = 1 << 20};

static struct sched *mk(void) {
  char err[256];
  struct sched *s = sched_new(&cfg, err, sizeof err);
  assert_non_null(s);
  return s;
}

static void add(struct sched *s, const char *id, const char *client, int prio, const char *lang) {
  char err[256];
  char *p = strdup(id);
  assert_int_equal(sched_add(s, id, client, prio, lang, 0, p, strlen(p), NULL, err, sizeof err), SCHED_ADDED);
}

static struct sched_worker *worker(struct sched *s, const char *rid, int slots, const char *langs0,
                                   const char *langs1) {
  const char *langs[2] = {langs0, langs1};
  char err[256];
  struct sched_worker *w = sched_worker_hello(s, rid, strlen(rid), rid, slots, langs, langs1 ? 2 : 1, 0, err, sizeof err);
  assert_non_null(w);
  return w;
}

/* dispatches one job and completes it at once; returns its id (static) */
static const char *run_one(struct sched *s, int64_t now) {
  static char id[SCHED_ID_MAX + 1];
  struct sched_job *j;
  struct sched_worker *w;
  if (sched_dispatch(s, now, &j, &w) != 1) return NULL;
  strcpy(id, j->id);
  struct sched_job *r;
  assert_int_equal(sched_result(s, w->rid, w->rid_len, j->id, j->lease, &r), SCHED_RES_ACCEPT);
  assert_ptr_equal(r, j);
  sched_done(s, r);
  return id;
}

static void priorities_first(void **st) {
  (void)st;
  struct sched *s = mk();
  add(s, "b1", "fuzz", SCHED_BULK, "c");
  add(s, "r1", "admin", SCHED_REJUDGE, "c");
  add(s, "n1", "alice", SCHED_NORMAL, "c");
  add(s, "c1", "team", SCHED_CONTEST, "c");
  worker(s, "w1", 1, "c", NULL);
  assert_string_equal(run_one(s, 0), "c1");
  assert_string_equal(run_one(s, 0), "n1");
  assert_string_equal(run_one(s, 0), "r1");
  assert_string_equal(run_one(s, 0), "b1");
  assert_null(run_one(s, 0));
  sched_free(s);
}

static void round_robin_between_clients(void **st) {
  (void)st;
  struct sched *s = mk();
  add(s, "a1", "A", SCHED_NORMAL, "c");
  add(s, "a2", "A", SCHED_NORMAL, "c");
  add(s, "a3", "A", SCHED_NORMAL, "c");
  add(s, "b1", "B", SCHED_NORMAL, "c");
  add(s, "b2", "B", SCHED_NORMAL, "c");
  worker(s, "w1", 1, "c", NULL);
  const char *want[] = {"a1", "b1", "a2", "b2", "a3"};
  for (size_t i = 0; i < 5; i++) assert_string_equal(run_one(s, 0), want[i]);
  sched_free(s);
}

static void languages_and_credits(void **st) {
  (void)st;
  struct sched *s = mk();
  add(s, "py1", "A", SCHED_CONTEST, "python3");
  add(s, "c1", "B", SCHED_NORMAL, "c");
  add(s, "c2", "B", SCHED_NORMAL, "c");
  add(s, "c3", "B", SCHED_NORMAL, "c");
  worker(s, "w1", 2, "c", "cpp");
  struct sched_job *j;
  struct sched_worker *w;
  /* the python job waits: nobody speaks it; c jobs flow up to the credit */
  assert_int_equal(sched_dispatch(s, 0, &j, &w), 1);
  assert_string_equal(j->id, "c1");
  assert_int_equal(sched_dispatch(s, 0, &j, &w), 1);
  assert_string_equal(j->id, "c2");
  assert_int_equal(sched_dispatch(s, 0, &j, &w), 0);
  struct sched_stats stt;
  sched_stats(s, &stt);
  assert_int_equal(stt.running, 2);
  assert_int_equal(stt.free_slots, 0);
  assert_int_equal(stt.queued[SCHED_CONTEST], 1);
  /* a python worker arrives and takes it */
  worker(s, "w2", 1, "python3", NULL);
  assert_int_equal(sched_dispatch(s, 0, &j, &w), 1);
  assert_string_equal(j->id, "py1");
  assert_string_equal(w->name, "w2");
  sched_free(s);
}

static int expired_requeued, expired_failed;
static void on_expire(void *ctx, struct sched_job *j, int failed) {
  (void)ctx;
  (void)j;
  if (failed) expired_failed++;
  else expired_requeued++;
}

static void lease_expiry_requeues_then_ie(void **st) {
  (void)st;
  struct sched *s = mk();
  add(s, "x", "A", SCHED_NORMAL, "c");
  struct sched_job *j;
  struct sched_worker *w;
  int64_t now = 0;
  expired_requeued = expired_failed = 0;
  char rid[8];
  for (int attempt = 1; attempt <= 3; attempt++) {
    snprintf(rid, sizeof rid, "w%d", attempt);
    worker(s, rid, 1, "c", NULL);
    assert_int_equal(sched_dispatch(s, now, &j, &w), 1);
    assert_int_equal(j->attempts, (uint32_t)attempt);
    sched_tick(s, now + 999, on_expire, NULL); /* not yet */
    assert_int_equal(j->state, SCHED_RUNNING);
    now += 1000;
    sched_tick(s, now, on_expire, NULL);
  }
  assert_int_equal(expired_requeued, 2);
  assert_int_equal(expired_failed, 1);
  assert_int_equal(j->state, SCHED_FINISHING);
  sched_done(s, j);
  assert_null(sched_find(s, "x"));
  sched_free(s);
}

static void heartbeat_renews_lease(void **st) {
  (void)st;
  struct sched *s = mk();
  add(s, "x", "A", SCHED_NORMAL, "c");
  worker(s, "w1", 1, "c", NULL);
  struct sched_job *j;
  struct sched_worker *w;
  assert_int_equal(sched_dispatch(s, 0, &j, &w), 1);
  expired_requeued = expired_failed = 0;
  for (int64_t t = 500; t <= 5000; t += 500) {
    assert_int_equal(sched_worker_heartbeat(s, "w1", 2, 0, NULL, SCHED_ALL_LEASES, t), 0);
    sched_tick(s, t, on_expire, NULL);
  }
  assert_int_equal(expired_requeued, 0);
  assert_int_equal(j->state, SCHED_RUNNING);
  assert_int_equal(sched_worker_heartbeat(s, "nobody", 6, 1, NULL, SCHED_ALL_LEASES, 0), -1);
  sched_free(s);
}

/* A scheduler with config c and n jobs ("x", "y", ...) leased at time 0 to
 * worker "w1" of n slots (jobs[0] first), expiry counters zeroed. */
static struct sched *leased(const struct sched_cfg *c, int n, struct sched_job **jobs) {
  char err[256];
  struct sched *s = sched_new(c, err, sizeof err);
  assert_non_null(s);
  for (int i = 0; i < n; i++) add(s, (const char[]){(char)('x' + i), 0}, "A", SCHED_NORMAL, "c");
  worker(s, "w1", n, "c", NULL);
  struct sched_worker *w;
  for (int i = 0; i < n; i++) assert_int_equal(sched_dispatch(s, 0, &jobs[i], &w), 1);
  expired_requeued = expired_failed = 0;
  return s;
}

/* A broker that stalled (cfg.stall_ms) does not hold its own silence
 * against its workers: the gap moves every deadline on; silence after it
 * still expires the lease. */
static void broker_stall_forgiven(void **st) {
  (void)st;
  struct sched_cfg c = cfg;
  c.stall_ms = 1000;
  struct sched_job *j;
  struct sched *s = leased(&c, 1, &j);
  sched_tick(s, 100, on_expire, NULL);
  sched_tick(s, 6600, on_expire, NULL); /* stalled 6.5 s, lease 1 s */
  assert_int_equal(j->state, SCHED_RUNNING);
  assert_int_equal(sched_worker_heartbeat(s, "w1", 2, 0, NULL, SCHED_ALL_LEASES, 6650), 0);
  for (int64_t t = 6700; t <= 7600; t += 100) sched_tick(s, t, on_expire, NULL);
  assert_int_equal(j->state, SCHED_RUNNING);
  for (int64_t t = 7700; t <= 7800; t += 100) sched_tick(s, t, on_expire, NULL);
  assert_int_equal(expired_requeued, 1); /* silent 1 s after the stall */
  assert_int_equal(j->state, SCHED_QUEUED);
  sched_free(s);
}

/* A heartbeat that names its leases renews only those: a JOB that never
 * reached the worker (lost with a dead connection) expires; an empty list
 * renews nothing. */
static void heartbeat_renews_only_named_leases(void **st) {
  (void)st;
  struct sched_job *xy[2];
  struct sched *s = leased(&cfg, 2, xy);
  struct sched_job *x = xy[0], *y = xy[1];
  uint64_t held = x->lease;
  for (int64_t t = 500; t <= 3000; t += 500) {
    assert_int_equal(sched_worker_heartbeat(s, "w1", 2, 0, &held, 1, t), 0);
    sched_tick(s, t, on_expire, NULL);
  }
  assert_int_equal(expired_requeued, 1);
  assert_int_equal(x->state, SCHED_RUNNING);
  assert_int_equal(y->state, SCHED_QUEUED);
  assert_int_equal(y->attempts, 1);
  assert_int_equal(sched_worker_heartbeat(s, "w1", 2, 0, NULL, 0, 3500), 0);
  sched_tick(s, 4500, on_expire, NULL);
  assert_int_equal(x->state, SCHED_QUEUED);
  sched_free(s);
}

static void stale_result_ignored(void **st) {
  (void)st;
  struct sched *s = mk();
  add(s, "x", "A", SCHED_NORMAL, "c");
  worker(s, "w1", 1, "c", NULL);
  struct sched_job *j, *r;
  struct sched_worker *w;
  assert_int_equal(sched_dispatch(s, 0, &j, &w), 1);
  uint64_t old = j->lease;
  sched_tick(s, 1000, NULL, NULL); /* w1 went silent: requeued */
  assert_int_equal(j->state, SCHED_QUEUED);
  worker(s, "w2", 1, "c", NULL);
  assert_int_equal(sched_dispatch(s, 1000, &j, &w), 1);
  assert_string_equal(w->name, "w2");
  assert_int_not_equal(j->lease, old);
  /* w1 comes back with its old result: recognised as stale */
  assert_int_equal(sched_result(s, "w1", 2, "x", old, &r), SCHED_RES_STALE);
  assert_null(r);
  assert_int_equal(j->state, SCHED_RUNNING);
  /* a result for the right id with a wrong lease from the right worker too */
  assert_int_equal(sched_result(s, "w2", 2, "x", old, &r), SCHED_RES_STALE);
  assert_int_equal(sched_result(s, "w2", 2, "x", j->lease, &r), SCHED_RES_ACCEPT);
  /* and a duplicate of the accepted result */
  uint64_t lease = r->lease;
  assert_int_equal(sched_result(s, "w2", 2, "x", lease, &r), SCHED_RES_STALE);
  sched_free(s);
}

static void bounds_and_duplicates(void **st) {
  (void)st;
  struct sched *s = mk();
  char err[256], id[16];
  for (int i = 0; i < 5; i++) {
    snprintf(id, sizeof id, "a%d", i);
    add(s, id, "A", SCHED_BULK, "c");
  }
  char *p = strdup("x");
  assert_int_equal(sched_add(s, "a9", "A", SCHED_BULK, "c", 0, p, 1, NULL, err, sizeof err), SCHED_FULL);
  struct sched_job *j;
  assert_int_equal(sched_add(s, "a0", "A", SCHED_BULK, "c", 0, p, 1, &j, err, sizeof err), SCHED_DUPLICATE);
  assert_string_equal(j->id, "a0");
  add(s, "b0", "B", SCHED_BULK, "c");
  add(s, "b1", "B", SCHED_BULK, "c");
  add(s, "b2", "B", SCHED_BULK, "c");
  assert_int_equal(sched_add(s, "c0", "C", SCHED_BULK, "c", 0, p, 1, NULL, err, sizeof err), SCHED_FULL);
  assert_int_equal(sched_add(s, "bad id", "C", SCHED_BULK, "c", 0, p, 1, NULL, err, sizeof err), -1);
  assert_int_equal(sched_add(s, "", "C", SCHED_BULK, "c", 0, p, 1, NULL, err, sizeof err), -1);
  assert_int_equal(sched_add(s, "ok", "C", 7, "c", 0, p, 1, NULL, err, sizeof err), -1);
  free(p);
  sched_free(s);
}

/* one client's payload bytes are bounded: a client queueing large
 * submissions nothing can run (a language no worker speaks) fills only its
 * own share, and others still get in (the bound used to be on the total
 * only, so one client took all of it and everyone got queue_full) */
static void bytes_per_client(void **st) {
  (void)st;
  static const struct sched_cfg c = {.lease_ms = 1000, .worker_timeout_ms = 3000, .max_attempts = 3,
                                     .max_per_client = 100, .max_total = 100, .max_bytes = 1000,
                                     .max_client_bytes = 300};
  char err[256], id[16];
  struct sched *s = sched_new(&c, err, sizeof err);
  assert_non_null(s);
  for (int i = 0; i < 3; i++) {
    snprintf(id, sizeof id, "big%d", i);
    char *p = calloc(1, 100);
    assert_int_equal(sched_add(s, id, "hog", SCHED_NORMAL, "cobol", 0, p, 100, NULL, err, sizeof err), SCHED_ADDED);
  }
  char *p = calloc(1, 100);
  assert_int_equal(sched_add(s, "big3", "hog", SCHED_NORMAL, "cobol", 0, p, 1, NULL, err, sizeof err), SCHED_FULL);
  assert_non_null(strstr(err, "for you"));
  /* others are not affected */
  assert_int_equal(sched_add(s, "x0", "alice", SCHED_NORMAL, "c", 0, p, 100, NULL, err, sizeof err), SCHED_ADDED);
  /* a finished job gives its bytes back to its client */
  struct sched_job *j;
  assert_int_equal(sched_cancel(s, "big0", &j), 1);
  sched_done(s, j);
  p = calloc(1, 100);
  assert_int_equal(sched_add(s, "big4", "hog", SCHED_NORMAL, "cobol", 0, p, 100, NULL, err, sizeof err), SCHED_ADDED);
  /* a single submission over the per-client bound never fits */
  p = calloc(1, 301);
  assert_int_equal(sched_add(s, "huge", "bob", SCHED_NORMAL, "c", 0, p, 301, NULL, err, sizeof err), SCHED_FULL);
  free(p);
  /* recovery (forced) takes back whatever the journal has */
  sched_set_force(s, 1);
  p = calloc(1, 100);
  assert_int_equal(sched_add(s, "big5", "hog", SCHED_NORMAL, "cobol", 0, p, 100, NULL, err, sizeof err), SCHED_ADDED);
  sched_free(s);
}

static void cancel_and_zombies(void **st) {
  (void)st;
  struct sched *s = mk();
  add(s, "q", "A", SCHED_NORMAL, "c");
  add(s, "r", "A", SCHED_CONTEST, "c");
  worker(s, "w1", 1, "c", NULL);
  struct sched_job *j, *c;
  struct sched_worker *w;
  assert_int_equal(sched_dispatch(s, 0, &j, &w), 1);
  assert_string_equal(j->id, "r");
  assert_int_equal(sched_cancel(s, "r", &c), 2);
  assert_int_equal(c->state, SCHED_FINISHING);
  /* the slot stays busy until the worker reports: no dispatch */
  assert_int_equal(sched_dispatch(s, 0, &j, &w), 0);
  sched_done(s, c);
  /* heartbeat says it is still busy */
  assert_int_equal(sched_worker_heartbeat(s, "w1", 2, 0, NULL, SCHED_ALL_LEASES, 10), 0);
  assert_int_equal(sched_dispatch(s, 10, &j, &w), 0);
  /* now free */
  assert_int_equal(sched_worker_heartbeat(s, "w1", 2, 1, NULL, SCHED_ALL_LEASES, 20), 0);
  assert_int_equal(sched_cancel(s, "q", &c), 1);
  sched_done(s, c);
  assert_int_equal(sched_cancel(s, "q", &c), 0);
  struct sched_stats stt;
  sched_stats(s, &stt);
  assert_int_equal(stt.free_slots, 1);
  assert_int_equal(stt.clients, 0);
  sched_free(s);
}

static void bye_hands_back_without_attempt(void **st) {
  (void)st;
  struct sched *s = mk();
  add(s, "x", "A", SCHED_NORMAL, "c");
  struct sched_worker *w1 = worker(s, "w1", 1, "c", NULL);
  struct sched_job *j;
  struct sched_worker *w;
  assert_int_equal(sched_dispatch(s, 0, &j, &w), 1);
  assert_int_equal(j->attempts, 1);
  sched_worker_bye(s, w1);
  assert_int_equal(j->state, SCHED_QUEUED);
  assert_int_equal(j->attempts, 0);
  assert_null(sched_worker_find(s, "w1", 2));
  sched_free(s);
}

/* A worker REGISTERs again on its connection: its own leases are lost at
 * once (each counts an attempt: requeued, or IE at the cap) and it is
 * forgotten; another worker's lease, even one past its deadline that a
 * sched_tick would expire, is left alone. */
static void reregister_expires_only_its_leases(void **st) {
  (void)st;
  struct sched *s = mk();
  char err[256];
  char *pz = strdup("z");
  add(s, "a", "A", SCHED_NORMAL, "c");
  /* z has lost two leases already (recovered from the journal) */
  assert_int_equal(sched_add(s, "z", "Z", SCHED_NORMAL, "c", 2, pz, 1, NULL, err, sizeof err), SCHED_ADDED);
  add(s, "o", "O", SCHED_NORMAL, "c");
  struct sched_worker *w1 = worker(s, "w1", 2, "c", NULL);
  struct sched_job *a, *z, *o;
  struct sched_worker *w;
  assert_int_equal(sched_dispatch(s, 0, &a, &w), 1);
  assert_int_equal(sched_dispatch(s, 0, &z, &w), 1);
  assert_string_equal(a->id, "a");
  assert_string_equal(z->id, "z");
  assert_int_equal(z->attempts, 3);
  assert_int_equal(sched_dispatch(s, 0, &o, &w), 0); /* w1 is full */
  struct sched_worker *w2 = worker(s, "w2", 1, "c", NULL);
  assert_int_equal(sched_dispatch(s, 0, &o, &w), 1);
  assert_string_equal(o->id, "o");
  assert_ptr_equal(w, w2);
  uint64_t o_lease = o->lease;
  int64_t o_deadline = o->deadline; /* 1000: a tick at 5000 would expire it */

  expired_requeued = expired_failed = 0;
  sched_worker_expire(s, w1, on_expire, NULL);
  assert_int_equal(expired_requeued, 1);
  assert_int_equal(expired_failed, 1);
  assert_int_equal(a->state, SCHED_QUEUED);
  assert_int_equal(a->attempts, 1); /* the lost lease counted */
  assert_null(a->worker);
  assert_int_equal(z->state, SCHED_FINISHING); /* the cap: the caller stores IE */
  assert_null(sched_worker_find(s, "w1", 2));
  /* w2 and its lease untouched */
  assert_ptr_equal(sched_worker_find(s, "w2", 2), w2);
  assert_int_equal(o->state, SCHED_RUNNING);
  assert_ptr_equal(o->worker, w2);
  assert_int_equal(o->lease, o_lease);
  assert_int_equal(o->deadline, o_deadline);
  assert_int_equal(o->attempts, 1);
  struct sched_stats stt;
  sched_stats(s, &stt);
  assert_int_equal(stt.running, 1);
  assert_int_equal(stt.queued[SCHED_NORMAL], 1);
  assert_int_equal(stt.workers, 1);
  sched_done(s, z);

  /* the new registration on that connection takes the requeued job */
  struct sched_worker *w1b = worker(s, "w1", 2, "c", NULL);
  struct sched_job *j;
  assert_int_equal(sched_dispatch(s, 5000, &j, &w), 1);
  assert_ptr_equal(j, a);
  assert_ptr_equal(w, w1b);
  assert_int_equal(a->attempts, 2);
  assert_int_equal(o->state, SCHED_RUNNING); /* still w2's */
  sched_free(s);
}

static void job_timeout_even_with_heartbeats(void **st) {
  (void)st;
  struct sched_cfg c = cfg;
  c.job_timeout_ms = 5000;
  struct sched_job *j;
  struct sched_worker *w;
  struct sched *s = leased(&c, 1, &j);
  for (int64_t t = 500; t <= 5000; t += 500) {
    sched_worker_heartbeat(s, "w1", 2, 0, NULL, SCHED_ALL_LEASES, t);
    sched_tick(s, t, on_expire, NULL);
  }
  assert_int_equal(expired_requeued, 0);
  sched_worker_heartbeat(s, "w1", 2, 0, NULL, SCHED_ALL_LEASES, 5500);
  sched_tick(s, 5500, on_expire, NULL);
  assert_int_equal(expired_requeued, 1);
  assert_int_equal(j->state, SCHED_QUEUED);
  /* the wedged slot stays blocked while the worker says it is busy */
  assert_int_equal(sched_dispatch(s, 5500, &j, &w), 0);
  sched_free(s);
}

static void many_workers_spread(void **st) {
  (void)st;
  struct sched_cfg c = cfg;
  c.max_total = c.max_per_client = 5000;
  char err[256];
  struct sched *s = sched_new(&c, err, sizeof err);
  char rid[16];
  for (int i = 0; i < 1000; i++) {
    snprintf(rid, sizeof rid, "w%d", i);
    worker(s, rid, 1, "c", NULL);
  }
  for (int i = 0; i < 2000; i++) {
    snprintf(rid, sizeof rid, "j%d", i);
    add(s, rid, "A", SCHED_NORMAL, "c");
  }
  struct sched_job *j;
  struct sched_worker *w;
  int n = 0;
  while (sched_dispatch(s, 0, &j, &w) == 1) n++;
  assert_int_equal(n, 1000); /* one per slot, not more */
  struct sched_stats stt;
  sched_stats(s, &stt);
  assert_int_equal(stt.queued[SCHED_NORMAL], 1000);
  assert_int_equal(stt.workers, 1000);
  sched_free(s);
}

/* a worker speaking two languages sits in both free rings and leaves both
 * when its slot is taken */
static void multi_language_worker_one_slot(void **st) {
  (void)st;
  struct sched *s = mk();
  add(s, "c1", "A", SCHED_NORMAL, "c");
  add(s, "p1", "B", SCHED_NORMAL, "cpp");
  struct sched_worker *w1 = worker(s, "w1", 1, "c", "cpp");
  struct sched_job *j, *r;
  struct sched_worker *w;
  assert_int_equal(sched_dispatch(s, 0, &j, &w), 1);
  assert_string_equal(j->id, "c1");
  assert_int_equal(sched_dispatch(s, 0, &j, &w), 0); /* not again through the cpp ring */
  assert_int_equal(sched_result(s, w1->rid, w1->rid_len, "c1", w1->jobs->lease, &r), SCHED_RES_ACCEPT);
  sched_done(s, r);
  assert_int_equal(sched_dispatch(s, 0, &j, &w), 1);
  assert_string_equal(j->id, "p1");
  assert_ptr_equal(w, w1);
  sched_free(s);
}

/* many clients whose next job nobody speaks do not hide the one that can go,
 * and wait (in order) for a worker of their language */
static void next_job_language_per_client(void **st) {
  (void)st;
  struct sched_cfg c = cfg;
  c.max_total = c.max_per_client = 5000;
  char err[256], id[32], cl[32];
  struct sched *s = sched_new(&c, err, sizeof err);
  assert_non_null(s);
  for (int i = 0; i < 1000; i++) {
    snprintf(id, sizeof id, "py%d", i);
    snprintf(cl, sizeof cl, "client%d", i);
    add(s, id, cl, SCHED_NORMAL, "python3");
  }
  add(s, "c1", "late", SCHED_NORMAL, "c");
  worker(s, "wc", 1, "c", NULL);
  assert_string_equal(run_one(s, 0), "c1");
  assert_null(run_one(s, 0)); /* python waits */
  worker(s, "wpy", 1, "python3", NULL);
  assert_string_equal(run_one(s, 0), "py0");
  assert_string_equal(run_one(s, 0), "py1");
  sched_free(s);
}

/* a client's next job changes language when its head is cancelled or a
 * lease of another language comes back to the front */
static void head_changes_language(void **st) {
  (void)st;
  struct sched *s = mk();
  add(s, "py1", "A", SCHED_NORMAL, "python3");
  add(s, "c1", "A", SCHED_NORMAL, "c");
  worker(s, "wc", 1, "c", NULL);
  assert_null(run_one(s, 0)); /* c1 waits behind py1 (one queue per client) */
  struct sched_job *j, *r;
  struct sched_worker *w;
  assert_int_equal(sched_cancel(s, "py1", &r), 1);
  sched_done(s, r);
  assert_int_equal(sched_dispatch(s, 0, &j, &w), 1); /* c1 is the head now */
  assert_string_equal(j->id, "c1");
  /* c1's lease expires: back at the front, before a python job added since */
  add(s, "py2", "A", SCHED_NORMAL, "python3");
  sched_tick(s, 100000, NULL, NULL);
  assert_int_equal(j->state, SCHED_QUEUED);
  worker(s, "wc2", 1, "c", NULL);
  assert_int_equal(sched_dispatch(s, 100000, &j, &w), 1);
  assert_string_equal(j->id, "c1");
  assert_string_equal(w->name, "wc2");
  sched_free(s);
}

/* One client's line is FIFO: a job in a language no worker speaks (a
 * typo'd --lang, pypy3 with no pypy3 worker) held back everything behind it
 * forever. Past the grace period (worker_timeout_ms) it is parked; when a
 * worker speaking it comes, it goes back in line; it can be cancelled while
 * parked; it still counts as queued. */
static void unservable_head_steps_aside(void **st) {
  (void)st;
  struct sched *s = mk();
  add(s, "cob", "frontend", SCHED_CONTEST, "cobol");
  add(s, "c1", "frontend", SCHED_CONTEST, "c");
  add(s, "c2", "frontend", SCHED_CONTEST, "c");
  worker(s, "wc", 2, "c", NULL);
  assert_null(run_one(s, 0)); /* blocked behind cob */
  sched_tick(s, 100, NULL, NULL);
  assert_null(run_one(s, 100)); /* within the grace period a worker may still come */
  struct sched_stats ss;
  sched_stats(s, &ss);
  assert_int_equal(ss.queued[SCHED_CONTEST], 3);
  assert_int_equal(sched_worker_heartbeat(s, "wc", 2, 2, NULL, SCHED_ALL_LEASES, 3000), 0); /* alive */
  sched_tick(s, 100 + cfg.worker_timeout_ms, NULL, NULL);
  assert_string_equal(run_one(s, 3200), "c1");
  assert_string_equal(run_one(s, 3200), "c2");
  assert_null(run_one(s, 3200));
  sched_stats(s, &ss);
  assert_int_equal(ss.queued[SCHED_CONTEST], 1); /* cob, parked */
  worker(s, "wcob", 1, "cobol", NULL);
  assert_string_equal(run_one(s, 3300), "cob");
  /* parked again, then cancelled while parked */
  add(s, "px", "frontend", SCHED_NORMAL, "pascal");
  add(s, "c3", "frontend", SCHED_NORMAL, "c");
  sched_tick(s, 4000, NULL, NULL);
  assert_int_equal(sched_worker_heartbeat(s, "wc", 2, 2, NULL, SCHED_ALL_LEASES, 6000), 0);
  sched_tick(s, 4000 + cfg.worker_timeout_ms, NULL, NULL);
  struct sched_job *j;
  assert_int_equal(sched_cancel(s, "px", &j), 1);
  sched_done(s, j);
  assert_string_equal(run_one(s, 8000), "c3");
  sched_stats(s, &ss);
  assert_int_equal(ss.queued[SCHED_NORMAL], 0);
  sched_free(s);
}

/* A JOB that could not be sent (the worker between two connections) goes
 * back as if never leased; the worker gets nothing until it is heard from,
 * then the job again with the same attempt number. */
static void unsent_job_back_worker_paused(void **st) {
  (void)st;
  struct sched *s = mk();
  add(s, "u1", "alice", SCHED_NORMAL, "c");
  struct sched_worker *w = worker(s, "wu", 1, "c", NULL);
  struct sched_job *j;
  struct sched_worker *got;
  assert_int_equal(sched_dispatch(s, 0, &j, &got), 1);
  assert_int_equal(j->attempts, 1);
  sched_worker_unreachable(s, w);
  sched_undispatch(s, j);
  assert_int_equal(j->state, SCHED_QUEUED);
  assert_int_equal(j->attempts, 0);
  assert_int_equal(sched_dispatch(s, 10, &j, &got), 0);
  assert_int_equal(sched_worker_heartbeat(s, "wu", 2, 1, NULL, SCHED_ALL_LEASES, 20), 0);
  assert_int_equal(sched_dispatch(s, 30, &j, &got), 1);
  assert_ptr_equal(got, w);
  assert_int_equal(j->attempts, 1);
  sched_free(s);
}

static struct sched *mk_roomy(void) {
  static const struct sched_cfg roomy = {.lease_ms = 1000, .worker_timeout_ms = 3000, .max_attempts = 3,
                                         .max_per_client = 1000, .max_total = 1000, .max_bytes = 1 << 20};
  char err[256];
  struct sched *s = sched_new(&roomy, err, sizeof err);
  assert_non_null(s);
  return s;
}

/* jobs in SCHED_LANG_JOBS languages no worker speaks (junk a client
 * invents) fill only their share of the language table: a further new one
 * is refused, while workers still register with as many new languages
 * again (the table used to be full after 32 junk names, refusing every
 * worker with a language not yet seen) */
static void client_languages_leave_room_for_workers(void **st) {
  (void)st;
  struct sched *s = mk_roomy();
  char name[32], err[256];
  for (int i = 0; i < SCHED_LANG_JOBS; i++) {
    snprintf(name, sizeof name, "zz%d", i);
    add(s, name, "junk", SCHED_NORMAL, name);
  }
  char *p = strdup("x");
  assert_int_equal(sched_add(s, "one-more", "junk", SCHED_NORMAL, "zz-new", 0, p, 1, NULL, err, sizeof err), -1);
  assert_non_null(strstr(err, "no registered worker speaks"));
  free(p);
  /* a known language still takes more jobs */
  add(s, "again", "junk", SCHED_NORMAL, "zz0");
  static char wl[SCHED_WORKER_LANGS][16];
  const char *langs[SCHED_WORKER_LANGS];
  for (int i = 0; i < SCHED_WORKER_LANGS; i++) {
    snprintf(wl[i], sizeof wl[i], "real%d", i);
    langs[i] = wl[i];
  }
  struct sched_worker *w = sched_worker_hello(s, "w1", 2, "w1", 1, langs, SCHED_WORKER_LANGS, 0, err, sizeof err);
  assert_non_null(w);
  assert_true(sched_lang_spoken(s, "real31"));
  assert_false(sched_lang_spoken(s, "zz0"));
  /* recovery (forced) takes back whatever language it finds, beyond the
   * jobs' share (here in the entries the worker leaving frees) */
  sched_worker_bye(s, w);
  sched_set_force(s, 1);
  add(s, "recovered", "junk", SCHED_NORMAL, "zz-old");
  sched_free(s);
}

/* an entry no job and no worker holds any more is reused: languages come
 * and go without the table filling up for good (entries used to be
 * permanent) */
static void language_entries_reused(void **st) {
  (void)st;
  struct sched *s = mk_roomy();
  char name[32];
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < SCHED_LANG_JOBS; i++) {
      snprintf(name, sizeof name, "r%d-%d", round, i);
      add(s, name, "c1", SCHED_NORMAL, name);
    }
    for (int i = 0; i < SCHED_LANG_JOBS; i++) {
      struct sched_job *j;
      snprintf(name, sizeof name, "r%d-%d", round, i);
      assert_int_equal(sched_cancel(s, name, &j), 1);
      sched_done(s, j);
    }
  }
  /* a worker's languages are released when it leaves */
  struct sched_worker *w = worker(s, "w", 1, "cobol", NULL);
  assert_true(sched_lang_spoken(s, "cobol"));
  sched_worker_bye(s, w);
  assert_false(sched_lang_spoken(s, "cobol"));
  /* a job keeps its language's name while it is held, whatever reuses
   * other entries */
  add(s, "held", "c1", SCHED_NORMAL, "fortran");
  worker(s, "w2", 1, "ada", NULL);
  assert_string_equal(sched_lang_name(s, sched_find(s, "held")->lang), "fortran");
  sched_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(priorities_first),
      cmocka_unit_test(round_robin_between_clients),
      cmocka_unit_test(languages_and_credits),
      cmocka_unit_test(lease_expiry_requeues_then_ie),
      cmocka_unit_test(heartbeat_renews_lease),
      cmocka_unit_test(broker_stall_forgiven),
      cmocka_unit_test(heartbeat_renews_only_named_leases),
      cmocka_unit_test(stale_result_ignored),
      cmocka_unit_test(bounds_and_duplicates),
      cmocka_unit_test(bytes_per_client),
      cmocka_unit_test(cancel_and_zombies),
      cmocka_unit_test(bye_hands_back_without_attempt),
      cmocka_unit_test(reregister_expires_only_its_leases),
      cmocka_unit_test(job_timeout_even_with_heartbeats),
      cmocka_unit_test(many_workers_spread),
      cmocka_unit_test(multi_language_worker_one_slot),
      cmocka_unit_test(next_job_language_per_client),
      cmocka_unit_test(head_changes_language),
      cmocka_unit_test(unservable_head_steps_aside),
      cmocka_unit_test(unsent_job_back_worker_paused),
      cmocka_unit_test(client_languages_leave_room_for_workers),
      cmocka_unit_test(language_entries_reused),
  };
  return cmocka_run_group_tests_name("pool_sched", tests, NULL, NULL);
}
