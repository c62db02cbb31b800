/* net_exec.h — how the lean `judge` hands the network commands to
 * `judge-net` (the same command line, linked with ZeroMQ, SQLite, msgpack):
 * exec'ing a second binary costs nothing for `judge run`, whose start-up
 * would otherwise pay for loading two dozen shared libraries. */
#ifndef JP_NET_EXEC_H
#define JP_NET_EXEC_H

/* Remembers the command line as given (getopt_long permutes argv later). */
void net_exec_save(int argc, char **argv);
/* Replaces this process with judge-net (next to /proc/self/exe) and the
 * saved command line. Returns only on failure, after saying why: 2. */
int net_exec(const char *cmd);

#endif
