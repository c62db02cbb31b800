/* cmd_batch.c — `judge batch`: judge many single-file submissions against
 * one problem (contest rejudges, fuzzing campaigns of escape payloads) on
 * every core, with a progress bar on stderr, one line (or JSON line) per
 * submission, and a summary of verdicts and of denied system calls. With
 * --broker (judge-net; the lean `judge` execs judge-net for it) the files
 * go to a pool instead and the output is the same. */
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <time.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "judge_local.h"
#ifdef JP_LEAN
#include "net_exec.h"
#else
#include "judge_broker.h"
#endif

#define MAX_SYSCALLS 64

static void usage(FILE *f) {
  fprintf(f, "usage: judge batch [--local] --problem DIR [--lang LANG] [--json] [--jobs N] FILE...\n"
             "       judge batch --broker ENDPOINT --problem DIR [--priority P] [--wait SEC | --no-wait]\n"
             "                   [--lang LANG] [--json] FILE...\n"
             "Judges each FILE as its own submission, in parallel: here (--local) or in a pool\n"
             "(--broker, default priority bulk); the output is the same.\n\n");
  fputs(local_opts_help, f);
  fprintf(f, "  --jobs N               submissions judged at once (default: number of cores; --local)\n");
  fputs(broker_opts_help, f);
  fputs(auth_opts_help, f);
  fprintf(f, "\nExit status: 0 when every submission was judged (whatever the verdicts), 2 for\n"
             "usage errors, a broken package, an unreachable broker or a file that could not be\n"
             "judged (or was not judged within --wait).\n");
}

struct batch {
  struct judge_engine *e;
  struct local_opts *o;
  char **files;
  size_t nfiles, next, done;
  int tty_err, tty_out, failed;
  size_t counts[JUDGE_SKIPPED + 1];
  struct {
    char name[48];
    size_t n;
  } sys[MAX_SYSCALLS];
  size_t nsys;
  pthread_mutex_t mu;
};

static void bar(struct batch *b) {
  if (!b->tty_err)
    return;
  int width = 30, fill = b->nfiles ? (int)(b->done * (size_t)width / b->nfiles) : width;
  fprintf(stderr, "\r\033[K[%.*s%*s] %zu/%zu", fill, "##############################", width - fill, "", b->done,
          b->nfiles);
  fflush(stderr);
}

static void record(struct batch *b, const char *file, const struct judge_result *r, const char *sid) {
  b->counts[r->verdict <= JUDGE_SKIPPED ? r->verdict : JUDGE_IE]++;
  if (r->verdict == JUDGE_SV)
    for (size_t i = 0; i < r->ntests; i++) {
      const char *sc = r->tests[i].syscall;
      if (r->tests[i].verdict != JUDGE_SV)
        continue;
      if (!sc[0])
        sc = "(unknown)";
      size_t k = 0;
      while (k < b->nsys && strcmp(b->sys[k].name, sc))
        k++;
      if (k == b->nsys && b->nsys < MAX_SYSCALLS)
        snprintf(b->sys[b->nsys++].name, sizeof b->sys[0].name, "%s", sc);
      if (k < b->nsys)
        b->sys[k].n++;
      break; /* one per submission */
    }
  if (b->tty_err)
    fprintf(stderr, "\r\033[K");
  if (b->o->json) {
    char id[33];
    if (!sid)
      new_submission_id(id);
    char *s = result_json(r, sid ? sid : id, file);
    if (s) {
      printf("%s\n", s);
      free(s);
    }
  } else {
    int c = b->tty_out;
    printf("%-50s %s%-4s%s", file, verdict_colour(r->verdict, c), judge_verdict_name(r->verdict), c ? "\033[0m" : "");
    if (r->scoring)
      printf(" score %-6g", r->score);
    printf(" cpu %5llu ms  mem %7llu KiB", (unsigned long long)r->cpu_ms, (unsigned long long)r->memory_kib);
    for (size_t i = 0; i < r->ntests; i++)
      if (r->tests[i].verdict != JUDGE_AC && r->tests[i].verdict != JUDGE_SKIPPED) {
        printf("  (%s", r->tests[i].name);
        if (r->tests[i].verdict == JUDGE_SV && r->tests[i].syscall[0])
          printf(": %s", r->tests[i].syscall);
        printf(")");
        break;
      }
    if (r->verdict == JUDGE_IE && r->message[0])
      printf("  %.200s", r->message);
    printf("\n");
  }
  fflush(stdout);
}

