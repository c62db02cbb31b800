/* arena.c — where a decoded message's strings and arrays live: a chain of
 * blocks freed in one go by jp_msg_free(). Tracks the largest arena ever
 * built so tests can prove hostile frames cannot make us allocate much. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct jp_arena {
  struct jp_arena *next;
  size_t used, cap, total; /* total: bytes in this chain (head only) */
  max_align_t data[];
};

#define BLOCK_MIN 4096u

static _Atomic size_t peak_total;

void *jp_arena_alloc(struct jp_arena **a, size_t size) {
  size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
  if (size == 0) size = sizeof(max_align_t);
  struct jp_arena *h = *a;
  if (!h || h->cap - h->used < size) {
    size_t cap = size > BLOCK_MIN ? size : BLOCK_MIN;
    if (cap > SIZE_MAX / 2) return NULL;
    struct jp_arena *b = malloc(sizeof *b + cap);
    if (!b) return NULL;
    b->next = h;
    b->used = 0;
    b->cap = cap;
    b->total = (h ? h->total : 0) + sizeof *b + cap;
    size_t seen = atomic_load(&peak_total);
    while (b->total > seen && !atomic_compare_exchange_weak(&peak_total, &seen, b->total)) {
    }
    *a = h = b;
  }
  void *p = (char *)h->data + h->used;
  h->used += size;
  memset(p, 0, size);
  return p;
}

void jp_arena_free(struct jp_arena *a) {
  while (a) {
    struct jp_arena *n = a->next;
    free(a);
    a = n;
  }
}

size_t jp_arena_peak_total(void) { return atomic_load(&peak_total); }
void jp_arena_peak_reset(void) { atomic_store(&peak_total, 0); }
