/* cmd_run.c — `judge run`: one sandboxed execution from the command line,
 * with the result as a one-line summary or a JSON object (--meta). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "box.h"
#include "box_args.h"
#include "commands.h"

#define MAX_FILES 64

static void usage(FILE *f) {
  fprintf(f,
          "usage: judge run [OPTIONS] -- PROGRAM [ARG...]\n"
          "Runs PROGRAM in the box (namespaces, seccomp, cgroups) with the work dir as cwd.\n\n"
          "  --time SEC          CPU-time limit for the whole process tree (default 1)\n"
          "  --wall SEC          wall-clock limit (default 3*time+1)\n"
          "  --mem MIB           memory limit (default 256)\n"
          "  --procs N           processes+threads limit (default 1)\n"
          "  --output KIB        limit on stdout+stderr and on files written (default 65536)\n"
          "  --stdin FILE        host file fed to stdin (default /dev/null)\n"
          "  --stdout FILE       where the program's stdout goes (default: passed through)\n"
          "  --stderr FILE       likewise for stderr\n"
          "  --file HOST[:NAME]  copy a host file into the work dir (repeatable, mode kept)\n"
          "  --policy NAME       seccomp policy: default | strict | none\n"
          "  --meta FILE         write the result as one JSON object to FILE ('-' = stdout)\n"
          "  --help              this text\n\n"
          "Exit status: 0 when the status is OK, 1 for any other status (RTE TLE MLE OLE SV),\n"
          "2 for usage errors and internal errors (IE).\n");
}

static int bad(const char *what, const char *val) {
  fprintf(stderr, "judge run: invalid %s '%s' (see judge run --help)\n", what, val);
  return 2;
}

/* HOST[:NAME]: a HOST that exists as given wins (paths may contain ':'). */
static int parse_file(const char *arg, struct box_file_in *f) {
  const char *colon = strrchr(arg, ':');
  if (colon && access(arg, F_OK) != 0) {
    f->host_path = strndup(arg, (size_t)(colon - arg));
    f->name = colon + 1;
  } else {
    const char *slash = strrchr(arg, '/');
    f->host_path = strdup(arg);
    f->name = slash ? slash + 1 : arg;
  }
  if (!f->host_path || !f->host_path[0] || !f->name[0] || strchr(f->name, '/') ||
      !strcmp(f->name, ".") || !strcmp(f->name, "..") || strlen(f->name) > 255)
    return -1;
  return 0;
}

static cJSON *result_json(const struct box_result *r) {
  cJSON *o = cJSON_CreateObject();
  if (!o)
    return NULL;
  cJSON_AddStringToObject(o, "status", box_status_name(r->status));
  cJSON_AddNumberToObject(o, "exit_code", r->exit_code);
  if (r->signal)
    cJSON_AddNumberToObject(o, "signal", r->signal);
  else
    cJSON_AddNullToObject(o, "signal");
  cJSON_AddNumberToObject(o, "cpu_ms", (double)(long long)(r->cpu_ms * 1000) / 1000);
  cJSON_AddNumberToObject(o, "wall_ms", (double)(long long)(r->wall_ms * 1000) / 1000);
  cJSON_AddNumberToObject(o, "memory_kib", (double)r->memory_kib);
  if (r->syscall[0])
    cJSON_AddStringToObject(o, "syscall", r->syscall);
  else
    cJSON_AddNullToObject(o, "syscall");
  cJSON_AddStringToObject(o, "message", r->message);
  return o;
}

static int write_meta(const char *path, const struct box_result *r) {
  cJSON *o = result_json(r);
  char *text = o ? cJSON_PrintUnformatted(o) : NULL;
  cJSON_Delete(o);
  if (!text) {
    fprintf(stderr, "judge run: out of memory formatting the result\n");
    return -1;
  }
  int rc = 0;
  FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
  if (!f || fprintf(f, "%s\n", text) < 0 || (f != stdout ? fclose(f) : fflush(f)) != 0) {
    fprintf(stderr, "judge run: cannot write the result to %s: %s\n", path, strerror(errno));
    rc = -1;
  }
  free(text);
  return rc;
}

