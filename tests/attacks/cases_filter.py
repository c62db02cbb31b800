"""cases_filter.py — family 9 of REFERENCE §3 and the default policy's
denylist: every denied call must end in SV naming it; the 32-bit and x32
ABIs, other threads, SIGSYS handlers and execveat must not get around the
filter. Plus defence in depth: with --policy none the capability-gated
calls must still fail (unprivileged uid, no caps, no_new_privs)."""

from harness import Case

# sysc mode -> the name the result must carry
DENIED = {
    "ptrace": "ptrace", "process_vm_readv": "process_vm_readv", "process_vm_writev": "process_vm_writev",
    "mount": "mount", "umount2": "umount", "pivot_root": "pivot_root", "chroot": "chroot",
    "open_tree": "open_tree", "move_mount": "move_mount", "fsopen": "fsopen", "fsconfig": "fsconfig",
    "fsmount": "fsmount", "fspick": "fspick", "mount_setattr": "mount_setattr",
    "unshare-user": "unshare", "unshare-mnt": "unshare", "unshare-net": "unshare", "setns": "setns",
    "clone-newuser": "clone", "clone-newnet": "clone", "clone3-newuser": "clone3", "clone3-newnet": "clone3",
    "bpf": "bpf", "perf_event_open": "perf_event_open", "userfaultfd": "userfaultfd",
    "keyctl": "keyctl", "add_key": "add_key", "request_key": "request_key",
    "io_uring_setup": "io_uring_setup", "io_uring_enter": "io_uring_enter",
    "io_uring_register": "io_uring_register",
    "kexec_load": "kexec_load", "kexec_file_load": "kexec_file_load",
    "init_module": "init_module", "finit_module": "finit_module", "delete_module": "delete_module",
    "reboot": "reboot", "swapon": "swapon", "swapoff": "swapoff", "acct": "acct",
    "open_by_handle_at": "open_by_handle_at", "name_to_handle_at": "name_to_handle_at",
    "settimeofday": "settimeofday", "clock_settime": "clock_settime", "adjtimex": "adjtimex",
    "clock_adjtime": "clock_adjtime", "sethostname": "sethostname", "setdomainname": "setdomainname",
    "iopl": "iopl", "ioperm": "ioperm", "personality": "personality",
}

# clone3 cannot be filtered on its flags (they sit in memory), so a box may
# instead make clone3 fail with ENOSYS (glibc then falls back to clone):
# either way no namespace may be created.
CLONE3_OK_IF_FAILED = {"clone3-newuser", "clone3-newnet"}

# Capability-gated calls: with seccomp off they must still fail.
GATED = ["mount", "umount2", "pivot_root", "chroot", "unshare-mnt", "unshare-net", "setns", "clone-newnet",
         "open_tree", "fsopen", "fspick", "kexec_load", "init_module", "finit_module", "delete_module",
         "reboot", "swapon", "acct", "open_by_handle_at", "settimeofday", "clock_settime", "adjtimex",
         "sethostname", "setdomainname", "iopl", "ioperm", "bpf"]


