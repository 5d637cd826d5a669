#!/usr/bin/python3
# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# End to end: tools/cairn-cluster drives real cairnd processes on 127.0.0.21-25, in a
# temporary folder. A 3-node cluster starts and every node answers Thrift; kill -9 marks a
# node DOWN and restart brings it back; a 4th node is added and started; stop drains every
# node (exit status 0); destroy removes everything. Also the launcher's errors: cairnd
# missing, a port in use, an unknown node. Each node is an independent single node here:
# nothing assumes the nodes know each other.
# Usage: cluster_launcher_test.py --cairnd PATH [--launcher PATH] [unittest options]
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.realpath(__file__))
ARGS = None


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--cairnd", required=True)
    p.add_argument("--launcher",
                   default=os.path.join(HERE, "..", "..", "tools", "cairn-cluster"))
    args, rest = p.parse_known_args()
    sys.argv = [sys.argv[0]] + rest
    return args


def wait_for(what, predicate, timeout=20.0, interval=0.1):
    """Polls `predicate` until it returns a true value; fails the test after `timeout`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out after %.0fs waiting for %s (last: %r)"
                         % (timeout, what, last))


def pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
        return stat[stat.rindex(")") + 2] not in "ZX"
    except (FileNotFoundError, ValueError):
        return False


class LauncherTestBase(unittest.TestCase):
    def setUp(self):
        self.base = tempfile.mkdtemp(prefix="cairn-cluster-test-")
        self.seen_pids = set()

    def tearDown(self):
        # Whatever happened, leave no cairnd behind.
        for name in os.listdir(self.base):
            if os.path.exists(os.path.join(self.base, name, "cluster.json")):
                self.launcher("-c", name, "destroy")
        for pid in self.seen_pids:
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.base, ignore_errors=True)

    def launcher(self, *args, timeout=90):
        cmd = [sys.executable, ARGS.launcher, "--dir", self.base, "--cairnd", ARGS.cairnd]
        return subprocess.run(cmd + list(args), capture_output=True, text=True,
                              timeout=timeout)

    def ok(self, *args):
        r = self.launcher(*args)
        self.assertEqual(r.returncode, 0, "cairn-cluster %s failed (%d):\n%s%s"
                         % (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r.stdout

    def status(self):
        nodes = json.loads(self.ok("status", "--json"))["nodes"]
        for n in nodes:
            if n["pid"]:
                self.seen_pids.add(n["pid"])
        return {n["name"]: n for n in nodes}


class ClusterLauncherTest(LauncherTestBase):
    def test_lifecycle(self):
        t0 = time.monotonic()
        # A short ring delay: new nodes serve Thrift only once they have joined.
        out = self.ok("create", "e2e", "-n", "3", "--first-address", "127.0.0.21",
                      "--num_tokens", "4", "--set", "log_level=info",
                      "--set", "ring_delay_ms=1500")
        self.assertIn("3 node(s)", out)
        cluster_dir = os.path.join(self.base, "e2e")
        for i in (1, 2, 3):
            node_dir = os.path.join(cluster_dir, "node%d" % i)
            with open(os.path.join(node_dir, "cairn.yaml")) as f:
                conf = f.read()
            self.assertIn("listen_address: 127.0.0.2%d" % i, conf)
            self.assertIn("rpc_address: 127.0.0.2%d" % i, conf)
            self.assertIn("seeds: [127.0.0.21]", conf)
            self.assertIn("cluster_name: e2e", conf)
            for sub in ("data/data", "commitlog", "logs"):
                self.assertTrue(os.path.isdir(os.path.join(node_dir, sub)), sub)

        # Start: the command returns once every node answers Thrift.
        out = self.ok("start")
        self.assertEqual(out.count("started"), 3, out)
        st = self.status()
        self.assertEqual(sorted(st), ["node1", "node2", "node3"])
        for i, name in enumerate(sorted(st), start=1):
            n = st[name]
            self.assertEqual(n["address"], "127.0.0.2%d" % i)
            self.assertEqual((n["process"], n["thrift"], n["status"]), ("UP", "UP", "UP"), n)
            self.assertEqual(n["thrift_version"], "20.1.0")
            self.assertTrue(os.path.exists(n["log"]))
        self.assertIn("node ready", self.ok("logs", "node1"))
        text = self.ok("status")
        rows = [l.split() for l in text.splitlines() if l.startswith("node") and "address" not in l]
        self.assertEqual([r[2] for r in rows], ["UP", "UP", "UP"], text)

        # kill -9 one: DOWN by process and by Thrift; the others stay UP.
        killed_pid = st["node2"]["pid"]
        self.ok("kill", "node2")
        st = wait_for("node2 DOWN", lambda: (lambda s: s if s["node2"]["status"] == "DOWN"
                                             else None)(self.status()))
        self.assertEqual((st["node2"]["process"], st["node2"]["thrift"]), ("DOWN", "DOWN"))
        self.assertEqual(st["node2"]["last_exit"], 128 + signal.SIGKILL)
        self.assertFalse(pid_alive(killed_pid))
        self.assertEqual(st["node1"]["status"], "UP")
        self.assertEqual(st["node3"]["status"], "UP")

        # Restart it: UP again, a new process.
        self.ok("restart", "node2")
        st = wait_for("node2 UP", lambda: (lambda s: s if s["node2"]["status"] == "UP"
                                           else None)(self.status()))
        self.assertNotEqual(st["node2"]["pid"], killed_pid)

        # Add a 4th node on the next address and start it.
        out = self.ok("add", "--start", "--set", "rack=rack4")
        self.assertIn("node4", out)
        with open(os.path.join(cluster_dir, "node4", "cairn.yaml")) as f:
            conf = f.read()
        self.assertIn("listen_address: 127.0.0.24", conf)
        self.assertIn("seeds: [127.0.0.21]", conf)
        self.assertIn("rack: rack4", conf)
        st = self.status()
        self.assertEqual(st["node4"]["address"], "127.0.0.24")
        self.assertEqual(st["node4"]["status"], "UP", st["node4"])
        self.assertTrue(all(n["status"] == "UP" for n in st.values()), st)
        pids = [n["pid"] for n in st.values()]

        # Stop all: SIGTERM, each cairnd drains and exits 0.
        out = self.ok("stop")
        self.assertEqual(out.count("exit status 0"), 4, out)
        for name in ("node1", "node2", "node3", "node4"):
            with open(os.path.join(cluster_dir, name, "cairnd.exit")) as f:
                self.assertEqual(f.read().strip(), "0", name)
        self.assertFalse(any(pid_alive(p) for p in pids))
        st = self.status()
        self.assertTrue(all(n["status"] == "DOWN" and n["last_exit"] == 0
                            for n in st.values()), st)

        # Remove a node, then destroy the cluster.
        self.ok("remove", "node4")
        self.assertFalse(os.path.exists(os.path.join(cluster_dir, "node4")))
        self.assertEqual(sorted(self.status()), ["node1", "node2", "node3"])
        self.ok("destroy")
        self.assertFalse(os.path.exists(cluster_dir))
        self.assertEqual(self.launcher("status").returncode, 2)  # no cluster any more
        print("lifecycle took %.1f s" % (time.monotonic() - t0))


class LauncherErrorsTest(LauncherTestBase):
    def test_cairnd_missing(self):
        self.ok("create", "nobin", "-n", "1", "--first-address", "127.0.0.25")
        r = self.launcher("start", "--cairnd", os.path.join(self.base, "no-such-cairnd"))
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("cairnd not found", r.stderr)
        self.assertIn("tools/run.sh", r.stderr)

    def test_port_busy(self):
        self.ok("create", "busy", "-n", "1", "--first-address", "127.0.0.25")
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.25", 9160))
            s.listen()
            r = self.launcher("start")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("127.0.0.25:9160 is already in use", r.stderr)

    def test_bad_setting_fails_start_with_log(self):
        self.ok("create", "bad", "-n", "1", "--first-address", "127.0.0.25",
                "--set", "no_such_key=1")
        r = self.launcher("start")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("unknown configuration key 'no_such_key'", r.stderr)

    def test_unknown_names(self):
        self.ok("create", "names", "-n", "1", "--first-address", "127.0.0.25")
        self.assertEqual(self.launcher("stop", "node9").returncode, 2)
        self.assertEqual(self.launcher("-c", "other", "status").returncode, 2)
        self.assertEqual(self.launcher("create", "names").returncode, 2)


if __name__ == "__main__":
    ARGS = parse_args()
    unittest.main(verbosity=2)
