/* scheduler.c — priorities, per-client fairness, credits and leases (see
 * scheduler.h). Finding a free worker for a language is O(1) (a ring of
 * free workers per language); a dispatch skips a whole priority in
 * O(languages) when no client's next job there has a free worker, and
 * otherwise walks the client ring only past clients whose next job has
 * none. Expiry (sched_tick, every 100 ms) visits every worker and lease;
 * a worker registering again loses only its own (sched_worker_expire). */
#include "scheduler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

struct sched_client {
  char name[SCHED_ID_MAX + 1];
  size_t held;                                   /* jobs held in any state */
  size_t bytes;                                  /* their payload bytes */
  struct sched_job *head[SCHED_NPRIO], *tail[SCHED_NPRIO];
  struct sched_client *r_prev[SCHED_NPRIO], *r_next[SCHED_NPRIO];
  int in_ring[SCHED_NPRIO];
  struct sched_client *h_next;
};

/* An interned language, held by the jobs and workers that name it; an
 * entry neither holds is free for another name (the index is reused: every
 * per-language structure is empty for it by then). */
struct sched_lang {
  char name[SCHED_ID_MAX + 1];
  uint32_t jobs, workers;
};

struct sched {
  struct sched_cfg cfg;
  struct sched_lang langs[SCHED_LANG_MAX];
  int nlangs;                     /* entries ever used (a prefix of langs) */
  struct sched_job **jobs;        /* id hash */
  size_t njob_buckets, njobs, bytes;
  struct sched_client **clients;  /* name hash (clients are never freed while holding jobs) */
  size_t nclient_buckets, nclients;
  struct sched_worker **workers;  /* rid hash */
  size_t nworker_buckets;
  struct sched_worker *all;       /* every worker */
  struct sched_worker *free_ring[SCHED_LANG_MAX]; /* per language: free workers speaking it */
  uint64_t free_langs;            /* bit l: free_ring[l] is not empty */
  struct sched_client *ring[SCHED_NPRIO]; /* clients with queued jobs, cursor first */
  /* per priority and language: clients in the ring whose next job is in it */
  uint32_t heads[SCHED_NPRIO][SCHED_LANG_MAX];
  uint64_t head_langs[SCHED_NPRIO]; /* bit l: heads[p][l] > 0 */
  size_t queued[SCHED_NPRIO];
  /* a client's queue is FIFO, so a job in a language no worker speaks would
   * hold back everything behind it: past a grace period such a job is
   * parked (still queued, out of its client's line) until one comes */
  int64_t lang_idle_since[SCHED_LANG_MAX]; /* since when it has none (INT64_MIN: from the next tick) */
  struct sched_job *parked[SCHED_LANG_MAX], *parked_tail[SCHED_LANG_MAX];
  size_t running, finishing, nworkers;
  uint64_t next_lease;
  int force;
  int64_t last_tick;              /* sched_tick's previous now (0 = none yet) */
};

static uint64_t hash_bytes(const void *p, size_t n) {
  const unsigned char *b = p;
  uint64_t h = 1469598103934665603ULL; /* FNV-1a */
  for (size_t i = 0; i < n; i++) {
    h ^= b[i];
    h *= 1099511628211ULL;
  }
  return h;
}

static int valid_name(const char *s) {
  size_t n = s ? strnlen(s, SCHED_ID_MAX + 1) : 0;
  if (n == 0 || n > SCHED_ID_MAX) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '-' || c == '_' || c == '.' || c == ':' || c == '+'))
      return 0;
  }
  return 1;
}

