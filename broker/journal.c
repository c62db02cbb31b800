/* journal.c — SQLite-backed durable submissions and results (see journal.h). */
#include "journal.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"

enum { ST_PUT, ST_FIND, ST_FINISH_RES, ST_FINISH_SUB, ST_ATTEMPTS, ST_GET, ST_OWNER, ST_BEGIN, ST_COMMIT, ST_ROLLBACK,
       ST_DRAIN_ON, ST_DRAIN_OFF, ST_N };

static const char *const sql[ST_N] = {
    [ST_PUT] = "INSERT INTO subs(id, client, prio, lang, attempts, done, payload, digest) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7)"
               " ON CONFLICT(id) DO NOTHING",
    [ST_FIND] = "SELECT done, digest, client FROM subs WHERE id = ?1",
    [ST_FINISH_RES] = "INSERT OR REPLACE INTO results(id, verdict, result) VALUES (?1, ?2, ?3)",
    [ST_FINISH_SUB] = "UPDATE subs SET done = 1, payload = NULL WHERE id = ?1 AND done = 0",
    [ST_ATTEMPTS] = "UPDATE subs SET attempts = ?2 WHERE id = ?1",
    [ST_GET] = "SELECT s.done, r.verdict, r.result FROM subs s LEFT JOIN results r ON r.id = s.id WHERE s.id = ?1",
    [ST_OWNER] = "SELECT client FROM subs WHERE id = ?1",
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_DRAIN_ON] = "INSERT OR IGNORE INTO drained(name) VALUES (?1)",
    [ST_DRAIN_OFF] = "DELETE FROM drained WHERE name = ?1",
};

struct journal {
  sqlite3 *db;
  sqlite3_stmt *st[ST_N];
  char path[4096];
  int lock_fd; /* flock'd DIR/journal.lock: one broker per data directory */
};

static int dberr(struct journal *j, char *err, size_t errlen, const char *what) {
  return jp_err(err, errlen, "journal %s: %s: %s", j->path, what, sqlite3_errmsg(j->db));
}

static int exec(struct journal *j, const char *q, char *err, size_t errlen) {
  char *msg = NULL;
  if (sqlite3_exec(j->db, q, NULL, NULL, &msg) != SQLITE_OK) {
    jp_err(err, errlen, "journal %s: '%s': %s", j->path, q, msg ? msg : "?");
    sqlite3_free(msg);
    return -1;
  }
  return 0;
}

static int step_done(struct journal *j, sqlite3_stmt *st, char *err, size_t errlen, const char *what) {
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (rc != SQLITE_DONE) return dberr(j, err, errlen, what);
  return 0;
}

