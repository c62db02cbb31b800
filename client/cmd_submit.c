/* cmd_submit.c — `judge submit`: judge one submission with the embedded
 * engine (--local, the default) or in a pool (--broker: judge-net only; the
 * lean `judge` execs judge-net for it) and print the result as a table
 * (live progress on stderr) or as one JSON object. */
#include <ctype.h>
#include <getopt.h>
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

static void usage(FILE *f) {
  fprintf(f, "usage: judge submit [--local] --problem DIR [--lang LANG] [--json] SOURCE...\n"
             "       judge submit --broker ENDPOINT --problem DIR [--priority P] [--id ID]\n"
             "                    [--wait SEC | --no-wait] [--json] SOURCE...\n"
             "Judges one submission (one or more source files) against a problem package,\n"
             "here (--local) or in a pool (--broker); the output is the same.\n\n");
  fputs(local_opts_help, f);
  fputs(broker_opts_help, f);
  fputs(auth_opts_help, f);
  fprintf(f, "  --id ID                the submission's id (letters, digits, . _ -; at most 64):\n"
             "                         submitting the same id again is harmless (default: a fresh one)\n"
             "\nExit status: 0 when judging worked (whatever the verdict), 2 for usage errors, a\n"
             "broken package or an unreachable broker, 3 when --wait ran out before the verdict.\n");
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

/* The same rendering for both modes: JSON object or table; exit status. */
static int print_result(const struct judge_result *res, const char *id, int json) {
  if (json) {
    char *s = result_json(res, id, NULL);
    if (!s) {
      fprintf(stderr, "judge submit: out of memory\n");
      return 2;
    }
    printf("%s\n", s);
    free(s);
  } else {
    result_table(stdout, res, isatty(1));
  }
  return fflush(stdout) == 0 ? 0 : 2;
}

#ifndef JP_LEAN
/* Client-chosen ids travel to the broker and into its journal and logs. */
static int valid_id(const char *id) {
  size_t n = strlen(id);
  if (n == 0 || n > 64)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!isalnum((unsigned char)id[i]) && !strchr("._-", id[i]))
      return 0;
  return 1;
}

/* Live progress of a pool submission on a terminal, in --local's form. */
static int on_event(void *ctx, const struct jp_event *e) {
  const struct progress *p = ctx;
  if (!p->tty)
    return 0;
  if (e->kind == JP_EV_TEST && e->total) /* an older worker does not say the total */
    fprintf(stderr, "\r\033[K[%u/%u] %s %s", e->index + 1, e->total, e->test.name, jp_verdict_name(e->test.verdict));
  else if (e->kind == JP_EV_TEST)
    fprintf(stderr, "\r\033[K[%u] %s %s", e->index + 1, e->test.name, jp_verdict_name(e->test.verdict));
  else if (e->kind == JP_EV_QUEUED)
    fprintf(stderr, "\r\033[K%s: queued", e->sid);
  else if (e->kind == JP_EV_STARTED)
    fprintf(stderr, "\r\033[Kcompiling%s", e->attempt > 1 ? " (again: the last worker was lost)" : "...");
  else if (e->kind == JP_EV_REQUEUED)
    fprintf(stderr, "\r\033[K%s: requeued after attempt %u", e->sid, e->attempt);
  fflush(stderr);
  return 0;
}

