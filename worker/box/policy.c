/* policy.c — builds the seccomp policies (default denylist, strict
 * allowlist) with libseccomp and exports them to classic BPF once. */
#include "policy.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#define X32_BIT 0x40000000u

/* Dangerous in every policy: namespaces and mounts (escape), kernel object
 * side channels (keys), tracing and foreign memory, kernel surfaces with a
 * history of bugs (bpf, perf, userfaultfd, io_uring: it also runs socket()
 * and open() behind the filter), host state (time, hostname, modules,
 * reboot, swap, accounting), file handles (escape a bind mount). */
static const char *const denied[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
    "mount", "umount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig", "fsmount",
    "fspick", "move_mount", "open_tree", "mount_setattr", "unshare", "setns",
    "bpf", "perf_event_open", "keyctl", "add_key", "request_key", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "kexec_load", "kexec_file_load",
    "init_module", "finit_module", "delete_module", "create_module", "reboot", "swapon",
    "swapoff", "acct", "open_by_handle_at", "name_to_handle_at", "settimeofday",
    "clock_settime", "clock_adjtime", "adjtimex", "sethostname", "setdomainname", "iopl",
    "ioperm", "quotactl", "quotactl_fd", "lookup_dcookie", "syslog", "vhangup", "uselib",
    "nfsservctl", "fanotify_init", "process_madvise", "move_pages", "migrate_pages",
};

/* What a single-threaded C/C++ solution needs (static or dynamic glibc,
 * libstdc++), plus the execve that starts it. */
static const char *const strict_allowed[] = {
    "read", "write", "readv", "writev", "pread64", "pwrite64", "lseek", "close", "fstat",
    "newfstatat", "stat", "lstat", "statx", "mmap", "munmap", "mprotect", "brk", "mremap",
    "madvise", "exit", "exit_group", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn",
    "sigaltstack", "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64",
    "getrlimit", "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep",
    "gettimeofday", "time", "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid",
    "getegid", "getrandom", "futex", "openat", "open", "access", "faccessat", "faccessat2",
    "readlink", "readlinkat", "uname", "ioctl", "dup", "dup2", "dup3",
    "sched_yield", "getcwd", "execve", "sysinfo", "times", "getrusage", "tgkill",
    "restart_syscall", "sched_getaffinity", "poll", "ppoll", "select", "pselect6",
    "fadvise64", "getdents64", "ftruncate", "unlink", "unlinkat", "umask", "mkdir",
    "mkdirat", "rename", "renameat", "pipe2", "kill", "sched_getparam", "sched_getscheduler",
};

static int add(scmp_filter_ctx c, uint32_t act, const char *name, unsigned n,
               const struct scmp_arg_cmp *cmp, char *err, size_t errlen) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR)
    return 0; /* not on this architecture */
  int rc = seccomp_rule_add_array(c, act, nr, n, cmp);
  if (rc < 0)
    return jp_err(err, errlen, "seccomp rule for %s: %s", name, strerror(-rc));
  return 0;
}

