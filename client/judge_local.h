/* judge_local.h — what `judge submit` and `judge batch` share: the common
 * options (problem, language, engine settings), opening the embedded
 * engine, and rendering a result as JSON or as a readable table. */
#ifndef JP_JUDGE_LOCAL_H
#define JP_JUDGE_LOCAL_H

#include <stdio.h>

#include "auth_opts.h"
#include "judge.h"

struct local_opts {
  const char *problem;
  const char *lang;
  int json;
  int stop;                 /* -1 problem default, 0 run all, 1 stop at first failure */
  long parallel;            /* tests at once per submission; 0 = command default */
  struct judge_config cfg;
};

/* Handles one of the shared long options (returns 1 if it was one, 0 if
 * not, -1 on a bad value after printing why). */
int local_opt(struct local_opts *o, int opt, const char *arg, const char *cmd);
/* The getopt_long entries for the shared options, and their help text. */
#define LOCAL_LONGOPTS                                                   \
  {"local", no_argument, NULL, 'L'}, {"problem", required_argument, NULL, 'p'}, \
      {"lang", required_argument, NULL, 'l'}, {"json", no_argument, NULL, 'j'},     \
      {"languages", required_argument, NULL, 'T'}, {"time-limit", required_argument, NULL, 't'}, \
      {"wall-multiplier", required_argument, NULL, 'W'}, {"all-tests", no_argument, NULL, 'A'}, \
      {"stop-at-first-failure", no_argument, NULL, 'S'}, {"cache-dir", required_argument, NULL, 'C'}, \
      {"parallel", required_argument, NULL, 'P'}
extern const char local_opts_help[];
/* The pool options of submit and batch (parsed by judge-net only, see
 * judge_broker.h; the lean judge hands any of them to judge-net). */
#define BROKER_LONGOPTS                                                               \
  {"broker", required_argument, NULL, 'B'}, {"priority", required_argument, NULL, 'R'}, \
      {"wait", required_argument, NULL, 'w'}, {"no-wait", no_argument, NULL, 'N'}, AUTH_LONGOPTS
#define IS_BROKER_OPT(c) ((c) == 'B' || (c) == 'R' || (c) == 'w' || (c) == 'N' || IS_AUTH_OPT(c))
extern const char broker_opts_help[];

int local_engine_open(struct judge_engine **e, struct local_opts *o, const char *cmd);

/* One result as a JSON object (unformatted, no newline); malloc'd. */
char *result_json(const struct judge_result *r, const char *id, const char *file);
/* The readable per-test table (colour when colour != 0). */
void result_table(FILE *f, const struct judge_result *r, int colour);
const char *verdict_colour(judge_verdict v, int colour);
/* A fresh submission id (random hex). */
void new_submission_id(char out[33]);

#endif
