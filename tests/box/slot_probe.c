/* slot_probe.c — runs in the box for tests/box/test_slot.c (built without
 * sanitizers: LeakSanitizer's ptrace would be a forbidden call there).
 * "leave": makes a SysV shared memory segment, message queue and semaphore
 * set, a POSIX message queue, files in /tmp and /dev/shm and a daemon;
 * "look": exits with a bit set for each of them it still finds (and 32 if
 * it sees any process but itself). Both print their pid first. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

#define KEY 0x4a50

static int probe(const char *mode) {
  printf("pid %d\n", (int)getpid());
  fflush(stdout);
  if (!strcmp(mode, "leave")) {
    int shm = shmget(KEY, 4096, IPC_CREAT | 0600), msg = msgget(KEY, IPC_CREAT | 0600),
        sem = semget(KEY, 1, IPC_CREAT | 0600);
    mqd_t mq = mq_open("/jp-left", O_CREAT | O_RDWR, 0600, NULL);
    int t = open("/tmp/left", O_CREAT | O_WRONLY, 0600), d = open("/dev/shm/left", O_CREAT | O_WRONLY, 0600);
    if (shm < 0 || msg < 0 || sem < 0 || mq == (mqd_t)-1 || t < 0 || d < 0)
      return 1;
    /* A daemon that would outlive the run if it could. */
    if (fork() == 0) {
      setsid();
      if (fork() == 0)
        for (;;)
          pause();
      _exit(0);
    }
    return 0;
  }
  int found = 0;
  if (shmget(KEY, 0, 0) >= 0 || errno != ENOENT)
    found |= 1;
  if (msgget(KEY, 0) >= 0 || errno != ENOENT)
    found |= 2;
  if (semget(KEY, 0, 0) >= 0 || errno != ENOENT)
    found |= 4;
  if (mq_open("/jp-left", O_RDONLY) != (mqd_t)-1 || errno != ENOENT)
    found |= 8;
  if (access("/tmp/left", F_OK) == 0 || access("/dev/shm/left", F_OK) == 0)
    found |= 16;
  /* hidepid: we see the processes of our uid, the daemon's too if alive. */
  DIR *p = opendir("/proc");
  struct dirent *de;
  int procs = 0;
  while (p && (de = readdir(p)))
    procs += de->d_name[0] >= '1' && de->d_name[0] <= '9';
  if (p)
    closedir(p);
  if (procs != 1)
    found |= 32;
  return found;
}

int main(int argc, char **argv) {
  return argc == 2 ? probe(argv[1]) : 2;
}
