#!/usr/bin/python3
# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# End to end, issue 5: the batch log replays an atomic batch whose coordinator died
# midway. 4 cairnd nodes (127.0.0.118-121, and 126-129 for the second test),
# GossipingPropertyFileSnitch, one DC:
# node1 and node4 in rack1, node2 and node3 in rack2. The coordinator (node1) stores a
# batch on two other live nodes, other racks first: node2 and node3 hold it, never node4.
# A keyspace with SimpleStrategy RF=1, so each partition has one replica; the batch
# writes 3 partitions owned by each node (ownership from describe_token_map and the
# Murmur3 tokens of the keys). write_request_timeout_in_ms is 10000, so batches are
# replayed 21 s after they were written (2 x write timeout + 1 s).
# test_coordinator_killed_while_applying:
#   - node4 is stopped with SIGSTOP, then atomic_batch_mutate at ALL goes to node1: node1
#     logs the batch on node2 and node3, sends every mutation and waits for node4;
#   - once node2 holds its partitions (so the batch is logged and being applied) and the
#     call is still waiting, node1 is killed -9, and node4 too: the mutations waiting in
#     node4's socket are lost with it, node1 wrote no hint (it died before the timeout);
#   - node1 and node4 are started again. If the batch is not yet due for replay, a read
#     at ALL shows node4's partitions missing and node2's and node3's there (the batch
#     is half applied);
#   - node2 or node3 logs "replayed a batch of 12 mutations", and then all 12 partitions
#     are read at ALL with the batch's values: all of the batch.
# test_coordinator_killed_while_logging:
#   - node2, a batch log holder, is stopped with SIGSTOP; the batch goes to node1, which
#     waits for node2 to store it (node3 has) before it applies anything;
#   - node1 is killed -9 meanwhile and started again, node2 resumes (SIGCONT) and stores
#     the batch it had received; before the replay is due, nothing of the batch is
#     visible at ALL;
#   - after the replay all 12 partitions are.
# Prints the timings. Usage:
#   batchlog_test.py --cairnd PATH --gen-py DIR [--launcher PATH] [unittest options]
import signal
import threading
import time
import unittest

from cluster_util import (CL, Cluster, Timer, connect, keyspace, log, now_us, owner_of,
                          ttypes, wait_for)

RACK = {"node1": "rack1", "node2": "rack2", "node3": "rack2", "node4": "rack1"}
PER_NODE = 3
WRITE_TIMEOUT_MS = 10000
REPLAY_AFTER_S = (2 * WRITE_TIMEOUT_MS + 1000) / 1000.0
PARENT = ttypes.ColumnParent("cf")
PREDICATE = ttypes.SlicePredicate(column_names=[b"c"])


def value(k):
    return b"batch-" + k


