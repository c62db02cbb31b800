/* test_curve.c — authenticated links with real sockets over TCP loopback,
 * set up through zauth.h (not the broker): peers without a key, with an
 * unknown key or with the wrong role are refused at the handshake (seen on
 * the server's monitor, and no message gets through); the right keys work
 * and their role and key come through User-Id; reload admits an added key
 * and drops a removed one (also on a live connection); a PUB socket
 * refuses an unknown subscriber; without a ZAP handler nothing gets in. */
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

#ifndef ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
#define ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL 0x0800
#define ZMQ_EVENT_HANDSHAKE_SUCCEEDED 0x1000
#define ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL 0x2000
#define ZMQ_EVENT_HANDSHAKE_FAILED_AUTH 0x4000
#endif
#define EV_FAILED                                                                       \
  (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |         \
   ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
#define WAIT_MS 8000 /* generous: a refusal normally shows within ~10 ms */

struct env {
  char dir[64], keys[128];
  void *ctx;
  struct jp_zap *zap;
  struct jp_keypair srv, worker, client, admin, stranger;
  void *socks[16];
  size_t nsocks;
};

static void keys_file(struct env *e, int with_stranger, int with_client) {
  char text[1024];
  snprintf(text, sizeof text,
           "# test keys\n"
           "worker %s w1\n"
           "%s%s%s"
           "admin  %s alice@example.org\n"
           "%s%s%s",
           e->worker.public_z85, with_client ? "client " : "", with_client ? e->client.public_z85 : "",
           with_client ? " team-42\n" : "", e->admin.public_z85, with_stranger ? "client " : "",
           with_stranger ? e->stranger.public_z85 : "", with_stranger ? "\n" : "");
  sec_write(e->keys, text);
}

static struct env *env_new(int with_zap) {
  struct env *e = calloc(1, sizeof *e);
  char err[512];
  assert_int_equal(tmpdir_make(e->dir, sizeof e->dir), 0);
  snprintf(e->keys, sizeof e->keys, "%s/keys", e->dir);
  struct jp_keypair *kps[] = {&e->srv, &e->worker, &e->client, &e->admin, &e->stranger};
  for (size_t i = 0; i < 5; i++) assert_int_equal(jp_keypair_new(kps[i], err, sizeof err), 0);
  keys_file(e, 0, 1);
  e->ctx = zmq_ctx_new();
  if (with_zap) {
    int rc = jp_zap_start(e->ctx, e->keys, &e->zap, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(jp_zap_count(e->zap), 3);
  }
  return e;
}

static void *track(struct env *e, void *s) {
  assert_non_null(s);
  assert_true(e->nsocks < 16);
  e->socks[e->nsocks++] = s;
  int linger = 0;
  zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
  return s;
}

static void env_free(struct env *e) {
  for (size_t i = 0; i < e->nsocks; i++) zmq_close(e->socks[i]);
  jp_zap_stop(e->zap);
  zmq_ctx_term(e->ctx);
  assert_int_equal(tmpdir_remove(e->dir), 0);
  free(e);
}

/* A CURVE server socket admitting roles, bound to a free loopback port. */
static void *server(struct env *e, int type, unsigned roles, char *ep, size_t eplen) {
  char err[512];
  void *s = track(e, zmq_socket(e->ctx, type));
  assert_int_equal(jp_curve_server(s, &e->srv, roles, err, sizeof err), 0);
  assert_int_equal(zmq_bind(s, "tcp://127.0.0.1:*"), 0);
  assert_int_equal(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, ep, &eplen), 0);
  return s;
}

/* A peer with key pair kp (NULL: plain NULL mechanism). */
static void *peer(struct env *e, int type, const struct jp_keypair *kp, const char *ep) {
  char err[512];
  void *s = track(e, zmq_socket(e->ctx, type));
  if (kp) assert_int_equal(jp_curve_client(s, kp, e->srv.public_z85, err, sizeof err), 0);
  if (type == ZMQ_SUB) assert_int_equal(zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0), 0);
  assert_int_equal(zmq_connect(s, ep), 0);
  return s;
}

/* The peer's message does not reach srv and the server saw the handshake
 * fail. */
static void expect_refused(void *srv, void *mon, void *cli) {
  zmq_send(cli, "hello", 5, ZMQ_DONTWAIT);
  unsigned v = 0;
  int ev = sec_wait_event(mon, EV_FAILED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED, WAIT_MS, &v);
  assert_true(ev & EV_FAILED);
  zmq_msg_t m;
  zmq_msg_init(&m);
  assert_int_equal(sec_recv(srv, &m, 300), -1);
  zmq_msg_close(&m);
}

