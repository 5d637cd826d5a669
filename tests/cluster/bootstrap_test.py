#!/usr/bin/python3
# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# End to end, issue 6: bootstrap with streaming, on 127.0.0.201-203.
#   test_bootstrap_then_cleanup: one node, RF=1, 10,000 keys; a second node bootstraps
#     (it serves Thrift only once NORMAL). Every key reads back through both nodes,
#     the new node owns about half the keys (within 30% of ideal), and cleanup on the
#     first node drops exactly the partitions the new node now owns; every key still
#     reads back afterwards.
#   test_interrupted_bootstrap_resumes: one node, RF=1, about 10 MB streamed slowly
#     (stream throttle 4 Mbit/s). While the second node streams, a third one is refused
#     ("Other bootstrapping/leaving nodes detected"); the second is killed -9 mid-stream,
#     restarted, resumes without pulling again the ranges that had arrived, and every
#     key reads back.
# Usage: bootstrap_test.py --cairnd PATH --gen-py DIR [--launcher PATH] [unittest options]
import os
import re
import time
import unittest

from cluster_util import (CL, Cluster, Timer, admin, column, connect, keyspace, log,
                          owner_of, ttypes, wait_for)

ADDRESSES = ["127.0.0.201", "127.0.0.202", "127.0.0.203"]
PARENT = ttypes.ColumnParent("cf")
PREDICATE = ttypes.SlicePredicate(column_names=[b"c"])


def load(address, keys, value_of):
    """Writes column c of every key at ONE, 200 keys per batch_mutate."""
    with connect(address, "ks", timeout_s=60) as client:
        ts = int(time.time() * 1e6)
        for lo in range(0, len(keys), 200):
            mutations = {}
            for k in keys[lo:lo + 200]:
                cosc = ttypes.ColumnOrSuperColumn(column=column(b"c", value_of(k), ts))
                mutations[k] = {"cf": [ttypes.Mutation(column_or_supercolumn=cosc)]}
            client.batch_mutate(mutations, CL.ONE)


def missing_keys(address, keys, value_of, cl=CL.ONE):
    """The keys that do not read back with their value through `address`."""
    missing = []
    with connect(address, "ks", timeout_s=60) as client:
        for lo in range(0, len(keys), 250):
            chunk = keys[lo:lo + 250]
            got = client.multiget_slice(chunk, PARENT, PREDICATE, cl)
            for k in chunk:
                cols = got.get(k, [])
                if not cols or cols[0].column.value != value_of(k):
                    missing.append(k)
    return missing


