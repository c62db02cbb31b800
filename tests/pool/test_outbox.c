/* test_outbox.c — the broker's per-turn worker outbox: messages come out
 * grouped by peer, peers in the order of their first message, each peer's
 * in the order added; tags come back; bad ids are refused; the outbox is
 * empty (and reusable, its grouping arrays too) after sending. Bodies are
 * freed (ASan checks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "outbox.h"

struct seen {
  char log[64][16];
  int n;
};

static void record(void *ctx, const struct outbox_msg *m) {
  struct seen *s = ctx;
  assert_true(s->n < 64);
  snprintf(s->log[s->n++], sizeof s->log[0], "%.*s:%s", (int)m->id_len, (const char *)m->id, (const char *)m->body);
}

static void add(struct outbox *o, const char *id, const char *body, void *tag) {
  char *b = strdup(body);
  assert_non_null(b);
  assert_int_equal(outbox_add(o, id, strlen(id), b, strlen(b) + 1, tag), 0);
}

/* six messages to three peers, interleaved: out grouped, in order */
static void send_six(struct outbox *o) {
  struct seen s = {0};
  add(o, "w1", "ack1", NULL);
  add(o, "w2", "ack2", NULL);
  add(o, "w10", "ack3", NULL); /* a longer id with a common prefix is another peer */
  add(o, "w2", "job2", NULL);
  add(o, "w1", "job1", NULL);
  add(o, "w1", "job1b", NULL);
  outbox_send(o, record, &s);
  const char *want[] = {"w1:ack1", "w1:job1", "w1:job1b", "w2:ack2", "w2:job2", "w10:ack3"};
  assert_int_equal(s.n, 6);
  for (int i = 0; i < 6; i++) assert_string_equal(s.log[i], want[i]);
  assert_int_equal(o->n, 0);
}

static void groups_by_peer_in_order(void **st) {
  (void)st;
  struct outbox o = {0};
  struct seen s = {0};
  send_six(&o);
  /* reusable after sending */
  add(&o, "w3", "x", NULL);
  outbox_send(&o, record, &s);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.log[0], "w3:x");
  outbox_free(&o);
}

static void *last_tag;
static void keep_tag(void *ctx, const struct outbox_msg *m) {
  (void)ctx;
  last_tag = m->tag;
}

static void tags_and_refusals(void **st) {
  (void)st;
  struct outbox o = {0};
  int job;
  char body[] = "b";
  unsigned char big[OUTBOX_ID_MAX + 1];
  memset(big, 'x', sizeof big);
  /* refused: the body stays the caller's (a stack buffer here: freeing it would crash) */
  assert_int_equal(outbox_add(&o, "", 0, body, 2, NULL), -1);
  assert_int_equal(outbox_add(&o, NULL, 3, body, 2, NULL), -1);
  assert_int_equal(outbox_add(&o, big, sizeof big, body, 2, NULL), -1);
  assert_int_equal(o.n, 0);
  add(&o, "w", "job", &job);
  outbox_send(&o, keep_tag, NULL);
  assert_ptr_equal(last_tag, &job);
  /* nothing held: send is a no-op */
  last_tag = NULL;
  outbox_send(&o, keep_tag, NULL);
  assert_null(last_tag);
  /* freed with messages still held */
  add(&o, "w", "never sent", NULL);
  outbox_free(&o);
  assert_int_equal(o.n, 0);
}

static uintptr_t got[3000];
static int ngot;
static void collect(void *ctx, const struct outbox_msg *m) {
  (void)ctx;
  if (ngot < 3000) got[ngot] = (uintptr_t)m->tag;
  ngot++;
}

/* 3000 messages to 1000 peers, each peer's three interleaved with the
 * others': out grouped, in order */
static void send_3000(struct outbox *o) {
  for (int round = 0; round < 3; round++)
    for (int p = 0; p < 1000; p++) {
      char id[16], b[16];
      snprintf(id, sizeof id, "peer%d", p);
      snprintf(b, sizeof b, "%d", round);
      add(o, id, b, (void *)(uintptr_t)(p * 3 + round + 1));
    }
  ngot = 0;
  outbox_send(o, collect, NULL);
  assert_int_equal(ngot, 3000);
  for (int i = 0; i < 3000; i++) assert_int_equal(got[i], (uintptr_t)i + 1);
}

static void many_peers(void **st) {
  (void)st;
  struct outbox o = {0};
  send_3000(&o);
  outbox_free(&o);
}

/* the grouping arrays outlive a turn: a turn after a larger one (stale
 * hash slots and counts) or a smaller one (arrays to grow) groups right */
static void scratch_reused_across_turns(void **st) {
  (void)st;
  struct outbox o = {0};
  send_six(&o);
  send_3000(&o);
  send_six(&o);
  send_3000(&o);
  outbox_free(&o);
  assert_null(o.scratch);
}

static void count_undo(void *ctx, void *tag) {
  int *undone = ctx;
  assert_true(tag == (void *)1 || tag == (void *)2);
  undone[(uintptr_t)tag - 1]++;
}

/* a turn whose commit failed: nothing is sent, every tagged message (a
 * JOB) is handed back once, untagged ones (ACKs) just go; the outbox is
 * empty and usable for the next turn */
static void discard_hands_back_tags(void **st) {
  (void)st;
  struct outbox o = {0};
  add(&o, "w1", "job1", (void *)1);
  add(&o, "w2", "ack2", NULL);
  add(&o, "w2", "job2", (void *)2);
  int undone[2] = {0};
  outbox_discard(&o, count_undo, undone);
  assert_int_equal(undone[0], 1);
  assert_int_equal(undone[1], 1);
  assert_int_equal(o.n, 0);
  struct seen s = {0};
  outbox_send(&o, record, &s);
  assert_int_equal(s.n, 0);
  send_six(&o);
  outbox_free(&o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(groups_by_peer_in_order),
      cmocka_unit_test(tags_and_refusals),
      cmocka_unit_test(many_peers),
      cmocka_unit_test(scratch_reused_across_turns),
      cmocka_unit_test(discard_hands_back_tags),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
