#!/usr/bin/env python3
"""test_python_client.py — a client and a worker written from proto/PROTOCOL.md
alone, with Python's msgpack, talking to our C decoder (through proto_tool):
if these frames decode, the spec is enough to interoperate. Also decodes
frames our C encoder writes, checking the field names and types the spec
promises. Usage: test_python_client.py PATH/TO/proto_tool"""
import hashlib
import os
import subprocess
import sys
import tempfile

import msgpack

TOOL = sys.argv[1]
H = "0123456789abcdef" * 4
failures = []
passed = 0


def check(cond, what):
    global passed
    if cond:
        passed += 1
    else:
        failures.append(what)
        print("FAIL:", what)


def c_decode(obj=None, raw=None):
    """Packs obj the way PROTOCOL.md says (str as str, bytes as bin) and
    returns (exit code, {key: value}) from proto_tool decode."""
    data = raw if raw is not None else msgpack.packb(obj, use_bin_type=True)
    with tempfile.NamedTemporaryFile(delete=False) as f:
        f.write(data)
        path = f.name
    try:
        p = subprocess.run([TOOL, "decode", path], capture_output=True, text=True, timeout=30)
    finally:
        os.unlink(path)
    out = {}
    for line in p.stdout.splitlines():
        k, _, v = line.partition("=")
        out[k] = v
    return p.returncode, out


def c_sample(type_):
    with tempfile.NamedTemporaryFile(delete=False) as f:
        path = f.name
    try:
        subprocess.run([TOOL, "sample", type_, path], check=True, timeout=30)
        with open(path, "rb") as f:
            data = f.read()
    finally:
        os.unlink(path)
    return msgpack.unpackb(data, raw=False)


def problem_hash(files):
    """PROTOCOL.md §4.2: sha256 over path NUL sha256 NUL size LF, by path."""
    h = hashlib.sha256()
    for f in sorted(files, key=lambda f: f["path"].encode()):
        h.update(f["path"].encode() + b"\0" + f["sha256"].encode() + b"\0"
                 + str(f["size"]).encode() + b"\n")
    return h.hexdigest()


# --- a client's SUBMIT, exactly as §3 of PROTOCOL.md describes it ---
manifest = [
    {"path": "problem.yaml", "sha256": hashlib.sha256(b"name: x\n").hexdigest(), "size": 8},
    {"path": "data/secret/1.in", "sha256": "f" * 64, "size": 1 << 40},
    {"path": "data/Z.in", "sha256": "e" * 64, "size": 0},
]
submit = {
    "v": 1,
    "type": "SUBMIT",
    "rid": 77,
    "sid": "py-client:1",
    "problem": {"hash": problem_hash(manifest), "files": manifest},
    "lang": "python3",
    "sources": [{"name": "main.py", "content": b"print(input())\n"}],
    "priority": "contest",
    "options": {"stop_at_first_failure": True},
}
rc, d = c_decode(submit)
check(rc == 0, "SUBMIT decodes: %r" % d)
check(d.get("type") == "SUBMIT" and d.get("rid") == "77", "envelope")
check(d.get("sid") == "py-client:1", "sid")
check(d.get("problem.hash") == problem_hash(manifest), "problem.hash")
check(d.get("problem.computed_hash") == problem_hash(manifest), "problem hash as in §4.2: %r" % d)
check(d.get("problem.nfiles") == "3", "files count")
check(d.get("problem.files[1]") == "data/secret/1.in %s %d" % ("f" * 64, 1 << 40), "file entry")
check(d.get("lang") == "python3", "lang")
check(d.get("sources[0].name") == "main.py", "source name")
check(d.get("sources[0].content") == b"print(input())\n".hex(), "source content")
check(d.get("priority") == "contest", "priority")
check(d.get("options.stop_at_first_failure") == "1", "options")

# Minimal SUBMIT: optional fields left out; key order does not matter;
# content given as a str is accepted too.
minimal = {
    "sources": [{"content": "int main(){}", "name": "a.c"}],
    "lang": "c",
    "problem": {"files": [], "hash": H},
    "type": "SUBMIT",
    "v": 1,
}
rc, d = c_decode(minimal)
check(rc == 0 and d.get("sid") == "" and d.get("priority") == "normal", "minimal SUBMIT: %r" % d)
check(d.get("rid") == "0", "rid defaults to 0")

# Watched from its ACK on, every test run (§3.1 SUBMIT watch, options.all_tests)
rc, d = c_decode(dict(minimal, watch=True, options={"all_tests": True}))
check(rc == 0 and d.get("watch") == "1" and d.get("options.all_tests") == "1"
      and d.get("options.stop_at_first_failure") == "0", "SUBMIT watch/all_tests: %r" % d)
rc, d = c_decode(dict(minimal, options={"all_tests": True, "stop_at_first_failure": True}))
check(rc == 1 and d.get("error") == "bad_request", "all_tests with stop_at_first_failure: %r" % d)
rc, d = c_decode({"v": 1, "type": "WATCH", "rid": 4})
check(rc == 1 and d.get("error") == "bad_request", "WATCH without sid: %r" % d)

# Unknown keys are ignored (forward compatibility).
rc, d = c_decode(dict(minimal, future_field={"x": [1, 2, 3]}))
check(rc == 0, "unknown key ignored")

