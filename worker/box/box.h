/* box.h — the confinement engine: run one untrusted program in a
 * kernel-enforced box (pid/mount/net/ipc/uts namespaces, a read-only
 * skeleton root, seccomp, cgroups) and report what it did. Every compiler,
 * submission, checker and interactor that judgepool runs goes through this
 * interface and nothing else.
 *
 * Lifecycle: one engine per process (seccomp BPF built once, template mount
 * namespace and per-slot network namespaces kept under the state dir,
 * cgroup pool); boxes are slots taken from it (each with its own uid/gid,
 * cgroup and network namespace, so concurrently running boxes cannot touch
 * each other). A box's work dir is a tmpfs wiped after every run: nothing a
 * program writes survives the run except the files the caller asks back.
 *
 * Per run: init (pid 1 of the box, root, unreachable by the program) joins
 * the cgroups and namespaces and spawns the program, which drops to the
 * slot's uid, sets rlimits, no_new_privs, installs the seccomp filter and
 * execs. A forbidden call is held by seccomp user notification and named
 * (SV); when the program ends, init kills whatever is left and exits, which
 * takes every process of the box down with the pid namespace.
 *
 * Threads: engines, boxes and box_wait* may be used from several threads
 * (one box per thread at a time); starts need no outside lock (a box is
 * never cloned while another holds a copied-in file open for writing, so
 * concurrent starts cannot fail with ETXTBSY). The process must not reap children it
 * did not create (no waitpid(-1)), and a caller pumping output into a pipe
 * should ignore SIGPIPE. */
#ifndef JP_BOX_H
#define JP_BOX_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
  BOX_OK = 0, /* exited with status 0 */
  BOX_RTE,    /* non-zero exit, fatal signal, or could not be executed */
  BOX_TLE,    /* CPU or wall-clock limit */
  BOX_MLE,    /* memory limit (cgroup OOM or failed allocation at the limit) */
  BOX_OLE,    /* stdout/stderr or files written over the output limit */
  BOX_SV,     /* killed for a forbidden system call (result.syscall names it) */
  BOX_IE,     /* the box itself failed: never the program's fault */
} box_status;

typedef enum {
  BOX_POLICY_DEFAULT = 0, /* compilers, interpreters, JVM: denylist of dangerous calls */
  BOX_POLICY_STRICT,      /* allowlist for single-threaded C/C++ solutions */
  BOX_POLICY_NONE,        /* no seccomp (debugging only) */
} box_policy;

struct box_limits {
  uint64_t cpu_ms;     /* CPU time of the whole tree; 0 = unlimited */
  uint64_t wall_ms;    /* 0 = unlimited */
  uint64_t memory_kib; /* whole tree, no swap; 0 = unlimited */
  uint64_t stack_kib;  /* 0 = same as memory_kib */
  uint64_t output_kib; /* stdout+stderr, and each file written (RLIMIT_FSIZE) and the work dir size */
  uint32_t procs;      /* processes + threads; 0 = unlimited */
  uint32_t open_files; /* RLIMIT_NOFILE; 0 = 64 */
};

/* A host file copied into the work dir before the run (mode bits kept). */
struct box_file_in {
  const char *host_path;
  const char *name; /* plain file name in the work dir, no '/' */
};

/* A file copied back out of the work dir after the run: only a regular file,
 * opened without following symlinks, at most max_bytes. Missing = not an
 * error (result.fetched[i] tells). */
struct box_file_out {
  const char *name;
  const char *host_path;
  uint64_t max_bytes;
};

struct box_spec {
  const char *const *argv; /* argv[0]: path inside the box (or relative to the work dir) */
  const char *const *env;  /* extra "K=V" entries on top of the safe default set; may be NULL */
  struct box_limits limits;
  box_policy policy;
  /* Host fds the program gets as 0/1/2; -1 means /dev/null for stdin and
   * "discard, but still count against output_kib" for stdout/stderr.
   * A pipe or regular file is handed to the program directly (regular files
   * are bounded by RLIMIT_FSIZE). */
  int stdin_fd, stdout_fd, stderr_fd;
  const struct box_file_in *files_in;
  size_t nfiles_in;
  const struct box_file_out *files_out;
  size_t nfiles_out;
  /* No host directories beyond the skeleton's system binds: a program's
   * data (a validator's test files) goes in through files_in, so nothing
   * the caller keeps is ever reachable from a box. */
  /* BOX_PUMP_STDOUT / BOX_PUMP_STDERR: never hand stdout_fd / stderr_fd to
   * the program; the supervisor copies the output into it (a tty, a pipe
   * nobody bounds) and counts it against output_kib. With -1 the output is
   * counted and discarded whether or not the flag is set. */
  unsigned pump;
};

