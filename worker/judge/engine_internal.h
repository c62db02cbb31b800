/* engine_internal.h — what the engine's files share: the engine itself, a
 * compiled program (submission or validator) ready to run in a box, and the
 * per-submission judging context. Not a public interface. */
#ifndef JP_ENGINE_INTERNAL_H
#define JP_ENGINE_INTERNAL_H

#include <limits.h>
#include <pthread.h>
#include <stdint.h>

#include "box.h"
#include "judge.h"
#include "lang.h"
#include "problem.h"

#define PROGRAM_MAX_FILES 64

struct judge_engine {
  struct box_engine *box;
  struct lang_table langs;
  struct judge_config cfg; /* defaults filled in */
  char cache_dir[PATH_MAX];
  pthread_mutex_t vcache_lock;
};

/* A program ready to run: its files live in dir and are copied into the
 * box work dir for every run. */
struct program {
  const struct lang *lang;
  char dir[PATH_MAX];
  char *names[PROGRAM_MAX_FILES];
  size_t nnames;
  char mainclass[128];
  char **run_argv; /* expanded, NULL-terminated */
  struct box_file_in files_in[PROGRAM_MAX_FILES + 4];
  char host_paths[PROGRAM_MAX_FILES][PATH_MAX];
};

void program_free(struct program *p);

/* Compiles (or just copies, for interpreted languages) the sources into
 * outdir in box b. *ok = 0 is a compile error with msg filled. Returns -1
 * only when the judge itself failed (err). */
int program_build(struct judge_engine *e, struct box *b, const struct lang *l, const char *const *srcs,
                  const char *const *names, size_t n, const char *outdir, uint64_t memory_mib,
                  struct program *out, int *ok, char *msg, size_t msglen, uint64_t *cpu_ms, char *err,
                  size_t errlen);
/* Re-creates a program from files already in dir (validator cache). */
int program_load(struct program *out, const struct lang *l, const char *dir, char *const *names, size_t n,
                 uint64_t memory_mib, char *err, size_t errlen);

/* The output validator (or testlib checker) of a package, built once and
 * cached by content hash. -1 (err names the validator) when it cannot be
 * built: the package is broken. */
int vcache_get(struct judge_engine *e, struct box *b, const struct problem *p, struct program *out, char *err,
               size_t errlen);

struct judge_ctx {
  struct judge_engine *e;
  const struct problem *p;
  struct program *sub;
  struct program *val; /* NULL: default validator */
  struct box *b, *vb;  /* vb: second box for interactors (== b otherwise) */
  char tmp[64];        /* host scratch dir of this submission */
  uint64_t tl_ms, wall_ms;
  const atomic_int *cancel; /* judge_request.cancel: boxes taken get it too */
};

/* Runs one test case and validates it. Never fails: judge-side problems
 * become IE with the reason in r->message. */
void run_test(struct judge_ctx *c, const struct tcase *t, struct judge_test_result *r, int *has_score,
              double *score);
void run_test_interactive(struct judge_ctx *c, const struct tcase *t, struct judge_test_result *r,
                          int *has_score, double *score);

/* Validator argv: the program's run argv, then args, then flags. */
char **argv_concat(char *const *base, const char *const *args, size_t nargs, char *const *flags1, size_t n1,
                   char *const *flags2, size_t n2);

/* box_start + box_wait (a failed start is a BOX_IE result). */
void judge_box_run(struct judge_engine *e, struct box *b, const struct box_spec *spec, struct box_result *res);
int judge_box_start(struct judge_engine *e, struct box *b, const struct box_spec *spec, struct box_proc **p,
                    char *err, size_t errlen);

/* Waits for a free box slot (bounded). */
int acquire_box(struct judge_engine *e, struct box **out, char *err, size_t errlen);

#endif
