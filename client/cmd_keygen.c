/* cmd_keygen.c — `judge keygen [--out BASENAME] [--force]`: a CURVE key pair
 * for a broker, worker, client or admin, written as ZeroMQ certificates
 * (BASENAME public, BASENAME_secret mode 0600), plus the line to add to the
 * broker's keys file. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "zauth.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: judge keygen [--out BASENAME] [--force]\n"
          "writes BASENAME (public certificate) and BASENAME_secret (mode 0600);\n"
          "default BASENAME: judgepool. --force replaces existing files.\n");
}

int cmd_keygen(int argc, char **argv) {
  static const struct option opts[] = {{"out", required_argument, 0, 'o'},
                                       {"force", no_argument, 0, 'f'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *out = "judgepool";
  int force = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:fh", opts, NULL)) != -1) {
    if (c == 'o') out = optarg;
    else if (c == 'f') force = 1;
    else {
      usage(c == 'h' ? stdout : stderr);
      return c == 'h' ? 0 : 2;
    }
  }
  if (optind != argc) {
    usage(stderr);
    return 2;
  }
  char err[512];
  struct jp_keypair kp;
  if (jp_keypair_new(&kp, err, sizeof err) < 0 || jp_cert_write(out, &kp, force, err, sizeof err) < 0) {
    jp_keypair_wipe(&kp);
    fprintf(stderr, "judge keygen: %s\n", err);
    return 2;
  }
  /* a name for the keys file line: the basename, if it fits the rules */
  const char *base = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;
  printf("public key: %s\nwrote %s and %s_secret (keep the secret file on its host only)\n"
         "to admit it, add to the broker's keys file (ROLE: worker, client or admin):\n"
         "  ROLE %s %.64s\n",
         kp.public_z85, out, out, kp.public_z85, base);
  jp_keypair_wipe(&kp);
  return 0;
}
