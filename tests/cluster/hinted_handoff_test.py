#!/usr/bin/python3
# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# End to end, issue 5: hinted handoff. 2 cairnd nodes, a keyspace with SimpleStrategy
# RF=2:
#   - node2 stopped (node1 sees it down), 1,000 writes at ONE through node1: node1 keeps
#     a hint for node2 for each;
#   - node1's admin endpoint (/metrics) shows 1,000 hints pending;
#   - node2 started again: node1's log says "finished hint delivery to <node2>" and the
#     delivered counts of its delivery lines add up to at least 1,000; /metrics shows
#     none pending and at least 1,000 delivered;
#   - node1 stopped: all 1,000 partitions read at ONE through node2 (node2 alone) with
#     their values.
# test_hints_delivered_when_the_node_returns does just that (127.0.0.105-106);
# test_hints_survive_a_coordinator_kill (127.0.0.130-131) also kills node1 -9 after the
# writes and starts it again before node2 returns: the hints were durable before the
# writes were acknowledged, and the restarted node1 keeps them although it has not
# heard of node2 since.
# Prints the timings. Usage:
#   hinted_handoff_test.py --cairnd PATH --gen-py DIR [--launcher PATH] [unittest options]
import re
import time
import unittest

from cluster_util import (CL, Cluster, Timer, column, connect, keyspace, log, metrics,
                          now_us, ttypes, wait_for)

N = 1000


def key(i):
    return b"hh%04d" % i


def value(i):
    return b"value-%04d" % i


class HintedHandoffTest(unittest.TestCase):
    def setUp(self):
        self.timer = Timer()
        self.cluster = None

    def tearDown(self):
        if self.cluster is not None:
            self.cluster.destroy()
        self.timer.report()

    def delivered_to(self, text, address):
        """(hints delivered to `address` per the log text, a finished line seen)."""
        delivered, finished = 0, False
        for line in text.splitlines():
            m = re.search(r"finished hint delivery to (\S+): (\d+) delivered", line)
            if m and m.group(1) == address:
                delivered += int(m.group(2))
                finished = True
                continue
            m = re.search(r"hint delivery to (\S+) paused after (\d+) hints", line)
            if m and m.group(1) == address:
                delivered += int(m.group(2))
        return delivered, finished

    def test_hints_delivered_when_the_node_returns(self):
        self.check_handoff("hinted_handoff", ["127.0.0.105", "127.0.0.106"], False)

    def test_hints_survive_a_coordinator_kill(self):
        self.check_handoff("hinted_handoff_kill", ["127.0.0.130", "127.0.0.131"], True)

    def check_handoff(self, name, addresses, kill_coordinator):
        c = self.cluster = Cluster(name, addresses, settings={
            "ring_delay_ms": 1500,
            "phi_convict_threshold": 5,
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
        parent = ttypes.ColumnParent("cf")
        ts = now_us()
        with connect(addresses[0], "ks") as client:
            for i in range(N):
                client.insert(key(i), parent, column(b"c", value(i), ts), CL.ONE)
        self.timer.phase("%d writes at ONE through node1 (node2 down)" % N,
                         time.monotonic() - start)

        if kill_coordinator:
            start = time.monotonic()
            c.kill("node1")
            c.start("node1")
            self.timer.phase("kill -9 node1 and start it again", time.monotonic() - start)
            text = c.log_text("node1")
            self.assertIn("%d undelivered hints found" % N, text)

        self.assertEqual(metrics(addresses[0])["cairn_hints_pending"], N)
        offset = c.log_size("node1")
        start = time.monotonic()
        c.start("node2")
        self.timer.phase("start node2", time.monotonic() - start)
        (delivered, _), t = wait_for(
            "node1 to finish hint delivery to node2",
            lambda: (lambda d: d if d[1] and d[0] >= N else None)(
                self.delivered_to(c.log_since("node1", offset), addresses[1])),
            90, interval=0.5)
        self.timer.phase("node2 up -> node1 logs finished hint delivery", t)
        log("node1 delivered %d hints to node2" % delivered)
        self.assertGreaterEqual(delivered, N)
        m = metrics(addresses[0])
        log("node1 /metrics: %d hints delivered, %d pending"
            % (m["cairn_proxy_hints_delivered_total"], m["cairn_hints_pending"]))
        self.assertEqual(m["cairn_hints_pending"], 0)
        self.assertGreaterEqual(m["cairn_proxy_hints_delivered_total"], N)

        start = time.monotonic()
        c.stop("node1")
        c.wait_down("node2", "node1")
        self.timer.phase("stop node1, node2 sees it down", time.monotonic() - start)

        start = time.monotonic()
        missing, wrong = [], []
        predicate = ttypes.SlicePredicate(column_names=[b"c"])
        with connect(addresses[1], "ks") as client:
            for lo in range(0, N, 100):
                keys = [key(i) for i in range(lo, min(N, lo + 100))]
                got = client.multiget_slice(keys, parent, predicate, CL.ONE)
                for k in keys:
                    cols = got.get(k, [])
                    i = int(k[2:])
                    if not cols:
                        missing.append(k)
                    elif cols[0].column.value != value(i):
                        wrong.append((k, cols[0].column.value))
        self.timer.phase("read %d at ONE through node2 (node1 down)" % N,
                         time.monotonic() - start)
        self.assertEqual((len(missing), wrong[:5]), (0, []),
                         "missing on node2: %r" % missing[:20])


if __name__ == "__main__":
    unittest.main(verbosity=2)
