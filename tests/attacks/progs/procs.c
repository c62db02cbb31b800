/* procs.c — process-tree attacks (REFERENCE §3.1).
 *   bomb       classic while(1) fork(): the pids limit and the CPU limit of the
 *              whole tree must end it, and every process must be gone after.
 *   forkcheck  one fork() under --procs 1 must fail.
 *   orphans    a child in a new session double-forks a grandchild that ignores
 *              every catchable signal and burns CPU; the parent exits after
 *              ~300 ms of wall time. The box must count the grandchild's CPU
 *              and kill it. */
#include <signal.h>
#include <sys/wait.h>

#include "atk.h"

static void ignore_all(void) {
  for (int s = 1; s < NSIG; s++) signal(s, SIG_IGN);
}

int main(int argc, char **argv) {
  const char *m = argc > 1 ? argv[1] : "";
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
  if (!strcmp(m, "orphans")) {
    pid_t p = fork();
    if (p < 0) {
      atk_say("fork failed: %s", strerror(errno));
      return 3;
    }
    if (p == 0) {
      setsid();
      ignore_all();
      if (fork() == 0) {
        setsid();
        ignore_all();
        atk_burn_forever();
      }
      _exit(0);
    }
    waitpid(p, NULL, 0);
    usleep(300 * 1000);
    atk_say("parent leaving");
    return 0;
  }
  fprintf(stderr, "usage: procs bomb|forkcheck|orphans\n");
  return 64;
}
