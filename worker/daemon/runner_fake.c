/* runner_fake.c — the null and fake runners (see runner.h): no box, no
 * files; for protocol tests, fault tests and the dispatch benchmark. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "runner.h"

static int null_judge(void *state, const struct jp_job *job, const char *problem_dir,
                      const char *const *sources, size_t nsources, const atomic_int *cancel,
                      runner_progress progress, runner_emit emit, void *ctx, char *err, size_t errlen) {
  (void)state, (void)job, (void)problem_dir, (void)sources, (void)nsources, (void)cancel, (void)progress;
  (void)err, (void)errlen;
  struct jp_result r = {.verdict = JP_V_AC, .score = 1};
  r.compile.ok = true;
  r.compile.message = "";
  emit(ctx, &r);
  return 0;
}

/* finds "key=" in a non-NUL-terminated buffer; returns the value start */
static const char *find(const struct jp_bytes *b, const char *key, size_t *rest) {
  size_t k = strlen(key);
  for (size_t i = 0; b->len >= k && i <= b->len - k; i++)
    if (!memcmp(b->data + i, key, k)) {
      *rest = b->len - i - k;
      return (const char *)b->data + i + k;
    }
  return NULL;
}

/* Sleeps ms in 10 ms steps, like a box run that polls for a cancel between
 * its limit checks; -1 when cancelled. */
static int sleep_unless_cancelled(long ms, const atomic_int *cancel) {
  for (; ms > 0; ms -= 10) {
    if (cancel && atomic_load(cancel)) return -1;
    struct timespec ts = {0, (ms < 10 ? ms : 10) * 1000000};
    nanosleep(&ts, NULL);
  }
  return cancel && atomic_load(cancel) ? -1 : 0;
}

static int fake_judge(void *state, const struct jp_job *job, const char *problem_dir,
                      const char *const *sources, size_t nsources, const atomic_int *cancel,
                      runner_progress progress, runner_emit emit, void *ctx, char *err, size_t errlen) {
  (void)state, (void)problem_dir, (void)sources, (void)nsources;
  enum jp_verdict v = JP_V_AC;
  long sleep_ms = 0;
  if (job->sub.nsources > 0) {
    const struct jp_bytes *src = &job->sub.sources[0].content;
    size_t rest;
    const char *p;
    if ((p = find(src, "verdict=", &rest))) {
      size_t n = 0;
      while (n < rest && n < 8 && p[n] >= 'A' && p[n] <= 'Z') n++;
      int pv = jp_verdict_parse(p, n);
      if (pv > 0) v = (enum jp_verdict)pv;
    }
    if ((p = find(src, "sleep=", &rest))) {
      for (size_t n = 0; n < rest && n < 7 && p[n] >= '0' && p[n] <= '9'; n++) sleep_ms = sleep_ms * 10 + (p[n] - '0');
    }
    if (find(src, "crash", &rest)) abort();
  }
  struct jp_test_result tests[3];
  static const char *const names[3] = {"sample/1", "secret/1", "secret/2"};
  for (uint32_t i = 0; i < 3; i++) {
    if (sleep_unless_cancelled(sleep_ms / 3, cancel) < 0) return jp_err(err, errlen, "cancelled");
    tests[i] = (struct jp_test_result){.name = names[i], .group = "", .verdict = i == 2 ? v : JP_V_AC,
                                       .cpu_ms = 10 * (i + 1), .wall_ms = 12 * (i + 1), .memory_kib = 1024,
                                       .exit_code = 0, .syscall = "", .message = ""};
    if (progress) progress(ctx, i, 3, &tests[i]);
  }
  struct jp_result r = {.verdict = v, .score = v == JP_V_AC ? 1 : 0, .tests = tests, .ntests = 3,
                        .max_cpu_ms = 30, .max_memory_kib = 1024};
  r.compile.ok = true;
  r.compile.message = "";
  emit(ctx, &r);
  return 0;
}

int runner_null(struct runner *r) {
  *r = (struct runner){.name = "null", .judge = null_judge};
  return 0;
}

int runner_fake(struct runner *r) {
  *r = (struct runner){.name = "fake", .judge = fake_judge};
  return 0;
}
