/* child.c — what runs inside the box after clone: init (pid 1: joins its
 * cgroups and namespaces, builds the mount tree, spawns the program, keeps
 * the seccomp listener, waits, kills the rest, reports) and the program
 * child (vfork-style: drops everything, installs the filter, execs).
 *
 * The supervisor may be multi-threaded, so after clone only system calls
 * are made: no malloc, no stdio, no glibc wrappers that act on "all threads"
 * (setuid & co. are raw syscalls here). Every input was prepared before the
 * clone in struct child_args. */
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "box_internal.h"

/* Init's fd layout after relocation. */
enum { FD_STATUS = 3, FD_SYNC, FD_NETNS, FD_IN, FD_OUT, FD_ERR, FD_MNTNS, FD_TBOX, FD_TTMP, FD_TSHM,
       FD_FIRST_FREE };
#define NRELOC (FD_FIRST_FREE - 3)
/* Init keeps its own fds high so they never land on 0..12. */
#define INIT_FD_MIN 16

/* Shared between init and the program child, which runs in init's memory
 * (CLONE_VM | CLONE_VFORK) until it execs: how its setup ended. */
struct spawn {
  const struct child_args *a;
  volatile int lfd;        /* the seccomp listener, in the shared fd table */
  volatile int fail_step;  /* setup step that failed, 0 if none */
  volatile int fail_errno; /* its errno, or execve's */
  volatile int exec_failed;
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
    [STEP_SECCOMP] = "installing the seccomp filter",
};

const char *child_step_name(uint32_t step) {
  if (step < sizeof step_names / sizeof step_names[0] && step_names[step])
    return step_names[step];
  return "unknown step";
}

static void write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    p += n;
    len -= (size_t)n;
  }
}

static void report(uint32_t kind, int32_t wstatus, int32_t err, uint32_t step, int32_t nr,
                   uint32_t arch) {
  struct box_report r = {BOX_REPORT_MAGIC, kind, wstatus, err, step, nr, arch};
  write_all(FD_STATUS, &r, sizeof r);
}

static void __attribute__((noreturn)) init_fail(uint32_t step) {
  int e = errno;
  kill(-1, SIGKILL);
  report(REPORT_SETUP, 0, e, step, 0, 0);
  _exit(1);
}

static void __attribute__((noreturn)) prog_fail(struct spawn *sp, int step) {
  sp->fail_errno = errno;
  sp->fail_step = step;
  _exit(127);
}

static int move_high(int fd) {
  int n = fcntl(fd, F_DUPFD_CLOEXEC, INIT_FD_MIN);
  close(fd);
  return n;
}

/* Puts the fds init needs at 3..12 (absent ones closed) and closes every
 * other fd inherited from the supervisor (other slots' pipes included). */
static void relocate_fds(const struct child_args *a) {
  int src[NRELOC] = {a->status_fd, a->sync_fd,    a->netns_fd,   a->stdin_fd,   a->stdout_fd,
                     a->stderr_fd, a->mntns_fd,   a->tree_fd[0], a->tree_fd[1], a->tree_fd[2]};
  int tmp[NRELOC];
  for (int i = 0; i < NRELOC; i++) {
    tmp[i] = -1;
    if (src[i] >= 0 && (tmp[i] = fcntl(src[i], F_DUPFD_CLOEXEC, FD_FIRST_FREE)) < 0)
      _exit(1); /* nothing to report on yet */
  }
  for (int i = 0; i < NRELOC; i++) {
    if (tmp[i] >= 0) {
      if (dup3(tmp[i], 3 + i, O_CLOEXEC) < 0)
        _exit(1);
    } else {
      close(3 + i);
    }
  }
  if (syscall(SYS_close_range, FD_FIRST_FREE, ~0U, 0) < 0)
    for (int fd = FD_FIRST_FREE; fd < 65536; fd++)
      close(fd);
  close(0);
  close(1);
  close(2);
}

/* The program child: created with CLONE_VM | CLONE_VFORK | CLONE_FILES on
 * its own stack, so no page tables are copied and init sleeps until the
 * execve. It shares init's fd table until then (execve unshares it and
 * drops every close-on-exec fd: all of init's are), so the seccomp listener
 * it creates is already in init's table, and it makes no close() that init
 * would feel. errno is shared too, harmless: init is asleep. */
