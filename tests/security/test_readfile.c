/* test_readfile.c — bounded whole-file reads refuse what is not a small
 * regular file (directories, FIFOs that would block, oversized files) and
 * read the rest exactly, NUL-terminated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "readfile.h"
#include "tmpdir_fixture.h"

static void path_of(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", tmpdir_path, name); }

static void reads_exactly(void **st) {
  (void)st;
  char p[128];
  path_of(p, sizeof p, "a.txt");
  FILE *f = fopen(p, "w");
  assert_non_null(f);
  fputs("hello\nworld", f);
  fclose(f);
  void *data = NULL;
  size_t len = 0;
  char err[256];
  assert_int_equal(jp_read_file(p, 64, &data, &len, err, sizeof err), 0);
  assert_int_equal(len, 11);
  assert_string_equal(data, "hello\nworld");
  free(data);
  /* the bound is inclusive and enforced */
  assert_int_equal(jp_read_file(p, 11, &data, &len, err, sizeof err), 0);
  free(data);
  assert_int_equal(jp_read_file(p, 10, &data, &len, err, sizeof err), -1);
  assert_non_null(strstr(err, "at most 10 bytes"));
}

static void refuses_non_regular(void **st) {
  (void)st;
  char p[128], err[256];
  void *data = NULL;
  size_t len = 0;
  assert_int_equal(jp_read_file(tmpdir_path, 1 << 20, &data, &len, err, sizeof err), -1);
  assert_non_null(strstr(err, "not a regular file"));
  path_of(p, sizeof p, "fifo");
  assert_int_equal(mkfifo(p, 0600), 0);
  /* no writer: must be refused at once, not block */
  assert_int_equal(jp_read_file(p, 1 << 20, &data, &len, err, sizeof err), -1);
  assert_non_null(strstr(err, "not a regular file"));
  path_of(p, sizeof p, "missing");
  assert_int_equal(jp_read_file(p, 1 << 20, &data, &len, err, sizeof err), -1);
  assert_non_null(strstr(err, "missing"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(reads_exactly, tmpdir_setup, tmpdir_teardown),
      cmocka_unit_test_setup_teardown(refuses_non_regular, tmpdir_setup, tmpdir_teardown),
  };
  return cmocka_run_group_tests_name("readfile", tests, NULL, NULL);
}
