/* net_opts.c — options shared by the network commands (see net_opts.h). */
#include "net_opts.h"

#include <errno.h>
#include <stdlib.h>

#include "jpclient.h"
#include "jpclient_auth.h"

const char net_opts_help[] =
    "  --broker ENDPOINT  the broker's client endpoint (default $JUDGE_BROKER, else\n"
    "                     tcp://127.0.0.1:7700)\n";

void auth_opts_init(struct auth_opts *a) {
  const char *c = getenv("JUDGE_CERT"), *k = getenv("JUDGE_BROKER_KEY");
  a->cert = c && *c ? c : NULL;
  a->broker_key = k && *k ? k : NULL;
  a->insecure = 0;
}

int auth_opt(struct auth_opts *a, int opt, const char *arg) {
  switch (opt) {
  case OPT_CERT:
    a->cert = arg;
    return 1;
  case OPT_BROKER_KEY:
    a->broker_key = arg;
    return 1;
  case OPT_INSECURE:
    a->insecure = 1;
    return 1;
  default:
    return 0;
  }
}

int auth_apply(const struct auth_opts *a, const char *cmd) {
  if (!a->insecure && !a->cert && !a->broker_key)
    return 0; /* plain sockets: the library's default */
  struct jpc_auth ja = {.cert = a->cert, .broker_key = a->broker_key, .insecure = a->insecure};
  char err[512];
  if (jpc_set_auth(&ja, err, sizeof err) < 0) {
    fprintf(stderr, "judge %s: %s\n", cmd, err);
    return -1;
  }
  return 0;
}

void net_opts_init(struct net_opts *o) {
  o->broker = jpc_default_endpoint();
  auth_opts_init(&o->auth);
}

int net_opt(struct net_opts *o, int opt, const char *arg, const char *cmd) {
  if (auth_opt(&o->auth, opt, arg))
    return 1;
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
