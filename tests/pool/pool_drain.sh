#!/usr/bin/env bash
# pool_drain.sh — the admin DRAIN: a drained worker gets no new jobs but
# finishes the one it runs (one verdict), --undo gives it jobs again, STATUS
# counts drained workers, an unknown name is refused, and a worker that
# registers again under a drained name stays drained. Which worker judged a
# job comes from the broker's --verbose "leased to worker" lines.
. "$(dirname "$0")/lib.sh"
start_broker --verbose
start_worker w1 1
W1=$LAST_PID
start_worker w2 2
wait_workers 2
J=("$BIN/judge")
leased() { grep -c "$1-[0-9]*: attempt [0-9]* leased to worker $2\$" "$T/broker.log"; }
draining() { "${J[@]}" status --broker "$CLIENTS" | awk '/^draining/ {print $2}'; }

# an unknown worker is a clear error, exit 2
out=$("${J[@]}" drain --broker "$CLIENTS" nosuch 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "no worker named 'nosuch'" || fail "drain of unknown worker: rc $rc: $out"
"${J[@]}" drain --help | grep -q "usage: judge drain" || fail "drain --help"
"${J[@]}" drain --broker "$CLIENTS" >/dev/null 2>&1; [ $? = 2 ] || fail "drain without a name must exit 2"

# drained w1 gets nothing; w2 judges all
"${J[@]}" drain --broker "$CLIENTS" w1 | grep -q "w1: draining" || fail "drain w1"
[ "$(draining)" = 1 ] || fail "status does not count the drained worker: $(draining)"
"$BIN/pool_client" submit "$CLIENTS" d 8 300 >/dev/null || fail "submit d"
timeout 120 "$BIN/pool_client" check "$CLIENTS" d 8 90 | grep -q "^ok 8 wrong 0" || fail "d jobs not all judged"
[ "$(leased d w1)" = 0 ] || fail "drained w1 got $(leased d w1) jobs"
[ "$(leased d w2)" = 8 ] || fail "w2 judged $(leased d w2) of 8"

# undo: w1 takes jobs again (w2 has 2 slots, jobs take 0.6 s: w1 gets some)
"${J[@]}" drain --broker "$CLIENTS" --undo w1 | grep -q "w1: undrained" || fail "undo w1"
[ "$(draining)" = 0 ] || fail "status after undo: $(draining)"
"$BIN/pool_client" submit "$CLIENTS" u 9 600 >/dev/null || fail "submit u"
timeout 120 "$BIN/pool_client" check "$CLIENTS" u 9 90 | grep -q "^ok 9 wrong 0" || fail "u jobs not all judged"
[ "$(leased u w1)" -ge 1 ] || fail "undrained w1 got no job"

# a job running on w1 when it is drained completes, with one verdict
"${J[@]}" drain --broker "$CLIENTS" w2 >/dev/null || fail "drain w2"
"$BIN/pool_client" submit "$CLIENTS" r 1 3000 >/dev/null || fail "submit r"
for _ in $(seq 100); do [ "$(leased r w1)" = 1 ] && break; sleep 0.1; done
[ "$(leased r w1)" = 1 ] || fail "r-0 did not start on w1"
"${J[@]}" drain --broker "$CLIENTS" w1 >/dev/null || fail "drain busy w1"
[ "$(draining)" = 2 ] || fail "two drained: $(draining)"
"${J[@]}" drain --broker "$CLIENTS" --undo w2 >/dev/null || fail "undo w2"
"$BIN/pool_client" submit "$CLIENTS" s 4 0 >/dev/null || fail "submit s"
timeout 120 "$BIN/pool_client" check "$CLIENTS" r 1 60 | grep -q "^ok 1 wrong 0" || fail "r-0 lost its verdict"
timeout 120 "$BIN/pool_client" check "$CLIENTS" s 4 60 | grep -q "^ok 4 wrong 0" || fail "s jobs"
[ "$(count_results r)" = 1 ] || fail "r-0 has $(count_results r) results"
[ "$(grep -c 'r-0: attempt' "$T/broker.log")" = 1 ] || fail "r-0 was leased more than once"
[ "$(leased s w1)" = 0 ] || fail "drained w1 got s jobs"

# a worker that registers again under a drained name stays drained
kill -TERM "$W1" && wait "$W1" 2>/dev/null
start_worker w1 1
for _ in $(seq 100); do
  [ "$(grep -c 'worker w1 registered' "$T/broker.log")" -ge 2 ] && break
  sleep 0.1
done
[ "$(grep -c 'worker w1 registered' "$T/broker.log")" -ge 2 ] || fail "w1 did not register again"
# the old registration lingers until the worker timeout; then 2 workers
# remain and the new w1 must be the drained one
for _ in $(seq 300); do
  [ "$("${J[@]}" status --broker "$CLIENTS" | awk '/^workers/ {print $2}')" = 2 ] && break
  sleep 0.1
done
[ "$(draining)" = 1 ] || fail "re-registered w1 not drained: $(draining)"
"$BIN/pool_client" submit "$CLIENTS" t 4 300 >/dev/null || fail "submit t"
timeout 120 "$BIN/pool_client" check "$CLIENTS" t 4 60 | grep -q "^ok 4 wrong 0" || fail "t jobs"
[ "$(leased t w1)" = 0 ] || fail "re-registered drained w1 got jobs"
kill -0 "$BROKER_PID" || fail "broker died"
echo "pool_drain: ok"
