/* judge_local.c — shared options, engine opening and result rendering for
 * `judge submit` and `judge batch` (see judge_local.h). */
#include "judge_local.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

const char local_opts_help[] =
    "  --local                judge in this process with the embedded engine (the default)\n"
    "  --problem DIR          the problem package (Kattis / ICPC format)\n"
    "  --lang LANG            language id (c, cpp, python3, pypy3, java, kotlin, go, rust);\n"
    "                         default: from the file extension\n"
    "  --json                 print JSON instead of a table\n"
    "  --languages FILE       language table to use instead of the built-in one\n"
    "  --time-limit SEC       time limit when problem.yaml has none (default 2)\n"
    "  --wall-multiplier X    wall-clock limit = X times the CPU limit (default 3)\n"
    "  --all-tests            run every test even after a failure\n"
    "  --stop-at-first-failure  stop at the first failure (default for pass-fail problems)\n"
    "  --parallel N           tests of one submission run at once, each in its own box\n"
    "                         (verdicts are the same; submit: number of cores, batch: 1)\n"
    "  --cache-dir DIR        where built output validators are cached\n"
    "                         (default /var/cache/judgepool/validators)\n";

const char broker_opts_help[] =
    "  --broker ENDPOINT      judge in a pool: send to this broker (e.g. tcp://host:7700;\n"
    "                         $JUDGE_BROKER is the default for the other network commands)\n"
    "  --priority P           contest, normal, rejudge or bulk (with --broker; default\n"
    "                         normal for submit, bulk for batch)\n"
    "  --wait SEC             give up waiting for verdicts after SEC seconds (default: wait\n"
    "                         until judged); the submissions stay queued\n"
    "  --no-wait              print the id(s) once the broker has them, do not wait\n";

const char auth_opts_help[] =
    "  --cert FILE            this client's secret certificate (NAME_secret from\n"
    "                         'judge keygen --out NAME'; default $JUDGE_CERT)\n"
    "  --broker-key FILE|Z85  the broker's public certificate or 40-character Z85 key\n"
    "                         (default $JUDGE_BROKER_KEY)\n"
    "  --insecure             plain connection, for a broker run with --insecure\n"
    "                         (also the default when none of these is given or set)\n";

int local_opt(struct local_opts *o, int opt, const char *arg, const char *cmd) {
  char *end;
  double d;
  switch (opt) {
  case 'L':
    return 1;
  case 'p':
    o->problem = arg;
    return 1;
  case 'l':
    o->lang = arg;
    return 1;
  case 'j':
    o->json = 1;
    return 1;
  case 'T':
    o->cfg.languages_path = arg;
    return 1;
  case 't':
    errno = 0;
    d = strtod(arg, &end);
    if (end == arg || *end || errno || !(d > 0 && d <= 600)) {
      fprintf(stderr, "judge %s: --time-limit must be seconds in (0, 600], not '%s'\n", cmd, arg);
      return -1;
    }
    o->cfg.default_time_limit_ms = (uint64_t)(d * 1000 + 0.5);
    return 1;
  case 'W':
    errno = 0;
    d = strtod(arg, &end);
    if (end == arg || *end || errno || !(d >= 1 && d <= 100)) {
      fprintf(stderr, "judge %s: --wall-multiplier must be a number in [1, 100], not '%s'\n", cmd, arg);
      return -1;
    }
    o->cfg.wall_multiplier = d;
    return 1;
  case 'A':
    o->stop = 0;
    return 1;
  case 'S':
    o->stop = 1;
    return 1;
  case 'C':
    o->cfg.cache_dir = arg;
    return 1;
  case 'P':
    errno = 0;
    o->parallel = strtol(arg, &end, 10);
    if (end == arg || *end || errno || o->parallel < 1 || o->parallel > 64) {
      fprintf(stderr, "judge %s: --parallel must be 1..64, not '%s'\n", cmd, arg);
      return -1;
    }
    return 1;
  default:
    return 0;
  }
}

int local_engine_open(struct judge_engine **e, struct local_opts *o, const char *cmd) {
  char err[1024];
  if (judge_engine_open(e, &o->cfg, err, sizeof err) < 0) {
    fprintf(stderr, "judge %s: %s\n", cmd, err);
    return -1;
  }
  return 0;
}

void new_submission_id(char out[33]) {
  unsigned char b[16];
  if (sodium_init() < 0)
    memset(b, 0, sizeof b);
  else
    randombytes_buf(b, sizeof b);
  sodium_bin2hex(out, 33, b, sizeof b);
}

