/* vcache.c — output validators and testlib checkers are built once per
 * package content: the cache key is a BLAKE2b hash of the language entry
 * and every source file (name and bytes), so an edited validator is rebuilt
 * and an unchanged one is reused across submissions and processes. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine_internal.h"
#include "err.h"
#include "pkgfs.h"
#include "source_rules.h"

#define VSRC_MAX_FILE (8u << 20)
#define VSRC_MAX_TOTAL (32u << 20)
#define VAL_MEMORY_MIB 2048

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void hash_str(crypto_generichash_state *h, const char *s) {
  crypto_generichash_update(h, (const unsigned char *)s, strlen(s) + 1);
}

static void hash_list(crypto_generichash_state *h, char *const *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    hash_str(h, v[i]);
  hash_str(h, "|");
}

/* Language of a validator directory: C++ if any C++ source, else C, else
 * Python. */
static const struct lang *pick_lang(const struct lang_table *t, char *const *names, size_t n) {
  static const char *order[] = {"cpp", "c", "python3"};
  for (size_t k = 0; k < 3; k++) {
    const struct lang *l = lang_find(t, order[k]);
    if (!l)
      continue;
    for (size_t i = 0; i < n; i++)
      if (lang_has_ext(l, names[i]))
        return l;
  }
  return NULL;
}

static int write_manifest(const char *dir, char *const *names, size_t n, char *err, size_t errlen) {
  char path[PATH_MAX], buf[PROGRAM_MAX_FILES * 110];
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    k += (size_t)snprintf(buf + k, sizeof buf - k, "%s\n", names[i]);
  if (fs_join(path, sizeof path, dir, "MANIFEST", err, errlen) < 0)
    return -1;
  return fs_write_file(path, buf, k, err, errlen);
}

static int read_manifest(const char *dir, char **names, size_t *n) {
  char path[PATH_MAX], *buf;
  if (fs_join(path, sizeof path, dir, "MANIFEST", NULL, 0) < 0 ||
      fs_read_file(path, PROGRAM_MAX_FILES * 110, &buf, NULL, NULL, 0) < 0)
    return -1;
  *n = 0;
  for (char *s = buf, *nl; *s && (nl = strchr(s, '\n')) && *n < PROGRAM_MAX_FILES; s = nl + 1) {
    *nl = 0;
    if (!jp_safe_name(s) || !(names[*n] = strdup(s)))
      break;
    (*n)++;
  }
  free(buf);
  return *n ? 0 : -1;
}

