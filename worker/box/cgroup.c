/* cgroup.c — the public cgroup interface: version detection, name
 * validation, group allocation, and dispatch to the v1 / v2 backends. */
#include "cgroup_impl.h"

#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const v1_dirs[CG_NCTL] = {"memory", "pids", "cpuacct", "freezer"};

int cg_name_valid(const char *name, char *err, size_t errlen) {
  if (!name || !*name)
    return jp_err(err, errlen, "cgroup: empty group name");
  size_t n = strnlen(name, CG_NAME_MAX + 1);
  if (n > CG_NAME_MAX)
    return jp_err(err, errlen, "cgroup: group name longer than %d characters", CG_NAME_MAX);
  /* A tight charset rules out '/', "..", control-file names ("memory.max")
   * and anything a shell or a log would mangle. */
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '_' || c == '-'))
      return jp_err(err, errlen,
                    "cgroup: group name '%.*s' has character '%c' (0x%02x): use only "
                    "[A-Za-z0-9_-]",
                    (int)n, name, c >= 0x20 && c < 0x7f ? c : '?', (unsigned char)c);
  }
  return 0;
}

static int is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int open_explicit(struct cg_root *r, const char *root, cg_version v, char *err,
                         size_t errlen) {
  if (strlen(root) + 32 >= CG_PATH_MAX)
    return jp_err(err, errlen, "cgroup: root path '%.64s...' too long", root);
  if (!is_dir(root))
    return jp_err(err, errlen, "cgroup: root '%s' is not a directory", root);
  if (v == CG_V2)
    return cg2_root_init(r, root, err, errlen);
  char mounts[CG_NCTL][CG_PATH_MAX];
  for (int i = 0; i < CG_NCTL; i++) {
    snprintf(mounts[i], CG_PATH_MAX, "%s/%s", root, v1_dirs[i]);
    if (i == CG1_FREEZER && !is_dir(mounts[i]))
      mounts[i][0] = '\0';
  }
  return cg1_root_init(r, mounts, err, errlen);
}

static struct cg_root *root_alloc(void) {
  struct cg_root *r = calloc(1, sizeof *r);
  if (!r)
    return NULL;
  for (int i = 0; i < CG_NCTL; i++) {
    r->parent_fd[i] = -1;
    r->hier[i] = i;
  }
  return r;
}

/* want: CG_V1, CG_V2, or 0 = whatever the root holds. */
static int root_open(struct cg_root **out, const char *root, int want, char *err,
                     size_t errlen) {
  *out = NULL;
  struct cg_root *r = root_alloc();
  if (!r)
    return jp_err(err, errlen, "cgroup: out of memory");
  int rc;
  if (!root || !strcmp(root, "auto")) {
    char mounts[CG_NCTL][CG_PATH_MAX];
    rc = cg_discover(&r->v, mounts, err, errlen);
    if (rc == 0 && want && (int)r->v != want)
      rc = jp_err(err, errlen, "cgroup: asked for v%d but this machine's controllers are v%d",
                  want, (int)r->v);
    if (rc == 0)
      rc = r->v == CG_V1 ? cg1_root_init(r, mounts, err, errlen)
                         : cg2_root_init(r, mounts[0], err, errlen);
  } else {
    if (!want) {
      char probe[CG_PATH_MAX + 32];
      snprintf(probe, sizeof probe, "%s/cgroup.controllers", root);
      if (access(probe, F_OK) == 0) {
        want = CG_V2;
      } else {
        snprintf(probe, sizeof probe, "%s/memory", root);
        if (is_dir(probe))
          want = CG_V1;
      }
    }
    if (!want)
      rc = jp_err(err, errlen,
                  "cgroup: '%s' is neither a cgroup v2 mount (no cgroup.controllers) nor a v1 "
                  "layout (no memory/ directory): pass the cgroup root, or \"auto\"",
                  root);
    else {
      r->v = (cg_version)want;
      rc = open_explicit(r, root, r->v, err, errlen);
    }
  }
  if (rc < 0) {
    cg_root_close(r);
    return -1;
  }
  *out = r;
  return 0;
}

int cg_root_open_version(struct cg_root **out, const char *root, cg_version v,
                         char *err, size_t errlen) {
  if (v != CG_V1 && v != CG_V2) {
    *out = NULL;
    return jp_err(err, errlen, "cgroup: unknown version %d", (int)v);
  }
  return root_open(out, root, (int)v, err, errlen);
}

int cg_root_open(struct cg_root **out, const char *root, char *err, size_t errlen) {
  return root_open(out, root, 0, err, errlen);
}

