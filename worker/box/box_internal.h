/* box_internal.h — the engine's private state shared by engine.c, run.c,
 * child.c, rootfs.c, workdir.c and netns.c. Not for callers. */
#ifndef JP_BOX_INTERNAL_H
#define JP_BOX_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "box.h"
#include "cgroup.h"
#include "policy.h"

#define BOX_PATH_MAX 256
#define BOX_MAX_ARGS 4096
#define BOX_MAX_ENV 256

/* What init (pid 1 of the box) tells the supervisor, once, on its status
 * pipe, before it exits. */
enum report_kind {
  REPORT_EXITED = 1, /* the program ended: wstatus */
  REPORT_SYSCALL,    /* a forbidden call was notified: nr, arch */
  REPORT_SETUP,      /* the box could not be built: step, err */
};

struct box_report {
  uint32_t magic;
  uint32_t kind;
  int32_t wstatus;
  int32_t err;      /* errno of a failed step, or of a failed execve */
  uint32_t step;    /* which setup step failed (child.c) */
  int32_t nr;
  uint32_t arch;
  uint32_t last;    /* the slot init exits after this report (it could not clear the run) */
  uint64_t end_ns;  /* CLOCK_MONOTONIC when the program was reaped or killed (0: unknown): the run's
                     * end, before init's own cleanup (interactive judging orders exits by it) */
};
#define BOX_REPORT_MAGIC 0x6a70626fu

/* Everything the cloned children need, prepared before clone: after clone
 * they only make system calls (no malloc, no stdio, no locks), because the
 * supervisor may be multi-threaded. */
struct child_args {
  int mntns_fd;            /* the template mount namespace (mntns.c) */
  int tree_fd[3];          /* detached clones of work/box, work/tmp, work/tmp (open_tree) */
  char *const *argv;
  char *const *envp;
  const char *exec_paths[4]; /* candidates for argv[0] (PATH search) */
  int nexec;
  int netns_fd;
  int stdin_fd, stdout_fd, stderr_fd; /* -1: /dev/null inside the box */
  int status_fd;           /* write end: struct box_report */
  int sync_fd;             /* read end: one byte once the cgroup is joined (-1: not needed) */
  const int *init_cg_fds;  /* v1 `tasks` files init writes "0" to (moves itself) */
  int ninit_cg;
  int prog_cg_fd[4];       /* v1 `tasks` files the program child moves itself with (-1: none) */
  int nprog_cg;
  char *prog_stack;        /* the program child's stack until execve (lowest address) */
  size_t prog_stack_len;
  uid_t uid;
  gid_t gid;
  uint64_t cpu_ms, stack_kib, fsize_kib;
  uint32_t nofile;
  const struct policy_bpf *bpf; /* NULL: no seccomp */
};

/* Setup steps, reported by number (REPORT_SETUP.step). */
enum child_step {
  STEP_FDS = 1, STEP_SYNC, STEP_NETNS, STEP_PRIVATE, STEP_BIND_BOX, STEP_BIND_TMP, STEP_BIND_SHM,
  STEP_PROC, STEP_PIVOT, STEP_HOSTNAME, STEP_MNTNS, STEP_SIGNALS, STEP_PIPES, STEP_FORK, STEP_LISTENER,
  STEP_PROGRAM, STEP_DEVNULL, STEP_RLIMIT, STEP_SETSID, STEP_CREDS, STEP_NNP, STEP_SECCOMP, STEP_SLOT,
};
const char *child_step_name(uint32_t step);

/* Body of init (runs in the new namespaces); arg: the slot's struct
 * child_args. Never returns. */
void child_init_main(void *arg) __attribute__((noreturn));

/* The slot init (slotinit.c; arg: the slot's struct box_plan): pid 1 of
 * namespaces kept for every run of a slot. It waits on its control socket (FD_STATUS) for SLOT_MSG_RUN with
 * the run's stdout, stderr and, if has_stdin, stdin fds (SCM_RIGHTS), runs
 * the plan's a (rewritten by the supervisor between runs only), clears what the run left in its namespaces and
 * answers with one struct box_report. SLOT_MSG_KILL (one byte) during a
 * run kills the run. It exits when the socket closes, or after a report
 * if it could not clear the namespaces (the supervisor starts a new one). */
