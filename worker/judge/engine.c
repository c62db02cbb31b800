/* engine.c — judge_engine_open/close and judge_submission (judge.h): load
 * the package, check the request, build the validator, compile the
 * submission, walk the test groups in order (stopping per the problem
 * type, on_reject and the request), aggregate verdict and score. */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "default_validator.h"
#include "engine_internal.h"
#include "err.h"
#include "pkgfs.h"
#include "source_rules.h"
#include "testpool.h"
#include "verdict.h"

#define DEFAULT_CACHE "/var/cache/judgepool/validators"

static int mkdir_p(const char *path, char *err, size_t errlen) {
  char tmp[PATH_MAX];
  if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
    return jp_err(err, errlen, "path too long: %s", path);
  for (char *p = tmp + 1; *p; p++)
    if (*p == '/') {
      *p = 0;
      if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
        return jp_errno(err, errlen, "cannot create %s", tmp);
      *p = '/';
    }
  if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
    return jp_errno(err, errlen, "cannot create %s", tmp);
  return 0;
}

int judge_engine_open(struct judge_engine **out, const struct judge_config *cfg, char *err, size_t errlen) {
  *out = NULL;
  if (sodium_init() < 0)
    return jp_err(err, errlen, "libsodium failed to initialise");
  struct judge_engine *e = calloc(1, sizeof *e);
  if (!e)
    return jp_err(err, errlen, "out of memory");
  if (cfg)
    e->cfg = *cfg;
  struct judge_config *c = &e->cfg;
  if (!c->default_time_limit_ms)
    c->default_time_limit_ms = 2000;
  if (c->default_time_limit_ms > 600000) {
    unsigned long long tl = (unsigned long long)c->default_time_limit_ms;
    free(e);
    return jp_err(err, errlen, "default time limit %llu ms is absurd (at most 600000)", tl);
  }
  if (!(c->wall_multiplier > 0))
    c->wall_multiplier = 3;
  if (c->wall_multiplier < 1 || c->wall_multiplier > 100) {
    double m = c->wall_multiplier;
    free(e);
    return jp_err(err, errlen, "wall-clock multiplier %g must be between 1 and 100", m);
  }
  if (!c->box_slots) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    c->box_slots = (uint32_t)(2 * (n > 0 ? n : 1) + 2);
  }
  if (!c->compile_time_ms)
    c->compile_time_ms = 60000;
  if (!c->compile_memory_mib)
    c->compile_memory_mib = 2048;
  snprintf(e->cache_dir, sizeof e->cache_dir, "%s", c->cache_dir ? c->cache_dir : DEFAULT_CACHE);
  c->cache_dir = e->cache_dir;
  c->languages_path = NULL; /* not kept: the caller's string may go away */
  pthread_mutex_init(&e->vcache_lock, NULL);
  int rc = cfg && cfg->languages_path ? lang_table_load_file(&e->langs, cfg->languages_path, err, errlen)
                                      : lang_table_load_builtin(&e->langs, err, errlen);
  if (rc < 0)
    goto fail;
  if (mkdir_p(e->cache_dir, err, errlen) < 0)
    goto fail;
  struct box_engine_config bc = {.slots = c->box_slots, .cgroup_root = c->cgroup_root,
                                 .state_dir = c->box_state_dir};
  if (box_engine_open(&e->box, &bc, err, errlen) < 0)
    goto fail;
  *out = e;
  return 0;
fail:
  lang_table_free(&e->langs);
  pthread_mutex_destroy(&e->vcache_lock);
  free(e);
  return -1;
}

void judge_engine_close(struct judge_engine *e) {
  if (!e)
    return;
  box_engine_close(e->box);
  lang_table_free(&e->langs);
  pthread_mutex_destroy(&e->vcache_lock);
  free(e);
}

