/* problem.c — reading a problem package (see problem.h): problem.yaml in
 * both formats, the data/ tree with inherited group settings, the output
 * validator directory. Every path is resolved inside the package. */
#include "problem.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "pkgfs.h"
#include "yaml_tree.h"

static void group_free(struct tgroup *g) {
  if (!g)
    return;
  for (size_t i = 0; i < g->nitems; i++)
    group_free(g->items[i].group);
  free(g->items);
  tdsettings_free(&g->set);
  free(g);
}

void problem_free(struct problem *p) {
  group_free(p->data);
  free(p->tests);
  for (size_t i = 0; i < p->nvflags; i++)
    free(p->vflags[i]);
  memset(p, 0, sizeof *p);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in a directory (no hidden entries), bounded. */
static int list_dir(const char *dir, char ***out, size_t *n, char *err, size_t errlen) {
  DIR *d = opendir(dir);
  if (!d)
    return jp_errno(err, errlen, "cannot list %s", dir);
  size_t cap = 16, k = 0;
  char **v = malloc(cap * sizeof *v);
  if (!v) {
    closedir(d);
    return jp_err(err, errlen, "out of memory");
  }
  struct dirent *e;
  int rc = 0;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    if (k >= PROBLEM_MAX_DIR_ENTRIES) {
      rc = jp_err(err, errlen, "%s has too many entries (at most %d)", dir, PROBLEM_MAX_DIR_ENTRIES);
      break;
    }
    if (k == cap) {
      char **nv = realloc(v, cap * 2 * sizeof *v);
      if (!nv) {
        rc = jp_err(err, errlen, "out of memory");
        break;
      }
      v = nv;
      cap *= 2;
    }
    if (!(v[k] = strdup(e->d_name))) {
      rc = jp_err(err, errlen, "out of memory");
      break;
    }
    k++;
  }
  closedir(d);
  if (rc < 0) {
    for (size_t i = 0; i < k; i++)
      free(v[i]);
    free(v);
    return -1;
  }
  qsort(v, k, sizeof *v, cmp_str);
  *out = v;
  *n = k;
  return 0;
}