class BootstrapTest(unittest.TestCase):
    def setUp(self):
        self.timer = Timer()
        self.cluster = None

    def tearDown(self):
        if self.cluster is not None:
            self.cluster.destroy()
        self.timer.report()

    def make_cluster(self, name, node_settings=None):
        self.cluster = Cluster(name, ADDRESSES, settings={
            "ring_delay_ms": 1500,
            "phi_convict_threshold": 5,
        }, node_settings=node_settings)
        return self.cluster

    def test_bootstrap_then_cleanup(self):
        c = self.make_cluster("bootstrap")
        n1, n2 = c.address("node1"), c.address("node2")
        self.timer.measure("start node1", c.start, "node1")
        c.create_keyspace("node1", keyspace("ks", "SimpleStrategy",
                                            {"replication_factor": "1"}, ["cf"]),
                          wait_nodes=["node1"])
        keys = [b"k%05d" % i for i in range(10000)]
        value = lambda k: b"value-of-" + k  # noqa: E731
        self.timer.measure("load 10,000 keys at ONE", load, n1, keys, value)
        self.assertEqual(admin(n1, "POST", "/flush")[0], 200)

        self.timer.measure("bootstrap node2 (start until Thrift answers)", c.start, "node2")
        status, net = admin(n2, "GET", "/netstats")
        self.assertEqual(status, 200)
        log("node2 netstats: %s" % {k: net[k] for k in ("mode", "movement", "bytes_received")})
        self.assertEqual(net["mode"], "NORMAL")
        self.assertEqual(net["movement"]["operation"], "bootstrap")
        self.assertEqual(net["movement"]["state"], "done")
        self.assertEqual(net["movement"]["ranges_done"], net["movement"]["ranges_total"])
        self.assertGreater(net["bytes_received"], 0)
        self.assertIn("bootstrap streaming complete", c.log_text("node2"))

        token_map = wait_for("node1 to see node2 in the ring",
                             lambda: (lambda m: m if set(m.values()) == {n1, n2} else None)(
                                 c.token_map(n1)), 30)[0]
        owned = [k for k in keys if owner_of(token_map, k) == n2]
        share = len(owned) / len(keys)
        log("node2 owns %d of %d keys (%.1f%%)" % (len(owned), len(keys), 100 * share))
        self.assertGreater(share, 0.5 * 0.7)
        self.assertLess(share, 0.5 * 1.3)

        for node in ("node1", "node2"):
            self.assertEqual(missing_keys(c.address(node), keys, value), [],
                             "keys missing through %s after the bootstrap" % node)

        # node2 holds its keys itself: read at ONE through node2 with node1 stopped.
        c.stop("node1")
        self.assertEqual(missing_keys(n2, owned, value), [], "node2 lacks keys it owns")
        self.timer.measure("restart node1", c.start, "node1")
        c.wait_up("node2", "node1")

        status, cleaned = self.timer.measure("cleanup node1", admin, n1, "POST", "/cleanup/ks")
        self.assertEqual(status, 200, cleaned)
        log("cleanup: %s" % cleaned)
        self.assertEqual(cleaned["partitions_dropped"], len(owned))
        status, again = admin(n1, "POST", "/cleanup/ks")
        self.assertEqual((status, again["partitions_dropped"]), (200, 0))
        for node in ("node1", "node2"):
            self.assertEqual(missing_keys(c.address(node), keys, value), [],
                             "keys missing through %s after cleanup" % node)

    def test_interrupted_bootstrap_resumes(self):
        c = self.make_cluster("bootstrap_resume", node_settings={
            "node1": {"stream_throughput_outbound_megabits_per_sec": 4}})
        n1, n2 = c.address("node1"), c.address("node2")
        c.start("node1")
        c.create_keyspace("node1", keyspace("ks", "SimpleStrategy",
                                            {"replication_factor": "1"}, ["cf"]),
                          wait_nodes=["node1"])
        keys = [b"k%05d" % i for i in range(10000)]
        blob = os.urandom(1000)
        value = lambda k: k + blob  # noqa: E731
        self.timer.measure("load 10,000 keys of 1 KB", load, n1, keys, value)
        self.assertEqual(admin(n1, "POST", "/flush")[0], 200)

        c.ok("start", "node2", "--no-wait")

        def progress():
            status, net = admin(n2, "GET", "/netstats", timeout_s=5)
            m = net.get("movement") if status == 200 else None
            return m if m and m["ranges_done"] >= 2 else None
        m, waited = wait_for("node2 to pull a few ranges", progress, 60, interval=0.1)
        self.assertLess(m["ranges_done"], m["ranges_total"], "the stream was too fast to cut")
        log("node2 after %.1f s: %s" % (waited, m))

        # A second node joining meanwhile is refused.
        r = c.launcher("start", "node3", "--timeout", "40", timeout=80)
        self.assertNotEqual(r.returncode, 0, "node3 should have been refused")
        self.assertIn("Other bootstrapping/leaving nodes detected", c.log_text("node3"))
        self.assertIn(n2, c.log_text("node3"))

        c.kill("node2")
        status, _ = admin(n1, "GET", "/status")
        first = c.log_text("node2")
        done_before = int(m["ranges_done"])
        self.timer.measure("restart node2: resume the bootstrap", c.start, "node2")
        resumed = c.log_text("node2")[len(first):]
        self.assertIn("resuming an unfinished bootstrap", resumed)
        pulls = [int(x) for x in re.findall(r"pairs, (\d+) to pull", resumed)]
        total = int(re.findall(r"attempt 1: (\d+) \(table, range\) pairs", resumed)[0])
        log("resumed: %d of %d (table, range) pairs left to pull (%d were done before "
            "the kill)" % (pulls[0], total, done_before))
        self.assertLessEqual(pulls[0], total - done_before)
        self.assertEqual(missing_keys(n2, keys, value), [])
        self.assertEqual(missing_keys(n1, keys, value), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
