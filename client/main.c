/* main.c — `judge`: dispatches to the subcommands in cmd_*.c. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

struct command {
  const char *name;
  int (*fn)(int, char **);
  const char *summary;
};

static const struct command commands[] = {
    {"run", cmd_run, "run one program in the box and report its resource usage"},
    {"submit", cmd_submit, "judge one submission against a problem package"},
    {"batch", cmd_batch, "judge many submissions (rejudges, fuzzing campaigns)"},
    {"status", cmd_status, "the pool: workers, slots, queue; or one submission's state"},
    {"watch", cmd_watch, "follow a submission's tests live until its verdict"},
    {"result", cmd_result, "print a submission's stored verdict"},
    {"cancel", cmd_cancel, "cancel a queued or running submission"},
    {"keygen", cmd_keygen, "make a CURVE key pair (certificates) for the pool"},
};

static void usage(FILE *f) {
  fprintf(f, "usage: judge COMMAND [OPTIONS] ...\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\n'judge COMMAND --help' describes each command.\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("judge (judgepool) " JP_VERSION "\n");
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name))
      return commands[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "judge: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