#define BOX_PUMP_STDOUT 1u
#define BOX_PUMP_STDERR 2u

#define BOX_MAX_FILES_OUT 16

struct box_result {
  box_status status;
  int exit_code;         /* valid when the program exited */
  int signal;            /* terminating signal, 0 if none */
  double cpu_ms;         /* whole tree */
  double wall_ms;
  uint64_t memory_kib;   /* peak of the whole tree */
  char syscall[48];      /* for BOX_SV: the denied call, e.g. "ptrace" or "i386:socket" */
  char message[256];     /* human explanation (why IE, why RTE, ...) */
  uint64_t output_bytes; /* stdout+stderr bytes counted by the supervisor (pumped or discarded) */
  /* CLOCK_MONOTONIC ms (box_now_ms) when the box was started and when its
   * init was reaped: which side of an interactive pair ended first. */
  double start_ms, end_ms;
  uint8_t fetched[BOX_MAX_FILES_OUT]; /* 1 if files_out[i] was copied back */
};

struct box_engine_config {
  uint32_t slots;        /* concurrent boxes (distinct uids and cgroups) */
  uint32_t first_uid;    /* box i runs as first_uid + i; default 60000 */
  const char *cgroup_root;  /* "auto" (NULL) = detect v1/v2 under /sys/fs/cgroup */
  const char *state_dir;    /* where work dirs and the root skeleton live; default /run/judgepool */
  /* Leave each slot's (empty) cgroups and (wiped) work tmpfs in place at
   * box_engine_close for the next engine that locks the slot, and do not
   * wait for the slot init to exit (it stays a zombie, and its stack
   * mapped, until this process exits): for short-lived processes such as
   * `judge run` (saves ~1 ms per process). */
  int persist;
  /* Slots are global to the machine: each engine locks free slot indices
   * (flock on <state_dir>/slots/<i>.lock, i < BOX_MAX_SLOT_INDEX) for its
   * lifetime, so concurrent processes (a worker and `judge run`s) never
   * share a uid, cgroup or work dir. Box i runs as first_uid + index. */
};

#define BOX_MAX_SLOT_INDEX 256

struct box_engine;
struct box;
struct box_proc; /* a started, not yet waited run */

/* All functions returning int: 0 on success, -1 on failure with a message in
 * err (what failed, on what, and what to do). */
int box_engine_open(struct box_engine **out, const struct box_engine_config *cfg,
                    char *err, size_t errlen);
void box_engine_close(struct box_engine *e);

/* Takes a free slot; thread-safe. Fails when all slots are busy. */
int box_acquire(struct box_engine *e, struct box **out, char *err, size_t errlen);
void box_release(struct box *b);
/* Runs of this box are killed (result IE "cancelled") within ~50 ms once
 * *flag is non-zero: the judge's job was cancelled and nobody wants the
 * rest of this run. NULL clears it; box_release clears it too. */
void box_set_cancel(struct box *b, const atomic_int *flag);

/* Start a run without waiting (two started boxes can share pipes, which is
 * how interactive problems are judged); then box_wait collects the result.
 * A failure to start is reported as result->status == BOX_IE by box_wait,
 * so callers have one path. */
int box_start(struct box *b, const struct box_spec *spec, struct box_proc **out,
              char *err, size_t errlen);
int box_wait(struct box_proc *p, struct box_result *res);
/* Supervises n started runs at once (limits of each enforced while the others
 * run: interactive pairs) and fills res[i] for ps[i]. The caller must close
 * its own copies of the fds it passed to box_start (pipe ends), or the other
 * side never sees EOF. The spec given to box_start must stay valid until
 * the wait returns (files_out is read at the end). */
int box_wait_all(struct box_proc *const *ps, size_t n, struct box_result *res);

/* box_start + box_wait. */
int box_run(struct box *b, const struct box_spec *spec, struct box_result *res);

const char *box_status_name(box_status s); /* "OK", "RTE", ... */
double box_now_ms(void); /* CLOCK_MONOTONIC in ms, the clock of start_ms/end_ms */
int box_status_parse(const char *name, box_status *out);
const char *box_policy_name(box_policy p);
int box_policy_parse(const char *name, box_policy *out);

/* Checks that this process can build boxes (root, cgroups, namespaces).
 * On failure err says exactly what is missing. */
int box_check_privileges(char *err, size_t errlen);

#endif
