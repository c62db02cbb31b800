/* judge.h — the judging engine: judge one submission against a Kattis/ICPC
 * problem package (compile once in the box, run every test in the box,
 * validate, aggregate). `judge submit --local`, `judge batch --local` and the
 * worker daemon all call exactly this.
 *
 * Thread-safety: one engine per process; judge_submission may be called from
 * several threads at once (each call takes its own box slots). */
#ifndef JP_JUDGE_H
#define JP_JUDGE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
  JUDGE_AC = 0,
  JUDGE_WA,
  JUDGE_TLE,
  JUDGE_MLE,
  JUDGE_OLE,
  JUDGE_RTE,
  JUDGE_CE,
  JUDGE_SV,
  JUDGE_IE,
  JUDGE_SKIPPED, /* per test only: not run (stopped at an earlier failure) */
} judge_verdict;

#define JUDGE_NAME_MAX 128       /* test and group names (longer ones are truncated) */
#define JUDGE_MESSAGE_MAX 1024   /* per-test validator message, capped */
#define JUDGE_COMPILE_MSG_MAX 8192

struct judge_config {
  const char *languages_path;    /* language table (YAML); NULL = the built-in table */
  uint64_t default_time_limit_ms; /* when problem.yaml has no time_limit; 0 = 2000 */
  double wall_multiplier;        /* wall limit = multiplier x CPU limit; 0 = 3 */
  uint32_t box_slots;            /* concurrent boxes; 0 = 2 x cores + 2 */
  const char *cache_dir;         /* built validators; NULL = /var/cache/judgepool/validators */
  const char *box_state_dir;     /* NULL = box default */
  const char *cgroup_root;       /* NULL = detect */
  uint64_t compile_time_ms;      /* 0 = 60000 (CPU), wall = 2x */
  uint64_t compile_memory_mib;   /* 0 = 2048 */
  /* Ceilings for what a package may ask for (problem.yaml limits.memory,
   * limits.output); a package over one is refused (judge_submission -1,
   * the worker's IE) instead of judged: the run would hold that much RAM,
   * and the program's output goes to a host temp file. 0 = only the
   * package format's own bounds (64 GiB, 4 GiB): trusted local use. */
  uint64_t max_memory_mib;
  uint64_t max_output_mib;
};

struct judge_test_result {
  char name[JUDGE_NAME_MAX];  /* e.g. "secret/group1/003" (path under data/, no extension) */
  char group[JUDGE_NAME_MAX]; /* e.g. "secret/group1" */
  judge_verdict verdict;
  double score;               /* scoring problems */
  uint64_t cpu_ms, wall_ms, memory_kib;
  int exit_code, signal;
  char syscall[48];           /* for SV */
  char message[JUDGE_MESSAGE_MAX];
};

struct judge_result {
  judge_verdict verdict;
  int scoring;                /* 1 if the problem is a scoring problem */
  double score;
  uint64_t cpu_ms, wall_ms, memory_kib; /* maxima over the tests that ran */
  char lang[32];
  struct {
    int ok;
    char message[JUDGE_COMPILE_MSG_MAX];
    uint64_t cpu_ms;
  } compile;
  struct judge_test_result *tests; /* every test of the package, in order */
  size_t ntests;
  char message[512];          /* why IE, when the verdict is IE */
};

/* Called after each test finishes (done tests of total). */
typedef void (*judge_progress_fn)(void *ctx, const struct judge_test_result *t,
                                  size_t done, size_t total);

struct judge_request {
  const char *problem_dir;
  const char *lang;               /* Kattis id ("c", "cpp", "python3", ...); NULL = from extension */
  const char *const *sources;     /* host paths */
  size_t nsources;
  int stop_at_first_failure;      /* -1 = problem default (pass-fail: yes; scoring: on_reject) */
  judge_progress_fn progress;     /* may be NULL; called in order, from the calling thread */
  void *progress_ctx;
  /* 0 or 1: one test at a time. N > 1: up to N tests run at once in
   * separate boxes, ahead of the in-order verdict logic (same verdicts,
   * more throughput; costs N box slots, 2N for interactive problems). */
  uint32_t parallel_tests;
  /* May be NULL. Once *cancel is non-zero the judging ends early: no
   * compile or test starts, the box run in progress is killed, and the
   * verdict is IE "cancelled" (the worker's job was cancelled or its drain
   * deadline passed; nobody wants the result). */
  const atomic_int *cancel;
};

struct judge_engine;

/* 0 on success, -1 with err (what, on what, what to do). A bad language
 * table is refused here with its file and line. */
int judge_engine_open(struct judge_engine **out, const struct judge_config *cfg,
                      char *err, size_t errlen);
void judge_engine_close(struct judge_engine *e);

/* Judges one submission. Returns 0 when a verdict was produced (any verdict,
 * incl. CE and IE for box failures) and -1 for a broken package or a bad
 * request (unknown language, unreadable source), with err naming the file.
 * On 0 the caller frees *out with judge_result_free. */
int judge_submission(struct judge_engine *e, const struct judge_request *req,
                     struct judge_result *out, char *err, size_t errlen);
void judge_result_free(struct judge_result *r);

/* Checks a problem package without judging anything: loads it (every
 * bound and containment check) and builds its output validator. 0 or -1
 * with err naming the offending file. */
int judge_check_problem(struct judge_engine *e, const char *problem_dir, char *err, size_t errlen);

/* The language id for a file name by extension, or NULL. */
const char *judge_lang_for_file(const struct judge_engine *e, const char *path);

const char *judge_verdict_name(judge_verdict v); /* "AC", "WA", ... */
int judge_verdict_parse(const char *name, judge_verdict *out);

#endif