cg_version cg_root_version(const struct cg_root *r) { return r->v; }

void cg_root_close(struct cg_root *r) {
  if (!r)
    return;
  /* The parent "judgepool" directories stay: other worker processes may
   * share them, and an empty cgroup directory costs nothing. */
  for (int i = 0; i < CG_NCTL; i++)
    if (r->parent_fd[i] >= 0 && r->hier[i] == i)
      close(r->parent_fd[i]);
  free(r);
}

struct cg *cg_alloc(struct cg_root *r, const char *name) {
  struct cg *g = calloc(1, sizeof *g);
  if (!g)
    return NULL;
  g->r = r;
  snprintf(g->name, sizeof g->name, "%s", name);
  for (int i = 0; i < CG_NCTL; i++)
    g->dir_fd[i] = -1;
  g->cpu_fd = -1;
  g->peak_fd = -1;
  g->has_cgroup_kill = -1;
  g->kill_deadline_ms = CG_KILL_DEADLINE_MS;
  return g;
}

void cg_free(struct cg *g) {
  if (!g)
    return;
  for (int i = 0; i < CG_NCTL; i++)
    if (g->dir_fd[i] >= 0 && g->r->hier[i] == i)
      close(g->dir_fd[i]);
  if (g->cpu_fd >= 0)
    close(g->cpu_fd);
  if (g->peak_fd >= 0)
    close(g->peak_fd);
  for (int i = 0; i < g->nhot; i++)
    close(g->hot[i].fd);
  free(g);
}

int cg_create(struct cg_root *r, const char *name, struct cg **out, char *err, size_t errlen) {
  *out = NULL;
  if (cg_name_valid(name, err, errlen) < 0)
    return -1;
  struct cg *g = cg_alloc(r, name);
  if (!g)
    return jp_err(err, errlen, "cgroup: out of memory");
  int rc = r->v == CG_V1 ? cg1_create(g, err, errlen) : cg2_create(g, err, errlen);
  if (rc < 0) {
    cg_free(g);
    return -1;
  }
  g->known_empty = 1; /* new, or taken over and emptied by the backend */
  *out = g;
  return 0;
}

int cg_prepare(struct cg *g, const struct cg_limits *lim, char *err, size_t errlen) {
  int rc = g->r->v == CG_V1 ? cg1_prepare(g, lim, err, errlen) : cg2_prepare(g, lim, err, errlen);
  g->known_empty = 0; /* the run may start */
  return rc;
}

int cg_attach(struct cg *g, pid_t pid, char *err, size_t errlen) {
  if (pid <= 0)
    return jp_err(err, errlen, "cgroup: attach to %s: invalid pid %d", g->name, (int)pid);
  g->known_empty = 0;
  return g->r->v == CG_V1 ? cg1_attach(g, pid, err, errlen) : cg2_attach(g, pid, err, errlen);
}

int cg_dirfd(const struct cg *g) { return g->r->v == CG_V2 ? g->dir_fd[0] : -1; }

int cg_cpu_ns(struct cg *g, uint64_t *out) {
  return g->r->v == CG_V1 ? cg1_cpu_ns(g, out) : cg2_cpu_ns(g, out);
}

int cg_usage(struct cg *g, struct cg_usage *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  return g->r->v == CG_V1 ? cg1_usage(g, out, err, errlen) : cg2_usage(g, out, err, errlen);
}

int cg_kill_all(struct cg *g, char *err, size_t errlen) {
  int rc = g->r->v == CG_V1 ? cg1_kill_all(g, err, errlen) : cg2_kill_all(g, err, errlen);
  g->known_empty = rc == 0;
  return rc;
}

int cg_is_empty(struct cg *g) {
  int e = g->r->v == CG_V1 ? cg1_is_empty(g, NULL, 0) : cg2_is_empty(g, NULL, 0);
  g->known_empty = e == 1;
  return e;
}

void cg_destroy(struct cg *g) {
  if (!g)
    return;
  if (g->r->v == CG_V1)
    cg1_destroy(g);
  else
    cg2_destroy(g);
  cg_free(g);
}

void cg_close(struct cg *g) { cg_free(g); }

int cg_self_attach_fds(struct cg *g, int *fds, int max, char *err, size_t errlen) {
  return g->r->v == CG_V1 ? cg1_self_attach_fds(g, fds, max, err, errlen) : 0;
}

int cg_v1_has_memory(const struct cg *g) {
  return g->r->v == CG_V1 && g->dir_fd[CG1_MEMORY] >= 0;
}
