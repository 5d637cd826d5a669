#!/usr/bin/python3
# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# End to end, issue 5: blocking read repair. Hints off (hinted_handoff_enabled=false),
# chance read repair off (read_repair_chance 0 on the table), 2 cairnd nodes, a keyspace
# with SimpleStrategy RF=2. In each test:
#   - node2 stopped (node1 sees it down), 1,000 writes at ONE through node1;
#   - node2 started again; read at ONE through node2 (its own copy), none of the 1,000 is
#     there: no hint or anything else brought them;
#   - everything read at QUORUM (both replicas) through node1: all 1,000 come back, and
#     the digest mismatch makes node1 repair node2 before answering (its /metrics count
#     at least 1,000 read repairs);
#   - node1 stopped: all 1,000 read at ONE through node2 alone.
# test_point_reads reads with multiget_slice (127.0.0.108-109), test_range_scan with
# get_range_slices over the whole ring in pages of 100 (127.0.0.110-111).
# Prints the timings. Usage:
#   read_repair_test.py --cairnd PATH --gen-py DIR [--launcher PATH] [unittest options]
import time
import unittest

from cluster_util import (CL, Cluster, Timer, column, connect, keyspace, log, metrics,
                          now_us, ttypes)

N = 1000
PARENT = ttypes.ColumnParent("cf")
PREDICATE = ttypes.SlicePredicate(column_names=[b"c"])


def key(i):
    return b"rr%04d" % i


def value(i):
    return b"value-%04d" % i


def multiget(client, cl):
    """{key: value} of the N keys present, read at `cl` in chunks of 100."""
    out = {}
    for lo in range(0, N, 100):
        keys = [key(i) for i in range(lo, min(N, lo + 100))]
        for k, cols in client.multiget_slice(keys, PARENT, PREDICATE, cl).items():
            if cols:
                out[k] = cols[0].column.value
    return out


def scan(client, cl, page=100):
    """{key: value} of every partition of cf, by get_range_slices at `cl` in pages of
    `page` rows (the next page starts at the last key of the previous one)."""
    out = {}
    start = b""
    while True:
        rows = client.get_range_slices(
            PARENT, PREDICATE, ttypes.KeyRange(start_key=start, end_key=b"", count=page), cl)
        fresh = [r for r in rows if r.key != start or not start]
        for r in fresh:
            if r.columns:
                out[r.key] = r.columns[0].column.value
        if len(rows) < page or not fresh:
            return out
        start = rows[-1].key


class ReadRepairTest(unittest.TestCase):
    def setUp(self):
        self.timer = Timer()
        self.cluster = None

    def tearDown(self):
        if self.cluster is not None:
            self.cluster.destroy()
        self.timer.report()

    def check_repair(self, name, addresses, read_quorum):
        """The scenario above on a new cluster `name` on `addresses`; `read_quorum(client)`
        reads everything at QUORUM through node1 and returns {key: value}."""
        c = self.cluster = Cluster(name, addresses, settings={
            "ring_delay_ms": 1500,
            "phi_convict_threshold": 5,
            "hinted_handoff_enabled": "false",
        })
        self.timer.measure("start 2 nodes", c.start_all)
        self.timer.measure("create keyspace RF=2", c.create_keyspace, "node1",
                           keyspace("ks", "SimpleStrategy", {"replication_factor": "2"},
                                    ["cf"]))
        start = time.monotonic()
        c.stop("node2")
        c.wait_down("node1", "node2")
        self.timer.phase("stop node2, node1 sees it down", time.monotonic() - start)

        start = time.monotonic()
        ts = now_us()
        with connect(addresses[0], "ks") as client:
            for i in range(N):
                client.insert(key(i), PARENT, column(b"c", value(i), ts), CL.ONE)
        self.timer.phase("%d writes at ONE through node1 (node2 down)" % N,
                         time.monotonic() - start)

        start = time.monotonic()
        c.start("node2")
        c.wait_up("node1", "node2")
        c.wait_up("node2", "node1")
        self.timer.phase("start node2, both see each other up", time.monotonic() - start)

        with connect(addresses[1], "ks") as client:
            before = multiget(client, CL.ONE)
        log("node2 holds %d of the %d partitions before the QUORUM read" % (len(before), N))
        self.assertEqual(len(before), 0, "hints are off: node2 should hold none of them")

        start = time.monotonic()
        with connect(addresses[0], "ks", timeout_s=60) as client:
            got = read_quorum(client)
        self.timer.phase("read all at QUORUM through node1", time.monotonic() - start)
        self.assertEqual(got, {key(i): value(i) for i in range(N)})
        m = metrics(addresses[0])
        log("node1 /metrics: %d digest mismatches, %d read repairs"
            % (m["cairn_proxy_digest_mismatches_total"], m["cairn_proxy_read_repairs_total"]))
        self.assertGreaterEqual(m["cairn_proxy_read_repairs_total"], N)

        start = time.monotonic()
        c.stop("node1")
        c.wait_down("node2", "node1")
        self.timer.phase("stop node1, node2 sees it down", time.monotonic() - start)

        start = time.monotonic()
        with connect(addresses[1], "ks") as client:
            after = multiget(client, CL.ONE)
            scanned = scan(client, CL.ONE)
        self.timer.phase("read all at ONE through node2 (node1 down)",
                         time.monotonic() - start)
        missing = sorted(set(key(i) for i in range(N)) - set(after))
        self.assertEqual(len(missing), 0, "not repaired on node2: %r" % missing[:20])
        self.assertEqual(after, {key(i): value(i) for i in range(N)})
        self.assertEqual(scanned, after)

    def test_point_reads(self):
        self.check_repair("read_repair_point", ["127.0.0.108", "127.0.0.109"],
                          lambda client: multiget(client, CL.QUORUM))

    def test_range_scan(self):
        self.check_repair("read_repair_range", ["127.0.0.110", "127.0.0.111"],
                          lambda client: scan(client, CL.QUORUM))


if __name__ == "__main__":
    unittest.main(verbosity=2)
