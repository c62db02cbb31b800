/* watch.c — the watch table (see watch.h): two chained hash tables, watches
 * by sid and charges by owner, both with a fixed bucket count (the total
 * cap bounds the chains' combined length). */
#include "watch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 4096u
#define ID_MAX 128

struct owner {
  struct owner *next;
  size_t n;
  char name[ID_MAX + 1];
};

struct watch {
  struct watch *next;
  struct owner *owner;
  size_t peer_len;
  unsigned char peer[WATCH_PEER_MAX];
  char sid[ID_MAX + 1];
};

struct watches {
  size_t per_owner, total, n;
  struct watch *by_sid[NBUCKETS];
  struct owner *owners[NBUCKETS];
};

static unsigned bucket(const char *s) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h % NBUCKETS;
}

struct watches *watch_new(size_t per_owner, size_t total) {
  struct watches *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  w->per_owner = per_owner ? per_owner : 1;
  w->total = total ? total : 1;
  return w;
}

static struct owner *owner_find(const struct watches *w, const char *name) {
  for (struct owner *o = w->owners[bucket(name)]; o; o = o->next)
    if (!strcmp(o->name, name)) return o;
  return NULL;
}

/* one charge less; an owner with none left is forgotten */
static void owner_release(struct watches *w, struct owner *o) {
  if (--o->n) return;
  struct owner **pp = &w->owners[bucket(o->name)];
  while (*pp != o) pp = &(*pp)->next;
  *pp = o->next;
  free(o);
}

static void unlink_free(struct watches *w, struct watch **pp) {
  struct watch *x = *pp;
  *pp = x->next;
  owner_release(w, x->owner);
  free(x);
  w->n--;
}

void watch_clear(struct watches *w) {
  for (unsigned b = 0; w->n && b < NBUCKETS; b++)
    while (w->by_sid[b]) unlink_free(w, &w->by_sid[b]);
}

void watch_free(struct watches *w) {
  if (!w) return;
  watch_clear(w);
  free(w);
}

int watch_add(struct watches *w, const char *sid, const char *owner, const void *peer, size_t peer_len) {
  if (strlen(sid) > ID_MAX || strlen(owner) > ID_MAX || peer_len > WATCH_PEER_MAX) return WATCH_NOMEM;
  unsigned b = bucket(sid);
  for (struct watch *x = w->by_sid[b]; x; x = x->next)
    if (x->peer_len == peer_len && !memcmp(x->peer, peer, peer_len) && !strcmp(x->sid, sid)) return WATCH_ALREADY;
  struct owner *o = owner_find(w, owner);
  if (o && o->n >= w->per_owner) return WATCH_FULL_OWNER;
  if (w->n >= w->total) return WATCH_FULL_TOTAL;
  struct watch *x = calloc(1, sizeof *x);
  if (!x) return WATCH_NOMEM;
  if (!o) {
    o = calloc(1, sizeof *o);
    if (!o) {
      free(x);
      return WATCH_NOMEM;
    }
    strcpy(o->name, owner);
    unsigned ob = bucket(owner);
    o->next = w->owners[ob];
    w->owners[ob] = o;
  }
  o->n++;
  x->owner = o;
  strcpy(x->sid, sid);
  memcpy(x->peer, peer, peer_len);
  x->peer_len = peer_len;
  x->next = w->by_sid[b];
  w->by_sid[b] = x;
  w->n++;
  return WATCH_ADDED;
}

void watch_each(struct watches *w, const char *sid, watch_fn fn, void *ctx) {
  struct watch **pp = &w->by_sid[bucket(sid)];
  while (*pp) {
    if (!strcmp((*pp)->sid, sid) && fn(ctx, (*pp)->peer, (*pp)->peer_len)) unlink_free(w, pp);
    else pp = &(*pp)->next;
  }
}

void watch_end(struct watches *w, const char *sid) {
  struct watch **pp = &w->by_sid[bucket(sid)];
  while (*pp) {
    if (!strcmp((*pp)->sid, sid)) unlink_free(w, pp);
    else pp = &(*pp)->next;
  }
}

size_t watch_drop_peer(struct watches *w, const void *peer, size_t peer_len) {
  size_t dropped = 0;
  if (!w->n) return 0;
  for (unsigned b = 0; b < NBUCKETS; b++) {
    struct watch **pp = &w->by_sid[b];
    while (*pp) {
      if ((*pp)->peer_len == peer_len && !memcmp((*pp)->peer, peer, peer_len)) {
        unlink_free(w, pp);
        dropped++;
      } else {
        pp = &(*pp)->next;
      }
    }
  }
  return dropped;
}

size_t watch_count(const struct watches *w) { return w->n; }

size_t watch_owner_count(const struct watches *w, const char *owner) {
  struct owner *o = owner_find(w, owner);
  return o ? o->n : 0;
}
