#!/usr/bin/env bash
# pool_valgrind.sh — the long-running daemons (judge-broker, judge-worker
# with the fake runner) under valgrind memcheck: submissions, malformed
# frames and status pass, then SIGTERM; each must exit cleanly with no
# memory error and no definite/indirect leak. Runs once insecure and once
# with CURVE (keys from pool_client keygen), since the auth paths allocate
# differently. Valgrind cannot run beside ASan: the sanitizer build does not
# register it, and a run by hand there skips (77).
case "${JP_SANITIZE:-OFF}" in ON|on|1|TRUE|true|YES|yes) echo "skip: valgrind cannot run an ASan build"; exit 77 ;; esac
if grep -q __asan_init "${BIN:?}/judge-broker" 2>/dev/null; then echo "skip: $BIN is an ASan build"; exit 77; fi
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || fail "valgrind missing (ops/install-deps installs it)"

VG=(valgrind --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-fds=no)
N=${VG_JOBS:-40}

up() { # wait until the broker answers status (slow to start under valgrind)
  for _ in $(seq 300); do
    kill -0 "$BROKER_PID" 2>/dev/null || fail "broker exited during startup"
    ${AS:-} "$BIN/pool_client" status "$CLIENTS" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  fail "broker did not come up under valgrind"
}

workers() { # until status shows n workers
  for _ in $(seq 300); do
    local w
    w=$(${AS:-} "$BIN/pool_client" status "$CLIENTS" 2>/dev/null | awk '/^workers/ {print $2}')
    [ "${w:-0}" -ge "$1" ] && return 0
    sleep 0.2
  done
  fail "worker did not register under valgrind"
}

stop() { # pid name: SIGTERM, wait (bounded), the exit code must not be valgrind's
  local pid=$1 name=$2 rc
  kill -TERM "$pid" 2>/dev/null || fail "$name already gone before SIGTERM"
  for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && fail "$name did not exit within 60 s of SIGTERM"
  wait "$pid"; rc=$?
  [ "$rc" = 99 ] && fail "$name: valgrind reported errors (exit 99)"
  [ "$rc" = 0 ] || fail "$name exited $rc after SIGTERM"
}

vg_clean() { # every valgrind log of a daemon (forked children get their own)
  local f n=0
  [ -n "${VG_KEEP:-}" ] && cp "$T"/vg-"$1".*.vg "$VG_KEEP"/ 2>/dev/null
  for f in "$T"/vg-"$1".*.vg; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    grep -q "ERROR SUMMARY: 0 errors" "$f" || { cat "$f" >&2; fail "$1: valgrind errors in $f"; }
    if grep -Eq "(definitely|indirectly) lost: [0-9,]*[1-9]" "$f"; then cat "$f" >&2; fail "$1: leak in $f"; fi
  done
  [ $n -ge 1 ] || fail "$1: no valgrind log"
}

broker() { # tag, auth args...: a broker under valgrind on the tag's data dir
  local tag=$1; shift
  "${VG[@]}" --log-file="$T/vg-broker-$tag.%p.vg" "$BIN/judge-broker" --clients "$CLIENTS" --workers "$WORKERS" \
    --events "$EVENTS" --data "$T/data-$tag" --lease-ms 20000 "$@" >>"$T/broker-$tag.log" 2>&1 &
  BROKER_PID=$!
  up
}

