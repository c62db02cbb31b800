#!/usr/bin/env bash
# pool_client_replies.sh — what one client connection can make the broker
# hold in replies is bounded in bytes: RESULT_GETs of a large (12 MB)
# result pipelined on one connection get queue_full beyond the
# connection's reply budget (64 MiB, draining at 64 MiB/s) instead of
# every reply being queued (400 of them took the broker to 4.9 GB). 32
# replies are 384 MB: only a broker taking over 5 s to answer them would
# fit them all in the budget.
. "$(dirname "$0")/lib.sh"
start_broker
out=$("$BIN/pool_rawclient" "$CLIENTS" sub:big-1:x) || fail "submit: $out"
out=$(timeout 60 "$BIN/pool_rawworker" bigresult "$WORKERS" 200) || fail "worker: $out"
[ "$out" = done ] || fail "the large result was not stored: $out"
ops=()
for _ in $(seq 32); do ops+=(get:big-1); done
"$BIN/pool_rawclient" "$CLIENTS" "${ops[@]}" >"$T/gets.out" || fail "unanswered: $(cat "$T/gets.out")"
got=$(grep -c "RESULT done AC" "$T/gets.out") refused=$(grep -c "ERROR queue_full" "$T/gets.out")
[ "$got" -ge 1 ] && [ "$refused" -ge 1 ] && [ $((got + refused)) = 32 ] ||
  fail "32 pipelined RESULT_GETs of 12 MB: $got results, $refused refused: $(sort "$T/gets.out" | uniq -c | head)"
kill -0 $BROKER_PID || fail "broker died"
# a client that reads gets it again once the budget has drained
sleep 2
out=$("$BIN/pool_rawclient" "$CLIENTS" get:big-1) || fail "unanswered: $out"
[ "$out" = "1 RESULT done AC" ] || fail "after draining: $out"
echo "pool_client_replies: ok ($got results, $refused refused)"
