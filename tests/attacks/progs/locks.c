/* locks.c — file locks on inodes shared with the host (REFERENCE §3.8).
 * /usr and /etc are read-only binds, so a lock taken inside the box is a
 * lock on the host's inode: a channel between concurrent boxes and a way to
 * stall host tools. argv: SECONDS PATH... Prints "LOCKED PATH" for every
 * lock obtained (flock, then fcntl F_SETLK), then holds them SECONDS. */
#include <fcntl.h>
#include <sys/file.h>

#include "atk.h"

int main(int argc, char **argv) {
  if (argc < 3) return 64;
  int held = atoi(argv[1]);
  for (int i = 2; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      atk_say("open %s: %s", argv[i], strerror(errno));
      continue;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
      atk_say("LOCKED flock %s", argv[i]);
      continue;
    }
    atk_say("flock %s: %s", argv[i], strerror(errno));
    struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
    if (fcntl(fd, F_SETLK, &fl) == 0)
      atk_say("LOCKED fcntl %s", argv[i]);
    else
      atk_say("fcntl lock %s: %s", argv[i], strerror(errno));
  }
  sleep((unsigned)held);
  atk_say("released");
  return 0;
}
