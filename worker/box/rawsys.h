/* rawsys.h — system calls without libc, for the box init and the program
 * child. Init runs in the supervisor's address space (CLONE_VM) and with
 * the supervisor thread's TLS, concurrently with it: a libc wrapper would
 * write the supervisor thread's errno (and under ASan go through
 * interceptors with per-thread state). These return -errno instead and
 * touch nothing but registers. x86_64 only; elsewhere BOX_RAWSYS is 0 and
 * the box init is forked (own copy of the address space). */
#ifndef JP_BOX_RAWSYS_H
#define JP_BOX_RAWSYS_H

#include <linux/sched.h>
#include <stddef.h>
#include <sys/syscall.h>

#if defined(__x86_64__)
#define BOX_RAWSYS 1

static inline long rsys6(long n, long a, long b, long c, long d, long e, long f) {
  long ret;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

static inline void __attribute__((noreturn)) rsys_exit(int code) {
  for (;;)
    rsys6(SYS_exit_group, code, 0, 0, 0, 0, 0);
}

/* clone3 whose child starts on ca->stack and runs fn(arg), then exits:
 * the child cannot return through the caller's frames (not its stack).
 * Returns the child's pid or -errno in the parent. */
static inline long rsys_clone3(struct clone_args *ca, void (*fn)(void *), void *arg) {
  long ret;
  register void (*r12)(void *) __asm__("r12") = fn;
  register void *r13 __asm__("r13") = arg;
  __asm__ volatile("syscall\n\t"
                   "test %%rax, %%rax\n\t"
                   "jnz 1f\n\t"
                   "xor %%ebp, %%ebp\n\t"
                   "mov %%r13, %%rdi\n\t"
                   "call *%%r12\n\t"
                   "mov $231, %%eax\n\t" /* exit_group(127) if fn returns */
                   "mov $127, %%edi\n\t"
                   "syscall\n\t"
                   "hlt\n\t"
                   "1:\n\t"
                   : "=a"(ret)
                   : "a"((long)SYS_clone3), "D"(ca), "S"(sizeof *ca), "r"(r12), "r"(r13)
                   : "rcx", "r11", "memory");
  return ret;
}
#else
/* Elsewhere: libc's syscall(), only ever used by a forked init. */
#include <errno.h>
#include <unistd.h>
#define BOX_RAWSYS 0
static inline long rsys6(long n, long a, long b, long c, long d, long e, long f) {
  long r = syscall(n, a, b, c, d, e, f);
  return r < 0 ? -errno : r;
}
static inline void __attribute__((noreturn)) rsys_exit(int code) {
  _exit(code);
}
#endif

/* Both variants: fewer arguments, the rest zero. */
#define rsys0(n) rsys6((n), 0, 0, 0, 0, 0, 0)
#define rsys1(n, a) rsys6((n), (long)(a), 0, 0, 0, 0, 0)
#define rsys2(n, a, b) rsys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define rsys3(n, a, b, c) rsys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define rsys4(n, a, b, c, d) rsys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define rsys5(n, a, b, c, d, e) rsys6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

#endif
