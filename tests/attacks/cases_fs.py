"""cases_fs.py — family 6 of REFERENCE §3: host files (secrets, canaries),
/proc/1/root, chroot escapes, writing outside, work-dir traps, leftovers
between runs, and hostile `judge run` arguments."""

import os

from harness import Case


def _leftovers_between_runs(host):
    plant = Case("plant", "fsescape", args=["plant", host.nonce])
    find = Case("find", "fsescape", args=["find", host.nonce], out_has=["find done"])
    probs = []
    r1 = host.run(plant)
    if not isinstance(r1.meta, dict) or r1.meta.get("status") != "OK":
        probs.append(f"planting run did not finish OK: {r1.meta_text[:200]!r}")
    r2 = host.run(find)
    from harness import verdict_problems
    probs += verdict_problems(host, r2)
    return probs


def _bad_file_name(host, name):
    """`--file HOST:NAME` with a NAME that walks out of the work dir must be
    refused (exit 2) and must create nothing anywhere."""
    def run(_host):
        src = host.scratch("payload.txt", f"payload {host.nonce}\n")
        case = Case("x", "/bin/true", files=[(src, name)])
        res = host.run(case)
        probs = []
        if res.judge_rc != 2:
            probs.append(f"--file {src}:{name} was not refused as a usage error (judge exit {res.judge_rc}, "
                         f"result {res.meta_text[:200]!r})")
        for p in ("/tmp/jpatk_escape_file", "/jpatk_escape_file", "/etc/jpatk_escape_file",
                  os.path.join(host.dir, "jpatk_escape_file")):
            if os.path.lexists(p):
                probs.append(f"--file name {name!r} created {p} on the host")
                try:
                    os.unlink(p)
                except OSError:
                    pass
        return probs
    return run


def family_fs(host):
    secrets = [host.secret_path["tmp"], host.secret_path["etc"]]
    readers = ["read"] + secrets + ["/etc/shadow", "/root/.bash_history", "/proc/1/environ"]
    return [
        Case("read-host-secrets", "fsescape", args=readers, out_has=["read done"],
             what="read host secret files directly, via /proc/*/root, /proc/*/cwd, ../.."),
        Case("read-env-and-cmdlines", "fsescape", args=["env"], out_has=["env done"], opts=["--procs", "4"],
             what="the judge's environment (with a secret) must not reach the box; /proc/*/environ"),
        Case("proc1-root", "fsescape", args=["proc1"], out_has=["proc1 done"],
             what="look around /proc/1/root, /proc/1/cwd, mountinfo, /etc/shadow"),
        Case("chroot-escape", "fsescape", args=["chroot"] + secrets, expect=("SV",), syscall="chroot",
             what="classic chroot(subdir) + chdir(..) x64 + chroot(.)"),
        Case("write-outside", "fsescape", args=["write", host.nonce] + host.canaries, out_has=["write done"],
             what="append to host canaries, create files in /, /tmp, /usr, /etc, /proc/1/root/tmp, ..."),
        Case("cgroup-self-raise", "fsescape", args=["cgroup"], out_has=["cgroup done"],
             what="write our own cgroup's limits, release_agent, core_pattern, sysrq-trigger"),
        Case("reopen-stdio", "fsescape", args=["reopen"], stdin=host.stdin_canary, out_has=["reopen done"],
             what="reopen the host stdin (test data) and stdout files via /proc/self/fd for writing"),
        Case("workdir-traps", "traps", args=[host.canary], out_has=["traps set"],
             what="symlinks to host files and /, FIFO, loops, mode-0 dir, deep tree, mknod, hard link, "
                  "dangerous /dev nodes"),
        Case("leftovers-between-runs", "fsescape", custom=_leftovers_between_runs,
             what="files in the work dir, /tmp, /dev/shm and a SysV shm segment must not survive a run"),
        Case("file-name-dotdot", "/bin/true", custom=_bad_file_name(host, "../../../../tmp/jpatk_escape_file"),
             what="--file HOST:../../tmp/x is refused"),
        Case("file-name-absolute", "/bin/true", custom=_bad_file_name(host, "/tmp/jpatk_escape_file"),
             what="--file HOST:/tmp/x is refused"),
        Case("file-name-slash", "/bin/true", custom=_bad_file_name(host, "sub/jpatk_escape_file"),
             what="--file HOST:a/b is refused (plain names only)"),
    ]
