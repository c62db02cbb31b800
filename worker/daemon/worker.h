/* worker.h — the judge-worker daemon: one DEALER to the broker, one thread
 * per slot running the injected runner, results kept until acknowledged. */
#ifndef JP_WORKER_H
#define JP_WORKER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "runner.h"

struct worker_cfg {
  char broker[256];
  char name[128];
  char cache[2048];
  int slots;
  uint64_t cache_bytes;
  const char *langs[JP_PROTO_MAX_LANGS];
  size_t nlangs;
  uint64_t max_memory_mib, max_output_mib; /* ceilings for a package's limits (runner_judge) */
  int drain_ms; /* on SIGTERM: how long to finish held jobs before cancelling them */
  int verbose;
};

/* Runs until *stop; then stops taking work, finishes what it holds, waits
 * for the broker's acknowledgements (up to drain_ms) and returns 0. Jobs
 * still running at that deadline are cancelled (their leases are lost and
 * the broker requeues them), so the return never waits for a long job. */
int worker_run(const struct worker_cfg *cfg, struct runner *runner, volatile sig_atomic_t *stop,
               char *err, size_t errlen);

#endif