static void free_list(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

struct loader {
  struct problem *p;
  size_t tests_cap;
  size_t ngroups;
};

static int add_item(struct tgroup *g, struct tgroup *sub, size_t test) {
  struct titem *ni = realloc(g->items, (g->nitems + 1) * sizeof *ni);
  if (!ni)
    return -1;
  g->items = ni;
  g->items[g->nitems].group = sub;
  g->items[g->nitems].test = test;
  g->nitems++;
  return 0;
}

static int ends_with(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a > b && !strcmp(s + a - b, suf);
}

/* Reads the group settings file in dir (testdata.yaml or test_group.yaml)
 * on top of the inherited settings. */
static int group_settings(struct tgroup *g, const char *root, const char *dir, char *err, size_t errlen) {
  static const char *names[] = {"testdata.yaml", "test_group.yaml"};
  for (int i = 0; i < 2; i++) {
    char path[PATH_MAX], res[PATH_MAX];
    if (fs_join(path, sizeof path, dir, names[i], err, errlen) < 0)
      return -1;
    int r = fs_resolve_in(root, path, res, sizeof res, err, errlen);
    if (r < 0)
      return -1;
    if (r == 1)
      continue;
    struct yt_node *y;
    if (yt_load_file(res, &y, err, errlen) < 0)
      return -1;
    int rc = tdsettings_apply(&g->set, y, path, err, errlen);
    yt_free(y);
    if (rc < 0)
      return -1;
  }
  return 0;
}

/* Loads directory `dir` (resolved) as group `name` with parent settings. */
static int load_group(struct loader *L, const char *dir, const char *name, const struct tdsettings *parent,
                      int depth, struct tgroup **out, char *err, size_t errlen) {
  struct problem *p = L->p;
  if (depth > PROBLEM_MAX_GROUP_DEPTH)
    return jp_err(err, errlen, "%s: test groups nested too deeply (at most %d levels)", dir, PROBLEM_MAX_GROUP_DEPTH);
  if (++L->ngroups > PROBLEM_MAX_GROUPS)
    return jp_err(err, errlen, "%s: too many test groups (at most %d)", dir, PROBLEM_MAX_GROUPS);
  struct tgroup *g = calloc(1, sizeof *g);
  if (!g)
    return jp_err(err, errlen, "out of memory");
  snprintf(g->name, sizeof g->name, "%s", name);
  g->is_sample = !strcmp(name, "sample");
  if (tdsettings_copy(&g->set, parent) < 0) {
    group_free(g);
    return jp_err(err, errlen, "out of memory");
  }
  if (group_settings(g, p->root, dir, err, errlen) < 0) {
    group_free(g);
    return -1;
  }
  char **names;
  size_t n;
  if (list_dir(dir, &names, &n, err, errlen) < 0) {
    group_free(g);
    return -1;
  }
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    char path[PATH_MAX], res[PATH_MAX], sub[JUDGE_NAME_MAX * 2];
    if (fs_join(path, sizeof path, dir, names[i], err, errlen) < 0) {
      rc = -1;
      break;
    }
    int r = fs_resolve_in(p->root, path, res, sizeof res, err, errlen);
    if (r != 0) {
      if (r == 1)
        rc = jp_err(err, errlen, "%s is a dangling symlink", path);
      else
        rc = -1;
      break;
    }
    struct stat st;
    if (stat(res, &st) < 0) {
      rc = jp_errno(err, errlen, "cannot stat %s", path);
      break;
    }
    if (!strcmp(name, "data"))
      snprintf(sub, sizeof sub, "%s", names[i]);
    else
      snprintf(sub, sizeof sub, "%s/%s", name, names[i]);
    if (S_ISDIR(st.st_mode)) {
      if (strlen(sub) >= JUDGE_NAME_MAX) {
        rc = jp_err(err, errlen, "%s: test group path too long", path);
        break;
      }
      struct tgroup *child;
      if (load_group(L, res, sub, &g->set, depth + 1, &child, err, errlen) < 0) {
        rc = -1;
        break;
      }
      if (add_item(g, child, 0) < 0) {
        group_free(child);
        rc = jp_err(err, errlen, "out of memory");
      }
      continue;
    }
    if (!ends_with(names[i], ".in"))
      continue; /* .ans, .desc, .png, testdata.yaml, ... */
    if (!S_ISREG(st.st_mode)) {
      rc = jp_err(err, errlen, "%s is not a regular file (devices, FIFOs and sockets are refused)", path);
      break;
    }
    if (p->ntests >= PROBLEM_MAX_TESTS) {
      rc = jp_err(err, errlen, "%s: too many test cases (at most %d)", dir, PROBLEM_MAX_TESTS);
      break;
    }
    if (p->ntests == L->tests_cap) {
      size_t nc = L->tests_cap ? L->tests_cap * 2 : 64;
      struct tcase *nt = realloc(p->tests, nc * sizeof *nt);
      if (!nt) {
        rc = jp_err(err, errlen, "out of memory");
        break;
      }
      p->tests = nt;
      L->tests_cap = nc;
    }
    struct tcase *t = &p->tests[p->ntests];
    memset(t, 0, sizeof *t);
    sub[strlen(sub) - 3] = 0; /* drop ".in" */
    if (strlen(sub) >= sizeof t->name) {
      rc = jp_err(err, errlen, "%s: test case path too long", path);
      break;
    }
    strcpy(t->name, sub);
    strcpy(t->in_path, res);
    t->group = g;
    char ans[PATH_MAX];
    snprintf(ans, sizeof ans, "%.*s.ans", (int)(strlen(path) - 3), path);
    r = fs_resolve_in(p->root, ans, t->ans_path, sizeof t->ans_path, err, errlen);
    if (r == 1) {
      rc = jp_err(err, errlen, "%s has no answer file (expected %s)", path, ans);
      break;
    }
    if (r < 0) {
      rc = -1;
      break;
    }
    if (stat(t->ans_path, &st) < 0 || !S_ISREG(st.st_mode)) {
      rc = jp_err(err, errlen, "%s is not a regular file", ans);
      break;
    }
    if (add_item(g, NULL, p->ntests) < 0) {
      rc = jp_err(err, errlen, "out of memory");
      break;
    }
    p->ntests++;
  }
  free_list(names, n);
  if (rc < 0) {
    group_free(g);
    return -1;
  }
  *out = g;
  return 0;
}