static int program_main(void *arg) {
  struct spawn *sp = arg;
  const struct child_args *a = sp->a;
  sigset_t none;
  sigemptyset(&none);
  if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
    prog_fail(sp, STEP_SIGNALS);
  /* The supervisor may ignore SIGPIPE; ignored signals survive execve
   * (handled ones are reset by it). */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; s++) {
    struct sigaction cur;
    if (s != SIGKILL && s != SIGSTOP && sigaction(s, NULL, &cur) == 0 && cur.sa_handler == SIG_IGN)
      sigaction(s, &dfl, NULL);
  }
  if (dup2(FD_OUT, 1) < 0 || dup2(FD_ERR, 2) < 0)
    prog_fail(sp, STEP_FDS);
  if (a->stdin_fd >= 0) {
    if (dup2(FD_IN, 0) < 0)
      prog_fail(sp, STEP_FDS);
  } else {
    int fd = open("/dev/null", O_RDONLY);
    if (fd < 0)
      prog_fail(sp, STEP_DEVNULL);
    if (fd != 0 && (dup2(fd, 0) < 0 || close(fd) < 0))
      prog_fail(sp, STEP_DEVNULL);
  }
  /* Everything but 0..2 goes at execve (init's fds already are). */
  if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    prog_fail(sp, STEP_FDS);

  struct rlimit rl;
  rl.rlim_cur = rl.rlim_max = 0;
  if (setrlimit(RLIMIT_CORE, &rl) < 0)
    prog_fail(sp, STEP_RLIMIT);
  if (a->cpu_ms) {
    /* A backstop only: the supervisor enforces the limit on the cgroup. */
    rl.rlim_cur = (a->cpu_ms + 999) / 1000 + 1;
    rl.rlim_max = rl.rlim_cur + 1;
    if (setrlimit(RLIMIT_CPU, &rl) < 0)
      prog_fail(sp, STEP_RLIMIT);
  }
  rl.rlim_cur = rl.rlim_max = a->stack_kib ? a->stack_kib * 1024 : RLIM_INFINITY;
  if (setrlimit(RLIMIT_STACK, &rl) < 0)
    prog_fail(sp, STEP_RLIMIT);
  rl.rlim_cur = rl.rlim_max = a->fsize_kib ? a->fsize_kib * 1024 : RLIM_INFINITY;
  if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
    prog_fail(sp, STEP_RLIMIT);
  rl.rlim_cur = rl.rlim_max = a->nofile;
  if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
    prog_fail(sp, STEP_RLIMIT);
  if (setsid() < 0)
    prog_fail(sp, STEP_SETSID);
  /* Raw calls: glibc's setuid & co. would signal the supervisor's other
   * threads, which do not exist here. */
  if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, a->gid, a->gid, a->gid) < 0 ||
      syscall(SYS_setresuid, a->uid, a->uid, a->uid) < 0)
    prog_fail(sp, STEP_CREDS);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    prog_fail(sp, STEP_NNP);
  if (a->bpf) {
    struct sock_fprog prog = {.len = a->bpf->len, .filter = a->bpf->insns};
    unsigned long flags = a->bpf->uses_notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
    long lfd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (lfd < 0)
      prog_fail(sp, STEP_SECCOMP);
    /* Close-on-exec: it stays in init's table only. */
    if (a->bpf->uses_notify)
      sp->lfd = (int)lfd;
  }
  int e = ENOENT;
  for (int i = 0; i < a->nexec; i++) {
    execve(a->exec_paths[i], a->argv, a->envp);
    if (errno != ENOENT || i == 0)
      e = errno;
  }
  sp->fail_errno = e;
  sp->exec_failed = 1;
  _exit(127);
}

/* A private copy of the template namespace (the skeleton root only), the
 * run's work dir attached at /box, /tmp and /dev/shm, a fresh /proc. */
