/* zauth_cert.c — CURVE key pairs on disk in the zcert text format that
 * czmq, pyzmq and zmq tooling read and write ("curve" section with
 * public-key / secret-key in Z85), so operators can use keys made by any
 * of them. The reader is strict and bounded; the secret file must be 0600. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "err.h"
#include "zauth.h"

#define CERT_MAX_FILE (64u << 10)

static const char z85_chars[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

int jp_z85_key_valid(const char *s) {
  if (!s) return 0;
  for (size_t i = 0; i < JP_Z85_KEY_LEN; i++)
    if (!s[i] || !strchr(z85_chars, s[i])) return 0;
  if (s[JP_Z85_KEY_LEN]) return 0;
  /* a valid character string can still overflow a 32-bit group */
  unsigned char k[32];
  int ok = zmq_z85_decode(k, s) != NULL;
  sodium_memzero(k, sizeof k);
  return ok;
}

void jp_keypair_wipe(struct jp_keypair *kp) { sodium_memzero(kp, sizeof *kp); }

int jp_keypair_new(struct jp_keypair *kp, char *err, size_t errlen) {
  memset(kp, 0, sizeof *kp);
  if (zmq_curve_keypair(kp->public_z85, kp->secret_z85) != 0)
    return jp_err(err, errlen, "zmq_curve_keypair: %s (is libzmq built with CURVE?)",
                  zmq_strerror(zmq_errno()));
  return 0;
}

static int write_all(int fd, const char *s, size_t n) {
  while (n) {
    ssize_t w = write(fd, s, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    s += w;
    n -= (size_t)w;
  }
  return 0;
}

static int write_cert(const char *path, const char *text, mode_t mode, int force, char *err,
                      size_t errlen) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp)
    return jp_err(err, errlen, "path too long: %s", path);
  /* created with its final mode (never briefly world-readable), renamed
   * into place only when complete */
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return jp_errno(err, errlen, "creating %s", tmp);
  if (fchmod(fd, mode) < 0 || write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0) {
    int e = errno;
    close(fd);
    unlink(tmp);
    errno = e;
    return jp_errno(err, errlen, "writing %s", tmp);
  }
  close(fd);
  int rc = force ? rename(tmp, path) : link(tmp, path);
  int e = errno;
  if (!force) unlink(tmp);
  if (rc < 0) {
    if (force) unlink(tmp);
    errno = e;
    return jp_errno(err, errlen, "%s %s%s", force ? "replacing" : "creating", path,
                    e == EEXIST ? " (it exists: pick another --out, or --force)" : "");
  }
  return 0;
}

int jp_cert_write(const char *base, const struct jp_keypair *kp, int force, char *err,
                  size_t errlen) {
  if (!base || !*base) return jp_err(err, errlen, "keygen: empty output name");
  if (!jp_z85_key_valid(kp->public_z85) || !jp_z85_key_valid(kp->secret_z85))
    return jp_err(err, errlen, "keygen: invalid key pair");
  char spath[4096];
  if (snprintf(spath, sizeof spath, "%s_secret", base) >= (int)sizeof spath)
    return jp_err(err, errlen, "path too long: %s", base);
  if (!force) {
    struct stat st;
    if (lstat(base, &st) == 0 || lstat(spath, &st) == 0)
      return jp_err(err, errlen, "%s or %s exists: pick another --out, or --force", base, spath);
  }
  char when[64];
  time_t now = time(NULL);
  struct tm tm;
  strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", gmtime_r(&now, &tm));
  char pub[1024], sec[1024];
  snprintf(pub, sizeof pub,
           "#   ****  Generated on %s UTC by judge keygen  ****\n"
           "#   ZeroMQ CURVE Public Certificate\n"
           "#   Exchange securely, or use a secure mechanism to verify the contents\n"
           "#   of this file after exchange.\n"
           "\n"
           "metadata\n"
           "curve\n"
           "    public-key = \"%s\"\n",
           when, kp->public_z85);
  snprintf(sec, sizeof sec,
           "#   ****  Generated on %s UTC by judge keygen  ****\n"
           "#   ZeroMQ CURVE **Secret** Certificate\n"
           "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\n"
           "\n"
           "metadata\n"
           "curve\n"
           "    public-key = \"%s\"\n"
           "    secret-key = \"%s\"\n",
           when, kp->public_z85, kp->secret_z85);
  int rc = write_cert(spath, sec, 0600, force, err, errlen);
  sodium_memzero(sec, sizeof sec);
  if (rc < 0) return -1;
  if (write_cert(base, pub, 0644, force, err, errlen) < 0) {
    unlink(spath); /* half a pair is only confusing */
    return -1;
  }
  return 0;
}

