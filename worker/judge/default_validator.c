/* default_validator.c — token comparison with the Kattis default
 * validator's flags (see default_validator.h). Works on bounded in-memory
 * buffers: both sides were size-checked by the caller. */
#include "default_validator.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"

/* Numbers longer than this are compared as strings only: strtod on a
 * megabyte of digits is slow, and no tolerance makes sense there. */
#define DV_MAX_NUMBER 4096

int dv_parse_flags(const char *const *argv, size_t argc, struct dv_flags *f, char *err, size_t errlen) {
  memset(f, 0, sizeof *f);
  for (size_t i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "case_sensitive")) {
      f->case_sensitive = 1;
    } else if (!strcmp(a, "space_change_sensitive")) {
      f->space_change_sensitive = 1;
    } else if (!strcmp(a, "float_relative_tolerance") || !strcmp(a, "float_absolute_tolerance") ||
               !strcmp(a, "float_tolerance")) {
      if (i + 1 >= argc)
        return jp_err(err, errlen, "validator flag %s needs a value", a);
      char *end;
      errno = 0;
      double v = strtod(argv[i + 1], &end);
      if (end == argv[i + 1] || *end || errno || !isfinite(v) || v < 0)
        return jp_err(err, errlen, "validator flag %s: '%.64s' is not a non-negative number", a, argv[i + 1]);
      if (a[6] == 'r')
        f->rel_tol = v;
      else if (a[6] == 'a')
        f->abs_tol = v;
      else
        f->rel_tol = f->abs_tol = v;
      f->use_float = 1;
      i++;
    } else {
      return jp_err(err, errlen, "unknown flag '%.64s' for the default output validator", a);
    }
  }
  return 0;
}

/* Strict decimal syntax: [+-]digits[.digits][e[+-]digits] (also ".5", "5.").
 * No hex, inf or nan: a team must not pass "nan" for a finite answer. */
static int parse_decimal(const char *s, size_t n, double *out) {
  if (n == 0 || n > DV_MAX_NUMBER)
    return 0;
  size_t i = 0, digits = 0;
  if (s[i] == '+' || s[i] == '-')
    i++;
  while (i < n && isdigit((unsigned char)s[i]))
    i++, digits++;
  if (i < n && s[i] == '.') {
    i++;
    while (i < n && isdigit((unsigned char)s[i]))
      i++, digits++;
  }
  if (!digits)
    return 0;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-'))
      i++;
    size_t ed = 0;
    while (i < n && isdigit((unsigned char)s[i]))
      i++, ed++;
    if (!ed)
      return 0;
  }
  if (i != n)
    return 0;
  char buf[DV_MAX_NUMBER + 1];
  memcpy(buf, s, n);
  buf[n] = 0;
  *out = strtod(buf, NULL); /* overflow gives +-HUGE_VAL: compared as inf below */
  return 1;
}

static int is_space(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

struct cursor {
  const char *p, *end;
};

/* Skips whitespace, returning the skipped run. */
static void skip_ws(struct cursor *c, const char **ws, size_t *wn) {
  *ws = c->p;
  while (c->p < c->end && is_space(*c->p))
    c->p++;
  *wn = (size_t)(c->p - *ws);
}

static int next_token(struct cursor *c, const char **t, size_t *tn) {
  *t = c->p;
  while (c->p < c->end && !is_space(*c->p))
    c->p++;
  *tn = (size_t)(c->p - *t);
  return *tn > 0;
}

static void show(char *out, size_t outlen, const char *s, size_t n) {
  size_t k = n > 40 ? 40 : n;
  size_t j = 0;
  for (size_t i = 0; i < k && j + 5 < outlen; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch >= 32 && ch < 127 && ch != '\'') {
      out[j++] = (char)ch;
    } else {
      j += (size_t)snprintf(out + j, outlen - j, "\\x%02x", ch);
    }
  }
  if (n > k && j + 4 < outlen) {
    memcpy(out + j, "...", 3);
    j += 3;
  }
  out[j < outlen ? j : outlen - 1] = 0;
}

static void ws_name(char *out, size_t outlen, const char *s, size_t n) {
  if (n == 0) {
    snprintf(out, outlen, "nothing");
    return;
  }
  char tmp[64];
  size_t j = 0;
  for (size_t i = 0; i < n && i < 12 && j + 3 < sizeof tmp; i++) {
    char c = s[i];
    const char *e = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : c == ' ' ? " " : "?";
    size_t el = strlen(e);
    memcpy(tmp + j, e, el);
    j += el;
  }
  tmp[j] = 0;
  snprintf(out, outlen, "'%s'%s", tmp, n > 12 ? "..." : "");
}

static int tokens_equal(const char *a, size_t an, const char *b, size_t bn, int cs) {
  if (an != bn)
    return 0;
  return cs ? !memcmp(a, b, an) : !strncasecmp(a, b, an);
}

int dv_compare(const char *team, size_t tlen, const char *ans, size_t alen, const struct dv_flags *f,
               char *msg, size_t msglen) {
  struct cursor tc = {team, team + tlen}, ac = {ans, ans + alen};
  char x[200], y[200];
  for (size_t tok = 1;; tok++) {
    const char *tw, *aw;
    size_t twn, awn;
    skip_ws(&tc, &tw, &twn);
    skip_ws(&ac, &aw, &awn);
    if (f->space_change_sensitive && (twn != awn || memcmp(tw, aw, twn))) {
      ws_name(x, sizeof x, aw, awn);
      ws_name(y, sizeof y, tw, twn);
      snprintf(msg, msglen, "Space change error before token %zu: expected %s, got %s", tok, x, y);
      return 0;
    }
    const char *tt, *at;
    size_t ttn, atn;
    int th = next_token(&tc, &tt, &ttn), ah = next_token(&ac, &at, &atn);
    if (!th && !ah)
      return 1;
    if (!th) {
      show(x, sizeof x, at, atn);
      snprintf(msg, msglen, "Team output ended early: token %zu should be '%s'", tok, x);
      return 0;
    }
    if (!ah) {
      show(y, sizeof y, tt, ttn);
      snprintf(msg, msglen, "Trailing output: token %zu '%s' after the end of the answer", tok, y);
      return 0;
    }
    if (tokens_equal(tt, ttn, at, atn, f->case_sensitive))
      continue;
    double av, tv;
    if (f->use_float && parse_decimal(at, atn, &av)) {
      show(x, sizeof x, at, atn);
      show(y, sizeof y, tt, ttn);
      if (!parse_decimal(tt, ttn, &tv)) {
        snprintf(msg, msglen, "Token %zu: expected a number close to '%s', got '%s'", tok, x, y);
        return 0;
      }
      double d = fabs(tv - av);
      if (isfinite(av) && isfinite(tv) && (d <= f->abs_tol || d <= f->rel_tol * fabs(av)))
        continue;
      snprintf(msg, msglen,
               "Token %zu: '%s' is too far from the expected '%s' (difference %.6g, "
               "absolute tolerance %g, relative tolerance %g)",
               tok, y, x, d, f->abs_tol, f->rel_tol);
      return 0;
    }
    show(x, sizeof x, at, atn);
    show(y, sizeof y, tt, ttn);
    snprintf(msg, msglen, "Token %zu: expected '%s', got '%s'", tok, x, y);
    return 0;
  }
}
