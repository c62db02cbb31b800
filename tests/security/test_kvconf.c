/* test_kvconf.c — the daemons' config reader refuses broken and hostile
 * files with file and line, and reads good ones exactly; numbers are
 * bounded; the command line is read after the config file (it overrides
 * it), and bad options or arguments are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <getopt.h>
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

/* A NUL byte would end the line early for strlen: the rest was dropped
 * without a word (found by fuzz_config). */
static void nul_byte_is_refused(void **st) {
  (void)st;
  static const char text[] = "data = /var/lib/x\nkeys = /etc/k\0eys-of-someone-else\n";
  write_file(text, sizeof text - 1);
  struct seen s = {0};
  char err[256] = "";
  assert_int_equal(jp_kvconf_load(path, record, &s, err, sizeof err), -1);
  unlink(path);
  assert_non_null(strstr(err, ":2: a NUL byte"));
  assert_int_equal(s.n, 1);
  /* the same through a pipe (--config /dev/stdin, <(...)): no seeking */
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  assert_int_equal(write(fds[1], text, sizeof text - 1), (ssize_t)(sizeof text - 1));
  close(fds[1]);
  char pp[64];
  snprintf(pp, sizeof pp, "/proc/self/fd/%d", fds[0]);
  memset(&s, 0, sizeof s);
  err[0] = 0;
  assert_int_equal(jp_kvconf_load(pp, record, &s, err, sizeof err), -1);
  close(fds[0]);
  assert_non_null(strstr(err, ":2: a NUL byte"));
  assert_int_equal(s.n, 1);
}

/* Any whitespace around keys and values goes, not only blanks and tabs. */
static void whitespace_of_every_kind(void **st) {
  (void)st;
  struct seen s;
  char err[256] = "";
  assert_int_equal(load("\v data \f=\r\t /var/lib/x \v\n", &s, err, sizeof err), 0);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.keys[0], "data");
  assert_string_equal(s.vals[0], "/var/lib/x");
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

static void numbers(void **st) {
  (void)st;
  long n = -1;
  char err[128];
  assert_int_equal(jp_kv_long("slots", "256", 1, 256, &n, err, sizeof err), 0);
  assert_int_equal(n, 256);
  assert_int_equal(jp_kv_long("slots", "257", 1, 256, &n, err, sizeof err), -1);
  assert_string_equal(err, "slots: '257' is not a number in 1..256");
  assert_int_equal(jp_kv_long("slots", "", 1, 256, &n, err, sizeof err), -1);
  assert_int_equal(jp_kv_long("slots", "4x", 1, 256, &n, err, sizeof err), -1);
  assert_int_equal(jp_kv_long("slots", "99999999999999999999", 1, 256, &n, err, sizeof err), -1);
  assert_int_equal(n, 256); /* untouched by refusals */
}

static int usage_out, usage_err;
static void count_usage(FILE *f) {
  if (f == stdout) usage_out++;
  else usage_err++;
}

static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"data", required_argument, 0, 'd'},
                                     {"verbose", no_argument, 0, 'v'},      {"bad", required_argument, 0, 'b'},
                                     {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};

/* argv from a space-separated line (getopt permutes argv: it must be writable) */
static int args(const char *line, struct seen *s, char *err, size_t errlen) {
  static char buf[512];
  static char *argv[16];
  snprintf(buf, sizeof buf, "prog %s", line);
  int argc = 0;
  for (char *save, *t = strtok_r(buf, " ", &save); t && argc < 15; t = strtok_r(NULL, " ", &save)) argv[argc++] = t;
  argv[argc] = NULL;
  memset(s, 0, sizeof *s);
  usage_out = usage_err = 0;
  return jp_kvconf_args(argc, argv, opts, record, s, count_usage, err, errlen);
}

static void command_line_after_config(void **st) {
  (void)st;
  struct seen s;
  char err[256], line[256];
  static const char conf[] = "data = /from/file\nverbose =\n";
  write_file(conf, strlen(conf));
  snprintf(line, sizeof line, "--data /from/args --config %s", path);
  assert_int_equal(args(line, &s, err, sizeof err), 0);
  assert_int_equal(s.n, 3); /* the file's two settings, then the option over them */
  assert_string_equal(s.vals[0], "/from/file");
  assert_string_equal(s.keys[1], "verbose");
  assert_string_equal(s.keys[2], "data");
  assert_string_equal(s.vals[2], "/from/args");
  snprintf(line, sizeof line, "--config=%s --verbose", path);
  assert_int_equal(args(line, &s, err, sizeof err), 0);
  assert_int_equal(s.n, 3);
  assert_string_equal(s.keys[2], "verbose");
  assert_string_equal(s.vals[2], "");
  unlink(path);
  /* a missing config file is named */
  assert_int_equal(args("--config /nonexistent/jp.conf", &s, err, sizeof err), -1);
  assert_non_null(strstr(err, "/nonexistent/jp.conf"));
}

static void bad_options_and_help(void **st) {
  (void)st;
  struct seen s;
  char err[256];
  assert_int_equal(args("--help", &s, err, sizeof err), 1);
  assert_int_equal(usage_out, 1);
  assert_int_equal(args("-h", &s, err, sizeof err), 1);
  assert_int_equal(args("--nosuch", &s, err, sizeof err), -1);
  assert_int_equal(usage_err, 1);
  assert_string_equal(err, "");
  assert_int_equal(args("--data /x stray", &s, err, sizeof err), -1);
  assert_int_equal(usage_err, 1);
  assert_int_equal(args("--data", &s, err, sizeof err), -1); /* its argument is missing */
  assert_int_equal(s.n, 0);
  assert_int_equal(args("--bad 7", &s, err, sizeof err), -1);
  assert_string_equal(err, "bad: refused '7'");
  assert_int_equal(usage_err, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(good_file), cmocka_unit_test(refusals_name_file_and_line),
      cmocka_unit_test(long_line_is_not_split), cmocka_unit_test(nul_byte_is_refused),
      cmocka_unit_test(whitespace_of_every_kind), cmocka_unit_test(missing_file), cmocka_unit_test(booleans),
      cmocka_unit_test(numbers), cmocka_unit_test(command_line_after_config), cmocka_unit_test(bad_options_and_help)};
  return cmocka_run_group_tests_name("kvconf", tests, NULL, NULL);
}
