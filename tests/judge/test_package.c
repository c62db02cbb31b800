/* test_package.c — the package reader: both problem.yaml formats,
 * testdata.yaml inheritance, validators, and broken or hostile packages
 * (missing data, bad YAML, escaping symlinks, FIFOs, huge or deep YAML,
 * absurd limits), each refused with the offending file named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lang.h"
#include "pkgfs.h"
#include "problem.h"
#include "source_rules.h"
#include "yaml_tree.h"

static char root[256];

static void put(const char *rel, const char *content) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", root, rel);
  for (char *q = p + strlen(root) + 1; *q; q++)
    if (*q == '/') {
      *q = 0;
      mkdir(p, 0755);
      *q = '/';
    }
  assert_int_equal(fs_write_file(p, content, strlen(content), NULL, 0), 0);
}

static int setup(void **s) {
  (void)s;
  snprintf(root, sizeof root, "/tmp/jp-judge-pkg-XXXXXX");
  assert_non_null(mkdtemp(root));
  return 0;
}

static int teardown(void **s) {
  (void)s;
  fs_remove_tree(root);
  return 0;
}

static void basic_package(void) {
  put("problem.yaml", "name: Hello\n");
  put("data/sample/1.in", "1\n");
  put("data/sample/1.ans", "1\n");
  put("data/secret/b.in", "2\n");
  put("data/secret/b.ans", "2\n");
  put("data/secret/a.in", "3\n");
  put("data/secret/a.ans", "3\n");
}

static int load_fails_with(const char *needle) {
  struct problem p;
  char err[1024] = "";
  int rc = problem_load(&p, root, err, sizeof err);
  if (rc == 0) {
    problem_free(&p);
    fprintf(stderr, "expected failure with '%s' but the package loaded\n", needle);
    return 0;
  }
  if (!strstr(err, needle)) {
    fprintf(stderr, "error '%s' does not mention '%s'\n", err, needle);
    return 0;
  }
  return 1;
}

static void test_basic_order(void **s) {
  (void)s;
  basic_package();
  struct problem p;
  char err[512];
  assert_int_equal(problem_load(&p, root, err, sizeof err), 0);
  assert_string_equal(p.name, "Hello");
  assert_int_equal(p.ntests, 3);
  assert_string_equal(p.tests[0].name, "sample/1");
  assert_string_equal(p.tests[1].name, "secret/a"); /* ordered by name */
  assert_string_equal(p.tests[2].name, "secret/b");
  assert_int_equal(p.time_limit_ms, 0); /* judge default */
  assert_int_equal(p.memory_mib, 2048);
  assert_int_equal(p.vkind, VAL_DEFAULT);
  assert_false(p.scoring);
  problem_free(&p);
}

static void test_inheritance(void **s) {
  (void)s;
  put("problem.yaml", "name: S\ntype: scoring\nlimits:\n  time_limit: 1.5\n  memory: 512\n"
                      "validator_flags: float_tolerance 1e-6\n");
  put("data/testdata.yaml", "on_reject: continue\ngrader_flags: sum ignore_sample\n");
  put("data/sample/1.in", "");
  put("data/sample/1.ans", "");
  put("data/secret/g1/testdata.yaml", "grader_flags: min\naccept_score: 30\noutput_validator_flags: case_sensitive\n");
  put("data/secret/g1/1.in", "");
  put("data/secret/g1/1.ans", "");
  put("data/secret/g1/sub/1.in", "");
  put("data/secret/g1/sub/1.ans", "");
  put("data/secret/g1/sub/testdata.yaml", "on_reject: break\n");
  put("data/secret/g2/test_group.yaml", "scoring:\n  score: 70\n  aggregation: min\n");
  put("data/secret/g2/1.in", "");
  put("data/secret/g2/1.ans", "");
  struct problem p;
  char err[512];
  assert_int_equal(problem_load(&p, root, err, sizeof err), 0);
  assert_true(p.scoring);
  assert_int_equal(p.time_limit_ms, 1500);
  assert_int_equal(p.memory_mib, 512);
  assert_int_equal(p.nvflags, 2);
  assert_int_equal(p.ntests, 4);
  const struct tgroup *data = p.data;
  assert_true(data->set.ignore_sample);
  assert_false(data->set.on_reject_break);
  const struct tgroup *secret = data->items[1].group;
  assert_string_equal(secret->name, "secret");
  assert_false(secret->set.on_reject_break);  /* inherited from data/ */
  assert_true(secret->set.ignore_sample);     /* inherited grader flags */
  const struct tgroup *g1 = secret->items[0].group;
  assert_string_equal(g1->name, "secret/g1");
  assert_int_equal(g1->set.agg, AGG_MIN);
  assert_true(g1->set.accept_score == 30);
  assert_false(g1->set.on_reject_break);
  assert_int_equal(g1->set.nout_flags, 1);
  assert_string_equal(g1->set.out_flags[0], "case_sensitive");
  /* items of g1 ordered by name: "1" (test) then "sub" (group) */
  assert_null(g1->items[0].group);
  const struct tgroup *sub = g1->items[1].group;
  assert_non_null(sub);
  assert_true(sub->set.on_reject_break);      /* overridden */
  assert_true(sub->set.accept_score == 30);   /* inherited from g1 */
  assert_int_equal(sub->set.agg, AGG_MIN);
  assert_int_equal(sub->set.nout_flags, 1);
  const struct tgroup *g2 = secret->items[1].group;
  assert_true(g2->set.accept_score == 70);
  assert_int_equal(g2->set.agg, AGG_MIN);
  assert_int_equal(g2->set.nout_flags, 0);
  assert_string_equal(p.tests[2].name, "secret/g1/sub/1");
  problem_free(&p);
}

