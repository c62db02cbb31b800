/* test_policy.c — the seccomp policies: each exported program loads, the
 * default policy kills ptrace, namespaces, netlink/packet/vsock sockets, personality
 * changes, i386 and x32 calls; strict kills what is not on its list; the
 * NOTIFY form names the call to the listener; syscall names resolve; the
 * programs exported at build time (policy_gen) equal what libseccomp builds
 * now.
 * AF_INET/AF_INET6 sockets (raw ones too) fail with EAFNOSUPPORT in the
 * default policy (javac and the JVM carry on without them). */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <sys/file.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "policy.h"

static int install(const struct policy_bpf *b, unsigned flags) {
  struct sock_fprog prog = {.len = b->len, .filter = b->insns};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return -1;
  return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

/* Runs fn in a child under policy p (deny = KILL); returns its wait status. */
static int under(box_policy p, int (*fn)(void)) {
  struct policy_bpf b;
  char err[256];
  assert_int_equal(policy_build(p, POLICY_DENY_KILL, &b, err, sizeof err), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    if (install(&b, 0) < 0)
      _exit(100);
    _exit(fn());
  }
  int st;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  policy_free(&b);
  return st;
}

static void assert_exit0(int st) {
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
}
static void assert_sigsys(int st) {
  assert_true(WIFSIGNALED(st));
  assert_int_equal(WTERMSIG(st), SIGSYS);
}

static int benign(void) {
  return getpid() > 0 && write(-1, "", 0) < 0 ? 0 : 1;
}
static int do_ptrace(void) {
  syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0);
  return 0;
}
static int do_inet(void) {
  int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 || errno != EAFNOSUPPORT)
    return 1;
  fd = socket(AF_INET, SOCK_DGRAM, 0);
  return fd < 0 && errno == EAFNOSUPPORT ? 0 : 1;
}
/* AF_INET with high bits set: the kernel truncates the family to an int,
 * so the filter must not mistake it for an unknown family it lets by. */
static int do_inet_hibits(void) {
  syscall(SYS_socket, 0x100000002UL, SOCK_STREAM, 0);
  return 0;
}
static int do_socketpair_inet(void) {
  int sv[2];
  socketpair(AF_INET, SOCK_STREAM, 0, sv);
  return 0;
}
static int do_netlink(void) {
  socket(AF_NETLINK, SOCK_RAW, 0);
  return 0;
}
static int do_vsock(void) {
  socket(40 /* AF_VSOCK */, SOCK_STREAM, 0);
  return 0;
}
static int do_raw(void) {
  int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, 1);
  return fd < 0 && errno == EAFNOSUPPORT ? 0 : 1;
}
static int do_packet(void) {
  socket(17 /* AF_PACKET */, SOCK_DGRAM, 0);
  return 0;
}
static int do_ax25(void) {
  socket(3, SOCK_DGRAM, 0);
  return 0;
}
static int do_unix(void) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  return fd >= 0 ? 0 : 1;
}
static int do_clone3(void) {
  long r = syscall(SYS_clone3, NULL, 0);
  return r == -1 && errno == ENOSYS ? 0 : 1;
}
static int do_personality_query(void) {
  return personality(0xffffffff) >= 0 ? 0 : 1;
}
static int do_personality_32(void) {
  personality(PER_LINUX32);
  return 0;
}
static int do_unshare(void) {
  unshare(CLONE_NEWUSER);
  return 0;
}
static int do_clone_newns(void) {
  syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
  return 0;
}
static int do_mount(void) {
  syscall(SYS_mount, "none", "/", "tmpfs", 0, 0);
  return 0;
}
static int do_i386(void) {
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(20) : "memory"); /* i386 getpid */
  return 0;
}
static int do_x32(void) {
  syscall(SYS_getpid | 0x40000000);
  return 0;
}
static int do_listener_filter(void) {
  /* A filter of the program's own with a listener would outrank ours. */
  struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  struct sock_fprog prog = {.len = 1, .filter = &allow};
  syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  return 0;
}

/* Locks on host-shared inodes are no-ops: the call "succeeds" but a
 * process outside the filter can still take the lock. */
