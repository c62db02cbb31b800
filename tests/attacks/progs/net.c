/* net.c — network attacks (REFERENCE §3.7). The runner listens on the host
 * (TCP and UDP on 0.0.0.0:PORT) and checks afterwards that nothing arrived.
 *   tcp HOST PORT       connect() and send
 *   udp HOST PORT       sendto()
 *   inet HOST PORT TYPE PROTO  connect() with another socket type/protocol
 *                       on an allowed family (SCTP, MPTCP, SEQPACKET, ...)
 *   iouring HOST PORT   create the socket and connect through io_uring
 *                       (IORING_OP_SOCKET/CONNECT run behind the filter)
 *   abstract-listen NAME SEC   listen on the abstract unix socket @NAME
 *   abstract-connect NAME      connect to @NAME (another box's listener) */
#include <arpa/inet.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "atk.h"

static struct sockaddr_in addr_of(const char *host, const char *port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)atoi(port));
  inet_pton(AF_INET, host, &a.sin_addr);
  return a;
}

static socklen_t abstract_addr(struct sockaddr_un *u, const char *name) {
  memset(u, 0, sizeof *u);
  u->sun_family = AF_UNIX;
  size_t n = strlen(name);
  if (n > sizeof u->sun_path - 2) n = sizeof u->sun_path - 2;
  memcpy(u->sun_path + 1, name, n);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* One io_uring with a single submission at a time, by raw syscalls. */
struct ring {
  int fd;
  unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
  struct io_uring_sqe *sqes;
  struct io_uring_cqe *cqes;
};

static int ring_open(struct ring *r) {
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  r->fd = (int)syscall(SYS_io_uring_setup, 4, &p);
  if (r->fd < 0) return -1;
  size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  char *sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
  char *cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
  r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
  if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED) return -1;
  r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
  r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
  r->sq_array = (unsigned *)(sq + p.sq_off.array);
  r->cq_head = (unsigned *)(cq + p.cq_off.head);
  r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
  r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
  r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
  return 0;
}

static int ring_do(struct ring *r, const struct io_uring_sqe *sqe) {
  unsigned tail = *r->sq_tail, idx = tail & *r->sq_mask;
  r->sqes[idx] = *sqe;
  r->sq_array[idx] = idx;
  __atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
  if (syscall(SYS_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0) return -errno;
  unsigned head = __atomic_load_n(r->cq_head, __ATOMIC_ACQUIRE);
  if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE)) return -EAGAIN;
  int res = r->cqes[head & *r->cq_mask].res;
  __atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
  return res;
}

int main(int argc, char **argv) {
  const char *m = argc > 1 ? argv[1] : "";
  if (!strcmp(m, "tcp") && argc > 3) {
    struct sockaddr_in a = addr_of(argv[2], argv[3]);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) {
      atk_say("socket: %s", strerror(errno));
      return 0;
    }
    if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) {
      ESCAPED("connected to %s:%s", argv[2], argv[3]);
      if (write(s, "jpatk\n", 6) < 0) atk_say("send failed");
    } else {
      atk_say("connect: %s", strerror(errno));
    }
    return 0;
  }
  if (!strcmp(m, "inet") && argc > 5) {
    struct sockaddr_in a = addr_of(argv[2], argv[3]);
    int s = socket(AF_INET, atoi(argv[4]), atoi(argv[5]));
    if (s < 0) {
      atk_say("socket: %s", strerror(errno));
      return 0;
    }
    if (connect(s, (struct sockaddr *)&a, sizeof a) == 0)
      ESCAPED("connected to %s:%s with type %s protocol %s", argv[2], argv[3], argv[4], argv[5]);
    else
      atk_say("connect: %s", strerror(errno));
    return 0;
  }
  if (!strcmp(m, "udp") && argc > 3) {
    struct sockaddr_in a = addr_of(argv[2], argv[3]);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) {
      atk_say("socket: %s", strerror(errno));
      return 0;
    }
    for (int i = 0; i < 3; i++) {
      ssize_t w = sendto(s, "jpatk\n", 6, 0, (struct sockaddr *)&a, sizeof a);
      atk_say("sendto: %s", w < 0 ? strerror(errno) : "sent (the runner checks the host)");
    }
    return 0;
  }
  if (!strcmp(m, "iouring") && argc > 3) {
    struct ring r;
    if (ring_open(&r)) {
      atk_say("io_uring_setup: %s", strerror(errno));
      return 0;
    }
    struct io_uring_sqe sqe;
    memset(&sqe, 0, sizeof sqe);
    sqe.opcode = IORING_OP_SOCKET;
    sqe.fd = AF_INET;
    sqe.off = SOCK_STREAM;
    int s = ring_do(&r, &sqe);
    if (s < 0) {
      atk_say("IORING_OP_SOCKET: %s", strerror(-s));
      return 0;
    }
    atk_say("io_uring made socket fd %d behind the filter", s);
    struct sockaddr_in a = addr_of(argv[2], argv[3]);
    memset(&sqe, 0, sizeof sqe);
    sqe.opcode = IORING_OP_CONNECT;
    sqe.fd = s;
    sqe.addr = (unsigned long)&a;
    sqe.off = sizeof a;
    int c = ring_do(&r, &sqe);
    if (c == 0)
      ESCAPED("io_uring connected to %s:%s", argv[2], argv[3]);
    else
      atk_say("IORING_OP_CONNECT: %s", strerror(-c));
    return 0;
  }
  if (!strcmp(m, "abstract-listen") && argc > 3) {
    struct sockaddr_un u;
    socklen_t len = abstract_addr(&u, argv[2]);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0 || bind(s, (struct sockaddr *)&u, len) || listen(s, 4)) {
      atk_say("abstract listen: %s", strerror(errno));
      return 0;
    }
    atk_say("listening on @%s", argv[2]);
    struct timeval tv = {atoi(argv[3]), 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int c = accept(s, NULL, NULL);
    if (c >= 0) ESCAPED("another box connected to @%s", argv[2]);
    else atk_say("nobody came");
    return 0;
  }
  if (!strcmp(m, "abstract-connect") && argc > 2) {
    struct sockaddr_un u;
    socklen_t len = abstract_addr(&u, argv[2]);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s >= 0 && connect(s, (struct sockaddr *)&u, len) == 0)
      ESCAPED("reached another box's @%s", argv[2]);
    else
      atk_say("abstract connect: %s", strerror(errno));
    return 0;
  }
  fprintf(stderr, "usage: net tcp|udp|iouring HOST PORT | abstract-listen NAME SEC | abstract-connect NAME\n");
  return 64;
}
