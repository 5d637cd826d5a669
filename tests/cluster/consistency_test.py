#!/usr/bin/python3
# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# End to end, issue 5: the consistency matrix. 3 cairnd nodes on 127.0.0.101-103, a
# keyspace with SimpleStrategy RF=3, node1 the coordinator throughout. Three rounds, with
# 0, 1 (node3, kill -9) and 2 (node3 and node2, stopped) nodes down, each started once
# node1 sees the nodes down. In each round, for every write CL in {ANY, ONE, TWO, QUORUM,
# ALL} and read CL in {ONE, TWO, QUORUM, ALL}: a fresh value written to one column of one
# partition (always the same one, with increasing timestamps, so stale replicas hold older
# values), then read back with get, multiget_slice and get_range_slices (the whole
# ring). Checked:
#   - UnavailableException exactly when fewer replicas are up than the CL needs (never for
#     a write at ANY), for writes and reads;
#   - when write and read succeed and R + W > RF (ANY counts as W = 0), the read returns
#     the value just written;
#   - a read never returns a value whose write was refused.
# test_slow_replica_times_out (127.0.0.132-134): node3 stopped with SIGSTOP, so node1
# still believes it alive: a write at ALL raises TimedOutException with acknowledged_by 2
# and a read at ALL TimedOutException, while QUORUM writes and reads succeed; once node3
# resumes (SIGCONT) a read at ALL returns the latest QUORUM write. Then: an insert
# without a client timestamp raises InvalidRequestException; truncate empties the table
# on every node (each reads nothing at ONE), and raises UnavailableException once node3
# is stopped.
# Prints the timings. Usage:
#   consistency_test.py --cairnd PATH --gen-py DIR [--launcher PATH] [unittest options]
import signal
import time
import unittest

from cluster_util import (CL, Cluster, Timer, column, connect, keyspace, log, now_us,
                          ttypes, wait_for)

ADDRESSES = ["127.0.0.101", "127.0.0.102", "127.0.0.103"]
RF = 3
WRITE_CLS = ["ANY", "ONE", "TWO", "QUORUM", "ALL"]
READ_CLS = ["ONE", "TWO", "QUORUM", "ALL"]
# Replicas each level needs (RF 3). ANY needs none: a hint on the coordinator will do.
BLOCK_FOR = {"ANY": 0, "ONE": 1, "TWO": 2, "QUORUM": 2, "ALL": 3}
KEY = b"matrix"