struct opts {
  uint64_t time_ms, wall_ms, mem_mib, procs, output_kib;
  int wall_set;
  const char *in, *out, *errf, *meta;
  box_policy policy;
  struct box_file_in files[MAX_FILES];
  size_t nfiles;
};

static int parse(int argc, char **argv, struct opts *o) {
  static const struct option longs[] = {
      {"time", required_argument, 0, 't'},   {"wall", required_argument, 0, 'w'},
      {"mem", required_argument, 0, 'm'},    {"procs", required_argument, 0, 'p'},
      {"output", required_argument, 0, 'o'}, {"stdin", required_argument, 0, 'i'},
      {"stdout", required_argument, 0, 'O'}, {"stderr", required_argument, 0, 'E'},
      {"file", required_argument, 0, 'f'},   {"policy", required_argument, 0, 'P'},
      {"meta", required_argument, 0, 'M'},   {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "+h", longs, NULL)) != -1) {
    switch (c) {
    case 't':
      if (box_parse_seconds(optarg, 3600 * 1000, &o->time_ms) || o->time_ms == 0)
        return bad("--time (seconds, > 0, at most 3600)", optarg);
      break;
    case 'w':
      if (box_parse_seconds(optarg, 4 * 3600 * 1000, &o->wall_ms) || o->wall_ms == 0)
        return bad("--wall (seconds, > 0, at most 14400)", optarg);
      o->wall_set = 1;
      break;
    case 'm':
      if (box_parse_uint(optarg, 1, 1 << 20, &o->mem_mib))
        return bad("--mem (MiB, 1..1048576)", optarg);
      break;
    case 'p':
      if (box_parse_uint(optarg, 1, 65536, &o->procs))
        return bad("--procs (1..65536)", optarg);
      break;
    case 'o':
      if (box_parse_uint(optarg, 1, 1ull << 30, &o->output_kib))
        return bad("--output (KiB, 1..2^30)", optarg);
      break;
    case 'i': o->in = optarg; break;
    case 'O': o->out = optarg; break;
    case 'E': o->errf = optarg; break;
    case 'M': o->meta = optarg; break;
    case 'P':
      if (box_policy_parse(optarg, &o->policy))
        return bad("--policy (default, strict or none)", optarg);
      break;
    case 'f':
      if (o->nfiles >= MAX_FILES) {
        fprintf(stderr, "judge run: at most %d --file options\n", MAX_FILES);
        return 2;
      }
      if (parse_file(optarg, &o->files[o->nfiles])) {
        free((char *)o->files[o->nfiles].host_path);
        o->files[o->nfiles].host_path = NULL;
        return bad("--file (HOST[:NAME], NAME a plain file name)", optarg);
      }
      if (access(o->files[o->nfiles++].host_path, R_OK) != 0) {
        fprintf(stderr, "judge run: cannot read --file %s: %s\n", o->files[o->nfiles - 1].host_path,
                strerror(errno));
        return 2;
      }
      break;
    case 'h':
      usage(stdout);
      return 0;
    default:
      if (optopt)
        fprintf(stderr, "judge run: option '%s' needs a value or is unknown (see judge run --help)\n",
                argv[optind - 1]);
      else
        fprintf(stderr, "judge run: unknown option '%s' (see judge run --help)\n", argv[optind - 1]);
      return 2;
    }
  }
  if (optind >= argc) {
    fprintf(stderr, "judge run: no PROGRAM given (judge run [OPTIONS] -- PROGRAM [ARG...])\n");
    return 2;
  }
  return -1; /* go on */
}

static int open_or_die(const char *path, int flags, const char *what) {
  int fd = open(path, flags | O_CLOEXEC, 0644);
  if (fd < 0)
    fprintf(stderr, "judge run: cannot open %s file %s: %s\n", what, path, strerror(errno));
  return fd;
}