int journal_open(struct journal **out, const char *dir, uint64_t *epoch, char *err, size_t errlen) {
  *out = NULL;
  if (mkdir(dir, 0700) < 0 && errno != EEXIST) return jp_errno(err, errlen, "creating data directory %s", dir);
  struct journal *j = calloc(1, sizeof *j);
  if (!j) return jp_errno(err, errlen, "allocating journal");
  j->lock_fd = -1;
  if ((size_t)snprintf(j->path, sizeof j->path, "%s/journal.lock", dir) >= sizeof j->path) {
    free(j);
    return jp_err(err, errlen, "data directory path too long: %s", dir);
  }
  /* two brokers on one journal would both recover and dispatch the same
   * submissions, and judge them twice */
  j->lock_fd = open(j->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (j->lock_fd < 0) {
    jp_errno(err, errlen, "opening %s", j->path);
    journal_close(j);
    return -1;
  }
  if (flock(j->lock_fd, LOCK_EX | LOCK_NB) < 0) {
    if (errno == EWOULDBLOCK)
      jp_err(err, errlen, "data directory %s is in use by another judge-broker (it holds %s): stop that one, or give "
             "this one its own --data", dir, j->path);
    else
      jp_errno(err, errlen, "locking %s", j->path);
    journal_close(j);
    return -1;
  }
  snprintf(j->path, sizeof j->path, "%s/journal.db", dir);
  if (sqlite3_open_v2(j->path, &j->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
    dberr(j, err, errlen, "opening (check the directory is writable)");
    journal_close(j);
    return -1;
  }
  sqlite3_busy_timeout(j->db, 5000);
  /* WAL + FULL: a commit returns only after the WAL is fsynced, which is
   * what "acknowledged means durable" needs; batching keeps it cheap. */
  if (exec(j, "PRAGMA journal_mode=WAL", err, errlen) < 0 ||
      exec(j, "PRAGMA synchronous=FULL", err, errlen) < 0 ||
      exec(j, "PRAGMA wal_autocheckpoint=4000", err, errlen) < 0 ||
      exec(j,
           "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v INTEGER);"
           "CREATE TABLE IF NOT EXISTS subs(seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL,"
           " client TEXT NOT NULL, prio INTEGER NOT NULL, lang TEXT NOT NULL, attempts INTEGER NOT NULL,"
           " done INTEGER NOT NULL, payload BLOB, digest TEXT);"
           "CREATE INDEX IF NOT EXISTS subs_open ON subs(done, seq);"
           "CREATE TABLE IF NOT EXISTS results(id TEXT PRIMARY KEY, verdict TEXT NOT NULL, result BLOB);"
           "CREATE TABLE IF NOT EXISTS drained(name TEXT PRIMARY KEY);"
           "INSERT OR IGNORE INTO meta(k, v) VALUES ('epoch', 0);"
           "UPDATE meta SET v = v + 1 WHERE k = 'epoch';",
           err, errlen) < 0) {
    journal_close(j);
    return -1;
  }
  for (int i = 0; i < ST_N; i++)
    if (sqlite3_prepare_v2(j->db, sql[i], -1, &j->st[i], NULL) != SQLITE_OK) {
      dberr(j, err, errlen, sql[i]);
      journal_close(j);
      return -1;
    }
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(j->db, "SELECT v FROM meta WHERE k = 'epoch'", -1, &st, NULL) != SQLITE_OK ||
      sqlite3_step(st) != SQLITE_ROW) {
    dberr(j, err, errlen, "reading epoch");
    journal_close(j);
    return -1;
  }
  *epoch = (uint64_t)sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  *out = j;
  return 0;
}

void journal_close(struct journal *j) {
  if (!j) return;
  for (int i = 0; i < ST_N; i++) sqlite3_finalize(j->st[i]);
  sqlite3_close(j->db);
  if (j->lock_fd >= 0) close(j->lock_fd);
  free(j);
}

int journal_begin(struct journal *j, char *err, size_t errlen) {
  return step_done(j, j->st[ST_BEGIN], err, errlen, "begin");
}

int journal_commit(struct journal *j, char *err, size_t errlen) {
  if (step_done(j, j->st[ST_COMMIT], err, errlen, "commit (fsync)") < 0) {
    journal_rollback(j);
    return -1;
  }
  return 0;
}

void journal_rollback(struct journal *j) {
  if (!sqlite3_get_autocommit(j->db)) {
    sqlite3_step(j->st[ST_ROLLBACK]);
    sqlite3_reset(j->st[ST_ROLLBACK]);
  }
}

int journal_find(struct journal *j, const char *id, const char *digest, const char *client, int *done, int *same,
                 int *same_client, char *err, size_t errlen) {
  *done = 0;
  *same = 1;
  *same_client = 1;
  sqlite3_stmt *f = j->st[ST_FIND];
  sqlite3_bind_text(f, 1, id, -1, SQLITE_STATIC);
  int rc = sqlite3_step(f);
  if (rc == SQLITE_ROW) {
    *done = sqlite3_column_int(f, 0);
    const unsigned char *d = sqlite3_column_text(f, 1);
    *same = !digest || !d || !strcmp((const char *)d, digest);
    const unsigned char *c = sqlite3_column_text(f, 2);
    *same_client = c && client && !strcmp((const char *)c, client);
  }
  sqlite3_reset(f);
  sqlite3_clear_bindings(f);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return dberr(j, err, errlen, "looking up submission");
  return rc == SQLITE_ROW;
}

int journal_put(struct journal *j, const struct journal_sub *s, int *existed, int *done, int *same,
                int *same_client, char *err, size_t errlen) {
  /* the insert first: the broker looks ids up at intake, so it is new
   * but for a race, and one statement is cheaper than a lookup and one */
  *existed = 0;
  *done = 0;
  *same = *same_client = 1;
  sqlite3_stmt *p = j->st[ST_PUT];
  sqlite3_bind_text(p, 1, s->id, -1, SQLITE_STATIC);
  sqlite3_bind_text(p, 2, s->client, -1, SQLITE_STATIC);
  sqlite3_bind_int(p, 3, s->prio);
  sqlite3_bind_text(p, 4, s->lang, -1, SQLITE_STATIC);
  sqlite3_bind_int64(p, 5, s->attempts);
  sqlite3_bind_blob(p, 6, s->payload, (int)s->payload_len, SQLITE_STATIC);
  if (s->digest) sqlite3_bind_text(p, 7, s->digest, -1, SQLITE_STATIC);
  if (step_done(j, p, err, errlen, "inserting submission") < 0) return -1;
  if (sqlite3_changes(j->db) == 1) return 0;
  int found = journal_find(j, s->id, s->digest, s->client, done, same, same_client, err, errlen);
  if (found < 0) return -1;
  *existed = 1;
  return 0;
}

int journal_finish(struct journal *j, const char *id, const char *verdict, const void *result,
                   size_t len, char *err, size_t errlen) {
  sqlite3_stmt *u = j->st[ST_FINISH_SUB];
  sqlite3_bind_text(u, 1, id, -1, SQLITE_STATIC);
  if (step_done(j, u, err, errlen, "marking submission done") < 0) return -1;
  /* a submission gets one final result: never a second one over it */
  if (sqlite3_changes(j->db) == 0) return 1;
  sqlite3_stmt *r = j->st[ST_FINISH_RES];
  sqlite3_bind_text(r, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(r, 2, verdict, -1, SQLITE_STATIC);
  sqlite3_bind_blob(r, 3, result, (int)len, SQLITE_STATIC);
  return step_done(j, r, err, errlen, "storing result");
}

int journal_set_attempts(struct journal *j, const char *id, uint32_t attempts, char *err, size_t errlen) {
  sqlite3_stmt *u = j->st[ST_ATTEMPTS];
  sqlite3_bind_text(u, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(u, 2, attempts);
  return step_done(j, u, err, errlen, "updating attempts");
}

int journal_get(struct journal *j, const char *id, int *state, char *verdict, size_t verdict_len,
                void **result, size_t *len, char *err, size_t errlen) {
  *state = 0;
  if (result) *result = NULL;
  if (len) *len = 0;
  if (verdict_len) verdict[0] = 0;
  sqlite3_stmt *g = j->st[ST_GET];
  sqlite3_bind_text(g, 1, id, -1, SQLITE_STATIC);
  int rc = sqlite3_step(g), ret = 0;
  if (rc == SQLITE_ROW) {
    int done = sqlite3_column_int(g, 0);
    *state = done && sqlite3_column_type(g, 1) != SQLITE_NULL ? 2 : 1;
    if (*state == 2) {
      const unsigned char *v = sqlite3_column_text(g, 1);
      if (verdict_len) snprintf(verdict, verdict_len, "%s", v ? (const char *)v : "");
      int n = result ? sqlite3_column_bytes(g, 2) : 0;
      const void *b = result ? sqlite3_column_blob(g, 2) : NULL;
      if (n > 0 && b) {
        *result = malloc((size_t)n);
        if (!*result) ret = jp_errno(err, errlen, "allocating result of %d bytes", n);
        else {
          memcpy(*result, b, (size_t)n);
          *len = (size_t)n;
        }
      }
    }
  } else if (rc != SQLITE_DONE) {
    ret = dberr(j, err, errlen, "reading submission");
  }
  sqlite3_reset(g);
  sqlite3_clear_bindings(g);
  return ret;
}

int journal_owner(struct journal *j, const char *id, char *out, size_t outlen, char *err, size_t errlen) {
  sqlite3_stmt *g = j->st[ST_OWNER];
  sqlite3_bind_text(g, 1, id, -1, SQLITE_STATIC);
  int rc = sqlite3_step(g), ret = 0;
  if (rc == SQLITE_ROW) {
    const unsigned char *c = sqlite3_column_text(g, 0);
    snprintf(out, outlen, "%s", c ? (const char *)c : "");
    ret = 1;
  } else if (rc != SQLITE_DONE) {
    ret = dberr(j, err, errlen, "reading the owner of a submission");
  }
  sqlite3_reset(g);
  sqlite3_clear_bindings(g);
  return ret;
}

int journal_unfinished(struct journal *j, journal_each_cb cb, void *ctx, char *err, size_t errlen) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(j->db,
                         "SELECT id, client, prio, lang, attempts, payload FROM subs WHERE done = 0 ORDER BY seq",
                         -1, &st, NULL) != SQLITE_OK)
    return dberr(j, err, errlen, "listing unfinished submissions");
  int rc, ret = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    struct journal_sub s = {
        .id = (const char *)sqlite3_column_text(st, 0),
        .client = (const char *)sqlite3_column_text(st, 1),
        .prio = sqlite3_column_int(st, 2),
        .lang = (const char *)sqlite3_column_text(st, 3),
        .attempts = (uint32_t)sqlite3_column_int64(st, 4),
        .payload = sqlite3_column_blob(st, 5),
        .payload_len = (size_t)sqlite3_column_bytes(st, 5),
    };
    if (!s.id || !s.client || !s.lang) continue;
    if ((ret = cb(ctx, &s)) != 0) break;
  }
  if (ret == 0 && rc != SQLITE_DONE) ret = dberr(j, err, errlen, "listing unfinished submissions");
  sqlite3_finalize(st);
  return ret;
}

int journal_drain_set(struct journal *j, const char *name, int on, char *err, size_t errlen) {
  sqlite3_stmt *st = j->st[on ? ST_DRAIN_ON : ST_DRAIN_OFF];
  sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  return step_done(j, st, err, errlen, on ? "storing a drained worker" : "removing a drained worker");
}

int journal_drained(struct journal *j, journal_name_cb cb, void *ctx, char *err, size_t errlen) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(j->db, "SELECT name FROM drained ORDER BY name", -1, &st, NULL) != SQLITE_OK)
    return dberr(j, err, errlen, "listing drained workers");
  int rc, ret = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(st, 0);
    if (name && (ret = cb(ctx, name)) != 0) break;
  }
  if (ret == 0 && rc != SQLITE_DONE) ret = dberr(j, err, errlen, "listing drained workers");
  sqlite3_finalize(st);
  return ret;
}

int64_t journal_count_done(struct journal *j) {
  sqlite3_stmt *st;
  int64_t n = -1;
  if (sqlite3_prepare_v2(j->db, "SELECT count(*) FROM subs WHERE done = 1", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}
