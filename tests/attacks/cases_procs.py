"""cases_procs.py — families 1-3 of REFERENCE §3: process trees, signals at
the supervisor, time limits."""

from harness import Case


def _cpu_at_least(ms):
    def check(res):
        v = res.meta.get("cpu_ms")
        return [] if isinstance(v, (int, float)) and v >= ms else [f"cpu_ms = {v}, expected >= {ms}"]
    return check


def _wall_between(lo, hi):
    def check(res):
        v = res.meta.get("wall_ms")
        return [] if isinstance(v, (int, float)) and lo <= v <= hi else [f"wall_ms = {v}, expected {lo}..{hi}"]
    return check


def _all(*checks):
    def check(res):
        out = []
        for c in checks:
            out += c(res) or []
        return out
    return check


def _count_at_most(limit):
    """The pids limit counts processes and threads of the whole tree."""
    def check(res):
        for line in res.text().splitlines():
            if line.startswith("COUNT "):
                f = line.split()
                procs, threads = int(f[2]), int(f[4])
                if 1 + procs + threads > limit:
                    return [f"{procs} children + {threads} threads + main exceed --procs {limit}"]
                return []
        return ["no COUNT line"]
    return check


def family_procs(host):
    return [
        Case("count-procs-and-threads", "procs", args=["count"], opts=["--procs", "10", "--time", "2"],
             check=_count_at_most(10), what="fork and pthread_create until refused: at most --procs tasks"),
        Case("realtime-nice-oom", "procs", args=["sched"], out_has=["sched done"],
             what="SCHED_FIFO, nice -20, oom_score_adj -1000 must all be refused"),
        Case("fork-under-procs-1", "procs", args=["forkcheck"], out_has=["fork failed"],
             what="fork() must fail with the default --procs 1"),
        Case("forkbomb", "procs", args=["bomb"], opts=["--procs", "16", "--time", "1", "--wall", "5"],
             expect=("TLE",), what="while(1) fork(): bounded by pids, ended by the tree's CPU limit"),
        Case("forkbomb-procs-1", "procs", args=["bomb"], opts=["--time", "1", "--wall", "5"],
             expect=("TLE",), what="while(1) fork() with --procs 1 just spins until TLE"),
        Case("orphans-burning", "procs", args=["orphans"], opts=["--procs", "8", "--time", "2", "--wall", "5"],
             expect=("OK", "TLE"), check=_cpu_at_least(250),
             what="setsid + double fork, grandchild ignores signals and burns >= 300 ms CPU before the parent exits: "
                  "its CPU is counted and it is killed"),
        Case("orphan-sleeper", "procs", args=["sleeper"], opts=["--procs", "4", "--time", "1", "--wall", "5"],
             expect=("OK", "TLE"), what="an orphan in its own session sleeps on after the parent exits"),
        Case("orphan-holds-stdout", "procs", args=["holdout"], capture="pipe",
             opts=["--procs", "4", "--time", "1", "--wall", "5"], expect=("OK", "TLE"),
             what="an orphan keeps the stdout pipe open and trickles bytes: the judge must still return"),
        Case("orphan-holds-stdout-file", "procs", args=["holdout"],
             opts=["--procs", "4", "--time", "1", "--wall", "5"], expect=("OK", "TLE"),
             what="the same orphan writing into the --stdout host file after the parent exits"),
        Case("cpu-in-child", "burn", args=["child"], opts=["--procs", "4", "--time", "1", "--wall", "10"],
             expect=("TLE",), check=_all(_cpu_at_least(800), _wall_between(0, 8000)),
             what="a child burns CPU while the parent waits: the tree's CPU is limited"),
    ]


def family_signals(host):
    host.start_sentinel(0, "root sleep")
    host.start_sentinel(60000, "sleep running as uid 60000")
    host.start_sentinel(65534, "sleep running as nobody")
    tle = ("TLE",)
    return [
        Case("kill-minus-1", "signals", args=["killall"], opts=["--time", "1", "--wall", "4"], expect=tle,
             what="kill(-1, SIGSTOP) and kill(-1, SIGKILL), then burn"),
        Case("kill-parent-and-init", "signals", args=["parent"], opts=["--time", "1", "--wall", "4"],
             expect=tle, what="SIGSTOP/SIGKILL getppid() and pid 1, then burn"),
        Case("sigstop-sweep", "signals", args=["sweep"], opts=["--time", "1", "--wall", "6"], expect=tle,
             what="SIGSTOP every pid 1..65536, then burn"),
        Case("selfstop", "signals", args=["selfstop"], opts=["--time", "1", "--wall", "2"], expect=tle,
             check=_wall_between(1500, 10000), what="raise(SIGSTOP): only the wall limit can end it"),
        Case("ignore-all-signals", "signals", args=["ignore"], opts=["--time", "1", "--wall", "4"],
             expect=tle, what="ignore and block every signal, then burn"),
        Case("visible-processes", "signals", args=["visible"], opts=["--procs", "4"],
             what="/proc shows only the box's own processes"),
    ]


def family_time(host):
    return [
        Case("busy-loop", "burn", args=["busy"], opts=["--time", "1"], expect=("TLE",),
             check=_all(_cpu_at_least(800), _wall_between(0, 4000 + 3000)),
             what="infinite loop ends in TLE by CPU"),
        Case("sleep-wall", "burn", args=["sleep", 30], opts=["--time", "1", "--wall", "2"], expect=("TLE",),
             check=_wall_between(1500, 8000), what="sleep(30) ends in TLE by the wall limit"),
        Case("sleep-default-wall", "burn", args=["sleep", 30], opts=["--time", "1"], expect=("TLE",),
             check=_wall_between(3000, 12000), what="the default wall limit is 3*time+1"),
        Case("serial-children-cpu", "burn", args=["serial"], opts=["--procs", "4", "--time", "1", "--wall", "10"],
             expect=("TLE",), check=_all(_cpu_at_least(800), _wall_between(0, 8000)),
             what="short-lived children (50 ms each): their CPU adds up to TLE, not a wall TLE"),
        Case("kernel-cpu", "burn", args=["syscalls"], opts=["--time", "1", "--wall", "10"], expect=("TLE",),
             check=_all(_cpu_at_least(800), _wall_between(0, 8000)),
             what="CPU spent in system calls counts towards the limit"),
        Case("threads-cpu-over-wall", "burn", args=["threads", 4],
             opts=["--procs", "8", "--time", "1", "--wall", "10"], expect=("TLE",),
             check=_all(_cpu_at_least(800), _wall_between(0, 8000)),
             what="4 spinning threads: CPU of all threads counts, TLE well before the wall limit"),
    ]
