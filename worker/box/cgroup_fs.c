/* cgroup_fs.c — bounded reads/writes of cgroup control files and strict
 * number parsing. Everything the kernel (or a fake tree, or a tampered
 * file) hands us is treated as hostile: fixed buffers, no size trust,
 * garbage is an error with the file named, never a crash or a guess. */
#include "cgroup_impl.h"

#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cgfs_open(int dirfd, const char *where, const char *file, int flags,
              char *err, size_t errlen) {
  int fd = openat(dirfd, file, flags | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return jp_errno(err, errlen, "cgroup: open %s/%s", where, file);
  return fd;
}

/* Reads from offset 0 until EOF; content must fit in cap-1 bytes. */
static int read_all(int fd, int positional, const char *where, const char *file,
                    char *buf, size_t cap, char *err, size_t errlen) {
  size_t len = 0;
  if (cap < 2)
    return jp_err(err, errlen, "cgroup: read %s/%s: buffer too small", where, file);
  for (;;) {
    ssize_t n = positional ? pread(fd, buf + len, cap - len, (off_t)len)
                           : read(fd, buf + len, cap - len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return jp_errno(err, errlen, "cgroup: read %s/%s", where, file);
    }
    if (n == 0)
      break;
    len += (size_t)n;
    if (len >= cap)
      return jp_err(err, errlen,
                    "cgroup: %s/%s is larger than %zu bytes: not a control file we understand",
                    where, file, cap - 1);
  }
  buf[len] = '\0';
  if (memchr(buf, '\0', len))
    return jp_err(err, errlen, "cgroup: %s/%s contains NUL bytes", where, file);
  return 0;
}

int cgfs_read(int dirfd, const char *where, const char *file, char *buf, size_t cap,
              char *err, size_t errlen) {
  int fd = cgfs_open(dirfd, where, file, O_RDONLY, err, errlen);
  if (fd < 0)
    return -1;
  int rc = read_all(fd, 0, where, file, buf, cap, err, errlen);
  close(fd);
  return rc;
}

int cgfs_pread(int fd, const char *where, const char *file, char *buf, size_t cap,
               char *err, size_t errlen) {
  return read_all(fd, 1, where, file, buf, cap, err, errlen);
}

int cgfs_pwrite(int fd, const char *where, const char *file, const char *s, char *err,
                size_t errlen) {
  size_t len = strlen(s);
  ssize_t n;
  do
    n = pwrite(fd, s, len, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return jp_errno(err, errlen, "cgroup: write '%s' to %s/%s", s, where, file);
  /* cgroupfs takes a write whole or fails it; a short write means something
   * else is behind this path. */
  if ((size_t)n != len)
    return jp_err(err, errlen, "cgroup: short write of '%s' to %s/%s", s, where, file);
  return 0;
}

int cgfs_write(int dirfd, const char *where, const char *file, const char *s,
               char *err, size_t errlen) {
  int fd = cgfs_open(dirfd, where, file, O_WRONLY | O_TRUNC, err, errlen);
  if (fd < 0)
    return -1;
  int rc = cgfs_pwrite(fd, where, file, s, err, errlen);
  int e = errno; /* callers tell ENOENT, EBUSY... apart */
  close(fd);
  errno = e;
  return rc;
}

const char *cgfs_u64(char num[32], uint64_t v, const char *unlimited) {
  if (v == UINT64_MAX)
    snprintf(num, 32, "%s", unlimited);
  else
    snprintf(num, 32, "%" PRIu64, v);
  return num;
}

int cgfs_write_u64(int dirfd, const char *where, const char *file, uint64_t v,
                   const char *unlimited, char *err, size_t errlen) {
  char num[32];
  return cgfs_write(dirfd, where, file, cgfs_u64(num, v, unlimited), err, errlen);
}

/* Parses digits in [s, end) strictly; returns 0 or -1. */
static int parse_digits(const char *s, const char *end, uint64_t *out) {
  if (s >= end || end - s > 20)
    return -1;
  uint64_t v = 0;
  for (const char *p = s; p < end; p++) {
    if (*p < '0' || *p > '9')
      return -1;
    unsigned d = (unsigned)(*p - '0');
    if (v > (UINT64_MAX - d) / 10)
      return -1;
    v = v * 10 + d;
  }
  *out = v;
  return 0;
}

int cgfs_parse_u64(const char *s, uint64_t *out) {
  size_t len = strlen(s);
  if (len > 0 && s[len - 1] == '\n')
    len--;
  return parse_digits(s, s + len, out);
}

int cgfs_keyed_u64(const char *buf, const char *key, uint64_t *out) {
  size_t klen = strlen(key);
  int found = 0;
  const char *p = buf;
  while (*p) {
    const char *nl = strchr(p, '\n');
    const char *end = nl ? nl : p + strlen(p);
    const char *sp = memchr(p, ' ', (size_t)(end - p));
    uint64_t v;
    if (!sp || sp == p || parse_digits(sp + 1, end, &v) < 0)
      return -1;
    if ((size_t)(sp - p) == klen && memcmp(p, key, klen) == 0) {
      if (found)
        return -1; /* a key twice: not what the kernel writes */
      found = 1;
      *out = v;
    }
    p = nl ? nl + 1 : end;
  }
  return found ? 0 : 1;
}

int cgfs_read_u64(int dirfd, const char *where, const char *file, const char *key,
                  uint64_t *out, char *err, size_t errlen) {
  char buf[CGFS_BUF];
  if (cgfs_read(dirfd, where, file, buf, sizeof buf, err, errlen) < 0)
    return -1;
  return cgfs_u64_from(buf, where, file, key, out, err, errlen);
}

int cgfs_u64_from(const char *buf, const char *where, const char *file, const char *key, uint64_t *out,
                  char *err, size_t errlen) {
  if (!key) {
    if (cgfs_parse_u64(buf, out) < 0)
      return jp_err(err, errlen, "cgroup: %s/%s: expected one decimal number, got '%.40s'",
                    where, file, buf);
    return 0;
  }
  int rc = cgfs_keyed_u64(buf, key, out);
  if (rc < 0)
    return jp_err(err, errlen, "cgroup: %s/%s: malformed content (expected 'key number' lines)",
                  where, file);
  if (rc > 0)
    return jp_err(err, errlen, "cgroup: %s/%s: no '%s' entry", where, file, key);
  return 0;
}
