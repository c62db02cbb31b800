/* verdict.c — box_classify: facts of a finished run to a status. Pure. */
#include "verdict.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#define MSG(...) snprintf(res->message, sizeof res->message, __VA_ARGS__)

static int memory_failure(const struct box_facts *f) {
  if (f->oom_killed)
    return 1;
  int failed = !(f->exited && f->exit_code == 0);
  if (!failed || f->exec_errno || f->killed_cpu || f->killed_wall)
    return 0;
  /* A refused charge alone happens in healthy runs (page cache), so it only
   * counts when the program failed. */
  if (f->memory_limit_hit)
    return 1;
  /* A program killed or crashing with its peak at the limit (within 1/64)
   * ran out of memory even when the kernel did not say so (stack at the
   * memory limit: SIGSEGV on a refused stack page). */
  int near = f->memory_limit_kib && f->memory_kib + f->memory_limit_kib / 64 >= f->memory_limit_kib;
  return near && !f->exited &&
         (f->signal == SIGKILL || f->signal == SIGSEGV || f->signal == SIGABRT || f->signal == SIGBUS);
}

void box_classify(const struct box_facts *f, struct box_result *res) {
  res->exit_code = f->exited ? f->exit_code : 0;
  res->signal = f->exited ? 0 : f->signal;
  res->syscall[0] = '\0';
  res->message[0] = '\0';

  if (f->ie) {
    res->status = BOX_IE;
    MSG("box failure: %s", f->ie_message && *f->ie_message ? f->ie_message : "unknown");
  } else if (f->syscall && *f->syscall) {
    res->status = BOX_SV;
    snprintf(res->syscall, sizeof res->syscall, "%s", f->syscall);
    MSG("forbidden system call %s", res->syscall);
  } else if (f->output_exceeded || (!f->exited && f->signal == SIGXFSZ)) {
    res->status = BOX_OLE;
    MSG("output limit exceeded");
  } else if (memory_failure(f)) {
    res->status = BOX_MLE;
    MSG("memory limit exceeded (%llu KiB)", (unsigned long long)f->memory_limit_kib);
  } else if (f->killed_cpu || (f->cpu_limit_ms && f->cpu_ms > (double)f->cpu_limit_ms)) {
    res->status = BOX_TLE;
    MSG("CPU time limit exceeded (%llu ms)", (unsigned long long)f->cpu_limit_ms);
  } else if (f->killed_wall || (f->wall_limit_ms && f->wall_ms > (double)f->wall_limit_ms)) {
    res->status = BOX_TLE;
    MSG("wall-clock limit exceeded (%llu ms)", (unsigned long long)f->wall_limit_ms);
  } else if (f->exec_errno) {
    res->status = BOX_RTE;
    MSG("cannot execute the program in the box: %s", strerror(f->exec_errno));
  } else if (!f->exited) {
    res->status = BOX_RTE;
    const char *name = f->signal > 0 && f->signal < NSIG ? sigabbrev_np(f->signal) : NULL;
    MSG("killed by signal %d (SIG%s)", f->signal, name ? name : "?");
  } else if (f->exit_code != 0) {
    res->status = BOX_RTE;
    MSG("exited with code %d", f->exit_code);
  } else {
    res->status = BOX_OK;
  }
}
