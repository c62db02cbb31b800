/* blobstore.c — content-addressed blob files (see blobstore.h). */
#include "blobstore.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"

int blob_hash_valid(const char *s) {
  if (!s) return 0;
  for (int i = 0; i < 64; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
  return s[64] == 0;
}

void blob_hash(const void *data, size_t len, char out[65]) {
  unsigned char d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(d, data, len);
  sodium_bin2hex(out, 65, d, sizeof d);
}

int blob_hash_file(const char *path, char out[65], uint64_t *size, char *err, size_t errlen) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return jp_errno(err, errlen, "opening %s", path);
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  unsigned char buf[65536];
  uint64_t total = 0;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      jp_errno(err, errlen, "reading %s", path);
      close(fd);
      return -1;
    }
    if (n == 0) break;
    crypto_hash_sha256_update(&st, buf, (size_t)n);
    total += (uint64_t)n;
  }
  close(fd);
  unsigned char d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, d);
  sodium_bin2hex(out, 65, d, sizeof d);
  if (size) *size = total;
  return 0;
}

/* Temp files of puts that never finished (the writer was killed): they
 * are no blob, eviction does not count them, nothing else removes them. */
static void remove_stale_temps(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (strlen(e->d_name) != 2 || !isxdigit((unsigned char)e->d_name[0]) || !isxdigit((unsigned char)e->d_name[1]))
      continue;
    char sub[4096];
    if ((size_t)snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name) >= sizeof sub) continue;
    int sfd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    DIR *sd = sfd >= 0 ? fdopendir(sfd) : NULL;
    if (!sd) {
      if (sfd >= 0) close(sfd);
      continue;
    }
    struct dirent *f;
    while ((f = readdir(sd)))
      if (strstr(f->d_name, ".tmp.")) unlinkat(dirfd(sd), f->d_name, 0);
    closedir(sd);
  }
  closedir(d);
}

int blobstore_init(struct blobstore *bs, const char *dir, uint64_t max_bytes, char *err, size_t errlen) {
  if (sodium_init() < 0) return jp_err(err, errlen, "libsodium failed to initialise");
  if (strlen(dir) >= sizeof bs->dir - 80) return jp_err(err, errlen, "blob directory path too long: %s", dir);
  snprintf(bs->dir, sizeof bs->dir, "%s", dir);
  bs->max_bytes = max_bytes;
  if (mkdir(dir, 0755) < 0 && errno != EEXIST) return jp_errno(err, errlen, "creating blob directory %s", dir);
  remove_stale_temps(dir); /* one process owns the directory: none is in progress */
  return 0;
}

int blobstore_path(const struct blobstore *bs, const char *hash, char *out, size_t outlen) {
  if (!blob_hash_valid(hash)) return -1;
  if ((size_t)snprintf(out, outlen, "%s/%.2s/%s", bs->dir, hash, hash) >= outlen) return -1;
  return 0;
}

int blobstore_has(const struct blobstore *bs, const char *hash) {
  char p[4096];
  if (blobstore_path(bs, hash, p, sizeof p) < 0) return 0;
  return access(p, F_OK) == 0;
}