static void test_legacy_custom_and_new_format(void **s) {
  (void)s;
  basic_package();
  put("problem.yaml", "validation: custom interactive\n");
  put("output_validators/interactor/main.c", "int main(void){return 42;}\n");
  struct problem p;
  char err[512];
  assert_int_equal(problem_load(&p, root, err, sizeof err), 0);
  assert_true(p.interactive);
  assert_int_equal(p.vkind, VAL_CUSTOM);
  assert_non_null(strstr(p.vdir, "output_validators/interactor"));
  problem_free(&p);
  /* legacy with validation: default ignores the directory */
  put("problem.yaml", "validation: default\n");
  assert_int_equal(problem_load(&p, root, err, sizeof err), 0);
  assert_int_equal(p.vkind, VAL_DEFAULT);
  problem_free(&p);
  /* 2023-07: type list, output_validator/ */
  put("problem.yaml", "problem_format_version: 2023-07-draft\nname: {en: Thing}\ntype: [pass-fail]\n");
  put("output_validator/v.py", "import sys; sys.exit(42)\n");
  assert_int_equal(problem_load(&p, root, err, sizeof err), 0);
  assert_string_equal(p.name, "Thing");
  assert_int_equal(p.vkind, VAL_CUSTOM);
  assert_non_null(strstr(p.vdir, "output_validator"));
  problem_free(&p);
  /* testlib via the judgepool key */
  put("problem.yaml", "judgepool:\n  checker: testlib\n  checker_dir: output_validator\n");
  assert_int_equal(problem_load(&p, root, err, sizeof err), 0);
  assert_int_equal(p.vkind, VAL_TESTLIB);
  problem_free(&p);
}

static void test_broken_missing(void **s) {
  (void)s;
  assert_true(load_fails_with("problem.yaml is missing"));
  put("problem.yaml", "name: x\n");
  assert_true(load_fails_with("has no test data"));
  put("data/secret/1.in", "1\n");
  assert_true(load_fails_with("1.in has no answer file"));
  put("data/secret/1.ans", "1\n");
  put("problem.yaml", "validation: custom\n");
  assert_true(load_fails_with("no output_validator"));
  put("problem.yaml", "name: [unclosed\n");
  assert_true(load_fails_with("problem.yaml:"));
  put("problem.yaml", "type: multi-pass\n");
  assert_true(load_fails_with("multi-pass"));
  put("problem.yaml", "name: x\n");
  put("data/secret/testdata.yaml", "on_reject: sometimes\n");
  assert_true(load_fails_with("testdata.yaml:1: on_reject"));
  put("data/secret/testdata.yaml", "grader_flags: avg\n");
  assert_true(load_fails_with("unknown grader flag 'avg'"));
}

