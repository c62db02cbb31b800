/* lang.c — loading, checking and expanding the language table (lang.h). */
#include "lang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "pkgfs.h"
#include "source_rules.h"
#include "yaml_tree.h"

static void lang_free(struct lang *l) {
  char **lists[] = {l->exts, l->compile, l->keep, l->run, l->env};
  size_t ns[] = {l->nexts, l->ncompile, l->nkeep, l->nrun, l->nenv};
  for (int k = 0; k < 5; k++) {
    for (size_t i = 0; i < ns[k]; i++)
      free(lists[k][i]);
    free(lists[k]);
  }
}

void lang_table_free(struct lang_table *t) {
  for (size_t i = 0; i < t->n; i++)
    lang_free(&t->v[i]);
  free(t->v);
  t->v = NULL;
  t->n = 0;
}

static int check_placeholders(const char *s, const char *file, unsigned line, char *err, size_t errlen) {
  static const char *known[] = {"{files}", "{main}", "{mainclass}", "{memory_mib}"};
  for (const char *p = strchr(s, '{'); p; p = strchr(p + 1, '{')) {
    int ok = 0;
    for (size_t i = 0; i < 4; i++)
      if (!strncmp(p, known[i], strlen(known[i])))
        ok = 1;
    if (!ok)
      return jp_err(err, errlen, "%s:%u: unknown placeholder in '%.80s' (known: {files} {main} {mainclass} {memory_mib})",
                    file, line, s);
  }
  return 0;
}

/* A sequence of scalars. */
static int str_list(const struct yt_node *n, const char *file, const char *what, int args, char ***out,
                    size_t *nout, char *err, size_t errlen) {
  if (n->type != YT_SEQ)
    return jp_err(err, errlen, "%s:%u: %s must be a list, e.g. [a, b]", file, n->line, what);
  if (n->n > LANG_MAX_ARGS)
    return jp_err(err, errlen, "%s:%u: %s has too many entries (at most %d)", file, n->line, what, LANG_MAX_ARGS);
  char **v = calloc(n->n ? n->n : 1, sizeof *v);
  if (!v)
    return jp_err(err, errlen, "out of memory");
  *out = v;
  *nout = 0;
  for (size_t i = 0; i < n->n; i++) {
    const char *s = yt_str(n->kids[i]);
    if (!s || !*s || strlen(s) > 4096)
      return jp_err(err, errlen, "%s:%u: every entry of %s must be a non-empty string", file, n->kids[i]->line, what);
    if (args && check_placeholders(s, file, n->kids[i]->line, err, errlen) < 0)
      return -1;
    if (!(v[i] = strdup(s)))
      return jp_err(err, errlen, "out of memory");
    *nout = i + 1;
  }
  return 0;
}

static int uint_val(const struct yt_node *n, const char *file, const char *what, uint64_t max, uint64_t *out,
                    char *err, size_t errlen) {
  const char *s = yt_str(n);
  char *end;
  unsigned long long v = s ? strtoull(s, &end, 10) : 0;
  if (!s || !*s || *end || s[0] == '-' || v > max)
    return jp_err(err, errlen, "%s:%u: %s must be a whole number from 0 to %llu", file, n->line, what,
                  (unsigned long long)max);
  *out = v;
  return 0;
}

