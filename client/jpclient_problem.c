/* jpclient_problem.c — a problem package by content: scan and hash the
 * files, ask the broker which hashes it lacks, upload only those. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blobstore.h"
#include "err.h"
#include "readfile.h"
#include "jpclient_internal.h"

static int add_file(struct jpc_problem *p, size_t *cap, const char *rel, const char *abs, char *err, size_t errlen) {
  if (p->nfiles >= JP_PROTO_MAX_FILES) return jp_err(err, errlen, "%s: more than %u files", p->dir, JP_PROTO_MAX_FILES);
  if (p->nfiles == *cap) {
    size_t nc = *cap ? *cap * 2 : 64;
    struct jp_file_ref *nf = realloc(p->files, nc * sizeof *nf);
    if (!nf) return jp_errno(err, errlen, "allocating file list");
    p->files = nf;
    *cap = nc;
  }
  char hash[65];
  uint64_t size;
  if (blob_hash_file(abs, hash, &size, err, errlen) < 0) return -1;
  if (size > JP_PROTO_MAX_FRAME - 65536)
    return jp_err(err, errlen, "%s: %llu bytes is over the %u MiB per-file limit", abs, (unsigned long long)size,
                  (JP_PROTO_MAX_FRAME - 65536) >> 20);
  struct jp_file_ref *f = &p->files[p->nfiles];
  f->path = strdup(rel);
  f->sha256 = strdup(hash);
  f->size = size;
  if (!f->path || !f->sha256) {
    free((void *)f->path);
    free((void *)f->sha256);
    return jp_errno(err, errlen, "allocating");
  }
  p->nfiles++;
  return 0;
}

static int walk(struct jpc_problem *p, size_t *cap, const char *rel, int depth, char *err, size_t errlen) {
  char abs[8192];
  snprintf(abs, sizeof abs, "%s%s%s", p->dir, *rel ? "/" : "", rel);
  if (depth > 16) return jp_err(err, errlen, "%s: directories nested too deep", abs);
  DIR *d = opendir(abs);
  if (!d) return jp_errno(err, errlen, "listing %s", abs);
  struct dirent *e;
  int rc = 0;
  while (rc == 0 && (e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char r2[4096], a2[12288];
    if ((size_t)snprintf(r2, sizeof r2, "%s%s%s", rel, *rel ? "/" : "", e->d_name) >= JP_PROTO_MAX_PATH) {
      rc = jp_err(err, errlen, "%s/%s: path too long", abs, e->d_name);
      break;
    }
    snprintf(a2, sizeof a2, "%s/%s", abs, e->d_name);
    struct stat st;
    if (lstat(a2, &st) < 0) continue;
    if (S_ISDIR(st.st_mode)) rc = walk(p, cap, r2, depth + 1, err, errlen);
    else if (S_ISREG(st.st_mode)) rc = add_file(p, cap, r2, a2, err, errlen);
    /* symlinks and specials are not package content */
  }
  closedir(d);
  return rc;
}

static int by_path(const void *a, const void *b) {
  return strcmp(((const struct jp_file_ref *)a)->path, ((const struct jp_file_ref *)b)->path);
}