static int do_lock_and_hold(void) {
  int fd = open("/bin/sh", O_RDONLY);
  if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0)
    return 1;
  struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
  if (fcntl(fd, F_SETLK, &fl) != 0 || fcntl(fd, F_OFD_SETLK, &fl) != 0)
    return 2;
  int pid = fork();
  if (pid == 0)
    _exit(0);
  return 0;
}
static void locks_are_noops(void **state) {
  (void)state;
  struct policy_bpf b;
  char err[256];
  assert_int_equal(policy_build(BOX_POLICY_DEFAULT, POLICY_DENY_KILL, &b, err, sizeof err), 0);
  int go[2];
  assert_int_equal(pipe(go), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    close(go[0]);
    if (install(&b, 0) < 0)
      _exit(100);
    int rc = do_lock_and_hold();
    if (write(go[1], &rc, sizeof rc) != sizeof rc)
      _exit(101);
    pause(); /* hold the "lock" until killed */
    _exit(0);
  }
  close(go[1]);
  int rc = -1;
  assert_int_equal(read(go[0], &rc, sizeof rc), sizeof rc);
  assert_int_equal(rc, 0);
  int fd = open("/bin/sh", O_RDONLY);
  assert_true(fd >= 0);
  assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0); /* not held by the filtered child */
  flock(fd, LOCK_UN);
  close(fd);
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  close(go[0]);
  policy_free(&b);
}

static int do_strict_lock(void) {
  struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
  fcntl(0, F_SETLK, &fl);
  return 0;
}
static int do_strict_fcntl(void) {
  return fcntl(1, F_GETFL) >= 0 && fcntl(1, F_DUPFD_CLOEXEC, 3) >= 0 ? 0 : 1;
}

/* fallocate(KEEP_SIZE) would reserve blocks past RLIMIT_FSIZE. */
static int do_fallocate(void) {
  char path[] = "/tmp/box-falloc-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0)
    return 3;
  unlink(path);
  int keep = fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 1 << 20);
  int plain = fallocate(fd, 0, 0, 4096);
  return keep == -1 && errno == EOPNOTSUPP && plain == 0 ? 0 : 1;
}

static void builds_and_loads(void **state) {
  (void)state;
  box_policy ps[] = {BOX_POLICY_DEFAULT, BOX_POLICY_STRICT};
  for (size_t i = 0; i < 2; i++) {
    for (int d = 0; d < 2; d++) {
      struct policy_bpf b;
      char err[256];
      assert_int_equal(policy_build(ps[i], (policy_deny)d, &b, err, sizeof err), 0);
      assert_non_null(b.insns);
      assert_true(b.len > 5 && b.len <= 4096);
      assert_int_equal(b.uses_notify, d == POLICY_DENY_NOTIFY);
      policy_free(&b);
    }
    assert_exit0(under(ps[i], benign));
  }
  struct policy_bpf b;
  assert_int_equal(policy_build(BOX_POLICY_NONE, POLICY_DENY_KILL, &b, NULL, 0), -1);
}

static void default_denies(void **state) {
  (void)state;
  assert_sigsys(under(BOX_POLICY_DEFAULT, do_ptrace));
  assert_exit0(under(BOX_POLICY_DEFAULT, do_inet)); /* EAFNOSUPPORT: javac probes IPv6 */
  assert_exit0(under(BOX_POLICY_DEFAULT, do_raw));
  assert_sigsys(under(BOX_POLICY_DEFAULT, do_inet_hibits));
  assert_sigsys(under(BOX_POLICY_DEFAULT, do_socketpair_inet));
  assert_sigsys(under(BOX_POLICY_DEFAULT, do_netlink));
  assert_sigsys(under(BOX_POLICY_DEFAULT, do_vsock));
  assert_sigsys(under(BOX_POLICY_DEFAULT, do_packet));
  assert_sigsys(under(BOX_POLICY_DEFAULT, do_ax25));
  assert_exit0(under(BOX_POLICY_DEFAULT, do_unix));
  assert_exit0(under(BOX_POLICY_DEFAULT, do_clone3));
  assert_exit0(under(BOX_POLICY_DEFAULT, do_personality_query));
  assert_sigsys(under(BOX_POLICY_DEFAULT, do_personality_32));
  assert_sigsys(under(BOX_POLICY_DEFAULT, do_unshare));
  assert_sigsys(under(BOX_POLICY_DEFAULT, do_clone_newns));
  assert_sigsys(under(BOX_POLICY_DEFAULT, do_mount));
  assert_sigsys(under(BOX_POLICY_DEFAULT, do_i386));
  assert_sigsys(under(BOX_POLICY_DEFAULT, do_x32));
  assert_sigsys(under(BOX_POLICY_DEFAULT, do_listener_filter));
  assert_exit0(under(BOX_POLICY_DEFAULT, do_fallocate));
}

