# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# Shared helpers of the end-to-end cluster tests in tests/cluster (issue 5): real cairnd
# processes started by tools/cairn-cluster, talked to over Thrift with the Python code
# `thrift --gen py` makes from thrift/cassandra.thrift (package `cassandra`).
#
#   ARGS                     --cairnd, --gen-py, --launcher (parsed at import; the rest of
#                            argv is left to unittest)
#   Cluster(name, addrs, settings, node_settings)
#                            a launcher cluster in its own temporary folder: create,
#                            start / stop / kill nodes, pids, logs, destroy
#   connect(address, keyspace) -> Client
#                            a framed, binary Thrift client (closes with .close())
#   wait_for(what, predicate, timeout)
#                            polls until the predicate is true (exceptions count as false)
#   Cluster.wait_down/up(observer, node)
#                            until `observer` lists the node as UNREACHABLE in
#                            describe_schema_versions, or lists it among the live nodes
#   Cluster.wait_schema_agreement()
#   metrics(address)         the node's admin endpoint /metrics (port 7199) as {name: value}
#   admin_json(address, method, path, body)
#                            an admin endpoint call with a JSON body: (HTTP status, JSON)
#   add_fault(address, peer, verb, direction, drop, delay_ms), clear_faults(address)
#                            messaging fault rules (POST / DELETE /faults): drop or delay
#                            the node's messages to or from a peer
#   murmur3_token(key), owner_of(token_map, key)
#                            Cassandra's Murmur3Partitioner token of a key, and the node
#                            whose range holds it (the first replica)
#   Timer                    named phases with their durations, printed at the end
#
# Every test uses addresses of its own among 127.0.0.101-140 (ctest runs the tests in
# parallel), so no two tests share a port. Exits 77 (ctest: skipped) at import when
# python3-thrift is not installed.
import argparse
import bisect
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.realpath(__file__))


def _parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--cairnd", required=True)
    p.add_argument("--gen-py", required=True)
    p.add_argument("--launcher",
                   default=os.path.join(HERE, "..", "..", "tools", "cairn-cluster"))
    args, rest = p.parse_known_args()
    sys.argv = [sys.argv[0]] + rest
    return args


ARGS = _parse_args()
try:
    from thrift.transport import TSocket, TTransport
    from thrift.protocol import TBinaryProtocol
except ImportError:
    print("SKIP: python3-thrift is not installed (apt-get install python3-thrift)")
    sys.exit(77)
sys.path.insert(0, ARGS.gen_py)
from cassandra import Cassandra  # noqa: E402
from cassandra import ttypes  # noqa: E402

CL = ttypes.ConsistencyLevel


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def wait_for(what, predicate, timeout, interval=0.2):
    """Polls `predicate` until it returns a true value; returns (value, seconds). An
    exception from the predicate (a node restarting refuses connections) counts as
    false."""
    start = time.monotonic()
    last = None
    while True:
        try:
            last = predicate()
        except Exception as e:  # noqa: BLE001
            last = e
        if last and not isinstance(last, Exception):
            return last, time.monotonic() - start
        if time.monotonic() - start >= timeout:
            raise AssertionError("timed out after %.0fs waiting for %s (last: %r)"
                                 % (timeout, what, last))
        time.sleep(interval)


class Client(Cassandra.Client):
    """A Thrift client over one framed connection; close() closes it."""

    def __init__(self, address, timeout_s):
        sock = TSocket.TSocket(address, 9160)
        sock.setTimeout(int(timeout_s * 1000))
        self._transport = TTransport.TFramedTransport(sock)
        super().__init__(TBinaryProtocol.TBinaryProtocol(self._transport))
        self._transport.open()
        self.address = address

    def close(self):
        try:
            self._transport.close()
        except Exception:  # noqa: BLE001
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def connect(address, keyspace=None, timeout_s=30):
    """A client of `address`:9160 (socket timeout `timeout_s`), with `keyspace` set."""
    c = Client(address, timeout_s)
    if keyspace is not None:
        try:
            c.set_keyspace(keyspace)
        except Exception:
            c.close()
            raise
    return c


def call(address, fn, timeout_s=10):
    with connect(address, timeout_s=timeout_s) as c:
        return fn(c)


def metrics(address, port=7199, timeout_s=10):
    """The Prometheus text of the node's admin endpoint as {metric name: value}
    (labelled series are summed under their name)."""
    with urllib.request.urlopen("http://%s:%d/metrics" % (address, port),
                                timeout=timeout_s) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        name = name.split("{", 1)[0].strip()
        out[name] = out.get(name, 0.0) + float(value)
    return out


