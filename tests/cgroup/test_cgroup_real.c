/* test_cgroup_real.c — the cgroup backend against this machine's real
 * hierarchy (whatever cg_root_open(NULL) finds: v1 here, v2 on most users'
 * machines): detection, memory peak, CPU, OOM, a fork bomb under a pids
 * limit, counter resets between runs, leftovers killed by the next prepare,
 * concurrent slots, cleanup. Skips (not fails) when not root or when the
 * controllers are not there. Every group it makes is named cgtest-<pid>-*
 * and destroyed, even when an assertion fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cgroup.h"
#include "cgroup_impl.h"

#include <errno.h>
#include <pthread.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MiB (1024ULL * 1024ULL)

static struct cg_root *root;
static char why[512];

static int setup(void **state) {
  (void)state;
  if (getuid() != 0) {
    snprintf(why, sizeof why, "not root");
    return 0;
  }
  if (cg_root_open(&root, NULL, why, sizeof why) < 0)
    root = NULL;
  /* Fork bomb children reparent to us so we can reap them. */
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  cg_root_close(root);
  root = NULL;
  return 0;
}

static void reap_all(void) {
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

/* One group per test, destroyed by the fixture teardown. */
struct fx {
  struct cg *g;
  char name[64];
};

static int fx_setup(void **state) {
  static int seq;
  struct fx *f = calloc(1, sizeof *f);
  assert_non_null(f);
  *state = f;
  if (!root)
    return 0;
  snprintf(f->name, sizeof f->name, "cgtest-%d-%d", (int)getpid(), seq++);
  char err[512];
  if (cg_create(root, f->name, &f->g, err, sizeof err) < 0)
    fail_msg("cg_create: %s", err);
  return 0;
}

static int fx_teardown(void **state) {
  struct fx *f = *state;
  if (f->g) {
    char err[512];
    cg_kill_all(f->g, err, sizeof err);
    cg_destroy(f->g);
  }
  reap_all();
  free(f);
  return 0;
}

#define NEED_ROOT()                                                                   \
  do {                                                                                \
    if (!root) {                                                                      \
      print_message("skipped: %s\n", why);                                            \
      skip();                                                                         \
    }                                                                                 \
  } while (0)

/* Fork a child that waits until it is attached, then runs fn. */
static pid_t spawn_attached(struct cg *g, void (*fn)(void)) {
  int p[2];
  assert_int_equal(pipe(p), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    close(p[1]);
    char c;
    if (read(p[0], &c, 1) != 1)
      _exit(99);
    fn();
    _exit(0);
  }
  close(p[0]);
  char err[512];
  int rc = cg_attach(g, pid, err, sizeof err);
  if (rc < 0) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    fail_msg("cg_attach: %s", err);
  }
  assert_int_equal(write(p[1], "x", 1), 1);
  close(p[1]);
  return pid;
}

static int wait_child(pid_t pid) {
  int st;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  return st;
}

/* cg_prepare / cg_usage that fail the test with the reason. */
static void prepare(struct cg *g, const struct cg_limits *lim, const char *what) {
  char err[512];
  if (cg_prepare(g, lim, err, sizeof err) < 0)
    fail_msg("%s: %s", what, err);
}

static struct cg_usage usage(struct cg *g) {
  struct cg_usage u;
  char err[512];
  if (cg_usage(g, &u, err, sizeof err) < 0)
    fail_msg("cg_usage: %s", err);
  return u;
}

/* Touches n bytes of fresh memory page by page, then exits (2: refused at
 * the limit, also an MLE). */
static void __attribute__((noreturn)) touch(size_t n) {
  volatile char *p = malloc(n);
  if (!p)
    _exit(2);
  for (size_t i = 0; i < n; i += 4096)
    p[i] = 1;
  _exit(0);
}
static void touch_50mib(void) { touch(50 * MiB); }

static void touch_64mib_slowly(void) { touch(64 * MiB); }

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void busy_400ms(void) {
  double t0 = cpu_now();
  while (cpu_now() - t0 < 0.4) {
  }
  _exit(0);
}

static void forkbomb(void) {
  for (;;)
    fork();
}

static void noop(void) { _exit(0); }

