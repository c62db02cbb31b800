/* proto_tool.c — a small bridge for tests in other languages:
 *   proto_tool decode FILE        decode one frame, print it as "key=value"
 *                                 lines (exit 1 and "error=CODE" if rejected)
 *   proto_tool sample TYPE FILE   write our encoding of a sample TYPE message
 *   proto_tool bench [N]          ns per validate / decode / encode
 *   proto_tool seeds DIR          write every sample as a fuzz seed file
 * The Python test uses it to prove PROTOCOL.md is enough to talk to us. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto.h"
#include "samples.h"

static int read_file(const char *path, void **buf, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return perror(path), -1;
  size_t cap = 1 << 16, n = 0;
  char *b = malloc(cap);
  for (;;) {
    if (n == cap) {
      if (cap > JP_PROTO_MAX_FRAME) break;
      cap *= 2;
      b = realloc(b, cap);
    }
    size_t got = fread(b + n, 1, cap - n, f);
    if (got == 0) break;
    n += got;
  }
  fclose(f);
  *buf = b;
  *len = n;
  return 0;
}

static void print_test(const char *pfx, const struct jp_test_result *t) {
  printf("%s.name=%s\n%s.group=%s\n%s.verdict=%s\n%s.cpu_ms=%u\n%s.wall_ms=%u\n"
         "%s.memory_kib=%llu\n%s.exit_code=%d\n%s.signal=%d\n%s.syscall=%s\n%s.message=%s\n%s.score=%g\n",
         pfx, t->name, pfx, t->group, pfx, jp_verdict_name(t->verdict), pfx, t->cpu_ms, pfx,
         t->wall_ms, pfx, (unsigned long long)t->memory_kib, pfx, t->exit_code, pfx, t->signal,
         pfx, t->syscall, pfx, t->message, pfx, t->score);
}

static void print_result(const struct jp_result *r) {
  printf("result.verdict=%s\nresult.score=%g\nresult.compile.ok=%d\nresult.compile.message=%s\n"
         "result.compile.cpu_ms=%u\nresult.ntests=%zu\nresult.max_cpu_ms=%u\n"
         "result.max_memory_kib=%llu\nresult.scoring=%d\n",
         jp_verdict_name(r->verdict), r->score, r->compile.ok, r->compile.message,
         r->compile.cpu_ms, r->ntests, r->max_cpu_ms, (unsigned long long)r->max_memory_kib, r->scoring);
  for (size_t i = 0; i < r->ntests; i++) {
    char pfx[48];
    snprintf(pfx, sizeof pfx, "result.tests[%zu]", i);
    print_test(pfx, &r->tests[i]);
  }
}

static void print_submit(const struct jp_submit *s) {
  printf("sid=%s\nproblem.hash=%s\nproblem.nfiles=%zu\n", s->sid, s->problem.hash,
         s->problem.nfiles);
  for (size_t i = 0; i < s->problem.nfiles; i++)
    printf("problem.files[%zu]=%s %s %llu\n", i, s->problem.files[i].path,
           s->problem.files[i].sha256, (unsigned long long)s->problem.files[i].size);
  printf("lang=%s\nnsources=%zu\n", s->lang, s->nsources);
  for (size_t i = 0; i < s->nsources; i++) {
    printf("sources[%zu].name=%s\nsources[%zu].len=%zu\nsources[%zu].content=", i,
           s->sources[i].name, i, s->sources[i].content.len, i);
    for (size_t k = 0; k < s->sources[i].content.len; k++)
      printf("%02x", s->sources[i].content.data[k]);
    printf("\n");
  }
  printf("priority=%s\noptions.stop_at_first_failure=%d\noptions.all_tests=%d\nwatch=%d\n",
         jp_priority_name(s->priority), s->options.stop_at_first_failure, s->options.all_tests, s->watch);
  char h[JP_PROTO_HASH_LEN + 1], err[256];
  if (jp_problem_hash(&s->problem, h, err, sizeof err) == 0)
    printf("problem.computed_hash=%s\n", h);
  else
    printf("problem.computed_hash_error=%s\n", err);
}

static int cmd_decode(const char *path) {
  void *buf;
  size_t len;
  if (read_file(path, &buf, &len) < 0) return 2;
  struct jp_msg m;
  enum jp_errcode code;
  char err[512];
  if (jp_msg_decode(buf, len, &m, &code, err, sizeof err) < 0) {
    printf("error=%s\nrid=%llu\nmessage=%s\n", jp_errcode_name(code), (unsigned long long)m.rid,
           err);
    free(buf);
    return 1;
  }
  printf("type=%s\nrid=%llu\n", jp_msg_type_name(m.type), (unsigned long long)m.rid);
  switch (m.type) {
  case JP_MSG_SUBMIT: print_submit(&m.u.submit); break;
  case JP_MSG_JOB:
    printf("lease=%llu\nattempt=%u\n", (unsigned long long)m.u.job.lease, m.u.job.attempt);
    print_submit(&m.u.job.sub);
    break;
  case JP_MSG_BLOB_HAVE:
  case JP_MSG_BLOBS_MISSING:
    for (size_t i = 0; i < m.u.blob_have.n; i++) printf("hashes[%zu]=%s\n", i, m.u.blob_have.hashes[i]);
    break;
  case JP_MSG_BLOB_PUT: printf("sha256=%s\nlen=%zu\n", m.u.blob_put.sha256, m.u.blob_put.data.len); break;
  case JP_MSG_RESULT_GET: case JP_MSG_CANCEL: case JP_MSG_STATUS: case JP_MSG_WATCH:
    printf("sid=%s\n", m.u.status.sid);
    break;
  case JP_MSG_JOB_RESULT:
    printf("sid=%s\nlease=%llu\n", m.u.job_result.sid, (unsigned long long)m.u.job_result.lease);
    print_result(&m.u.job_result.result);
    break;
  case JP_MSG_REGISTER:
    printf("name=%s\nslots=%u\n", m.u.reg.name, m.u.reg.slots);
    for (size_t i = 0; i < m.u.reg.nlangs; i++) printf("langs[%zu]=%s\n", i, m.u.reg.langs[i]);
    break;
  case JP_MSG_HEARTBEAT: printf("free_slots=%u\n", m.u.heartbeat.free_slots); break;
  case JP_MSG_PROGRESS:
    printf("sid=%s\nlease=%llu\nindex=%u\ntotal=%u\n", m.u.progress.sid,
           (unsigned long long)m.u.progress.lease, m.u.progress.index, m.u.progress.total);
    print_test("test", &m.u.progress.test);
    break;
  case JP_MSG_BLOB_GET: printf("sha256=%s\n", m.u.blob_get.sha256); break;
  default: break; /* broker-sent types: the Python side decodes those */
  }
  jp_msg_free(&m);
  free(buf);
  return 0;
}

