/* encode.c — placeholder until the encoder lands. */
#include "err.h"
#include "proto.h"
int jp_msg_encode(const struct jp_msg *m, void **out, size_t *outlen, char *err,
                  size_t errlen) {
  (void)m; *out = NULL; *outlen = 0;
  return jp_err(err, errlen, "jp_msg_encode: not implemented yet");
}