static int default_rules(scmp_filter_ctx c, uint32_t deny, char *err, size_t errlen) {
  for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++)
    if (add(c, deny, denied[i], 0, NULL, err, errlen))
      return -1;
  /* clone with any namespace flag; clone3 hides its flags in memory, so it
   * answers ENOSYS and glibc falls back to clone. */
  static const uint64_t nsflags[] = {CLONE_NEWNS,   CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
                                     CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET};
  for (size_t i = 0; i < sizeof nsflags / sizeof nsflags[0]; i++) {
    struct scmp_arg_cmp a = SCMP_A0(SCMP_CMP_MASKED_EQ, nsflags[i], nsflags[i]);
    if (add(c, deny, "clone", 1, &a, err, errlen))
      return -1;
  }
  if (add(c, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL, err, errlen))
    return -1;
  /* Sockets: AF_UNIX only. AF_INET/AF_INET6 answer EAFNOSUPPORT instead of
   * a kill: javac and the JVM probe them at startup and carry on without,
   * and no inet socket object ever exists in a box (less kernel surface
   * than allowing them into the empty network namespace). Every other
   * family (netlink, packet, vsock, alg, ...) is forbidden. The family is
   * compared on all 64 bits: one with high bits set is "above AF_INET6"
   * and forbidden (the kernel would truncate it to an int). */
  static const int inet_fams[] = {AF_INET, AF_INET6};
  for (size_t i = 0; i < sizeof inet_fams / sizeof inet_fams[0]; i++) {
    struct scmp_arg_cmp f = SCMP_A0(SCMP_CMP_EQ, (uint64_t)inet_fams[i], 0);
    if (add(c, SCMP_ACT_ERRNO(EAFNOSUPPORT), "socket", 1, &f, err, errlen))
      return -1;
  }
  struct scmp_arg_cmp fam_hi = SCMP_A0(SCMP_CMP_GT, AF_INET6, 0);
  if (add(c, deny, "socket", 1, &fam_hi, err, errlen))
    return -1;
  static const int other_fams[] = {AF_UNSPEC, 3, 4, 5, 6, 7, 8, 9}; /* between AF_INET and AF_INET6 */
  for (size_t i = 0; i < sizeof other_fams / sizeof other_fams[0]; i++) {
    struct scmp_arg_cmp f = SCMP_A0(SCMP_CMP_EQ, (uint64_t)other_fams[i], 0);
    if (add(c, deny, "socket", 1, &f, err, errlen))
      return -1;
  }
  struct scmp_arg_cmp unix_only = SCMP_A0(SCMP_CMP_NE, AF_UNIX, 0);
  if (add(c, deny, "socketpair", 1, &unix_only, err, errlen))
    return -1;
  /* A filter of the program's own with a listener would take precedence over
   * ours for the calls both notify, and could let them continue. */
  struct scmp_arg_cmp listener =
      SCMP_A1(SCMP_CMP_MASKED_EQ, SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_FILTER_FLAG_NEW_LISTENER);
  if (add(c, deny, "seccomp", 1, &listener, err, errlen))
    return -1;
  /* File locks: the system directories are the host's inodes, shared by
   * every box, so a lock there is a channel between concurrent boxes and
   * can stall host tools. Locks are no-ops that report success (ERRNO(0)
   * skips the call): an error would make every JVM warn on stderr about
   * its perf-data file, and a box has nobody to exclude but itself. */
  if (add(c, SCMP_ACT_ERRNO(0), "flock", 0, NULL, err, errlen))
    return -1;
  static const int lock_cmds[] = {F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW};
  for (size_t i = 0; i < sizeof lock_cmds / sizeof lock_cmds[0]; i++) {
    struct scmp_arg_cmp cmd = SCMP_A1(SCMP_CMP_EQ, (uint64_t)lock_cmds[i], 0);
    if (add(c, SCMP_ACT_ERRNO(0), "fcntl", 1, &cmd, err, errlen))
      return -1;
  }
  /* fallocate with KEEP_SIZE (and the modes that require it) reserves disk
   * blocks past RLIMIT_FSIZE: on a host file handed over as stdout, that is
   * the host's disk. Plain mode 0 stays (bounded by RLIMIT_FSIZE); glibc's
   * posix_fallocate falls back to writing on EOPNOTSUPP. */
  struct scmp_arg_cmp keep = SCMP_A1(SCMP_CMP_MASKED_EQ, FALLOC_FL_KEEP_SIZE, FALLOC_FL_KEEP_SIZE);
  if (add(c, SCMP_ACT_ERRNO(EOPNOTSUPP), "fallocate", 1, &keep, err, errlen))
    return -1;
  /* Typing into the caller's terminal. */
  struct scmp_arg_cmp sti = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, 0x5412 /* TIOCSTI */);
  struct scmp_arg_cmp lnx = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, 0x541C /* TIOCLINUX */);
  if (add(c, deny, "ioctl", 1, &sti, err, errlen) || add(c, deny, "ioctl", 1, &lnx, err, errlen))
    return -1;
  /* personality: only PER_LINUX (0) and the query (0xffffffff). LOG is the
   * only "allow" libseccomp accepts next to an ALLOW default. */
  struct scmp_arg_cmp nonzero = SCMP_A0(SCMP_CMP_NE, 0, 0);
  struct scmp_arg_cmp query = SCMP_A0(SCMP_CMP_EQ, 0xffffffffu, 0);
  if (add(c, deny, "personality", 1, &nonzero, err, errlen) ||
      add(c, SCMP_ACT_LOG, "personality", 1, &query, err, errlen))
    return -1;
  return 0;
}

static int strict_rules(scmp_filter_ctx c, char *err, size_t errlen) {
  for (size_t i = 0; i < sizeof strict_allowed / sizeof strict_allowed[0]; i++)
    if (add(c, SCMP_ACT_ALLOW, strict_allowed[i], 0, NULL, err, errlen))
      return -1;
  /* fcntl without the locking commands (see default_rules): F_DUPFD ..
   * F_SETFL, F_GETLK, F_DUPFD_CLOEXEC. */
  struct scmp_arg_cmp low = SCMP_A1(SCMP_CMP_LE, F_GETLK, 0);
  struct scmp_arg_cmp dupc = SCMP_A1(SCMP_CMP_EQ, F_DUPFD_CLOEXEC, 0);
  if (add(c, SCMP_ACT_ALLOW, "fcntl", 1, &low, err, errlen) ||
      add(c, SCMP_ACT_ALLOW, "fcntl", 1, &dupc, err, errlen))
    return -1;
  return 0;
}

