"""harness.py — runs attack programs through `judge run` and checks, after
every run, both the verdict and the facts on the host that a broken box
would change: the canaries, host directories, leftover box processes and
mounts, the network listeners, the secrets' content in any output.

The attack programs are never run outside the box: several of them (mount,
chroot, kill(-1), fork bombs) would damage the host if run as root."""

import dataclasses
import json
import os
import re
import secrets
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time

BOX_UID_MIN = 60000
NOBODY = 65534
STATUSES = {"OK", "RTE", "TLE", "MLE", "OLE", "SV", "IE"}
CAPTURE_LIMIT = 4 << 20  # bytes of pass-through output kept for checks
MARKER = "jpatk"
# Mounts the box engine keeps on purpose across runs (recreated when
# missing): the skeleton root, the template mount namespace, the per-slot
# network namespaces. A slot's work tmpfs is kept mounted between runs too,
# but only wiped: one that still holds anything the program wrote counts.
ENGINE_STATE = re.compile(r"^/run/judgepool/(root(/\S*)?|mntns|netns/\d+) ")
ENGINE_WORK = re.compile(r"^(/run/judgepool/work/\d+) ")


def _wiped_work_mount(mount):
    """True for a kept slot work tmpfs whose box/ and tmp/ are empty."""
    m = ENGINE_WORK.match(mount)
    if not m:
        return False
    try:
        return all(not os.listdir(os.path.join(m.group(1), d)) for d in ("box", "tmp"))
    except OSError:
        return False
STRICT_HOST = os.environ.get("JPATK_STRICT_HOST") == "1"
GCC_TEMP = re.compile(r"^cc[A-Za-z0-9]{6}\.[A-Za-z0-9_.]+$")

# Host directories whose listing must not change across a run.
WATCHED_DIRS = ["/", "/tmp", "/var/tmp", "/dev/shm", "/usr", "/usr/local", "/etc", "/root",
                "/home", "/run", "/var", "/lib", "/bin"]


@dataclasses.dataclass
class Case:
    name: str
    prog: str                      # a built attack program, or an absolute path inside the box
    args: list = dataclasses.field(default_factory=list)
    opts: list = dataclasses.field(default_factory=list)   # judge run options
    expect: tuple = ("OK",)        # acceptable statuses
    syscall: str = None            # for SV: a substring the reported call must contain
    files: list = dataclasses.field(default_factory=list)  # extra (host, name) copied in
    out_has: list = dataclasses.field(default_factory=list)  # substrings required in stdout+stderr
    out_not: list = dataclasses.field(default_factory=list)  # substrings forbidden
    check: object = None           # fn(result) -> list of problems
    capture: str = "file"          # "file": --stdout/--stderr files + --meta -; "pipe": pass-through
    stdin: str = None
    what: str = ""                 # one line: what the attack tries
    custom: object = None          # fn(host) -> list of problems, instead of one run


@dataclasses.dataclass
class Result:
    case: Case
    meta: dict
    meta_text: str
    judge_rc: int
    stdout: bytes
    stderr: bytes
    stdout_size: int
    stderr_size: int
    judge_stderr: bytes
    elapsed: float
    hung: bool
    cmd: list = dataclasses.field(default_factory=list)
    out_path: str = None           # the host files behind --stdout/--stderr ("file" capture)
    err_path: str = None

    def text(self):
        return (self.stdout + b"\n" + self.stderr).decode("utf-8", "replace")


def _read_capped(f, box):
    total = 0
    kept = bytearray()
    while True:
        chunk = f.read(65536)
        if not chunk:
            break
        total += len(chunk)
        if len(kept) < CAPTURE_LIMIT:
            kept += chunk[: CAPTURE_LIMIT - len(kept)]
    box["data"] = bytes(kept)
    box["size"] = total