void child_slot_main(void *arg) __attribute__((noreturn));
#define SLOT_MSG_RUN 'r'
#define SLOT_MSG_KILL 'k'
struct slot_request {
  uint32_t magic; /* BOX_REPORT_MAGIC */
  char kind;      /* SLOT_MSG_RUN */
  char has_stdin;
};

/* Stacks of a slot's init and program child, one mapping per slot, reused
 * only once init is reaped; PROT_NONE guard pages below each. */
#define BOX_GUARD_LEN 4096
#define BOX_PROG_STACK_LEN (64 * 1024)
#define BOX_INIT_STACK_LEN (64 * 1024)
#define BOX_STACK_MAP_LEN (2 * BOX_GUARD_LEN + BOX_PROG_STACK_LEN + BOX_INIT_STACK_LEN)

/* The slot's spawn plan: read by init and the program child (possibly in
 * our own memory, see run.c) until init is reaped; rewritten only by the
 * next box_start. */
struct box_plan {
  struct child_args a;
  struct child_args boot;  /* what the slot init starts from (slot.c); fixed while it lives */
  char *envp[4 + BOX_MAX_ENV + 1];
  char exec_buf[3][BOX_PATH_MAX];
};

struct box_proc {
  struct box *box;
  const struct box_spec *spec;
  int started;             /* 0: box_start failed (start_err says why) */
  char start_err[200];
  pid_t init_pid;
  int pidfd;
  int status_fd;           /* read end */
  int pump_fd[2];          /* read ends of stdout/stderr pipes we count, -1 if none */
  int pump_dest[2];        /* where pumped output goes, -1 = discard */
  uint64_t output_bytes, output_limit;
  int output_exceeded;
  int killed_cpu, killed_wall;
  int done;                /* init reaped (slot init: the run's report is in) */
  int slot;                /* run by the slot init (box->slot_*), not by an init of its own */
  struct box_report report;
  size_t report_got;
  double t_start;          /* CLOCK_MONOTONIC ms */
  double wall_ms;
  int stdout_file_fd, stderr_file_fd; /* regular files handed over: checked for size */
  char ie[200];            /* supervision failure */
};

struct box {
  struct box_engine *e;
  uint32_t index;          /* global slot index: uid, cgroup name, lock, netns, work dir */
  int lock_fd;
  int netns_fd;
  struct cg *cg;
  int busy;
  int work_mounted;
  int work_clean;           /* mounted, box/ and tmp/ empty: reusable by a remount */
  char work_opts[96];       /* its size options, as last mounted or remounted ("": unknown) */
  int cg_self_fds[4];      /* cg_self_attach_fds (v1): init moves itself in */
  int ncg_self;            /* -1: not opened yet */
  uint64_t input_kib;      /* pages of the files copied in this run */
  struct box_plan plan;
  char *stack_map;         /* guard | program stack | guard | init stack (run.c) */
  int cg_mem_self;         /* cg_self_fds[0] is the memory hierarchy's */
  pid_t slot_pid;          /* the slot init (0: none), see child_slot_main */
  int slot_pidfd;
  int slot_ctl;            /* our end of its control socket */
  unsigned slot_gen;       /* work tmpfs it was built on (work_gen) */
  unsigned work_gen;       /* bumped whenever the work tmpfs is mounted afresh */
  char work_dir[160];
  struct box_proc proc;
  const atomic_int *cancel; /* box_set_cancel: kill runs once it is set */
};

struct box_engine {
  pthread_mutex_t mu;
  char state_dir[128];
  char root_dir[160];
  int mntns_fd;
  uint32_t first_uid;
  struct cg_root *cgr;
  struct policy_bpf bpf[2]; /* default, strict: built on first use */
  int bpf_built[2];
  uint32_t nslots;
  struct box *slots;
  int persist;
  int one_run_inits;        /* tests: an init per run even where the slot init works (run.c) */
};

