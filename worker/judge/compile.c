/* compile.c — turning sources into a runnable program: the compile step of
 * the language table run in the box (compile limits, capped compiler
 * message), or a plain copy for interpreted languages. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine_internal.h"
#include "err.h"
#include "pkgfs.h"

#define SOURCE_MAX (4u << 20)

void program_free(struct program *p) {
  for (size_t i = 0; i < p->nnames; i++)
    free(p->names[i]);
  p->nnames = 0;
  lang_argv_free(p->run_argv);
  p->run_argv = NULL;
}

char **argv_concat(char *const *base, const char *const *args, size_t nargs, char *const *f1, size_t n1,
                   char *const *f2, size_t n2) {
  size_t nb = 0;
  while (base[nb])
    nb++;
  char **v = calloc(nb + nargs + n1 + n2 + 1, sizeof *v);
  if (!v)
    return NULL;
  size_t k = 0;
  for (size_t i = 0; i < nb; i++)
    v[k++] = base[i];
  for (size_t i = 0; i < nargs; i++)
    v[k++] = (char *)args[i];
  for (size_t i = 0; i < n1; i++)
    v[k++] = f1[i];
  for (size_t i = 0; i < n2; i++)
    v[k++] = f2[i];
  v[k] = NULL;
  return v; /* strings borrowed: free only the array */
}

/* Java's main class: the file declaring main, else the first file. */
static void find_mainclass(const char *const *srcs, const char *const *names, size_t n, char *out, size_t outlen) {
  size_t pick = 0;
  for (size_t i = 0; i < n; i++) {
    char *buf;
    if (fs_read_file(srcs[i], SOURCE_MAX, &buf, NULL, NULL, 0) < 0)
      continue;
    int has = strstr(buf, "static void main") != NULL;
    free(buf);
    if (has) {
      pick = i;
      break;
    }
  }
  snprintf(out, outlen, "%s", n ? names[pick] : "Main");
  char *dot = strrchr(out, '.');
  if (dot && dot != out)
    *dot = 0;
}

static int finish(struct program *p, uint64_t memory_mib, char *err, size_t errlen) {
  const char *names[PROGRAM_MAX_FILES];
  for (size_t i = 0; i < p->nnames; i++) {
    names[i] = p->names[i];
    if (fs_join(p->host_paths[i], sizeof p->host_paths[i], p->dir, p->names[i], err, errlen) < 0)
      return -1;
    p->files_in[i].host_path = p->host_paths[i];
    p->files_in[i].name = p->names[i];
  }
  /* {main}/{files} at run time are the sources for interpreted languages */
  struct lang_vars v = {names, p->nnames, p->nnames ? names[0] : "", p->mainclass, memory_mib};
  return lang_expand(p->lang->run, p->lang->nrun, &v, &p->run_argv, err, errlen);
}

int program_load(struct program *p, const struct lang *l, const char *dir, char *const *names, size_t n,
                 uint64_t memory_mib, char *err, size_t errlen) {
  memset(p, 0, sizeof *p);
  p->lang = l;
  if (n > PROGRAM_MAX_FILES)
    return jp_err(err, errlen, "too many program files");
  snprintf(p->dir, sizeof p->dir, "%s", dir);
  for (size_t i = 0; i < n; i++) {
    if (!(p->names[i] = strdup(names[i]))) {
      program_free(p);
      return jp_err(err, errlen, "out of memory");
    }
    p->nnames = i + 1;
  }
  snprintf(p->mainclass, sizeof p->mainclass, "%s", n ? names[0] : "Main");
  char *dot = strrchr(p->mainclass, '.');
  if (dot && dot != p->mainclass)
    *dot = 0;
  if (finish(p, memory_mib, err, errlen) < 0) {
    program_free(p);
    return -1;
  }
  return 0;
}

static int copy_file(const char *src, const char *dst, char *err, size_t errlen) {
  char *buf;
  size_t len;
  if (fs_read_file(src, SOURCE_MAX, &buf, &len, err, errlen) < 0)
    return -1;
  int rc = fs_write_file(dst, buf, len, err, errlen);
  free(buf);
  return rc;
}

