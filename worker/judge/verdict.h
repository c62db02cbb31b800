/* verdict.h — pure verdict logic, no I/O: verdict names, box status to
 * verdict, the interactive precedence rules of problemtools, test case
 * scores and test group aggregation (grader flags). */
#ifndef JP_VERDICT_H
#define JP_VERDICT_H

#include <stddef.h>

#include "box.h"
#include "judge.h"
#include "problem.h"

/* The verdict for a run that did not finish normally (status != BOX_OK). */
judge_verdict verdict_from_box(box_status s);

/* Interactive runs: what both sides did, and who finished first. */
struct inter_outcome {
  box_status sub_status; /* as reported by the box */
  box_status val_status;
  int val_exit_code, val_signal;
  int val_first;         /* the validator exited before the submission */
};
/* problemtools' precedence: a validator failure (IE), or a WA given before
 * the submission exited, wins; else submission TLE; else a submission crash
 * (RTE, or MLE/OLE/SV, reported as such); else the validator's verdict.
 * why gets a short explanation. */
judge_verdict verdict_interactive(const struct inter_outcome *o, char *why, size_t whylen);

/* Kattis output validator exit codes: 42 AC, 43 WA, else IE. testlib: 0 ok,
 * 1 wa, 2 pe (WA), 3 fail (IE), 7 points (AC with a score), else IE. */
judge_verdict verdict_kattis_exit(int exit_code);
judge_verdict verdict_testlib_exit(int exit_code);

/* Drops trailing whitespace (validator messages end in newlines). */
void verdict_trim_message(char *s);

/* Score of one test case under its group's settings. */
double verdict_test_score(const struct tdsettings *s, judge_verdict v, int has_vscore, double vscore);

struct vres {
  judge_verdict verdict; /* JUDGE_SKIPPED for children not run */
  double score;
  int is_sample;         /* child is the sample group (for ignore_sample) */
};
/* Aggregates a group's children per its grader flags. */
struct vres verdict_aggregate(const struct tdsettings *s, const struct vres *kids, size_t n);

#endif
