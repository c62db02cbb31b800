/* test_corpus.c — replays every file in tests/proto/corpus/ (hostile frames
 * and inputs that once crashed the fuzzer) through validate and decode:
 * each must come back as a clean success or a clean, coded error. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"
#include "proto.h"

static const char *corpus_dir;

static void test_replay_corpus(void **state) {
  (void)state;
  DIR *d = opendir(corpus_dir);
  if (!d) fail_msg("cannot open corpus directory %s", corpus_dir);
  size_t files = 0;
  jp_arena_peak_reset();
  for (struct dirent *e; (e = readdir(d));) {
    if (e->d_name[0] == '.') continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", corpus_dir, e->d_name);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    static uint8_t buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    uint8_t *copy = malloc(n ? n : 1); /* exact size: ASan sees overreads */
    memcpy(copy, buf, n);
    struct jp_msg m;
    enum jp_errcode code;
    char err[256] = "";
    int rc = jp_msg_decode(copy, n, &m, &code, err, sizeof err);
    if (rc == 0) {
      assert_int_equal(code, JP_E_NONE);
      assert_true(m.type > JP_MSG_NONE && m.type < JP_MSG__COUNT);
      jp_msg_free(&m);
    } else {
      assert_int_equal(rc, -1);
      assert_true(code > JP_E_NONE && code < JP_E__COUNT);
      assert_true(err[0] != '\0');
    }
    free(copy);
    files++;
  }
  closedir(d);
  assert_true(files > 0);
  assert_true(jp_arena_peak_total() < (1u << 20));
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_proto_corpus DIR\n");
    return 2;
  }
  corpus_dir = argv[1];
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_replay_corpus)};
  return cmocka_run_group_tests_name("proto_corpus", tests, NULL, NULL);
}
