/* test_keys.c — the files that decide who gets in: the allowed-keys table
 * (good files load, every kind of bad line is refused with file and line),
 * certificates (what we write parses back, secret mode 0600, hostile or
 * mismatched certificates refused), ZAP domain naming, and the role policy
 * table over every message type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include <cmocka.h>

#include "proto.h"
#include "sec_util.h"
#include "tmpdir_fixture.h"
#include "zauth.h"
#include "zauth_internal.h"

static struct jp_keypair kp1, kp2;

static int setup(void **st) {
  (void)st;
  if (jp_keypair_new(&kp1, NULL, 0) || jp_keypair_new(&kp2, NULL, 0)) return -1;
  return 0;
}

static int parse(const char *text, char *err, size_t errlen, struct jp_keytab **t) {
  return jp_keytab_parse(text, strlen(text), "keys", t, err, errlen);
}

static void test_keytab_good(void **st) {
  (void)st;
  char text[512], err[256];
  snprintf(text, sizeof text,
           "# comment\n\n   \t\nworker %s w-1\r\n  admin\t%s\n", kp1.public_z85, kp2.public_z85);
  struct jp_keytab *t;
  assert_int_equal(parse(text, err, sizeof err, &t), 0);
  assert_int_equal(jp_keytab_count(t), 2);
  unsigned char k[32];
  zmq_z85_decode(k, kp1.public_z85);
  const struct jp_keyent *e = jp_keytab_find(t, k);
  assert_non_null(e);
  assert_int_equal(e->role, JP_ROLE_WORKER);
  assert_string_equal(e->name, "w-1");
  assert_int_equal(e->line, 4);
  zmq_z85_decode(k, kp2.public_z85);
  e = jp_keytab_find(t, k);
  assert_non_null(e);
  assert_int_equal(e->role, JP_ROLE_ADMIN);
  assert_string_equal(e->name, "");
  k[0] ^= 1;
  assert_null(jp_keytab_find(t, k));
  jp_keytab_free(t);
  /* empty file: nobody admitted, not an error */
  assert_int_equal(parse("", err, sizeof err, &t), 0);
  assert_int_equal(jp_keytab_count(t), 0);
  jp_keytab_free(t);
}

static void test_keytab_bad_lines(void **st) {
  (void)st;
  const char *k = kp1.public_z85;
  char bad_key[41];
  memcpy(bad_key, k, 41);
  bad_key[5] = '"'; /* not in the Z85 alphabet */
  char overflow[41];
  memset(overflow, '#', 40); /* valid characters, but 0x#### overflows 32 bits */
  overflow[40] = 0;
  struct {
    const char *fmt;
    const char *want;
  } cases[] = {
      {"worker %s\nrobot %s x\n", "keys:2: unknown role"},
      {"worker %s\ninsecure %s\n", "keys:2: unknown role"},
      {"worker %s\nclient %s name extra\n", "keys:2: expected"},
      {"worker %s\nclient\n%s\n", "keys:2: expected"},
      {"worker %s\nclient %s bad/name\n", "keys:2: bad name"},
      {"worker %s\nclient %s " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", "keys:2: bad name"},
      {"worker %s\nclient %s\n", "keys:2: key"}, /* duplicate */
  };
  char err[512];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[512];
    snprintf(text, sizeof text, cases[i].fmt, k, k);
    struct jp_keytab *t = (void *)1;
    assert_int_equal(parse(text, err, sizeof err, &t), -1);
    assert_null(t);
    if (!strstr(err, cases[i].want)) fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].want);
  }
  const char *badkeys[] = {bad_key, overflow, "short", ""};
  for (size_t i = 0; i < 4; i++) {
    char text[256];
    snprintf(text, sizeof text, "\nclient %s x\n", badkeys[i]);
    struct jp_keytab *t;
    int rc = parse(text, err, sizeof err, &t);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "keys:2:"));
  }
  /* an overlong line, and a NUL byte */
  char *big = malloc(5000);
  memset(big, 'a', 4999);
  big[4999] = 0;
  struct jp_keytab *t;
  assert_int_equal(parse(big, err, sizeof err, &t), -1);
  assert_non_null(strstr(err, "keys:1: line longer"));
  free(big);
  char nul[64] = "worker x\0y\n";
  assert_int_equal(jp_keytab_parse(nul, 11, "keys", &t, err, sizeof err), -1);
  assert_non_null(strstr(err, "keys:1: NUL"));
}

