/* readfile.h — read a whole regular file into memory, bounded: the one way
 * judgepool loads a user's or a package's file in full (sources, problem
 * files sent to the broker). */
#ifndef JP_READFILE_H
#define JP_READFILE_H

#include <stddef.h>

/* Reads path (a regular file of at most max bytes) into a malloc'ed buffer
 * with a NUL after the data (*len excludes it). The caller frees *data. */
int jp_read_file(const char *path, size_t max, void **data, size_t *len, char *err, size_t errlen);

#endif
