/* runner_judge.c — the real runner: worker/judge's engine, called exactly
 * as `judge submit --local` calls it, its result translated to the wire. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "judge.h"
#include "runner.h"

static enum jp_verdict wire_verdict(judge_verdict v) {
  const char *n = judge_verdict_name(v);
  int w = n ? jp_verdict_parse(n, strlen(n)) : -1;
  return w > 0 ? (enum jp_verdict)w : JP_V_NONE; /* SKIPPED: not run */
}

static void wire_test(const struct judge_test_result *t, struct jp_test_result *o) {
  *o = (struct jp_test_result){.name = t->name, .group = t->group, .verdict = wire_verdict(t->verdict),
                               .cpu_ms = (uint32_t)t->cpu_ms, .wall_ms = (uint32_t)t->wall_ms,
                               .memory_kib = t->memory_kib, .exit_code = t->exit_code, .signal = t->signal,
                               .syscall = t->syscall, .message = t->message, .score = t->score};
}

struct progress_ctx {
  runner_progress fn;
  void *ctx;
};

static void on_progress(void *c, const struct judge_test_result *t, size_t done, size_t total) {
  struct progress_ctx *pc = c;
  struct jp_test_result w;
  wire_test(t, &w);
  if (pc->fn) pc->fn(pc->ctx, done ? (uint32_t)(done - 1) : 0, (uint32_t)total, &w);
}

static int judge_run(void *state, const struct jp_job *job, const char *problem_dir,
                     const char *const *sources, size_t nsources, const atomic_int *cancel,
                     runner_progress progress, runner_emit emit, void *ctx, char *err, size_t errlen) {
  struct judge_engine *e = state;
  struct progress_ctx pc = {progress, ctx};
  struct judge_request req = {.problem_dir = problem_dir, .lang = job->sub.lang, .sources = sources,
                              .nsources = nsources,
                              .stop_at_first_failure = job->sub.options.stop_at_first_failure ? 1
                                                       : job->sub.options.all_tests              ? 0
                                                                                                 : -1,
                              .progress = on_progress, .progress_ctx = &pc, .cancel = cancel};
  struct judge_result jr;
  memset(&jr, 0, sizeof jr);
  if (judge_submission(e, &req, &jr, err, errlen) < 0) return -1;
  struct jp_test_result *tests = calloc(jr.ntests ? jr.ntests : 1, sizeof *tests);
  if (!tests) {
    judge_result_free(&jr);
    return jp_errno(err, errlen, "allocating %zu test results", jr.ntests);
  }
  for (size_t i = 0; i < jr.ntests; i++) wire_test(&jr.tests[i], &tests[i]);
  struct jp_result r = {.verdict = wire_verdict(jr.verdict), .score = jr.score, .tests = tests,
                        .ntests = jr.ntests, .max_cpu_ms = (uint32_t)jr.cpu_ms, .max_memory_kib = jr.memory_kib};
  r.scoring = jr.scoring != 0;
  r.compile.ok = jr.compile.ok != 0;
  r.compile.message = jr.verdict == JUDGE_IE && jr.message[0] ? jr.message : jr.compile.message;
  r.compile.cpu_ms = (uint32_t)jr.compile.cpu_ms;
  emit(ctx, &r);
  free(tests);
  judge_result_free(&jr);
  return 0;
}

static void judge_close(void *state) { judge_engine_close(state); }

int runner_judge(struct runner *r, const char *cache_dir, uint64_t max_memory_mib, uint64_t max_output_mib,
                 char *err, size_t errlen) {
  struct judge_config cfg = {.max_memory_mib = max_memory_mib, .max_output_mib = max_output_mib};
  static char vdir[4096];
  snprintf(vdir, sizeof vdir, "%s/validators", cache_dir);
  cfg.cache_dir = vdir;
  struct judge_engine *e;
  if (judge_engine_open(&e, &cfg, err, errlen) < 0) return -1;
  *r = (struct runner){.name = "judge", .needs_files = 1, .state = e, .judge = judge_run, .close = judge_close};
  return 0;
}
