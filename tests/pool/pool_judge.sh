#!/usr/bin/env bash
# pool_judge.sh — the real judging engine behind the pool: a problem package
# travels by content (client -> broker -> worker cache), submissions get the
# same verdicts as `judge submit --local`, and the test data crosses the
# network once per worker, not once per submission. Skipped (77) where the
# local engine cannot judge (no root / no box).
. "$(dirname "$0")/lib.sh"
EX=${EXAMPLES:?}
P=$EX/problems/sum
require_box_judging
start_broker
start_real_worker real 2
wait_workers 1
check() { # source expected
  "$BIN/pool_client" judge "$CLIENTS" "$P" "$1" >"$T/j.out" 2>&1 || fail "judge $1: $(cat "$T/j.out")"
  head -1 "$T/j.out" | grep -q ": $2 " || fail "$1: expected $2, got: $(head -3 "$T/j.out")"
  grep -q "KiB" "$T/j.out" || fail "$1: no resource figures"
}
check "$P/submissions/accepted/sum.c" AC
check "$P/submissions/wrong_answer/int32.c" WA
check "$P/submissions/compile_error/syntax.c" CE
check "$P/submissions/time_limit_exceeded/spin.c" TLE
check "$P/submissions/accepted/sum.py" AC
n=$(grep -c "fetched .* problem files" "$T/real.log")
[ "$n" = 1 ] || fail "problem data fetched $n times by one worker (want once)"
# a batch on a package the worker has never seen: both slots want its files
# at once on a cold cache (a shared temp name had turned some into IE, and
# each slot fetched the whole package)
H=$EX/problems/hypot
(cd "$H" && timeout 120 "$BIN/judge" batch --broker "$CLIENTS" --problem . \
  submissions/accepted/*.* submissions/wrong_answer/*.*) >"$T/batch.out" 2>&1
grep -q " IE " "$T/batch.out" && fail "cold-cache batch: IE: $(cat "$T/batch.out") $(tail -5 "$T/real.log")"
while read -r sub verdict _; do
  case "$sub" in
    submissions/accepted/*) [ "$verdict" = AC ] || fail "$sub: $verdict (want AC)" ;;
    submissions/wrong_answer/*) [ "$verdict" = WA ] || fail "$sub: $verdict (want WA)" ;;
  esac
done < <(grep "^submissions/" "$T/batch.out")
[ "$(grep -c "^submissions/" "$T/batch.out")" = 4 ] || fail "cold-cache batch: $(cat "$T/batch.out")"
n=$(grep -c "fetched .* problem files" "$T/real.log")
[ "$n" = 2 ] || fail "two packages fetched $n times by one worker with 2 slots (want twice: once each)"
echo "pool_judge: ok"
