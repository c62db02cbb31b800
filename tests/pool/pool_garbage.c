/* pool_garbage.c — hostile traffic at a broker: random frames, msgpack
 * bombs, wrong types, wrong directions, multi-frame envelopes, a frame over
 * ZMQ_MAXMSGSIZE, and raw non-ZMTP bytes on every TCP port.
 *   pool_garbage ENDPOINT...            (at a broker's sockets)
 *   pool_garbage --broker ENDPOINT SECONDS
 *     plays a hostile broker: binds ENDPOINT and answers every message from
 *     a worker or client with the same kinds of garbage. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

static void raw_junk(const char *ep) {
  /* tcp://127.0.0.1:PORT */
  const char *host = strstr(ep, "//"), *colon = strrchr(ep, ':');
  if (!host || !colon) return;
  char h[64];
  snprintf(h, sizeof h, "%.*s", (int)(colon - host - 2), host + 2);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
  inet_pton(AF_INET, h, &a.sin_addr);
  for (int k = 0; k < 20; k++) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return;
    if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) {
      unsigned char buf[4096];
      for (size_t i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)rand();
      if (k % 2) memcpy(buf, "\xff\0\0\0\0\0\0\0\x01\x7f", 10); /* ZMTP-ish greeting then junk */
      ssize_t n = write(s, buf, (size_t)(rand() % (int)sizeof buf) + 1);
      (void)n;
    }
    close(s);
  }
}

static void flood(void *ctx, const char *ep) {
  void *s = zmq_socket(ctx, ZMQ_DEALER);
  int zero = 0;
  zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
  zmq_connect(s, ep);
  unsigned char buf[512];
  for (int i = 0; i < 3000; i++) {
    size_t n = (size_t)(rand() % (int)sizeof buf);
    for (size_t k = 0; k < n; k++) buf[k] = (unsigned char)rand();
    if (i % 3 == 0 && n > 0) buf[0] = 0x80 | (buf[0] & 0x0f); /* looks like a fixmap */
    zmq_send(s, buf, n, 0);
  }
  /* array32 with 2^32-1 elements: 5 bytes asking for GiBs */
  static const unsigned char bomb[] = {0x81, 0xa1, 'x', 0xdd, 0xff, 0xff, 0xff, 0xff};
  for (int i = 0; i < 100; i++) zmq_send(s, bomb, sizeof bomb, 0);
  /* nesting deeper than any cap */
  unsigned char deep[200];
  for (int i = 0; i < 200; i++) deep[i] = 0x91;
  zmq_send(s, deep, sizeof deep, 0);
  /* valid-looking maps with wrong field types and wrong directions */
  static const unsigned char wrong1[] = {0x83, 0xa1, 'v', 0x01, 0xa4, 't', 'y', 'p', 'e', 0xa6, 'S', 'U', 'B', 'M', 'I', 'T', 0xa3, 's', 'i', 'd', 0x05};
  static const unsigned char wrong2[] = {0x83, 0xa1, 'v', 0x01, 0xa4, 't', 'y', 'p', 'e', 0xa3, 'J', 'O', 'B', 0xa3, 'r', 'i', 'd', 0x07};
  static const unsigned char wrong3[] = {0x82, 0xa1, 'v', 0x63, 0xa4, 't', 'y', 'p', 'e', 0xa6, 'S', 'T', 'A', 'T', 'U', 'S'};
  for (int i = 0; i < 100; i++) {
    zmq_send(s, wrong1, sizeof wrong1, 0);
    zmq_send(s, wrong2, sizeof wrong2, 0);
    zmq_send(s, wrong3, sizeof wrong3, 0);
    zmq_send(s, "a", 1, ZMQ_SNDMORE); /* multi-frame */
    zmq_send(s, "b", 1, ZMQ_SNDMORE);
    zmq_send(s, "", 0, 0);
  }
  /* over ZMQ_MAXMSGSIZE: the broker's libzmq drops this connection */
  size_t big = (size_t)65 << 20;
  char *b = calloc(1, big);
  if (b) {
    zmq_send(s, b, big, 0);
    free(b);
  }
  sleep(1);
  zmq_close(s);
}

