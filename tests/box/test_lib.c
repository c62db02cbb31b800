/* test_lib.c — the box through its library API, as the judging engine uses
 * it, both with the slot init and with an init per run: statuses of simple
 * runs, a program that is not there, two boxes cross-connected by pipes
 * (interactive), early close on either side, files in and out (symlink and
 * FIFO traps refused), and cleanup (no process, mount or file survives a
 * run, even a daemonized one), and what init sharing our memory must not do
 * to us. Needs root: skipped (77) otherwise. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "box.h"
#include "box_internal.h"

static struct box_engine *engine;
static char tmpdir[64];

static struct box_spec spec_of(const char *const *argv) {
  struct box_spec s;
  memset(&s, 0, sizeof s);
  s.argv = argv;
  s.limits = (struct box_limits){.cpu_ms = 2000, .wall_ms = 6000, .memory_kib = 256 * 1024,
                                 .output_kib = 4096, .procs = 4};
  s.stdin_fd = s.stdout_fd = s.stderr_fd = -1;
  return s;
}

static void run1(const struct box_spec *s, struct box_result *r) {
  struct box *b;
  char err[256];
  assert_int_equal(box_acquire(engine, &b, err, sizeof err), 0);
  box_run(b, s, r);
  box_release(b);
}

static void simple_statuses(void **state) {
  (void)state;
  struct box_result r;
  const char *const ok[] = {"/bin/true", NULL};
  struct box_spec s = spec_of(ok);
  run1(&s, &r);
  assert_int_equal(r.status, BOX_OK);
  assert_true(r.memory_kib > 0);
  const char *const three[] = {"/bin/sh", "-c", "exit 3", NULL};
  s = spec_of(three);
  run1(&s, &r);
  assert_int_equal(r.status, BOX_RTE);
  assert_int_equal(r.exit_code, 3);
  const char *const missing[] = {"./no-such-program", NULL};
  s = spec_of(missing);
  run1(&s, &r);
  assert_int_equal(r.status, BOX_RTE);
  assert_non_null(strstr(r.message, "cannot execute"));
  const char *const bare[] = {"true", NULL}; /* PATH search */
  s = spec_of(bare);
  run1(&s, &r);
  assert_int_equal(r.status, BOX_OK);
  const char *const empty[] = {NULL};
  s = spec_of(empty);
  run1(&s, &r);
  assert_int_equal(r.status, BOX_IE);
  /* Environment: only the safe set plus what the caller adds. */
  const char *const envck[] = {"/bin/sh", "-c", "[ \"$EXTRA\" = yes ] && [ -z \"$LD_PRELOAD\" ] && [ \"$HOME\" = /box ]", NULL};
  const char *const env[] = {"EXTRA=yes", NULL};
  setenv("LD_PRELOAD", "/nonexistent.so", 1);
  s = spec_of(envck);
  s.env = env;
  run1(&s, &r);
  unsetenv("LD_PRELOAD");
  assert_int_equal(r.status, BOX_OK);
  const char *const badenv[] = {"NOEQUALS", NULL};
  s.env = badenv;
  run1(&s, &r);
  assert_int_equal(r.status, BOX_IE);
}

/* Runs a and b with a's stdout -> b's stdin and b's stdout -> a's stdin. */
static void pair_wall(const char *const *a, const char *const *b, uint64_t wall_a, struct box_result res[2]) {
  int ab[2], ba[2];
  assert_int_equal(pipe2(ab, O_CLOEXEC), 0);
  assert_int_equal(pipe2(ba, O_CLOEXEC), 0);
  struct box *x, *y;
  char err[256];
  assert_int_equal(box_acquire(engine, &x, err, sizeof err), 0);
  assert_int_equal(box_acquire(engine, &y, err, sizeof err), 0);
  struct box_spec sa = spec_of(a), sb = spec_of(b);
  if (wall_a)
    sa.limits.wall_ms = wall_a;
  sa.stdin_fd = ba[0];
  sa.stdout_fd = ab[1];
  sb.stdin_fd = ab[0];
  sb.stdout_fd = ba[1];
  struct box_proc *p[2];
  assert_int_equal(box_start(x, &sa, &p[0], err, sizeof err), 0);
  assert_int_equal(box_start(y, &sb, &p[1], err, sizeof err), 0);
  close(ab[0]);
  close(ab[1]);
  close(ba[0]);
  close(ba[1]);
  assert_int_equal(box_wait_all(p, 2, res), 0);
  box_release(x);
  box_release(y);
}

