/* burn.c — time attacks (REFERENCE §3.3).
 *   busy          burn CPU forever
 *   cpu MS        burn exactly MS ms of process CPU, then exit 0
 *   sleep S       sleep S seconds (wall limit, not CPU)
 *   threads N     N threads burn forever (CPU time grows faster than wall)
 *   child         a child burns forever, the parent waits for it
 *   serial        children one after another, each burns 50 ms and exits:
 *                 only counting exited children's CPU gives a TLE
 *   syscalls      burn CPU in the kernel (getppid in a loop): system time
 *                 counts too */
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "atk.h"

static void *spin(void *a) {
  (void)a;
  atk_burn_forever();
  return NULL;
}

int main(int argc, char **argv) {
  const char *m = argc > 1 ? argv[1] : "";
  if (!strcmp(m, "busy")) atk_burn_forever();
  if (!strcmp(m, "cpu") && argc > 2) {
    double ms = atof(argv[2]);
    volatile unsigned long x = 0;
    while (atk_cpu_ms(CLOCK_PROCESS_CPUTIME_ID) < ms) x++;
    atk_say("burned %.0f ms", ms);
    return 0;
  }
  if (!strcmp(m, "sleep") && argc > 2) {
    sleep((unsigned)atoi(argv[2]));
    atk_say("woke up");
    return 0;
  }
  if (!strcmp(m, "threads") && argc > 2) {
    int n = atoi(argv[2]);
    pthread_t t;
    for (int i = 1; i < n; i++)
      if (pthread_create(&t, NULL, spin, NULL)) atk_say("pthread_create failed");
    atk_burn_forever();
  }
  if (!strcmp(m, "child")) {
    pid_t p = fork();
    if (p == 0) atk_burn_forever();
    if (p < 0) {
      atk_say("fork failed: %s", strerror(errno));
      return 3;
    }
    waitpid(p, NULL, 0);
    atk_say("child ended");
    return 0;
  }
  if (!strcmp(m, "serial")) {
    for (;;) {
      pid_t p = fork();
      if (p == 0) {
        volatile unsigned long x = 0;
        while (atk_cpu_ms(CLOCK_PROCESS_CPUTIME_ID) < 50) x++;
        _exit(0);
      }
      if (p < 0) continue;
      waitpid(p, NULL, 0);
    }
  }
  if (!strcmp(m, "syscalls"))
    for (;;) syscall(SYS_getppid);
  fprintf(stderr, "usage: burn busy|cpu MS|sleep S|threads N|child|serial|syscalls\n");
  return 64;
}
