/* replay_main.c — runs a libFuzzer harness without libFuzzer: every file
 * named, or in a directory named, goes through LLVMFuzzerTestOneInput once.
 * Built in every configuration so the seeds and every crash input ever
 * found stay regression tests (tests/security registers them). Missing
 * paths are skipped; it fails if it replayed nothing at all. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_FILE (4u << 20)

static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return -1;
  }
  uint8_t *buf = malloc(REPLAY_MAX_FILE);
  size_t n = buf ? fread(buf, 1, REPLAY_MAX_FILE, f) : 0;
  fclose(f);
  if (!buf) return -1;
  /* an exact-size copy, so reads past the end are caught under ASan */
  uint8_t *exact = malloc(n ? n : 1);
  if (!exact) {
    free(buf);
    return -1;
  }
  memcpy(exact, buf, n);
  free(buf);
  LLVMFuzzerTestOneInput(exact, n);
  free(exact);
  return 0;
}

int main(int argc, char **argv) {
  size_t files = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) < 0) continue;
    if (S_ISREG(st.st_mode)) {
      if (replay_file(argv[i]) < 0) return 1;
      files++;
      continue;
    }
    DIR *d = opendir(argv[i]);
    if (!d) continue;
    for (struct dirent *e; (e = readdir(d));) {
      if (e->d_name[0] == '.') continue;
      char p[4096];
      snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
      if (stat(p, &st) < 0 || !S_ISREG(st.st_mode)) continue;
      if (replay_file(p) < 0) {
        closedir(d);
        return 1;
      }
      files++;
    }
    closedir(d);
  }
  printf("replayed %zu inputs\n", files);
  return files ? 0 : 1;
}
