/* args.c — strict parsing of limit values (see box_args.h). */
#include "box_args.h"

#include <ctype.h>
#include <stddef.h>

int box_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out) {
  if (!s || !*s)
    return -1;
  uint64_t v = 0;
  for (const char *p = s; *p; p++) {
    if (!isdigit((unsigned char)*p) || p - s > 19)
      return -1;
    uint64_t d = (uint64_t)(*p - '0');
    if (v > (UINT64_MAX - d) / 10)
      return -1;
    v = v * 10 + d;
  }
  if (v < min || v > max)
    return -1;
  *out = v;
  return 0;
}

int box_parse_seconds(const char *s, uint64_t max_ms, uint64_t *out_ms) {
  if (!s || !*s || *s == '.')
    return -1;
  uint64_t whole = 0, frac_ms = 0;
  const char *p = s;
  for (; *p && *p != '.'; p++) {
    if (!isdigit((unsigned char)*p) || p - s > 9)
      return -1;
    whole = whole * 10 + (uint64_t)(*p - '0');
  }
  int round_up = 0;
  if (*p == '.') {
    p++;
    if (!*p)
      return -1;
    for (int i = 0; *p; p++, i++) {
      if (!isdigit((unsigned char)*p) || i > 9)
        return -1;
      if (i < 3)
        frac_ms = frac_ms * 10 + (uint64_t)(*p - '0');
      else if (*p != '0')
        round_up = 1;
    }
  }
  /* Scale the fraction to ms: "0.5" -> 500, "0.25" -> 250. */
  const char *dot = s;
  while (*dot && *dot != '.')
    dot++;
  if (*dot == '.') {
    size_t n = 0;
    for (const char *q = dot + 1; *q && n < 3; q++)
      n++;
    for (; n < 3; n++)
      frac_ms *= 10;
  }
  uint64_t ms = whole * 1000 + frac_ms + (uint64_t)round_up;
  if (ms > max_ms)
    return -1;
  *out_ms = ms;
  return 0;
}
