#!/usr/bin/env bash
# cli_auth.sh — the judge command line against a broker with CURVE
# authentication: --cert / --broker-key (files or Z85) and the
# JUDGE_CERT / JUDGE_BROKER_KEY defaults let status and submit --broker
# through; a client without keys, or with a key the broker does not list,
# gets a bounded error naming the endpoint; bad key files are refused
# before any connection. Uses the fake runner (verdict from the source text).
. "$(dirname "$0")/lib.sh"
J="$BIN/judge"
K=$T/keys
mkdir -p "$K" "$T/prob"
"$J" keygen --out "$K/broker" >/dev/null || fail "keygen broker"
wpub=$("$J" keygen --out "$K/w" | sed -n 's/^public key: //p')
cpub=$("$J" keygen --out "$K/c" | sed -n 's/^public key: //p')
"$J" keygen --out "$K/stranger" >/dev/null || fail "keygen stranger"
bpub=$(sed -n 's/^ *public-key = "\(.*\)"$/\1/p' "$K/broker")
[ ${#bpub} = 40 ] || fail "broker public key not found in $K/broker"
printf 'worker %s w\nclient %s c\n' "$wpub" "$cpub" >"$K/allowed"

BROKER_AUTH="--keys $K/allowed --cert $K/broker_secret"
WORKER_AUTH="--cert $K/w_secret --broker-key $K/broker"
# start_broker polls `judge status` until it answers: give it the keys
export JUDGE_CERT=$K/c_secret JUDGE_BROKER_KEY=$K/broker
start_broker
start_worker w1 2
wait_workers 1

# explicit options override the environment
env -u JUDGE_CERT -u JUDGE_BROKER_KEY "$J" status --broker "$CLIENTS" --cert "$K/c_secret" --broker-key "$bpub" \
  >"$T/s.txt" 2>&1 || fail "status with --cert/--broker-key Z85: $(cat "$T/s.txt")"
grep -q "^workers *1" "$T/s.txt" || fail "status: $(cat "$T/s.txt")"

# submit --broker with the keys from the environment (fake runner: WA)
echo "x" >"$T/prob/problem.yaml"
printf '/* verdict=WA */\nint main(void){return 0;}\n' >"$T/wa.c"
timeout 60 "$J" submit --broker "$CLIENTS" --problem "$T/prob" --json --wait 30 "$T/wa.c" >"$T/sub.json" 2>&1 ||
  fail "submit with JUDGE_CERT: $(cat "$T/sub.json")"
grep -q '"verdict":"WA"' "$T/sub.json" || fail "submit verdict: $(cat "$T/sub.json")"

# status: the queue by priority (go: no worker has it, so they wait) and
# the throughput counters
for p in rejudge rejudge contest; do
  timeout 60 "$J" submit --broker "$CLIENTS" --problem "$T/prob" --lang go --priority $p --no-wait "$T/wa.c" \
    >/dev/null 2>"$T/e.txt" || fail "submit --lang go --priority $p: $(cat "$T/e.txt")"
done
"$J" status --broker "$CLIENTS" --json >"$T/st.json" 2>&1 || fail "status --json: $(cat "$T/st.json")"
grep -q '"queued_by_priority":{"contest":1,"normal":0,"rejudge":2,"bulk":0}' "$T/st.json" ||
  fail "status --json queue by priority: $(cat "$T/st.json")"
grep -q '"completed":1,' "$T/st.json" || fail "status --json completed: $(cat "$T/st.json")"
"$J" status --broker "$CLIENTS" >"$T/st.txt" 2>&1 || fail "status: $(cat "$T/st.txt")"
grep -q "^queued *3 (contest 1, normal 0, rejudge 2, bulk 0)" "$T/st.txt" || fail "status text: $(cat "$T/st.txt")"
grep -q "^done *1 since" "$T/st.txt" || fail "status text done line: $(cat "$T/st.txt")"
grep -q "^slots *2 free of 2" "$T/st.txt" || fail "status text slots line: $(cat "$T/st.txt")"

# a client key may not cancel: refused, and the message says why
sid=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$T/sub.json")
[ -n "$sid" ] || fail "no id in $(cat "$T/sub.json")"
timeout 60 "$J" cancel --broker "$CLIENTS" "$sid" >/dev/null 2>"$T/e.txt"; rc=$?
[ $rc = 2 ] && grep -q "admin" "$T/e.txt" || fail "cancel with a client key: rc $rc, $(cat "$T/e.txt")"

# no keys: plain sockets, which this broker never answers
timeout 60 env -u JUDGE_CERT -u JUDGE_BROKER_KEY "$J" status --broker "$CLIENTS" >/dev/null 2>"$T/e.txt"; rc=$?
[ $rc = 2 ] && grep -q "$CLIENTS" "$T/e.txt" && grep -q -- "--cert" "$T/e.txt" ||
  fail "status without keys: rc $rc, $(cat "$T/e.txt")"
# a key the broker does not list
timeout 60 "$J" status --broker "$CLIENTS" --cert "$K/stranger_secret" >/dev/null 2>"$T/e.txt"; rc=$?
[ $rc = 2 ] || fail "status with an unlisted key: rc $rc"
# bad files are refused at once, before connecting
"$J" status --broker "$CLIENTS" --cert "$T/nonexistent" 2>"$T/e.txt"; rc=$?
[ $rc = 2 ] && grep -q "nonexistent" "$T/e.txt" || fail "missing cert: rc $rc, $(cat "$T/e.txt")"
"$J" submit --broker "$CLIENTS" --problem "$T/prob" --broker-key "not-a-key" "$T/wa.c" 2>"$T/e.txt"; rc=$?
[ $rc = 2 ] && [ -s "$T/e.txt" ] || fail "bad broker key: rc $rc"
# --insecure against a CURVE broker: refused (no answer), bounded
timeout 60 "$J" status --broker "$CLIENTS" --insecure >/dev/null 2>"$T/e.txt"; rc=$?
[ $rc = 2 ] || fail "--insecure against a CURVE broker: rc $rc"
echo "cli_auth: ok"
