/* cmd_drain.c — `judge drain WORKER [--undo]` (admin): the broker stops
 * giving the worker new jobs while it finishes the ones it runs, e.g. before
 * taking the machine down; --undo lets it take jobs again. */
#include <getopt.h>
#include <stdio.h>

#include "commands.h"
#include "jpclient.h"
#include "judge_broker.h"
#include "net_opts.h"

static void usage(FILE *f) {
  fprintf(f, "usage: judge drain [--broker ENDPOINT] [--undo] WORKER\n"
             "Stops giving new jobs to WORKER (its REGISTER name); its running jobs finish.\n"
             "--undo lets it take jobs again. With authentication this needs an admin key (--cert).\n"
             "The broker journals the drained state: it survives a broker restart.\n\n"
             "  --undo              resume giving jobs to WORKER\n");
  fputs(net_opts_help, f);
  fputs(auth_opts_help, f);
}

int cmd_drain(int argc, char **argv) {
  static const struct option opts[] = {NET_LONGOPTS, {"undo", no_argument, 0, 'u'},
                                       {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  struct net_opts no;
  net_opts_init(&no);
  int c, undo = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    int r = net_opt(&no, c, optarg, "drain");
    if (r < 0)
      return 2;
    if (r > 0)
      continue;
    if (c == 'h') {
      usage(stdout);
      return 0;
    }
    if (c == 'u') {
      undo = 1;
      continue;
    }
    return net_bad_option("drain");
  }
  if (optind + 1 != argc || !argv[optind][0]) {
    fprintf(stderr, "judge drain: need exactly one WORKER name\n");
    return net_bad_option("drain");
  }
  const char *broker = no.broker;
  char err[512];
  if (auth_apply(&no.auth, "drain") < 0)
    return 2;
  struct jpc *cl;
  if (jpc_open(&cl, broker, "judge-drain", err, sizeof err) < 0 ||
      jpc_drain(cl, argv[optind], undo, err, sizeof err) < 0) {
    broker_explain("drain", broker, err);
    jpc_close(cl);
    return 2;
  }
  jpc_close(cl);
  printf("%s: %s\n", argv[optind], undo ? "undrained (takes jobs again)" : "draining (no new jobs)");
  return 0;
}
