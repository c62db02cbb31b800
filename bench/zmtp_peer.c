/* zmtp_peer.c — bare ZMTP 3.0 DEALER peer for the pool benchmark's simulated
 * workers (see zmtp_peer.h; RFC 23/ZMTP). Greeting: signature, version 3.0,
 * mechanism NULL; then the READY command; then frames: a flags byte (MORE 1,
 * LONG 2, COMMAND 4) and a 1- or 8-byte big-endian size. */
#include "zmtp_peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define GREETING 64
#define MAX_FRAME ((size_t)16 << 20) /* far above anything the bench sends */

static int reserve(unsigned char **buf, size_t *cap, size_t need) {
  if (need <= *cap) return 0;
  size_t nc = *cap ? *cap : 4096;
  while (nc < need) nc *= 2;
  unsigned char *nb = realloc(*buf, nc);
  if (!nb) return -1;
  *buf = nb;
  *cap = nc;
  return 0;
}

static int put(struct zmtp_peer *p, const void *b, size_t n) {
  if (reserve(&p->out, &p->outcap, p->outlen + n) < 0) return -1;
  memcpy(p->out + p->outlen, b, n);
  p->outlen += n;
  return 0;
}

static int put_frame(struct zmtp_peer *p, unsigned flags, const void *body, size_t len) {
  unsigned char h[9];
  size_t hl;
  if (len <= 255) {
    h[0] = (unsigned char)flags;
    h[1] = (unsigned char)len;
    hl = 2;
  } else {
    h[0] = (unsigned char)(flags | 2);
    for (int i = 0; i < 8; i++) h[1 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
    hl = 9;
  }
  return put(p, h, hl) < 0 || put(p, body, len) < 0 ? -1 : 0;
}

int zmtp_connect(struct zmtp_peer *p, int port) {
  memset(p, 0, sizeof *p);
  p->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (p->fd < 0) return -1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  setsockopt(p->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* as libzmq does */
  if (connect(p->fd, (struct sockaddr *)&a, sizeof a) < 0) {
    int e = errno;
    close(p->fd);
    p->fd = -1;
    errno = e;
    return -1;
  }
  /* blocking connect (simple, and the listen backlog paces a thousand of
   * them), non-blocking traffic */
  if (fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK) < 0) return -1;
  unsigned char g[GREETING] = {0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 3, 0, 'N', 'U', 'L', 'L'};
  static const char ready[] = "\5READY\13Socket-Type\0\0\0\6DEALER";
  if (put(p, g, sizeof g) < 0 || put_frame(p, 4, ready, sizeof ready - 1) < 0) return -1;
  return 0;
}

void zmtp_close(struct zmtp_peer *p) {
  if (p->fd >= 0) close(p->fd);
  p->fd = -1;
  free(p->in);
  free(p->out);
  p->in = p->out = NULL;
  p->inlen = p->incap = p->outlen = p->outcap = 0;
}

int zmtp_queue(struct zmtp_peer *p, const void *body, size_t len) { return put_frame(p, 0, body, len); }

int zmtp_flush(struct zmtp_peer *p) {
  size_t off = 0;
  while (off < p->outlen) {
    ssize_t n = send(p->fd, p->out + off, p->outlen - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return -1;
    }
    off += (size_t)n;
  }
  memmove(p->out, p->out + off, p->outlen - off);
  p->outlen -= off;
  return p->outlen == 0;
}

/* the frame at b (n bytes): 1 complete (header hl, body bl), 0 incomplete,
 * -1 malformed */
static int parse(const unsigned char *b, size_t n, size_t *hl, size_t *bl, unsigned *flags) {
  if (n < 2) return 0;
  *flags = b[0];
  if (*flags & ~7u) return -1;
  if (*flags & 2) {
    if (n < 9) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | b[1 + i];
    if (v > MAX_FRAME) return -1;
    *hl = 9;
    *bl = (size_t)v;
  } else {
    *hl = 2;
    *bl = b[1];
  }
  return n >= *hl + *bl;
}

int zmtp_read(struct zmtp_peer *p, void (*on_msg)(void *ctx, const void *body, size_t len), void *ctx) {
  for (;;) {
    if (reserve(&p->in, &p->incap, p->inlen + 16384) < 0) return -1;
    size_t room = p->incap - p->inlen;
    ssize_t n = recv(p->fd, p->in + p->inlen, room, MSG_DONTWAIT);
    if (n == 0) return -1;
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
    p->inlen += (size_t)n;
    size_t off = 0;
    if (!p->greeted) {
      if (p->inlen < GREETING) continue;
      if (p->in[0] != 0xff || p->in[9] != 0x7f || p->in[10] < 3) return -1;
      p->greeted = 1;
      off = GREETING;
    }
    size_t hl, bl;
    unsigned flags;
    int r;
    while ((r = parse(p->in + off, p->inlen - off, &hl, &bl, &flags)) == 1) {
      const unsigned char *body = p->in + off + hl;
      if (flags & 4) { /* a command: READY ends the handshake, ERROR ends us */
        if (bl >= 6 && !memcmp(body, "\5READY", 6)) p->ready = 1;
        else if (bl >= 6 && !memcmp(body, "\5ERROR", 6)) return -1;
      } else if (!(flags & 1)) { /* the broker sends single-frame messages */
        on_msg(ctx, body, bl);
      }
      off += hl + bl;
    }
    if (r < 0) return -1;
    memmove(p->in, p->in + off, p->inlen - off);
    p->inlen -= off;
    /* a short read took all there was; epoll (level-triggered) calls again
     * for more, which spares the recv that would only say EAGAIN */
    if ((size_t)n < room) return 0;
  }
}