def _proc_uids(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Uid:"):
                    return [int(x) for x in line.split()[1:]]
    except OSError:
        pass
    return []


def _proc_read(pid, name, limit=4096):
    try:
        with open(f"/proc/{pid}/{name}", "rb") as f:
            return f.read(limit).replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _other_judges():
    """Command lines of judge/box processes on the host that are not ours
    (we have none left when this is called)."""
    out = []
    for pid in os.listdir("/proc"):
        if pid.isdigit() and pid != str(os.getpid()):
            cmd = _proc_read(pid, "cmdline")
            comm = _proc_read(pid, "comm")
            if comm in ("judge", "judge-worker") or "/bin/judge " in cmd or comm.startswith("test_box"):
                out.append(f"pid {pid} {cmd}")
    return out


def _tree_report(root):
    """State of a hung judge and all its descendants (pid, state, wchan,
    kernel stack), for the box engineer."""
    kids = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            st = _proc_read(pid, "stat").split(") ")
            if len(st) == 2:
                kids.setdefault(st[1].split()[1], []).append(pid)
    lines, todo = [], [str(root)]
    while todo and len(lines) < 40:
        pid = todo.pop(0)
        todo += kids.get(pid, [])
        state = _proc_read(pid, "stat").split(") ")[-1][:1]
        for tid in sorted(os.listdir(f"/proc/{pid}/task"))[:8] if os.path.isdir(f"/proc/{pid}/task") else []:
            stack = _proc_read(f"{pid}/task/{tid}", "stack").replace("\n", " | ")[:300]
            wchan = _proc_read(f"{pid}/task/{tid}", "wchan")
            lines.append(f"pid {pid} tid {tid} state {state} comm {_proc_read(pid, 'comm')} uid "
                         f"{_proc_read(pid, 'status').split('Uid:')[-1].split()[:1]} wchan {wchan} stack {stack}")
    return lines


def _is_box_uid(u):
    return u >= BOX_UID_MIN and u != NOBODY


class Host:
    """Everything on the host side of one family's runs."""

    def __init__(self, judge, progs_dir, verbose=False):
        self.judge = judge
        self.progs = progs_dir
        self.verbose = verbose
        self.problems = []
        self.sentinels = []        # (Popen, description)
        self.nrun = 0
        self.hang_report = []
        self.suspects = []         # (case name, problem, fn() -> still true)
        self.current_case = "warmup"
        self.nonce = secrets.token_hex(6)
        # Names every process and file of this instance: another copy of the
        # suite (a CI run) may be attacking the same host at the same time.
        self.tag = f"{MARKER}{self.nonce[:4]}"
        self.dir = tempfile.mkdtemp(prefix=f"{MARKER}-host-{self.nonce}-")
        os.chmod(self.dir, 0o777)  # only the box's mount namespace may protect what is inside
        self.runs = os.path.join(self.dir, "runs")
        os.mkdir(self.runs, 0o700)
        self.secret = {}           # where -> content
        self.secret_path = {}
        self.secret["tmp"] = self._new_secret()
        self.secret_path["tmp"] = self._write(os.path.join(self.dir, "secret"), self.secret["tmp"], 0o644)
        self.secret["etc"] = self._new_secret()
        self.secret_path["etc"] = self._write(f"/etc/{MARKER}-secret-{self.nonce}", self.secret["etc"], 0o644)
        self.secret["env"] = self._new_secret()
        self.canaries = [
            self._write(os.path.join(self.dir, "canary"), f"canary {self.nonce}\n", 0o666),
            self._write(f"/etc/{MARKER}-canary-{self.nonce}", f"canary {self.nonce}\n", 0o666),
        ]
        # test data as the judge holds it (root, 0644), fed as --stdin
        self.stdin_canary = self._write(os.path.join(self.dir, "input.txt"), f"1 2 {self.nonce}\n", 0o644)
        self.canaries.append(self.stdin_canary)
        self.canary = self.canaries[0]
        self.shadow_lines = []
        try:
            with open("/etc/shadow") as f:
                self.shadow_lines = [ln.strip() for ln in f if len(ln.strip()) >= 12]
        except OSError:
            pass
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("0.0.0.0", 0))
        self.tcp.listen(16)
        self.tcp.setblocking(False)
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("0.0.0.0", self.port))
        self.udp.setblocking(False)
        self.host_ip = self._host_ip()

    # ---- setup helpers -------------------------------------------------
    def _new_secret(self):
        return "JPATKSECRET" + secrets.token_hex(16)

    def _write(self, path, content, mode):
        with open(path, "w") as f:
            f.write(content)
        os.chmod(path, mode)
        return path

    def _host_ip(self):
        try:
            out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5).stdout.split()
            return out[0] if out else "127.0.0.1"
        except (OSError, subprocess.SubprocessError):
            return "127.0.0.1"

    def prog_path(self, name):
        return os.path.join(self.progs, name)

    def scratch(self, name, content=None, mode=0o644):
        path = os.path.join(self.runs, name)
        if content is not None:
            self._write(path, content, mode)
        return path

    def start_sentinel(self, uid, what):
        """A process outside the box that no box may kill or stop."""
        def demote():
            os.setsid()
            if uid:
                os.setgid(uid)
                os.setuid(uid)
        p = subprocess.Popen(["/bin/sleep", "600"], preexec_fn=demote,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.sentinels.append((p, what))
        return p

    def close(self):
        for p, _ in self.sentinels:
            if p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGCONT)
                    p.kill()
                except OSError:
                    pass
                p.wait(timeout=10)
        self.tcp.close()
        self.udp.close()
        for path in list(self.secret_path.values()) + self.canaries:
            if path.startswith("/etc/"):
                try:
                    os.unlink(path)
                except OSError:
                    pass
        subprocess.run(["rm", "-rf", "--one-file-system", self.dir], check=False)

    # ---- host state ----------------------------------------------------
    def _listing(self):
        out = {}
        for d in WATCHED_DIRS + [self.dir]:
            try:
                out[d] = set(os.listdir(d))
            except OSError:
                out[d] = set()
        return out

    def _canary_state(self):
        out = {}
        for c in self.canaries:
            try:
                st = os.lstat(c)
                with open(c, "rb") as f:
                    out[c] = (f.read(), stat.S_IMODE(st.st_mode), st.st_mtime_ns, st.st_uid)
            except OSError as e:
                out[c] = ("missing", str(e))
        return out

    def _procs(self):
        """Processes that belong to a box: box uid, our marker, or a
        judgepool cgroup. Keyed by (pid, start time)."""
        out = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            uids = _proc_uids(pid)
            comm = _proc_read(pid, "comm")
            cg = _proc_read(pid, "cgroup")
            why = None
            if any(_is_box_uid(u) for u in uids):
                why = f"uid {uids}"
            elif comm.startswith(MARKER):
                why = "marker name"
            elif "judgepool" in cg and "/judgepool/" in cg and pid != str(os.getpid()):
                why = "in a judgepool cgroup"
            if why:
                start = _proc_read(pid, "stat").split(") ")[-1].split()
                key = (pid, start[19] if len(start) > 19 else "?")
                out[key] = f"pid {pid} ({why}) comm={comm} cmdline={_proc_read(pid, 'cmdline')[:200]}"
        return out

    def _mounts(self):
        try:
            with open("/proc/self/mountinfo") as f:
                return {" ".join(ln.split()[4:5] + ln.split(" - ")[-1].split()[:2]) for ln in f}
        except OSError:
            return set()

    def snapshot(self):
        return {"ls": self._listing(), "canary": self._canary_state(),
                "procs": self._procs(), "mounts": self._mounts()}

    def _drain_listeners(self):
        got = []
        try:
            while True:
                c, addr = self.tcp.accept()
                got.append(f"TCP connection from {addr}")
                c.close()
        except (BlockingIOError, InterruptedError):
            pass
        try:
            while True:
                data, addr = self.udp.recvfrom(65536)
                got.append(f"UDP datagram from {addr}: {data[:64]!r}")
        except (BlockingIOError, InterruptedError):
            pass
        return got

    def _suspect(self, msg, still):
        """An anomaly that another engineer's concurrent box could also
        explain (an unmarked process, a mount, a root-owned file): it fails
        the case only if it is still there at the end of the family."""
        self.suspects.append((self.current_case, msg, still))

    def recheck_suspects(self, grace=10.0):
        """Returns {case name: [problems]} for anomalies that persisted."""
        deadline = time.monotonic() + grace
        while self.suspects and time.monotonic() < deadline:
            self.suspects = [s for s in self.suspects if s[2]()]
            if self.suspects:
                time.sleep(0.5)
        out = {}
        others = [] if STRICT_HOST else _other_judges()
        for case, msg, still in self.suspects:
            if not still():
                continue
            if others:
                print(f"     note: {case}: {msg} (not counted: other judge runs are active on this host: "
                      f"{others[0][:120]}; JPATK_STRICT_HOST=1 counts it)")
                continue
            out.setdefault(case, []).append(msg + " (still there at the end of the family)")
        return out

    def _listing_diff(self, before_ls):
        """New and vanished entries in the watched host directories. A new
        root-owned gcc temporary (ccXXXXXX.*) in /tmp is someone's compile
        on the host, not the box: a box's file would carry a box uid."""
        files, gone = [], []
        for d, names in self._listing().items():
            new = names - before_ls.get(d, set())
            if d == self.dir:
                new -= {"runs"}
            for n in sorted(new):
                p = os.path.join(d, n)
                try:
                    owner = os.lstat(p).st_uid
                except OSError:
                    continue  # already gone again
                if owner == 0 and d == "/tmp" and MARKER not in n and GCC_TEMP.match(n):
                    continue
                files.append((p, f"new file on the host: {p} (owner uid {owner})"
                                  + (" (box uid)" if _is_box_uid(owner) else "")))
            if d in ("/", "/usr", "/etc", "/bin", "/lib", self.dir):
                for n in sorted(before_ls.get(d, set()) - names):
                    if MARKER in n and self.nonce not in n:
                        continue  # another instance of this suite cleaning up
                    gone.append(f"host entry disappeared: {os.path.join(d, n)}")
        return files, gone

    def host_facts(self, before, res):
        """Everything that must hold on the host after any run."""
        probs = []
        # Leftover processes, mounts and files may take a moment to go away
        # (the box's teardown racing with us, and other people's compilers
        # using the host's /tmp): poll a little, then report what stayed.
        deadline = time.monotonic() + 3.0
        while True:
            procs = {k: v for k, v in self._procs().items() if k not in before["procs"]
                     and int(k[0]) not in {p.pid for p, _ in self.sentinels}}
            mounts = self._mounts() - before["mounts"]
            files, gone = self._listing_diff(before["ls"])
            if (not procs and not mounts and not files) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        for k, v in procs.items():
            # Our runs all carry the marker in a command line; another
            # engineer's box running at the same time does not. Unmarked box
            # processes fail only in strict mode (nothing else running).
            if self.tag in v.split(" comm=", 1)[-1] or STRICT_HOST:
                probs.append(f"leftover process after the run: {v}")
            else:
                self._suspect(f"leftover process after the run: {v}",
                              lambda k=k: k in self._procs())
        for m in sorted(mounts):
            if ENGINE_STATE.match(m) or _wiped_work_mount(m):
                continue  # the engine's own caches, created once and reused
            self._suspect(f"new mount left on the host: {m}", lambda m=m: m in self._mounts())
        for path, msg in files:
            if self.nonce in path or STRICT_HOST or msg.endswith("(box uid)"):
                probs.append(msg)
            elif MARKER in path:
                pass  # another instance of this suite: its host-side setup
            elif os.path.dirname(path) == "/tmp":
                # root's files in the shared /tmp cannot be told apart from
                # other engineers' work; a box's own would carry a box uid
                print(f"     note: {msg} (not counted; JPATK_STRICT_HOST=1 counts it)")
            else:
                self._suspect(msg, lambda path=path: os.path.lexists(path))
        probs += gone
        now = self._canary_state()
        for c, st in before["canary"].items():
            if now.get(c) != st:
                probs.append(f"canary {c} changed: before {st!r} after {now.get(c)!r}")
        for got in self._drain_listeners():
            probs.append(f"the host listener on port {self.port} received: {got}")
        for p, what in self.sentinels:
            if p.poll() is not None:
                probs.append(f"sentinel {what} (pid {p.pid}) outside the box died: {p.returncode}")
            else:
                st = _proc_read(p.pid, "stat").split(") ")[-1][:1]
                if st == "T":
                    probs.append(f"sentinel {what} (pid {p.pid}) outside the box was stopped")
                    os.kill(p.pid, signal.SIGCONT)
        if res is not None:
            blobs = {"stdout": res.stdout, "stderr": res.stderr, "meta": res.meta_text.encode(),
                     "judge's stderr": res.judge_stderr}
            for where, s in self.secret.items():
                for part in (s, s[11:], s[11:27], s[27:]):
                    for name, blob in blobs.items():
                        if part.encode() in blob:
                            probs.append(f"the {where} secret ({part[:20]}...) appeared in {name}")
                            break
                    else:
                        continue
                    break
            for name, blob in blobs.items():
                for line in self.shadow_lines:
                    if line.encode() in blob:
                        probs.append(f"a line of the host's /etc/shadow appeared in {name}: {line[:20]}...")
                        break
        return probs

    # ---- running -------------------------------------------------------
    def judge_cmd(self, case, meta_path, out_path, err_path):
        cmd = [self.judge, "run"] + [str(o) for o in case.opts]
        prog = case.prog
        if not prog.startswith("/"):
            inbox = f"{self.tag}_{prog}"
            cmd += ["--file", f"{self.prog_path(prog)}:{inbox}"]
            prog = f"./{inbox}"
        for host_path, name in case.files:
            cmd += ["--file", f"{host_path}:{name}"]
        if case.stdin:
            cmd += ["--stdin", case.stdin]
        if case.capture == "file":
            cmd += ["--stdout", out_path, "--stderr", err_path, "--meta", "-"]
        else:
            cmd += ["--meta", meta_path]
        return cmd + ["--", prog] + [str(a) for a in case.args]

    def limit_wall(self, case):
        o = [str(x) for x in case.opts]
        t = float(o[o.index("--time") + 1]) if "--time" in o else 1.0
        w = float(o[o.index("--wall") + 1]) if "--wall" in o else 3 * t + 1
        return w

    def run(self, case, env_extra=None):
        """Run one case; returns a Result (never raises for a box failure)."""
        self.nrun += 1
        base = os.path.join(self.runs, f"{self.nrun:03d}")
        meta_path, out_path, err_path = base + ".meta", base + ".out", base + ".err"
        cmd = self.judge_cmd(case, meta_path, out_path, err_path)
        env = dict(os.environ)
        env["JPATK_SECRET"] = self.secret["env"]
        env.update(env_extra or {})
        if self.verbose:
            print("  $ " + " ".join(cmd), flush=True)
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env, start_new_session=True)
        o, e = {}, {}
        to = threading.Thread(target=_read_capped, args=(p.stdout, o))
        te = threading.Thread(target=_read_capped, args=(p.stderr, e))
        to.start()
        te.start()
        hung = False
        try:
            p.wait(timeout=self.limit_wall(case) + 30)
        except subprocess.TimeoutExpired:
            hung = True
            self.hang_report = _tree_report(p.pid)
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        to.join(30)
        te.join(30)
        elapsed = time.monotonic() - t0
        if case.capture == "file":
            meta_text = o.get("data", b"").decode("utf-8", "replace")
            stdout, out_size = self._read_file(out_path)
            stderr, err_size = self._read_file(err_path)
            judge_stderr = e.get("data", b"")
        else:
            meta_text, _ = self._read_file(meta_path)
            meta_text = meta_text.decode("utf-8", "replace")
            stdout, out_size = o.get("data", b""), o.get("size", 0)
            stderr, err_size = e.get("data", b""), e.get("size", 0)
            judge_stderr = stderr
        try:
            meta = json.loads(meta_text)
        except ValueError:
            meta = None
        return Result(case, meta, meta_text, p.returncode, stdout, stderr, out_size, err_size,
                      judge_stderr, elapsed, hung, cmd,
                      out_path if case.capture == "file" else None, err_path if case.capture == "file" else None)

    def _read_file(self, path):
        try:
            size = os.path.getsize(path)
            with open(path, "rb") as f:
                return f.read(CAPTURE_LIMIT), size
        except OSError:
            return b"", 0


