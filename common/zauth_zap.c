/* zauth_zap.c — the ZAP handler (ZeroMQ RFC 27) in its own thread.
 *
 * Why a thread and not the broker's poll loop: libzmq holds every CURVE
 * handshake until the ZAP reply arrives, so a handler polled from the
 * broker's loop would stall handshakes behind journal fsyncs and big
 * blobs, and the broker would need to remember to poll it. The thread
 * only does a table lookup under a mutex; reload swaps the table under the
 * same mutex, so it is safe from the broker's thread (e.g. on SIGHUP).
 *
 * Fail closed: jp_curve_server sets ZMQ_ZAP_ENFORCE_DOMAIN, so when this
 * handler is not running every CURVE handshake is refused, never admitted.
 * Each socket's ZAP domain names the roles it admits ("judgepool/worker",
 * "judgepool/client+admin"); a request for any other domain, mechanism or
 * version is refused. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "err.h"
#include "zauth.h"
#include "zauth_internal.h"

struct jp_zap {
  void *ctx;
  char path[4096];
  pthread_mutex_t mu; /* guards tab and the counters */
  struct jp_keytab *tab;
  unsigned long admitted, refused;
  void *rep;  /* bound to inproc://zeromq.zap.01; used by the thread only */
  void *ctl;  /* PAIR, main side: a message here stops the thread */
  void *ctl_in; /* PAIR, the thread's side */
  char ctl_ep[64];
  pthread_t thread;
};

#define ZAP_FRAMES_MAX 8

/* Domain "judgepool/ROLE[+ROLE...]" -> mask, or 0. */
unsigned jp_zap_domain_roles(const char *d, size_t n) {
  size_t pl = strlen(JP_ZAP_DOMAIN_PREFIX);
  if (n <= pl || n > 64 || memcmp(d, JP_ZAP_DOMAIN_PREFIX, pl)) return 0;
  unsigned mask = 0;
  size_t i = pl;
  while (i < n) {
    size_t j = i;
    while (j < n && d[j] != '+') j++;
    char word[16];
    if (j == i || j - i >= sizeof word) return 0;
    memcpy(word, d + i, j - i);
    word[j - i] = 0;
    unsigned r;
    if (jp_role_parse(word, &r) < 0 || r == JP_ROLE_INSECURE) return 0;
    mask |= r;
    i = j + 1;
    if (j < n && i == n) return 0; /* trailing '+' */
  }
  return mask;
}

static int frame_is(const zmq_msg_t *m, const char *s) {
  size_t l = strlen(s);
  return zmq_msg_size((zmq_msg_t *)m) == l && !memcmp(zmq_msg_data((zmq_msg_t *)m), s, l);
}

/* Metadata in ZMTP property form: name-len(1) name value-len(4, BE) value. */
static size_t put_prop(unsigned char *p, const char *name, const char *value) {
  size_t nl = strlen(name), vl = strlen(value);
  p[0] = (unsigned char)nl;
  memcpy(p + 1, name, nl);
  p[1 + nl] = (unsigned char)(vl >> 24);
  p[2 + nl] = (unsigned char)(vl >> 16);
  p[3 + nl] = (unsigned char)(vl >> 8);
  p[4 + nl] = (unsigned char)vl;
  memcpy(p + 5 + nl, value, vl);
  return 5 + nl + vl;
}

static void send_frame(void *s, const void *d, size_t n, int more) {
  zmq_send(s, d, n, more ? ZMQ_SNDMORE : 0);
}

