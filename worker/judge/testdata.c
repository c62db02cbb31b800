/* testdata.c — test group settings: defaults, testdata.yaml (legacy keys)
 * and test_group.yaml (2023-07 keys) applied on top of the parent's
 * settings, so each group inherits what it does not override. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "problem.h"
#include "yaml_tree.h"

void tdsettings_default(struct tdsettings *s) {
  memset(s, 0, sizeof *s);
  s->agg = AGG_SUM;
  s->verdict_mode = VERDICT_FIRST_ERROR;
  s->accept_score = 1;
  s->reject_score = 0;
  s->on_reject_break = 1;
}

void tdsettings_free(struct tdsettings *s) {
  for (size_t i = 0; i < s->nout_flags; i++)
    free(s->out_flags[i]);
  s->nout_flags = 0;
}

int tdsettings_copy(struct tdsettings *d, const struct tdsettings *s) {
  *d = *s;
  for (size_t i = 0; i < s->nout_flags; i++)
    if (!(d->out_flags[i] = strdup(s->out_flags[i]))) {
      d->nout_flags = i;
      return -1;
    }
  return 0;
}

int flags_split(const char *s, char **v, size_t *n, size_t max, char *err, size_t errlen) {
  const char *p = s;
  for (;;) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
      p++;
    if (!*p)
      return 0;
    const char *q = p;
    while (*q && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r')
      q++;
    if (*n >= max)
      return jp_err(err, errlen, "too many flags (at most %zu)", max);
    if (!(v[*n] = strndup(p, (size_t)(q - p))))
      return jp_err(err, errlen, "out of memory");
    (*n)++;
    p = q;
  }
}

/* A flags value: a string ("a b c") or a list of scalars. */
static int flags_value(const struct yt_node *y, const char *file, const char *what, char **v, size_t *n,
                       char *err, size_t errlen) {
  char e2[200];
  if (y->type == YT_SCALAR) {
    if (flags_split(y->str, v, n, PROBLEM_MAX_FLAGS, e2, sizeof e2) < 0)
      return jp_err(err, errlen, "%s:%u: %s: %s", file, y->line, what, e2);
    return 0;
  }
  if (y->type != YT_SEQ)
    return jp_err(err, errlen, "%s:%u: %s must be a string or a list", file, y->line, what);
  for (size_t i = 0; i < y->n; i++) {
    const char *s = yt_str(y->kids[i]);
    if (!s)
      return jp_err(err, errlen, "%s:%u: %s entries must be strings", file, y->kids[i]->line, what);
    if (*n >= PROBLEM_MAX_FLAGS)
      return jp_err(err, errlen, "%s:%u: %s: too many flags", file, y->line, what);
    if (!(v[(*n)++] = strdup(s)))
      return jp_err(err, errlen, "out of memory");
  }
  return 0;
}

static int grader_flags(struct tdsettings *s, const struct yt_node *y, const char *file, char *err,
                        size_t errlen) {
  char *v[PROBLEM_MAX_FLAGS];
  size_t n = 0;
  int rc = flags_value(y, file, "grader_flags", v, &n, err, errlen);
  /* grader_flags replaces the inherited aggregation flags as a whole */
  s->agg = AGG_SUM;
  s->verdict_mode = VERDICT_FIRST_ERROR;
  s->accept_if_any = 0;
  s->ignore_sample = 0;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    const char *f = v[i];
    if (!strcmp(f, "sum"))
      s->agg = AGG_SUM;
    else if (!strcmp(f, "min"))
      s->agg = AGG_MIN;
    else if (!strcmp(f, "first_error"))
      s->verdict_mode = VERDICT_FIRST_ERROR;
    else if (!strcmp(f, "worst_error"))
      s->verdict_mode = VERDICT_WORST_ERROR;
    else if (!strcmp(f, "always_accept"))
      s->verdict_mode = VERDICT_ALWAYS_ACCEPT;
    else if (!strcmp(f, "accept_if_any_accepted"))
      s->accept_if_any = 1;
    else if (!strcmp(f, "ignore_sample"))
      s->ignore_sample = 1;
    else
      rc = jp_err(err, errlen,
                  "%s:%u: unknown grader flag '%.40s' (known: sum min first_error worst_error "
                  "always_accept accept_if_any_accepted ignore_sample)",
                  file, y->line, f);
  }
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  return rc;
}

