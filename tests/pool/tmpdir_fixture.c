/* tmpdir_fixture.c — a fresh temporary directory per test (see the header). */
#include "tmpdir_fixture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char tmpdir_path[64];

int tmpdir_make(char *buf, size_t len) {
  static const char tmpl[] = "/tmp/jp-test-XXXXXX";
  if (len < sizeof tmpl) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(buf, tmpl, sizeof tmpl);
  return mkdtemp(buf) ? 0 : -1;
}

int tmpdir_remove(const char *dir) {
  char cmd[256];
  if (snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir) >= (int)sizeof cmd) return -1;
  return system(cmd) == 0 ? 0 : -1;
}

int tmpdir_setup(void **state) {
  (void)state;
  return tmpdir_make(tmpdir_path, sizeof tmpdir_path);
}

int tmpdir_teardown(void **state) {
  (void)state;
  return tmpdir_remove(tmpdir_path);
}
