/* fuzz_config.c — libFuzzer harness for the operator files the daemons
 * read at start and on SIGHUP, which may be broken or hostile: the keys
 * file (common/zauth_keys.c: jp_keytab_parse), the 'key = value' config
 * file (common/kvconf.c: jp_kvconf_load) and certificates (zauth_cert.c:
 * jp_cert_load_secret / _public), the last two read through a memfd. The
 * first byte chooses the reader. Beyond "no crash": a refusal always says
 * why, an accepted keys table holds only well-formed entries, every setting
 * handed to the setter is trimmed and bounded, and an accepted certificate
 * holds valid keys that belong together. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "kvconf.h"
#include "zauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_keys(const char *buf, size_t len) {
  struct jp_keytab *t = NULL;
  char err[512] = "";
  if (jp_keytab_parse(buf, len, "fuzz", &t, err, sizeof err) < 0) {
    if (t || !err[0]) abort(); /* refused: nothing returned, and a reason */
    return;
  }
  size_t n = jp_keytab_count(t), lines = 1;
  for (size_t i = 0; i < len; i++) lines += buf[i] == '\n';
  if (n > lines || n > JP_KEYS_MAX) abort();
  for (size_t i = 0; i < n; i++) {
    const struct jp_keyent *e = jp_keytab_at(t, i);
    if (!e || !jp_z85_key_valid(e->z85) || jp_keytab_find(t, e->key) != e) abort();
    if (e->role != JP_ROLE_WORKER && e->role != JP_ROLE_CLIENT && e->role != JP_ROLE_ADMIN) abort();
    if (strlen(e->name) > JP_KEY_NAME_MAX || e->line < 1 || e->line > lines) abort();
  }
  if (jp_keytab_at(t, n)) abort();
  jp_keytab_free(t);
}

struct seen {
  size_t calls;
};

/* A setter like the daemons': it refuses some keys, so the reader's error
 * path runs too. */
static int setter(void *ctx, const char *key, const char *value, char *err, size_t errlen) {
  struct seen *s = ctx;
  s->calls++;
  size_t kl = strlen(key), vl = strlen(value);
  if (kl > 1024 || vl > 1024) abort();
  if (kl && (isspace((unsigned char)key[0]) || isspace((unsigned char)key[kl - 1]))) abort();
  if (vl && (isspace((unsigned char)value[0]) || isspace((unsigned char)value[vl - 1]))) abort();
  if (strchr(key, '=') || strchr(key, '\n') || strchr(value, '\n')) abort();
  if (!strcmp(key, "bool")) {
    int b = -1;
    if (jp_kv_bool(key, value, &b, err, errlen) < 0) return -1;
    if (b != 0 && b != 1) abort();
  } else if (!strcmp(key, "number")) {
    long v = 0;
    if (jp_kv_long(key, value, -5, 100000, &v, err, errlen) < 0) return -1;
    if (v < -5 || v > 100000) abort();
  } else if (!strcmp(key, "refuse")) {
    snprintf(err, errlen, "refused");
    return -1;
  }
  return 0;
}

/* data as a file of mode 0600; its path in path */
static int as_file(const uint8_t *data, size_t size, char path[64]) {
  int fd = memfd_create("fuzz-config", MFD_CLOEXEC);
  if (fd < 0 || fchmod(fd, 0600) < 0) abort();
  size_t off = 0;
  while (off < size) {
    ssize_t w = write(fd, data + off, size - off);
    if (w <= 0) abort();
    off += (size_t)w;
  }
  snprintf(path, 64, "/proc/self/fd/%d", fd);
  return fd;
}

static void check_cert(const uint8_t *data, size_t size) {
  char path[64], err[1024] = "";
  int fd = as_file(data, size, path);
  struct jp_keypair kp;
  if (jp_cert_load_secret(path, &kp, err, sizeof err) == 0) {
    char derived[JP_Z85_KEY_LEN + 1];
    if (err[0] || !jp_z85_key_valid(kp.public_z85) || !jp_z85_key_valid(kp.secret_z85) ||
        zmq_curve_public(derived, kp.secret_z85) != 0 || strcmp(derived, kp.public_z85))
      abort();
  } else if (!err[0] || kp.secret_z85[0]) { /* refused: a reason, and no key left behind */
    abort();
  }
  char pub[JP_Z85_KEY_LEN + 1];
  err[0] = 0;
  if (jp_cert_load_public(path, pub, err, sizeof err) == 0) {
    if (!jp_z85_key_valid(pub)) abort();
  } else if (!err[0]) {
    abort();
  }
  close(fd);
}

static void check_config(const uint8_t *data, size_t size) {
  char path[64], err[1024] = "";
  int fd = as_file(data, size, path);
  struct seen s = {0};
  int rc = jp_kvconf_load(path, setter, &s, err, sizeof err);
  close(fd);
  if (rc < 0 && !err[0]) abort();
  if (rc == 0 && err[0]) abort();
  /* a NUL byte anywhere refuses the file (whatever else it held) */
  if (rc == 0 && memchr(data, 0, size)) abort();
  size_t lines = 1;
  for (size_t i = 0; i < size; i++) lines += data[i] == '\n';
  if (s.calls > lines) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > (1u << 20)) return 0;
  if (data[0] % 3 == 1) {
    check_config(data + 1, size - 1);
  } else if (data[0] % 3 == 2) {
    check_cert(data + 1, size - 1);
  } else {
    /* the reader gets a buffer with nothing after it (no NUL), as when it
     * reads a file */
    char *buf = malloc(size - 1 ? size - 1 : 1);
    if (!buf) return 0;
    memcpy(buf, data + 1, size - 1);
    check_keys(buf, size - 1);
    free(buf);
  }
  return 0;
}