/* Decides one request (frames already received) and sends the reply. */
static void answer(struct jp_zap *z, zmq_msg_t *f, int nf) {
  static const char *const no_id = "";
  const char *status = "400", *text = "refused";
  const struct jp_keyent *ent = NULL;
  struct jp_keyent copy;
  /* 0 version, 1 request id, 2 domain, 3 address, 4 routing id,
   * 5 mechanism, 6 credentials (CURVE: the 32-byte client public key) */
  if (nf < 6 || !frame_is(&f[0], "1.0")) {
    text = "bad ZAP request";
  } else if (nf != 7 || !frame_is(&f[5], "CURVE") || zmq_msg_size(&f[6]) != 32) {
    text = "CURVE required";
  } else {
    unsigned roles = jp_zap_domain_roles(zmq_msg_data(&f[2]), zmq_msg_size(&f[2]));
    pthread_mutex_lock(&z->mu);
    ent = jp_keytab_find(z->tab, zmq_msg_data(&f[6]));
    if (ent) copy = *ent;
    pthread_mutex_unlock(&z->mu);
    if (!roles) text = "unknown ZAP domain";
    else if (!ent) text = "unknown key";
    else if (!(copy.role & roles)) text = "role not admitted on this socket";
    else status = "200", text = "OK";
  }
  int ok = status[0] == '2';
  pthread_mutex_lock(&z->mu);
  if (ok) z->admitted++;
  else z->refused++;
  pthread_mutex_unlock(&z->mu);

  send_frame(z->rep, "1.0", 3, 1);
  if (nf >= 2) send_frame(z->rep, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]), 1);
  else send_frame(z->rep, no_id, 0, 1);
  send_frame(z->rep, status, 3, 1);
  send_frame(z->rep, text, strlen(text), 1);
  if (!ok) {
    send_frame(z->rep, "", 0, 1);
    send_frame(z->rep, "", 0, 0);
    return;
  }
  const char *role = jp_role_name(copy.role);
  send_frame(z->rep, role, strlen(role), 1);
  unsigned char meta[2 * (1 + 8 + 4) + JP_Z85_KEY_LEN + JP_KEY_NAME_MAX];
  size_t ml = put_prop(meta, JP_ZAP_PROP_KEY, copy.z85);
  ml += put_prop(meta + ml, JP_ZAP_PROP_NAME, copy.name);
  send_frame(z->rep, meta, ml, 0);
}

static void *zap_thread(void *arg) {
  struct jp_zap *z = arg;
  void *ctl = z->ctl_in;
  for (;;) {
    zmq_pollitem_t items[2] = {{z->rep, 0, ZMQ_POLLIN, 0}, {ctl, 0, ZMQ_POLLIN, 0}};
    int rc = zmq_poll(items, 2, -1);
    if (rc < 0) {
      if (zmq_errno() == EINTR) continue;
      break; /* ETERM */
    }
    if (items[1].revents & ZMQ_POLLIN) break;
    if (!(items[0].revents & ZMQ_POLLIN)) continue;
    zmq_msg_t f[ZAP_FRAMES_MAX];
    int nf = 0, more = 1, bad = 0;
    while (more) {
      zmq_msg_t tmp, *m = nf < ZAP_FRAMES_MAX ? &f[nf] : &tmp;
      zmq_msg_init(m);
      if (zmq_msg_recv(m, z->rep, 0) < 0) {
        zmq_msg_close(m);
        bad = -1;
        break;
      }
      more = zmq_msg_more(m);
      if (m == &tmp) {
        zmq_msg_close(m);
        bad = 1; /* too many frames: refuse */
      } else {
        nf++;
      }
    }
    if (bad >= 0) answer(z, f, bad ? 0 : nf);
    for (int i = 0; i < nf; i++) zmq_msg_close(&f[i]);
    if (bad < 0 && zmq_errno() == ETERM) break;
  }
  return NULL;
}

int jp_zap_start(void *ctx, const char *keys_path, struct jp_zap **out, char *err,
                 size_t errlen) {
  *out = NULL;
  struct jp_zap *z = calloc(1, sizeof *z);
  if (!z) return jp_err(err, errlen, "ZAP handler: out of memory");
  z->ctx = ctx;
  if (snprintf(z->path, sizeof z->path, "%s", keys_path) >= (int)sizeof z->path) {
    free(z);
    return jp_err(err, errlen, "keys file path too long");
  }
  if (jp_keytab_load(keys_path, &z->tab, err, errlen) < 0) {
    free(z);
    return -1;
  }
  pthread_mutex_init(&z->mu, NULL);
  snprintf(z->ctl_ep, sizeof z->ctl_ep, "inproc://jp-zap-ctl-%p", (void *)z);
  z->rep = zmq_socket(ctx, ZMQ_REP);
  z->ctl = zmq_socket(ctx, ZMQ_PAIR);
  int linger = 0;
  if (!z->rep || !z->ctl) {
    jp_err(err, errlen, "ZAP handler sockets: %s", zmq_strerror(zmq_errno()));
    goto fail;
  }
  zmq_setsockopt(z->rep, ZMQ_LINGER, &linger, sizeof linger);
  zmq_setsockopt(z->ctl, ZMQ_LINGER, &linger, sizeof linger);
  if (zmq_bind(z->rep, "inproc://zeromq.zap.01") != 0) {
    jp_err(err, errlen, "binding the ZAP handler (inproc://zeromq.zap.01): %s (one handler per "
           "context)", zmq_strerror(zmq_errno()));
    goto fail;
  }
  /* both ends made here, so the thread has nothing that can fail; the
   * sockets move to it under pthread_create's memory barrier */
  z->ctl_in = zmq_socket(ctx, ZMQ_PAIR);
  if (!z->ctl_in || zmq_bind(z->ctl, z->ctl_ep) != 0 || zmq_connect(z->ctl_in, z->ctl_ep) != 0) {
    jp_err(err, errlen, "ZAP control socket: %s", zmq_strerror(zmq_errno()));
    goto fail;
  }
  zmq_setsockopt(z->ctl_in, ZMQ_LINGER, &linger, sizeof linger);
  int e = pthread_create(&z->thread, NULL, zap_thread, z);
  if (e) {
    jp_err(err, errlen, "starting the ZAP thread: %s", strerror(e));
    goto fail;
  }
  *out = z;
  return 0;
fail:
  if (z->ctl_in) zmq_close(z->ctl_in);
  if (z->rep) zmq_close(z->rep);
  if (z->ctl) zmq_close(z->ctl);
  jp_keytab_free(z->tab);
  pthread_mutex_destroy(&z->mu);
  free(z);
  return -1;
}

