#!/usr/bin/python3
# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# End to end, issue 6: tools/expansion-demo as users run it, on 127.0.0.215-219.
#   test_demo_passes: --rf 3 --keys 5000 in a cluster folder of its own. The demo starts
#     3 nodes, loads the keys under a QUORUM writer, joins node4 and node5, cleans up,
#     verifies, decommissions node2 and verifies again. It must exit 0, and its summary
#     must show every acknowledged key verified both times, a non-zero number of bytes
#     streamed for each join and for the decommission, and the cleanup's figures.
# With $CAIRN_KEEP_CLUSTER set the demo runs with --keep; its nodes are killed after
# the test and the folder is kept for a look.
# Usage: expansion_demo_test.py --cairnd PATH --gen-py DIR [--launcher PATH] [unittest options]
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from cluster_util import ARGS, log  # exits 77 (skipped) without python3-thrift

HERE = os.path.dirname(os.path.realpath(__file__))
DEMO = os.path.join(HERE, "..", "..", "tools", "expansion-demo")
# ctest gives the test 400 s: the demo gets 330, then SIGTERM (it destroys its cluster).
DEMO_TIMEOUT_S = 330


class ExpansionDemoTest(unittest.TestCase):
    def setUp(self):
        self.base = tempfile.mkdtemp(prefix="cairn-expansion-demo-")
        self.keep = bool(os.environ.get("CAIRN_KEEP_CLUSTER"))

    def tearDown(self):
        # The demo destroys its cluster itself (or keeps it with --keep); this catches
        # nodes left behind by a demo that was killed.
        cluster_dir = os.path.join(self.base, "expansion-demo")
        if os.path.isdir(cluster_dir):
            cmd = [sys.executable, ARGS.launcher, "--dir", self.base, "-c", "expansion-demo",
                   "kill" if self.keep else "destroy"]
            subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if self.keep:
            log("kept %s" % self.base)
        else:
            shutil.rmtree(self.base, ignore_errors=True)

    def run_demo(self, *extra):
        """Runs the demo, echoing its output as it comes; returns (exit status, output)."""
        cmd = ["/usr/bin/python3", DEMO, "--cairnd", ARGS.cairnd, "--gen-py", ARGS.gen_py,
               "--launcher", ARGS.launcher, "--dir", self.base] + list(extra)
        if self.keep:
            cmd.append("--keep")
        log("$ %s" % " ".join(cmd))
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, text=True)
        lines = []

        def pump():
            for line in p.stdout:
                lines.append(line)
                sys.stdout.write(line)
                sys.stdout.flush()
        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        try:
            rc = p.wait(DEMO_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            log("the demo took more than %d s: SIGTERM" % DEMO_TIMEOUT_S)
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(40)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            rc = None
        reader.join(10)
        p.stdout.close()
        return rc, "".join(lines)

    def test_demo_passes(self):
        start = time.monotonic()
        rc, out = self.run_demo("--rf", "3", "--keys", "5000", "--first-address", "127.0.0.215")
        log("the demo exited with %s after %.0f s" % (rc, time.monotonic() - start))
        self.assertEqual(rc, 0, "expansion-demo failed (its output is above)")

        def field(label):
            m = re.search(r"^\s+%s:\s+(.*)$" % re.escape(label), out, re.M)
            self.assertIsNotNone(m, "summary line '%s' missing" % label)
            return m.group(1)

        self.assertTrue(field("keys loaded").startswith("5000 "))
        written = int(re.match(r"(\d+) acknowledged", field("keys written by the writer"))
                      .group(1))
        self.assertGreater(written, 0)
        first = re.match(r"(\d+) of (\d+) keys", field("verified after the joins and cleanup"))
        second = re.match(r"(\d+) of (\d+) keys", field("verified after the decommission"))
        self.assertIsNotNone(first)
        self.assertIsNotNone(second)
        self.assertEqual(first.group(1), first.group(2))
        self.assertEqual(second.group(1), second.group(2))
        # The second check covers every key the writer had acknowledged, all of them.
        self.assertEqual(int(second.group(2)), 5000 + written)
        self.assertGreaterEqual(int(second.group(2)), int(first.group(2)))
        for label in ("join node4 (127.0.0.218)", "join node5 (127.0.0.219)",
                      "decommission node2 (127.0.0.216)"):
            m = re.match(r"([\d.]+) s, (\d+) bytes streamed", field(label))
            self.assertIsNotNone(m, label)
            self.assertGreater(int(m.group(2)), 0, "%s streamed nothing" % label)
        # Each original node gave ranges to node4 and node5: cleanup drops some on each.
        m = re.match(r"node1 (\d+), node2 (\d+), node3 (\d+) \(total \d+\)$",
                     field("cleanup partitions dropped"))
        self.assertIsNotNone(m, "cleanup figures missing")
        self.assertTrue(all(int(x) > 0 for x in m.groups()), m.group(0))
        self.assertIn("RESULT: PASS", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
