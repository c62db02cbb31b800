/* sysc.c — calls one named system call with harmless arguments and reports
 * whether it returned. Under the default policy every call in the table
 * except the *-control ones must kill the program (SV naming the call);
 * under --policy none the capability-gated ones must still fail (EPERM). */
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <netinet/in.h>

#include "atk.h"

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif

struct clone_args_compat {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static long child_exit(long r) {
  if (r == 0) _exit(0); /* a clone that worked: the child leaves at once */
  if (r > 0) waitpid((pid_t)r, NULL, __WALL);
  return r;
}

static long call(const char *n) {
  char buf[64] = {0};
  if (!strcmp(n, "ptrace")) return syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
  if (!strcmp(n, "process_vm_readv") || !strcmp(n, "process_vm_writev")) {
    struct iovec l = {buf, 8}, r = {buf + 8, 8};
    return syscall(!strcmp(n, "process_vm_readv") ? SYS_process_vm_readv : SYS_process_vm_writev,
                   getpid(), &l, 1, &r, 1, 0);
  }
  if (!strcmp(n, "mount")) return syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, NULL);
  if (!strcmp(n, "umount2")) return syscall(SYS_umount2, "/tmp", MNT_DETACH);
  if (!strcmp(n, "pivot_root")) return syscall(SYS_pivot_root, ".", ".");
  if (!strcmp(n, "chroot")) return syscall(SYS_chroot, ".");
  if (!strcmp(n, "unshare-user")) return syscall(SYS_unshare, CLONE_NEWUSER);
  if (!strcmp(n, "unshare-mnt")) return syscall(SYS_unshare, CLONE_NEWNS);
  if (!strcmp(n, "unshare-net")) return syscall(SYS_unshare, CLONE_NEWNET);
  if (!strcmp(n, "setns")) {
    int fd = open("/proc/self/ns/net", O_RDONLY);
    return syscall(SYS_setns, fd, 0);
  }
  if (!strcmp(n, "clone-newuser")) return child_exit(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0));
  if (!strcmp(n, "clone-newnet")) return child_exit(syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0));
  if (!strcmp(n, "clone3-newuser") || !strcmp(n, "clone3-newnet")) {
    struct clone_args_compat a = {0};
    a.flags = !strcmp(n, "clone3-newuser") ? CLONE_NEWUSER : CLONE_NEWNET;
    a.exit_signal = SIGCHLD;
    return child_exit(syscall(SYS_clone3, &a, sizeof a));
  }
  if (!strcmp(n, "bpf")) {
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.map_type = BPF_MAP_TYPE_ARRAY;
    a.key_size = 4; a.value_size = 4; a.max_entries = 1;
    return syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a);
  }
  if (!strcmp(n, "perf_event_open")) {
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.type = PERF_TYPE_SOFTWARE; a.size = sizeof a; a.config = PERF_COUNT_SW_CPU_CLOCK;
    a.exclude_kernel = 1;
    return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
  }
  if (!strcmp(n, "keyctl")) return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0);
  if (!strcmp(n, "add_key")) return syscall(SYS_add_key, "user", "jpatk", "x", 1, KEY_SPEC_PROCESS_KEYRING);
  if (!strcmp(n, "request_key")) return syscall(SYS_request_key, "user", "jpatk", NULL, KEY_SPEC_PROCESS_KEYRING);
  if (!strcmp(n, "userfaultfd")) return syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
  if (!strcmp(n, "io_uring_setup")) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    return syscall(SYS_io_uring_setup, 4, &p);
  }
  if (!strcmp(n, "io_uring_enter")) return syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0);
  if (!strcmp(n, "io_uring_register")) return syscall(SYS_io_uring_register, -1, 0, NULL, 0);
  if (!strcmp(n, "kexec_load")) return syscall(SYS_kexec_load, 0, 0, NULL, 0);
  if (!strcmp(n, "kexec_file_load")) return syscall(SYS_kexec_file_load, -1, -1, 1, "", 0);
  if (!strcmp(n, "init_module")) return syscall(SYS_init_module, buf, 0, "");
  if (!strcmp(n, "finit_module")) return syscall(SYS_finit_module, -1, "", 0);
  if (!strcmp(n, "delete_module")) return syscall(SYS_delete_module, "jpatk_none", O_NONBLOCK);
  /* an invalid command: even a privileged caller only gets EINVAL */
  if (!strcmp(n, "reboot")) return syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, 0x1234, NULL);
  if (!strcmp(n, "swapon")) return syscall(SYS_swapon, "/nonexistent-jpatk", 0);
  if (!strcmp(n, "swapoff")) return syscall(SYS_swapoff, "/nonexistent-jpatk");
  if (!strcmp(n, "acct")) return syscall(SYS_acct, "/nonexistent-jpatk/acct");
  if (!strcmp(n, "name_to_handle_at") || !strcmp(n, "open_by_handle_at")) {
    struct { unsigned int bytes; int type; unsigned char h[128]; } fh;
    int mid = 0;
    memset(&fh, 0, sizeof fh);
    fh.bytes = sizeof fh.h;
    if (!strcmp(n, "name_to_handle_at")) return syscall(SYS_name_to_handle_at, AT_FDCWD, ".", &fh, &mid, 0);
    fh.bytes = 8; fh.type = 1; /* shocker-style guess of a root inode handle */
    fh.h[0] = 2;
    return syscall(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY);
  }
  /* set the clock to what it already reads: harmless if it ever succeeded */
  if (!strcmp(n, "settimeofday")) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return syscall(SYS_settimeofday, &tv, NULL);
  }
  if (!strcmp(n, "clock_settime")) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return syscall(SYS_clock_settime, CLOCK_REALTIME, &ts);
  }
  if (!strcmp(n, "adjtimex") || !strcmp(n, "clock_adjtime")) {
    struct timex tx;
    memset(&tx, 0, sizeof tx);
    tx.modes = ADJ_TICK;
    tx.tick = 10000; /* the kernel default tick for USER_HZ=100 */
    if (!strcmp(n, "adjtimex")) return syscall(SYS_adjtimex, &tx);
    return syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx);
  }
  if (!strcmp(n, "sethostname")) return syscall(SYS_sethostname, "jpatk", 5);
  if (!strcmp(n, "setdomainname")) return syscall(SYS_setdomainname, "jpatk", 5);
  if (!strcmp(n, "iopl")) return syscall(SYS_iopl, 3);
  if (!strcmp(n, "ioperm")) return syscall(SYS_ioperm, 0x80, 1, 1);
  if (!strcmp(n, "personality")) return syscall(SYS_personality, READ_IMPLIES_EXEC);
