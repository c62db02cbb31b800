/* fuzz_decode.c — libFuzzer harness for the wire decoder. Every input goes
 * through jp_msg_validate and jp_msg_decode (the "type" inside the frame
 * picks the message kind; seeds and proto.dict cover them all). Beyond "no
 * crash", it checks two properties: a failure always carries an error code,
 * and whatever we accept we can re-encode, and that encoding decodes again
 * to the same bytes (decode and encode agree on every rule). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[256];
  enum jp_errcode vcode, code;
  int vrc = jp_msg_validate(data, size, &vcode, err, sizeof err);
  struct jp_msg m;
  int rc = jp_msg_decode(data, size, &m, &code, err, sizeof err);
  if (rc < 0) {
    if (code == JP_E_NONE || m.type != JP_MSG_NONE || m.arena_) abort();
    return 0;
  }
  if (vrc < 0) abort(); /* decode accepted what the validator rejected */
  void *out;
  size_t outlen;
  if (jp_msg_encode(&m, &out, &outlen, err, sizeof err) < 0) {
    fprintf(stderr, "accepted frame does not re-encode: %s\n", err);
    abort();
  }
  struct jp_msg m2;
  if (jp_msg_decode(out, outlen, &m2, &code, err, sizeof err) < 0) {
    fprintf(stderr, "re-encoded frame does not decode: %s\n", err);
    abort();
  }
  void *out2;
  size_t outlen2;
  if (jp_msg_encode(&m2, &out2, &outlen2, err, sizeof err) < 0) abort();
  if (outlen2 != outlen || memcmp(out, out2, outlen) != 0) abort();
  free(out);
  free(out2);
  jp_msg_free(&m2);
  jp_msg_free(&m);
  return 0;
}
