#!/usr/bin/env bash
# pool_drain.sh — the admin DRAIN: a drained worker gets no new jobs but
# finishes the one it runs (one verdict), --undo gives it jobs again, STATUS
# counts drained workers, an unknown name is refused, a worker that
# registers again under a drained name stays drained, and so does one that
# registers with a restarted broker (the journal keeps the names); an undo
# after the restart sticks across the next one. Which worker judged a
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
run_jobs() { # prefix, count, ms each: submit them and wait until all are judged
  "$BIN/pool_client" submit "$CLIENTS" "$1" "$2" "$3" >/dev/null || fail "submit $1"
  timeout 120 "$BIN/pool_client" check "$CLIENTS" "$1" "$2" 90 | grep -q "^ok $2 wrong 0" || fail "$1 jobs not all judged"
}

# an unknown worker is a clear error, exit 2
out=$("${J[@]}" drain --broker "$CLIENTS" nosuch 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "no worker named 'nosuch'" || fail "drain of unknown worker: rc $rc: $out"
"${J[@]}" drain --help | grep -q "usage: judge drain" || fail "drain --help"
"${J[@]}" drain --broker "$CLIENTS" >/dev/null 2>&1; [ $? = 2 ] || fail "drain without a name must exit 2"

# drained w1 gets nothing; w2 judges all
"${J[@]}" drain --broker "$CLIENTS" w1 | grep -q "w1: draining" || fail "drain w1"
[ "$(draining)" = 1 ] || fail "status does not count the drained worker: $(draining)"
run_jobs d 8 300
[ "$(leased d w1)" = 0 ] || fail "drained w1 got $(leased d w1) jobs"
[ "$(leased d w2)" = 8 ] || fail "w2 judged $(leased d w2) of 8"

# undo: w1 takes jobs again (w2 has 2 slots, jobs take 0.6 s: w1 gets some)
"${J[@]}" drain --broker "$CLIENTS" --undo w1 | grep -q "w1: undrained" || fail "undo w1"
[ "$(draining)" = 0 ] || fail "status after undo: $(draining)"
run_jobs u 9 600
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
run_jobs t 4 300
[ "$(leased t w1)" = 0 ] || fail "re-registered drained w1 got jobs"
kill -0 "$BROKER_PID" || fail "broker died"

# a broker restart: both workers register with the new broker; w1 is still drained
restart_broker() {
  kill -TERM "$BROKER_PID" && wait "$BROKER_PID" 2>/dev/null
  local before
  before=$(grep -c 'worker w1 registered' "$T/broker.log")
  start_broker --verbose
  for _ in $(seq 100); do
    [ "$(grep -c 'worker w1 registered' "$T/broker.log")" -gt "$before" ] && break
    sleep 0.1
  done
  [ "$(grep -c 'worker w1 registered' "$T/broker.log")" -gt "$before" ] || fail "w1 did not register with the restarted broker"
  wait_workers 2
}
restart_broker
grep -q "worker w1 stays drained (journal)" "$T/broker.log" || fail "the restarted broker did not load the drained name"
[ "$(draining)" = 1 ] || fail "w1 not drained after the broker restart: $(draining)"
run_jobs v 4 300
[ "$(leased v w1)" = 0 ] || fail "drained w1 got jobs after the broker restart"
[ "$(leased v w2)" = 4 ] || fail "w2 judged $(leased v w2) of 4 after the restart"

# undo after the restart, and it is remembered across the next one
"${J[@]}" drain --broker "$CLIENTS" --undo w1 | grep -q "w1: undrained" || fail "undo w1 after restart"
restart_broker
[ "$(draining)" = 0 ] || fail "w1 drained again after undo and restart: $(draining)"
run_jobs x 9 600
[ "$(leased x w1)" -ge 1 ] || fail "undrained w1 got no job after the restart"
kill -0 "$BROKER_PID" || fail "broker died"
echo "pool_drain: ok"