int program_build(struct judge_engine *e, struct box *b, const struct lang *l, const char *const *srcs,
                  const char *const *names, size_t n, const char *outdir, uint64_t memory_mib, struct program *p,
                  int *ok, char *msg, size_t msglen, uint64_t *cpu_ms, char *err, size_t errlen) {
  memset(p, 0, sizeof *p);
  p->lang = l;
  *ok = 0;
  *cpu_ms = 0;
  msg[0] = 0;
  if (n == 0 || n > PROGRAM_MAX_FILES)
    return jp_err(err, errlen, "between 1 and %d source files are needed", PROGRAM_MAX_FILES);
  snprintf(p->dir, sizeof p->dir, "%s", outdir);
  find_mainclass(srcs, names, n, p->mainclass, sizeof p->mainclass);

  /* The sources always go to outdir: interpreted languages run them, and
   * the box copies them in from a directory we control. */
  char path[PATH_MAX];
  const char *copied[PROGRAM_MAX_FILES];
  char copies[PROGRAM_MAX_FILES][PATH_MAX];
  for (size_t i = 0; i < n; i++) {
    if (fs_join(copies[i], sizeof copies[i], outdir, names[i], err, errlen) < 0 ||
        copy_file(srcs[i], copies[i], err, errlen) < 0)
      return -1;
    copied[i] = copies[i];
  }
  if (l->ncompile == 0) {
    for (size_t i = 0; i < n; i++) {
      if (!(p->names[i] = strdup(names[i])))
        return jp_err(err, errlen, "out of memory");
      p->nnames = i + 1;
    }
    *ok = 1;
    if (finish(p, memory_mib, err, errlen) < 0) {
      program_free(p);
      return -1;
    }
    return 0;
  }

  /* Only files with the language's extensions are compile units ({files});
   * headers and the rest are still copied in. */
  const char *units[PROGRAM_MAX_FILES];
  size_t nunits = 0;
  for (size_t i = 0; i < n; i++)
    if (lang_has_ext(l, names[i]) || l->nexts == 0)
      units[nunits++] = names[i];
  if (nunits == 0)
    units[nunits++] = names[0];
  struct lang_vars v = {units, nunits, units[0], p->mainclass, memory_mib};
  char **argv;
  if (lang_expand(l->compile, l->ncompile, &v, &argv, err, errlen) < 0)
    return -1;

  struct box_file_in fin[PROGRAM_MAX_FILES];
  for (size_t i = 0; i < n; i++) {
    fin[i].host_path = copied[i];
    fin[i].name = names[i];
  }
  struct box_file_out fout[BOX_MAX_FILES_OUT];
  char outs[BOX_MAX_FILES_OUT][PATH_MAX];
  size_t nkeep = l->nkeep < BOX_MAX_FILES_OUT ? l->nkeep : BOX_MAX_FILES_OUT;
  for (size_t i = 0; i < nkeep; i++) {
    if (fs_join(outs[i], sizeof outs[i], outdir, l->keep[i], err, errlen) < 0) {
      lang_argv_free(argv);
      return -1;
    }
    fout[i].name = l->keep[i];
    fout[i].host_path = outs[i];
    fout[i].max_bytes = 256u << 20;
  }
  if (fs_join(path, sizeof path, outdir, ".compile.log", err, errlen) < 0) {
    lang_argv_free(argv);
    return -1;
  }
  int logfd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (logfd < 0) {
    lang_argv_free(argv);
    return jp_errno(err, errlen, "cannot create %s", path);
  }
  const struct judge_config *cfg = &e->cfg;
  char *envp[LANG_MAX_ARGS + 1];
  size_t ne = 0;
  for (size_t i = 0; i < l->nenv && ne < LANG_MAX_ARGS; i++)
    envp[ne++] = l->env[i];
  envp[ne] = NULL;
  struct box_spec spec = {
      .argv = (const char *const *)argv,
      .env = (const char *const *)envp,
      .limits = {.cpu_ms = cfg->compile_time_ms,
                 .wall_ms = cfg->compile_time_ms * 2 + 5000,
                 .memory_kib = cfg->compile_memory_mib * 1024,
                 .output_kib = 256 * 1024, /* compiler output and the work dir (Go cache, jars) */
                 .procs = l->compile_procs,
                 .open_files = 256},
      .policy = l->compile_policy == LANG_POLICY_STRICT ? BOX_POLICY_STRICT
                : l->compile_policy == LANG_POLICY_NONE ? BOX_POLICY_NONE
                                                         : BOX_POLICY_DEFAULT,
      .stdin_fd = -1,
      .stdout_fd = logfd,
      .stderr_fd = logfd,
      .files_in = fin,
      .nfiles_in = n,
      .files_out = fout,
      .nfiles_out = nkeep,
  };
  struct box_result res;
  memset(&res, 0, sizeof res);
  judge_box_run(e, b, &spec, &res);
  close(logfd);
  lang_argv_free(argv);
  *cpu_ms = (uint64_t)res.cpu_ms;
  if (res.status == BOX_IE)
    return jp_err(err, errlen, "the box failed while compiling: %s", res.message);
  fs_read_prefix(path, msglen > 1 ? msglen - 1 : 0, msg, msglen);
  size_t ml = strlen(msg);
  if (res.status != BOX_OK) {
    const char *why = res.status == BOX_TLE   ? "compilation exceeded the time limit"
                      : res.status == BOX_MLE ? "compilation exceeded the memory limit"
                      : res.status == BOX_OLE ? "compilation produced too much output"
                      : res.status == BOX_SV  ? "the compiler made a forbidden system call"
                                              : NULL;
    if (why)
      snprintf(msg + ml, msglen - ml, "%s%s%s%s%s", ml ? "\n" : "", why, res.status == BOX_SV ? " (" : "",
               res.status == BOX_SV ? res.syscall : "", res.status == BOX_SV ? ")" : "");
    else if (!ml)
      snprintf(msg, msglen, "compiler exited with code %d%s", res.exit_code, res.signal ? " (signal)" : "");
    return 0;
  }
  for (size_t i = 0; i < nkeep; i++)
    if (!res.fetched[i]) {
      snprintf(msg + ml, msglen - ml, "%sthe compiler did not produce %s", ml ? "\n" : "", l->keep[i]);
      return 0;
    }
  size_t nn = nkeep ? nkeep : n;
  for (size_t i = 0; i < nn; i++) {
    if (!(p->names[i] = strdup(nkeep ? l->keep[i] : names[i])))
      return jp_err(err, errlen, "out of memory");
    p->nnames = i + 1;
    if (nkeep)
      chmod(outs[i], 0755);
  }
  *ok = 1;
  if (finish(p, memory_mib, err, errlen) < 0) {
    program_free(p);
    return -1;
  }
  return 0;
}