static void test_keytab_file_checks(void **st) {
  (void)st;
  char dir[64], path[128], err[512];
  assert_int_equal(tmpdir_make(dir, sizeof dir), 0);
  snprintf(path, sizeof path, "%s/keys", dir);
  char text[128];
  snprintf(text, sizeof text, "client %s\n", kp1.public_z85);
  sec_write(path, text);
  struct jp_keytab *t;
  chmod(path, 0644);
  assert_int_equal(jp_keytab_load(path, &t, err, sizeof err), 0);
  assert_int_equal(jp_keytab_count(t), 1);
  jp_keytab_free(t);
  chmod(path, 0646);
  assert_int_equal(jp_keytab_load(path, &t, err, sizeof err), -1);
  assert_non_null(strstr(err, "world-writable"));
  assert_int_equal(jp_keytab_load(dir, &t, err, sizeof err), -1);
  assert_non_null(strstr(err, "not a regular file"));
  snprintf(path, sizeof path, "%s/missing", dir);
  assert_int_equal(jp_keytab_load(path, &t, err, sizeof err), -1);
  assert_non_null(strstr(err, "missing"));
  assert_int_equal(tmpdir_remove(dir), 0);
}

static void test_cert_roundtrip(void **st) {
  (void)st;
  char dir[64], base[128], sec[160], err[512];
  assert_int_equal(tmpdir_make(dir, sizeof dir), 0);
  snprintf(base, sizeof base, "%s/node", dir);
  snprintf(sec, sizeof sec, "%s_secret", base);
  assert_int_equal(jp_cert_write(base, &kp1, 0, err, sizeof err), 0);
  struct stat s;
  assert_int_equal(stat(sec, &s), 0);
  assert_int_equal(s.st_mode & 0777, 0600);
  struct jp_keypair back;
  assert_int_equal(jp_cert_load_secret(sec, &back, err, sizeof err), 0);
  assert_string_equal(back.public_z85, kp1.public_z85);
  assert_string_equal(back.secret_z85, kp1.secret_z85);
  char pub[41];
  assert_int_equal(jp_cert_load_public(base, pub, err, sizeof err), 0);
  assert_string_equal(pub, kp1.public_z85);
  assert_int_equal(jp_cert_load_public(sec, pub, err, sizeof err), 0);
  assert_string_equal(pub, kp1.public_z85);
  assert_int_equal(jp_cert_load_public(kp2.public_z85, pub, err, sizeof err), 0);
  assert_string_equal(pub, kp2.public_z85);
  /* the public file is not a secret certificate */
  assert_int_equal(jp_cert_load_secret(base, &back, err, sizeof err), -1);
  /* no silent overwrite; --force replaces */
  assert_int_equal(jp_cert_write(base, &kp2, 0, err, sizeof err), -1);
  assert_non_null(strstr(err, "exists"));
  assert_int_equal(jp_cert_load_secret(sec, &back, err, sizeof err), 0);
  assert_string_equal(back.public_z85, kp1.public_z85);
  assert_int_equal(jp_cert_write(base, &kp2, 1, err, sizeof err), 0);
  assert_int_equal(jp_cert_load_secret(sec, &back, err, sizeof err), 0);
  assert_string_equal(back.public_z85, kp2.public_z85);
  assert_int_equal(stat(sec, &s), 0);
  assert_int_equal(s.st_mode & 0777, 0600);
  /* a secret others can read is refused */
  chmod(sec, 0640);
  assert_int_equal(jp_cert_load_secret(sec, &back, err, sizeof err), -1);
  assert_non_null(strstr(err, "chmod 600"));
  assert_string_equal(back.secret_z85, "");
  assert_int_equal(tmpdir_remove(dir), 0);
}

