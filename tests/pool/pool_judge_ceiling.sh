#!/usr/bin/env bash
# pool_judge_ceiling.sh — a worker's ceilings for what a package may ask
# for: with --max-memory-mb 128 the example package (limits.memory 256) is
# answered IE naming the limit and the ceiling, not judged (the old worker
# accepted up to 64 GiB of memory and 4 GiB of output, the output going to
# a host temp file); a copy of it asking for limits.output 100 is refused
# by the default --max-output-mb 64. The unchanged package is judged AC by
# a worker with the default ceilings. Skipped (77) where the box cannot run.
. "$(dirname "$0")/lib.sh"
EX=${EXAMPLES:?}
P=$EX/problems/sum
require_box_judging
start_broker
judge_it() { "$BIN/pool_client" judge "$CLIENTS" "$1" "$P/submissions/accepted/sum.c" >"$T/j.out" 2>&1; }

start_real_worker small 1 --drain-seconds 10 --max-memory-mb 128; SMALL=$LAST_PID
wait_workers 1
judge_it "$P" || fail "judge: $(cat "$T/j.out")"
head -1 "$T/j.out" | grep -q ": IE " || fail "a package over the memory ceiling was judged: $(head -3 "$T/j.out")"
grep -q "limits.memory 256 MiB is over this judge's ceiling of 128 MiB" "$T/small.log" ||
  fail "the worker did not say which ceiling: $(tail -3 "$T/small.log")"

# limits.output over the default ceiling
Q=$T/bigout
cp -r "$P" "$Q"
sed -i 's/^  memory: 256$/  memory: 64\n  output: 100/' "$Q/problem.yaml"
grep -q "output: 100" "$Q/problem.yaml" || fail "could not make the test package"
kill -TERM "$SMALL"; wait "$SMALL"
start_real_worker dflt 1 --drain-seconds 10
wait_workers 1
judge_it "$Q" || fail "judge: $(cat "$T/j.out")"
head -1 "$T/j.out" | grep -q ": IE " || fail "a package over the output ceiling was judged: $(head -3 "$T/j.out")"
grep -q "limits.output 100 MiB is over this judge's ceiling of 64 MiB" "$T/dflt.log" ||
  fail "the worker did not say which ceiling: $(tail -3 "$T/dflt.log")"
judge_it "$P" || fail "judge: $(cat "$T/j.out")"
head -1 "$T/j.out" | grep -q ": AC " || fail "the package within the ceilings: $(head -3 "$T/j.out")"
echo "pool_judge_ceiling: ok"
