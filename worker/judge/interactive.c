/* interactive.c — one test case of an interactive problem: the interactor
 * (the package's output validator) and the submission run in two boxes,
 * each one's stdout piped into the other's stdin.
 *
 * Who exited first matters for the verdict (problemtools' precedence, in
 * verdict.c), and the box reports only durations. So each side's stderr is
 * a pipe whose read end only we hold: it reaches EOF when the last process
 * of that side is gone, and one thread polling both read ends sees the two
 * exits in the order they happened (when both show up in one wakeup, the
 * cause decides, see below). (A submission that closes its own
 * stderr early only makes itself look as if it exited first, which can
 * only turn the interactor's WA into its own TLE or crash verdict.) */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine_internal.h"
#include "err.h"
#include "pkgfs.h"
#include "verdict.h"

struct waiter {
  struct box_proc *proc;
  struct box_result res;
};

static void *wait_thread(void *arg) {
  struct waiter *w = arg;
  box_wait(w->proc, &w->res);
  return NULL;
}

/* Watches the two stderr pipes: records which side reached EOF first and
 * keeps the start of the interactor's stderr as a fallback message. */
struct exit_watch {
  int fd[2];      /* 0: interactor, 1: submission (read ends) */
  int order[2];   /* 1 = first to exit, 2 = second */
  int tie;        /* both EOFs showed up in the same wakeup: order unknown */
  char val_err[512];
  size_t val_len;
};

