#!/usr/bin/env bash
# test_keygen.sh JUDGE — `judge keygen` end to end: writes a public and a
# 0600 secret certificate whose keys match what it printed, refuses to
# overwrite, --force replaces.
set -euo pipefail
judge=$1
dir=$(mktemp -d /tmp/jp-keygen-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$("$judge" keygen --out "$dir/w1")
pub=$(printf '%s\n' "$out" | sed -n 's/^public key: //p')
[ ${#pub} -eq 40 ] || fail "no 40-character public key printed: $out"
[ "$(stat -c %a "$dir/w1_secret")" = 600 ] || fail "secret mode $(stat -c %a "$dir/w1_secret")"
grep -qxF "    public-key = \"$pub\"" "$dir/w1" || fail "public cert lacks the printed key"
grep -qxF "    public-key = \"$pub\"" "$dir/w1_secret" || fail "secret cert lacks the public key"
grep -q '^    secret-key = "' "$dir/w1_secret" || fail "secret cert lacks secret-key"
grep -q 'secret-key' "$dir/w1" && fail "public cert contains the secret key"
printf '%s\n' "$out" | grep -qF "ROLE $pub w1" || fail "no keys-file line printed"

if "$judge" keygen --out "$dir/w1" 2>"$dir/err"; then fail "overwrote an existing pair"; fi
grep -q exists "$dir/err" || fail "unhelpful message: $(cat "$dir/err")"
grep -qxF "    public-key = \"$pub\"" "$dir/w1" || fail "refused run changed the file"

out2=$("$judge" keygen --out "$dir/w1" --force)
pub2=$(printf '%s\n' "$out2" | sed -n 's/^public key: //p')
[ "$pub2" != "$pub" ] || fail "--force did not make a new key"
grep -qxF "    public-key = \"$pub2\"" "$dir/w1_secret" || fail "--force did not replace"
[ "$(stat -c %a "$dir/w1_secret")" = 600 ] || fail "secret mode after --force"
"$judge" keygen --bogus >/dev/null 2>&1 && fail "bad option accepted"
echo "keygen ok"
