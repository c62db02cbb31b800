/* judge_broker.h — `judge submit --broker` and `judge batch --broker`
 * (judge-net only): the pool options, opening a client with the problem
 * uploaded, and a wire result turned into the engine's struct so both modes
 * print through the same table / JSON / summary code. */
#ifndef JP_JUDGE_BROKER_H
#define JP_JUDGE_BROKER_H

#include "jpclient.h"
#include "judge_local.h"
#include "net_opts.h"

struct broker_opts {
  const char *endpoint;   /* NULL: --local */
  enum jp_priority prio;
  int prio_set;
  int wait_s;             /* --wait; 0 = until the verdict (never given) */
  int no_wait;
  struct auth_opts auth;  /* --cert, --broker-key, --insecure */
  int auth_given;         /* one of those on the command line */
  const char *local_only; /* the last --local-only option given (its name) */
};

/* Defaults, $JUDGE_CERT / $JUDGE_BROKER_KEY included. */
void broker_opts_init(struct broker_opts *o);

/* 1 handled, 0 not a broker option, -1 bad value (printed). */
int broker_opt(struct broker_opts *o, int opt, const char *arg, const char *cmd);

/* Notes opt if it is one of the --local-only options of submit and batch
 * (--local, --languages, --time-limit, --wall-multiplier, --cache-dir,
 * --parallel, --jobs): its name, looked up in the command's longopts. */
void broker_note_local(struct broker_opts *o, int opt, const struct option *longopts);

/* The rules submit and batch share once the command line is read: with
 * --broker no --local-only option and not both --wait and --no-wait;
 * without it no pool option (--id too when the command takes one:
 * takes_id, id_given). 0, or -1 after printing why. */
int broker_opts_check(const struct broker_opts *o, int takes_id, int id_given, const char *cmd);

/* Connects, scans and uploads the problem. Prints why on failure (-1). */
int broker_open(const struct broker_opts *o, const char *problem, const char *cmd, struct jpc **c,
                struct jpc_problem **p);

/* A readable sentence for a library error: names the endpoint, and what to
 * do for a full queue or a refused client. */
void broker_explain(const char *cmd, const char *endpoint, const char *err);

/* --no-wait --json: {"file": file (if any), "id": sid, "duplicate": dup
 * (if >= 0)} on one line of stdout. */
void print_id_json(const char *file, const char *sid, int dup);

/* The wire result as the engine's struct (tests malloc'd: free with
 * judge_result_free). lang: what was submitted. 0, or -1 out of memory. */
int result_from_wire(const struct jp_result *w, const char *lang, struct judge_result *out);

#endif
