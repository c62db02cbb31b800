#!/usr/bin/env bash
# pool_fault_broker.sh — kill -9 the broker in the middle of a batch and
# start it again: the client retries (same ids), the workers re-register
# by themselves, and every submission has exactly one final verdict equal
# to a calm run's.
. "$(dirname "$0")/lib.sh"
start_broker
start_worker w1 2; start_worker w2 2
wait_workers 2
"$BIN/pool_client" submit "$CLIENTS" x 3000 2 2 >"$T/x.out" 2>&1 &
CL=$!
PIDS+=($CL)
# kill once some are acknowledged, while many are still queued or running
for _ in $(seq 100); do
  n=$(sqlite3 "$T/data/journal.db" "select count(*) from subs where id like 'x-%'" 2>/dev/null || echo 0)
  [ "${n:-0}" -ge 500 ] && break
  sleep 0.05
done
kill -9 $BROKER_PID
acked_before=$(sqlite3 "$T/data/journal.db" "select count(*) from subs where id like 'x-%'")
done_before=$(sqlite3 "$T/data/journal.db" "select count(*) from results where id like 'x-%'")
sleep 1
start_broker
grep -q "recovered" "$T/broker.log" || fail "no recovery line"
wait $CL || fail "client did not finish after the restart: $(cat "$T/x.out")"
wait_workers 2
out=$("$BIN/pool_client" check "$CLIENTS" x 3000 120 2>&1) || fail "after broker restart: $out"
[ "$(count_results x)" = 3000 ] || fail "results: $(count_results x)"
[ "$(sqlite3 "$T/data/journal.db" "select count(*) from subs where id like 'x-%' and done = 0")" = 0 ] || fail "unfinished left"
echo "killed with $acked_before acknowledged, $done_before done; all 3000 judged once"
kill -0 $BROKER_PID || fail "broker died"
echo "pool_fault_broker: ok"
