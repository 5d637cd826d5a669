#!/usr/bin/python3
# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# End to end, issue 4: "ownership of 3, 5 and 10 nodes within 10% of ideal", with real
# cairnd processes started by tools/cairn-cluster (3 nodes: cluster_ring_test.py). A
# cluster of 5 nodes on 127.0.0.181-185, then one of 10 on 127.0.0.186-195, 16 tokens per
# node, one seed (node1), every node started at once: a new node that joins without
# bootstrap (no keyspace yet) waits for the live nodes with lower addresses that are still
# learning the ring, so the tokens are allocated one node at a time, each against the ring
# of the ones before (node/storage_service.cc, PrepareBootstrap; ring/token_allocator.h).
# Checked through Thrift:
#   - every node's describe_token_map lists the N endpoints with 16 tokens each, and all
#     nodes agree on the token map;
#   - primary ownership of each node (share of the Murmur3 token space, 2^64) is within
#     10% of ideal: |own * N - 1| < 0.10;
#   - effective ownership: for a SimpleStrategy RF=3 keyspace, the admin endpoint's
#     GET /status/<keyspace> (cairn-admin status <keyspace>) on every node reports, for
#     each node, the share of the ring it replicates as computed here from the token map
#     (summing to 3); not bounded against ideal (the allocator balances primary ownership
#     only: within 23% at RF 3 in token_allocator_test, up to 26% seen here), only printed;
#   - printed too: the ring sizes the nodes' logs say they allocated their tokens against
#     (0 .. N-1 when the nodes took turns; in the ownership failure message as well).
# Prints the measured times and deviations. Small memtable space and 1 MiB commit log
# segments keep 10 nodes light on a loaded machine. With $CAIRN_KEEP_CLUSTER set, the
# nodes are killed but their folders (logs) are kept. Usage:
#   cluster_ownership_test.py --cairnd PATH --gen-py DIR [--launcher PATH] [unittest options]
# Exits 77 (skipped) when python3-thrift is not installed.
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from ring_util import parse_test_args

ARGS = parse_test_args()
from cassandra.ttypes import KsDef, NotFoundException  # noqa: E402
from ring_util import call, ownership, replicated_ownership, wait_for  # noqa: E402

FIVE = ["127.0.0.%d" % i for i in range(181, 186)]
TEN = ["127.0.0.%d" % i for i in range(186, 196)]
NUM_TOKENS = 16
RF = 3
SETTINGS = {
    # Longer than the other tests' 1500: a new node only waits for the lower addresses it
    # knows of, and it may first hear of the ring from a node that knows only part of it
    # (a SYN's answer covers only the endpoints the SYN names). With 1500 ms, 2 runs in 6
    # of the 10-node cluster had two nodes allocate against the same ring of 2 or 3 (still
    # balanced: 3.5% and 4.2%); with 4000, none in 5.
    "ring_delay_ms": 4000,
    # Nothing is written but the schema: keep each node small.
    "memtable_space_in_mb": 16,
    "commitlog_segment_size_in_mb": 1,
    "commitlog_total_space_in_mb": 8,
}
ALLOCATED = re.compile(r"allocated \d+ tokens against a ring of (\d+) node")


def pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
        return stat[stat.rindex(")") + 2] not in "ZX"
    except (FileNotFoundError, ValueError):
        return False


def admin_status(address, keyspace=None):
    """GET /status[/<keyspace>] of the node's admin endpoint (port 7199): the JSON that
    `cairn-admin status [<keyspace>]` prints; raises on an HTTP error (400 while the node
    does not know the keyspace yet)."""
    path = "/status" + ("/" + keyspace if keyspace else "")
    with urllib.request.urlopen("http://%s:7199%s" % (address, path), timeout=10) as r:
        return json.loads(r.read().decode())


