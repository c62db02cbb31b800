/* cmd_submit.c — `judge submit`: judge one submission with the embedded
 * engine (--local, the default) and print the result as a table (live
 * progress on stderr) or as one JSON object. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "judge_local.h"

static void usage(FILE *f) {
  fprintf(f, "usage: judge submit [--local] --problem DIR [--lang LANG] [--json] SOURCE...\n"
             "Judges one submission (one or more source files) against a problem package.\n\n");
  fputs(local_opts_help, f);
  fprintf(f, "\nExit status: 0 when judging worked (whatever the verdict), 2 for usage errors or a\n"
             "broken package.\n");
}

struct progress {
  int tty;
};

static void on_test(void *ctx, const struct judge_test_result *t, size_t done, size_t total) {
  struct progress *p = ctx;
  if (!p->tty)
    return;
  fprintf(stderr, "\r\033[K[%zu/%zu] %s %s", done, total, t->name, judge_verdict_name(t->verdict));
  fflush(stderr);
}

int cmd_submit(int argc, char **argv) {
  struct local_opts o;
  memset(&o, 0, sizeof o);
  o.stop = -1;
  static const struct option longopts[] = {LOCAL_LONGOPTS, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  int opt;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    if (opt == 'h') {
      usage(stdout);
      return 0;
    }
    int r = local_opt(&o, opt, optarg, "submit");
    if (r < 0)
      return 2;
    if (r == 0) {
      usage(stderr);
      return 2;
    }
  }
  if (!o.problem || optind >= argc) {
    fprintf(stderr, "judge submit: need --problem DIR and at least one SOURCE\n");
    usage(stderr);
    return 2;
  }
  if (o.parallel == 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    o.parallel = n > 0 ? n : 1;
  }
  /* two boxes per test for interactive problems, plus the compile box */
  if (!o.cfg.box_slots)
    o.cfg.box_slots = (uint32_t)(2 * o.parallel + 2);
  struct judge_engine *e;
  if (local_engine_open(&e, &o, "submit") < 0)
    return 2;
  struct progress pr = {isatty(2)};
  struct judge_request req = {
      .problem_dir = o.problem,
      .lang = o.lang,
      .sources = (const char *const *)(argv + optind),
      .nsources = (size_t)(argc - optind),
      .stop_at_first_failure = o.stop,
      .progress = on_test,
      .progress_ctx = &pr,
      .parallel_tests = (uint32_t)o.parallel,
  };
  if (pr.tty)
    fprintf(stderr, "compiling...");
  struct judge_result res;
  char err[4096];
  int rc = judge_submission(e, &req, &res, err, sizeof err);
  if (pr.tty)
    fprintf(stderr, "\r\033[K");
  judge_engine_close(e);
  if (rc < 0) {
    fprintf(stderr, "judge submit: %s\n", err);
    return 2;
  }
  char id[33];
  new_submission_id(id);
  if (o.json) {
    char *s = result_json(&res, id, NULL);
    if (!s) {
      judge_result_free(&res);
      fprintf(stderr, "judge submit: out of memory\n");
      return 2;
    }
    printf("%s\n", s);
    free(s);
  } else {
    result_table(stdout, &res, isatty(1));
  }
  judge_result_free(&res);
  return fflush(stdout) == 0 ? 0 : 2;
}
