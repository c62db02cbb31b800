/* cgroup_impl.h — private to the cgroup backends (and their white-box
 * tests): the structures behind struct cg_root / struct cg, the per-version
 * entry points cgroup.c dispatches to, and the bounded control-file
 * helpers of cgroup_fs.c / cgroup_procs.c. */
#ifndef JP_CGROUP_IMPL_H
#define JP_CGROUP_IMPL_H

#include "cgroup.h"

#include <stdint.h>
#include <sys/types.h>

#define CG_PARENT "judgepool"
#define CG_PATH_MAX 512 /* paths are kept for messages only; roots must fit */

/* v1 controllers we drive, in attach order (memory first so that nothing
 * the process allocates escapes the limit). v2 uses slot 0 only. */
enum { CG1_MEMORY = 0, CG1_PIDS, CG1_CPUACCT, CG1_FREEZER, CG_NCTL };

struct cg_root {
  cg_version v;
  /* v1: per controller, the parent dir fd (-1: not mounted, only allowed
   * for the freezer) and which controller first owns that hierarchy
   * (co-mounted controllers share one directory: attach/mkdir once). */
  int parent_fd[CG_NCTL];
  int hier[CG_NCTL];
  int kernfs; /* v1: a real cgroupfs (control files may be kept open and rewritten) */
  char parent_path[CG_NCTL][CG_PATH_MAX];
};

#define CG_HOT_MAX 16

/* v2 memory.peak handling, decided on first prepare. */
enum {
  CG2_PEAK_UNKNOWN = 0,
  CG2_PEAK_FD_RESET, /* >= 6.12: writing resets it for our kept fd */
  CG2_PEAK_RECREATE, /* 5.19..6.11: read-only; rmdir+mkdir the group */
  CG2_PEAK_ABSENT,   /* < 5.19: no peak at all (reported as 0) */
};

struct cg {
  struct cg_root *r;
  char name[CG_NAME_MAX + 1];
  int dir_fd[CG_NCTL]; /* group dirs; -1 where the controller is absent */
  char path[CG_NCTL][CG_PATH_MAX + CG_NAME_MAX + 2];
  int cpu_fd;  /* kept open for polling: cpuacct.usage (v1) / cpu.stat (v2) */
  int peak_fd; /* v2: memory.peak, kept so the fd-local reset applies */
  int peak_mode;
  unsigned kill_deadline_ms; /* CG_KILL_DEADLINE_MS; tests shorten it */
  int fresh; /* v2: directory made by us and not used yet (no recreate needed) */
  int has_cgroup_kill; /* v2: -1 unknown, 0/1 */
  int has_memsw;       /* v1: memory.memsw.* present (swap accounting on) */
  int has_oom_kill;    /* oom_kill counter present (v1: kernel >= 4.13) */
  uint64_t mem_limit; /* effective limit read back at prepare; 0 = none */
  int known_empty;    /* seen empty (cg_is_empty, cg_kill_all) since the last cg_prepare */
  /* v1 on a real cgroupfs: the per-run control files, opened on first use
   * and kept (pread/pwrite at 0: one syscall per access instead of three). */
  struct cg_hot { const char *file; int fd; } hot[CG_HOT_MAX];
  int nhot;
  /* Counters that cannot be reset: value at prepare, usage reports deltas. */
  uint64_t base_cpu_usec;  /* v2 cpu.stat usage_usec */
  uint64_t base_oom_kill;  /* v1 oom_control / v2 memory.events oom_kill */
  uint64_t base_oom;       /* v2 memory.events oom */
  uint64_t base_mem_max;   /* v2 memory.events max */
  uint64_t base_pids_max;  /* pids.events max */
};

int cg_name_valid(const char *name, char *err, size_t errlen);
struct cg *cg_alloc(struct cg_root *r, const char *name);
void cg_free(struct cg *g); /* closes fds; no rmdir */

/* Backends. */
/* mounts[i]: where controller i is mounted ("" = absent; only the freezer
 * may be absent). */
int cg1_root_init(struct cg_root *r, char mounts[CG_NCTL][CG_PATH_MAX], char *err,
                  size_t errlen);
int cg1_create(struct cg *g, char *err, size_t errlen);
int cg1_prepare(struct cg *g, const struct cg_limits *lim, char *err, size_t errlen);
int cg1_attach(struct cg *g, pid_t pid, char *err, size_t errlen);
int cg1_self_attach_fds(struct cg *g, int *fds, int max, char *err, size_t errlen); /* see cg_self_attach_fds */
int cg1_cpu_ns(struct cg *g, uint64_t *out);
int cg1_usage(struct cg *g, struct cg_usage *out, char *err, size_t errlen);
int cg1_kill_all(struct cg *g, char *err, size_t errlen);
int cg1_is_empty(struct cg *g, char *err, size_t errlen);
void cg1_destroy(struct cg *g);