static void test_detect_v1(void **state) {
  (void)state;
  struct statfs sf;
  if (getuid() != 0 || statfs("/sys/fs/cgroup/memory", &sf) < 0 ||
      sf.f_type != CGROUP_SUPER_MAGIC) {
    print_message("skipped: no v1 memory hierarchy at /sys/fs/cgroup/memory\n");
    skip();
  }
  struct cg_root *r = NULL;
  char err[512];
  if (cg_root_open(&r, NULL, err, sizeof err) < 0)
    fail_msg("cg_root_open(NULL): %s", err);
  assert_int_equal(cg_root_version(r), CG_V1);
  cg_root_close(r);
  /* "auto" is the same as NULL; an explicit v1 layout works too. */
  assert_int_equal(cg_root_open(&r, "auto", err, sizeof err), 0);
  assert_int_equal(cg_root_version(r), CG_V1);
  cg_root_close(r);
  assert_int_equal(cg_root_open(&r, "/sys/fs/cgroup", err, sizeof err), 0);
  assert_int_equal(cg_root_version(r), CG_V1);
  cg_root_close(r);
  /* Forcing v2 on a v1 machine is refused with a reason. */
  assert_int_equal(cg_root_open_version(&r, NULL, CG_V2, err, sizeof err), -1);
  assert_null(r);
  assert_non_null(strstr(err, "v1"));
}

static void test_memory_peak(void **state) {
  NEED_ROOT();
  struct fx *f = *state;
  struct cg_limits lim = {.memory_bytes = 256 * MiB, .pids = 16};
  prepare(f->g, &lim, "cg_prepare");
  pid_t pid = spawn_attached(f->g, touch_50mib);
  int st = wait_child(pid);
  assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  struct cg_usage u = usage(f->g);
  print_message("peak %.1f MiB, cpu %.2f ms\n", (double)u.memory_peak / MiB, u.cpu_ns / 1e6);
  assert_true(u.memory_peak >= 50 * MiB);
  assert_true(u.memory_peak < 80 * MiB);
  assert_int_equal(u.oom, 0);
  assert_int_equal(u.oom_killed, 0);
  assert_int_equal(u.pids_peak_hit, 0);
  assert_true(u.cpu_ns > 0);

  /* The next run starts from zero: nothing leaks from this one. */
  prepare(f->g, &lim, "cg_prepare (2nd)");
  pid = spawn_attached(f->g, noop);
  wait_child(pid);
  u = usage(f->g);
  print_message("after reset: peak %.2f MiB, cpu %.2f ms\n", (double)u.memory_peak / MiB,
                u.cpu_ns / 1e6);
  assert_true(u.memory_peak < 10 * MiB);
  assert_true(u.cpu_ns < 200 * 1000000ULL);
}

static void test_cpu_grows(void **state) {
  NEED_ROOT();
  struct fx *f = *state;
  struct cg_limits lim = {.memory_bytes = 64 * MiB, .pids = 4};
  prepare(f->g, &lim, "cg_prepare");
  uint64_t c0 = 0, c1 = 0;
  assert_int_equal(cg_cpu_ns(f->g, &c0), 0);
  pid_t pid = spawn_attached(f->g, busy_400ms);
  struct timespec ts = {0, 100 * 1000000L};
  nanosleep(&ts, NULL);
  uint64_t mid = 0;
  assert_int_equal(cg_cpu_ns(f->g, &mid), 0);
  int st = wait_child(pid);
  assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  assert_int_equal(cg_cpu_ns(f->g, &c1), 0);
  print_message("cpu: start %.1f ms, mid %.1f ms, end %.1f ms\n", c0 / 1e6, mid / 1e6, c1 / 1e6);
  assert_true(c1 > mid);
  assert_true(c1 >= 390 * 1000000ULL); /* the child burnt 400 ms of its own CPU */
  assert_true(c1 < 5000 * 1000000ULL);
}

