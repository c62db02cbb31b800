/* samples.h — one filled-in message of every type (and a few variants),
 * shared by the round-trip, hostile-input, benchmark and fuzz-seed tools. */
#ifndef JP_TEST_PROTO_SAMPLES_H
#define JP_TEST_PROTO_SAMPLES_H

#include <stddef.h>

#include "proto.h"

/* Number of samples; sample(i) for i < that. Every JP_MSG_* type except
 * JP_MSG_NONE appears at least once. */
size_t sample_count(void);
const struct jp_msg *sample(size_t i);

/* Encodes sample i (aborts on failure: the samples are valid by design). */
void sample_encode(size_t i, void **buf, size_t *len);

#endif
