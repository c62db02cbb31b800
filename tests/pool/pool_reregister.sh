#!/usr/bin/env bash
# pool_reregister.sh — broker rules a well-behaved worker never tests:
# a worker that REGISTERs again on the same connection without reporting
# its job loses the lease and the attempt counts (PROTOCOL.md 6.3), up to
# the cap (IE); a worker whose heartbeats do not name a lease (its JOB
# never arrived) has that lease expire and the job dispatched again,
# instead of renewed until the job timeout (PROTOCOL.md 6.1); and a worker asking for many big blobs without reading gets
# at most its byte budget queued, the rest refused with queue_full; and
# the broker's language list.
. "$(dirname "$0")/lib.sh"
start_broker --max-attempts 3 --max-peer-mb 16 --languages c,cpp
# a language outside the broker's list is refused; a listed one no worker
# speaks yet is queued (workers may come later)
out=$(POOL_LANG=cobol "$BIN/pool_client" one "$CLIENTS" lang-1)
echo "$out" | grep -q "unknown language" || fail "unlisted language accepted: $out"
POOL_LANG=cpp "$BIN/pool_client" one "$CLIENTS" lang-2 | grep -q "^ok" || fail "listed language refused"
"$BIN/pool_client" cancel "$CLIENTS" lang-2 | grep -q "^ok" || fail "cancel lang-2"
"$BIN/pool_client" one "$CLIENTS" rr-1 | grep -q "^ok" || fail "submit"
out=$(timeout 60 "$BIN/pool_rawworker" reregister "$WORKERS" 4)
[ "$(echo "$out" | grep -c '^attempt')" = 3 ] || fail "expected 3 dispatches then IE: $out"
echo "$out" | head -3 | tr '\n' ' ' | grep -q "attempt 1 attempt 2 attempt 3" || fail "attempts not counted: $out"
for _ in $(seq 50); do
  v=$(sqlite3 "$T/data/journal.db" "select verdict from results where id = 'rr-1'")
  [ -n "$v" ] && break
  sleep 0.1
done
[ "$v" = IE ] || fail "rr-1 after 3 lost leases: '$v'"

# a JOB the worker never got: its heartbeats name no lease
"$BIN/pool_client" one "$CLIENTS" lost-1 | grep -q "^ok" || fail "submit lost-1"
out=$(timeout 60 "$BIN/pool_rawworker" forget "$WORKERS")
[ "$(echo "$out" | tr '\n' ' ')" = "attempt 1 attempt 2 " ] || fail "an unnamed lease was not given up: $out"
grep -q "lost-1: lease expired" "$T/broker.log" || fail "lost-1: no lease expired"

# a 4 MiB blob put straight into the broker's store, asked for 40 times
head -c $((4 << 20)) /dev/urandom >"$T/big"
h=$(sha256sum "$T/big" | cut -c1-64)
mkdir -p "$T/data/blobs/${h:0:2}"
cp "$T/big" "$T/data/blobs/${h:0:2}/$h"
out=$(timeout 60 "$BIN/pool_rawworker" blobflood "$WORKERS" "$h" 40)
b=$(echo "$out" | awk '{print $2}') r=$(echo "$out" | awk '{print $4}')
# 16 MiB budget = 4 blobs, plus what drains (64 MiB/s) while the broker
# answers: generous, but far below 40
[ "${b:-0}" -ge 1 ] && [ "${b:-0}" -le 30 ] && [ "${r:-0}" -ge 10 ] || fail "blob budget: $out"
[ $((b + r)) = 40 ] || fail "every request answered: $out"
kill -0 "$BROKER_PID" || fail "broker died"
echo "pool_reregister: ok ($out)"
