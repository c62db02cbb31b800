#!/usr/bin/env bash
# test_cli.sh — `judge run` end to end: statuses and measurements of small
# programs compiled here (hello, exit 3, busy loop, sleep, memory, output
# flood, ptrace, i386 int 0x80), real toolchains inside the box (python3,
# gcc, java), option errors and the privilege check. Usage: test_cli.sh JUDGE
set -uo pipefail
J=${1:?usage: test_cli.sh path/to/judge}
[ "$(id -u)" -eq 0 ] || { echo "box_cli: needs root; skipped"; exit 77; }
T=$(mktemp -d /tmp/box-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T"
fails=0; n=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { echo "ok:   $*"; }

# meta NAME [judge run args...]: runs judge run with --meta, stores JSON in $T/NAME.json, exit in $T/NAME.rc
meta() {
  local name=$1; shift
  "$J" run --meta "$T/$name.json" "$@" >"$T/$name.out" 2>"$T/$name.err"
  echo $? >"$T/$name.rc"
}
field() { jq -r ".$2" "$T/$1.json" 2>/dev/null; }
# expect NAME FIELD VALUE
expect() {
  n=$((n + 1))
  local got; got=$(field "$1" "$2")
  if [ "$got" = "$3" ]; then pass "$1: $2 = $3"; else fail "$1: $2 = '$got', expected '$3' ($(cat "$T/$1.json" 2>/dev/null) $(head -c 300 "$T/$1.err"))"; fi
}
# expect_range NAME FIELD LOW HIGH (LOW <= value < HIGH)
expect_range() {
  n=$((n + 1))
  local got; got=$(field "$1" "$2")
  if awk -v v="$got" -v lo="$3" -v hi="$4" 'BEGIN { exit !(v >= lo && v < hi) }'; then
    pass "$1: $3 <= $2 ($got) < $4"
  else
    fail "$1: $2 = '$got', expected in [$3, $4)"
  fi
}
expect_rc() {
  n=$((n + 1))
  local got; got=$(cat "$T/$1.rc")
  if [ "$got" = "$2" ]; then pass "$1: exit status $2"; else fail "$1: exit status $got, expected $2"; fi
}

cat >hello.c <<'EOF'
#include <stdio.h>
int main(void) { puts("hello"); return 0; }
EOF
cat >exit3.c <<'EOF'
int main(void) { return 3; }
EOF
cat >busy.c <<'EOF'
#include <stdlib.h>
#include <time.h>
int main(int argc, char **argv) {
  double ms = argc > 1 ? atof(argv[1]) : 1e12;
  volatile unsigned long x = 0;
  for (;;) {
    x++;
    if ((x & 0xffff) == 0 && (double)clock() * 1000 / CLOCKS_PER_SEC >= ms) return 0;
  }
}
EOF
cat >touch.c <<'EOF'
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  size_t mib = (size_t)atoi(argv[1]);
  char *p = malloc(mib << 20);
  if (!p) return 2;
  memset(p, 1, mib << 20);
  return p[(mib << 20) - 1] == 1 ? 0 : 3;
}
EOF
cat >flood.c <<'EOF'
#include <string.h>
#include <unistd.h>
int main(void) { char b[65536]; memset(b, 'x', sizeof b); for (;;) if (write(1, b, sizeof b) < 0) return 1; }
EOF
cat >ptrace.c <<'EOF'
#include <stdio.h>
#include <sys/ptrace.h>
int main(void) { long r = ptrace(PTRACE_TRACEME, 0, 0, 0); printf("ptrace: %ld\n", r); return 0; }
EOF
cat >i386.c <<'EOF'
int main(void) { long r; __asm__ volatile("int $0x80" : "=a"(r) : "a"(20) : "memory"); return r > 0 ? 0 : 1; }
EOF
cat >Hello.java <<'EOF'
public class Hello { public static void main(String[] a) { System.out.println("hello java"); } }
EOF
echo 'print("hello from python")' >hello.py
for p in hello exit3 busy touch flood ptrace i386; do
  gcc -O2 -o "$p" "$p.c" || { echo "box_cli: cannot compile $p.c"; exit 1; }
