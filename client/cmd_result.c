/* cmd_result.c — `judge result ID [--wait SECONDS]`: the stored verdict.
 * Exit 0 for AC, 1 for any other final verdict, 3 not final yet, 2 error. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "jpclient.h"

int cmd_result(int argc, char **argv) {
  static const struct option opts[] = {{"broker", required_argument, 0, 'b'}, {"wait", required_argument, 0, 'w'},
                                       {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  const char *broker = jpc_default_endpoint();
  int wait_s = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "b:w:h", opts, NULL)) != -1) {
    if (c == 'b') broker = optarg;
    else if (c == 'w') wait_s = atoi(optarg);
    else {
      fprintf(c == 'h' ? stdout : stderr, "usage: judge result [--broker ENDPOINT] [--wait SECONDS] ID\n");
      return c == 'h' ? 0 : 2;
    }
  }
  if (optind + 1 != argc) {
    fprintf(stderr, "usage: judge result [--broker ENDPOINT] [--wait SECONDS] ID\n");
    return 2;
  }
  char err[512];
  struct jpc *cl;
  if (jpc_open(&cl, broker, "judge-result", err, sizeof err) < 0) {
    fprintf(stderr, "judge result: %s\n", err);
    return 2;
  }
  struct jp_msg r;
  int rc = jpc_result(cl, argv[optind], wait_s > 0 ? wait_s * 1000 : 0, &r, err, sizeof err);
  jpc_close(cl);
  if (rc < 0) {
    fprintf(stderr, "judge result: %s\n", err);
    return 2;
  }
  jpc_print_result(stdout, &r.u.result);
  int ex = rc == 0 ? 3 : (r.u.result.has_result && r.u.result.result.verdict == JP_V_AC) ? 0 : 1;
  jp_msg_free(&r);
  return ex;
}
