/* cmd_status.c — `judge status [ID]`: the pool (workers, slots, queue,
 * throughput) or one submission's state, readable or as JSON. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "jpclient.h"
#include "judge_broker.h"
#include "net_opts.h"

static void usage(FILE *f) {
  fprintf(f, "usage: judge status [--broker ENDPOINT] [--json] [ID]\n"
             "Without ID: the pool (workers, free slots, queue by priority, running submissions,\n"
             "throughput). With ID: that submission's state.\n\n");
  fputs(net_opts_help, f);
  fputs(auth_opts_help, f);
  fprintf(f, "  --json             one JSON object instead of text\n"
             "\nExit status: 0 answered, 2 usage error, broker unreachable or unknown ID.\n");
}

static int print_json(const char *broker, const char *sid, const struct jp_status_reply *s) {
  cJSON *o = cJSON_CreateObject();
  if (!o)
    return -1;
  cJSON_AddStringToObject(o, "broker", broker);
  if (*sid) {
    cJSON_AddStringToObject(o, "id", sid);
    cJSON_AddStringToObject(o, "state", jp_state_name(s->state));
    cJSON_AddNumberToObject(o, "attempt", s->attempt);
  } else {
    cJSON_AddNumberToObject(o, "workers", s->workers);
    cJSON_AddNumberToObject(o, "slots", s->slots);
    cJSON_AddNumberToObject(o, "free_slots", s->free_slots);
    cJSON_AddNumberToObject(o, "queued", s->queued);
    cJSON *q = cJSON_AddObjectToObject(o, "queued_by_priority");
    if (q) {
      cJSON_AddNumberToObject(q, "contest", s->queued_contest);
      cJSON_AddNumberToObject(q, "normal", s->queued_normal);
      cJSON_AddNumberToObject(q, "rejudge", s->queued_rejudge);
      cJSON_AddNumberToObject(q, "bulk", s->queued_bulk);
    }
    cJSON_AddNumberToObject(o, "running", s->running);
    cJSON_AddNumberToObject(o, "draining", s->draining);
    cJSON_AddNumberToObject(o, "completed", (double)s->completed);
    /* a hostile broker's NaN or infinity would not be JSON */
    cJSON_AddNumberToObject(o, "rate", isfinite(s->rate) && s->rate >= 0 ? s->rate : 0);
  }
  char *txt = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  if (!txt)
    return -1;
  printf("%s\n", txt);
  free(txt);
  return 0;
}

static void print_text(const char *broker, const char *sid, const struct jp_status_reply *s) {
  if (*sid) {
    printf("%s: %s", sid, jp_state_name(s->state));
    if (s->attempt)
      printf(" (attempt %u)", s->attempt);
    printf("\n");
    return;
  }
  /* the first word of each line is stable: scripts (tests/pool) awk it */
  printf("broker    %s\n", broker);
  printf("workers   %u\n", s->workers);
  if (s->slots)
    printf("slots     %u free of %u\n", s->free_slots, s->slots);
  else
    printf("slots     %u free\n", s->free_slots);
  printf("queued    %u (contest %u, normal %u, rejudge %u, bulk %u)\n", s->queued, s->queued_contest,
         s->queued_normal, s->queued_rejudge, s->queued_bulk);
  printf("running   %u\n", s->running);
  printf("draining  %u workers (judge drain)\n", s->draining);
  double rate = isfinite(s->rate) && s->rate >= 0 ? s->rate : 0;
  printf("done      %llu since the broker started, %.1f/s over the last 10 s\n", (unsigned long long)s->completed,
         rate);
}

int cmd_status(int argc, char **argv) {
  static const struct option opts[] = {NET_LONGOPTS, {"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  struct net_opts no;
  net_opts_init(&no);
  int json = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    int r = net_opt(&no, c, optarg, "status");
    if (r < 0)
      return 2;
    if (r > 0)
      continue;
    if (c == 'j')
      json = 1;
    else if (c == 'h') {
      usage(stdout);
      return 0;
    } else
      return net_bad_option("status");
  }
  if (argc - optind > 1) {
    fprintf(stderr, "judge status: at most one ID\n");
    return net_bad_option("status");
  }
  const char *sid = optind < argc ? argv[optind] : "";
  char err[512];
  if (auth_apply(&no.auth, "status") < 0)
    return 2;
  struct jpc *cl;
  if (jpc_open(&cl, no.broker, "judge-status", err, sizeof err) < 0) {
    broker_explain("status", no.broker, err);
    return 2;
  }
  jpc_set_timeouts(cl, 2000, 6000);
  struct jp_msg r;
  if (jpc_status(cl, sid, &r, err, sizeof err) < 0) {
    broker_explain("status", no.broker, err);
    jpc_close(cl);
    return 2;
  }
  int ex = 0;
  if (json) {
    if (print_json(no.broker, sid, &r.u.status_reply) < 0) {
      fprintf(stderr, "judge status: out of memory\n");
      ex = 2;
    }
  } else {
    print_text(no.broker, sid, &r.u.status_reply);
  }
  jp_msg_free(&r);
  jpc_close(cl);
  return fflush(stdout) == 0 ? ex : 2;
}