def family_filter(host):
    cs = []
    for mode, name in DENIED.items():
        if mode in CLONE3_OK_IF_FAILED:
            cs.append(Case(f"deny-{mode}", "sysc", args=[mode], opts=["--procs", "4"], expect=("SV", "OK"),
                           syscall=name, out_not=["SUCCEEDED"],
                           what=f"{mode}: SV, or an error (never a new namespace)"))
        else:
            cs.append(Case(f"deny-{mode}", "sysc", args=[mode], opts=["--procs", "4"], expect=("SV",),
                           syscall=name, what=f"{mode} under the default policy"))
    sv = ("SV",)
    cs += [
        Case("i386-socket", "evade", args=["i386-socket"], expect=sv, what="int $0x80 socket (nr 359)"),
        Case("i386-socketcall", "evade", args=["i386-socketcall"], expect=sv, what="int $0x80 socketcall"),
        Case("i386-ptrace", "evade", args=["i386-ptrace"], expect=sv, what="int $0x80 ptrace (nr 26)"),
        Case("i386-getpid", "evade", args=["i386-getpid"], expect=sv,
             what="int $0x80 getpid: any non-native ABI call is SV"),
        Case("x32-socket", "evade", args=["x32-socket"], expect=sv, what="x32 socket (41 | 0x40000000)"),
        Case("x32-getpid", "evade", args=["x32-getpid"], expect=sv, what="x32 getpid (39 | 0x40000000)"),
        Case("thread-ptrace", "evade", args=["thread-ptrace"], opts=["--procs", "4"], expect=sv,
             syscall="ptrace", what="ptrace from a second thread kills the whole process"),
        Case("thread-i386", "evade", args=["thread-i386"], opts=["--procs", "4"], expect=sv,
             what="an i386 call from a second thread kills the whole process"),
        Case("child-ptrace", "evade", args=["child-ptrace"], opts=["--procs", "4"], expect=sv,
             syscall="ptrace", what="ptrace from a forked child ends the whole run in SV"),
        Case("sigsys-handler", "evade", args=["sigsys"], expect=sv, syscall="ptrace",
             what="a SIGSYS handler cannot catch the kill"),
        Case("execveat-then-ptrace", "evade", args=["execveat"], expect=sv,
             check=lambda r: [] if any(n in str(r.meta.get("syscall")) for n in ("ptrace", "execveat"))
             else [f"SV names {r.meta.get('syscall')!r}, expected ptrace (after exec) or execveat"],
             what="execveat re-exec, then ptrace: the filter survives exec"),
        Case("own-seccomp-listener", "evade", args=["own-listener"], expect=sv, syscall="seccomp",
             what="a seccomp filter of our own with a notification listener"),
        Case("tool-unshare", "/usr/bin/unshare", args=["-r", "id"], opts=["--procs", "4"], expect=sv,
             syscall="unshare", what="util-linux unshare -r (a user namespace with root inside)"),
        Case("tool-mount", "/bin/mount", args=["-t", "tmpfs", "none", "/tmp"], opts=["--procs", "4"],
             expect=("SV", "RTE"), out_not=["uid=0"], what="the setuid mount tool (nosuid + no_new_privs)"),
        Case("tool-su", "/bin/su", args=["-c", "id", "root"], opts=["--procs", "4"], expect=("RTE", "SV"),
             out_not=["uid=0"], what="su to root from the box"),
        Case("openat2-secrets", "evade", args=["openat2", host.secret_path["tmp"], host.secret_path["etc"]],
             expect=("OK", "SV"), what="openat2 on host secret paths and /proc/1/root"),
        Case("strict-ptrace", "sysc", args=["ptrace"], opts=["--policy", "strict"], expect=sv,
             syscall="ptrace", what="ptrace under the strict policy"),
        Case("strict-socket", "sysc", args=["socket-inet"], opts=["--policy", "strict"], expect=sv,
             syscall="socket", what="socket(AF_INET) under the strict policy"),
        Case("strict-execveat", "evade", args=["execveat"], opts=["--policy", "strict"], expect=sv,
             what="execveat under the strict policy (a C solution never execs)"),
        Case("strict-i386", "evade", args=["i386-getpid"], opts=["--policy", "strict"], expect=sv,
             what="i386 ABI under the strict policy"),
    ]
    return cs


def family_policy_none(host):
    """Defence in depth: no seccomp, yet the uid/caps/namespaces hold."""
    cs = []
    for mode in GATED:
        cs.append(Case(f"none-{mode}", "sysc", args=[mode], opts=["--policy", "none", "--procs", "4"],
                       out_has=["RETURNED"], out_not=["SUCCEEDED"],
                       what=f"{mode} with seccomp off must fail for lack of privilege"))
    secrets = [host.secret_path["tmp"], host.secret_path["etc"]]
    cs += [
        Case("none-posture", "whoami", opts=["--policy", "none"],
             check=__import__("cases_controls")._posture("none"), what="posture with seccomp off"),
        Case("none-chroot-escape", "fsescape", args=["chroot"] + secrets, opts=["--policy", "none"],
             out_has=["chroot done"], what="the chroot escape with seccomp off"),
        Case("none-read-secrets", "fsescape", args=["read"] + secrets, opts=["--policy", "none", "--procs", "4"],
             out_has=["read done"], what="host secrets with seccomp off"),
        Case("none-write-outside", "fsescape", args=["write", host.nonce] + host.canaries,
             opts=["--policy", "none"], out_has=["write done"], what="writing outside with seccomp off"),
        Case("none-cgroup", "fsescape", args=["cgroup"], opts=["--policy", "none"], out_has=["cgroup done"],
             what="cgroup and /proc/sys writes with seccomp off"),
        Case("none-kill-minus-1", "signals", args=["killall"], opts=["--policy", "none", "--time", "1"],
             expect=("TLE",), what="kill(-1) with seccomp off"),
        Case("none-traps", "traps", args=[host.canary], opts=["--policy", "none"], out_has=["traps set"],
             what="mknod, devices, links with seccomp off"),
    ]
    return cs
