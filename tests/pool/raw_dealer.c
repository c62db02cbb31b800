/* raw_dealer.c — send/receive of the hand-driven test peers (raw_dealer.h). */
#include "raw_dealer.h"

#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

int raw_send(void *sock, const struct jp_msg *m) {
  void *buf;
  size_t len;
  char err[256];
  if (jp_msg_encode(m, &buf, &len, err, sizeof err) < 0) {
    fprintf(stderr, "encode: %s\n", err);
    return -1;
  }
  int rc = zmq_send(sock, buf, len, 0);
  free(buf);
  return rc < 0 ? -1 : 0;
}

int raw_next(void *sock, int *idle_ms, struct jp_msg *out) {
  while (*idle_ms > 0) {
    zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, 100) <= 0) {
      *idle_ms -= 100;
      continue;
    }
    zmq_msg_t z;
    zmq_msg_init(&z);
    if (zmq_msg_recv(&z, sock, 0) < 0) return -1;
    int ok = jp_msg_decode(zmq_msg_data(&z), zmq_msg_size(&z), out, NULL, NULL, 0) == 0;
    zmq_msg_close(&z);
    if (ok) return 0;
  }
  return -1;
}
