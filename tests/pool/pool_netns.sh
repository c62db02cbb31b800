#!/usr/bin/env bash
# pool_netns.sh — the pool across network-namespace hosts (ops/cluster):
# every verdict arrives across veth links; then a worker's link is cut in
# the middle of its jobs, past the lease, and restored: its jobs are judged
# elsewhere exactly once, its late results are ignored, and it re-registers
# by itself. Skipped (77) where network namespaces are unavailable.
set -uo pipefail
BIN=${BIN:?}
OPS=${OPS:?}
[ "$(id -u)" = 0 ] && ip netns list >/dev/null 2>&1 || { echo "skipped: needs root and ip netns"; exit 77; }
name=jpt$(( $$ % 100000 ))
state=/run/judgepool-cluster-$name
cleanup() { "$OPS/cluster" --name "$name" down >/dev/null 2>&1; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; for f in "$state"/*.log; do echo "--- $f"; tail -n 15 "$f"; done >&2; exit 1; }
ex() { "$OPS/cluster" --name "$name" exec "$@"; }
B=tcp://10.77.0.1:7700

LEASE_MS=2000 "$OPS/cluster" --name "$name" up --workers 3 --slots 2 --runner fake --build "$(dirname "$BIN")" >/dev/null ||
  { echo "skipped: cannot create namespaces here"; exit 77; }
# the cluster runs with CURVE (its keys under $state/keys): every client
# call below authenticates as the cluster's admin key
export POOL_CERT=$state/keys/admin_secret POOL_BROKER_KEY=$state/keys/broker
[ -f "$POOL_CERT" ] || fail "ops/cluster made no keys"
for _ in $(seq 100); do
  ex client "$BIN/pool_client" status $B 2>/dev/null | grep -q "^workers *3" && break
  sleep 0.1
done
grep -q "CURVE on every socket" "$state/broker.log" || fail "broker not running with CURVE"
ex client "$BIN/pool_client" submit $B m 300 >/dev/null 2>&1 || fail "submit across hosts"
out=$(ex client "$BIN/pool_client" check $B m 300 60 2>&1) || fail "verdicts across hosts: $out"

# cut w1's link while it runs slow jobs, past the lease, then restore it
ex client "$BIN/pool_client" submit $B cut 12 1500 >/dev/null 2>&1 || fail "submit slow"
sleep 0.5
"$OPS/cluster" --name "$name" cut w1
sleep 5
"$OPS/cluster" --name "$name" restore w1
out=$(ex client "$BIN/pool_client" check $B cut 12 90 2>&1) || fail "after link cut: $out"
n=$(sqlite3 "$state/broker-data/journal.db" "select count(*) from results where id like 'cut-%'")
[ "$n" = 12 ] || fail "results for cut: $n"
grep -q "lease expired" "$state/broker.log" || fail "the cut did not expire any lease"
ok=0
for _ in $(seq 200); do
  ex client "$BIN/pool_client" status $B 2>/dev/null | grep -q "^workers *3" && { ok=1; break; }
  sleep 0.1
done
[ $ok = 1 ] || fail "w1 did not come back after its link was restored"
kill -0 "$(cat "$state/broker.pid")" || fail "broker died"
echo "pool_netns: ok"