def admin(address, method, path, port=7199, timeout_s=600):
    """One admin endpoint call (node/admin_server.h): (HTTP status, decoded JSON)."""
    req = urllib.request.Request("http://%s:%d%s" % (address, port, path), method=method,
                                 data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as r:
            return r.status, json.loads(r.read().decode() or "null")
    except urllib.error.HTTPError as e:
        body = e.read().decode()
        try:
            return e.code, json.loads(body)
        except ValueError:
            return e.code, {"error": body}


def admin_json(address, method, path, body=None, port=7199, timeout_s=60):
    """One admin endpoint call with a JSON `body` (a dict, or None for no body): (HTTP
    status, decoded JSON)."""
    data = json.dumps(body).encode() if body is not None else (
        b"" if method == "POST" else None)
    req = urllib.request.Request("http://%s:%d%s" % (address, port, path), method=method,
                                 data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as r:
            return r.status, json.loads(r.read().decode() or "null")
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        try:
            return e.code, json.loads(text)
        except ValueError:
            return e.code, {"error": text}


def add_fault(address, peer="*", verb="*", direction="out", drop=1.0, delay_ms=0):
    """Installs a messaging fault rule on the node at `address` (node/net/fault.h): its
    messages of `verb` ("*" = every verb) to (direction "out"), from ("in") or to and from
    ("both") `peer` (an address; "*" = every peer) are dropped with probability `drop`,
    otherwise delayed by `delay_ms`. Returns the rule (its "id", "text", ...)."""
    status, rule = admin_json(address, "POST", "/faults", {
        "peer": peer, "verb": verb, "direction": direction, "drop": drop,
        "delay_ms": delay_ms})
    if status != 200:
        raise AssertionError("POST /faults on %s: %d %r" % (address, status, rule))
    return rule


def clear_faults(address):
    """Removes every fault rule of the node at `address`; returns how many there were."""
    status, out = admin_json(address, "DELETE", "/faults")
    if status != 200:
        raise AssertionError("DELETE /faults on %s: %d %r" % (address, status, out))
    return out.get("removed", 0)


def replicas_of(token_map, key, rf):
    """SimpleStrategy's replicas of `key`: the owners of the first `rf` distinct nodes
    walking the ring from the key's token."""
    ring = sorted((int(t), e) for t, e in token_map.items())
    tokens = [t for t, _ in ring]
    i = bisect.bisect_left(tokens, murmur3_token(key))
    out = []
    for j in range(len(ring)):
        e = ring[(i + j) % len(ring)][1]
        if e not in out:
            out.append(e)
        if len(out) == rf:
            break
    return out


class Timer:
    """Named phases and their durations, printed as a table by report()."""

    def __init__(self):
        self.t0 = time.monotonic()
        self.rows = []

    def phase(self, name, seconds):
        self.rows.append((name, seconds))
        log("%s: %.2f s" % (name, seconds))

    def measure(self, name, fn, *args, **kwargs):
        start = time.monotonic()
        out = fn(*args, **kwargs)
        self.phase(name, time.monotonic() - start)
        return out

    def report(self):
        print()
        for name, s in self.rows:
            print("  %-64s %7.2f s" % (name, s))
        print("  %-64s %7.2f s" % ("total", time.monotonic() - self.t0), flush=True)


class Cluster:
    """A tools/cairn-cluster cluster of len(addresses) nodes (node1 on addresses[0], …)
    in a temporary folder. `settings` go to every node (--set), `node_settings` maps a
    node name to its own settings (updateconf --node)."""

    def __init__(self, name, addresses, settings=None, node_settings=None, num_tokens=16):
        self.name = name
        self.addresses = list(addresses)
        self.nodes = ["node%d" % (i + 1) for i in range(len(addresses))]
        self.base = tempfile.mkdtemp(prefix="cairn-%s-" % name)
        self.dir = os.path.join(self.base, name)
        args = ["create", name, "-n", str(len(addresses)), "--first-address", addresses[0],
                "--num_tokens", str(num_tokens)]
        for k, v in (settings or {}).items():
            args += ["--set", "%s=%s" % (k, v)]
        # Consecutive addresses from the first one: check the caller's list matches.
        import ipaddress
        first = ipaddress.IPv4Address(addresses[0])
        assert [str(first + i) for i in range(len(addresses))] == self.addresses
        self.ok(*args)
        for node, s in (node_settings or {}).items():
            self.ok("updateconf", "--node", node, *["%s=%s" % kv for kv in s.items()])

    # ---- the launcher ----
    def launcher(self, *args, timeout=120):
        cmd = [sys.executable, ARGS.launcher, "--dir", self.base, "--cairnd", ARGS.cairnd,
               "-c", self.name] + list(args)
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)

    def ok(self, *args, timeout=120):
        r = self.launcher(*args, timeout=timeout)
        if r.returncode != 0:
            raise AssertionError("cairn-cluster %s failed (%d):\n%s%s"
                                 % (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r.stdout

    def destroy(self):
        """Kills every node and deletes the folder; with $CAIRN_KEEP_CLUSTER set, kills
        them and keeps the folder (logs, data) for a look."""
        if os.environ.get("CAIRN_KEEP_CLUSTER"):
            self.launcher("kill", timeout=60)
            log("kept %s" % self.dir)
            return
        try:
            self.launcher("destroy", timeout=60)
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    # ---- nodes ----
    def address(self, node):
        return self.addresses[self.nodes.index(node)]

    def node_dir(self, node):
        return os.path.join(self.dir, node)

    def log_path(self, node):
        return os.path.join(self.node_dir(node), "logs", "cairnd.log")

    def log_text(self, node):
        try:
            with open(self.log_path(node), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def log_size(self, node):
        try:
            return os.path.getsize(self.log_path(node))
        except FileNotFoundError:
            return 0

    def log_since(self, node, offset):
        """The node's log from byte `offset` (a log_size() taken earlier)."""
        try:
            with open(self.log_path(node), "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def pid(self, node):
        try:
            with open(os.path.join(self.node_dir(node), "cairnd.pid")) as f:
                return int(f.read().strip())
        except (FileNotFoundError, ValueError):
            return None

    def start(self, node, timeout=90):
        self.ok("start", node, "--timeout", str(timeout), timeout=timeout + 30)

    def start_stopped(self, timeout=90):
        """Starts every node that is not running, together (restarts: their tokens are
        known, so they need not join one at a time)."""
        self.ok("start", "--timeout", str(timeout), timeout=timeout + 30)

    def stop(self, node, timeout=60):
        self.ok("stop", node, "--timeout", str(timeout), timeout=timeout + 30)

    def kill(self, node):
        # Exit status 1 is fine here only if the node was not running; the launcher
        # reports a kill as success.
        self.ok("kill", node)

    def signal(self, node, sig):
        pid = self.pid(node)
        assert pid, "%s is not running" % node
        os.kill(pid, sig)

    # ---- what the nodes see ----
    def token_map(self, address):
        return call(address, lambda c: c.describe_token_map())

    def schema_versions(self, address):
        return call(address, lambda c: c.describe_schema_versions())

    def unreachable(self, address):
        return set(self.schema_versions(address).get("UNREACHABLE", []))

    def reachable(self, address):
        out = set()
        for version, eps in self.schema_versions(address).items():
            if version != "UNREACHABLE":
                out.update(eps)
        return out

    def wait_down(self, observer, node, timeout=45):
        """Until `observer` (a node name) lists `node` as UNREACHABLE."""
        a, b = self.address(observer), self.address(node)
        return wait_for("%s to see %s down" % (observer, node),
                        lambda: b in self.unreachable(a), timeout)[1]

    def wait_up(self, observer, node, timeout=45):
        """Until `observer` lists `node` among the reachable nodes."""
        a, b = self.address(observer), self.address(node)
        return wait_for("%s to see %s up" % (observer, node),
                        lambda: b in self.reachable(a) and b not in self.unreachable(a),
                        timeout)[1]

    def wait_schema_agreement(self, nodes=None, timeout=45):
        """Until each of `nodes` (default all) reports one schema version held by all of
        `nodes`, with none of them unreachable."""
        nodes = nodes or self.nodes
        want = {self.address(n) for n in nodes}

        def agreed():
            for n in nodes:
                v = self.schema_versions(self.address(n))
                live = {k: set(e) for k, e in v.items() if k != "UNREACHABLE"}
                if not any(want <= eps for eps in live.values()):
                    return False
                if want & set(v.get("UNREACHABLE", [])):
                    return False
            return True
        return wait_for("schema agreement among %s" % ",".join(nodes), agreed, timeout)[1]

    def start_all(self, timeout=60):
        """Starts the nodes one at a time (a new node picks its tokens against the ring it
        has learned, so they must not join together), each once the previous ones see
        it in their token map; then waits until every node sees every node up."""
        for i, node in enumerate(self.nodes):
            self.start(node)
            want = set(self.addresses[:i + 1])
            for a in self.addresses[:i + 1]:
                wait_for("%s to join (seen by %s)" % (node, a),
                         lambda: set(self.token_map(a).values()) == want, timeout)
        for observer in self.nodes:
            for node in self.nodes:
                if node != observer:
                    self.wait_up(observer, node, timeout)

    def create_keyspace(self, node, ks_def, wait_nodes=None):
        """system_add_keyspace through `node`, then waits for schema agreement among
        `wait_nodes` (default all)."""
        call(self.address(node), lambda c: c.system_add_keyspace(ks_def), timeout_s=60)
        self.wait_schema_agreement(wait_nodes)


def keyspace(name, strategy, options, cfs):
    """A KsDef with column families `cfs` (name list, BytesType comparator) that never
    read repair by chance (tests want only the repairs they ask for)."""
    cf_defs = [ttypes.CfDef(keyspace=name, name=cf, comparator_type="BytesType",
                            read_repair_chance=0.0, dclocal_read_repair_chance=0.0)
               for cf in cfs]
    return ttypes.KsDef(name=name, strategy_class=strategy, strategy_options=options,
                        cf_defs=cf_defs)


def column(name, value, timestamp):
    return ttypes.Column(name=name, value=value, timestamp=timestamp)


def now_us():
    return int(time.time() * 1e6)


# ---- Murmur3Partitioner ------------------------------------------------------------

_M64 = (1 << 64) - 1


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & _M64


def _fmix(k):
    k ^= k >> 33
    k = (k * 0xff51afd7ed558ccd) & _M64
    k ^= k >> 33
    k = (k * 0xc4ceb9fe1a85ec53) & _M64
    k ^= k >> 33
    return k


def murmur3_token(key):
    """The token Cassandra's Murmur3Partitioner gives `key` (bytes): the first 64 bits of
    MurmurHash3_x64_128 with seed 0, with Cassandra's quirk of sign-extending the tail
    bytes, as a signed 64-bit integer (Long.MIN_VALUE becomes Long.MAX_VALUE)."""
    data = bytes(key)
    n = len(data)
    h1 = h2 = 0
    c1, c2 = 0x87c37b91114253d5, 0x4cf5ad432745937f
    nblocks = n // 16
    for i in range(nblocks):
        k1 = int.from_bytes(data[i * 16:i * 16 + 8], "little")
        k2 = int.from_bytes(data[i * 16 + 8:i * 16 + 16], "little")
        k1 = (k1 * c1) & _M64
        k1 = _rotl(k1, 31)
        k1 = (k1 * c2) & _M64
        h1 ^= k1
        h1 = _rotl(h1, 27)
        h1 = (h1 + h2) & _M64
        h1 = (h1 * 5 + 0x52dce729) & _M64
        k2 = (k2 * c2) & _M64
        k2 = _rotl(k2, 33)
        k2 = (k2 * c1) & _M64
        h2 ^= k2
        h2 = _rotl(h2, 31)
        h2 = (h2 + h1) & _M64
        h2 = (h2 * 5 + 0x38495ab5) & _M64
    tail = data[nblocks * 16:]

    def sb(b):  # a Java byte, sign-extended to 64 bits
        return (b - 256 if b > 127 else b) & _M64
    k1 = k2 = 0
    t = len(tail)
    for i in range(t - 1, 7, -1):
        k2 ^= (sb(tail[i]) << ((i - 8) * 8)) & _M64
    if t > 8:
        k2 = (k2 * c2) & _M64
        k2 = _rotl(k2, 33)
        k2 = (k2 * c1) & _M64
        h2 ^= k2
    for i in range(min(t, 8) - 1, -1, -1):
        k1 ^= (sb(tail[i]) << (i * 8)) & _M64
    if t > 0:
        k1 = (k1 * c1) & _M64
        k1 = _rotl(k1, 31)
        k1 = (k1 * c2) & _M64
        h1 ^= k1
    h1 ^= n
    h2 ^= n
    h1 = (h1 + h2) & _M64
    h2 = (h2 + h1) & _M64
    h1 = _fmix(h1)
    h2 = _fmix(h2)
    h1 = (h1 + h2) & _M64
    token = h1 - (1 << 64) if h1 >= (1 << 63) else h1
    return (1 << 63) - 1 if token == -(1 << 63) else token


def owner_of(token_map, key):
    """The endpoint owning `key`'s token in `token_map` (describe_token_map: token string
    -> endpoint): the node of the first ring token >= the key's token, wrapping around."""
    ring = sorted((int(t), e) for t, e in token_map.items())
    tokens = [t for t, _ in ring]
    i = bisect.bisect_left(tokens, murmur3_token(key))
    return ring[i % len(ring)][1]