/* The peer's message arrives; returns who sent it according to zauth. */
static void expect_ok(struct env *e, void *srv, void *cli, struct jp_peer *who) {
  char err[512];
  assert_int_equal(zmq_send(cli, "hello", 5, 0), 5);
  zmq_msg_t id, body;
  zmq_msg_init(&id);
  zmq_msg_init(&body);
  assert_true(sec_recv(srv, &id, WAIT_MS) > 0); /* routing id */
  assert_int_equal(zmq_msg_recv(&body, srv, 0), 5);
  int rc = jp_zap_peer(e->zap, &body, who, err, sizeof err);
  if (rc) fprintf(stderr, "%s\n", err);
  assert_int_equal(rc, 0);
  assert_string_equal(zmq_msg_gets(&body, "User-Id"), jp_role_name(who->role));
  zmq_msg_close(&id);
  zmq_msg_close(&body);
}

static void test_no_handler_fails_closed(void **st) {
  (void)st;
  struct env *e = env_new(0);
  char ep[128];
  void *srv = server(e, ZMQ_ROUTER, JP_ROLE_WORKER, ep, sizeof ep);
  void *mon = track(e, sec_monitor(e->ctx, srv, "noh"));
  expect_refused(srv, mon, peer(e, ZMQ_DEALER, &e->worker, ep));
  env_free(e);
}

static void test_null_mechanism_refused(void **st) {
  (void)st;
  struct env *e = env_new(1);
  char ep[128];
  void *srv = server(e, ZMQ_ROUTER, JP_ROLE_CLIENT | JP_ROLE_ADMIN, ep, sizeof ep);
  void *mon = track(e, sec_monitor(e->ctx, srv, "null"));
  expect_refused(srv, mon, peer(e, ZMQ_DEALER, NULL, ep));
  env_free(e);
}

static void test_unknown_key_refused(void **st) {
  (void)st;
  struct env *e = env_new(1);
  char ep[128];
  void *srv = server(e, ZMQ_ROUTER, JP_ROLE_CLIENT | JP_ROLE_ADMIN, ep, sizeof ep);
  void *mon = track(e, sec_monitor(e->ctx, srv, "unk"));
  expect_refused(srv, mon, peer(e, ZMQ_DEALER, &e->stranger, ep));
  unsigned long ok, bad;
  jp_zap_stats(e->zap, &ok, &bad);
  assert_int_equal(ok, 0);
  assert_true(bad >= 1);
  env_free(e);
}

static void test_wrong_role_refused(void **st) {
  (void)st;
  struct env *e = env_new(1);
  char ep1[128], ep2[128];
  void *wsock = server(e, ZMQ_ROUTER, JP_ROLE_WORKER, ep1, sizeof ep1);
  void *csock = server(e, ZMQ_ROUTER, JP_ROLE_CLIENT | JP_ROLE_ADMIN, ep2, sizeof ep2);
  void *wmon = track(e, sec_monitor(e->ctx, wsock, "w"));
  void *cmon = track(e, sec_monitor(e->ctx, csock, "c"));
  /* a client key cannot register as a worker ... */
  expect_refused(wsock, wmon, peer(e, ZMQ_DEALER, &e->client, ep1));
  /* ... and a worker key cannot submit */
  expect_refused(csock, cmon, peer(e, ZMQ_DEALER, &e->worker, ep2));
  env_free(e);
}

static void test_right_keys_carry_role(void **st) {
  (void)st;
  struct env *e = env_new(1);
  char ep1[128], ep2[128];
  void *wsock = server(e, ZMQ_ROUTER, JP_ROLE_WORKER, ep1, sizeof ep1);
  void *csock = server(e, ZMQ_ROUTER, JP_ROLE_CLIENT | JP_ROLE_ADMIN, ep2, sizeof ep2);
  struct jp_peer w, c, a;
  expect_ok(e, wsock, peer(e, ZMQ_DEALER, &e->worker, ep1), &w);
  expect_ok(e, csock, peer(e, ZMQ_DEALER, &e->client, ep2), &c);
  expect_ok(e, csock, peer(e, ZMQ_DEALER, &e->admin, ep2), &a);
  assert_int_equal(w.role, JP_ROLE_WORKER);
  assert_string_equal(w.key, e->worker.public_z85);
  assert_string_equal(w.name, "w1");
  assert_int_equal(c.role, JP_ROLE_CLIENT);
  assert_string_equal(c.key, e->client.public_z85);
  assert_string_equal(c.name, "team-42");
  assert_int_equal(a.role, JP_ROLE_ADMIN);
  assert_string_equal(a.name, "alice@example.org");
  /* ownership: a client reads its own submissions only, admin all */
  assert_true(jp_peer_may_read(&c, e->client.public_z85));
  assert_false(jp_peer_may_read(&c, e->admin.public_z85));
  assert_false(jp_peer_may_read(&w, e->worker.public_z85));
  assert_true(jp_peer_may_read(&a, e->client.public_z85));
  unsigned long ok, bad;
  jp_zap_stats(e->zap, &ok, &bad);
  assert_int_equal(ok, 3);
  assert_int_equal(bad, 0);
  env_free(e);
}

