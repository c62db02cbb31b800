/* pool_rawworker.c — a hand-driven worker on a raw DEALER, for broker rules
 * the real daemon never breaks:
 *   pool_rawworker reregister WORKERS_EP N
 *     REGISTERs, takes the JOB, REGISTERs again on the same connection
 *     without reporting it, N times; prints "attempt K" per JOB received
 *     (PROTOCOL.md 6.3: each re-REGISTER loses the lease, one attempt).
 *   pool_rawworker blobflood WORKERS_EP HASH N
 *     sends N BLOB_GETs for HASH without reading, then reads every reply;
 *     prints "blobs B refused R" (the broker's per-peer byte budget).
 *   pool_rawworker bigresult WORKERS_EP N
 *     REGISTERs, takes one JOB and answers it AC with N tests of a 60000-
 *     byte message each (a large stored result); prints "done" once the
 *     broker acknowledged it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto.h"

static int send_msg(void *s, struct jp_msg *m) {
  void *buf;
  size_t len;
  char err[256];
  if (jp_msg_encode(m, &buf, &len, err, sizeof err) < 0) {
    fprintf(stderr, "encode: %s\n", err);
    return -1;
  }
  int rc = zmq_send(s, buf, len, 0);
  free(buf);
  return rc < 0 ? -1 : 0;
}

/* next message of `type` within ms (others skipped); 0 got, -1 none */
static int recv_type(void *s, enum jp_msg_type type, int ms, struct jp_msg *out, int *errors) {
  for (int waited = 0; waited < ms;) {
    zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, 100) <= 0) {
      waited += 100;
      continue;
    }
    zmq_msg_t z;
    zmq_msg_init(&z);
    if (zmq_msg_recv(&z, s, 0) < 0) return -1;
    int ok = jp_msg_decode(zmq_msg_data(&z), zmq_msg_size(&z), out, NULL, NULL, 0) == 0;
    zmq_msg_close(&z);
    if (!ok) continue;
    if (out->type == type) return 0;
    if (out->type == JP_MSG_ERROR && errors) ++*errors;
    jp_msg_free(out);
  }
  return -1;
}

static int reg(void *s) {
  static const char *const langs[] = {"c"};
  struct jp_msg m = {.type = JP_MSG_REGISTER, .rid = 1};
  m.u.reg.name = "raw";
  m.u.reg.slots = 1;
  m.u.reg.langs = langs;
  m.u.reg.nlangs = 1;
  return send_msg(s, &m);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: pool_rawworker reregister EP N | blobflood EP HASH N | bigresult EP N\n");
    return 2;
  }
  void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_DEALER);
  int zero = 0, big = 100000;
  zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
  zmq_setsockopt(s, ZMQ_RCVHWM, &big, sizeof big);
  if (zmq_connect(s, argv[2]) != 0) return 2;
  int rc = 0;
  if (!strcmp(argv[1], "reregister")) {
    int n = atoi(argv[3]);
    for (int i = 0; i < n; i++) {
      struct jp_msg m;
      if (reg(s) < 0) return 2;
      if (recv_type(s, JP_MSG_JOB, 10000, &m, NULL) < 0) {
        printf("no job\n");
        break;
      }
      printf("attempt %u\n", m.u.job.attempt);
      fflush(stdout);
      jp_msg_free(&m);
    }
  } else if (!strcmp(argv[1], "blobflood") && argc >= 5) {
    int n = atoi(argv[4]), blobs = 0, refused = 0;
    for (int i = 0; i < n; i++) {
      struct jp_msg m = {.type = JP_MSG_BLOB_GET, .rid = (uint64_t)i + 1};
      m.u.blob_get.sha256 = argv[3];
      if (send_msg(s, &m) < 0) return 2;
    }
    struct jp_msg m;
    while (recv_type(s, JP_MSG_BLOB, 3000, &m, &refused) == 0) {
      blobs += m.u.blob.found;
      jp_msg_free(&m);
    }
    printf("blobs %d refused %d\n", blobs, refused);
  } else if (!strcmp(argv[1], "bigresult")) {
    size_t n = strtoul(argv[3], NULL, 10);
    static char text[60001], names[JP_PROTO_MAX_TESTS][16];
    struct jp_test_result *t = calloc(n ? n : 1, sizeof *t);
    struct jp_msg job;
    if (!t || n > JP_PROTO_MAX_TESTS || reg(s) < 0) return 2;
    memset(text, 'm', sizeof text - 1);
    if (recv_type(s, JP_MSG_JOB, 10000, &job, NULL) < 0) {
      printf("no job\n");
      rc = 1;
    } else {
      for (size_t i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], "t%zu", i);
        t[i] = (struct jp_test_result){.name = names[i], .group = "", .verdict = JP_V_AC, .syscall = "",
                                       .message = text};
      }
      struct jp_msg r = {.type = JP_MSG_JOB_RESULT, .rid = 2};
      r.u.job_result = (struct jp_job_result){
          .sid = job.u.job.sub.sid, .lease = job.u.job.lease,
          .result = {.verdict = JP_V_AC, .compile = {.ok = true, .message = ""}, .tests = t, .ntests = n}};
      struct jp_msg a;
      if (send_msg(s, &r) < 0 || recv_type(s, JP_MSG_RESULT_ACK, 10000, &a, NULL) < 0) {
        printf("not acknowledged\n");
        rc = 1;
      } else {
        printf("done\n");
        jp_msg_free(&a);
      }
      jp_msg_free(&job);
    }
    free(t);
  } else {
    rc = 2;
  }
  zmq_close(s);
  zmq_ctx_term(ctx);
  return rc;
}
