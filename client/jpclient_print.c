/* jpclient_print.c — a result as people read it: verdict, resources, one
 * line per test. */
#include <stdio.h>

#include "jpclient.h"

void jpc_print_result(FILE *f, const struct jp_result_msg *r) {
  if (r->state == JP_ST_CANCELLED) {
    fprintf(f, "%s: cancelled\n", r->sid);
    return;
  }
  if (!r->final || !r->has_result) {
    fprintf(f, "%s: %s\n", r->sid, jp_state_name(r->state));
    return;
  }
  const struct jp_result *x = &r->result;
  fprintf(f, "%s: %s  score %g  max cpu %u ms  max memory %llu KiB  %zu tests\n", r->sid,
          jp_verdict_name(x->verdict), x->score, x->max_cpu_ms, (unsigned long long)x->max_memory_kib, x->ntests);
  if (!x->compile.ok && x->compile.message && *x->compile.message)
    fprintf(f, "  compile: %.2000s\n", x->compile.message);
  for (size_t i = 0; i < x->ntests; i++) {
    const struct jp_test_result *t = &x->tests[i];
    fprintf(f, "  %-24s %-4s %6u ms cpu %6u ms wall %8llu KiB", t->name, jp_verdict_name(t->verdict), t->cpu_ms,
            t->wall_ms, (unsigned long long)t->memory_kib);
    if (t->syscall && *t->syscall) fprintf(f, "  syscall %s", t->syscall);
    if (t->message && *t->message) fprintf(f, "  %.200s", t->message);
    fputc('\n', f);
  }
}
