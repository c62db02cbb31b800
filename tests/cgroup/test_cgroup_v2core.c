/* test_cgroup_v2core.c — the v2 backend's controller-independent paths
 * against a real cgroup2 filesystem: on this (v1) machine the cgroup2 mount
 * at /sys/fs/cgroup/unified has no controllers, but cpu.stat,
 * cgroup.events, cgroup.kill and cgroup.procs work there, which is enough
 * to check attach, clone3(CLONE_INTO_CGROUP) with cg_dirfd, CPU
 * accounting, cgroup.kill against a process tree, the rmdir+mkdir reset
 * and destroy. Memory/pids are covered by the fake tree and, on a v2
 * machine, by test_cgroup_real. White-box: the root is built by hand since
 * cg_root_open rightly refuses a v2 mount without memory and pids.
 * Skips when not root or without such a mount; cleans up its directories. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cgroup.h"
#include "cgroup_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/sched.h> /* struct clone_args, CLONE_INTO_CGROUP */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *mounts[] = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"};

struct v2fx {
  struct cg_root *r;
  struct cg *g;
  char parent[256];
  char why[512];
};

static int setup(void **state) {
  struct v2fx *f = calloc(1, sizeof *f);
  assert_non_null(f);
  *state = f;
  if (getuid() != 0) {
    snprintf(f->why, sizeof f->why, "not root");
    return 0;
  }
  const char *mount = NULL;
  for (size_t i = 0; i < sizeof mounts / sizeof *mounts; i++) {
    struct statfs sf;
    if (statfs(mounts[i], &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) {
      mount = mounts[i];
      break;
    }
  }
  if (!mount) {
    snprintf(f->why, sizeof f->why, "no cgroup2 mount");
    return 0;
  }
  snprintf(f->parent, sizeof f->parent, "%s/cgtest-v2core-%d", mount, (int)getpid());
  if (mkdir(f->parent, 0755) < 0) {
    snprintf(f->why, sizeof f->why, "mkdir %s: %s", f->parent, strerror(errno));
    f->parent[0] = '\0';
    return 0;
  }
  f->r = calloc(1, sizeof *f->r);
  assert_non_null(f->r);
  f->r->v = CG_V2;
  for (int i = 0; i < CG_NCTL; i++) {
    f->r->parent_fd[i] = -1;
    f->r->hier[i] = i;
  }
  f->r->parent_fd[0] = open(f->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  assert_true(f->r->parent_fd[0] >= 0);
  snprintf(f->r->parent_path[0], CG_PATH_MAX, "%s", f->parent);
  char err[512];
  if (cg_create(f->r, "g0", &f->g, err, sizeof err) < 0)
    fail_msg("cg_create on cgroup2: %s", err);
  /* No memory controller here: memory.peak is absent, like on < 5.19. */
  f->g->peak_mode = CG2_PEAK_ABSENT;
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  return 0;
}

static int teardown(void **state) {
  struct v2fx *f = *state;
  if (f->g) {
    cg_kill_all(f->g, NULL, 0);
    cg_destroy(f->g);
  }
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  if (f->parent[0])
    rmdir(f->parent);
  cg_root_close(f->r);
  free(f);
  return 0;
}

#define NEED(f)                                                                       \
  do {                                                                                \
    if (!(f)->g) {                                                                    \
      print_message("skipped: %s\n", (f)->why);                                       \
      skip();                                                                         \
    }                                                                                 \
  } while (0)

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Does /proc/<pid>/cgroup put pid's v2 membership at our group? */
static int in_group(pid_t pid, const struct v2fx *f) {
  char p[64], buf[1024];
  snprintf(p, sizeof p, "/proc/%d/cgroup", (int)pid);
  int fd = open(p, O_RDONLY);
  if (fd < 0)
    return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  char want[300];
  snprintf(want, sizeof want, "0::/%s/g0\n", strrchr(f->parent, '/') + 1);
  return strstr(buf, want) != NULL;
}

static void test_clone_into_cgroup(void **state) {
  struct v2fx *f = *state;
  NEED(f);
  char err[512];
  /* No cg_prepare: it needs memory.max. A new group's baselines are 0. */
  int dfd = cg_dirfd(f->g);
  assert_true(dfd >= 0);
  int p[2];
  assert_int_equal(pipe(p), 0);
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.flags = CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = (uint64_t)dfd;
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0 && errno == ENOSYS) {
    print_message("skipped: no clone3\n");
    skip();
  }
  assert_true(pid >= 0);
  if (pid == 0) {
    char c;
    close(p[1]);
    if (read(p[0], &c, 1) != 1)
      _exit(99);
    double t0 = cpu_now();
    while (cpu_now() - t0 < 0.25) {
    }
    _exit(0);
  }
  close(p[0]);
  assert_true(in_group((pid_t)pid, f));
  assert_int_equal(cg_is_empty(f->g), 0);
  assert_int_equal(write(p[1], "x", 1), 1);
  close(p[1]);
  int st;
  assert_int_equal(waitpid((pid_t)pid, &st, 0), pid);
  assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  uint64_t ns = 0;
  assert_int_equal(cg_cpu_ns(f->g, &ns), 0);
  print_message("clone3 child: %.1f ms CPU in the group\n", ns / 1e6);
  assert_true(ns >= 240 * 1000000ULL);
  assert_true(ns < 5000 * 1000000ULL);
  assert_int_equal(cg_is_empty(f->g), 1);

  /* The reset used when memory.peak cannot be: a new directory, counters
   * at zero, and a new dirfd that clone3 accepts. */
  if (cg2_recreate(f->g, err, sizeof err) < 0)
    fail_msg("cg2_recreate: %s", err);
  assert_int_equal(cg_cpu_ns(f->g, &ns), 0);
  assert_true(ns < 1000000ULL);
  memset(&args, 0, sizeof args);
  args.flags = CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = (uint64_t)cg_dirfd(f->g);
  pid = syscall(SYS_clone3, &args, sizeof args);
  assert_true(pid >= 0);
  if (pid == 0)
    _exit(0);
  assert_int_equal(waitpid((pid_t)pid, &st, 0), pid);
}

/* A tree of 63 spinning processes (depth-limited: no pids controller here
 * to contain a real bomb): cgroup.kill takes them all, grandchildren
 * included. */
static void spin_tree(int depth) {
  while (depth > 0) {
    if (fork() == 0 || fork() == 0) { /* a child: build its own subtree */
      depth--;
      continue;
    }
    break;
  }
  for (;;) {
  }
}

static void test_kill_tree(void **state) {
  struct v2fx *f = *state;
  NEED(f);
  char err[512];
  int p[2];
  assert_int_equal(pipe(p), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    char c;
    close(p[1]);
    if (read(p[0], &c, 1) != 1)
      _exit(99);
    spin_tree(5);
  }
  close(p[0]);
  if (cg_attach(f->g, pid, err, sizeof err) < 0) {
    kill(pid, SIGKILL);
    fail_msg("cg_attach: %s", err);
  }
  assert_true(in_group(pid, f));
  assert_int_equal(write(p[1], "x", 1), 1);
  close(p[1]);
  struct timespec ts = {0, 200 * 1000000L};
  nanosleep(&ts, NULL);
  char path[512];
  snprintf(path, sizeof path, "%s/g0", f->parent);
  int dfd = open(path, O_RDONLY | O_DIRECTORY);
  assert_true(dfd >= 0);
  long n = cgp_for_each(dfd, path, NULL, NULL, err, sizeof err);
  close(dfd);
  print_message("tree: %ld processes in the group\n", n);
  assert_true(n > 1);
  assert_int_equal(cg_is_empty(f->g), 0);
  if (cg_kill_all(f->g, err, sizeof err) < 0)
    fail_msg("cg_kill_all: %s", err);
  assert_int_equal(cg_is_empty(f->g), 1);
  int st;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static void test_destroy(void **state) {
  struct v2fx *f = *state;
  NEED(f);
  char path[512];
  snprintf(path, sizeof path, "%s/g0", f->parent);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  cg_destroy(f->g);
  f->g = NULL;
  assert_int_equal(stat(path, &st), -1);
  assert_int_equal(errno, ENOENT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_clone_into_cgroup, setup, teardown),
      cmocka_unit_test_setup_teardown(test_kill_tree, setup, teardown),
      cmocka_unit_test_setup_teardown(test_destroy, setup, teardown),
  };
  return cmocka_run_group_tests_name("cgroup_v2core", tests, NULL, NULL);
}
