/* cmd_cancel.c — `judge cancel ID`: drop a queued submission or abandon a
 * running one; its final state becomes "cancelled". */
#include <getopt.h>
#include <stdio.h>

#include "commands.h"
#include "jpclient.h"
#include "judge_broker.h"
#include "net_opts.h"

static void usage(FILE *f) {
  fprintf(f, "usage: judge cancel [--broker ENDPOINT] ID\n"
             "Drops a queued submission or abandons a running one (its state becomes cancelled).\n"
             "With authentication this needs an admin key (--cert).\n\n");
  fputs(net_opts_help, f);
  fputs(auth_opts_help, f);
}

int cmd_cancel(int argc, char **argv) {
  static const struct option opts[] = {NET_LONGOPTS, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  struct net_opts no;
  net_opts_init(&no);
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    int r = net_opt(&no, c, optarg, "cancel");
    if (r < 0)
      return 2;
    if (r > 0)
      continue;
    if (c == 'h') {
      usage(stdout);
      return 0;
    }
    return net_bad_option("cancel");
  }
  if (optind + 1 != argc) {
    fprintf(stderr, "judge cancel: need exactly one ID\n");
    return net_bad_option("cancel");
  }
  const char *broker = no.broker;
  char err[512];
  if (auth_apply(&no.auth, "cancel") < 0)
    return 2;
  struct jpc *cl;
  if (jpc_open(&cl, broker, "judge-cancel", err, sizeof err) < 0 || jpc_cancel(cl, argv[optind], err, sizeof err) < 0) {
    broker_explain("cancel", broker, err);
    jpc_close(cl);
    return 2;
  }
  jpc_close(cl);
  printf("%s: cancel accepted\n", argv[optind]);
  return 0;
}
