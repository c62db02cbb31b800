/* test_kvconf.c — the daemons' config reader refuses broken and hostile
 * files with file and line, and reads good ones exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "kvconf.h"

struct seen {
  int n;
  char keys[8][32];
  char vals[8][64];
};

static int record(void *ctx, const char *k, const char *v, char *err, size_t errlen) {
  struct seen *s = ctx;
  if (!strcmp(k, "bad")) return jp_err(err, errlen, "bad: refused '%s'", v);
  if (s->n >= 8) return jp_err(err, errlen, "too many");
  snprintf(s->keys[s->n], sizeof s->keys[0], "%s", k);
  snprintf(s->vals[s->n], sizeof s->vals[0], "%s", v);
  s->n++;
  return 0;
}

static char path[64];

static void write_file(const char *text, size_t len) {
  snprintf(path, sizeof path, "/tmp/jp-kvconf-XXXXXX");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, len), (ssize_t)len);
  close(fd);
}

static int load(const char *text, struct seen *s, char *err, size_t errlen) {
  write_file(text, strlen(text));
  memset(s, 0, sizeof *s);
  int rc = jp_kvconf_load(path, record, s, err, errlen);
  unlink(path);
  return rc;
}

static void good_file(void **st) {
  (void)st;
  struct seen s;
  char err[256] = "";
  assert_int_equal(load("# comment\n\n  lease-ms =  5000  \r\ndata=/var/lib/x\nflag =\n", &s, err, sizeof err), 0);
  assert_int_equal(s.n, 3);
  assert_string_equal(s.keys[0], "lease-ms");
  assert_string_equal(s.vals[0], "5000");
  assert_string_equal(s.vals[1], "/var/lib/x");
  assert_string_equal(s.keys[2], "flag");
  assert_string_equal(s.vals[2], "");
}

static void refusals_name_file_and_line(void **st) {
  (void)st;
  struct seen s;
  char err[256] = "", want[128];
  assert_int_equal(load("a = 1\nno equals sign\n", &s, err, sizeof err), -1);
  snprintf(want, sizeof want, "%s:2: expected 'key = value'", path);
  assert_string_equal(err, want);
  assert_int_equal(load("a = 1\n\nbad = 7\n", &s, err, sizeof err), -1);
  snprintf(want, sizeof want, "%s:3: bad: refused '7'", path);
  assert_string_equal(err, want);
}

static void long_line_is_not_split(void **st) {
  (void)st;
  char *text = malloc(5000);
  assert_non_null(text);
  memcpy(text, "data = ", 7);
  memset(text + 7, 'x', 4000);
  strcpy(text + 4007, "\nbad = 1\n");
  struct seen s;
  char err[256] = "";
  assert_int_equal(load(text, &s, err, sizeof err), -1);
  assert_non_null(strstr(err, ":1: line longer than"));
  assert_int_equal(s.n, 0); /* nothing of the long line was taken as a setting */
  free(text);
}

static void missing_file(void **st) {
  (void)st;
  struct seen s = {0};
  char err[256] = "";
  assert_int_equal(jp_kvconf_load("/nonexistent/jp.conf", record, &s, err, sizeof err), -1);
  assert_non_null(strstr(err, "/nonexistent/jp.conf"));
}

static void booleans(void **st) {
  (void)st;
  int b = -1;
  char err[128];
  assert_int_equal(jp_kv_bool("insecure", "yes", &b, err, sizeof err), 0);
  assert_int_equal(b, 1);
  assert_int_equal(jp_kv_bool("insecure", "", &b, err, sizeof err), 0);
  assert_int_equal(b, 1);
  assert_int_equal(jp_kv_bool("insecure", "false", &b, err, sizeof err), 0);
  assert_int_equal(b, 0);
  assert_int_equal(jp_kv_bool("insecure", "maybe", &b, err, sizeof err), -1);
  assert_string_equal(err, "insecure: 'maybe' is not yes or no");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(good_file), cmocka_unit_test(refusals_name_file_and_line),
      cmocka_unit_test(long_line_is_not_split), cmocka_unit_test(missing_file), cmocka_unit_test(booleans)};
  return cmocka_run_group_tests_name("kvconf", tests, NULL, NULL);
}
