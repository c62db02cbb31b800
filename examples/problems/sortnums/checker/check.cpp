// Checker with the testlib protocol for "Sort the Numbers": the output must
// be the input numbers in non-decreasing order (n numbers, nothing else).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

static void quit(int code, const char *what, const char *msg) {
  std::fprintf(stderr, "%s %s\n", what, msg);
  std::exit(code);
}

int main(int argc, char **argv) {
  if (argc < 4) quit(3, "FAIL", "usage: check input output answer");
  FILE *in = std::fopen(argv[1], "r"), *out = std::fopen(argv[2], "r");
  if (!in || !out) quit(3, "FAIL", "cannot open files");
  int n;
  if (std::fscanf(in, "%d", &n) != 1 || n < 1 || n > 1000000) quit(3, "FAIL", "bad input");
  std::vector<long long> a(n), b(n);
  for (auto &x : a)
    if (std::fscanf(in, "%lld", &x) != 1) quit(3, "FAIL", "bad input");
  for (int i = 0; i < n; i++)
    if (std::fscanf(out, "%lld", &b[i]) != 1) quit(2, "wrong output format", "expected more numbers");
  char extra;
  if (std::fscanf(out, " %c", &extra) == 1) quit(2, "wrong output format", "extra output");
  if (!std::is_sorted(b.begin(), b.end())) quit(1, "wrong answer", "not sorted");
  std::sort(a.begin(), a.end());
  if (a != b) quit(1, "wrong answer", "not a permutation of the input");
  quit(0, "ok", "sorted");
}
