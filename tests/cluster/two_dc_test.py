#!/usr/bin/python3
# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# End to end, issue 5: two datacenters on loopback. 4 cairnd nodes on 127.0.0.113-116
# with GossipingPropertyFileSnitch: dc1 = node1, node2; dc2 = node3, node4. A keyspace
# with NetworkTopologyStrategy {dc1: 2, dc2: 2}; 20 partitions written and read through
# dc1 nodes at each step:
#   - describe_ring puts 2 replicas of every range in each DC;
#   - all up: LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM and QUORUM writes and reads succeed
#     and read what was written;
#   - dc2 stopped (node1 and node2 see both down): LOCAL_ONE and LOCAL_QUORUM writes and
#     reads through node1 and node2 succeed; EACH_QUORUM and QUORUM (3 of 4) writes and
#     reads raise UnavailableException;
#   - node2 stopped too: LOCAL_QUORUM is unavailable as well, LOCAL_ONE still works;
#   - everything started again: an EACH_QUORUM read returns the value last written at
#     LOCAL_ONE with only node1 up, and every CL succeeds again.
# Prints the timings. Usage:
#   two_dc_test.py --cairnd PATH --gen-py DIR [--launcher PATH] [unittest options]
import time
import unittest

from cluster_util import (CL, Cluster, Timer, call, column, connect, keyspace, log,
                          now_us, ttypes)

ADDRESSES = ["127.0.0.113", "127.0.0.114", "127.0.0.115", "127.0.0.116"]
DC = {"node1": "dc1", "node2": "dc1", "node3": "dc2", "node4": "dc2"}
KEYS = [b"dc%02d" % i for i in range(20)]
PARENT = ttypes.ColumnParent("cf")
PREDICATE = ttypes.SlicePredicate(column_names=[b"c"])


class TwoDatacenterTest(unittest.TestCase):
    def setUp(self):
        self.timer = Timer()
        self.cluster = Cluster(
            "two_dc", ADDRESSES,
            settings={"ring_delay_ms": 1500, "phi_convict_threshold": 5,
                      "endpoint_snitch": "GossipingPropertyFileSnitch"},
            node_settings={n: {"dc": dc, "rack": "rack1"} for n, dc in DC.items()})
        self.ts = now_us()

    def tearDown(self):
        self.cluster.destroy()
        self.timer.report()

    def write(self, client, cl, tag):
        """Writes `tag` into every key at `cl`; True, or False on UnavailableException."""
        self.ts = max(self.ts + 1, now_us())
        try:
            for k in KEYS:
                client.insert(k, PARENT, column(b"c", tag, self.ts), getattr(CL, cl))
            return True
        except ttypes.UnavailableException:
            return False

    def read(self, client, cl):
        """The values of the keys at `cl` (None where absent), or None when
        unavailable."""
        try:
            got = client.multiget_slice(KEYS, PARENT, PREDICATE, getattr(CL, cl))
        except ttypes.UnavailableException:
            return None
        return [got[k][0].column.value if got.get(k) else None for k in KEYS]

    def check(self, node, expect):
        """For each (cl, available) in `expect`: a write of a fresh value and a read at
        that CL through `node` succeed (and the read returns the value) or are
        unavailable. Returns the last value written. (A LOCAL_ONE read is expected to
        see a LOCAL_ONE write too: every dc1 node replicates every key, the coordinator
        applies its own copy before it answers, and reads prefer the local replica.)"""
        failures = []
        last = None
        with connect(self.cluster.address(node), "ks") as client:
            for cl, available in expect:
                tag = ("%s via %s @%d" % (cl, node, self.ts)).encode()
                wrote = self.write(client, cl, tag)
                if wrote:
                    last = tag
                got = self.read(client, cl)
                if wrote != available:
                    failures.append("write at %s through %s: %s" % (
                        cl, node, "succeeded" if wrote else "UnavailableException"))
                if (got is not None) != available:
                    failures.append("read at %s through %s: %s" % (
                        cl, node, "succeeded" if got is not None else "UnavailableException"))
                if wrote and got is not None and got != [tag] * len(KEYS):
                    failures.append("read at %s through %s returned %r, not %r"
                                    % (cl, node, sorted(set(got), key=repr), tag))
        self.assertEqual(failures, [], "\n" + "\n".join(failures))
        return last

    def test_local_quorum_survives_the_other_dc(self):
        c = self.cluster
        self.timer.measure("start 4 nodes", c.start_all)
        self.timer.measure("create keyspace NTS dc1:2 dc2:2", c.create_keyspace, "node1",
                           keyspace("ks", "NetworkTopologyStrategy",
                                    {"dc1": "2", "dc2": "2"}, ["cf"]))
        ring = call(ADDRESSES[0], lambda cl: cl.describe_ring("ks"))
        for r in ring:
            dcs = sorted(d.datacenter for d in r.endpoint_details)
            self.assertEqual(dcs, ["dc1", "dc1", "dc2", "dc2"], "range %r" % r)

        start = time.monotonic()
        all_up = [("LOCAL_ONE", True), ("LOCAL_QUORUM", True), ("EACH_QUORUM", True),
                  ("QUORUM", True), ("ALL", True)]
        self.check("node1", all_up)
        self.check("node2", all_up)
        self.timer.phase("all up: every CL through node1 and node2", time.monotonic() - start)

        start = time.monotonic()
        c.stop("node3")
        c.stop("node4")
        for observer in ("node1", "node2"):
            for node in ("node3", "node4"):
                c.wait_down(observer, node)
        self.timer.phase("stop dc2, dc1 sees it down", time.monotonic() - start)
        start = time.monotonic()
        dc2_down = [("LOCAL_ONE", True), ("EACH_QUORUM", False), ("QUORUM", False),
                    ("ALL", False), ("LOCAL_QUORUM", True)]
        self.check("node2", dc2_down)
        self.check("node1", dc2_down)
        self.timer.phase("dc2 down: every CL through node1 and node2", time.monotonic() - start)

        start = time.monotonic()
        c.stop("node2")
        c.wait_down("node1", "node2")
        latest = self.check("node1", [("LOCAL_QUORUM", False), ("EACH_QUORUM", False),
                                      ("LOCAL_ONE", True)])
        self.timer.phase("dc2 and node2 down: checks through node1", time.monotonic() - start)

        start = time.monotonic()
        c.start_stopped()
        for node in ("node2", "node3", "node4"):
            c.wait_up("node1", node)
        self.timer.phase("start node2, node3, node4; node1 sees them up",
                         time.monotonic() - start)
        # The LOCAL_ONE write with node2 down reached node1 alone (hints for the others);
        # an EACH_QUORUM read asks both dc1 replicas, so it returns that value.
        with connect(ADDRESSES[0], "ks") as client:
            got = self.read(client, "EACH_QUORUM")
        self.assertEqual(got, [latest] * len(KEYS))
        self.check("node1", all_up)


if __name__ == "__main__":
    unittest.main(verbosity=2)