static void strict_denies(void **state) {
  (void)state;
  assert_sigsys(under(BOX_POLICY_STRICT, do_unix));
  assert_sigsys(under(BOX_POLICY_STRICT, do_inet));
  assert_sigsys(under(BOX_POLICY_STRICT, do_clone3));
  assert_sigsys(under(BOX_POLICY_STRICT, do_ptrace));
  assert_sigsys(under(BOX_POLICY_STRICT, do_i386));
  assert_sigsys(under(BOX_POLICY_STRICT, do_strict_lock));
  assert_exit0(under(BOX_POLICY_STRICT, do_strict_fcntl));
}

/* The NOTIFY form: a filtered process forks a child that calls ptrace; the
 * listener (held by the parent) receives it with the right nr and arch. */
static void notify_names_the_call(void **state) {
  (void)state;
  struct policy_bpf b;
  char err[256];
  assert_int_equal(policy_build(BOX_POLICY_DEFAULT, POLICY_DENY_NOTIFY, &b, err, sizeof err), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int lfd = install(&b, SECCOMP_FILTER_FLAG_NEW_LISTENER);
    if (lfd < 0)
      _exit(10);
    pid_t c = fork();
    if (c == 0) {
      syscall(SYS_ptrace, 0, 0, 0, 0);
      _exit(0);
    }
    struct seccomp_notif n;
    memset(&n, 0, sizeof n);
    if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &n) < 0)
      _exit(11);
    kill(c, SIGKILL);
    waitpid(c, NULL, 0);
    if (n.data.nr != SYS_ptrace)
      _exit(12);
    if (n.data.arch != AUDIT_ARCH_X86_64)
      _exit(13);
    _exit(0);
  }
  int st;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_exit0(st);
  policy_free(&b);
}

static void names(void **state) {
  (void)state;
  char buf[48];
  policy_syscall_name(SYS_ptrace, AUDIT_ARCH_X86_64, buf, sizeof buf);
  assert_string_equal(buf, "ptrace");
  policy_syscall_name(102, AUDIT_ARCH_I386, buf, sizeof buf); /* i386 socketcall */
  assert_string_equal(buf, "i386:socketcall");
  policy_syscall_name(SYS_getpid | 0x40000000, AUDIT_ARCH_X86_64, buf, sizeof buf);
  assert_string_equal(buf, "x32:getpid");
  policy_syscall_name(5, 0x1234, buf, sizeof buf);
  assert_string_equal(buf, "arch-0x1234:5");
  policy_syscall_name(99999, AUDIT_ARCH_X86_64, buf, sizeof buf);
  assert_string_equal(buf, "99999");
}

/* The box loads the build-time programs: they must be exactly what
 * policy_build (libseccomp, the source of truth) produces at run time. */
static void prebuilt_equals_runtime(void **state) {
  (void)state;
  const box_policy ps[2] = {BOX_POLICY_DEFAULT, BOX_POLICY_STRICT};
  for (int i = 0; i < 2; i++) {
    struct policy_bpf b;
    char err[256];
    assert_int_equal(policy_build(ps[i], POLICY_DENY_NOTIFY, &b, err, sizeof err), 0);
    const struct policy_bpf *pre = policy_prebuilt(ps[i]);
    assert_non_null(pre);
    assert_int_equal(pre->len, b.len);
    assert_int_equal(pre->uses_notify, b.uses_notify);
    assert_memory_equal(pre->insns, b.insns, b.len * sizeof *b.insns);
    policy_free(&b);
  }
  assert_null(policy_prebuilt(BOX_POLICY_NONE));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(builds_and_loads), cmocka_unit_test(default_denies),
      cmocka_unit_test(prebuilt_equals_runtime),
      cmocka_unit_test(strict_denies),    cmocka_unit_test(notify_names_the_call),
      cmocka_unit_test(names),            cmocka_unit_test(locks_are_noops),
  };
  return cmocka_run_group_tests_name("box_policy", tests, NULL, NULL);
}