static void test_absurd_limits(void **s) {
  (void)s;
  basic_package();
  put("problem.yaml", "limits:\n  time_limit: 100000\n");
  assert_true(load_fails_with("time_limit"));
  put("problem.yaml", "limits:\n  memory: 1e9\n");
  assert_true(load_fails_with("limits.memory"));
  put("problem.yaml", "limits:\n  time_limit: -1\n");
  assert_true(load_fails_with("time_limit"));
  put("problem.yaml", "limits:\n  output: nan\n");
  assert_true(load_fails_with("output"));
}

static void test_escapes_and_devices(void **s) {
  (void)s;
  basic_package();
  char p[512];
  /* a test file symlinked outside the package */
  snprintf(p, sizeof p, "%s/data/secret/evil.in", root);
  assert_int_equal(symlink("/etc/passwd", p), 0);
  snprintf(p, sizeof p, "%s/data/secret/evil.ans", root);
  assert_int_equal(symlink("../sample/1.ans", p), 0);
  assert_true(load_fails_with("outside the problem package"));
  snprintf(p, sizeof p, "%s/data/secret/evil.in", root);
  unlink(p);
  /* a symlink inside the package is fine */
  assert_int_equal(symlink("../sample/1.in", p), 0);
  struct problem pr;
  char err[512];
  assert_int_equal(problem_load(&pr, root, err, sizeof err), 0);
  assert_int_equal(pr.ntests, 4);
  problem_free(&pr);
  /* a directory symlink escaping */
  snprintf(p, sizeof p, "%s/data/secret/grp", root);
  assert_int_equal(symlink("/etc", p), 0);
  assert_true(load_fails_with("outside the problem package"));
  unlink(p);
  /* a FIFO as test input: refused, never opened for reading */
  snprintf(p, sizeof p, "%s/data/secret/fifo.in", root);
  assert_int_equal(mkfifo(p, 0644), 0);
  put("data/secret/fifo.ans", "");
  assert_true(load_fails_with("not a regular file"));
  unlink(p);
  /* problem.yaml itself a FIFO */
  snprintf(p, sizeof p, "%s/problem.yaml", root);
  unlink(p);
  assert_int_equal(mkfifo(p, 0644), 0);
  assert_true(load_fails_with("not a regular file"));
  unlink(p);
  /* problem.yaml pointing outside */
  assert_int_equal(symlink("/etc/hostname", p), 0);
  assert_true(load_fails_with("outside the problem package"));
}

static void test_hostile_yaml(void **s) {
  (void)s;
  basic_package();
  /* deep nesting */
  char *deep = malloc(20001);
  assert_non_null(deep);
  memset(deep, '[', 20000);
  deep[20000] = 0;
  char *doc = malloc(20100);
  snprintf(doc, 20100, "name: %s\n", deep);
  put("problem.yaml", doc);
  assert_true(load_fails_with("nested too deeply"));
  free(deep);
  free(doc);
  /* too big */
  size_t n = (1u << 20) + 100;
  char *big = malloc(n + 1);
  memset(big, '#', n);
  big[n] = 0;
  put("problem.yaml", big);
  assert_true(load_fails_with("too large"));
  free(big);
  /* billion laughs: aliases refused */
  put("problem.yaml", "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n");
  assert_true(load_fails_with("aliases"));
  /* many nodes */
  size_t m = 30000 * 3 + 16;
  char *many = malloc(m);
  char *w = many + sprintf(many, "x: [");
  for (int i = 0; i < 30000; i++)
    w += sprintf(w, "1,");
  sprintf(w, "1]\n");
  put("problem.yaml", many);
  assert_true(load_fails_with("too many YAML nodes"));
  free(many);
  put("problem.yaml", "a: 1\na: 2\n");
  assert_true(load_fails_with("duplicate key"));
}

static void test_deep_groups(void **s) {
  (void)s;
  basic_package();
  char rel[512] = "data/secret";
  for (int i = 0; i < 12; i++)
    strcat(rel, "/g");
  char f[600];
  snprintf(f, sizeof f, "%s/1.in", rel);
  put(f, "1\n");
  snprintf(f, sizeof f, "%s/1.ans", rel);
  put(f, "1\n");
  assert_true(load_fails_with("nested too deeply"));
}

