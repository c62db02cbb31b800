/* testpool.h — several boxes judging the tests of one submission ahead of
 * the in-order walk (see testpool.c). */
#ifndef JP_TESTPOOL_H
#define JP_TESTPOOL_H

#include <stddef.h>

#include "engine_internal.h"

struct testpool;

/* Starts up to nworkers workers (worker 0 uses base's boxes, the others
 * acquire their own; fewer start when slots are short). */
int testpool_start(struct testpool **out, const struct judge_ctx *base, size_t nworkers,
                   struct judge_test_result *res, char *err, size_t errlen);
/* Waits for test i (res[i] then holds its run) and its validator score. */
void testpool_get(struct testpool *tp, size_t i, int *has_score, double *score);
/* Test i will not be needed (skipped by the walk). */
void testpool_cancel(struct testpool *tp, size_t i);
/* Stops the workers (a running test finishes), releases their boxes. */
void testpool_finish(struct testpool *tp);

#endif
