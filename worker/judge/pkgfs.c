/* pkgfs.c — bounded, containment-checked file access (see pkgfs.h). */
#include "pkgfs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"

int fs_open_regular(const char *path, char *err, size_t errlen) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return jp_errno(err, errlen, "cannot open %s", path);
  struct stat st;
  if (fstat(fd, &st) < 0) {
    jp_errno(err, errlen, "cannot stat %s", path);
    close(fd);
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return jp_err(err, errlen, "%s is not a regular file (devices, FIFOs and sockets are refused)", path);
  }
  /* Back to blocking reads for a plain file. */
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0)
    (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  return fd;
}

int fs_read_file(const char *path, size_t max, char **buf, size_t *len, char *err, size_t errlen) {
  int fd = fs_open_regular(path, err, errlen);
  if (fd < 0)
    return -1;
  struct stat st;
  if (fstat(fd, &st) < 0 || st.st_size < 0) {
    close(fd);
    return jp_errno(err, errlen, "cannot stat %s", path);
  }
  if ((unsigned long long)st.st_size > max) {
    close(fd);
    return jp_err(err, errlen, "%s is too large (%lld bytes, at most %zu allowed)", path,
                  (long long)st.st_size, max);
  }
  size_t cap = (size_t)st.st_size + 1;
  char *b = malloc(cap);
  if (!b) {
    close(fd);
    return jp_err(err, errlen, "out of memory reading %s", path);
  }
  size_t got = 0;
  while (got < cap - 1) {
    ssize_t r = read(fd, b + got, cap - 1 - got);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      jp_errno(err, errlen, "cannot read %s", path);
      free(b);
      close(fd);
      return -1;
    }
    if (r == 0)
      break;
    got += (size_t)r;
  }
  close(fd);
  b[got] = 0;
  *buf = b;
  if (len)
    *len = got;
  return 0;
}

int fs_read_prefix(const char *path, size_t max, char *buf, size_t buflen) {
  if (!buflen)
    return -1;
  buf[0] = 0;
  int fd = fs_open_regular(path, NULL, 0);
  if (fd < 0)
    return -1;
  size_t lim = max < buflen - 1 ? max : buflen - 1, got = 0;
  while (got < lim) {
    ssize_t r = read(fd, buf + got, lim - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    got += (size_t)r;
  }
  close(fd);
  buf[got] = 0;
  return 0;
}

int fs_join(char *out, size_t outlen, const char *a, const char *b, char *err, size_t errlen) {
  int n = snprintf(out, outlen, "%s/%s", a, b);
  if (n < 0 || (size_t)n >= outlen)
    return jp_err(err, errlen, "path too long: %s/%s", a, b);
  return 0;
}

int fs_resolve_in(const char *root, const char *path, char *out, size_t outlen, char *err,
                  size_t errlen) {
  char tmp[PATH_MAX];
  if (realpath(path, tmp) == NULL) {
    if (errno == ENOENT)
      return 1;
    return jp_errno(err, errlen, "cannot resolve %s", path);
  }
  size_t rl = strlen(root);
  if (strncmp(tmp, root, rl) != 0 || (tmp[rl] != '/' && tmp[rl] != 0))
    return jp_err(err, errlen, "%s points outside the problem package (to %s); refusing it", path, tmp);
  if (strlen(tmp) >= outlen)
    return jp_err(err, errlen, "path too long: %s", tmp);
  strcpy(out, tmp);
  return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st; (void)ftw;
  if (flag == FTW_DP)
    rmdir(p);
  else
    unlink(p);
  return 0;
}

void fs_remove_tree(const char *path) {
  nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

int fs_write_file(const char *path, const void *buf, size_t len, char *err, size_t errlen) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    return jp_errno(err, errlen, "cannot create %s", path);
  const char *p = buf;
  while (len) {
    ssize_t w = write(fd, p, len);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      jp_errno(err, errlen, "cannot write %s", path);
      close(fd);
      return -1;
    }
    p += w;
    len -= (size_t)w;
  }
  if (close(fd) < 0)
    return jp_errno(err, errlen, "cannot write %s", path);
  return 0;
}