static void test_lang_table(void **s) {
  (void)s;
  struct lang_table t;
  char err[512];
  assert_int_equal(lang_table_load_builtin(&t, err, sizeof err), 0);
  const char *ids[] = {"c", "cpp", "python3", "pypy3", "java", "kotlin", "go", "rust"};
  for (size_t i = 0; i < 8; i++)
    assert_non_null(lang_find(&t, ids[i]));
  assert_string_equal(lang_for_file(&t, "x/hello.cc")->id, "cpp");
  assert_string_equal(lang_for_file(&t, "Main.java")->id, "java");
  assert_string_equal(lang_for_file(&t, "a.py")->id, "python3");
  assert_null(lang_for_file(&t, "a.txt"));
  assert_null(lang_for_file(&t, "py"));
  const struct lang *java = lang_find(&t, "java");
  const char *files[] = {"Main.java"};
  struct lang_vars v = {files, 1, "Main.java", "Main", 256};
  char **argv;
  assert_int_equal(lang_expand(java->run, java->nrun, &v, &argv, err, sizeof err), 0);
  int found = 0;
  for (char **a = argv; *a; a++)
    if (!strcmp(*a, "-Xmx256m"))
      found = 1;
  assert_true(found);
  lang_argv_free(argv);
  const struct lang *c = lang_find(&t, "c");
  const char *two[] = {"a.c", "b.c"};
  struct lang_vars v2 = {two, 2, "a.c", "a", 256};
  assert_int_equal(lang_expand(c->compile, c->ncompile, &v2, &argv, err, sizeof err), 0);
  int na = 0, nb = 0;
  for (char **a = argv; *a; a++)
    na += !strcmp(*a, "a.c"), nb += !strcmp(*a, "b.c");
  assert_int_equal(na + nb, 2);
  lang_argv_free(argv);
  lang_table_free(&t);

  /* bad tables name the file and line */
  const char *bad1 = "c:\n  run: [./x]\n  procs: lots\n";
  assert_int_equal(lang_table_load_buf(&t, bad1, strlen(bad1), "langs.yaml", err, sizeof err), -1);
  assert_non_null(strstr(err, "langs.yaml:3"));
  const char *bad2 = "c:\n  extensions: [c]\n";
  assert_int_equal(lang_table_load_buf(&t, bad2, strlen(bad2), "langs.yaml", err, sizeof err), -1);
  assert_non_null(strstr(err, "no run command"));
  const char *bad3 = "c:\n  run: [./x]\n  colour: red\n";
  assert_int_equal(lang_table_load_buf(&t, bad3, strlen(bad3), "langs.yaml", err, sizeof err), -1);
  assert_non_null(strstr(err, "langs.yaml:3: unknown setting 'colour'"));
  const char *bad4 = "c:\n  run: [\"{bogus}\"]\n";
  assert_int_equal(lang_table_load_buf(&t, bad4, strlen(bad4), "langs.yaml", err, sizeof err), -1);
  assert_non_null(strstr(err, "langs.yaml:2: unknown placeholder"));
  const char *bad5 = "a:\n  run: [x]\n  extensions: [c]\nb:\n  run: [y]\n  extensions: [c]\n";
  assert_int_equal(lang_table_load_buf(&t, bad5, strlen(bad5), "langs.yaml", err, sizeof err), -1);
  assert_non_null(strstr(err, "extension 'c'"));
  const char *bad6 = "Bad Id:\n  run: [x]\n";
  assert_int_equal(lang_table_load_buf(&t, bad6, strlen(bad6), "langs.yaml", err, sizeof err), -1);
  assert_non_null(strstr(err, "langs.yaml:1"));
  assert_true(jp_safe_name("Main.java"));
  assert_false(jp_safe_name("../x"));
  assert_false(jp_safe_name(".hidden"));
  assert_false(jp_safe_name("a b"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_basic_order, setup, teardown),
      cmocka_unit_test_setup_teardown(test_inheritance, setup, teardown),
      cmocka_unit_test_setup_teardown(test_legacy_custom_and_new_format, setup, teardown),
      cmocka_unit_test_setup_teardown(test_broken_missing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_absurd_limits, setup, teardown),
      cmocka_unit_test_setup_teardown(test_escapes_and_devices, setup, teardown),
      cmocka_unit_test_setup_teardown(test_hostile_yaml, setup, teardown),
      cmocka_unit_test_setup_teardown(test_deep_groups, setup, teardown),
      cmocka_unit_test(test_lang_table),
  };
  return cmocka_run_group_tests_name("package", tests, NULL, NULL);
}