def verdict_problems(host, res):
    """The run's own assertions: JSON shape, status, exit code, output."""
    case = res.case
    probs = []
    if res.hung:
        return [f"judge run did not return within the wall limit + 30 s ({res.elapsed:.1f} s): killed it; "
                f"command: {' '.join(res.cmd)}"] + [f"  hung tree: {ln}" for ln in host.hang_report]
    m = res.meta
    if not isinstance(m, dict):
        return [f"no result JSON (judge exit {res.judge_rc}); meta text: {res.meta_text[:300]!r}; "
                f"judge stderr: {res.judge_stderr[:300]!r}"]
    types = {"status": str, "exit_code": int, "cpu_ms": (int, float), "wall_ms": (int, float),
             "memory_kib": int, "message": str}
    for k, t in types.items():
        if not isinstance(m.get(k), t) or isinstance(m.get(k), bool):
            probs.append(f"result JSON field {k!r} missing or of the wrong type: {m.get(k)!r}")
    for k in ("signal", "syscall"):
        if k not in m:
            probs.append(f"result JSON field {k!r} missing")
    st = m.get("status")
    if st not in STATUSES:
        probs.append(f"unknown status {st!r}")
    want_rc = {0} if st == "OK" else ({1, 2} if st == "IE" else {1})
    if res.judge_rc not in want_rc:
        probs.append(f"judge exit code {res.judge_rc} does not match status {st} (want {sorted(want_rc)})")
    if st not in case.expect:
        probs.append(f"expected status {'|'.join(case.expect)}, got {st} "
                     f"(exit_code={m.get('exit_code')} signal={m.get('signal')} syscall={m.get('syscall')} "
                     f"cpu_ms={m.get('cpu_ms')} wall_ms={m.get('wall_ms')} memory_kib={m.get('memory_kib')} "
                     f"message={m.get('message')!r})")
    elif st == "SV" and case.syscall and case.syscall not in str(m.get("syscall")):
        probs.append(f"SV as expected but the reported call is {m.get('syscall')!r}, expected one naming "
                     f"{case.syscall!r}")
    if st == "SV" and not m.get("syscall"):
        probs.append("SV without a syscall name")
    for needle in (b"AddressSanitizer", b"LeakSanitizer", b"UndefinedBehaviorSanitizer", b"runtime error:"):
        if needle in res.judge_stderr:
            i = res.judge_stderr.index(needle)
            probs.append(f"the judge itself reported a sanitizer error: {res.judge_stderr[max(0, i - 80):i + 300]!r}")
            break
    text = res.text()
    if "ESCAPED" in text:
        lines = [ln for ln in text.splitlines() if "ESCAPED" in ln]
        probs.append("the attack reports success: " + "; ".join(lines[:5]))
    for s in case.out_has:
        if s not in text:
            probs.append(f"expected {s!r} in the program's output; got {text[:300]!r}")
    for s in case.out_not:
        if s in text:
            probs.append(f"{s!r} must not appear in the program's output")
    if case.check and st in case.expect:
        probs += case.check(res) or []
    return probs


