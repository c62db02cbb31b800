#!/usr/bin/env bash
# pool_damaged_journal.sh — a queued submission whose stored SUBMIT was
# damaged on disk while the broker was down ends as IE when the broker
# reads its journal back, once, instead of being sent to workers; the other
# queued submissions are judged as in a calm run, and the broker serves on.
. "$(dirname "$0")/lib.sh"
start_broker
"$BIN/pool_client" submit "$CLIENTS" d 12 >"$T/d.out" 2>&1 || fail "submit: $(cat "$T/d.out")"
kill $BROKER_PID; wait $BROKER_PID 2>/dev/null
# d-1: cut short; d-3: a map that is no SUBMIT; d-5: a SUBMIT of the right
# shape whose lang is a number instead of a string (only a full decode sees it)
db=$T/data/journal.db
sqlite3 "$db" "select writefile('$T/d5', payload) from subs where id = 'd-5'" >/dev/null
perl -0777 -pi -e 's/\xa4lang\xa1c/\xa4lang\x01/ or die' "$T/d5" || fail "the lang of d-5 is not where this test expects it"
sqlite3 "$db" "update subs set payload = substr(payload, 1, 20) where id = 'd-1';
  update subs set payload = x'81a474797065a3424f42' where id = 'd-3';
  update subs set payload = readfile('$T/d5') where id = 'd-5';" || fail "could not damage the journal"
start_broker
start_worker w1 2
wait_workers 1
for _ in $(seq 300); do [ "$(count_results d)" = 12 ] && break; sleep 0.1; done
[ "$(count_results d)" = 12 ] || fail "results: $(count_results d) of 12"
for id in d-1 d-3 d-5; do
  v=$("$BIN/pool_client" get "$CLIENTS" $id)
  [ "$v" = "verdict IE" ] || fail "$id: $v (wanted IE)"
  grep -q "$id: stored submission unreadable" "$T/broker.log" || fail "$id: no log line saying why"
done
# the undamaged ones got their calm-run verdicts (pool_client check knows
# them by index); the 3 damaged ones are the only ones off
out=$("$BIN/pool_client" check "$CLIENTS" d 12 60 2>&1) && fail "check passed with 3 damaged: $out"
echo "$out" | grep -q "^ok 9 wrong 3 missing 0$" || fail "check: $out"
[ "$(grep -c "stored submission unreadable" "$T/broker.log")" = 3 ] || fail "each damaged submission should be refused once"
kill -0 $BROKER_PID || fail "broker died"
echo "pool_damaged_journal: ok"
