/* judge_broker.c — pool options and helpers for `judge submit|batch
 * --broker` (see judge_broker.h). */
#include "judge_broker.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void broker_opts_init(struct broker_opts *o) {
  memset(o, 0, sizeof *o);
  auth_opts_init(&o->auth);
}

int broker_opt(struct broker_opts *o, int opt, const char *arg, const char *cmd) {
  long v;
  if (auth_opt(&o->auth, opt, arg)) {
    o->auth_given = 1;
    return 1;
  }
  switch (opt) {
  case 'B':
    if (!*arg) {
      fprintf(stderr, "judge %s: --broker needs an endpoint such as tcp://host:7700\n", cmd);
      return -1;
    }
    o->endpoint = arg;
    return 1;
  case 'R':
    for (int p = 0; p < JP_PRIO__COUNT; p++)
      if (!strcmp(arg, jp_priority_name((enum jp_priority)p))) {
        o->prio = (enum jp_priority)p;
        o->prio_set = 1;
        return 1;
      }
    fprintf(stderr, "judge %s: --priority must be contest, normal, rejudge or bulk, not '%s'\n", cmd, arg);
    return -1;
  case 'w':
    if ((v = net_seconds(arg, 1, 7 * 24 * 3600, cmd, "wait")) < 0) return -1;
    o->wait_s = (int)v;
    return 1;
  case 'N':
    o->no_wait = 1;
    return 1;
  default:
    return 0;
  }
}

void broker_note_local(struct broker_opts *o, int opt, const struct option *longopts) {
  if (!opt || !strchr("LTtWCPJ", opt))
    return;
  for (const struct option *l = longopts; l->name; l++)
    if (l->val == opt)
      o->local_only = l->name;
}

int broker_opts_check(const struct broker_opts *o, int takes_id, int id_given, const char *cmd) {
  if (o->endpoint) {
    if (o->local_only) {
      fprintf(stderr, "judge %s: --%s is for --local judging, not with --broker (the pool's workers use their own "
                      "settings)\n", cmd, o->local_only);
      return -1;
    }
    if (o->no_wait && o->wait_s) {
      fprintf(stderr, "judge %s: --wait and --no-wait exclude each other\n", cmd);
      return -1;
    }
    return 0;
  }
  if (o->prio_set || o->wait_s || o->no_wait || id_given || o->auth_given) {
    fprintf(stderr, "judge %s: --priority,%s --wait, --no-wait, --cert, --broker-key and --insecure need --broker "
                    "ENDPOINT\n", cmd, takes_id ? " --id," : "");
    return -1;
  }
  return 0;
}

void broker_explain(const char *cmd, const char *endpoint, const char *err) {
  const char *full = jp_errcode_name(JP_E_QUEUE_FULL), *forb = jp_errcode_name(JP_E_FORBIDDEN);
  if (full && !strncmp(err, full, strlen(full)))
    fprintf(stderr, "judge %s: the broker at %s has a full queue (%s); try again later\n", cmd, endpoint, err);
  else if (forb && !strncmp(err, forb, strlen(forb)) && strstr(err, "already used"))
    fprintf(stderr, "judge %s: that id is taken by a different submission at %s (%s); choose another --id\n", cmd,
            endpoint, err);
  else if (forb && strstr(err, forb))
    fprintf(stderr,
            "judge %s: the broker at %s refused this (%s): the key given with --cert lacks the role for it "
            "(cancel needs an admin key; a client key reads only its own submissions)\n",
            cmd, endpoint, err);
  else if (strstr(err, "did not answer") || strstr(err, "stopped answering"))
    /* a CURVE broker never answers a plain or unlisted peer: the same
     * silence as no broker at all */
    fprintf(stderr,
            "judge %s: %s, or it does not admit this client: check --cert/--broker-key ($JUDGE_CERT, "
            "$JUDGE_BROKER_KEY), or --insecure for a broker run with --insecure\n",
            cmd, err);
  else if (strstr(err, endpoint))
    fprintf(stderr, "judge %s: %s\n", cmd, err);
  else
    fprintf(stderr, "judge %s: broker %s: %s\n", cmd, endpoint, err);
}

