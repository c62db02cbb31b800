/* test_concurrent.c — boxes started from several threads at once, each
 * running an executable copied into its work dir: none may fail. A box
 * copying its executable in holds a writable fd to it; a box cloned by
 * another thread meanwhile must not inherit that fd, or the first box's
 * execve fails with ETXTBSY ("Text file busy", RTE exit 127). Needs root:
 * skipped (77) otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "box.h"

#define THREADS 4
#define RUNS 80

static struct box_engine *engine;
static char exe[THREADS][80];

struct job {
  int idx;
  int ok, failed;
  char first[320];
};

static void *worker(void *arg) {
  struct job *j = arg;
  struct box *b;
  char err[256];
  if (box_acquire(engine, &b, err, sizeof err)) {
    snprintf(j->first, sizeof j->first, "acquire: %s", err);
    j->failed = RUNS;
    return NULL;
  }
  /* Odd threads run a copy of /bin/true, even ones a copy of python3 (a
   * big file: its copy keeps the writable fd open for milliseconds while
   * the other threads clone their boxes). */
  const char *const argv_true[] = {"./prog", NULL};
  const char *const argv_py[] = {"./prog", "-S", "-c", "pass", NULL};
  const char *const *argv = j->idx % 2 ? argv_true : argv_py;
  struct box_file_in in[1] = {{exe[j->idx], "prog"}};
  struct box_spec s;
  memset(&s, 0, sizeof s);
  s.argv = argv;
  s.limits = (struct box_limits){.cpu_ms = 2000, .wall_ms = 10000, .memory_kib = 128 * 1024,
                                 .output_kib = 64 * 1024, .procs = 4};
  s.stdin_fd = s.stdout_fd = s.stderr_fd = -1;
  s.files_in = in;
  s.nfiles_in = 1;
  for (int i = 0; i < RUNS; i++) {
    struct box_result r;
    box_run(b, &s, &r);
    if (r.status == BOX_OK) {
      j->ok++;
    } else if (j->failed++ == 0) {
      snprintf(j->first, sizeof j->first, "run %d: %s exit %d: %s", i, box_status_name(r.status), r.exit_code,
               r.message);
    }
  }
  box_release(b);
  return NULL;
}

static int copy_file(const char *from, const char *to) {
  int in = open(from, O_RDONLY | O_CLOEXEC);
  int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  struct stat st;
  int rc = in >= 0 && out >= 0 && fstat(in, &st) == 0 ? 0 : -1;
  while (rc == 0) {
    ssize_t n = sendfile(out, in, NULL, 1 << 20);
    if (n < 0)
      rc = -1;
    if (n <= 0)
      break;
  }
  if (in >= 0)
    close(in);
  if (out >= 0)
    close(out);
  return rc;
}

int main(void) {
  if (geteuid() != 0) {
    fprintf(stderr, "box_concurrent: needs root; skipped\n");
    return 77;
  }
  char err[512];
  struct box_engine_config cfg = {.slots = THREADS};
  if (box_engine_open(&engine, &cfg, err, sizeof err)) {
    fprintf(stderr, "box_concurrent: engine: %s\n", err);
    return 1;
  }
  char dir[] = "/tmp/box-conc-XXXXXX";
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    box_engine_close(engine);
    return 1;
  }
  int rc = 0;
  for (int i = 0; i < THREADS; i++) {
    const char *src = i % 2 ? "/bin/true" : "/usr/bin/python3";
    snprintf(exe[i], sizeof exe[i], "%s/prog%d", dir, i);
    if (copy_file(src, exe[i]) < 0) {
      fprintf(stderr, "box_concurrent: copy %s to %s: %s\n", src, exe[i], strerror(errno));
      rc = 1;
    }
  }
  struct job jobs[THREADS];
  pthread_t tid[THREADS];
  int started = 0;
  for (int i = 0; rc == 0 && i < THREADS; i++) {
    jobs[i] = (struct job){.idx = i};
    if (pthread_create(&tid[i], NULL, worker, &jobs[i]) != 0) {
      rc = 1;
      break;
    }
    started++;
  }
  int ok = 0, failed = 0;
  for (int i = 0; i < started; i++) {
    pthread_join(tid[i], NULL);
    ok += jobs[i].ok;
    failed += jobs[i].failed;
    if (jobs[i].failed)
      fprintf(stderr, "box_concurrent: thread %d: %d of %d runs failed, first: %s\n", i, jobs[i].failed, RUNS,
              jobs[i].first);
  }
  box_engine_close(engine);
  for (int i = 0; i < THREADS; i++)
    unlink(exe[i]);
  rmdir(dir);
  if (rc == 0 && (failed || ok != THREADS * RUNS)) {
    fprintf(stderr, "box_concurrent: %d OK, %d failed of %d runs from %d threads\n", ok, failed, THREADS * RUNS,
            THREADS);
    rc = 1;
  }
  if (rc == 0)
    printf("box_concurrent: %d runs from %d threads with copied-in executables, all OK\n", ok, THREADS);
  return rc;
}
