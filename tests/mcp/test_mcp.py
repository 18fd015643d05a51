"""Tests of `glintefy mcp` (suite mcp of tests/check.py): run.mjs drives the server with the
official MCP TypeScript SDK client (tools, progress, cancellation, errors); the raw tests here
speak the wire protocol directly (malformed JSON, huge and odd messages, wrong types, unknown
methods, end of input)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
import testlib  # noqa: E402
from testlib import ROOT  # noqa: E402

WORKLOAD = "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\nfor i in range(300):\n    fib(12)\n"


def make_repo(top):
    """A repository with a real cProfile file, review output to clean, and a symlink out."""
    repo = os.path.join(top, "repo")
    os.makedirs(os.path.join(repo, "LLM-CONTEXT/glintefy/review/perf"))
    os.makedirs(os.path.join(repo, "LLM-CONTEXT/glintefy/review/cache"))
    with open(os.path.join(repo, "w.py"), "w") as fp:
        fp.write(WORKLOAD)
    subprocess.run([sys.executable, "-m", "cProfile", "-o", "w.prof", "w.py"], cwd=repo, check=True,
                   stdout=subprocess.DEVNULL)
    for p in ("LLM-CONTEXT/glintefy/review/perf/old.prof", "LLM-CONTEXT/glintefy/review/cache/x.json"):
        with open(os.path.join(repo, p), "w") as fp:
            fp.write("x")
    with open(os.path.join(top, "outside.prof"), "wb") as fp:
        fp.write(b"{0")
    os.symlink(os.path.join(top, "outside.prof"), os.path.join(repo, "evil.prof"))
    return repo


class Server:
    """A `glintefy mcp` process spoken to line by line."""

    def __init__(self, binary, repo, env=None):
        e = testlib.env()
        e.update(env or {})
        self.p = subprocess.Popen([os.path.join(ROOT, binary), "mcp", "--repo", repo], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e)

    def send(self, data):
        self.p.stdin.write(data if isinstance(data, bytes) else (json.dumps(data) + "\n").encode())
        self.p.stdin.flush()

    def recv(self, want_id=None, timeout=20):
        """The next message (skipping notifications unless want_id is None)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.p.stdout.readline()
            if not line:
                return None
            m = json.loads(line)
            if want_id is None or m.get("id") == want_id:
                return m
        return None

    def close(self, timeout=20):
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        try:
            rest = self.p.stdout.read()
            self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return None, b"", b"timed out"
        return self.p.returncode, rest, self.p.stderr.read()


INIT = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}


def err_code(m):
    return (m or {}).get("error", {}).get("code")