static int write_file(const char *path, const void *buf, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) return perror(path), -1;
  return 0;
}

static int cmd_sample(const char *type, const char *path) {
  int t = jp_msg_type_parse(type, strlen(type));
  for (size_t i = 0; i < sample_count(); i++) {
    if ((int)sample(i)->type != t) continue;
    void *buf;
    size_t len;
    sample_encode(i, &buf, &len);
    int rc = write_file(path, buf, len);
    free(buf);
    return rc < 0 ? 2 : 0;
  }
  fprintf(stderr, "proto_tool: no sample of type '%s'\n", type);
  return 2;
}

static int cmd_seeds(const char *dir) {
  for (size_t i = 0; i < sample_count(); i++) {
    void *buf;
    size_t len;
    sample_encode(i, &buf, &len);
    char path[4096];
    snprintf(path, sizeof path, "%s/sample-%02zu-%s", dir, i, jp_msg_type_name(sample(i)->type));
    int rc = write_file(path, buf, len);
    free(buf);
    if (rc < 0) return 2;
  }
  return 0;
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Prints costs; asserts nothing about time (machines differ), only that
 * every decode succeeded. */
static int cmd_bench(long n) {
  const enum jp_msg_type types[] = {JP_MSG_HEARTBEAT, JP_MSG_PROGRESS, JP_MSG_SUBMIT,
                                    JP_MSG_JOB_RESULT};
  for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
    size_t i = 0;
    while (sample(i)->type != types[k]) i++;
    void *buf;
    size_t len;
    sample_encode(i, &buf, &len);
    double t0 = now_ns();
    for (long j = 0; j < n; j++)
      if (jp_msg_validate(buf, len, NULL, NULL, 0) < 0) return 1;
    double t1 = now_ns();
    for (long j = 0; j < n; j++) {
      struct jp_msg m;
      if (jp_msg_decode(buf, len, &m, NULL, NULL, 0) < 0) return 1;
      jp_msg_free(&m);
    }
    double t2 = now_ns();
    for (long j = 0; j < n; j++) {
      void *out;
      size_t olen;
      if (jp_msg_encode(sample(i), &out, &olen, NULL, 0) < 0) return 1;
      free(out);
    }
    double t3 = now_ns();
    printf("%-12s %5zu bytes: validate %7.0f ns, decode (incl. validate) %7.0f ns, encode %7.0f ns\n",
           jp_msg_type_name(types[k]), len, (t1 - t0) / n, (t2 - t1) / n, (t3 - t2) / n);
    free(buf);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "decode")) return cmd_decode(argv[2]);
  if (argc == 4 && !strcmp(argv[1], "sample")) return cmd_sample(argv[2], argv[3]);
  if (argc == 3 && !strcmp(argv[1], "seeds")) return cmd_seeds(argv[2]);
  if ((argc == 2 || argc == 3) && !strcmp(argv[1], "bench"))
    return cmd_bench(argc == 3 ? atol(argv[2]) > 0 ? atol(argv[2]) : 1 : 100000);
  fprintf(stderr, "usage: proto_tool decode FILE | sample TYPE FILE | seeds DIR | bench [N]\n");
  return 2;
}
