/* evade.c — seccomp filter evasion (REFERENCE §3.9). Every mode must end in
 * SV; a mode that returns prints what it got, and ESCAPED when the call
 * worked.
 *   i386-socket / i386-socketcall / i386-ptrace / i386-getpid
 *                    32-bit ABI calls through int $0x80 from a 64-bit program
 *   x32-socket / x32-getpid   x32 numbers (nr | 0x40000000)
 *   thread-ptrace    a second thread calls ptrace: the whole process must
 *                    die, not only the thread (SCMP_ACT_KILL_THREAD would
 *                    let main print "main survived")
 *   thread-i386      same with an i386 call (the bad-arch action)
 *   sigsys           a SIGSYS handler installed before ptrace: a TRAP or
 *                    ERRNO action would let the handler or the caller run
 *   child-ptrace     a forked child calls ptrace while the parent waits for
 *                    it: the whole box must end in SV, not only the child
 *   execveat         re-exec ourselves through execveat(AT_EMPTY_PATH), then
 *                    call ptrace in the new image: the filter must survive
 *   own-listener     install our own seccomp filter with a notification
 *                    listener (it would take precedence over the box's and
 *                    could answer "continue" for a denied call)
 *   openat2 PATH...  read host paths through openat2 and /proc/1/root */
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "atk.h"

#define X32_BIT 0x40000000L

static long int80(long nr, long a, long b, long c) {
  long ret;
  __asm__ volatile("int $0x80"
                   : "=a"(ret)
                   : "a"(nr), "b"(a), "c"(b), "d"(c)
                   : "memory", "r8", "r9", "r10", "r11");
  return ret;
}

static void *thread_ptrace(void *a) {
  (void)a;
  long r = syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
  atk_say("thread ptrace returned %ld", r);
  return NULL;
}

static void *thread_i386(void *a) {
  (void)a;
  long r = int80(20 /* i386 getpid */, 0, 0, 0);
  atk_say("thread i386 getpid returned %ld", r);
  return NULL;
}

static void on_sigsys(int s) {
  (void)s;
  static const char msg[] = "ESCAPED caught SIGSYS and kept running\n";
  if (write(1, msg, sizeof msg - 1) < 0) _exit(5);
  _exit(0);
}

static void dump_fd(int fd, const char *label) {
  char buf[4097];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return;
  buf[n] = 0;
  atk_say("READ %s: %s", label, buf);
  if (strstr(buf, "JPATKSECRET")) ESCAPED("read a host secret through %s", label);
}

int main(int argc, char **argv) {
  const char *m = argc > 1 ? argv[1] : "";
  long r;
  if (!strcmp(m, "i386-socket")) {
    r = int80(359, 2 /* AF_INET */, 1 /* SOCK_STREAM */, 0);
    atk_say("i386 socket returned %ld", r);
    if (r >= 0) ESCAPED("i386 socket() gave fd %ld", r);
    return 0;
  }
  if (!strcmp(m, "i386-socketcall")) {
    /* socketcall's argument block must be addressable with 32 bits */
    uint32_t *args = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (args == MAP_FAILED) return 3;
    args[0] = 2; args[1] = 1; args[2] = 0;
    r = int80(102, 1 /* SYS_SOCKET */, (long)(uintptr_t)args, 0);
    atk_say("i386 socketcall returned %ld", r);
    if (r >= 0) ESCAPED("i386 socketcall(SOCKET) gave fd %ld", r);
    return 0;
  }
  if (!strcmp(m, "i386-ptrace")) {
    r = int80(26, PTRACE_TRACEME, 0, 0);
    atk_say("i386 ptrace returned %ld", r);
    if (r == 0) ESCAPED("i386 ptrace(TRACEME) worked");
    return 0;
  }
  if (!strcmp(m, "i386-getpid")) {
    r = int80(20, 0, 0, 0);
    atk_say("i386 getpid returned %ld", r);
    return 0;
  }
  if (!strcmp(m, "x32-socket")) {
    r = syscall(X32_BIT | 41, 2, 1, 0);
    atk_say("x32 socket returned %ld (%s)", r, r < 0 ? strerror(errno) : "fd");
    if (r >= 0) ESCAPED("x32 socket() gave fd %ld", r);
    return 0;
  }
  if (!strcmp(m, "x32-getpid")) {
    r = syscall(X32_BIT | 39);
    atk_say("x32 getpid returned %ld (%s)", r, r < 0 ? strerror(errno) : "ok");
    return 0;
  }
  if (!strcmp(m, "thread-ptrace") || !strcmp(m, "thread-i386")) {
    pthread_t t;
    if (pthread_create(&t, NULL, !strcmp(m, "thread-ptrace") ? thread_ptrace : thread_i386, NULL)) {
      atk_say("pthread_create failed");
      return 3;
    }
    pthread_join(t, NULL);
    usleep(100 * 1000);
    ESCAPED("main survived a denied call in another thread");
    return 0;
  }
  if (!strcmp(m, "child-ptrace")) {
    pid_t p = fork();
    if (p == 0) {
      syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
      _exit(0);
    }
    if (p < 0) {
      atk_say("fork failed: %s", strerror(errno));
      return 3;
    }
    int st = 0;
    waitpid(p, &st, 0);
    usleep(200 * 1000);
    ESCAPED("parent survived its child's denied call (child status %#x)", st);
    return 0;
  }
  if (!strcmp(m, "sigsys")) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigsys;
    sigaction(SIGSYS, &sa, NULL);
    r = syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
    ESCAPED("ptrace returned %ld (%s) instead of killing", r, r < 0 ? strerror(errno) : "ok");
    return 0;
  }
  if (!strcmp(m, "execveat")) {
    int fd = open("/proc/self/exe", O_PATH | O_CLOEXEC);
    if (fd < 0) fd = open(argv[0], O_PATH | O_CLOEXEC);
    char *const nargv[] = {argv[0], "stage2", NULL};
    extern char **environ;
    r = syscall(SYS_execveat, fd, "", nargv, environ, AT_EMPTY_PATH);
    atk_say("execveat: %s", strerror(errno));
    return 3;
  }
  if (!strcmp(m, "stage2")) {
    atk_say("stage2 running after execveat");
    r = syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
    if (r == 0) ESCAPED("ptrace worked after execveat");
    atk_say("stage2 ptrace returned %ld", r);
    return 0;
  }
  if (!strcmp(m, "own-listener")) {
    struct sock_filter insn[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF)};
    struct sock_fprog prog = {1, insn};
    r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    if (r >= 0) ESCAPED("got a seccomp notification listener fd %ld", r);
    atk_say("own listener: %s", strerror(errno));
    return 0;
  }
  if (!strcmp(m, "openat2")) {
    for (int i = 2; i < argc; i++) {
      const char *variants[2] = {argv[i], NULL};
      char via[4200];
      snprintf(via, sizeof via, "/proc/1/root%s", argv[i]);
      variants[1] = via;
      for (int v = 0; v < 2; v++) {
        struct open_how how;
        memset(&how, 0, sizeof how);
        how.flags = O_RDONLY;
        long fd = syscall(SYS_openat2, AT_FDCWD, variants[v], &how, sizeof how);
        if (fd >= 0)
          dump_fd((int)fd, variants[v]);
        else
          atk_say("openat2 %s: %s", variants[v], strerror(errno));
      }
    }
    atk_say("openat2 done");
    return 0;
  }
  fprintf(stderr, "usage: evade MODE (see the comment at the top)\n");
  return 64;
}
