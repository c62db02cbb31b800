/* main.c — `judge` and `judge-net`: dispatch to the subcommands in cmd_*.c.
 * Built twice: the lean `judge` (JP_LEAN: run, submit/batch --local, no
 * ZeroMQ) execs `judge-net` for the network commands, so users see one
 * command line while `judge run` starts as fast as a small static tool. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#ifdef JP_LEAN
#include "net_exec.h"
#endif

struct command {
  const char *name;
  int (*fn)(int, char **); /* NULL in the lean binary: judge-net has it */
  const char *summary;
};

#ifdef JP_LEAN
#define NET(fn) NULL
#else
#define NET(fn) fn
#endif

static const struct command commands[] = {
    {"run", cmd_run, "run one program in the box and report its resource usage"},
    {"submit", cmd_submit, "judge one submission (--local, or through a pool with --broker)"},
    {"batch", cmd_batch, "judge many submissions (rejudges, fuzzing campaigns), locally or in a pool"},
    {"status", NET(cmd_status), "the pool: workers, slots, queue, throughput; or one submission's state"},
    {"watch", NET(cmd_watch), "follow a submission's tests live until its verdict"},
    {"result", NET(cmd_result), "print a submission's stored verdict"},
    {"cancel", NET(cmd_cancel), "cancel a queued or running submission"},
    {"drain", NET(cmd_drain), "stop (or --undo: resume) giving jobs to a worker (admin)"},
    {"keygen", NET(cmd_keygen), "make a CURVE key pair (certificates) for the pool"},
};

static void usage(FILE *f) {
  fprintf(f, "usage: judge COMMAND [OPTIONS] ...\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\n'judge COMMAND --help' describes each command.\n"
             "Environment: JUDGE_BROKER (default broker endpoint), JUDGE_CERT, JUDGE_BROKER_KEY\n"
             "(see 'judge status --help').\n");
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
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    if (strcmp(argv[1], commands[i].name))
      continue;
#ifdef JP_LEAN
    /* network commands, and submit/batch in case of --broker: judge-net */
    if (commands[i].fn != cmd_run)
      net_exec_save(argc, argv);
    if (!commands[i].fn)
      return net_exec(commands[i].name);
#endif
    /* getopt_long names argv[0] in its messages: "judge submit: ..." */
    static char prog[32];
    snprintf(prog, sizeof prog, "judge %s", commands[i].name);
    argv[1] = prog;
    return commands[i].fn(argc - 1, argv + 1);
  }
  fprintf(stderr, "judge: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
