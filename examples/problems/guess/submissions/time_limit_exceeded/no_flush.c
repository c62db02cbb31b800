/* Forgets to flush: both sides wait for each other until the wall-clock
 * limit ends it. The submission is still running, so TLE wins. */
#include <stdio.h>
int main(void) {
  printf("? 500000\n");
  char r;
  if (scanf(" %c", &r) != 1) return 0;
  return 0;
}
