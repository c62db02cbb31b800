/* policy.h — the seccomp policies of the box, built once with libseccomp and
 * exported as a classic BPF program that each box child installs with one
 * seccomp() call (seccomp_load costs ~0.25 ms; installing the exported
 * program costs a few µs). The programs the box uses are exported at build
 * time (policy_gen), so a process does not even build them. */
#ifndef JP_BOX_POLICY_H
#define JP_BOX_POLICY_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "box.h"

/* What a forbidden call does. NOTIFY: the call blocks and the box's init
 * learns which call it was (then kills the box); KILL: SIGSYS kills the
 * process (fallback, and for tests without a listener). */
typedef enum { POLICY_DENY_NOTIFY = 0, POLICY_DENY_KILL } policy_deny;

struct policy_bpf {
  struct sock_filter *insns; /* malloc'd */
  unsigned short len;
  int uses_notify;           /* needs SECCOMP_FILTER_FLAG_NEW_LISTENER */
};

/* Builds policy p (not BOX_POLICY_NONE). */
int policy_build(box_policy p, policy_deny deny, struct policy_bpf *out, char *err, size_t errlen);
void policy_free(struct policy_bpf *b);

/* The NOTIFY programs, generated at build time by policy_gen from
 * policy_build (never freed). NULL for BOX_POLICY_NONE. */
const struct policy_bpf *policy_prebuilt(box_policy p);

/* Name of a denied call from seccomp_data (nr, arch): "ptrace" for native
 * calls, "i386:socket" / "x32:..." for other ABIs, "arch-0x...:N" if unknown. */
void policy_syscall_name(int nr, uint32_t arch, char *buf, size_t len);

#endif
