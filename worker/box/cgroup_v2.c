/* cgroup_v2.c — the cgroup v2 backend: one directory per group under
 * <mount>/judgepool, with memory and pids enabled in the parent's
 * subtree_control.
 *
 * Resetting counters between runs: memory.peak can only be reset on
 * kernels >= 6.12, and only for the file descriptor that wrote to it, so we
 * keep that fd open for the life of the group. On 5.19..6.11 it is
 * read-only: there we rmdir + mkdir the group in cg_prepare (cheap, and the
 * only way to get a clean peak; the dirfd changes, hence "fetch cg_dirfd
 * after cg_prepare"). The event counters (memory.events, pids.events) and
 * cpu.stat never reset: we keep their values at prepare and report
 * deltas, which is exact and needs no recreation. */
#include "cgroup_impl.h"

#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 1 if the space-separated list has word w. */
static int has_word(const char *list, const char *w) {
  size_t n = strlen(w);
  for (const char *p = list; (p = strstr(p, w)); p += n) {
    int start = p == list || p[-1] == ' ' || p[-1] == '\n';
    int end = p[n] == '\0' || p[n] == ' ' || p[n] == '\n';
    if (start && end)
      return 1;
  }
  return 0;
}

/* Enable memory, pids (required) and cpu (wanted: weights/quotas later;
 * cpu.stat works without it) for the children of dirfd. */
static int enable_controllers(int dirfd, const char *where, const char *avail, char *err,
                              size_t errlen) {
  char cur[CGFS_BUF];
  if (cgfs_read(dirfd, where, "cgroup.subtree_control", cur, sizeof cur, err, errlen) < 0)
    return -1;
  char req[32] = "";
  if (!has_word(cur, "memory"))
    strcat(req, "+memory ");
  if (!has_word(cur, "pids"))
    strcat(req, "+pids ");
  int want_cpu = !has_word(cur, "cpu") && has_word(avail, "cpu");
  if (!req[0] && !want_cpu)
    return 0;
  char all[48];
  snprintf(all, sizeof all, "%s%s", req, want_cpu ? "+cpu " : "");
  all[strlen(all) - 1] = '\0';
  if (cgfs_write(dirfd, where, "cgroup.subtree_control", all, err, errlen) == 0)
    return 0;
  if (!req[0])
    return 0; /* only cpu was refused: not essential */
  if (want_cpu) {
    req[strlen(req) - 1] = '\0';
    if (cgfs_write(dirfd, where, "cgroup.subtree_control", req, err, errlen) == 0)
      return 0;
  }
  if (errno == EBUSY)
    return jp_err(err, errlen,
                  "cgroup v2: cannot enable controllers in %s/cgroup.subtree_control: the "
                  "group has processes of its own (\"no internal processes\"): run the "
                  "worker in a leaf group, e.g. move it to %s/worker first",
                  where, where);
  return -1;
}

