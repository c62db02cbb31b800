/* test_cgroup_fake.c — both backends against fake cgroupfs trees in a temp
 * dir: the right values land in the right files, counters are parsed (and
 * reported as deltas where the kernel cannot reset them), garbage in any
 * control file is a clear error, bad names are refused. Plus the strict
 * parsers on their own. Runs anywhere, no root needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cgroup.h"
#include "cgroup_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct tree {
  char root[64];
  char grp[CG_NCTL][256]; /* group dirs (v2: [0] only) */
  struct cg_root *r;
  struct cg *g;
};

static void put(const char *dir, const char *file, const char *content) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, file);
  FILE *f = fopen(p, "w");
  assert_non_null(f);
  fputs(content, f);
  assert_int_equal(fclose(f), 0);
}

static const char *get(const char *dir, const char *file) {
  static char buf[8192];
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, file);
  FILE *f = fopen(p, "r");
  assert_non_null(f);
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static void mkdirs(const char *path) {
  char p[512];
  snprintf(p, sizeof p, "%s", path);
  for (char *s = p + 1; *s; s++)
    if (*s == '/') {
      *s = '\0';
      mkdir(p, 0755);
      *s = '/';
    }
  assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void rm_tree(const char *path) { nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

/* ---- v2 tree ---------------------------------------------------------- */

static void v2_group_files(const char *d) {
  put(d, "cgroup.procs", "");
  put(d, "cgroup.events", "populated 0\nfrozen 0\n");
  put(d, "cgroup.kill", "");
  put(d, "cgroup.freeze", "0\n");
  put(d, "cpu.stat", "usage_usec 1000\nuser_usec 600\nsystem_usec 400\n");
  put(d, "memory.max", "max\n");
  put(d, "memory.peak", "777\n");
  put(d, "memory.swap.max", "max\n");
  put(d, "memory.current", "0\n");
  put(d, "memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n");
  put(d, "pids.max", "max\n");
  put(d, "pids.events", "max 2\n");
}

static int v2_setup(void **state) {
  struct tree *t = calloc(1, sizeof *t);
  assert_non_null(t);
  snprintf(t->root, sizeof t->root, "/tmp/cgfake2-XXXXXX");
  assert_non_null(mkdtemp(t->root));
  put(t->root, "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
  put(t->root, "cgroup.subtree_control", "");
  char d[256];
  snprintf(d, sizeof d, "%s/judgepool", t->root);
  mkdirs(d);
  put(d, "cgroup.subtree_control", "");
  snprintf(t->grp[0], sizeof t->grp[0], "%s/judgepool/box0", t->root);
  mkdirs(t->grp[0]);
  v2_group_files(t->grp[0]);
  char err[512];
  if (cg_root_open(&t->r, t->root, err, sizeof err) < 0)
    fail_msg("cg_root_open(fake v2): %s", err);
  if (cg_create(t->r, "box0", &t->g, err, sizeof err) < 0)
    fail_msg("cg_create(fake v2): %s", err);
  *state = t;
  return 0;
}

static int tree_teardown(void **state) {
  struct tree *t = *state;
  if (t->g)
    cg_free(t->g); /* no rmdir/kill games on a fake tree */
  cg_root_close(t->r);
  rm_tree(t->root);
  free(t);
  return 0;
}

static void test_v2_open(void **state) {
  struct tree *t = *state;
  assert_int_equal(cg_root_version(t->r), CG_V2);
  assert_string_equal(get(t->root, "cgroup.subtree_control"), "+memory +pids +cpu");
  char d[256];
  snprintf(d, sizeof d, "%s/judgepool", t->root);
  assert_string_equal(get(d, "cgroup.subtree_control"), "+memory +pids +cpu");
  assert_true(cg_dirfd(t->g) >= 0);
  struct stat a, b;
  assert_int_equal(fstat(cg_dirfd(t->g), &a), 0);
  assert_int_equal(stat(t->grp[0], &b), 0);
  assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
}

static void test_v2_missing_controllers(void **state) {
  struct tree *t = *state;
  put(t->root, "cgroup.controllers", "cpuset cpu io hugetlb\n");
  struct cg_root *r = NULL;
  char err[512] = "";
  assert_int_equal(cg_root_open(&r, t->root, err, sizeof err), -1);
  assert_null(r);
  assert_non_null(strstr(err, "memory"));
}

static void test_v2_prepare_limits(void **state) {
  struct tree *t = *state;
  char err[512];
  struct cg_limits lim = {.memory_bytes = 20 << 20, .pids = 10};
  if (cg_prepare(t->g, &lim, err, sizeof err) < 0)
    fail_msg("cg_prepare: %s", err);
  const char *d = t->grp[0];
  assert_string_equal(get(d, "memory.max"), "20971520");
  assert_string_equal(get(d, "memory.swap.max"), "0");
  assert_string_equal(get(d, "pids.max"), "10");
  /* A writable memory.peak is taken as the >= 6.12 fd-local reset. */
  assert_int_equal(t->g->peak_mode, CG2_PEAK_FD_RESET);
  assert_memory_equal(get(d, "memory.peak"), "reset\n", 6);
  struct cg_limits none = {0};
  if (cg_prepare(t->g, &none, err, sizeof err) < 0)
    fail_msg("cg_prepare: %s", err);
  assert_string_equal(get(d, "memory.max"), "max");
  assert_string_equal(get(d, "pids.max"), "max");
  /* memory.swap.max absent (kernel without swap): not an error. */
  char p[512];
  snprintf(p, sizeof p, "%s/memory.swap.max", d);
  assert_int_equal(unlink(p), 0);
  if (cg_prepare(t->g, &lim, err, sizeof err) < 0)
    fail_msg("cg_prepare without memory.swap.max: %s", err);
}

static void test_v2_usage_deltas(void **state) {
  struct tree *t = *state;
  char err[512];
  struct cg_limits lim = {.memory_bytes = 64 << 20, .pids = 10};
  if (cg_prepare(t->g, &lim, err, sizeof err) < 0)
    fail_msg("cg_prepare: %s", err);
  const char *d = t->grp[0];
  /* The "run": 250 ms of CPU, 50 MiB peak, no new events. */
  put(d, "cpu.stat", "usage_usec 251000\nuser_usec 200000\nsystem_usec 51000\n");
  put(d, "memory.peak", "52428800\n");
  uint64_t ns = 0;
  assert_int_equal(cg_cpu_ns(t->g, &ns), 0);
  assert_int_equal(ns, 250000000ULL);
  struct cg_usage u;
  if (cg_usage(t->g, &u, err, sizeof err) < 0)
    fail_msg("cg_usage: %s", err);
  assert_int_equal(u.cpu_ns, 250000000ULL);
  assert_int_equal(u.memory_peak, 52428800ULL);
  /* The oom/max events present at prepare belong to an earlier run. */
  assert_int_equal(u.oom, 0);
  assert_int_equal(u.oom_killed, 0);
  assert_int_equal(u.memory_limit_hit, 0);
  assert_int_equal(u.pids_peak_hit, 0);
  /* Now the run is OOM-killed and hits the pids limit. */
  put(d, "memory.events", "low 0\nhigh 0\nmax 9\noom 2\noom_kill 2\noom_group_kill 0\n");
  put(d, "pids.events", "max 5\n");
  if (cg_usage(t->g, &u, err, sizeof err) < 0)
    fail_msg("cg_usage: %s", err);
  assert_int_equal(u.oom, 1);
  assert_int_equal(u.oom_killed, 1);
  assert_int_equal(u.memory_limit_hit, 1);
  assert_int_equal(u.pids_peak_hit, 1);
  /* Allocation refused at the limit without a kill: still oom. */
  if (cg_prepare(t->g, &lim, err, sizeof err) < 0)
    fail_msg("cg_prepare: %s", err);
  put(d, "memory.events", "low 0\nhigh 0\nmax 9\noom 3\noom_kill 2\noom_group_kill 0\n");
  put(d, "memory.peak", "1000\n");
  if (cg_usage(t->g, &u, err, sizeof err) < 0)
    fail_msg("cg_usage: %s", err);
  assert_int_equal(u.oom, 1);
  assert_int_equal(u.oom_killed, 0);
  assert_int_equal(u.memory_limit_hit, 1);
  /* A peak at the (read back) limit counts as hitting it. */
  if (cg_prepare(t->g, &lim, err, sizeof err) < 0)
    fail_msg("cg_prepare: %s", err);
  put(d, "memory.peak", "67108864\n");
  if (cg_usage(t->g, &u, err, sizeof err) < 0)
    fail_msg("cg_usage: %s", err);
  assert_int_equal(u.memory_limit_hit, 1);
  assert_int_equal(u.oom_killed, 0);
}

/* Each garbage file must make cg_usage fail, naming the file. */
static void expect_usage_error(struct tree *t, const char *file, const char *content) {
  const char *d = t->grp[0];
  char err[512] = "";
  struct cg_limits lim = {.memory_bytes = 64 << 20, .pids = 10};
  v2_group_files(d);
  if (cg_prepare(t->g, &lim, err, sizeof err) < 0)
    fail_msg("cg_prepare: %s", err);
  put(d, "memory.peak", "777\n"); /* the fake file holds our reset write */
  put(d, file, content);
  struct cg_usage u;
  if (cg_usage(t->g, &u, err, sizeof err) != -1)
    fail_msg("garbage in %s ('%.30s') was accepted", file, content);
  if (!strstr(err, file))
    fail_msg("error for garbage in %s does not name it: %s", file, err);
}

static void test_v2_garbage(void **state) {
  struct tree *t = *state;
  expect_usage_error(t, "cpu.stat", "usage_usec 12abc\n");
  expect_usage_error(t, "cpu.stat", "user_usec 5\n"); /* key missing */
  expect_usage_error(t, "cpu.stat", "usage_usec 99999999999999999999999\n");
  expect_usage_error(t, "cpu.stat", "usage_usec -1\n");
  expect_usage_error(t, "memory.peak", "lots\n");
  expect_usage_error(t, "memory.peak", "");
  expect_usage_error(t, "memory.peak", "12 13\n");
  expect_usage_error(t, "memory.events", "max 1\noom x\noom_kill 0\n");
  expect_usage_error(t, "memory.events", "max 1\noom 1\noom_kill 0\noom_kill 0\n");
  expect_usage_error(t, "memory.events", "max 1\noom_kill 0\n");
  expect_usage_error(t, "pids.events", "max\n");
  expect_usage_error(t, "pids.events", "max 1 2\n");
  /* Bigger than any control file: refused, not truncated into a number. */
  char big[6000];
  memset(big, '1', sizeof big - 2);
  big[sizeof big - 2] = '\n';
  big[sizeof big - 1] = '\0';
  expect_usage_error(t, "memory.events", big);
  /* cgroup.events garbage: cg_is_empty cannot tell. */
  put(t->grp[0], "cgroup.events", "populated yes\n");
  assert_int_equal(cg_is_empty(t->g), -1);
  /* Garbage during prepare is reported too. */
  v2_group_files(t->grp[0]);
  put(t->grp[0], "memory.max", "oops");
  char err[512] = "";
  struct cg_limits lim = {.memory_bytes = 0, .pids = 0};
  assert_int_equal(cg_prepare(t->g, &lim, err, sizeof err), 0); /* unlimited: not read back */
  lim.memory_bytes = 1 << 20;
  put(t->grp[0], "memory.max", "");
  assert_int_equal(cg_prepare(t->g, &lim, err, sizeof err), 0); /* written, then read back */
  assert_string_equal(get(t->grp[0], "memory.max"), "1048576");
}

static void test_v2_attach_kill(void **state) {
  struct tree *t = *state;
  char err[512] = "";
  assert_int_equal(cg_attach(t->g, 12345, err, sizeof err), 0);
  assert_string_equal(get(t->grp[0], "cgroup.procs"), "12345");
  assert_int_equal(cg_attach(t->g, 0, err, sizeof err), -1);
  assert_int_equal(cg_attach(t->g, -5, err, sizeof err), -1);
  /* Empty group: nothing to kill, cgroup.kill untouched. */
  assert_int_equal(cg_is_empty(t->g), 1);
  assert_int_equal(cg_kill_all(t->g, err, sizeof err), 0);
  assert_string_equal(get(t->grp[0], "cgroup.kill"), "");
  /* A group that never empties: cgroup.kill written, bounded failure. */
  t->g->kill_deadline_ms = 300;
  put(t->grp[0], "cgroup.events", "populated 1\nfrozen 0\n");
  assert_int_equal(cg_is_empty(t->g), 0);
  assert_int_equal(cg_kill_all(t->g, err, sizeof err), -1);
  assert_string_equal(get(t->grp[0], "cgroup.kill"), "1");
  assert_non_null(strstr(err, "still populated"));
}

/* ---- v1 tree ---------------------------------------------------------- */

static const char *const v1_ctl[CG_NCTL] = {"memory", "pids", "cpuacct", "freezer"};

static void v1_group_files(struct tree *t) {
  for (int i = 0; i < CG_NCTL; i++)
    put(t->grp[i], "cgroup.procs", "");
  const char *m = t->grp[CG1_MEMORY];
  put(m, "memory.limit_in_bytes", "9223372036854771712\n");
  put(m, "memory.memsw.limit_in_bytes", "9223372036854771712\n");
  put(m, "memory.max_usage_in_bytes", "999\n");
  put(m, "memory.memsw.max_usage_in_bytes", "999\n");
  put(m, "memory.failcnt", "7\n");
  put(m, "memory.memsw.failcnt", "0\n");
  put(m, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n");
  put(m, "memory.force_empty", "");
  put(m, "memory.usage_in_bytes", "8388608\n");
  put(m, "memory.swappiness", "60\n");
  put(t->grp[CG1_PIDS], "pids.max", "max\n");
  put(t->grp[CG1_PIDS], "pids.events", "max 3\n");
  put(t->grp[CG1_CPUACCT], "cpuacct.usage", "5000\n");
  put(t->grp[CG1_FREEZER], "freezer.state", "THAWED\n");
}

static int v1_setup(void **state) {
  struct tree *t = calloc(1, sizeof *t);
  assert_non_null(t);
  snprintf(t->root, sizeof t->root, "/tmp/cgfake1-XXXXXX");
  assert_non_null(mkdtemp(t->root));
  for (int i = 0; i < CG_NCTL; i++) {
    snprintf(t->grp[i], sizeof t->grp[i], "%s/%s/judgepool/box1", t->root, v1_ctl[i]);
    mkdirs(t->grp[i]);
  }
  v1_group_files(t);
  char err[512];
  if (cg_root_open(&t->r, t->root, err, sizeof err) < 0)
    fail_msg("cg_root_open(fake v1): %s", err);
  if (cg_create(t->r, "box1", &t->g, err, sizeof err) < 0)
    fail_msg("cg_create(fake v1): %s", err);
  *state = t;
  return 0;
}

static void test_v1_prepare_limits(void **state) {
  struct tree *t = *state;
  assert_int_equal(cg_root_version(t->r), CG_V1);
  assert_int_equal(cg_dirfd(t->g), -1);
  char err[512];
  struct cg_limits lim = {.memory_bytes = 20 << 20, .pids = 10};
  if (cg_prepare(t->g, &lim, err, sizeof err) < 0)
    fail_msg("cg_prepare: %s", err);
  const char *m = t->grp[CG1_MEMORY];
  assert_string_equal(get(m, "memory.limit_in_bytes"), "20971520");
  assert_string_equal(get(m, "memory.memsw.limit_in_bytes"), "20971520");
  assert_string_equal(get(m, "memory.max_usage_in_bytes"), "0");
  assert_string_equal(get(m, "memory.memsw.max_usage_in_bytes"), "0");
  assert_string_equal(get(m, "memory.failcnt"), "0");
  assert_string_equal(get(m, "memory.memsw.failcnt"), "0");
  assert_string_equal(get(m, "memory.force_empty"), "0");
  /* Little left charged: no (slow) force_empty. Garbage usage: an error. */
  put(m, "memory.force_empty", "");
  put(m, "memory.usage_in_bytes", "4096\n");
  if (cg_prepare(t->g, &lim, err, sizeof err) < 0)
    fail_msg("cg_prepare: %s", err);
  assert_string_equal(get(m, "memory.force_empty"), "");
  put(m, "memory.usage_in_bytes", "4096 bytes\n");
  assert_int_equal(cg_prepare(t->g, &lim, err, sizeof err), -1);
  assert_non_null(strstr(err, "memory.usage_in_bytes"));
  put(m, "memory.usage_in_bytes", "0\n");
  assert_string_equal(get(t->grp[CG1_PIDS], "pids.max"), "10");
  assert_string_equal(get(t->grp[CG1_CPUACCT], "cpuacct.usage"), "0");
  /* Unlimited: -1 / max. */
  struct cg_limits none = {0};
  if (cg_prepare(t->g, &none, err, sizeof err) < 0)
    fail_msg("cg_prepare: %s", err);
  assert_string_equal(get(m, "memory.limit_in_bytes"), "-1");
  assert_string_equal(get(m, "memory.memsw.limit_in_bytes"), "-1");
  assert_string_equal(get(t->grp[CG1_PIDS], "pids.max"), "max");
}

static void test_v1_no_memsw(void **state) {
  struct tree *t = *state;
  const char *m = t->grp[CG1_MEMORY];
  const char *gone[] = {"memory.memsw.limit_in_bytes", "memory.memsw.max_usage_in_bytes",
                        "memory.memsw.failcnt"};
  char p[512];
  for (size_t i = 0; i < 3; i++) {
    snprintf(p, sizeof p, "%s/%s", m, gone[i]);
    assert_int_equal(unlink(p), 0);
  }
  /* Re-create the handle: memsw presence is probed at create. */
  cg_free(t->g);
  t->g = NULL;
  char err[512];
  if (cg_create(t->r, "box1", &t->g, err, sizeof err) < 0)
    fail_msg("cg_create: %s", err);
  struct cg_limits lim = {.memory_bytes = 32 << 20, .pids = 0};
  if (cg_prepare(t->g, &lim, err, sizeof err) < 0)
    fail_msg("cg_prepare without memsw: %s", err);
  assert_string_equal(get(m, "memory.limit_in_bytes"), "33554432");
  assert_string_equal(get(m, "memory.swappiness"), "0");
  struct cg_usage u;
  if (cg_usage(t->g, &u, err, sizeof err) < 0)
    fail_msg("cg_usage without memsw: %s", err);
}

static void test_v1_usage_deltas(void **state) {
  struct tree *t = *state;
  char err[512];
  struct cg_limits lim = {.memory_bytes = 64 << 20, .pids = 10};
  if (cg_prepare(t->g, &lim, err, sizeof err) < 0)
    fail_msg("cg_prepare: %s", err);
  const char *m = t->grp[CG1_MEMORY];
  put(t->grp[CG1_CPUACCT], "cpuacct.usage", "123456789\n");
  put(m, "memory.max_usage_in_bytes", "52428800\n");
  uint64_t ns;
  assert_int_equal(cg_cpu_ns(t->g, &ns), 0);
  assert_int_equal(ns, 123456789ULL);
  struct cg_usage u;
  if (cg_usage(t->g, &u, err, sizeof err) < 0)
    fail_msg("cg_usage: %s", err);
  assert_int_equal(u.cpu_ns, 123456789ULL);
  assert_int_equal(u.memory_peak, 52428800ULL);
  /* oom_kill 4 was there before prepare: not this run's. */
  assert_int_equal(u.oom, 0);
  assert_int_equal(u.oom_killed, 0);
  assert_int_equal(u.pids_peak_hit, 0);
  put(m, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 5\n");
  put(t->grp[CG1_PIDS], "pids.events", "max 4\n");
  if (cg_usage(t->g, &u, err, sizeof err) < 0)
    fail_msg("cg_usage: %s", err);
  assert_int_equal(u.oom, 1);
  assert_int_equal(u.oom_killed, 1);
  assert_int_equal(u.pids_peak_hit, 1);
  /* failcnt alone (refused at the limit, no kill) is oom too. */
  if (cg_prepare(t->g, &lim, err, sizeof err) < 0)
    fail_msg("cg_prepare: %s", err);
  put(m, "memory.memsw.failcnt", "2\n");
  if (cg_usage(t->g, &u, err, sizeof err) < 0)
    fail_msg("cg_usage: %s", err);
  assert_int_equal(u.oom, 1);
  assert_int_equal(u.oom_killed, 0);
  assert_int_equal(u.memory_limit_hit, 1);
}

static void expect_v1_error(struct tree *t, int ctl, const char *file, const char *content) {
  char err[512] = "";
  struct cg_limits lim = {.memory_bytes = 64 << 20, .pids = 10};
  v1_group_files(t);
  if (cg_prepare(t->g, &lim, err, sizeof err) < 0)
    fail_msg("cg_prepare: %s", err);
  put(t->grp[ctl], file, content);
  struct cg_usage u;
  if (cg_usage(t->g, &u, err, sizeof err) != -1)
    fail_msg("garbage in %s ('%.30s') was accepted", file, content);
  if (!strstr(err, file))
    fail_msg("error for garbage in %s does not name it: %s", file, err);
}

static void test_v1_garbage(void **state) {
  struct tree *t = *state;
  expect_v1_error(t, CG1_CPUACCT, "cpuacct.usage", "12 34\n");
  expect_v1_error(t, CG1_CPUACCT, "cpuacct.usage", "0x10\n");
  expect_v1_error(t, CG1_MEMORY, "memory.max_usage_in_bytes", "-5\n");
  expect_v1_error(t, CG1_MEMORY, "memory.max_usage_in_bytes", "1\n\n");
  expect_v1_error(t, CG1_MEMORY, "memory.failcnt", "");
  expect_v1_error(t, CG1_MEMORY, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill x\n");
  expect_v1_error(t, CG1_MEMORY, "memory.oom_control", "garbage\n");
  expect_v1_error(t, CG1_PIDS, "pids.events", "max 18446744073709551616\n");
  /* Garbage read during prepare: the oom baseline. */
  v1_group_files(t);
  put(t->grp[CG1_MEMORY], "memory.oom_control", "\x01\x02\x03");
  char err[512] = "";
  struct cg_limits lim = {.memory_bytes = 1 << 20, .pids = 1};
  assert_int_equal(cg_prepare(t->g, &lim, err, sizeof err), -1);
  assert_non_null(strstr(err, "memory.oom_control"));
  /* cgroup.procs that is not a pid list. */
  v1_group_files(t);
  put(t->grp[CG1_MEMORY], "cgroup.procs", "abc\n");
  assert_int_equal(cg_is_empty(t->g), -1);
  put(t->grp[CG1_MEMORY], "cgroup.procs", "0\n");
  assert_int_equal(cg_is_empty(t->g), -1);
  put(t->grp[CG1_MEMORY], "cgroup.procs", "99999999999\n");
  assert_int_equal(cg_is_empty(t->g), -1);
  assert_int_equal(cg_prepare(t->g, &lim, err, sizeof err), -1);
  assert_non_null(strstr(err, "cgroup.procs"));
}

static void test_v1_attach_kill(void **state) {
  struct tree *t = *state;
  char err[512] = "";
  assert_int_equal(cg_attach(t->g, 4242, err, sizeof err), 0);
  for (int i = 0; i < CG_NCTL; i++)
    assert_string_equal(get(t->grp[i], "cgroup.procs"), "4242");
  v1_group_files(t);
  assert_int_equal(cg_is_empty(t->g), 1);
  assert_int_equal(cg_kill_all(t->g, err, sizeof err), 0);
  assert_string_equal(get(t->grp[CG1_FREEZER], "freezer.state"), "THAWED");
  /* A listed process (our own sleeping child) is SIGKILLed; the fake list
   * never empties, so kill_all gives up after its bounded rounds. */
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    pause();
    _exit(0);
  }
  char line[32];
  snprintf(line, sizeof line, "%d\n", (int)pid);
  put(t->grp[CG1_MEMORY], "cgroup.procs", line);
  t->g->kill_deadline_ms = 300;
  assert_int_equal(cg_is_empty(t->g), 0);
  assert_int_equal(cg_kill_all(t->g, err, sizeof err), -1);
  assert_non_null(strstr(err, "box1"));
  int st;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
  assert_string_equal(get(t->grp[CG1_FREEZER], "freezer.state"), "THAWED");
  put(t->grp[CG1_MEMORY], "cgroup.procs", "");
}

static void test_v1_no_freezer(void **state) {
  struct tree *t = *state;
  cg_free(t->g);
  t->g = NULL;
  cg_root_close(t->r);
  t->r = NULL;
  char p[512];
  snprintf(p, sizeof p, "%s/freezer", t->root);
  rm_tree(p);
  char err[512];
  if (cg_root_open(&t->r, t->root, err, sizeof err) < 0)
    fail_msg("cg_root_open without freezer: %s", err);
  if (cg_create(t->r, "box1", &t->g, err, sizeof err) < 0)
    fail_msg("cg_create without freezer: %s", err);
  struct cg_limits lim = {.memory_bytes = 1 << 20, .pids = 3};
  if (cg_prepare(t->g, &lim, err, sizeof err) < 0)
    fail_msg("cg_prepare without freezer: %s", err);
  assert_int_equal(cg_kill_all(t->g, err, sizeof err), 0);
  /* And a missing required controller is a clear error. */
  snprintf(p, sizeof p, "%s/pids", t->root);
  rm_tree(p);
  struct cg_root *r = NULL;
  assert_int_equal(cg_root_open_version(&r, t->root, CG_V1, err, sizeof err), -1);
  assert_non_null(strstr(err, "pids"));
}

/* ---- names, roots, parsers ---------------------------------------------- */

static void test_names(void **state) {
  struct tree *t = *state;
  const char *bad[] = {"",          "a/b",        "..",   ".",   "../x", "x/..",
                       "memory.max", "a b",       "a\nb", "é",   "/abs", "cgroup.procs",
                       "x\x01"};
  char err[512];
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    struct cg *g = (struct cg *)1;
    if (cg_create(t->r, bad[i], &g, err, sizeof err) != -1)
      fail_msg("name '%s' accepted", bad[i]);
    assert_null(g);
    assert_non_null(strstr(err, "name"));
  }
  struct cg *g = NULL;
  assert_int_equal(cg_create(t->r, NULL, &g, err, sizeof err), -1);
  char longname[CG_NAME_MAX + 2];
  memset(longname, 'a', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  assert_int_equal(cg_create(t->r, longname, &g, err, sizeof err), -1);
  assert_non_null(strstr(err, "longer"));
  longname[CG_NAME_MAX] = '\0';
  assert_int_equal(cg_name_valid(longname, err, sizeof err), 0);
  assert_int_equal(cg_name_valid("box-0_A9", err, sizeof err), 0);
  /* Nothing was created for the refused names. */
  char p[512];
  snprintf(p, sizeof p, "%s/judgepool/a", t->root);
  assert_int_equal(access(p, F_OK), -1);
}

static void test_roots(void **state) {
  (void)state;
  struct cg_root *r = NULL;
  char err[512];
  assert_int_equal(cg_root_open(&r, "/nonexistent-cgroot", err, sizeof err), -1);
  assert_null(r);
  char d[] = "/tmp/cgempty-XXXXXX";
  assert_non_null(mkdtemp(d));
  assert_int_equal(cg_root_open(&r, d, err, sizeof err), -1);
  assert_non_null(strstr(err, "neither"));
  assert_int_equal(cg_root_open_version(&r, d, (cg_version)7, err, sizeof err), -1);
  /* A v2 root whose cgroup.controllers is garbage-sized. */
  char big[5000];
  memset(big, 'm', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  put(d, "cgroup.controllers", big);
  assert_int_equal(cg_root_open(&r, d, err, sizeof err), -1);
  assert_non_null(strstr(err, "cgroup.controllers"));
  rm_tree(d);
}

static void test_parse_u64(void **state) {
  (void)state;
  uint64_t v;
  assert_int_equal(cgfs_parse_u64("0", &v), 0);
  assert_int_equal(v, 0);
  assert_int_equal(cgfs_parse_u64("42\n", &v), 0);
  assert_int_equal(v, 42);
  assert_int_equal(cgfs_parse_u64("18446744073709551615", &v), 0);
  assert_true(v == UINT64_MAX);
  const char *bad[] = {"",   "\n",  "18446744073709551616", "99999999999999999999999",
                       "-1", "+1",  " 1",                   "1 ",
                       "1\n\n", "0x1", "1e3",               "12a",
                       "max"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    if (cgfs_parse_u64(bad[i], &v) != -1)
      fail_msg("'%s' parsed as a number", bad[i]);
}

static void test_keyed(void **state) {
  (void)state;
  uint64_t v = 0;
  assert_int_equal(cgfs_keyed_u64("a 1\nb 2\n", "b", &v), 0);
  assert_int_equal(v, 2);
  assert_int_equal(cgfs_keyed_u64("a 1\nb 2", "a", &v), 0);
  assert_int_equal(v, 1);
  assert_int_equal(cgfs_keyed_u64("a 1\n", "b", &v), 1);
  assert_int_equal(cgfs_keyed_u64("max.imposed 3\nmax 4\n", "max", &v), 0);
  assert_int_equal(v, 4);
  assert_int_equal(cgfs_keyed_u64("maxx 3\n", "max", &v), 1);
  assert_int_equal(cgfs_keyed_u64("", "max", &v), 1);
  const char *bad[] = {"a 1\nb\n", "a 1\n\n", " 1\n", "a  1\n", "a 1 \n", "a -1\n",
                       "a 1\na 2\n", "a\n", "a 99999999999999999999\n"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    if (cgfs_keyed_u64(bad[i], "a", &v) != -1)
      fail_msg("keyed content '%s' accepted", bad[i]);
}

static int count_pid(pid_t pid, void *arg) {
  long *sum = arg;
  *sum += pid;
  return 0;
}

static void test_procs_stream(void **state) {
  (void)state;
  char d[] = "/tmp/cgprocs-XXXXXX";
  assert_non_null(mkdtemp(d));
  /* 20000 pids: many 4 KiB chunks, numbers split across chunk edges. */
  char p[512];
  snprintf(p, sizeof p, "%s/cgroup.procs", d);
  FILE *f = fopen(p, "w");
  assert_non_null(f);
  long want = 0;
  for (long i = 1; i <= 20000; i++) {
    fprintf(f, "%ld\n", 100000 + i * 7);
    want += 100000 + i * 7;
  }
  fclose(f);
  int dfd = open(d, O_RDONLY | O_DIRECTORY);
  assert_true(dfd >= 0);
  long sum = 0;
  char err[256];
  assert_int_equal(cgp_for_each(dfd, d, count_pid, &sum, err, sizeof err), 20000);
  assert_int_equal(sum, want);
  assert_int_equal(cgp_empty(dfd, d, err, sizeof err), 0);
  put(d, "cgroup.procs", "");
  assert_int_equal(cgp_empty(dfd, d, err, sizeof err), 1);
  const char *bad[] = {"12", "12\n\n", "1\n-2\n", "1\n2x\n", "\n", "0\n", "4294967297\n"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    put(d, "cgroup.procs", bad[i]);
    if (cgp_for_each(dfd, d, NULL, NULL, err, sizeof err) != -1)
      fail_msg("cgroup.procs '%s' accepted", bad[i]);
  }
  close(dfd);
  rm_tree(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_v2_open, v2_setup, tree_teardown),
      cmocka_unit_test_setup_teardown(test_v2_missing_controllers, v2_setup, tree_teardown),
      cmocka_unit_test_setup_teardown(test_v2_prepare_limits, v2_setup, tree_teardown),
      cmocka_unit_test_setup_teardown(test_v2_usage_deltas, v2_setup, tree_teardown),
      cmocka_unit_test_setup_teardown(test_v2_garbage, v2_setup, tree_teardown),
      cmocka_unit_test_setup_teardown(test_v2_attach_kill, v2_setup, tree_teardown),
      cmocka_unit_test_setup_teardown(test_v1_prepare_limits, v1_setup, tree_teardown),
      cmocka_unit_test_setup_teardown(test_v1_no_memsw, v1_setup, tree_teardown),
      cmocka_unit_test_setup_teardown(test_v1_usage_deltas, v1_setup, tree_teardown),
      cmocka_unit_test_setup_teardown(test_v1_garbage, v1_setup, tree_teardown),
      cmocka_unit_test_setup_teardown(test_v1_attach_kill, v1_setup, tree_teardown),
      cmocka_unit_test_setup_teardown(test_v1_no_freezer, v1_setup, tree_teardown),
      cmocka_unit_test_setup_teardown(test_names, v2_setup, tree_teardown),
      cmocka_unit_test(test_roots),
      cmocka_unit_test(test_parse_u64),
      cmocka_unit_test(test_keyed),
      cmocka_unit_test(test_procs_stream),
  };
  return cmocka_run_group_tests_name("cgroup_fake", tests, NULL, NULL);
}
