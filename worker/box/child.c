/* child.c — what runs inside the box after clone: init (pid 1: joins its
 * cgroups and namespaces, builds the mount tree, spawns the program, keeps
 * the seccomp listener, waits, kills the rest, reports) and the program
 * child (vfork-style: joins the cgroups init is not in, drops everything,
 * installs the filter, execs). Init lives for one run (child_init_main) or,
 * as the slot init, for every run of its slot (child_slot_main, slotinit.c
 * says what it clears between runs).
 *
 * Init may run in the supervisor's address space (CLONE_VM, on the slot's
 * own stack, concurrently with the supervisor thread that cloned it, with
 * that thread's TLS), so after clone only raw system calls are made
 * (rawsys.h): no libc wrapper (errno is the supervisor thread's), no malloc,
 * no stdio, no writes to memory but our own stack and the program child's
 * spawn record on it. Every input was prepared before the clone in the
 * slot's struct child_args, which stays unchanged until init is reaped. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "box_internal.h"
#include "child_fds.h"
#include "rawsys.h"

#define NRELOC (FD_FIRST_FREE - 3)

/* Shared between init and the program child, which runs in init's memory
 * (CLONE_VM | CLONE_VFORK) until it execs: how its setup ended. */
struct spawn {
  const struct child_args *a;
  volatile int lfd;        /* the seccomp listener, in the shared fd table */
  volatile int fail_step;  /* setup step that failed, 0 if none */
  volatile int fail_errno; /* its errno, or execve's */
  volatile int exec_failed;
  unsigned long ignored; /* child_ignored_signals() of init */
};

static const char *const step_names[] = {
    [STEP_FDS] = "arranging file descriptors", [STEP_SYNC] = "joining the cgroup",
    [STEP_NETNS] = "joining the network namespace", [STEP_PRIVATE] = "making mounts private",
    [STEP_BIND_BOX] = "binding the work dir", [STEP_BIND_TMP] = "binding /tmp",
    [STEP_BIND_SHM] = "binding /dev/shm", [STEP_PROC] = "mounting /proc",
    [STEP_PIVOT] = "entering /box", [STEP_HOSTNAME] = "sethostname",
    [STEP_MNTNS] = "entering the template mount namespace",
    [STEP_SIGNALS] = "signal setup", [STEP_PIPES] = "creating pipes",
    [STEP_FORK] = "forking the program", [STEP_LISTENER] = "taking the seccomp listener",
    [STEP_PROGRAM] = "program setup", [STEP_DEVNULL] = "opening /dev/null",
    [STEP_RLIMIT] = "setting rlimits", [STEP_SETSID] = "setsid",
    [STEP_CREDS] = "dropping to the box uid", [STEP_NNP] = "no_new_privs",
    [STEP_SECCOMP] = "installing the seccomp filter", [STEP_SLOT] = "preparing the slot for the next run",
};

const char *child_step_name(uint32_t step) {
  if (step < sizeof step_names / sizeof step_names[0] && step_names[step])
    return step_names[step];
  return "unknown step";
}

static void write_all(int fd, const void *buf, size_t len) {
  /* A report is one message on the slot init's socket: never split. */
  const char *p = buf;
  while (len) {
    long n = rsys3(SYS_write, fd, p, len);
    if (n == -EINTR)
      continue;
    if (n <= 0)
      return;
    p += n;
    len -= (size_t)n;
  }
}

void child_send(const struct box_report *r) {
  write_all(FD_STATUS, r, sizeof *r);
}

static void report(uint32_t kind, int32_t wstatus, int32_t err, uint32_t step, int32_t nr,
                   uint32_t arch) {
  struct box_report r = {.magic = BOX_REPORT_MAGIC, .kind = kind, .wstatus = wstatus, .err = err,
                         .step = step, .nr = nr, .arch = arch, .last = 1};
  write_all(FD_STATUS, &r, sizeof r);
}

/* e: a negative return of a raw call (-errno). */
void child_init_fail(uint32_t step, long e) {
  rsys2(SYS_kill, -1, SIGKILL);
  report(REPORT_SETUP, 0, (int32_t)-e, step, 0, 0);
  rsys_exit(1);
}

static void __attribute__((noreturn)) prog_fail(struct spawn *sp, int step, long e) {
  sp->fail_errno = (int)-e;
  sp->fail_step = step;
  rsys_exit(127);
}