static int parse_lang(struct lang *l, const char *id, unsigned idline, const struct yt_node *m, const char *file,
                      char *err, size_t errlen) {
  if (strlen(id) >= sizeof l->id || !*id)
    return jp_err(err, errlen, "%s:%u: language id '%.40s' is empty or too long", file, idline, id);
  for (const char *p = id; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '+' || *p == '-'))
      return jp_err(err, errlen, "%s:%u: language id '%s' may only use a-z 0-9 _ + -", file, idline, id);
  strcpy(l->id, id);
  snprintf(l->name, sizeof l->name, "%s", id);
  if (m->type != YT_MAP)
    return jp_err(err, errlen, "%s:%u: language %s must be a map of settings", file, m->line, id);
  uint64_t v = 0; /* set by uint_val on success; gcc -O3 cannot tell */
  for (size_t i = 0; i < m->n; i++) {
    const char *k = m->keys[i];
    const struct yt_node *x = m->kids[i];
    if (!strcmp(k, "name")) {
      const char *s = yt_str(x);
      if (!s || strlen(s) >= sizeof l->name)
        return jp_err(err, errlen, "%s:%u: name must be a short string", file, x->line);
      strcpy(l->name, s);
    } else if (!strcmp(k, "extensions")) {
      if (str_list(x, file, "extensions", 0, &l->exts, &l->nexts, err, errlen) < 0)
        return -1;
      for (size_t j = 0; j < l->nexts; j++)
        if (strchr(l->exts[j], '.') || strchr(l->exts[j], '/') || strlen(l->exts[j]) > 15)
          return jp_err(err, errlen, "%s:%u: extension '%s' must be given without a dot", file, x->line, l->exts[j]);
    } else if (!strcmp(k, "compile")) {
      if (str_list(x, file, "compile", 1, &l->compile, &l->ncompile, err, errlen) < 0)
        return -1;
    } else if (!strcmp(k, "keep")) {
      if (str_list(x, file, "keep", 0, &l->keep, &l->nkeep, err, errlen) < 0)
        return -1;
      for (size_t j = 0; j < l->nkeep; j++)
        if (!jp_safe_name(l->keep[j]))
          return jp_err(err, errlen, "%s:%u: keep entry '%s' must be a plain file name", file, x->line, l->keep[j]);
    } else if (!strcmp(k, "run")) {
      if (str_list(x, file, "run", 1, &l->run, &l->nrun, err, errlen) < 0)
        return -1;
    } else if (!strcmp(k, "env")) {
      if (str_list(x, file, "env", 0, &l->env, &l->nenv, err, errlen) < 0)
        return -1;
      for (size_t j = 0; j < l->nenv; j++)
        if (!strchr(l->env[j], '=') || l->env[j][0] == '=')
          return jp_err(err, errlen, "%s:%u: env entry '%.60s' must look like NAME=value", file, x->line, l->env[j]);
    } else if (!strcmp(k, "policy")) {
      const char *s = yt_str(x);
      if (s && !strcmp(s, "strict"))
        l->strict_policy = 1;
      else if (s && !strcmp(s, "default"))
        l->strict_policy = 0;
      else
        return jp_err(err, errlen, "%s:%u: policy must be strict or default", file, x->line);
    } else if (!strcmp(k, "compile_policy")) {
      const char *s = yt_str(x);
      if (s && !strcmp(s, "default"))
        l->compile_policy = LANG_POLICY_DEFAULT;
      else if (s && !strcmp(s, "strict"))
        l->compile_policy = LANG_POLICY_STRICT;
      else if (s && !strcmp(s, "none"))
        l->compile_policy = LANG_POLICY_NONE;
      else
        return jp_err(err, errlen, "%s:%u: compile_policy must be default, strict or none", file, x->line);
    } else if (!strcmp(k, "procs")) {
      if (uint_val(x, file, "procs", 4096, &v, err, errlen) < 0)
        return -1;
      l->procs = (uint32_t)v;
    } else if (!strcmp(k, "compile_procs")) {
      if (uint_val(x, file, "compile_procs", 4096, &v, err, errlen) < 0)
        return -1;
      l->compile_procs = (uint32_t)v;
    } else if (!strcmp(k, "extra_memory_mib")) {
      if (uint_val(x, file, "extra_memory_mib", 65536, &v, err, errlen) < 0)
        return -1;
      l->extra_memory_mib = v;
    } else {
      return jp_err(err, errlen, "%s:%u: unknown setting '%.40s' for language %s", file, m->key_lines[i], k, id);
    }
  }
  if (!l->nrun)
    return jp_err(err, errlen, "%s:%u: language %s has no run command", file, idline, id);
  if (l->procs == 0)
    l->procs = 1;
  if (l->compile_procs == 0)
    l->compile_procs = 16;
  return 0;
}

