#!/usr/bin/env bash
# pool_client_replies.sh — what one client connection can make the broker
# hold in replies is bounded in bytes: RESULT_GETs of a large (12 MB)
# result pipelined on one connection get queue_full beyond the
# connection's reply budget instead of every reply being queued (400 of
# them took the broker to 4.9 GB). The budget here is 1 MiB, assumed read
# at 1 MiB/s: the first reply is always taken, the next only after about
# 11 s, far longer than the broker takes to answer 32 requests.
. "$(dirname "$0")/lib.sh"
start_broker --max-client-reply-mb 1
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
# the budget is the connection's: another connection gets the result
out=$("$BIN/pool_rawclient" "$CLIENTS" get:big-1) || fail "unanswered: $out"
[ "$out" = "1 RESULT done AC" ] || fail "another connection: $out"
echo "pool_client_replies: ok ($got results, $refused refused)"
