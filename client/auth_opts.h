/* auth_opts.h — the authentication options of every network command
 * (--cert, --broker-key, --insecure; defaults from $JUDGE_CERT and
 * $JUDGE_BROKER_KEY). Declared here, apart from net_opts.h, because the lean
 * `judge` must recognise them in submit/batch to hand those to judge-net. */
#ifndef JP_AUTH_OPTS_H
#define JP_AUTH_OPTS_H

#define OPT_CERT 0x101
#define OPT_BROKER_KEY 0x102
#define OPT_INSECURE 0x103
#define AUTH_LONGOPTS                                                                       \
  {"cert", required_argument, NULL, OPT_CERT}, {"broker-key", required_argument, NULL, OPT_BROKER_KEY}, \
      {"insecure", no_argument, NULL, OPT_INSECURE}
#define IS_AUTH_OPT(c) ((c) == OPT_CERT || (c) == OPT_BROKER_KEY || (c) == OPT_INSECURE)

extern const char auth_opts_help[];

struct auth_opts {
  const char *cert, *broker_key;
  int insecure;
};

#endif
