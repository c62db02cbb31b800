/* net_cmd.h — the skeleton of the one-argument admin commands (`judge
 * cancel ID`, `judge drain [--undo] WORKER`): the shared network options
 * plus at most one flag, exactly one non-empty argument, the identity
 * applied and a connection opened, so each cmd_*.c holds only its request
 * and its output. */
#ifndef JP_NET_CMD_H
#define JP_NET_CMD_H

#include <stdio.h>

struct jpc;

struct net_cmd {
  const char *cmd;           /* "cancel": messages say "judge cancel: ..." */
  const char *what;          /* the argument, for "need exactly one ID" */
  void (*usage)(FILE *f);    /* --help */
  const char *flag;          /* a no-argument long option ("undo"), or NULL */
  /* out */
  int flag_set;
  const char *broker;        /* the endpoint, for broker_explain */
  const char *arg;
  struct jpc *cl;            /* open on 0: jpc_close it */
};

/* 0: c->cl is connected and c->arg set. Otherwise the exit status to
 * return (0 after --help, 2 after a usage or connection error, printed). */
int net_cmd_open(struct net_cmd *c, int argc, char **argv);

#endif