/* One socket admitting every role (a deployment may share one): the role
 * still comes through, and the policy refuses what it must. */
static void test_shared_socket_role_rejectable(void **st) {
  (void)st;
  struct env *e = env_new(1);
  char ep[128];
  void *s = server(e, ZMQ_ROUTER, JP_ROLE_WORKER | JP_ROLE_CLIENT | JP_ROLE_ADMIN, ep, sizeof ep);
  struct jp_peer c, w;
  expect_ok(e, s, peer(e, ZMQ_DEALER, &e->client, ep), &c);
  expect_ok(e, s, peer(e, ZMQ_DEALER, &e->worker, ep), &w);
  assert_int_equal(c.role, JP_ROLE_CLIENT);
  assert_false(jp_role_may_send(c.role, JP_MSG_REGISTER));
  assert_false(jp_role_may_send(c.role, JP_MSG_JOB_RESULT));
  assert_true(jp_role_may_send(c.role, JP_MSG_SUBMIT));
  assert_int_equal(w.role, JP_ROLE_WORKER);
  assert_false(jp_role_may_send(w.role, JP_MSG_SUBMIT));
  assert_true(jp_role_may_send(w.role, JP_MSG_REGISTER));
  env_free(e);
}

static void test_reload_adds_and_drops(void **st) {
  (void)st;
  struct env *e = env_new(1);
  char err[512], ep[128];
  void *s = server(e, ZMQ_ROUTER, JP_ROLE_CLIENT | JP_ROLE_ADMIN, ep, sizeof ep);
  void *mon = track(e, sec_monitor(e->ctx, s, "rl"));
  expect_refused(s, mon, peer(e, ZMQ_DEALER, &e->stranger, ep));

  keys_file(e, 1, 1); /* the stranger becomes a client */
  assert_int_equal(jp_zap_reload(e->zap, err, sizeof err), 0);
  assert_int_equal(jp_zap_count(e->zap), 4);
  struct jp_peer p;
  expect_ok(e, s, peer(e, ZMQ_DEALER, &e->stranger, ep), &p);
  assert_string_equal(p.key, e->stranger.public_z85);
  void *live = peer(e, ZMQ_DEALER, &e->client, ep);
  expect_ok(e, s, live, &p);
  assert_string_equal(p.key, e->client.public_z85);

  keys_file(e, 1, 0); /* team-42 is removed */
  assert_int_equal(jp_zap_reload(e->zap, err, sizeof err), 1);
  assert_int_equal(jp_zap_count(e->zap), 3);
  /* the live connection stays up (libzmq cannot revoke it) but its
   * messages no longer carry a valid identity */
  assert_int_equal(zmq_send(live, "again", 5, 0), 5);
  zmq_msg_t id, body;
  zmq_msg_init(&id);
  zmq_msg_init(&body);
  assert_true(sec_recv(s, &id, WAIT_MS) > 0);
  assert_int_equal(zmq_msg_recv(&body, s, 0), 5);
  assert_int_equal(jp_zap_peer(e->zap, &body, &p, err, sizeof err), -1);
  assert_non_null(strstr(err, "removed"));
  zmq_msg_close(&id);
  zmq_msg_close(&body);
  /* and a new connection with it is refused */
  void *mon2 = track(e, sec_monitor(e->ctx, s, "rl2"));
  expect_refused(s, mon2, peer(e, ZMQ_DEALER, &e->client, ep));

  /* a broken file on reload: refused with file:line, old table kept */
  char bad[256];
  snprintf(bad, sizeof bad, "worker %s w1\nclient not-a-key\n", e->worker.public_z85);
  sec_write(e->keys, bad);
  assert_int_equal(jp_zap_reload(e->zap, err, sizeof err), -1);
  char want[160];
  snprintf(want, sizeof want, "%s:2:", e->keys);
  assert_non_null(strstr(err, want));
  assert_int_equal(jp_zap_count(e->zap), 3);
  env_free(e);
}

