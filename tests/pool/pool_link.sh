#!/usr/bin/env bash
# pool_link.sh — a worker keeps its leases across its own link's trouble
# (PROTOCOL.md 6.1): a broker that stalls past the worker's silence limit
# (the worker reconnects), a TCP connection cut three times during one job
# (libzmq reconnects), and a second worker process of the same name: each
# time the running job ends with its calm verdict on its first lease, no
# attempt charged, nothing requeued. Before workers had a stable routing id
# each of these lost the lease (and three cuts could end a healthy job IE).
. "$(dirname "$0")/lib.sh"
WPORT=$((PORT + 1))

wait_running() { # sid
  for _ in $(seq 100); do
    [ "$("$BIN/pool_client" get "$CLIENTS" "$1" 2>/dev/null)" = "state running" ] && return 0
    sleep 0.1
  done
  fail "$1 never started running"
}

# the job judged calmly on its first lease: AC (pool_client's expectation
# for index 0), three tests, one attempt in the journal (each dispatch is
# journaled before its JOB goes out: a calm run has exactly 1)
calm() { # prefix, what happened
  local out
  out=$("$BIN/pool_client" check "$CLIENTS" "$1" 1 90 2>&1) || fail "$2: $out"
  echo "$out" | grep -q "^ok 1 wrong 0 missing 0" || fail "$2: $out"
  local a
  a=$(sqlite3 "$T/data/journal.db" "select attempts from subs where id = '$1-0'")
  [ "$a" = 1 ] || fail "$2: $1-0 took $a attempts (1 expected)"
  if grep -E "lease expired|requeued" "$T/broker.log"; then fail "$2: a lease was lost"; fi
}

# the worker's connections to the workers port, as local addresses
links() { ss -Htn state established "( dst 127.0.0.1 and dport = :$WPORT )" | awk '{print $3}' | sort; }

start_broker --max-attempts 3 --verbose
start_worker w1 1
wait_workers 1

# (1) the broker stops answering for longer than the worker waits (5 s):
# the worker opens a new connection; the broker, back, hands the worker's
# routing id over to it and the lease goes on
"$BIN/pool_client" submit "$CLIENTS" stall 1 12000 >/dev/null || fail "submit stall"
wait_running stall-0
kill -STOP "$BROKER_PID"
for _ in $(seq 300); do grep -q "reconnecting" "$T/w1.log" && break; sleep 0.1; done
sleep 0.5
kill -CONT "$BROKER_PID"
grep -q "no word from the broker.*reconnecting" "$T/w1.log" || fail "the worker never reconnected"
calm stall "broker stalled"

# (2) the worker's TCP connection is cut three times during one job
# (ss -K: the kernel aborts the socket, the broker sees a reset); libzmq
# reconnects each time under the same routing id
"$BIN/pool_client" submit "$CLIENTS" cut 1 9000 >/dev/null || fail "submit cut"
wait_running cut-0
for i in 1 2 3; do
  before=$(links)
  [ -n "$before" ] || fail "no worker connection to cut (cut $i)"
  ss -K "( dst 127.0.0.1 and dport = :$WPORT )" >/dev/null 2>&1 || fail "ss -K failed (cut $i)"
  # a new connection (a new local port), then a heartbeat's time so the
  # broker heard the worker on it
  for _ in $(seq 100); do
    now=$(links)
    [ -n "$now" ] && ! comm -12 <(echo "$before") <(echo "$now") | grep -q . && break
    sleep 0.1
  done
  [ -n "$now" ] && ! comm -12 <(echo "$before") <(echo "$now") | grep -q . ||
    fail "the worker's connection was not replaced after cut $i (before: $before; now: $now)"
  sleep 1
done
calm cut "link cut three times"
# a HEARTBEAT, not a REGISTER (which would have lost the leases), after
# each reconnect: the broker saw w1 register once
[ "$(grep -c "worker w1 registered" "$T/broker.log")" = 1 ] || fail "w1 registered again: $(grep "registered" "$T/broker.log")"

# (3) a second worker process with the same name takes nothing from the
# first: its own routing id, its own registration
"$BIN/pool_client" submit "$CLIENTS" twin 1 6000 >/dev/null || fail "submit twin"
wait_running twin-0
"$BIN/judge-worker" --broker "$WORKERS" --slots 1 --runner fake --cache "$T/cache-twin" --name w1 \
  --languages c,cpp --drain-seconds 10 $WORKER_AUTH >>"$T/twin.log" 2>&1 &
PIDS+=($!)
wait_workers 2
calm twin "a second worker named w1"
kill -0 "$BROKER_PID" || fail "broker died"
echo "pool_link: ok"
