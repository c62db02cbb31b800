#!/usr/bin/env python3
"""run_attacks.py — runs one family of the attack suite through `judge run`.

usage: run_attacks.py --judge PATH --progs DIR --family NAME [-k SUBSTRING] [-v]

Exit 0 when every case held, 1 when any failed, 77 (ctest skip) when not
root, 2 on a usage error. Each case prints one line ("ok" / "FAIL" with the
reasons), so a failing ctest log says exactly which attack got through."""

import argparse
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cases_compiler  # noqa: E402
import cases_controls  # noqa: E402
import cases_filter  # noqa: E402
import cases_fs  # noqa: E402
import cases_memory_output  # noqa: E402
import cases_net_ipc  # noqa: E402
import cases_procs  # noqa: E402
from harness import Case, Host, run_cases, verdict_problems  # noqa: E402

FAMILIES = {
    "controls": cases_controls.cases,
    "procs": cases_procs.family_procs,
    "signals": cases_procs.family_signals,
    "time": cases_procs.family_time,
    "memory": cases_memory_output.family_memory,
    "output": cases_memory_output.family_output,
    "fs": cases_fs.family_fs,
    "net": cases_net_ipc.family_net,
    "kernel-objects": cases_net_ipc.family_kernel_objects,
    "filter": cases_filter.family_filter,
    "policy-none": cases_filter.family_policy_none,
    "compiler": cases_compiler.family_compiler,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--judge", required=True)
    ap.add_argument("--progs", required=True)
    ap.add_argument("--family", required=True, choices=sorted(FAMILIES))
    ap.add_argument("-k", dest="only", help="run only cases whose name contains this")
    ap.add_argument("-v", action="store_true", help="print each judge command")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: the attack suite needs root (the box needs root to build namespaces and cgroups)")
        return 77
    if not os.access(a.judge, os.X_OK):
        print(f"FAIL: no judge binary at {a.judge}")
        return 1
    host = Host(a.judge, a.progs, verbose=a.v)
    try:
        # The first run of a fresh engine may create its state (cgroups,
        # /run/judgepool): do it before any snapshot is compared.
        warm = host.run(Case("warmup", "hello", out_has=["hello from the box"]))
        probs = verdict_problems(host, warm)
        if probs:
            print("FAIL warmup: judge run cannot run a C hello world:")
            for p in probs:
                print(f"     - {p}")
            print(f"     judge stderr: {warm.judge_stderr[:500]!r}")
            return 1
        failed = run_cases(host, FAMILIES[a.family](host), a.only)
    finally:
        host.close()
    print(f"family {a.family}: {'all held' if not failed else f'{failed} case(s) FAILED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