static void test_pub_refuses_unknown_subscriber(void **st) {
  (void)st;
  struct env *e = env_new(1);
  char ep[128];
  void *pub = server(e, ZMQ_PUB, JP_ROLE_CLIENT | JP_ROLE_ADMIN, ep, sizeof ep);
  void *mon = track(e, sec_monitor(e->ctx, pub, "pub"));
  void *bad = peer(e, ZMQ_SUB, &e->stranger, ep);
  unsigned v;
  assert_true(sec_wait_event(mon, EV_FAILED, WAIT_MS, &v) & EV_FAILED);
  void *good = peer(e, ZMQ_SUB, &e->client, ep);
  void *plain = peer(e, ZMQ_SUB, NULL, ep);
  /* publish until the known subscriber has joined (slow joiner) */
  zmq_msg_t m;
  zmq_msg_init(&m);
  int got = -1;
  for (int i = 0; i < WAIT_MS / 50 && got < 0; i++) {
    zmq_send(pub, "ev", 2, 0);
    got = sec_recv(good, &m, 50);
  }
  assert_int_equal(got, 2);
  for (int i = 0; i < 5; i++) zmq_send(pub, "ev", 2, 0);
  assert_int_equal(sec_recv(bad, &m, 300), -1);
  assert_int_equal(sec_recv(plain, &m, 50), -1);

  /* revoking a live subscriber: PUB has no per-message check, so the
   * broker re-binds, and only keys still listed get back in */
  char err[512];
  void *admin = peer(e, ZMQ_SUB, &e->admin, ep);
  got = -1;
  for (int i = 0; i < WAIT_MS / 50 && got < 0; i++) {
    zmq_send(pub, "ev", 2, 0);
    got = sec_recv(admin, &m, 50);
  }
  assert_int_equal(got, 2);
  keys_file(e, 0, 0); /* team-42 removed, admin stays */
  assert_int_equal(jp_zap_reload(e->zap, err, sizeof err), 1);
  void *mon2 = track(e, sec_monitor(e->ctx, pub, "pub2"));
  int rb = jp_rebind(pub, ep, err, sizeof err);
  if (rb) fprintf(stderr, "%s\n", err);
  assert_int_equal(rb, 0);
  while (sec_recv(good, &m, 100) >= 0) /* drain what was queued before */
    ;
  while (sec_recv(admin, &m, 100) >= 0)
    ;
  got = -1;
  for (int i = 0; i < WAIT_MS / 50 && got < 0; i++) {
    zmq_send(pub, "ev", 2, 0);
    got = sec_recv(admin, &m, 50);
  }
  assert_int_equal(got, 2); /* the admin reconnected */
  assert_true(sec_wait_event(mon2, EV_FAILED, WAIT_MS, &v) & EV_FAILED);
  for (int i = 0; i < 5; i++) zmq_send(pub, "ev", 2, 0);
  assert_int_equal(sec_recv(good, &m, 300), -1); /* team-42 did not */
  zmq_msg_close(&m);
  env_free(e);
}

static void test_insecure_peer(void **st) {
  (void)st;
  struct jp_peer p;
  zmq_msg_t m;
  zmq_msg_init(&m);
  assert_int_equal(jp_zap_peer(NULL, &m, &p, NULL, 0), 0);
  assert_int_equal(p.role, JP_ROLE_INSECURE);
  assert_true(jp_role_may_send(p.role, JP_MSG_SUBMIT));
  assert_true(jp_role_may_send(p.role, JP_MSG_REGISTER));
  zmq_msg_close(&m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_no_handler_fails_closed),
      cmocka_unit_test(test_null_mechanism_refused),
      cmocka_unit_test(test_unknown_key_refused),
      cmocka_unit_test(test_wrong_role_refused),
      cmocka_unit_test(test_right_keys_carry_role),
      cmocka_unit_test(test_shared_socket_role_rejectable),
      cmocka_unit_test(test_reload_adds_and_drops),
      cmocka_unit_test(test_pub_refuses_unknown_subscriber),
      cmocka_unit_test(test_insecure_peer),
  };
  return cmocka_run_group_tests_name("security_curve", tests, NULL, NULL);
}
