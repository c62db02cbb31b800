/* scheduler.h — the broker's scheduler as a pure data structure: no sockets, no
 * disk, no clock (callers pass `now` in milliseconds). It owns the queued and
 * running jobs, the workers and their credits, and the leases; the broker
 * turns its decisions into messages and journal writes. */
#ifndef JP_SCHED_H
#define JP_SCHED_H

#include <stddef.h>
#include <stdint.h>

/* Priorities, highest first: a live contest before normal practice before
 * rejudges before bulk fuzzing campaigns. */
enum { SCHED_CONTEST = 0, SCHED_NORMAL, SCHED_REJUDGE, SCHED_BULK, SCHED_NPRIO };

#define SCHED_ID_MAX 128    /* submission ids and client names */
#define SCHED_RID_MAX 255   /* ZeroMQ routing ids */
#define SCHED_LANG_MAX 64   /* distinct languages held at once (bits of a uint64_t mask) */
/* At most this many of them may be named only by jobs (no registered
 * worker speaks them): what clients can fill, so workers always find room.
 * An entry no job and no worker holds is reused. */
#define SCHED_LANG_JOBS 32
#define SCHED_WORKER_LANGS 32
#define SCHED_KEY_MAX 40    /* a peer's public key (Z85) */
#define SCHED_MAX_LEASES 2048 /* leases a heartbeat may name */
#define SCHED_ALL_LEASES SIZE_MAX

enum sched_state { SCHED_QUEUED, SCHED_RUNNING, SCHED_FINISHING };

struct sched_worker;

struct sched_job {
  char id[SCHED_ID_MAX + 1];
  int prio;
  int lang;               /* interned language index */
  enum sched_state state;
  uint32_t attempts;      /* dispatches so far, including the current one */
  uint64_t lease;         /* current lease while RUNNING, else 0 */
  int64_t deadline;       /* lease expiry while RUNNING */
  int64_t started;        /* dispatch time of the current lease */
  struct sched_worker *worker;
  int cancel_requested;
  int parked;             /* queued, set aside: no worker speaks its language */
  void *payload;          /* owned: the job as sent to a worker */
  size_t payload_len;
  struct sched_client *client;
  /* private links */
  struct sched_job *q_prev, *q_next;   /* client queue, or worker's running list */
  struct sched_job *h_next;            /* id hash chain */
};

struct sched_worker {
  unsigned char rid[SCHED_RID_MAX];
  size_t rid_len;
  char name[SCHED_ID_MAX + 1];
  /* the key that registered it ("" unauthenticated), set by the broker:
   * only that key may speak for this routing id */
  char key[SCHED_KEY_MAX + 1];
  int slots;
  int running;            /* live leases */
  int zombies;            /* jobs it still works on that we no longer count */
  uint64_t langmask;
  int64_t last_seen;
  int64_t last_job_sent;  /* the broker's: a JOB is a sign of life, no HEARTBEAT needed */
  uint64_t completed;
  struct sched_job *jobs;            /* running list */
  /* one ring per language of workers with free credit that speak it:
   * finding a worker for a job is O(1) whatever the pool's language mix */
  struct sched_worker *f_prev[SCHED_LANG_MAX], *f_next[SCHED_LANG_MAX];
  int in_free;
  int drained;            /* admin DRAIN: its credit is ignored, running jobs finish */
  int unreachable;        /* a JOB for it could not be sent: no credit until it is heard from */
  struct sched_worker *h_next, *all_next, *all_prev;
};

struct sched_cfg {
  int lease_ms;           /* lease timeout: renewed by worker heartbeats */
  int worker_timeout_ms;  /* silence after which a worker is dropped */
  int64_t job_timeout_ms; /* a lease older than this is lost even if its
                           * worker lives (a wedged judging thread); 0 = none */
  uint32_t max_attempts;  /* dispatches before a job ends as IE */
  size_t max_per_client;  /* queued+running jobs per client */
  size_t max_total;       /* queued+running jobs in all */
  size_t max_bytes;       /* payload bytes held in all */
  int stall_ms;           /* sched_tick gap that is the broker's own stall
                           * (0 = none: time jumps count, as in unit tests) */
  size_t max_client_bytes; /* payload bytes held per client; 0 = max_bytes */
};

struct sched;

struct sched_stats {
  size_t queued[SCHED_NPRIO];
  size_t running, finishing, workers, slots, free_slots, clients;
};

/* Results of sched_add. */
enum { SCHED_ADDED = 0, SCHED_DUPLICATE = 1, SCHED_FULL = 2 };

struct sched *sched_new(const struct sched_cfg *cfg, char *err, size_t errlen);
void sched_free(struct sched *s);
/* Leases are numbered from `base` upward; the broker passes a base derived
 * from its journal epoch so leases from before a restart never match. */
void sched_set_lease_base(struct sched *s, uint64_t base);
/* While forced, sched_add ignores the queue bounds: recovery must take back
 * every acknowledged submission, however many there are. */
void sched_set_force(struct sched *s, int force);

/* 1 if a registered worker announced this language, else 0. */
int sched_lang_spoken(const struct sched *s, const char *name);
const char *sched_lang_name(const struct sched *s, int lang);

/* Queues a job; takes ownership of payload only when it returns SCHED_ADDED.
 * SCHED_DUPLICATE when the id is already held (queued, running, finishing),
 * SCHED_FULL when a bound would be exceeded (which one in err), -1 on a bad argument or a new
 * language beyond SCHED_LANG_JOBS unspoken ones (unless forced). */
