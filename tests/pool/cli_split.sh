#!/usr/bin/env bash
# cli_split.sh — the lean `judge` and `judge-net`: judge loads no ZeroMQ
# (so `judge run` starts fast), hands the network commands to judge-net with
# the same argv, says clearly when judge-net is missing; every command has
# --help (exit 0) and a bad option exits 2 with a message.
. "$(dirname "$0")/lib.sh"
J="$BIN/judge"
[ -x "$BIN/judge-net" ] || fail "judge-net not built next to judge"
if command -v ldd >/dev/null; then
  ldd "$J" >"$T/ldd.txt" 2>&1 || fail "ldd judge: $(cat "$T/ldd.txt")"
  grep -Eq "libzmq|libsqlite3|libmsgpack" "$T/ldd.txt" && fail "judge links network libraries: $(cat "$T/ldd.txt")"
  grep -q "libzmq" <(ldd "$BIN/judge-net") || fail "judge-net does not link libzmq (stale build?)"
fi
"$J" --version | grep -q "^judge (judgepool)" || fail "judge --version"

for c in run submit batch status watch result cancel keygen; do
  "$J" "$c" --help >"$T/h.txt" 2>&1; rc=$?
  [ $rc = 0 ] || fail "judge $c --help: rc $rc"
  grep -q "usage: judge $c" "$T/h.txt" || fail "judge $c --help: no usage line: $(head -3 "$T/h.txt")"
  "$J" "$c" --no-such-option >"$T/o.txt" 2>"$T/e.txt"; rc=$?
  [ $rc = 2 ] || fail "judge $c --no-such-option: rc $rc (want 2)"
  [ -s "$T/e.txt" ] || fail "judge $c --no-such-option: no message"
done
"$J" frobnicate 2>"$T/e.txt"; rc=$?
[ $rc = 2 ] && grep -q "unknown command" "$T/e.txt" || fail "unknown command: rc $rc"

# network commands reach judge-net with their arguments: an unreachable
# broker is named in the error (so the endpoint made it through the exec)
timeout 60 "$J" status --broker "$CLIENTS" >/dev/null 2>"$T/e.txt"; rc=$?
[ $rc = 2 ] && grep -q "$CLIENTS" "$T/e.txt" || fail "status via judge-net: rc $rc, $(cat "$T/e.txt")"

# judge alone, without judge-net next to it
mkdir "$T/alone"
cp "$J" "$T/alone/judge"
"$T/alone/judge" status --broker "$CLIENTS" 2>"$T/e.txt"; rc=$?
[ $rc = 2 ] && grep -q "judge-net" "$T/e.txt" || fail "missing judge-net: rc $rc, $(cat "$T/e.txt")"
"$T/alone/judge" submit --broker "$CLIENTS" --problem /nonexistent x.c 2>"$T/e.txt"; rc=$?
[ $rc = 2 ] && grep -q "judge-net" "$T/e.txt" || fail "submit --broker without judge-net: rc $rc, $(cat "$T/e.txt")"
"$T/alone/judge" --version >/dev/null || fail "judge alone: --version"
echo "cli_split: ok"
