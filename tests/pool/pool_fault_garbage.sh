#!/usr/bin/env bash
# pool_fault_garbage.sh — malformed and oversized frames at every broker
# socket (clients, workers, events) and raw junk at every TCP port: the
# broker neither crashes nor stalls, and judges a batch correctly after.
. "$(dirname "$0")/lib.sh"
start_broker
start_worker w1 2
wait_workers 1
"$BIN/pool_client" submit "$CLIENTS" pre 50 >/dev/null 2>&1 || fail "submit before"
timeout 120 "$BIN/pool_garbage" "$CLIENTS" "$WORKERS" "$EVENTS" || fail "garbage tool"
kill -0 $BROKER_PID || fail "broker died under garbage"
"$BIN/pool_client" submit "$CLIENTS" post 200 >/dev/null 2>&1 || fail "submit after garbage"
out=$("$BIN/pool_client" check "$CLIENTS" pre 50 60 2>&1) || fail "pre: $out"
out=$("$BIN/pool_client" check "$CLIENTS" post 200 60 2>&1) || fail "post: $out"
"$BIN/judge" status --broker "$CLIENTS" | grep -q "^workers *1" || fail "worker lost"
kill -0 $BROKER_PID || fail "broker died"
echo "pool_fault_garbage: ok"
