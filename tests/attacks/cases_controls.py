"""cases_controls.py — runs that must be OK, so that a box which kills
everything cannot pass the suite: threads, python3, a compiler, stdin, file
copy-in, measured CPU/memory/output, and the box's posture."""

import os
import time

from harness import Case

HELLO_C = '#include <stdio.h>\nint main(void){puts("hello from gcc");return 0;}\n'
SCRIPT = "#!/bin/sh\necho script ran as $(id -u)\n"


def _between(field, lo, hi):
    def check(res):
        v = res.meta.get(field)
        if not isinstance(v, (int, float)) or not lo <= v <= hi:
            return [f"{field} = {v}, expected between {lo} and {hi}"]
        return []
    return check


def _size_is(which, n):
    def check(res):
        got = res.stdout_size if which == "stdout" else res.stderr_size
        return [] if got == n else [f"{which} carried {got} bytes, expected exactly {n}"]
    return check


def _posture(policy):
    def check(res):
        kv = {}
        for line in res.text().splitlines():
            if line.startswith("POSTURE "):
                parts = line.split(" ", 2)
                kv.setdefault(parts[1], parts[2] if len(parts) > 2 else "")
        probs = []
        try:
            uid = int(kv.get("uid", "0"))
        except ValueError:
            uid = 0
        if uid < 60000 or uid == 65534:
            probs.append(f"the program runs as uid {kv.get('uid')}, not a box uid (>= 60000)")
        if kv.get("euid") != kv.get("uid"):
            probs.append(f"euid {kv.get('euid')} differs from uid {kv.get('uid')}")
        if kv.get("gid") in (None, "0"):
            probs.append(f"gid is {kv.get('gid')}")
        for cap in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
            if kv.get(cap, "x").strip("0") != "":
                probs.append(f"{cap} = {kv.get(cap)}: the program holds capabilities")
        if kv.get("NoNewPrivs") != "1":
            probs.append(f"NoNewPrivs = {kv.get('NoNewPrivs')}, expected 1")
        want_seccomp = "0" if policy == "none" else "2"
        if kv.get("Seccomp") != want_seccomp:
            probs.append(f"Seccomp = {kv.get('Seccomp')} under --policy {policy}, expected {want_seccomp}")
        if "group" in kv and kv["group"] == "0":
            probs.append("supplementary group 0 (root) kept")
        try:
            if int(kv.get("pid", "99999")) > 50:
                probs.append(f"pid {kv.get('pid')} inside the box: no fresh pid namespace?")
        except ValueError:
            probs.append(f"bad pid {kv.get('pid')!r}")
        try:
            if not 0 < int(kv.get("nofile", "0")) <= 4096:
                probs.append(f"RLIMIT_NOFILE = {kv.get('nofile')}, expected a small bound (<= 4096)")
        except ValueError:
            probs.append(f"bad nofile {kv.get('nofile')!r}")
        if kv.get("core_hard") != "0":
            probs.append(f"RLIMIT_CORE hard limit {kv.get('core_hard')}: a crash could dump core (through the "
                         f"host's core_pattern helper, if it is a pipe)")
        extra = [f"{k}={v}" for k, v in kv.items() if k.startswith("fd") and k not in ("fd0", "fd1", "fd2")]
        if extra:
            probs.append(f"the program inherited file descriptors besides 0-2 from the supervisor: {extra}")
        if "raised_fsize" in kv:
            probs.append("the program raised its own RLIMIT_FSIZE to unlimited (hard limit not set)")
        if "done" not in kv:
            probs.append("posture report incomplete")
        return probs
    return check


def _detectors_fire(host):
    """The host-side detectors must catch what they are for, or every
    attack would "hold" vacuously: a secret in the output (here copied in on
    purpose with --file), a connection to the listener, a leftover process
    named like ours, a changed canary."""
    import socket
    import subprocess
    from harness import verdict_problems
    probs = []
    before = host.snapshot()
    res = host.run(Case("leak", "/bin/cat", args=["copy"], files=[(host.secret_path["tmp"], "copy")]))
    found = [p for p in verdict_problems(host, res) + host.host_facts(before, res) if "secret" in p]
    if not found:
        probs.append("the secret detector missed a secret printed on stdout")
    before = host.snapshot()
    c = socket.create_connection(("127.0.0.1", host.port), timeout=5)
    import shutil
    stray_exe = host.scratch(f"{host.tag}_sleep")
    shutil.copy("/bin/sleep", stray_exe)
    stray = subprocess.Popen([stray_exe, "30"], stdout=subprocess.DEVNULL)
    saved = open(host.canary).read()
    st = os.stat(host.canary)
    with open(host.canary, "a") as f:
        f.write("tampered by the self-check\n")
    time.sleep(0.2)
    found = host.host_facts(before, None)
    c.close()
    stray.kill()
    stray.wait()
    with open(host.canary, "w") as f:
        f.write(saved)
    os.chmod(host.canary, 0o666)
    os.utime(host.canary, ns=(st.st_atime_ns, st.st_mtime_ns))
    for what, needle in (("listener", "listener"), ("leftover process", "leftover process"),
                         ("canary", "canary")):
        if not any(needle in p for p in found):
            probs.append(f"the {what} detector missed its plant; it reported: {found}")
    return probs


