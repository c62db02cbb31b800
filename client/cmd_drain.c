/* cmd_drain.c — `judge drain WORKER [--undo]` (admin): the broker stops
 * giving the worker new jobs while it finishes the ones it runs, e.g. before
 * taking the machine down; --undo lets it take jobs again. */
#include <stdio.h>

#include "commands.h"
#include "jpclient.h"
#include "judge_broker.h"
#include "net_cmd.h"
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
  struct net_cmd c = {.cmd = "drain", .what = "WORKER name", .usage = usage, .flag = "undo"};
  int ex = net_cmd_open(&c, argc, argv);
  if (!c.cl)
    return ex;
  char err[512];
  if (jpc_drain(c.cl, c.arg, c.flag_set, err, sizeof err) < 0) {
    broker_explain("drain", c.broker, err);
    jpc_close(c.cl);
    return 2;
  }
  jpc_close(c.cl);
  printf("%s: %s\n", c.arg, c.flag_set ? "undrained (takes jobs again)" : "draining (no new jobs)");
  return 0;
}
