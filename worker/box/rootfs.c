/* rootfs.c — the skeleton root every box pivots into: a small read-only
 * tmpfs holding read-only, nosuid, nodev binds of /usr (and /bin, /lib*
 * when they are real directories), selected /etc entries, a generated
 * passwd/group, device nodes for /dev, and empty mount points for /box,
 * /tmp, /dev/shm and /proc. Built once and kept under the state dir, so a
 * box (and each `judge run`) only adds its per-run binds. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "box_internal.h"
#include "err.h"

#define MARKER ".judgepool-root-v" BOX_ROOTFS_VERSION

/* /etc entries programs need: the dynamic loader's cache, alternatives (the
 * java symlinks), time zone, and the configuration of the installed
 * runtimes. Nothing with secrets; passwd and group are generated. */
static const char *const etc_names[] = {"ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives",
                                        "localtime",   "nsswitch.conf", "host.conf", "mime.types"};
static const char *const etc_prefixes[] = {"java-", "python3", "gcc", "fpc"};

static int bind_ro(const char *src, const char *dst, char *err, size_t errlen) {
  if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
    return jp_errno(err, errlen, "bind %s on %s", src, dst);
  if (mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
    return jp_errno(err, errlen, "remount %s read-only", dst);
  return 0;
}

/* Mirrors host entry `src` at `dst`: a symlink as the same symlink, a
 * directory or file as a read-only bind. Missing entries are skipped. */
static int mirror(const char *src, const char *dst, char *err, size_t errlen) {
  struct stat st;
  if (lstat(src, &st) < 0)
    return errno == ENOENT ? 0 : jp_errno(err, errlen, "lstat %s", src);
  if (S_ISLNK(st.st_mode)) {
    char target[BOX_PATH_MAX];
    ssize_t n = readlink(src, target, sizeof target - 1);
    if (n < 0)
      return jp_errno(err, errlen, "readlink %s", src);
    target[n] = '\0';
    if (symlink(target, dst) < 0)
      return jp_errno(err, errlen, "symlink %s", dst);
    return 0;
  }
  if (S_ISDIR(st.st_mode)) {
    if (mkdir(dst, 0755) < 0)
      return jp_errno(err, errlen, "mkdir %s", dst);
  } else if (S_ISREG(st.st_mode)) {
    int fd = open(dst, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0)
      return jp_errno(err, errlen, "create %s", dst);
    close(fd);
  } else {
    return 0;
  }
  return bind_ro(src, dst, err, errlen);
}

static int write_file(const char *path, const char *text, size_t len, char *err, size_t errlen) {
  int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    return jp_errno(err, errlen, "create %s", path);
  ssize_t n = write(fd, text, len);
  close(fd);
  if (n != (ssize_t)len)
    return jp_errno(err, errlen, "write %s", path);
  return 0;
}

static int gen_passwd(const char *root, uint32_t first_uid, char *err, size_t errlen) {
  static char pw[BOX_MAX_SLOT_INDEX * 64 + 256], gr[BOX_MAX_SLOT_INDEX * 32 + 256];
  size_t np = (size_t)snprintf(pw, sizeof pw,
                               "root:x:0:0:root:/root:/usr/sbin/nologin\n"
                               "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
  size_t ng = (size_t)snprintf(gr, sizeof gr, "root:x:0:\nnogroup:x:65534:\n");
  for (uint32_t i = 0; i < BOX_MAX_SLOT_INDEX; i++) {
    np += (size_t)snprintf(pw + np, sizeof pw - np, "box%u:x:%u:%u:box:/box:/usr/sbin/nologin\n", i,
                           first_uid + i, first_uid + i);
    ng += (size_t)snprintf(gr + ng, sizeof gr - ng, "box%u:x:%u:\n", i, first_uid + i);
  }
  char path[BOX_PATH_MAX];
  snprintf(path, sizeof path, "%s/etc/passwd", root);
  if (write_file(path, pw, np, err, errlen))
    return -1;
  snprintf(path, sizeof path, "%s/etc/group", root);
  return write_file(path, gr, ng, err, errlen);
}

static int build(const char *root, uint32_t first_uid, char *err, size_t errlen) {
  char a[2 * BOX_PATH_MAX], b[2 * BOX_PATH_MAX];
  if (mount("jp-root", root, "tmpfs", MS_NOSUID, "size=4m,nr_inodes=4096,mode=0755") < 0)
    return jp_errno(err, errlen, "mount tmpfs on %s", root);
  static const char *const dirs[] = {"etc", "proc", "dev", "dev/shm", "tmp", "box"};
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    snprintf(a, sizeof a, "%s/%s", root, dirs[i]);
    if (mkdir(a, 0755) < 0)
      return jp_errno(err, errlen, "mkdir %s", a);
  }
  static const char *const top[] = {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"};
  for (size_t i = 0; i < sizeof top / sizeof top[0]; i++) {
    snprintf(a, sizeof a, "/%s", top[i]);
    snprintf(b, sizeof b, "%s/%s", root, top[i]);
    if (mirror(a, b, err, errlen))
      return -1;
  }
  for (size_t i = 0; i < sizeof etc_names / sizeof etc_names[0]; i++) {
    snprintf(a, sizeof a, "/etc/%s", etc_names[i]);
    snprintf(b, sizeof b, "%s/etc/%s", root, etc_names[i]);
    if (mirror(a, b, err, errlen))
      return -1;
  }
  DIR *d = opendir("/etc");
  if (!d)
    return jp_errno(err, errlen, "opendir /etc");
  struct dirent *de;
  int rc = 0;
  while (rc == 0 && (de = readdir(d))) {
    for (size_t i = 0; i < sizeof etc_prefixes / sizeof etc_prefixes[0]; i++)
      if (!strncmp(de->d_name, etc_prefixes[i], strlen(etc_prefixes[i]))) {
        snprintf(a, sizeof a, "/etc/%s", de->d_name);
        snprintf(b, sizeof b, "%s/etc/%s", root, de->d_name);
        rc = mirror(a, b, err, errlen);
        break;
      }
  }
  closedir(d);
  if (rc || gen_passwd(root, first_uid, err, errlen))
    return -1;
  static const struct {
    const char *name;
    unsigned minor;
  } nodes[] = {{"null", 3}, {"zero", 5}, {"full", 7}, {"random", 8}, {"urandom", 9}};
  for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
    snprintf(a, sizeof a, "%s/dev/%s", root, nodes[i].name);
    if (mknod(a, S_IFCHR | 0666, makedev(1, nodes[i].minor)) < 0 || chmod(a, 0666) < 0)
      return jp_errno(err, errlen, "mknod %s", a);
  }
  static const char *const links[][2] = {{"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"},
                                         {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"}};
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    snprintf(a, sizeof a, "%s/dev/%s", root, links[i][0]);
    if (symlink(links[i][1], a) < 0)
      return jp_errno(err, errlen, "symlink %s", a);
  }
  snprintf(a, sizeof a, "%s/" MARKER, root);
  if (write_file(a, "", 0, err, errlen))
    return -1;
  if (mount(NULL, root, NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return jp_errno(err, errlen, "make %s private", root);
  /* Read-only for this mount only: the device nodes need "dev", and the
   * box cannot write there anyway. */
  if (mount(NULL, root, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID, NULL) < 0)
    return jp_errno(err, errlen, "remount %s read-only", root);
  return 0;
}

static int is_mountpoint(const char *path) {
  struct statx sx;
  return statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, 0, &sx) == 0 &&
         (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

int rootfs_ensure(const char *state_dir, const char *root, uint32_t first_uid, char *err, size_t errlen) {
  char path[BOX_PATH_MAX];
  snprintf(path, sizeof path, "%s/" MARKER, root);
  if (access(path, F_OK) == 0)
    return 0; /* built by an earlier engine (this or another process) */

  if (mkdir(state_dir, 0700) < 0 && errno != EEXIST)
    return jp_errno(err, errlen, "mkdir %s", state_dir);
  struct stat st;
  if (lstat(state_dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))
    return jp_err(err, errlen, "%s must be a directory owned by root, not group/other writable", state_dir);
  snprintf(path, sizeof path, "%s/lock", state_dir);
  int lock = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lock < 0 || flock(lock, LOCK_EX) < 0) {
    if (lock >= 0)
      close(lock);
    return jp_errno(err, errlen, "lock %s", path);
  }
  int rc = 0;
  snprintf(path, sizeof path, "%s/" MARKER, root);
  if (access(path, F_OK) == 0)
    goto out;
  /* Our own private mount: nothing mounted under the state dir (work dirs,
   * the skeleton, netns files) propagates anywhere. */
  if (!is_mountpoint(state_dir)) {
    if (mount(state_dir, state_dir, NULL, MS_BIND, NULL) < 0 ||
        mount(NULL, state_dir, NULL, MS_PRIVATE, NULL) < 0) {
      rc = jp_errno(err, errlen, "make %s a private mount", state_dir);
      goto out;
    }
  }
  if (mkdir(root, 0755) < 0 && errno != EEXIST) {
    rc = jp_errno(err, errlen, "mkdir %s", root);
    goto out;
  }
  if (is_mountpoint(root))
    umount2(root, MNT_DETACH); /* a half-built skeleton from a crash */
  rc = build(root, first_uid, err, errlen);
  if (rc)
    umount2(root, MNT_DETACH);
out:
  close(lock);
  return rc;
}
