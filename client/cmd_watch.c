/* cmd_watch.c — `judge watch ID`: live per-test progress until the final
 * verdict, over the clients socket (WATCH: a client key follows only its
 * own submissions, an admin any), then the verdict as `judge result`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "jpclient.h"
#include "judge_broker.h"
#include "net_opts.h"

static void usage(FILE *f) {
  fprintf(f, "usage: judge watch [--broker ENDPOINT] [--timeout SECONDS] ID\n"
             "Prints each test as it finishes, then the verdict. A client key may watch only\n"
             "its own submissions, an admin key any.\n\n");
  fputs(net_opts_help, f);
  fputs(auth_opts_help, f);
  fprintf(f, "  --timeout SECONDS  stop watching after this long (default: until the verdict)\n"
             "\nExit status: 0 AC, 1 any other final verdict, 3 not final within --timeout, 2 error.\n");
}

static int on_event(void *ctx, const struct jp_event *e) {
  (void)ctx;
  switch (e->kind) {
  case JP_EV_TEST:
    printf("  test %-24s %-4s %6u ms %8llu KiB\n", e->test.name, jp_verdict_name(e->test.verdict), e->test.cpu_ms,
           (unsigned long long)e->test.memory_kib);
    break;
  case JP_EV_DONE:
  case JP_EV_CANCELLED:
    return 1;
  default:
    printf("  %s (attempt %u)\n", jp_event_kind_name(e->kind), e->attempt);
    break;
  }
  fflush(stdout);
  return 0;
}

int cmd_watch(int argc, char **argv) {
  static const struct option opts[] = {NET_LONGOPTS, {"timeout", required_argument, 0, 't'},
                                       {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  struct net_opts no;
  net_opts_init(&no);
  long timeout_s = 0;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    int r = net_opt(&no, c, optarg, "watch");
    if (r < 0)
      return 2;
    if (r > 0)
      continue;
    if (c == 't') {
      if ((timeout_s = net_seconds(optarg, 1, 7 * 24 * 3600, "watch", "timeout")) < 0)
        return 2;
    } else if (c == 'h') {
      usage(stdout);
      return 0;
    } else {
      return net_bad_option("watch");
    }
  }
  if (optind + 1 != argc) {
    fprintf(stderr, "judge watch: need exactly one ID\n");
    return net_bad_option("watch");
  }
  const char *broker = no.broker;
  const char *sid = argv[optind];
  char err[512];
  if (auth_apply(&no.auth, "watch") < 0)
    return 2;
  struct jpc *cl;
  if (jpc_open(&cl, broker, "judge-watch", err, sizeof err) < 0) {
    broker_explain("watch", broker, err);
    return 2;
  }
  struct jp_msg r;
  int rc = jpc_follow(cl, sid, 0, timeout_s > 0 ? (int)timeout_s * 1000 : 0, on_event, NULL, &r, err, sizeof err);
  jpc_close(cl);
  if (rc < 0) {
    broker_explain("watch", broker, err);
    return 2;
  }
  jpc_print_result(stdout, &r.u.result);
  int ex = rc == 0 ? 3 : (r.u.result.has_result && r.u.result.result.verdict == JP_V_AC) ? 0 : 1;
  jp_msg_free(&r);
  return ex;
}
