/* slot.c — the supervisor's side of the slot init (slotinit.c): start it
 * (the first run of a slot, again after it died or the work tmpfs was
 * mounted afresh), hand it a run, ask it to kill a run, read its report,
 * stop it. */
#include <errno.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "box_internal.h"
#include "err.h"
#include "rawsys.h"

/* The box has no slot init any more. */
static void forget(struct box *b) {
  close(b->slot_ctl);
  close(b->slot_pidfd);
  b->slot_pid = 0;
  b->slot_pidfd = b->slot_ctl = -1;
}

void slot_stop(struct box *b) {
  if (b->slot_pid <= 0)
    return;
  /* Its namespaces die with it: every process of the slot goes. */
  syscall(SYS_pidfd_send_signal, b->slot_pidfd, SIGKILL, NULL, 0);
  while (waitpid(b->slot_pid, NULL, __WALL) < 0 && errno == EINTR) {
  }
  forget(b);
}

void slot_leave(struct box *b) {
  if (b->slot_pid <= 0)
    return;
  /* It sees the socket close and exits on its own (idle: nothing of a run
   * is left to kill). */
  forget(b);
}

static int exited(struct box *b) {
  struct pollfd pf = {.fd = b->slot_pidfd, .events = POLLIN};
  return poll(&pf, 1, 0) != 0;
}

#if BOX_RAWSYS
static int start(struct box *b, char *err, size_t errlen) {
  struct child_args *a = &b->plan.boot;
  memset(a, 0, sizeof *a);
  a->sync_fd = a->stdin_fd = a->stdout_fd = a->stderr_fd = -1;
  a->tree_fd[0] = a->tree_fd[1] = a->tree_fd[2] = -1;
  for (int i = 0; i < 4; i++)
    a->prog_cg_fd[i] = i < b->ncg_self ? b->cg_self_fds[i] : -1;
  a->mntns_fd = b->e->mntns_fd;
  a->netns_fd = b->netns_fd;
  int sp[2] = {-1, -1}, rc = -1;
  if (workdir_trees(b, a->tree_fd, err, errlen))
    goto out;
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
    jp_errno(err, errlen, "socketpair for the slot init");
    goto out;
  }
  a->status_fd = sp[1];
  int pidfd = -1;
  /* Shares our memory like a one-run init (run.c); stays out of every box
   * cgroup (the program child joins them), so a run's cgroup kill never
   * reaches it. */
  long pid = box_clone_vm_init(b, CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS, child_slot_main, &b->plan, &pidfd);
  if (pid < 0) {
    jp_errno(err, errlen, "clone3 of the slot init");
    goto out;
  }
  b->slot_pid = (pid_t)pid;
  b->slot_pidfd = pidfd;
  b->slot_ctl = sp[0];
  sp[0] = -1;
  b->slot_gen = b->work_gen;
  rc = 0;
out:
  for (int i = 0; i < 3; i++)
    if (a->tree_fd[i] >= 0)
      close(a->tree_fd[i]);
  if (sp[0] >= 0)
    close(sp[0]);
  if (sp[1] >= 0)
    close(sp[1]);
  return rc;
}
#else
static int start(struct box *b, char *err, size_t errlen) {
  (void)b;
  return jp_err(err, errlen, "the slot init needs raw system calls (x86_64)");
}
#endif

void slot_prestart(struct box *b) {
  char err[200];
  if (b->work_mounted && b->work_clean && box_slot_mode(b) && box_map_stacks(b, err, sizeof err) == 0)
    (void)slot_ensure(b, err, sizeof err);
}

int slot_ensure(struct box *b, char *err, size_t errlen) {
  if (b->slot_pid > 0 && (b->slot_gen != b->work_gen || exited(b)))
    slot_stop(b);
  return b->slot_pid > 0 ? 0 : start(b, err, errlen);
}

int slot_send(struct box *b, int stdin_fd, int out_fd, int err_fd, char *err, size_t errlen) {
  struct slot_request q = {.magic = BOX_REPORT_MAGIC, .kind = SLOT_MSG_RUN, .has_stdin = stdin_fd >= 0};
  int fds[3] = {out_fd, err_fd, stdin_fd}, n = stdin_fd >= 0 ? 3 : 2;
  union {
    char buf[CMSG_SPACE(3 * sizeof(int))];
    struct cmsghdr align;
  } c;
  memset(&c, 0, sizeof c);
  struct iovec iov = {.iov_base = &q, .iov_len = sizeof q};
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf,
                     .msg_controllen = CMSG_SPACE((size_t)n * sizeof(int))};
  struct cmsghdr *h = CMSG_FIRSTHDR(&m);
  h->cmsg_level = SOL_SOCKET;
  h->cmsg_type = SCM_RIGHTS;
  h->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
  memcpy(CMSG_DATA(h), fds, (size_t)n * sizeof(int));
  ssize_t w;
  while ((w = sendmsg(b->slot_ctl, &m, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  if (w != (ssize_t)sizeof q)
    return jp_errno(err, errlen, "handing the run to the slot init (it is restarted for the next run)");
  return 0;
}

void slot_kill_run(struct box *b) {
  if (b->slot_ctl >= 0)
    (void)!send(b->slot_ctl, (char[]){SLOT_MSG_KILL}, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
}

int slot_collect(struct box *b, struct box_report *r, size_t *got) {
  ssize_t n;
  while ((n = recv(b->slot_ctl, r, sizeof *r, MSG_DONTWAIT)) < 0 && errno == EINTR) {
  }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return 0;
  *got = n > 0 ? (size_t)n : 0; /* 0: the slot init is gone */
  return 1;
}
