#!/usr/bin/env bash
# pool_priority.sh — a bulk campaign queued first cannot starve a live
# contest: contest submissions sent after 100 bulk ones are all finished
# while most of the bulk queue is still waiting (order of stored results).
. "$(dirname "$0")/lib.sh"
start_broker
start_worker w1 2
wait_workers 1
POOL_CLIENT_NAME=fuzzer "$BIN/pool_client" submit "$CLIENTS" bulk 100 100 3 >/dev/null 2>&1 || fail "bulk submit"
# STATUS_REPLY's queue by priority: 100 bulk jobs of 100 ms on 2 slots
# cannot all be gone yet
st=$("$BIN/pool_client" status "$CLIENTS" 2>&1)
echo "$st" | grep -q "^queued_bulk [1-9]" || fail "status lacks the bulk queue: $st"
echo "$st" | grep -q "^queued_contest 0" && echo "$st" | grep -q "^slots 2" || fail "status fields: $st"
POOL_CLIENT_NAME=contest "$BIN/pool_client" submit "$CLIENTS" live 6 0 0 >/dev/null 2>&1 || fail "contest submit"
out=$("$BIN/pool_client" check "$CLIENTS" live 6 60 2>&1) || fail "contest: $out"
out=$("$BIN/pool_client" check "$CLIENTS" bulk 100 120 2>&1) || fail "bulk: $out"
st=$("$BIN/pool_client" status "$CLIENTS" 2>&1)
echo "$st" | grep -q "^completed 106" || fail "status completed: $st"
echo "$st" | grep -q "^rate [0-9]" || fail "status rate: $st"
db="$T/data/journal.db"
last_live=$(sqlite3 "$db" "select max(rowid) from results where id like 'live-%'")
bulk_after=$(sqlite3 "$db" "select count(*) from results where id like 'bulk-%' and rowid > $last_live")
[ "$bulk_after" -ge 50 ] || fail "only $bulk_after bulk results came after the last contest result"
echo "pool_priority: ok ($bulk_after of 100 bulk finished after the contest)"
