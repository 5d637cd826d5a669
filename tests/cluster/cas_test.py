#!/usr/bin/python3
# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# End to end, issue 8 (compare-and-set with Paxos), 3 nodes RF=3 on 127.0.0.231-233. One
# register per scenario: row b"reg", column b"v" of its own column family, value the
# ASCII decimal of an integer, set to 0 by cas(expected=[], updates=[v=0]). Five client
# threads, each on its own coordinator (spread over the live nodes), do 200 rounds of
# SERIAL read -> old; cas(expected=[v=old], updates=[v=old+1], SERIAL, QUORUM), and
# record every operation (invocation and completion time, arguments, outcome ok / fail /
# unknown, value read). A cas that timed out, was refused as Unavailable or lost its
# connection has an unknown outcome: it may take effect at any time after its
# invocation, or never. Each scenario then checks that
#   - the final value, read at SERIAL and at QUORUM through every live node, is the
#     number of successful cas plus k, 0 <= k <= the number of unknown cas;
#   - no two successful cas started from the same old value;
#   - a failed cas that reported current_values reported a value other than its old one;
#   - the history, with those final SERIAL reads, is linearizable for a read / cas
#     register (linearizability.py).
# Scenarios (one cluster, started once, a column family each):
#   test_1_all_nodes_up        clients on node1, node2, node3
#   test_2_one_node_down       node3 killed -9 once 10% of the operations are done (it is
#                              down for the rest); clients on node1 and node2; node3 is
#                              restarted at the end and must return the final value too
#   test_3_node_partitioned    every message between node3 and nodes 1, 2 dropped by the
#                              messaging fault rules (POST /faults on all three nodes);
#                              clients on node1 and node2; the rules are removed at the
#                              end, and node3 must return the final value too
# A failed check writes the history to $TMPDIR/cairn-cas-<scenario>-<pid>.jsonl.
# Usage: cas_test.py --cairnd PATH --gen-py DIR [--launcher PATH] [unittest options]
#   $CAIRN_CAS_ROUNDS overrides the 200 rounds per client; with $CAIRN_CAS_HISTORY_DIR
#   set, every history is written there; $CAIRN_KEEP_CLUSTER keeps the nodes' folders.
import collections
import json
import os
import tempfile
import threading
import time
import unittest

from cluster_util import (CL, Cluster, Timer, add_fault, clear_faults, connect, log,
                          metrics, ttypes, wait_for)
from linearizability import UNSEEN, Op, check

ADDRESSES = ["127.0.0.231", "127.0.0.232", "127.0.0.233"]
KEY = b"reg"
COLUMN = b"v"
CLIENTS = 5
ROUNDS = int(os.environ.get("CAIRN_CAS_ROUNDS", "200"))
# Clients start no new round after this long (a loaded machine must not run the file
# past its ctest timeout); the summary says when it happened.
SCENARIO_DEADLINE_S = 75
TABLES = {"test_1_all_nodes_up": "reg_all_up",
          "test_2_one_node_down": "reg_one_down",
          "test_3_node_partitioned": "reg_partitioned"}


def encode(n):
    return str(n).encode()


def col(n):
    return ttypes.Column(name=COLUMN, value=encode(n), timestamp=int(time.time() * 1e6))


def serial_read(client, table, level=CL.SERIAL):
    """The register's value through `client` (None when it has none)."""
    try:
        got = client.get(KEY, ttypes.ColumnPath(table, column=COLUMN), level)
    except ttypes.NotFoundException:
        return None
    return int(got.column.value)


def current_value(result):
    """The value a failed cas reported in current_values, None when it reported the column
    absent, UNSEEN when it reported nothing."""
    if result.current_values is None:
        return UNSEEN
    for c in result.current_values:
        if c.name == COLUMN:
            return int(c.value)
    return None


