"""cases_memory_output.py — families 4 and 5 of REFERENCE §3: memory over
the limit in every shape, and output floods of every kind."""

from harness import Case

MEM = 64  # MiB limit used by the memory attacks


def _peak_bounded(limit_mib):
    def check(res):
        v = res.meta.get("memory_kib")
        hi = limit_mib * 1024 * 1.10 + 2048
        if not isinstance(v, int) or v > hi:
            return [f"memory_kib = {v}, more than the {limit_mib} MiB limit allows ({hi:.0f})"]
        return []
    return check


def _peak_near_limit(limit_mib):
    def check(res):
        v = res.meta.get("memory_kib")
        lo, hi = limit_mib * 1024 * 0.5, limit_mib * 1024 * 1.10 + 2048
        if not isinstance(v, int) or not lo <= v <= hi:
            return [f"memory_kib = {v}, expected between {lo:.0f} and {hi:.0f} for a run killed at the limit"]
        return []
    return check


def _size_at_most(which, kib):
    def check(res):
        got = res.stdout_size if which == "stdout" else res.stderr_size
        hi = kib * 1024 * 1.1 + 128 * 1024
        return [] if got <= hi else [f"{which} carried {got} bytes past an --output of {kib} KiB (max {hi:.0f})"]
    return check


def family_memory(host):
    m = ["--mem", MEM, "--time", "3", "--wall", "10"]
    return [
        Case("touch-over-limit", "mem", args=["touch", 512], opts=m, expect=("MLE",),
             check=_peak_near_limit(MEM), what="malloc+memset 512 MiB in 1 MiB steps under --mem 64"),
        Case("mmap-untouched", "mem", args=["mmap-untouched", 16], opts=m, out_has=["mapped 16 GiB"],
             check=_peak_bounded(MEM),
             what="16 GiB mapped but never touched is not memory use (JVM/Go runtimes rely on it)"),
        Case("mmap-touch", "mem", args=["mmap-touch", 16, 512], opts=m, expect=("MLE",),
             check=_peak_near_limit(MEM), what="16 GiB mapped, then 512 MiB of it touched"),
        Case("static-array", "mem", args=["static"], opts=m, expect=("MLE",),
             check=_peak_bounded(MEM), what="a 512 MiB static array written in full"),
        Case("deep-stack", "mem", args=["stack"], opts=m, expect=("MLE", "RTE"),
             check=_peak_bounded(MEM), what="unbounded recursion"),
        Case("memfd", "mem", args=["memfd", 512], opts=m, expect=("MLE",), check=_peak_bounded(MEM),
             what="512 MiB written into a memfd (shmem pages)"),
        Case("sysv-shm", "mem", args=["sysv", 512], opts=m, expect=("MLE",), check=_peak_bounded(MEM),
             what="a 512 MiB SysV shm segment written in full"),
        Case("tree-memory", "mem", args=["tree", 4, 30], opts=m + ["--procs", "8"], expect=("MLE",),
             check=_peak_bounded(MEM),
             what="4 children x 30 MiB: each under the limit, the tree over it"),
        Case("tmp-counts-as-memory", "output", args=["fill", "/tmp"],
             opts=["--mem", MEM, "--output", 1024 * 1024, "--time", "5", "--wall", "10"],
             expect=("MLE", "OLE", "OK"), check=_peak_bounded(MEM),
             what="256 KiB files written to the box's tmpfs /tmp must be bounded by memory or size"),
    ]


def _host_blocks_at_most(kib):
    """Disk blocks behind the --stdout/--stderr host files, not their size."""
    def check(res):
        import os
        probs = []
        for path in (res.out_path, res.err_path):
            try:
                used = os.stat(path).st_blocks * 512
            except (OSError, TypeError):
                continue
            if used > kib * 1024 * 1.1 + (1 << 20):
                probs.append(f"the host file {path} holds {used >> 10} KiB of disk blocks "
                             f"(size {os.path.getsize(path)}) past an --output of {kib} KiB")
        return probs
    return check


def _host_size_at_most(kib):
    def check(res):
        import os
        probs = []
        for path in (res.out_path, res.err_path):
            try:
                size = os.path.getsize(path)
            except (OSError, TypeError):
                continue
            if size > kib * 1024 * 1.1 + 128 * 1024:
                probs.append(f"the host file {path} has an apparent size of {size} bytes past an --output of {kib} KiB")
        return probs
    return check


def family_output(host):
    o = ["--output", 1024, "--time", "3", "--wall", "10"]
    return [
        Case("flood-stdout-pipe", "output", args=["stdout"], opts=o, capture="pipe", expect=("OLE",),
             check=_size_at_most("stdout", 1024), what="endless stdout through a pipe"),
        Case("flood-stderr-pipe", "output", args=["stderr"], opts=o, capture="pipe", expect=("OLE",),
             check=_size_at_most("stderr", 1024), what="endless stderr through a pipe"),
        Case("flood-stdout-file", "output", args=["stdout"], opts=o, expect=("OLE",),
             check=_size_at_most("stdout", 1024), what="endless stdout into --stdout FILE"),
        Case("flood-stderr-file", "output", args=["stderr"], opts=o, expect=("OLE",),
             check=_size_at_most("stderr", 1024), what="endless stderr into --stderr FILE"),
        Case("stdout-plus-stderr-pipe", "output", args=["both", 700], opts=o, capture="pipe", expect=("OLE",),
             what="700 KiB on each stream under --output 1024: the limit is on the sum"),
        Case("stdout-plus-stderr-file", "output", args=["both", 700], opts=o, expect=("OLE",),
             what="the same into --stdout/--stderr files"),
        Case("fallocate-keep-size", "output", args=["fallocate", 64], opts=o, expect=("OK", "OLE", "SV", "RTE"),
             check=_host_blocks_at_most(1024),
             what="fallocate(KEEP_SIZE) 64 MiB behind --stdout/--stderr host files: size stays 0, blocks do not"),
        Case("sparse-truncate", "output", args=["truncate", 50], opts=o, expect=("OK", "OLE", "RTE", "SV"),
             check=_host_size_at_most(1024),
             what="ftruncate/pwrite the --stdout/--stderr host files to 50 GiB (sparse)"),
        Case("big-file", "output", args=["bigfile"], opts=o, expect=("OLE",),
             what="one endless file in the work dir"),
        Case("fill-workdir", "output", args=["fill", "."], opts=o + ["--mem", 256], expect=("OLE", "MLE", "OK"),
             what="many 256 KiB files in the work dir: the work dir size is bounded"),
        Case("fill-tmp", "output", args=["fill", "/tmp"], opts=o + ["--mem", 256], expect=("OLE", "MLE", "OK"),
             what="many 256 KiB files in /tmp"),
        Case("fill-dev-shm", "output", args=["fill", "/dev/shm"], opts=o + ["--mem", 256],
             expect=("OLE", "MLE", "OK"), what="many 256 KiB files in /dev/shm (if the box has one)"),
        Case("many-small-files", "output", args=["manyfiles"],
             opts=["--output", 1024, "--mem", 128, "--time", "4", "--wall", "10"],
             expect=("OK", "OLE", "MLE", "TLE"), what="a million empty files: inodes must be bounded"),
    ]
