/* zauth_sock.c — CURVE options on sockets, and who sent a message: the
 * User-Id and metadata our ZAP handler attached at the handshake, checked
 * again against the current keys table so a removed key stops working at
 * once, not only at its next reconnect. */
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "err.h"
#include "zauth.h"
#include "zauth_internal.h"

/* A draft-API name in zmq.h 4.3.4, but the option itself is implemented by
 * the library (tests/security checks that a missing handler refuses). */
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

int jp_curve_server(void *sock, const struct jp_keypair *server, unsigned roles, char *err,
                    size_t errlen) {
  if (!jp_z85_key_valid(server->public_z85) || !jp_z85_key_valid(server->secret_z85))
    return jp_err(err, errlen, "CURVE server: the broker's key pair is missing or invalid");
  roles &= JP_ROLE_WORKER | JP_ROLE_CLIENT | JP_ROLE_ADMIN;
  if (!roles) return jp_err(err, errlen, "CURVE server: no role admitted");
  char domain[64] = JP_ZAP_DOMAIN_PREFIX;
  const unsigned order[] = {JP_ROLE_WORKER, JP_ROLE_CLIENT, JP_ROLE_ADMIN};
  int first = 1;
  for (size_t i = 0; i < 3; i++)
    if (roles & order[i]) {
      if (!first) strcat(domain, "+");
      strcat(domain, jp_role_name(order[i]));
      first = 0;
    }
  int one = 1;
  /* order matters to no one, but every call must succeed: ZAP_ENFORCE_DOMAIN
   * without ZAP_DOMAIN skips ZAP (any key admitted), and without
   * ENFORCE a missing handler also admits any key */
  if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
      zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, server->secret_z85, JP_Z85_KEY_LEN) != 0 ||
      zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, domain, strlen(domain)) != 0 ||
      zmq_setsockopt(sock, ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof one) != 0)
    return jp_err(err, errlen, "setting CURVE server options: %s", zmq_strerror(zmq_errno()));
  return 0;
}

int jp_curve_client(void *sock, const struct jp_keypair *own, const char *server_public_z85,
                    char *err, size_t errlen) {
  if (!jp_z85_key_valid(own->public_z85) || !jp_z85_key_valid(own->secret_z85))
    return jp_err(err, errlen, "CURVE client: own key pair missing or invalid (judge keygen)");
  if (!jp_z85_key_valid(server_public_z85))
    return jp_err(err, errlen, "CURVE client: the broker's public key is missing or invalid");
  if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server_public_z85, JP_Z85_KEY_LEN) != 0 ||
      zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, own->public_z85, JP_Z85_KEY_LEN) != 0 ||
      zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, own->secret_z85, JP_Z85_KEY_LEN) != 0)
    return jp_err(err, errlen, "setting CURVE client options: %s", zmq_strerror(zmq_errno()));
  return 0;
}

int jp_zap_peer(struct jp_zap *z, void *msg, struct jp_peer *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if (!z) {
    out->role = JP_ROLE_INSECURE;
    snprintf(out->name, sizeof out->name, "insecure");
    return 0;
  }
  /* zmq_msg_gets fails (EINVAL) on a message with no metadata: a socket
   * without CURVE, or a message we built ourselves */
  const char *uid = zmq_msg_gets(msg, "User-Id");
  const char *key = zmq_msg_gets(msg, JP_ZAP_PROP_KEY);
  unsigned role;
  if (!uid || !key || jp_role_parse(uid, &role) < 0 || role == JP_ROLE_INSECURE)
    return jp_err(err, errlen, "message without an authenticated identity (socket not set up "
                  "with jp_curve_server?)");
  struct jp_keyent e;
  if (jp_zap_check_key(z, key, role, &e) < 0)
    return jp_err(err, errlen, "key %.40s (%s) was removed from the keys file or changed role",
                  key, uid);
  out->role = role;
  memcpy(out->key, e.z85, sizeof out->key);
  memcpy(out->name, e.name, sizeof out->name);
  return 0;
}
