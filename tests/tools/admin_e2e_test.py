#!/usr/bin/python3
# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# End to end, tools/cairn-admin against the admin endpoint (node/admin_server.h) of 2 real
# cairnd nodes started by tools/cairn-cluster on 127.0.0.171-172, keyspace RF=2:
#   - status: "Datacenter: datacenter1", one "UN  <address>  <load>  16  <owns>  <host id>
#     rack1" line per node; effective ownership 100.0% each for the RF=2 keyspace;
#   - ring (32 tokens), info (host id, gossip active, generation, mode NORMAL),
#     describering, gossipinfo, getendpoints (both nodes, RF=2);
#   - tablestats before and after flush (memtable data, then one SSTable);
#   - tpstats, metrics;
#   - fault add --peer <node2> --verb MUTATION --drop 1: a write at ALL through node1
#     times out; fault clear: it succeeds again;
#   - errors: an unknown keyspace (exit 1), decommission with RF 2 on 2 nodes, removenode
#     of an unknown or a live node (exit 1); cleanup (nothing to drop), netstats; a node nobody
#     runs (exit 3, "cannot reach the admin endpoint of ...: connection refused");
#   - drain of node2: info says DRAINED, node1 shows it DN, SIGTERM then exits 0.
# Uses tests/cluster/cluster_util.py (python3-thrift; exits 77, skipped, without it).
# Usage: admin_e2e_test.py --cairnd PATH --gen-py DIR [--launcher PATH] [--admin PATH]
import argparse
import json
import os
import re
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.realpath(__file__))


def _admin_path():
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--admin", default=os.path.join(HERE, "..", "..", "tools", "cairn-admin"))
    args, rest = p.parse_known_args()
    sys.argv = [sys.argv[0]] + rest
    return args.admin


ADMIN = _admin_path()
sys.path.insert(0, os.path.join(HERE, "..", "cluster"))
from cluster_util import (Cluster, column, connect, keyspace, log, now_us,  # noqa: E402
                          wait_for, ttypes)

ADDRESSES = ["127.0.0.171", "127.0.0.172"]
NOBODY = "127.0.0.179"  # no test listens there
CL = ttypes.ConsistencyLevel


class AdminEndToEndTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = Cluster("admin", ADDRESSES, settings={
            "ring_delay_ms": 1500,
            "phi_convict_threshold": 5,
            "write_request_timeout_in_ms": 1000,
        })
        try:
            cls.cluster.start_all()
            cls.cluster.create_keyspace(
                "node1", keyspace("adminks", "SimpleStrategy", {"replication_factor": "2"},
                                  ["cf"]))
            with connect(ADDRESSES[0], "adminks") as c:
                for i in range(50):
                    c.insert(b"key%d" % i, ttypes.ColumnParent("cf"),
                             column(b"c", b"v" * 100, now_us()), CL.ALL)
        except Exception:
            cls.cluster.destroy()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cluster.destroy()

    def admin(self, *args, host=ADDRESSES[0], expect=0):
        cmd = [sys.executable, ADMIN, "-h", host] + list(args)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, expect, "cairn-admin %s: exit %d\nstdout:\n%s\nstderr:\n%s"
                         % (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r.stdout if expect == 0 else r.stderr

    def status_lines(self, out):
        return {m.group(2): m for m in re.finditer(
            r"^(U|D)N  (127\.0\.0\.17\d)\s+(\S+ \S+)\s+(\d+)\s+(\S+)\s+([0-9a-f-]{36})\s+(\S+)$",
            out, re.M)}

    def test_1_status_ring_info(self):
        out = self.admin("status")
        log(out)
        self.assertIn("Datacenter: datacenter1\n=======================\n", out)
        self.assertIn("--  Address", out)
        nodes = self.status_lines(out)
        self.assertEqual(sorted(nodes), ADDRESSES, out)
        host_ids = set()
        owns = 0.0
        for address, m in nodes.items():
            self.assertEqual(m.group(1), "U")
            self.assertRegex(m.group(3), r"^\d+(\.\d\d)? (bytes|KiB|MiB)$")
            self.assertEqual(m.group(4), "16")
            owns += float(m.group(5).rstrip("%"))
            self.assertEqual(m.group(7), "rack1")
            host_ids.add(m.group(6))
        self.assertEqual(len(host_ids), 2)
        self.assertAlmostEqual(owns, 100.0, delta=0.2)
        # Effective ownership for the RF=2 keyspace: every node holds everything.
        out = self.admin("status", "adminks", host=ADDRESSES[1])
        self.assertIn("Owns (effective)", out)
        for address, m in self.status_lines(out).items():
            self.assertEqual(m.group(5), "100.0%", out)
            self.assertIn(m.group(6), host_ids)

        out = self.admin("ring")
        lines = [l for l in out.splitlines() if l.startswith("127.0.0.17")]
        self.assertEqual(len(lines), 32, out)
        self.assertTrue(all(" Up " in l and " Normal " in l for l in lines), out)

        out = self.admin("info")
        info = dict(re.findall(r"^(.*?)\s+: (.*)$", out, re.M))
        self.assertIn(info["ID"], host_ids)
        self.assertEqual(info["Gossip active"], "true")
        self.assertEqual(info["Thrift active"], "true")
        self.assertEqual(info["Mode"], "NORMAL")
        self.assertRegex(info["Generation No"], r"^\d{10}$")
        self.assertRegex(info["Uptime (seconds)"], r"^\d+$")
        self.assertEqual(info["Hints pending"], "0")
        out = self.admin("info", "-T")
        self.assertEqual(len(re.findall(r"^Token\s+: -?\d+$", out, re.M)), 16, out)

    def test_2_describering_gossipinfo_getendpoints(self):
        out = self.admin("describering", "adminks")
        ranges = re.findall(r"TokenRange\(start_token:(-?\d+), end_token:(-?\d+), "
                            r"endpoints:\[([^\]]*)\]", out)
        self.assertEqual(len(ranges), 32, out)
        for _, _, endpoints in ranges:
            self.assertEqual(sorted(endpoints.split(", ")), ADDRESSES)

        out = self.admin("gossipinfo")
        for a in ADDRESSES:
            self.assertIn("/%s\n" % a, out)
        self.assertEqual(out.count("STATUS:"), 2, out)
        self.assertIn("LOAD:", out)

        out = self.admin("getendpoints", "adminks", "cf", "key7")
        self.assertEqual(sorted(out.split()), ADDRESSES)
        out = self.admin("getendpoints", "adminks", "cf", "6b657937", "--hex")  # "key7"
        self.assertEqual(sorted(out.split()), ADDRESSES)

    def test_3_tablestats_flush(self):
        def table_stats(host):
            out = self.admin("tablestats", "adminks.cf", host=host)
            self.assertIn("Keyspace : adminks", out)
            self.assertIn("Table: cf", out)
            return {k: int(v) for k, v in re.findall(
                r"^\t\t(SSTable count|Space used \(live\)|Memtable data size): (\d+)$", out, re.M)}

        for host in ADDRESSES:
            before = table_stats(host)
            self.assertEqual(before["SSTable count"], 0, before)
            self.assertGreater(before["Memtable data size"], 0, before)
        self.assertEqual(self.admin("flush", "adminks", "cf"), "")
        after = table_stats(ADDRESSES[0])
        self.assertEqual(after["SSTable count"], 1, after)
        self.assertGreater(after["Space used (live)"], 0, after)
        self.assertLessEqual(after["Memtable data size"], before["Memtable data size"], after)
        # Only node1 flushed.
        self.assertEqual(table_stats(ADDRESSES[1])["SSTable count"], 0)
        self.admin("flush", host=ADDRESSES[1])
        self.assertEqual(table_stats(ADDRESSES[1])["SSTable count"], 1)
        self.admin("compact", "adminks")
        # status now shows the flushed data in node1's load.
        out = self.admin("status")
        load = self.status_lines(out)[ADDRESSES[0]].group(3)
        self.assertNotEqual(load, "0 bytes", out)

    def test_4_tpstats_metrics(self):
        out = self.admin("tpstats")
        log(out)
        self.assertRegex(out, r"(?m)^Pool Name\s+Active\s+Pending\s+Completed\s+Blocked\s+"
                              r"All time blocked$")
        for pool in ("InternodeHandlers", "RequestResponse", "CoordinatorWrite",
                     "HintsDispatcher", "MemtableFlushWriter", "CompactionExecutor"):
            self.assertRegex(out, r"(?m)^%s\s" % pool)
        writes = int(re.search(r"(?m)^CoordinatorWrite\s+n/a\s+n/a\s+(\d+)", out).group(1))
        self.assertGreaterEqual(writes, 50)
        out = self.admin("metrics")
        self.assertRegex(out, r"(?m)^cairn_proxy_writes_total \d+$")
        self.assertIn('cairn_table_sstables{keyspace="adminks",table="cf"}', out)
        self.assertRegex(out, r"(?m)^cairn_gossip_live_peers 1$")

    def test_5_fault_add_and_clear(self):
        out = self.admin("fault", "add", "--peer", ADDRESSES[1], "--verb", "MUTATION",
                         "--direction", "out", "--drop", "1")
        m = re.match(r"added fault rule (\d+): peer=127\.0\.0\.172:7000 verb=MUTATION", out)
        self.assertTrue(m, out)
        out = self.admin("fault", "list")
        self.assertRegex(out, r"(?m)^%s\s+127\.0\.0\.172:7000\s+MUTATION\s+out\s+1\s+0$"
                         % m.group(1))
        # node1 drops its MUTATIONs to node2: a write at ALL through node1 times out.
        with connect(ADDRESSES[0], "adminks") as c:
            with self.assertRaises(ttypes.TimedOutException):
                c.insert(b"faulty", ttypes.ColumnParent("cf"), column(b"c", b"x", now_us()),
                         CL.ALL)
        self.assertEqual(self.admin("fault", "clear"), "removed 1 fault rule(s)\n")
        self.assertEqual(self.admin("fault", "list"), "No fault rules.\n")
        with connect(ADDRESSES[0], "adminks") as c:
            c.insert(b"faulty", ttypes.ColumnParent("cf"), column(b"c", b"y", now_us()), CL.ALL)
        err = self.admin("fault", "add", "--verb", "NOPE", "--drop", "1", expect=1)
        self.assertIn("unknown verb 'NOPE'", err)

    def test_6_errors(self):
        err = self.admin("getendpoints", "nope", "cf", "k", expect=1)
        self.assertIn("keyspace 'nope' does not exist (HTTP 400)", err)
        # Range movements refused with Cassandra's reasons: RF 2 on 2 nodes cannot lose
        # one; an unknown host id; a live node.
        err = self.admin("decommission", expect=1)
        self.assertIn("Not enough live nodes to maintain replication factor in keyspace "
                      "adminks (RF = 2, N = 2). Perform a forceful decommission to ignore. "
                      "(HTTP 409)", err)
        err = self.admin("removenode", "00000000-0000-0000-0000-000000000000", expect=1)
        self.assertIn("Host ID not found. (HTTP 400)", err)
        node2_id = json.loads(self.admin("--json", "info", host=ADDRESSES[1]))["id"]
        err = self.admin("removenode", node2_id, expect=1)
        self.assertIn("is alive and owns this ID", err)
        # Nothing moved: cleanup drops nothing, netstats shows no stream.
        self.assertEqual(self.admin("cleanup"), "")
        out = self.admin("netstats")
        self.assertIn("Mode: NORMAL", out)
        self.assertIn("Not sending any streams.", out)
        err = self.admin("status", host=NOBODY, expect=3)
        self.assertIn("cannot reach the admin endpoint of %s:7199: connection refused" % NOBODY,
                      err)
        err = self.admin("-p", "1", "info", expect=3)
        self.assertIn("cannot reach the admin endpoint of 127.0.0.171:1: connection refused",
                      err)

    def test_7_drain(self):
        self.assertEqual(self.admin("drain", host=ADDRESSES[1]), "")
        out = self.admin("info", host=ADDRESSES[1])
        self.assertRegex(out, r"(?m)^Mode\s+: DRAINED$")
        self.assertRegex(out, r"(?m)^Gossip active\s+: false$")
        # node2 announced its shutdown: node1 shows it down.
        wait_for("node1 to show node2 down",
                 lambda: ADDRESSES[1] in self.status_lines(self.admin("status")) and
                 self.status_lines(self.admin("status"))[ADDRESSES[1]].group(1) == "D", 30)
        start = time.monotonic()
        self.cluster.stop("node2")  # SIGTERM after a drain: exits 0 (checked by the launcher)
        log("node2 stopped %.1f s after its drain" % (time.monotonic() - start))


if __name__ == "__main__":
    unittest.main(verbosity=2)
