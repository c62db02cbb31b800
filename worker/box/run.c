/* run.c — one run of a box: box_start prepares everything (cgroup, work
 * dir, pipes, argv/env, seccomp program) and hands the run to the slot
 * init (slot.c: v1 cgroups) or clones an init of its own into new pid,
 * mount, ipc and uts namespaces and lets it go once it is in the cgroup;
 * box_wait_all supervises any number of started runs (CPU and wall limits
 * by polling the cgroup, output counting, init's report), then classifies. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "box_internal.h"
#include "err.h"
#include "rawsys.h"
#include "verdict.h"

#define PUMP_DRAIN_MS 1000.0

static const char *const safe_env[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/box", "TMPDIR=/tmp",
                                       "LANG=C.UTF-8"};
#define NSAFE (sizeof safe_env / sizeof safe_env[0])

_Static_assert(NSAFE == 4, "struct box_plan holds 4 safe environment entries");

static const struct policy_bpf *get_bpf(struct box_engine *e, box_policy p, char *err, size_t errlen) {
  if (p == BOX_POLICY_NONE)
    return NULL;
  const struct policy_bpf *pre = policy_prebuilt(p); /* exported at build time */
  if (pre)
    return pre;
  int i = p == BOX_POLICY_STRICT ? 1 : 0;
  pthread_mutex_lock(&e->mu);
  int rc = 0;
  if (!e->bpf_built[i]) {
    rc = policy_build(p, POLICY_DENY_NOTIFY, &e->bpf[i], err, errlen);
    e->bpf_built[i] = rc == 0;
  }
  pthread_mutex_unlock(&e->mu);
  return rc == 0 ? &e->bpf[i] : NULL;
}

static void close_fd(int *fd) {
  if (*fd >= 0)
    close(*fd);
  *fd = -1;
}

static int valid_env(const char *kv) {
  const char *eq = kv ? strchr(kv, '=') : NULL;
  return eq && eq != kv && strlen(kv) < 4096;
}

static int prepare_exec(struct box_proc *p, struct child_args *a, struct box_plan *h, char *err,
                        size_t errlen) {
  const struct box_spec *s = p->spec;
  size_t argc = 0;
  while (s->argv && s->argv[argc] && argc <= BOX_MAX_ARGS)
    argc++;
  if (argc == 0 || !s->argv[0][0])
    return jp_err(err, errlen, "no program to run (empty argv)");
  if (argc > BOX_MAX_ARGS)
    return jp_err(err, errlen, "more than %d arguments", BOX_MAX_ARGS);
  size_t ne = 0;
  for (size_t i = 0; i < NSAFE; i++)
    h->envp[ne++] = (char *)safe_env[i];
  for (size_t i = 0; s->env && s->env[i]; i++) {
    if (i >= BOX_MAX_ENV)
      return jp_err(err, errlen, "more than %d environment entries", BOX_MAX_ENV);
    if (!valid_env(s->env[i]))
      return jp_err(err, errlen, "environment entry '%.40s' is not K=V", s->env[i]);
    h->envp[ne++] = (char *)s->env[i];
  }
  h->envp[ne] = NULL;
  a->argv = (char *const *)s->argv;
  a->envp = h->envp;
  const char *prog = s->argv[0];
  if (strchr(prog, '/')) {
    a->exec_paths[0] = prog;
    a->nexec = 1;
  } else {
    static const char *const dirs[] = {"/usr/local/bin", "/usr/bin", "/bin"};
    if (strlen(prog) > BOX_PATH_MAX - 20)
      return jp_err(err, errlen, "program name too long");
    for (int i = 0; i < 3; i++) {
      snprintf(h->exec_buf[i], BOX_PATH_MAX, "%s/%s", dirs[i], prog);
      a->exec_paths[i] = h->exec_buf[i];
    }
    a->nexec = 3;
  }
  return 0;
}

/* stdout (i = 0) or stderr (i = 1): hand the caller's fd over, or give the
 * program a pipe we count. Returns the fd for the child. */
