/* workdir.c — the per-run work dir: a tmpfs on the host (size = the output
 * limit plus the input files), with box/ (the program's cwd, /box) and
 * tmp/ (its /tmp and /dev/shm). Files go in before the run and come out
 * after every process is dead, read without following symlinks and only if
 * regular. After the run everything else is deleted and the tmpfs is kept
 * for the slot's next run (resized then): unmounting per run cost an RCU
 * grace period each; any doubt (a tree too deep to wipe) and it is
 * unmounted instead. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include "box_internal.h"
#include "err.h"

#define INODES 4096

static int plain_name(const char *n) {
  return n && *n && strlen(n) < 255 && !strchr(n, '/') && strcmp(n, ".") && strcmp(n, "..");
}

/* Copies at most max bytes from in to out; -1 on error. */
static int copy_fd(int in, int out, uint64_t max) {
  uint64_t done = 0;
  while (done < max) {
    size_t chunk = max - done > (1u << 20) ? (1u << 20) : (size_t)(max - done);
    ssize_t n = sendfile(out, in, NULL, chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    if (n == 0)
      break;
    done += (uint64_t)n;
  }
  return 0;
}

static int copy_in(int boxfd, const struct box_file_in *f, uid_t uid, char *err, size_t errlen) {
  if (!plain_name(f->name))
    return jp_err(err, errlen, "file name '%s' for the work dir must be a plain name (no '/')",
                  f->name ? f->name : "(null)");
  int in = open(f->host_path, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return jp_errno(err, errlen, "open %s", f->host_path);
  struct stat st;
  if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
    close(in);
    return jp_err(err, errlen, "%s is not a regular file", f->host_path);
  }
  mode_t mode = (st.st_mode & 0777) | 0600;
  /* No box may be cloned while this fd is open: it would inherit it, and
   * this box's execve of the file would fail with ETXTBSY. */
  box_wfd_begin();
  int out = openat(boxfd, f->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (out < 0) {
    int e = errno;
    box_wfd_end();
    close(in);
    errno = e;
    return jp_errno(err, errlen, "create %s in the work dir", f->name);
  }
  int rc = copy_fd(in, out, (uint64_t)st.st_size);
  if (rc == 0 && (fchown(out, uid, uid) < 0 || fchmod(out, mode) < 0))
    rc = -1;
  int e = errno;
  close(out);
  box_wfd_end();
  close(in);
  errno = e;
  return rc < 0 ? jp_errno(err, errlen, "copy %s into the work dir", f->host_path) : 0;
}

static int set_dirs(int dfd, uid_t uid, int create) {
  if (create && (mkdirat(dfd, "box", 0755) < 0 || mkdirat(dfd, "tmp", 0700) < 0))
    return -1;
  /* The program owned them: it may have changed their modes. */
  return fchownat(dfd, "box", uid, uid, AT_SYMLINK_NOFOLLOW) < 0 ||
                 fchmodat(dfd, "box", 0755, 0) < 0 ||
                 fchownat(dfd, "tmp", uid, uid, AT_SYMLINK_NOFOLLOW) < 0 ||
                 fchmodat(dfd, "tmp", 0700, 0) < 0
             ? -1
             : 0;
}

int workdir_prepare(struct box *b, const struct box_spec *spec, char *err, size_t errlen) {
  uint64_t input_kib = 0;
  for (size_t i = 0; i < spec->nfiles_in; i++) {
    struct stat st;
    if (stat(spec->files_in[i].host_path, &st) < 0)
      return jp_errno(err, errlen, "file to copy into the box %s", spec->files_in[i].host_path);
    input_kib += ((uint64_t)st.st_size + 4095) / 4096 * 4;
  }
  uint64_t out_kib = spec->limits.output_kib ? spec->limits.output_kib : (1u << 20);
  /* tmp/ and box/ directories and a few pages of slack for metadata. */
  uint64_t size_kib = out_kib + input_kib + 64;
  b->input_kib = input_kib;
  char opts[96];
  snprintf(opts, sizeof opts, "size=%lluk,nr_inodes=%u", (unsigned long long)size_kib,
           INODES + (unsigned)spec->nfiles_in);
  int fresh = 1;
  /* Same size as the last run (the usual case): no remount at all. */
  if (b->work_mounted && b->work_clean &&
      (!strcmp(opts, b->work_opts) || mount(NULL, b->work_dir, NULL, MS_REMOUNT | MS_NOSUID | MS_NODEV, opts) == 0))
    fresh = 0;
  snprintf(b->work_opts, sizeof b->work_opts, "%s", opts);
  b->work_clean = 0;
  if (fresh) {
    /* Whatever an earlier run (or a crashed process) left mounted goes. */
    for (int i = 0; i < 8 && umount2(b->work_dir, MNT_DETACH) == 0; i++) {
    }
    b->work_mounted = 0;
    if (mount("jp-work", b->work_dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
      return jp_errno(err, errlen, "mount the work tmpfs on %s", b->work_dir);
    b->work_mounted = 1;
    b->work_gen++; /* a slot init on the old one is replaced (slot.c) */
  }
  uid_t uid = b->e->first_uid + b->index;
  int dfd = open(b->work_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return jp_errno(err, errlen, "open %s", b->work_dir);
  int rc = 0;
  if (fchmod(dfd, 0755) < 0 || set_dirs(dfd, uid, fresh) < 0)
    rc = jp_errno(err, errlen, "make box/ and tmp/ in %s", b->work_dir);
  if (rc == 0 && spec->nfiles_in) {
    int boxfd = openat(dfd, "box", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (boxfd < 0)
      rc = jp_errno(err, errlen, "open %s/box", b->work_dir);
    for (size_t i = 0; rc == 0 && i < spec->nfiles_in; i++)
      rc = copy_in(boxfd, &spec->files_in[i], uid, err, errlen);
    if (boxfd >= 0)
      close(boxfd);
  }
  close(dfd);
  return rc;
}

int workdir_trees(struct box *b, int fds[3], char *err, size_t errlen) {
  static const char *const sub[3] = {"box", "tmp", "tmp"};
  for (int i = 0; i < 3; i++)
    fds[i] = -1;
  for (int i = 0; i < 3; i++) {
    char path[BOX_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", b->work_dir, sub[i]);
    if ((fds[i] = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0) {
      jp_errno(err, errlen, "open_tree %s", path);
      while (i > 0) {
        close(fds[--i]);
        fds[i] = -1;
      }
      return -1;
    }
  }
  return 0;
}

int workdir_over(struct box *b, uint64_t output_kib) {
  struct statfs sf;
  if (!b->work_mounted || statfs(b->work_dir, &sf) < 0)
    return 0;
  if (sf.f_bavail == 0 || sf.f_ffree == 0)
    return 1;
  /* Files written count against the output limit together; a file stopped
   * by RLIMIT_FSIZE sits exactly at it (its writer may have ignored
   * SIGXFSZ, or been a child whose death we do not see). */
  uint64_t used_kib = (uint64_t)(sf.f_blocks - sf.f_bfree) * (uint64_t)sf.f_bsize / 1024;
  return output_kib && used_kib >= b->input_kib + output_kib;
}

void workdir_fetch(struct box *b, const struct box_spec *spec, struct box_result *res) {
  if (!b->work_mounted || !spec->nfiles_out)
    return;
  char path[BOX_PATH_MAX + 8];
  snprintf(path, sizeof path, "%s/box", b->work_dir);
  int boxfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (boxfd < 0)
    return;
  for (size_t i = 0; i < spec->nfiles_out && i < BOX_MAX_FILES_OUT; i++) {
    const struct box_file_out *f = &spec->files_out[i];
    if (!plain_name(f->name) || !f->host_path)
      continue;
    /* O_NONBLOCK: a FIFO must not hang us; O_NOFOLLOW: no symlink trap. */
    int in = openat(boxfd, f->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (in < 0)
      continue;
    struct stat st;
    if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > f->max_bytes) {
      close(in);
      continue;
    }
    /* The caller may exec what it fetched (see copy_in). */
    box_wfd_begin();
    int out = open(f->host_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (out >= 0) {
      if (copy_fd(in, out, f->max_bytes) == 0)
        res->fetched[i] = 1;
      close(out);
    }
    box_wfd_end();
    close(in);
  }
  close(boxfd);
}

#define WIPE_DEPTH 24

/* Deletes everything inside directory dfd (which the caller closes). The
 * tree is the program's: no symlink is followed, depth is bounded, and the
 * number of passes is bounded (entries deleted while reading can be
 * skipped by readdir). -1 if something is left. */
static int wipe(int dfd, int depth) {
  for (int pass = 0; pass < 4; pass++) {
    int again = 0, n = 0;
    int dup_fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (!d) {
      if (dup_fd >= 0)
        close(dup_fd);
      return -1;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
      if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
        continue;
      n++;
      if (unlinkat(dfd, de->d_name, 0) == 0)
        continue;
      if (errno != EISDIR || depth >= WIPE_DEPTH) {
        again = -1;
        continue;
      }
      int sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0 || wipe(sub, depth + 1) < 0 || unlinkat(dfd, de->d_name, AT_REMOVEDIR) < 0)
        again = -1;
      if (sub >= 0)
        close(sub);
    }
    closedir(d);
    if (again < 0)
      return -1;
    if (n == 0)
      return 0;
  }
  return -1;
}

void workdir_cleanup(struct box *b) {
  if (!b->work_mounted || b->work_clean)
    return;
  int ok = 0;
  int dfd = open(b->work_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ok = 1;
    static const char *const sub[] = {"box", "tmp"};
    for (int i = 0; i < 2; i++) {
      int fd = openat(dfd, sub[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 || wipe(fd, 0) < 0)
        ok = 0;
      if (fd >= 0)
        close(fd);
    }
    close(dfd);
  }
  if (ok) {
    b->work_clean = 1;
    return;
  }
  workdir_unmount(b);
}

void workdir_unmount(struct box *b) {
  if (b->work_mounted && umount2(b->work_dir, MNT_DETACH) == 0)
    b->work_mounted = 0;
  b->work_opts[0] = '\0';
  b->work_clean = 0;
}

#define CLEAN_MARK ".wiped"

void workdir_adopt(struct box *b) {
  int dfd = open(b->work_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return;
  struct statx sx;
  /* Only our own tmpfs on that very directory, with the mark in its root
   * (which no box can reach: boxes see box/ and tmp/ only). */
  if (statx(dfd, "", AT_EMPTY_PATH, 0, &sx) == 0 && (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
      (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) && unlinkat(dfd, CLEAN_MARK, 0) == 0) {
    struct statfs sf;
    if (fstatfs(dfd, &sf) == 0 && sf.f_type == TMPFS_MAGIC) {
      b->work_mounted = 1;
      b->work_clean = 1;
    }
  }
  close(dfd);
}

void workdir_leave(struct box *b) {
  if (!b->work_mounted || !b->work_clean) {
    workdir_unmount(b);
    return;
  }
  int dfd = open(b->work_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  int fd = dfd >= 0 ? openat(dfd, CLEAN_MARK, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600) : -1;
  if (fd < 0)
    workdir_unmount(b);
  else
    close(fd);
  if (dfd >= 0)
    close(dfd);
}