int cg2_root_init(struct cg_root *r, const char *mount, char *err, size_t errlen);
int cg2_create(struct cg *g, char *err, size_t errlen);
int cg2_prepare(struct cg *g, const struct cg_limits *lim, char *err, size_t errlen);
int cg2_attach(struct cg *g, pid_t pid, char *err, size_t errlen);
int cg2_cpu_ns(struct cg *g, uint64_t *out);
int cg2_usage(struct cg *g, struct cg_usage *out, char *err, size_t errlen);
int cg2_kill_all(struct cg *g, char *err, size_t errlen);
int cg2_is_empty(struct cg *g, char *err, size_t errlen);
void cg2_destroy(struct cg *g);
/* rmdir + mkdir of an empty group (every counter back to zero); the
 * memory.peak fallback, exposed for tests. */
int cg2_recreate(struct cg *g, char *err, size_t errlen);

/* Discovery through libcgroup (cgroup_discover.c): fills mount paths of
 * the v1 controllers, or the v2 mount, for root == NULL/"auto". */
int cg_discover(cg_version *v, char mounts[CG_NCTL][CG_PATH_MAX], char *err, size_t errlen);

/* --- bounded control-file I/O (cgroup_fs.c) -------------------------------
 * `where` is the directory's path, used in messages only. Reads fail when
 * the content does not fit in cap-1 bytes; buf is NUL-terminated. */
#define CGFS_BUF 4096
int cgfs_read(int dirfd, const char *where, const char *file, char *buf, size_t cap,
              char *err, size_t errlen);
int cgfs_pread(int fd, const char *where, const char *file, char *buf, size_t cap,
               char *err, size_t errlen);
int cgfs_write(int dirfd, const char *where, const char *file, const char *s,
               char *err, size_t errlen);
/* Writes s at offset 0 of an open control file, whole (a short write is an
 * error); for fds kept open and rewritten. */
int cgfs_pwrite(int fd, const char *where, const char *file, const char *s, char *err,
                size_t errlen);
/* v in decimal or, for v == UINT64_MAX, `unlimited` ("max" or "-1");
 * returns num. */
const char *cgfs_u64(char num[32], uint64_t v, const char *unlimited);
/* Writes cgfs_u64(v, unlimited) to the file. */
int cgfs_write_u64(int dirfd, const char *where, const char *file, uint64_t v,
                   const char *unlimited, char *err, size_t errlen);
/* Open a control file O_CLOEXEC|O_NOFOLLOW (flags: O_RDONLY/O_RDWR...). */
int cgfs_open(int dirfd, const char *where, const char *file, int flags,
              char *err, size_t errlen);
/* Strict decimal: digits only, optional one trailing '\n', no overflow. */
int cgfs_parse_u64(const char *s, uint64_t *out);
/* Flat-keyed file ("key value\n" lines, every line well formed): the value
 * of key. Returns 0 found, 1 key absent, -1 malformed content. */
int cgfs_keyed_u64(const char *buf, const char *key, uint64_t *out);
/* Read one value: a single-number file, or a key of a flat-keyed file
 * (key != NULL). Missing key or garbage -> -1 with a message. */
int cgfs_read_u64(int dirfd, const char *where, const char *file, const char *key,
                  uint64_t *out, char *err, size_t errlen);
/* The number in buf (key: the value of that key in a flat-keyed file), with
 * cgfs_read_u64's errors; for callers that read the file their own way. */
int cgfs_u64_from(const char *buf, const char *where, const char *file, const char *key, uint64_t *out,
                  char *err, size_t errlen);

/* --- cgroup.procs (cgroup_procs.c) ----------------------------------------
 * Streams the pid list in fixed chunks (no size assumption): calls fn for
 * each pid; stops early if fn returns non-zero. Returns the number of pids
 * seen (capped), or -1 on read error / garbage. */
long cgp_for_each(int dirfd, const char *where, int (*fn)(pid_t, void *), void *arg,
                  char *err, size_t errlen);
/* SIGKILL every listed pid; returns how many were listed, -1 on error. */
long cgp_kill_listed(int dirfd, const char *where, char *err, size_t errlen);
/* 1 if cgroup.procs lists nothing, 0 if it lists a pid, -1 on error. */
int cgp_empty(int dirfd, const char *where, char *err, size_t errlen);
/* Sleep for the n-th round of a bounded wait (100 us doubling to 20 ms). */
void cg_backoff(int round);
/* Monotonic milliseconds, for the kill deadline. */
uint64_t cg_now_ms(void);
/* How long cg_kill_all keeps trying. Thousands of processes take a while
 * to exit (measured here: a 5300-process fork bomb needed 1.4 s), so this
 * is generous; it only bounds the pathological case (a task stuck in D). */
#define CG_KILL_DEADLINE_MS 8000

#endif