static void *watch_thread(void *arg) {
  struct exit_watch *x = arg;
  int seen = 0;
  char buf[4096];
  while (seen < 2) {
    struct pollfd pf[2];
    int map[2], n = 0;
    for (int i = 0; i < 2; i++)
      if (x->fd[i] >= 0) {
        pf[n] = (struct pollfd){.fd = x->fd[i], .events = POLLIN};
        map[n++] = i;
      }
    if (n == 0)
      break;
    if (poll(pf, (nfds_t)n, -1) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    int eofs = 0;
    for (int k = 0; k < n; k++) {
      if (!pf[k].revents)
        continue;
      int i = map[k];
      ssize_t got = read(x->fd[i], buf, sizeof buf);
      if (got < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (got > 0) {
        if (i == 0 && x->val_len + 1 < sizeof x->val_err) {
          size_t take = (size_t)got < sizeof x->val_err - 1 - x->val_len ? (size_t)got
                                                                          : sizeof x->val_err - 1 - x->val_len;
          memcpy(x->val_err + x->val_len, buf, take);
          x->val_len += take;
        }
        continue;
      }
      x->order[i] = ++seen;
      if (++eofs == 2)
        x->tie = 1;
      close(x->fd[i]);
      x->fd[i] = -1;
    }
  }
  for (int i = 0; i < 2; i++)
    if (x->fd[i] >= 0) {
      close(x->fd[i]);
      x->fd[i] = -1;
    }
  return NULL;
}

/* The watcher runs real-time when it may: it only sleeps in poll, and woken
 * at the first exit it must look before the other side can exit too, or
 * the order is lost (on a busy machine a normal thread often was not
 * scheduled in between, and a tie had to be guessed). */
static int start_watch(pthread_t *t, struct exit_watch *x) {
  pthread_attr_t at;
  struct sched_param sp = {.sched_priority = 1};
  if (pthread_attr_init(&at) == 0) {
    int ok = pthread_attr_setinheritsched(&at, PTHREAD_EXPLICIT_SCHED) == 0 &&
             pthread_attr_setschedpolicy(&at, SCHED_FIFO) == 0 && pthread_attr_setschedparam(&at, &sp) == 0 &&
             pthread_create(t, &at, watch_thread, x) == 0;
    pthread_attr_destroy(&at);
    if (ok)
      return 0;
  }
  return pthread_create(t, NULL, watch_thread, x) == 0 ? 0 : -1; /* no privilege: a normal thread */
}

static void close_all(int *fds, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (fds[i] >= 0) {
      close(fds[i]);
      fds[i] = -1;
    }
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
  /* to_val, to_sub: the conversation; err_val, err_sub: exit watches */
  int fds[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
  int *to_val = fds, *to_sub = fds + 2, *err_val = fds + 4, *err_sub = fds + 6;
  if (pipe2(to_val, O_CLOEXEC) < 0 || pipe2(to_sub, O_CLOEXEC) < 0 || pipe2(err_val, O_CLOEXEC) < 0 ||
      pipe2(err_sub, O_CLOEXEC) < 0) {
    snprintf(r->message, sizeof r->message, "cannot create pipes: %s", strerror(errno));
    close_all(fds, 8);
    return;
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
    close_all(fds, 8);
    return;
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
      .stderr_fd = err_val[1],
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
      .stderr_fd = err_sub[1],
      .files_in = c->sub->files_in,
      .nfiles_in = c->sub->nnames,
  };
  struct waiter vw, sw;
  memset(&vw, 0, sizeof vw);
  memset(&sw, 0, sizeof sw);
  char err[256];
  /* A failed start still gives a proc whose box_wait reports BOX_IE. */
  judge_box_start(c->e, c->vb, &vspec, &vw.proc, err, sizeof err);
  judge_box_start(c->e, c->b, &sspec, &sw.proc, err, sizeof err);
  /* Only the boxes may hold the write ends now, so EOF means exit. */
  int keep_v = err_val[0], keep_s = err_sub[0];
  err_val[0] = err_sub[0] = -1;
  close_all(fds, 8);
  struct exit_watch x = {.fd = {keep_v, keep_s}};
  pthread_t wth, vth;
  int watching = start_watch(&wth, &x) == 0;
  int threaded = pthread_create(&vth, NULL, wait_thread, &vw) == 0;
  wait_thread(&sw);
  if (threaded)
    pthread_join(vth, NULL);
  else
    wait_thread(&vw);
  if (watching)
    pthread_join(wth, NULL); /* both sides are gone: both pipes are at EOF */
  else
    close_all(x.fd, 2);
  free(vargv);

  r->cpu_ms = (uint64_t)sw.res.cpu_ms;
  r->wall_ms = (uint64_t)sw.res.wall_ms;
  r->memory_kib = sw.res.memory_kib;
  r->exit_code = sw.res.exit_code;
  r->signal = sw.res.signal;
  snprintf(r->syscall, sizeof r->syscall, "%s", sw.res.status == BOX_SV ? sw.res.syscall : "");
  int val_first = watching && x.order[0] == 1;
  if (!watching || x.tie) {
    /* Both gone before we looked: decide by cause. A submission killed for
     * time was not killed by the interactor's exit; one killed by SIGPIPE
     * wrote to an interactor that had already gone; otherwise the box's
     * own end times. */
    if (sw.res.status == BOX_TLE)
      val_first = 0;
    else if (sw.res.signal == 13 /* SIGPIPE */)
      val_first = 1;
    else
      val_first = vw.res.end_ms < sw.res.end_ms;
  }
  struct inter_outcome o = {sw.res.status, vw.res.status, vw.res.exit_code, vw.res.signal, val_first};
  char why[200];
  r->verdict = verdict_interactive(&o, why, sizeof why);
  char text[JUDGE_MESSAGE_MAX];
  fs_read_prefix(jm, sizeof text - 1, text, sizeof text);
  if (!text[0] && x.val_len)
    snprintf(text, sizeof text, "%.*s", (int)x.val_len, x.val_err);
  if (r->verdict == JUDGE_IE && vw.res.status == BOX_IE)
    snprintf(r->message, sizeof r->message, "%.190s: %.400s", why, vw.res.message);
  else if (r->verdict == JUDGE_IE && sw.res.status == BOX_IE)
    snprintf(r->message, sizeof r->message, "%s", sw.res.message);
  else if (sw.res.status != BOX_OK && r->verdict != JUDGE_WA && r->verdict != JUDGE_AC && r->verdict != JUDGE_IE)
    snprintf(r->message, sizeof r->message, "%s", sw.res.message);
  else
    snprintf(r->message, sizeof r->message, "%.190s%s%.800s", why, text[0] ? ": " : "", text);
  verdict_trim_message(r->message);
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
}
