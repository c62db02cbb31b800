/* sec_util.c — see sec_util.h. */
#include "sec_util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

void sec_write(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
    perror(path);
    abort();
  }
}

void *sec_monitor(void *ctx, void *sock, const char *name) {
  char ep[128];
  snprintf(ep, sizeof ep, "inproc://mon-%s-%p", name, sock);
  if (zmq_socket_monitor(sock, ep, ZMQ_EVENT_ALL) != 0) abort();
  void *m = zmq_socket(ctx, ZMQ_PAIR);
  int linger = 0;
  zmq_setsockopt(m, ZMQ_LINGER, &linger, sizeof linger);
  if (zmq_connect(m, ep) != 0) abort();
  return m;
}

int sec_wait_event(void *mon, int mask, int timeout_ms, unsigned *val) {
  zmq_pollitem_t it = {mon, 0, ZMQ_POLLIN, 0};
  int left = timeout_ms;
  while (left > 0) {
    if (zmq_poll(&it, 1, 100) < 0) return 0;
    left -= 100;
    while (it.revents & ZMQ_POLLIN) {
      zmq_msg_t a, b;
      zmq_msg_init(&a);
      zmq_msg_init(&b);
      if (zmq_msg_recv(&a, mon, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&a);
        zmq_msg_close(&b);
        break;
      }
      zmq_msg_recv(&b, mon, 0);
      uint16_t ev;
      uint32_t v;
      memcpy(&ev, zmq_msg_data(&a), 2);
      memcpy(&v, (char *)zmq_msg_data(&a) + 2, 4);
      zmq_msg_close(&a);
      zmq_msg_close(&b);
      if (ev & mask) {
        if (val) *val = v;
        return ev;
      }
    }
  }
  return 0;
}

int sec_recv(void *sock, void *msg, int timeout_ms) {
  zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
  if (zmq_poll(&it, 1, timeout_ms) <= 0) return -1;
  return zmq_msg_recv(msg, sock, ZMQ_DONTWAIT);
}
