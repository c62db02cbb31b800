#!/usr/bin/env bash
# pool_fault_broker.sh — kill -9 the broker in the middle of a batch and
# start it again: the client retries (same ids), the workers re-register
# by themselves, and every submission has exactly one final verdict equal
# to a calm run's.
. "$(dirname "$0")/lib.sh"
start_broker
start_worker w1 2; start_worker w2 2
wait_workers 2
"$BIN/pool_client" submit "$CLIENTS" x 3000 2 2 >"$T/x.out" 2>&1 &
CL=$!
PIDS+=($CL)
# kill once some are acknowledged, while many are still queued or running
for _ in $(seq 100); do
  n=$(sqlite3 "$T/data/journal.db" "select count(*) from subs where id like 'x-%'" 2>/dev/null || echo 0)
  [ "${n:-0}" -ge 500 ] && break
  sleep 0.05
done
kill -9 $BROKER_PID
acked_before=$(sqlite3 "$T/data/journal.db" "select count(*) from subs where id like 'x-%'")
done_before=$(sqlite3 "$T/data/journal.db" "select count(*) from results where id like 'x-%'")
sleep 1
start_broker
grep -q "recovered" "$T/broker.log" || fail "no recovery line"
wait $CL || fail "client did not finish after the restart: $(cat "$T/x.out")"
wait_workers 2
out=$("$BIN/pool_client" check "$CLIENTS" x 3000 120 2>&1) || fail "after broker restart: $out"
[ "$(count_results x)" = 3000 ] || fail "results: $(count_results x)"
[ "$(sqlite3 "$T/data/journal.db" "select count(*) from subs where id like 'x-%' and done = 0")" = 0 ] || fail "unfinished left"
echo "killed with $acked_before acknowledged, $done_before done; all 3000 judged once"
kill -0 $BROKER_PID || fail "broker died"
# a restart while every slot is busy: the new broker leases the queued
# jobs to workers that are still judging older ones, then, sending them no
# JOB for a while, HEARTBEATs them; that first HEARTBEAT (the new epoch)
# must not make them REGISTER a second time
ops=()
for i in 0 1 2 3; do ops+=("sub:busy-$i:verdict=AC sleep=4000"); done
for i in 4 5 6 7; do ops+=("sub:busy-$i:verdict=AC sleep=10"); done
"$BIN/pool_rawclient" "$CLIENTS" "${ops[@]}" >"$T/busy.out" || fail "busy submissions: $(cat "$T/busy.out")"
for _ in $(seq 100); do
  [ "$(sqlite3 "$T/data/journal.db" "select count(*) from subs where id like 'busy-%' and attempts > 0")" -ge 4 ] && break
  sleep 0.05
done
kill -9 $BROKER_PID
wait $BROKER_PID 2>/dev/null
: >"$T/broker.log"
start_broker
for _ in $(seq 300); do [ "$(count_results busy)" = 8 ] && break; sleep 0.1; done
[ "$(count_results busy)" = 8 ] || fail "busy: $(count_results busy) of 8 judged"
# calm workers lose no lease across the restart: each registered once with
# the new broker (a second REGISTER, taken for a restart when the first
# HEARTBEAT told the new epoch, expired every job leased in between)
if grep "lease expired" "$T/broker.log"; then fail "leases were lost across the broker restart"; fi
echo "pool_fault_broker: ok"