static void *worker(void *arg) {
  struct batch *b = arg;
  for (;;) {
    pthread_mutex_lock(&b->mu);
    if (b->next >= b->nfiles) {
      pthread_mutex_unlock(&b->mu);
      return NULL;
    }
    size_t i = b->next++;
    pthread_mutex_unlock(&b->mu);
    const char *file = b->files[i];
    struct judge_request req = {
        .problem_dir = b->o->problem,
        .lang = b->o->lang,
        .sources = (const char *const *)&b->files[i],
        .nsources = 1,
        .stop_at_first_failure = b->o->stop,
        .parallel_tests = (uint32_t)b->o->parallel,
    };
    struct judge_result res;
    char err[4096];
    int rc = judge_submission(b->e, &req, &res, err, sizeof err);
    pthread_mutex_lock(&b->mu);
    b->done++;
    if (rc < 0) {
      if (b->tty_err)
        fprintf(stderr, "\r\033[K");
      fprintf(stderr, "judge batch: %s: %s\n", file, err);
      b->failed = 1;
    } else {
      record(b, file, &res, NULL);
      judge_result_free(&res);
    }
    bar(b);
    pthread_mutex_unlock(&b->mu);
  }
}

#ifndef JP_LEAN
static int64_t jp_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Submits every file (a window of 64 in flight, waiting out a full queue),
 * then collects the verdicts in file order. */
static int batch_broker(struct batch *b, const struct broker_opts *bo) {
  struct jpc *c;
  struct jpc_problem *p;
  if (broker_open(bo, b->o->problem, "batch", &c, &p) < 0)
    return -1;
  struct jpc_submission *subs = calloc(b->nfiles, sizeof *subs);
  char(*sids)[JP_PROTO_MAX_SID + 1] = calloc(b->nfiles, sizeof *sids);
  char err[1024];
  int rc = -1;
  if (!subs || !sids) {
    fprintf(stderr, "judge batch: out of memory for %zu submissions\n", b->nfiles);
    goto out;
  }
  for (size_t i = 0; i < b->nfiles; i++)
    subs[i] = (struct jpc_submission){.lang = b->o->lang, .sources = (const char *const *)&b->files[i],
                                      .nsources = 1, .priority = bo->prio_set ? bo->prio : JP_PRIO_BULK,
                                      .stop_at_first_failure = b->o->stop == 1, .all_tests = b->o->stop == 0};
  if (b->tty_err)
    fprintf(stderr, "submitting %zu files...", b->nfiles);
  if (jpc_submit_many(c, p, subs, b->nfiles, 64, sids, err, sizeof err) < 0) {
    if (b->tty_err)
      fprintf(stderr, "\r\033[K");
    broker_explain("batch", bo->endpoint, err);
    goto out;
  }
  if (b->tty_err)
    fprintf(stderr, "\r\033[K");
  rc = 0;
  if (bo->no_wait) {
    for (size_t i = 0; i < b->nfiles; i++)
      if (b->o->json)
        print_id_json(b->files[i], sids[i], -1);
      else
        printf("%-50s %s\n", b->files[i], sids[i]);
    goto out;
  }
  int64_t deadline = bo->wait_s > 0 ? jp_now_ms() + (int64_t)bo->wait_s * 1000 : INT64_MAX;
  bar(b);
  for (size_t i = 0; i < b->nfiles; i++) {
    int64_t left = deadline - jp_now_ms();
    int wait_ms = left > INT_MAX ? INT_MAX : left < 1 ? 1 : (int)left;
    struct jp_msg r;
    int got = jpc_result(c, sids[i], wait_ms, &r, err, sizeof err);
    b->done++;
    if (b->tty_err)
      fprintf(stderr, "\r\033[K");
    if (got < 0) {
      fprintf(stderr, "judge batch: %s (%s): %s\n", b->files[i], sids[i], err);
      b->failed = 1;
    } else if (got == 0 || r.u.result.state == JP_ST_CANCELLED || !r.u.result.has_result) {
      fprintf(stderr, "judge batch: %s (%s): %s\n", b->files[i], sids[i],
              got == 0 ? "no verdict within --wait; it stays queued" : "cancelled before a verdict");
      b->failed = 1;
    } else {
      struct judge_result jr;
      const char *lang = b->o->lang ? b->o->lang : jpc_lang_for_file(b->files[i]);
      if (result_from_wire(&r.u.result.result, lang, &jr) == 0)
        record(b, b->files[i], &jr, sids[i]);
      else
        b->failed = 1;
      judge_result_free(&jr);
    }
    if (got >= 0)
      jp_msg_free(&r);
    bar(b);
  }
  if (b->tty_err)
    fprintf(stderr, "\r\033[K");
out:
  free(subs);
  free(sids);
  jpc_problem_free(p);
  jpc_close(c);
  return rc;
}
#endif

