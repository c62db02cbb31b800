#include <cstdio>
#include <unordered_map>
#include <vector>
int main() {
  int n;
  long long t;
  if (scanf("%d %lld", &n, &t) != 2) return 1;
  std::vector<long long> a(n);
  for (auto &x : a) scanf("%lld", &x);
  std::unordered_map<long long, int> seen;
  for (int i = n - 1; i >= 0; i--) { /* finds a different pair than the answer */
    auto it = seen.find(t - a[i]);
    if (it != seen.end()) { printf("%d %d\n", it->second + 1, i + 1); return 0; }
    seen[a[i]] = i;
  }
  puts("impossible");
}
