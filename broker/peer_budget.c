/* peer_budget.c — per-peer leaky buckets of queued reply bytes (see
 * peer_budget.h). A linear table: it holds only peers that fetched
 * recently (a few hundred workers), and lookups happen per BLOB_GET. */
#include "peer_budget.h"

#include <stdlib.h>
#include <string.h>

struct pb_ent {
  unsigned char key[PB_KEY_MAX];
  size_t keylen;
  uint64_t level;  /* bytes outstanding as of `at` */
  int64_t at;      /* ms */
  int used;
};

struct peer_budget {
  uint64_t cap, rate;
  size_t n;
  struct pb_ent *e;
};

struct peer_budget *pb_new(uint64_t cap, uint64_t rate, size_t slots) {
  if (!cap || !rate || !slots || slots > 1u << 20) return NULL;
  struct peer_budget *pb = calloc(1, sizeof *pb);
  if (!pb) return NULL;
  pb->e = calloc(slots, sizeof *pb->e);
  if (!pb->e) {
    free(pb);
    return NULL;
  }
  pb->cap = cap;
  pb->rate = rate;
  pb->n = slots;
  return pb;
}

void pb_free(struct peer_budget *pb) {
  if (!pb) return;
  free(pb->e);
  free(pb);
}

static void drain(const struct peer_budget *pb, struct pb_ent *e, int64_t now) {
  if (now <= e->at) return;
  uint64_t ms = (uint64_t)(now - e->at);
  /* rate * ms / 1000 without overflow for any sane rate */
  uint64_t gone = ms >= 1000000 ? UINT64_MAX : pb->rate / 1000 * ms + pb->rate % 1000 * ms / 1000;
  e->level = gone >= e->level ? 0 : e->level - gone;
  e->at = now;
}

static struct pb_ent *find(struct peer_budget *pb, const void *key, size_t keylen, int64_t now, int create) {
  if (keylen > PB_KEY_MAX) keylen = PB_KEY_MAX;
  struct pb_ent *victim = NULL;
  for (size_t i = 0; i < pb->n; i++) {
    struct pb_ent *e = &pb->e[i];
    if (e->used && e->keylen == keylen && !memcmp(e->key, key, keylen)) {
      drain(pb, e, now);
      return e;
    }
    if (!create) continue;
    if (e->used) drain(pb, e, now);
    /* prefer a free or drained slot, else the one with the least left */
    if (!victim || !e->used || (victim->used && e->level < victim->level)) victim = e;
  }
  if (!victim) return NULL;
  memset(victim, 0, sizeof *victim);
  memcpy(victim->key, key, keylen);
  victim->keylen = keylen;
  victim->at = now;
  victim->used = 1;
  return victim;
}

int pb_take(struct peer_budget *pb, const void *key, size_t keylen, uint64_t bytes, int64_t now_ms) {
  struct pb_ent *e = find(pb, key, keylen, now_ms, 1);
  if (!e) return -1;
  if (e->level > 0 && (bytes > pb->cap || e->level > pb->cap - bytes)) return -1;
  e->level = bytes > UINT64_MAX - e->level ? UINT64_MAX : e->level + bytes;
  return 0;
}

uint64_t pb_outstanding(struct peer_budget *pb, const void *key, size_t keylen, int64_t now_ms) {
  struct pb_ent *e = find(pb, key, keylen, now_ms, 0);
  return e ? e->level : 0;
}
