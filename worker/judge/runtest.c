/* runtest.c — one test case of a batch problem: run the submission in the
 * box (input file on stdin, output to a host file), then validate with the
 * default validator (in process), a Kattis output validator or a testlib
 * checker (both in the box). Judge-side failures become IE, never a wrong
 * verdict. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "default_validator.h"
#include "engine_internal.h"
#include "err.h"
#include "pkgfs.h"
#include "verdict.h"

#define ANSWER_MAX (256u << 20)

static void set_ie(struct judge_test_result *r, const char *fmt, const char *what) {
  r->verdict = JUDGE_IE;
  snprintf(r->message, sizeof r->message, fmt, what);
}

static void copy_run(struct judge_test_result *r, const struct box_result *res) {
  r->cpu_ms = (uint64_t)res->cpu_ms;
  r->wall_ms = (uint64_t)res->wall_ms;
  r->memory_kib = res->memory_kib;
  r->exit_code = res->exit_code;
  r->signal = res->signal;
  snprintf(r->syscall, sizeof r->syscall, "%s", res->status == BOX_SV ? res->syscall : "");
}

/* Group flags for the output validator: problem.yaml validator_flags, then
 * the test group's output_validator_flags. */
static char *const *gflags(const struct tcase *t, size_t *n) {
  *n = t->group->set.nout_flags;
  return t->group->set.out_flags;
}

static void default_validate(struct judge_ctx *c, const struct tcase *t, const char *team_path,
                             struct judge_test_result *r) {
  const char *flags[PROBLEM_MAX_FLAGS * 2];
  size_t nf = 0, ng;
  for (size_t i = 0; i < c->p->nvflags; i++)
    flags[nf++] = c->p->vflags[i];
  char *const *g = gflags(t, &ng);
  for (size_t i = 0; i < ng; i++)
    flags[nf++] = g[i];
  struct dv_flags f;
  char err[512];
  if (dv_parse_flags(flags, nf, &f, err, sizeof err) < 0) {
    set_ie(r, "%.900s", err);
    return;
  }
  char *team = NULL, *ans = NULL;
  size_t tl, al;
  uint64_t tmax = c->p->output_mib * 1024 * 1024 + 1;
  if (fs_read_file(team_path, (size_t)tmax, &team, &tl, err, sizeof err) < 0) {
    r->verdict = JUDGE_OLE;
    snprintf(r->message, sizeof r->message, "output could not be read within the output limit: %s", err);
    return;
  }
  if (fs_read_file(t->ans_path, ANSWER_MAX, &ans, &al, err, sizeof err) < 0) {
    free(team);
    set_ie(r, "answer file: %.900s", err);
    return;
  }
  int ok = dv_compare(team, tl, ans, al, &f, r->message, sizeof r->message);
  r->verdict = ok ? JUDGE_AC : JUDGE_WA;
  free(team);
  free(ans);
}

