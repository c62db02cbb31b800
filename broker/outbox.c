/* outbox.c — per-turn worker messages grouped by peer (see outbox.h). */
#include "outbox.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int outbox_add(struct outbox *o, const void *id, size_t id_len, void *body, size_t len, void *tag) {
  if (!id || id_len == 0 || id_len > OUTBOX_ID_MAX) return -1;
  if (o->n == o->cap) {
    size_t nc = o->cap ? o->cap * 2 : 256;
    struct outbox_msg *nm = realloc(o->m, nc * sizeof *nm);
    if (!nm) return -1;
    o->m = nm;
    o->cap = nc;
  }
  struct outbox_msg *m = &o->m[o->n];
  memcpy(m->id, id, id_len);
  m->id_len = id_len;
  m->body = body;
  m->len = len;
  m->tag = tag;
  o->n++;
  return 0;
}

static uint64_t hash_id(const unsigned char *b, size_t n) {
  uint64_t h = 1469598103934665603ULL; /* FNV-1a */
  for (size_t i = 0; i < n; i++) {
    h ^= b[i];
    h *= 1099511628211ULL;
  }
  return h;
}

/* Hash slots for n messages: a power of two, at least twice n (short probes). */
static size_t slots_for(size_t n) {
  size_t nb = 16;
  while (nb < 2 * n) nb <<= 1;
  return nb;
}

/* The grouping arrays for o->n messages: order, rep, gof (n each), cnt
 * (n + 1) and the hash slots, carved from o->scratch. Grown to the message
 * array's capacity (malloc, not realloc: nothing in it is kept; 64 bytes
 * a message, less than the message array holds, so no overflow); -1 when
 * out of memory, the old block then stays. */
static int scratch_reserve(struct outbox *o) {
  if (o->n <= o->scratch_cap) return 0;
  size_t c = o->cap, words = 4 * c + 1 + slots_for(c);
  size_t *p = malloc(words * sizeof *p);
  if (!p) return -1;
  free(o->scratch);
  o->scratch = p;
  o->scratch_cap = c;
  return 0;
}

/* order[] = message indexes grouped by peer: peers in the order of their
 * first message, each peer's messages in the order added. O(n) with a hash
 * of the ids, in the scratch block (scratch_reserve). */
static void group(const struct outbox *o, size_t *order) {
  size_t n = o->n, nb = slots_for(n);
  size_t *rep = order + n;  /* a message of each group */
  size_t *gof = rep + n;    /* group of each message */
  size_t *cnt = gof + n;    /* n + 1 */
  size_t *slot = cnt + n + 1; /* group + 1, 0 = empty */
  memset(cnt, 0, (n + 1) * sizeof *cnt);
  memset(slot, 0, nb * sizeof *slot);
  size_t ng = 0;
  for (size_t i = 0; i < n; i++) {
    const struct outbox_msg *m = &o->m[i];
    size_t b = (size_t)hash_id(m->id, m->id_len) & (nb - 1);
    for (;; b = (b + 1) & (nb - 1)) {
      if (!slot[b]) {
        slot[b] = ++ng;
        rep[ng - 1] = i;
        break;
      }
      const struct outbox_msg *r = &o->m[rep[slot[b] - 1]];
      if (r->id_len == m->id_len && !memcmp(r->id, m->id, m->id_len)) break;
    }
    gof[i] = slot[b] - 1;
    cnt[gof[i] + 1]++;
  }
  for (size_t g = 0; g < ng; g++) cnt[g + 1] += cnt[g]; /* cnt[g] = start of group g */
  for (size_t i = 0; i < n; i++) order[cnt[gof[i]]++] = i;
}

void outbox_send(struct outbox *o, void (*send)(void *ctx, const struct outbox_msg *m), void *ctx) {
  if (!o->n) return;
  if (scratch_reserve(o) < 0) {
    /* out of memory: in the order added (correct, only not grouped) */
    for (size_t i = 0; i < o->n; i++) send(ctx, &o->m[i]);
  } else {
    group(o, o->scratch);
    for (size_t k = 0; k < o->n; k++) send(ctx, &o->m[o->scratch[k]]);
  }
  for (size_t i = 0; i < o->n; i++) free(o->m[i].body);
  o->n = 0;
}

void outbox_discard(struct outbox *o, void (*undo)(void *ctx, void *tag), void *ctx) {
  for (size_t i = 0; i < o->n; i++) {
    if (o->m[i].tag) undo(ctx, o->m[i].tag);
    free(o->m[i].body);
  }
  o->n = 0;
}

void outbox_free(struct outbox *o) {
  for (size_t i = 0; i < o->n; i++) free(o->m[i].body);
  free(o->m);
  free(o->scratch);
  o->m = NULL;
  o->scratch = NULL;
  o->n = o->cap = o->scratch_cap = 0;
}
