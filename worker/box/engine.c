/* engine.c — the box engine: state dir, skeleton root, cgroup root, the
 * slots this process owns (locked machine-wide), lazily built seccomp
 * programs; box_acquire/box_release; the privilege check. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>

#include "box_internal.h"
#include "err.h"

#define DEFAULT_STATE_DIR "/run/judgepool"
#define DEFAULT_FIRST_UID 60000u

/* Writer-preferring: a stream of copy-ins never starves a clone. */
static pthread_rwlock_t wfd_lock = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;

void box_wfd_begin(void) { pthread_rwlock_rdlock(&wfd_lock); }
void box_wfd_end(void) { pthread_rwlock_unlock(&wfd_lock); }
void box_clone_begin(void) { pthread_rwlock_wrlock(&wfd_lock); }
void box_clone_end(void) { pthread_rwlock_unlock(&wfd_lock); }

double box_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int box_check_privileges(char *err, size_t errlen) {
  if (geteuid() != 0)
    return jp_err(err, errlen,
                  "the box needs root (CAP_SYS_ADMIN for namespaces and mounts, CAP_SETUID/"
                  "CAP_SETGID to drop to the box uid, write access to the cgroup tree): run as root");
  if (access("/proc/self/ns/pid", F_OK) < 0 || access("/proc/self/ns/net", F_OK) < 0)
    return jp_err(err, errlen, "the kernel lacks pid or network namespaces (/proc/self/ns)");
  if (access("/sys/fs/cgroup", W_OK) < 0)
    return jp_errno(err, errlen, "the cgroup tree /sys/fs/cgroup is not writable");
  return 0;
}

/* The usual layout (v1 controllers at /sys/fs/cgroup/<name>, or v2
 * mounted there) is handed to the cgroup backend as an explicit root, which
 * skips libcgroup's discovery (~0.9 ms, a third of a `judge run`'s own
 * work). Anything else: NULL, and the backend discovers. */
static const char *standard_cgroup_root(void) {
  struct statfs sf;
  if (statfs("/sys/fs/cgroup/memory", &sf) == 0 && sf.f_type == CGROUP_SUPER_MAGIC &&
      statfs("/sys/fs/cgroup/pids", &sf) == 0 && sf.f_type == CGROUP_SUPER_MAGIC &&
      statfs("/sys/fs/cgroup/cpuacct", &sf) == 0 && sf.f_type == CGROUP_SUPER_MAGIC)
    return "/sys/fs/cgroup";
  if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
    return "/sys/fs/cgroup";
  return NULL;
}

static int valid_state_dir(const char *d) {
  return d[0] == '/' && strlen(d) < 100 && !strstr(d, "..") && !strchr(d, '\n');
}

static int claim_slot(struct box_engine *e, uint32_t index, struct box *b, char *err, size_t errlen) {
  char path[BOX_PATH_MAX];
  snprintf(path, sizeof path, "%s/slots/%u.lock", e->state_dir, index);
  int fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return jp_errno(err, errlen, "open %s", path);
  if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
    close(fd);
    return 1; /* another engine has it */
  }
  memset(b, 0, sizeof *b);
  b->e = e;
  b->index = index;
  b->lock_fd = fd;
  b->netns_fd = -1;
  b->ncg_self = -1;
  b->slot_pidfd = b->slot_ctl = -1;
  snprintf(b->work_dir, sizeof b->work_dir, "%s/work/%u", e->state_dir, index);
  if (mkdir(b->work_dir, 0700) < 0 && errno != EEXIST)
    return jp_errno(err, errlen, "mkdir %s", b->work_dir);
  workdir_adopt(b);
  if (netns_open(e->state_dir, index, &b->netns_fd, err, errlen))
    return -1;
  char name[32];
  snprintf(name, sizeof name, "box%u", index);
  if (cg_create(e->cgr, name, &b->cg, err, errlen))
    return -1;
  slot_prestart(b);
  return 0;
}

static void release_slot(struct box *b) {
  if (b->e->persist && b->slot_pid > 0) {
    /* Waiting for it to tear its namespaces down cost 0.3-0.5 ms of every
     * `judge run`; the process exits right after, and its stack with it. */
    slot_leave(b);
    b->stack_map = NULL;
  }
  slot_stop(b); /* before its stack goes */
  if (b->e->persist)
    workdir_leave(b);
  else
    workdir_unmount(b);
  for (int i = 0; i < b->ncg_self; i++)
    close(b->cg_self_fds[i]);
  b->ncg_self = -1;
  /* Left mapped if an init still runs on it (box_wait was never called). */
  if (b->stack_map && (!b->proc.started || b->proc.done))
    munmap(b->stack_map, BOX_STACK_MAP_LEN);
  b->stack_map = NULL;
  if (b->cg && b->e->persist)
    cg_close(b->cg);
  else if (b->cg)
    cg_destroy(b->cg);
  if (b->netns_fd >= 0)
    close(b->netns_fd);
  if (b->lock_fd >= 0)
    close(b->lock_fd); /* drops the flock */
  b->cg = NULL;
  b->netns_fd = b->lock_fd = -1;
}

