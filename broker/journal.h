/* journal.h — the broker's durable state: submissions and final results in
 * SQLite (WAL, synchronous=FULL). Writes happen between journal_begin and
 * journal_commit so the broker can group many submissions into one fsync
 * and acknowledge them only after the commit returned. */
#ifndef JP_JOURNAL_H
#define JP_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

struct journal;

/* A submission as journaled. payload is opaque to the journal (the job as
 * the broker will send it to a worker). */
struct journal_sub {
  const char *id, *client, *lang;
  int prio;
  uint32_t attempts;
  const void *payload;
  size_t payload_len;
  const char *digest; /* sha256 hex of the submission's content, for dedupe */
};

/* Opens (creating) DIR/journal.db, holding DIR/journal.lock (flock) while
 * open: a second broker on the same directory is refused. Bumps and returns
 * the epoch: a number that grows with every start, so leases of earlier
 * runs never match. */
int journal_open(struct journal **out, const char *dir, uint64_t *epoch, char *err, size_t errlen);
void journal_close(struct journal *j);

int journal_begin(struct journal *j, char *err, size_t errlen);
/* Commits (the fsync happens here). On failure the transaction is rolled back. */
int journal_commit(struct journal *j, char *err, size_t errlen);
void journal_rollback(struct journal *j);

/* Looks a submission's row up: 1 found (then *done, *same: its digest
 * equals digest (NULL: not compared), *same_client: it was taken from
 * client), 0 unknown id, -1 error. */
int journal_find(struct journal *j, const char *id, const char *digest, const char *client, int *done, int *same,
                 int *same_client, char *err, size_t errlen);
/* Inserts a submission unless the id exists. *existed = 1 if it did (then
 * *done says whether it has a final result, *same whether its digest
 * equals s->digest and *same_client whether it was taken from s->client:
 * all from the one read of its row). */
int journal_put(struct journal *j, const struct journal_sub *s, int *existed, int *done, int *same,
                int *same_client, char *err, size_t errlen);
/* Records the final result and marks the submission done: 0. 1 (nothing
 * written) if it was done already, or unknown: one final result each. */
int journal_finish(struct journal *j, const char *id, const char *verdict, const void *result,
                   size_t len, char *err, size_t errlen);
int journal_set_attempts(struct journal *j, const char *id, uint32_t attempts, char *err,
                         size_t errlen);

/* Looks a submission up: *state is 0 unknown, 1 unfinished, 2 done (then the
 * result is copied into a malloc'd *result the caller frees; result NULL:
 * state and verdict only). */
int journal_get(struct journal *j, const char *id, int *state, char *verdict, size_t verdict_len,
                void **result, size_t *len, char *err, size_t errlen);

/* The client a submission was taken from (with authentication: the public
 * key of its submitter in hex, its owner). 1 found, 0 unknown id, -1 error. */
int journal_owner(struct journal *j, const char *id, char *out, size_t outlen, char *err, size_t errlen);

/* Calls cb for every unfinished submission in intake order (recovery).
 * A nonzero return from cb stops the walk and is returned. */
typedef int (*journal_each_cb)(void *ctx, const struct journal_sub *s);
int journal_unfinished(struct journal *j, journal_each_cb cb, void *ctx, char *err, size_t errlen);

/* Drained worker names (admin DRAIN, kept across restarts). Outside a
 * journal_begin/commit pair each call is its own durable transaction. */
int journal_drain_set(struct journal *j, const char *name, int on, char *err, size_t errlen);
/* Calls cb for every drained name; a nonzero return from cb stops the walk
 * and is returned. */
typedef int (*journal_name_cb)(void *ctx, const char *name);
int journal_drained(struct journal *j, journal_name_cb cb, void *ctx, char *err, size_t errlen);

/* Counts for status: done submissions. */
int64_t journal_count_done(struct journal *j);

#endif