char *result_json(const struct judge_result *r, const char *id, const char *file) {
  cJSON *o = cJSON_CreateObject();
  if (!o)
    return NULL;
  cJSON_AddStringToObject(o, "id", id);
  if (file)
    cJSON_AddStringToObject(o, "file", file);
  cJSON_AddStringToObject(o, "lang", r->lang);
  cJSON_AddStringToObject(o, "verdict", judge_verdict_name(r->verdict));
  cJSON_AddNumberToObject(o, "score", r->score);
  cJSON_AddNumberToObject(o, "cpu_ms", (double)r->cpu_ms);
  cJSON_AddNumberToObject(o, "wall_ms", (double)r->wall_ms);
  cJSON_AddNumberToObject(o, "memory_kib", (double)r->memory_kib);
  if (r->message[0])
    cJSON_AddStringToObject(o, "message", r->message);
  cJSON *c = cJSON_AddObjectToObject(o, "compile");
  if (c) {
    cJSON_AddBoolToObject(c, "ok", r->compile.ok);
    cJSON_AddStringToObject(c, "message", r->compile.message);
    cJSON_AddNumberToObject(c, "cpu_ms", (double)r->compile.cpu_ms);
  }
  cJSON *tests = cJSON_AddArrayToObject(o, "tests");
  for (size_t i = 0; tests && i < r->ntests; i++) {
    const struct judge_test_result *t = &r->tests[i];
    if (t->verdict == JUDGE_SKIPPED)
      continue;
    cJSON *x = cJSON_CreateObject();
    if (!x)
      break;
    cJSON_AddStringToObject(x, "name", t->name);
    cJSON_AddStringToObject(x, "group", t->group);
    cJSON_AddStringToObject(x, "verdict", judge_verdict_name(t->verdict));
    if (r->scoring)
      cJSON_AddNumberToObject(x, "score", t->score);
    cJSON_AddNumberToObject(x, "cpu_ms", (double)t->cpu_ms);
    cJSON_AddNumberToObject(x, "wall_ms", (double)t->wall_ms);
    cJSON_AddNumberToObject(x, "memory_kib", (double)t->memory_kib);
    cJSON_AddNumberToObject(x, "exit_code", t->exit_code);
    cJSON_AddNumberToObject(x, "signal", t->signal);
    if (t->syscall[0])
      cJSON_AddStringToObject(x, "syscall", t->syscall);
    else
      cJSON_AddNullToObject(x, "syscall");
    cJSON_AddStringToObject(x, "message", t->message);
    cJSON_AddItemToArray(tests, x);
  }
  char *s = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  return s;
}

const char *verdict_colour(judge_verdict v, int colour) {
  if (!colour)
    return "";
  switch (v) {
  case JUDGE_AC: return "\033[32m";
  case JUDGE_SKIPPED: return "\033[2m";
  case JUDGE_IE: return "\033[35m";
  case JUDGE_SV: return "\033[1;31m";
  default: return "\033[31m";
  }
}

/* One line of message: newlines flattened, cut for the table. */
static void one_line(char *out, size_t n, const char *s) {
  size_t j = 0;
  for (size_t i = 0; s[i] && j + 4 < n; i++)
    out[j++] = (s[i] == '\n' || s[i] == '\r' || s[i] == '\t') ? ' ' : s[i];
  if (strlen(s) > j && j + 4 < n) {
    memcpy(out + j, "...", 3);
    j += 3;
  }
  out[j] = 0;
}

void result_table(FILE *f, const struct judge_result *r, int colour) {
  const char *reset = colour ? "\033[0m" : "";
  if (!r->compile.ok && r->verdict == JUDGE_IE) {
    /* judging failed before compiling (e.g. a worker could not use the
     * package): not the submission's fault, so not "compile: failed" */
    fprintf(f, "internal error: %s\n", r->compile.message[0] ? r->compile.message : "(no details)");
  } else if (!r->compile.ok) {
    fprintf(f, "compile: %sfailed%s\n%s\n", verdict_colour(JUDGE_CE, colour), reset, r->compile.message);
  } else {
    fprintf(f, "%-32s %-7s %8s %8s %10s%s  %s\n", "test", "verdict", "cpu_ms", "wall_ms", "mem_kib",
            r->scoring ? "    score" : "", "message");
    for (size_t i = 0; i < r->ntests; i++) {
      const struct judge_test_result *t = &r->tests[i];
      if (t->verdict == JUDGE_SKIPPED)
        continue;
      char msg[100], extra[160] = "";
      one_line(msg, sizeof msg, t->message);
      if (t->verdict == JUDGE_SV && t->syscall[0] && !strstr(msg, t->syscall))
        snprintf(extra, sizeof extra, "syscall %s%s", t->syscall, msg[0] ? "; " : "");
      else if (t->verdict == JUDGE_RTE && t->signal)
        snprintf(extra, sizeof extra, "signal %d%s", t->signal, msg[0] ? "; " : "");
      else if (t->verdict == JUDGE_RTE)
        snprintf(extra, sizeof extra, "exit %d%s", t->exit_code, msg[0] ? "; " : "");
      char score[32] = "";
      if (r->scoring)
        snprintf(score, sizeof score, " %8g", t->score);
      fprintf(f, "%-32s %s%-7s%s %8llu %8llu %10llu%s  %s%s\n", t->name, verdict_colour(t->verdict, colour),
              judge_verdict_name(t->verdict), reset, (unsigned long long)t->cpu_ms, (unsigned long long)t->wall_ms,
              (unsigned long long)t->memory_kib, score, extra, msg);
    }
    size_t skipped = 0;
    for (size_t i = 0; i < r->ntests; i++)
      skipped += r->tests[i].verdict == JUDGE_SKIPPED;
    if (skipped)
      fprintf(f, "(%zu test%s not run)\n", skipped, skipped == 1 ? "" : "s");
  }
  fprintf(f, "verdict: %s%s%s", verdict_colour(r->verdict, colour), judge_verdict_name(r->verdict), reset);
  if (r->scoring)
    fprintf(f, "  score: %g", r->score);
  fprintf(f, "  cpu: %llu ms  memory: %llu KiB\n", (unsigned long long)r->cpu_ms,
          (unsigned long long)r->memory_kib);
  if (r->message[0])
    fprintf(f, "note: %s\n", r->message);
}