int cg2_root_init(struct cg_root *r, const char *mount, char *err, size_t errlen) {
  if (strlen(mount) + sizeof(CG_PARENT) + 2 > CG_PATH_MAX)
    return jp_err(err, errlen, "cgroup v2: mount path too long");
  int mfd = open(mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (mfd < 0)
    return jp_errno(err, errlen, "cgroup v2: open %s", mount);
  char avail[CGFS_BUF];
  int rc = cgfs_read(mfd, mount, "cgroup.controllers", avail, sizeof avail, err, errlen);
  if (rc == 0 && (!has_word(avail, "memory") || !has_word(avail, "pids"))) {
    size_t n = strlen(avail);
    if (n && avail[n - 1] == '\n')
      avail[n - 1] = '\0';
    rc = jp_err(err, errlen,
                "cgroup v2: %s/cgroup.controllers ('%.100s') lacks memory and/or pids: they "
                "are bound to v1 hierarchies or not delegated to us; use the v1 backend or "
                "boot with systemd.unified_cgroup_hierarchy=1",
                mount, avail);
  }
  if (rc == 0)
    rc = enable_controllers(mfd, mount, avail, err, errlen);
  snprintf(r->parent_path[0], CG_PATH_MAX, "%s/" CG_PARENT, mount);
  if (rc == 0 && mkdirat(mfd, CG_PARENT, 0755) < 0 && errno != EEXIST)
    rc = jp_errno(err, errlen, "cgroup v2: mkdir %s (are you root?)", r->parent_path[0]);
  if (rc == 0) {
    r->parent_fd[0] = openat(mfd, CG_PARENT, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (r->parent_fd[0] < 0)
      rc = jp_errno(err, errlen, "cgroup v2: open %s", r->parent_path[0]);
  }
  close(mfd);
  if (rc == 0)
    rc = enable_controllers(r->parent_fd[0], r->parent_path[0], avail, err, errlen);
  return rc;
}

int cg2_is_empty(struct cg *g, char *err, size_t errlen) {
  uint64_t populated;
  if (cgfs_read_u64(g->dir_fd[0], g->path[0], "cgroup.events", "populated", &populated, err,
                    errlen) < 0)
    return -1;
  return populated == 0;
}

int cg2_kill_all(struct cg *g, char *err, size_t errlen) {
  char why[256] = "";
  int fd = g->dir_fd[0];
  const char *w = g->path[0];
  if (g->has_cgroup_kill < 0)
    g->has_cgroup_kill = faccessat(fd, "cgroup.kill", F_OK, 0) == 0;
  uint64_t t0 = cg_now_ms();
  for (int round = 0; cg_now_ms() - t0 < g->kill_deadline_ms; round++) {
    int e = cg2_is_empty(g, why, sizeof why);
    if (e < 0)
      break;
    if (e == 1)
      return 0;
    if (g->has_cgroup_kill) {
      /* >= 5.14: the kernel kills the whole subtree and fails concurrent
       * forks into it, so one write normally suffices; we still loop until
       * populated drops to 0 (exiting tasks take a moment). */
      if (cgfs_write(fd, w, "cgroup.kill", "1", why, sizeof why) < 0)
        break;
    } else {
      /* 5.2..5.13: freeze, kill the listed pids, thaw, repeat. */
      int frozen = cgfs_write(fd, w, "cgroup.freeze", "1", NULL, 0) == 0;
      long n = cgp_kill_listed(fd, w, why, sizeof why);
      if (frozen)
        cgfs_write(fd, w, "cgroup.freeze", "0", NULL, 0);
      if (n < 0)
        break;
    }
    cg_backoff(round);
  }
  if (why[0])
    return jp_err(err, errlen, "cgroup v2: could not empty group %s: %s", g->name, why);
  return jp_err(err, errlen,
                "cgroup v2: group %s still populated after %u ms (a task stuck in "
                "uninterruptible sleep?): check %s/cgroup.procs",
                g->name, g->kill_deadline_ms, w);
}

static void close_counters(struct cg *g) {
  if (g->cpu_fd >= 0)
    close(g->cpu_fd);
  if (g->peak_fd >= 0)
    close(g->peak_fd);
  g->cpu_fd = g->peak_fd = -1;
}

/* Opens the group directory (made if missing) and the kept counter fds.
 * *existed tells whether the directory was already there. */
static int open_group(struct cg *g, int *existed, char *err, size_t errlen) {
  struct cg_root *r = g->r;
  snprintf(g->path[0], sizeof g->path[0], "%s/%s", r->parent_path[0], g->name);
  *existed = 0;
  if (mkdirat(r->parent_fd[0], g->name, 0755) < 0) {
    if (errno != EEXIST)
      return jp_errno(err, errlen, "cgroup v2: mkdir %s", g->path[0]);
    *existed = 1;
  }
  g->dir_fd[0] = openat(r->parent_fd[0], g->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (g->dir_fd[0] < 0)
    return jp_errno(err, errlen, "cgroup v2: open %s", g->path[0]);
  g->cpu_fd = cgfs_open(g->dir_fd[0], g->path[0], "cpu.stat", O_RDONLY, err, errlen);
  if (g->cpu_fd < 0)
    return -1;
  if (g->peak_mode == CG2_PEAK_RECREATE) {
    g->peak_fd = cgfs_open(g->dir_fd[0], g->path[0], "memory.peak", O_RDONLY, err, errlen);
    if (g->peak_fd < 0)
      return -1;
  }
  return 0;
}

/* rmdir + mkdir: a fresh group has every counter at zero. The group must
 * be empty (checked by the caller). */
int cg2_recreate(struct cg *g, char *err, size_t errlen) {
  close_counters(g);
  if (g->dir_fd[0] >= 0)
    close(g->dir_fd[0]);
  g->dir_fd[0] = -1;
  int rc = -1;
  for (int round = 0; round < 10; round++) {
    rc = unlinkat(g->r->parent_fd[0], g->name, AT_REMOVEDIR);
    if (rc == 0 || errno != EBUSY)
      break;
    cg_backoff(round);
  }
  if (rc < 0 && errno != ENOENT)
    return jp_errno(err, errlen, "cgroup v2: rmdir %s (to reset memory.peak)", g->path[0]);
  int existed;
  return open_group(g, &existed, err, errlen);
}

int cg2_create(struct cg *g, char *err, size_t errlen) {
  int existed;
  if (open_group(g, &existed, err, errlen) < 0)
    return -1;
  g->fresh = !existed;
  g->has_cgroup_kill = faccessat(g->dir_fd[0], "cgroup.kill", F_OK, 0) == 0;
  if (existed) {
    /* A crashed worker may have left it frozen or populated. */
    if (faccessat(g->dir_fd[0], "cgroup.freeze", F_OK, 0) == 0 &&
        cgfs_write(g->dir_fd[0], g->path[0], "cgroup.freeze", "0", err, errlen) < 0)
      return -1;
    int e = cg2_is_empty(g, err, errlen);
    if (e < 0 || (e == 0 && cg2_kill_all(g, err, errlen) < 0))
      return -1;
  }
  return 0;
}

/* Decides how memory.peak is reset on this kernel (first prepare only). */
static int probe_peak(struct cg *g, char *err, size_t errlen) {
  int fd = openat(g->dir_fd[0], "memory.peak", O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT) {
    g->peak_mode = CG2_PEAK_ABSENT;
    return 0;
  }
  if (fd >= 0) {
    ssize_t n = write(fd, "reset\n", 6);
    if (n == 6) {
      g->peak_fd = fd;
      g->peak_mode = CG2_PEAK_FD_RESET;
      return 0;
    }
    close(fd);
  } else if (errno != EACCES && errno != EPERM) {
    return jp_errno(err, errlen, "cgroup v2: open %s/memory.peak", g->path[0]);
  }
  /* Read-only memory.peak (5.19..6.11): readable, reset by recreating. */
  g->peak_mode = CG2_PEAK_RECREATE;
  g->peak_fd = cgfs_open(g->dir_fd[0], g->path[0], "memory.peak", O_RDONLY, err, errlen);
  return g->peak_fd < 0 ? -1 : 0;
}

static int reset_peak(struct cg *g, int fresh, char *err, size_t errlen) {
  if (g->peak_mode == CG2_PEAK_UNKNOWN)
    return probe_peak(g, err, errlen); /* a successful probe is a reset */
  if (g->peak_mode == CG2_PEAK_FD_RESET) {
    ssize_t n = pwrite(g->peak_fd, "reset\n", 6, 0);
    if (n != 6)
      return jp_errno(err, errlen, "cgroup v2: reset %s/memory.peak", g->path[0]);
    return 0;
  }
  if (g->peak_mode == CG2_PEAK_RECREATE && !fresh)
    return cg2_recreate(g, err, errlen);
  return 0;
}

/* Page cache charged by the previous run (input files, binaries) would
 * count towards this run's peak: ask the kernel to reclaim it. Best effort
 * (memory.reclaim: >= 5.19; EAGAIN when not everything could go). */
static void reclaim_leftovers(struct cg *g) {
  uint64_t cur;
  if (cgfs_read_u64(g->dir_fd[0], g->path[0], "memory.current", NULL, &cur, NULL, 0) < 0 ||
      cur == 0)
    return;
  cgfs_write_u64(g->dir_fd[0], g->path[0], "memory.reclaim", cur, "0", NULL, 0);
}

static int read_events(struct cg *g, uint64_t *oom_kill, uint64_t *oom, uint64_t *max,
                       char *err, size_t errlen) {
  char buf[CGFS_BUF];
  if (cgfs_read(g->dir_fd[0], g->path[0], "memory.events", buf, sizeof buf, err, errlen) < 0)
    return -1;
  if (cgfs_keyed_u64(buf, "oom_kill", oom_kill) != 0 || cgfs_keyed_u64(buf, "oom", oom) != 0 ||
      cgfs_keyed_u64(buf, "max", max) != 0)
    return jp_err(err, errlen,
                  "cgroup v2: %s/memory.events: malformed (need 'max', 'oom', 'oom_kill' "
                  "lines of 'key number')",
                  g->path[0]);
  return 0;
}

static int cpu_usec(struct cg *g, uint64_t *out, char *err, size_t errlen) {
  char buf[CGFS_BUF];
  if (cgfs_pread(g->cpu_fd, g->path[0], "cpu.stat", buf, sizeof buf, err, errlen) < 0)
    return -1;
  if (cgfs_keyed_u64(buf, "usage_usec", out) != 0)
    return jp_err(err, errlen, "cgroup v2: %s/cpu.stat: no well-formed usage_usec", g->path[0]);
  return 0;
}

static int cpu_ns_since_prepare(struct cg *g, uint64_t *out, char *err, size_t errlen) {
  uint64_t us;
  if (cpu_usec(g, &us, err, errlen) < 0)
    return -1;
  us = us > g->base_cpu_usec ? us - g->base_cpu_usec : 0;
  *out = us > UINT64_MAX / 1000 ? UINT64_MAX : us * 1000;
  return 0;
}

int cg2_prepare(struct cg *g, const struct cg_limits *lim, char *err, size_t errlen) {
  int e = g->known_empty ? 1 : cg2_is_empty(g, err, errlen); /* see cg_prepare in cgroup.h */
  if (e < 0 || (e == 0 && cg2_kill_all(g, err, errlen) < 0))
    return -1;
  int fresh = g->fresh;
  g->fresh = 0;
  if (g->peak_mode != CG2_PEAK_RECREATE)
    reclaim_leftovers(g);
  if (reset_peak(g, fresh, err, errlen) < 0)
    return -1;
  int fd = g->dir_fd[0];
  const char *w = g->path[0];
  uint64_t mem = lim->memory_bytes ? lim->memory_bytes : UINT64_MAX;
  if (cgfs_write_u64(fd, w, "memory.max", mem, "max", err, errlen) < 0)
    return -1;
  /* No swap configured in the kernel = no file, and nothing to forbid. */
  if (cgfs_write(fd, w, "memory.swap.max", "0", err, errlen) < 0 && errno != ENOENT)
    return -1;
  g->mem_limit = 0;
  if (lim->memory_bytes) {
    char buf[64];
    if (cgfs_read(fd, w, "memory.max", buf, sizeof buf, err, errlen) < 0)
      return -1;
    if (cgfs_parse_u64(buf, &g->mem_limit) < 0)
      return jp_err(err, errlen, "cgroup v2: %s/memory.max reads back '%.20s', not a number",
                    w, buf);
  }
  if (cgfs_write_u64(fd, w, "pids.max", lim->pids ? lim->pids : UINT64_MAX, "max", err,
                     errlen) < 0)
    return -1;
  if (read_events(g, &g->base_oom_kill, &g->base_oom, &g->base_mem_max, err, errlen) < 0 ||
      cgfs_read_u64(fd, w, "pids.events", "max", &g->base_pids_max, err, errlen) < 0 ||
      cpu_usec(g, &g->base_cpu_usec, err, errlen) < 0)
    return -1;
  return 0;
}

int cg2_attach(struct cg *g, pid_t pid, char *err, size_t errlen) {
  char num[24];
  snprintf(num, sizeof num, "%d", (int)pid);
  return cgfs_write(g->dir_fd[0], g->path[0], "cgroup.procs", num, err, errlen);
}

int cg2_cpu_ns(struct cg *g, uint64_t *out) { return cpu_ns_since_prepare(g, out, NULL, 0); }

int cg2_usage(struct cg *g, struct cg_usage *out, char *err, size_t errlen) {
  if (cpu_ns_since_prepare(g, &out->cpu_ns, err, errlen) < 0)
    return -1;
  if (g->peak_fd >= 0) {
    char buf[64];
    if (cgfs_pread(g->peak_fd, g->path[0], "memory.peak", buf, sizeof buf, err, errlen) < 0)
      return -1;
    if (cgfs_parse_u64(buf, &out->memory_peak) < 0)
      return jp_err(err, errlen, "cgroup v2: %s/memory.peak: expected a number, got '%.20s'",
                    g->path[0], buf);
  }
  uint64_t oom_kill, oom, max;
  if (read_events(g, &oom_kill, &oom, &max, err, errlen) < 0)
    return -1;
  out->oom_killed = oom_kill > g->base_oom_kill;
  out->memory_limit_hit = oom > g->base_oom || max > g->base_mem_max ||
                          (g->mem_limit && out->memory_peak >= g->mem_limit);
  out->oom = out->oom_killed || out->memory_limit_hit;
  uint64_t pmax;
  if (cgfs_read_u64(g->dir_fd[0], g->path[0], "pids.events", "max", &pmax, err, errlen) < 0)
    return -1;
  out->pids_peak_hit = pmax > g->base_pids_max;
  return 0;
}

void cg2_destroy(struct cg *g) {
  if (g->dir_fd[0] < 0)
    return;
  if (cg2_is_empty(g, NULL, 0) == 0)
    cg2_kill_all(g, NULL, 0);
  for (int round = 0; round < 10; round++) {
    if (unlinkat(g->r->parent_fd[0], g->name, AT_REMOVEDIR) == 0 || errno != EBUSY)
      break;
    cg_backoff(round);
  }
}
