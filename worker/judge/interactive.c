/* interactive.c — one test case of an interactive problem: the interactor
 * (the package's output validator) and the submission run in two boxes,
 * each one's stdout piped into the other's stdin. Who exited first matters
 * for the verdict (problemtools' precedence, in verdict.c), so each side is
 * waited for in its own thread and timestamped. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine_internal.h"
#include "err.h"
#include "pkgfs.h"
#include "verdict.h"

/* The box does not report when a run ended, only how long it took, so the
 * end is estimated as (time just before box_start) + wall time. The error
 * is the start-up cost of a box (about a millisecond); the validator only
 * counts as first when it ended clearly (ORDER_MARGIN_MS) before the
 * submission, so an interactor that exits because the submission was just
 * killed is never mistaken for one that gave WA first. */
#define ORDER_MARGIN_MS 20.0

struct waiter {
  struct box_proc *proc;
  struct box_result res;
  double t_start;
};

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void *wait_thread(void *arg) {
  struct waiter *w = arg;
  box_wait(w->proc, &w->res);
  return NULL;
}

void run_test_interactive(struct judge_ctx *c, const struct tcase *t, struct judge_test_result *r, int *has_score,
                          double *score) {
  *has_score = 0;
  *score = 0;
  r->verdict = JUDGE_IE;
  const struct program *v = c->val;
  const struct lang *l = c->sub->lang;
  char jm[PATH_MAX], sc[PATH_MAX];
  snprintf(jm, sizeof jm, "%s/judgemessage.txt", c->tmp);
  snprintf(sc, sizeof sc, "%s/score.txt", c->tmp);
  unlink(jm);
  unlink(sc);
  int to_val[2] = {-1, -1}, to_sub[2] = {-1, -1};
  if (pipe2(to_val, O_CLOEXEC) < 0 || pipe2(to_sub, O_CLOEXEC) < 0) {
    snprintf(r->message, sizeof r->message, "cannot create pipes: %s", strerror(errno));
    goto close_pipes;
  }
  struct box_file_in fin[PROGRAM_MAX_FILES + 2];
  size_t nin = 0;
  for (size_t i = 0; i < v->nnames; i++)
    fin[nin++] = v->files_in[i];
  fin[nin++] = (struct box_file_in){t->in_path, "testdata.in"};
  fin[nin++] = (struct box_file_in){t->ans_path, "testdata.ans"};
  const char *args[] = {"testdata.in", "testdata.ans", "/box/"};
  char **vargv = argv_concat(v->run_argv, args, 3, c->p->vflags, c->p->nvflags, t->group->set.out_flags,
                             t->group->set.nout_flags);
  if (!vargv) {
    snprintf(r->message, sizeof r->message, "out of memory");
    goto close_pipes;
  }
  struct box_file_out fout[2] = {{"judgemessage.txt", jm, 64 << 10}, {"score.txt", sc, 4096}};
  /* The interactor outlives the submission's wall limit so the order of
   * exits is decided by the submission, not by our limits. */
  struct box_spec vspec = {
      .argv = (const char *const *)vargv,
      .limits = {.cpu_ms = c->wall_ms + 10000, .wall_ms = c->wall_ms + 10000, .memory_kib = 2048u * 1024,
                 .output_kib = 64 * 1024, .procs = 8, .open_files = 64},
      .policy = BOX_POLICY_DEFAULT,
      .stdin_fd = to_val[0],
      .stdout_fd = to_sub[1],
      .stderr_fd = -1,
      .files_in = fin,
      .nfiles_in = nin,
      .files_out = fout,
      .nfiles_out = 2,
  };
  char *envp[LANG_MAX_ARGS + 1];
  size_t ne = 0;
  for (size_t i = 0; i < l->nenv && ne < LANG_MAX_ARGS; i++)
    envp[ne++] = l->env[i];
  envp[ne] = NULL;
  struct box_spec sspec = {
      .argv = (const char *const *)c->sub->run_argv,
      .env = (const char *const *)envp,
      .limits = {.cpu_ms = c->tl_ms, .wall_ms = c->wall_ms,
                 .memory_kib = (c->p->memory_mib + l->extra_memory_mib) * 1024,
                 .output_kib = c->p->output_mib * 1024, .procs = l->procs},
      .policy = l->strict_policy ? BOX_POLICY_STRICT : BOX_POLICY_DEFAULT,
      .stdin_fd = to_sub[0],
      .stdout_fd = to_val[1],
      .stderr_fd = -1,
      .files_in = c->sub->files_in,
      .nfiles_in = c->sub->nnames,
  };
  struct waiter vw, sw;
  memset(&vw, 0, sizeof vw);
  memset(&sw, 0, sizeof sw);
  char err[256];
  vw.t_start = now_ms();
  if (judge_box_start(c->e, c->vb, &vspec, &vw.proc, err, sizeof err) < 0 && !vw.proc) {
    snprintf(r->message, sizeof r->message, "cannot start the interactor: %s", err);
    free(vargv);
    goto close_pipes;
  }
  sw.t_start = now_ms();
  if (judge_box_start(c->e, c->b, &sspec, &sw.proc, err, sizeof err) < 0 && !sw.proc) {
    snprintf(r->message, sizeof r->message, "cannot start the submission: %s", err);
    /* the interactor sees EOF once our pipe ends close, and exits */
    for (int i = 0; i < 2; i++) {
      close(to_val[i]);
      close(to_sub[i]);
      to_val[i] = to_sub[i] = -1;
    }
    box_wait(vw.proc, &vw.res);
    free(vargv);
    return;
  }
  /* Only the boxes may hold the pipe ends now, so EOF propagates. */
  for (int i = 0; i < 2; i++) {
    close(to_val[i]);
    close(to_sub[i]);
    to_val[i] = to_sub[i] = -1;
  }
  pthread_t th;
  int threaded = pthread_create(&th, NULL, wait_thread, &vw) == 0;
  wait_thread(&sw);
  if (threaded)
    pthread_join(th, NULL);
  else
    wait_thread(&vw);
  free(vargv);

  r->cpu_ms = (uint64_t)sw.res.cpu_ms;
  r->wall_ms = (uint64_t)sw.res.wall_ms;
  r->memory_kib = sw.res.memory_kib;
  r->exit_code = sw.res.exit_code;
  r->signal = sw.res.signal;
  snprintf(r->syscall, sizeof r->syscall, "%s", sw.res.status == BOX_SV ? sw.res.syscall : "");
  int val_first = vw.t_start + vw.res.wall_ms + ORDER_MARGIN_MS < sw.t_start + sw.res.wall_ms;
  struct inter_outcome o = {sw.res.status, vw.res.status, vw.res.exit_code, vw.res.signal, val_first};
  char why[200];
  r->verdict = verdict_interactive(&o, why, sizeof why);
  char text[JUDGE_MESSAGE_MAX];
  fs_read_prefix(jm, sizeof text - 1, text, sizeof text);
  if (r->verdict == JUDGE_IE && vw.res.status == BOX_IE)
    snprintf(r->message, sizeof r->message, "%s: %s", why, vw.res.message);
  else if (r->verdict == JUDGE_IE && sw.res.status == BOX_IE)
    snprintf(r->message, sizeof r->message, "%s", sw.res.message);
  else if (sw.res.status != BOX_OK && r->verdict != JUDGE_WA && r->verdict != JUDGE_AC && r->verdict != JUDGE_IE)
    snprintf(r->message, sizeof r->message, "%s", sw.res.message);
  else
    snprintf(r->message, sizeof r->message, "%.190s%s%.800s", why, text[0] ? ": " : "", text);
  if (r->verdict == JUDGE_AC) {
    char buf[128];
    if (fs_read_prefix(sc, sizeof buf - 1, buf, sizeof buf) == 0 && buf[0]) {
      char *end;
      double s = strtod(buf, &end);
      if (end != buf) {
        *has_score = 1;
        *score = s;
      }
    }
  }
  return;
close_pipes:
  for (int i = 0; i < 2; i++) {
    if (to_val[i] >= 0)
      close(to_val[i]);
    if (to_sub[i] >= 0)
      close(to_sub[i]);
  }
}
