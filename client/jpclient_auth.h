/* jpclient_auth.h — how a client program proves who it is to a broker run
 * with authentication (CURVE, SECURITY.md): its own secret certificate
 * (`judge keygen NAME` writes NAME and NAME_secret; the admin lists the
 * public key as `client` or `admin` in the broker's keys file) and the
 * broker's public certificate or Z85 key. Implemented in jpclient_conn.c. */
#ifndef JP_CLIENT_AUTH_H
#define JP_CLIENT_AUTH_H

#include <stddef.h>

struct jpc_auth {
  const char *cert;       /* own secret certificate file (NAME_secret) */
  const char *broker_key; /* the broker's public certificate file, or its 40-character Z85 key */
  int insecure;           /* 1: plain sockets, for a broker run with --insecure (cert ignored) */
};

/* Sets the identity of every connection this process opens afterwards
 * (jpc_open, jpc_judge, jpc_watch): call it once, before them. Loads and
 * checks both files now, so a wrong path or a group-readable secret is
 * reported here. -1 with err set when the files are bad, or when a is
 * NULL or has neither cert + broker_key nor insecure. Not calling it at all
 * means plain sockets (a broker with authentication never answers them). */
int jpc_set_auth(const struct jpc_auth *a, char *err, size_t errlen);

#endif
