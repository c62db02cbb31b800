/* traps.c — things left in the work dir for whoever cleans or copies it
 * (REFERENCE §3.6), and device access. argv: CANARY-PATH.
 * Leaves symlinks to host paths and to /, a symlink loop, a FIFO, a
 * directory that cannot be entered, tries to create device nodes and a
 * hard link to a host file, and tries to open dangerous devices. The box
 * must come back promptly (no blocking on the FIFO, no following links when
 * it tears the work dir down) and the host canary must stay unchanged. */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "atk.h"

int main(int argc, char **argv) {
  const char *canary = argc > 1 ? argv[1] : "/nonexistent";
  if (symlink(canary, "jpatk_link_canary") == 0) atk_say("symlink to the canary made");
  if (symlink("/", "jpatk_link_root") == 0) atk_say("symlink to / made");
  if (symlink("/etc/passwd", "jpatk_link_passwd") == 0) atk_say("symlink to /etc/passwd made");
  if (symlink("jpatk_loop_b", "jpatk_loop_a") || symlink("jpatk_loop_a", "jpatk_loop_b"))
    atk_say("symlink loop: %s", strerror(errno));
  if (mkfifo("jpatk_fifo", 0666) == 0) atk_say("fifo made");
  mkfifo("/tmp/jpatk_fifo", 0666);
  if (mkdir("jpatk_locked", 0) == 0) atk_say("mode-0 dir made");
  if (mkdir("jpatk_deep", 0755) == 0 && chdir("jpatk_deep") == 0) {
    for (int i = 0; i < 200; i++)
      if (mkdir("d", 0755) || chdir("d")) break;
    if (chdir("/") != 0) return 3;
  }
  int fd = open("jpatk_link_canary", O_WRONLY | O_APPEND);
  if (fd >= 0) {
    if (write(fd, "jpatk-tampered\n", 15) > 0) atk_say("APPENDED through the canary symlink");
    close(fd);
  }
  if (link("/etc/passwd", "jpatk_hardlink") == 0) atk_say("hard link to /etc/passwd made");
  if (mknod("jpatk_mem", S_IFCHR | 0666, makedev(1, 1)) == 0) ESCAPED("mknod of /dev/mem (1,1) worked");
  if (mknod("jpatk_sda", S_IFBLK | 0666, makedev(8, 0)) == 0) ESCAPED("mknod of a block device (8,0) worked");

  const char *dangerous[] = {"/dev/mem", "/dev/kmem", "/dev/port", "/dev/sda", "/dev/vda",
                             "/dev/nvme0n1", "/dev/xvda", "/dev/loop0", "/dev/loop-control",
                             "/dev/kvm", "/dev/net/tun", "/dev/fuse", "/dev/kmsg",
                             "/dev/userfaultfd", "/dev/console", "/dev/tty1", "/dev/vsock",
                             "/dev/vhost-vsock", "/dev/cpu/0/msr", "/dev/watchdog"};
  for (size_t i = 0; i < sizeof dangerous / sizeof dangerous[0]; i++) {
    int d = open(dangerous[i], O_RDONLY | O_NONBLOCK);
    if (d >= 0) {
      ESCAPED("opened %s", dangerous[i]);
      close(d);
    }
  }
  const char *fine[] = {"/dev/null", "/dev/zero", "/dev/urandom"};
  for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
    int d = open(fine[i], O_RDONLY);
    atk_say("%s %s", fine[i], d >= 0 ? "opens" : strerror(errno));
    if (d >= 0) close(d);
  }
  atk_say("traps set");
  return 0;
}
