#!/usr/bin/env bash
# e2e_packages.sh JUDGE — `judge submit` on broken and unusual packages
# built in a temp dir: each broken one exits 2 with the offending file
# named (never a crash, never a verdict); a Python validator, a validator
# that misbehaves (IE, exit 0), usage errors, the table output.
# Needs root (the box); exits 77 (skipped) otherwise.
set -uo pipefail
judge=$1
if [ "$(id -u)" -ne 0 ]; then
  echo "e2e_packages: needs root for the box; skipped"
  exit 77
fi
tmp=$(mktemp -d /tmp/jp-judge-pkgs-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cache="$tmp/cache"
fail=0
check() { # name, expected rc, regex on stderr+stdout, command...
  local name=$1 want=$2 re=$3; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -ne "$want" ] || ! grep -Eq -- "$re" <<<"$out"; then
    echo "FAIL $name: rc=$rc (want $want), output:"; echo "$out" | head -20
    fail=$((fail + 1))
  else
    echo "ok   $name"
  fi
}

# A good base package: echo the input.
mk() { # dir
  mkdir -p "$1/data/sample" "$1/data/secret"
  printf 'name: Echo\nlimits:\n  time_limit: 1\n  memory: 128\n' >"$1/problem.yaml"
  printf 'hello\n' >"$1/data/sample/1.in"; printf 'hello\n' >"$1/data/sample/1.ans"
  printf 'world\n' >"$1/data/secret/1.in"; printf 'world\n' >"$1/data/secret/1.ans"
}
cat >"$tmp/echo.c" <<'EOF'
#include <stdio.h>
int main(void) { char s[100]; if (scanf("%99s", s) == 1) puts(s); return 0; }
EOF
cat >"$tmp/wrong.c" <<'EOF'
#include <stdio.h>
int main(void) { puts("nope"); return 0; }
EOF

mk "$tmp/good"
check "good package, table output" 0 "verdict: AC" "$judge" submit --cache-dir "$cache" --problem "$tmp/good" "$tmp/echo.c"
check "json output" 0 '"verdict":"AC"' "$judge" submit --json --cache-dir "$cache" --problem "$tmp/good" "$tmp/echo.c"
check "stop at first failure" 0 '1 test not run' "$judge" submit --cache-dir "$cache" --problem "$tmp/good" "$tmp/wrong.c"
check "--all-tests" 0 'secret/1 +WA' "$judge" submit --all-tests --cache-dir "$cache" --problem "$tmp/good" "$tmp/wrong.c"
check "usage: no problem" 2 "need --problem" "$judge" submit "$tmp/echo.c"
check "usage: bad option" 2 "usage" "$judge" submit --bogus --problem "$tmp/good" "$tmp/echo.c"
check "unknown language" 2 "unknown language 'cobol'" "$judge" submit --lang cobol --cache-dir "$cache" --problem "$tmp/good" "$tmp/echo.c"
cp "$tmp/echo.c" "$tmp/echo.unknownext"
check "language not inferable" 2 "give --lang" "$judge" submit --cache-dir "$cache" --problem "$tmp/good" "$tmp/echo.unknownext"
check "missing source" 2 "nonexistent.c" "$judge" submit --cache-dir "$cache" --problem "$tmp/good" "$tmp/nonexistent.c"

mk "$tmp/nodata"; rm -rf "$tmp/nodata/data"
check "missing data" 2 "nodata/data is missing" "$judge" submit --cache-dir "$cache" --problem "$tmp/nodata" "$tmp/echo.c"
mk "$tmp/noans"; rm "$tmp/noans/data/secret/1.ans"
check "missing answer" 2 "secret/1.in has no answer file" "$judge" submit --cache-dir "$cache" --problem "$tmp/noans" "$tmp/echo.c"
mk "$tmp/badyaml"; printf 'name: [oops\n' >"$tmp/badyaml/problem.yaml"
check "unreadable yaml" 2 "badyaml/problem.yaml:[0-9]+: invalid YAML" "$judge" submit --cache-dir "$cache" --problem "$tmp/badyaml" "$tmp/echo.c"
mk "$tmp/escape"; ln -s /etc/passwd "$tmp/escape/data/secret/2.in"; printf 'x\n' >"$tmp/escape/data/secret/2.ans"
check "symlink escaping the package" 2 "secret/2.in points outside the problem package" "$judge" submit --cache-dir "$cache" --problem "$tmp/escape" "$tmp/echo.c"
mk "$tmp/device"; mknod "$tmp/device/data/secret/2.in" c 1 3; printf 'x\n' >"$tmp/device/data/secret/2.ans"
check "device file as test input" 2 "2.in is not a regular file" "$judge" submit --cache-dir "$cache" --problem "$tmp/device" "$tmp/echo.c"
mk "$tmp/absurd"; printf 'limits:\n  memory: 100000000\n' >"$tmp/absurd/problem.yaml"
check "absurd memory limit" 2 "limits.memory" "$judge" submit --cache-dir "$cache" --problem "$tmp/absurd" "$tmp/echo.c"
mk "$tmp/badflag"; printf 'validator_flags: float_tolerance banana\n' >"$tmp/badflag/problem.yaml"
check "bad default-validator flag" 2 "float_tolerance: 'banana'" "$judge" submit --cache-dir "$cache" --problem "$tmp/badflag" "$tmp/echo.c"
mk "$tmp/deep"; python3 -c "print('name: ' + '[' * 100000)" >"$tmp/deep/problem.yaml"
check "deeply nested yaml" 2 "nested too deeply" "$judge" submit --cache-dir "$cache" --problem "$tmp/deep" "$tmp/echo.c"

