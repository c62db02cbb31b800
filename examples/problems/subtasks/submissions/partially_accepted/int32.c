/* @EXPECTED_SCORE@: 30 -- 32-bit sums overflow on group 2. */
#include <stdio.h>
int main(void) {
  int n;
  if (scanf("%d", &n) != 1) return 1;
  int best = 0, cur = 0;
  for (int i = 0; i < n; i++) {
    int x;
    if (scanf("%d", &x) != 1) return 1;
    cur = (i == 0 || cur < 0) ? x : cur + x;
    if (i == 0 || cur > best) best = cur;
  }
  printf("%d\n", best);
  return 0;
}
