#!/usr/bin/env bash
# pool_cancel.sh — CANCEL_JOB stops the job on the worker (PROTOCOL.md
# §3.4): the only slot of a 1-slot worker runs a job that would take 10
# minutes; once an admin CANCEL is acknowledged, the next submission is
# judged by that same slot within the check's 60 s (the old worker ignored
# CANCEL_JOB and kept the slot busy for the whole 10 minutes). The worker
# sends no result for the cancelled lease and keeps working.
. "$(dirname "$0")/lib.sh"
start_broker --verbose
start_worker w1 1; W1=$LAST_PID
wait_workers 1
"$BIN/pool_client" submit "$CLIENTS" c 1 600000 >/dev/null || fail "submit c"
for _ in $(seq 100); do grep -q "c-0: attempt 1 leased to worker w1" "$T/broker.log" && break; sleep 0.1; done
grep -q "c-0: attempt 1 leased to worker w1" "$T/broker.log" || fail "c-0 did not start on w1"
"$BIN/pool_client" cancel "$CLIENTS" c-0 | grep -q "^ok" || fail "cancel c-0"
for _ in $(seq 100); do grep -q "c-0: CANCEL_JOB for lease" "$T/w1.log" && break; sleep 0.1; done
grep -q "c-0: CANCEL_JOB for lease [0-9]*: stopping it" "$T/w1.log" || fail "w1 did not stop c-0 on CANCEL_JOB"
"$BIN/pool_client" submit "$CLIENTS" d 1 0 >/dev/null || fail "submit d"
out=$(timeout 90 "$BIN/pool_client" check "$CLIENTS" d 1 60) || fail "d-0 not judged while the cancelled c-0 would still run: $out"
grep -q "c-0: cancelled (lease [0-9]*): stopped judging, no result sent" "$T/w1.log" || fail "w1 did not drop c-0"
out=$("$BIN/pool_client" get "$CLIENTS" c-0); [ "$out" = "state cancelled" ] || fail "c-0 after its cancel: $out"
kill -0 "$W1" || fail "w1 died"
echo "pool_cancel: ok"
