/* zauth_keys.c — the allowed-keys file: "ROLE PUBLIC-KEY-Z85 [NAME]" per
 * line, parsed strictly (the file decides who may talk to the broker, so a
 * line we do not fully understand refuses the whole file rather than being
 * skipped) into a table sorted by key for lookups on every handshake. */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "err.h"
#include "zauth.h"

#define KEYS_MAX_FILE (16u << 20) /* 65536 lines of ~120 bytes fit with room */
#define KEYS_MAX_LINE 1024

struct jp_keytab {
  struct jp_keyent *e;
  size_t n;
};

static int cmp_ent(const void *a, const void *b) {
  return memcmp(((const struct jp_keyent *)a)->key, ((const struct jp_keyent *)b)->key, 32);
}

static int name_ok(const char *s, size_t n) {
  if (n == 0 || n > JP_KEY_NAME_MAX) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          strchr("._@+-", c)))
      return 0;
  }
  return 1;
}

/* Splits a line into at most 4 whitespace-separated words (the 4th only to
 * detect trailing garbage). */
static size_t words(char *s, char *w[4]) {
  size_t n = 0;
  while (*s && n < 4) {
    s += strspn(s, " \t\r");
    if (!*s) break;
    w[n++] = s;
    s += strcspn(s, " \t\r");
    if (*s) *s++ = 0;
  }
  return n;
}

static int parse_line(char *line, size_t no, const char *name, struct jp_keyent *e, char *err,
                      size_t errlen) {
  char *w[4] = {NULL, NULL, NULL, NULL}; /* gcc -O3 cannot see that words() fills w[0..n) */
  size_t n = words(line, w);
  if (n < 2 || n > 3)
    return jp_err(err, errlen, "%s:%zu: expected 'ROLE PUBLIC-KEY [NAME]' (%zu words found)",
                  name, no, n);
  if (jp_role_parse(w[0], &e->role) < 0 || e->role == JP_ROLE_INSECURE)
    return jp_err(err, errlen, "%s:%zu: unknown role '%.32s' (worker, client or admin)", name,
                  no, w[0]);
  if (!jp_z85_key_valid(w[1]) || !zmq_z85_decode(e->key, w[1]))
    return jp_err(err, errlen,
                  "%s:%zu: '%.48s' is not a Z85 public key (40 characters, from the "
                  "public-key line of a certificate made by 'judge keygen')",
                  name, no, w[1]);
  memcpy(e->z85, w[1], JP_Z85_KEY_LEN + 1);
  e->name[0] = 0;
  if (n == 3) {
    size_t l = strlen(w[2]);
    if (!name_ok(w[2], l))
      return jp_err(err, errlen, "%s:%zu: bad name '%.64s' (1..%d of A-Z a-z 0-9 . _ @ + -)",
                    name, no, w[2], JP_KEY_NAME_MAX);
    memcpy(e->name, w[2], l + 1);
  }
  return 0;
}