static void pair(const char *const *a, const char *const *b, struct box_result res[2]) {
  pair_wall(a, b, 0, res);
}

static void interactive(void **state) {
  (void)state;
  struct box_result r[2];
  const char *const inter[] = {"/bin/sh", "-c", "echo 41; read x; [ \"$x\" = 42 ]", NULL};
  const char *const sol[] = {"/bin/sh", "-c", "read x; echo $((x + 1))", NULL};
  pair(inter, sol, r);
  assert_int_equal(r[0].status, BOX_OK);
  assert_int_equal(r[1].status, BOX_OK);
  /* The solution answers wrong: the interactor says so. */
  const char *const wrong[] = {"/bin/sh", "-c", "read x; echo 0", NULL};
  pair(inter, wrong, r);
  assert_int_equal(r[0].status, BOX_RTE);
  assert_int_equal(r[0].exit_code, 1);
  assert_int_equal(r[1].status, BOX_OK);
  /* The solution exits at once without reading: the interactor sees EOF. */
  const char *const quitter[] = {"/bin/true", NULL};
  pair(inter, quitter, r);
  assert_int_equal(r[1].status, BOX_OK);
  assert_int_equal(r[0].status, BOX_RTE);
  /* The interactor stops reading and exits; the solution keeps writing and
   * dies of SIGPIPE (RTE), it does not hang. */
  const char *const deaf[] = {"/bin/sh", "-c", "exit 0", NULL};
  const char *const chatty[] = {"/usr/bin/yes", NULL};
  pair(deaf, chatty, r);
  assert_int_equal(r[0].status, BOX_OK);
  assert_true(r[0].end_ms > r[0].start_ms && r[0].end_ms <= r[1].end_ms); /* the interactor ended first */
  assert_int_equal(r[1].status, BOX_RTE);
  assert_int_equal(r[1].signal, SIGPIPE);
  /* Both wait for each other: the deadlock ends by the wall limit (the
   * first to hit it is TLE; the other then reads EOF), not a hang. */
  const char *const reader[] = {"/bin/sh", "-c", "read x", NULL};
  int64_t t0 = time(NULL);
  pair_wall(reader, reader, 1000, r);
  assert_int_equal(r[0].status, BOX_TLE);
  assert_true(r[1].status == BOX_RTE || r[1].status == BOX_TLE);
  assert_true(time(NULL) - t0 < 30);
}

static void write_file(const char *path, const char *text, mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  chmod(path, mode);
}

static void files_in_and_out(void **state) {
  (void)state;
  char in[128], script[128], out[4][128];
  snprintf(in, sizeof in, "%s/input.txt", tmpdir);
  snprintf(script, sizeof script, "%s/prog.sh", tmpdir);
  write_file(in, "hello\n", 0644);
  write_file(script,
             "#!/bin/sh\n"
             "read x < input.txt\n"
             "echo \"$x world\" > result.txt\n"
             "ln -s /etc/passwd link.txt\n"
             "mkfifo fifo.txt\n"
             "head -c 5000 /dev/zero > big.txt\n",
             0755);
  struct box_file_in fin[] = {{in, "input.txt"}, {script, "prog.sh"}};
  const char *names[] = {"result.txt", "link.txt", "fifo.txt", "big.txt"};
  struct box_file_out fout[4];
  for (int i = 0; i < 4; i++) {
    snprintf(out[i], sizeof out[i], "%s/out-%d", tmpdir, i);
    unlink(out[i]);
    fout[i] = (struct box_file_out){names[i], out[i], 1000};
  }
  const char *const argv[] = {"./prog.sh", NULL};
  struct box_spec s = spec_of(argv);
  s.files_in = fin;
  s.nfiles_in = 2;
  s.files_out = fout;
  s.nfiles_out = 4;
  s.limits.procs = 8;
  struct box_result r;
  run1(&s, &r);
  assert_int_equal(r.status, BOX_OK);
  assert_int_equal(r.fetched[0], 1);
  assert_int_equal(r.fetched[1], 0); /* symlink */
  assert_int_equal(r.fetched[2], 0); /* FIFO (and we did not hang on it) */
  assert_int_equal(r.fetched[3], 0); /* over max_bytes */
  char buf[64] = "";
  int fd = open(out[0], O_RDONLY);
  assert_true(fd >= 0);
  assert_true(read(fd, buf, sizeof buf - 1) > 0);
  close(fd);
  assert_string_equal(buf, "hello world\n");
  struct stat st;
  assert_int_equal(lstat(out[1], &st), -1);
  /* A bad name is refused before anything runs. */
  struct box_file_in evil[] = {{in, "../escape"}};
  s.files_in = evil;
  s.nfiles_in = 1;
  s.nfiles_out = 0;
  run1(&s, &r);
  assert_int_equal(r.status, BOX_IE);
}