done

meta hello --file ./hello:prog -- ./prog
expect hello status OK; expect hello exit_code 0; expect hello signal null; expect hello syscall null; expect_rc hello 0
n=$((n + 1)); grep -qx hello "$T/hello.out" && pass "hello: stdout passed through" || fail "hello: stdout was '$(head -c 100 "$T/hello.out")'"

meta exit3 --file ./exit3:prog -- ./prog
expect exit3 status RTE; expect exit3 exit_code 3; expect_rc exit3 1

meta spin --time 0.5 --file ./busy:prog -- ./prog
expect spin status TLE; expect_range spin cpu_ms 500 1500; expect_rc spin 1

meta sleep --time 1 --wall 0.5 -- /bin/sleep 10
expect sleep status TLE; expect_range sleep wall_ms 450 3000; expect_range sleep cpu_ms 0 200

meta busy300 --time 2 --file ./busy:prog -- ./prog 300
expect busy300 status OK; expect_range busy300 cpu_ms 250 450

meta mem100 --mem 256 --file ./touch:prog -- ./prog 100
expect mem100 status OK; expect_range mem100 memory_kib 102400 133120

meta mle --mem 64 --file ./touch:prog -- ./prog 100
expect mle status MLE; expect_rc mle 1

meta flood --output 1024 --file ./flood:prog -- ./prog
expect flood status OLE
n=$((n + 1)); sz=$(stat -c %s "$T/flood.out"); [ "$sz" -le 1048576 ] && pass "flood: forwarded $sz bytes <= limit" || fail "flood: forwarded $sz bytes"

meta floodfile --output 64 --stdout "$T/flood-file.txt" --file ./flood:prog -- ./prog
expect floodfile status OLE
n=$((n + 1)); sz=$(stat -c %s "$T/flood-file.txt"); [ "$sz" -le 65536 ] && pass "floodfile: file is $sz bytes" || fail "floodfile: file is $sz bytes"

# stdout+stderr together count against --output, also when both go to files.
meta bothfiles --output 64 --stdout "$T/both.out" --stderr "$T/both.err" --procs 4 -- /bin/sh -c \
  'head -c 40000 /dev/zero; head -c 40000 /dev/zero >&2'
expect bothfiles status OLE
meta samefile --output 64 --stdout "$T/same.out" --stderr "$T/same.out" --procs 4 -- /bin/sh -c \
  'head -c 20000 /dev/zero; head -c 20000 /dev/zero >&2'
expect samefile status OK

# A reader that stops reading our pass-through stdout must not stall the
# supervisor: forwarding stops after 1 s, limits keep being enforced.
"$J" run --meta "$T/stall.json" --time 1 --wall 2 --output 1024 -- /usr/bin/yes 2>/dev/null | sleep 6
n=$((n + 1)); w=$(jq -r .wall_ms "$T/stall.json" 2>/dev/null)
awk -v w="$w" 'BEGIN { exit !(w > 0 && w < 4000) }' && pass "stalled reader: box ended after $w ms" ||
  fail "stalled reader: wall_ms '$w' ($(cat "$T/stall.json" 2>/dev/null))"

meta ptrace --file ./ptrace:prog -- ./prog
expect ptrace status SV; expect ptrace syscall ptrace; expect_rc ptrace 1

meta i386 --file ./i386:prog -- ./prog
expect i386 status SV
n=$((n + 1)); case "$(field i386 syscall)" in i386:*) pass "i386: syscall $(field i386 syscall)" ;; *) fail "i386: syscall '$(field i386 syscall)'" ;; esac

meta strict --policy strict --file ./hello:prog -- ./prog
expect strict status OK
meta strictsh --policy strict --procs 4 -- /bin/sh -c '/bin/true'
expect strictsh status SV

meta python --file ./hello.py -- /usr/bin/python3 hello.py
expect python status OK
n=$((n + 1)); grep -q "hello from python" "$T/python.out" && pass "python: output" || fail "python: output '$(head -c 200 "$T/python.out")'"