int sched_add(struct sched *s, const char *id, const char *client, int prio, const char *lang,
              uint32_t attempts, void *payload, size_t len, struct sched_job **out, char *err,
              size_t errlen);
struct sched_job *sched_find(struct sched *s, const char *id);
/* The client (fairness key; with authentication the owner's key) of a job. */
const char *sched_job_client(const struct sched_job *j);

/* A worker (re)announces itself. Returns the worker or NULL on a bad
 * argument (message in err). */
struct sched_worker *sched_worker_hello(struct sched *s, const void *rid, size_t rid_len,
                                        const char *name, int slots, const char *const *langs,
                                        int nlangs, int64_t now, char *err, size_t errlen);
struct sched_worker *sched_worker_find(struct sched *s, const void *rid, size_t rid_len);
/* Heartbeat: the worker is alive, which renews the leases it holds: those
 * in leases[0..nleases) (the worker's own list: a JOB lost on the way,
 * e.g. in a connection that died, is then not renewed and expires, while
 * one still on its way has its first lease_ms to reach the worker and be
 * listed), or all of them when nleases is SCHED_ALL_LEASES (a worker that
 * sends no list) or over SCHED_MAX_LEASES.
 * free_slots (its own count) tells us how many slots are busy with jobs we
 * no longer count (expired or cancelled leases, jobs from before a broker
 * restart): those stay blocked until it reports them free. Messages from
 * one worker arrive in order, so the worker's count can only be higher
 * than ours (jobs in flight to it), never wrongly lower. Returns -1 if the
 * worker is unknown (it must register again). */
int sched_worker_heartbeat(struct sched *s, const void *rid, size_t rid_len, int free_slots,
                           const uint64_t *leases, size_t nleases, int64_t now);
/* A worker leaves gracefully: its running jobs go back to the queue without
 * counting an attempt. */
void sched_worker_bye(struct sched *s, struct sched_worker *w);
/* A JOB for w could not be sent (its connection is gone, or between two):
 * w gets no jobs until it is heard from again (a heartbeat). */
void sched_worker_unreachable(struct sched *s, struct sched_worker *w);

/* Picks the next (job, worker) pair: highest priority first, round-robin
 * between clients inside a priority, only workers with a free slot that
 * support the language. Returns 1 with the job RUNNING under a new lease, 0
 * if nothing can be dispatched now. */
int sched_dispatch(struct sched *s, int64_t now, struct sched_job **job, struct sched_worker **w);

/* Outcome of a worker's result. */
enum { SCHED_RES_ACCEPT = 0, SCHED_RES_STALE = 1 };
/* A worker reports the result of `lease` for job `id`. ACCEPT moves the job
 * to FINISHING (the caller journals the verdict then calls sched_done);
 * STALE means the lease is not the current one (late, duplicate, unknown):
 * ack it, but it must not produce a verdict. Either way the slot is freed. */
int sched_result(struct sched *s, const void *rid, size_t rid_len, const char *id,
                 uint64_t lease, struct sched_job **job);
/* Marks a job FINISHING without a worker result (IE, cancel). */
void sched_finishing(struct sched *s, struct sched_job *job);
/* Removes a FINISHING job whose final verdict is durable. */
void sched_done(struct sched *s, struct sched_job *job);
/* Puts a FINISHING job back in the queue (its verdict could not be stored). */
void sched_requeue(struct sched *s, struct sched_job *job);
/* Takes back a dispatch whose JOB was never sent (its attempt could not be
 * stored): the job goes back to the front of its queue, the attempt and
 * the worker's slot as before. */
void sched_undispatch(struct sched *s, struct sched_job *job);

/* Expires leases and silent workers. For each job whose lease expired,
 * calls cb(job, failed): failed=0 means it was requeued, failed=1 means the
 * attempt cap was reached and the job is now FINISHING (caller stores IE).
 * With cfg.stall_ms set, a gap of more than that since the previous call
 * means the broker itself stalled (stopped, swapped out, paused VM) and
 * heard nobody meanwhile: every deadline and last sign of life moves on by
 * the gap first, so workers are not charged for the broker's silence. */
typedef void (*sched_expire_cb)(void *ctx, struct sched_job *job, int failed);
void sched_tick(struct sched *s, int64_t now, sched_expire_cb cb, void *ctx);
/* Every lease of w is lost now (it REGISTERed again without reporting
 * them): each job is requeued or, at the attempt cap, FINISHING, via cb as
 * in sched_tick; then w is forgotten (the caller's pointer is dangling).
 * Other workers' leases are not looked at. */
void sched_worker_expire(struct sched *s, struct sched_worker *w, sched_expire_cb cb, void *ctx);

/* Cancels a queued job (returns 1, job FINISHING) or flags a running one
 * (returns 2: job FINISHING, its worker's result will be stale); 0 if the
 * id is not held. */
int sched_cancel(struct sched *s, const char *id, struct sched_job **job);

void sched_stats(const struct sched *s, struct sched_stats *st);
/* Drains (on=1) or undrains a worker: a drained one takes no new jobs. */
void sched_worker_drain(struct sched *s, struct sched_worker *w, int on);
/* Iterates workers (for status). */
struct sched_worker *sched_workers(struct sched *s);
struct sched_worker *sched_worker_next(struct sched_worker *w);

/* Parses "contest|normal|rejudge|bulk"; -1 if unknown. */
int sched_prio_parse(const char *name);
const char *sched_prio_name(int prio);

#endif