phase() { # tag, broker auth args..., --, worker auth args...
  local tag=$1; shift
  local bargs=() wargs=()
  while [ "$1" != -- ]; do bargs+=("$1"); shift; done; shift
  wargs=("$@")
  broker "$tag" "${bargs[@]}"
  "${VG[@]}" --log-file="$T/vg-worker-$tag.%p.vg" "$BIN/judge-worker" --broker "$WORKERS" --slots 2 --runner fake \
    --cache "$T/cache-$tag" --name "w-$tag" --languages c,cpp --drain-seconds 10 "${wargs[@]}" >>"$T/worker-$tag.log" 2>&1 &
  local wpid=$!
  PIDS+=("$wpid")
  workers 1

  $AS "$BIN/pool_client" submit "$CLIENTS" "$tag" "$N" >"$T/submit-$tag.out" 2>&1 || fail "$tag submit: $(cat "$T/submit-$tag.out")"
  out=$($AS "$BIN/pool_client" check "$CLIENTS" "$tag" "$N" 90 2>&1) || fail "$tag check: $out"
  if [ "$tag" = plain ]; then
    # malformed frames at every socket, then the pool must still judge
    timeout 120 "$BIN/pool_garbage" "$CLIENTS" "$WORKERS" "$EVENTS" >/dev/null 2>&1 || fail "garbage tool"
    kill -0 "$BROKER_PID" || fail "broker died under garbage"
    $AS "$BIN/pool_client" submit "$CLIENTS" post 10 >/dev/null 2>&1 || fail "submit after garbage"
    out=$($AS "$BIN/pool_client" check "$CLIENTS" post 10 90 2>&1) || fail "post-garbage check: $out"
    "$BIN/judge" status --broker "$CLIENTS" | grep -q "^workers *1" || fail "status after garbage"
    # result of a known WA (index 1), and a cancel of a job queued behind slow ones
    "$BIN/judge" result --broker "$CLIENTS" plain-1 >"$T/r.out"; rc=$?
    [ $rc = 1 ] && grep -q WA "$T/r.out" || fail "judge result plain-1: rc $rc $(cat "$T/r.out")"
    "$BIN/pool_client" submit "$CLIENTS" slow 4 2000 1 >/dev/null 2>&1 || fail "slow submit"
    "$BIN/judge" cancel --broker "$CLIENTS" slow-3 >/dev/null || fail "cancel"
    "$BIN/judge" result --broker "$CLIENTS" --wait 60 slow-3 >"$T/cancel.out" 2>&1
    grep -q cancelled "$T/cancel.out" || fail "cancelled state: $(cat "$T/cancel.out")"
    out=$("$BIN/pool_client" check "$CLIENTS" slow 3 90 2>&1) || fail "slow jobs: $out"
    # a broker restart: it replays its journal, the worker re-registers
    stop "$BROKER_PID" "broker-plain (restart)"
    broker "$tag" "${bargs[@]}"
    workers 1
    "$BIN/judge" result --broker "$CLIENTS" plain-1 >"$T/r2.out" 2>&1
    grep -q WA "$T/r2.out" || fail "result lost over the restart: $(cat "$T/r2.out")"
    "$BIN/pool_client" submit "$CLIENTS" again 10 >/dev/null 2>&1 || fail "submit after restart"
    out=$("$BIN/pool_client" check "$CLIENTS" again 10 90 2>&1) || fail "after restart: $out"
  else
    # a key reload (SIGHUP) with one more client key, then that key works
    "$BIN/pool_client" keygen "$K/c2" >"$K/c2.pub" || fail "keygen c2"
    printf 'client %s c2\n' "$(cat "$K/c2.pub")" >>"$K/keys"
    kill -HUP "$BROKER_PID"
    for _ in $(seq 100); do
      POOL_CERT=$K/c2_secret POOL_BROKER_KEY=$K/broker POOL_TIMEOUT_MS=3000 "$BIN/pool_client" submit "$CLIENTS" c2 3 \
        >/dev/null 2>&1 && break
      sleep 0.2
    done
    out=$(POOL_CERT=$K/c2_secret POOL_BROKER_KEY=$K/broker "$BIN/pool_client" check "$CLIENTS" c2 3 90 2>&1) \
      || fail "key added by SIGHUP: $out"
  fi
  $AS "$BIN/pool_client" status "$CLIENTS" | grep -q "^workers 1" || fail "$tag status"

  stop "$wpid" "worker-$tag"
  PIDS=()
  stop "$BROKER_PID" "broker-$tag"
  BROKER_PID=
  vg_clean "broker-$tag"
  vg_clean "worker-$tag"
  echo "pool_valgrind: $tag clean"
}

AS=
phase plain --insecure -- --insecure

# CURVE: a broker, worker and client key
K=$T/keys
mkdir -m 700 "$K"
for k in broker w1 cl; do "$BIN/pool_client" keygen "$K/$k" >"$K/$k.pub" || fail "keygen $k"; done
printf 'worker %s w1\nadmin %s cl\n' "$(cat "$K/w1.pub")" "$(cat "$K/cl.pub")" >"$K/keys"
AS="env POOL_CERT=$K/cl_secret POOL_BROKER_KEY=$K/broker POOL_TIMEOUT_MS=60000"
phase curve --keys "$K/keys" --cert "$K/broker_secret" -- --cert "$K/w1_secret" --broker-key "$K/broker"
echo "pool_valgrind: ok"
