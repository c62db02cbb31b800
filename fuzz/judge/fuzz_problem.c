/* fuzz_problem.c — libFuzzer harness for the problem package reader: the
 * input becomes problem.yaml and, after a line "#%%", data/secret's
 * testdata.yaml, in a small real package (problem_load reads files, and
 * containment checks need a real tree). Checks beyond "no crash": a
 * refusal says why; an accepted package has its limits in range and every
 * test file inside the package root. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "problem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64];
static char py[128], td[128];

static void put(const char *rel, const void *d, size_t n) {
  char p[256];
  snprintf(p, sizeof p, "%s/%s", root, rel);
  FILE *f = fopen(p, "w");
  if (!f || (n && fwrite(d, 1, n, f) != n) || fclose(f) != 0) abort();
}

static void cleanup(void) {
  if (!root[0]) return;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", root);
}

static void setup(void) {
  /* tmpfs when there is one: a disk-backed /tmp makes each run ~10x slower */
  struct stat st;
  const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0
                         ? "/dev/shm" : "/tmp";
  snprintf(root, sizeof root, "%s/jp-fuzz-pkg-XXXXXX", base);
  if (!mkdtemp(root)) abort();
  atexit(cleanup);
  const char *dirs[] = {"data", "data/sample", "data/secret", "data/secret/g1"};
  for (size_t i = 0; i < 4; i++) {
    char p[256];
    snprintf(p, sizeof p, "%s/%s", root, dirs[i]);
    if (mkdir(p, 0755) != 0) abort();
  }
  put("data/sample/1.in", "1 2\n", 4);
  put("data/sample/1.ans", "3\n", 2);
  put("data/secret/g1/2.in", "2 2\n", 4);
  put("data/secret/g1/2.ans", "4\n", 2);
  put("data/secret/g1/testdata.yaml", "accept_score: 2\n", 16);
  snprintf(py, sizeof py, "%s/problem.yaml", root);
  snprintf(td, sizeof td, "%s/data/secret/testdata.yaml", root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!root[0]) setup();
  const uint8_t *sep = NULL;
  for (size_t i = 0; i + 4 <= size; i++)
    if (!memcmp(data + i, "\n#%%", 4)) {
      sep = data + i;
      break;
    }
  size_t plen = sep ? (size_t)(sep - data) : size;
  put("problem.yaml", data, plen);
  if (sep) put("data/secret/testdata.yaml", sep + 4, size - plen - 4);
  else unlink(td);

  struct problem p;
  char err[1024];
  err[0] = 0;
  if (problem_load(&p, root, err, sizeof err) < 0) {
    if (!err[0]) abort();
    return 0;
  }
  if (p.ntests != 2 || p.ntests > PROBLEM_MAX_TESTS) abort();
  size_t rl = strlen(p.root);
  for (size_t i = 0; i < p.ntests; i++)
    if (strncmp(p.tests[i].in_path, p.root, rl) || strncmp(p.tests[i].ans_path, p.root, rl))
      abort();
  if (p.nvflags > PROBLEM_MAX_FLAGS) abort();
  problem_free(&p);
  return 0;
}
