/* pool_rawworker.c — a hand-driven worker on a raw DEALER, for broker rules
 * the real daemon never breaks:
 *   pool_rawworker reregister WORKERS_EP N
 *     REGISTERs, takes the JOB, REGISTERs again on the same connection
 *     without reporting it, N times; prints "attempt K" per JOB received
 *     (PROTOCOL.md 6.3: each re-REGISTER loses the lease, one attempt).
 *   pool_rawworker forget WORKERS_EP
 *     REGISTERs, and heartbeats twice a second naming no lease, as a
 *     worker does whose JOB was lost on the way; prints "attempt K" per
 *     JOB, until the second (PROTOCOL.md 6.1: an unnamed lease is not
 *     renewed, so it expires and the job is dispatched again) or 20 s.
 *   pool_rawworker blobflood WORKERS_EP HASH N
 *     sends N BLOB_GETs for HASH without reading, then reads every reply;
 *     prints "blobs B refused R" (the broker's per-peer byte budget).
 *   pool_rawworker bigresult WORKERS_EP N
 *     REGISTERs, takes one JOB and answers it AC with N tests of a 60000-
 *     byte message each (a large stored result); prints "done" once the
 *     broker acknowledged it.
 *   pool_rawworker hold WORKERS_EP SECONDS
 *     REGISTERs, takes one JOB ("attempt K"), heartbeats naming its lease
 *     for SECONDS, then reports AC for it until RESULT_ACK ("acked"). Like
 *     judge-worker, a new connection (same routing id, "reconnected")
 *     when the broker is silent for 2 s.
 *   pool_rawworker intrude WORKERS_EP
 *     REGISTERs and heartbeats for 2 s; prints "replies N", the ACKs and
 *     ERRORs it got (a routing id registered by another key: none).
 * $POOL_RID sets the DEALER's routing id; $POOL_CERT and $POOL_BROKER_KEY
 * make it a CURVE client with that key pair (else plain). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto.h"
#include "raw_dealer.h"
#include "zauth.h"

/* next message of `type` within ms (others skipped); 0 got, -1 none */
static int recv_type(void *s, enum jp_msg_type type, int ms, struct jp_msg *out, int *errors) {
  while (raw_next(s, &ms, out) == 0) {
    if (out->type == type) return 0;
    if (out->type == JP_MSG_ERROR && errors) ++*errors;
    jp_msg_free(out);
  }
  return -1;
}

/* heartbeat naming at most one lease (0 = none) */
static int beat(void *s, uint64_t lease) {
  struct jp_msg h = {.type = JP_MSG_HEARTBEAT, .rid = 2};
  h.u.heartbeat = (struct jp_heartbeat){.free_slots = lease ? 0 : 1, .has_leases = true,
                                        .leases = &lease, .nleases = lease ? 1 : 0};
  return raw_send(s, &h);
}

/* $POOL_RID and $POOL_CERT/$POOL_BROKER_KEY, before connecting */
static int setup(void *s) {
  const char *rid = getenv("POOL_RID"), *cert = getenv("POOL_CERT"), *bkey = getenv("POOL_BROKER_KEY");
  if (rid && zmq_setsockopt(s, ZMQ_ROUTING_ID, rid, strlen(rid)) != 0) return -1;
  if (!cert) return 0;
  struct jp_keypair kp;
  char pub[JP_Z85_KEY_LEN + 1], err[512];
  if (!bkey || jp_cert_load_secret(cert, &kp, err, sizeof err) < 0 ||
      jp_cert_load_public(bkey, pub, err, sizeof err) < 0 || jp_curve_client(s, &kp, pub, err, sizeof err) < 0) {
    fprintf(stderr, "pool_rawworker: keys: %s\n", bkey ? err : "POOL_BROKER_KEY missing");
    return -1;
  }
  jp_keypair_wipe(&kp);
  return 0;
}

static int reg(void *s) {
  static const char *const langs[] = {"c"};
  struct jp_msg m = {.type = JP_MSG_REGISTER, .rid = 1};
  m.u.reg.name = "raw";
  m.u.reg.slots = 1;
  m.u.reg.langs = langs;
  m.u.reg.nlangs = 1;
  return raw_send(s, &m);
}