int vcache_get(struct judge_engine *e, struct box *b, const struct problem *p, struct program *out, char *err,
               size_t errlen) {
  /* Collect the sources (regular files inside the package, bounded). */
  DIR *d = opendir(p->vdir);
  if (!d)
    return jp_errno(err, errlen, "cannot list the output validator %s", p->vdir);
  char *names[PROGRAM_MAX_FILES];
  size_t n = 0;
  int rc = -1;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.')
      continue;
    if (n >= PROGRAM_MAX_FILES) {
      closedir(d);
      jp_err(err, errlen, "output validator %s has too many files (at most %d)", p->vdir, PROGRAM_MAX_FILES);
      goto out;
    }
    if (!jp_safe_name(de->d_name)) {
      closedir(d);
      jp_err(err, errlen, "output validator file %s/%.100s: name not allowed (letters, digits, . _ + -)", p->vdir,
             de->d_name);
      goto out;
    }
    names[n++] = strdup(de->d_name);
    if (!names[n - 1]) {
      n--;
      closedir(d);
      jp_err(err, errlen, "out of memory");
      goto out;
    }
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp_str);
  const struct lang *l = pick_lang(&e->langs, names, n);
  if (!l) {
    jp_err(err, errlen, "output validator %s has no C, C++ or Python source", p->vdir);
    goto out;
  }
  char srcs[PROGRAM_MAX_FILES][PATH_MAX];
  crypto_generichash_state h;
  crypto_generichash_init(&h, NULL, 0, 32);
  hash_str(&h, "judgepool-validator-v1");
  hash_str(&h, l->id);
  hash_list(&h, l->compile, l->ncompile);
  hash_list(&h, l->keep, l->nkeep);
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    char path[PATH_MAX];
    if (fs_join(path, sizeof path, p->vdir, names[i], err, errlen) < 0)
      goto out;
    int r = fs_resolve_in(p->root, path, srcs[i], sizeof srcs[i], err, errlen);
    if (r) {
      if (r == 1)
        jp_err(err, errlen, "%s is a dangling symlink", path);
      goto out;
    }
    char *buf;
    size_t len;
    if (fs_read_file(srcs[i], VSRC_MAX_FILE, &buf, &len, err, errlen) < 0)
      goto out;
    total += len;
    hash_str(&h, names[i]);
    crypto_generichash_update(&h, (const unsigned char *)&len, sizeof len);
    crypto_generichash_update(&h, (const unsigned char *)buf, len);
    free(buf);
    if (total > VSRC_MAX_TOTAL) {
      jp_err(err, errlen, "output validator %s is too large (over %u bytes)", p->vdir, VSRC_MAX_TOTAL);
      goto out;
    }
  }
  unsigned char digest[32];
  crypto_generichash_final(&h, digest, sizeof digest);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  char final[PATH_MAX];
  if (fs_join(final, sizeof final, e->cache_dir, hex, err, errlen) < 0)
    goto out;

  pthread_mutex_lock(&e->vcache_lock);
  char *art[PROGRAM_MAX_FILES];
  size_t nart = 0;
  if (read_manifest(final, art, &nart) == 0) {
    rc = program_load(out, l, final, art, nart, VAL_MEMORY_MIB, err, errlen);
    for (size_t i = 0; i < nart; i++)
      free(art[i]);
    pthread_mutex_unlock(&e->vcache_lock);
    goto out;
  }
  char tmp[PATH_MAX];
  if (fs_join(tmp, sizeof tmp, e->cache_dir, "tmp-XXXXXX", err, errlen) < 0) {
    pthread_mutex_unlock(&e->vcache_lock);
    goto out;
  }
  if (!mkdtemp(tmp)) {
    jp_errno(err, errlen, "cannot create a build dir in %s (is the cache dir writable?)", e->cache_dir);
    pthread_mutex_unlock(&e->vcache_lock);
    goto out;
  }
  chmod(tmp, 0755);
  const char *sp[PROGRAM_MAX_FILES];
  for (size_t i = 0; i < n; i++)
    sp[i] = srcs[i];
  int ok;
  uint64_t cpu;
  char msg[2048];
  struct program built;
  if (program_build(e, b, l, sp, (const char *const *)names, n, tmp, VAL_MEMORY_MIB, &built, &ok, msg, sizeof msg,
                    &cpu, err, errlen) < 0) {
    fs_remove_tree(tmp);
    pthread_mutex_unlock(&e->vcache_lock);
    goto out;
  }
  if (!ok) {
    jp_err(err, errlen, "the output validator in %s does not compile (%s):\n%s", p->vdir, l->id, msg);
    fs_remove_tree(tmp);
    pthread_mutex_unlock(&e->vcache_lock);
    goto out;
  }
  if (write_manifest(tmp, built.names, built.nnames, err, errlen) < 0) {
    program_free(&built);
    fs_remove_tree(tmp);
    pthread_mutex_unlock(&e->vcache_lock);
    goto out;
  }
  if (rename(tmp, final) < 0) {
    /* another process won the race: use its copy */
    fs_remove_tree(tmp);
    program_free(&built);
    nart = 0;
    if (read_manifest(final, art, &nart) < 0) {
      jp_err(err, errlen, "validator cache %s is unusable; remove it", final);
      pthread_mutex_unlock(&e->vcache_lock);
      goto out;
    }
    rc = program_load(out, l, final, art, nart, VAL_MEMORY_MIB, err, errlen);
    for (size_t i = 0; i < nart; i++)
      free(art[i]);
  } else {
    rc = program_load(out, l, final, built.names, built.nnames, VAL_MEMORY_MIB, err, errlen);
    program_free(&built);
  }
  pthread_mutex_unlock(&e->vcache_lock);
out:
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  return rc;
}
