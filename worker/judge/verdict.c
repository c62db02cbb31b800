/* verdict.c — verdict names, mapping, interactive precedence and group
 * aggregation (see verdict.h). Pure functions: unit-tested directly. */
#include "verdict.h"

#include <stdio.h>
#include <string.h>

static const char *const names[] = {"AC", "WA", "TLE", "MLE", "OLE", "RTE", "CE", "SV", "IE", "SKIPPED"};

const char *judge_verdict_name(judge_verdict v) {
  return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : "IE";
}

int judge_verdict_parse(const char *name, judge_verdict *out) {
  for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
    if (!strcmp(name, names[i])) {
      *out = (judge_verdict)i;
      return 0;
    }
  return -1;
}

static const char *box_name(box_status s) {
  static const char *const b[] = {"OK", "RTE", "TLE", "MLE", "OLE", "SV", "IE"};
  return (unsigned)s < sizeof b / sizeof b[0] ? b[s] : "?";
}

judge_verdict verdict_from_box(box_status s) {
  switch (s) {
  case BOX_OK: return JUDGE_AC;
  case BOX_RTE: return JUDGE_RTE;
  case BOX_TLE: return JUDGE_TLE;
  case BOX_MLE: return JUDGE_MLE;
  case BOX_OLE: return JUDGE_OLE;
  case BOX_SV: return JUDGE_SV;
  default: return JUDGE_IE;
  }
}

judge_verdict verdict_kattis_exit(int c) {
  return c == 42 ? JUDGE_AC : c == 43 ? JUDGE_WA : JUDGE_IE;
}

judge_verdict verdict_testlib_exit(int c) {
  switch (c) {
  case 0: return JUDGE_AC;
  case 1: return JUDGE_WA;
  case 2: return JUDGE_WA; /* presentation error */
  case 7: return JUDGE_AC; /* points */
  default: return JUDGE_IE;
  }
}

judge_verdict verdict_interactive(const struct inter_outcome *o, char *why, size_t n) {
  int val_exited = (o->val_status == BOX_OK || o->val_status == BOX_RTE) && o->val_signal == 0;
  if (!val_exited || (o->val_exit_code != 42 && o->val_exit_code != 43)) {
    if (val_exited)
      snprintf(why, n, "interactor exited with code %d (expected 42 or 43)", o->val_exit_code);
    else
      snprintf(why, n, "interactor did not exit normally (%s%s)", box_name(o->val_status),
               o->val_signal ? ", killed by a signal" : "");
    return JUDGE_IE;
  }
  if (o->val_exit_code == 43 && o->val_first) {
    snprintf(why, n, "interactor rejected the interaction before the submission exited");
    return JUDGE_WA;
  }
  if (o->sub_status == BOX_TLE) {
    snprintf(why, n, "submission exceeded the time limit");
    return JUDGE_TLE;
  }
  if (o->sub_status != BOX_OK) {
    snprintf(why, n, "submission did not exit cleanly");
    return verdict_from_box(o->sub_status);
  }
  snprintf(why, n, "%s", o->val_exit_code == 42 ? "interactor accepted" : "interactor rejected");
  return o->val_exit_code == 42 ? JUDGE_AC : JUDGE_WA;
}

double verdict_test_score(const struct tdsettings *s, judge_verdict v, int has_vscore, double vscore) {
  if (v != JUDGE_AC)
    return s->reject_score;
  return has_vscore ? vscore : s->accept_score;
}

/* For worst_error: higher is worse. */
static int rank(judge_verdict v) {
  static const int r[] = {[JUDGE_AC] = 0, [JUDGE_WA] = 1, [JUDGE_OLE] = 2, [JUDGE_MLE] = 3, [JUDGE_RTE] = 4,
                          [JUDGE_TLE] = 5, [JUDGE_CE] = 6, [JUDGE_SV] = 7, [JUDGE_IE] = 8, [JUDGE_SKIPPED] = -1};
  return (unsigned)v < sizeof r / sizeof r[0] ? r[v] : 8;
}

struct vres verdict_aggregate(const struct tdsettings *s, const struct vres *k, size_t n) {
  struct vres out = {JUDGE_AC, 0, 0};
  int any = 0, any_ac = 0;
  judge_verdict first = JUDGE_AC, worst = JUDGE_AC;
  for (size_t i = 0; i < n; i++) {
    if (k[i].verdict == JUDGE_SKIPPED || (s->ignore_sample && k[i].is_sample))
      continue;
    if (!any)
      out.score = k[i].score;
    else if (s->agg == AGG_MIN)
      out.score = k[i].score < out.score ? k[i].score : out.score;
    else
      out.score += k[i].score;
    any = 1;
    if (k[i].verdict == JUDGE_AC)
      any_ac = 1;
    else if (first == JUDGE_AC)
      first = k[i].verdict;
    if (rank(k[i].verdict) > rank(worst))
      worst = k[i].verdict;
  }
  if (first == JUDGE_IE || worst == JUDGE_IE)
    out.verdict = JUDGE_IE; /* a judge error is never hidden by the grader flags */
  else if (s->verdict_mode == VERDICT_ALWAYS_ACCEPT || (s->accept_if_any && any_ac))
    out.verdict = JUDGE_AC;
  else
    out.verdict = s->verdict_mode == VERDICT_WORST_ERROR ? worst : first;
  if (s->has_range && (out.score < s->range_lo || out.score > s->range_hi))
    out.verdict = JUDGE_IE;
  return out;
}

void verdict_trim_message(char *s) {
  size_t n = strlen(s);
  while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
    s[--n] = 0;
}