int main(int argc, char **argv) {
  if (argc < 3 || (argc < 4 && strcmp(argv[1], "forget") && strcmp(argv[1], "intrude"))) {
    fprintf(stderr, "usage: pool_rawworker reregister EP N | forget EP | blobflood EP HASH N | hold EP S | intrude EP"
                    " | bigresult EP N\n");
    return 2;
  }
  void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_DEALER);
  int zero = 0, big = 100000;
  zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
  zmq_setsockopt(s, ZMQ_RCVHWM, &big, sizeof big);
  if (setup(s) < 0 || zmq_connect(s, argv[2]) != 0) return 2;
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
  } else if (!strcmp(argv[1], "forget")) {
    if (reg(s) < 0) return 2;
    int jobs = 0;
    for (int i = 0; i < 40 && jobs < 2; i++) {
      struct jp_msg h = {.type = JP_MSG_HEARTBEAT, .rid = 2};
      h.u.heartbeat = (struct jp_heartbeat){.free_slots = 1, .has_leases = true};
      if (raw_send(s, &h) < 0) return 2;
      struct jp_msg m;
      if (recv_type(s, JP_MSG_JOB, 500, &m, NULL) == 0) {
        printf("attempt %u\n", m.u.job.attempt);
        fflush(stdout);
        jobs++;
        jp_msg_free(&m);
      }
    }
  } else if (!strcmp(argv[1], "hold")) {
    struct jp_msg m;
    if (reg(s) < 0 || recv_type(s, JP_MSG_JOB, 10000, &m, NULL) < 0) return 2;
    printf("attempt %u\n", m.u.job.attempt);
    fflush(stdout);
    uint64_t lease = m.u.job.lease;
    char sid[JP_PROTO_MAX_SID + 1];
    snprintf(sid, sizeof sid, "%s", m.u.job.sub.sid);
    jp_msg_free(&m);
    int quiet = 0;
    for (int i = 0; i < 2 * atoi(argv[3]); i++) {
      if (beat(s, lease) < 0) return 2;
      zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
      quiet = zmq_poll(&it, 1, 500) > 0 ? 0 : quiet + 1;
      while (recv_type(s, JP_MSG_NONE, 1, &m, NULL) == 0) jp_msg_free(&m); /* drain */
      if (quiet == 4) {
        zmq_close(s);
        s = zmq_socket(ctx, ZMQ_DEALER);
        zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
        if (setup(s) < 0 || zmq_connect(s, argv[2]) != 0) return 2;
        printf("reconnected\n");
        fflush(stdout);
        quiet = 0;
      }
    }
    struct jp_msg r = {.type = JP_MSG_JOB_RESULT, .rid = 3};
    r.u.job_result = (struct jp_job_result){.sid = sid, .lease = lease, .result = {.verdict = JP_V_AC}};
    rc = 1;
    for (int i = 0; i < 20 && rc; i++) {
      if (raw_send(s, &r) < 0) return 2;
      if (recv_type(s, JP_MSG_RESULT_ACK, 500, &m, NULL) == 0) {
        printf("acked\n");
        rc = 0;
        jp_msg_free(&m);
      }
    }
  } else if (!strcmp(argv[1], "intrude")) {
    int replies = 0;
    if (reg(s) < 0) return 2;
    struct jp_msg m;
    for (int i = 0; i < 4; i++) {
      if (beat(s, 0) < 0) return 2;
      if (recv_type(s, JP_MSG_ACK, 500, &m, &replies) == 0) {
        replies++;
        jp_msg_free(&m);
      }
    }
    printf("replies %d\n", replies);
  } else if (!strcmp(argv[1], "blobflood") && argc >= 5) {
    int n = atoi(argv[4]), blobs = 0, refused = 0;
    for (int i = 0; i < n; i++) {
      struct jp_msg m = {.type = JP_MSG_BLOB_GET, .rid = (uint64_t)i + 1};
      m.u.blob_get.sha256 = argv[3];
      if (raw_send(s, &m) < 0) return 2;
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
      if (raw_send(s, &r) < 0 || recv_type(s, JP_MSG_RESULT_ACK, 10000, &a, NULL) < 0) {
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
