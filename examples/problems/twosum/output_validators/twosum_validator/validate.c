/* Kattis output validator for Two Sum: validate input answer feedback_dir
 * < team_output. Accepts any pair of distinct 1-based indices whose values
 * sum to the target; "impossible" only when the answer says so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *msg;

static void verdict(int code, const char *text) {
  if (msg && text) fprintf(msg, "%s\n", text);
  exit(code);
}

int main(int argc, char **argv) {
  if (argc < 4) return 1;
  char path[4096];
  snprintf(path, sizeof path, "%s/judgemessage.txt", argv[3]);
  msg = fopen(path, "w");
  FILE *in = fopen(argv[1], "r"), *ans = fopen(argv[2], "r");
  if (!in || !ans) return 1;
  int n;
  long long target;
  if (fscanf(in, "%d %lld", &n, &target) != 2 || n < 2 || n > 200000) return 1;
  long long *a = malloc(sizeof *a * (size_t)n);
  if (!a) return 1;
  for (int i = 0; i < n; i++)
    if (fscanf(in, "%lld", &a[i]) != 1) return 1;
  char first[64];
  int possible = fscanf(ans, "%63s", first) == 1 && strcmp(first, "impossible") != 0;
  char tok[64];
  if (scanf("%63s", tok) != 1) verdict(43, "no output");
  if (!strcmp(tok, "impossible")) {
    if (possible) verdict(43, "claimed impossible but a pair exists");
  } else {
    char *end;
    long i = strtol(tok, &end, 10), j;
    if (*end || scanf("%ld", &j) != 1) verdict(43, "expected two indices");
    if (i < 1 || j < 1 || i > n || j > n || i == j) verdict(43, "indices out of range or equal");
    if (a[i - 1] + a[j - 1] != target) verdict(43, "the two values do not sum to the target");
    if (!possible) verdict(1, "judge answer says impossible but the team found a pair");
  }
  if (scanf("%63s", tok) == 1) verdict(43, "trailing output");
  verdict(42, NULL);
}
