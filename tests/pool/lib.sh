# lib.sh — shared helpers of the pool's shell tests: a private port range
# and data directory per test, processes started here are tracked and killed
# (by pid) on exit, whatever happens.
set -uo pipefail
BIN=${BIN:?BIN must point at the build bin directory}
T=$(mktemp -d /tmp/jp-pool-test.XXXXXX)
# ports: a block of 10 below the ephemeral range (32768+, so no outgoing
# connection can hold one), claimed with a lock file held for the test's life
# and skipped while anything listens on it, so parallel ctest runs (and test
# runs of other checkouts) never collide; the search starts at a pid-spread block
claim_ports() {
  local i base
  for i in $(seq 0 1999); do
    base=$((10000 + (($$ + i) % 2000) * 10))
    exec 9>"/tmp/jp-ports.$base.lock" || continue
    if flock -n 9; then
      if ! ss -Hltn "( sport >= :$base and sport <= :$((base + 9)) )" 2>/dev/null | grep -q .; then
        PORT=$base
        return 0
      fi
      flock -u 9
    fi
    exec 9>&-
  done
  echo "FAIL: no free block of 10 ports in 10000-29999" >&2
  exit 1
}
claim_ports
CLIENTS=tcp://127.0.0.1:$PORT
WORKERS=tcp://127.0.0.1:$((PORT + 1))
EVENTS=tcp://127.0.0.1:$((PORT + 2))
PIDS=()
BROKER_PID=

cleanup() {
  local rc=$?
  # graceful first, so sanitizer builds get to report leaks at exit
  for p in "${PIDS[@]}" $BROKER_PID; do kill -TERM "$p" 2>/dev/null; done
  for _ in $(seq 50); do
    local alive=0
    for p in "${PIDS[@]}" $BROKER_PID; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for p in "${PIDS[@]}" $BROKER_PID; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  if grep -l "AddressSanitizer\|LeakSanitizer\|runtime error:" "$T"/*.log 2>/dev/null; then
    grep -h -A30 "AddressSanitizer\|LeakSanitizer\|runtime error:" "$T"/*.log | head -80 >&2
    echo "FAIL: sanitizer report above" >&2
    rc=1
  fi
  rm -rf "$T"
  exit $rc
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; for f in "$T"/*.log; do echo "--- $f"; tail -n 20 "$f"; done >&2; exit 1; }

# Authentication: these tests test other things, so they run the pool with
# --insecure (tests/security/pool_auth.sh runs it with CURVE); BROKER_AUTH
# and WORKER_AUTH replace that for a test that brings its own keys, and
# CLIENT_AUTH (--cert/--broker-key of an admin key) lets start_broker and
# wait_workers ask a CURVE broker for its status (plain without it).
BROKER_AUTH=${BROKER_AUTH:---insecure}
WORKER_AUTH=${WORKER_AUTH:---insecure}
CLIENT_AUTH=${CLIENT_AUTH:-}

start_broker() { # extra args
  # shellcheck disable=SC2086
  "$BIN/judge-broker" --clients "$CLIENTS" --workers "$WORKERS" --events "$EVENTS" --data "$T/data" \
    --lease-ms "${LEASE_MS:-3000}" $BROKER_AUTH "$@" >>"$T/broker.log" 2>&1 &
  BROKER_PID=$!
  # ready when it answers status
  for _ in $(seq 50); do
    # shellcheck disable=SC2086
    "$BIN/judge" status --broker "$CLIENTS" $CLIENT_AUTH >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "broker did not come up"
}

require_box_judging() { # exit 77 (skipped) unless the local engine judges here
  local P=${EXAMPLES:?}/problems/sum
  [ -d "$P" ] || { echo "skipped: no example problem"; exit 77; }
  timeout 120 "$BIN/judge" submit --local --problem "$P" "$P/submissions/accepted/sum.c" >"$T/local.out" 2>&1 ||
    { echo "skipped: local judging does not work here"; cat "$T/local.out"; exit 77; }
  grep -q "verdict: AC" "$T/local.out" || { echo "skipped: local judge did not give AC"; exit 77; }
}

start_worker() { # name, slots, extra args; sets LAST_PID
  local name=$1 slots=$2; shift 2
  # shellcheck disable=SC2086
  "$BIN/judge-worker" --broker "$WORKERS" --slots "$slots" --runner fake --cache "$T/cache-$name" \
    --name "$name" --languages c,cpp --drain-seconds 10 $WORKER_AUTH "$@" >>"$T/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

start_real_worker() { # name, slots, extra args: the real judging engine, every language; sets LAST_PID
  local name=$1 slots=$2; shift 2
  # shellcheck disable=SC2086
  "$BIN/judge-worker" --broker "$WORKERS" --slots "$slots" --runner judge --cache "$T/cache-$name" \
    --name "$name" --drain-seconds 30 $WORKER_AUTH "$@" >>"$T/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

wait_workers() { # n: until status shows n workers
  for _ in $(seq 100); do
    local w
    # shellcheck disable=SC2086
    w=$("$BIN/judge" status --broker "$CLIENTS" $CLIENT_AUTH 2>/dev/null | awk '/^workers/ {print $2}')
    [ "${w:-0}" -ge "$1" ] && return 0
    sleep 0.1
  done
  fail "workers did not register (wanted $1)"
}

# results stored in the journal for a prefix (exactly one row per id by schema)
count_results() { sqlite3 "$T/data/journal.db" "select count(*) from results where id like '$1-%'"; }
