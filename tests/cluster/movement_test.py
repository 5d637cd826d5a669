#!/usr/bin/python3
# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# End to end, issue 6: joins, decommission and removenode under load, on 127.0.0.205-212.
#   test_join_and_decommission_under_load (.205-.208): 3 nodes RF=3 with a QUORUM writer
#     (new keys, and overwrites of 200 hot keys with increasing values) and a QUORUM
#     reader checking it never reads an older value than one acknowledged before its
#     read began. A fourth node bootstraps, then node2 is decommissioned (its process
#     stops, a restart is refused). Zero acknowledged writes missing, zero stale reads,
#     and at least a quorum of each key's replicas in the final ring holds its latest
#     acknowledged value, read locally at ONE through each replica.
#   test_removenode_after_kill (.209-.212): 4 nodes RF=3, 2,000 keys written at ALL;
#     node4 killed -9 and removed with removenode through node1: the ring has 3 nodes,
#     every key reads at ALL, and every replica holds every key (ONE through each).
# Usage: movement_test.py --cairnd PATH --gen-py DIR [--launcher PATH] [unittest options]
import collections
import random
import threading
import time
import unittest

from cluster_util import (CL, Cluster, Timer, admin, column, connect, keyspace, log,
                          replicas_of, ttypes, wait_for)

PARENT = ttypes.ColumnParent("cf")
PREDICATE = ttypes.SlicePredicate(column_names=[b"c"])
HOT_KEYS = [b"hot%03d" % i for i in range(200)]


class Load(threading.Thread):
    """kind "writer": alternates a new key n%07d and an overwrite of a hot key with the
    next sequence number, at QUORUM, recording what was acknowledged. kind "reader":
    reads random hot keys at QUORUM and counts values older than the newest one the
    writer had acknowledged before the read started."""

    def __init__(self, kind, targets, state):
        super().__init__(daemon=True)
        self.kind, self.targets, self.state = kind, list(targets), state
        self.stop_event = threading.Event()
        self.errors = collections.Counter()
        self.ops = 0

    def run(self):
        client, seq, i = None, 0, 0
        while not self.stop_event.is_set():
            if client is None:
                target = self.targets[i % len(self.targets)]
                i += 1
                try:
                    client = connect(target, "ks", timeout_s=15)
                except Exception as e:  # noqa: BLE001 (a node that left or is down)
                    self.errors["connect %s" % type(e).__name__] += 1
                    time.sleep(0.2)
                    continue
            try:
                if self.kind == "writer":
                    seq += 1
                    if seq % 2:
                        k, v = b"n%07d" % seq, b"%d" % seq
                    else:
                        k, v = HOT_KEYS[seq % len(HOT_KEYS)], b"%d" % seq
                    client.insert(k, PARENT, column(b"c", v, seq), CL.QUORUM)
                    with self.state["lock"]:
                        self.state["acked"][k] = int(v)
                else:
                    k = random.choice(HOT_KEYS)
                    with self.state["lock"]:
                        floor = self.state["acked"].get(k, 0)
                    got = client.get_slice(k, PARENT, PREDICATE, CL.QUORUM)
                    value = int(got[0].column.value) if got else 0
                    if value < floor:
                        with self.state["lock"]:
                            self.state["stale"].append((k, value, floor))
                self.ops += 1
            except (ttypes.UnavailableException, ttypes.TimedOutException) as e:
                self.errors[type(e).__name__] += 1
                time.sleep(0.05)
            except Exception as e:  # noqa: BLE001 (the connection broke)
                self.errors[type(e).__name__] += 1
                client.close()
                client = None
                time.sleep(0.1)
        if client is not None:
            client.close()


def read_all(address, keys, cl):
    """{key: value} for the keys that have column c, read through `address`."""
    out = {}
    with connect(address, "ks", timeout_s=60) as client:
        for lo in range(0, len(keys), 250):
            chunk = keys[lo:lo + 250]
            for k, cols in client.multiget_slice(chunk, PARENT, PREDICATE, cl).items():
                if cols:
                    out[k] = cols[0].column.value
    return out


