/* test_slot.c — the slot init (worker/box/slotinit.c) keeps a slot's
 * namespaces from run to run: nothing a run leaves may reach the next run
 * of the same slot. A probe (slot_probe.c, copied into the box) leaves SysV
 * shared memory, a message queue, a semaphore set, a POSIX message queue,
 * files in /tmp and /dev/shm and a daemon behind; the next run looks for
 * each, and for its own pid, which must be the same as in the first run.
 * Kills (wall limit, forbidden call) end the run, not the slot init.
 * Usage: test_box_slot PROBE. Needs root: skipped (77) otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "box.h"
#include "box_internal.h"

static struct box_engine *engine;
static const char *probe_path;

static struct box_spec spec_of(const char *const *argv, struct box_file_in *in) {
  struct box_spec s;
  memset(&s, 0, sizeof s);
  s.argv = argv;
  s.limits = (struct box_limits){.cpu_ms = 2000, .wall_ms = 6000, .memory_kib = 256 * 1024,
                                 .output_kib = 4096, .procs = 8};
  s.stdin_fd = s.stderr_fd = -1;
  s.stdout_fd = -1;
  s.files_in = in;
  s.nfiles_in = in ? 1 : 0;
  return s;
}

/* One run in the engine's only slot; returns the pid of its init and what
 * the program printed in out. */
static pid_t run(const struct box_spec *s0, struct box_result *r, char *out, size_t outlen) {
  struct box_spec s = *s0;
  int pp[2];
  assert_int_equal(pipe(pp), 0);
  s.stdout_fd = pp[1];
  struct box *b;
  char err[256];
  assert_int_equal(box_acquire(engine, &b, err, sizeof err), 0);
  struct box_proc *p;
  pid_t init = -1;
  if (box_start(b, &s, &p, err, sizeof err) == 0)
    init = p->slot ? p->init_pid : -1;
  box_wait(p, r);
  box_release(b);
  close(pp[1]);
  ssize_t n = read(pp[0], out, outlen - 1);
  out[n > 0 ? n : 0] = '\0';
  close(pp[0]);
  return init;
}

static void leftovers_gone(void **state) {
  (void)state;
  struct box_file_in self = {.host_path = probe_path, .name = "probe"};
  const char *const leave[] = {"./probe", "leave", NULL}, *const look[] = {"./probe", "look", NULL};
  struct box_result r;
  char out1[64], out2[64];
  struct box_spec s = spec_of(leave, &self);
  pid_t init1 = run(&s, &r, out1, sizeof out1);
  if (r.status != BOX_OK)
    fprintf(stderr, "leave: %s %s\n", box_status_name(r.status), r.message);
  assert_int_equal(r.status, BOX_OK);
  s = spec_of(look, &self);
  pid_t init2 = run(&s, &r, out2, sizeof out2);
  if (r.status != BOX_OK)
    fprintf(stderr, "look: %s %s (exit %d: 1 shm, 2 msg, 4 sem, 8 mqueue, 16 files, 32 processes)\n",
                    box_status_name(r.status), r.message, r.exit_code);
  assert_int_equal(r.status, BOX_OK);
  /* The same slot init ran both (else this proved nothing about reuse),
   * and the pid counter did not move on. */
  assert_true(init1 > 0);
  assert_int_equal(init1, init2);
  assert_string_equal(out1, out2);
  assert_string_equal(out1, "pid 2\n");
}

static void kills_end_the_run_only(void **state) {
  (void)state;
  const char *const sleeper[] = {"/bin/sleep", "10", NULL}, *const ok[] = {"/bin/true", NULL},
                    *const sv[] = {"/bin/sh", "-c", "exec unshare -n true", NULL};
  struct box_result r;
  char out[64];
  struct box_spec s = spec_of(ok, NULL);
  pid_t init = run(&s, &r, out, sizeof out);
  assert_int_equal(r.status, BOX_OK);
  s = spec_of(sleeper, NULL);
  s.limits.wall_ms = 200;
  assert_int_equal(run(&s, &r, out, sizeof out), init);
  assert_int_equal(r.status, BOX_TLE);
  s = spec_of(sv, NULL);
  assert_int_equal(run(&s, &r, out, sizeof out), init);
  assert_int_equal(r.status, BOX_SV);
  assert_string_equal(r.syscall, "unshare");
  s = spec_of(ok, NULL);
  assert_int_equal(run(&s, &r, out, sizeof out), init);
  assert_int_equal(r.status, BOX_OK);
}

static int setup(void **state) {
  (void)state;
  char err[512];
  struct box_engine_config cfg = {.slots = 1};
  if (box_engine_open(&engine, &cfg, err, sizeof err)) {
    fprintf(stderr, "box engine: %s\n", err);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  box_engine_close(engine);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_box_slot PROBE\n");
    return 2;
  }
  probe_path = argv[1];
  if (geteuid() != 0) {
    fprintf(stderr, "box_slot: needs root; skipped\n");
    return 77;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(leftovers_gone),
      cmocka_unit_test(kills_end_the_run_only),
  };
  return cmocka_run_group_tests_name("box_slot", tests, setup, teardown);
}