def raw_tests(s, binary, repo):
    srv = Server(binary, repo)
    srv.send(INIT)
    r = srv.recv(0)
    s.check(r and r["result"]["protocolVersion"] == "2025-11-25" and "tools" in r["result"]["capabilities"],
            "raw: initialize 2025-11-25", r)
    srv.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    srv.send(dict(INIT, id="vnew", params=dict(INIT["params"], protocolVersion="2030-01-01")))
    r = srv.recv("vnew")
    s.check(r and r["result"]["protocolVersion"] == "2025-11-25", "raw: unknown version -> the latest", r)
    for old in ("2025-06-18", "2025-03-26", "2024-11-05"):
        srv.send(dict(INIT, id="v" + old, params=dict(INIT["params"], protocolVersion=old)))
        r = srv.recv("v" + old)
        s.check(r and r["result"]["protocolVersion"] == old, "raw: accepts protocol %s" % old, r)
    srv.send({"jsonrpc": "2.0", "id": "l1", "method": "tools/list"})
    r = srv.recv("l1")
    s.check(r and all("outputSchema" not in t for t in r["result"]["tools"]),
            "raw: no outputSchema for a 2024-11-05 session", r and r["result"]["tools"][0].keys())
    srv.send(INIT)
    srv.recv(0)

    cases = [
        ("malformed JSON -> -32700", b'{"jsonrpc": "2.0", "id": 1, "method": \n', None, -32700),
        ("trailing garbage -> -32700", b'{"jsonrpc":"2.0","id":1,"method":"ping"} x\n', None, -32700),
        ("not an object -> -32600", b'42\n', None, -32600),
        ("batch -> -32600", b'[{"jsonrpc":"2.0","id":1,"method":"ping"}]\n', None, -32600),
        ("no method -> -32600", {"jsonrpc": "2.0", "id": 5}, 5, -32600),
        ("bad jsonrpc -> -32600", {"jsonrpc": "1.0", "id": 6, "method": "ping"}, 6, -32600),
        ("float id -> -32600", b'{"jsonrpc":"2.0","id":1.5,"method":"ping"}\n', None, -32600),
        ("unknown method -> -32601", {"jsonrpc": "2.0", "id": 7, "method": "resources/list"}, 7, -32601),
        ("params not an object -> -32602", {"jsonrpc": "2.0", "id": 8, "method": "tools/list", "params": [1]}, 8, -32602),
        ("tools/call name not a string -> -32602", {"jsonrpc": "2.0", "id": 9, "method": "tools/call",
                                                   "params": {"name": 3}}, 9, -32602),
        ("arguments not an object -> -32602", {"jsonrpc": "2.0", "id": 10, "method": "tools/call",
                                              "params": {"name": "review_clean", "arguments": [True]}}, 10, -32602),
        ("integer as string -> -32602", {"jsonrpc": "2.0", "id": 11, "method": "tools/call",
                                        "params": {"name": "profile_hotspots", "arguments": {"min_calls": "5"}}}, 11, -32602),
        ("fraction for integer -> -32602", {"jsonrpc": "2.0", "id": 12, "method": "tools/call",
                                           "params": {"name": "review_cache", "arguments": {"cache_size": 1.5}}}, 12, -32602),
        ("command items not strings -> -32602", {"jsonrpc": "2.0", "id": 13, "method": "tools/call",
                                                "params": {"name": "review_profile", "arguments": {"command": ["ls", 1]}}}, 13, -32602),
        ("NUL in a path -> -32602", {"jsonrpc": "2.0", "id": 14, "method": "tools/call",
                                    "params": {"name": "profile_hotspots", "arguments": {"profile": "w.prof\u0000x"}}}, 14, -32602),
        ("bad log level -> -32602", {"jsonrpc": "2.0", "id": 15, "method": "logging/setLevel",
                                    "params": {"level": "loud"}}, 15, -32602),
        ("initialize without version -> -32602", {"jsonrpc": "2.0", "id": 16, "method": "initialize", "params": {}}, 16, -32602),
    ]
    for name, msg, rid, code in cases:
        srv.send(msg)
        r = srv.recv() if rid is None else srv.recv(rid)
        while r and "method" in r:  # a log notification
            r = srv.recv()
        s.check(err_code(r) == code and (rid is None or r.get("id") == rid), "raw: " + name, r)
        srv.send({"jsonrpc": "2.0", "id": "p", "method": "ping"})
        s.check(srv.recv("p") == {"jsonrpc": "2.0", "id": "p", "result": {}}, "raw: still serving after " + name, None)

    # ids beyond int64 are answered with the same number, digit for digit (not -32700 with id null);
    # a string of the same digits stays a string
    for text in (b"18446744073709551616", b"-99999999999999999999999", b"9223372036854775807",
                 b'"18446744073709551616"'):
        srv.send(b'{"jsonrpc":"2.0","id":' + text + b',"method":"ping","params":{"n":[123456789012345678901234567890]}}\n')
        line = srv.p.stdout.readline()
        s.check(line == b'{"jsonrpc":"2.0","id":' + text + b',"result":{}}\n', "raw: id %s answered as sent" % text.decode(),
                line[:200])
    # a NUL inside a method or tool name does not cut the name short
    srv.send(b'{"jsonrpc":"2.0","id":21,"method":"ping\\u0000x"}\n')
    r = srv.recv(21)
    s.check(err_code(r) == -32601 and "NUL" in r["error"]["message"], "raw: NUL in a method name -> -32601", r)
    srv.send(b'{"jsonrpc":"2.0","id":22,"method":"tools/call","params":{"name":"review_clean\\u0000x"}}\n')
    r = srv.recv(22)
    s.check(err_code(r) == -32602 and "NUL" in r["error"]["message"], "raw: NUL in a tool name -> -32602", r)

    # 5 MiB in one line, then 5 MiB more without a newline and the rest of that line
    srv.send(b'{"jsonrpc":"2.0","id":"big","method":"ping","params":{"x":"' + b"a" * (5 << 20) + b'"}}\n')
    r = srv.recv()
    s.check(err_code(r) == -32600 and "longer than" in r["error"]["message"], "raw: huge message -> error", r)
    srv.send({"jsonrpc": "2.0", "id": "p2", "method": "ping"})
    s.check(srv.recv("p2") is not None, "raw: still serving after a huge message", None)
    srv.send(b"  \n\r\n")  # blank lines are ignored
    srv.send({"jsonrpc": "2.0", "method": "notifications/unknown"})  # unknown notification: no reply
    srv.send({"jsonrpc": "2.0", "id": "r", "result": {}})  # a response: no reply
    srv.send({"jsonrpc": "2.0", "id": "p3", "method": "ping"})
    r = srv.recv()
    s.check(r == {"jsonrpc": "2.0", "id": "p3", "result": {}}, "raw: blank lines, notifications and responses get no reply", r)

    # a tool call, then end of input right away: the answer still comes, then a clean exit
    srv.send({"jsonrpc": "2.0", "id": "c", "method": "tools/call",
              "params": {"name": "review_clean", "arguments": {"dry_run": True}}})
    rc, rest, err = srv.close()
    lines = [json.loads(l) for l in rest.splitlines() if l.strip()]
    s.check(rc == 0 and any(m.get("id") == "c" and "result" in m for m in lines),
            "raw: end of input -> running tool answered, exit 0", (rc, rest[:300], err[-300:]))
    why = testlib.Run(rc if rc is not None else -9, b"", err).crash()
    s.check(why is None, "raw: no crash or sanitizer report", why)

    # stdout carries only JSON lines
    srv = Server(binary, repo)
    srv.send(INIT)
    srv.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
              "params": {"name": "profile_hotspots", "arguments": {"profile": "w.prof"}}})
    srv.send({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
              "params": {"name": "review_cache", "arguments": {}}})
    rc, rest, err = srv.close(timeout=120)
    bad = [l for l in rest.splitlines() if l.strip() and not l.startswith(b"{")]
    s.check(rc == 0 and not bad and b"glintefy mcp: serving" in err, "raw: stdout only JSON lines, logs on stderr",
            (rc, bad[:2], err[-200:]))

    # SIGTERM while a tool runs: the child is killed too
    srv = Server(binary, repo, {"GLINTEFY_MCP_EXE": os.path.join(HERE, "fake_glintefy.py"),
                                "FAKE_GLINTEFY_LOG": os.path.join(repo, "..", "sigterm.log")})
    srv.send(INIT)
    srv.recv(0)
    srv.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
              "params": {"name": "review_profile", "arguments": {"command": ["x"]}}})
    pid = None
    for _ in range(50):
        time.sleep(0.1)
        try:
            with open(os.path.join(repo, "..", "sigterm.log")) as fp:
                pid = json.loads(fp.readline())["pid"]
                break
        except (OSError, ValueError):
            pass
    srv.p.terminate()
    srv.p.wait(10)
    time.sleep(0.3)
    gone = pid is not None and not os.path.exists("/proc/%d" % pid) or \
        (pid is not None and open("/proc/%d/stat" % pid).read().split()[2] == "Z")
    s.check(gone, "raw: SIGTERM stops the server and its running tool", pid)


