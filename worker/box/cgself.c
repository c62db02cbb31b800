/* cgself.c — lets the box init move itself into its slot's v1 cgroups by
 * writing "0" to each hierarchy's `tasks` file. A move of "the calling
 * thread" skips the global cgroup_threadgroup_rwsem that any move by pid
 * takes, whose writer side waits for an RCU grace period (2-8 ms per
 * attach here when attaches are not back to back; it dominated a
 * `judge run`). v2 uses clone3(CLONE_INTO_CGROUP) instead.
 *
 * Reads the group's directories from the cgroup backend's private
 * structure (cgroup_impl.h): cgroup.h has no accessor for them yet.
 * Also the one place that frees a group handle without rmdir (persist). */
#include <fcntl.h>
#include <unistd.h>

#include "box_internal.h"
#include "cgroup_impl.h"

int box_cg_self_fds(struct cg *g, int *fds, int max) {
  if (cg_root_version(g->r) != CG_V1)
    return 0;
  int n = 0;
  for (int i = 0; i < CG_NCTL; i++) {
    if (g->dir_fd[i] < 0 || g->r->hier[i] != i)
      continue;
    if (n == max)
      goto fail;
    int fd = openat(g->dir_fd[i], "tasks", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
      goto fail;
    fds[n++] = fd;
  }
  return n;
fail:
  while (n > 0)
    close(fds[--n]);
  return -1;
}

/* Frees our handle on the group without removing it (persist mode): the
 * empty group stays for the next engine on this slot. cgroup.h has only
 * cg_destroy (rmdir) for now. */
void box_cg_forget(struct cg *g) {
  cg_free(g);
}