#ifdef SYS_open_tree
  if (!strcmp(n, "open_tree")) return syscall(SYS_open_tree, AT_FDCWD, "/", 1 /* OPEN_TREE_CLONE */);
  if (!strcmp(n, "move_mount")) return syscall(SYS_move_mount, -1, "", AT_FDCWD, "/tmp", 0);
  if (!strcmp(n, "fsopen")) return syscall(SYS_fsopen, "tmpfs", 0);
  if (!strcmp(n, "fsconfig")) return syscall(SYS_fsconfig, -1, 0, NULL, NULL, 0);
  if (!strcmp(n, "fsmount")) return syscall(SYS_fsmount, -1, 0, 0);
  if (!strcmp(n, "fspick")) return syscall(SYS_fspick, AT_FDCWD, "/", 0);
  if (!strcmp(n, "mount_setattr")) return syscall(SYS_mount_setattr, AT_FDCWD, "/", 0, NULL, 0);
#endif
  if (!strcmp(n, "socket-inet")) return socket(AF_INET, SOCK_STREAM, 0);
  if (!strcmp(n, "socket-inet6")) return socket(AF_INET6, SOCK_DGRAM, 0);
  if (!strcmp(n, "socket-netlink")) return socket(AF_NETLINK, SOCK_RAW, 0 /* NETLINK_ROUTE */);
  if (!strcmp(n, "socket-packet")) return socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  if (!strcmp(n, "socket-raw")) return socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  if (!strcmp(n, "socket-vsock")) return socket(AF_VSOCK, SOCK_STREAM, 0);
  if (!strcmp(n, "socket-alg")) return socket(AF_ALG, SOCK_SEQPACKET, 0);
  if (!strcmp(n, "socketpair-inet")) { int sv[2]; return socketpair(AF_INET, SOCK_STREAM, 0, sv); }
  /* controls: must work under the default policy */
  if (!strcmp(n, "socket-unix-control")) return socket(AF_UNIX, SOCK_STREAM, 0);
  if (!strcmp(n, "socketpair-unix-control")) { int sv[2]; return socketpair(AF_UNIX, SOCK_STREAM, 0, sv); }
  if (!strcmp(n, "personality-query-control")) return syscall(SYS_personality, 0xffffffffUL);
  if (!strcmp(n, "clone-thread-control")) return child_exit(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0));
  fprintf(stderr, "sysc: unknown call '%s'\n", n);
  exit(64);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: sysc NAME\n");
    return 64;
  }
  errno = 0;
  long r = call(argv[1]);
  if (r < 0)
    atk_say("RETURNED %s -1 %s", argv[1], strerror(errno));
  else
    atk_say("RETURNED %s %ld SUCCEEDED", argv[1], r);
  return 0;
}
