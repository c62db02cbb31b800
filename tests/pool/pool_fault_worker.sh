#!/usr/bin/env bash
# pool_fault_worker.sh — kill -9 a worker in the middle of its jobs: they
# are requeued after the lease and judged elsewhere, each exactly once. A
# submission that kills every worker it touches ends IE after the attempt
# cap, while respawned workers keep serving the rest.
. "$(dirname "$0")/lib.sh"
LEASE_MS=2000 start_broker
start_worker w1 2; W1=$LAST_PID
start_worker w2 2
wait_workers 2
"$BIN/pool_client" submit "$CLIENTS" k 30 400 >/dev/null 2>&1 || fail "submit"
sleep 0.5
kill -9 $W1 || fail "w1 already gone"
start_worker w3 2
out=$("$BIN/pool_client" check "$CLIENTS" k 30 90 2>&1) || fail "after kill -9: $out"
[ "$(count_results k)" = 30 ] || fail "results for k: $(count_results k)"
grep -q "lease expired" "$T/broker.log" || fail "no lease expired after kill -9"

# a job that crashes its worker: keep two workers alive by respawning them
respawn() { # name; the loop takes its current worker down with it
  ( child=
    trap '[ -n "$child" ] && kill $child 2>/dev/null; wait; exit 0' TERM
    end=$((SECONDS + 90))
    while [ $SECONDS -lt $end ]; do
      "$BIN/judge-worker" --broker "$WORKERS" --slots 1 --runner fake --cache "$T/cache-$1" --name "$1" \
        --languages c --insecure >>"$T/$1.log" 2>&1 &
      child=$!
      wait $child
      sleep 0.2
    done ) &
  PIDS+=($!)
}
respawn r1; respawn r2
"$BIN/pool_client" crash "$CLIENTS" bomb-0 || fail "crash submit"
"$BIN/pool_client" submit "$CLIENTS" after 20 >/dev/null 2>&1 || fail "submit after"
"$BIN/judge" result --broker "$CLIENTS" --wait 90 bomb-0 >"$T/bomb.out" 2>&1
grep -q "IE" "$T/bomb.out" || fail "crashing job did not end IE: $(cat "$T/bomb.out")"
out=$("$BIN/pool_client" check "$CLIENTS" after 20 90 2>&1) || fail "others after the crasher: $out"
attempts=$(sqlite3 "$T/data/journal.db" "select attempts from subs where id='bomb-0'")
[ "$attempts" -ge 2 ] || fail "bomb-0 attempts recorded: $attempts"
kill -0 $BROKER_PID || fail "broker died"
echo "pool_fault_worker: ok"
