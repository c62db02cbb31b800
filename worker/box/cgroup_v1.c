/* cgroup_v1.c — the cgroup v1 backend: one directory per group in each of
 * the memory, pids, cpuacct and (optional) freezer hierarchies, written
 * through kept directory fds so the per-run path is a handful of small
 * openat/write calls. */
#include "cgroup_impl.h"

#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <unistd.h>

/* Leftover charge below this is not worth a force_empty (it would show up
 * in the next run's peak, at most this much). After a run of /bin/true the
 * group still reads 250-630 KiB (per-CPU charge stock, kernel objects
 * freed late): a 512 KiB threshold fired in ~30% of runs for nothing, at
 * 0.3-0.5 ms each (it drains the LRU caches of every CPU). */
#define CG1_STALE_BYTES (1024u * 1024u)

/* Iterate over controllers that own their hierarchy and are present. */
#define FOR_HIER(g, i)                                                                 \
  for (int i = 0; i < CG_NCTL; i++)                                                    \
    if ((g)->dir_fd[i] >= 0 && (g)->r->hier[i] == i)

/* The fd of a kept control file (cg->hot), opened on first use; -1 when
 * the tree is not a real cgroupfs (fake trees in tests are regular files,
 * which an overwrite at offset 0 would not truncate) or on error. */