/* libseccomp's x86_64 filter does not look at the x32 bit: a prefix sends
 * every x32 call (nr | 0x40000000) to the deny action. Jumps in classic BPF
 * are relative, so prepending keeps the exported program valid. */
static int prepend_x32_check(struct policy_bpf *b, uint32_t deny_ret, char *err, size_t errlen) {
  struct sock_filter pre[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_BIT, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, deny_ret),
  };
  size_t n = sizeof pre / sizeof pre[0];
  if (b->len + n > BPF_MAXINSNS)
    return jp_err(err, errlen, "seccomp program too long (%u instructions)", b->len);
  struct sock_filter *all = malloc((b->len + n) * sizeof *all);
  if (!all)
    return jp_err(err, errlen, "out of memory for the seccomp program");
  memcpy(all, pre, sizeof pre);
  memcpy(all + n, b->insns, b->len * sizeof *all);
  free(b->insns);
  b->insns = all;
  b->len = (unsigned short)(b->len + n);
  return 0;
}

static int export_bpf(scmp_filter_ctx c, struct policy_bpf *out, char *err, size_t errlen) {
  int fd = memfd_create("jp-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return jp_errno(err, errlen, "memfd_create for the seccomp export");
  int rc = seccomp_export_bpf(c, fd);
  struct stat st;
  if (rc < 0) {
    close(fd);
    return jp_err(err, errlen, "seccomp_export_bpf: %s", strerror(-rc));
  }
  if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) ||
      st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS) {
    close(fd);
    return jp_err(err, errlen, "seccomp_export_bpf produced an unusable program");
  }
  out->insns = malloc((size_t)st.st_size);
  if (!out->insns || pread(fd, out->insns, (size_t)st.st_size, 0) != st.st_size) {
    free(out->insns);
    out->insns = NULL;
    close(fd);
    return jp_err(err, errlen, "reading back the exported seccomp program failed");
  }
  close(fd);
  out->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
  return 0;
}

int policy_build(box_policy p, policy_deny deny, struct policy_bpf *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if (p != BOX_POLICY_DEFAULT && p != BOX_POLICY_STRICT)
    return jp_err(err, errlen, "policy %d has no seccomp program", (int)p);
  uint32_t act = deny == POLICY_DENY_NOTIFY ? SCMP_ACT_NOTIFY : SCMP_ACT_KILL_PROCESS;
  scmp_filter_ctx c = seccomp_init(p == BOX_POLICY_STRICT ? act : SCMP_ACT_ALLOW);
  if (!c)
    return jp_err(err, errlen, "seccomp_init failed (libseccomp)");
  int rc = seccomp_attr_set(c, SCMP_FLTATR_ACT_BADARCH, act);
  if (rc < 0) {
    seccomp_release(c);
    return jp_err(err, errlen, "seccomp bad-arch action: %s", strerror(-rc));
  }
  /* We set no_new_privs ourselves before installing. */
  seccomp_attr_set(c, SCMP_FLTATR_CTL_NNP, 0);
  /* A binary tree on the syscall number instead of a linear chain: at
   * install the kernel runs the program once per syscall number to cache
   * the always-allowed ones (seccomp_cache_prepare, with interrupts off),
   * which cost ~0.2 ms per box with the chain. */
  rc = seccomp_attr_set(c, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (rc < 0) {
    seccomp_release(c);
    return jp_err(err, errlen, "seccomp binary-tree optimisation: %s", strerror(-rc));
  }
  rc = p == BOX_POLICY_STRICT ? strict_rules(c, err, errlen) : default_rules(c, act, err, errlen);
  if (rc == 0)
    rc = export_bpf(c, out, err, errlen);
  seccomp_release(c);
  if (rc == 0)
    rc = prepend_x32_check(out, act == SCMP_ACT_NOTIFY ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_KILL_PROCESS,
                           err, errlen);
  if (rc < 0) {
    policy_free(out);
    return -1;
  }
  out->uses_notify = deny == POLICY_DENY_NOTIFY;
  return 0;
}

void policy_free(struct policy_bpf *b) {
  free(b->insns);
  b->insns = NULL;
  b->len = 0;
}

void policy_syscall_name(int nr, uint32_t arch, char *buf, size_t len) {
  const char *prefix = "";
  uint32_t token = arch;
  if (arch == AUDIT_ARCH_X86_64 && ((uint32_t)nr & X32_BIT)) {
    prefix = "x32:";
    nr = (int)((uint32_t)nr & ~X32_BIT);
  } else if (arch == AUDIT_ARCH_I386) {
    prefix = "i386:";
  } else if (arch != AUDIT_ARCH_X86_64) {
    snprintf(buf, len, "arch-0x%x:%d", arch, nr);
    return;
  }
  char *name = seccomp_syscall_resolve_num_arch(token, nr);
  if (name)
    snprintf(buf, len, "%s%s", prefix, name);
  else
    snprintf(buf, len, "%s%d", prefix, nr);
  free(name);
}
