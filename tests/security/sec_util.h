/* sec_util.h — helpers shared by the security tests: key files,
 * socket monitors (to see a refused handshake happen rather than infer it
 * from silence). */
#ifndef JP_SEC_UTIL_H
#define JP_SEC_UTIL_H

#include <stddef.h>

#include "zauth.h"

/* temp dirs: tests/pool/tmpdir_fixture.h */
void sec_write(const char *path, const char *text);

/* Starts a monitor on sock for all events; returns the PAIR to read from. */
void *sec_monitor(void *ctx, void *sock, const char *name);
/* Waits up to timeout_ms for an event in mask; returns it (value in *val)
 * or 0 on timeout. */
int sec_wait_event(void *mon, int mask, int timeout_ms, unsigned *val);

/* Receives one frame within timeout_ms into msg (initialised by caller);
 * returns its size or -1. */
int sec_recv(void *sock, void *msg, int timeout_ms);

#endif
