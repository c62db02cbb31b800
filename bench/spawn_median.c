/* spawn_median.c — median wall time of running a command N times
 * (posix_spawn + wait, output to /dev/null): the yardstick box-bench uses
 * for plain /bin/true, bubblewrap and `judge run`. Not a test. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 3 || atoi(argv[1]) < 1) {
    fprintf(stderr, "usage: spawn_median N COMMAND [ARG...]\n");
    return 2;
  }
  int n = atoi(argv[1]);
  double *t = calloc((size_t)n, sizeof *t);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  int bad = 0;
  for (int i = 0; i < n; i++) {
    pid_t pid;
    double t0 = now_ms();
    if (posix_spawnp(&pid, argv[2], &fa, NULL, argv + 2, environ) != 0) {
      perror("posix_spawnp");
      return 2;
    }
    int st;
    waitpid(pid, &st, 0);
    t[i] = now_ms() - t0;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
      bad++;
  }
  qsort(t, (size_t)n, sizeof *t, cmp);
  printf("%.3f\n", t[n / 2]);
  if (bad)
    fprintf(stderr, "spawn_median: %d of %d runs of %s failed\n", bad, n, argv[2]);
  free(t);
  return bad ? 1 : 0;
}