# --- the other client requests ---
for t, extra in [
    ("BLOB_HAVE", {"hashes": [H, "e" * 64]}),
    ("BLOB_PUT", {"sha256": H, "data": b"\x00\x01binary"}),
    ("RESULT_GET", {"sid": "py-client:1"}),
    ("CANCEL", {"sid": "py-client:1"}),
    ("STATUS", {}),
    ("WATCH", {"sid": "py-client:1"}),
]:
    rc, d = c_decode(dict({"v": 1, "type": t, "rid": 5}, **extra))
    check(rc == 0 and d.get("type") == t, "%s decodes: %r" % (t, d))

# --- a worker's messages ---
rc, d = c_decode({"v": 1, "type": "REGISTER", "rid": 1, "name": "py-worker", "slots": 2,
                  "langs": ["c", "python3"]})
check(rc == 0 and d.get("langs[1]") == "python3", "REGISTER: %r" % d)
test = {"name": "1", "group": "secret", "verdict": "RTE", "cpu_ms": 3, "wall_ms": 4,
        "memory_kib": 1024, "exit_code": -1, "signal": 11, "syscall": "", "message": "segv"}
rc, d = c_decode({"v": 1, "type": "PROGRESS", "rid": 2, "sid": "s1", "lease": 2**63,
                  "index": 0, "test": test, "total": 14})
check(rc == 0 and d.get("test.signal") == "11" and d.get("lease") == str(2**63)
      and d.get("total") == "14", "PROGRESS: %r" % d)
result = {"verdict": "RTE", "score": 0.5, "compile": {"ok": True, "message": "", "cpu_ms": 100},
          "tests": [dict(test, score=0.25)], "max_cpu_ms": 3, "max_memory_kib": 1024, "scoring": True}
rc, d = c_decode({"v": 1, "type": "JOB_RESULT", "rid": 3, "sid": "s1", "lease": 9,
                  "result": result})
check(rc == 0 and d.get("result.verdict") == "RTE" and d.get("result.score") == "0.5"
      and d.get("result.tests[0].exit_code") == "-1" and d.get("result.scoring") == "1"
      and d.get("result.tests[0].score") == "0.25", "JOB_RESULT: %r" % d)
# score may be an integer
rc, d = c_decode({"v": 1, "type": "JOB_RESULT", "sid": "s1", "lease": 9,
                  "result": dict(result, score=1)})
check(rc == 0 and d.get("result.score") == "1", "integer score")

# --- errors the spec promises ---
rc, d = c_decode(dict(submit, v=2))
check(rc == 1 and d.get("error") == "unsupported_version" and d.get("rid") == "77",
      "wrong version: %r" % d)
rc, d = c_decode(dict(submit, type="SUMBIT"))
check(rc == 1 and d.get("error") == "unknown_type", "unknown type: %r" % d)
rc, d = c_decode(dict(submit, sid="x" * 129))
check(rc == 1 and d.get("error") == "too_large", "long sid: %r" % d)
rc, d = c_decode(dict(submit, sid="../etc"))
check(rc == 1 and d.get("error") == "bad_request", "bad sid: %r" % d)
rc, d = c_decode(dict(submit, lang=5))
check(rc == 1 and d.get("error") == "bad_request", "wrong type: %r" % d)
rc, d = c_decode(raw=msgpack.packb(submit, use_bin_type=True) + b"\xc0")
check(rc == 1 and d.get("error") == "bad_request", "trailing byte: %r" % d)
rc, d = c_decode(raw=msgpack.packb([1, "SUBMIT", 7]))
check(rc == 1 and d.get("error") == "bad_request", "array root: %r" % d)

# --- what the broker sends, as our C encoder writes it ---
r = c_sample("RESULT")
check(r["v"] == 1 and r["type"] == "RESULT" and isinstance(r["rid"], int), "RESULT envelope")
check(r["final"] is True and r["state"] == "done", "RESULT final/state")
res = r["result"]
check(res["verdict"] in ("", "AC", "WA", "TLE", "MLE", "OLE", "RTE", "CE", "SV", "IE"), "verdict")
check(isinstance(res["score"], float), "score is a float")
check(set(res["compile"]) == {"ok", "message", "cpu_ms"}, "compile keys")
check(set(res["tests"][0]) == {"name", "group", "verdict", "cpu_ms", "wall_ms", "memory_kib",
                               "exit_code", "signal", "syscall", "message", "score"}, "test keys")
check(isinstance(res["scoring"], bool), "result.scoring is a bool")
j = c_sample("JOB")
check({"sid", "lease", "attempt", "lang", "sources", "problem", "options", "priority"} <= set(j),
      "JOB keys")
check(isinstance(j["sources"][0]["content"], bytes), "source content is bin")
e = c_sample("ERROR")
check(e["code"] == "queue_full" and isinstance(e["message"], str), "ERROR")
a = c_sample("ACK")
check(a["sid"] == "s-3" and a["duplicate"] is True and a["watching"] is True, "ACK")
m = c_sample("BLOBS_MISSING")
check(len(m["hashes"]) == 2 and all(len(h) == 64 for h in m["hashes"]), "BLOBS_MISSING")
ev = c_sample("EVENT")
check(ev["kind"] in ("queued", "started", "compiled", "test", "requeued", "done", "cancelled"),
      "EVENT kind")
b = c_sample("BLOB")
check(b["found"] is True and isinstance(b["data"], bytes), "BLOB")

print("%d passed, %d failed" % (passed, len(failures)))
sys.exit(1 if failures else 0)
