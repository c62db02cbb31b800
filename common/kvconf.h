/* kvconf.h — the daemons' config files: one 'key = value' per line, '#'
 * comments, keys named like the long options. One reader for broker and
 * worker, so both refuse a broken file the same way: with file and line. */
#ifndef JP_KVCONF_H
#define JP_KVCONF_H

#include <stddef.h>

/* Called for each setting; returns 0, or -1 with a message (without file and
 * line: the reader adds them). */
typedef int (*jp_kv_setter)(void *ctx, const char *key, const char *value, char *err, size_t errlen);

int jp_kvconf_load(const char *path, jp_kv_setter set, void *ctx, char *err, size_t errlen);

/* yes/true/1 or an empty value → 1, no/false/0 → 0, anything else refused. */
int jp_kv_bool(const char *key, const char *value, int *out, char *err, size_t errlen);

#endif