# Custom validators.
mk "$tmp/badval"; printf 'validation: custom\n' >"$tmp/badval/problem.yaml"
mkdir -p "$tmp/badval/output_validators/v"; printf 'int main(void) { return 42 }\n' >"$tmp/badval/output_validators/v/v.c"
check "validator that does not compile" 2 "output validator in .*badval/output_validators/v does not compile" \
  "$judge" submit --cache-dir "$cache" --problem "$tmp/badval" "$tmp/echo.c"
check "broken package in batch" 2 "does not compile" \
  "$judge" batch --cache-dir "$cache" --problem "$tmp/badval" "$tmp/echo.c" "$tmp/wrong.c"
mk "$tmp/pyval"; printf 'problem_format_version: 2023-07-draft\n' >"$tmp/pyval/problem.yaml"
mkdir -p "$tmp/pyval/output_validator"
cat >"$tmp/pyval/output_validator/validator.py" <<'EOF'
import sys
ans = open(sys.argv[2]).read().split()
team = sys.stdin.read().split()
with open(sys.argv[3] + "/judgemessage.txt", "w") as f:
    f.write("compared %d tokens" % len(ans))
sys.exit(42 if [t.lower() for t in team] == [a.lower() for a in ans] else 43)
EOF
check "python validator AC" 0 '"verdict":"AC"' "$judge" submit --json --cache-dir "$cache" --problem "$tmp/pyval" "$tmp/echo.c"
check "python validator WA with message" 0 '"verdict":"WA".*compared 1 tokens' "$judge" submit --json --cache-dir "$cache" --problem "$tmp/pyval" "$tmp/wrong.c"
mk "$tmp/val0"; printf 'validation: custom\n' >"$tmp/val0/problem.yaml"
mkdir -p "$tmp/val0/output_validators"; printf 'int main(void) { return 0; }\n' >"$tmp/val0/output_validators/v.c"
check "validator exiting 0 is a judge error" 0 '"verdict":"IE".*exited with code 0' "$judge" submit --json --cache-dir "$cache" --problem "$tmp/val0" "$tmp/echo.c"
# The validator is built once: a second run finds it in the cache.
n1=$(find "$cache" -maxdepth 1 -type d | wc -l)
"$judge" submit --json --cache-dir "$cache" --problem "$tmp/pyval" "$tmp/echo.c" >/dev/null 2>&1
n2=$(find "$cache" -maxdepth 1 -type d | wc -l)
if [ "$n1" -ne "$n2" ]; then echo "FAIL validator cache grew on a rebuild ($n1 -> $n2)"; fail=$((fail + 1)); else echo "ok   validator cache reused"; fi

# Scoring with a validator that writes score.txt: per-test scores summed.
mk "$tmp/scored"; printf 'type: scoring\nvalidation: custom score\n' >"$tmp/scored/problem.yaml"
printf 'on_reject: continue\n' >"$tmp/scored/data/testdata.yaml"
printf 'hello\n' >"$tmp/scored/data/secret/2.in"; printf 'hello\n' >"$tmp/scored/data/secret/2.ans"
mkdir -p "$tmp/scored/output_validators/v"
cat >"$tmp/scored/output_validators/v/score.py" <<'EOF'
import sys
ans = open(sys.argv[2]).read().split()
team = sys.stdin.read().split()
if team != ans:
    sys.exit(43)
open(sys.argv[3] + "/score.txt", "w").write("%d\n" % (10 * len(ans[0])))
sys.exit(42)
EOF
check "validator score.txt summed" 0 '"verdict":"AC","score":150' "$judge" submit --json --cache-dir "$cache" --problem "$tmp/scored" "$tmp/echo.c"
check "scoring continues after a rejection" 0 '"verdict":"WA","score":0.*"name":"secret/2","group":"secret","verdict":"WA"' \
  "$judge" submit --json --cache-dir "$cache" --problem "$tmp/scored" "$tmp/wrong.c"

# A bad language table is refused with file and line.
printf 'c:\n  run: [./x]\n  procs: many\n' >"$tmp/langs.yaml"
check "bad language table" 2 "langs.yaml:3: procs" "$judge" submit --languages "$tmp/langs.yaml" --problem "$tmp/good" "$tmp/echo.c"

echo "e2e_packages: $fail failure(s)"
[ $fail -eq 0 ]
