/* Uses the same element twice when it is half the target. */
#include <stdio.h>
int main(void) {
  int n;
  long long t, a[200000];
  if (scanf("%d %lld", &n, &t) != 2) return 1;
  for (int i = 0; i < n; i++) scanf("%lld", &a[i]);
  for (int i = 0; i < n; i++)
    for (int j = i; j < n; j++)
      if (a[i] + a[j] == t) { printf("%d %d\n", i + 1, j + 1); return 0; }
  puts("impossible");
  return 0;
}
