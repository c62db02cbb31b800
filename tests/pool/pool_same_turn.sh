#!/usr/bin/env bash
# pool_same_turn.sh — requests the broker takes in one loop turn. A
# finished submission sent again together with a CANCEL of it (a client
# retrying after a timeout, and an admin) is answered from the journal: a
# duplicate, a no-op cancel, its one stored verdict. It used to be queued
# again until the turn's commit, the CANCEL freed it under the commit and
# the broker died of a double free after writing a junk result row. The
# same finished id twice with other content is refused both times (the
# second used to be acknowledged as a duplicate).
. "$(dirname "$0")/lib.sh"
start_broker
start_worker w1 1
wait_workers 1
"$BIN/pool_rawclient" "$CLIENTS" sub:t-1:verdict=WA >"$T/first.out" || fail "submit: $(cat "$T/first.out")"
for _ in $(seq 100); do [ "$(count_results t)" = 1 ] && break; sleep 0.1; done
[ "$(count_results t)" = 1 ] || fail "t-1 not judged"
out=$("$BIN/pool_rawclient" "$CLIENTS" sub:t-1:verdict=WA cancel:t-1 get:t-1) || fail "unanswered: $out"
[ "$out" = "1 ACK dup=1
2 ACK dup=0
3 RESULT done WA" ] || fail "resubmit + cancel in one turn: $out"
out=$("$BIN/pool_rawclient" "$CLIENTS" sub:t-1:other sub:t-1:other) || fail "unanswered: $out"
[ "$out" = "1 ERROR forbidden
2 ERROR forbidden" ] || fail "other content twice in one turn: $out"
kill -0 $BROKER_PID || fail "broker died"
[ "$(sqlite3 "$T/data/journal.db" "select count(*) || ' ' || group_concat(id || '=' || verdict) from results")" = "1 t-1=WA" ] ||
  fail "results: $(sqlite3 "$T/data/journal.db" "select quote(id), verdict from results")"
# and a new id submitted and cancelled in the same turn ends CANCELLED, once
out=$("$BIN/pool_rawclient" "$CLIENTS" sub:t-2:verdict=AC cancel:t-2) || fail "unanswered: $out"
[ "$out" = "1 ACK dup=0
2 ACK dup=0" ] || fail "submit + cancel of a new id: $out"
for _ in $(seq 50); do [ "$(count_results t)" = 2 ] && break; sleep 0.1; done
[ "$(sqlite3 "$T/data/journal.db" "select verdict from results where id = 't-2'")" = CANCELLED ] ||
  fail "t-2: $(sqlite3 "$T/data/journal.db" "select verdict from results where id = 't-2'")"
echo "pool_same_turn: ok"