struct sched *sched_new(const struct sched_cfg *cfg, char *err, size_t errlen) {
  if (!cfg || cfg->lease_ms <= 0 || cfg->worker_timeout_ms <= 0 || cfg->max_attempts == 0 ||
      cfg->max_per_client == 0 || cfg->max_total == 0 || cfg->max_bytes == 0) {
    jp_err(err, errlen, "scheduler: every limit must be positive (lease, worker timeout, attempts, queue bounds)");
    return NULL;
  }
  struct sched *s = calloc(1, sizeof *s);
  if (!s) {
    jp_errno(err, errlen, "scheduler: allocating");
    return NULL;
  }
  s->cfg = *cfg;
  if (!s->cfg.max_client_bytes || s->cfg.max_client_bytes > s->cfg.max_bytes) s->cfg.max_client_bytes = s->cfg.max_bytes;
  s->njob_buckets = 1;
  while (s->njob_buckets < cfg->max_total * 2 && s->njob_buckets < (1u << 22)) s->njob_buckets <<= 1;
  s->nclient_buckets = 4096;
  s->nworker_buckets = 4096;
  s->jobs = calloc(s->njob_buckets, sizeof *s->jobs);
  s->clients = calloc(s->nclient_buckets, sizeof *s->clients);
  s->workers = calloc(s->nworker_buckets, sizeof *s->workers);
  s->next_lease = 1;
  if (!s->jobs || !s->clients || !s->workers) {
    sched_free(s);
    jp_errno(err, errlen, "scheduler: allocating hash tables");
    return NULL;
  }
  return s;
}

void sched_set_lease_base(struct sched *s, uint64_t base) { s->next_lease = base ? base : 1; }
void sched_set_force(struct sched *s, int force) { s->force = force; }

void sched_free(struct sched *s) {
  if (!s) return;
  if (s->jobs)
    for (size_t i = 0; i < s->njob_buckets; i++)
      for (struct sched_job *j = s->jobs[i], *n; j; j = n) {
        n = j->h_next;
        free(j->payload);
        free(j);
      }
  if (s->clients)
    for (size_t i = 0; i < s->nclient_buckets; i++)
      for (struct sched_client *c = s->clients[i], *n; c; c = n) {
        n = c->h_next;
        free(c);
      }
  for (struct sched_worker *w = s->all, *n; w; w = n) {
    n = w->all_next;
    free(w);
  }
  free(s->jobs);
  free(s->clients);
  free(s->workers);
  free(s);
}

static int lang_held(const struct sched_lang *l) { return l->jobs || l->workers; }

static int lang_find(const struct sched *s, const char *name) {
  for (int i = 0; i < s->nlangs; i++)
    if (lang_held(&s->langs[i]) && !strcmp(s->langs[i].name, name)) return i;
  return -1;
}

/* The index of name, interned in a free entry if new. A job (for_job) may
 * intern a new one only while fewer than SCHED_LANG_JOBS entries are held
 * by jobs alone (unless forced: recovery takes back what it finds), so
 * clients naming languages no worker speaks cannot take the room workers
 * need. -1 with err set when refused. The caller takes its hold at once. */
static int lang_intern(struct sched *s, const char *name, int for_job, char *err, size_t errlen) {
  if (!valid_name(name)) return jp_err(err, errlen, "language '%.40s' is not a valid name", name ? name : "");
  int l = lang_find(s, name);
  if (l >= 0) return l;
  int jobs_only = 0, slot = -1;
  for (int i = 0; i < s->nlangs; i++) {
    if (!lang_held(&s->langs[i])) {
      if (slot < 0) slot = i;
    } else if (!s->langs[i].workers) {
      jobs_only++;
    }
  }
  if (for_job && !s->force && jobs_only >= SCHED_LANG_JOBS)
    return jp_err(err, errlen, "language '%s': already %d languages that no registered worker speaks are queued; "
                  "wait for those to finish or for a worker of that language", name, jobs_only);
  if (slot < 0) {
    if (s->nlangs >= SCHED_LANG_MAX)
      return jp_err(err, errlen, "language '%s': the broker already holds %d languages", name, SCHED_LANG_MAX);
    slot = s->nlangs++;
  }
  snprintf(s->langs[slot].name, sizeof s->langs[slot].name, "%s", name);
  s->lang_idle_since[slot] = INT64_MIN;
  return slot;
}

int sched_lang_spoken(const struct sched *s, const char *name) {
  int l = name ? lang_find(s, name) : -1;
  return l >= 0 && s->langs[l].workers > 0;
}

const char *sched_lang_name(const struct sched *s, int lang) {
  return lang >= 0 && lang < s->nlangs ? s->langs[lang].name : "?";
}

static void unpark(struct sched *s, int l);

/* A worker's hold on each language of its mask; -1 releases it. The first
 * worker of a language brings its parked jobs back in line; when the last
 * one goes, its grace period starts at the next tick. */
