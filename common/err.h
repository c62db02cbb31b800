/* err.h — the one way judgepool functions report failure: return -1 and
 * leave a sentence in a caller-supplied buffer (what failed, on what, and
 * what to do). Buffers may be NULL/0 when the caller does not care. */
#ifndef JP_ERR_H
#define JP_ERR_H

#include <stddef.h>

/* Formats into err (truncating safely) and returns -1, so callers can write
 * `return jp_err(err, errlen, "open %s: %s", path, strerror(errno));`. */
int jp_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same, appending ": strerror(errno)" with the errno at the call. */
int jp_errno(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
