/* verdict.h — the pure mapping from what was observed about a finished run
 * (exit status, signal, counters, flags) to a box status and message. Kept
 * free of I/O so every precedence rule is unit-testable. */
#ifndef JP_BOX_VERDICT_H
#define JP_BOX_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include "box.h"

struct box_facts {
  int ie;                  /* the box failed (setup, supervision): never the program's fault */
  const char *ie_message;  /* why, when ie */
  int exited;              /* the program exited (exit_code valid) */
  int exit_code;
  int signal;              /* terminating signal of the program, 0 if none */
  int exec_errno;          /* the program could not be executed (errno), 0 if it was */
  double cpu_ms, wall_ms;
  uint64_t cpu_limit_ms, wall_limit_ms; /* 0 = unlimited */
  int killed_cpu, killed_wall; /* the supervisor killed the box for that limit */
  int oom_killed;          /* the kernel OOM killer fired in the box's cgroup */
  int memory_limit_hit;    /* the cgroup refused or reclaimed a charge at the limit */
  uint64_t memory_kib, memory_limit_kib;
  int output_exceeded;     /* pumped output over the limit, SIGXFSZ, work dir full */
  const char *syscall;     /* the denied system call, NULL if none */
};

/* Fills status, exit_code, signal, syscall and message of res (the counters
 * are the caller's). Precedence: IE, SV, OLE, MLE, TLE, RTE, OK. */
void box_classify(const struct box_facts *f, struct box_result *res);

#endif
