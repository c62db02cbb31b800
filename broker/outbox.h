/* outbox.h — messages for workers collected during one broker loop turn
 * (JOBs, then RESULT_ACKs once the commit is done) and sent after the
 * commit, grouped by peer, each peer's in the order they were added. With a
 * thousand one-slot workers every job is a JOB and an ACK to the same
 * worker in the same turn; back to
 * back they share one libzmq pipe wake-up and usually one TCP segment
 * instead of two of each (measured in bench/pool-bench). No sockets here. */
#ifndef JP_OUTBOX_H
#define JP_OUTBOX_H

#include <stddef.h>

#define OUTBOX_ID_MAX 255 /* ZeroMQ routing ids */

struct outbox_msg {
  unsigned char id[OUTBOX_ID_MAX];
  size_t id_len;
  void *body; /* owned by the outbox until sent */
  size_t len;
  void *tag;  /* the caller's, handed back to send */
};

struct outbox {
  struct outbox_msg *m;
  size_t n, cap;
  /* outbox_send's grouping arrays, in one block kept from turn to turn
   * (grown with the messages, freed by outbox_free) */
  size_t *scratch;
  size_t scratch_cap; /* messages the block serves */
};

/* Takes body (malloc'd) on success; 0 or -1 (out of memory, bad id): then
 * body is still the caller's. A turn adds at most a few messages per message
 * it received, so the outbox is bounded by the loop's batch size. */
int outbox_add(struct outbox *o, const void *id, size_t id_len, void *body, size_t len, void *tag);
/* Calls send for every held message, grouped by peer id (peers in the order
 * of their first message), then frees the bodies and empties the outbox.
 * Without memory for the grouping each message is still sent once, in the
 * order added (only not grouped). */
void outbox_send(struct outbox *o, void (*send)(void *ctx, const struct outbox_msg *m), void *ctx);
/* Drops every held message unsent, calling undo for each one's tag (a turn
 * whose journal commit failed: its JOBs must not go out). */
void outbox_discard(struct outbox *o, void (*undo)(void *ctx, void *tag), void *ctx);
void outbox_free(struct outbox *o);

#endif
