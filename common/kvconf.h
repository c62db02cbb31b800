/* kvconf.h — the daemons' settings: config files (one 'key = value' per
 * line, '#' comments, keys named like the long options) and the command
 * line, through one setter. One reader for broker and worker, so both
 * refuse a broken file or option the same way: with file and line. */
#ifndef JP_KVCONF_H
#define JP_KVCONF_H

#include <stddef.h>
#include <stdio.h>

struct option; /* <getopt.h> */

/* Called for each setting; returns 0, or -1 with a message (without file and
 * line: the reader adds them). */
typedef int (*jp_kv_setter)(void *ctx, const char *key, const char *value, char *err, size_t errlen);

int jp_kvconf_load(const char *path, jp_kv_setter set, void *ctx, char *err, size_t errlen);

/* yes/true/1 or an empty value → 1, no/false/0 → 0, anything else refused. */
int jp_kv_bool(const char *key, const char *value, int *out, char *err, size_t errlen);
/* A whole decimal number in min..max, anything else refused. */
int jp_kv_long(const char *key, const char *value, long min, long max, long *out, char *err, size_t errlen);

/* A daemon's main(): every --config FILE (or --config=FILE) is loaded first,
 * then each long option of opts is set under its name (the value "" for an
 * option without argument), so the command line overrides the file. opts
 * has "config" and "help" entries; -h/--help prints usage to stdout and
 * returns 1 (exit 0). An unknown option or a positional argument prints
 * usage to stderr and returns -1 with err empty; a refused setting returns
 * -1 with the message in err (exit 2 either way). 0: go on. */
int jp_kvconf_args(int argc, char **argv, const struct option *opts, jp_kv_setter set, void *ctx,
                   void (*usage)(FILE *), char *err, size_t errlen);

#endif
