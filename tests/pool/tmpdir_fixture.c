/* tmpdir_fixture.c — a fresh temporary directory per test (see the header). */
#include "tmpdir_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char tmpdir_path[64];

int tmpdir_setup(void **state) {
  (void)state;
  strcpy(tmpdir_path, "/tmp/jp-pool-XXXXXX");
  return mkdtemp(tmpdir_path) ? 0 : -1;
}

int tmpdir_teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir_path);
  return system(cmd) == 0 ? 0 : -1;
}
