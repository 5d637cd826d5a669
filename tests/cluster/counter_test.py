#!/usr/bin/python3
# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# End to end, issue 8 (distributed counters), 3 nodes RF=3 on 127.0.0.225-227, a counter
# column family (CounterColumnType). 8 client threads on the 3 coordinators increment 10
# counters 10,000 times in all at QUORUM (deltas 1..3).
#   test_exact_totals: every counter read at QUORUM through each node equals the sum of
#     its acknowledged increments.
#   test_exact_totals_with_a_kill: node3 is killed -9 halfway and restarted; an increment
#     that failed without an answer (timed out, connection lost mid-request) may or may
#     not count, as in Cassandra, so each total must lie between the acknowledged sum and
#     that plus the uncertain deltas; without uncertain increments it must be exact.
# Usage: counter_test.py --cairnd PATH --gen-py DIR [--launcher PATH] [unittest options]
import collections
import threading
import time
import unittest

from cluster_util import CL, Cluster, Timer, connect, log, ttypes, wait_for

ADDRESSES = ["127.0.0.225", "127.0.0.226", "127.0.0.227"]
COUNTERS = [b"counter%d" % i for i in range(10)]
TOTAL_INCREMENTS = 10000
THREADS = 8
PARENT = ttypes.ColumnParent("hits")


class Incrementer(threading.Thread):
    def __init__(self, index, cluster, per_thread):
        super().__init__(daemon=True)
        self.index = index
        self.cluster = cluster
        self.per_thread = per_thread
        self.acked = collections.Counter()      # key -> sum of acknowledged deltas
        self.uncertain = collections.Counter()  # key -> sum of deltas with no answer
        self.errors = collections.Counter()
        self.done = 0

    def run(self):
        client = None
        i = 0
        while i < self.per_thread:
            address = ADDRESSES[(self.index + i // 50) % 3]  # move between coordinators
            if client is None or client.address != address:
                if client is not None:
                    client.close()
                try:
                    client = connect(address, "ks", timeout_s=15)
                except Exception as e:  # noqa: BLE001 (a node that is down)
                    client = None
                    self.errors["connect %s" % type(e).__name__] += 1
                    i += 50 - i % 50  # skip to the next coordinator's turn
                    time.sleep(0.05)
                    continue
            key = COUNTERS[(self.index * 7 + i) % len(COUNTERS)]
            delta = 1 + (i % 3)
            try:
                client.add(key, PARENT, ttypes.CounterColumn(b"c", delta), CL.QUORUM)
                self.acked[key] += delta
            except ttypes.UnavailableException:
                self.errors["Unavailable"] += 1  # refused before anything was applied
            except ttypes.TimedOutException:
                self.errors["TimedOut"] += 1
                self.uncertain[key] += delta
            except Exception as e:  # noqa: BLE001 (connection lost mid-request)
                self.errors[type(e).__name__] += 1
                self.uncertain[key] += delta
                client.close()
                client = None
            i += 1
            self.done = i


class CounterTest(unittest.TestCase):
    def setUp(self):
        self.timer = Timer()
        self.cluster = Cluster("counters", ADDRESSES, settings={
            "ring_delay_ms": 1500, "phi_convict_threshold": 5})
        c = self.cluster
        self.timer.measure("start 3 nodes", c.start_all)
        ks = ttypes.KsDef(name="ks", strategy_class="SimpleStrategy",
                          strategy_options={"replication_factor": "3"},
                          cf_defs=[ttypes.CfDef(keyspace="ks", name="hits",
                                                comparator_type="BytesType",
                                                default_validation_class="CounterColumnType",
                                                read_repair_chance=0.0,
                                                dclocal_read_repair_chance=0.0)])
        c.create_keyspace("node1", ks)

    def tearDown(self):
        self.cluster.destroy()
        self.timer.report()

    def run_increments(self, during=None):
        threads = [Incrementer(i, self.cluster, TOTAL_INCREMENTS // THREADS)
                   for i in range(THREADS)]
        start = time.monotonic()
        for t in threads:
            t.start()
        if during is not None:
            during(threads)
        for t in threads:
            t.join(600)
        seconds = time.monotonic() - start
        acked, uncertain, errors = collections.Counter(), collections.Counter(), collections.Counter()
        for t in threads:
            acked.update(t.acked)
            uncertain.update(t.uncertain)
            errors.update(t.errors)
        n = sum(t.done for t in threads)
        log("%d increments in %.1f s (%.0f/s); errors %s" % (n, seconds, n / seconds, dict(errors)))
        return acked, uncertain

    def check_totals(self, acked, uncertain):
        for node in self.cluster.nodes:
            with connect(self.cluster.address(node), "ks", timeout_s=30) as client:
                for key in COUNTERS:
                    got = client.get_slice(key, PARENT, ttypes.SlicePredicate(column_names=[b"c"]),
                                           CL.QUORUM)
                    total = got[0].counter_column.value if got else 0
                    lo, hi = acked[key], acked[key] + uncertain[key]
                    self.assertTrue(lo <= total <= hi, "%s via %s: %d not in [%d, %d]"
                                    % (key, node, total, lo, hi))

    def test_exact_totals(self):
        acked, uncertain = self.timer.measure("10,000 increments at QUORUM", self.run_increments)
        self.assertEqual(sum(uncertain.values()), 0, "increments without an answer: %s" % uncertain)
        self.check_totals(acked, uncertain)
        log("totals exact: %s" % {k.decode(): v for k, v in sorted(acked.items())})

    def test_exact_totals_with_a_kill(self):
        c = self.cluster

        def kill_and_restart(threads):
            wait_for("half the increments", lambda: sum(t.done for t in threads) >=
                     TOTAL_INCREMENTS // 2, 300, interval=0.05)
            c.kill("node3")
            time.sleep(2)
            c.start("node3")
            for other in ("node1", "node2"):
                c.wait_up(other, "node3")
        acked, uncertain = self.timer.measure("10,000 increments, node3 killed -9 halfway",
                                              self.run_increments, kill_and_restart)
        log("uncertain deltas (no answer): %d" % sum(uncertain.values()))
        self.check_totals(acked, uncertain)


if __name__ == "__main__":
    unittest.main(verbosity=2)
