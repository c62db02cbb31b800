#!/usr/bin/env bash
# pool_drain_deadline.sh — SIGTERM with a job that outlasts --drain-seconds:
# at the deadline the worker cancels the running job (as for CANCEL_JOB) and
# exits 0, within the 30 s this test waits (the old worker kept waiting for
# the job, here 10 minutes); the broker loses the lease and requeues the
# job, which another worker then judges: one verdict, attempt 2.
. "$(dirname "$0")/lib.sh"
start_broker --verbose
start_worker w1 1 --drain-seconds 1; W1=$LAST_PID
wait_workers 1
"$BIN/pool_client" submit "$CLIENTS" g 1 600000 >/dev/null || fail "submit"
for _ in $(seq 100); do grep -q "g-0: attempt 1 leased to worker w1" "$T/broker.log" && break; sleep 0.1; done
grep -q "g-0: attempt 1 leased to worker w1" "$T/broker.log" || fail "g-0 did not start on w1"
kill -TERM $W1
for _ in $(seq 300); do kill -0 $W1 2>/dev/null || break; sleep 0.1; done
kill -0 $W1 2>/dev/null && fail "w1 still waits for its job 30 s after SIGTERM with --drain-seconds 1"
wait $W1; rc=$?
[ $rc = 0 ] || fail "worker exit status $rc after SIGTERM"
grep -q "drain deadline passed: cancelled 1 running jobs" "$T/w1.log" || fail "w1 did not cancel its job at the deadline"
# the lease was lost and the job requeued: w2 starts attempt 2 (the job
# would take 10 minutes there too; the cancel ends it, so w2 stops cleanly)
start_worker w2 1
for _ in $(seq 300); do grep -q "g-0: attempt 2 leased to worker w2" "$T/broker.log" && break; sleep 0.1; done
grep -q "g-0: attempt 2 leased to worker w2" "$T/broker.log" || fail "g-0 was not requeued to w2 after w1's lease was lost"
"$BIN/pool_client" cancel "$CLIENTS" g-0 | grep -q "^ok" || fail "cancel g-0"
echo "pool_drain_deadline: ok"
