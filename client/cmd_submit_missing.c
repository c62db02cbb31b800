/* cmd_submit_missing.c — `judge submit` / `judge batch` when the judging
 * engine is not built (no box in this build): say so, exit 2. */
#include <stdio.h>

#include "commands.h"

static int not_yet(const char *name) {
  fprintf(stderr, "judge %s: not available in this build (the judging engine needs the box)\n", name);
  return 2;
}
int cmd_submit(int argc, char **argv) { (void)argc; (void)argv; return not_yet("submit"); }
int cmd_batch(int argc, char **argv) { (void)argc; (void)argv; return not_yet("batch"); }
