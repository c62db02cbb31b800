/* Sends a malformed query, then spins forever. The interactor rejects the
 * query (WA) long before the time limit ends this program: problemtools'
 * precedence makes that WA, not TLE. */
#include <stdio.h>
int main(void) {
  printf("! 42\n");
  fflush(stdout);
  volatile unsigned long x = 0;
  for (;;) x++;
}
