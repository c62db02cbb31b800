/* reader.c — a bounded msgpack reader over raw bytes: every header and
 * payload length is checked against the bytes that remain before the cursor
 * moves. Used by the validator and the decoder; allocates nothing. */
#include <string.h>

#include "internal.h"

static uint64_t be(const uint8_t *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) v = (v << 8) | p[i];
  return v;
}

int jp_rd_next(struct jp_rd *r, struct jp_rd_item *it) {
  const uint8_t *p = r->p;
  size_t avail = (size_t)(r->end - p);
  if (avail < 1) return -1;
  uint8_t b = p[0];
  unsigned hdr = 1, lenbytes = 0; /* header size; big-endian length/count bytes */
  memset(it, 0, sizeof *it);
  if (b <= 0x7f) {
    it->kind = JP_K_UINT; it->n = b; it->i = b;
  } else if (b <= 0x8f) {
    it->kind = JP_K_MAP; it->n = b & 0x0f;
  } else if (b <= 0x9f) {
    it->kind = JP_K_ARRAY; it->n = b & 0x0f;
  } else if (b <= 0xbf) {
    it->kind = JP_K_STR; it->n = b & 0x1f;
  } else if (b >= 0xe0) {
    it->kind = JP_K_INT; it->i = (int8_t)b;
  } else {
    switch (b) {
    case 0xc0: it->kind = JP_K_NIL; break;
    case 0xc2: case 0xc3: it->kind = JP_K_BOOL; it->n = b & 1; break;
    case 0xc4: case 0xc5: case 0xc6:
      it->kind = JP_K_BIN; lenbytes = 1u << (b - 0xc4); break;
    case 0xc7: case 0xc8: case 0xc9: /* ext: 1/2/4 length bytes + type byte */
      it->kind = JP_K_EXT; lenbytes = 1u << (b - 0xc7); break;
    case 0xca: it->kind = JP_K_FLOAT; hdr = 5; break;
    case 0xcb: it->kind = JP_K_FLOAT; hdr = 9; break;
    case 0xcc: case 0xcd: case 0xce: case 0xcf:
      it->kind = JP_K_UINT; hdr = 1 + (1u << (b - 0xcc)); break;
    case 0xd0: case 0xd1: case 0xd2: case 0xd3:
      it->kind = JP_K_INT; hdr = 1 + (1u << (b - 0xd0)); break;
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: /* fixext 1..16 */
      it->kind = JP_K_EXT; hdr = 2; it->n = 1u << (b - 0xd4); break;
    case 0xd9: case 0xda: case 0xdb:
      it->kind = JP_K_STR; lenbytes = 1u << (b - 0xd9); break;
    case 0xdc: case 0xdd:
      it->kind = JP_K_ARRAY; lenbytes = 2u << (b - 0xdc); break;
    case 0xde: case 0xdf:
      it->kind = JP_K_MAP; lenbytes = 2u << (b - 0xde); break;
    default: it->kind = JP_K_BAD; return -1; /* 0xc1 is never used */
    }
  }
  if (lenbytes) {
    hdr = 1 + lenbytes + (it->kind == JP_K_EXT ? 1 : 0);
    if (avail < hdr) return -1;
    it->n = be(p + 1, lenbytes);
  }
  if (avail < hdr) return -1;
  if (b >= 0xca && b <= 0xd3) {
    uint64_t raw = be(p + 1, hdr - 1);
    if (b == 0xca) {
      uint32_t u = (uint32_t)raw; float f;
      memcpy(&f, &u, sizeof f);
      it->f = f;
    } else if (b == 0xcb) {
      memcpy(&it->f, &raw, sizeof it->f);
    } else if (b <= 0xcf) {
      it->n = raw;
      it->i = raw <= INT64_MAX ? (int64_t)raw : 0;
    } else {
      unsigned bits = (hdr - 1) * 8;
      /* sign-extend the big-endian two's complement value */
      it->i = bits == 64 ? (int64_t)raw
                         : (int64_t)(raw ^ (1ull << (bits - 1))) - (int64_t)(1ull << (bits - 1));
    }
  }
  size_t payload = 0;
  if (it->kind == JP_K_STR || it->kind == JP_K_BIN || it->kind == JP_K_EXT) {
    if (it->n > avail - hdr) return -1;
    payload = (size_t)it->n;
    it->data = p + hdr;
  }
  r->p = p + hdr + payload;
  return 0;
}

int jp_rd_skip(struct jp_rd *r, unsigned depth) {
  struct jp_rd save = *r;
  uint64_t pending[JP_PROTO_MAX_DEPTH + 1];
  unsigned d = 0;
  pending[0] = 1;
  for (;;) {
    while (pending[d] == 0) {
      if (d == 0) return 0;
      d--;
    }
    pending[d]--;
    struct jp_rd_item it;
    if (jp_rd_next(r, &it) < 0 || it.kind == JP_K_BAD) goto bad;
    if (it.kind == JP_K_ARRAY || it.kind == JP_K_MAP) {
      uint64_t items = it.kind == JP_K_MAP ? it.n * 2 : it.n;
      if (items > (uint64_t)(r->end - r->p) || d + 1 > depth || d + 1 > JP_PROTO_MAX_DEPTH)
        goto bad;
      pending[++d] = items;
    }
  }
bad:
  *r = save;
  return -1;
}
