/* cmd_submit.c — `judge submit` and `judge batch` (judging issue). Not built
 * yet: both say so and exit 2 instead of pretending to judge. */
#include <stdio.h>

#include "commands.h"

static int not_yet(const char *name) {
  fprintf(stderr, "judge %s: not available in this build yet (judging engine pending)\n", name);
  return 2;
}
int cmd_submit(int argc, char **argv) { (void)argc; (void)argv; return not_yet("submit"); }
int cmd_batch(int argc, char **argv) { (void)argc; (void)argv; return not_yet("batch"); }