static int count_uid_procs(uid_t uid) {
  DIR *d = opendir("/proc");
  int n = 0;
  struct dirent *de;
  while (d && (de = readdir(d))) {
    char path[300];
    struct stat st;
    if (de->d_name[0] < '0' || de->d_name[0] > '9')
      continue;
    snprintf(path, sizeof path, "/proc/%s", de->d_name);
    if (stat(path, &st) == 0 && st.st_uid == uid)
      n++;
  }
  if (d)
    closedir(d);
  return n;
}

static void cleanup_after_daemons(void **state) {
  (void)state;
  /* A double-forked, setsid'd sleeper that would outlive a naive box, and
   * files left in the work dir, /tmp and /dev/shm. */
  const char *const argv[] = {"/bin/sh", "-c",
                              "(setsid sh -c 'sleep 100' &) ; echo x > /tmp/left; echo y > /dev/shm/left;"
                              " echo z > left; id -u > uid.txt; exit 0",
                              NULL};
  char uidpath[128];
  snprintf(uidpath, sizeof uidpath, "%s/uid.txt", tmpdir);
  struct box_file_out out = {"uid.txt", uidpath, 64};
  struct box_spec s = spec_of(argv);
  s.limits.procs = 8;
  s.files_out = &out;
  s.nfiles_out = 1;
  struct box_result r;
  run1(&s, &r);
  assert_int_equal(r.status, BOX_OK);
  assert_int_equal(r.fetched[0], 1);
  char buf[32] = "";
  int fd = open(uidpath, O_RDONLY);
  assert_true(fd >= 0);
  assert_true(read(fd, buf, sizeof buf - 1) > 0);
  close(fd);
  uid_t uid = (uid_t)atoi(buf);
  assert_true(uid >= 1000); /* never root, never the supervisor */
  /* Our engine holds this slot, so nothing else runs as this uid. */
  assert_int_equal(count_uid_procs(uid), 0);
  /* The next run sees none of it. */
  const char *const look[] = {"/bin/sh", "-c", "[ ! -e /tmp/left ] && [ ! -e /dev/shm/left ] && [ ! -e left ]", NULL};
  s = spec_of(look);
  run1(&s, &r);
  assert_int_equal(r.status, BOX_OK);
}

/* The work dir is wiped between runs (not remounted): deep trees, locked
 * modes, FIFOs and symlinks out must all be gone, and /box and /tmp must be
 * back to their modes. */
static void wipe_between_runs(void **state) {
  (void)state;
  const char *const mess[] = {"/bin/sh", "-c",
                              "d=.; for i in $(seq 40); do d=$d/d$i; mkdir $d; echo x > $d/f; done;"
                              " mkdir -p locked/inner; echo y > locked/inner/f; chmod 000 locked/inner locked;"
                              " mkfifo pipe; ln -s / root; ln -s /etc/passwd /tmp/pw; mkdir /tmp/t; echo z > /tmp/t/f;"
                              " chmod 777 /box; chmod 000 /tmp; exit 0",
                              NULL};
  struct box_spec s = spec_of(mess);
  s.limits.procs = 8;
  struct box_result r;
  for (int round = 0; round < 2; round++) {
    run1(&s, &r);
    if (r.status != BOX_OK)
      fprintf(stderr, "mess run %d: %s %s\n", round, box_status_name(r.status), r.message);
    assert_int_equal(r.status, BOX_OK);
    const char *const look[] = {"/bin/sh", "-c",
                                "[ -z \"$(ls -A /box)\" ] && [ -z \"$(ls -A /tmp)\" ] && [ \"$(stat -c %a /box)\" = 755 ] &&"
                                " [ \"$(stat -c %a /tmp)\" = 700 ]",
                                NULL};
    struct box_spec l = spec_of(look);
    l.limits.procs = 8;
    run1(&l, &r);
    assert_int_equal(r.status, BOX_OK);
  }
}

