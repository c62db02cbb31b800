/* readfile.c — bounded whole-file reads (see readfile.h). The size is taken
 * from fstat and re-checked against what read returns, so a file that grows
 * or shrinks while being read is refused rather than truncated. */
#include "readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"

int jp_read_file(const char *path, size_t max, void **data, size_t *len, char *err, size_t errlen) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return jp_errno(err, errlen, "opening %s", path);
  struct stat st;
  if (fstat(fd, &st) < 0) {
    int rc = jp_errno(err, errlen, "reading %s", path);
    close(fd);
    return rc;
  }
  if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
    close(fd);
    return jp_err(err, errlen, "%s: not a regular file of at most %zu bytes", path, max);
  }
  size_t size = (size_t)st.st_size, got = 0;
  char *b = malloc(size + 1);
  while (b && got <= size) { /* one byte past the size detects a growing file */
    ssize_t n = read(fd, b + got, size + 1 - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
  }
  close(fd);
  if (!b) return jp_err(err, errlen, "reading %s: out of memory for %zu bytes", path, size);
  if (got != size) {
    free(b);
    return jp_err(err, errlen, "reading %s failed (it changed while being read)", path);
  }
  b[size] = 0;
  *data = b;
  *len = size;
  return 0;
}
