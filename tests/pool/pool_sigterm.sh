#!/usr/bin/env bash
# pool_sigterm.sh — SIGTERM makes a worker finish the jobs it holds, get
# their results acknowledged, and exit 0: no lease has to expire.
. "$(dirname "$0")/lib.sh"
LEASE_MS=20000 start_broker
start_worker w1 2; W1=$LAST_PID
wait_workers 1
"$BIN/pool_client" submit "$CLIENTS" g 2 1500 >/dev/null 2>&1 || fail "submit"
sleep 0.5
kill -TERM $W1
wait $W1; rc=$?
[ $rc = 0 ] || fail "worker exit status $rc after SIGTERM"
[ "$(count_results g)" = 2 ] || fail "results after graceful stop: $(count_results g)"
grep -q "lease expired" "$T/broker.log" && fail "a lease had to expire"
out=$("$BIN/pool_client" check "$CLIENTS" g 2 5 2>&1) || fail "$out"
echo "pool_sigterm: ok"
