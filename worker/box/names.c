/* names.c — the text names of statuses and policies (JSON, CLI, logs). */
#include <string.h>

#include "box.h"

static const char *const status_names[] = {"OK", "RTE", "TLE", "MLE", "OLE", "SV", "IE"};
static const char *const policy_names[] = {"default", "strict", "none"};

const char *box_status_name(box_status s) {
  if ((unsigned)s < sizeof status_names / sizeof status_names[0])
    return status_names[s];
  return "IE";
}

int box_status_parse(const char *name, box_status *out) {
  for (unsigned i = 0; name && i < sizeof status_names / sizeof status_names[0]; i++)
    if (!strcmp(name, status_names[i])) {
      *out = (box_status)i;
      return 0;
    }
  return -1;
}

const char *box_policy_name(box_policy p) {
  if ((unsigned)p < sizeof policy_names / sizeof policy_names[0])
    return policy_names[p];
  return "?";
}

int box_policy_parse(const char *name, box_policy *out) {
  for (unsigned i = 0; name && i < sizeof policy_names / sizeof policy_names[0]; i++)
    if (!strcmp(name, policy_names[i])) {
      *out = (box_policy)i;
      return 0;
    }
  return -1;
}
