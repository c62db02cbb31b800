/* cgroup.h — one interface over cgroup v1 and v2 for the box: create a
 * group per slot, set limits, attach, read counters, kill everything in it.
 * The v1 backend drives the memory, pids, cpuacct and (if mounted) freezer
 * hierarchies; the v2 backend drives one unified directory. Both are told
 * their root directory so tests can point them at a fake cgroupfs tree.
 *
 * Use: cg_root_open once; cg_create once per slot. Each run: cg_prepare,
 * then start the child in the group (clone3(CLONE_INTO_CGROUP) with
 * cg_dirfd on v2, else fork + cg_attach before exec), poll cg_cpu_ns,
 * cg_kill_all when it ends or overruns, cg_usage. cg_destroy per slot at
 * shutdown. Per-run cost measured here (v1): prepare+attach+usage+kill_all
 * of an exited run 0.3 ms.
 *
 * Threads: a cg_root may be shared by threads once opened; each struct cg
 * must be used by one thread at a time (one box slot = one group). */
#ifndef JP_CGROUP_H
#define JP_CGROUP_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

typedef enum { CG_V1 = 1, CG_V2 = 2 } cg_version;

/* Group names: 1..CG_NAME_MAX characters from [A-Za-z0-9_-]. */
#define CG_NAME_MAX 64

struct cg_limits {
  uint64_t memory_bytes; /* 0 = unlimited; swap is always forbidden */
  uint32_t pids;         /* 0 = unlimited */
};

/* Counters since the last cg_prepare. */
struct cg_usage {
  uint64_t cpu_ns;         /* all threads and children */
  uint64_t memory_peak;    /* bytes; 0 = unknown (v2 kernel < 5.19: use ru_maxrss) */
  int oom;                 /* oom_killed || memory_limit_hit */
  int oom_killed;          /* the kernel OOM killer killed a process of the group */
  int memory_limit_hit;    /* usage reached the limit at least once (v1 failcnt,
                            * v2 memory.events max/oom): a charge was refused or
                            * had to reclaim. Page cache can cause this in a
                            * healthy run, so MLE when oom_killed, or when this
                            * is set and the program did not exit 0. */
  uint32_t pids_peak_hit;  /* 1 if a fork/clone failed at the pids limit */
};

struct cg_root; /* a backend bound to a root: "/sys/fs/cgroup" or a fake tree */
struct cg;      /* one group, reused across runs of one box slot */

/* Detect the version and make our parent group "judgepool" (for v2: enable
 * +memory +pids (+cpu) in subtree_control). root NULL or "auto": discover
 * the mounts with libcgroup (v1 if the memory controller is on a v1
 * hierarchy, else v2). An explicit root is a directory laid out as v1
 * (<root>/memory, <root>/pids, <root>/cpuacct, optional <root>/freezer) or
 * v2 (<root>/cgroup.controllers); no discovery is done for it. */
int cg_root_open(struct cg_root **out, const char *root, char *err, size_t errlen);
/* Same, forcing a version: used by tests against fake trees. */
int cg_root_open_version(struct cg_root **out, const char *root, cg_version v,
                         char *err, size_t errlen);
cg_version cg_root_version(const struct cg_root *r);
void cg_root_close(struct cg_root *r); /* after every group is destroyed */

/* Create (or take over: kill what is inside, thaw) the group `name` under
 * our parent. */
int cg_create(struct cg_root *r, const char *name, struct cg **out, char *err, size_t errlen);
/* Before each run, with the group empty (leftovers are killed): set limits
 * and reset every counter (peak, cpu, oom, pids events) so nothing leaks
 * from the previous run. The emptiness check is skipped when cg_is_empty
 * or cg_kill_all found the group empty since the last cg_prepare (the box
 * checks after every run, then prepares the next: reading cgroup.procs of
 * every v1 hierarchy twice in a row cost ~0.05 ms per run): the caller
 * must not let a process in between (cg_attach does not count: it clears
 * that knowledge). */
int cg_prepare(struct cg *g, const struct cg_limits *lim, char *err, size_t errlen);
/* Move process pid (a single-threaded process, before exec) into the group
 * (every v1 hierarchy). */
int cg_attach(struct cg *g, pid_t pid, char *err, size_t errlen);
/* fd of a directory usable with clone3(CLONE_INTO_CGROUP), or -1 (v1).
 * Owned by the group. Valid until the next cg_prepare or cg_destroy (v2 on
 * kernels that cannot reset memory.peak recreates the directory in
 * cg_prepare), so fetch it after cg_prepare, each run. */
int cg_dirfd(const struct cg *g);
/* CPU ns since cg_prepare; cheap (one pread): called while polling. */
int cg_cpu_ns(struct cg *g, uint64_t *out);
int cg_usage(struct cg *g, struct cg_usage *out, char *err, size_t errlen);
/* SIGKILL every process in the group until it is empty (v2 cgroup.kill;
 * v1 freezer FROZEN, kill the listed pids, THAWED; repeated). Bounded
 * (gives up after 8 s: -1 with a message if the group could not be
 * emptied; a 5000-process fork bomb takes about 1.5 s to die). */
int cg_kill_all(struct cg *g, char *err, size_t errlen);
/* 1 empty, 0 processes inside, -1 cannot tell (control files unreadable). */
int cg_is_empty(struct cg *g);
void cg_destroy(struct cg *g); /* kill_all + rmdir + free; best effort */
/* Frees the handle but leaves the (empty) group in place, for the next
 * process that creates (takes over) the same name: saves the rmdir+mkdir
 * of short-lived users such as `judge run`. */
void cg_close(struct cg *g);

/* v1: O_WRONLY|O_CLOEXEC fds of the group's `tasks` file in each
 * hierarchy, stored in fds (the caller closes them); a process that writes
 * "0" to each moves its calling thread in. Unlike a move by pid, that skips
 * the global cgroup_threadgroup_rwsem, whose writer waits an RCU grace
 * period (2-8 ms per attach when attaches are not back to back). Only for
 * a single-threaded process that moves itself before it creates anything.
 * Returns how many (at most max), 0 on v2 (use cg_dirfd with clone3),
 * -1 with a message on failure. When cg_v1_has_memory, fds[0] is the
 * memory hierarchy's (a caller may move a different task into that one). */
int cg_self_attach_fds(struct cg *g, int *fds, int max, char *err, size_t errlen);
int cg_v1_has_memory(const struct cg *g);

#endif