static void worker_langs_hold(struct sched *s, uint64_t mask, int delta) {
  for (int l = 0; l < SCHED_LANG_MAX; l++) {
    if (!(mask & (1ULL << l))) continue;
    s->langs[l].workers += (uint32_t)delta;
    if (delta > 0 && s->langs[l].workers == 1) unpark(s, l);
    if (delta < 0 && s->langs[l].workers == 0) s->lang_idle_since[l] = INT64_MIN;
  }
}

/* ---- clients and their queues ---- */

static struct sched_client *client_get(struct sched *s, const char *name, int create) {
  size_t b = hash_bytes(name, strlen(name)) & (s->nclient_buckets - 1);
  for (struct sched_client *c = s->clients[b]; c; c = c->h_next)
    if (!strcmp(c->name, name)) return c;
  if (!create) return NULL;
  struct sched_client *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  strcpy(c->name, name);
  c->h_next = s->clients[b];
  s->clients[b] = c;
  s->nclients++;
  return c;
}

static void ring_insert(struct sched *s, struct sched_client *c, int p) {
  if (c->in_ring[p]) return;
  c->in_ring[p] = 1;
  struct sched_client *h = s->ring[p];
  if (!h) {
    c->r_prev[p] = c->r_next[p] = c;
    s->ring[p] = c;
    return;
  }
  /* insert just before the cursor: the newcomer waits a full round */
  c->r_next[p] = h;
  c->r_prev[p] = h->r_prev[p];
  h->r_prev[p]->r_next[p] = c;
  h->r_prev[p] = c;
}

static void ring_remove(struct sched *s, struct sched_client *c, int p) {
  if (!c->in_ring[p]) return;
  c->in_ring[p] = 0;
  if (c->r_next[p] == c) {
    s->ring[p] = NULL;
  } else {
    c->r_prev[p]->r_next[p] = c->r_next[p];
    c->r_next[p]->r_prev[p] = c->r_prev[p];
    if (s->ring[p] == c) s->ring[p] = c->r_next[p];
  }
  c->r_next[p] = c->r_prev[p] = NULL;
}

/* the client's next job at p changed from h0 to h1 (either may be NULL) */
static void head_moved(struct sched *s, int p, const struct sched_job *h0, const struct sched_job *h1) {
  if (h0 == h1) return;
  if (h0 && --s->heads[p][h0->lang] == 0) s->head_langs[p] &= ~(1ULL << h0->lang);
  if (h1 && s->heads[p][h1->lang]++ == 0) s->head_langs[p] |= 1ULL << h1->lang;
}

static void queue_push(struct sched *s, struct sched_job *j, int front) {
  struct sched_client *c = j->client;
  int p = j->prio;
  struct sched_job *h0 = c->head[p];
  j->state = SCHED_QUEUED;
  j->q_prev = j->q_next = NULL;
  if (!c->head[p]) {
    c->head[p] = c->tail[p] = j;
  } else if (front) {
    j->q_next = c->head[p];
    c->head[p]->q_prev = j;
    c->head[p] = j;
  } else {
    j->q_prev = c->tail[p];
    c->tail[p]->q_next = j;
    c->tail[p] = j;
  }
  s->queued[p]++;
  head_moved(s, p, h0, c->head[p]);
  ring_insert(s, c, p);
}

static void park(struct sched *s, struct sched_job *j) {
  int l = j->lang;
  j->q_next = NULL;
  j->q_prev = s->parked_tail[l];
  if (j->q_prev) j->q_prev->q_next = j; else s->parked[l] = j;
  s->parked_tail[l] = j;
  j->parked = 1;
  s->queued[j->prio]++;
}

static void queue_unlink(struct sched *s, struct sched_job *j) {
  struct sched_client *c = j->client;
  int p = j->prio;
  if (j->parked) {
    if (j->q_prev) j->q_prev->q_next = j->q_next; else s->parked[j->lang] = j->q_next;
    if (j->q_next) j->q_next->q_prev = j->q_prev; else s->parked_tail[j->lang] = j->q_prev;
    j->q_prev = j->q_next = NULL;
    j->parked = 0;
    s->queued[p]--;
    return;
  }
  struct sched_job *h0 = c->head[p];
  if (j->q_prev) j->q_prev->q_next = j->q_next; else c->head[p] = j->q_next;
  if (j->q_next) j->q_next->q_prev = j->q_prev; else c->tail[p] = j->q_prev;
  j->q_prev = j->q_next = NULL;
  s->queued[p]--;
  head_moved(s, p, h0, c->head[p]);
  if (!c->head[p]) ring_remove(s, c, p);
}

