#!/usr/bin/env bash
# pool_backpressure.sh — a flooding client gets "queue full" (per client and
# in all) instead of growing the broker; its accepted work is still judged
# once workers come, and other clients are not locked out by its quota.
. "$(dirname "$0")/lib.sh"
start_broker --max-per-client 5 --max-queue 8
for i in 0 1 2 3 4; do
  POOL_CLIENT_NAME=flood "$BIN/pool_client" one "$CLIENTS" f-$i | grep -q "^ok" || fail "f-$i refused"
done
out=$(POOL_CLIENT_NAME=flood "$BIN/pool_client" one "$CLIENTS" f-5)
echo "$out" | grep -q "queue_full" || fail "6th from one client not refused: $out"
for i in 0 1 2; do
  POOL_CLIENT_NAME=live "$BIN/pool_client" one "$CLIENTS" l-$i | grep -q "^ok" || fail "other client l-$i refused"
done
out=$(POOL_CLIENT_NAME=third "$BIN/pool_client" one "$CLIENTS" t-0)
echo "$out" | grep -q "queue_full" || fail "total bound not enforced: $out"
kill -0 $BROKER_PID || fail "broker died"
start_worker w1 2
wait_workers 1
"$BIN/judge" result --broker "$CLIENTS" --wait 30 f-4 | grep -q "AC" || fail "accepted flood work not judged"
"$BIN/judge" result --broker "$CLIENTS" --wait 30 l-2 | grep -q "AC" || fail "other client's work not judged"
# once drained, the flooder may submit again
for _ in $(seq 100); do
  out=$(POOL_CLIENT_NAME=flood "$BIN/pool_client" one "$CLIENTS" f-5)
  echo "$out" | grep -q "^ok" && break
  sleep 0.1
done
echo "$out" | grep -q "^ok" || fail "queue did not drain: $out"
echo "pool_backpressure: ok"