static int write_all(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int blobstore_put(const struct blobstore *bs, const char *hash, const void *data, size_t len,
                  char *err, size_t errlen) {
  char path[4096], sub[4096], tmp[4200];
  if (blobstore_path(bs, hash, path, sizeof path) < 0) return jp_err(err, errlen, "bad blob hash");
  char got[65];
  blob_hash(data, len, got);
  if (strcmp(got, hash)) return jp_err(err, errlen, "blob content does not match its hash %.16s...", hash);
  if (access(path, F_OK) == 0) return 0;
  snprintf(sub, sizeof sub, "%s/%.2s", bs->dir, hash);
  if (mkdir(sub, 0755) < 0 && errno != EEXIST) return jp_errno(err, errlen, "creating %s", sub);
  /* a name of its own per writer: a worker's slots fetch the same blobs at
   * once on a cold cache, and a shared temp name let one thread rename the
   * file from under another (its rename then failed: the job ended IE) */
  snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
  int fd = mkostemp(tmp, O_CLOEXEC);
  if (fd < 0) return jp_errno(err, errlen, "creating %s", tmp);
  if (fchmod(fd, 0644) < 0) { /* problem data, read by boxes */
    jp_errno(err, errlen, "chmod %s", tmp);
    close(fd);
    unlink(tmp);
    return -1;
  }
  if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
    jp_errno(err, errlen, "writing %s (disk full?)", tmp);
    close(fd);
    unlink(tmp);
    return -1;
  }
  close(fd);
  if (rename(tmp, path) < 0) {
    jp_errno(err, errlen, "renaming %s", tmp);
    unlink(tmp);
    return -1;
  }
  int dfd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return 0;
}

int blobstore_read(const struct blobstore *bs, const char *hash, size_t max, void **data,
                   size_t *len, char *err, size_t errlen) {
  *data = NULL;
  *len = 0;
  char path[4096];
  if (blobstore_path(bs, hash, path, sizeof path) < 0) return jp_err(err, errlen, "bad blob hash");
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return jp_errno(err, errlen, "opening blob %s", path);
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
    close(fd);
    return jp_err(err, errlen, "blob %s is not a regular file under %zu bytes", path, max);
  }
  size_t n = (size_t)st.st_size;
  char *buf = malloc(n ? n : 1);
  if (!buf) {
    close(fd);
    return jp_errno(err, errlen, "allocating %zu bytes for blob", n);
  }
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      jp_errno(err, errlen, "reading blob %s", path);
      free(buf);
      close(fd);
      return -1;
    }
    got += (size_t)r;
  }
  close(fd);
  *data = buf;
  *len = n;
  return 0;
}

struct entry {
  char path[4096];
  uint64_t size;
  time_t used;
};

static int by_age(const void *a, const void *b) {
  const struct entry *x = a, *y = b;
  return (x->used > y->used) - (x->used < y->used);
}

int blobstore_evict(const struct blobstore *bs, int (*keep)(const char *hash, void *arg), void *arg, char *err,
                    size_t errlen) {
  if (!bs->max_bytes) return 0;
  DIR *top = opendir(bs->dir);
  if (!top) return jp_errno(err, errlen, "listing %s", bs->dir);
  struct entry *v = NULL;
  size_t n = 0, cap = 0;
  uint64_t total = 0;
  struct dirent *d;
  while ((d = readdir(top))) {
    if (strlen(d->d_name) != 2) continue;
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/%s", bs->dir, d->d_name);
    DIR *s = opendir(sub);
    if (!s) continue;
    struct dirent *e;
    while ((e = readdir(s))) {
      if (!blob_hash_valid(e->d_name)) continue;
      struct entry en;
      if ((size_t)snprintf(en.path, sizeof en.path, "%s/%s", sub, e->d_name) >= sizeof en.path) continue;
      struct stat st;
      if (lstat(en.path, &st) < 0 || !S_ISREG(st.st_mode)) continue;
      total += (uint64_t)st.st_size;
      if (st.st_nlink > 1) continue; /* a problem directory links to it */
      en.size = (uint64_t)st.st_size;
      en.used = st.st_mtime > st.st_atime ? st.st_mtime : st.st_atime;
      if (n == cap) {
        cap = cap ? cap * 2 : 64;
        struct entry *nv = realloc(v, cap * sizeof *v);
        if (!nv) break;
        v = nv;
      }
      v[n++] = en;
    }
    closedir(s);
  }
  closedir(top);
  if (n) qsort(v, n, sizeof *v, by_age);
  for (size_t i = 0; i < n && total > bs->max_bytes; i++)
    if (!(keep && keep(v[i].path + strlen(v[i].path) - 64, arg)) && unlink(v[i].path) == 0) total -= v[i].size;
  free(v);
  return 0;
}
