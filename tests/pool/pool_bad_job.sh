#!/usr/bin/env bash
# pool_bad_job.sh — a JOB the worker cannot read (as from a newer or damaged
# broker) is answered at once with IE for its sid and lease, so the broker
# can count the attempt and try elsewhere; dropping it left the job
# "running" on a live worker until the broker's job timeout (30 min).
. "$(dirname "$0")/lib.sh"
"$BIN/pool_badjob" "$WORKERS" 30 >"$T/badjob.out" 2>&1 &
B=$!
PIDS+=($B)
sleep 0.2
start_worker w1 1; W1=$LAST_PID
wait $B || fail "the worker did not answer the unreadable JOB: $(cat "$T/badjob.out")"
grep -q "^answer IE sid bad-1 lease 4242: worker w1 could not take this job: " "$T/badjob.out" ||
  fail "answer: $(cat "$T/badjob.out")"
grep -q "bad-1: .*answering IE" "$T/w1.log" || fail "the worker's log does not say what it did"
kill -0 $W1 || fail "worker died"
echo "pool_bad_job: ok"