int child_move_high(int fd) {
  long n = rsys3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, INIT_FD_MIN);
  rsys1(SYS_close, fd);
  return (int)n;
}

/* Puts the fds init needs at 3..FD_FIRST_FREE-1 (absent ones closed) and
 * closes every other fd inherited from the supervisor (other slots' pipes
 * included). */
void child_relocate_fds(const struct child_args *a) {
  int src[NRELOC] = {a->status_fd,    a->sync_fd,      a->netns_fd,     a->stdin_fd,     a->stdout_fd,
                     a->stderr_fd,    a->mntns_fd,     a->tree_fd[0],   a->tree_fd[1],   a->tree_fd[2],
                     a->prog_cg_fd[0], a->prog_cg_fd[1], a->prog_cg_fd[2], a->prog_cg_fd[3]};
  _Static_assert(NRELOC == 14, "every relocated fd has a source");
  int tmp[NRELOC];
  for (int i = 0; i < NRELOC; i++) {
    tmp[i] = -1;
    if (src[i] >= 0 && (tmp[i] = (int)rsys3(SYS_fcntl, src[i], F_DUPFD_CLOEXEC, FD_FIRST_FREE)) < 0)
      rsys_exit(1); /* nothing to report on yet */
  }
  for (int i = 0; i < NRELOC; i++) {
    if (tmp[i] >= 0) {
      if (rsys3(SYS_dup3, tmp[i], 3 + i, O_CLOEXEC) < 0)
        rsys_exit(1);
    } else {
      rsys1(SYS_close, 3 + i);
    }
  }
  if (rsys3(SYS_close_range, FD_FIRST_FREE, ~0U, 0) < 0)
    for (int fd = FD_FIRST_FREE; fd < 65536; fd++)
      rsys1(SYS_close, fd);
  rsys1(SYS_close, 0);
  rsys1(SYS_close, 1);
  rsys1(SYS_close, 2);
}

/* Kernel layouts (not libc's): 64 signals, struct sigaction as the kernel
 * reads it, struct rlimit64. */
struct k_sigaction {
  void *handler;
  unsigned long flags;
  void *restorer;
  unsigned long mask;
};

/* The signals init ignores, bit s-1 for signal s. The program child gets a
 * copy of init's dispositions, and ignored ones survive execve (handled
 * ones are reset by it): the supervisor may ignore SIGPIPE, SIGINT... Init's
 * dispositions are its copy of the supervisor's at the clone and nothing
 * in it changes them, so the slot init asks once for all its runs and the
 * program child resets only these. A query that fails counts as ignored
 * (resetting is harmless; the program child checks that it worked). */
unsigned long child_ignored_signals(void) {
  unsigned long set = 0;
  for (int s = 1; s <= 64; s++) {
    struct k_sigaction cur;
    if (s != SIGKILL && s != SIGSTOP &&
        (rsys4(SYS_rt_sigaction, s, NULL, &cur, 8) != 0 || cur.handler == (void *)SIG_IGN))
      set |= 1UL << (s - 1);
  }
  return set;
}

static long set_rlimit(int res, uint64_t cur, uint64_t max) {
  struct {
    uint64_t cur, max;
  } rl = {cur, max};
  return rsys4(SYS_prlimit64, 0, res, &rl, NULL);
}

/* The program child: created with CLONE_VM | CLONE_VFORK | CLONE_FILES on
 * its own stack, so no page tables are copied and init sleeps until the
 * execve. It shares init's fd table until then (execve unshares it and
 * drops every close-on-exec fd: all of init's are), so the seccomp listener
 * it creates is already in init's table, and it makes no close() that init
 * would feel. Its signal handlers are its own copy (no CLONE_SIGHAND). */