class Recorder:
    """A client's connection to one coordinator and its operations."""

    def __init__(self, name, address, table):
        self.name = name
        self.address = address
        self.table = table
        self.client = None
        self.ops = []
        self.errors = collections.Counter()

    def connection(self):
        if self.client is None:
            self.client = connect(self.address, "ks", timeout_s=20)
        return self.client

    def drop_connection(self):
        if self.client is not None:
            self.client.close()
        self.client = None

    def read(self):
        """A SERIAL read, recorded; its value, or UNSEEN when it failed."""
        op = Op(self.name, "read", time.monotonic(), None)
        try:
            op.value = serial_read(self.connection(), self.table)
            op.outcome = "ok"
        except (ttypes.TimedOutException, ttypes.UnavailableException) as e:
            op.outcome = "fail"
            self.errors["read " + type(e).__name__] += 1
        except ttypes.InvalidRequestException:
            raise
        except Exception as e:  # noqa: BLE001 (connection lost or refused)
            op.outcome = "fail"
            self.errors["read " + type(e).__name__] += 1
            self.drop_connection()
        op.complete = time.monotonic()
        self.ops.append(op)
        return op.value if op.outcome == "ok" else UNSEEN

    def cas(self, old, new):
        """cas(v == old -> new) at SERIAL / QUORUM (old None: the row has no column),
        recorded; the operation."""
        expected = [] if old is None else [col(old)]
        op = Op(self.name, "cas", time.monotonic(), None, old=old, new=new)
        try:
            r = self.connection().cas(KEY, self.table, expected, [col(new)], CL.SERIAL,
                                      CL.QUORUM)
            op.outcome = "ok" if r.success else "fail"
            if not r.success:
                op.value = current_value(r)
        except (ttypes.TimedOutException, ttypes.UnavailableException) as e:
            op.outcome = "unknown"
            self.errors["cas " + type(e).__name__] += 1
        except ttypes.InvalidRequestException:
            raise
        except Exception as e:  # noqa: BLE001 (connection lost: no answer)
            op.outcome = "unknown"
            self.errors["cas " + type(e).__name__] += 1
            self.drop_connection()
        op.complete = time.monotonic()
        self.ops.append(op)
        return op


class Worker(threading.Thread):
    def __init__(self, index, address, table, deadline):
        super().__init__(daemon=True, name="cas-client-%d" % index)
        self.rec = Recorder(index, address, table)
        self.deadline = deadline
        self.rounds = 0
        self.failure = None

    def run(self):
        try:
            for _ in range(ROUNDS):
                if time.monotonic() > self.deadline:
                    break
                old = self.rec.read()
                if old is UNSEEN or old is None:
                    time.sleep(0.05)  # a failed read: the round is spent
                else:
                    self.rec.cas(old, old + 1)
                self.rounds += 1
        except Exception as e:  # noqa: BLE001 (an InvalidRequest: the test fails)
            self.failure = e
        finally:
            self.rec.drop_connection()


def summarize(ops):
    cas_ops = [o for o in ops if o.kind == "cas"]
    reads = [o for o in ops if o.kind == "read"]
    return {
        "ok": sum(o.outcome == "ok" for o in cas_ops),
        "fail": sum(o.outcome == "fail" for o in cas_ops),
        "fail_unseen": sum(o.outcome == "fail" and o.value is UNSEEN for o in cas_ops),
        "unknown": sum(o.outcome == "unknown" for o in cas_ops),
        "reads": sum(o.outcome == "ok" for o in reads),
        "failed_reads": sum(o.outcome != "ok" for o in reads),
    }


def dump_history(name, ops, folder=None):
    path = os.path.join(folder or tempfile.gettempdir(),
                        "cairn-cas-%s-%d.jsonl" % (name, os.getpid()))
    with open(path, "w") as f:
        for o in sorted(ops, key=lambda o: o.invoke):
            f.write(json.dumps({
                "client": o.client, "kind": o.kind, "invoke": o.invoke,
                "complete": o.complete,
                "old": o.old, "new": o.new, "outcome": o.outcome,
                "value": None if o.value is UNSEEN else o.value,
                "value_seen": o.value is not UNSEEN}) + "\n")
    return path


class CasTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.timer = Timer()
        cls.cluster = Cluster("cas", ADDRESSES, settings={
            "ring_delay_ms": 1500, "phi_convict_threshold": 5})
        try:
            cls.timer.measure("start 3 nodes", cls.cluster.start_all)
            cf_defs = [ttypes.CfDef(keyspace="ks", name=t, comparator_type="UTF8Type",
                                    default_validation_class="BytesType",
                                    read_repair_chance=0.0, dclocal_read_repair_chance=0.0)
                       for t in TABLES.values()]
            ks = ttypes.KsDef(name="ks", strategy_class="SimpleStrategy",
                              strategy_options={"replication_factor": "3"}, cf_defs=cf_defs)
            cls.cluster.create_keyspace("node1", ks)
        except BaseException:
            cls.cluster.destroy()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            for a in ADDRESSES:
                try:
                    clear_faults(a)
                except Exception:  # noqa: BLE001 (a node that is down)
                    pass
        finally:
            cls.cluster.destroy()
            cls.timer.report()

    def setUp(self):
        self.table = TABLES[self._testMethodName]
        self.final_reads = []
        c = self.cluster
        # Every node up and seen up (a scenario before may have failed halfway).
        for node in c.nodes:
            if c.pid(node) is None:
                c.start(node)
        for a in ADDRESSES:
            clear_faults(a)
        for observer in c.nodes:
            for node in c.nodes:
                if node != observer:
                    c.wait_up(observer, node, 60)

    # ---- the workload ----
    def initialise(self, address):
        """Sets the register to 0 with cas(expected=[]) through `address`; returns the
        operations (all of them recorded, for the checker)."""
        rec = Recorder("init", address, self.table)
        try:
            for attempt in range(10):
                op = rec.cas(None, 0)
                if op.outcome == "ok":
                    return rec.ops
                if op.outcome == "fail":
                    # A timed-out attempt before may have taken effect.
                    self.assertIn(op.value, (0, UNSEEN), "init: %r" % (op,))
                if rec.read() == 0:
                    return rec.ops
                time.sleep(0.5)
            self.fail("the register could not be initialised: %r" % (rec.ops,))
        except ttypes.InvalidRequestException as e:
            if "not supported" in (e.why or ""):
                self.skipTest("cas is not supported by this cairnd: %s" % e.why)
            raise
        finally:
            rec.drop_connection()

    def run_clients(self, coordinators, during=None):
        """The five clients on `coordinators` (round robin); returns (their operations,
        Worker list, seconds)."""
        deadline = time.monotonic() + SCENARIO_DEADLINE_S
        workers = [Worker(i, coordinators[i % len(coordinators)], self.table, deadline)
                   for i in range(CLIENTS)]
        start = time.monotonic()
        for w in workers:
            w.start()
        if during is not None:
            during(workers)
        for w in workers:
            w.join(SCENARIO_DEADLINE_S + 120)
            self.assertFalse(w.is_alive(), "client %d is stuck" % w.rec.name)
        seconds = time.monotonic() - start
        for w in workers:
            if w.failure is not None:
                raise w.failure
        ops = [o for w in workers for o in w.rec.ops]
        return ops, workers, seconds

    # ---- the checks ----
    def final_values(self, nodes):
        """{(node, level name): value} read through each of `nodes`, SERIAL first (it
        completes a cas still in progress), then QUORUM. The SERIAL reads join the
        history (self.final_reads) for the linearizability check."""
        out = {}
        for level in (CL.SERIAL, CL.QUORUM):
            for node in nodes:
                def read():
                    with connect(self.cluster.address(node), "ks", timeout_s=30) as c:
                        t0 = time.monotonic()
                        value = serial_read(c, self.table, level)
                        return [value, t0, time.monotonic()]
                (value, t0, t1), _ = wait_for(
                    "a %s read through %s" % (CL._VALUES_TO_NAMES[level], node), read, 60,
                    interval=0.5)
                out[(node, CL._VALUES_TO_NAMES[level])] = value
                if level == CL.SERIAL:
                    self.final_reads.append(Op("final " + node, "read", t0, t1, value=value))
        return out

    def check_history(self, scenario, init_ops, ops, finals, workers, seconds):
        s = summarize(ops)
        errors = collections.Counter()
        for w in workers:
            errors.update(w.rec.errors)
        rounds = sum(w.rounds for w in workers)
        log("%s: %d rounds in %.1f s (%s); cas ok %d, failed %d (%d without "
            "current_values), unknown %d; reads %d, failed reads %d; errors %s; final %s"
            % (scenario, rounds, seconds,
               "%.0f ops/s" % (len(ops) / seconds) if seconds else "-",
               s["ok"], s["fail"], s["fail_unseen"], s["unknown"], s["reads"],
               s["failed_reads"],
               dict(errors), sorted(set(finals.values()), key=str)))
        if rounds < CLIENTS * ROUNDS:
            log("%s: WARNING: the %d s deadline stopped the clients after %d of %d rounds"
                % (scenario, SCENARIO_DEADLINE_S, rounds, CLIENTS * ROUNDS))
        history = init_ops + ops + self.final_reads
        problems = []
        # One final value everywhere: increments applied exactly once.
        values = set(finals.values())
        final = values.pop() if len(values) == 1 else None
        if len(values) > 0 or final is None:
            problems.append("final values differ or are missing: %s" % finals)
        elif not s["ok"] <= final <= s["ok"] + s["unknown"]:
            problems.append("final value %d not in [%d successful cas, %d = that + %d "
                            "unknown]" % (final, s["ok"], s["ok"] + s["unknown"],
                                          s["unknown"]))
        # No two successful cas from the same old value.
        by_old = collections.defaultdict(list)
        for o in ops:
            if o.kind == "cas" and o.outcome == "ok":
                by_old[o.old].append(o)
        dup = sorted((k, v) for k, v in by_old.items() if len(v) > 1)
        if dup:
            problems.append("%d old values with more than one successful cas, e.g. %s"
                            % (len(dup), dup[:3]))
        # A failed cas saw another value.
        bad = [o for o in ops if o.kind == "cas" and o.outcome == "fail"
               and o.value is not UNSEEN and o.value == o.old]
        if bad:
            problems.append("%d failed cas reported the expected value as current, e.g. %s"
                            % (len(bad), bad[:3]))
        # Linearizable.
        start = time.monotonic()
        r = check(history, initial=None)
        checker_s = time.monotonic() - start
        log("%s: linearizability %r" % (scenario, r))
        if r.ok is None:
            problems.append("the checker gave up: %r" % (r,))
        elif not r.ok:
            problems.append("not linearizable: %s" % r.stuck)
        if os.environ.get("CAIRN_CAS_HISTORY_DIR"):
            log("history written to %s" % dump_history(
                scenario, history, os.environ["CAIRN_CAS_HISTORY_DIR"]))
        if problems:
            path = dump_history(scenario, history)
            self.fail("%s (history: %s, recheck with python3 linearizability.py %s):\n  %s"
                      % (scenario, path, path, "\n  ".join(problems)))
        self.timer.phase("%s: check (%d ops, %d configurations)"
                         % (scenario, len(history), r.explored), checker_s)
        print("\n  %s: cas ok %d, failed %d, unknown %d; reads %d (+%d failed); final %d; "
              "clients %.1f s; checker %.3f s\n"
              % (scenario, s["ok"], s["fail"], s["unknown"], s["reads"], s["failed_reads"],
                 final, seconds, checker_s), flush=True)

    # ---- the scenarios ----
    def test_1_all_nodes_up(self):
        init_ops = self.initialise(ADDRESSES[0])
        ops, workers, seconds = self.run_clients(ADDRESSES)
        self.timer.phase("all nodes up: %d clients x %d rounds" % (CLIENTS, ROUNDS), seconds)
        finals = self.final_values(self.cluster.nodes)
        self.check_history("all_up", init_ops, ops, finals, workers, seconds)

    def test_2_one_node_down(self):
        c = self.cluster
        init_ops = self.initialise(ADDRESSES[0])

        def kill_node3(workers):
            wait_for("10% of the operations", lambda: sum(len(w.rec.ops) for w in workers)
                     >= CLIENTS * ROUNDS * 2 // 10 or not any(w.is_alive() for w in workers),
                     SCENARIO_DEADLINE_S, interval=0.05)
            c.kill("node3")
            log("node3 killed after %d operations" % sum(len(w.rec.ops) for w in workers))
        ops, workers, seconds = self.run_clients(ADDRESSES[:2], kill_node3)
        self.timer.phase("node3 down: %d clients x %d rounds" % (CLIENTS, ROUNDS), seconds)
        finals = self.final_values(["node1", "node2"])
        self.timer.measure("restart node3", c.start, "node3")
        for other in ("node1", "node2"):
            c.wait_up(other, "node3", 60)
            c.wait_up("node3", other, 60)
        finals.update(self.final_values(["node3"]))
        self.check_history("one_down", init_ops, ops, finals, workers, seconds)

    def test_3_node_partitioned(self):
        c = self.cluster
        init_ops = self.initialise(ADDRESSES[0])
        a1, a2, a3 = ADDRESSES
        try:
            for node, peers in ((a1, [a3]), (a2, [a3]), (a3, [a1, a2])):
                for peer in peers:
                    rule = add_fault(node, peer=peer, verb="*", direction="out", drop=1.0)
                    log("%s: fault rule %s" % (node, rule.get("text")))
            ops, workers, seconds = self.run_clients([a1, a2])
            self.timer.phase("node3 partitioned: %d clients x %d rounds"
                             % (CLIENTS, ROUNDS), seconds)
            finals = self.final_values(["node1", "node2"])
            # The rules did cut node3 off: each node dropped messages.
            dropped = {a: metrics(a).get("cairn_messaging_fault_dropped_total", 0)
                       for a in ADDRESSES}
            log("messages dropped by the fault rules: %s" % dropped)
            for a, n in dropped.items():
                self.assertGreater(n, 0, "%s dropped no message" % a)
        finally:
            for a in ADDRESSES:
                clear_faults(a)
        for other in ("node1", "node2"):
            c.wait_up(other, "node3", 60)
            c.wait_up("node3", other, 60)
        finals.update(self.final_values(["node3"]))
        self.check_history("partitioned", init_ops, ops, finals, workers, seconds)


if __name__ == "__main__":
    unittest.main(verbosity=2)
