/* box_args.h — parsing of limit values as people write them on a command
 * line or in a problem package ("1.5" seconds, "256" MiB), strictly: no
 * sign, no junk, no overflow. */
#ifndef JP_BOX_ARGS_H
#define JP_BOX_ARGS_H

#include <stdint.h>

/* "2", "0.5", "1.25" seconds -> milliseconds (rounded up), at most max_ms. */
int box_parse_seconds(const char *s, uint64_t max_ms, uint64_t *out_ms);
/* A decimal integer in [min, max]. */
int box_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

#endif
