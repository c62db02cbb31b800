#!/usr/bin/env bash
# pool_languages.sh — without a configured language list a SUBMIT may name
# only a language of the judging engine's built-in table or one a
# registered worker announced. Junk names (zz0, zz1, ...) used to be
# queued, journaled, and interned for good in the scheduler's 32-entry
# language table: 32 of them made the broker refuse every new language,
# every worker REGISTER with one included, and again after a restart.
. "$(dirname "$0")/lib.sh"
start_broker
out=$("$BIN/pool_rawclient" "$CLIENTS" subx:l-1:zz0:main.c:1 subx:l-2:go:main.c:1 subx:l-3:zzlang:main.c:1) ||
  fail "unanswered: $out"
[ "$out" = "1 ERROR bad_request
2 ACK dup=0
3 ERROR bad_request" ] || fail "junk, built-in (no worker), not yet announced: $out"
# a worker announcing a language of its own makes it submittable
start_worker w1 1 --languages c,zzlang
wait_workers 1
out=$("$BIN/pool_rawclient" "$CLIENTS" subx:l-4:zzlang:main.c:1) || fail "unanswered: $out"
[ "$out" = "1 ACK dup=0" ] || fail "a language a registered worker announced: $out"
# a flood of junk names is refused, and a worker with yet another new
# language still registers
ops=()
for i in $(seq 0 31); do ops+=("subx:j-$i:zz$i:main.c:1"); done
"$BIN/pool_rawclient" "$CLIENTS" "${ops[@]}" >"$T/junk.out" || fail "unanswered: $(cat "$T/junk.out")"
[ "$(grep -c "ERROR bad_request" "$T/junk.out")" = 32 ] || fail "junk languages: $(cat "$T/junk.out")"
start_worker w2 1 --languages newlang
wait_workers 2
kill -0 $BROKER_PID || fail "broker died"
[ "$(sqlite3 "$T/data/journal.db" "select count(*) from subs where id like 'j-%' or id in ('l-1', 'l-3')")" = 0 ] ||
  fail "refused submissions journaled"
echo "pool_languages: ok"
