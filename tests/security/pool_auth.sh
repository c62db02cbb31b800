#!/usr/bin/env bash
# pool_auth.sh — the real broker, worker and client with CURVE on: a judged
# submission works with the right keys; a worker holding a client key gets
# no jobs; a worker key, an unknown key and a keyless client cannot submit;
# one client cannot read another's result, nor cancel (admin only); events:
# a client key gets no PUB feed (admin only) and WATCHes only its own
# submissions (per-test events and the verdict), within the watch caps; the
# broker refuses to start without keys unless --insecure (and says so);
# SIGHUP admits a newly listed key and drops a removed one.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../pool/lib.sh
. "$here/../pool/lib.sh"
K=$T/keys
mkdir -m 700 "$K"
for k in broker w1 alice bob adm stranger newc; do
  "$BIN/pool_client" keygen "$K/$k" >"$K/$k.pub" || fail "keygen $k"
done
pub() { cat "$K/$1.pub"; }
cat >"$K/keys" <<KEYS
# test keys
worker $(pub w1) w1
client $(pub alice) alice
client $(pub bob) bob
admin $(pub adm) adm
KEYS
BK=$K/broker
# output only (its status ignored: under pipefail a refusal would fail the grep)
say() { as "$@" 2>&1 || true; }
as() { # key, then pool_client args
  local k=$1; shift
  POOL_CERT=$K/${k}_secret POOL_BROKER_KEY=$BK POOL_TIMEOUT_MS=${TMO:-20000} "$BIN/pool_client" "$@"
}

# 1. no keys and no --insecure: refused, with the reason
"$BIN/judge-broker" --clients "$CLIENTS" --data "$T/d0" >"$T/nokeys.out" 2>&1 && fail "broker started without keys"
grep -q -- "--insecure" "$T/nokeys.out" || fail "no hint at --keys/--insecure: $(cat "$T/nokeys.out")"
# --insecure says so in the log
timeout 5 "$BIN/judge-broker" --clients "$CLIENTS" --workers "$WORKERS" --events "$EVENTS" --data "$T/d1" --insecure \
  >"$T/insec.log" 2>&1 &
ip=$!
for _ in $(seq 30); do grep -q "every peer is treated as admin" "$T/insec.log" && break; sleep 0.1; done
grep -q "no authentication or encryption" "$T/insec.log" || fail "--insecure not logged: $(cat "$T/insec.log")"
kill "$ip"; wait "$ip" 2>/dev/null
# the shipped example config is secure and parses (paths overridden here)
"$BIN/judge-broker" --config "$here/../../ops/judgepool.conf.example" --keys "$K/keys" --cert "$K/broker_secret" \
  --clients "$CLIENTS" --workers "$WORKERS" --events "$EVENTS" --data "$T/d2" >"$T/example.log" 2>&1 &
ep=$!
for _ in $(seq 50); do grep -q "serving clients" "$T/example.log" && break; sleep 0.1; done
grep -q "CURVE on every socket" "$T/example.log" || fail "example config: $(cat "$T/example.log")"
kill "$ep"; wait "$ep" 2>/dev/null
grep -q "^insecure" "$here/../../ops/judgepool.conf.example" && fail "the example config is insecure"
# a worker needs its keys too
"$BIN/judge-worker" --broker "$WORKERS" --runner fake >"$T/wnokeys.out" 2>&1 && fail "worker started without keys"
grep -q -- "--insecure" "$T/wnokeys.out" || fail "worker: no hint: $(cat "$T/wnokeys.out")"

# 2. the broker with CURVE, keys and certificate from its config file
# (verbose = no: a boolean read as such; any value used to turn it on)
printf 'keys = %s\ncert = %s\nmax-watches = 2\nmax-watches-total = 3\nverbose = no\n' "$K/keys" "$K/broker_secret" >"$T/broker.conf"
BROKER_AUTH="--config $T/broker.conf" CLIENT_AUTH="--cert $K/adm_secret --broker-key $BK" start_broker
say adm status "$CLIENTS" | grep -q "^workers 0" || fail "admin cannot reach the broker"
grep -q "CURVE on every socket; 4 keys" "$T/broker.log" || fail "broker log does not say CURVE"

# 3. a worker with a client key: never registered, gets no jobs
WORKER_AUTH="--cert $K/alice_secret --broker-key $BK" start_worker impostor 2
say alice one "$CLIENTS" a-1 | grep -q "^ok a-1" || fail "alice cannot submit"
sleep 3
say adm status "$CLIENTS" | grep -q "^workers 0" || fail "a client key registered as a worker"
say alice get "$CLIENTS" a-1 | grep -q "^state queued" || fail "job went to the impostor: $(say alice get "$CLIENTS" a-1)"

