/* cmd_cancel.c — `judge cancel ID`: drop a queued submission or abandon a
 * running one; its final state becomes "cancelled". */
#include <stdio.h>

#include "commands.h"
#include "jpclient.h"
#include "judge_broker.h"
#include "net_cmd.h"
#include "net_opts.h"

static void usage(FILE *f) {
  fprintf(f, "usage: judge cancel [--broker ENDPOINT] ID\n"
             "Drops a queued submission or abandons a running one (its state becomes cancelled).\n"
             "With authentication this needs an admin key (--cert).\n\n");
  fputs(net_opts_help, f);
  fputs(auth_opts_help, f);
}

int cmd_cancel(int argc, char **argv) {
  struct net_cmd c = {.cmd = "cancel", .what = "ID", .usage = usage};
  int ex = net_cmd_open(&c, argc, argv);
  if (!c.cl)
    return ex;
  char err[512];
  if (jpc_cancel(c.cl, c.arg, err, sizeof err) < 0) {
    broker_explain("cancel", c.broker, err);
    jpc_close(c.cl);
    return 2;
  }
  /* the broker acknowledges a cancel of a finished submission too (it is
   * a no-op): say which it was */
  struct jp_msg r;
  int final = jpc_result(c.cl, c.arg, 0, &r, err, sizeof err);
  if (final == 1 && r.u.result.state == JP_ST_DONE && r.u.result.has_result)
    printf("%s: already final (%s): nothing to cancel\n", c.arg, jp_verdict_name(r.u.result.result.verdict));
  else
    printf("%s: cancel accepted\n", c.arg);
  if (final >= 0) jp_msg_free(&r);
  jpc_close(c.cl);
  return 0;
}
