"""cases_net_ipc.py — families 7 and 8 of REFERENCE §3: the network (host
listeners must receive nothing), and kernel objects shared across boxes:
keyrings, file locks on host inodes, abstract unix sockets between two
concurrent boxes, and two concurrent `judge run`s not disturbing each
other."""

import fcntl
import os
import threading
import time

from harness import Case, verdict_problems

LOCK_TARGETS = ["/etc/passwd", "/etc/ld.so.cache", "/usr/bin/env", "/bin/sh"]


EAFNO = "Address family not supported by protocol"  # strerror(EAFNOSUPPORT)


def family_net(host):
    port = host.port
    sv = ("SV",)
    # The default policy answers socket(AF_INET/AF_INET6, ...) with
    # EAFNOSUPPORT (javac and the JVM carry on without): the programs below
    # see the call fail, print it, and exit 0. Any other family is SV.
    inet = ("OK",)
    nosock = [f"socket: {EAFNO}"]
    return [
        Case("tcp-loopback", "net", args=["tcp", "127.0.0.1", port], expect=inet, out_has=nosock,
             what="TCP connect to a host listener on 127.0.0.1"),
        Case("tcp-host-ip", "net", args=["tcp", host.host_ip, port], expect=inet, out_has=nosock,
             what=f"TCP connect to the host's address {host.host_ip}"),
        Case("udp-loopback", "net", args=["udp", "127.0.0.1", port], expect=inet, out_has=nosock,
             what="UDP datagrams to a host socket"),
        Case("mptcp-loopback", "net", args=["inet", "127.0.0.1", port, 1, 262], expect=inet, out_has=nosock,
             what="MPTCP (SOCK_STREAM, IPPROTO_MPTCP) to the host listener"),
        Case("sctp-seqpacket", "net", args=["inet", "127.0.0.1", port, 5, 132], expect=inet, out_has=nosock,
             what="SCTP SOCK_SEQPACKET to the host"),
        Case("inet-rdm", "net", args=["inet", "127.0.0.1", port, 4, 0], expect=inet, out_has=nosock,
             what="AF_INET SOCK_RDM"),
        Case("ping-socket", "net", args=["inet", "127.0.0.1", port, 2, 1], expect=inet, out_has=nosock,
             what="unprivileged ICMP (ping) socket"),
        Case("iouring-socket", "net", args=["iouring", "127.0.0.1", port], expect=sv, syscall="io_uring",
             what="socket+connect through io_uring, behind the socket filter"),
        Case("vsock", "sysc", args=["socket-vsock"], expect=sv, syscall="socket", what="AF_VSOCK socket"),
        Case("netlink", "sysc", args=["socket-netlink"], expect=sv, syscall="socket", what="AF_NETLINK socket"),
        Case("packet", "sysc", args=["socket-packet"], expect=sv, syscall="socket", what="AF_PACKET raw socket"),
        Case("raw-icmp", "sysc", args=["socket-raw"], expect=inet, out_has=[f"RETURNED socket-raw -1 {EAFNO}"],
             out_not=["SUCCEEDED"], what="AF_INET SOCK_RAW"),
        Case("inet6", "sysc", args=["socket-inet6"], expect=inet, out_has=[f"RETURNED socket-inet6 -1 {EAFNO}"],
             out_not=["SUCCEEDED"], what="AF_INET6 socket"),
        Case("alg", "sysc", args=["socket-alg"], expect=sv, syscall="socket", what="AF_ALG (kernel crypto)"),
        Case("socketpair-inet", "sysc", args=["socketpair-inet"], expect=sv, syscall="socketpair",
             out_not=["SUCCEEDED"], what="socketpair(AF_INET) never yields sockets"),
        # With no seccomp at all, only the network namespace stands between
        # the program and the host: nothing may arrive either way.
        Case("tcp-loopback-policy-none", "net", args=["tcp", "127.0.0.1", port], opts=["--policy", "none"],
             out_has=["connect:"], what="TCP to the host listener with seccomp off (network namespace only)"),
        Case("tcp-host-ip-policy-none", "net", args=["tcp", host.host_ip, port], opts=["--policy", "none"],
             out_has=["connect:"], what="TCP to the host's address with seccomp off"),
        Case("udp-policy-none", "net", args=["udp", "127.0.0.1", port], opts=["--policy", "none"],
             what="UDP to the host with seccomp off"),
        Case("iouring-policy-none", "net", args=["iouring", "127.0.0.1", port], opts=["--policy", "none"],
             what="io_uring socket+connect with seccomp off"),
    ]