static int parse_type(struct problem *p, const struct yt_node *t, const char *file, char *err, size_t errlen) {
  char *words[16];
  size_t n = 0;
  int rc = 0;
  if (t->type == YT_SCALAR) {
    if (flags_split(t->str, words, &n, 16, err, errlen) < 0) {
      for (size_t i = 0; i < n; i++)
        free(words[i]);
      return jp_err(err, errlen, "%s:%u: type has too many words", file, t->line);
    }
  } else if (t->type == YT_SEQ) {
    for (size_t i = 0; i < t->n && i < 16; i++) {
      const char *s = yt_str(t->kids[i]);
      if (!s || !(words[n] = strdup(s))) {
        rc = jp_err(err, errlen, "%s:%u: type entries must be strings", file, t->line);
        break;
      }
      n++;
    }
  } else {
    return jp_err(err, errlen, "%s:%u: type must be a string or a list", file, t->line);
  }
  for (size_t i = 0; i < n && rc == 0; i++) {
    if (!strcmp(words[i], "pass-fail"))
      ;
    else if (!strcmp(words[i], "scoring"))
      p->scoring = 1;
    else if (!strcmp(words[i], "interactive"))
      p->interactive = 1;
    else
      rc = jp_err(err, errlen, "%s:%u: problem type '%.40s' is not supported (pass-fail, scoring, interactive)",
                  file, t->line, words[i]);
  }
  for (size_t i = 0; i < n; i++)
    free(words[i]);
  return rc;
}

static int limit_value(const struct yt_node *lim, const char *key, const char *file, double lo, double hi,
                       double *out, int *present, char *err, size_t errlen) {
  const struct yt_node *v = yt_get(lim, key);
  *present = 0;
  if (!v)
    return 0;
  if (yt_double(v, file, key, out, err, errlen) < 0)
    return -1;
  if (!(*out >= lo && *out <= hi))
    return jp_err(err, errlen, "%s:%u: limits.%s = %g is out of the accepted range [%g, %g]", file, v->line, key,
                  *out, lo, hi);
  *present = 1;
  return 0;
}

static int find_validator(struct problem *p, const struct yt_node *jp, const char *file, int custom_wanted,
                          char *err, size_t errlen) {
  char path[PATH_MAX];
  const char *cands[] = {"output_validator", "output_validators"};
  const struct yt_node *cdir = yt_get(jp, "checker_dir");
  int found = 0;
  if (cdir) {
    const char *s = yt_str(cdir);
    if (!s || fs_join(path, sizeof path, p->root, s, err, errlen) < 0)
      return jp_err(err, errlen, "%s:%u: judgepool.checker_dir must be a path in the package", file, cdir->line);
    int r = fs_resolve_in(p->root, path, p->vdir, sizeof p->vdir, err, errlen);
    if (r < 0)
      return -1;
    if (r == 1)
      return jp_err(err, errlen, "%s:%u: checker_dir %s does not exist", file, cdir->line, path);
    found = 1;
  }
  for (int i = 0; i < 2 && !found; i++) {
    if (fs_join(path, sizeof path, p->root, cands[i], err, errlen) < 0)
      return -1;
    int r = fs_resolve_in(p->root, path, p->vdir, sizeof p->vdir, err, errlen);
    if (r < 0)
      return -1;
    if (r == 0)
      found = 1;
  }
  if (!found) {
    if (custom_wanted)
      return jp_err(err, errlen, "%s asks for a custom output validator but the package has no output_validator/ "
                    "or output_validators/ directory", file);
    return 0;
  }
  struct stat st;
  if (stat(p->vdir, &st) < 0 || !S_ISDIR(st.st_mode))
    return jp_err(err, errlen, "%s must be a directory of validator sources", p->vdir);
  /* Legacy layout: output_validators/<name>/ holding the sources. */
  char **names;
  size_t n;
  if (list_dir(p->vdir, &names, &n, err, errlen) < 0)
    return -1;
  int ndirs = 0, nfiles = 0;
  char onlydir[PATH_MAX] = "";
  for (size_t i = 0; i < n; i++) {
    char q[PATH_MAX];
    if (fs_join(q, sizeof q, p->vdir, names[i], NULL, 0) < 0 || stat(q, &st) < 0)
      continue;
    if (S_ISDIR(st.st_mode)) {
      ndirs++;
      snprintf(onlydir, sizeof onlydir, "%s", q);
    } else {
      nfiles++;
    }
  }
  free_list(names, n);
  if (nfiles == 0 && ndirs == 1) {
    if (fs_resolve_in(p->root, onlydir, p->vdir, sizeof p->vdir, err, errlen) != 0)
      return jp_err(err, errlen, "%s: cannot use validator directory", onlydir);
  } else if (nfiles == 0 && ndirs > 1) {
    return jp_err(err, errlen, "%s holds %d validator directories; judgepool uses exactly one", p->vdir, ndirs);
  } else if (nfiles == 0) {
    return jp_err(err, errlen, "%s holds no validator source files", p->vdir);
  }
  p->vkind = VAL_CUSTOM;
  return 0;
}

