/* Interactor for Guess the Number: the secret N (1..1000000) is in the
 * input file. The submission prints guesses "? x" and gets "<", ">" or
 * "=" back; at most 25 guesses. Exit 42 = accepted, 43 = wrong answer. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static FILE *msg;

static void done(int code, const char *text, long v) {
  if (msg) fprintf(msg, text, v);
  exit(code);
}

int main(int argc, char **argv) {
  if (argc < 4) return 1;
  signal(SIGPIPE, SIG_IGN);
  char path[4096];
  snprintf(path, sizeof path, "%s/judgemessage.txt", argv[3]);
  msg = fopen(path, "w");
  FILE *in = fopen(argv[1], "r");
  long secret;
  if (!in || fscanf(in, "%ld", &secret) != 1) return 1;
  for (int q = 1; q <= 25; q++) {
    char op;
    long x;
    if (scanf(" %c %ld", &op, &x) != 2 || op != '?')
      done(43, "malformed query or end of output after %ld guesses\n", q - 1);
    if (x == secret) {
      printf("=\n");
      fflush(stdout);
      done(42, "found in %ld guesses\n", q);
    }
    printf("%c\n", x < secret ? '>' : '<');
    fflush(stdout);
  }
  done(43, "more than %ld guesses\n", 25);
}
