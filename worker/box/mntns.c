/* mntns.c — the template mount namespace: a namespace whose whole tree is
 * the skeleton root (pivoted into, the host's mounts detached), made once
 * and kept as a bind-mounted file (<state>/mntns-v<rootfs version>). Each box's init joins it
 * and unshares a private copy of it: copying a dozen mounts instead of the
 * host's whole tree, and no pivot_root (which walks every task on the
 * machine) per run. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "box_internal.h"
#include "err.h"

static int open_mntns(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return -1;
  struct statfs sf;
  if (fstatfs(fd, &sf) < 0 || sf.f_type != NSFS_MAGIC || ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNS) {
    close(fd);
    return -1;
  }
  return fd;
}

/* The helper: in a fresh copy of our namespace, make everything private,
 * pivot into the skeleton and drop the rest; then wait to be bound. Raw
 * system calls only (the caller may be multi-threaded). */
static void __attribute__((noreturn)) helper(const char *root, int ready, int done) {
  char c = 'x';
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 && chdir(root) == 0 &&
      syscall(SYS_pivot_root, ".", ".") == 0 && umount2(".", MNT_DETACH) == 0 && chdir("/") == 0)
    c = 'r';
  if (write(ready, &c, 1) != 1)
    _exit(1);
  (void)!read(done, &c, 1);
  _exit(0);
}

static int create(const char *path, const char *root, char *err, size_t errlen) {
  umount2(path, MNT_DETACH); /* a stale or half-made one */
  int f = open(path, O_CREAT | O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (f < 0)
    return jp_errno(err, errlen, "create %s", path);
  close(f);
  int ready[2], done[2];
  if (pipe2(ready, O_CLOEXEC) < 0)
    return jp_errno(err, errlen, "pipe");
  if (pipe2(done, O_CLOEXEC) < 0) {
    close(ready[0]);
    close(ready[1]);
    return jp_errno(err, errlen, "pipe");
  }
  long pid = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, NULL, NULL, 0);
  if (pid == 0) {
    close(ready[0]);
    close(done[1]); /* else our own copy keeps the pipe open */
    helper(root, ready[1], done[0]);
  }
  int rc = 0;
  char c = 0;
  if (pid < 0) {
    rc = jp_errno(err, errlen, "clone(CLONE_NEWNS) for the template mount namespace");
  } else if (read(ready[0], &c, 1) != 1 || c != 'r') {
    rc = jp_err(err, errlen, "the template mount namespace could not pivot into %s", root);
  } else {
    char src[64];
    snprintf(src, sizeof src, "/proc/%ld/ns/mnt", pid);
    if (mount(src, path, NULL, MS_BIND, NULL) < 0)
      rc = jp_errno(err, errlen, "bind %s on %s", src, path);
  }
  close(done[1]); /* lets the helper exit */
  if (pid > 0)
    waitpid((pid_t)pid, NULL, 0);
  close(ready[0]);
  close(ready[1]);
  close(done[0]);
  return rc;
}

int mntns_open(const char *state_dir, const char *root, int *fd_out, char *err, size_t errlen) {
  char path[BOX_PATH_MAX];
  snprintf(path, sizeof path, "%s/mntns-v" BOX_ROOTFS_VERSION, state_dir);
  if ((*fd_out = open_mntns(path)) >= 0)
    return 0;
  char lockpath[BOX_PATH_MAX];
  snprintf(lockpath, sizeof lockpath, "%s/lock", state_dir);
  int lock = open(lockpath, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lock < 0 || flock(lock, LOCK_EX) < 0) {
    if (lock >= 0)
      close(lock);
    return jp_errno(err, errlen, "lock %s", lockpath);
  }
  int rc = 0;
  if ((*fd_out = open_mntns(path)) < 0) {
    rc = create(path, root, err, errlen);
    if (rc == 0 && (*fd_out = open_mntns(path)) < 0)
      rc = jp_err(err, errlen, "%s is not a mount namespace after binding it", path);
  }
  close(lock);
  return rc;
}
