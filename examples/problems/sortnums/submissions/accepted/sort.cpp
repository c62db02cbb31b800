#include <algorithm>
#include <cstdio>
#include <vector>
int main() {
  int n;
  if (std::scanf("%d", &n) != 1) return 1;
  std::vector<long long> a(n);
  for (auto &x : a) std::scanf("%lld", &x);
  std::sort(a.begin(), a.end());
  for (auto x : a) std::printf("%lld ", x);
  std::puts("");
}
