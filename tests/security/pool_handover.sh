#!/usr/bin/env bash
# pool_handover.sh — with CURVE, a worker's routing id belongs to the key
# that registered it. The workers socket hands a routing id over to the
# newest connection presenting it (so a worker keeps its leases across its
# own reconnects); a connection under another worker key presenting the
# same id gets no answer to its REGISTER and heartbeats, and the worker
# that registered it keeps its lease and reports its result. (libzmq leaves
# the replaced connection open but deaf: the worker notices the silence and
# reconnects, taking its id back, as judge-worker does after 5 s; the
# lease here outlasts that by far.)
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../pool/lib.sh
. "$here/../pool/lib.sh"
K=$T/keys
mkdir -m 700 "$K"
for k in broker w1 w2 adm; do
  "$BIN/pool_client" keygen "$K/$k" >"$K/$k.pub" || fail "keygen $k"
done
printf 'worker %s w1\nworker %s w2\nadmin %s adm\n' "$(cat "$K/w1.pub")" "$(cat "$K/w2.pub")" \
  "$(cat "$K/adm.pub")" >"$K/keys"
BK=$K/broker
BROKER_AUTH="--keys $K/keys --cert $K/broker_secret" CLIENT_AUTH="--cert $K/adm_secret --broker-key $BK" \
  LEASE_MS=10000 start_broker --max-attempts 3 --verbose
raw() { # key, then pool_rawworker args; the same routing id for both keys
  local k=$1; shift
  POOL_RID=jw-shared POOL_CERT=$K/${k}_secret POOL_BROKER_KEY=$BK "$BIN/pool_rawworker" "$@"
}
POOL_CERT=$K/adm_secret POOL_BROKER_KEY=$BK "$BIN/pool_client" one "$CLIENTS" held-1 | grep -q "^ok" ||
  fail "submit held-1"
raw w1 hold "$WORKERS" 8 >"$T/holder.out" 2>&1 &
holder=$!
PIDS+=("$holder")
for _ in $(seq 100); do grep -q "^attempt 1" "$T/holder.out" && break; sleep 0.1; done
grep -q "^attempt 1" "$T/holder.out" || fail "w1 got no job: $(cat "$T/holder.out")"
out=$(raw w2 intrude "$WORKERS") || fail "intruder: $out"
[ "$out" = "replies 0" ] || fail "w2 on w1's routing id was answered: $out"
wait "$holder" || fail "w1 lost its job: $(cat "$T/holder.out")"
grep -q "^acked" "$T/holder.out" || fail "w1's result not acknowledged: $(cat "$T/holder.out")"
v=$(sqlite3 "$T/data/journal.db" "select verdict from results where id = 'held-1'")
a=$(sqlite3 "$T/data/journal.db" "select attempts from subs where id = 'held-1'")
[ "$v" = AC ] && [ "$a" = 1 ] || fail "held-1: verdict '$v', attempts '$a' (w1's result on its first lease expected)"
grep -q "registered by another key" "$T/broker.log" || fail "the broker did not drop w2's messages"
if grep -E "lease expired|requeued" "$T/broker.log"; then fail "w1's lease was lost"; fi
[ "$(grep -c "worker raw registered" "$T/broker.log")" = 1 ] || fail "w2's REGISTER was taken"
echo "pool_handover: ok"
