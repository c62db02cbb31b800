/* atk.h — tiny helpers shared by the attack programs. Every attack prints
 * "ESCAPED ..." when it achieved something the box must prevent; the runner
 * fails the test on that word, whatever the status. */
#ifndef ATK_H
#define ATK_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void atk_say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout); /* the program may be killed right after */
}

#define ESCAPED(...) atk_say("ESCAPED " __VA_ARGS__)

/* Burn process CPU until it reaches ms (CLOCK_PROCESS_CPUTIME_ID). */
#include <time.h>
static inline double atk_cpu_ms(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline void atk_burn_forever(void) {
  volatile unsigned long x = 0;
  for (;;) x++;
}

#endif
