/* validate.c — the zero-allocation structural check run on every frame
 * before anything is decoded or allocated (msgpack-c 4.0 reserves count×24
 * bytes for an array32 header alone, so counts must be checked against the
 * bytes actually present first). Iterative, bounded stack, ~tens of ns. */
#include "err.h"
#include "internal.h"

static int fail(enum jp_errcode *code, enum jp_errcode c, char *err, size_t errlen,
                const char *what, size_t off) {
  if (code) *code = c;
  return jp_err(err, errlen, "protocol frame rejected at byte %zu: %s", off, what);
}

int jp_msg_validate(const void *buf, size_t len, enum jp_errcode *code, char *err,
                    size_t errlen) {
  if (code) *code = JP_E_NONE;
  if (!buf || len == 0) return fail(code, JP_E_BAD_REQUEST, err, errlen, "empty frame", 0);
  if (len > JP_PROTO_MAX_FRAME)
    return fail(code, JP_E_TOO_LARGE, err, errlen, "frame larger than JP_PROTO_MAX_FRAME", 0);
  const uint8_t *start = buf;
  struct jp_rd r = {start, start + len};
  /* pending[d]: objects still to read at nesting level d (0 = top level). */
  uint64_t pending[JP_PROTO_MAX_DEPTH + 1];
  unsigned depth = 0;
  pending[0] = 1;
  for (;;) {
    while (pending[depth] == 0) {
      if (depth == 0) goto done;
      depth--;
    }
    pending[depth]--;
    size_t off = (size_t)(r.p - start);
    struct jp_rd_item it;
    if (jp_rd_next(&r, &it) < 0)
      return fail(code, JP_E_BAD_REQUEST, err, errlen, "truncated or invalid msgpack", off);
    if (off == 0 && it.kind != JP_K_MAP)
      return fail(code, JP_E_BAD_REQUEST, err, errlen, "a message must be a msgpack map", 0);
    switch (it.kind) {
    case JP_K_EXT:
      return fail(code, JP_E_BAD_REQUEST, err, errlen, "msgpack ext types are not used", off);
    case JP_K_BAD:
      return fail(code, JP_E_BAD_REQUEST, err, errlen, "invalid msgpack byte 0xc1", off);
    case JP_K_ARRAY:
    case JP_K_MAP: {
      if (it.n > JP_PROTO_MAX_ITEMS)
        return fail(code, JP_E_TOO_LARGE, err, errlen, "array/map count over JP_PROTO_MAX_ITEMS",
                    off);
      uint64_t items = it.kind == JP_K_MAP ? it.n * 2 : it.n;
      /* Every element takes at least one byte. */
      if (items > (uint64_t)(r.end - r.p))
        return fail(code, JP_E_BAD_REQUEST, err, errlen,
                    "array/map count exceeds the bytes in the frame", off);
      if (depth + 1 > JP_PROTO_MAX_DEPTH)
        return fail(code, JP_E_BAD_REQUEST, err, errlen, "nesting deeper than JP_PROTO_MAX_DEPTH",
                    off);
      pending[++depth] = items;
      break;
    }
    default:
      break; /* scalars: jp_rd_next already bounded their payload */
    }
  }
done:
  if (r.p != r.end)
    return fail(code, JP_E_BAD_REQUEST, err, errlen, "trailing bytes after the message",
                (size_t)(r.p - start));
  return 0;
}