int broker_open(const struct broker_opts *o, const char *problem, const char *cmd, struct jpc **c,
                struct jpc_problem **p) {
  char err[1024], name[32];
  *c = NULL;
  *p = NULL;
  if (jpc_problem_scan(problem, p, err, sizeof err) < 0) {
    fprintf(stderr, "judge %s: problem %s: %s\n", cmd, problem, err);
    return -1;
  }
  snprintf(name, sizeof name, "judge-%s", cmd);
  if (auth_apply(&o->auth, cmd) < 0) {
    jpc_problem_free(*p);
    *p = NULL;
    return -1;
  }
  if (jpc_open(c, o->endpoint, name, err, sizeof err) < 0) {
    broker_explain(cmd, o->endpoint, err);
    jpc_problem_free(*p);
    *p = NULL;
    return -1;
  }
  /* an absent broker should be reported in seconds, not after the
   * library's default 30 s retry budget */
  jpc_set_timeouts(*c, 5000, 10000);
  if (jpc_problem_upload(*c, *p, err, sizeof err) < 0) {
    broker_explain(cmd, o->endpoint, err);
    jpc_close(*c);
    jpc_problem_free(*p);
    *c = NULL;
    *p = NULL;
    return -1;
  }
  return 0;
}

static judge_verdict from_wire(enum jp_verdict v) {
  judge_verdict j;
  const char *n = jp_verdict_name(v);
  if (v == JP_V_NONE || !n || judge_verdict_parse(n, &j) < 0)
    return JUDGE_SKIPPED; /* not run */
  return j;
}

static void copy(char *dst, size_t n, const char *src) { snprintf(dst, n, "%s", src ? src : ""); }

int result_from_wire(const struct jp_result *w, const char *lang, struct judge_result *out) {
  memset(out, 0, sizeof *out);
  out->verdict = from_wire(w->verdict);
  if (out->verdict == JUDGE_SKIPPED)
    out->verdict = JUDGE_IE; /* a final result without a verdict */
  out->score = w->score;
  /* results stored before the wire had `scoring` read as pass-fail */
  out->scoring = w->scoring;
  out->cpu_ms = w->max_cpu_ms;
  out->memory_kib = w->max_memory_kib;
  copy(out->lang, sizeof out->lang, lang);
  out->compile.ok = w->compile.ok;
  out->compile.cpu_ms = w->compile.cpu_ms;
  /* the worker sends the IE reason where the compiler output would go */
  if (out->verdict == JUDGE_IE && w->compile.ok)
    copy(out->message, sizeof out->message, w->compile.message);
  else
    copy(out->compile.message, sizeof out->compile.message, w->compile.message);
  if (w->ntests) {
    out->tests = calloc(w->ntests, sizeof *out->tests);
    if (!out->tests)
      return -1;
  }
  out->ntests = w->ntests;
  for (size_t i = 0; i < w->ntests; i++) {
    const struct jp_test_result *s = &w->tests[i];
    struct judge_test_result *t = &out->tests[i];
    copy(t->name, sizeof t->name, s->name);
    copy(t->group, sizeof t->group, s->group);
    t->verdict = from_wire(s->verdict);
    t->cpu_ms = s->cpu_ms;
    t->wall_ms = s->wall_ms;
    t->memory_kib = s->memory_kib;
    t->exit_code = s->exit_code;
    t->signal = s->signal;
    copy(t->syscall, sizeof t->syscall, s->syscall);
    copy(t->message, sizeof t->message, s->message);
    t->score = s->score;
    if (t->verdict != JUDGE_SKIPPED && t->wall_ms > out->wall_ms)
      out->wall_ms = t->wall_ms;
  }
  return 0;
}

void print_id_json(const char *file, const char *sid, int dup) {
  cJSON *o = cJSON_CreateObject();
  if (!o)
    return;
  if (file)
    cJSON_AddStringToObject(o, "file", file);
  cJSON_AddStringToObject(o, "id", sid);
  if (dup >= 0)
    cJSON_AddBoolToObject(o, "duplicate", dup);
  char *s = cJSON_PrintUnformatted(o);
  if (s)
    printf("%s\n", s);
  free(s);
  cJSON_Delete(o);
}