class ClusterOwnershipTest(unittest.TestCase):
    def setUp(self):
        self.base = tempfile.mkdtemp(prefix="cairn-ownership-test-")
        self.clusters = []
        self.pids = set()

    def tearDown(self):
        # Whatever happened, leave no cairnd behind.
        keep = os.environ.get("CAIRN_KEEP_CLUSTER")
        for name in self.clusters:
            try:
                self.launcher(name, "kill" if keep else "destroy", timeout=60)
            except subprocess.TimeoutExpired:
                pass
        for pid in self.pids:
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
        if keep:
            print("kept %s" % self.base)
        else:
            shutil.rmtree(self.base, ignore_errors=True)

    def launcher(self, cluster, *args, timeout=90):
        cmd = [sys.executable, ARGS.launcher, "--dir", self.base, "--cairnd", ARGS.cairnd,
               "-c", cluster]
        return subprocess.run(cmd + list(args), capture_output=True, text=True,
                              timeout=timeout)

    def ok(self, cluster, *args, timeout=90):
        r = self.launcher(cluster, *args, timeout=timeout)
        self.assertEqual(r.returncode, 0, "cairn-cluster %s failed (%d):\n%s%s"
                         % (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r.stdout

    def record_pids(self, cluster):
        r = self.launcher(cluster, "status", "--json")
        if r.returncode == 0:
            self.pids.update(n["pid"] for n in json.loads(r.stdout)["nodes"] if n["pid"])

    def token_map(self, address):
        return call(address, lambda c: c.describe_token_map())

    def has_keyspace(self, address, name):
        try:
            call(address, lambda c: c.describe_keyspace(name))
            return True
        except NotFoundException:
            return False

    def allocation_ring_sizes(self, name, n):
        """The ring sizes (members) the nodes' logs say they allocated tokens against."""
        sizes = []
        for i in range(n):
            log = os.path.join(self.base, name, "node%d" % (i + 1), "logs", "cairnd.log")
            with open(log, errors="replace") as f:
                sizes += [int(m) for m in ALLOCATED.findall(f.read())]
        return sizes

    def check_cluster(self, name, addresses):
        n = len(addresses)
        t0 = time.monotonic()
        measured = {}
        args = ["create", name, "-n", str(n), "--first-address", addresses[0],
                "--num_tokens", str(NUM_TOKENS)]
        for k, v in SETTINGS.items():
            args += ["--set", "%s=%s" % (k, v)]
        self.clusters.append(name)
        self.ok(name, *args, timeout=30)

        # All nodes at once; the launcher returns when each answers Thrift, which a new
        # node does once it has joined.
        start = time.monotonic()
        try:
            self.ok(name, "start", "--timeout", "150", timeout=180)
        finally:
            self.record_pids(name)
        measured["start: every node serves Thrift (s)"] = time.monotonic() - start
        want = set(addresses)
        for a in addresses:
            wait_for("%s to list the %d nodes" % (a, n),
                     lambda: set(self.token_map(a).values()) == want, 30)
        measured["ring formed: every node lists the %d nodes (s)" % n] = (
            time.monotonic() - start)

        # One token map everywhere (tokens travel with the endpoint in gossip, so a node
        # listing an endpoint has all its tokens; polled anyway).
        maps, _ = wait_for("every node to agree on the token map", lambda: (lambda ms: ms if all(
            m == ms[0] for m in ms) else None)([self.token_map(a) for a in addresses]), 15)
        token_map = maps[0]
        self.assertEqual(len(token_map), n * NUM_TOKENS)
        for a in addresses:
            self.assertEqual(sum(1 for e in token_map.values() if e == a), NUM_TOKENS, a)

        # How the simultaneous start went, for the report and a failure message: each node
        # should have allocated its tokens against the ring of the nodes before it (0, 1,
        # ..., N-1 members), not several against the same ring.
        sizes = sorted(self.allocation_ring_sizes(name, n))

        own = ownership(token_map)
        self.assertEqual(set(own), want)
        self.assertAlmostEqual(sum(own.values()), 1.0, places=9)
        deviation = {a: own[a] * n - 1 for a in addresses}
        for a in addresses:
            self.assertLess(abs(deviation[a]), 0.10, "%s owns %.4f of the ring, ideal %.4f; "
                            "all: %r; tokens allocated against rings of %r nodes"
                            % (a, own[a], 1 / n, own, sizes))
        measured["primary ownership: max deviation from ideal (%)"] = max(
            abs(d) for d in deviation.values()) * 100

        # The primary ownership the admin endpoint reports is the same.
        primary = admin_status(addresses[-1])
        self.assertEqual(primary["ownership"], "primary")
        for node in primary["datacenters"][0]["nodes"]:
            self.assertAlmostEqual(node["owns"], own[node["address"]], places=9)

        # Effective ownership of an RF=3 keyspace, on every node.
        ks = KsDef(name="own", strategy_class="SimpleStrategy",
                   strategy_options={"replication_factor": str(RF)}, cf_defs=[])
        call(addresses[0], lambda c: c.system_add_keyspace(ks), timeout_ms=20000)
        _, t = wait_for("the keyspace on every node",
                        lambda: all(self.has_keyspace(a, "own") for a in addresses), 30)
        measured["schema: keyspace on every node (s)"] = t
        expected = replicated_ownership(token_map, RF)
        self.assertAlmostEqual(sum(expected.values()), RF, places=9)
        for a in addresses:
            status, _ = wait_for("%s to report effective ownership" % a,
                                 lambda: admin_status(a, "own"), 15)
            self.assertEqual(status["ownership"], "effective")
            nodes = [x for dc in status["datacenters"] for x in dc["nodes"]]
            self.assertEqual({x["address"] for x in nodes}, want)
            for x in nodes:
                self.assertEqual(x["state"], "UN", x)
                self.assertEqual(x["tokens"], NUM_TOKENS, x)
                self.assertAlmostEqual(x["owns"], expected[x["address"]], places=9,
                                       msg="%s on %s" % (x["address"], a))
        measured["effective ownership RF=3: max deviation from ideal (%)"] = max(
            abs(v * n / RF - 1) for v in expected.values()) * 100

        print()
        print("  %d nodes (ring sizes the nodes allocated their tokens against: %s)"
              % (n, " ".join(str(s) for s in sizes)))
        print("  primary ownership x %d: %s" % (n, " ".join(
            "%.3f" % (own[a] * n) for a in addresses)))
        print("  effective ownership x %d/%d: %s" % (n, RF, " ".join(
            "%.3f" % (expected[a] * n / RF) for a in addresses)))
        for k, v in measured.items():
            print("  %-62s %6.2f" % (k, v))
        print("  %-62s %6.2f" % ("total (s)", time.monotonic() - t0))

    def test_1_five_nodes(self):
        self.check_cluster("own5", FIVE)

    def test_2_ten_nodes(self):
        self.check_cluster("own10", TEN)


if __name__ == "__main__":
    unittest.main(verbosity=2)