class MovementTest(unittest.TestCase):
    def setUp(self):
        self.timer = Timer()
        self.cluster = None
        self.loads = []

    def tearDown(self):
        for t in self.loads:
            t.stop_event.set()
            t.join(30)
        if self.cluster is not None:
            self.cluster.destroy()
        self.timer.report()

    def start_ring(self, c, nodes):
        for i, node in enumerate(nodes):
            c.start(node)
            want = {c.address(n) for n in nodes[:i + 1]}
            for n in nodes[:i + 1]:
                a = c.address(n)
                wait_for("%s in the ring of %s" % (node, n),
                         lambda: set(c.token_map(a).values()) == want, 60)

    def check_quorum_of_replicas(self, c, nodes, expected):
        """At least 2 of the 3 replicas of each key hold its value, read at ONE through
        each replica (a replica coordinator reads its own data)."""
        token_map = c.token_map(c.address(nodes[0]))
        keys = sorted(expected)
        local = {n: read_all(c.address(n), keys, CL.ONE) for n in nodes}
        short = []
        for k in keys:
            reps = replicas_of(token_map, k, 3)
            have = sum(1 for n in nodes if c.address(n) in reps and
                       local[n].get(k) == expected[k])
            if have < 2:
                short.append((k, reps, have))
        return short

    def test_join_and_decommission_under_load(self):
        addresses = ["127.0.0.205", "127.0.0.206", "127.0.0.207", "127.0.0.208"]
        c = self.cluster = Cluster("movement", addresses, settings={
            "ring_delay_ms": 1500, "phi_convict_threshold": 5})
        self.timer.measure("start 3 nodes", self.start_ring, c, ["node1", "node2", "node3"])
        c.create_keyspace("node1", keyspace("ks", "SimpleStrategy",
                                            {"replication_factor": "3"}, ["cf"]),
                          wait_nodes=["node1", "node2", "node3"])
        state = {"lock": threading.Lock(), "acked": {}, "stale": []}
        writer = Load("writer", [addresses[0], addresses[2]], state)
        reader = Load("reader", [addresses[2], addresses[0]], state)
        self.loads = [writer, reader]
        writer.start()
        reader.start()
        wait_for("the load to run", lambda: writer.ops > 200 and reader.ops > 200, 60)

        self.timer.measure("bootstrap node4 under load", c.start, "node4")
        a4 = c.address("node4")
        for n in ("node1", "node2", "node3"):
            wait_for("node4 NORMAL for %s" % n,
                     lambda: a4 in c.token_map(c.address(n)).values(), 30)
        mark = writer.ops
        wait_for("writes after the join", lambda: writer.ops > mark + 300, 60)

        status, body = self.timer.measure("decommission node2 under load", admin,
                                          c.address("node2"), "POST", "/decommission")
        self.assertEqual(status, 200, body)
        log("decommission: %s" % body)
        wait_for("node2 to stop", lambda: c.pid("node2") is None or
                 c.launcher("status").stdout.count("DOWN") > 0, 30)
        for n in ("node1", "node3", "node4"):
            wait_for("node2 gone from the ring of %s" % n,
                     lambda: c.address("node2") not in c.token_map(c.address(n)).values(), 30)
        mark = writer.ops
        wait_for("writes after the decommission", lambda: writer.ops > mark + 300, 60)
        for t in self.loads:
            t.stop_event.set()
            t.join(30)
        log("writer: %d ops, errors %s; reader: %d ops, errors %s" % (
            writer.ops, dict(writer.errors), reader.ops, dict(reader.errors)))
        self.assertEqual(state["stale"], [], "stale reads at QUORUM")

        # A decommissioned node does not come back.
        r = c.launcher("start", "node2", "--timeout", "20", timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("was decommissioned", c.log_text("node2"))

        expected = {k: b"%d" % v for k, v in state["acked"].items()}
        keys = sorted(expected)
        for n in ("node1", "node3", "node4"):
            got = read_all(c.address(n), keys, CL.QUORUM)
            lost = [k for k in keys if got.get(k) is None or int(got[k]) < int(expected[k])]
            self.assertEqual(lost, [], "acknowledged writes missing through %s" % n)
        short = self.check_quorum_of_replicas(c, ["node1", "node3", "node4"], expected)
        self.assertEqual(short[:10], [], "keys on fewer than a quorum of their replicas")
        log("%d acknowledged keys all read back; 0 stale reads" % len(keys))

    def test_removenode_after_kill(self):
        addresses = ["127.0.0.209", "127.0.0.210", "127.0.0.211", "127.0.0.212"]
        c = self.cluster = Cluster("removenode", addresses, settings={
            "ring_delay_ms": 1500, "phi_convict_threshold": 5})
        nodes = ["node1", "node2", "node3", "node4"]
        self.timer.measure("start 4 nodes", self.start_ring, c, nodes)
        c.create_keyspace("node1", keyspace("ks", "SimpleStrategy",
                                            {"replication_factor": "3"}, ["cf"]))
        keys = [b"r%05d" % i for i in range(2000)]
        with connect(addresses[0], "ks", timeout_s=60) as client:
            for lo in range(0, len(keys), 200):
                client.batch_mutate(
                    {k: {"cf": [ttypes.Mutation(column_or_supercolumn=ttypes.ColumnOrSuperColumn(
                        column=column(b"c", k, 1)))]} for k in keys[lo:lo + 200]}, CL.ALL)
        status, info = admin(c.address("node4"), "GET", "/info")
        self.assertEqual(status, 200)
        host_id = info["id"]
        # Refused: an unknown host id, and a node that is alive.
        status, body = admin(c.address("node1"), "POST",
                             "/removenode/00000000-0000-0000-0000-000000000000")
        self.assertEqual((status, body.get("error")), (400, "Host ID not found."))
        status, body = admin(c.address("node1"), "POST", "/removenode/" + host_id)
        self.assertEqual(status, 409, body)
        self.assertIn("is alive and owns this ID", body["error"])

        c.kill("node4")
        c.wait_down("node1", "node4")
        status, body = self.timer.measure("removenode node4 through node1", admin,
                                          c.address("node1"), "POST", "/removenode/" + host_id)
        self.assertEqual(status, 200, body)
        log("removenode: %s" % body)
        survivors = ["node1", "node2", "node3"]
        want = {c.address(n) for n in survivors}
        for n in survivors:
            wait_for("node4 gone from the ring of %s" % n,
                     lambda: set(c.token_map(c.address(n)).values()) == want, 30)
        for n in survivors:
            got = read_all(c.address(n), keys, CL.ALL)
            self.assertEqual([k for k in keys if got.get(k) != k], [],
                             "keys not read at ALL through %s" % n)
        # Every replica holds every key (they were written at ALL, and node4's ranges
        # were re-replicated from the survivors).
        token_map = c.token_map(c.address("node1"))
        local = {n: read_all(c.address(n), keys, CL.ONE) for n in survivors}
        lacking = [(k, n) for k in keys for n in survivors
                   if c.address(n) in replicas_of(token_map, k, 3) and local[n].get(k) != k]
        self.assertEqual(lacking[:10], [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
