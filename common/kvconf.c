/* kvconf.c — reader of 'key = value' config files (see kvconf.h). Lines and
 * line counts are bounded: a config file is operator input, but a broken or
 * hostile one must still end in a clear refusal, not a silent split line. */
#include "kvconf.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

#define KV_LINE_MAX 1024
#define KV_LINES_MAX 10000
#define KV_SPACE " \t\r\n\v\f" /* around keys and values, whatever the editor left */

static void trim_right(char *s) {
  for (char *e = s + strlen(s); e > s && strchr(KV_SPACE, e[-1]); e--) e[-1] = 0;
}

int jp_kvconf_load(const char *path, jp_kv_setter set, void *ctx, char *err, size_t errlen) {
  FILE *f = fopen(path, "r");
  if (!f) return jp_errno(err, errlen, "opening config %s", path);
  char line[KV_LINE_MAX + 2];
  int no = 0, rc = 0;
  /* fgets reads past a NUL byte but strlen stops there: the rest of the
   * line would be dropped without a word. With the buffer filled with '\n'
   * first, the last NUL in it is the one fgets wrote after what it read
   * (on any stream: a pipe or <(...) as well as a file). */
  while (rc == 0 && (memset(line, '\n', sizeof line), fgets(line, sizeof line, f))) {
    if (++no > KV_LINES_MAX) {
      rc = jp_err(err, errlen, "%s: more than %d lines; is this a config file?", path, KV_LINES_MAX);
      break;
    }
    size_t len = strlen(line);
    const char *end = memrchr(line, 0, sizeof line);
    if (!end || (size_t)(end - line) != len) {
      rc = jp_err(err, errlen, "%s:%d: a NUL byte in the line; is this a config file?", path, no);
      break;
    }
    if (len == sizeof line - 1 && line[len - 1] != '\n') {
      rc = jp_err(err, errlen, "%s:%d: line longer than %d characters", path, no, KV_LINE_MAX);
      break;
    }
    char *s = line + strspn(line, KV_SPACE);
    trim_right(s);
    if (*s == '#' || !*s) continue;
    char *eq = strchr(s, '=');
    if (!eq) {
      rc = jp_err(err, errlen, "%s:%d: expected 'key = value'", path, no);
      break;
    }
    *eq = 0;
    trim_right(s);
    char *v = eq + 1 + strspn(eq + 1, KV_SPACE);
    char sub[512];
    if (set(ctx, s, v, sub, sizeof sub) < 0) rc = jp_err(err, errlen, "%s:%d: %s", path, no, sub);
  }
  if (rc == 0 && ferror(f)) rc = jp_errno(err, errlen, "reading config %s", path);
  fclose(f);
  return rc;
}

int jp_kv_bool(const char *key, const char *v, int *out, char *err, size_t errlen) {
  if (!*v || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1")) *out = 1;
  else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0")) *out = 0;
  else return jp_err(err, errlen, "%s: '%s' is not yes or no", key, v);
  return 0;
}

int jp_kv_long(const char *key, const char *v, long min, long max, long *out, char *err, size_t errlen) {
  char *end;
  long n = strtol(v, &end, 10);
  if (!*v || *end || n < min || n > max)
    return jp_err(err, errlen, "%s: '%s' is not a number in %ld..%ld", key, v, min, max);
  *out = n;
  return 0;
}

int jp_kvconf_args(int argc, char **argv, const struct option *opts, jp_kv_setter set, void *ctx,
                   void (*usage)(FILE *), char *err, size_t errlen) {
  if (errlen) err[0] = 0;
  /* the config files first, so command-line options override them */
  for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
    const char *file = NULL;
    if (!strcmp(argv[i], "--config") && i + 1 < argc) file = argv[++i];
    else if (!strncmp(argv[i], "--config=", 9)) file = argv[i] + 9;
    if (file && jp_kvconf_load(file, set, ctx, err, errlen) < 0) return -1;
  }
  optind = 0; /* glibc: start afresh (a test may parse twice) */
  int c, li = -1;
  while ((c = getopt_long(argc, argv, "h", opts, &li)) != -1) {
    const char *name = c == 'h' ? "help" : li >= 0 ? opts[li].name : NULL;
    li = -1;
    if (name && !strcmp(name, "help")) {
      usage(stdout);
      return 1;
    }
    if (!name || c == '?' || c == ':') {
      usage(stderr);
      return -1;
    }
    if (!strcmp(name, "config")) continue;
    char sub[512];
    if (set(ctx, name, optarg ? optarg : "", sub, sizeof sub) < 0) return jp_err(err, errlen, "%s", sub);
  }
  if (optind != argc) {
    usage(stderr);
    return -1;
  }
  return 0;
}
