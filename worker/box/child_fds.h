/* child_fds.h — what child.c (init and the program child) and slotinit.c
 * (the slot init's loop between runs) share: init's fd layout, the slot
 * init's messages, and the steps both are made of. Raw system calls only
 * behind these (see child.c). */
#ifndef JP_BOX_CHILD_FDS_H
#define JP_BOX_CHILD_FDS_H

#include "box_internal.h"

/* Init's fd layout after relocation (child_relocate_fds). FD_STATUS is the
 * status pipe of a one-run init, the control socket of a slot init. */
enum { FD_STATUS = 3, FD_SYNC, FD_NETNS, FD_IN, FD_OUT, FD_ERR, FD_MNTNS, FD_TBOX, FD_TTMP, FD_TSHM,
       FD_CG0, FD_FIRST_FREE = FD_CG0 + 4 };
/* Init keeps its own fds high so they never land on the layout. */
#define INIT_FD_MIN 32

/* Puts the fds of a at the layout, closes 0..2 and every other fd. */
void child_relocate_fds(const struct child_args *a);
/* Joins the network namespace, builds the mount tree; returns the SIGCHLD
 * signalfd. */
long child_enter_box(void);
/* The signals init ignores (bit s-1 for signal s), which the program
 * child sets back to SIG_DFL: init's dispositions never change, so once
 * per init. */
unsigned long child_ignored_signals(void);
/* Spawns the program (a's plan; ignored: child_ignored_signals()),
 * supervises it until it ends, makes a forbidden call or (slot) a kill
 * request arrives, then SIGKILLs every other process of the pid namespace;
 * *out is the report to send. */
void child_run(const struct child_args *a, long sfd, unsigned long ignored, int slot, struct box_report *out);
/* Reports a failed step (e: -errno), kills the namespace, exits. */
void child_init_fail(uint32_t step, long e) __attribute__((noreturn));
void child_send(const struct box_report *r);
int child_move_high(int fd);
void child_build_mounts(void);

#endif
