/* Crashes after the first answer: RTE (the interactor then sees EOF). */
#include <stdio.h>
int main(void) {
  printf("? 1\n");
  fflush(stdout);
  char r;
  if (scanf(" %c", &r) != 1) return 0;
  if (r == '=') return 0;
  volatile int *p = 0;
  return *p;
}