static void summary(const struct box_result *r) {
  fprintf(stderr, "judge run: %s  cpu %.1f ms  wall %.1f ms  mem %llu KiB", box_status_name(r->status),
          r->cpu_ms, r->wall_ms, (unsigned long long)r->memory_kib);
  if (r->status != BOX_OK || r->exit_code)
    fprintf(stderr, "  exit %d", r->exit_code);
  if (r->signal)
    fprintf(stderr, "  signal %d", r->signal);
  if (r->syscall[0])
    fprintf(stderr, "  syscall %s", r->syscall);
  if (r->message[0])
    fprintf(stderr, "  (%s)", r->message);
  fputc('\n', stderr);
}

static int run(struct opts *o, char **prog) {
  char err[512];
  if (box_check_privileges(err, sizeof err)) {
    fprintf(stderr, "judge run: cannot build a box: %s\n", err);
    return 2;
  }
  int in = -1, out = -1, errfd = -1, rc = 2;
  if (o->in && (in = open_or_die(o->in, O_RDONLY, "--stdin")) < 0)
    return 2;
  if (o->out && (out = open_or_die(o->out, O_WRONLY | O_CREAT | O_TRUNC, "--stdout")) < 0)
    goto done;
  if (o->errf && (errfd = open_or_die(o->errf, O_WRONLY | O_CREAT | O_TRUNC, "--stderr")) < 0)
    goto done;
  struct box_engine *e = NULL;
  /* One engine per process: keep the slot's cgroups and work tmpfs for
   * the next `judge run`. */
  struct box_engine_config cfg = {.slots = 1, .persist = 1};
  if (box_engine_open(&e, &cfg, err, sizeof err)) {
    fprintf(stderr, "judge run: cannot open the box engine: %s\n", err);
    goto done;
  }
  struct box *b;
  if (box_acquire(e, &b, err, sizeof err)) {
    fprintf(stderr, "judge run: %s\n", err);
    box_engine_close(e);
    goto done;
  }
  struct box_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.argv = (const char *const *)prog;
  spec.limits.cpu_ms = o->time_ms;
  spec.limits.wall_ms = o->wall_set ? o->wall_ms : 3 * o->time_ms + 1000;
  spec.limits.memory_kib = o->mem_mib * 1024;
  spec.limits.output_kib = o->output_kib;
  spec.limits.procs = (uint32_t)o->procs;
  spec.policy = o->policy;
  spec.stdin_fd = in;
  /* Our own stdout/stderr are pumped (counted against --output); files
   * given with --stdout/--stderr are handed over, bounded by RLIMIT_FSIZE. */
  spec.stdout_fd = out >= 0 ? out : STDOUT_FILENO;
  spec.stderr_fd = errfd >= 0 ? errfd : STDERR_FILENO;
  spec.pump = (out >= 0 ? 0 : BOX_PUMP_STDOUT) | (errfd >= 0 ? 0 : BOX_PUMP_STDERR);
  spec.files_in = o->files;
  spec.nfiles_in = o->nfiles;
  struct box_result r;
  box_run(b, &spec, &r);
  box_release(b);
  box_engine_close(e);
  if (o->meta) {
    if (write_meta(o->meta, &r))
      goto done;
  } else {
    summary(&r);
  }
  rc = r.status == BOX_OK ? 0 : r.status == BOX_IE ? 2 : 1;
done:
  if (in >= 0)
    close(in);
  if (out >= 0)
    close(out);
  if (errfd >= 0)
    close(errfd);
  return rc;
}

int cmd_run(int argc, char **argv) {
  struct opts o;
  memset(&o, 0, sizeof o);
  o.time_ms = 1000;
  o.mem_mib = 256;
  o.procs = 1;
  o.output_kib = 65536;
  o.policy = BOX_POLICY_DEFAULT;
  int rc = parse(argc, argv, &o);
  if (rc < 0) {
    /* A reader that goes away must not kill us with SIGPIPE mid-pump. */
    signal(SIGPIPE, SIG_IGN);
    rc = run(&o, argv + optind);
  }
  for (size_t i = 0; i < o.nfiles; i++)
    free((char *)o.files[i].host_path);
  return rc;
}
