/* runner_judge_missing.c — stands in for runner_judge.c while the judging
 * engine (worker/judge) is not part of the build. */
#include "err.h"
#include "runner.h"

int runner_judge(struct runner *r, const char *cache_dir, uint64_t max_memory_mib, uint64_t max_output_mib,
                 char *err, size_t errlen) {
  (void)r, (void)cache_dir, (void)max_memory_mib, (void)max_output_mib;
  return jp_err(err, errlen, "this judge-worker was built without the judging engine; use --runner fake or null");
}