static void summary(FILE *f, const struct batch *b) {
  fprintf(f, "\nsummary: %zu submission%s\n", b->nfiles, b->nfiles == 1 ? "" : "s");
  for (int v = 0; v < JUDGE_SKIPPED; v++)
    if (b->counts[v])
      fprintf(f, "  %-4s %6zu\n", judge_verdict_name((judge_verdict)v), b->counts[v]);
  size_t judged = 0;
  for (int v = 0; v <= JUDGE_SKIPPED; v++)
    judged += b->counts[v];
  if (judged < b->nfiles)
    fprintf(f, "  not judged %zu\n", b->nfiles - judged);
  if (b->nsys) {
    fprintf(f, "denied system calls (SV):\n");
    for (size_t i = 0; i < b->nsys; i++)
      fprintf(f, "  %-24s %6zu\n", b->sys[i].name, b->sys[i].n);
  }
}

int cmd_batch(int argc, char **argv) {
  struct local_opts o;
  memset(&o, 0, sizeof o);
  o.stop = -1;
  long jobs = sysconf(_SC_NPROCESSORS_ONLN);
#ifndef JP_LEAN
  struct broker_opts bo;
  broker_opts_init(&bo);
#endif
  static const struct option longopts[] = {LOCAL_LONGOPTS, BROKER_LONGOPTS, {"jobs", required_argument, NULL, 'J'},
                                           {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  int opt;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "hJ:", longopts, NULL)) != -1) {
    if (opt == 'h') {
      usage(stdout);
      return 0;
    }
#ifdef JP_LEAN
    if (IS_BROKER_OPT(opt))
      return net_exec("batch");
#else
    int rb = broker_opt(&bo, opt, optarg, "batch");
    if (rb < 0)
      return 2;
    if (rb > 0)
      continue;
    broker_note_local(&bo, opt, longopts);
#endif
    if (opt == 'J') {
      char *end;
      jobs = strtol(optarg, &end, 10);
      if (*end || jobs < 1 || jobs > 256) {
        fprintf(stderr, "judge batch: --jobs must be 1..256, not '%s'\n", optarg);
        return 2;
      }
      continue;
    }
    int r = local_opt(&o, opt, optarg, "batch");
    if (r < 0)
      return 2;
    if (r == 0) {
      usage(stderr);
      return 2;
    }
  }
  if (!o.problem || optind >= argc) {
    fprintf(stderr, "judge batch: need --problem DIR and at least one FILE\n");
    usage(stderr);
    return 2;
  }
#ifndef JP_LEAN
  if (broker_opts_check(&bo, 0, 0, "batch") < 0)
    return 2;
  if (bo.endpoint) {
    struct batch b;
    memset(&b, 0, sizeof b);
    b.o = &o;
    b.files = argv + optind;
    b.nfiles = (size_t)(argc - optind);
    b.tty_err = isatty(2);
    b.tty_out = isatty(1);
    if (batch_broker(&b, &bo) < 0)
      return 2;
    if (!bo.no_wait)
      summary(o.json ? stderr : stdout, &b);
    fflush(stdout);
    return b.failed ? 2 : 0;
  }
#endif
  if (jobs < 1)
    jobs = 1;
  /* interactive problems take two boxes per submission */
  if (o.parallel == 0)
    o.parallel = 1;
  if (!o.cfg.box_slots)
    o.cfg.box_slots = (uint32_t)(2 * jobs * o.parallel + 2);
  struct batch b;
  memset(&b, 0, sizeof b);
  if (local_engine_open(&b.e, &o, "batch") < 0)
    return 2;
  b.o = &o;
  char err[4096];
  if (judge_check_problem(b.e, o.problem, err, sizeof err) < 0) {
    fprintf(stderr, "judge batch: %s\n", err);
    judge_engine_close(b.e);
    return 2;
  }
  b.files = argv + optind;
  b.nfiles = (size_t)(argc - optind);
  b.tty_err = isatty(2);
  b.tty_out = isatty(1);
  pthread_mutex_init(&b.mu, NULL);
  if ((size_t)jobs > b.nfiles)
    jobs = (long)b.nfiles;
  pthread_t th[256];
  long started = 0;
  for (long i = 0; i < jobs; i++)
    if (pthread_create(&th[i], NULL, worker, &b) == 0)
      started++;
  if (started == 0)
    worker(&b);
  for (long i = 0; i < started; i++)
    pthread_join(th[i], NULL);
  if (b.tty_err)
    fprintf(stderr, "\r\033[K");
  judge_engine_close(b.e);
  summary(o.json ? stderr : stdout, &b);
  pthread_mutex_destroy(&b.mu);
  fflush(stdout);
  return b.failed ? 2 : 0;
}