STUBBORN, tagged = testlib.STUBBORN, testlib.tagged


def stop_tests(s, binary, top):
    """review_profile running a command that ignores SIGTERM, with a forked and a setsid child:
    at the time limit and at the server's exit every one of them ends, and no glintefy-profile-*
    temporary directory is left."""
    repo = os.path.join(top, "stubborn")
    tmp = os.path.join(top, "tmp")
    os.makedirs(repo)
    os.makedirs(tmp)
    with open(os.path.join(repo, "stubborn.py"), "w") as fp:
        fp.write(STUBBORN)
    for how in ("time limit", "server exit"):
        tag = "glintefy-stubborn-%d-%s" % (os.getpid(), how.replace(" ", "-"))
        srv = Server(binary, repo, {"TMPDIR": tmp})
        srv.send(INIT)
        srv.recv(0)
        args = {"command": [sys.executable, "stubborn.py", tag]}
        if how == "time limit":
            args["time_limit_seconds"] = 3
        srv.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                  "params": {"name": "review_profile", "arguments": args}})
        for _ in range(200):
            if os.path.exists(os.path.join(repo, tag + ".ready")):
                break
            time.sleep(0.05)
        started = len(tagged(tag))
        if how == "time limit":
            # a second tool running meanwhile (glintefy and its command: 2 processes) is not one of
            # the first one's processes
            other = tag + "-other"
            srv.send({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "review_profile", "arguments": {
                "command": [sys.executable, "-c", "import time; time.sleep(8)", other], "name": "other"}}})
            r = srv.recv(1, timeout=60)
            s.check(r and r["result"].get("isError") and "time limit" in json.dumps(r),
                    "stop: review_profile answered at its time limit", r)
            time.sleep(0.3)
            s.check(len(tagged(other)) == 2, "stop: another tool's command survives the first one's kill", tagged(other))
            r = srv.recv(2, timeout=60)
            s.check(r and not r["result"].get("isError"), "stop: the other tool ends normally", r)
            rc, _, err = srv.close()
        else:
            srv.p.terminate()
            try:
                srv.p.wait(30)
            except subprocess.TimeoutExpired:
                srv.p.kill()
            rc, _, err = srv.close()
        time.sleep(0.3)
        left = tagged(tag)
        for pid in left:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        s.check(started >= 3 and not left, "stop (%s): the command, its child and its setsid child ended" % how,
                "%d started, still running: %r" % (started, left))
        leftovers = [f for f in os.listdir(tmp)]
        s.check(not leftovers, "stop (%s): no temporary directory left" % how, leftovers)
        for f in leftovers:
            shutil.rmtree(os.path.join(tmp, f), ignore_errors=True)
        why = testlib.Run(rc if rc is not None else -9, b"", err).crash()
        s.check(why is None, "stop (%s): no crash or sanitizer report" % how, why)


