/* broker.h — the broker's event loop: client intake with group commit,
 * dispatch to workers, results, events. main.c parses options into this. */
#ifndef JP_BROKER_H
#define JP_BROKER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct broker_cfg {
  char clients[256], workers[256], events[256], data[2048];
  int lease_ms;            /* lease timeout (worker silence before requeue) */
  int heartbeat_ms;        /* broker -> worker heartbeat period */
  int64_t job_timeout_ms;  /* longest a lease may run, heartbeats or not */
  uint32_t max_attempts;   /* leases per submission before IE */
  size_t max_per_client;   /* queued+running per client */
  size_t max_total;        /* queued+running in all */
  size_t max_bytes;        /* payload bytes held in memory */
  size_t max_client_bytes; /* of those, held for one client */
  int batch;               /* messages taken per socket per loop turn */
  int io_threads;          /* ZeroMQ I/O threads */
  int verbose;
  /* authentication: the keys file (ROLE KEY [NAME] lines, reread on
   * SIGHUP) and the broker's own secret certificate; insecure = neither,
   * every peer is treated as admin */
  char keys[2048], cert[2048];
  int insecure;
  /* languages the broker accepts ("" = any); comma-separated */
  char langs[1024];
  size_t max_peer_bytes;   /* blob bytes queued to one worker at once */
  size_t max_client_reply_bytes; /* large reply bytes queued to one client connection
                                  * (and assumed read per second) */
  size_t max_watches;       /* submissions one client key may WATCH at once */
  size_t max_watches_total; /* WATCHes held in all */
};

void broker_cfg_defaults(struct broker_cfg *c);

/* Runs until *stop becomes nonzero; whenever *reload is nonzero it is
 * cleared and the keys file reread (SIGHUP). Returns 0 on a clean stop, -1
 * on a fatal error (bind failed, journal unusable, keys or certificate
 * unreadable) with err set. */
int broker_run(const struct broker_cfg *cfg, volatile sig_atomic_t *stop, volatile sig_atomic_t *reload,
               char *err, size_t errlen);

#endif
