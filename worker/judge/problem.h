/* problem.h — a problem package in memory: problem.yaml (legacy and
 * 2023-07 / 2025-09 formats), the test groups under data/ with their
 * inherited testdata.yaml / test_group.yaml settings, and the output
 * validator to use. Everything read is bounded and confined to the package;
 * a broken or hostile package gives -1 with the offending file named. */
#ifndef JP_PROBLEM_H
#define JP_PROBLEM_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "judge.h"

#define PROBLEM_MAX_TESTS 10000
#define PROBLEM_MAX_GROUP_DEPTH 10
#define PROBLEM_MAX_DIR_ENTRIES 20000
#define PROBLEM_MAX_GROUPS 10000
#define PROBLEM_MAX_FLAGS 64

enum { AGG_SUM = 0, AGG_MIN };
enum { VERDICT_FIRST_ERROR = 0, VERDICT_WORST_ERROR, VERDICT_ALWAYS_ACCEPT };
enum { VAL_DEFAULT = 0, VAL_CUSTOM, VAL_TESTLIB };

/* Settings of one test group, after inheritance from its parents. */
struct tdsettings {
  int agg;              /* AGG_SUM / AGG_MIN */
  int verdict_mode;     /* VERDICT_* */
  int accept_if_any;    /* accept_if_any_accepted */
  int ignore_sample;
  double accept_score, reject_score;
  int has_range;
  double range_lo, range_hi;
  int on_reject_break;
  char *out_flags[PROBLEM_MAX_FLAGS]; /* output_validator_flags (owned copies) */
  size_t nout_flags;
};

struct tgroup;
struct titem {
  struct tgroup *group; /* a subgroup, or NULL for a test case */
  size_t test;          /* index into problem.tests */
};

struct tgroup {
  char name[JUDGE_NAME_MAX]; /* "data", "sample", "secret/group1" */
  int is_sample;
  struct tdsettings set;
  struct titem *items;
  size_t nitems;
};

struct tcase {
  char name[JUDGE_NAME_MAX];  /* "secret/group1/003" */
  char in_path[PATH_MAX];     /* resolved, inside the package */
  char ans_path[PATH_MAX];
  const struct tgroup *group;
};

struct problem {
  char root[PATH_MAX];        /* realpath of the package */
  char name[128];
  int new_format;
  int scoring, interactive;
  uint64_t time_limit_ms;     /* 0 = not given: the judge default applies */
  uint64_t memory_mib, output_mib;
  int vkind;                  /* VAL_* */
  char vdir[PATH_MAX];        /* validator sources (VAL_CUSTOM / VAL_TESTLIB) */
  char *vflags[PROBLEM_MAX_FLAGS]; /* problem.yaml validator_flags */
  size_t nvflags;
  struct tgroup *data;        /* root group: sample, then secret */
  struct tcase *tests;
  size_t ntests;
};

int problem_load(struct problem *p, const char *dir, char *err, size_t errlen);
void problem_free(struct problem *p);

/* Splits a flags string on whitespace into owned copies appended to v. */
int flags_split(const char *s, char **v, size_t *n, size_t max, char *err, size_t errlen);

/* Applies one testdata.yaml / test_group.yaml (already parsed) on top of
 * inherited settings. Exposed for the unit tests. */
struct yt_node;
int tdsettings_apply(struct tdsettings *s, const struct yt_node *y, const char *file, char *err, size_t errlen);
void tdsettings_default(struct tdsettings *s);
int tdsettings_copy(struct tdsettings *dst, const struct tdsettings *src);
void tdsettings_free(struct tdsettings *s);

#endif
