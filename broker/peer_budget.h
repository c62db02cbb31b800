/* peer_budget.h — bounds the reply bytes the broker queues to one peer
 * (BLOB replies to workers). libzmq counts queued messages (SNDHWM), not
 * bytes, and cannot say how much a peer has read; so each peer gets a
 * leaky bucket: every reply adds its size, the bucket drains at a rate a
 * reading peer sustains, and a reply that would overflow it is refused
 * (the peer retries later). A peer that asks and never reads is therefore
 * held to about cap + rate * seconds, not SNDHWM * 64 MiB. Pure data
 * structure: callers pass the time. */
#ifndef JP_PEER_BUDGET_H
#define JP_PEER_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#define PB_KEY_MAX 256

struct peer_budget;

/* cap: bytes one peer may have outstanding; rate: bytes per second assumed
 * drained; slots: peers tracked at once (the least recently used empty or
 * oldest entry is reused). NULL on bad arguments or out of memory. */
struct peer_budget *pb_new(uint64_t cap, uint64_t rate, size_t slots);
void pb_free(struct peer_budget *pb);
/* Charges `bytes` to the peer named by key. 0 charged; -1 refused (over
 * budget). An empty bucket always takes one reply, however big, so a reply
 * the frame cap allows is never refused forever. */
int pb_take(struct peer_budget *pb, const void *key, size_t keylen, uint64_t bytes, int64_t now_ms);
/* Bytes the peer still has outstanding at now_ms (0 for an unknown peer). */
uint64_t pb_outstanding(struct peer_budget *pb, const void *key, size_t keylen, int64_t now_ms);

#endif