int jp_keytab_parse(const char *buf, size_t len, const char *name, struct jp_keytab **out,
                    char *err, size_t errlen) {
  *out = NULL;
  if (len > KEYS_MAX_FILE)
    return jp_err(err, errlen, "%s: %zu bytes, over the %u-byte cap for a keys file", name, len,
                  KEYS_MAX_FILE);
  struct jp_keytab *t = calloc(1, sizeof *t);
  if (!t) return jp_err(err, errlen, "%s: out of memory", name);
  size_t cap = 0, no = 0, pos = 0;
  while (pos < len) {
    const char *nl = memchr(buf + pos, '\n', len - pos);
    size_t ll = nl ? (size_t)(nl - (buf + pos)) : len - pos;
    no++;
    if (ll >= KEYS_MAX_LINE) {
      jp_err(err, errlen, "%s:%zu: line longer than %d bytes", name, no, KEYS_MAX_LINE - 1);
      goto fail;
    }
    char line[KEYS_MAX_LINE];
    memcpy(line, buf + pos, ll);
    line[ll] = 0;
    pos += ll + (nl ? 1 : 0);
    if (memchr(line, 0, ll)) {
      jp_err(err, errlen, "%s:%zu: NUL byte in line", name, no);
      goto fail;
    }
    char *s = line + strspn(line, " \t\r");
    if (!*s || *s == '#') continue;
    if (t->n == JP_KEYS_MAX) {
      jp_err(err, errlen, "%s:%zu: more than %d keys", name, no, JP_KEYS_MAX);
      goto fail;
    }
    if (t->n == cap) {
      size_t nc = cap ? cap * 2 : 16;
      struct jp_keyent *ne = realloc(t->e, nc * sizeof *ne);
      if (!ne) {
        jp_err(err, errlen, "%s: out of memory", name);
        goto fail;
      }
      t->e = ne;
      cap = nc;
    }
    if (parse_line(s, no, name, &t->e[t->n], err, errlen) < 0) goto fail;
    t->e[t->n].line = (unsigned)no;
    t->n++;
  }
  if (t->n > 1) {
    qsort(t->e, t->n, sizeof *t->e, cmp_ent);
    for (size_t i = 1; i < t->n; i++)
      if (!memcmp(t->e[i - 1].key, t->e[i].key, 32)) {
        unsigned a = t->e[i - 1].line, b = t->e[i].line;
        jp_err(err, errlen,
               "%s:%u: key %s is already listed on line %u (one key, one role: give the "
               "other role its own key)",
               name, a > b ? a : b, t->e[i].z85, a > b ? b : a);
        goto fail;
      }
  }
  *out = t;
  return 0;
fail:
  jp_keytab_free(t);
  return -1;
}

int jp_keytab_load(const char *path, struct jp_keytab **out, char *err, size_t errlen) {
  *out = NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return jp_errno(err, errlen, "opening keys file %s", path);
  struct stat st;
  if (fstat(fd, &st) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return jp_errno(err, errlen, "stat %s", path);
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return jp_err(err, errlen, "keys file %s is not a regular file", path);
  }
  /* who may connect is decided by this file: someone else writing it is
   * as good as having a key */
  if (st.st_mode & S_IWOTH) {
    close(fd);
    return jp_err(err, errlen, "keys file %s is world-writable: chmod o-w it", path);
  }
  if ((uint64_t)st.st_size > KEYS_MAX_FILE) {
    close(fd);
    return jp_err(err, errlen, "keys file %s: %lld bytes, over the %u-byte cap", path,
                  (long long)st.st_size, KEYS_MAX_FILE);
  }
  size_t cap = (size_t)st.st_size + 1, len = 0;
  char *buf = malloc(cap);
  if (!buf) {
    close(fd);
    return jp_err(err, errlen, "keys file %s: out of memory", path);
  }
  /* read at most what stat said (+1 to notice growth): never unbounded */
  for (;;) {
    ssize_t r = read(fd, buf + len, cap - len);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int e = errno;
      free(buf);
      close(fd);
      errno = e;
      return jp_errno(err, errlen, "reading %s", path);
    }
    if (r == 0) break;
    len += (size_t)r;
    if (len == cap) {
      free(buf);
      close(fd);
      return jp_err(err, errlen, "keys file %s changed while being read; try again", path);
    }
  }
  close(fd);
  int rc = jp_keytab_parse(buf, len, path, out, err, errlen);
  free(buf);
  return rc;
}

const struct jp_keyent *jp_keytab_find(const struct jp_keytab *t, const unsigned char key[32]) {
  if (!t || !t->n) return NULL;
  struct jp_keyent k;
  memcpy(k.key, key, 32);
  return bsearch(&k, t->e, t->n, sizeof *t->e, cmp_ent);
}

size_t jp_keytab_count(const struct jp_keytab *t) { return t ? t->n : 0; }

const struct jp_keyent *jp_keytab_at(const struct jp_keytab *t, size_t i) {
  return t && i < t->n ? &t->e[i] : NULL;
}

void jp_keytab_free(struct jp_keytab *t) {
  if (!t) return;
  free(t->e);
  free(t);
}