static void program_main(void *arg) {
  struct spawn *sp = arg;
  const struct child_args *a = sp->a;
  long r;
  /* The cgroups init is not in: memory (init shares the supervisor's mm;
   * an OOM kill that chose init would kill every process sharing that mm,
   * the supervisor included), and all of them under the slot init, which
   * outlives the runs. */
  for (int i = 0; i < a->nprog_cg; i++)
    if ((r = rsys3(SYS_write, FD_CG0 + i, "0", 1)) != 1)
      prog_fail(sp, STEP_SYNC, r < 0 ? r : -EIO);
  unsigned long none = 0;
  if ((r = rsys4(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8)) < 0)
    prog_fail(sp, STEP_SIGNALS, r);
  /* Every signal at its default when the program starts. */
  struct k_sigaction dfl = {(void *)SIG_DFL, 0, NULL, 0};
  for (unsigned long ign = sp->ignored; ign; ign &= ign - 1)
    if ((r = rsys4(SYS_rt_sigaction, __builtin_ctzl(ign) + 1, &dfl, NULL, 8)) < 0)
      prog_fail(sp, STEP_SIGNALS, r);
  if ((r = rsys3(SYS_dup3, FD_OUT, 1, 0)) < 0 || (r = rsys3(SYS_dup3, FD_ERR, 2, 0)) < 0)
    prog_fail(sp, STEP_FDS, r);
  if (a->stdin_fd >= 0) {
    if ((r = rsys3(SYS_dup3, FD_IN, 0, 0)) < 0)
      prog_fail(sp, STEP_FDS, r);
  } else {
    long fd = rsys4(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY, 0);
    if (fd < 0)
      prog_fail(sp, STEP_DEVNULL, fd);
    if (fd != 0 && ((r = rsys3(SYS_dup3, fd, 0, 0)) < 0 || (r = rsys1(SYS_close, fd)) < 0))
      prog_fail(sp, STEP_DEVNULL, r);
  }
  /* Everything but 0..2 goes at execve (init's fds already are). */
  if ((r = rsys3(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC)) < 0)
    prog_fail(sp, STEP_FDS, r);

  const uint64_t inf = ~(uint64_t)0;
  const uint64_t stack = a->stack_kib ? a->stack_kib * 1024 : inf;
  const uint64_t fsize = a->fsize_kib ? a->fsize_kib * 1024 : inf;
  /* RLIMIT_CPU is a backstop only: the supervisor enforces the limit on
   * the cgroup. */
  const uint64_t cpu_s = (a->cpu_ms + 999) / 1000;
  if ((r = set_rlimit(RLIMIT_CORE, 0, 0)) < 0 ||
      (a->cpu_ms && (r = set_rlimit(RLIMIT_CPU, cpu_s + 1, cpu_s + 2)) < 0) ||
      (r = set_rlimit(RLIMIT_STACK, stack, stack)) < 0 ||
      (r = set_rlimit(RLIMIT_FSIZE, fsize, fsize)) < 0 ||
      (r = set_rlimit(RLIMIT_NOFILE, a->nofile, a->nofile)) < 0)
    prog_fail(sp, STEP_RLIMIT, r);
  if ((r = rsys0(SYS_setsid)) < 0)
    prog_fail(sp, STEP_SETSID, r);
  if ((r = rsys2(SYS_setgroups, 0, NULL)) < 0 || (r = rsys3(SYS_setresgid, a->gid, a->gid, a->gid)) < 0 ||
      (r = rsys3(SYS_setresuid, a->uid, a->uid, a->uid)) < 0)
    prog_fail(sp, STEP_CREDS, r);
  if ((r = rsys5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) < 0)
    prog_fail(sp, STEP_NNP, r);
  if (a->bpf) {
    struct sock_fprog prog = {.len = a->bpf->len, .filter = a->bpf->insns};
    unsigned long flags = a->bpf->uses_notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
    long lfd = rsys3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (lfd < 0)
      prog_fail(sp, STEP_SECCOMP, lfd);
    /* Close-on-exec: it stays in init's table only. */
    if (a->bpf->uses_notify)
      sp->lfd = (int)lfd;
  }
  long e = -ENOENT;
  for (int i = 0; i < a->nexec; i++) {
    r = rsys3(SYS_execve, a->exec_paths[i], a->argv, a->envp);
    if (r != -ENOENT || i == 0)
      e = r;
  }
  sp->fail_errno = (int)-e;
  sp->exec_failed = 1;
  rsys_exit(127);
}

/* A private copy of the template namespace (the skeleton root only), the
 * run's work dir attached at /box, /tmp and /dev/shm, a fresh /proc. Init
 * has its own fs_struct (no CLONE_FS), so its chdir and namespace are its
 * own even when it shares the supervisor's memory. */