static void limits_via_library(void **state) {
  (void)state;
  struct box_result r;
  const char *const spin[] = {"/bin/sh", "-c", "while :; do :; done", NULL};
  struct box_spec s = spec_of(spin);
  s.limits.cpu_ms = 300;
  run1(&s, &r);
  assert_int_equal(r.status, BOX_TLE);
  assert_true(r.cpu_ms >= 300 && r.cpu_ms < 1500);
  const char *const flood[] = {"/usr/bin/yes", NULL};
  s = spec_of(flood);
  s.limits.output_kib = 64;
  run1(&s, &r);
  assert_int_equal(r.status, BOX_OLE);
  assert_true(r.output_bytes > 64 * 1024);
  /* Files written over the limit: RLIMIT_FSIZE -> SIGXFSZ -> OLE. */
  const char *const big[] = {"/bin/sh", "-c", "head -c 200000 /dev/zero > f", NULL};
  s = spec_of(big);
  s.limits.output_kib = 64;
  run1(&s, &r);
  if (r.status != BOX_OLE)
    fprintf(stderr, "file over the limit: %s (%s)\n", box_status_name(r.status), r.message);
  assert_int_equal(r.status, BOX_OLE);
}

static int ignored_sigpipe_seen;
static void on_usr1(int sig) {
  (void)sig;
  ignored_sigpipe_seen++;
}

/* The box init may run in our own memory (CLONE_VM): it must not join the
 * memory cgroup (an OOM kill choosing it would kill every process sharing
 * its mm, this one included; the slot init joins no box group at all),
 * must not change our signal dispositions, and
 * many small processes over the limit must end as MLE with us alive even
 * when we are much bigger than any of them. */
static void init_in_our_memory(void **state) {
  (void)state;
  struct sigaction ign = {.sa_handler = SIG_IGN}, usr = {.sa_handler = on_usr1}, cur;
  ignored_sigpipe_seen = 0; /* the group runs twice */
  sigaction(SIGPIPE, &ign, NULL);
  sigaction(SIGUSR1, &usr, NULL);

  struct box *b;
  char err[256];
  assert_int_equal(box_acquire(engine, &b, err, sizeof err), 0);
  const char *const slp[] = {"/bin/sh", "-c", "grep -q 'memory:/judgepool/box' /proc/self/cgroup && sleep 1", NULL};
  struct box_spec s = spec_of(slp);
  struct box_proc *p;
  assert_int_equal(box_start(b, &s, &p, err, sizeof err), 0);
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/cgroup", (int)p->init_pid);
  int mem_in_box = 0, pids_in_box = 0;
  /* A one-run init moves itself in right after the clone: wait for it
   * (<= 2 s). The slot init (p->slot) is in no box group at all. */
  for (int tries = 0; tries < (p->slot ? 1 : 200) && !pids_in_box; tries++) {
    if (tries)
      usleep(10000);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
      if (strstr(line, ":memory:") && strstr(line, "judgepool/box"))
        mem_in_box = 1;
      if (strstr(line, ":pids:") && strstr(line, "judgepool/box"))
        pids_in_box = 1;
    }
    fclose(f);
  }
  struct box_result r;
  box_wait(p, &r);
  box_release(b);
  assert_int_equal(r.status, BOX_OK); /* the program is in the memory group */
  assert_int_equal(mem_in_box, 0);
  assert_int_equal(pids_in_box, p->slot ? 0 : 1);
  assert_int_equal(sigaction(SIGPIPE, NULL, &cur), 0);
  assert_true(cur.sa_handler == SIG_IGN);
  assert_int_equal(sigaction(SIGUSR1, NULL, &cur), 0);
  assert_true(cur.sa_handler == on_usr1);
  raise(SIGUSR1);
  assert_int_equal(ignored_sigpipe_seen, 1);

  /* Us: 96 MiB resident; each box process: at most ~7 MiB. */
  size_t big = 96u << 20;
  char *mem = malloc(big);
  assert_non_null(mem);
  memset(mem, 1, big);
  const char *const many[] = {"/bin/sh", "-c",
                              "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do head -c 6000000 /dev/zero | tail > /dev/null & done; wait; exit 0",
                              NULL};
  s = spec_of(many);
  s.limits.memory_kib = 24 * 1024;
  s.limits.procs = 40;
  run1(&s, &r);
  assert_int_equal(mem[big - 1], 1);
  free(mem);
  if (r.status != BOX_MLE)
    fprintf(stderr, "many small over the limit: %s (%s)\n", box_status_name(r.status), r.message);
  assert_int_equal(r.status, BOX_MLE);
  signal(SIGPIPE, SIG_DFL);
  signal(SIGUSR1, SIG_DFL);
}