int lang_table_load_buf(struct lang_table *t, const char *buf, size_t len, const char *name, char *err,
                        size_t errlen) {
  memset(t, 0, sizeof *t);
  struct yt_node *root;
  if (yt_load_buf(buf, len, name, &root, err, errlen) < 0)
    return -1;
  int rc = -1;
  if (root->type != YT_MAP || root->n == 0) {
    jp_err(err, errlen, "%s:%u: the language table must be a map from language id to settings", name, root->line);
    goto out;
  }
  if (root->n > LANG_MAX) {
    jp_err(err, errlen, "%s: too many languages (at most %d)", name, LANG_MAX);
    goto out;
  }
  t->v = calloc(root->n, sizeof *t->v);
  if (!t->v) {
    jp_err(err, errlen, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < root->n; i++) {
    t->n = i + 1;
    if (parse_lang(&t->v[i], root->keys[i], root->key_lines[i], root->kids[i], name, err, errlen) < 0)
      goto out;
    for (size_t j = 0; j < i; j++)
      for (size_t a = 0; a < t->v[i].nexts; a++)
        for (size_t b = 0; b < t->v[j].nexts; b++)
          if (!strcmp(t->v[i].exts[a], t->v[j].exts[b])) {
            jp_err(err, errlen, "%s:%u: extension '%s' is used by both %s and %s", name, root->key_lines[i],
                   t->v[i].exts[a], t->v[j].id, t->v[i].id);
            goto out;
          }
  }
  rc = 0;
out:
  yt_free(root);
  if (rc < 0)
    lang_table_free(t);
  return rc;
}

int lang_table_load_file(struct lang_table *t, const char *path, char *err, size_t errlen) {
  char *buf = NULL;
  size_t len = 0;
  if (fs_read_file(path, YT_MAX_FILE, &buf, &len, err, errlen) < 0)
    return -1;
  int rc = lang_table_load_buf(t, buf, len, path, err, errlen);
  free(buf);
  return rc;
}

int lang_table_load_builtin(struct lang_table *t, char *err, size_t errlen) {
  return lang_table_load_buf(t, lang_builtin_yaml, lang_builtin_yaml_len, "languages.yaml (built in)", err, errlen);
}

const struct lang *lang_find(const struct lang_table *t, const char *id) {
  for (size_t i = 0; i < t->n; i++)
    if (!strcmp(t->v[i].id, id))
      return &t->v[i];
  return NULL;
}

int lang_has_ext(const struct lang *l, const char *path) {
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  const char *dot = strrchr(base, '.');
  if (!dot || dot == base)
    return 0;
  for (size_t i = 0; i < l->nexts; i++)
    if (!strcmp(dot + 1, l->exts[i]))
      return 1;
  return 0;
}

const struct lang *lang_for_file(const struct lang_table *t, const char *path) {
  for (size_t i = 0; i < t->n; i++)
    if (lang_has_ext(&t->v[i], path))
      return &t->v[i];
  return NULL;
}

void lang_argv_free(char **argv) {
  if (!argv)
    return;
  for (char **p = argv; *p; p++)
    free(*p);
  free(argv);
}

/* Appends s to a growable string. */
static int sb_add(char **b, size_t *n, size_t *cap, const char *s, size_t sl) {
  if (*n + sl + 1 > *cap) {
    size_t nc = (*cap ? *cap * 2 : 64);
    while (nc < *n + sl + 1)
      nc *= 2;
    char *nb = realloc(*b, nc);
    if (!nb)
      return -1;
    *b = nb;
    *cap = nc;
  }
  memcpy(*b + *n, s, sl);
  *n += sl;
  (*b)[*n] = 0;
  return 0;
}

int lang_expand(char *const *tmpl, size_t n, const struct lang_vars *v, char ***out, char *err, size_t errlen) {
  size_t cap = n + v->nfiles + 1;
  char **argv = calloc(cap, sizeof *argv);
  if (!argv)
    return jp_err(err, errlen, "out of memory");
  size_t k = 0;
  char mem[32];
  snprintf(mem, sizeof mem, "%llu", (unsigned long long)v->memory_mib);
  for (size_t i = 0; i < n; i++) {
    if (!strcmp(tmpl[i], "{files}")) {
      for (size_t j = 0; j < v->nfiles; j++)
        if (!(argv[k++] = strdup(v->files[j])))
          goto oom;
      continue;
    }
    char *b = NULL;
    size_t bn = 0, bc = 0;
    if (sb_add(&b, &bn, &bc, "", 0) < 0)
      goto oom;
    for (const char *p = tmpl[i]; *p;) {
      const char *rep = NULL;
      size_t skip = 0;
      if (!strncmp(p, "{main}", 6)) {
        rep = v->main ? v->main : "";
        skip = 6;
      } else if (!strncmp(p, "{mainclass}", 11)) {
        rep = v->mainclass ? v->mainclass : "";
        skip = 11;
      } else if (!strncmp(p, "{memory_mib}", 12)) {
        rep = mem;
        skip = 12;
      } else if (!strncmp(p, "{files}", 7)) {
        skip = 7;
        for (size_t j = 0; j < v->nfiles; j++)
          if ((j && sb_add(&b, &bn, &bc, " ", 1) < 0) || sb_add(&b, &bn, &bc, v->files[j], strlen(v->files[j])) < 0) {
            free(b);
            goto oom;
          }
        p += skip;
        continue;
      }
      if (rep) {
        if (sb_add(&b, &bn, &bc, rep, strlen(rep)) < 0) {
          free(b);
          goto oom;
        }
        p += skip;
      } else {
        if (sb_add(&b, &bn, &bc, p, 1) < 0) {
          free(b);
          goto oom;
        }
        p++;
      }
    }
    argv[k++] = b;
  }
  argv[k] = NULL;
  *out = argv;
  return 0;
oom:
  lang_argv_free(argv);
  return jp_err(err, errlen, "out of memory expanding a command line");
}
