/* default_validator.h — the Kattis default output validator, in process:
 * compares whitespace-separated tokens of the team output with the answer,
 * with the flags case_sensitive, space_change_sensitive,
 * float_relative_tolerance, float_absolute_tolerance, float_tolerance. */
#ifndef JP_DEFAULT_VALIDATOR_H
#define JP_DEFAULT_VALIDATOR_H

#include <stddef.h>

struct dv_flags {
  int case_sensitive;
  int space_change_sensitive;
  int use_float;  /* any tolerance flag given */
  double rel_tol, abs_tol;
};

/* Parses validator flags (already split into words). -1 on an unknown flag
 * or a bad number, with err saying which. */
int dv_parse_flags(const char *const *argv, size_t argc, struct dv_flags *out,
                   char *err, size_t errlen);

/* 1 = accepted, 0 = wrong answer (msg says where and why). */
int dv_compare(const char *team, size_t tlen, const char *ans, size_t alen,
               const struct dv_flags *f, char *msg, size_t msglen);

#endif
