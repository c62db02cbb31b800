/* commands.h — the subcommands of the `judge` command line. Each lives in
 * its own cmd_*.c file; argv[0] is the subcommand name. Return value is the
 * process exit status (0 ok, 1 verdict not OK where the command says so,
 * 2 usage or internal error). */
#ifndef JP_COMMANDS_H
#define JP_COMMANDS_H

int cmd_run(int argc, char **argv);    /* judge run: one sandboxed execution */
int cmd_submit(int argc, char **argv); /* judge submit: judge one submission */
int cmd_batch(int argc, char **argv);  /* judge batch: judge many submissions */
int cmd_status(int argc, char **argv); /* judge status: the pool or one submission */
int cmd_watch(int argc, char **argv);  /* judge watch: live progress of a submission */
int cmd_result(int argc, char **argv); /* judge result: a stored verdict */
int cmd_cancel(int argc, char **argv); /* judge cancel: drop a submission */
int cmd_drain(int argc, char **argv);  /* judge drain: stop feeding a worker */
int cmd_keygen(int argc, char **argv); /* judge keygen: a CURVE key pair */

#endif
