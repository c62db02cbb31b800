/* runner.h — what the worker daemon calls to judge one job. Injectable so
 * the broker/worker protocol can be tested and benchmarked without the box:
 * "null" answers AC at once, "fake" derives a deterministic verdict from the
 * source text, "judge" is the real engine (worker/judge). */
#ifndef JP_RUNNER_H
#define JP_RUNNER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* index: 0-based position of the test in the run; total: tests of the
 * problem (0 when unknown). */
typedef void (*runner_progress)(void *ctx, uint32_t index, uint32_t total, const struct jp_test_result *t);
/* Called exactly once per successful judge() with the final result; the
 * pointers need only live during the call. */
typedef void (*runner_emit)(void *ctx, const struct jp_result *r);

struct runner {
  const char *name;
  int needs_files; /* the daemon materialises the problem and sources first */
  void *state;
  /* 0 after calling emit once; -1 with err when no verdict could be made
   * (the daemon then reports IE with the message). Once *cancel is
   * non-zero (CANCEL_JOB, or the drain deadline) the runner ends as soon as
   * it can: the daemon drops whatever it returns. */
  int (*judge)(void *state, const struct jp_job *job, const char *problem_dir,
               const char *const *sources, size_t nsources, const atomic_int *cancel,
               runner_progress progress, runner_emit emit, void *ctx, char *err, size_t errlen);
  void (*close)(void *state);
};

/* "null" and "fake" (runner_fake.c). Fake understands, anywhere in the first
 * source: "verdict=XX" (default AC), "sleep=MS" (before answering; cut
 * short by a cancel), "crash" (the worker process aborts: a job that kills
 * workers). */
int runner_null(struct runner *r);
int runner_fake(struct runner *r);
/* The real engine (runner_judge.c); -1 with err when it is not built or
 * cannot start. max_memory_mib, max_output_mib: the ceilings of
 * judge_config (a package asking for more is answered IE). */
int runner_judge(struct runner *r, const char *cache_dir, uint64_t max_memory_mib, uint64_t max_output_mib,
                 char *err, size_t errlen);

#endif
