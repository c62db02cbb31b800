/* testpool.c — runs the tests of one submission on several boxes at once.
 * Workers take tests in package order, ahead of the walk in engine.c, which
 * consumes the results strictly in order and decides (stop at the first
 * failure, on_reject: break) exactly as when judging one test at a time;
 * tests the walk skips are cancelled, and results it never consumes are
 * dropped, so the verdict never depends on the parallelism. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine_internal.h"
#include "err.h"
#include "testpool.h"

enum { T_PENDING = 0, T_RUNNING, T_DONE, T_CANCELLED };

#define POOL_MAX_WORKERS 64

struct worker {
  struct testpool *tp;
  struct judge_ctx c;
  struct box *own_b, *own_vb; /* boxes this worker acquired (released at the end) */
  pthread_t th;
  int started;
};

struct testpool {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  unsigned char *state;
  int *has_score;
  double *score;
  struct judge_test_result *res;
  size_t ntests, next;
  int quit;
  struct worker w[POOL_MAX_WORKERS];
  size_t nw;
};

static void *work(void *arg) {
  struct worker *w = arg;
  struct testpool *tp = w->tp;
  for (;;) {
    pthread_mutex_lock(&tp->mu);
    for (;;) {
      while (tp->next < tp->ntests && tp->state[tp->next] != T_PENDING)
        tp->next++;
      if (tp->quit) {
        pthread_mutex_unlock(&tp->mu);
        return NULL;
      }
      if (tp->next < tp->ntests)
        break;
      pthread_cond_wait(&tp->cv, &tp->mu); /* until asked for a cancelled test, or quit */
    }
    size_t i = tp->next++;
    tp->state[i] = T_RUNNING;
    pthread_mutex_unlock(&tp->mu);
    const struct tcase *t = &w->c.p->tests[i];
    if (w->c.p->interactive)
      run_test_interactive(&w->c, t, &tp->res[i], &tp->has_score[i], &tp->score[i]);
    else
      run_test(&w->c, t, &tp->res[i], &tp->has_score[i], &tp->score[i]);
    pthread_mutex_lock(&tp->mu);
    tp->state[i] = T_DONE;
    pthread_cond_broadcast(&tp->cv);
    pthread_mutex_unlock(&tp->mu);
  }
}

int testpool_start(struct testpool **out, const struct judge_ctx *base, size_t nworkers,
                   struct judge_test_result *res, char *err, size_t errlen) {
  *out = NULL;
  const struct problem *p = base->p;
  if (nworkers > POOL_MAX_WORKERS)
    nworkers = POOL_MAX_WORKERS;
  if (nworkers > p->ntests)
    nworkers = p->ntests;
  struct testpool *tp = calloc(1, sizeof *tp);
  if (!tp)
    return jp_err(err, errlen, "out of memory");
  tp->state = calloc(p->ntests, 1);
  tp->has_score = calloc(p->ntests, sizeof *tp->has_score);
  tp->score = calloc(p->ntests, sizeof *tp->score);
  if (!tp->state || !tp->has_score || !tp->score) {
    free(tp->state);
    free(tp->has_score);
    free(tp->score);
    free(tp);
    return jp_err(err, errlen, "out of memory");
  }
  tp->res = res;
  tp->ntests = p->ntests;
  pthread_mutex_init(&tp->mu, NULL);
  pthread_cond_init(&tp->cv, NULL);
  /* Worker 0 uses the caller's boxes; the others take their own slots, and
   * simply are not started when no slot is free. */
  for (size_t i = 0; i < nworkers; i++) {
    struct worker *w = &tp->w[i];
    w->tp = tp;
    w->c = *base;
    if (i > 0) {
      char e2[256];
      if (box_acquire(base->e->box, &w->own_b, e2, sizeof e2) < 0)
        break;
      w->c.b = w->c.vb = w->own_b;
      if (p->interactive && box_acquire(base->e->box, &w->own_vb, e2, sizeof e2) < 0) {
        box_release(w->own_b);
        w->own_b = NULL;
        break;
      }
      if (w->own_vb)
        w->c.vb = w->own_vb;
      box_set_cancel(w->own_b, base->cancel);
      if (w->own_vb)
        box_set_cancel(w->own_vb, base->cancel);
      int n = snprintf(w->c.tmp, sizeof w->c.tmp, "%s/w%zu", base->tmp, i);
      if (n < 0 || (size_t)n >= sizeof w->c.tmp || mkdir(w->c.tmp, 0700) < 0) {
        box_release(w->own_b);
        box_release(w->own_vb);
        w->own_b = w->own_vb = NULL;
        break;
      }
    }
    tp->nw = i + 1;
  }
  for (size_t i = 0; i < tp->nw; i++)
    tp->w[i].started = pthread_create(&tp->w[i].th, NULL, work, &tp->w[i]) == 0;
  int any = 0;
  for (size_t i = 0; i < tp->nw; i++)
    any |= tp->w[i].started;
  if (!any) {
    testpool_finish(tp);
    return jp_err(err, errlen, "cannot start test threads");
  }
  *out = tp;
  return 0;
}

void testpool_get(struct testpool *tp, size_t i, int *has_score, double *score) {
  pthread_mutex_lock(&tp->mu);
  while (tp->state[i] != T_DONE) {
    if (tp->state[i] == T_CANCELLED)
      tp->state[i] = T_PENDING; /* asked for after all: run it */
    if (tp->next > i && tp->state[i] == T_PENDING) {
      tp->next = i;
      pthread_cond_broadcast(&tp->cv);
    }
    pthread_cond_wait(&tp->cv, &tp->mu);
  }
  *has_score = tp->has_score[i];
  *score = tp->score[i];
  pthread_mutex_unlock(&tp->mu);
}

void testpool_cancel(struct testpool *tp, size_t i) {
  pthread_mutex_lock(&tp->mu);
  if (tp->state[i] == T_PENDING)
    tp->state[i] = T_CANCELLED;
  pthread_mutex_unlock(&tp->mu);
}

void testpool_finish(struct testpool *tp) {
  if (!tp)
    return;
  pthread_mutex_lock(&tp->mu);
  tp->quit = 1;
  pthread_cond_broadcast(&tp->cv);
  pthread_mutex_unlock(&tp->mu);
  for (size_t i = 0; i < tp->nw; i++) {
    if (tp->w[i].started)
      pthread_join(tp->w[i].th, NULL);
    box_release(tp->w[i].own_vb);
    box_release(tp->w[i].own_b);
  }
  pthread_cond_destroy(&tp->cv);
  pthread_mutex_destroy(&tp->mu);
  free(tp->state);
  free(tp->has_score);
  free(tp->score);
  free(tp);
}
