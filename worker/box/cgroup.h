/* cgroup.h — one interface over cgroup v1 and v2 for the box: create a
 * group per slot, set limits, attach, read counters, kill everything in it.
 * The v1 backend drives the memory, pids and cpuacct hierarchies; the v2
 * backend drives one unified directory. Both are told their root directory
 * so tests can point them at a fake cgroupfs tree in a temp dir. */
#ifndef JP_CGROUP_H
#define JP_CGROUP_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

typedef enum { CG_V1 = 1, CG_V2 = 2 } cg_version;

struct cg_limits {
  uint64_t memory_bytes; /* 0 = unlimited; swap is always forbidden */
  uint32_t pids;         /* 0 = unlimited */
};

struct cg_usage {
  uint64_t cpu_ns;         /* all threads and children */
  uint64_t memory_peak;    /* bytes */
  int oom;                 /* the kernel OOM-killed or refused memory at the limit */
  uint32_t pids_peak_hit;  /* 1 if a fork/clone failed at the pids limit (best effort) */
};

struct cg_root; /* a backend bound to a root: "/sys/fs/cgroup" or a fake tree */
struct cg;      /* one group, reused across runs of one box slot */

/* Detect the version under root (NULL = /sys/fs/cgroup) and make our parent
 * group "judgepool" (for v2: enable +memory +pids +cpu in subtree_control). */
int cg_root_open(struct cg_root **out, const char *root, char *err, size_t errlen);
/* Same, forcing a version: used by tests against fake trees. */
int cg_root_open_version(struct cg_root **out, const char *root, cg_version v,
                         char *err, size_t errlen);
cg_version cg_root_version(const struct cg_root *r);
void cg_root_close(struct cg_root *r);

/* Create (or take over and clean) the group named `name` under our parent. */
int cg_create(struct cg_root *r, const char *name, struct cg **out, char *err, size_t errlen);
/* Before each run: set limits and reset every counter (peak, cpu, oom) so
 * nothing leaks from the previous run. */
int cg_prepare(struct cg *g, const struct cg_limits *lim, char *err, size_t errlen);
/* Move process pid (a single-threaded process, before exec) into the group. */
int cg_attach(struct cg *g, pid_t pid, char *err, size_t errlen);
/* fd of a directory usable with clone3(CLONE_INTO_CGROUP), or -1 (v1). */
int cg_dirfd(const struct cg *g);
int cg_cpu_ns(struct cg *g, uint64_t *out); /* cheap: called while polling */
int cg_usage(struct cg *g, struct cg_usage *out, char *err, size_t errlen);
/* SIGKILL every process in the group until it is empty (freezer/cgroup.kill
 * where available, else repeated scans). */
int cg_kill_all(struct cg *g, char *err, size_t errlen);
int cg_is_empty(struct cg *g);
void cg_destroy(struct cg *g); /* rmdir; best effort */

#endif
