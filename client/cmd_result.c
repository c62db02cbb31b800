/* cmd_result.c — `judge result ID [--wait SECONDS]`: the stored verdict.
 * Exit 0 for AC, 1 for any other final verdict, 3 not final yet, 2 error. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "jpclient.h"
#include "judge_broker.h"
#include "net_opts.h"

static void usage(FILE *f) {
  fprintf(f, "usage: judge result [--broker ENDPOINT] [--wait SECONDS] ID\n"
             "Prints a submission's verdict, tests and resources.\n\n");
  fputs(net_opts_help, f);
  fputs(auth_opts_help, f);
  fprintf(f, "  --wait SECONDS     wait up to this long for the final verdict (default: do not wait)\n"
             "\nExit status: 0 AC, 1 any other final verdict, 3 not final yet, 2 error.\n");
}

int cmd_result(int argc, char **argv) {
  static const struct option opts[] = {NET_LONGOPTS, {"wait", required_argument, 0, 'w'},
                                       {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  struct net_opts no;
  net_opts_init(&no);
  const char *broker;
  long wait_s = 0;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    int r = net_opt(&no, c, optarg, "result");
    if (r < 0)
      return 2;
    if (r > 0)
      continue;
    if (c == 'w') {
      if ((wait_s = net_seconds(optarg, 0, 7 * 24 * 3600, "result", "wait")) < 0)
        return 2;
    } else if (c == 'h') {
      usage(stdout);
      return 0;
    } else {
      return net_bad_option("result");
    }
  }
  if (optind + 1 != argc) {
    fprintf(stderr, "judge result: need exactly one ID\n");
    return net_bad_option("result");
  }
  broker = no.broker;
  char err[512];
  if (auth_apply(&no.auth, "result") < 0)
    return 2;
  struct jpc *cl;
  if (jpc_open(&cl, broker, "judge-result", err, sizeof err) < 0) {
    broker_explain("result", broker, err);
    return 2;
  }
  struct jp_msg r;
  int rc = jpc_result(cl, argv[optind], wait_s > 0 ? (int)(wait_s * 1000) : 0, &r, err, sizeof err);
  jpc_close(cl);
  if (rc < 0) {
    broker_explain("result", broker, err);
    return 2;
  }
  jpc_print_result(stdout, &r.u.result);
  int ex = rc == 0 ? 3 : (r.u.result.has_result && r.u.result.result.verdict == JP_V_AC) ? 0 : 1;
  jp_msg_free(&r);
  return ex;
}