meta gcc --time 10 --procs 16 --file ./hello.c -- /usr/bin/gcc -O2 -o hello hello.c
expect gcc status OK

# javac inside the box, then the class run by java (both under 256 MiB).
meta javac --time 20 --wall 60 --mem 256 --procs 64 --file ./Hello.java -- /bin/sh -c \
  '/usr/bin/javac -J-Xmx128m -J-XX:+UseSerialGC Hello.java && /usr/bin/java -Xmx128m -Xss8m -XX:+UseSerialGC Hello'
expect javac status OK
n=$((n + 1)); grep -q "hello java" "$T/javac.out" && pass "javac+java: output" || fail "javac+java: output '$(head -c 300 "$T/javac.out") $(head -c 300 "$T/javac.err")'"
meta javaversion --time 10 --wall 30 --mem 256 --procs 64 -- /usr/bin/java -Xmx128m -XX:+UseSerialGC -version
expect javaversion status OK

meta stdin --procs 4 --stdin "$T/hello.c" -- /bin/sh -c 'grep -q "int main" && exit 0 || exit 1'
expect stdin status OK

# Work dirs (and cgroups) are kept between `judge run`s; nothing a run
# leaves may be seen by the next ones (whichever slot they get).
for i in 1 2 3; do meta leave$i --procs 4 -- /bin/sh -c 'echo x > left$$; echo y > /tmp/left$$; mkdir -p d/e; echo z > d/e/f'; done
for i in 1 2 3; do
  meta look$i --procs 4 -- /bin/sh -c '[ -z "$(ls -A /box)" ] && [ -z "$(ls -A /tmp)" ] && [ ! -e /.wiped ]'
  expect look$i status OK
done

meta missing -- ./does-not-exist
expect missing status RTE
n=$((n + 1)); case "$(field missing message)" in *"cannot execute"*) pass "missing: message" ;; *) fail "missing: message '$(field missing message)'" ;; esac

# Summary line without --meta.
"$J" run -- /bin/true 2>"$T/summary.err"; rc=$?
n=$((n + 1)); [ $rc -eq 0 ] && grep -q "judge run: OK" "$T/summary.err" && pass "summary line" || fail "summary: rc $rc '$(cat "$T/summary.err")'"
# --meta - prints the JSON on stdout.
n=$((n + 1)); "$J" run --meta - -- /bin/true 2>/dev/null | jq -e '.status == "OK"' >/dev/null && pass "--meta -" || fail "--meta -"

# Usage errors: exit 2 with a message naming the problem.
usage_case() { # expected-substring args...
  local want=$1; shift
  n=$((n + 1))
  "$J" run "$@" >"$T/u.out" 2>"$T/u.err"; local rc=$?
  if [ $rc -eq 2 ] && grep -qi -- "$want" "$T/u.err"; then pass "usage: $* -> 2"; else fail "usage: $* -> rc $rc, '$(cat "$T/u.err")'"; fi
}
usage_case "--time" --time abc -- /bin/true
usage_case "--time" --time -1 -- /bin/true
usage_case "--mem" --mem 0 -- /bin/true
usage_case "--policy" --policy lenient -- /bin/true
usage_case "unknown option" --frobnicate -- /bin/true
usage_case "no PROGRAM" --time 1
usage_case "--file" --file "$T/hello.c:../x" -- /bin/true
usage_case "--stdin" --stdin "$T/nonexistent" -- /bin/true
n=$((n + 1)); "$J" run --help | grep -q -- "--policy NAME" && pass "--help" || fail "--help"
# Without root: a clear error, exit 2.
n=$((n + 1))
setpriv --reuid=65534 --regid=65534 --clear-groups "$J" run -- /bin/true >"$T/nr.out" 2>"$T/nr.err"; rc=$?
if [ $rc -eq 2 ] && grep -q "root" "$T/nr.err"; then pass "non-root: exit 2, says root"; else fail "non-root: rc $rc '$(cat "$T/nr.err")'"; fi

echo "box_cli: $((n - fails))/$n passed"
[ $fails -eq 0 ]