class BatchlogTest(unittest.TestCase):
    def setUp(self):
        self.timer = Timer()
        self.cluster = None
        self.stopped = None

    def tearDown(self):
        c = self.cluster
        if c is not None:
            if self.stopped is not None and c.pid(self.stopped):
                try:
                    c.signal(self.stopped, signal.SIGCONT)
                except OSError:
                    pass
            c.destroy()
        self.timer.report()

    def start_cluster(self, name, addresses):
        c = self.cluster = Cluster(
            name, addresses,
            settings={"ring_delay_ms": 1500,
                      "endpoint_snitch": "GossipingPropertyFileSnitch",
                      "write_request_timeout_in_ms": WRITE_TIMEOUT_MS},
            node_settings={n: {"dc": "dc1", "rack": r} for n, r in RACK.items()})
        self.timer.measure("start 4 nodes", c.start_all)
        self.timer.measure("create keyspace RF=1", c.create_keyspace, "node1",
                           keyspace("ks", "SimpleStrategy", {"replication_factor": "1"},
                                    ["cf"]))
        self.owned = self.keys_by_owner()
        self.keys = sorted(sum(self.owned.values(), []))
        log("batch keys by owner: %r" % self.owned)
        return c

    def keys_by_owner(self):
        """PER_NODE keys owned by each node (RF=1: the owner is the only replica)."""
        c = self.cluster
        token_map = c.token_map(c.addresses[0])
        by_owner = {a: [] for a in c.addresses}
        i = 0
        while any(len(v) < PER_NODE for v in by_owner.values()):
            k = b"bl%05d" % i
            i += 1
            owner = owner_of(token_map, k)
            if len(by_owner[owner]) < PER_NODE:
                by_owner[owner].append(k)
        return {c.nodes[c.addresses.index(a)]: v for a, v in by_owner.items()}

    def read_all(self, node, keys):
        """{key: value} of `keys` present, read at ALL through `node`."""
        with connect(self.cluster.address(node), "ks", timeout_s=30) as client:
            got = client.multiget_slice(keys, PARENT, PREDICATE, CL.ALL)
        return {k: cols[0].column.value for k, cols in got.items() if cols}

    def visible_at_one(self, node, keys):
        """Which of `keys` `node` returns at ONE."""
        with connect(self.cluster.address(node), "ks", timeout_s=5) as client:
            got = client.multiget_slice(keys, PARENT, PREDICATE, CL.ONE)
        return {k for k in keys if got.get(k)}

    def send_batch(self):
        """atomic_batch_mutate of every key at ALL through node1 in a thread; returns
        (thread, outcome dict, monotonic time sent)."""
        ts = now_us()
        mutation_map = {
            k: {"cf": [ttypes.Mutation(column_or_supercolumn=ttypes.ColumnOrSuperColumn(
                column=ttypes.Column(name=b"c", value=value(k), timestamp=ts)))]}
            for k in self.keys}
        outcome = {}

        def batch():
            try:
                with connect(self.cluster.addresses[0], "ks", timeout_s=60) as client:
                    client.atomic_batch_mutate(mutation_map, CL.ALL)
                outcome["result"] = "acknowledged"
            except Exception as e:  # noqa: BLE001
                outcome["result"] = repr(e)
        thread = threading.Thread(target=batch, daemon=True)
        sent = time.monotonic()
        thread.start()
        return thread, outcome, sent

    def wait_replayed(self):
        """Until node2 or node3 logs the replay, then until all of the batch is visible
        at ALL; checks the values."""
        c = self.cluster
        want = "replayed a batch of %d mutations" % len(self.keys)
        _, t = wait_for("node2 or node3 to replay the batch",
                        lambda: any(want in c.log_text(n) for n in ("node2", "node3")),
                        REPLAY_AFTER_S + 60, interval=0.5)
        self.timer.phase("restarts done -> a holder logs the replay", t)
        got, t = wait_for("all of the batch at ALL",
                          lambda: (lambda s: s if len(s) == len(self.keys) else None)(
                              self.read_all("node2", self.keys)), 60, interval=0.5)
        self.timer.phase("replay logged -> all of the batch visible at ALL", t)
        self.assertEqual(got, {k: value(k) for k in self.keys})

    def test_coordinator_killed_while_applying(self):
        c = self.start_cluster("batchlog_apply",
                               ["127.0.0.118", "127.0.0.119", "127.0.0.120", "127.0.0.121"])
        owned = self.owned
        # node4 stops answering; node1 still believes it alive (no conviction for
        # several seconds), so the batch at ALL is accepted and waits for it.
        self.stopped = "node4"
        c.signal("node4", signal.SIGSTOP)
        thread, outcome, sent = self.send_batch()
        _, t = wait_for("node2 to hold its partitions of the batch",
                        lambda: self.visible_at_one("node2", owned["node2"]) ==
                        set(owned["node2"]),
                        WRITE_TIMEOUT_MS / 1000.0 * 0.6, interval=0.1)
        self.timer.phase("batch sent, node2 applied its part", t)
        self.assertTrue(thread.is_alive(),
                        "the batch returned before node1 was killed: %r" % outcome)
        c.kill("node1")
        c.kill("node4")
        self.stopped = None
        thread.join(30)
        log("atomic_batch_mutate: %s" % outcome.get("result"))
        self.assertNotEqual(outcome.get("result"), "acknowledged")

        start = time.monotonic()
        c.start_stopped()  # node1 and node4
        for observer in ("node2", "node3"):
            for node in ("node1", "node4"):
                c.wait_up(observer, node)
        self.timer.phase("restart node1 and node4, node2 and node3 see them up",
                         time.monotonic() - start)

        if time.monotonic() - sent < REPLAY_AFTER_S - 5:
            seen = self.read_all("node2", self.keys)
            log("before the replay, at ALL: %d of %d partitions" % (len(seen), len(self.keys)))
            for k in owned["node2"] + owned["node3"]:
                self.assertIn(k, seen)
            for k in owned["node4"]:
                self.assertNotIn(k, seen, "node4 got its part without the batch log")
        else:
            log("too late to look at the half-applied batch before its replay")
        self.wait_replayed()

    def test_coordinator_killed_while_logging(self):
        c = self.start_cluster("batchlog_log",
                               ["127.0.0.126", "127.0.0.127", "127.0.0.128", "127.0.0.129"])
        self.stopped = "node2"
        c.signal("node2", signal.SIGSTOP)
        thread, outcome, sent = self.send_batch()
        time.sleep(1.5)
        self.assertTrue(thread.is_alive(),
                        "the batch returned while a batch log holder was stopped: %r"
                        % outcome)
        # Nothing applied yet: node3 and node4 do not have their partitions.
        self.assertEqual(self.visible_at_one("node3", self.owned["node3"]), set())
        self.assertEqual(self.visible_at_one("node4", self.owned["node4"]), set())
        c.kill("node1")
        c.signal("node2", signal.SIGCONT)
        self.stopped = None
        thread.join(30)
        log("atomic_batch_mutate: %s" % outcome.get("result"))
        self.assertNotEqual(outcome.get("result"), "acknowledged")

        start = time.monotonic()
        c.start("node1")
        for observer in ("node2", "node3", "node4"):
            c.wait_up(observer, "node1")
        self.timer.phase("restart node1, the others see it up", time.monotonic() - start)
        if time.monotonic() - sent < REPLAY_AFTER_S - 5:
            seen = self.read_all("node2", self.keys)
            log("before the replay, at ALL: %d of %d partitions" % (len(seen), len(self.keys)))
            self.assertEqual(seen, {}, "the batch was applied before its replay")
        else:
            log("too late to look at the batch before its replay")
        self.wait_replayed()


if __name__ == "__main__":
    unittest.main(verbosity=2)