/* The program starts with every signal at its default and none blocked,
 * even when we (and so the init, a copy of us at its clone) ignore some:
 * ignored dispositions survive execve. The slot init is restarted here so
 * that it is cloned while we ignore them. */
static const int ignored_here[] = {SIGPIPE, SIGINT, SIGHUP, SIGTERM, 40};
static sigset_t mask_before;

/* a teardown, so that a failed assertion does not leave the rest of the
 * group running with our dispositions */
static int restore_signals(void **state) {
  (void)state;
  pthread_sigmask(SIG_SETMASK, &mask_before, NULL);
  for (size_t i = 0; i < sizeof ignored_here / sizeof ignored_here[0]; i++) signal(ignored_here[i], SIG_DFL);
  return 0;
}

static void program_default_signals(void **state) {
  (void)state;
  struct sigaction ign = {.sa_handler = SIG_IGN};
  for (size_t i = 0; i < sizeof ignored_here / sizeof ignored_here[0]; i++)
    assert_int_equal(sigaction(ignored_here[i], &ign, NULL), 0);
  sigset_t blk;
  sigemptyset(&blk);
  sigaddset(&blk, SIGUSR2);
  assert_int_equal(pthread_sigmask(SIG_BLOCK, &blk, &mask_before), 0);

  static const char *const masks[] = {"SigIgn:\\s+0{16}", "SigBlk:\\s+0{16}"};
  for (int i = 0; i < 2; i++) {
    const char *const grep[] = {"/bin/grep", "-qxE", masks[i], "/proc/self/status", NULL};
    struct box_spec s = spec_of(grep);
    struct box *b;
    char err[256];
    struct box_result r;
    assert_int_equal(box_acquire(engine, &b, err, sizeof err), 0);
    slot_stop(b);
    box_run(b, &s, &r);
    box_release(b);
    if (r.status != BOX_OK)
      fprintf(stderr, "%s: %s exit %d (%s)\n", masks[i], box_status_name(r.status), r.exit_code, r.message);
    assert_int_equal(r.status, BOX_OK);
  }
}

static int one_run_inits;

static int setup(void **state) {
  (void)state;
  char err[512];
  if (geteuid() != 0)
    return -1;
  struct box_engine_config cfg = {.slots = 2};
  if (box_engine_open(&engine, &cfg, err, sizeof err)) {
    fprintf(stderr, "box engine: %s\n", err);
    return -1;
  }
  engine->one_run_inits = one_run_inits;
  snprintf(tmpdir, sizeof tmpdir, "/tmp/box-test-XXXXXX");
  if (!mkdtemp(tmpdir))
    return -1;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  box_engine_close(engine);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
  if (geteuid() != 0) {
    fprintf(stderr, "box_lib: needs root; skipped\n");
    return 77;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(simple_statuses),      cmocka_unit_test(interactive),
      cmocka_unit_test(files_in_and_out),     cmocka_unit_test(cleanup_after_daemons),
      cmocka_unit_test(limits_via_library),   cmocka_unit_test(wipe_between_runs),
      cmocka_unit_test(init_in_our_memory),   cmocka_unit_test_teardown(program_default_signals, restore_signals),
  };
  /* Twice: runs handed to the slot init (cgroup v1 hosts), and runs with
   * an init of their own (what cgroup v2 hosts use). */
  int failed = cmocka_run_group_tests_name("box_lib (slot init)", tests, setup, teardown);
  one_run_inits = 1;
  return failed + cmocka_run_group_tests_name("box_lib (one init per run)", tests, setup, teardown);
}
