/* pool_badjob.c — plays a broker that gives the worker registering at
 * WORKERS_EP one JOB it cannot read (lang of the wrong type, as from a newer
 * or damaged broker) and waits for the worker's answer:
 *   pool_badjob WORKERS_EP SECONDS
 * prints "answer VERDICT sid SID lease LEASE: MESSAGE" for the JOB_RESULT
 * that came back and exits 0; exits 1 if none came within SECONDS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "proto.h"

#define H1 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* [routing id][body] within the deadline; body malloc'd */
static int recv_routed(void *r, char id[256], int *idlen, void **body, size_t *len, time_t end) {
  while (time(NULL) < end) {
    int n = zmq_recv(r, id, 256, 0);
    if (n < 0) continue;
    *idlen = n > 256 ? 256 : n;
    zmq_msg_t z;
    zmq_msg_init(&z);
    if (zmq_msg_recv(&z, r, 0) < 0) continue;
    *len = zmq_msg_size(&z);
    *body = malloc(*len ? *len : 1);
    if (*body) memcpy(*body, zmq_msg_data(&z), *len);
    zmq_msg_close(&z);
    if (*body) return 0;
  }
  return -1;
}

/* the JOB as the real broker encodes it, then lang "c" made the number 5 */
static int bad_job(void **buf, size_t *len) {
  struct jp_source src = {.name = "main.c", .content = {(const uint8_t *)"int main(){}", 12}};
  struct jp_msg m = {.type = JP_MSG_JOB};
  m.u.job.lease = 4242;
  m.u.job.attempt = 1;
  m.u.job.sub = (struct jp_submit){.sid = "bad-1", .problem = {.hash = H1}, .lang = "c", .sources = &src,
                                   .nsources = 1, .priority = JP_PRIO_NORMAL};
  if (jp_msg_encode(&m, buf, len, NULL, 0) < 0) return -1;
  static const char lang[] = "\xa4" "lang" "\xa1" "c";
  uint8_t *p = *buf;
  for (size_t i = 0; i + sizeof lang - 1 <= *len; i++)
    if (!memcmp(p + i, lang, sizeof lang - 1)) {
      p[i + 5] = 0x05;
      memmove(p + i + 6, p + i + 7, *len - i - 7);
      --*len;
      return 0;
    }
  return -1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: pool_badjob WORKERS_EP SECONDS\n");
    return 2;
  }
  void *ctx = zmq_ctx_new();
  void *r = zmq_socket(ctx, ZMQ_ROUTER);
  int zero = 0, t = 200;
  zmq_setsockopt(r, ZMQ_LINGER, &zero, sizeof zero);
  zmq_setsockopt(r, ZMQ_RCVTIMEO, &t, sizeof t);
  if (zmq_bind(r, argv[1]) < 0) {
    fprintf(stderr, "pool_badjob: bind %s: %s\n", argv[1], zmq_strerror(zmq_errno()));
    return 1;
  }
  time_t end = time(NULL) + atoi(argv[2]);
  int rc = 1, sent = 0;
  char id[256];
  int idlen;
  void *body;
  size_t len;
  while (rc && recv_routed(r, id, &idlen, &body, &len, end) == 0) {
    struct jp_msg m;
    if (jp_msg_decode(body, len, &m, NULL, NULL, 0) == 0) {
      if (m.type == JP_MSG_REGISTER && !sent) {
        void *job;
        size_t jlen;
        if (bad_job(&job, &jlen) < 0) {
          fprintf(stderr, "pool_badjob: could not build the JOB\n");
          return 1;
        }
        zmq_send(r, id, (size_t)idlen, ZMQ_SNDMORE);
        zmq_send(r, job, jlen, 0);
        free(job);
        sent = 1;
      } else if (m.type == JP_MSG_JOB_RESULT) {
        const struct jp_job_result *jr = &m.u.job_result;
        printf("answer %s sid %s lease %llu: %s\n", jp_verdict_name(jr->result.verdict), jr->sid,
               (unsigned long long)jr->lease, jr->result.compile.message ? jr->result.compile.message : "");
        rc = 0;
      }
      jp_msg_free(&m);
    }
    free(body);
  }
  if (rc) fprintf(stderr, "pool_badjob: %s\n", sent ? "no JOB_RESULT for the JOB" : "no worker registered");
  zmq_close(r);
  zmq_ctx_term(ctx);
  return rc;
}