def run_all(s, binary, node=True):
    top = tempfile.mkdtemp(prefix="glintefy-mcp-")
    try:
        repo = make_repo(top)
        raw_tests(s, binary, repo)
        stop_tests(s, binary, top)
        if not node:
            return
        if not os.path.isdir(os.path.join(HERE, "node_modules")):
            s.fail("mcp-sdk", "tests/mcp/node_modules is missing; run `make deps`")
            return
        shutil.rmtree(repo)
        repo = make_repo(top)
        log = os.path.join(top, "fake.log")
        open(log, "w").close()
        try:
            p = subprocess.run(["node", os.path.join(HERE, "run.mjs"), os.path.join(ROOT, binary), repo,
                                os.path.join(HERE, "fake_glintefy.py"), log],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300, env=testlib.env(), cwd=HERE)
        except subprocess.TimeoutExpired:
            s.fail("mcp-sdk", "run.mjs timed out")
            return
        summary = False
        for line in p.stdout.decode("utf-8", "replace").splitlines():
            if line.startswith("ok "):
                s.ok()
            elif line.startswith("FAIL "):
                s.fail("sdk: " + line[5:].split(":")[0], line[5:])
            elif line.startswith("note: "):
                if line[6:] not in s.notes:
                    s.notes.append(line[6:])
            elif line.startswith("mcp-sdk: "):
                summary = True
        if p.returncode != 0 or not summary:
            s.fail("mcp-sdk", "run.mjs exit %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace")[-500:]))
    finally:
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    s = testlib.Suite("mcp")
    run_all(s, sys.argv[1] if len(sys.argv) > 1 else testlib.BUILDS["gcc"])
    print("%d passed, %d failed" % (s.passed, s.failed))