static int hot_fd(struct cg *g, int ctl, const char *file) {
  if (!g->r->kernfs)
    return -1;
  for (int i = 0; i < g->nhot; i++)
    if (g->hot[i].file == file || !strcmp(g->hot[i].file, file))
      return g->hot[i].fd;
  if (g->nhot == CG_HOT_MAX)
    return -1;
  int fd = openat(g->dir_fd[ctl], file, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == EACCES) /* read-only control file */
    fd = openat(g->dir_fd[ctl], file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return -1;
  g->hot[g->nhot++] = (struct cg_hot){file, fd};
  return fd;
}

static int hot_write(struct cg *g, int ctl, const char *file, const char *v, char *err, size_t errlen) {
  int fd = hot_fd(g, ctl, file);
  if (fd < 0)
    return cgfs_write(g->dir_fd[ctl], g->path[ctl], file, v, err, errlen);
  return cgfs_pwrite(fd, g->path[ctl], file, v, err, errlen);
}

static int hot_write_u64(struct cg *g, int ctl, const char *file, uint64_t v, const char *unlimited, char *err,
                         size_t errlen) {
  char num[32];
  return hot_write(g, ctl, file, cgfs_u64(num, v, unlimited), err, errlen);
}

static int hot_read(struct cg *g, int ctl, const char *file, char *buf, size_t cap, char *err, size_t errlen) {
  int fd = hot_fd(g, ctl, file);
  if (fd < 0)
    return cgfs_read(g->dir_fd[ctl], g->path[ctl], file, buf, cap, err, errlen);
  return cgfs_pread(fd, g->path[ctl], file, buf, cap, err, errlen);
}

/* One number, or the value of key in a flat-keyed file (as cgfs_read_u64). */
static int hot_read_u64(struct cg *g, int ctl, const char *file, const char *key, uint64_t *out, char *err,
                        size_t errlen) {
  char buf[CGFS_BUF];
  if (hot_read(g, ctl, file, buf, sizeof buf, err, errlen) < 0)
    return -1;
  return cgfs_u64_from(buf, g->path[ctl], file, key, out, err, errlen);
}

int cg1_root_init(struct cg_root *r, char mounts[CG_NCTL][CG_PATH_MAX], char *err,
                  size_t errlen) {
  dev_t dev[CG_NCTL];
  for (int i = 0; i < CG_NCTL; i++) {
    if (!mounts[i][0]) {
      if (i != CG1_FREEZER)
        return jp_err(err, errlen, "cgroup v1: controller %d has no mount", i);
      continue;
    }
    struct stat st;
    if (stat(mounts[i], &st) < 0)
      return jp_errno(err, errlen, "cgroup v1: stat %s", mounts[i]);
    if (!S_ISDIR(st.st_mode))
      return jp_err(err, errlen, "cgroup v1: %s is not a directory", mounts[i]);
    dev[i] = st.st_dev;
    int j;
    for (j = 0; j < i; j++)
      if (r->parent_fd[j] >= 0 && dev[j] == dev[i] && !strcmp(mounts[j], mounts[i]))
        break;
    if (j < i) { /* co-mounted with controller j (e.g. "cpu,cpuacct,memory") */
      r->hier[i] = j;
      r->parent_fd[i] = r->parent_fd[j];
      memcpy(r->parent_path[i], r->parent_path[j], CG_PATH_MAX);
      continue;
    }
    snprintf(r->parent_path[i], CG_PATH_MAX, "%s/" CG_PARENT, mounts[i]);
    if (mkdir(r->parent_path[i], 0755) < 0 && errno != EEXIST)
      return jp_errno(err, errlen, "cgroup v1: mkdir %s (are you root?)", r->parent_path[i]);
    r->parent_fd[i] = open(r->parent_path[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (r->parent_fd[i] < 0)
      return jp_errno(err, errlen, "cgroup v1: open %s", r->parent_path[i]);
  }
  struct statfs sf;
  r->kernfs = fstatfs(r->parent_fd[CG1_MEMORY], &sf) == 0 && sf.f_type == CGROUP_SUPER_MAGIC;
  return 0;
}

/* The pids controller is the only one whose files we read in every
 * hierarchy; is_empty asks each hierarchy because a half-failed attach can
 * leave a process in some of them only. */
int cg1_is_empty(struct cg *g, char *err, size_t errlen) {
  FOR_HIER(g, i) {
    int e = cgp_empty(g->dir_fd[i], g->path[i], err, errlen);
    if (e <= 0)
      return e;
  }
  return 1;
}

static int freezer_set(struct cg *g, const char *state, char *err, size_t errlen) {
  if (g->dir_fd[CG1_FREEZER] < 0)
    return 0;
  return cgfs_write(g->dir_fd[CG1_FREEZER], g->path[CG1_FREEZER], "freezer.state", state, err,
                    errlen);
}

/* Waits (bounded) for FREEZING to become FROZEN; 1 once FROZEN. Under a
 * fork bomb the CPU is saturated and freezing thousands of runnable tasks
 * takes a while (1.4 s for 3000 here), hence the long bound. */
static int freezer_wait_frozen(struct cg *g, uint64_t until) {
  char buf[64];
  for (int round = 0;; round++) {
    if (cgfs_read(g->dir_fd[CG1_FREEZER], g->path[CG1_FREEZER], "freezer.state", buf,
                  sizeof buf, NULL, 0) < 0)
      return 0;
    if (!strncmp(buf, "FROZEN", 6))
      return 1;
    if (cg_now_ms() >= until)
      return 0;
    cg_backoff(round);
  }
}

/* SIGKILLs the listed pids of the first hierarchy that lists any (every
 * process is in all of them unless an attach failed half-way). */
static int kill_listed(struct cg *g, char *why, size_t whylen) {
  FOR_HIER(g, i) {
    long n = cgp_kill_listed(g->dir_fd[i], g->path[i], why, whylen);
    if (n < 0)
      return -1;
    if (n > 0)
      return 0;
  }
  return 0;
}

/* One freeze-kill-thaw pass; 1 if it was complete (the group was FROZEN
 * when we listed it, so nothing could fork past us and every pid we
 * signalled was still the task we read). */
static int frozen_pass(struct cg *g, uint64_t deadline, char *why, size_t whylen) {
  if (freezer_set(g, "FROZEN", why, whylen) < 0)
    return -1;
  uint64_t now = cg_now_ms(), until = now + 1500;
  int complete = freezer_wait_frozen(g, until < deadline ? until : deadline);
  /* Frozen tasks take the SIGKILL when thawed. */
  int rc = kill_listed(g, why, whylen);
  if (freezer_set(g, "THAWED", why, whylen) < 0 || rc < 0)
    return -1;
  return complete;
}

int cg1_kill_all(struct cg *g, char *err, size_t errlen) {
  char why[256] = "";
  uint64_t t0 = cg_now_ms(), deadline = t0 + g->kill_deadline_ms, last_pass = 0;
  int complete = 0;
  for (int round = 0; cg_now_ms() < deadline; round++) {
    int e = cg1_is_empty(g, why, sizeof why);
    if (e < 0)
      break;
    if (e == 1)
      return freezer_set(g, "THAWED", err, errlen);
    /* After a complete pass only dying tasks remain: wait for them, and
     * pass again only if they take suspiciously long. */
    if (!complete || cg_now_ms() - last_pass > 500) {
      if (g->dir_fd[CG1_FREEZER] >= 0) {
        complete = frozen_pass(g, deadline, why, sizeof why);
        if (complete < 0)
          break;
      } else if (kill_listed(g, why, sizeof why) < 0) {
        /* No freezer: plain repeated scans (a fork can outrun one scan,
         * not all of them, since the killed cannot fork). */
        break;
      }
      last_pass = cg_now_ms();
    }
    cg_backoff(round);
  }
  freezer_set(g, "THAWED", NULL, 0);
  if (why[0])
    return jp_err(err, errlen, "cgroup v1: could not empty group %s: %s", g->name, why);
  return jp_err(err, errlen,
                "cgroup v1: group %s still has processes after %u ms (a task stuck "
                "in uninterruptible sleep?): check %s/cgroup.procs",
                g->name, g->kill_deadline_ms, g->path[CG1_MEMORY]);
}

int cg1_create(struct cg *g, char *err, size_t errlen) {
  struct cg_root *r = g->r;
  int took_over = 0;
  for (int i = 0; i < CG_NCTL; i++) {
    if (r->parent_fd[i] < 0)
      continue;
    if (r->hier[i] != i) {
      g->dir_fd[i] = g->dir_fd[r->hier[i]];
      memcpy(g->path[i], g->path[r->hier[i]], sizeof g->path[i]);
      continue;
    }
    snprintf(g->path[i], sizeof g->path[i], "%s/%s", r->parent_path[i], g->name);
    if (mkdirat(r->parent_fd[i], g->name, 0755) < 0) {
      if (errno != EEXIST)
        return jp_errno(err, errlen, "cgroup v1: mkdir %s", g->path[i]);
      took_over = 1;
    }
    g->dir_fd[i] =
        openat(r->parent_fd[i], g->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (g->dir_fd[i] < 0)
      return jp_errno(err, errlen, "cgroup v1: open %s", g->path[i]);
  }
  g->cpu_fd = cgfs_open(g->dir_fd[CG1_CPUACCT], g->path[CG1_CPUACCT], "cpuacct.usage",
                        O_RDONLY, err, errlen);
  if (g->cpu_fd < 0)
    return -1;
  g->has_memsw =
      faccessat(g->dir_fd[CG1_MEMORY], "memory.memsw.limit_in_bytes", F_OK, 0) == 0;
  if (took_over) {
    /* A crashed worker may have left it frozen or populated. */
    if (freezer_set(g, "THAWED", err, errlen) < 0)
      return -1;
    int e = cg1_is_empty(g, err, errlen);
    if (e < 0 || (e == 0 && cg1_kill_all(g, err, errlen) < 0))
      return -1;
  }
  return 0;
}

static int set_memory(struct cg *g, uint64_t bytes, char *err, size_t errlen) {
  const int M = CG1_MEMORY;
  uint64_t v = bytes ? bytes : UINT64_MAX;
  if (!g->has_memsw) {
    /* No swap accounting: the limit alone cannot stop swapping, so at least
     * tell reclaim not to swap this group's anonymous memory. */
    hot_write(g, M, "memory.swappiness", "0", NULL, 0);
    return hot_write_u64(g, M, "memory.limit_in_bytes", v, "-1", err, errlen);
  }
  /* memsw must stay >= limit at every step: open memsw, set the limit,
   * then pin memsw to it (memory + swap = memory: no swap). */
  if (hot_write(g, M, "memory.memsw.limit_in_bytes", "-1", err, errlen) < 0 ||
      hot_write_u64(g, M, "memory.limit_in_bytes", v, "-1", err, errlen) < 0)
    return -1;
  if (bytes)
    return hot_write_u64(g, M, "memory.memsw.limit_in_bytes", v, "-1", err, errlen);
  return 0;
}

/* The kernel rounds the limit down to whole pages: keep what it applied,
 * so that "peak reached the limit" compares like with like. */
static int read_limit(struct cg *g, uint64_t bytes, char *err, size_t errlen) {
  g->mem_limit = 0;
  if (!bytes)
    return 0;
  return hot_read_u64(g, CG1_MEMORY, "memory.limit_in_bytes", NULL, &g->mem_limit, err, errlen);
}

int cg1_prepare(struct cg *g, const struct cg_limits *lim, char *err, size_t errlen) {
  int e = g->known_empty ? 1 : cg1_is_empty(g, err, errlen); /* see cg_prepare in cgroup.h */
  if (e < 0 || (e == 0 && cg1_kill_all(g, err, errlen) < 0))
    return -1;
  /* Page cache charged by the previous run (input files, binaries) would
   * otherwise count towards this run's peak and limit. force_empty costs
   * ~0.3 ms even on an empty group (it drains every CPU's LRU cache), so
   * only when there is something worth dropping. Best effort. */
  uint64_t usage;
  if (hot_read_u64(g, CG1_MEMORY, "memory.usage_in_bytes", NULL, &usage, err, errlen) < 0)
    return -1;
  if (usage > CG1_STALE_BYTES)
    hot_write(g, CG1_MEMORY, "memory.force_empty", "0", NULL, 0);
  if (set_memory(g, lim->memory_bytes, err, errlen) < 0 ||
      read_limit(g, lim->memory_bytes, err, errlen) < 0)
    return -1;
  if (hot_write(g, CG1_MEMORY, "memory.max_usage_in_bytes", "0", err, errlen) < 0 ||
      hot_write(g, CG1_MEMORY, "memory.failcnt", "0", err, errlen) < 0)
    return -1;
  if (g->has_memsw &&
      (hot_write(g, CG1_MEMORY, "memory.memsw.max_usage_in_bytes", "0", err, errlen) < 0 ||
       hot_write(g, CG1_MEMORY, "memory.memsw.failcnt", "0", err, errlen) < 0))
    return -1;
  /* oom_kill only ever grows: remember it and report the delta. */
  char buf[CGFS_BUF];
  if (hot_read(g, CG1_MEMORY, "memory.oom_control", buf, sizeof buf, err, errlen) < 0)
    return -1;
  int rc = cgfs_keyed_u64(buf, "oom_kill", &g->base_oom_kill);
  if (rc < 0)
    return jp_err(err, errlen, "cgroup v1: %s/memory.oom_control: malformed content", g->path[CG1_MEMORY]);
  g->has_oom_kill = rc == 0;

  if (hot_write_u64(g, CG1_PIDS, "pids.max", lim->pids ? lim->pids : UINT64_MAX, "max", err, errlen) < 0 ||
      hot_read_u64(g, CG1_PIDS, "pids.events", "max", &g->base_pids_max, err, errlen) < 0)
    return -1;
  return hot_write(g, CG1_CPUACCT, "cpuacct.usage", "0", err, errlen);
}

int cg1_attach(struct cg *g, pid_t pid, char *err, size_t errlen) {
  char num[24];
  snprintf(num, sizeof num, "%d", (int)pid);
  /* cgroup.procs, not tasks: the whole thread group moves. */
  FOR_HIER(g, i) {
    if (cgfs_write(g->dir_fd[i], g->path[i], "cgroup.procs", num, err, errlen) < 0)
      return -1;
  }
  return 0;
}

int cg1_self_attach_fds(struct cg *g, int *fds, int max, char *err, size_t errlen) {
  int n = 0;
  FOR_HIER(g, i) {
    if (n == max) {
      jp_err(err, errlen, "cgroup v1: group %s spans more than %d hierarchies", g->name, max);
      goto fail;
    }
    int fd = cgfs_open(g->dir_fd[i], g->path[i], "tasks", O_WRONLY, err, errlen);
    if (fd < 0)
      goto fail;
    fds[n++] = fd;
  }
  return n;
fail:
  while (n > 0)
    close(fds[--n]);
  return -1;
}

int cg1_cpu_ns(struct cg *g, uint64_t *out) {
  char buf[64];
  if (cgfs_pread(g->cpu_fd, g->path[CG1_CPUACCT], "cpuacct.usage", buf, sizeof buf, NULL, 0) <
          0 ||
      cgfs_parse_u64(buf, out) < 0)
    return -1;
  return 0;
}

int cg1_usage(struct cg *g, struct cg_usage *out, char *err, size_t errlen) {
  const char *mw = g->path[CG1_MEMORY];
  if (cg1_cpu_ns(g, &out->cpu_ns) < 0)
    return jp_err(err, errlen, "cgroup v1: %s/cpuacct.usage unreadable or not a number",
                  g->path[CG1_CPUACCT]);
  if (hot_read_u64(g, CG1_MEMORY, "memory.max_usage_in_bytes", NULL, &out->memory_peak, err, errlen) < 0)
    return -1;
  uint64_t fail = 0, failsw = 0;
  if (hot_read_u64(g, CG1_MEMORY, "memory.failcnt", NULL, &fail, err, errlen) < 0 ||
      (g->has_memsw && hot_read_u64(g, CG1_MEMORY, "memory.memsw.failcnt", NULL, &failsw, err, errlen) < 0))
    return -1;
  /* With memsw == limit and no swap, the memsw counter is charged first
   * and takes the hit, so either failcnt counts. Newer kernels (6.18 here)
   * no longer maintain failcnt at all, so a peak at the limit counts too. */
  out->memory_limit_hit =
      fail > 0 || failsw > 0 || (g->mem_limit && out->memory_peak >= g->mem_limit);

  char buf[CGFS_BUF];
  uint64_t under = 0, kills = 0;
  if (hot_read(g, CG1_MEMORY, "memory.oom_control", buf, sizeof buf, err, errlen) < 0)
    return -1;
  int rc_u = cgfs_keyed_u64(buf, "under_oom", &under);
  int rc_k = g->has_oom_kill ? cgfs_keyed_u64(buf, "oom_kill", &kills) : 0;
  if (rc_u != 0 || rc_k != 0)
    return jp_err(err, errlen, "cgroup v1: %s/memory.oom_control: malformed content", mw);
  out->oom_killed = (g->has_oom_kill && kills > g->base_oom_kill) || under > 0;
  out->oom = out->oom_killed || out->memory_limit_hit;

  uint64_t pmax;
  if (hot_read_u64(g, CG1_PIDS, "pids.events", "max", &pmax, err, errlen) < 0)
    return -1;
  out->pids_peak_hit = pmax > g->base_pids_max;
  return 0;
}

void cg1_destroy(struct cg *g) {
  int e = cg1_is_empty(g, NULL, 0);
  if (e == 0)
    cg1_kill_all(g, NULL, 0);
  FOR_HIER(g, i) {
    /* A just-killed task can keep the directory busy for a moment. */
    for (int round = 0; round < 10; round++) {
      if (unlinkat(g->r->parent_fd[i], g->name, AT_REMOVEDIR) == 0 || errno != EBUSY)
        break;
      cg_backoff(round);
    }
  }
}
