/* signals.c — signals at the supervisor (REFERENCE §3.2). Each mode then
 * burns CPU forever, so the only correct end is TLE from the box's timer.
 *   killall   kill(-1, SIGKILL) and kill(-1, SIGSTOP): everything we can reach
 *   parent    SIGSTOP then SIGKILL getppid() and pid 1
 *   sweep     SIGSTOP every pid 1..65536 except ourselves
 *   selfstop  raise(SIGSTOP): the wall limit must end it (no CPU used)
 *   ignore    ignore every signal, block the rest, then burn
 *   visible   report processes visible in /proc that are not ours (a pid
 *             namespace shows only the box), then exit 0 */
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>

#include "atk.h"

int main(int argc, char **argv) {
  const char *m = argc > 1 ? argv[1] : "";
  pid_t self = getpid();
  if (!strcmp(m, "killall")) {
    signal(SIGTERM, SIG_IGN);
    kill(-1, SIGSTOP);
    kill(-1, SIGKILL);
    atk_say("killall sent");
  } else if (!strcmp(m, "parent")) {
    pid_t pp = getppid();
    atk_say("pid %d ppid %d", (int)self, (int)pp);
    if (pp > 0) {
      kill(pp, SIGSTOP);
      kill(pp, SIGKILL);
    }
    if (self != 1) {
      kill(1, SIGSTOP);
      kill(1, SIGKILL);
    }
  } else if (!strcmp(m, "sweep")) {
    int hit = 0;
    for (pid_t p = 1; p <= 65536; p++)
      if (p != self && kill(p, SIGSTOP) == 0) hit++;
    atk_say("stopped %d processes", hit);
  } else if (!strcmp(m, "selfstop")) {
    raise(SIGSTOP);
    atk_say("resumed after SIGSTOP");
    return 0;
  } else if (!strcmp(m, "ignore")) {
    sigset_t all;
    sigfillset(&all);
    for (int s = 1; s < NSIG; s++) signal(s, SIG_IGN);
    sigprocmask(SIG_BLOCK, &all, NULL);
  } else if (!strcmp(m, "visible")) {
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0, foreign = 0;
    uid_t me = getuid();
    while (d && (e = readdir(d))) {
      if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
      char p[300], comm[64] = "";
      struct stat st;
      snprintf(p, sizeof p, "/proc/%s", e->d_name);
      if (stat(p, &st)) continue;
      n++;
      snprintf(p, sizeof p, "/proc/%s/comm", e->d_name);
      FILE *f = fopen(p, "r");
      if (f) {
        if (!fgets(comm, sizeof comm, f)) comm[0] = 0;
        fclose(f);
        comm[strcspn(comm, "\n")] = 0;
      }
      atk_say("visible pid %s uid %u comm %s", e->d_name, (unsigned)st.st_uid, comm);
      if (st.st_uid != me) foreign++;
    }
    if (d) closedir(d);
    atk_say("visible %d foreign %d", n, foreign);
    if (foreign) ESCAPED("sees %d processes of other users in /proc", foreign);
    return 0;
  } else {
    fprintf(stderr, "usage: signals killall|parent|sweep|selfstop|ignore|visible\n");
    return 64;
  }
  atk_burn_forever();
}
