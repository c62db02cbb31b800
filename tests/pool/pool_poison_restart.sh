#!/usr/bin/env bash
# pool_poison_restart.sh — a job that takes its worker AND the broker down
# (both on one host) still ends at the attempt cap: each attempt is
# journaled before its JOB goes out, so a kill -9 of the broker no longer
# forgets it (the job used to come back as attempt 1 forever). Also: a
# second broker on the same data directory, a port out of range and a busy
# port are refused with messages that say which.
. "$(dirname "$0")/lib.sh"
start_broker --max-attempts 3
timeout 10 "$BIN/judge-broker" --clients "ipc://$T/c2" --workers "ipc://$T/w2" --events "ipc://$T/e2" --data "$T/data" \
  --insecure >"$T/second.log" 2>&1 && fail "a second broker on the same data directory started"
grep -q "data directory .* is in use by another judge-broker" "$T/second.log" || fail "second broker: $(cat "$T/second.log")"
# a port libzmq would silently wrap (99999 -> 34463) is refused, as is a
# busy one (with the hint that fits)
timeout 10 "$BIN/judge-broker" --clients tcp://127.0.0.1:99999 --data "$T/d2" --insecure >"$T/port.log" 2>&1 &&
  fail "a broker bound port 99999"
grep -q "tcp://127.0.0.1:99999: the port must be 1-65535" "$T/port.log" || fail "port 99999: $(cat "$T/port.log")"
timeout 10 "$BIN/judge-broker" --clients "$CLIENTS" --workers "ipc://$T/w3" --events "ipc://$T/e3" --data "$T/d3" \
  --insecure >"$T/busy.log" 2>&1 && fail "a second broker bound a busy port"
grep -q "is another broker running on it" "$T/busy.log" || fail "busy port: $(cat "$T/busy.log")"
"$BIN/pool_rawclient" "$CLIENTS" sub:p-1:verdict=AC >/dev/null || fail "submit"
for k in 1 2 3; do
  # a worker takes the JOB and dies with the broker before answering
  out=$("$BIN/pool_rawworker" reregister "$WORKERS" 1)
  [ "$out" = "attempt $k" ] || fail "JOB $k: $out"
  a=$(sqlite3 "$T/data/journal.db" "select attempts from subs where id = 'p-1'")
  [ "$a" = "$k" ] || fail "attempt $k was not journaled before its JOB went out (attempts $a)"
  kill -9 $BROKER_PID
  wait $BROKER_PID 2>/dev/null
  start_broker --max-attempts 3
done
# every attempt used, the last one lost with the broker: IE, not judged again
start_worker w1 1
wait_workers 1
for _ in $(seq 100); do [ "$(count_results p)" = 1 ] && break; sleep 0.1; done
[ "$("$BIN/pool_client" get "$CLIENTS" p-1)" = "verdict IE" ] || fail "p-1: $("$BIN/pool_client" get "$CLIENTS" p-1)"
grep -q "p-1: every attempt used" "$T/broker.log" || fail "no log line saying why p-1 ended IE"
grep -q "p-1" "$T/w1.log" && fail "the worker was given p-1 a fourth time"
kill -0 $BROKER_PID || fail "broker died"
echo "pool_poison_restart: ok"