int judge_box_start(struct judge_engine *e, struct box *b, const struct box_spec *spec, struct box_proc **p,
                    char *err, size_t errlen) {
  (void)e; /* the box itself keeps concurrent starts from causing ETXTBSY */
  return box_start(b, spec, p, err, errlen);
}

void judge_box_run(struct judge_engine *e, struct box *b, const struct box_spec *spec, struct box_result *res) {
  struct box_proc *p = NULL;
  char err[256];
  /* a failed start is reported by box_wait as BOX_IE */
  judge_box_start(e, b, spec, &p, err, sizeof err);
  if (p)
    box_wait(p, res);
  else {
    memset(res, 0, sizeof *res);
    res->status = BOX_IE;
    snprintf(res->message, sizeof res->message, "%s", err);
  }
}

const char *judge_lang_for_file(const struct judge_engine *e, const char *path) {
  const struct lang *l = lang_for_file(&e->langs, path);
  return l ? l->id : NULL;
}

void judge_result_free(struct judge_result *r) {
  free(r->tests);
  r->tests = NULL;
  r->ntests = 0;
}

int acquire_box(struct judge_engine *e, struct box **out, char *err, size_t errlen) {
  /* Slots free up as other submissions finish; wait up to ~10 minutes. */
  for (int i = 0;; i++) {
    if (box_acquire(e->box, out, err, errlen) == 0)
      return 0;
    if (i >= 60000)
      return -1;
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
}

/* Checks the default validator's flags of every group up front: a bad flag
 * is a broken package, not a per-test judge error. */
static int check_default_flags(const struct problem *p, const struct tgroup *g, char *err, size_t errlen) {
  const char *flags[PROBLEM_MAX_FLAGS * 2];
  size_t nf = 0;
  for (size_t i = 0; i < p->nvflags; i++)
    flags[nf++] = p->vflags[i];
  for (size_t i = 0; i < g->set.nout_flags; i++)
    flags[nf++] = g->set.out_flags[i];
  struct dv_flags f;
  char e2[256];
  if (dv_parse_flags(flags, nf, &f, e2, sizeof e2) < 0)
    return jp_err(err, errlen, "%s (test group %s): %s", p->root, g->name, e2);
  for (size_t i = 0; i < g->nitems; i++)
    if (g->items[i].group && check_default_flags(p, g->items[i].group, err, errlen) < 0)
      return -1;
  return 0;
}

static int is_cancelled(const struct judge_ctx *c) { return c->cancel && atomic_load(c->cancel); }

struct walk {
  struct judge_ctx *c;
  struct judge_result *res;
  const struct judge_request *req;
  size_t done;
  int stop_all;
  struct testpool *tp; /* NULL: tests run here, one at a time */
  unsigned char *used; /* tests whose result the walk consumed */
};

static void cancel_group(struct walk *w, const struct tgroup *g) {
  for (size_t i = 0; i < g->nitems; i++) {
    if (g->items[i].group)
      cancel_group(w, g->items[i].group);
    else if (w->tp)
      testpool_cancel(w->tp, g->items[i].test);
  }
}

static void run_one(struct walk *w, size_t ti, struct vres *out) {
  const struct tcase *t = &w->c->p->tests[ti];
  struct judge_test_result *r = &w->res->tests[ti];
  int has_score = 0;
  double score = 0;
  if (w->tp) {
    testpool_get(w->tp, ti, &has_score, &score);
  } else {
    r->message[0] = 0;
    if (w->c->p->interactive)
      run_test_interactive(w->c, t, r, &has_score, &score);
    else
      run_test(w->c, t, r, &has_score, &score);
  }
  w->used[ti] = 1;
  if (!isfinite(score)) {
    r->verdict = JUDGE_IE;
    snprintf(r->message, sizeof r->message, "validator gave a score that is not a finite number");
    has_score = 0;
  }
  r->score = verdict_test_score(&t->group->set, r->verdict, has_score, score);
  out->verdict = r->verdict;
  out->score = r->score;
  out->is_sample = 0;
  w->done++;
  if (w->req->progress)
    w->req->progress(w->req->progress_ctx, r, w->done, w->c->p->ntests);
}

static struct vres walk_group(struct walk *w, const struct tgroup *g) {
  struct vres kids_small[64], *kids = g->nitems <= 64 ? kids_small : calloc(g->nitems, sizeof *kids);
  struct vres out = {JUDGE_IE, 0, g->is_sample};
  if (!kids)
    return out;
  const struct problem *p = w->c->p;
  int req_stop = w->req->stop_at_first_failure;
  int broken = 0;
  for (size_t i = 0; i < g->nitems; i++) {
    const struct titem *it = &g->items[i];
    kids[i] = (struct vres){JUDGE_SKIPPED, 0, it->group ? it->group->is_sample : 0};
    if (is_cancelled(w->c))
      w->stop_all = 1;
    if (w->stop_all || broken) {
      if (it->group)
        cancel_group(w, it->group);
      else if (w->tp)
        testpool_cancel(w->tp, it->test);
      continue; /* tests stay SKIPPED */
    }
    if (it->group) {
      kids[i] = walk_group(w, it->group);
      kids[i].is_sample = it->group->is_sample;
    } else {
      run_one(w, it->test, &kids[i]);
    }
    if (kids[i].verdict == JUDGE_AC || kids[i].verdict == JUDGE_SKIPPED)
      continue;
    if (g->set.ignore_sample && kids[i].is_sample)
      continue;
    if (!p->scoring) {
      if (req_stop != 0)
        w->stop_all = 1;
    } else if (req_stop == 1) {
      w->stop_all = 1;
    } else if (req_stop == -1 && g->set.on_reject_break) {
      broken = 1;
    }
  }
  if (!p->scoring) {
    out.verdict = JUDGE_AC;
    for (size_t i = 0; i < g->nitems; i++)
      if (kids[i].verdict != JUDGE_AC && kids[i].verdict != JUDGE_SKIPPED) {
        out.verdict = kids[i].verdict;
        break;
      }
    out.score = out.verdict == JUDGE_AC ? 1 : 0;
  } else {
    out = verdict_aggregate(&g->set, kids, g->nitems);
  }
  out.is_sample = g->is_sample;
  if (kids != kids_small)
    free(kids);
  return out;
}

static const char *base_name(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* The judge's ceilings (judge_config.max_*) against the package's limits. */
static int over_ceilings(const struct judge_config *cfg, const struct problem *p, char *err, size_t errlen) {
  if (cfg->max_memory_mib && p->memory_mib > cfg->max_memory_mib)
    return jp_err(err, errlen,
                  "%s: problem.yaml limits.memory %llu MiB is over this judge's ceiling of %llu MiB "
                  "(judge-worker --max-memory-mb): lower the limit or judge it where the ceiling allows",
                  p->root, (unsigned long long)p->memory_mib, (unsigned long long)cfg->max_memory_mib);
  if (cfg->max_output_mib && p->output_mib > cfg->max_output_mib)
    return jp_err(err, errlen,
                  "%s: problem.yaml limits.output %llu MiB is over this judge's ceiling of %llu MiB "
                  "(judge-worker --max-output-mb): lower the limit or judge it where the ceiling allows",
                  p->root, (unsigned long long)p->output_mib, (unsigned long long)cfg->max_output_mib);
  return 0;
}

int judge_submission(struct judge_engine *e, const struct judge_request *req, struct judge_result *res, char *err,
                     size_t errlen) {
  memset(res, 0, sizeof *res);
  if (!req->problem_dir)
    return jp_err(err, errlen, "no problem package given");
  if (req->nsources == 0 || req->nsources > PROGRAM_MAX_FILES)
    return jp_err(err, errlen, "give between 1 and %d source files", PROGRAM_MAX_FILES);
  const struct lang *l = NULL;
  if (req->lang) {
    if (!(l = lang_find(&e->langs, req->lang)))
      return jp_err(err, errlen, "unknown language '%.40s' (see the language table)", req->lang);
  } else if (!(l = lang_for_file(&e->langs, req->sources[0]))) {
    return jp_err(err, errlen, "cannot tell the language of %s from its extension: give --lang", req->sources[0]);
  }
  const char *names[PROGRAM_MAX_FILES];
  for (size_t i = 0; i < req->nsources; i++) {
    names[i] = base_name(req->sources[i]);
    if (!jp_safe_name(names[i]))
      return jp_err(err, errlen, "source file name '%.100s' is not allowed (letters, digits, . _ + -; no leading dot)",
                    names[i]);
    for (size_t j = 0; j < i; j++)
      if (!strcmp(names[i], names[j]))
        return jp_err(err, errlen, "two source files are named %s", names[i]);
    char *buf;
    if (fs_read_file(req->sources[i], JP_SOURCE_MAX_BYTES, &buf, NULL, err, errlen) < 0)
      return -1;
    free(buf);
  }

  struct problem *p = calloc(1, sizeof *p);
  if (!p)
    return jp_err(err, errlen, "out of memory");
  if (problem_load(p, req->problem_dir, err, errlen) < 0) {
    free(p);
    return -1;
  }
  if (over_ceilings(&e->cfg, p, err, errlen) < 0) {
    problem_free(p);
    free(p);
    return -1;
  }
  int rc = -1;
  struct box *b = NULL, *vb = NULL;
  struct program sub, val;
  memset(&sub, 0, sizeof sub);
  memset(&val, 0, sizeof val);
  int have_val = 0;
  struct judge_ctx c = {.e = e, .p = p, .sub = &sub, .cancel = req->cancel};
  c.tmp[0] = 0;
  if (p->vkind == VAL_DEFAULT && check_default_flags(p, p->data, err, errlen) < 0)
    goto out;
  c.tl_ms = p->time_limit_ms ? p->time_limit_ms : e->cfg.default_time_limit_ms;
  c.wall_ms = (uint64_t)ceil((double)c.tl_ms * e->cfg.wall_multiplier);

  res->tests = calloc(p->ntests, sizeof *res->tests);
  if (!res->tests) {
    jp_err(err, errlen, "out of memory");
    goto out;
  }
  res->ntests = p->ntests;
  for (size_t i = 0; i < p->ntests; i++) {
    snprintf(res->tests[i].name, JUDGE_NAME_MAX, "%s", p->tests[i].name);
    snprintf(res->tests[i].group, JUDGE_NAME_MAX, "%s", p->tests[i].group->name);
    res->tests[i].verdict = JUDGE_SKIPPED;
  }
  res->scoring = p->scoring;
  snprintf(res->lang, sizeof res->lang, "%s", l->id);

  snprintf(c.tmp, sizeof c.tmp, "/tmp/judgepool-judge-XXXXXX");
  if (!mkdtemp(c.tmp)) {
    c.tmp[0] = 0;
    jp_errno(err, errlen, "cannot create a scratch dir in /tmp");
    goto out;
  }
  if (acquire_box(e, &b, err, errlen) < 0)
    goto out;
  c.b = c.vb = b;
  box_set_cancel(b, req->cancel);
  if (p->interactive) {
    if (acquire_box(e, &vb, err, errlen) < 0)
      goto out;
    c.vb = vb;
    box_set_cancel(vb, req->cancel);
  }
  if (p->vkind != VAL_DEFAULT) {
    if (vcache_get(e, b, p, &val, err, errlen) < 0)
      goto out; /* broken package */
    have_val = 1;
    c.val = &val;
  }

  char subdir[PATH_MAX];
  if (fs_join(subdir, sizeof subdir, c.tmp, "program", err, errlen) < 0)
    goto out;
  if (mkdir(subdir, 0755) < 0) {
    jp_errno(err, errlen, "cannot create %s", subdir);
    goto out;
  }
  int ok;
  char ierr[256];
  if (is_cancelled(&c)) {
    res->verdict = JUDGE_IE;
    snprintf(res->message, sizeof res->message, "cancelled");
    rc = 0;
    goto out;
  }
  if (program_build(e, b, l, req->sources, names, req->nsources, subdir, p->memory_mib, &sub, &ok,
                    res->compile.message, sizeof res->compile.message, &res->compile.cpu_ms, ierr,
                    sizeof ierr) < 0) {
    res->verdict = JUDGE_IE;
    snprintf(res->message, sizeof res->message, "compiling: %s", ierr);
    rc = 0;
    goto out;
  }
  res->compile.ok = ok;
  if (!ok) {
    res->verdict = JUDGE_CE;
    rc = 0;
    goto out;
  }

  struct walk w = {&c, res, req, 0, 0, NULL, calloc(p->ntests, 1)};
  if (!w.used) {
    jp_err(err, errlen, "out of memory");
    goto out;
  }
  if (req->parallel_tests > 1 && p->ntests > 1 &&
      testpool_start(&w.tp, &c, req->parallel_tests, res->tests, ierr, sizeof ierr) < 0)
    w.tp = NULL; /* judge one test at a time instead */
  struct vres total = walk_group(&w, p->data);
  testpool_finish(w.tp);
  /* Runs done ahead of a stop are not part of the result. */
  for (size_t i = 0; i < p->ntests; i++)
    if (!w.used[i]) {
      struct judge_test_result *t = &res->tests[i];
      char name[JUDGE_NAME_MAX], group[JUDGE_NAME_MAX];
      memcpy(name, t->name, sizeof name);
      memcpy(group, t->group, sizeof group);
      memset(t, 0, sizeof *t);
      memcpy(t->name, name, sizeof name);
      memcpy(t->group, group, sizeof group);
      t->verdict = JUDGE_SKIPPED;
    }
  free(w.used);
  res->verdict = total.verdict;
  res->score = p->scoring ? total.score : (total.verdict == JUDGE_AC ? 1 : 0);
  for (size_t i = 0; i < res->ntests; i++) {
    const struct judge_test_result *t = &res->tests[i];
    if (t->verdict == JUDGE_SKIPPED)
      continue;
    if (t->cpu_ms > res->cpu_ms)
      res->cpu_ms = t->cpu_ms;
    if (t->wall_ms > res->wall_ms)
      res->wall_ms = t->wall_ms;
    if (t->memory_kib > res->memory_kib)
      res->memory_kib = t->memory_kib;
    if (t->verdict == JUDGE_IE && !res->message[0])
      snprintf(res->message, sizeof res->message, "%.100s: %.400s", t->name, t->message);
  }
  rc = 0;
out:
  if (vb)
    box_release(vb);
  if (b)
    box_release(b);
  program_free(&sub);
  if (have_val)
    program_free(&val);
  if (c.tmp[0])
    fs_remove_tree(c.tmp);
  problem_free(p);
  free(p);
  if (rc < 0)
    judge_result_free(res);
  return rc;
}

int judge_check_problem(struct judge_engine *e, const char *dir, char *err, size_t errlen) {
  struct problem *p = calloc(1, sizeof *p);
  if (!p)
    return jp_err(err, errlen, "out of memory");
  if (problem_load(p, dir, err, errlen) < 0) {
    free(p);
    return -1;
  }
  int rc = 0;
  if (p->vkind == VAL_DEFAULT) {
    rc = check_default_flags(p, p->data, err, errlen);
  } else {
    struct box *b;
    struct program val;
    rc = acquire_box(e, &b, err, errlen);
    if (rc == 0) {
      rc = vcache_get(e, b, p, &val, err, errlen);
      if (rc == 0)
        program_free(&val);
      box_release(b);
    }
  }
  problem_free(p);
  free(p);
  return rc;
}
