/* lang.h — the language table: what to compile and run for each language
 * id, loaded from an operator-editable YAML file (or the built-in copy of
 * worker/judge/languages.yaml). Bad values are refused with file and line. */
#ifndef JP_LANG_H
#define JP_LANG_H

#include <stddef.h>
#include <stdint.h>

#define LANG_MAX 64
#define LANG_MAX_ARGS 64

enum { LANG_POLICY_DEFAULT = 0, LANG_POLICY_STRICT, LANG_POLICY_NONE };

struct lang {
  char id[32];
  char name[64];
  char **exts;
  size_t nexts;
  char **compile; /* argv templates; ncompile == 0: nothing to compile */
  size_t ncompile;
  char **keep;    /* artifacts of the compile step; 0: the sources */
  size_t nkeep;
  char **run;
  size_t nrun;
  char **env;
  size_t nenv;
  int strict_policy;         /* BOX_POLICY_STRICT, else default */
  int compile_policy;        /* LANG_POLICY_* for the compile step */
  uint32_t procs, compile_procs;
  uint64_t extra_memory_mib;
};

struct lang_table {
  struct lang *v;
  size_t n;
};

int lang_table_load_file(struct lang_table *t, const char *path, char *err, size_t errlen);
int lang_table_load_buf(struct lang_table *t, const char *buf, size_t len, const char *name,
                        char *err, size_t errlen);
int lang_table_load_builtin(struct lang_table *t, char *err, size_t errlen);
void lang_table_free(struct lang_table *t);

const struct lang *lang_find(const struct lang_table *t, const char *id);
const struct lang *lang_for_file(const struct lang_table *t, const char *path);
/* 1 if the file name has one of the language's extensions. */
int lang_has_ext(const struct lang *l, const char *path);

struct lang_vars {
  const char *const *files; /* source file names in the work dir */
  size_t nfiles;
  const char *main;
  const char *mainclass;
  uint64_t memory_mib;
};

/* Expands templates into a NULL-terminated malloc'd argv (free with
 * lang_argv_free). */
int lang_expand(char *const *tmpl, size_t n, const struct lang_vars *v, char ***out,
                char *err, size_t errlen);
void lang_argv_free(char **argv);

extern const char lang_builtin_yaml[];
extern const size_t lang_builtin_yaml_len;

#endif
