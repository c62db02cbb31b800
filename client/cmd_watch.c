/* cmd_watch.c — `judge watch ID`: live per-test progress until the final
 * verdict. The verdict is also fetched by request, since PUB/SUB loses
 * what was published before we joined. */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "jpclient.h"

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
  static const struct option opts[] = {{"broker", required_argument, 0, 'b'}, {"timeout", required_argument, 0, 't'},
                                       {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  const char *broker = jpc_default_endpoint();
  int timeout_s = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "b:t:h", opts, NULL)) != -1) {
    if (c == 'b') broker = optarg;
    else if (c == 't') timeout_s = atoi(optarg);
    else {
      fprintf(c == 'h' ? stdout : stderr, "usage: judge watch [--broker ENDPOINT] [--timeout SECONDS] ID\n");
      return c == 'h' ? 0 : 2;
    }
  }
  if (optind + 1 != argc) {
    fprintf(stderr, "usage: judge watch [--broker ENDPOINT] [--timeout SECONDS] ID\n");
    return 2;
  }
  const char *sid = argv[optind];
  char err[512], events[300];
  if (jpc_events_endpoint(broker, events, sizeof events) < 0) {
    fprintf(stderr, "judge watch: cannot derive the event endpoint from %s\n", broker);
    return 2;
  }
  struct jpc *cl;
  if (jpc_open(&cl, broker, "judge-watch", err, sizeof err) < 0) {
    fprintf(stderr, "judge watch: %s\n", err);
    return 2;
  }
  struct jp_msg r;
  int rc = jpc_result(cl, sid, 0, &r, err, sizeof err);
  /* watch in slices, checking by request between them, so a final
   * verdict published before we subscribed is still seen */
  int waited = 0;
  while (rc == 0 && (timeout_s <= 0 || waited < timeout_s)) {
    jp_msg_free(&r);
    jpc_watch(events, sid, 2000, on_event, NULL, err, sizeof err);
    waited += 2;
    rc = jpc_result(cl, sid, 0, &r, err, sizeof err);
  }
  jpc_close(cl);
  if (rc < 0) {
    fprintf(stderr, "judge watch: %s\n", err);
    return 2;
  }
  jpc_print_result(stdout, &r.u.result);
  int ex = rc == 0 ? 3 : (r.u.result.has_result && r.u.result.result.verdict == JP_V_AC) ? 0 : 1;
  jp_msg_free(&r);
  return ex;
}