int jpc_problem_scan(const char *dir, struct jpc_problem **out, char *err, size_t errlen) {
  *out = NULL;
  struct jpc_problem *p = calloc(1, sizeof *p);
  if (!p) return jp_errno(err, errlen, "allocating problem");
  if (strlen(dir) >= sizeof p->dir) {
    free(p);
    return jp_err(err, errlen, "problem path too long");
  }
  snprintf(p->dir, sizeof p->dir, "%s", dir);
  for (size_t n = strlen(p->dir); n > 1 && p->dir[n - 1] == '/'; n--) p->dir[n - 1] = 0;
  size_t cap = 0;
  if (walk(p, &cap, "", 0, err, errlen) < 0) {
    jpc_problem_free(p);
    return -1;
  }
  if (p->nfiles) qsort(p->files, p->nfiles, sizeof *p->files, by_path);
  /* the one file every package has: without it every worker would fail the
   * job (three attempts, then IE) instead of the client saying so now */
  size_t i = 0;
  while (i < p->nfiles && strcmp(p->files[i].path, "problem.yaml")) i++;
  if (i == p->nfiles) {
    jp_err(err, errlen, "%s/problem.yaml is missing: not a problem package?", p->dir);
    jpc_problem_free(p);
    return -1;
  }
  struct jp_problem wire = {.hash = "", .files = p->files, .nfiles = p->nfiles};
  if (jp_problem_hash(&wire, p->hash, err, errlen) < 0) {
    jpc_problem_free(p);
    return -1;
  }
  *out = p;
  return 0;
}

void jpc_problem_free(struct jpc_problem *p) {
  if (!p) return;
  for (size_t i = 0; i < p->nfiles; i++) {
    free((void *)p->files[i].path);
    free((void *)p->files[i].sha256);
  }
  free(p->files);
  free(p);
}

static int expect_ack(struct jp_msg *rep, const char *what, char *err, size_t errlen) {
  int rc = 0;
  if (rep->type == JP_MSG_ERROR)
    rc = jp_err(err, errlen, "%s: broker says %s: %s", what, jp_errcode_name(rep->u.error.code), rep->u.error.message);
  else if (rep->type != JP_MSG_ACK)
    rc = jp_err(err, errlen, "%s: unexpected %s reply", what, jp_msg_type_name(rep->type));
  jp_msg_free(rep);
  return rc;
}

int jpc_problem_upload(struct jpc *c, struct jpc_problem *p, char *err, size_t errlen) {
  if (!p->nfiles) return 0;
  const char **hashes = malloc(p->nfiles * sizeof *hashes);
  if (!hashes) return jp_errno(err, errlen, "allocating");
  for (size_t i = 0; i < p->nfiles; i++) hashes[i] = p->files[i].sha256;
  struct jp_msg req = {.type = JP_MSG_BLOB_HAVE}, rep;
  req.u.blob_have.hashes = hashes;
  req.u.blob_have.n = p->nfiles;
  int rc = jpc_request(c, &req, &rep, err, errlen);
  free(hashes);
  if (rc < 0) return -1;
  if (rep.type != JP_MSG_BLOBS_MISSING) {
    jp_err(err, errlen, "asking which problem files the broker lacks: %s%s%s",
           rep.type == JP_MSG_ERROR ? jp_errcode_name(rep.u.error.code) : jp_msg_type_name(rep.type),
           rep.type == JP_MSG_ERROR ? ": " : "", rep.type == JP_MSG_ERROR ? rep.u.error.message : "");
    jp_msg_free(&rep);
    return -1;
  }
  for (size_t k = 0; k < rep.u.blobs_missing.n && rc == 0; k++) {
    const char *h = rep.u.blobs_missing.hashes[k];
    for (size_t i = 0; i < p->nfiles; i++) {
      if (strcmp(p->files[i].sha256, h)) continue;
      char abs[8192];
      snprintf(abs, sizeof abs, "%s/%s", p->dir, p->files[i].path);
      void *data = NULL;
      size_t len = 0;
      if (jp_read_file(abs, JP_PROTO_MAX_FRAME, &data, &len, err, errlen) < 0) {
        rc = -1;
        break;
      }
      struct jp_msg put = {.type = JP_MSG_BLOB_PUT}, ack;
      put.u.blob_put.sha256 = h;
      put.u.blob_put.data.data = data;
      put.u.blob_put.data.len = len;
      if (jpc_request(c, &put, &ack, err, errlen) < 0 || expect_ack(&ack, abs, err, errlen) < 0) rc = -1;
      free(data);
      break;
    }
  }
  jp_msg_free(&rep);
  return rc;
}
