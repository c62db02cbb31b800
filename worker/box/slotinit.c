/* slotinit.c — the slot init: pid 1 of a pid, ipc and uts namespace, in a
 * mount namespace built once and the slot's network namespace, kept for
 * every run of the slot, so that a run costs a vfork and an exec instead
 * of new namespaces, mounts and an init. Between runs it makes the
 * namespaces as good as new:
 *   - every process of the run is SIGKILLed and reaped (pid 1 inherits
 *     orphans), and the run's fds (stdio, seccomp listener) are closed;
 *   - SysV shared memory, message queues and semaphores and POSIX message
 *     queues left by the run are removed (they live in the ipc namespace,
 *     and a segment would also keep its pages charged to the slot's memory
 *     cgroup);
 *   - the pid counter goes back to 1, so the program is pid 2 again (pid
 *     numbers would tell a run how many processes the previous one made);
 *   - the hostname is set back (a box cannot change it anyway).
 * The work tmpfs behind /box, /tmp and /dev/shm is wiped by the supervisor
 * as for a one-run init. If something cannot be cleared, the slot init
 * reports the run and exits: the supervisor starts a new one, with new
 * namespaces. Raw system calls only: it runs in the supervisor's memory
 * (see child.c), for as long as the slot is in use. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <signal.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child_fds.h"
#include "rawsys.h"

/* Waits for the next run request and puts its fds at FD_OUT, FD_ERR and
 * FD_IN. Stale kill requests (one byte, sent as a run ended) are dropped.
 * Exits when the supervisor is gone. */
