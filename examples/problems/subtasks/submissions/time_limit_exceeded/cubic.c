/* @EXPECTED_SCORE@: 30 -- O(n^3): fine for group 1, far too slow for group 2. */
#include <stdio.h>
static long long a[200000];
int main(void) {
  int n;
  if (scanf("%d", &n) != 1) return 1;
  for (int i = 0; i < n; i++)
    if (scanf("%lld", &a[i]) != 1) return 1;
  long long best = a[0];
  for (int i = 0; i < n; i++)
    for (int j = i; j < n; j++) {
      long long s = 0;
      for (int k = i; k <= j; k++) s += a[k];
      if (s > best) best = s;
    }
  printf("%lld\n", best);
  return 0;
}