/* A client without jobs is not in any ring; forgetting it bounds memory
 * against callers inventing client names. */
static void client_forget(struct sched *s, struct sched_client *c) {
  size_t b = hash_bytes(c->name, strlen(c->name)) & (s->nclient_buckets - 1);
  for (struct sched_client **pp = &s->clients[b]; *pp; pp = &(*pp)->h_next)
    if (*pp == c) {
      *pp = c->h_next;
      break;
    }
  s->nclients--;
  free(c);
}

/* ---- jobs ---- */

static size_t job_bucket(const struct sched *s, const char *id) {
  return hash_bytes(id, strlen(id)) & (s->njob_buckets - 1);
}

struct sched_job *sched_find(struct sched *s, const char *id) {
  if (!id || strnlen(id, SCHED_ID_MAX + 1) > SCHED_ID_MAX) return NULL;
  for (struct sched_job *j = s->jobs[job_bucket(s, id)]; j; j = j->h_next)
    if (!strcmp(j->id, id)) return j;
  return NULL;
}

int sched_add(struct sched *s, const char *id, const char *client, int prio, const char *lang,
              uint32_t attempts, void *payload, size_t len, struct sched_job **out, char *err,
              size_t errlen) {
  if (out) *out = NULL;
  if (!valid_name(id)) return jp_err(err, errlen, "submission id must be 1-64 characters of [A-Za-z0-9._:+-]");
  if (!valid_name(client)) return jp_err(err, errlen, "client name must be 1-64 characters of [A-Za-z0-9._:+-]");
  if (prio < 0 || prio >= SCHED_NPRIO) return jp_err(err, errlen, "priority %d out of range", prio);
  struct sched_job *old = sched_find(s, id);
  if (old) {
    if (out) *out = old;
    return SCHED_DUPLICATE;
  }
  int l = lang_intern(s, lang, 1, err, errlen);
  if (l < 0) return -1;
  struct sched_client *c = client_get(s, client, 0);
  if (!s->force) {
    /* one client's bytes are bounded too: else one that queues large
     * submissions nothing can run fills max_bytes for everyone */
    size_t held = c ? c->held : 0, held_bytes = c ? c->bytes : 0;
    if (s->njobs >= s->cfg.max_total || s->bytes + len > s->cfg.max_bytes) {
      jp_err(err, errlen, "queue full: the broker holds as many unfinished submissions (or bytes of them) as it "
             "may; retry later");
      return SCHED_FULL;
    }
    if (held >= s->cfg.max_per_client || held_bytes + len > s->cfg.max_client_bytes) {
      jp_err(err, errlen, "queue full for you: %zu unfinished submissions of %zu bytes held (at most %zu and %zu "
             "bytes); retry when some have finished", held, held_bytes, s->cfg.max_per_client,
             s->cfg.max_client_bytes);
      return SCHED_FULL;
    }
  }
  if (!c && !(c = client_get(s, client, 1))) return jp_errno(err, errlen, "scheduler: allocating client");
  struct sched_job *j = calloc(1, sizeof *j);
  if (!j) return jp_errno(err, errlen, "scheduler: allocating job");
  strcpy(j->id, id);
  j->prio = prio;
  j->lang = l;
  j->attempts = attempts;
  j->payload = payload;
  j->payload_len = len;
  j->client = c;
  size_t b = job_bucket(s, id);
  j->h_next = s->jobs[b];
  s->jobs[b] = j;
  s->njobs++;
  s->bytes += len;
  c->held++;
  c->bytes += len;
  s->langs[l].jobs++;
  queue_push(s, j, 0);
  if (out) *out = j;
  return SCHED_ADDED;
}

/* ---- workers ---- */

static size_t worker_bucket(const struct sched *s, const void *rid, size_t n) {
  return hash_bytes(rid, n) & (s->nworker_buckets - 1);
}

