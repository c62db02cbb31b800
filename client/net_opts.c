/* net_opts.c — options shared by the network commands (see net_opts.h). */
#include "net_opts.h"

#include <errno.h>
#include <stdlib.h>

#include "jpclient.h"

const char net_opts_help[] =
    "  --broker ENDPOINT  the broker's client endpoint (default $JUDGE_BROKER, else\n"
    "                     tcp://127.0.0.1:7700)\n";

void net_opts_init(struct net_opts *o) { o->broker = jpc_default_endpoint(); }

int net_opt(struct net_opts *o, int opt, const char *arg, const char *cmd) {
  switch (opt) {
  case 'b':
    if (!*arg) {
      fprintf(stderr, "judge %s: --broker needs an endpoint such as tcp://host:7700\n", cmd);
      return -1;
    }
    o->broker = arg;
    return 1;
  default:
    return 0;
  }
}

long net_seconds(const char *arg, long lo, long hi, const char *cmd, const char *name) {
  char *end;
  errno = 0;
  long v = strtol(arg, &end, 10);
  if (end == arg || *end || errno || v < lo || v > hi) {
    fprintf(stderr, "judge %s: --%s must be whole seconds in [%ld, %ld], not '%s'\n", cmd, name, lo, hi, arg);
    return -1;
  }
  return v;
}

int net_bad_option(const char *cmd) {
  fprintf(stderr, "see 'judge %s --help'\n", cmd);
  return 2;
}
