#include <stdio.h>
int main(void) {
  long lo = 1, hi = 1000000;
  while (lo <= hi) {
    long mid = (lo + hi) / 2;
    printf("? %ld\n", mid);
    fflush(stdout);
    char r;
    if (scanf(" %c", &r) != 1) return 0;
    if (r == '=') return 0;
    if (r == '>') lo = mid + 1; else hi = mid - 1;
  }
  return 0;
}