# 4. the right worker key: the job is judged
WORKER_AUTH="--cert $K/w1_secret --broker-key $BK" start_worker w1 2
for _ in $(seq 100); do say alice get "$CLIENTS" a-1 | grep -q "^verdict" && break; sleep 0.1; done
say alice get "$CLIENTS" a-1 | grep -q "^verdict AC" || fail "judged submission: $(say alice get "$CLIENTS" a-1)"
grep -q "leased to worker" "$T/broker.log" && fail "verbose = no in the config turned verbose logging on"

# 5. ownership: bob may not read alice's submission, the admin may
say bob get "$CLIENTS" a-1 | grep -q "^error forbidden" || fail "bob read alice's result: $(say bob get "$CLIENTS" a-1)"
say adm get "$CLIENTS" a-1 | grep -q "^verdict AC" || fail "admin cannot read"
say bob one "$CLIENTS" a-1 | grep -q "error" || fail "bob reused alice's id"
# her own finished id again, same content: a duplicate, acknowledged
say alice one "$CLIENTS" a-1 | grep -q "^ok a-1" || fail "alice's resubmission refused: $(say alice one "$CLIENTS" a-1)"
# cancel is admin-only
as alice one "$CLIENTS" a-2 >/dev/null
say alice cancel "$CLIENTS" a-2 | grep -q "^error forbidden" || fail "a client may cancel"
say adm cancel "$CLIENTS" a-2 | grep -q "^ok" || fail "admin cannot cancel"
# drain is admin-only too (the judge CLI, with its --cert/--broker-key)
drain() { # key, then judge drain args
  local k=$1; shift
  "$BIN/judge" drain --broker "$CLIENTS" --cert "$K/${k}_secret" --broker-key "$BK" "$@" 2>&1
}
out=$(drain alice w1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "forbidden" || fail "a client may drain: rc $rc: $out"
drain adm w1 | grep -q "w1: draining" || fail "admin cannot drain: $(drain adm w1)"
drain adm --undo w1 | grep -q "w1: undrained" || fail "admin cannot undo a drain"

# 5b. events only to those allowed to read them. The PUB feed admits admin
# keys only: subscribed while alice's submission runs, alice sees nothing,
# the admin sees its events. alice follows her own over the clients socket
# (submitted with watch: per-test events, then the verdict); bob may not
# WATCH it (forbidden), by any path (judge watch included); the admin may.
as alice sub "$EVENTS" 6 >"$T/sub-alice.out" 2>&1 &
sa=$!
as adm sub "$EVENTS" 6 >"$T/sub-adm.out" 2>&1 &
sd=$!
sleep 1.5 # both subscriptions are up (or refused) before the events
as alice follow "$CLIENTS" a-w1 new >"$T/follow.out" 2>&1 || fail "alice cannot follow her own: $(cat "$T/follow.out")"
wait $sa $sd
grep -q "^events 0$" "$T/sub-alice.out" || fail "a client key got PUB events: $(cat "$T/sub-alice.out")"
n=$(sed -n 's/^events //p' "$T/sub-adm.out")
[ "${n:-0}" -ge 5 ] || fail "the admin feed missed alice's events: $(cat "$T/sub-adm.out")"
grep -q "^event queued" "$T/follow.out" || fail "follow: no queued event: $(cat "$T/follow.out")"
[ "$(grep -c "^event test " "$T/follow.out")" = 3 ] || fail "follow: per-test events: $(cat "$T/follow.out")"
grep -q "^event done" "$T/follow.out" && tail -1 "$T/follow.out" | grep -q "^verdict AC" ||
  fail "follow: no final verdict: $(cat "$T/follow.out")"
# bob: refused for alice's, running or finished; his own works
as alice one "$CLIENTS" a-w2 >/dev/null
say bob watchreq "$CLIENTS" a-w2 | grep -q "^error forbidden" || fail "bob watched alice's: $(say bob watchreq "$CLIENTS" a-w2)"
say bob watchreq "$CLIENTS" a-w1 | grep -q "^error forbidden" || fail "bob watched alice's finished one"
say bob follow "$CLIENTS" a-w1 | grep -q "^error .*forbidden" || fail "bob followed alice's: $(say bob follow "$CLIENTS" a-w1)"
out=$("$BIN/judge" watch --broker "$CLIENTS" --cert "$K/bob_secret" --broker-key "$BK" a-w1 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q forbidden || fail "judge watch of another key's submission: rc $rc: $out"
grep -q "verdict AC\|test " <<<"$out" && fail "judge watch leaked alice's results to bob: $out"
say adm watchreq "$CLIENTS" a-w1 | grep -q "^verdict AC" || fail "admin cannot watch alice's"
"$BIN/judge" watch --broker "$CLIENTS" --cert "$K/alice_secret" --broker-key "$BK" a-w1 >"$T/jw.out" 2>&1 ||
  fail "judge watch of her own: $(cat "$T/jw.out")"
grep -q "a-w1: AC" "$T/jw.out" || fail "judge watch: $(cat "$T/jw.out")"
# caps (max-watches 2 per key, 3 in all): submissions no worker takes stay
# queued, and their watches stay until they end
for i in 1 2 3; do POOL_LANG=rust as alice one "$CLIENTS" a-q$i >/dev/null || fail "a-q$i"; done
POOL_LANG=rust as bob one "$CLIENTS" b-q1 >/dev/null || fail "b-q1"
say alice watchreq "$CLIENTS" a-q1 | grep -q "^watching" || fail "first watch refused"
say alice watchreq "$CLIENTS" a-q1 | grep -q "^watching" || fail "watch again refused" # another connection
say alice watchreq "$CLIENTS" a-q3 | grep -q "^error queue_full: too many watched submissions for your key" ||
  fail "per-key watch cap: $(say alice watchreq "$CLIENTS" a-q3)"
say bob watchreq "$CLIENTS" b-q1 | grep -q "^watching" || fail "bob's watch refused for alice's cap"
say adm watchreq "$CLIENTS" a-q2 | grep -q "^error queue_full: the broker watches too many" ||
  fail "total watch cap: $(say adm watchreq "$CLIENTS" a-q2)"
# a client whose watch is refused still gets its verdict (it polls)
for q in a-q1 a-q2 a-q3 b-q1; do say adm cancel "$CLIENTS" $q | grep -q "^ok" || fail "cancel $q"; done
say alice follow "$CLIENTS" a-q3 | grep -q "^state cancelled\|^verdict" || fail "follow of a cancelled one"

# 6. refused: a worker key as a client, an unknown key, no key at all
TMO=2500 as w1 one "$CLIENTS" x-1 >"$T/w1.out" 2>&1 && fail "a worker key submitted: $(cat "$T/w1.out")"
TMO=2500 as stranger one "$CLIENTS" x-2 >"$T/st.out" 2>&1 && fail "an unknown key submitted"
POOL_TIMEOUT_MS=2500 "$BIN/pool_client" one "$CLIENTS" x-3 >"$T/plain.out" 2>&1 && fail "a keyless client submitted"
for f in w1 st plain; do grep -q "did not answer\|no reply" "$T/$f.out" || fail "$f: $(cat "$T/$f.out")"; done
say adm get "$CLIENTS" x-1 | grep -q "unknown_submission" || fail "refused submission stored"

# 7. SIGHUP: a newly listed key is admitted, a removed one is dropped
TMO=2500 as newc one "$CLIENTS" n-1 >/dev/null 2>&1 && fail "unlisted key admitted"
# bob follows a submission of his that runs through the reload (3 tests of
# 3 s each): once his key is removed its events must stop reaching him
TMO=5000 as bob follow "$CLIENTS" b-long new "verdict=AC sleep=9000" >"$T/bob-follow.out" 2>&1 &
bf=$!
for _ in $(seq 150); do grep -q "^event test" "$T/bob-follow.out" && break; sleep 0.1; done
grep -q "^event test" "$T/bob-follow.out" || fail "bob's follow: $(cat "$T/bob-follow.out")"
echo "client $(pub newc) newc" >>"$K/keys"
sed -i "/ bob$/d" "$K/keys"
kill -HUP "$BROKER_PID"
for _ in $(seq 50); do grep -q "keys file reloaded" "$T/broker.log" && break; sleep 0.1; done
grep -q "keys file reloaded, 4 keys, 1 removed" "$T/broker.log" || fail "reload not logged: $(tail -3 "$T/broker.log")"
wait $bf && fail "a removed key kept following: $(cat "$T/bob-follow.out")"
grep -q "^event done\|^verdict" "$T/bob-follow.out" && fail "a removed key got events after the reload: $(cat "$T/bob-follow.out")"
say adm get "$CLIENTS" b-long | grep -q "^verdict AC\|^state running" || fail "b-long: $(say adm get "$CLIENTS" b-long)"
say newc one "$CLIENTS" n-1 | grep -q "^ok n-1" || fail "newly listed key refused after SIGHUP"
TMO=2500 as bob one "$CLIENTS" b-1 >/dev/null 2>&1 && fail "removed key still admitted"
# a broken keys file keeps the old table
echo "garbage line" >>"$K/keys"
kill -HUP "$BROKER_PID"
for _ in $(seq 50); do grep -q "not reloaded" "$T/broker.log" && break; sleep 0.1; done
grep -q "not reloaded, the old keys stay" "$T/broker.log" || fail "bad keys file not reported"
say newc get "$CLIENTS" n-1 | grep -q "^state\|^verdict" || fail "old keys lost after a bad reload"
kill -0 "$BROKER_PID" || fail "broker died"
# the impostor worker and the removed key were refused at the handshake;
# the broker's 10 s report says so (they only saw silence)
for _ in $(seq 120); do grep -q "refused [0-9]* connection handshake" "$T/broker.log" && break; sleep 0.1; done
grep -q "refused [0-9]* connection handshake(s) in the last 10 s: a key not in" "$T/broker.log" ||
  fail "refused handshakes are not in the broker's log"
echo "pool_auth: ok"