def _locks(host, policy="default"):
    """While a box holds (or tried to hold) locks on host-shared inodes, a
    host process must still be able to take them."""
    case = Case("locks", "locks", args=[4] + LOCK_TARGETS,
                opts=["--time", "1", "--wall", "8", "--policy", policy], expect=("OK", "SV"))
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("res", host.run(case)))
    t.start()
    time.sleep(2.0)
    blocked = []
    for path in LOCK_TARGETS:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError:
            blocked.append(path)
        finally:
            os.close(fd)
    t.join(60)
    res = out.get("res")
    probs = verdict_problems(host, res) if res else ["the locking run never returned"]
    for path in blocked:
        probs.append(f"the box held an exclusive flock on the host's {path}: a host process could not lock it "
                     f"(a channel between concurrent boxes; flock/fcntl locks are not filtered)")
    return probs


def _concurrent(host, a, b, delay=0.3):
    """Starts run a, then b shortly after; returns both results."""
    out = {}
    ta = threading.Thread(target=lambda: out.setdefault("a", host.run(a)))
    ta.start()
    time.sleep(delay)
    out["b"] = host.run(b)
    ta.join(120)
    return out.get("a"), out["b"]


def _abstract_between_boxes(host):
    name = f"jpatk-{host.nonce}"
    a = Case("listen", "net", args=["abstract-listen", name, 3], opts=["--time", "1", "--wall", "6"])
    b = Case("connect", "net", args=["abstract-connect", name], opts=["--wall", "4"])
    ra, rb = _concurrent(host, a, b, delay=1.0)
    probs = []
    for r in (ra, rb):
        probs += verdict_problems(host, r) if r else ["a run never returned"]
    if ra and "listening" not in ra.text():
        probs.append(f"the listening box could not listen (so the test proves nothing): {ra.text()[:200]!r}")
    return probs


def _two_boxes_at_once(host):
    """Two `judge run`s at the same time must each get their own box: both
    OK with their own output, neither killed by the other's teardown."""
    a = Case("a", "/bin/sh", args=["-c", f"sleep 1; echo first-box # {host.tag}"], opts=["--procs", "4", "--wall", "5"],
             out_has=["first-box"])
    b = Case("b", "/bin/sh", args=["-c", f"echo second-box # {host.tag}"], opts=["--procs", "4"], out_has=["second-box"])
    ra, rb = _concurrent(host, a, b)
    probs = []
    for name, r in (("first", ra), ("second", rb)):
        for p in (verdict_problems(host, r) if r else ["never returned"]):
            probs.append(f"{name} concurrent run: {p}")
    return probs


def _cross_box(host):
    """Box A runs for ~2 s; box B, started meanwhile, must not see A's
    processes, kill them with kill(-1), or read A's /tmp and /dev/shm."""
    t, word = host.tag, f"crossbox-{host.nonce}"
    a = Case("a", "/bin/sh", args=["-c", f"echo {word} > /tmp/{t}_shared; echo {word} > /dev/shm/{t}_shared; "
                                          f"sleep 2; echo still-alive # {t}"],
             opts=["--procs", "4", "--wall", "6"], out_has=["still-alive"])
    probs = []
    for b in (Case("b-visible", "signals", args=["visible"], opts=["--procs", "4"], out_not=["comm sleep"]),
              Case("b-killall", "signals", args=["killall"], opts=["--time", "1", "--wall", "3"], expect=("TLE",)),
              Case("b-read", "/bin/sh", args=["-c", f"cat /tmp/{t}_shared /dev/shm/{t}_shared; ls /tmp # {t}"],
                   opts=["--procs", "4"], expect=("OK", "RTE"), out_not=[word])):
        ra, rb = _concurrent(host, a, b, delay=0.5)
        for name, r in (("box A", ra), (b.name, rb)):
            for p in (verdict_problems(host, r) if r else ["never returned"]):
                probs.append(f"{b.name}: {name}: {p}")
    return probs


def family_kernel_objects(host):
    sv = ("SV",)
    return [
        Case("keyctl", "sysc", args=["keyctl"], expect=sv, syscall="keyctl", what="keyctl on the user keyring"),
        Case("add_key", "sysc", args=["add_key"], expect=sv, syscall="add_key", what="add_key"),
        Case("request_key", "sysc", args=["request_key"], expect=sv, syscall="request_key", what="request_key"),
        Case("flock-host-inodes", "locks", custom=_locks,
             what="exclusive flock/fcntl locks on /etc and /usr files shared with the host"),
        Case("flock-host-inodes-strict", "locks", custom=lambda h: _locks(h, "strict"),
             what="the same under the strict policy"),
        Case("abstract-unix-between-boxes", "net", custom=_abstract_between_boxes,
             what="two concurrent boxes talk over an abstract unix socket"),
        Case("cross-box", "/bin/sh", custom=_cross_box,
             what="a second box cannot see, kill, or read the files of a running box"),
        Case("two-boxes-at-once", "/bin/sh", custom=_two_boxes_at_once,
             what="two concurrent judge runs each get their own box"),
    ]