struct sched_worker *sched_worker_find(struct sched *s, const void *rid, size_t rid_len) {
  if (!rid || rid_len == 0 || rid_len > SCHED_RID_MAX) return NULL;
  for (struct sched_worker *w = s->workers[worker_bucket(s, rid, rid_len)]; w; w = w->h_next)
    if (w->rid_len == rid_len && !memcmp(w->rid, rid, rid_len)) return w;
  return NULL;
}

static int worker_free(const struct sched_worker *w) {
  return w->drained || w->unreachable ? 0 : w->slots - w->running - w->zombies;
}

static void free_ring_update(struct sched *s, struct sched_worker *w) {
  int want = worker_free(w) > 0;
  if (want == w->in_free) return;
  w->in_free = want;
  for (int l = 0; l < SCHED_LANG_MAX; l++) {
    if (!(w->langmask & (1ULL << l))) continue;
    struct sched_worker *h = s->free_ring[l];
    if (want) { /* at the tail: it waits for the free workers before it */
      if (!h) {
        w->f_prev[l] = w->f_next[l] = w;
        s->free_ring[l] = w;
        s->free_langs |= 1ULL << l;
      } else {
        w->f_next[l] = h;
        w->f_prev[l] = h->f_prev[l];
        h->f_prev[l]->f_next[l] = w;
        h->f_prev[l] = w;
      }
    } else {
      if (w->f_next[l] == w) {
        s->free_ring[l] = NULL;
        s->free_langs &= ~(1ULL << l);
      } else {
        w->f_prev[l]->f_next[l] = w->f_next[l];
        w->f_next[l]->f_prev[l] = w->f_prev[l];
        if (h == w) s->free_ring[l] = w->f_next[l];
      }
      w->f_next[l] = w->f_prev[l] = NULL;
    }
  }
}

static void running_unlink(struct sched *s, struct sched_job *j) {
  struct sched_worker *w = j->worker;
  if (j->q_prev) j->q_prev->q_next = j->q_next; else w->jobs = j->q_next;
  if (j->q_next) j->q_next->q_prev = j->q_prev;
  j->q_prev = j->q_next = NULL;
  j->worker = NULL;
  j->lease = 0;
  w->running--;
  s->running--;
}

static void add_zombie(struct sched_worker *w) {
  if (w->zombies < w->slots) w->zombies++;
}

static int drop_zombie(struct sched_worker *w) {
  if (w->zombies == 0) return 0;
  w->zombies--;
  return 1;
}

/* parked jobs of language l go back to their clients' lines (at the end) */
static void unpark(struct sched *s, int l) {
  while (s->parked[l]) {
    struct sched_job *j = s->parked[l];
    queue_unlink(s, j);
    queue_push(s, j, 0);
  }
}

/* Parks the jobs at the head of their client's line whose language has had
 * no worker for grace_ms (then the rest of that line can go). */
static void park_blocked_heads(struct sched *s, int64_t now, int64_t grace_ms) {
  uint64_t dead = 0;
  for (int l = 0; l < s->nlangs; l++) {
    if (!s->langs[l].jobs || s->langs[l].workers) continue;
    if (s->lang_idle_since[l] == INT64_MIN) s->lang_idle_since[l] = now;
    if (now - s->lang_idle_since[l] >= grace_ms) dead |= 1ULL << l;
  }
  for (int p = 0; p < SCHED_NPRIO; p++) {
    if (!(s->head_langs[p] & dead)) continue;
    /* every client in the ring once; a client whose line empties leaves it */
    size_t n = 0;
    struct sched_client *c = s->ring[p];
    if (c) do n++, c = c->r_next[p]; while (c != s->ring[p]);
    c = s->ring[p];
    for (size_t i = 0; i < n && c; i++) {
      struct sched_client *next = c->r_next[p];
      while (c->head[p] && (dead & (1ULL << c->head[p]->lang))) {
        struct sched_job *j = c->head[p];
        queue_unlink(s, j);
        park(s, j);
      }
      c = next;
    }
  }
}

