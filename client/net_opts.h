/* net_opts.h — the options every network command shares (status, watch,
 * result, cancel): the broker endpoint, with $JUDGE_BROKER as default, and
 * bounded number parsing, so each cmd_*.c handles only its own options. */
#ifndef JP_NET_OPTS_H
#define JP_NET_OPTS_H

#include <getopt.h>
#include <stdio.h>

#include "auth_opts.h"

struct net_opts {
  const char *broker;
  struct auth_opts auth;
};

#define NET_LONGOPTS {"broker", required_argument, NULL, 'b'}, AUTH_LONGOPTS
extern const char net_opts_help[]; /* --broker; auth_opts_help follows it */

void net_opts_init(struct net_opts *o);
/* 1 if opt was one of NET_LONGOPTS (handled), 0 if not, -1 bad value. */
int net_opt(struct net_opts *o, int opt, const char *arg, const char *cmd);

/* $JUDGE_CERT / $JUDGE_BROKER_KEY as defaults (read once, here). */
void auth_opts_init(struct auth_opts *a);
/* 1 handled, 0 not an auth option. */
int auth_opt(struct auth_opts *a, int opt, const char *arg);
/* Sets this process's identity for its connections (before jpc_open):
 * CURVE with cert + broker key, or plain with --insecure or when nothing at
 * all is given. -1 (printed) when the files or keys are bad. */
int auth_apply(const struct auth_opts *a, const char *cmd);
/* A whole number of seconds in [lo, hi] for option name; -1 (printed) if
 * not. */
long net_seconds(const char *arg, long lo, long hi, const char *cmd, const char *name);
/* getopt_long's own message was printed; add where to read more: 2. */
int net_bad_option(const char *cmd);

#endif
