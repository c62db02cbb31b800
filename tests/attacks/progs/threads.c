/* threads.c — control: N threads each do some work and are joined; must be
 * OK when --procs allows N+1 tasks. argv: N [cpu-ms-per-thread]. */
#include <pthread.h>

#include "atk.h"

static double per_thread_ms;

static void *work(void *arg) {
  volatile unsigned long x = (unsigned long)arg;
  if (per_thread_ms > 0)
    while (atk_cpu_ms(CLOCK_THREAD_CPUTIME_ID) < per_thread_ms) x++;
  return NULL;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 4;
  per_thread_ms = argc > 2 ? atof(argv[2]) : 0;
  if (n < 1 || n > 64) return 64;
  pthread_t t[64];
  for (int i = 0; i < n; i++) {
    int e = pthread_create(&t[i], NULL, work, (void *)(long)i);
    if (e) {
      atk_say("pthread_create %d failed: %s", i, strerror(e));
      return 3;
    }
  }
  for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
  atk_say("threads ok %d", n);
  return 0;
}