struct sched_worker *sched_worker_hello(struct sched *s, const void *rid, size_t rid_len,
                                        const char *name, int slots, const char *const *langs,
                                        int nlangs, int64_t now, char *err, size_t errlen) {
  if (!rid || rid_len == 0 || rid_len > SCHED_RID_MAX) {
    jp_err(err, errlen, "worker routing id must be 1-%d bytes", SCHED_RID_MAX);
    return NULL;
  }
  if (!valid_name(name)) {
    jp_err(err, errlen, "worker name must be 1-64 characters of [A-Za-z0-9._:+-]");
    return NULL;
  }
  if (slots < 1 || slots > 1024 || nlangs < 1 || nlangs > SCHED_WORKER_LANGS) {
    jp_err(err, errlen, "worker %s: slots must be 1-1024 and languages 1-%d", name, SCHED_WORKER_LANGS);
    return NULL;
  }
  /* each language is held as soon as it is interned, so a later one of
   * the same list cannot reuse its entry */
  uint64_t mask = 0;
  char sub[200];
  for (int i = 0; i < nlangs; i++) {
    int l = lang_intern(s, langs[i], 0, sub, sizeof sub);
    if (l < 0) {
      worker_langs_hold(s, mask, -1);
      jp_err(err, errlen, "worker %s: %s", name, sub);
      return NULL;
    }
    if (!(mask & (1ULL << l))) worker_langs_hold(s, 1ULL << l, 1);
    mask |= 1ULL << l;
  }
  struct sched_worker *w = sched_worker_find(s, rid, rid_len);
  struct sched_worker *nw = calloc(1, sizeof *nw);
  if (!nw) {
    worker_langs_hold(s, mask, -1);
    jp_errno(err, errlen, "scheduler: allocating worker");
    return NULL;
  }
  /* the new session's languages are held (above) before the old session
   * goes, so they never look abandoned in between */
  if (w) {
    /* a second hello on the same connection: the worker restarted its
     * session, so what we thought it ran goes back to the queue */
    sched_worker_bye(s, w);
  }
  w = nw;
  memcpy(w->rid, rid, rid_len);
  w->rid_len = rid_len;
  snprintf(w->name, sizeof w->name, "%s", name);
  w->slots = slots;
  w->langmask = mask;
  w->last_seen = now;
  size_t b = worker_bucket(s, rid, rid_len);
  w->h_next = s->workers[b];
  s->workers[b] = w;
  w->all_next = s->all;
  if (s->all) s->all->all_prev = w;
  s->all = w;
  s->nworkers++;
  free_ring_update(s, w);
  return w;
}

void sched_worker_unreachable(struct sched *s, struct sched_worker *w) {
  w->unreachable = 1;
  free_ring_update(s, w);
}

void sched_worker_drain(struct sched *s, struct sched_worker *w, int on) {
  w->drained = on != 0;
  free_ring_update(s, w);
}

static void worker_remove(struct sched *s, struct sched_worker *w) {
  w->slots = 0; /* leave the free ring */
  w->zombies = 0;
  free_ring_update(s, w);
  size_t b = worker_bucket(s, w->rid, w->rid_len);
  for (struct sched_worker **pp = &s->workers[b]; *pp; pp = &(*pp)->h_next)
    if (*pp == w) {
      *pp = w->h_next;
      break;
    }
  if (w->all_prev) w->all_prev->all_next = w->all_next; else s->all = w->all_next;
  if (w->all_next) w->all_next->all_prev = w->all_prev;
  s->nworkers--;
  worker_langs_hold(s, w->langmask, -1);
  free(w);
}