static int setup_output(struct box_proc *p, int i, int caller_fd, int *child_fd, char *err, size_t errlen) {
  unsigned flag = i == 0 ? BOX_PUMP_STDOUT : BOX_PUMP_STDERR;
  if (caller_fd >= 0 && !(p->spec->pump & flag)) {
    struct stat st;
    if (fstat(caller_fd, &st) < 0)
      return jp_errno(err, errlen, "%s fd %d", i ? "stderr" : "stdout", caller_fd);
    if (S_ISREG(st.st_mode)) {
      int *ff = i == 0 ? &p->stdout_file_fd : &p->stderr_file_fd;
      *ff = fcntl(caller_fd, F_DUPFD_CLOEXEC, 3);
    }
    *child_fd = caller_fd;
    return 0;
  }
  int pp[2];
  if (pipe2(pp, O_CLOEXEC) < 0)
    return jp_errno(err, errlen, "pipe for %s", i ? "stderr" : "stdout");
  fcntl(pp[0], F_SETFL, O_NONBLOCK);
  p->pump_fd[i] = pp[0];
  p->pump_dest[i] = caller_fd;
  *child_fd = pp[1];
  return 0;
}

/* One mapping per slot: guard | program stack | guard | init stack. */
int box_map_stacks(struct box *b, char *err, size_t errlen) {
  if (b->stack_map)
    return 0;
  char *m = mmap(NULL, BOX_STACK_MAP_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (m == MAP_FAILED)
    return jp_errno(err, errlen, "mmap of the box stacks (%d KiB)", BOX_STACK_MAP_LEN / 1024);
  if (mprotect(m, BOX_GUARD_LEN, PROT_NONE) < 0 ||
      mprotect(m + BOX_GUARD_LEN + BOX_PROG_STACK_LEN, BOX_GUARD_LEN, PROT_NONE) < 0) {
    jp_errno(err, errlen, "mprotect of the box stack guard pages");
    munmap(m, BOX_STACK_MAP_LEN);
    return -1;
  }
  b->stack_map = m;
  return 0;
}

#if BOX_RAWSYS
long box_clone_vm_init(struct box *b, uint64_t flags, void (*fn)(void *), void *arg, int *pidfd) {
  struct clone_args ca;
  memset(&ca, 0, sizeof ca);
  /* No CLONE_VFORK: we keep supervising. No CLONE_SIGHAND, CLONE_FS,
   * CLONE_FILES: init's signal dispositions, root/cwd and fd table are its
   * own copies (CLONE_FS could not go with a new mount namespace). */
  ca.flags = flags | CLONE_VM | CLONE_PIDFD;
  ca.pidfd = (uint64_t)(uintptr_t)pidfd;
  ca.exit_signal = SIGCHLD;
  ca.stack = (uint64_t)(uintptr_t)(b->stack_map + 2 * BOX_GUARD_LEN + BOX_PROG_STACK_LEN);
  ca.stack_size = BOX_INIT_STACK_LEN;
  box_clone_begin(); /* see box_wfd_begin */
  long pid = rsys_clone3(&ca, fn, arg); /* raw: -errno */
  box_clone_end();
  if (pid < 0) {
    errno = (int)-pid;
    return -1;
  }
  return pid;
}
#endif

int box_slot_mode(struct box *b) {
  if (b->ncg_self < 0) {
    b->ncg_self = cg_self_attach_fds(b->cg, b->cg_self_fds, 4, NULL, 0); /* -1: attach by pid; 0: v2 */
    b->cg_mem_self = b->ncg_self > 0 && cg_v1_has_memory(b->cg);
  }
  return BOX_RAWSYS && b->ncg_self > 0 && !b->e->one_run_inits;
}

static int start(struct box_proc *p, char *err, size_t errlen) {
  struct box *b = p->box;
  const struct box_spec *s = p->spec;
  struct box_plan *h = &b->plan;
  struct child_args a;
  memset(&a, 0, sizeof a);
  for (int i = 0; i < 4; i++)
    a.prog_cg_fd[i] = -1;
  int status[2] = {-1, -1}, sync[2] = {-1, -1}, outfd[2] = {-1, -1};
  int rc = -1;

  if (prepare_exec(p, &a, h, err, errlen))
    return -1;
  if (s->nfiles_out > BOX_MAX_FILES_OUT)
    return jp_err(err, errlen, "%zu files to fetch; at most %d", s->nfiles_out, BOX_MAX_FILES_OUT);
  if (s->policy != BOX_POLICY_NONE && !(a.bpf = get_bpf(b->e, s->policy, err, errlen)))
    return -1;
  const struct box_limits *l = &s->limits;
  if (l->memory_kib > (UINT64_MAX >> 11) || l->stack_kib > (UINT64_MAX >> 11) || l->output_kib > (UINT64_MAX >> 11))
    return jp_err(err, errlen, "limits out of range");
  /* v1 and raw system calls: the slot init runs it (slotinit.c). Else an
   * init of its own, which counts against the process limit. */
  int slot = box_slot_mode(b);
  struct cg_limits cl = {.memory_bytes = l->memory_kib * 1024,
                         .pids = l->procs ? l->procs + (slot ? 0 : 1) : 0};
  if (cg_prepare(b->cg, &cl, err, errlen))
    return -1;
  if (workdir_prepare(b, s, err, errlen))
    return -1;
  if (box_map_stacks(b, err, errlen))
    return -1;
  a.prog_stack = b->stack_map + BOX_GUARD_LEN;
  a.prog_stack_len = BOX_PROG_STACK_LEN;

  a.mntns_fd = b->e->mntns_fd;
  a.tree_fd[0] = a.tree_fd[1] = a.tree_fd[2] = -1;
  a.netns_fd = b->netns_fd;
  a.uid = b->e->first_uid + b->index;
  a.gid = a.uid;
  a.cpu_ms = l->cpu_ms;
  a.stack_kib = l->stack_kib ? l->stack_kib : l->memory_kib;
  a.fsize_kib = l->output_kib;
  a.nofile = l->open_files ? l->open_files : 64;
  a.stdin_fd = s->stdin_fd;
  p->output_limit = l->output_kib ? l->output_kib * 1024 : UINT64_MAX;
  if (slot) {
    a.nprog_cg = b->ncg_self; /* the slot init is in none of them */
    h->a = a;
    if (slot_ensure(b, err, errlen) || setup_output(p, 0, s->stdout_fd, &outfd[0], err, errlen) ||
        setup_output(p, 1, s->stderr_fd, &outfd[1], err, errlen))
      goto out;
    p->slot = 1;
    p->init_pid = b->slot_pid;
    p->t_start = box_now_ms();
    if (slot_send(b, s->stdin_fd, outfd[0], outfd[1], err, errlen)) {
      slot_stop(b);
      goto out;
    }
    rc = 0;
    goto out;
  }

  if (workdir_trees(b, a.tree_fd, err, errlen))
    goto out;
  if (setup_output(p, 0, s->stdout_fd, &outfd[0], err, errlen) ||
      setup_output(p, 1, s->stderr_fd, &outfd[1], err, errlen))
    goto out;
  a.stdout_fd = outfd[0];
  a.stderr_fd = outfd[1];
  int cgfd = cg_dirfd(b->cg);
  /* The sync pipe is only needed when we must attach init by pid. */
  int need_sync = cgfd < 0 && b->ncg_self <= 0;
  if (pipe2(status, O_CLOEXEC) < 0 || (need_sync && pipe2(sync, O_CLOEXEC) < 0)) {
    jp_errno(err, errlen, "pipes for the box");
    goto out;
  }
  fcntl(status[0], F_SETFL, O_NONBLOCK);
  a.status_fd = status[1];
  a.sync_fd = sync[0];
  /* Init shares our memory (no page tables copied, nothing to tear down at
   * its exit) when it can move itself into the v1 groups; v2's
   * CLONE_INTO_CGROUP would put it in the memory controller, where an OOM
   * kill choosing it would kill every process sharing its mm: us. */
  int shared_vm = BOX_RAWSYS && cgfd < 0 && b->ncg_self > 0;
  if (cgfd < 0 && b->ncg_self > 0) {
    a.init_cg_fds = b->cg_self_fds;
    a.ninit_cg = b->ncg_self;
    if (shared_vm && b->cg_mem_self) {
      a.prog_cg_fd[0] = b->cg_self_fds[0];
      a.nprog_cg = 1;
      a.init_cg_fds = b->cg_self_fds + 1;
      a.ninit_cg = b->ncg_self - 1;
    }
  }
  h->a = a;

  int pidfd = -1;
  /* No CLONE_NEWNS: init joins the template mount namespace instead. */
  const uint64_t ns = CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;
  p->t_start = box_now_ms();
  long pid;
#if BOX_RAWSYS
  if (shared_vm) {
    pid = box_clone_vm_init(b, ns, child_init_main, &h->a, &pidfd);
  } else
#endif
  {
    struct clone_args ca;
    memset(&ca, 0, sizeof ca);
    ca.flags = ns | CLONE_PIDFD;
    ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
    ca.exit_signal = SIGCHLD;
    if (cgfd >= 0) {
      ca.flags |= CLONE_INTO_CGROUP;
      ca.cgroup = (uint64_t)cgfd;
    }
    box_clone_begin(); /* see box_wfd_begin */
    pid = syscall(SYS_clone3, &ca, sizeof ca);
    if (pid != 0)
      box_clone_end();
    if (pid == 0)
      child_init_main(&h->a);
  }
  if (pid < 0) {
    jp_errno(err, errlen, "clone3 of the box init");
    goto out;
  }
  p->init_pid = (pid_t)pid;
  p->pidfd = pidfd;
  p->status_fd = status[0];
  status[0] = -1;
  close_fd(&status[1]);
  close_fd(&sync[0]);
  for (int i = 0; i < 2; i++)
    if (p->pump_fd[i] >= 0)
      close_fd(&outfd[i]);
  if (need_sync && cg_attach(b->cg, p->init_pid, err, errlen)) {
    kill(p->init_pid, SIGKILL);
    waitpid(p->init_pid, NULL, 0);
    close_fd(&p->pidfd);
    close_fd(&p->status_fd);
    goto out;
  }
  if (need_sync && write(sync[1], "g", 1) != 1) {
    jp_errno(err, errlen, "releasing the box init");
    kill(p->init_pid, SIGKILL);
    waitpid(p->init_pid, NULL, 0);
    close_fd(&p->pidfd);
    close_fd(&p->status_fd);
    goto out;
  }
  rc = 0;
out:
  for (int i = 0; i < 3; i++)
    close_fd(&a.tree_fd[i]);
  close_fd(&status[0]);
  close_fd(&status[1]);
  close_fd(&sync[0]);
  close_fd(&sync[1]);
  for (int i = 0; i < 2; i++)
    if (p->pump_fd[i] >= 0)
      close_fd(&outfd[i]);
  return rc;
}

static void reset_proc(struct box_proc *p, struct box *b, const struct box_spec *spec) {
  memset(p, 0, sizeof *p);
  p->box = b;
  p->spec = spec;
  p->pidfd = p->status_fd = -1;
  p->pump_fd[0] = p->pump_fd[1] = -1;
  p->pump_dest[0] = p->pump_dest[1] = -1;
  p->stdout_file_fd = p->stderr_file_fd = -1;
}

static void release_fds(struct box_proc *p) {
  close_fd(&p->pidfd);
  close_fd(&p->status_fd);
  close_fd(&p->pump_fd[0]);
  close_fd(&p->pump_fd[1]);
  close_fd(&p->stdout_file_fd);
  close_fd(&p->stderr_file_fd);
}

int box_start(struct box *b, const struct box_spec *spec, struct box_proc **out, char *err, size_t errlen) {
  struct box_proc *p = &b->proc;
  reset_proc(p, b, spec);
  *out = p;
  int rc = start(p, p->start_err, sizeof p->start_err);
  if (rc < 0) {
    release_fds(p);
    workdir_cleanup(b);
    return jp_err(err, errlen, "%s", p->start_err);
  }
  p->started = 1;
  return 0;
}

static void kill_box(struct box_proc *p) {
  if (p->slot && !p->done)
    slot_kill_run(p->box);
  else if (p->pidfd >= 0)
    syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0);
}

