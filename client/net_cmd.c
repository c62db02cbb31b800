/* net_cmd.c — options, argument and connection of the one-argument
 * network commands (see net_cmd.h). */
#include "net_cmd.h"

#include <getopt.h>
#include <stdio.h>

#include "jpclient.h"
#include "judge_broker.h"
#include "net_opts.h"

int net_cmd_open(struct net_cmd *c, int argc, char **argv) {
  struct option opts[] = {NET_LONGOPTS, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}, {0, 0, 0, 0}};
  if (c->flag) /* into the first terminator; the last one stays */
    opts[sizeof opts / sizeof opts[0] - 2] = (struct option){c->flag, no_argument, 0, 'f'};
  struct net_opts no;
  net_opts_init(&no);
  c->flag_set = 0;
  c->cl = NULL;
  int o;
  optind = 1;
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    int r = net_opt(&no, o, optarg, c->cmd);
    if (r < 0)
      return 2;
    if (r > 0)
      continue;
    if (o == 'h') {
      c->usage(stdout);
      return 0;
    }
    if (o == 'f') {
      c->flag_set = 1;
      continue;
    }
    return net_bad_option(c->cmd);
  }
  if (optind + 1 != argc || !argv[optind][0]) {
    fprintf(stderr, "judge %s: need exactly one %s\n", c->cmd, c->what);
    return net_bad_option(c->cmd);
  }
  c->broker = no.broker;
  c->arg = argv[optind];
  if (auth_apply(&no.auth, c->cmd) < 0)
    return 2;
  char err[512], name[32];
  snprintf(name, sizeof name, "judge-%s", c->cmd);
  if (jpc_open(&c->cl, c->broker, name, err, sizeof err) < 0) {
    broker_explain(c->cmd, c->broker, err);
    return 2;
  }
  return 0;
}
