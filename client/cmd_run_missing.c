/* cmd_run_missing.c — placeholder while the box is being built; removed once cmd_run.c exists. */
#include <stdio.h>

#include "commands.h"

int cmd_run(int argc, char **argv) {
  (void)argc; (void)argv;
  fprintf(stderr, "judge run: not available in this build yet (box pending)\n");
  return 2;
}
