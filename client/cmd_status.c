/* cmd_status.c — `judge status [ID]`: the pool (workers, slots, queue,
 * throughput) or one submission's state. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "jpclient.h"

int cmd_status(int argc, char **argv) {
  static const struct option opts[] = {{"broker", required_argument, 0, 'b'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  const char *broker = jpc_default_endpoint();
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "b:h", opts, NULL)) != -1) {
    if (c == 'b') broker = optarg;
    else {
      fprintf(c == 'h' ? stdout : stderr, "usage: judge status [--broker ENDPOINT] [ID]\n");
      return c == 'h' ? 0 : 2;
    }
  }
  const char *sid = optind < argc ? argv[optind] : "";
  char err[512];
  struct jpc *cl;
  if (jpc_open(&cl, broker, "judge-status", err, sizeof err) < 0) {
    fprintf(stderr, "judge status: %s\n", err);
    return 2;
  }
  jpc_set_timeouts(cl, 2000, 6000);
  struct jp_msg r;
  if (jpc_status(cl, sid, &r, err, sizeof err) < 0) {
    fprintf(stderr, "judge status: %s\n", err);
    jpc_close(cl);
    return 2;
  }
  const struct jp_status_reply *s = &r.u.status_reply;
  if (*sid) {
    printf("%s: %s", sid, jp_state_name(s->state));
    if (s->attempt) printf(" (attempt %u)", s->attempt);
    printf("\n");
    jp_msg_free(&r);
    jpc_close(cl);
    return 0;
  }
  printf("broker    %s\n", broker);
  printf("workers   %u\n", s->workers);
  printf("slots     %u free\n", s->free_slots);
  printf("queued    %u\n", s->queued);
  printf("running   %u\n", s->running);
  jp_msg_free(&r);
  jpc_close(cl);
  return 0;
}
