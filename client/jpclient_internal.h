/* jpclient_internal.h — what the jpclient_*.c files share. */
#ifndef JP_CLIENT_INTERNAL_H
#define JP_CLIENT_INTERNAL_H

#include <stdint.h>

#include "jpclient.h"

struct jpc {
  void *ctx, *sock;
  char endpoint[256];
  char name[64];
  uint64_t rid;
  int reply_ms, total_ms;
};

struct jpc_problem {
  char dir[4096];
  struct jp_file_ref *files; /* path and sha256 strings owned here */
  size_t nfiles;
  char hash[65];
};

/* Sends req (rid assigned here), waits for the reply with the same rid;
 * resends on silence with a fresh connection until total_ms. *rep must be
 * jp_msg_free'd. An ERROR reply is returned as a message, not as -1. */
int jpc_request(struct jpc *c, struct jp_msg *req, struct jp_msg *rep, char *err, size_t errlen);
/* Sends without waiting (rid assigned here): -2 when the request cannot
 * be encoded, -1 when it cannot be sent; and receives any reply. */
int jpc_send(struct jpc *c, struct jp_msg *req, char *err, size_t errlen);
int jpc_recv(struct jpc *c, int timeout_ms, struct jp_msg *rep, char *err, size_t errlen);
int jpc_reconnect(struct jpc *c, char *err, size_t errlen);
int64_t jpc_now_ms(void);

#endif
