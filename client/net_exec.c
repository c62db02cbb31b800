/* net_exec.c — the lean `judge` execs `judge-net` for network commands
 * (see net_exec.h). */
#include "net_exec.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char **saved;

void net_exec_save(int argc, char **argv) {
  /* argv itself is permuted by getopt_long; its strings are not */
  saved = calloc((size_t)argc + 1, sizeof *saved);
  if (saved)
    memcpy(saved, argv, (size_t)argc * sizeof *saved);
}

int net_exec(const char *cmd) {
  char self[PATH_MAX], net[PATH_MAX + 16];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) {
    fprintf(stderr, "judge %s: cannot find this program (/proc/self/exe: %s), so not judge-net either\n", cmd,
            strerror(errno));
    return 2;
  }
  self[n] = 0;
  char *slash = strrchr(self, '/');
  if (slash)
    *slash = 0;
  snprintf(net, sizeof net, "%s/judge-net", slash ? self : ".");
  if (!saved) {
    fprintf(stderr, "judge %s: out of memory\n", cmd);
    return 2;
  }
  fflush(NULL);
  execv(net, saved);
  fprintf(stderr,
          "judge %s: the network commands live in %s, which cannot be run (%s); install it next to judge "
          "(build target judge-net)\n",
          cmd, net, strerror(errno));
  return 2;
}