/* Reads what the program wrote on stdout/stderr, counts it, forwards what
 * fits under the limit. Returns 0 at EOF. */
static int pump(struct box_proc *p, int i) {
  static __thread char buf[65536];
  for (;;) {
    ssize_t n = read(p->pump_fd[i], buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return errno == EAGAIN ? 1 : 0;
    if (n == 0)
      return 0;
    uint64_t room = p->output_bytes < p->output_limit ? p->output_limit - p->output_bytes : 0;
    size_t give = (uint64_t)n < room ? (size_t)n : (size_t)room;
    p->output_bytes += (uint64_t)n;
    if (p->output_bytes > p->output_limit && !p->output_exceeded) {
      p->output_exceeded = 1;
      kill_box(p);
    }
    const char *q = buf;
    int stalled_ms = 0;
    while (give && p->pump_dest[i] >= 0) {
      /* Never block on the caller's reader (the limits of every box we
       * supervise would wait): write only what poll says fits (PIPE_BUF
       * at least), and stop forwarding after 1 s without progress. */
      struct pollfd pf = {.fd = p->pump_dest[i], .events = POLLOUT};
      int r = poll(&pf, 1, 10);
      if (r == 0 || (r < 0 && errno == EINTR)) {
        stalled_ms += 10;
        if (stalled_ms >= 1000)
          p->pump_dest[i] = -1;
        continue;
      }
      if (r < 0 || (pf.revents & (POLLERR | POLLNVAL))) {
        p->pump_dest[i] = -1;
        break;
      }
      ssize_t w = write(p->pump_dest[i], q, give < 4096 ? give : 4096);
      if (w < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (w <= 0) {
        p->pump_dest[i] = -1; /* the reader went away: keep counting */
        break;
      }
      stalled_ms = 0;
      q += w;
      give -= (size_t)w;
    }
  }
}

/* The run's wall time: to the end init saw, when it reported one, so that
 * init's cleanup after the program is not counted. */
static void settle_wall(struct box_proc *p) {
  double now = box_now_ms();
  p->wall_ms = now - p->t_start;
  if (p->report_got == sizeof p->report && p->report.magic == BOX_REPORT_MAGIC && p->report.end_ns) {
    double end = (double)p->report.end_ns / 1e6;
    if (end >= p->t_start && end <= now)
      p->wall_ms = end - p->t_start;
  }
}

/* Slot: the report is in (or the slot init is gone); else waits for the
 * run's own init. */
static void collect_init(struct box_proc *p) {
  p->done = 1;
  if (p->slot) {
    settle_wall(p);
    /* Gone, given up on, or about to exit: the next run starts a new one. */
    if (p->report_got != sizeof p->report || p->report.last)
      slot_stop(p->box);
    return;
  }
  int st;
  while (waitpid(p->init_pid, &st, 0) < 0 && errno == EINTR) {
  }
  for (;;) {
    ssize_t n = read(p->status_fd, (char *)&p->report + p->report_got, sizeof p->report - p->report_got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    p->report_got += (size_t)n;
  }
  settle_wall(p);
  close_fd(&p->pidfd);
  close_fd(&p->status_fd);
}

static void check_limits(struct box_proc *p, double now, int *timeout) {
  const struct box_limits *l = &p->spec->limits;
  if (p->box->cancel) {
    if (atomic_load(p->box->cancel)) {
      if (!p->ie[0])
        snprintf(p->ie, sizeof p->ie, "the run was cancelled (its job was cancelled)");
      kill_box(p);
    } else if (*timeout < 0 || *timeout > 50) {
      *timeout = 50; /* look at the flag again soon */
    }
  }
  if (l->wall_ms) {
    double rem = p->t_start + (double)l->wall_ms - now;
    if (rem <= 0) {
      if (!p->killed_wall && !p->killed_cpu)
        p->killed_wall = 1;
      kill_box(p);
    } else if (*timeout < 0 || rem + 1 < *timeout) {
      *timeout = (int)rem + 1;
    }
  }
  if (l->cpu_ms) {
    uint64_t ns = 0;
    if (cg_cpu_ns(p->box->cg, &ns) == 0) {
      double rem = (double)l->cpu_ms - (double)ns / 1e6;
      if (rem <= 0) {
        if (!p->killed_wall && !p->killed_cpu)
          p->killed_cpu = 1;
        kill_box(p);
      }
      /* Sleep a quarter of what is left (several threads burn it faster),
       * between 1 and 10 ms: the kill lands within a few ms of the limit. */
      int t = rem / 4 > 10 ? 10 : rem / 4 < 1 ? 1 : (int)(rem / 4);
      if (*timeout < 0 || t < *timeout)
        *timeout = t;
    }
  }
}

static void finish(struct box_proc *p, struct box_result *res) {
  struct box *b = p->box;
  const struct box_spec *s = p->spec;
  struct box_facts f;
  memset(&f, 0, sizeof f);
  memset(res, 0, sizeof *res);
  char ie[256] = "";
  char sysname[48] = "";
  const struct box_limits *l = &s->limits;
  f.cpu_limit_ms = l->cpu_ms;
  f.wall_limit_ms = l->wall_ms;
  f.memory_limit_kib = l->memory_kib;

  if (!p->started) {
    f.ie = 1;
    snprintf(ie, sizeof ie, "%s", p->start_err);
  } else {
    if (cg_is_empty(b->cg) != 1 && cg_kill_all(b->cg, ie, sizeof ie))
      f.ie = 1;
    struct cg_usage u;
    char cerr[200];
    if (cg_usage(b->cg, &u, cerr, sizeof cerr) == 0) {
      res->cpu_ms = (double)u.cpu_ns / 1e6;
      res->memory_kib = u.memory_peak / 1024;
      f.oom_killed = u.oom_killed;
      f.memory_limit_hit = u.memory_limit_hit;
    } else if (!f.ie) {
      f.ie = 1;
      snprintf(ie, sizeof ie, "reading the cgroup counters: %s", cerr);
    }
    res->wall_ms = p->wall_ms;
    res->start_ms = p->t_start;
    res->end_ms = p->t_start + p->wall_ms;
    const struct box_report *r = &p->report;
    int have = p->report_got == sizeof *r && r->magic == BOX_REPORT_MAGIC;
    if (p->ie[0] && !f.ie) {
      f.ie = 1;
      snprintf(ie, sizeof ie, "%s", p->ie);
    } else if (have && r->kind == REPORT_SETUP) {
      f.ie = 1;
      snprintf(ie, sizeof ie, "box setup failed while %s: %s", child_step_name(r->step), strerror(r->err));
    } else if (have && r->kind == REPORT_SYSCALL) {
      policy_syscall_name(r->nr, r->arch, sysname, sizeof sysname);
      f.syscall = sysname;
    } else if (have && r->kind == REPORT_EXITED) {
      f.exec_errno = r->err;
      if (WIFEXITED(r->wstatus)) {
        f.exited = 1;
        f.exit_code = WEXITSTATUS(r->wstatus);
      } else if (WIFSIGNALED(r->wstatus)) {
        f.signal = WTERMSIG(r->wstatus);
      }
    } else if (p->killed_cpu || p->killed_wall || p->output_exceeded || f.oom_killed) {
      f.signal = SIGKILL; /* we (or the OOM killer) killed it mid-run */
    } else if (!f.ie) {
      f.ie = 1;
      snprintf(ie, sizeof ie, "the box init ended without a report");
    }
    f.killed_cpu = p->killed_cpu;
    f.killed_wall = p->killed_wall;
    f.output_exceeded = p->output_exceeded;
    /* stdout+stderr together: what was pumped plus the regular files
     * handed over (each bounded by RLIMIT_FSIZE on its own; counted once
     * when both are the same file). */
    if (l->output_kib) {
      uint64_t total = p->output_bytes;
      struct stat st[2];
      int ff[2] = {p->stdout_file_fd, p->stderr_file_fd};
      for (int i = 0; i < 2; i++) {
        if (ff[i] < 0 || fstat(ff[i], &st[i]) < 0)
          continue;
        if (i == 1 && ff[0] >= 0 && st[0].st_dev == st[1].st_dev && st[0].st_ino == st[1].st_ino)
          continue;
        total += (uint64_t)st[i].st_size;
      }
      if (total >= l->output_kib * 1024)
        f.output_exceeded = 1;
    }
    if (workdir_over(b, l->output_kib))
      f.output_exceeded = 1;
    workdir_fetch(b, s, res);
  }
  workdir_cleanup(b);
  res->output_bytes = p->output_bytes;
  f.cpu_ms = res->cpu_ms;
  f.wall_ms = res->wall_ms;
  f.memory_kib = res->memory_kib;
  f.ie_message = ie;
  box_classify(&f, res);
  release_fds(p);
}

int box_wait_all(struct box_proc *const *ps, size_t n, struct box_result *res) {
  if (n == 0)
    return 0;
  struct pollfd *pf = calloc(n * 3, sizeof *pf);
  struct box_proc **who = calloc(n * 3, sizeof *who);
  double *done_at = calloc(n, sizeof *done_at);
  if (!pf || !who || !done_at) {
    free(pf);
    free(who);
    free(done_at);
    for (size_t i = 0; i < n; i++) {
      kill_box(ps[i]);
      if (ps[i]->started && !ps[i]->done)
        collect_init(ps[i]);
      snprintf(ps[i]->ie, sizeof ps[i]->ie, "out of memory while supervising");
      finish(ps[i], &res[i]);
    }
    return -1;
  }
  for (;;) {
    size_t m = 0;
    int timeout = -1;
    double now = box_now_ms();
    for (size_t i = 0; i < n; i++) {
      struct box_proc *p = ps[i];
      if (!p->started)
        continue;
      if (!p->done) {
        check_limits(p, now, &timeout);
        pf[m] = (struct pollfd){.fd = p->slot ? p->box->slot_ctl : p->pidfd, .events = POLLIN};
        who[m++] = p;
      } else if (now - done_at[i] > PUMP_DRAIN_MS) {
        close_fd(&p->pump_fd[0]); /* someone still holds the write end */
        close_fd(&p->pump_fd[1]);
      } else if (p->pump_fd[0] >= 0 || p->pump_fd[1] >= 0) {
        if (timeout < 0 || timeout > 50)
          timeout = 50;
      }
      for (int k = 0; k < 2; k++)
        if (p->pump_fd[k] >= 0) {
          pf[m] = (struct pollfd){.fd = p->pump_fd[k], .events = POLLIN};
          who[m++] = p;
        }
    }
    if (m == 0)
      break;
    int r = poll(pf, m, timeout);
    if (r < 0 && errno != EINTR) {
      for (size_t i = 0; i < n; i++)
        if (ps[i]->started && !ps[i]->done) {
          snprintf(ps[i]->ie, sizeof ps[i]->ie, "poll failed while supervising: %s", strerror(errno));
          kill_box(ps[i]);
          collect_init(ps[i]);
        }
      continue;
    }
    for (size_t j = 0; r > 0 && j < m; j++) {
      if (!pf[j].revents)
        continue;
      struct box_proc *p = who[j];
      if (!p->done && pf[j].fd == (p->slot ? p->box->slot_ctl : p->pidfd)) {
        if (p->slot && !slot_collect(p->box, &p->report, &p->report_got))
          continue;
        collect_init(p);
        for (size_t i = 0; i < n; i++)
          if (ps[i] == p)
            done_at[i] = box_now_ms();
      } else {
        int k = pf[j].fd == p->pump_fd[0] ? 0 : 1;
        if (pump(p, k) == 0)
          close_fd(&p->pump_fd[k]);
      }
    }
  }
  for (size_t i = 0; i < n; i++)
    finish(ps[i], &res[i]);
  free(pf);
  free(who);
  free(done_at);
  return 0;
}

int box_wait(struct box_proc *p, struct box_result *res) {
  return box_wait_all(&p, 1, res);
}

int box_run(struct box *b, const struct box_spec *spec, struct box_result *res) {
  struct box_proc *p;
  box_start(b, spec, &p, NULL, 0);
  return box_wait(p, res);
}