/* one volley of garbage to a routed peer */
static void volley(void *r, const void *id, size_t idlen, int big) {
  unsigned char buf[512];
  static const unsigned char bomb[] = {0x81, 0xa1, 'x', 0xdd, 0xff, 0xff, 0xff, 0xff};
  /* a JOB with fields of the wrong types */
  static const unsigned char job[] = {0x84, 0xa1, 'v', 0x01, 0xa4, 't', 'y', 'p', 'e', 0xa3, 'J', 'O', 'B',
                                      0xa5, 'l', 'e', 'a', 's', 'e', 0xa2, 'n', 'o', 0xa3, 's', 'u', 'b', 0xc0};
  for (int i = 0; i < 50; i++) {
    size_t n = (size_t)(rand() % (int)sizeof buf);
    for (size_t k = 0; k < n; k++) buf[k] = (unsigned char)rand();
    zmq_send(r, id, idlen, ZMQ_SNDMORE);
    zmq_send(r, buf, n, 0);
  }
  zmq_send(r, id, idlen, ZMQ_SNDMORE);
  zmq_send(r, bomb, sizeof bomb, 0);
  zmq_send(r, id, idlen, ZMQ_SNDMORE);
  zmq_send(r, job, sizeof job, 0);
  zmq_send(r, id, idlen, ZMQ_SNDMORE);
  zmq_send(r, "x", 1, ZMQ_SNDMORE);
  zmq_send(r, "y", 1, 0);
  if (big) {
    size_t sz = (size_t)65 << 20;
    char *b = calloc(1, sz);
    if (b) {
      zmq_send(r, id, idlen, ZMQ_SNDMORE);
      zmq_send(r, b, sz, 0);
      free(b);
    }
  }
}

static int hostile_broker(void *ctx, const char *ep, int seconds) {
  void *r = zmq_socket(ctx, ZMQ_ROUTER);
  int zero = 0;
  zmq_setsockopt(r, ZMQ_LINGER, &zero, sizeof zero);
  if (zmq_bind(r, ep) < 0) {
    fprintf(stderr, "pool_garbage: bind %s: %s\n", ep, zmq_strerror(zmq_errno()));
    return 1;
  }
  int t = 200;
  zmq_setsockopt(r, ZMQ_RCVTIMEO, &t, sizeof t);
  time_t end = time(NULL) + seconds;
  int volleys = 0;
  while (time(NULL) < end) {
    char id[256];
    int n = zmq_recv(r, id, sizeof id, 0);
    if (n < 0) continue;
    int more = 1;
    size_t ml = sizeof more;
    char junk[256];
    while (zmq_getsockopt(r, ZMQ_RCVMORE, &more, &ml) == 0 && more) zmq_recv(r, junk, sizeof junk, 0);
    volley(r, id, (size_t)(n > 255 ? 255 : n), volleys % 5 == 0);
    volleys++;
  }
  printf("volleys %d\n", volleys);
  zmq_close(r);
  return volleys > 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc == 4 && !strcmp(argv[1], "--broker")) {
    void *ctx = zmq_ctx_new();
    int rc = hostile_broker(ctx, argv[2], atoi(argv[3]));
    zmq_ctx_term(ctx);
    return rc;
  }
  if (argc < 3) {
    fprintf(stderr, "usage: pool_garbage ENDPOINT...\n");
    return 2;
  }
  srand(42);
  void *ctx = zmq_ctx_new();
  for (int i = 1; i < argc; i++) {
    raw_junk(argv[i]);
    if (i <= 2) flood(ctx, argv[i]);
  }
  zmq_ctx_term(ctx);
  return 0;
}
