/* pool_rawclient.c — requests sent back to back on one raw DEALER, so the
 * broker takes them in the same loop turn (the client library waits for
 * each answer), for the rules that hold within a turn:
 *   pool_rawclient CLIENTS_EP OP...   OP: sub:SID:SOURCE-TEXT | cancel:SID | get:SID
 *                                         | subx:SID:LANG:NAME:BYTES | fill:SID:FRAME-BYTES
 *                                         | put:SEED:BYTES
 * SUBMITs are in c with an empty problem (the fake runner reads the source
 * text); subx sends one source NAME of BYTES bytes in LANG, fill as many
 * 4 MiB sources as make the SUBMIT frame exactly FRAME-BYTES long; put
 * sends a BLOB_PUT of BYTES bytes of SEED (distinct seeds, distinct blobs).
 * Prints one line per answer, in request order:
 *   "N ACK dup=D" | "N ERROR CODE" | "N RESULT STATE VERDICT" (N = 1-based op)
 * exit 0 when every op was answered within 10 s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <zmq.h>

#include "proto.h"
#include "raw_dealer.h"

#define EMPTY_PROBLEM "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define MAX_OPS 64

static int encode(const struct jp_msg *m, void **buf, size_t *len) {
  char err[256];
  if (jp_msg_encode(m, buf, len, err, sizeof err) == 0) return 0;
  fprintf(stderr, "pool_rawclient: %s\n", err);
  return -1;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc - 2 > MAX_OPS) {
    fprintf(stderr, "usage: pool_rawclient CLIENTS_EP OP... (at most %d; OP: sub:SID:SOURCE | cancel:SID | get:SID | subx:SID:LANG:NAME:BYTES | fill:SID:FRAME-BYTES | put:SEED:BYTES)\n",
            MAX_OPS);
    return 2;
  }
  void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_DEALER);
  int zero = 0;
  zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
  if (zmq_connect(s, argv[1]) != 0) return 2;
  int nops = argc - 2;
  static struct jp_source many[JP_PROTO_MAX_SOURCES];
  static char names[JP_PROTO_MAX_SOURCES][16];
  for (int i = 0; i < nops; i++) {
    char op[512];
    snprintf(op, sizeof op, "%s", argv[i + 2]);
    char *sid = strchr(op, ':');
    if (!sid) return 2;
    *sid++ = 0;
    struct jp_msg m = {.rid = (uint64_t)i + 1};
    struct jp_source src = {.name = "main.c"};
    if (!strcmp(op, "sub")) {
      char *text = strchr(sid, ':');
      if (!text) return 2;
      *text++ = 0;
      src.content.data = (const uint8_t *)text;
      src.content.len = strlen(text);
      m.type = JP_MSG_SUBMIT;
      m.u.submit = (struct jp_submit){.sid = sid, .problem = {.hash = EMPTY_PROBLEM}, .lang = "c",
                                      .sources = &src, .nsources = 1, .priority = JP_PRIO_NORMAL};
    } else if (!strcmp(op, "subx")) {
      char *lang = strchr(sid, ':'), *name = lang ? strchr(lang + 1, ':') : NULL;
      char *bytes = name ? strchr(name + 1, ':') : NULL;
      if (!bytes) return 2;
      *lang++ = *name++ = *bytes++ = 0;
      src.name = name;
      src.content.len = strtoul(bytes, NULL, 10);
      if (!(src.content.data = calloc(1, src.content.len + 1))) return 2;
      m.type = JP_MSG_SUBMIT;
      m.u.submit = (struct jp_submit){.sid = sid, .problem = {.hash = EMPTY_PROBLEM}, .lang = lang,
                                      .sources = &src, .nsources = 1, .priority = JP_PRIO_NORMAL};
    } else if (!strcmp(op, "fill")) {
      char *total = strchr(sid, ':');
      if (!total) return 2;
      *total++ = 0;
      size_t want = strtoul(total, NULL, 10), n = 0;
      static uint8_t *chunk;
      if (!chunk && !(chunk = calloc(1, 4u << 20))) return 2;
      m.type = JP_MSG_SUBMIT;
      m.u.submit = (struct jp_submit){.sid = sid, .problem = {.hash = EMPTY_PROBLEM}, .lang = "c",
                                      .sources = many, .priority = JP_PRIO_NORMAL};
      /* whole 4 MiB files, then the last one trimmed until the frame is
       * exactly `want` bytes (its length prefix may change size once) */
      for (size_t have = 0; have < want && n < JP_PROTO_MAX_SOURCES; n++, have += 4u << 20) {
        snprintf(names[n], sizeof names[n], "s%zu.c", n);
        size_t part = want - have > (4u << 20) + 4096 ? 4u << 20 : want - have - 4096;
        many[n] = (struct jp_source){.name = names[n], .content = {.data = chunk, .len = part}};
      }
      m.u.submit.nsources = n;
      for (int k = 0; k < 4; k++) {
        void *b;
        size_t l;
        if (encode(&m, &b, &l) < 0) return 2;
        free(b);
        if (l == want) break;
        if (l > want && many[n - 1].content.len < l - want) return 2;
        many[n - 1].content.len = many[n - 1].content.len + want - l;
      }
    } else if (!strcmp(op, "put")) {
      char *bytes = strchr(sid, ':');
      if (!bytes) return 2;
      *bytes++ = 0;
      size_t n = strtoul(bytes, NULL, 10);
      uint8_t *d = malloc(n + 1), h[crypto_hash_sha256_BYTES];
      static char hex[2 * crypto_hash_sha256_BYTES + 1];
      if (!d) return 2;
      memset(d, sid[0], n);
      crypto_hash_sha256(h, d, n);
      sodium_bin2hex(hex, sizeof hex, h, sizeof h);
      m.type = JP_MSG_BLOB_PUT;
      m.u.blob_put = (struct jp_blob_put){.sha256 = hex, .data = {.data = d, .len = n}};
    } else if (!strcmp(op, "cancel")) {
      m.type = JP_MSG_CANCEL;
      m.u.cancel.sid = sid;
    } else if (!strcmp(op, "get")) {
      m.type = JP_MSG_RESULT_GET;
      m.u.result_get.sid = sid;
    } else {
      fprintf(stderr, "pool_rawclient: unknown op %s\n", op);
      return 2;
    }
    if (raw_send(s, &m) < 0) return 2;
    if (!strcmp(op, "subx")) free((void *)src.content.data);
    if (!strcmp(op, "put")) free((void *)m.u.blob_put.data.data);
  }
  char lines[MAX_OPS][128] = {{0}};
  int answered = 0;
  int idle = 10000;
  struct jp_msg r;
  while (answered < nops && raw_next(s, &idle, &r) == 0) {
    if (r.rid < 1 || r.rid > (uint64_t)nops || lines[r.rid - 1][0]) { /* events, strays */
      jp_msg_free(&r);
      continue;
    }
    char *l = lines[r.rid - 1];
    if (r.type == JP_MSG_ACK) snprintf(l, 128, "ACK dup=%d", (int)r.u.ack.duplicate);
    else if (r.type == JP_MSG_ERROR) snprintf(l, 128, "ERROR %s", jp_errcode_name(r.u.error.code));
    else if (r.type == JP_MSG_RESULT)
      snprintf(l, 128, "RESULT %s %s", jp_state_name(r.u.result.state),
               r.u.result.has_result ? jp_verdict_name(r.u.result.result.verdict) : "-");
    else snprintf(l, 128, "%s", jp_msg_type_name(r.type));
    answered++;
    jp_msg_free(&r);
  }
  for (int i = 0; i < nops; i++) printf("%d %s\n", i + 1, lines[i][0] ? lines[i] : "(no answer)");
  zmq_close(s);
  zmq_ctx_term(ctx);
  return answered == nops ? 0 : 1;
}
