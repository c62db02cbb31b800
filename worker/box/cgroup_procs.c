/* cgroup_procs.c — walking a group's cgroup.procs without trusting its
 * size (a fork bomb can list thousands of pids): the file is streamed in
 * fixed chunks and parsed strictly, and the bounded backoff used by the
 * kill loops. */
#include "cgroup_impl.h"

#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#define CGP_MAX_PIDS (1L << 22) /* above pid_max_limit: a longer list is garbage */

long cgp_for_each(int dirfd, const char *where, int (*fn)(pid_t, void *), void *arg,
                  char *err, size_t errlen) {
  int fd = cgfs_open(dirfd, where, "cgroup.procs", O_RDONLY, err, errlen);
  if (fd < 0)
    return -1;
  char buf[CGFS_BUF];
  long count = 0;
  uint64_t cur = 0;
  int digits = 0, stop = 0;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      jp_errno(err, errlen, "cgroup: read %s/cgroup.procs", where);
      close(fd);
      return -1;
    }
    if (n == 0)
      break;
    for (ssize_t i = 0; i < n && !stop; i++) {
      char c = buf[i];
      if (c >= '0' && c <= '9') {
        cur = cur * 10 + (uint64_t)(c - '0');
        if (++digits > 10 || cur > INT32_MAX)
          goto garbage;
      } else if (c == '\n' && digits > 0) {
        if (cur == 0 || ++count > CGP_MAX_PIDS)
          goto garbage;
        if (fn && fn((pid_t)cur, arg))
          stop = 1;
        cur = 0;
        digits = 0;
      } else {
        goto garbage;
      }
    }
    if (stop)
      break;
  }
  close(fd);
  if (digits > 0) /* last line without '\n': the kernel always ends lines */
    return jp_err(err, errlen, "cgroup: %s/cgroup.procs: truncated last line", where);
  return count;
garbage:
  close(fd);
  return jp_err(err, errlen, "cgroup: %s/cgroup.procs: not a list of pids", where);
}

static int kill_one(pid_t pid, void *arg) {
  (void)arg;
  /* ESRCH: it exited between the listing and now; nothing to do. */
  kill(pid, SIGKILL);
  return 0;
}

long cgp_kill_listed(int dirfd, const char *where, char *err, size_t errlen) {
  return cgp_for_each(dirfd, where, kill_one, NULL, err, errlen);
}

static int stop_at_first(pid_t pid, void *arg) {
  (void)pid;
  (void)arg;
  return 1;
}

int cgp_empty(int dirfd, const char *where, char *err, size_t errlen) {
  long n = cgp_for_each(dirfd, where, stop_at_first, NULL, err, errlen);
  if (n < 0)
    return -1;
  return n == 0;
}

void cg_backoff(int round) {
  long us = 100L << (round < 8 ? round : 8); /* 100 us .. 20 ms */
  if (us > 20000)
    us = 20000;
  struct timespec ts = {0, us * 1000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
  }
}

uint64_t cg_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
