#!/usr/bin/env bash
# pool_client_turn.sh — a loop turn's client work is bounded by bytes (and
# time), not only by count: after a client frame of 32 MiB or more the
# broker goes back to the workers' messages before taking the next client
# message (a flood of BLOB_PUTs, each hashed, written and fsynced in the
# loop, used to keep worker heartbeats unread for seconds). Seen through
# the broker's --verbose log line; the message after it is still answered.
. "$(dirname "$0")/lib.sh"
start_broker --verbose
out=$("$BIN/pool_rawclient" "$CLIENTS" "put:a:$((33 << 20))" put:b:1000) || fail "unanswered: $out"
[ "$out" = "1 ACK dup=0
2 ACK dup=0" ] || fail "blob puts: $out"
grep -q "client turn cut after 1 messages, 346[0-9]* bytes" "$T/broker.log" ||
  fail "the turn went on after 33 MiB of client frames: $(grep 'turn cut' "$T/broker.log")"
kill -0 $BROKER_PID || fail "broker died"
echo "pool_client_turn: ok"
