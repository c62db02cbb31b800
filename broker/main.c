/* main.c — `judge-broker`: options and config file into broker_cfg, signals
 * into a stop flag, then the event loop. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "broker.h"
#include "err.h"
#include "kvconf.h"

static volatile sig_atomic_t stop, reload;
static void on_signal(int sig) { (void)sig; stop = 1; }
static void on_hup(int sig) { (void)sig; reload = 1; }

static void usage(FILE *f) {
  fprintf(f,
          "usage: judge-broker [--config FILE] [--clients ENDPOINT] [--workers ENDPOINT]\n"
          "                    [--events ENDPOINT] [--data DIR] [--lease-ms N] [--max-attempts N]\n"
          "                    [--max-per-client N] [--max-client-mb N] [--max-queue N] [--job-timeout-s N]\n"
          "                    [--io-threads N] [--languages c,cpp,...] [--max-peer-mb N]\n"
          "                    [--max-client-reply-mb N] [--max-watches N] [--max-watches-total N] [--verbose]\n"
          "                    (--keys FILE --cert FILE | --insecure)\n"
          "--keys: allowed keys and roles ('ROLE KEY [NAME]' lines, reread on SIGHUP);\n"
          "--cert: the broker's own secret certificate (judge keygen); --insecure: no\n"
          "authentication or encryption at all (every peer is treated as admin).\n"
          "defaults: clients tcp://*:7700, workers tcp://*:7701, events tcp://*:7702,\n"
          "          data ./judgepool-data, lease 5000 ms, 3 attempts, job timeout 1800 s (0 = none),\n"
          "          100000 unfinished submissions and 256 MiB of them per client (--max-per-client,\n"
          "          --max-client-mb), 200000 and 1 GiB in all (--max-queue); 64 MiB of replies of\n"
          "          4 KiB or more queued to one client connection, assumed read at 64 MiB/s\n"
          "          (--max-client-reply-mb), queue_full beyond; 256 MiB of BLOB replies per worker\n"
          "          (--max-peer-mb); 1024 watches per key, 16384 in all (--max-watches,\n"
          "          --max-watches-total); 2 I/O threads; languages: the judging engine's own and\n"
          "          those registered workers announce (--languages: only these)\n"
          "config file: one 'key = value' per line, keys as the long options without '--'.\n");
}

static int set_key(struct broker_cfg *c, const char *key, const char *v, char *err, size_t errlen) {
  long n;
  if (!strcmp(key, "clients")) snprintf(c->clients, sizeof c->clients, "%s", v);
  else if (!strcmp(key, "workers")) snprintf(c->workers, sizeof c->workers, "%s", v);
  else if (!strcmp(key, "events")) snprintf(c->events, sizeof c->events, "%s", v);
  else if (!strcmp(key, "data")) snprintf(c->data, sizeof c->data, "%s", v);
  else if (!strcmp(key, "lease-ms")) {
    if (jp_kv_long(key, v, 100, 3600000, &n, err, errlen) < 0) return -1;
    c->lease_ms = (int)n;
  } else if (!strcmp(key, "max-attempts")) {
    if (jp_kv_long(key, v, 1, 100, &n, err, errlen) < 0) return -1;
    c->max_attempts = (uint32_t)n;
  } else if (!strcmp(key, "max-per-client")) {
    if (jp_kv_long(key, v, 1, 10000000, &n, err, errlen) < 0) return -1;
    c->max_per_client = (size_t)n;
  } else if (!strcmp(key, "max-client-mb")) {
    if (jp_kv_long(key, v, 1, 1024, &n, err, errlen) < 0) return -1;
    c->max_client_bytes = (size_t)n << 20;
  } else if (!strcmp(key, "max-queue")) {
    if (jp_kv_long(key, v, 1, 10000000, &n, err, errlen) < 0) return -1;
    c->max_total = (size_t)n;
  } else if (!strcmp(key, "job-timeout-s")) {
    if (jp_kv_long(key, v, 0, 7 * 86400, &n, err, errlen) < 0) return -1;
    c->job_timeout_ms = (int64_t)n * 1000;
  } else if (!strcmp(key, "io-threads")) {
    if (jp_kv_long(key, v, 1, 16, &n, err, errlen) < 0) return -1;
    c->io_threads = (int)n;
  } else if (!strcmp(key, "max-peer-mb")) {
    if (jp_kv_long(key, v, 1, 1 << 20, &n, err, errlen) < 0) return -1;
    c->max_peer_bytes = (size_t)n << 20;
  } else if (!strcmp(key, "max-client-reply-mb")) {
    if (jp_kv_long(key, v, 1, 1024, &n, err, errlen) < 0) return -1;
    c->max_client_reply_bytes = (size_t)n << 20;
  } else if (!strcmp(key, "max-watches")) {
    if (jp_kv_long(key, v, 1, 1000000, &n, err, errlen) < 0) return -1;
    c->max_watches = (size_t)n;
  } else if (!strcmp(key, "max-watches-total")) {
    if (jp_kv_long(key, v, 1, 1000000, &n, err, errlen) < 0) return -1;
    c->max_watches_total = (size_t)n;
  } else if (!strcmp(key, "keys")) snprintf(c->keys, sizeof c->keys, "%s", v);
  else if (!strcmp(key, "cert")) snprintf(c->cert, sizeof c->cert, "%s", v);
  else if (!strcmp(key, "languages")) snprintf(c->langs, sizeof c->langs, "%s", v);
  else if (!strcmp(key, "insecure")) {
    if (jp_kv_bool(key, v, &c->insecure, err, errlen) < 0) return -1;
  } else if (!strcmp(key, "verbose")) {
    if (jp_kv_bool(key, v, &c->verbose, err, errlen) < 0) return -1;
  }
  else return jp_err(err, errlen, "unknown setting '%s'", key);
  return 0;
}

static int set_key_cb(void *c, const char *key, const char *v, char *err, size_t errlen) {
  return set_key(c, key, v, err, errlen);
}

int main(int argc, char **argv) {
  static const struct option opts[] = {
      {"config", required_argument, 0, 'c'},   {"clients", required_argument, 0, 'C'},
      {"workers", required_argument, 0, 'W'},  {"events", required_argument, 0, 'E'},
      {"data", required_argument, 0, 'd'},     {"lease-ms", required_argument, 0, 'l'},
      {"max-attempts", required_argument, 0, 'a'}, {"max-per-client", required_argument, 0, 'p'},
      {"max-queue", required_argument, 0, 'q'}, {"verbose", no_argument, 0, 'v'},
      {"max-client-mb", required_argument, 0, 'B'}, {"max-client-reply-mb", required_argument, 0, 'R'},
      {"io-threads", required_argument, 0, 'i'}, {"job-timeout-s", required_argument, 0, 'j'},
      {"keys", required_argument, 0, 'K'},     {"cert", required_argument, 0, 'k'},
      {"insecure", no_argument, 0, 'I'},       {"languages", required_argument, 0, 'L'},
      {"max-peer-mb", required_argument, 0, 'P'},
      {"max-watches", required_argument, 0, 'w'}, {"max-watches-total", required_argument, 0, 'm'},
      {"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
  struct broker_cfg cfg;
  broker_cfg_defaults(&cfg);
  char err[1024];
  int rc = jp_kvconf_args(argc, argv, opts, set_key_cb, &cfg, usage, err, sizeof err);
  if (rc != 0) {
    if (rc < 0 && err[0]) fprintf(stderr, "judge-broker: %s\n", err);
    return rc > 0 ? 0 : 2;
  }
  /* security is on unless explicitly switched off */
  if (!cfg.insecure && (!cfg.keys[0] || !cfg.cert[0])) {
    fprintf(stderr, "judge-broker: --keys FILE and --cert FILE are required (authentication is on by "
                    "default; see SECURITY.md and ops/judgepool.conf.example), or --insecure to run "
                    "without authentication or encryption\n");
    return 2;
  }
  struct sigaction sa = {.sa_handler = on_signal};
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  struct sigaction sh = {.sa_handler = on_hup};
  sigaction(SIGHUP, &sh, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (broker_run(&cfg, &stop, &reload, err, sizeof err) < 0) {
    fprintf(stderr, "judge-broker: %s\n", err);
    return 1;
  }
  return 0;
}
