/* cmd_cancel.c — `judge cancel ID`: drop a queued submission or abandon a
 * running one; its final state becomes "cancelled". */
#include <getopt.h>
#include <stdio.h>

#include "commands.h"
#include "jpclient.h"

int cmd_cancel(int argc, char **argv) {
  static const struct option opts[] = {{"broker", required_argument, 0, 'b'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  const char *broker = jpc_default_endpoint();
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "b:h", opts, NULL)) != -1) {
    if (c == 'b') broker = optarg;
    else {
      fprintf(c == 'h' ? stdout : stderr, "usage: judge cancel [--broker ENDPOINT] ID\n");
      return c == 'h' ? 0 : 2;
    }
  }
  if (optind + 1 != argc) {
    fprintf(stderr, "usage: judge cancel [--broker ENDPOINT] ID\n");
    return 2;
  }
  char err[512];
  struct jpc *cl;
  if (jpc_open(&cl, broker, "judge-cancel", err, sizeof err) < 0 || jpc_cancel(cl, argv[optind], err, sizeof err) < 0) {
    fprintf(stderr, "judge cancel: %s\n", err);
    jpc_close(cl);
    return 2;
  }
  jpc_close(cl);
  printf("%s: cancel accepted\n", argv[optind]);
  return 0;
}
