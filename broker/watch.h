/* watch.h — who watches which submission over the clients socket (WATCH,
 * or SUBMIT with watch): sid -> the routing ids of the connections that
 * get its EVENTs. Events go only to the owner's connections (or an
 * admin's), never to every client as on the PUB socket. Bounded per owner
 * (the reader's key) and in total, so no client makes the broker hold
 * unbounded state; pure data structure, unit-tested in tests/pool. */
#ifndef JP_BROKER_WATCH_H
#define JP_BROKER_WATCH_H

#include <stddef.h>

#define WATCH_PEER_MAX 255 /* ZeroMQ routing ids are at most 255 bytes */

enum {
  WATCH_ADDED = 0,
  WATCH_ALREADY = 1,       /* that connection already watches that sid */
  WATCH_NOMEM = -1,
  WATCH_FULL_OWNER = -2,   /* the owner (key) has per_owner watches */
  WATCH_FULL_TOTAL = -3,   /* the broker has total watches */
};

struct watches;

/* NULL when out of memory. per_owner and total are at least 1. */
struct watches *watch_new(size_t per_owner, size_t total);
void watch_free(struct watches *w);

/* sid: at most 128 bytes; owner: the key (or connection name) charged for
 * it, at most 128 bytes; peer: the routing id. */
int watch_add(struct watches *w, const char *sid, const char *owner, const void *peer, size_t peer_len);

/* Calls fn for every connection watching sid; fn returns nonzero to drop
 * that watch (the connection is gone). fn must not call back into w. */
typedef int (*watch_fn)(void *ctx, const void *peer, size_t peer_len);
void watch_each(struct watches *w, const char *sid, watch_fn fn, void *ctx);

/* The submission is final: every watch of sid ends. */
void watch_end(struct watches *w, const char *sid);
/* The connection is gone: every watch it held ends. Returns how many. */
size_t watch_drop_peer(struct watches *w, const void *peer, size_t peer_len);

/* Every watch ends (keys were revoked: watchers must WATCH again, and are
 * checked against the new keys when they do). */
void watch_clear(struct watches *w);

size_t watch_count(const struct watches *w);
size_t watch_owner_count(const struct watches *w, const char *owner);

#endif