static void test_oom(void **state) {
  NEED_ROOT();
  struct fx *f = *state;
  struct cg_limits lim = {.memory_bytes = 20 * MiB, .pids = 4};
  prepare(f->g, &lim, "cg_prepare");
  pid_t pid = spawn_attached(f->g, touch_64mib_slowly);
  int st = wait_child(pid);
  struct cg_usage u = usage(f->g);
  print_message("oom run: status 0x%x, peak %.1f MiB, oom %d killed %d hit %d\n", st,
                (double)u.memory_peak / MiB, u.oom, u.oom_killed, u.memory_limit_hit);
  assert_false(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  assert_int_equal(u.oom, 1);
  assert_int_equal(u.memory_limit_hit, 1);
  if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
    assert_int_equal(u.oom_killed, 1);
  assert_true(u.memory_peak <= 21 * MiB);

  /* Delta semantics: the OOM of the previous run is not reported again. */
  prepare(f->g, &lim, "cg_prepare (2nd)");
  pid = spawn_attached(f->g, noop);
  wait_child(pid);
  u = usage(f->g);
  assert_int_equal(u.oom, 0);
  assert_int_equal(u.oom_killed, 0);
  assert_int_equal(u.memory_limit_hit, 0);
}

static void test_forkbomb(void **state) {
  NEED_ROOT();
  struct fx *f = *state;
  char err[512];
  struct cg_limits lim = {.memory_bytes = 128 * MiB, .pids = 10};
  prepare(f->g, &lim, "cg_prepare");
  pid_t pid = spawn_attached(f->g, forkbomb);
  struct timespec ts = {0, 300 * 1000000L};
  nanosleep(&ts, NULL);
  assert_int_equal(cg_is_empty(f->g), 0);
  struct cg_usage u = usage(f->g);
  assert_int_equal(u.pids_peak_hit, 1);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  if (cg_kill_all(f->g, err, sizeof err) < 0)
    fail_msg("cg_kill_all: %s", err);
  clock_gettime(CLOCK_MONOTONIC, &b);
  print_message("kill_all of a fork bomb: %.2f ms\n",
                (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
  assert_int_equal(cg_is_empty(f->g), 1);
  int st = wait_child(pid);
  assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
  reap_all();
  /* Next run: the pids event of the bomb does not leak. */
  prepare(f->g, &lim, "cg_prepare (2nd)");
  pid = spawn_attached(f->g, noop);
  wait_child(pid);
  u = usage(f->g);
  assert_int_equal(u.pids_peak_hit, 0);
}

static void test_destroy_removes(void **state) {
  NEED_ROOT();
  struct fx *f = *state;
  /* Bounded even here: an unlimited bomb would starve the whole machine. */
  struct cg_limits lim = {.memory_bytes = 128 * MiB, .pids = 64};
  prepare(f->g, &lim, "cg_prepare");
  /* Destroy with a live process inside: it is killed first. */
  pid_t pid = spawn_attached(f->g, forkbomb);
  (void)pid;
  char paths[CG_NCTL][CG_PATH_MAX + CG_NAME_MAX + 2];
  int npaths = 0;
  for (int i = 0; i < CG_NCTL; i++) {
    if (f->g->dir_fd[i] < 0 || root->hier[i] != i)
      continue;
    memcpy(paths[npaths], f->g->path[i], sizeof paths[npaths]);
    struct stat st;
    assert_int_equal(stat(paths[npaths], &st), 0);
    npaths++;
  }
  assert_true(npaths >= (cg_root_version(root) == CG_V1 ? 3 : 1));
  struct timespec ts = {0, 50 * 1000000L};
  nanosleep(&ts, NULL);
  cg_destroy(f->g);
  f->g = NULL;
  reap_all();
  for (int i = 0; i < npaths; i++) {
    struct stat st;
    assert_int_equal(stat(paths[i], &st), -1);
    assert_int_equal(errno, ENOENT);
  }
}

static void test_takeover(void **state) {
  NEED_ROOT();
  struct fx *f = *state;
  char err[512];
  struct cg_limits lim = {.memory_bytes = 64 * MiB, .pids = 8};
  prepare(f->g, &lim, "cg_prepare");
  pid_t pid = spawn_attached(f->g, forkbomb);
  struct timespec ts = {0, 50 * 1000000L};
  nanosleep(&ts, NULL);
  /* A second handle on the same name (a restarted worker) takes over:
   * what was inside is killed. */
  struct cg *g2 = NULL;
  if (cg_create(root, f->name, &g2, err, sizeof err) < 0)
    fail_msg("cg_create (takeover): %s", err);
  assert_int_equal(cg_is_empty(g2), 1);
  int st = wait_child(pid);
  assert_true(WIFSIGNALED(st));
  cg_destroy(g2);
  reap_all();
}

/* cg_self_attach_fds: a child that writes "0" to each fd is in the group
 * (counted by it) without any attach by pid; cg_close leaves the group for
 * the next cg_create of the same name. */
static void test_self_attach(void **state) {
  NEED_ROOT();
  struct fx *f = *state;
  char err[512];
  struct cg_limits lim = {.memory_bytes = 64 * MiB, .pids = 8};
  prepare(f->g, &lim, "cg_prepare");
  int fds[CG_NCTL];
  int n = cg_self_attach_fds(f->g, fds, CG_NCTL, err, sizeof err);
  if (n < 0)
    fail_msg("cg_self_attach_fds: %s", err);
  if (cg_root_version(root) != CG_V1) {
    assert_int_equal(n, 0);
    return;
  }
  assert_true(n >= 3); /* memory, pids, cpuacct at least */
  int one[1];
  assert_int_equal(cg_self_attach_fds(f->g, one, 1, err, sizeof err), -1); /* too few slots */
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    for (int i = 0; i < n; i++)
      if (write(fds[i], "0", 1) != 1)
        _exit(90);
    busy_400ms(); /* charged to the group's cpuacct */
    _exit(0);
  }
  for (int i = 0; i < n; i++)
    close(fds[i]);
  int st = wait_child(pid);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
  uint64_t ns = 0;
  assert_int_equal(cg_cpu_ns(f->g, &ns), 0);
  assert_true(ns >= 250ULL * 1000000ULL);
  /* cg_close keeps the directory; a new handle on the name finds it. */
  char path[CG_PATH_MAX + CG_NAME_MAX + 2];
  memcpy(path, f->g->path[CG1_MEMORY], sizeof path);
  cg_close(f->g);
  f->g = NULL;
  struct stat sb;
  assert_int_equal(stat(path, &sb), 0);
  if (cg_create(root, f->name, &f->g, err, sizeof err) < 0)
    fail_msg("cg_create after cg_close: %s", err);
  assert_int_equal(cg_is_empty(f->g), 1);
}

static void sleep_long(void) { sleep(30); }

/* cg_prepare kills what is in the group unless the group was seen empty
 * since the last prepare (the box checks after each run); an attach makes
 * it check again. */
static void test_prepare_kills_leftovers(void **state) {
  NEED_ROOT();
  struct fx *f = *state;
  struct cg_limits lim = {.memory_bytes = 64 * MiB, .pids = 8};
  prepare(f->g, &lim, "cg_prepare");
  assert_int_equal(cg_is_empty(f->g), 1);
  pid_t pid = spawn_attached(f->g, sleep_long);
  prepare(f->g, &lim, "cg_prepare with a leftover");
  int st = wait_child(pid);
  assert_true(WIFSIGNALED(st));
  assert_int_equal(WTERMSIG(st), SIGKILL);
  assert_int_equal(cg_is_empty(f->g), 1);
}

/* Several slots in threads, each its own group, running at once: the
 * numbers of one never show up in another. */
struct slot {
  int idx;
  int failures;
  char msg[768];
};

static void touch_8mib(void) { touch(8 * MiB); }

static void touch_24mib(void) { touch(24 * MiB); }

static void *slot_main(void *arg) {
  struct slot *s = arg;
  char name[64], err[512];
  snprintf(name, sizeof name, "cgtest-%d-slot%d", (int)getpid(), s->idx);
  struct cg *g;
  if (cg_create(root, name, &g, err, sizeof err) < 0) {
    snprintf(s->msg, sizeof s->msg, "cg_create: %s", err);
    s->failures++;
    return NULL;
  }
  for (int run = 0; run < 10; run++) {
    struct cg_limits lim = {.memory_bytes = 64 * MiB, .pids = 8};
    if (cg_prepare(g, &lim, err, sizeof err) < 0) {
      snprintf(s->msg, sizeof s->msg, "cg_prepare: %s", err);
      s->failures++;
      break;
    }
    int p[2];
    if (pipe(p) < 0) {
      s->failures++;
      break;
    }
    pid_t pid = fork();
    if (pid == 0) {
      char c;
      close(p[1]);
      if (read(p[0], &c, 1) != 1)
        _exit(99);
      (s->idx % 2 ? touch_24mib : touch_8mib)();
    }
    close(p[0]);
    if (pid < 0 || cg_attach(g, pid, err, sizeof err) < 0) {
      snprintf(s->msg, sizeof s->msg, "attach: %s", err);
      s->failures++;
      close(p[1]);
      if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
      }
      break;
    }
    if (write(p[1], "x", 1) != 1)
      s->failures++;
    close(p[1]);
    waitpid(pid, NULL, 0);
    struct cg_usage u;
    if (cg_usage(g, &u, err, sizeof err) < 0 || cg_kill_all(g, err, sizeof err) < 0) {
      snprintf(s->msg, sizeof s->msg, "usage/kill: %s", err);
      s->failures++;
      break;
    }
    uint64_t want = s->idx % 2 ? 24 * MiB : 8 * MiB;
    if (u.memory_peak < want || u.memory_peak > want + 16 * MiB || u.oom) {
      snprintf(s->msg, sizeof s->msg, "slot %d run %d: peak %llu (want ~%llu) oom %d",
               s->idx, run, (unsigned long long)u.memory_peak, (unsigned long long)want, u.oom);
      s->failures++;
    }
  }
  cg_destroy(g);
  return NULL;
}

static void test_concurrent_slots(void **state) {
  (void)state;
  NEED_ROOT();
  struct slot slots[4];
  pthread_t th[4];
  for (int i = 0; i < 4; i++) {
    slots[i] = (struct slot){.idx = i};
    assert_int_equal(pthread_create(&th[i], NULL, slot_main, &slots[i]), 0);
  }
  for (int i = 0; i < 4; i++)
    pthread_join(th[i], NULL);
  for (int i = 0; i < 4; i++)
    if (slots[i].failures)
      fail_msg("slot %d: %d failures, last: %s", i, slots[i].failures, slots[i].msg);
}

static double ms_since(const struct timespec *a) {
  struct timespec b;
  clock_gettime(CLOCK_MONOTONIC, &b);
  return (b.tv_sec - a->tv_sec) * 1e3 + (b.tv_nsec - a->tv_nsec) / 1e6;
}

/* The per-run cost of the cgroup calls (prepare + attach + usage +
 * kill_all of an empty group), printed for the record; asserted only
 * against a bound no loaded machine should reach. */
static void test_hot_path_cost(void **state) {
  NEED_ROOT();
  struct fx *f = *state;
  char err[512];
  struct cg_limits lim = {.memory_bytes = 64 * MiB, .pids = 8};
  const int runs = 100;
  double total = 0, prep = 0;
  for (int i = 0; i < runs; i++) {
    pid_t pid = fork();
    if (pid == 0) {
      pause();
      _exit(0);
    }
    assert_true(pid > 0);
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    int rc = cg_prepare(f->g, &lim, err, sizeof err);
    prep += ms_since(&t);
    if (rc == 0)
      rc = cg_attach(f->g, pid, err, sizeof err);
    total += ms_since(&t);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    clock_gettime(CLOCK_MONOTONIC, &t);
    struct cg_usage u;
    if (rc == 0)
      rc = cg_usage(f->g, &u, err, sizeof err);
    if (rc == 0)
      rc = cg_kill_all(f->g, err, sizeof err);
    total += ms_since(&t);
    if (rc < 0)
      fail_msg("run %d: %s", i, err);
  }
  print_message("cgroup per-run cost (v%d): %.3f ms (prepare %.3f ms)\n",
                (int)cg_root_version(root), total / runs, prep / runs);
  assert_true(total / runs < 50.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_detect_v1),
      cmocka_unit_test_setup_teardown(test_memory_peak, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_cpu_grows, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_oom, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_forkbomb, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_destroy_removes, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_takeover, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_self_attach, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_prepare_kills_leftovers, fx_setup, fx_teardown),
      cmocka_unit_test(test_concurrent_slots),
      cmocka_unit_test_setup_teardown(test_hot_path_cost, fx_setup, fx_teardown),
  };
  return cmocka_run_group_tests_name("cgroup_real", tests, setup, teardown);
}
