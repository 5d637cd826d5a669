#!/usr/bin/python3
# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# End to end, issue 8 (anti-entropy repair with Merkle trees), 3 nodes RF=3 on
# 127.0.0.221-223 with hinted handoff and read repair off, so only repair can heal:
#   1. node3 stopped, 10,000 keys written at ONE, node3 restarted: read at ONE through
#      node3 (its own data) misses them all; `cairn-admin repair ks` on node3: every
#      replica holds all 10,000 and reads at ONE through any node succeed.
#   2. node2 stopped, 100 keys (1%) overwritten at ONE, node2 restarted; repair on node2
#      streams a small fraction of what the first repair did (only differing leaves).
#   3. node3 stopped, 50 keys deleted at ONE, node3 restarted: it still returns them;
#      after `repair -pr` on every node, none does (the tombstones were repaired: no
#      resurrection).
# Usage: repair_test.py --cairnd PATH --gen-py DIR [--launcher PATH] [unittest options]
import json
import os
import subprocess
import sys
import time
import unittest

from cluster_util import (CL, HERE, Cluster, Timer, column, connect, keyspace, log,
                          ttypes)

ADDRESSES = ["127.0.0.221", "127.0.0.222", "127.0.0.223"]
ADMIN = os.path.join(HERE, "..", "..", "tools", "cairn-admin")
PARENT = ttypes.ColumnParent("cf")
PREDICATE = ttypes.SlicePredicate(column_names=[b"c"])


def write(address, items, cl=CL.ONE):
    """items: {key: value or None (delete)}, 200 per batch_mutate."""
    ts = int(time.time() * 1e6)
    keys = sorted(items)
    with connect(address, "ks", timeout_s=60) as client:
        for lo in range(0, len(keys), 200):
            mutations = {}
            for k in keys[lo:lo + 200]:
                if items[k] is None:
                    m = ttypes.Mutation(deletion=ttypes.Deletion(timestamp=ts))
                else:
                    m = ttypes.Mutation(column_or_supercolumn=ttypes.ColumnOrSuperColumn(
                        column=column(b"c", items[k], ts)))
                mutations[k] = {"cf": [m]}
            client.batch_mutate(mutations, cl)


def read(address, keys, cl=CL.ONE):
    out = {}
    with connect(address, "ks", timeout_s=60) as client:
        for lo in range(0, len(keys), 250):
            chunk = keys[lo:lo + 250]
            for k, cols in client.multiget_slice(chunk, PARENT, PREDICATE, cl).items():
                if cols:
                    out[k] = cols[0].column.value
    return out


class RepairTest(unittest.TestCase):
    def setUp(self):
        self.timer = Timer()
        self.cluster = Cluster("repair", ADDRESSES, settings={
            "ring_delay_ms": 1500,
            "phi_convict_threshold": 5,
            "hinted_handoff_enabled": "false",
        })

    def tearDown(self):
        self.cluster.destroy()
        self.timer.report()

    def repair(self, node, *args):
        cmd = [sys.executable, ADMIN, "-h", self.cluster.address(node), "--json", "repair"]
        r = subprocess.run(cmd + list(args) + ["ks"], capture_output=True, text=True,
                           timeout=600)
        self.assertEqual(r.returncode, 0, r.stderr)
        j = json.loads(r.stdout)
        log("repair on %s %s: %s" % (node, " ".join(args), j))
        return j

    def restart_with_gap(self, node, change):
        """Stops `node`, applies change() through node1, starts `node` again."""
        c = self.cluster
        c.stop(node)
        c.wait_down("node1", node)
        change()
        c.start(node)
        for other in c.nodes:
            if other != node:
                c.wait_up(other, node)

    def test_repair_heals_missed_writes_overwrites_and_deletions(self):
        c = self.cluster
        a1 = c.address("node1")
        self.timer.measure("start 3 nodes", c.start_all)
        c.create_keyspace("node1", keyspace("ks", "SimpleStrategy",
                                            {"replication_factor": "3"}, ["cf"]))
        keys = [b"k%05d" % i for i in range(10000)]
        data = {k: b"value-" + k for k in keys}

        # 1. Writes node3 missed.
        self.restart_with_gap("node3", lambda: write(a1, data))
        self.assertEqual(len(read(c.address("node3"), keys)), 0,
                         "node3 has data it never received (hints or read repair are on?)")
        full = self.timer.measure("repair on node3 (10,000 keys missing)", self.repair, "node3")
        self.assertGreater(full["ranges_out_of_sync"], 0)
        self.assertGreater(full["bytes_streamed"], 0)
        for node in c.nodes:
            got = read(c.address(node), keys)
            self.assertEqual(len(got), len(keys), "%s lacks keys after repair" % node)
            self.assertEqual(got, data)

        # 2. 1% of the keys overwritten while node2 was down.
        changed = {k: b"changed-" + k for k in keys[::100]}
        self.restart_with_gap("node2", lambda: write(a1, changed))
        small = self.timer.measure("repair on node2 (1% of keys differ)", self.repair, "node2")
        data.update(changed)
        for node in c.nodes:
            self.assertEqual(read(c.address(node), keys), data, "%s after repair" % node)
        log("repair of 1%% divergence streamed %d bytes; of everything %d bytes (%.1f%%)" % (
            small["bytes_streamed"], full["bytes_streamed"],
            100.0 * small["bytes_streamed"] / full["bytes_streamed"]))
        self.assertGreater(small["bytes_streamed"], 0)
        self.assertLess(small["bytes_streamed"], full["bytes_streamed"] * 0.10)

        # 3. Deletions node3 missed: repaired, not resurrected.
        deleted = keys[5:5000:100]
        self.restart_with_gap("node3", lambda: write(a1, {k: None for k in deleted}))
        self.assertEqual(len(read(c.address("node3"), deleted)), len(deleted),
                         "node3 should still hold the keys deleted while it was down")
        for node in c.nodes:
            self.repair(node, "-pr")
        for node in c.nodes:
            got = read(c.address(node), deleted)
            self.assertEqual(got, {}, "deleted keys came back through %s" % node)
        self.assertEqual(read(c.address("node3"), deleted, CL.ALL), {})


if __name__ == "__main__":
    unittest.main(verbosity=2)
