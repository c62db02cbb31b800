#!/usr/bin/env bash
# pool_e2e.sh — broker + 3 workers + 3 concurrent clients on loopback:
# every verdict arrives with resource figures; priorities; duplicates are
# idempotent and clashing content is refused; status/result/cancel/watch.
. "$(dirname "$0")/lib.sh"
start_broker
start_worker w1 2; start_worker w2 2; start_worker w3 1
wait_workers 3

"$BIN/pool_client" submit "$CLIENTS" a 300 0 1 >"$T/a.out" 2>&1 &
A=$!
"$BIN/pool_client" submit "$CLIENTS" b 300 0 3 >"$T/b.out" 2>&1 &
B=$!
"$BIN/pool_client" submit "$CLIENTS" c 50 0 0 >"$T/c.out" 2>&1 &
C=$!
wait $A || fail "client a: $(cat "$T/a.out")"
wait $B || fail "client b: $(cat "$T/b.out")"
wait $C || fail "client c: $(cat "$T/c.out")"
for p in a b c; do
  n=300; [ $p = c ] && n=50
  out=$("$BIN/pool_client" check "$CLIENTS" $p $n 60 2>&1) || fail "check $p: $out"
  [ "$(count_results $p)" = $n ] || fail "journal has $(count_results $p) results for $p, want $n"
done

# resubmitting the same ids: acknowledged as duplicates, no new verdicts
"$BIN/pool_client" submit "$CLIENTS" c 50 0 0 >/dev/null 2>&1 || fail "resubmit"
[ "$(count_results c)" = 50 ] || fail "resubmit changed the result count"
# the same id with different content is refused (sleep differs)
"$BIN/pool_client" submit "$CLIENTS" c 1 5 0 >"$T/clash.out" 2>&1 && fail "clashing resubmit accepted"
grep -q forbidden "$T/clash.out" || fail "clash not reported as forbidden: $(cat "$T/clash.out")"

# CLI: a directory that is no problem package is refused before anything
# is sent (it used to be judged: three workers failed it, then IE shown as
# "compile: failed", exit 0)
mkdir -p "$T/notaproblem"
echo 1 >"$T/notaproblem/data.in"
echo 'int main(void){return 0;}' >"$T/x.c"
"$BIN/judge" submit --broker "$CLIENTS" --problem "$T/notaproblem" "$T/x.c" >"$T/np.out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "problem.yaml is missing: not a problem package" "$T/np.out" ||
  fail "submit of a non-package: rc $rc $(cat "$T/np.out")"

# CLI: result of a known WA (index 1), unknown id, status
"$BIN/judge" result --broker "$CLIENTS" a-1 >"$T/r.out"; rc=$?
[ $rc = 1 ] && grep -q "WA" "$T/r.out" && grep -q "KiB" "$T/r.out" || fail "judge result a-1: rc $rc $(cat "$T/r.out")"
"$BIN/judge" result --broker "$CLIENTS" no-such-id >/dev/null 2>&1; [ $? = 2 ] || fail "unknown id not an error"
"$BIN/judge" status --broker "$CLIENTS" | grep -q "^workers *3" || fail "status"
# a finished or unknown id, answered from the journal (the scheduler holds
# neither): state, cancel as a no-op, and a clear error
"$BIN/judge" status --broker "$CLIENTS" a-1 >"$T/s1.out" 2>&1 || fail "status a-1: $(cat "$T/s1.out")"
grep -q "^a-1: done" "$T/s1.out" || fail "status of a finished id: $(cat "$T/s1.out")"
"$BIN/judge" status --broker "$CLIENTS" no-such-id >"$T/s2.out" 2>&1 && fail "status of an unknown id succeeded"
grep -qi "unknown\|no such" "$T/s2.out" || fail "status of an unknown id: $(cat "$T/s2.out")"
"$BIN/judge" cancel --broker "$CLIENTS" a-1 >"$T/c1.out" 2>&1 || fail "cancel of a finished id: $(cat "$T/c1.out")"
grep -q "^a-1: already final (WA): nothing to cancel$" "$T/c1.out" || fail "cancel of a finished id says: $(cat "$T/c1.out")"
"$BIN/judge" result --broker "$CLIENTS" a-1 >"$T/r2.out"; rc=$?
[ $rc = 1 ] && grep -q "WA" "$T/r2.out" || fail "cancel changed a final verdict: rc $rc $(cat "$T/r2.out")"
"$BIN/judge" cancel --broker "$CLIENTS" no-such-id >"$T/c2.out" 2>&1 && fail "cancel of an unknown id succeeded"
grep -qi "unknown\|no such" "$T/c2.out" || fail "cancel of an unknown id: $(cat "$T/c2.out")"

# cancel: a slow job queued behind slow ones ends cancelled
"$BIN/pool_client" submit "$CLIENTS" slow 8 1500 1 >/dev/null 2>&1 || fail "slow submit"
"$BIN/judge" cancel --broker "$CLIENTS" slow-7 >/dev/null || fail "cancel"
"$BIN/judge" result --broker "$CLIENTS" --wait 30 slow-7 >"$T/cancel.out" 2>&1; grep -q cancelled "$T/cancel.out" || fail "cancelled state: $(cat "$T/cancel.out")"
# watch: live events then the final verdict
"$BIN/pool_client" submit "$CLIENTS" w 1 1500 0 >/dev/null 2>&1 || fail "watch submit"
timeout 30 "$BIN/judge" watch --broker "$CLIENTS" w-0 >"$T/watch.out"; rc=$?
[ $rc = 0 ] && grep -q "AC" "$T/watch.out" || fail "watch: rc $rc $(cat "$T/watch.out")"
"$BIN/pool_client" check "$CLIENTS" slow 7 60 >/dev/null 2>&1 || fail "slow jobs"
kill -0 $BROKER_PID || fail "broker died"
echo "pool_e2e: ok"
