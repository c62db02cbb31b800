/* zauth_policy.c — what each role may do, in one table so the broker does
 * not scatter the rules: workers speak only the worker half of the
 * protocol, clients only the client half, admins the client half plus
 * everyone's submissions, cancel and drain. */
#include <string.h>

#include "proto.h"
#include "zauth.h"

static const char *const names[] = {"worker", "client", "admin"};

const char *jp_role_name(unsigned role) {
  switch (role) {
  case JP_ROLE_WORKER: return names[0];
  case JP_ROLE_CLIENT: return names[1];
  case JP_ROLE_ADMIN: return names[2];
  case JP_ROLE_INSECURE: return "insecure";
  default: return "none";
  }
}

int jp_role_parse(const char *s, unsigned *role) {
  static const unsigned r[] = {JP_ROLE_WORKER, JP_ROLE_CLIENT, JP_ROLE_ADMIN};
  for (size_t i = 0; i < 3; i++)
    if (!strcmp(s, names[i])) {
      *role = r[i];
      return 0;
    }
  if (!strcmp(s, "insecure")) {
    *role = JP_ROLE_INSECURE;
    return 0;
  }
  return -1;
}

int jp_role_may_send(unsigned role, int type) {
  if (type <= JP_MSG_NONE || type >= JP_MSG__COUNT) return 0;
  unsigned dirs = jp_msg_dirs((enum jp_msg_type)type);
  if ((role & JP_ROLE_WORKER) && (dirs & JP_DIR_W2B)) return 1;
  if (!(dirs & JP_DIR_C2B)) return 0;
  if (type == JP_MSG_CANCEL) return (role & JP_ROLE_ADMIN) != 0;
  if (type == JP_MSG_DRAIN) return jp_role_may_drain(role);
  return (role & (JP_ROLE_CLIENT | JP_ROLE_ADMIN)) != 0;
}

int jp_peer_may_read(const struct jp_peer *p, const char *owner_key) {
  if (p->role & JP_ROLE_ADMIN) return 1; /* admin, and insecure mode */
  if (!(p->role & JP_ROLE_CLIENT) || !owner_key || !p->key[0]) return 0;
  return strcmp(p->key, owner_key) == 0;
}

int jp_role_may_drain(unsigned role) { return (role & JP_ROLE_ADMIN) != 0; }