static void build_mounts(void) {
  if (setns(FD_MNTNS, CLONE_NEWNS) < 0 || unshare(CLONE_NEWNS) < 0)
    init_fail(STEP_MNTNS);
  close(FD_MNTNS);
  if (move_mount(FD_TBOX, "", AT_FDCWD, "/box", MOVE_MOUNT_F_EMPTY_PATH) < 0)
    init_fail(STEP_BIND_BOX);
  if (move_mount(FD_TTMP, "", AT_FDCWD, "/tmp", MOVE_MOUNT_F_EMPTY_PATH) < 0)
    init_fail(STEP_BIND_TMP);
  if (move_mount(FD_TSHM, "", AT_FDCWD, "/dev/shm", MOVE_MOUNT_F_EMPTY_PATH) < 0)
    init_fail(STEP_BIND_SHM);
  close(FD_TBOX);
  close(FD_TTMP);
  close(FD_TSHM);
  /* hidepid: the program cannot even see init (root, the supervisor's
   * command line). */
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=invisible") < 0)
    init_fail(STEP_PROC);
  if (sethostname("box", 3) < 0)
    init_fail(STEP_HOSTNAME);
  if (chdir("/box") < 0)
    init_fail(STEP_PIVOT);
}

void child_init_main(const struct child_args *a) {
  /* Into the slot's cgroups before anything else, so everything the box
   * does is counted. Writing "0" moves the calling thread without the
   * global lock a move by pid takes (cg_self_attach_fds). */
  int cg_err = 0;
  for (int i = 0; i < a->ncg_self; i++)
    if (write(a->cg_self_fds[i], "0", 1) != 1)
      cg_err = errno ? errno : EIO;
  relocate_fds(a);
  if (cg_err) {
    errno = cg_err;
    init_fail(STEP_SYNC);
  }
  if (a->sync_fd >= 0) {
    char go;
    if (read(FD_SYNC, &go, 1) != 1)
      _exit(1); /* the supervisor gave up */
    close(FD_SYNC);
  }
  if (setns(FD_NETNS, CLONE_NEWNET) < 0)
    init_fail(STEP_NETNS);
  close(FD_NETNS);
  build_mounts();
  /* No oom_score_adj for init: writing it walks every process on the
   * machine (0.1-0.3 ms, twice per run with the program's reset). If the
   * cgroup's OOM killer picks init, the whole box dies with the OOM flag
   * set, which is MLE: the limit was the program's doing either way. */

  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &chld, NULL) < 0)
    init_fail(STEP_SIGNALS);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0 || (sfd = move_high(sfd)) < 0)
    init_fail(STEP_SIGNALS);

  /* The program's stack: its own pages in our memory. */
  size_t stack_len = 256 * 1024;
  char *stack = mmap(NULL, stack_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED)
    init_fail(STEP_FORK);
  static struct spawn sp;
  sp.a = a;
  sp.lfd = -1;
  int pid = clone(program_main, stack + stack_len, CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, &sp);
  if (pid < 0)
    init_fail(STEP_FORK);
  /* Here the program has exec'd (or died trying). */
  if (sp.fail_step) {
    errno = sp.fail_errno;
    init_fail((uint32_t)sp.fail_step);
  }
  int exec_errno = sp.exec_failed ? sp.fail_errno : 0;
  int lfd = sp.lfd >= 0 ? move_high(sp.lfd) : -1;
  if (sp.lfd >= 0 && lfd < 0)
    init_fail(STEP_LISTENER);

  struct pollfd pf[3] = {
      {.fd = lfd, .events = POLLIN},
      {.fd = sfd, .events = POLLIN},
      {.fd = FD_STATUS, .events = 0}, /* POLLERR: the supervisor is gone */
  };
  int done = 0, wstatus = 0;
  while (!done) {
    if (poll(pf, 3, -1) < 0) {
      if (errno == EINTR)
        continue;
      init_fail(STEP_PROGRAM);
    }
    if (pf[2].revents & (POLLERR | POLLHUP)) {
      kill(-1, SIGKILL);
      _exit(1);
    }
    if (pf[0].revents & POLLIN) {
      struct seccomp_notif n;
      memset(&n, 0, sizeof n);
      if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &n) == 0) {
        kill(-1, SIGKILL);
        report(REPORT_SYSCALL, 0, 0, 0, n.data.nr, n.data.arch);
        _exit(0);
      }
    } else if (pf[0].revents & (POLLHUP | POLLERR)) {
      pf[0].fd = -1; /* every process under the filter is gone */
    }
    if (pf[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) > 0) {
      }
      for (;;) {
        int st;
        pid_t w = waitpid(-1, &st, WNOHANG);
        if (w <= 0)
          break;
        if (w == pid) {
          wstatus = st;
          done = 1;
        }
      }
    }
  }
  kill(-1, SIGKILL);
  report(REPORT_EXITED, wstatus, exec_errno, 0, 0, 0);
  _exit(0);
}