static int read_score(const char *path, double *out) {
  char buf[128];
  if (fs_read_prefix(path, sizeof buf - 1, buf, sizeof buf) < 0 || !buf[0])
    return 0;
  char *end;
  double v = strtod(buf, &end);
  while (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t')
    end++;
  if (end == buf || *end)
    return -1;
  *out = v;
  return 1;
}

/* Runs the Kattis validator or testlib checker on the team output. */
static void box_validate(struct judge_ctx *c, const struct tcase *t, const char *team_path,
                         struct judge_test_result *r, int *has_score, double *score) {
  const struct program *v = c->val;
  int testlib = c->p->vkind == VAL_TESTLIB;
  char jm[PATH_MAX], sc[PATH_MAX], errp[PATH_MAX];
  snprintf(jm, sizeof jm, "%s/judgemessage.txt", c->tmp);
  snprintf(sc, sizeof sc, "%s/score.txt", c->tmp);
  snprintf(errp, sizeof errp, "%s/checker.err", c->tmp);
  unlink(jm);
  unlink(sc);
  struct box_file_in fin[PROGRAM_MAX_FILES + 3];
  size_t nin = 0;
  for (size_t i = 0; i < v->nnames; i++)
    fin[nin++] = v->files_in[i];
  fin[nin++] = (struct box_file_in){t->in_path, "testdata.in"};
  fin[nin++] = (struct box_file_in){t->ans_path, "testdata.ans"};
  if (testlib)
    fin[nin++] = (struct box_file_in){team_path, "team.out"};
  const char *kattis_args[] = {"testdata.in", "testdata.ans", "/box/"};
  const char *testlib_args[] = {"testdata.in", "team.out", "testdata.ans"};
  size_t ng;
  char *const *g = gflags(t, &ng);
  char **argv = argv_concat(v->run_argv, testlib ? testlib_args : kattis_args, 3, testlib ? NULL : c->p->vflags,
                            testlib ? 0 : c->p->nvflags, testlib ? NULL : g, testlib ? 0 : ng);
  if (!argv) {
    set_ie(r, "%s", "out of memory");
    return;
  }
  struct box_file_out fout[2] = {{"judgemessage.txt", jm, 64 << 10}, {"score.txt", sc, 4096}};
  int in_fd = testlib ? -1 : fs_open_regular(team_path, NULL, 0);
  int err_fd = open(errp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if ((!testlib && in_fd < 0) || err_fd < 0) {
    if (in_fd >= 0)
      close(in_fd);
    if (err_fd >= 0)
      close(err_fd);
    free(argv);
    set_ie(r, "%s", "cannot open the team output for the validator");
    return;
  }
  uint64_t vt = c->tl_ms * 4 > 20000 ? c->tl_ms * 4 : 20000;
  struct box_spec spec = {
      .argv = (const char *const *)argv,
      .limits = {.cpu_ms = vt, .wall_ms = vt * 2, .memory_kib = 2048u * 1024, .output_kib = 64 * 1024,
                 .procs = 8, .open_files = 64},
      .policy = BOX_POLICY_DEFAULT,
      .stdin_fd = in_fd,
      .stdout_fd = -1,
      .stderr_fd = err_fd,
      .files_in = fin,
      .nfiles_in = nin,
      .files_out = fout,
      .nfiles_out = testlib ? 0 : 2,
  };
  struct box_result res;
  memset(&res, 0, sizeof res);
  judge_box_run(c->e, c->b, &spec, &res);
  free(argv);
  if (in_fd >= 0)
    close(in_fd);
  close(err_fd);
  int exited = (res.status == BOX_OK || res.status == BOX_RTE) && res.signal == 0;
  int code = exited ? res.exit_code : -1;
  judge_verdict vv = testlib ? verdict_testlib_exit(code) : verdict_kattis_exit(code);
  char text[JUDGE_MESSAGE_MAX];
  fs_read_prefix(testlib ? errp : jm, sizeof text - 1, text, sizeof text);
  if (!exited) {
    snprintf(r->message, sizeof r->message, "output validator failed (%s): %s", box_status_name(res.status),
             res.message);
    r->verdict = JUDGE_IE;
    return;
  }
  if (vv == JUDGE_IE) {
    snprintf(r->message, sizeof r->message, "output validator exited with code %d%s%.900s", code,
             text[0] ? ": " : "", text);
    r->verdict = JUDGE_IE;
    return;
  }
  r->verdict = vv;
  snprintf(r->message, sizeof r->message, "%s", text);
  if (testlib && code == 7) {
    const char *pts = strstr(text, "points ");
    char *end;
    double v2 = pts ? strtod(pts + 7, &end) : 0;
    if (!pts || end == pts + 7) {
      r->verdict = JUDGE_IE;
      snprintf(r->message, sizeof r->message, "testlib checker exited with 7 (points) but gave no 'points N'");
      return;
    }
    *has_score = 1;
    *score = v2;
  } else if (!testlib && vv == JUDGE_AC) {
    int s = read_score(sc, score);
    if (s < 0) {
      r->verdict = JUDGE_IE;
      snprintf(r->message, sizeof r->message, "output validator wrote an unreadable score.txt");
      return;
    }
    *has_score = s;
  }
}

void run_test(struct judge_ctx *c, const struct tcase *t, struct judge_test_result *r, int *has_score,
              double *score) {
  *has_score = 0;
  *score = 0;
  char err[256];
  char team[PATH_MAX];
  snprintf(team, sizeof team, "%s/team.out", c->tmp);
  int in_fd = fs_open_regular(t->in_path, err, sizeof err);
  if (in_fd < 0) {
    set_ie(r, "%.900s", err);
    return;
  }
  int out_fd = open(team, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (out_fd < 0) {
    close(in_fd);
    set_ie(r, "cannot create %.300s", team);
    return;
  }
  const struct lang *l = c->sub->lang;
  char *envp[LANG_MAX_ARGS + 1];
  size_t ne = 0;
  for (size_t i = 0; i < l->nenv && ne < LANG_MAX_ARGS; i++)
    envp[ne++] = l->env[i];
  envp[ne] = NULL;
  struct box_spec spec = {
      .argv = (const char *const *)c->sub->run_argv,
      .env = (const char *const *)envp,
      .limits = {.cpu_ms = c->tl_ms,
                 .wall_ms = c->wall_ms,
                 .memory_kib = (c->p->memory_mib + l->extra_memory_mib) * 1024,
                 .output_kib = c->p->output_mib * 1024,
                 .procs = l->procs},
      .policy = l->strict_policy ? BOX_POLICY_STRICT : BOX_POLICY_DEFAULT,
      .stdin_fd = in_fd,
      .stdout_fd = out_fd,
      .stderr_fd = -1,
      .files_in = c->sub->files_in,
      .nfiles_in = c->sub->nnames,
  };
  struct box_result res;
  memset(&res, 0, sizeof res);
  judge_box_run(c->e, c->b, &spec, &res);
  close(in_fd);
  close(out_fd);
  copy_run(r, &res);
  if (res.status != BOX_OK) {
    r->verdict = verdict_from_box(res.status);
    snprintf(r->message, sizeof r->message, "%s", res.message);
    return;
  }
  if (c->p->vkind == VAL_DEFAULT)
    default_validate(c, t, team, r);
  else
    box_validate(c, t, team, r, has_score, score);
  verdict_trim_message(r->message);
}