class ConsistencyTest(unittest.TestCase):
    def setUp(self):
        self.timer = Timer()
        self.cluster = None
        self.stopped = None

    def tearDown(self):
        c = self.cluster
        if c is not None:
            if self.stopped is not None and c.pid(self.stopped):
                c.signal(self.stopped, signal.SIGCONT)
            c.destroy()
        self.timer.report()

    def start_cluster(self, name, addresses, timeout_ms):
        c = self.cluster = Cluster(name, addresses, settings={
            "ring_delay_ms": 1500,
            "phi_convict_threshold": 5,
            "write_request_timeout_in_ms": timeout_ms,
            "read_request_timeout_in_ms": timeout_ms,
        })
        self.timer.measure("start 3 nodes", c.start_all)
        self.timer.measure("create keyspace RF=3", c.create_keyspace, "node1",
                           keyspace("ks", "SimpleStrategy", {"replication_factor": "3"},
                                    ["cf"]))
        return c

    @staticmethod
    def readers(client):
        """(name, fn(cl) -> the value of KEY's column or None) for each way of reading
        it: get, multiget_slice and get_range_slices over the whole ring."""
        parent = ttypes.ColumnParent("cf")
        names = ttypes.SlicePredicate(column_names=[b"c"])

        def get(cl):
            try:
                return client.get(KEY, ttypes.ColumnPath("cf", column=b"c"), cl).column.value
            except ttypes.NotFoundException:
                return None

        def multiget(cl):
            cols = client.multiget_slice([KEY], parent, names, cl).get(KEY)
            return cols[0].column.value if cols else None

        def scan(cl):
            rows = client.get_range_slices(
                parent, names, ttypes.KeyRange(start_key=b"", end_key=b"", count=10), cl)
            rows = [r for r in rows if r.columns]
            assert [r.key for r in rows] in ([], [KEY]), rows
            return rows[0].columns[0].column.value if rows else None
        return [("get", get), ("multiget_slice", multiget), ("get_range_slices", scan)]

    def run_round(self, client, live, failures, stamp):
        """Every (write CL, read CL) pair with `live` replicas up; appends what went
        wrong to `failures`. Returns the number of checked reads of the latest write."""
        checked = 0
        parent = ttypes.ColumnParent("cf")
        for w in WRITE_CLS:
            for r in READ_CLS:
                what = "%d up, write %s, read %s" % (live, w, r)
                value = ("%s|%d" % (what, stamp[0])).encode()
                stamp[0] += 1
                ts = max(now_us(), stamp[1] + 1)
                stamp[1] = ts
                want_unavailable = w != "ANY" and live < BLOCK_FOR[w]
                try:
                    client.insert(KEY, parent, column(b"c", value, ts),
                                  getattr(CL, w))
                    wrote = True
                    self.written.add(value)
                except ttypes.UnavailableException:
                    wrote = False
                    self.refused.add(value)
                except Exception as e:  # noqa: BLE001 (TimedOut: a failure too)
                    failures.append("%s: write raised %r" % (what, e))
                    continue
                if wrote == want_unavailable:
                    failures.append("%s: write %s" % (
                        what, "succeeded" if wrote else "UnavailableException"))
                for kind, read_fn in self.readers(client):
                    how = "%s, %s" % (what, kind)
                    try:
                        got = read_fn(getattr(CL, r))
                        read = True
                    except ttypes.UnavailableException:
                        read, got = False, None
                    except Exception as e:  # noqa: BLE001
                        failures.append("%s: read raised %r" % (how, e))
                        continue
                    if read == (live < BLOCK_FOR[r]):
                        failures.append("%s: read %s" % (
                            how, "succeeded" if read else "UnavailableException"))
                    if read and got in self.refused:
                        failures.append("%s: read returned %r, whose write was refused"
                                        % (how, got))
                    if read and wrote and BLOCK_FOR[w] + BLOCK_FOR[r] > RF:
                        checked += 1
                        if got != value:
                            failures.append("%s: R+W > RF but read %r, not the latest %r"
                                            % (how, got, value))
        return checked

    def test_matrix(self):
        c = self.start_cluster("consistency", ADDRESSES, 4000)
        self.written, self.refused = set(), set()
        failures = []
        stamp = [0, 0]
        rounds = [(None, None), ("node3", "kill"), ("node2", "stop")]
        total_checked = 0
        for down_node, how in rounds:
            if down_node is not None:
                start = time.monotonic()
                getattr(c, how)(down_node)
                c.wait_down("node1", down_node)
                self.timer.phase("%s %s, node1 sees it down" % (how, down_node),
                                 time.monotonic() - start)
            live = RF - (0 if down_node is None else (1 if down_node == "node3" else 2))
            start = time.monotonic()
            with connect(ADDRESSES[0], "ks") as client:
                n = self.run_round(client, live, failures, stamp)
            total_checked += n
            self.timer.phase("round with %d of 3 up: 20 write/read pairs" % live,
                             time.monotonic() - start)
        log("%d reads checked against the latest write; %d writes refused"
            % (total_checked, len(self.refused)))
        self.assertEqual(failures, [], "\n" + "\n".join(failures))
        # R + W > RF with both allowed: 11 pairs with 3 up, 4 with 2 up, none with 1;
        # each read 3 ways.
        self.assertEqual(total_checked, 15 * 3)

    def test_slow_replica_times_out(self):
        # Timeouts of 2 s: node3 is stopped for about three of them, well before a
        # phi_convict_threshold of 5 convicts it (12 s or more).
        c = self.start_cluster("consistency_slow", ["127.0.0.132", "127.0.0.133",
                                                    "127.0.0.134"], 2000)
        parent = ttypes.ColumnParent("cf")
        path = ttypes.ColumnPath("cf", column=b"c")
        with connect(c.address("node1"), "ks") as client:
            client.insert(KEY, parent, column(b"c", b"before", now_us()), CL.ALL)
            self.stopped = "node3"
            c.signal("node3", signal.SIGSTOP)
            start = time.monotonic()
            with self.assertRaises(ttypes.TimedOutException) as cm:
                client.insert(KEY, parent, column(b"c", b"at ALL", now_us()), CL.ALL)
            self.timer.phase("write at ALL with node3 stopped: TimedOutException",
                             time.monotonic() - start)
            self.assertEqual(cm.exception.acknowledged_by, 2)
            latest = b"at QUORUM"
            client.insert(KEY, parent, column(b"c", latest, now_us()), CL.QUORUM)
            self.assertEqual(client.get(KEY, path, CL.QUORUM).column.value, latest)
            start = time.monotonic()
            with self.assertRaises(ttypes.TimedOutException):
                client.get(KEY, path, CL.ALL)
            self.timer.phase("read at ALL with node3 stopped: TimedOutException",
                             time.monotonic() - start)
            self.assertNotIn(c.address("node3"), c.unreachable(c.address("node1")),
                             "node3 was convicted: the timeouts above prove nothing")
            c.signal("node3", signal.SIGCONT)
            self.stopped = None
            got, t = wait_for("a read at ALL once node3 resumes",
                              lambda: client.get(KEY, path, CL.ALL).column.value, 30)
            self.timer.phase("node3 resumed -> read at ALL", t)
            self.assertEqual(got, latest)

            # A write without a client timestamp is refused, not given one silently.
            with self.assertRaises(ttypes.InvalidRequestException):
                client.insert(KEY, parent, ttypes.Column(name=b"c", value=b"no timestamp"),
                              CL.ONE)

            # truncate reaches every node, and is refused when one is down.
            start = time.monotonic()
            client.truncate("cf")
            for node in c.nodes:
                with connect(c.address(node), "ks") as other:
                    with self.assertRaises(ttypes.NotFoundException):
                        other.get(KEY, path, CL.ONE)
            c.stop("node3")
            c.wait_down("node1", "node3")
            with self.assertRaises(ttypes.UnavailableException):
                client.truncate("cf")
            self.timer.phase("truncate with all up, then refused with node3 down",
                             time.monotonic() - start)


if __name__ == "__main__":
    unittest.main(verbosity=2)
