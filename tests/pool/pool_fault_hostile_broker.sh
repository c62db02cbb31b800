#!/usr/bin/env bash
# pool_fault_hostile_broker.sh — the other direction: a "broker" that answers
# a worker and a client with malformed, bombing, wrong-typed, multi-frame
# and oversized frames. Neither crashes; when the real broker takes the
# endpoint over, the same worker registers and judges.
. "$(dirname "$0")/lib.sh"
"$BIN/pool_garbage" --broker "$WORKERS" 8 >"$T/hostile-w.log" 2>&1 &
HW=$!
"$BIN/pool_garbage" --broker "$CLIENTS" 8 >"$T/hostile-c.log" 2>&1 &
HC=$!
PIDS+=($HW $HC)
sleep 0.3
start_worker w1 2; W1=$LAST_PID
timeout 20 "$BIN/judge" status --broker "$CLIENTS" >"$T/status-hostile.out" 2>&1
rc=$?
[ $rc = 2 ] || fail "judge status against a hostile broker: exit $rc (want a clean error 2)"
wait $HW || fail "hostile broker got nothing from the worker: $(cat "$T/hostile-w.log")"
wait $HC
kill -0 $W1 || fail "worker died under hostile frames"
start_broker
wait_workers 1
"$BIN/pool_client" submit "$CLIENTS" h 20 >/dev/null 2>&1 || fail "submit"
out=$("$BIN/pool_client" check "$CLIENTS" h 20 60 2>&1) || fail "$out"
echo "pool_fault_hostile_broker: ok"