int problem_load(struct problem *p, const char *dir, char *err, size_t errlen) {
  memset(p, 0, sizeof *p);
  if (!realpath(dir, p->root))
    return jp_errno(err, errlen, "problem package %s", dir);
  struct stat st;
  if (stat(p->root, &st) < 0 || !S_ISDIR(st.st_mode))
    return jp_err(err, errlen, "problem package %s is not a directory", dir);
  char file[PATH_MAX], res[PATH_MAX];
  if (fs_join(file, sizeof file, p->root, "problem.yaml", err, errlen) < 0)
    return -1;
  int r = fs_resolve_in(p->root, file, res, sizeof res, err, errlen);
  if (r == 1)
    return jp_err(err, errlen, "%s is missing: not a problem package?", file);
  if (r < 0)
    return -1;
  struct yt_node *y;
  if (yt_load_file(res, &y, err, errlen) < 0)
    return -1;
  int rc = -1;
  if (y->type != YT_MAP) {
    jp_err(err, errlen, "%s:%u: must be a map of settings", file, y->line);
    goto out;
  }
  const struct yt_node *v;
  if ((v = yt_get(y, "problem_format_version"))) {
    const char *s = yt_str(v);
    if (s && !strcmp(s, "legacy"))
      p->new_format = 0;
    else if (s && (!strncmp(s, "2023-07", 7) || !strncmp(s, "2025-09", 7)))
      p->new_format = 1;
    else {
      jp_err(err, errlen, "%s:%u: problem_format_version '%.40s' is not supported (legacy, 2023-07, 2025-09)",
             file, v->line, s ? s : "?");
      goto out;
    }
  }
  if ((v = yt_get(y, "name"))) {
    const char *s = yt_str(v);
    if (!s && v->type == YT_MAP)
      s = yt_str(yt_get(v, "en")) ? yt_str(yt_get(v, "en")) : (v->n ? yt_str(v->kids[0]) : NULL);
    snprintf(p->name, sizeof p->name, "%s", s ? s : "");
  }
  int custom_wanted = 0;
  if ((v = yt_get(y, "type")) && parse_type(p, v, file, err, errlen) < 0)
    goto out;
  if ((v = yt_get(y, "validation"))) {
    const char *s = yt_str(v);
    char *w[8];
    size_t n = 0;
    if (!s || flags_split(s, w, &n, 8, err, errlen) < 0) {
      for (size_t i = 0; i < n; i++)
        free(w[i]);
      jp_err(err, errlen, "%s:%u: validation must be 'default' or 'custom [interactive] [score]'", file, v->line);
      goto out;
    }
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
      if (!strcmp(w[i], "custom"))
        custom_wanted = 1;
      else if (!strcmp(w[i], "interactive"))
        p->interactive = 1;
      else if (!strcmp(w[i], "score"))
        p->scoring = 1;
      else if (strcmp(w[i], "default"))
        bad = 1;
      free(w[i]);
    }
    if (bad) {
      jp_err(err, errlen, "%s:%u: validation must be 'default' or 'custom [interactive] [score]'", file, v->line);
      goto out;
    }
  }
  if (p->interactive)
    custom_wanted = 1;
  if ((v = yt_get(y, "validator_flags"))) {
    const char *s = yt_str(v);
    if (!s || flags_split(s, p->vflags, &p->nvflags, PROBLEM_MAX_FLAGS, err, errlen) < 0) {
      jp_err(err, errlen, "%s:%u: validator_flags must be a string of at most %d flags", file, v->line,
             PROBLEM_MAX_FLAGS);
      goto out;
    }
  }
  p->memory_mib = 2048;
  p->output_mib = 8;
  if ((v = yt_get(y, "limits"))) {
    if (v->type != YT_MAP) {
      jp_err(err, errlen, "%s:%u: limits must be a map", file, v->line);
      goto out;
    }
    double d;
    int has;
    if (limit_value(v, "time_limit", file, 0.001, 600, &d, &has, err, errlen) < 0)
      goto out;
    if (has)
      p->time_limit_ms = (uint64_t)llround(d * 1000);
    if (limit_value(v, "memory", file, 1, 65536, &d, &has, err, errlen) < 0)
      goto out;
    if (has)
      p->memory_mib = (uint64_t)llround(d);
    if (limit_value(v, "output", file, 1, 4096, &d, &has, err, errlen) < 0)
      goto out;
    if (has)
      p->output_mib = (uint64_t)llround(d);
  }
  const struct yt_node *jp = yt_get(y, "judgepool");
  if (jp && jp->type != YT_MAP) {
    jp_err(err, errlen, "%s:%u: judgepool must be a map (e.g. {checker: testlib})", file, jp->line);
    goto out;
  }
  const char *checker = yt_str(yt_get(jp, "checker"));
  if (jp && yt_get(jp, "checker") && (!checker || (strcmp(checker, "testlib") && strcmp(checker, "kattis")))) {
    jp_err(err, errlen, "%s:%u: judgepool.checker must be testlib or kattis", file, yt_get(jp, "checker")->line);
    goto out;
  }
  int testlib = checker && !strcmp(checker, "testlib");
  /* legacy: the validator directory is only used when problem.yaml asks */
  if ((p->new_format || custom_wanted || testlib) &&
      find_validator(p, jp, file, custom_wanted || testlib, err, errlen) < 0)
    goto out;
  if (testlib) {
    if (p->interactive) {
      jp_err(err, errlen, "%s: a testlib checker cannot judge an interactive problem", file);
      goto out;
    }
    p->vkind = VAL_TESTLIB;
  }

  /* data/: sample then secret; anything else there is not judged. */
  char data[PATH_MAX];
  if (fs_join(file, sizeof file, p->root, "data", err, errlen) < 0)
    goto out;
  r = fs_resolve_in(p->root, file, data, sizeof data, err, errlen);
  if (r == 1) {
    jp_err(err, errlen, "%s is missing: the package has no test data", file);
    goto out;
  }
  if (r < 0)
    goto out;
  struct tdsettings def;
  tdsettings_default(&def);
  p->data = calloc(1, sizeof *p->data);
  if (!p->data) {
    jp_err(err, errlen, "out of memory");
    goto out;
  }
  snprintf(p->data->name, sizeof p->data->name, "data");
  p->data->set = def;
  if (group_settings(p->data, p->root, data, err, errlen) < 0)
    goto out;
  struct loader L = {p, 0, 0};
  static const char *top[] = {"sample", "secret"};
  for (int i = 0; i < 2; i++) {
    char gd[PATH_MAX], gres[PATH_MAX];
    if (fs_join(gd, sizeof gd, data, top[i], err, errlen) < 0)
      goto out;
    r = fs_resolve_in(p->root, gd, gres, sizeof gres, err, errlen);
    if (r < 0)
      goto out;
    if (r == 1)
      continue;
    if (stat(gres, &st) < 0 || !S_ISDIR(st.st_mode)) {
      jp_err(err, errlen, "%s must be a directory", gd);
      goto out;
    }
    struct tgroup *g;
    if (load_group(&L, gres, top[i], &p->data->set, 1, &g, err, errlen) < 0)
      goto out;
    if (add_item(p->data, g, 0) < 0) {
      group_free(g);
      jp_err(err, errlen, "out of memory");
      goto out;
    }
  }
  if (p->ntests == 0) {
    jp_err(err, errlen, "%s/data has no test cases (expected data/sample/*.in or data/secret/*.in)", p->root);
    goto out;
  }
  rc = 0;
out:
  yt_free(y);
  if (rc < 0)
    problem_free(p);
  return rc;
}
