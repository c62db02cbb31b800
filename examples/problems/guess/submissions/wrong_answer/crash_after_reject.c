/* Sends a malformed query; the interactor rejects it and exits, and only
 * then does this program see EOF and crash. The interactor's WA came
 * first, so the verdict is WA, not RTE (problemtools' precedence). */
#include <stdio.h>
int main(void) {
  printf("guess 7\n");
  fflush(stdout);
  char r;
  if (scanf(" %c", &r) != 1) {
    volatile int *p = 0;
    return *p; /* crash on EOF */
  }
  return 0;
}