void child_build_mounts(void) {
  long r;
  if ((r = rsys2(SYS_setns, FD_MNTNS, CLONE_NEWNS)) < 0 || (r = rsys1(SYS_unshare, CLONE_NEWNS)) < 0)
    child_init_fail(STEP_MNTNS, r);
  rsys1(SYS_close, FD_MNTNS);
  if ((r = rsys5(SYS_move_mount, FD_TBOX, "", AT_FDCWD, "/box", MOVE_MOUNT_F_EMPTY_PATH)) < 0)
    child_init_fail(STEP_BIND_BOX, r);
  if ((r = rsys5(SYS_move_mount, FD_TTMP, "", AT_FDCWD, "/tmp", MOVE_MOUNT_F_EMPTY_PATH)) < 0)
    child_init_fail(STEP_BIND_TMP, r);
  if ((r = rsys5(SYS_move_mount, FD_TSHM, "", AT_FDCWD, "/dev/shm", MOVE_MOUNT_F_EMPTY_PATH)) < 0)
    child_init_fail(STEP_BIND_SHM, r);
  rsys1(SYS_close, FD_TBOX);
  rsys1(SYS_close, FD_TTMP);
  rsys1(SYS_close, FD_TSHM);
  /* hidepid: the program cannot even see init (root, the supervisor's
   * command line). */
  if ((r = rsys5(SYS_mount, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=invisible")) < 0)
    child_init_fail(STEP_PROC, r);
  if ((r = rsys2(SYS_sethostname, "box", 3)) < 0)
    child_init_fail(STEP_HOSTNAME, r);
  if ((r = rsys1(SYS_chdir, "/box")) < 0)
    child_init_fail(STEP_PIVOT, r);
}

static long spawn_program(struct spawn *sp) {
  const struct child_args *a = sp->a;
#if BOX_RAWSYS
  struct clone_args ca;
  memset(&ca, 0, sizeof ca);
  ca.flags = CLONE_VM | CLONE_VFORK | CLONE_FILES;
  ca.exit_signal = SIGCHLD;
  ca.stack = (uint64_t)(uintptr_t)a->prog_stack;
  ca.stack_size = a->prog_stack_len;
  return rsys_clone3(&ca, program_main, sp);
#else
  int pid = clone((int (*)(void *))(void *)program_main, a->prog_stack + a->prog_stack_len,
                  CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, sp);
  return pid < 0 ? -errno : pid;
#endif
}

/* The slot's network namespace, the mounts, SIGCHLD into a signalfd
 * (returned, close-on-exec, high). */
long child_enter_box(void) {
  long r;
  if ((r = rsys2(SYS_setns, FD_NETNS, CLONE_NEWNET)) < 0)
    child_init_fail(STEP_NETNS, r);
  rsys1(SYS_close, FD_NETNS);
  child_build_mounts();
  /* No oom_score_adj for init: writing it walks every process on the
   * machine (0.1-0.3 ms, twice per run with the program's reset). Init is
   * not in the memory cgroup when it shares the supervisor's memory; when
   * forked, an OOM kill of init kills the box, which is MLE anyway. */
  unsigned long chld = 1UL << (SIGCHLD - 1);
  if ((r = rsys4(SYS_rt_sigprocmask, SIG_BLOCK, &chld, NULL, 8)) < 0)
    child_init_fail(STEP_SIGNALS, r);
  long sfd = rsys4(SYS_signalfd4, -1, &chld, 8, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0)
    child_init_fail(STEP_SIGNALS, sfd);
  if ((sfd = child_move_high((int)sfd)) < 0)
    child_init_fail(STEP_SIGNALS, sfd);
  return sfd;
}

void child_run(const struct child_args *a, long sfd, unsigned long ignored, int slot, struct box_report *out) {
  /* On our stack: init may share the supervisor's memory, and other
   * slots' inits run at the same time. */
  struct spawn sp;
  memset(&sp, 0, sizeof sp);
  sp.a = a;
  sp.lfd = -1;
  sp.ignored = ignored;
  long pid = spawn_program(&sp);
  if (pid < 0)
    child_init_fail(STEP_FORK, pid);
  /* Here the program has exec'd (or died trying). */
  if (sp.fail_step)
    child_init_fail((uint32_t)sp.fail_step, -(long)sp.fail_errno);
  int exec_errno = sp.exec_failed ? sp.fail_errno : 0;
  /* Our copies of the run's stdio (0..2 are the program's dup3s, made in
   * the fd table it shared with us until its exec): closed now, so a pipe's
   * EOF means the box's processes are gone, not that init got round to its
   * cleanup (interactive judging orders the two sides' exits by it). */
  static const int run_fds[] = {0, 1, 2, FD_IN, FD_OUT, FD_ERR};
  for (size_t i = 0; i < sizeof run_fds / sizeof run_fds[0]; i++)
    rsys1(SYS_close, run_fds[i]);
  int lfd = sp.lfd >= 0 ? child_move_high(sp.lfd) : -1;
  if (sp.lfd >= 0 && lfd < 0)
    child_init_fail(STEP_LISTENER, lfd);

  /* FD_STATUS: POLLHUP/POLLERR when the supervisor is gone; for the slot
   * init also its kill requests. */
  struct pollfd pf[3] = {
      {.fd = lfd, .events = POLLIN},
      {.fd = (int)sfd, .events = POLLIN},
      {.fd = FD_STATUS, .events = slot ? POLLIN : 0},
  };
  memset(out, 0, sizeof *out);
  out->magic = BOX_REPORT_MAGIC;
  out->kind = REPORT_EXITED;
  out->err = exec_errno;
  int done = 0;
  long r;
  while (!done) {
    r = rsys5(SYS_ppoll, pf, 3, NULL, NULL, 0);
    if (r == -EINTR)
      continue;
    if (r < 0)
      child_init_fail(STEP_PROGRAM, r);
    if (pf[2].revents & (POLLERR | POLLHUP)) {
      rsys2(SYS_kill, -1, SIGKILL);
      rsys_exit(1);
    }
    if (pf[2].revents & POLLIN) {
      char m[8];
      if (rsys4(SYS_recvfrom, FD_STATUS, m, sizeof m, MSG_DONTWAIT) == 1 && m[0] == SLOT_MSG_KILL)
        rsys2(SYS_kill, -1, SIGKILL); /* the program is reaped below, as usual */
    }
    if (pf[0].revents & POLLIN) {
      struct seccomp_notif n;
      memset(&n, 0, sizeof n);
      if (rsys3(SYS_ioctl, lfd, SECCOMP_IOCTL_NOTIF_RECV, &n) == 0) {
        rsys2(SYS_kill, -1, SIGKILL);
        out->kind = REPORT_SYSCALL;
        out->nr = n.data.nr;
        out->arch = n.data.arch;
        break;
      }
    } else if (pf[0].revents & (POLLHUP | POLLERR)) {
      pf[0].fd = -1; /* every process under the filter is gone */
    }
    if (pf[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (rsys3(SYS_read, sfd, &si, sizeof si) > 0) {
      }
      for (;;) {
        int st = 0;
        long w = rsys4(SYS_wait4, -1, &st, WNOHANG, NULL);
        if (w <= 0)
          break;
        if (w == pid) {
          out->wstatus = st;
          done = 1;
        }
      }
    }
  }
  struct timespec now;
  if (rsys2(SYS_clock_gettime, CLOCK_MONOTONIC, &now) == 0)
    out->end_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
  rsys2(SYS_kill, -1, SIGKILL);
  if (lfd >= 0)
    rsys1(SYS_close, lfd);
}

void child_init_main(void *arg) {
  const struct child_args *a = arg;
  /* Into the slot's cgroups (but memory: see program_main) before anything
   * else, so everything the box does is counted. Writing "0" moves the
   * calling thread without the global lock a move by pid takes
   * (cg_self_attach_fds). */
  long cg_err = 0;
  for (int i = 0; i < a->ninit_cg; i++) {
    long n = rsys3(SYS_write, a->init_cg_fds[i], "0", 1);
    if (n != 1)
      cg_err = n < 0 ? n : -EIO;
  }
  child_relocate_fds(a);
  if (cg_err)
    child_init_fail(STEP_SYNC, cg_err);
  if (a->sync_fd >= 0) {
    char go;
    if (rsys3(SYS_read, FD_SYNC, &go, 1) != 1)
      rsys_exit(1); /* the supervisor gave up */
    rsys1(SYS_close, FD_SYNC);
  }
  long sfd = child_enter_box();
  struct box_report rep;
  child_run(a, sfd, child_ignored_signals(), 0, &rep);
  /* Our exit kills whatever is left in the pid namespace. */
  child_send(&rep);
  rsys_exit(0);
}

