/* net_opts.h — the options every network command shares (status, watch,
 * result, cancel): the broker endpoint, with $JUDGE_BROKER as default, and
 * bounded number parsing, so each cmd_*.c handles only its own options. */
#ifndef JP_NET_OPTS_H
#define JP_NET_OPTS_H

#include <getopt.h>
#include <stdio.h>

struct net_opts {
  const char *broker;
};

#define NET_LONGOPTS {"broker", required_argument, NULL, 'b'}
extern const char net_opts_help[];

void net_opts_init(struct net_opts *o);
/* 1 if opt was one of NET_LONGOPTS (handled), 0 if not, -1 bad value. */
int net_opt(struct net_opts *o, int opt, const char *arg, const char *cmd);
/* A whole number of seconds in [lo, hi] for option name; -1 (printed) if
 * not. */
long net_seconds(const char *arg, long lo, long hi, const char *cmd, const char *name);
/* getopt_long's own message was printed; add where to read more: 2. */
int net_bad_option(const char *cmd);

#endif