int jp_zap_reload(struct jp_zap *z, char *err, size_t errlen) {
  struct jp_keytab *t;
  /* parse outside the lock: handshakes go on with the old table meanwhile */
  if (jp_keytab_load(z->path, &t, err, errlen) < 0) return -1;
  pthread_mutex_lock(&z->mu);
  struct jp_keytab *old = z->tab;
  z->tab = t;
  pthread_mutex_unlock(&z->mu);
  /* old is ours alone now: count the keys that lost their role */
  int revoked = 0;
  for (size_t i = 0; i < jp_keytab_count(old); i++) {
    const struct jp_keyent *o = jp_keytab_at(old, i), *n = jp_keytab_find(t, o->key);
    if (!n || n->role != o->role) revoked++;
  }
  jp_keytab_free(old);
  return revoked;
}

int jp_rebind(void *sock, const char *endpoint, char *err, size_t errlen) {
  char last[256];
  size_t len = sizeof last;
  if (zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, last, &len) != 0 || !last[0])
    return jp_err(err, errlen, "rebind %s: socket has no bound endpoint", endpoint);
  /* unbinding a TCP endpoint also ends the sessions accepted through it */
  if (zmq_unbind(sock, last) != 0)
    return jp_err(err, errlen, "unbind %s: %s", last, zmq_strerror(zmq_errno()));
  /* the listener closes in libzmq's I/O thread, after zmq_unbind returns:
   * the port may stay busy for a moment */
  for (int i = 0; i < 300; i++) {
    if (zmq_bind(sock, endpoint) == 0) return 0;
    if (zmq_errno() != EADDRINUSE) break;
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return jp_err(err, errlen, "re-binding %s: %s (the socket is now unbound: restart)", endpoint,
                zmq_strerror(zmq_errno()));
}

size_t jp_zap_count(struct jp_zap *z) {
  pthread_mutex_lock(&z->mu);
  size_t n = jp_keytab_count(z->tab);
  pthread_mutex_unlock(&z->mu);
  return n;
}

void jp_zap_stats(struct jp_zap *z, unsigned long *admitted, unsigned long *refused) {
  pthread_mutex_lock(&z->mu);
  if (admitted) *admitted = z->admitted;
  if (refused) *refused = z->refused;
  pthread_mutex_unlock(&z->mu);
}

int jp_zap_check_key(struct jp_zap *z, const char *z85, unsigned role, struct jp_keyent *out) {
  unsigned char k[32];
  if (!jp_z85_key_valid(z85) || !zmq_z85_decode(k, z85)) return -1;
  pthread_mutex_lock(&z->mu);
  const struct jp_keyent *e = jp_keytab_find(z->tab, k);
  int ok = e && e->role == role;
  if (ok && out) *out = *e;
  pthread_mutex_unlock(&z->mu);
  return ok ? 0 : -1;
}

void jp_zap_stop(struct jp_zap *z) {
  if (!z) return;
  zmq_send(z->ctl, "", 0, 0);
  pthread_join(z->thread, NULL);
  zmq_close(z->ctl_in);
  zmq_close(z->ctl);
  zmq_close(z->rep);
  jp_keytab_free(z->tab);
  pthread_mutex_destroy(&z->mu);
  free(z);
}
