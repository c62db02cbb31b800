/* zmtp_peer.h — a bare ZMTP 3.0 DEALER peer (NULL mechanism, no CURVE) on a
 * plain non-blocking TCP socket, for bench/pool-bench-load only: a thousand
 * simulated workers as a thousand libzmq sockets cost the simulator a
 * mailbox wake-up and a thread hop per message and starve the broker it
 * measures on a 2-core machine; these cost one recv and one send per batch.
 * The broker still sees ordinary DEALER peers on the wire. */
#ifndef JP_ZMTP_PEER_H
#define JP_ZMTP_PEER_H

#include <stddef.h>

struct zmtp_peer {
  int fd;
  int greeted;          /* the broker's greeting read */
  int ready;            /* handshake done (the broker's READY seen) */
  unsigned char *in;    /* bytes read, not yet parsed */
  size_t inlen, incap;
  unsigned char *out;   /* frames queued, not yet written */
  size_t outlen, outcap;
};

/* Connects to 127.0.0.1:port and queues the greeting and READY
 * (Socket-Type DEALER). 0 or -1 (errno set). */
int zmtp_connect(struct zmtp_peer *p, int port);
void zmtp_close(struct zmtp_peer *p);
/* Queues one single-frame message. 0 or -1 (out of memory). */
int zmtp_queue(struct zmtp_peer *p, const void *body, size_t len);
/* Writes what is queued, as far as the socket takes it. 1 = all written,
 * 0 = some left (wait for EPOLLOUT), -1 = connection broken. */
int zmtp_flush(struct zmtp_peer *p);
/* Reads what is there and calls on_msg for every complete message frame
 * (commands are consumed here). 0 or -1 (closed, protocol error). For a
 * level-triggered poller: it may return with bytes still unread. */
int zmtp_read(struct zmtp_peer *p, void (*on_msg)(void *ctx, const void *body, size_t len), void *ctx);

#endif
