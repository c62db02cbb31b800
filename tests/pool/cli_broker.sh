#!/usr/bin/env bash
# cli_broker.sh — `judge submit --broker` and `judge batch --broker` through a
# real broker and a real judging worker on loopback: the same verdicts as
# --local (AC, WA, CE), live progress on a terminal, --all-tests, scores of
# scoring problems only, --no-wait / --id, the batch summary, and clear errors
# for an unreachable broker and bad options. Skipped (77) where the local
# engine cannot judge (no root / no box).
. "$(dirname "$0")/lib.sh"
EX=${EXAMPLES:?}
P=$EX/problems/sum
J="$BIN/judge"
[ -x "$BIN/judge-net" ] || fail "judge-net not built next to judge"
[ -d "$P" ] || { echo "skipped: no example problem"; exit 77; }
AC=$P/submissions/accepted/sum.c
WA=$P/submissions/wrong_answer/int32.c
CE=$P/submissions/compile_error/syntax.c
timeout 120 "$J" submit --local --problem "$P" --json "$AC" >"$T/local-ac.json" 2>"$T/local.log" ||
  { echo "skipped: local judging does not work here"; cat "$T/local.log"; exit 77; }
grep -q '"verdict":"AC"' "$T/local-ac.json" || { echo "skipped: local judge did not give AC"; exit 77; }

verdict() { sed -n 's/.*"verdict":"\([A-Z]*\)".*/\1/p' "$1" | head -1; }

# usage errors never reach the network: exit 2 with a sentence
"$J" submit --broker "$CLIENTS" --priority urgent --problem "$P" "$AC" 2>"$T/e.txt"; rc=$?
[ $rc = 2 ] && grep -q "priority must be" "$T/e.txt" || fail "bad --priority: rc $rc, $(cat "$T/e.txt")"
"$J" submit --priority bulk --problem "$P" "$AC" 2>"$T/e.txt"; rc=$?
[ $rc = 2 ] && grep -q "need --broker" "$T/e.txt" || fail "--priority without --broker: rc $rc, $(cat "$T/e.txt")"
"$J" submit --broker "$CLIENTS" --time-limit 3 --problem "$P" "$AC" 2>"$T/e.txt"; rc=$?
[ $rc = 2 ] && grep -q "time-limit is for --local" "$T/e.txt" || fail "--time-limit with --broker: rc $rc"
"$J" submit --broker "$CLIENTS" --id 'bad id!' --problem "$P" "$AC" 2>"$T/e.txt"; rc=$?
[ $rc = 2 ] && grep -q -- "--id must be" "$T/e.txt" || fail "bad --id: rc $rc, $(cat "$T/e.txt")"
"$J" batch --broker "$CLIENTS" --jobs 2 --problem "$P" "$AC" 2>"$T/e.txt"; rc=$?
[ $rc = 2 ] && grep -q "jobs is for --local" "$T/e.txt" || fail "batch --jobs with --broker: rc $rc"

# nobody listens yet: a bounded wait and an error that names the endpoint
timeout 60 "$J" submit --broker "$CLIENTS" --problem "$P" "$AC" >"$T/o.txt" 2>"$T/e.txt"; rc=$?
[ $rc = 2 ] || fail "unreachable broker: rc $rc (want 2)"
grep -q "$CLIENTS" "$T/e.txt" || fail "unreachable broker: error does not name the endpoint: $(cat "$T/e.txt")"

start_broker
# shellcheck disable=SC2086
start_real_worker real 2
wait_workers 1
"$J" status --broker "$CLIENTS" --json >"$T/s.json" 2>&1 || fail "status --json: $(cat "$T/s.json")"
grep -q '"workers":1' "$T/s.json" || fail "status --json: $(cat "$T/s.json")"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/s.json" 2>/dev/null || ! command -v python3 >/dev/null ||
  fail "status --json is not JSON: $(cat "$T/s.json")"