void sched_worker_bye(struct sched *s, struct sched_worker *w) {
  while (w->jobs) {
    struct sched_job *j = w->jobs;
    running_unlink(s, j);
    if (j->attempts > 0) j->attempts--; /* handed back, not failed */
    queue_push(s, j, 1);
  }
  worker_remove(s, w);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

int sched_worker_heartbeat(struct sched *s, const void *rid, size_t rid_len, int free_slots,
                           const uint64_t *leases, size_t nleases, int64_t now) {
  struct sched_worker *w = sched_worker_find(s, rid, rid_len);
  if (!w) return -1;
  if (w->slots == 0) return -1; /* lost: it must register again */
  w->last_seen = now;
  w->unreachable = 0;
  uint64_t sorted[SCHED_MAX_LEASES];
  int all = nleases > SCHED_MAX_LEASES || (nleases && !leases);
  if (!all && nleases) {
    memcpy(sorted, leases, nleases * sizeof *leases);
    qsort(sorted, nleases, sizeof *sorted, cmp_u64);
  }
  for (struct sched_job *j = w->jobs; j; j = j->q_next)
    if (all || (nleases && bsearch(&j->lease, sorted, nleases, sizeof *sorted, cmp_u64)))
      j->deadline = now + s->cfg.lease_ms;
  if (free_slots < 0) free_slots = 0;
  int z = w->slots - free_slots - w->running;
  w->zombies = z > 0 ? z : 0;
  free_ring_update(s, w);
  return 0;
}

/* ---- dispatch ---- */

int sched_dispatch(struct sched *s, int64_t now, struct sched_job **job, struct sched_worker **wout) {
  for (int p = 0; p < SCHED_NPRIO; p++) {
    /* nothing at p can go now unless some client's next job there is in a
     * language with a free worker: O(languages), however many clients */
    if (!(s->head_langs[p] & s->free_langs)) continue;
    struct sched_client *start = s->ring[p], *c = start;
    do {
      struct sched_job *j = c->head[p];
      struct sched_worker *w = s->free_ring[j->lang];
      if (!w) {
        c = c->r_next[p];
        continue;
      }
      /* next round starts after this client; then the job leaves */
      s->ring[p] = c->r_next[p];
      queue_unlink(s, j);
      j->state = SCHED_RUNNING;
      j->lease = s->next_lease++;
      j->deadline = now + s->cfg.lease_ms;
      j->started = now;
      j->attempts++;
      j->worker = w;
      j->q_next = w->jobs;
      if (w->jobs) w->jobs->q_prev = j;
      w->jobs = j;
      w->running++;
      s->running++;
      /* rotate that language's free ring so load spreads over workers */
      s->free_ring[j->lang] = w->f_next[j->lang];
      free_ring_update(s, w);
      *job = j;
      *wout = w;
      return 1;
    } while (c != start);
  }
  return 0;
}

/* ---- completion ---- */

int sched_result(struct sched *s, const void *rid, size_t rid_len, const char *id,
                 uint64_t lease, struct sched_job **job) {
  *job = NULL;
  struct sched_worker *w = sched_worker_find(s, rid, rid_len);
  struct sched_job *j = sched_find(s, id);
  if (j && j->state == SCHED_RUNNING && j->lease == lease && j->worker == w && w) {
    running_unlink(s, j);
    j->state = SCHED_FINISHING;
    s->finishing++;
    w->completed++;
    free_ring_update(s, w);
    *job = j;
    return SCHED_RES_ACCEPT;
  }
  if (w && drop_zombie(w)) free_ring_update(s, w);
  return SCHED_RES_STALE;
}

void sched_finishing(struct sched *s, struct sched_job *j) {
  if (j->state == SCHED_FINISHING) return;
  if (j->state == SCHED_QUEUED) {
    queue_unlink(s, j);
  } else {
    struct sched_worker *w = j->worker;
    running_unlink(s, j);
    /* the worker still works on it: keep its slot busy until it reports */
    add_zombie(w);
    free_ring_update(s, w);
  }
  j->state = SCHED_FINISHING;
  s->finishing++;
}

void sched_done(struct sched *s, struct sched_job *j) {
  if (j->state != SCHED_FINISHING) return;
  s->finishing--;
  size_t b = job_bucket(s, j->id);
  for (struct sched_job **pp = &s->jobs[b]; *pp; pp = &(*pp)->h_next)
    if (*pp == j) {
      *pp = j->h_next;
      break;
    }
  s->njobs--;
  s->bytes -= j->payload_len;
  s->langs[j->lang].jobs--;
  struct sched_client *c = j->client;
  c->bytes -= j->payload_len;
  if (--c->held == 0) client_forget(s, c);
  free(j->payload);
  free(j);
}

void sched_requeue(struct sched *s, struct sched_job *j) {
  if (j->state != SCHED_FINISHING) return;
  s->finishing--;
  queue_push(s, j, 1);
}

void sched_undispatch(struct sched *s, struct sched_job *j) {
  if (j->state != SCHED_RUNNING) return;
  struct sched_worker *w = j->worker;
  running_unlink(s, j);
  j->attempts--;
  queue_push(s, j, 1);
  free_ring_update(s, w);
}

/* j's lease on w is lost: the attempt counts; requeued at the front of its
 * class, or FINISHING at the cap (cb says which). w's slot stays busy until
 * it reports it free (the worker may still be judging it). */
static void lease_lost(struct sched *s, struct sched_worker *w, struct sched_job *j, sched_expire_cb cb,
                       void *ctx) {
  running_unlink(s, j);
  add_zombie(w);
  if (j->attempts >= s->cfg.max_attempts) {
    j->state = SCHED_FINISHING;
    s->finishing++;
    if (cb) cb(ctx, j, 1);
  } else {
    queue_push(s, j, 1);
    if (cb) cb(ctx, j, 0);
  }
}

/* the broker was not listening for `gap` ms: nobody's silence counts */
static void forgive_stall(struct sched *s, int64_t gap) {
  for (struct sched_worker *w = s->all; w; w = w->all_next) {
    if (w->slots > 0) w->last_seen += gap; /* a lost one stays lost */
    for (struct sched_job *j = w->jobs; j; j = j->q_next)
      if (j->deadline != INT64_MIN) j->deadline += gap;
  }
}

void sched_tick(struct sched *s, int64_t now, sched_expire_cb cb, void *ctx) {
  if (s->cfg.stall_ms > 0 && s->last_tick && now - s->last_tick > s->cfg.stall_ms)
    forgive_stall(s, now - s->last_tick);
  s->last_tick = now;
  for (struct sched_worker *w = s->all, *wn; w; w = wn) {
    wn = w->all_next;
    for (struct sched_job *j = w->jobs, *n; j; j = n) {
      n = j->q_next;
      int overdue = s->cfg.job_timeout_ms > 0 && now - j->started > s->cfg.job_timeout_ms;
      if (j->deadline > now && !overdue) continue;
      lease_lost(s, w, j, cb, ctx);
    }
    free_ring_update(s, w);
    if (now - w->last_seen > s->cfg.worker_timeout_ms && !w->jobs) worker_remove(s, w);
  }
  /* as long as a worker that went away (or a broker restart) takes to come
   * back, so a short absence does not reorder anyone's line */
  park_blocked_heads(s, now, s->cfg.worker_timeout_ms);
}

void sched_worker_expire(struct sched *s, struct sched_worker *w, sched_expire_cb cb, void *ctx) {
  /* no credit while its leases go: a callback that dispatched could not
   * lease a job to a worker about to be freed */
  w->slots = 0;
  w->zombies = 0;
  free_ring_update(s, w);
  for (struct sched_job *j = w->jobs, *n; j; j = n) {
    n = j->q_next;
    lease_lost(s, w, j, cb, ctx);
  }
  worker_remove(s, w);
}

int sched_cancel(struct sched *s, const char *id, struct sched_job **job) {
  struct sched_job *j = sched_find(s, id);
  *job = j;
  if (!j || j->state == SCHED_FINISHING) return 0;
  int was_running = j->state == SCHED_RUNNING;
  j->cancel_requested = 1;
  sched_finishing(s, j);
  return was_running ? 2 : 1;
}

void sched_stats(const struct sched *s, struct sched_stats *st) {
  memset(st, 0, sizeof *st);
  for (int p = 0; p < SCHED_NPRIO; p++) st->queued[p] = s->queued[p];
  st->running = s->running;
  st->finishing = s->finishing;
  st->workers = s->nworkers;
  st->clients = s->nclients;
  for (const struct sched_worker *w = s->all; w; w = w->all_next) {
    st->slots += (size_t)w->slots;
    if (worker_free(w) > 0) st->free_slots += (size_t)worker_free(w);
  }
}

struct sched_worker *sched_workers(struct sched *s) { return s->all; }
struct sched_worker *sched_worker_next(struct sched_worker *w) { return w->all_next; }

static const char *const prio_names[SCHED_NPRIO] = {"contest", "normal", "rejudge", "bulk"};

int sched_prio_parse(const char *name) {
  for (int p = 0; p < SCHED_NPRIO; p++)
    if (name && !strcmp(name, prio_names[p])) return p;
  return -1;
}

const char *sched_prio_name(int prio) { return prio >= 0 && prio < SCHED_NPRIO ? prio_names[prio] : "?"; }

const char *sched_job_client(const struct sched_job *j) { return j->client ? j->client->name : ""; }
