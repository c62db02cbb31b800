/* procs.c — process-tree attacks (REFERENCE §3.1).
 *   bomb       classic while(1) fork(): the pids limit and the CPU limit of the
 *              whole tree must end it, and every process must be gone after.
 *   forkcheck  one fork() under --procs 1 must fail.
 *   count      fork children (each pauses) until fork fails, then threads
 *              until pthread_create fails; prints both counts and exits 0
 *              (the box must then kill the paused children)
 *   sched      try SCHED_FIFO, nice -20 and oom_score_adj -1000: a box
 *              process must not outrank the host or dodge the OOM killer
 *   sleeper    a child in a new session sleeps 100 s; the parent exits 0 at
 *              once: the box must end the run without waiting for it
 *   holdout    a child in a new session keeps stdout open and writes a byte
 *              every 100 ms; the parent exits: a supervisor reading the pipe
 *              to EOF would never finish
 *   orphans    a child in a new session double-forks a grandchild that ignores
 *              every catchable signal and burns CPU; the parent exits after
 *              ~300 ms of wall time. The box must count the grandchild's CPU
 *              and kill it. */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "atk.h"

static void ignore_all(void) {
  for (int s = 1; s < NSIG; s++) signal(s, SIG_IGN);
}

static void *parked(void *a) {
  (void)a;
  pause();
  return NULL;
}

int main(int argc, char **argv) {
  const char *m = argc > 1 ? argv[1] : "";
  if (!strcmp(m, "count")) {
    int procs = 0, threads = 0;
    for (; procs < 100000; procs++) {
      pid_t p = fork();
      if (p == 0) {
        pause();
        _exit(0);
      }
      if (p < 0) break;
    }
    pthread_t t;
    for (; threads < 100000; threads++)
      if (pthread_create(&t, NULL, parked, NULL)) break;
    atk_say("COUNT forked %d threads %d", procs, threads);
    _exit(0);
  }
  if (!strcmp(m, "sched")) {
    struct sched_param sp = {.sched_priority = 1};
    if (sched_setscheduler(0, SCHED_FIFO, &sp) == 0) ESCAPED("got SCHED_FIFO");
    if (setpriority(PRIO_PROCESS, 0, -20) == 0) ESCAPED("got nice -20");
    int fd = open("/proc/self/oom_score_adj", O_WRONLY);
    if (fd >= 0 && write(fd, "-1000", 5) == 5) ESCAPED("set oom_score_adj -1000");
    atk_say("sched done");
    return 0;
  }
  if (!strcmp(m, "bomb")) {
    for (;;) fork();
  }
  if (!strcmp(m, "forkcheck")) {
    pid_t p = fork();
    if (p == 0) _exit(0);
    if (p > 0) {
      waitpid(p, NULL, 0);
      ESCAPED("fork succeeded under --procs 1");
      return 0;
    }
    atk_say("fork failed: %s", strerror(errno));
    return 0;
  }
  if (!strcmp(m, "sleeper") || !strcmp(m, "holdout")) {
    pid_t p = fork();
    if (p == 0) {
      setsid();
      ignore_all();
      for (int i = 0; i < 1000; i++) {
        if (!strcmp(m, "holdout") && write(1, "x", 1) < 0) break;
        usleep(100 * 1000);
      }
      _exit(0);
    }
    atk_say("parent leaving");
    return p < 0 ? 3 : 0;
  }
  if (!strcmp(m, "orphans")) {
    pid_t p;
    /* The grandchild's pid comes back over a pipe so the parent can leave
     * only once the orphan has really burned 300 ms of CPU: on a saturated
     * machine a fixed sleep would measure the scheduler, not the box. */
    int fds[2];
    if (pipe(fds) != 0) {
      atk_say("pipe failed: %s", strerror(errno));
      return 3;
    }
    p = fork();
    if (p < 0) {
      atk_say("fork failed: %s", strerror(errno));
      return 3;
    }
    if (p == 0) {
      setsid();
      ignore_all();
      pid_t g = fork();
      if (g == 0) {
        setsid();
        ignore_all();
        atk_burn_forever();
      }
      if (write(fds[1], &g, sizeof g) != (ssize_t)sizeof g) _exit(1);
      _exit(0);
    }
    pid_t g = -1;
    if (read(fds[0], &g, sizeof g) != (ssize_t)sizeof g || g <= 0) {
      atk_say("no grandchild pid");
      return 3;
    }
    waitpid(p, NULL, 0);
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)g);
    long tick = sysconf(_SC_CLK_TCK);
    for (int i = 0; i < 4000; i++) { /* at most ~4 s of wall time */
      FILE *f = fopen(path, "r");
      if (!f) break;
      size_t n = fread(buf, 1, sizeof buf - 1, f);
      fclose(f);
      buf[n] = 0;
      char *rp = strrchr(buf, ')');
      unsigned long ut = 0, st = 0;
      if (rp && sscanf(rp + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2 &&
          (ut + st) * 1000 / (unsigned long)tick >= 300)
        break;
      usleep(1000);
    }
    atk_say("parent leaving");
    return 0;
  }
  fprintf(stderr, "usage: procs bomb|forkcheck|orphans\n");
  return 64;
}