static void next_request(void) {
  for (;;) {
    struct slot_request q;
    union {
      char buf[CMSG_SPACE(3 * sizeof(int))];
      struct cmsghdr align;
    } c;
    struct iovec iov = {.iov_base = &q, .iov_len = sizeof q};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = c.buf;
    m.msg_controllen = sizeof c.buf;
    long n = rsys3(SYS_recvmsg, FD_STATUS, &m, MSG_CMSG_CLOEXEC);
    if (n == -EINTR)
      continue;
    if (n <= 0)
      rsys_exit(0); /* closed: the supervisor is done with the slot */
    int fds[3] = {-1, -1, -1}, nfds = 0;
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    if (h && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
      nfds = (int)((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      if (nfds > 3)
        nfds = 3;
      memcpy(fds, CMSG_DATA(h), (size_t)nfds * sizeof(int));
    }
    int ok = n == sizeof q && q.magic == BOX_REPORT_MAGIC && q.kind == SLOT_MSG_RUN &&
             !(m.msg_flags & MSG_CTRUNC) && nfds == 2 + (q.has_stdin ? 1 : 0);
    static const int dest[3] = {FD_OUT, FD_ERR, FD_IN};
    /* Through high numbers first: a received fd may sit on a destination. */
    for (int i = 0; i < nfds; i++)
      if (ok && (fds[i] = child_move_high(fds[i])) < 0)
        ok = 0;
    for (int i = 0; i < nfds; i++) {
      if (fds[i] < 0)
        continue;
      if (ok && rsys3(SYS_dup3, fds[i], dest[i], O_CLOEXEC) < 0)
        ok = 0;
      rsys1(SYS_close, fds[i]);
    }
    if (ok)
      return;
    for (int i = 0; i < 3; i++)
      rsys1(SYS_close, dest[i]);
  }
}

/* SysV objects: *_INFO answers the highest index in use and how many
 * exist; every index up to it is looked up with *_STAT_ANY (which answers
 * the id) and removed. 0 when none is left. */
static int sysv_clear(void) {
  long buf[64]; /* larger than any of the kernel's info and ds structs */
  long max;
  int found = 0;
  if ((max = rsys3(SYS_shmctl, 0, SHM_INFO, buf)) < 0)
    return -1;
  found |= ((int *)buf)[0] > 0;
  for (long i = 0; ((int *)buf)[0] > 0 && i <= max; i++) { /* shm_info.used_ids */
    long id = rsys3(SYS_shmctl, i, SHM_STAT_ANY, buf);
    if (id >= 0)
      rsys3(SYS_shmctl, id, IPC_RMID, NULL);
  }
  if ((max = rsys3(SYS_msgctl, 0, MSG_INFO, buf)) < 0)
    return -1;
  found |= ((int *)buf)[0] > 0;
  for (long i = 0; ((int *)buf)[0] > 0 && i <= max; i++) { /* msginfo.msgpool: queues */
    long id = rsys3(SYS_msgctl, i, MSG_STAT_ANY, buf);
    if (id >= 0)
      rsys3(SYS_msgctl, id, IPC_RMID, NULL);
  }
  if ((max = rsys4(SYS_semctl, 0, 0, SEM_INFO, buf)) < 0)
    return -1;
  found |= ((int *)buf)[7] > 0;
  for (long i = 0; ((int *)buf)[7] > 0 && i <= max; i++) { /* seminfo.semusz: sets */
    long id = rsys4(SYS_semctl, i, 0, SEM_STAT_ANY, buf);
    if (id >= 0)
      rsys4(SYS_semctl, id, 0, IPC_RMID, NULL);
  }
  /* Counted again after removals: nothing may be left. (With none found
   * nothing can have appeared: every process of the run is reaped.) */
  if (found && (rsys3(SYS_shmctl, 0, SHM_INFO, buf) < 0 || ((int *)buf)[0] != 0 ||
      rsys3(SYS_msgctl, 0, MSG_INFO, buf) < 0 || ((int *)buf)[0] != 0 ||
      rsys4(SYS_semctl, 0, 0, SEM_INFO, buf) < 0 || ((int *)buf)[7] != 0))
    return -1;
  return 0;
}

/* The ipc namespace's POSIX message queues, through a mount of its mqueue
 * file system that is attached nowhere (the box cannot see it). Returns a
 * directory fd, or -errno. */
static long mq_dir(void) {
  long fs = rsys2(SYS_fsopen, "mqueue", FSOPEN_CLOEXEC);
  if (fs < 0)
    return fs;
  long r = rsys5(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
  long mnt = r < 0 ? r : rsys3(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
  rsys1(SYS_close, fs);
  if (mnt < 0)
    return mnt;
  long dir = rsys4(SYS_openat, mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  rsys1(SYS_close, mnt);
  return dir < 0 ? dir : child_move_high((int)dir);
}

static int mq_clear(int dir) {
  char buf[4096] __attribute__((aligned(8)));
  for (int pass = 0; pass < 64; pass++) { /* fs.mqueue.queues_max is 256 by default */
    if (rsys3(SYS_lseek, dir, 0, SEEK_SET) < 0)
      return -1;
    long n = rsys3(SYS_getdents64, dir, buf, sizeof buf);
    if (n < 0)
      return -1;
    int found = 0;
    for (long off = 0; off < n;) {
      struct dirent64 *d = (struct dirent64 *)(void *)(buf + off);
      off += d->d_reclen;
      if (d->d_name[0] == '.' && (!d->d_name[1] || (d->d_name[1] == '.' && !d->d_name[2])))
        continue;
      found = 1;
      if (rsys3(SYS_unlinkat, dir, d->d_name, 0) < 0)
        return -1;
    }
    if (!found)
      return 0;
  }
  return -1;
}

/* After a run (child_run has sent SIGKILL to every process): every process
 * reaped, killing again before each blocking wait (one may have been forked
 * while the kill went round; kill(-1) walks every task of the machine, so
 * not when all are gone already). child_run closed the run's fds. */
static void reap_all(void) {
  for (;;) {
    long w = rsys4(SYS_wait4, -1, NULL, __WALL | WNOHANG, NULL);
    if (w == 0) {
      rsys2(SYS_kill, -1, SIGKILL);
      w = rsys4(SYS_wait4, -1, NULL, __WALL, NULL);
    }
    if (w == -ECHILD)
      break;
    if (w < 0 && w != -EINTR)
      child_init_fail(STEP_SLOT, w);
  }
}

void child_slot_main(void *arg) {
  struct box_plan *plan = arg;
  child_relocate_fds(&plan->boot);
  long sfd = child_enter_box();
  unsigned long ignored = child_ignored_signals(); /* fixed while we live */
  /* Our own /proc (child_enter_box mounted it): the pid namespace's
   * counter. */
  long last = rsys4(SYS_openat, AT_FDCWD, "/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC, 0);
  if (last < 0 || (last = child_move_high((int)last)) < 0)
    child_init_fail(STEP_SLOT, last);
  long mq = mq_dir();
  if (mq < 0)
    child_init_fail(STEP_SLOT, mq);
  for (;;) {
    next_request();
    struct box_report rep;
    child_run(&plan->a, sfd, ignored, 1, &rep);
    reap_all();
    int clean = sysv_clear() == 0 && mq_clear((int)mq) == 0 &&
                rsys4(SYS_pwrite64, last, "1", 1, 0) == 1 && rsys2(SYS_sethostname, "box", 3) == 0;
    rep.last = !clean;
    child_send(&rep);
    if (!clean)
      rsys_exit(0); /* the supervisor starts a new slot init: new namespaces */
  }
}
