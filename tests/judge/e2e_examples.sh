#!/usr/bin/env bash
# e2e_examples.sh JUDGE EXAMPLES_DIR — judges every shipped example
# submission (examples/problems/*/submissions/<dir>/<file>) with
# `judge batch --local --json` and asserts its verdict, which follows from
# the directory name, and its score when the source says @EXPECTED_SCORE@.
# Needs root (the box); exits 77 (skipped) otherwise.
set -uo pipefail
judge=$1
examples=$2
if [ "$(id -u)" -ne 0 ]; then
  echo "e2e_examples: needs root for the box; skipped"
  exit 77
fi
tmp=$(mktemp -d /tmp/jp-judge-e2e-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

fail=0
total=0
for problem in "$examples"/*/; do
  mapfile -t subs < <(find "$problem/submissions" -mindepth 2 -maxdepth 2 -type f | sort)
  [ ${#subs[@]} -gt 0 ] || continue
  out="$tmp/$(basename "$problem").jsonl"
  "$judge" batch --local --json --cache-dir "$tmp/cache" --problem "$problem" "${subs[@]}" >"$out" 2>"$tmp/err"
  rc=$?
  if [ $rc -ne 0 ]; then
    echo "FAIL: judge batch on $problem exited $rc"; cat "$tmp/err"; fail=$((fail + 1)); continue
  fi
  python3 - "$out" "${subs[@]}" <<'EOF' || fail=$((fail + 1))
import json, re, sys, os
expected_by_dir = {
    "accepted": "AC", "wrong_answer": "WA", "time_limit_exceeded": "TLE",
    "run_time_error": "RTE", "memory_limit_exceeded": "MLE",
    "output_limit_exceeded": "OLE", "compile_error": "CE",
    "security_violation": "SV", "partially_accepted": "WA",
}
results = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    results[d["file"]] = d
bad = 0
for sub in sys.argv[2:]:
    kind = os.path.basename(os.path.dirname(sub))
    want = expected_by_dir.get(kind)
    d = results.get(sub)
    if d is None:
        print(f"FAIL {sub}: no result"); bad += 1; continue
    got = d["verdict"]
    m = re.search(r"@EXPECTED_SCORE@:\s*([0-9.]+)", open(sub, errors="replace").read())
    ok = want is None or got == want
    # which side of an interactive run exited first is the kernel's wait
    # order (as in problemtools; SECURITY.md, "Interactive verdict order"):
    # a program crashing right after its first answer can lose that race to
    # the interactor reading EOF and be judged WA
    if os.path.normpath(sub).endswith("/guess/submissions/run_time_error/crash_after_first.c") and got == "WA":
        ok = True
    if m and abs(float(m.group(1)) - d["score"]) > 1e-9:
        ok = False
    # the result must be self-consistent
    if got not in ("CE", "IE") and not d["tests"]:
        ok = False
    if got == "SV" and not any(t["syscall"] for t in d["tests"]):
        ok = False
    if got == "CE" and d["compile"]["ok"]:
        ok = False
    status = "ok  " if ok else "FAIL"
    print(f"{status} {sub}: {got} (expected {want}{', score ' + m.group(1) if m else ''}; got score {d['score']})")
    if not ok:
        print("     ", json.dumps(d)[:600])
        bad += 1
# the compile-time read of /etc/shadow must not leak anything
for sub, d in results.items():
    if "leak_shadow" in sub and ("root:" in d["compile"]["message"] or "$" in d["compile"]["message"]):
        print(f"FAIL {sub}: compiler message leaks host data"); bad += 1
sys.exit(1 if bad else 0)
EOF
  total=$((total + ${#subs[@]}))
done
echo "e2e_examples: $total submissions, $fail problem(s) with failures"
[ $total -gt 0 ] && [ $fail -eq 0 ]