static int submit_broker(const struct local_opts *o, const struct broker_opts *b, const char *id,
                         const char *const *srcs, size_t n) {
  struct jpc *c;
  struct jpc_problem *p;
  if (broker_open(b, o->problem, "submit", &c, &p) < 0)
    return 2;
  const char *lang = o->lang ? o->lang : jpc_lang_for_file(srcs[0]);
  struct jpc_submission s = {.sid = id, .lang = o->lang, .sources = srcs, .nsources = n,
                             .priority = b->prio_set ? b->prio : JP_PRIO_NORMAL, .stop_at_first_failure = o->stop == 1,
                             .all_tests = o->stop == 0, .watch = !b->no_wait};
  char sid[JP_PROTO_MAX_SID + 1], err[1024];
  int dup = 0, ex = 2;
  if (jpc_submit(c, p, &s, sid, &dup, err, sizeof err) < 0) {
    broker_explain("submit", b->endpoint, err);
    goto out;
  }
  if (dup)
    fprintf(stderr, "judge submit: the broker already had %s; showing that submission\n", sid);
  if (b->no_wait) {
    if (o->json)
      print_id_json(NULL, sid, dup);
    else
      printf("%s\n", sid);
    ex = 0;
    goto out;
  }
  /* the SUBMIT asked to be watched: its events come on this connection
   * (a duplicate may be final already: WATCH answers that at once) */
  struct progress pr = {isatty(2)};
  if (pr.tty)
    fprintf(stderr, "%s: queued", sid);
  struct jp_msg r;
  int rc = jpc_follow(c, sid, !dup, b->wait_s > 0 ? b->wait_s * 1000 : 0, on_event, &pr, &r, err, sizeof err);
  if (pr.tty)
    fprintf(stderr, "\r\033[K");
  if (rc < 0) {
    broker_explain("submit", b->endpoint, err);
    goto out;
  }
  if (rc == 0) {
    fprintf(stderr, "judge submit: %s: no verdict within %d s; it stays queued ('judge result %s' later)\n", sid,
            b->wait_s, sid);
    jp_msg_free(&r);
    ex = 3;
    goto out;
  }
  if (r.u.result.state == JP_ST_CANCELLED || !r.u.result.has_result) {
    fprintf(stderr, "judge submit: %s was %s before a verdict\n", sid, jp_state_name(r.u.result.state));
    jp_msg_free(&r);
    goto out;
  }
  struct judge_result res;
  if (result_from_wire(&r.u.result.result, lang, &res) < 0) {
    fprintf(stderr, "judge submit: out of memory\n");
    judge_result_free(&res);
    jp_msg_free(&r);
    goto out;
  }
  jp_msg_free(&r);
  ex = print_result(&res, sid, o->json);
  judge_result_free(&res);
out:
  jpc_problem_free(p);
  jpc_close(c);
  return ex;
}
#endif

int cmd_submit(int argc, char **argv) {
  struct local_opts o;
  memset(&o, 0, sizeof o);
  o.stop = -1;
#ifndef JP_LEAN
  struct broker_opts b;
  broker_opts_init(&b);
  const char *id = NULL;
#endif
  static const struct option longopts[] = {LOCAL_LONGOPTS, BROKER_LONGOPTS, {"id", required_argument, NULL, 'I'},
                                           {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  int opt;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    if (opt == 'h') {
      usage(stdout);
      return 0;
    }
#ifdef JP_LEAN
    if (IS_BROKER_OPT(opt) || opt == 'I')
      return net_exec("submit");
#else
    int r = broker_opt(&b, opt, optarg, "submit");
    if (r < 0)
      return 2;
    if (r > 0)
      continue;
    if (opt == 'I') {
      if (!valid_id(optarg)) {
        fprintf(stderr, "judge submit: --id must be 1-64 letters, digits, '.', '_' or '-', not '%s'\n", optarg);
        return 2;
      }
      id = optarg;
      continue;
    }
    broker_note_local(&b, opt, longopts);
#endif
    int r2 = local_opt(&o, opt, optarg, "submit");
    if (r2 < 0)
      return 2;
    if (r2 == 0) {
      usage(stderr);
      return 2;
    }
  }
  if (!o.problem || optind >= argc) {
    fprintf(stderr, "judge submit: need --problem DIR and at least one SOURCE\n");
    usage(stderr);
    return 2;
  }
#ifndef JP_LEAN
  if (broker_opts_check(&b, 1, id != NULL, "submit") < 0)
    return 2;
  if (b.endpoint) {
    if ((size_t)(argc - optind) > JP_PROTO_MAX_SOURCES) {
      fprintf(stderr, "judge submit: a pool submission has at most %u source files\n", JP_PROTO_MAX_SOURCES);
      return 2;
    }
    return submit_broker(&o, &b, id, (const char *const *)(argv + optind), (size_t)(argc - optind));
  }
#endif
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
  char local_id[33];
  new_submission_id(local_id);
  int ex = print_result(&res, local_id, o.json);
  judge_result_free(&res);
  return ex;
}