static void test_cert_hostile(void **st) {
  (void)st;
  char dir[64], path[128], err[512];
  assert_int_equal(tmpdir_make(dir, sizeof dir), 0);
  snprintf(path, sizeof path, "%s/c", dir);
  char text[1024];
  struct jp_keypair back;
  const char *cases[][2] = {
      {"metadata\ncurve\n    public-key = \"%s\"\n    secret-key = \"%s\"\n", "does not belong"},
      {"curve\n    public-key = \"%s\"\n", "no secret-key"},
      {"metadata\n    public-key = \"%s\"\n", "no public-key"},
      {"curve\n    public-key = \"%s\n", "unterminated"},
      {"curve\n    public-key\n", "expected 'name = value'"}, /* keys may contain '=' */
      {"curve\n    public-key = \"%s\"\n    public-key = \"%s\"\n", "given twice"},
      {"curve\n    public-key = \"%.39s\"\n", "not a 40-character"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    /* case 0 pairs kp1's public key with kp2's secret key */
    snprintf(text, sizeof text, cases[i][0], kp1.public_z85, i == 0 ? kp2.secret_z85 : kp1.public_z85);
    sec_write(path, text);
    chmod(path, 0600);
    assert_int_equal(jp_cert_load_secret(path, &back, err, sizeof err), -1);
    if (!strstr(err, cases[i][1])) fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i][1]);
  }
  /* too big to be a certificate */
  FILE *f = fopen(path, "w");
  for (int i = 0; i < 70000; i++) fputc('#', f);
  fclose(f);
  char pub[41];
  assert_int_equal(jp_cert_load_public(path, pub, err, sizeof err), -1);
  assert_non_null(strstr(err, "not a certificate"));
  assert_int_equal(jp_cert_load_public("not-a-key-and-not-a-file", pub, err, sizeof err), -1);
  assert_int_equal(jp_cert_load_public(dir, pub, err, sizeof err), -1);
  assert_int_equal(tmpdir_remove(dir), 0);
}

static void test_domain_roles(void **st) {
  (void)st;
  const char *d = "judgepool/client+admin";
  assert_int_equal(jp_zap_domain_roles(d, strlen(d)), JP_ROLE_CLIENT | JP_ROLE_ADMIN);
  d = "judgepool/worker";
  assert_int_equal(jp_zap_domain_roles(d, strlen(d)), JP_ROLE_WORKER);
  const char *bad[] = {"", "judgepool/", "judgepool/worker+", "judgepool/+worker",
                       "judgepool/insecure", "other/worker", "judgepool/robot",
                       "judgepool/workerworkerworkerworker"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(jp_zap_domain_roles(bad[i], strlen(bad[i])), 0);
}

static void test_policy_table(void **st) {
  (void)st;
  for (int t = JP_MSG_NONE + 1; t < JP_MSG__COUNT; t++) {
    unsigned dirs = jp_msg_dirs((enum jp_msg_type)t);
    int w = jp_role_may_send(JP_ROLE_WORKER, t), c = jp_role_may_send(JP_ROLE_CLIENT, t),
        a = jp_role_may_send(JP_ROLE_ADMIN, t);
    assert_int_equal(w, (dirs & JP_DIR_W2B) != 0);
    assert_int_equal(c, (dirs & JP_DIR_C2B) != 0 && t != JP_MSG_CANCEL && t != JP_MSG_DRAIN);
    assert_int_equal(a, (dirs & JP_DIR_C2B) != 0);
    /* nobody sends what only the broker sends */
    if (!(dirs & (JP_DIR_W2B | JP_DIR_C2B))) assert_false(w || c || a);
  }
  assert_false(jp_role_may_send(JP_ROLE_ADMIN, JP_MSG_NONE));
  assert_false(jp_role_may_send(JP_ROLE_ADMIN, JP_MSG__COUNT));
  assert_false(jp_role_may_send(0, JP_MSG_SUBMIT));
  /* DRAIN: admin only, as CANCEL */
  assert_true(jp_role_may_send(JP_ROLE_ADMIN, JP_MSG_DRAIN));
  assert_false(jp_role_may_send(JP_ROLE_CLIENT, JP_MSG_DRAIN));
  assert_false(jp_role_may_send(JP_ROLE_WORKER, JP_MSG_DRAIN));
  assert_false(jp_role_may_send(JP_ROLE_WORKER | JP_ROLE_CLIENT, JP_MSG_DRAIN));
  assert_true(jp_role_may_drain(JP_ROLE_ADMIN));
  assert_false(jp_role_may_drain(JP_ROLE_CLIENT));
  assert_false(jp_role_may_drain(JP_ROLE_WORKER));
  unsigned r;
  assert_int_equal(jp_role_parse("client", &r), 0);
  assert_int_equal(r, JP_ROLE_CLIENT);
  assert_int_equal(jp_role_parse("Client", &r), -1);
  assert_string_equal(jp_role_name(JP_ROLE_WORKER), "worker");
  assert_string_equal(jp_role_name(3), "none");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_keytab_good),     cmocka_unit_test(test_keytab_bad_lines),
      cmocka_unit_test(test_keytab_file_checks), cmocka_unit_test(test_cert_roundtrip),
      cmocka_unit_test(test_cert_hostile),    cmocka_unit_test(test_domain_roles),
      cmocka_unit_test(test_policy_table),
  };
  return cmocka_run_group_tests_name("security_keys", tests, setup, NULL);
}
