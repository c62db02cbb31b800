#!/usr/bin/env bash
# pool_watch.sh — WATCH over the clients socket, the broker side: a
# watcher whose connection is gone loses its watches at the first event
# (no state left behind, its key's cap is free again), and a client
# following a submission across a kill -9 and restart of the broker still
# gets the final verdict, and progress again after the restart; one whose
# final event is lost gets the verdict all the same.
. "$(dirname "$0")/lib.sh"
start_broker --verbose --max-watches 1
"$BIN/pool_client" one "$CLIENTS" g-1 >/dev/null || fail "submit g-1"
# no worker yet: g-1 waits. This watcher exits at once: its connection goes
"$BIN/pool_client" watchreq "$CLIENTS" g-1 | grep -q "^watching" || fail "watch g-1"
out=$("$BIN/pool_client" watchreq "$CLIENTS" g-1)
grep -q "^error queue_full" <<<"$out" || fail "the cap of 1 watch (held by the gone connection): $out"
start_worker w1 1
wait_workers 1
for _ in $(seq 100); do grep -q "g-1: a watcher's connection is gone; 1 watches dropped" "$T/broker.log" && break; sleep 0.1; done
grep -q "g-1: a watcher's connection is gone; 1 watches dropped" "$T/broker.log" || fail "gone watcher not dropped"

# follow across a broker restart (each fake test sleeps 1.5 s)
"$BIN/pool_client" follow "$CLIENTS" r-1 new "verdict=WA sleep=4500" >"$T/follow.out" 2>&1 &
fp=$!
PIDS+=($fp)
for _ in $(seq 100); do grep -q "^event test" "$T/follow.out" && break; sleep 0.1; done
grep -q "^event test" "$T/follow.out" || fail "no progress before the restart: $(cat "$T/follow.out")"
{ kill -9 "$BROKER_PID"; wait "$BROKER_PID"; } 2>/dev/null
before=$(wc -l <"$T/follow.out")
sleep 1
start_broker --verbose --max-watches 1
wait "$fp" || fail "follow across the restart: $(cat "$T/follow.out")"
tail -1 "$T/follow.out" | grep -q "^verdict WA" || fail "no verdict after the restart: $(cat "$T/follow.out")"
tail -n +"$((before + 1))" "$T/follow.out" | grep -q "^event test" ||
  fail "no progress after the restart (re-WATCH): $(cat "$T/follow.out")"

# the final event lost (here every event: the follower claims a watch it
# never asked for): the WATCH sent after the silence brings the verdict
"$BIN/pool_client" one "$CLIENTS" l-1 >/dev/null || fail "submit l-1"
for _ in $(seq 100); do "$BIN/pool_client" get "$CLIENTS" l-1 | grep -q "^verdict" && break; sleep 0.1; done
out=$("$BIN/pool_client" follow "$CLIENTS" l-1 lost) || fail "follow with the final event lost: $out"
[ "$out" = "verdict AC" ] || fail "follow with the final event lost: $out"
echo "pool_watch: ok"
