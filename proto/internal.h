/* internal.h — what the proto library's own files share and nothing else
 * includes: the bounded msgpack reader, the decode arena, and the enum
 * parsers. Not installed; tests may include it to poke at the pieces. */
#ifndef JP_PROTO_INTERNAL_H
#define JP_PROTO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

int jp_name_lookup(const char *const *table, int n, const char *s, size_t len);
int jp_errcode_parse(const char *s, size_t len);
int jp_priority_parse(const char *s, size_t len);
int jp_state_parse(const char *s, size_t len);
int jp_event_kind_parse(const char *s, size_t len);

/* Identifier formats (check.c): sid = [A-Za-z0-9._:-]*, hash = 64 lowercase
 * hex, path = relative, '/'-separated, no empty/"."/".." part, no '\\'. */
bool jp_check_sid(const uint8_t *s, size_t n);
bool jp_check_hash(const uint8_t *s, size_t n);
bool jp_check_path(const uint8_t *s, size_t n);

/* Cross-field rules (non-empty ids, at least one source, ...) that both the
 * encoder and the decoder enforce. NULL strings count as "". */
int jp_msg_check(const struct jp_msg *m, enum jp_errcode *code, char *err, size_t errlen);

/* A cursor over raw msgpack bytes. Every read checks the bytes that remain;
 * on failure it returns -1 and leaves the cursor where it was. */
struct jp_rd {
  const uint8_t *p, *end;
};

enum jp_rd_kind {
  JP_K_NIL, JP_K_BOOL, JP_K_UINT, JP_K_INT, JP_K_FLOAT, JP_K_STR, JP_K_BIN,
  JP_K_ARRAY, JP_K_MAP, JP_K_EXT, JP_K_BAD
};

/* One msgpack header: kind, and for str/bin the payload length, for
 * array/map the element count (map: pairs), for numbers the value. */
struct jp_rd_item {
  enum jp_rd_kind kind;
  uint64_t n; /* length / count / unsigned value / bool */
  int64_t i;  /* signed value (JP_K_INT, and JP_K_UINT when it fits) */
  double f;   /* JP_K_FLOAT */
  const uint8_t *data; /* str/bin payload, ext payload */
};

/* Reads one header and, for scalars, its payload; containers leave the
 * cursor at their first element. -1 if the bytes run out. */
int jp_rd_next(struct jp_rd *r, struct jp_rd_item *it);
/* Skips one whole object (with its children), at most depth levels deep. */
int jp_rd_skip(struct jp_rd *r, unsigned depth);

/* The decode arena: chained blocks, freed together. The byte counters are
 * for the tests that prove hostile input cannot make us allocate much. */
struct jp_arena;
void *jp_arena_alloc(struct jp_arena **a, size_t size); /* zeroed; NULL on OOM */
void jp_arena_free(struct jp_arena *a);
size_t jp_arena_peak_total(void); /* largest arena ever, bytes (all threads) */
void jp_arena_peak_reset(void);

#endif