/* Reads a certificate (bounded, regular file) into buf. */
static int read_cert(const char *path, int secret, char *buf, size_t buflen, char *err,
                     size_t errlen) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return jp_errno(err, errlen, "opening certificate %s", path);
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return jp_err(err, errlen, "certificate %s is not a regular file", path);
  }
  if (secret && (st.st_mode & 077)) {
    close(fd);
    return jp_err(err, errlen,
                  "secret certificate %s is readable by others (mode %03o): chmod 600 it, and "
                  "make a new key pair if others may have read it",
                  path, (unsigned)(st.st_mode & 0777));
  }
  size_t len = 0;
  for (;;) {
    ssize_t r = read(fd, buf + len, buflen - 1 - len);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int e = errno;
      close(fd);
      errno = e;
      return jp_errno(err, errlen, "reading %s", path);
    }
    if (r == 0) break;
    len += (size_t)r;
    if (len == buflen - 1) {
      close(fd);
      return jp_err(err, errlen, "certificate %s is over %zu bytes: not a certificate", path,
                    buflen - 1);
    }
  }
  close(fd);
  buf[len] = 0;
  if (strlen(buf) != len) return jp_err(err, errlen, "certificate %s contains a NUL byte", path);
  return 0;
}

/* zcert (ZPL subset): unindented lines open a section, indented
 * "name = value" lines belong to it; values may be "quoted". Takes the two
 * keys of the "curve" section; anything unparseable is an error. */
static int parse_cert(char *text, const char *path, char pub[41], char sec[41], char *err,
                      size_t errlen) {
  char section[32] = "";
  pub[0] = sec[0] = 0;
  int no = 0;
  for (char *line = text, *next; line && *line; line = next) {
    no++;
    next = strchr(line, '\n');
    if (next) *next++ = 0;
    size_t l = strlen(line);
    if (l && line[l - 1] == '\r') line[--l] = 0;
    size_t ind = strspn(line, " \t");
    char *s = line + ind;
    if (!*s || *s == '#') continue;
    if (ind == 0) {
      if (strlen(s) >= sizeof section || strpbrk(s, " =\""))
        return jp_err(err, errlen, "%s:%d: bad section name", path, no);
      strcpy(section, s);
      continue;
    }
    char *eq = strchr(s, '=');
    if (!eq) return jp_err(err, errlen, "%s:%d: expected 'name = value'", path, no);
    char *k = s, *ke = eq;
    while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t')) ke--;
    *ke = 0;
    char *v = eq + 1 + strspn(eq + 1, " \t");
    size_t vl = strlen(v);
    while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t')) v[--vl] = 0;
    if (vl && v[0] == '"') {
      if (vl < 2 || v[vl - 1] != '"')
        return jp_err(err, errlen, "%s:%d: unterminated quoted value", path, no);
      v[vl - 1] = 0;
      v++;
    }
    if (strcmp(section, "curve")) continue; /* metadata: not ours to judge */
    char *dst = !strcmp(k, "public-key") ? pub : !strcmp(k, "secret-key") ? sec : NULL;
    if (!dst) continue;
    if (dst[0]) return jp_err(err, errlen, "%s:%d: %s given twice", path, no, k);
    if (!jp_z85_key_valid(v))
      return jp_err(err, errlen, "%s:%d: %s is not a 40-character Z85 key", path, no, k);
    memcpy(dst, v, JP_Z85_KEY_LEN + 1);
  }
  if (!pub[0])
    return jp_err(err, errlen, "%s: no public-key in a 'curve' section: not a ZeroMQ certificate",
                  path);
  return 0;
}

int jp_cert_load_secret(const char *path, struct jp_keypair *kp, char *err, size_t errlen) {
  memset(kp, 0, sizeof *kp);
  char *buf = malloc(CERT_MAX_FILE + 1);
  if (!buf) return jp_err(err, errlen, "reading %s: out of memory", path);
  int rc = read_cert(path, 1, buf, CERT_MAX_FILE + 1, err, errlen);
  if (rc == 0) rc = parse_cert(buf, path, kp->public_z85, kp->secret_z85, err, errlen);
  sodium_memzero(buf, CERT_MAX_FILE + 1);
  free(buf);
  if (rc == 0 && !kp->secret_z85[0])
    rc = jp_err(err, errlen, "%s has no secret-key: give the _secret file, not the public one",
                path);
  if (rc == 0) {
    char derived[41];
    if (zmq_curve_public(derived, kp->secret_z85) != 0 || strcmp(derived, kp->public_z85))
      rc = jp_err(err, errlen, "%s: public-key does not belong to secret-key (file edited?)",
                  path);
  }
  if (rc < 0) jp_keypair_wipe(kp);
  return rc;
}

int jp_cert_load_public(const char *spec, char out[JP_Z85_KEY_LEN + 1], char *err,
                        size_t errlen) {
  out[0] = 0;
  if (!spec || !*spec) return jp_err(err, errlen, "no public key or certificate given");
  struct stat st;
  if (jp_z85_key_valid(spec) && stat(spec, &st) < 0) {
    memcpy(out, spec, JP_Z85_KEY_LEN + 1);
    return 0;
  }
  char *buf = malloc(CERT_MAX_FILE + 1);
  if (!buf) return jp_err(err, errlen, "reading %s: out of memory", spec);
  char sec[41];
  int rc = read_cert(spec, 0, buf, CERT_MAX_FILE + 1, err, errlen);
  if (rc == 0) rc = parse_cert(buf, spec, out, sec, err, errlen);
  sodium_memzero(sec, sizeof sec);
  sodium_memzero(buf, CERT_MAX_FILE + 1);
  free(buf);
  if (rc < 0) out[0] = 0;
  return rc;
}
