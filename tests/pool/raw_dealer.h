/* raw_dealer.h — what the hand-driven test peers (pool_rawworker,
 * pool_rawclient) share on their raw DEALER: send one message, read the
 * next one that decodes. */
#ifndef JP_TEST_RAW_DEALER_H
#define JP_TEST_RAW_DEALER_H

#include "proto.h"

/* Encodes and sends m: 0, or -1 with the reason on stderr. */
int raw_send(void *sock, const struct jp_msg *m);
/* The next frame that decodes (others are skipped): 0, *out to
 * jp_msg_free. *idle_ms is a budget of waiting that several calls share:
 * only time with nothing to read uses it up; -1 once it is gone. */
int raw_next(void *sock, int *idle_ms, struct jp_msg *out);

#endif