for s in AC WA CE; do
  src=${!s}
  timeout 120 "$J" submit --local --problem "$P" --json "$src" >"$T/l.json" 2>>"$T/local.log" || fail "local $s"
  timeout 120 "$J" submit --broker "$CLIENTS" --problem "$P" --json --wait 100 "$src" >"$T/b.json" 2>"$T/b.err" ||
    fail "broker $s: $(cat "$T/b.err")"
  lv=$(verdict "$T/l.json") bv=$(verdict "$T/b.json")
  [ "$lv" = "$s" ] || fail "local verdict of $src: $lv (want $s)"
  [ "$bv" = "$lv" ] || fail "broker verdict of $src: $bv, local: $lv"
  grep -q '"tests":\[' "$T/b.json" || fail "broker JSON has no tests array: $(cat "$T/b.json")"
done

# the table, as --local prints it
timeout 120 "$J" submit --broker "$CLIENTS" --problem "$P" --wait 100 "$WA" >"$T/t.txt" 2>&1 || fail "table: $(cat "$T/t.txt")"
grep -q "^verdict: WA" "$T/t.txt" || fail "table has no verdict line: $(cat "$T/t.txt")"
grep -q "^test " "$T/t.txt" || fail "table has no header: $(cat "$T/t.txt")"

# live per-test progress on a terminal (through WATCH on the clients
# socket), as --local shows it, then the same table
if command -v script >/dev/null; then
  timeout 120 script -qec "'$J' submit --broker '$CLIENTS' --problem '$P' --wait 100 '$WA'" /dev/null >"$T/tty.txt" 2>&1 ||
    fail "submit on a terminal: $(cat "$T/tty.txt")"
  timeout 120 script -qec "'$J' submit --local --problem '$P' '$WA'" /dev/null >"$T/ltty.txt" 2>&1 ||
    fail "local submit on a terminal: $(cat "$T/ltty.txt")"
  for line in "sample/1 AC" "secret/02 WA"; do
    l=$(grep -ao "\[[0-9]*/[0-9]*\] $line" "$T/ltty.txt" | head -1)
    [ -n "$l" ] || fail "local progress lacks '$line': $(cat -v "$T/ltty.txt")"
    grep -aqF "$l" "$T/tty.txt" || fail "no live progress '$l' (as --local) on a terminal: $(cat -v "$T/tty.txt")"
  done
  grep -q "^verdict: .*WA" "$T/tty.txt" || fail "no table after the progress: $(cat -v "$T/tty.txt")"
fi

# --all-tests travels to the worker: every test runs, as with --local
tests_of() { grep -o '"name":"[^"]*","group":"[^"]*","verdict":"[A-Z]*"' "$1" | tr '\n' ' '; }
timeout 120 "$J" submit --local --all-tests --problem "$P" --json "$WA" >"$T/la.json" 2>>"$T/local.log" || fail "local --all-tests"
timeout 120 "$J" submit --broker "$CLIENTS" --all-tests --problem "$P" --json --wait 100 "$WA" >"$T/ba.json" 2>"$T/ba.err" ||
  fail "broker --all-tests: $(cat "$T/ba.err")"
[ "$(tests_of "$T/ba.json")" = "$(tests_of "$T/la.json")" ] ||
  fail "--all-tests: broker ran $(tests_of "$T/ba.json"), local $(tests_of "$T/la.json")"
n_all=$(grep -o '"verdict":"[A-Z]*"' "$T/ba.json" | wc -l) n_stop=$(grep -o '"verdict":"[A-Z]*"' "$T/b.json" | wc -l)
[ "$n_all" -gt "$((n_stop + 1))" ] || fail "--all-tests ran $n_all tests, the default $n_stop"

# the result says whether the problem is scored: scores exactly as --local
# prints them for a scoring problem, none per test (and no score in the
# table) for a pass-fail one
S=$EX/problems/subtasks
PA=$S/submissions/partially_accepted/int32.c
scores() { grep -o '"score":[0-9.e+-]*' "$1" | tr '\n' ' '; }
timeout 120 "$J" submit --local --problem "$S" --json "$PA" >"$T/ls.json" 2>>"$T/local.log" || fail "local scoring"
timeout 120 "$J" submit --broker "$CLIENTS" --problem "$S" --json --wait 100 "$PA" >"$T/bs.json" 2>"$T/bs.err" ||
  fail "broker scoring: $(cat "$T/bs.err")"
