/* decode.c — placeholder until the decoder lands. */
#include <string.h>
#include "err.h"
#include "internal.h"
int jp_msg_decode(const void *buf, size_t len, struct jp_msg *m, enum jp_errcode *code,
                  char *err, size_t errlen) {
  memset(m, 0, sizeof *m);
  if (jp_msg_validate(buf, len, code, err, errlen) < 0) return -1;
  if (code) *code = JP_E_INTERNAL;
  return jp_err(err, errlen, "jp_msg_decode: not implemented yet");
}
void jp_msg_free(struct jp_msg *m) {
  if (!m) return;
  jp_arena_free(m->arena_);
  m->arena_ = NULL;
}