def cases(host):
    t = host.tag  # in every command line, so leftovers can be attributed
    hello_c = host.scratch(f"{t}_hello.c", HELLO_C)
    script = host.scratch("script.sh", SCRIPT, 0o755)
    stdin_data = "line one\nline two " + host.nonce + "\n"
    stdin_file = host.scratch("stdin.txt", stdin_data)
    return [
        Case("harness-detectors-fire", "/bin/cat", custom=_detectors_fire,
             what="self-check: the secret, listener, leftover and canary detectors do fire"),
        Case("control-hello-c", "hello", out_has=["hello from the box"], what="dynamic C hello"),
        Case("control-hello-static", "hello_static", out_has=["hello from the box"], what="static C hello"),
        Case("control-hello-strict", "hello", opts=["--policy", "strict"], out_has=["hello from the box"],
             what="dynamic C hello under the strict policy"),
        Case("control-hello-static-strict", "hello_static", opts=["--policy", "strict"],
             out_has=["hello from the box"], what="static C hello under the strict policy"),
        Case("control-python3", "/usr/bin/python3", args=["-c", f"print('hello from python', 6*7)  # {t}"],
             opts=["--time", "5", "--procs", "4"], out_has=["hello from python 42"], what="python3 hello"),
        Case("control-threads", "threads", args=[4], opts=["--procs", "8"], out_has=["threads ok 4"],
             what="4 pthreads under --procs 8"),
        Case("control-gcc", "/bin/sh", args=["-c", f"gcc -O2 -o hello {t}_hello.c && ./hello"],
             opts=["--time", "20", "--wall", "60", "--mem", "512", "--procs", "16"],
             files=[(hello_c, f"{t}_hello.c")], out_has=["hello from gcc"],
             what="gcc compiles and the result runs, inside the box"),
        Case("control-busy-300ms", "burn", args=["cpu", 300], opts=["--time", "2"],
             check=_between("cpu_ms", 250, 450), what="300 ms of CPU is measured as such"),
        Case("control-threads-cpu", "threads", args=[2, 400], opts=["--procs", "4", "--time", "4"],
             check=_between("cpu_ms", 650, 2000), what="CPU of two threads (2 x 400 ms) is summed"),
        Case("control-memory-64m", "mem", args=["ok", 64], opts=["--mem", "256"],
             check=_between("memory_kib", 60000, 256 * 1024), what="64 MiB written is measured"),
        Case("control-stack-32m", "mem", args=["stack-ok", 32], opts=["--mem", "256"],
             out_has=["recursed 32 MiB deep"], what="a 32 MiB deep stack is allowed under --mem 256"),
        Case("control-near-cpu-limit", "burn", args=["cpu", 600], opts=["--time", "1"],
             what="600 ms of CPU under --time 1 is OK"),
        Case("control-near-wall-limit", "burn", args=["sleep", 1], opts=["--time", "1", "--wall", "3"],
             out_has=["woke up"], what="sleep 1 under --wall 3 is OK"),
        Case("control-near-memory-limit", "mem", args=["ok", 40], opts=["--mem", "64"],
             out_has=["touched 40 MiB"], what="40 MiB under --mem 64 is OK"),
        Case("control-near-output-limit", "output", args=["exact", 960], opts=["--output", "1024"],
             capture="pipe", check=_size_is("stdout", 960 * 1024), what="960 KiB under --output 1024 is OK"),
        Case("control-output-pipe", "output", args=["exact", 512], opts=["--output", "1024"], capture="pipe",
             check=_size_is("stdout", 512 * 1024), what="512 KiB passed through under --output 1024"),
        Case("control-output-file", "output", args=["exact", 512], opts=["--output", "1024"],
             check=_size_is("stdout", 512 * 1024), what="512 KiB to --stdout FILE under --output 1024"),
        Case("control-stdin", "/bin/cat", stdin=stdin_file,
             check=lambda r: [] if r.stdout.decode(errors="replace") == stdin_data
             else [f"stdin not echoed: {r.stdout[:100]!r}"], what="--stdin reaches the program"),
        Case("control-file-exec-bit", "/bin/sh", args=["-c", f"./{t}_script.sh"],
             files=[(script, f"{t}_script.sh")], opts=["--procs", "4"], out_has=["script ran as"],
             what="--file keeps the executable bit"),
        Case("control-posture", "whoami", check=_posture("default"),
             what="unprivileged uid, no caps, no_new_privs, seccomp, own pid ns"),
        Case("control-socket-unix", "sysc", args=["socket-unix-control"], out_has=["RETURNED"],
             what="AF_UNIX sockets stay allowed"),
        Case("control-socketpair-unix", "sysc", args=["socketpair-unix-control"], out_has=["RETURNED"],
             what="AF_UNIX socketpair stays allowed"),
        Case("control-personality-query", "sysc", args=["personality-query-control"], out_has=["RETURNED"],
             what="personality(0xffffffff) only queries"),
        Case("control-fork", "sysc", args=["clone-thread-control"], opts=["--procs", "4"],
             out_has=["SUCCEEDED"], what="a plain fork works when --procs allows it"),
    ]
