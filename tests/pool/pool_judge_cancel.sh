#!/usr/bin/env bash
# pool_judge_cancel.sh — CANCEL_JOB with the real engine kills the box run
# in progress, not just the tests after it: a 1-slot worker runs a
# submission that spins under a 600 s time limit (its first test alone would
# take 10 minutes); once it is cancelled, the next submission to that slot
# is judged within pool_client's 120 s (the old worker ignored the cancel).
# Skipped (77) where the box cannot run.
. "$(dirname "$0")/lib.sh"
EX=${EXAMPLES:?}
P=$EX/problems/sum
require_box_judging
start_broker --verbose
start_real_worker real 1 --drain-seconds 10
wait_workers 1
Q=$T/slow
cp -r "$P" "$Q"
sed -i 's/^  time_limit: 1$/  time_limit: 600/' "$Q/problem.yaml"
grep -q "time_limit: 600" "$Q/problem.yaml" || fail "could not make the test package"
"$BIN/judge" submit --broker "$CLIENTS" --problem "$Q" "$P/submissions/time_limit_exceeded/spin.c" >"$T/slow.out" 2>&1 &
PIDS+=($!)
sid=
for _ in $(seq 300); do
  sid=$(sed -n 's/^judge-broker: \(.*\): attempt 1 leased to worker real$/\1/p' "$T/broker.log" | head -1)
  [ -n "$sid" ] && break
  sleep 0.1
done
[ -n "$sid" ] || fail "the slow submission did not start"
# most likely lets it into its first test's run; a cancel landing during
# the compile must end the job just the same, so this is no assertion
sleep 1
"$BIN/pool_client" cancel "$CLIENTS" "$sid" | grep -q "^ok" || fail "cancel $sid"
"$BIN/pool_client" judge "$CLIENTS" "$P" "$P/submissions/accepted/sum.c" >"$T/j.out" 2>&1 ||
  fail "the next submission was not judged while the cancelled one held the slot: $(cat "$T/j.out")"
head -1 "$T/j.out" | grep -q ": AC " || fail "next submission: $(head -3 "$T/j.out")"
grep -q "$sid: cancelled (lease [0-9]*): stopped judging" "$T/real.log" || fail "the worker did not stop $sid"
echo "pool_judge_cancel: ok"