static int set_out_flags(struct tdsettings *s, const struct yt_node *y, const char *file, const char *what,
                         char *err, size_t errlen) {
  tdsettings_free(s);
  return flags_value(y, file, what, s->out_flags, &s->nout_flags, err, errlen);
}

int tdsettings_apply(struct tdsettings *s, const struct yt_node *y, const char *file, char *err, size_t errlen) {
  if (y->type != YT_MAP)
    return jp_err(err, errlen, "%s:%u: must be a map of settings", file, y->line);
  for (size_t i = 0; i < y->n; i++) {
    const char *k = y->keys[i];
    const struct yt_node *v = y->kids[i];
    const char *sv = yt_str(v);
    if (!strcmp(k, "grader_flags")) {
      if (grader_flags(s, v, file, err, errlen) < 0)
        return -1;
    } else if (!strcmp(k, "accept_score")) {
      if (yt_double(v, file, "accept_score", &s->accept_score, err, errlen) < 0)
        return -1;
    } else if (!strcmp(k, "reject_score")) {
      if (yt_double(v, file, "reject_score", &s->reject_score, err, errlen) < 0)
        return -1;
    } else if (!strcmp(k, "range")) {
      double lo, hi;
      char tail;
      if (!sv || sscanf(sv, "%lf %lf %c", &lo, &hi, &tail) != 2 || !isfinite(lo) || !isfinite(hi) || lo > hi)
        return jp_err(err, errlen, "%s:%u: range must be two numbers 'min max' with min <= max", file, v->line);
      s->has_range = 1;
      s->range_lo = lo;
      s->range_hi = hi;
    } else if (!strcmp(k, "on_reject")) {
      if (sv && !strcmp(sv, "break"))
        s->on_reject_break = 1;
      else if (sv && !strcmp(sv, "continue"))
        s->on_reject_break = 0;
      else
        return jp_err(err, errlen, "%s:%u: on_reject must be break or continue", file, v->line);
    } else if (!strcmp(k, "output_validator_flags") || !strcmp(k, "output_validator_args")) {
      if (set_out_flags(s, v, file, k, err, errlen) < 0)
        return -1;
    } else if (!strcmp(k, "scoring")) {
      /* 2023-07: scoring: {score: N, aggregation: sum|min} */
      if (v->type != YT_MAP)
        return jp_err(err, errlen, "%s:%u: scoring must be a map", file, v->line);
      const struct yt_node *agg = yt_get(v, "aggregation"), *sc = yt_get(v, "score");
      if (agg) {
        const char *a = yt_str(agg);
        if (a && !strcmp(a, "sum"))
          s->agg = AGG_SUM;
        else if (a && !strcmp(a, "min"))
          s->agg = AGG_MIN;
        else
          return jp_err(err, errlen, "%s:%u: scoring.aggregation must be sum or min", file, agg->line);
      }
      if (sc && yt_double(sc, file, "scoring.score", &s->accept_score, err, errlen) < 0)
        return -1;
    } else if (!strcmp(k, "input_validator_flags") || !strcmp(k, "input_validator_args") ||
               !strcmp(k, "grading") || !strcmp(k, "static_validation") || !strcmp(k, "full_feedback") ||
               !strcmp(k, "max_score") || !strcmp(k, "description")) {
      /* accepted: input validation is not part of judging a submission */
    } else {
      return jp_err(err, errlen, "%s:%u: unknown setting '%.40s'", file, y->key_lines[i], k);
    }
  }
  return 0;
}
