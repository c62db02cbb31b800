/* main.c — `judge-worker`: options, signals, runner choice, then the loop. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "kvconf.h"
#include "sockets.h"
#include "worker.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static void usage(FILE *f) {
  fprintf(f,
          "usage: judge-worker [--config FILE] --broker ENDPOINT [--slots N] [--cache DIR] [--name NAME]\n"
          "                    [--languages c,cpp,...] [--runner judge|fake|null] [--cache-mb N]\n"
          "                    [--drain-seconds N] [--max-memory-mb N] [--max-output-mb N] [--verbose]\n"
          "                    (--cert FILE --broker-key FILE|Z85 | --insecure)\n"
          "--cert: this worker's secret certificate (judge keygen; its public key listed\n"
          "as 'worker' in the broker's keys file); --broker-key: the broker's public\n"
          "certificate or key; --insecure: only for a broker run with --insecure.\n"
          "Defaults: --slots 1, --cache /var/cache/judgepool/worker, --cache-mb 4096, --name HOST-PID\n"
          "(give a fixed one: `judge drain NAME` is by name), --languages\n"
          "c,cpp,python3,java,go,rust,kotlin, --drain-seconds 60 (SIGTERM: finish or hand back jobs\n"
          "for that long, then cancel what still runs), --runner judge.\n"
          "--runner null answers AC at once (benchmarks); fake judges from the source text (tests).\n"
          "--max-memory-mb (default 4096), --max-output-mb (default 64): a problem package whose\n"
          "limits.memory or limits.output is higher is answered IE, not judged.\n"
          "config file: one 'key = value' per line, keys as the long options without '--'.\n");
}

static char langbuf[1024];
static char certpath[2048], brokerkey[2048];
static int insecure;

static int set_key(struct worker_cfg *c, const char **runner, const char *k, const char *v, char *err,
                   size_t errlen) {
  long n;
  if (!strcmp(k, "broker")) snprintf(c->broker, sizeof c->broker, "%s", v);
  else if (!strcmp(k, "name")) snprintf(c->name, sizeof c->name, "%s", v);
  else if (!strcmp(k, "cache")) snprintf(c->cache, sizeof c->cache, "%s", v);
  else if (!strcmp(k, "slots")) {
    if (jp_kv_long(k, v, 1, 256, &n, err, errlen) < 0) return -1;
    c->slots = (int)n;
  } else if (!strcmp(k, "cache-mb")) {
    if (jp_kv_long(k, v, 1, 10000000, &n, err, errlen) < 0) return -1;
    c->cache_bytes = (uint64_t)n << 20;
  } else if (!strcmp(k, "drain-seconds")) {
    if (jp_kv_long(k, v, 0, 86400, &n, err, errlen) < 0) return -1;
    c->drain_ms = (int)n * 1000;
  } else if (!strcmp(k, "max-memory-mb")) {
    if (jp_kv_long(k, v, 1, 65536, &n, err, errlen) < 0) return -1;
    c->max_memory_mib = (uint64_t)n;
  } else if (!strcmp(k, "max-output-mb")) {
    if (jp_kv_long(k, v, 1, 4096, &n, err, errlen) < 0) return -1;
    c->max_output_mib = (uint64_t)n;
  } else if (!strcmp(k, "runner")) {
    static char r[16];
    snprintf(r, sizeof r, "%s", v);
    *runner = r;
  } else if (!strcmp(k, "languages")) {
    snprintf(langbuf, sizeof langbuf, "%s", v);
    c->nlangs = 0;
    for (char *save, *t = strtok_r(langbuf, ",", &save); t && c->nlangs < JP_PROTO_MAX_LANGS;
         t = strtok_r(NULL, ",", &save))
      c->langs[c->nlangs++] = t;
  } else if (!strcmp(k, "cert")) snprintf(certpath, sizeof certpath, "%s", v);
  else if (!strcmp(k, "broker-key")) snprintf(brokerkey, sizeof brokerkey, "%s", v);
  else if (!strcmp(k, "insecure")) {
    if (jp_kv_bool(k, v, &insecure, err, errlen) < 0) return -1;
  } else if (!strcmp(k, "verbose")) {
    if (jp_kv_bool(k, v, &c->verbose, err, errlen) < 0) return -1;
  }
  else return jp_err(err, errlen, "unknown setting '%s'", k);
  return 0;
}

struct setter_ctx {
  struct worker_cfg *cfg;
  const char **runner;
};

static int set_key_cb(void *ctx, const char *k, const char *v, char *err, size_t errlen) {
  struct setter_ctx *sc = ctx;
  return set_key(sc->cfg, sc->runner, k, v, err, errlen);
}

int main(int argc, char **argv) {
  static const struct option opts[] = {
      {"config", required_argument, 0, 'c'}, {"broker", required_argument, 0, 'b'},
      {"slots", required_argument, 0, 's'},  {"cache", required_argument, 0, 'C'},
      {"name", required_argument, 0, 'n'},   {"languages", required_argument, 0, 'L'},
      {"runner", required_argument, 0, 'r'}, {"cache-mb", required_argument, 0, 'm'},
      {"drain-seconds", required_argument, 0, 'D'}, {"verbose", no_argument, 0, 'v'},
      {"cert", required_argument, 0, 'k'},   {"broker-key", required_argument, 0, 'B'},
      {"insecure", no_argument, 0, 'I'},
      {"max-memory-mb", required_argument, 0, 'M'}, {"max-output-mb", required_argument, 0, 'O'},
      {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
  struct worker_cfg cfg = {.slots = 1, .drain_ms = 60000, .cache_bytes = 4ULL << 30, .max_memory_mib = 4096,
                           .max_output_mib = 64};
  char host[64] = "worker";
  gethostname(host, sizeof host - 1);
  snprintf(cfg.name, sizeof cfg.name, "%s-%d", host, (int)getpid());
  snprintf(cfg.cache, sizeof cfg.cache, "/var/cache/judgepool/worker");
  const char *runner_name = "judge";
  char err[1024];
  set_key(&cfg, &runner_name, "languages", "c,cpp,python3,java,go,rust,kotlin", err, sizeof err);
  int rc = jp_kvconf_args(argc, argv, opts, set_key_cb, &(struct setter_ctx){&cfg, &runner_name}, usage, err,
                          sizeof err);
  if (rc != 0) {
    if (rc < 0 && err[0]) fprintf(stderr, "judge-worker: %s\n", err);
    return rc > 0 ? 0 : 2;
  }
  if (!cfg.broker[0]) {
    fprintf(stderr, "judge-worker: --broker ENDPOINT is required (the broker's workers endpoint, e.g. "
                    "tcp://broker:7701)\n");
    usage(stderr);
    return 2;
  }
  /* authenticated unless told otherwise, like the broker */
  if (!insecure && (!certpath[0] || !brokerkey[0])) {
    fprintf(stderr, "judge-worker: --cert FILE and --broker-key FILE|Z85 are required (the broker "
                    "authenticates workers by key), or --insecure for a broker run with --insecure\n");
    return 2;
  }
  if (!insecure && jp_socket_set_identity(certpath, brokerkey, err, sizeof err) < 0) {
    fprintf(stderr, "judge-worker: %s\n", err);
    return 2;
  }
  if (insecure) fprintf(stderr, "judge-worker: --insecure: no authentication or encryption to the broker\n");
  struct runner runner;
  if (!strcmp(runner_name, "null")) runner_null(&runner);
  else if (!strcmp(runner_name, "fake")) runner_fake(&runner);
  else if (!strcmp(runner_name, "judge")) {
    if (runner_judge(&runner, cfg.cache, cfg.max_memory_mib, cfg.max_output_mib, err, sizeof err) < 0) {
      fprintf(stderr, "judge-worker: %s\n", err);
      return 1;
    }
  } else {
    fprintf(stderr, "judge-worker: unknown runner '%s' (judge, fake, null)\n", runner_name);
    return 2;
  }
  struct sigaction sa = {.sa_handler = on_signal};
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  rc = worker_run(&cfg, &runner, &stop, err, sizeof err);
  jp_socket_set_identity(NULL, NULL, NULL, 0); /* wipes the secret key */
  if (runner.close) runner.close(runner.state);
  if (rc < 0) {
    fprintf(stderr, "judge-worker: %s\n", err);
    return 1;
  }
  return 0;
}