double box_now_ms(void);

/* Writable fds vs. clones (engine.c). A box cloned while another thread
 * has a file open for writing inherits that fd until its init closes it;
 * if that file is an executable another box is about to exec (copied into
 * its work dir), that execve fails with ETXTBSY. So every writable fd the
 * library opens on a file is held under box_wfd_begin/end (shared, many at
 * once) and every clone of a box init under box_clone_begin/end
 * (exclusive, just around the clone3): no init is ever born holding one.
 * Process-wide, since every engine's clones inherit every engine's fds. */
void box_wfd_begin(void);
void box_wfd_end(void);
void box_clone_begin(void);
void box_clone_end(void);


/* Bumped whenever the skeleton's content changes: a new version builds a new
 * skeleton (and template mount namespace, named after it) next to the old. */
#define BOX_ROOTFS_VERSION "2"

/* run.c: whether the slot's runs go to the slot init (v1 cgroups, raw
 * system calls); the slot's stacks, mapped once. */
int box_slot_mode(struct box *b);
int box_map_stacks(struct box *b, char *err, size_t errlen);
/* x86_64 (BOX_RAWSYS): clone3 of an init running fn(arg) in our memory, on
 * the slot's init stack (mapped), into the namespaces of flags; no page
 * tables copied, nothing to tear down at its exit. Its pid (*pidfd set),
 * or -1 with errno set. */
long box_clone_vm_init(struct box *b, uint64_t flags, void (*fn)(void *), void *arg, int *pidfd);

/* slot.c: the supervisor's side of the slot init. */
int slot_ensure(struct box *b, char *err, size_t errlen); /* running, on the current work tmpfs */
int slot_send(struct box *b, int stdin_fd, int out_fd, int err_fd, char *err, size_t errlen);
void slot_kill_run(struct box *b);
int slot_collect(struct box *b, struct box_report *r, size_t *got); /* 1: done (report or init gone) */
void slot_stop(struct box *b);
/* For short-lived processes (persist): closes the socket and lets the slot
 * init exit by itself, unreaped, still on its stack (never unmapped). */
void slot_leave(struct box *b);
/* At slot claim, when the work tmpfs is already there (persist): start the
 * slot init, which builds its namespaces while the engine opens and the
 * first run is prepared. Best effort (box_start retries and reports). */
void slot_prestart(struct box *b);

/* rootfs.c: the read-only skeleton root shared by every box. */
int rootfs_ensure(const char *state_dir, const char *root, uint32_t first_uid, char *err, size_t errlen);
/* mntns.c: the template mount namespace (only the skeleton root). */
int mntns_open(const char *state_dir, const char *root, int *fd_out, char *err, size_t errlen);
/* netns.c: the slot's empty network namespace, kept as a bind-mounted file. */
int netns_open(const char *state_dir, uint32_t index, int *fd_out, char *err, size_t errlen);
/* workdir.c: the per-run tmpfs (mounted on the host, so files can be copied
 * out after every process is dead). */
int workdir_prepare(struct box *b, const struct box_spec *spec, char *err, size_t errlen);
/* Detached clones of box/, tmp/, tmp/ (for /box, /tmp, /dev/shm), which
 * init attaches inside the box's mount namespace (they keep the tmpfs's
 * nosuid, nodev). On failure none is left open. */
int workdir_trees(struct box *b, int fds[3], char *err, size_t errlen);
int workdir_over(struct box *b, uint64_t output_kib); /* full, or files written >= the output limit */
void workdir_fetch(struct box *b, const struct box_spec *spec, struct box_result *res);
void workdir_cleanup(struct box *b); /* after a run: delete what the program left (or unmount) */
void workdir_unmount(struct box *b);
/* persist: adopt a tmpfs a previous engine left wiped (marker in its root,
 * out of the box's reach) / leave ours so. */
void workdir_adopt(struct box *b);
void workdir_leave(struct box *b);

#endif
