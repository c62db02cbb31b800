/* cgroup_v2.c — the cgroup v2 backend (placeholder until implemented). */
#include "cgroup_impl.h"

#include "err.h"

#define NOT_YET(what) jp_err(err, errlen, "cgroup v2: %s not implemented yet", what)

int cg2_root_init(struct cg_root *r, const char *mount, char *err, size_t errlen) {
  (void)r; (void)mount;
  return NOT_YET("backend");
}
int cg2_create(struct cg *g, char *err, size_t errlen) { (void)g; return NOT_YET("create"); }
int cg2_prepare(struct cg *g, const struct cg_limits *lim, char *err, size_t errlen) {
  (void)g; (void)lim; return NOT_YET("prepare");
}
int cg2_attach(struct cg *g, pid_t pid, char *err, size_t errlen) {
  (void)g; (void)pid; return NOT_YET("attach");
}
int cg2_cpu_ns(struct cg *g, uint64_t *out) { (void)g; (void)out; return -1; }
int cg2_usage(struct cg *g, struct cg_usage *out, char *err, size_t errlen) {
  (void)g; (void)out; return NOT_YET("usage");
}
int cg2_kill_all(struct cg *g, char *err, size_t errlen) { (void)g; return NOT_YET("kill_all"); }
int cg2_is_empty(struct cg *g, char *err, size_t errlen) { (void)g; return NOT_YET("is_empty"); }
void cg2_destroy(struct cg *g) { (void)g; }
