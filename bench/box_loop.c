/* box_loop.c — per-run cost of the box library: runs PROGRAM (default
 * /bin/true) N times in each of T threads (one slot each, every protection
 * on: namespaces, seccomp default policy, cgroup limits, work tmpfs) and
 * prints runs/s, the median per-run wall time and the CPU time per run (this
 * process and every box process it reaped: steadier than wall time when
 * other jobs share the machine). Not a test. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "box.h"

struct job {
  struct box_engine *e;
  int runs;
  const char *const *argv;
  double *lat;
  int failures;
  char first_err[300];
};

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* User + system time of this process and its reaped descendants, ms. */
static double cpu_ms(void) {
  struct rusage self, kids;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &kids);
  double us = 0;
  const struct timeval *tv[4] = {&self.ru_utime, &self.ru_stime, &kids.ru_utime, &kids.ru_stime};
  for (int i = 0; i < 4; i++)
    us += (double)tv[i]->tv_sec * 1e6 + (double)tv[i]->tv_usec;
  return us / 1e3;
}

static void *worker(void *arg) {
  struct job *j = arg;
  struct box *b;
  char err[256];
  if (box_acquire(j->e, &b, err, sizeof err)) {
    snprintf(j->first_err, sizeof j->first_err, "%s", err);
    j->failures = j->runs;
    return NULL;
  }
  struct box_spec s;
  memset(&s, 0, sizeof s);
  s.argv = j->argv;
  s.limits = (struct box_limits){.cpu_ms = 1000, .wall_ms = 3000, .memory_kib = 256 * 1024,
                                 .output_kib = 1024, .procs = 1};
  s.policy = BOX_POLICY_DEFAULT;
  s.stdin_fd = s.stdout_fd = s.stderr_fd = -1;
  for (int i = 0; i < j->runs; i++) {
    struct box_result r;
    double t = now_ms();
    box_run(b, &s, &r);
    j->lat[i] = now_ms() - t;
    if (r.status != BOX_OK && j->failures++ == 0)
      snprintf(j->first_err, sizeof j->first_err, "%s: %s", box_status_name(r.status), r.message);
  }
  box_release(b);
  return NULL;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  int runs = argc > 1 ? atoi(argv[1]) : 1000;
  int threads = argc > 2 ? atoi(argv[2]) : 2;
  const char *const def[] = {"/bin/true", NULL};
  const char *const *prog = argc > 3 ? (const char *const *)argv + 3 : def;
  if (runs < 1 || threads < 1 || threads > 64) {
    fprintf(stderr, "usage: box_loop [TOTAL_RUNS [THREADS [PROGRAM ARG...]]]\n");
    return 2;
  }
  struct box_engine *e;
  char err[512];
  struct box_engine_config cfg = {.slots = (uint32_t)threads};
  if (box_engine_open(&e, &cfg, err, sizeof err)) {
    fprintf(stderr, "box_loop: %s\n", err);
    return 2;
  }
  struct job *jobs = calloc((size_t)threads, sizeof *jobs);
  pthread_t *tid = calloc((size_t)threads, sizeof *tid);
  double *lat = calloc((size_t)runs + (size_t)threads, sizeof *lat);
  int per = runs / threads, total = 0, failures = 0;
  double t0 = now_ms(), c0 = cpu_ms();
  for (int i = 0; i < threads; i++) {
    jobs[i] = (struct job){.e = e, .runs = per, .argv = prog, .lat = lat + (size_t)i * (size_t)per};
    pthread_create(&tid[i], NULL, worker, &jobs[i]);
  }
  for (int i = 0; i < threads; i++) {
    pthread_join(tid[i], NULL);
    total += jobs[i].runs;
    failures += jobs[i].failures;
    if (jobs[i].failures)
      fprintf(stderr, "box_loop: thread %d: %d failures, first: %s\n", i, jobs[i].failures, jobs[i].first_err);
  }
  double elapsed = now_ms() - t0;
  /* After the close: the slot inits are reaped then, and with them the
   * CPU time of the programs they reaped. */
  box_engine_close(e);
  double cpu = cpu_ms() - c0;
  qsort(lat, (size_t)total, sizeof *lat, cmp);
  printf("runs %d threads %d elapsed_ms %.1f runs_per_s %.1f median_ms %.3f p99_ms %.3f cpu_ms_per_run %.3f "
         "failures %d\n",
         total, threads, elapsed, total / (elapsed / 1000), lat[total / 2], lat[(size_t)(total * 0.99)],
         cpu / total, failures);
  free(jobs);
  free(tid);
  free(lat);
  return failures ? 1 : 0;
}