int box_engine_open(struct box_engine **out, const struct box_engine_config *cfg, char *err,
                    size_t errlen) {
  *out = NULL;
  uint32_t nslots = cfg && cfg->slots ? cfg->slots : 1;
  if (nslots > BOX_MAX_SLOT_INDEX)
    return jp_err(err, errlen, "%u box slots requested; at most %u", nslots, BOX_MAX_SLOT_INDEX);
  uint32_t first_uid = cfg && cfg->first_uid ? cfg->first_uid : DEFAULT_FIRST_UID;
  if (first_uid < 1000 || first_uid > 0x7fffffffu - BOX_MAX_SLOT_INDEX)
    return jp_err(err, errlen, "first_uid %u out of range (1000..2^31-%u)", first_uid, BOX_MAX_SLOT_INDEX);
  const char *sd = cfg && cfg->state_dir ? cfg->state_dir : DEFAULT_STATE_DIR;
  if (!valid_state_dir(sd))
    return jp_err(err, errlen, "state dir '%s' must be an absolute path without '..', under 100 chars", sd);
  if (box_check_privileges(err, errlen))
    return -1;

  struct box_engine *e = calloc(1, sizeof *e);
  if (!e)
    return jp_err(err, errlen, "out of memory for the box engine");
  pthread_mutex_init(&e->mu, NULL);
  e->mntns_fd = -1;
  snprintf(e->state_dir, sizeof e->state_dir, "%s", sd);
  snprintf(e->root_dir, sizeof e->root_dir, "%s/root-v" BOX_ROOTFS_VERSION, sd);
  e->first_uid = first_uid;
  e->persist = cfg ? cfg->persist : 0;
  char path[BOX_PATH_MAX];
  e->mntns_fd = -1;
  if (rootfs_ensure(e->state_dir, e->root_dir, first_uid, err, errlen) ||
      mntns_open(e->state_dir, e->root_dir, &e->mntns_fd, err, errlen))
    goto fail;
  static const char *const sub[] = {"slots", "work"};
  for (int i = 0; i < 2; i++) {
    snprintf(path, sizeof path, "%s/%s", sd, sub[i]);
    if (mkdir(path, 0700) < 0 && errno != EEXIST) {
      jp_errno(err, errlen, "mkdir %s", path);
      goto fail;
    }
  }
  const char *cgroot = cfg ? cfg->cgroup_root : NULL;
  if (!cgroot || !strcmp(cgroot, "auto"))
    cgroot = standard_cgroup_root();
  if (cg_root_open(&e->cgr, cgroot, err, errlen))
    goto fail;
  e->slots = calloc(nslots, sizeof *e->slots);
  if (!e->slots) {
    jp_err(err, errlen, "out of memory for %u box slots", nslots);
    goto fail;
  }
  for (uint32_t idx = 0; idx < BOX_MAX_SLOT_INDEX && e->nslots < nslots; idx++) {
    int rc = claim_slot(e, idx, &e->slots[e->nslots], err, errlen);
    if (rc < 0) {
      release_slot(&e->slots[e->nslots]);
      goto fail;
    }
    if (rc == 0)
      e->nslots++;
  }
  if (e->nslots < nslots) {
    jp_err(err, errlen, "only %u of %u box slots are free (other judgepool processes hold the rest of %s/slots)",
           e->nslots, nslots, sd);
    goto fail;
  }
  *out = e;
  return 0;
fail:
  box_engine_close(e);
  return -1;
}

void box_engine_close(struct box_engine *e) {
  if (!e)
    return;
  for (uint32_t i = 0; i < e->nslots; i++)
    release_slot(&e->slots[i]);
  free(e->slots);
  for (int i = 0; i < 2; i++)
    policy_free(&e->bpf[i]);
  if (e->cgr)
    cg_root_close(e->cgr);
  if (e->mntns_fd >= 0)
    close(e->mntns_fd);
  pthread_mutex_destroy(&e->mu);
  free(e);
}

int box_acquire(struct box_engine *e, struct box **out, char *err, size_t errlen) {
  pthread_mutex_lock(&e->mu);
  for (uint32_t i = 0; i < e->nslots; i++)
    if (!e->slots[i].busy) {
      e->slots[i].busy = 1;
      pthread_mutex_unlock(&e->mu);
      *out = &e->slots[i];
      return 0;
    }
  pthread_mutex_unlock(&e->mu);
  return jp_err(err, errlen, "all %u box slots are busy", e->nslots);
}

void box_release(struct box *b) {
  if (!b)
    return;
  workdir_cleanup(b);
  b->cancel = NULL;
  pthread_mutex_lock(&b->e->mu);
  b->busy = 0;
  pthread_mutex_unlock(&b->e->mu);
}

void box_set_cancel(struct box *b, const atomic_int *flag) { b->cancel = flag; }