def run_cases(host, cases, only=None):
    """Runs cases, printing one line each; returns the number that failed."""
    failed = set()
    for case in cases:
        if only and only not in case.name:
            continue
        host.current_case = case.name
        before = host.snapshot()
        if case.custom:
            res, probs = None, case.custom(host)
        else:
            res = host.run(case)
            probs = verdict_problems(host, res)
        probs += host.host_facts(before, res)
        summary = ""
        if res is not None and isinstance(res.meta, dict):
            m = res.meta
            summary = (f"{m.get('status')} cpu={m.get('cpu_ms')}ms wall={m.get('wall_ms')}ms "
                       f"mem={m.get('memory_kib')}KiB" + (f" syscall={m.get('syscall')}" if m.get("syscall") else ""))
        if probs:
            failed.add(case.name)
            print(f"FAIL {case.name}: {case.what} [{summary}]", flush=True)
            for pr in probs:
                print(f"     - {pr}", flush=True)
            if res is not None:
                print(f"     stdout: {res.stdout[:400]!r}\n     stderr: {res.stderr[:400]!r}", flush=True)
        else:
            print(f"ok   {case.name} [{summary}]", flush=True)
    for name, probs in host.recheck_suspects().items():
        failed.add(name)
        print(f"FAIL {name} (host facts that persisted after the family):", flush=True)
        for pr in probs:
            print(f"     - {pr}", flush=True)
    return len(failed)


def opt_limit(case, name, default):
    o = [str(x) for x in case.opts]
    return float(o[o.index(name) + 1]) if name in o else default
