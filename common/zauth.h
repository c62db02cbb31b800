/* zauth.h — authenticated, encrypted links: ZeroMQ CURVE key pairs in the
 * zcert text format, an allowed-keys table with a role per key, the ZAP
 * handler that admits only listed keys, and the per-message role check.
 *
 * How the pieces fit (broker side):
 *   jp_zap_start(ctx, keys_file)        once, before any socket binds
 *   jp_curve_server(sock, &kp, roles)   on each broker socket, before bind
 *   jp_zap_peer(zap, &msg, &peer)       on every received message
 *   jp_role_may_send(peer.role, type)   before acting on it
 *   jp_zap_reload(zap)                  on SIGHUP (and jp_rebind(events)
 *                                       when it returns > 0)
 * Clients and workers: jp_cert_load_secret + jp_cert_load_public, then
 * jp_curve_client(sock, ...) before connect. SECURITY.md has the picture. */
#ifndef JP_ZAUTH_H
#define JP_ZAUTH_H

#include <stddef.h>

#define JP_Z85_KEY_LEN 40   /* a 32-byte CURVE key in Z85 */
#define JP_KEY_NAME_MAX 64  /* names in the keys file */
#define JP_KEYS_MAX 65536   /* entries in one keys file */

/* Roles, as bits so a socket can admit several. */
enum jp_role {
  JP_ROLE_WORKER = 1, /* may register, heartbeat, fetch blobs, report results */
  JP_ROLE_CLIENT = 2, /* may submit, read its own submissions */
  JP_ROLE_ADMIN = 4,  /* may read everything, cancel, drain workers */
  /* what an unauthenticated peer gets when the broker runs --insecure:
   * without authentication no role can be told apart */
  JP_ROLE_INSECURE = 7,
};

const char *jp_role_name(unsigned role);          /* "worker", "client", "admin", "insecure" */
int jp_role_parse(const char *name, unsigned *role); /* 0, or -1 for an unknown name */

/* ---- key pairs and certificate files (zauth_cert.c) ---- */

struct jp_keypair {
  char public_z85[JP_Z85_KEY_LEN + 1];
  char secret_z85[JP_Z85_KEY_LEN + 1]; /* "" when only the public half is known */
};

/* A fresh key pair (zmq_curve_keypair). */
int jp_keypair_new(struct jp_keypair *kp, char *err, size_t errlen);
/* Writes BASENAME (public certificate) and BASENAME_secret (both keys, mode
 * 0600) in the zcert format. Refuses to replace existing files unless force. */
int jp_cert_write(const char *base, const struct jp_keypair *kp, int force, char *err,
                  size_t errlen);
/* Reads a secret certificate; refuses one readable by group or others, a
 * malformed one, and one whose public key does not match its secret key. */
int jp_cert_load_secret(const char *path, struct jp_keypair *kp, char *err, size_t errlen);
/* spec is a public (or secret) certificate file, or a literal Z85 key. */
int jp_cert_load_public(const char *spec, char out[JP_Z85_KEY_LEN + 1], char *err,
                        size_t errlen);
/* 1 when s is exactly JP_Z85_KEY_LEN valid Z85 characters. */
int jp_z85_key_valid(const char *s);
void jp_keypair_wipe(struct jp_keypair *kp);

/* ---- the allowed-keys table (zauth_keys.c) ----
 * File format, one key per line:  ROLE PUBLIC-KEY-Z85 [NAME]
 * ROLE is worker, client or admin; NAME is 1..64 of [A-Za-z0-9._@+-];
 * '#' starts a comment line; blank lines are ignored. A key may appear
 * once. Any other line refuses the whole file, naming file and line. */
struct jp_keytab;
struct jp_keyent {
  unsigned char key[32];
  char z85[JP_Z85_KEY_LEN + 1];
  unsigned role;
  char name[JP_KEY_NAME_MAX + 1];
  unsigned line; /* where it is in the keys file */
};
int jp_keytab_load(const char *path, struct jp_keytab **out, char *err, size_t errlen);
int jp_keytab_parse(const char *buf, size_t len, const char *name, struct jp_keytab **out,
                    char *err, size_t errlen);
const struct jp_keyent *jp_keytab_find(const struct jp_keytab *t, const unsigned char key[32]);
size_t jp_keytab_count(const struct jp_keytab *t);
const struct jp_keyent *jp_keytab_at(const struct jp_keytab *t, size_t i); /* NULL past the end */
void jp_keytab_free(struct jp_keytab *t);

/* ---- the ZAP handler (zauth_zap.c) ----
 * A thread answering inproc://zeromq.zap.01 in ctx: admits a CURVE key only
 * if it is in the table and its role is one the socket admits (set by
 * jp_curve_server). The reply's User-Id is the role name; the metadata
 * carries X-Key (the Z85 public key) and X-Name. One per context. */
struct jp_zap;
int jp_zap_start(void *ctx, const char *keys_path, struct jp_zap **out, char *err,
                 size_t errlen);
/* Re-reads the keys file. On error the old table stays in force (and -1
 * says why); otherwise returns how many keys were removed or changed role.
 * Safe to call from any thread while the handler runs. Such keys are
 * refused at their next handshake and by jp_zap_peer at once; a PUB socket
 * has no per-message check, so when this returns > 0 call jp_rebind on it
 * to make every subscriber handshake again. */
int jp_zap_reload(struct jp_zap *z, char *err, size_t errlen);
/* Unbinds sock's last endpoint (which ends its accepted connections) and
 * binds endpoint again; peers reconnect by themselves and go through ZAP. */
int jp_rebind(void *sock, const char *endpoint, char *err, size_t errlen);
size_t jp_zap_count(struct jp_zap *z);
/* Counts of handshakes admitted and refused since start (for logs/tests). */
void jp_zap_stats(struct jp_zap *z, unsigned long *admitted, unsigned long *refused);
void jp_zap_stop(struct jp_zap *z);

/* ---- socket options and per-message identity (zauth_sock.c) ---- */

/* CURVE server with this key pair; the socket admits only keys whose role
 * is in roles (a JP_ROLE_* mask). Call before zmq_bind. */
int jp_curve_server(void *sock, const struct jp_keypair *server, unsigned roles, char *err,
                    size_t errlen);
/* CURVE client with its own key pair and the server's public key. Call
 * before zmq_connect. */
int jp_curve_client(void *sock, const struct jp_keypair *own, const char *server_public_z85,
                    char *err, size_t errlen);

struct jp_peer {
  unsigned role;                  /* one JP_ROLE_* (JP_ROLE_INSECURE without auth) */
  char key[JP_Z85_KEY_LEN + 1];   /* owner identity; "" without auth */
  char name[JP_KEY_NAME_MAX + 1];
};
/* Who sent msg (any frame received on a socket set up by jp_curve_server).
 * z NULL means the broker runs --insecure: every peer is JP_ROLE_INSECURE.
 * Otherwise -1 when the message carries no authenticated identity or its
 * key has been removed or changed role since the handshake. */
int jp_zap_peer(struct jp_zap *z, void *msg, struct jp_peer *out, char *err, size_t errlen);

/* Policy: may a peer with role send a message of this jp_msg_type at all?
 * (ownership is separate: jp_peer_may_read). */
int jp_role_may_send(unsigned role, int msg_type);
/* May the peer read/see a submission owned by owner_key? Own key or admin. */
int jp_peer_may_read(const struct jp_peer *p, const char *owner_key);
/* Admin-only actions without a message type of their own yet. */
int jp_role_may_drain(unsigned role);

#endif
