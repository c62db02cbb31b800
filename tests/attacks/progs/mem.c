/* mem.c — memory attacks (REFERENCE §3.4). Sizes in MiB.
 *   touch MIB          malloc and write MIB in 1 MiB chunks
 *   ok MIB             same, then exit 0 (control under a larger limit)
 *   mmap-untouched GIB map GIB without touching it, then exit 0
 *   mmap-touch GIB MIB map GIB, then write the first MIB of it
 *   static             write every byte of a 512 MiB static array
 *   stack              unbounded recursion with 4 KiB frames
 *   stack-ok MIB       recursion down to MIB of stack, then exit 0
 *   memfd MIB          write MIB into a memfd (shmem, not anonymous memory)
 *   sysv MIB           create, attach and write a SysV shm segment of MIB
 *   tree N MIB         N children each write MIB and sleep: only the sum
 *                      exceeds the limit */
#include <signal.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "atk.h"

#define MIB (1024UL * 1024)

static char big_static[512 * MIB];

static unsigned long depth_target;
static unsigned long recurse(unsigned long d) {
  volatile char frame[4096];
  frame[0] = (char)d;
  frame[4095] = (char)d;
  if (depth_target && d >= depth_target) return (unsigned long)frame[0];
  return recurse(d + 1) + (unsigned long)frame[4095];
}

static int touch(unsigned long mib) {
  for (unsigned long i = 0; i < mib; i++) {
    char *p = malloc(MIB);
    if (!p) {
      atk_say("malloc failed after %lu MiB", i);
      return 3;
    }
    memset(p, (int)(i | 1), MIB);
  }
  return 0;
}

int main(int argc, char **argv) {
  const char *m = argc > 1 ? argv[1] : "";
  unsigned long a = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;
  unsigned long b = argc > 3 ? strtoul(argv[3], NULL, 10) : 0;
  if (!strcmp(m, "touch") || !strcmp(m, "ok")) {
    int r = touch(a);
    if (!r) atk_say("touched %lu MiB", a);
    return r;
  }
  if (!strcmp(m, "mmap-untouched") || !strcmp(m, "mmap-touch")) {
    char *p = mmap(NULL, a << 30, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
      atk_say("mmap of %lu GiB refused: %s", a, strerror(errno));
      return 3;
    }
    atk_say("mapped %lu GiB", a);
    p[0] = 1;
    if (!strcmp(m, "mmap-touch")) {
      for (unsigned long i = 0; i < b * MIB; i += 4096) p[i] = 1;
      atk_say("touched %lu MiB of the mapping", b);
    }
    return 0;
  }
  if (!strcmp(m, "static")) {
    memset(big_static, 1, sizeof big_static);
    atk_say("wrote the static array");
    return 0;
  }
  if (!strcmp(m, "stack")) {
    depth_target = 0;
    return (int)recurse(0);
  }
  if (!strcmp(m, "stack-ok")) {
    depth_target = a * 256; /* 4 KiB frames */
    recurse(0);
    atk_say("recursed %lu MiB deep", a);
    return 0;
  }
  if (!strcmp(m, "memfd")) {
    int fd = memfd_create("jpatk", 0);
    if (fd < 0) {
      atk_say("memfd_create: %s", strerror(errno));
      return 3;
    }
    static char chunk[MIB];
    memset(chunk, 7, sizeof chunk);
    for (unsigned long i = 0; i < a; i++)
      if (write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk) {
        atk_say("memfd write stopped at %lu MiB: %s", i, strerror(errno));
        return 3;
      }
    atk_say("memfd holds %lu MiB", a);
    return 0;
  }
  if (!strcmp(m, "sysv")) {
    int id = shmget(IPC_PRIVATE, a * MIB, IPC_CREAT | 0600);
    if (id < 0) {
      atk_say("shmget: %s", strerror(errno));
      return 3;
    }
    char *p = shmat(id, NULL, 0);
    shmctl(id, IPC_RMID, NULL);
    if (p == (void *)-1) return 3;
    for (unsigned long i = 0; i < a * MIB; i += 4096) p[i] = 1;
    atk_say("shm holds %lu MiB", a);
    return 0;
  }
  if (!strcmp(m, "tree")) {
    for (unsigned long i = 0; i < a; i++) {
      pid_t p = fork();
      if (p == 0) {
        if (touch(b)) _exit(3);
        pause();
        _exit(0);
      }
      if (p < 0) atk_say("fork failed: %s", strerror(errno));
    }
    sleep(2);
    atk_say("tree survived with %lu x %lu MiB", a, b);
    signal(SIGTERM, SIG_IGN);
    kill(0, SIGTERM);
    return 0;
  }
  fprintf(stderr, "usage: mem touch|ok|mmap-untouched|mmap-touch|static|stack|stack-ok|tree ...\n");
  return 64;
}