grep -q '^{"id":"[^"]*","lang":"c","verdict":"WA","score":30,' "$T/bs.json" || fail "scoring JSON: $(cat "$T/bs.json")"
[ "$(scores "$T/bs.json")" = "$(scores "$T/ls.json")" ] || fail "scores: broker $(scores "$T/bs.json"), local $(scores "$T/ls.json")"
grep -q '"group":"[^"]*","verdict":"[A-Z]*","score"' "$T/ba.json" && fail "a pass-fail problem's tests have scores: $(cat "$T/ba.json")"
grep -q '"group":"[^"]*","verdict":"[A-Z]*","score"' "$T/bs.json" || fail "a scoring problem's tests have no scores: $(cat "$T/bs.json")"
timeout 120 "$J" submit --broker "$CLIENTS" --problem "$S" --wait 100 "$PA" >"$T/bs.txt" 2>&1 || fail "scoring table"
grep -q "^verdict: WA  score: 30 " "$T/bs.txt" || fail "scoring table: $(cat "$T/bs.txt")"
grep -q "score" "$T/t.txt" && fail "a pass-fail table shows a score: $(cat "$T/t.txt")"

# --no-wait --id: the id comes back at once; the same id again is a duplicate,
# and `judge result` finds it
timeout 60 "$J" submit --broker "$CLIENTS" --problem "$P" --id cli-test-1 --no-wait --priority contest "$AC" \
  >"$T/id.txt" 2>&1 || fail "--no-wait: $(cat "$T/id.txt")"
[ "$(cat "$T/id.txt")" = cli-test-1 ] || fail "--no-wait printed '$(cat "$T/id.txt")' (want cli-test-1)"
timeout 60 "$J" submit --broker "$CLIENTS" --problem "$P" --id cli-test-1 --no-wait --priority contest --json "$AC" >"$T/id.json" 2>"$T/id.err" ||
  fail "--no-wait again: $(cat "$T/id.err")"
grep -q '"duplicate":true' "$T/id.json" || fail "resubmitted id not reported duplicate: $(cat "$T/id.json")"
timeout 120 "$J" result --broker "$CLIENTS" --wait 100 cli-test-1 >"$T/r.txt" 2>&1 || fail "result of cli-test-1: $(cat "$T/r.txt")"
grep -q "cli-test-1: AC" "$T/r.txt" || fail "result of cli-test-1: $(cat "$T/r.txt")"
# the same id for different content is refused, and says so
timeout 60 "$J" submit --broker "$CLIENTS" --problem "$P" --id cli-test-1 --no-wait "$WA" >/dev/null 2>"$T/e.txt"; rc=$?
[ $rc = 2 ] && grep -q "id is taken" "$T/e.txt" || fail "reused id: rc $rc, $(cat "$T/e.txt")"

# batch: one line per file and the summary with per-verdict counts
timeout 200 "$J" batch --broker "$CLIENTS" --problem "$P" --wait 180 "$AC" "$WA" "$CE" "$AC" >"$T/batch.txt" 2>"$T/batch.err" ||
  fail "batch --broker: $(cat "$T/batch.txt" "$T/batch.err")"
grep -q "summary: 4 submissions" "$T/batch.txt" || fail "no batch summary: $(cat "$T/batch.txt")"
grep -Eq "^  AC +2$" "$T/batch.txt" || fail "batch summary AC count: $(cat "$T/batch.txt")"
grep -Eq "^  WA +1$" "$T/batch.txt" || fail "batch summary WA count: $(cat "$T/batch.txt")"
grep -Eq "^  CE +1$" "$T/batch.txt" || fail "batch summary CE count: $(cat "$T/batch.txt")"
[ "$(grep -c "sum.c .*AC" "$T/batch.txt")" = 2 ] || fail "batch lines: $(cat "$T/batch.txt")"
echo "cli_broker: ok"
