#!/usr/bin/python3
# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# End to end, issue 5: no acknowledged write is lost while nodes are killed. 3 cairnd
# nodes on 127.0.0.123-125, a keyspace with SimpleStrategy RF=3. A writer thread inserts
# one new partition after another at QUORUM through one node (reconnecting on errors)
# and records every write that was acknowledged. Five times: the writer moves to a node
# that is not the next victim, the victim is killed -9, writes go on for a few seconds,
# the victim is started again (it replays its commit log) and the others see it up.
# Afterwards every acknowledged write is read back at QUORUM through each node (multiget)
# and by a range scan at QUORUM over the whole ring (each partition once, in token
# order): zero missing.
# Prints the timings and the writer's counts. Usage:
#   kill_loop_test.py --cairnd PATH --gen-py DIR [--launcher PATH] [unittest options]
import collections
import threading
import time
import unittest

from cluster_util import (CL, Cluster, Timer, column, connect, keyspace, log,
                          murmur3_token, now_us, ttypes, wait_for)

ADDRESSES = ["127.0.0.123", "127.0.0.124", "127.0.0.125"]
ROUNDS = 5
PARENT = ttypes.ColumnParent("cf")
PREDICATE = ttypes.SlicePredicate(column_names=[b"c"])


class Writer(threading.Thread):
    """Writes partitions w000000, w000001, … at QUORUM through `target` (settable),
    keeping the keys of acknowledged writes."""

    def __init__(self, target):
        super().__init__(daemon=True)
        self.target = target
        self.using = None  # the node the current connection goes to
        self.acked = []
        self.errors = collections.Counter()
        self.stop_event = threading.Event()
        self.lock = threading.Lock()

    def run(self):
        client = None
        seq = 0
        while not self.stop_event.is_set():
            target = self.target
            if client is None or client.address != target:
                if client is not None:
                    client.close()
                    client = None
                try:
                    client = connect(target, "ks", timeout_s=15)
                except Exception as e:  # noqa: BLE001
                    self.errors["connect: %s" % type(e).__name__] += 1
                    time.sleep(0.2)
                    continue
                self.using = target
            k = b"w%06d" % seq
            seq += 1
            try:
                client.insert(k, PARENT, column(b"c", k, now_us()), CL.QUORUM)
                with self.lock:
                    self.acked.append(k)
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

    def acked_count(self):
        with self.lock:
            return len(self.acked)


class KillLoopTest(unittest.TestCase):
    def setUp(self):
        self.timer = Timer()
        self.cluster = Cluster("kill_loop", ADDRESSES, settings={
            "ring_delay_ms": 1500,
            "phi_convict_threshold": 5,
        })
        self.writer = None

    def tearDown(self):
        if self.writer is not None:
            self.writer.stop_event.set()
            self.writer.join(30)
        self.cluster.destroy()
        self.timer.report()

    def test_no_acknowledged_write_lost(self):
        c = self.cluster
        self.timer.measure("start 3 nodes", c.start_all)
        self.timer.measure("create keyspace RF=3", c.create_keyspace, "node1",
                           keyspace("ks", "SimpleStrategy", {"replication_factor": "3"},
                                    ["cf"]))
        w = self.writer = Writer(ADDRESSES[0])
        w.start()
        wait_for("the writer's first acknowledged write", w.acked_count, 30)

        for i in range(ROUNDS):
            victim = c.nodes[i % 3]
            coordinator = c.nodes[(i + 1) % 3]
            start = time.monotonic()
            w.target = c.address(coordinator)
            wait_for("the writer to move to %s" % coordinator,
                     lambda: w.using == c.address(coordinator), 30)
            before = w.acked_count()
            c.kill(victim)
            time.sleep(3)
            during = w.acked_count() - before
            c.start(victim)
            for other in c.nodes:
                if other != victim:
                    c.wait_up(other, victim)
            # Some writes with all three up before the next victim goes.
            mark = w.acked_count()
            wait_for("writes after %s is back" % victim, lambda: w.acked_count() > mark + 20,
                     30)
            self.timer.phase("round %d: kill -9 %s (writer on %s, %d acked while it was "
                             "dead), restart, seen up" % (i + 1, victim, coordinator, during),
                             time.monotonic() - start)

        w.stop_event.set()
        w.join(30)
        acked = list(w.acked)
        log("writer: %d acknowledged; errors %s" % (len(acked), dict(w.errors)))
        self.assertGreater(len(acked), 0)

        start = time.monotonic()
        missing = {}
        for node in c.nodes:
            found = set()
            with connect(c.address(node), "ks", timeout_s=60) as client:
                for lo in range(0, len(acked), 200):
                    keys = acked[lo:lo + 200]
                    got = client.multiget_slice(keys, PARENT, PREDICATE, CL.QUORUM)
                    for k in keys:
                        cols = got.get(k)
                        if cols and cols[0].column.value == k:
                            found.add(k)
            missing[node] = sorted(set(acked) - found)
        self.timer.phase("read back %d acknowledged writes at QUORUM through each node"
                         % len(acked), time.monotonic() - start)
        self.assertEqual({n: len(m) for n, m in missing.items()}, {n: 0 for n in c.nodes},
                         "missing: %r" % {n: m[:10] for n, m in missing.items()})

        # The same through a range scan of the whole ring at QUORUM, in pages of 1,000:
        # each partition once, in token order, every acknowledged one among them.
        start = time.monotonic()
        scanned = []
        with connect(c.address("node1"), "ks", timeout_s=60) as client:
            begin = b""
            while True:
                rows = client.get_range_slices(
                    PARENT, PREDICATE, ttypes.KeyRange(start_key=begin, end_key=b"",
                                                       count=1000), CL.QUORUM)
                page = [r.key for r in rows if r.columns and (not begin or r.key != begin)]
                scanned.extend(page)
                if len(rows) < 1000 or not page:
                    break
                begin = rows[-1].key
        self.timer.phase("range scan of %d partitions at QUORUM through node1"
                         % len(scanned), time.monotonic() - start)
        order = [(murmur3_token(k), k) for k in scanned]
        self.assertEqual(order, sorted(set(order)), "not in token order, or repeated")
        not_scanned = sorted(set(acked) - set(scanned))
        self.assertEqual(len(not_scanned), 0, "missing from the scan: %r" % not_scanned[:10])


if __name__ == "__main__":
    unittest.main(verbosity=2)
