/* output.c — output attacks (REFERENCE §3.5).
 *   stdout / stderr     write forever to fd 1 / fd 2
 *   exact KIB           write exactly KIB KiB to stdout, exit 0 (control)
 *   both KIB            write KIB KiB to stdout and KIB KiB to stderr, exit 0:
 *                       the limit is on the sum
 *   fallocate MIB       reserve MIB of blocks behind stdout, stderr and a work
 *                       dir file with FALLOC_FL_KEEP_SIZE: the file size does
 *                       not change, so RLIMIT_FSIZE does not apply, but the
 *                       disk blocks (the host's, for --stdout FILE) are taken
 *   truncate GIB        ftruncate stdout and stderr to GIB (sparse): a checker
 *                       reading the output would read GIB of zeros
 *   bigfile             write one file in the work dir forever
 *   fill DIR            write 256 KiB files into DIR until an error; each file
 *                       stays under the per-file limit, so only a size bound
 *                       on the directory (or the memory limit) can stop it
 *   manyfiles           create up to 1,000,000 empty files in the work dir
 * fill/manyfiles report how far they got and print ESCAPED when nothing
 * stopped them. */
#include <fcntl.h>
#include <linux/falloc.h>
#include <signal.h>
#include <sys/stat.h>

#include "atk.h"

static char chunk[256 * 1024];

int main(int argc, char **argv) {
  const char *m = argc > 1 ? argv[1] : "";
  memset(chunk, 'x', sizeof chunk);
  if (!strcmp(m, "stdout") || !strcmp(m, "stderr")) {
    int fd = !strcmp(m, "stdout") ? 1 : 2;
    signal(SIGPIPE, SIG_IGN);
    for (;;)
      if (write(fd, chunk, sizeof chunk) < 0 && errno != EINTR) return 3;
  }
  if (!strcmp(m, "exact") && argc > 2) {
    long kib = atol(argv[2]);
    char line[1024];
    memset(line, 'y', sizeof line);
    line[1023] = '\n';
    for (long i = 0; i < kib; i++)
      if (write(1, line, sizeof line) != (ssize_t)sizeof line) return 3;
    return 0;
  }
  if (!strcmp(m, "both") && argc > 2) {
    long kib = atol(argv[2]);
    char line[1024];
    memset(line, 'z', sizeof line);
    line[1023] = '\n';
    for (long i = 0; i < kib; i++)
      if (write(1, line, sizeof line) != (ssize_t)sizeof line || write(2, line, sizeof line) != (ssize_t)sizeof line)
        return 3;
    return 0;
  }
  if (!strcmp(m, "fallocate") && argc > 2) {
    off_t len = (off_t)atol(argv[2]) << 20;
    int wd = open("jpatk_falloc", O_WRONLY | O_CREAT, 0644);
    int fds[3] = {1, 2, wd};
    for (int i = 0; i < 3; i++) {
      int r = fallocate(fds[i], FALLOC_FL_KEEP_SIZE, 0, len);
      struct stat st;
      fstat(fds[i], &st);
      fprintf(stderr, "fallocate fd %d: %s, %lld KiB allocated\n", fds[i], r ? strerror(errno) : "ok",
              (long long)st.st_blocks / 2);
    }
    return 0;
  }
  if (!strcmp(m, "truncate") && argc > 2) {
    signal(SIGXFSZ, SIG_IGN); /* see the error instead of dying */
    off_t len = (off_t)atol(argv[2]) << 30;
    for (int fd = 1; fd <= 2; fd++) {
      int r = ftruncate(fd, len);
      int r2 = (int)pwrite(fd, "x", 1, len);
      fprintf(stderr, "fd %d: ftruncate %s, pwrite %s\n", fd, r ? strerror(errno) : "ok", r2 < 0 ? strerror(errno) : "ok");
    }
    return 0;
  }
  if (!strcmp(m, "bigfile")) {
    int fd = open("jpatk_big", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return 3;
    for (;;)
      if (write(fd, chunk, sizeof chunk) < 0) {
        atk_say("bigfile write failed: %s", strerror(errno));
        return 3;
      }
  }
  if (!strcmp(m, "fill") && argc > 2) {
    unsigned long total = 0;
    for (int i = 0; i < 100000; i++) {
      char p[4096];
      snprintf(p, sizeof p, "%s/jpatk_escape_fill%d", argv[2], i);
      int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) {
        atk_say("fill %s stopped at %lu KiB: open: %s", argv[2], total >> 10, strerror(errno));
        return 0;
      }
      ssize_t w = write(fd, chunk, sizeof chunk);
      close(fd);
      if (w > 0) total += (unsigned long)w;
      if (w != (ssize_t)sizeof chunk) {
        atk_say("fill %s stopped at %lu KiB: write: %s", argv[2], total >> 10,
                w < 0 ? strerror(errno) : "short");
        return 0;
      }
      if (total >= 1024UL << 20) {
        ESCAPED("filled %s with 1 GiB", argv[2]);
        return 0;
      }
    }
    ESCAPED("created 100000 files of 256 KiB in %s", argv[2]);
    return 0;
  }
  if (!strcmp(m, "manyfiles")) {
    for (long i = 0; i < 1000000; i++) {
      char p[64];
      snprintf(p, sizeof p, "f%ld", i);
      int fd = open(p, O_WRONLY | O_CREAT, 0644);
      if (fd < 0) {
        atk_say("manyfiles stopped at %ld: %s", i, strerror(errno));
        return 0;
      }
      close(fd);
    }
    ESCAPED("created 1000000 files");
    return 0;
  }
  fprintf(stderr, "usage: output stdout|stderr|exact KIB|bigfile|fill DIR|manyfiles\n");
  return 64;
}
