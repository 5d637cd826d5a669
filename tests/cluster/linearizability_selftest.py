#!/usr/bin/python3
# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# Self-test of linearizability.py (the register checker of cas_test.py, issue 8) on
# hand-made histories: sequential and concurrent linearizable ones, a stale read after a
# completed cas, two cas from the same old value both succeeding, a failed cas whose
# reported value is impossible, unknown (timed-out) cas that take effect late or never;
# plus simulated 5-client histories of 2,000 operations (linearizable by construction,
# then with one read made stale) that must check within seconds. No cluster needed.
# Usage: linearizability_selftest.py [unittest options]
import heapq
import os
import random
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from linearizability import UNSEEN, Op, check, load_jsonl  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402


def read(client, t0, t1, value, outcome="ok"):
    return Op(client, "read", t0, t1, value=value, outcome=outcome)


def cas(client, t0, t1, old, new, outcome="ok", value=UNSEEN):
    return Op(client, "cas", t0, t1, old=old, new=new, outcome=outcome, value=value)


def simulate(seed, clients=5, rounds=200, unknown_rate=0.02, initial=0):
    """The history of `clients` doing `rounds` of read -> cas(old, old+1) against an
    atomic register: every operation takes effect at a random instant between its
    invocation and completion. A timed-out cas takes effect (or not) and is recorded as
    unknown."""
    rng = random.Random(seed)
    state = initial
    ops = []
    heap = []  # (time, seq, client, phase, op, extra)
    seq = 0
    last_read = {}
    remaining = {c: rounds * 2 for c in range(clients)}
    for c in range(clients):
        heapq.heappush(heap, (rng.random() * 0.01, seq, c, "invoke", None, None))
        seq += 1
    while heap:
        t, _, c, phase, op, extra = heapq.heappop(heap)
        if phase == "invoke":
            if remaining[c] % 2 == 0:
                op = Op(c, "read", t, None)
            else:
                old = last_read[c]
                op = Op(c, "cas", t, None, old=old, new=old + 1)
            remaining[c] -= 1
            lin = t + rng.expovariate(1 / 0.003)
            heapq.heappush(heap, (lin, seq, c, "lin", op, None))
            seq += 1
        elif phase == "lin":
            lost = op.kind == "cas" and rng.random() < unknown_rate
            if op.kind == "read":
                op.value = state
            elif lost and rng.random() < 0.5:
                pass  # timed out before it was applied, and never is
            elif state == op.old:
                state = op.new
                op.outcome = "ok"
            else:
                op.outcome = "fail"
                op.value = state if rng.random() < 0.8 else UNSEEN
            if lost:
                op.outcome = "unknown"
            heapq.heappush(heap, (t + rng.expovariate(1 / 0.003), seq, c, "complete", op,
                                  None))
            seq += 1
        else:
            op.complete = t
            ops.append(op)
            if op.kind == "read":
                last_read[c] = op.value
            if remaining[c] > 0:
                heapq.heappush(heap, (t + rng.random() * 0.001, seq, c, "invoke", None,
                                      None))
                seq += 1
    return ops, state


class LinearizabilityTest(unittest.TestCase):
    def assertLinearizable(self, ops, initial=None):
        r = check(ops, initial)
        self.assertTrue(r.ok, r.stuck)
        return r

    def assertValidOrder(self, order, ops, initial):
        """`order` holds every operation with a known completion, respects real time and
        replays legally from `initial`."""
        done = {id(o) for o in order}
        for o in ops:
            if o.outcome == "ok" or (o.kind == "cas" and o.outcome == "fail"):
                self.assertIn(id(o), done, "%r is missing" % (o,))
        earliest_after = float("inf")  # earliest completion of the ops later in order
        for a in reversed(order):
            self.assertLessEqual(a.invoke, earliest_after,
                                 "%r linearized before an op that completed earlier" % (a,))
            if a.outcome != "unknown":
                earliest_after = min(earliest_after, a.complete)
        state = initial
        for o in order:
            if o.kind == "read":
                self.assertEqual(state, o.value)
            elif o.outcome in ("ok", "unknown"):
                self.assertEqual(state, o.old)
                state = o.new
            else:
                self.assertNotEqual(state, o.old)

    def assertNotLinearizable(self, ops, initial=None):
        r = check(ops, initial)
        self.assertIs(r.ok, False, "found %r" % (r.order,))
        self.assertIn("no linearization", r.stuck)
        return r

    def test_empty_history(self):
        self.assertLinearizable([])

    def test_sequential(self):
        self.assertLinearizable([
            cas(0, 0, 1, None, 0),
            read(1, 2, 3, 0),
            cas(1, 4, 5, 0, 1),
            cas(2, 6, 7, 0, 1, "fail", 1),
            read(0, 8, 9, 1),
        ])

    def test_sequential_read_of_a_wrong_value(self):
        self.assertNotLinearizable([cas(0, 0, 1, None, 0), read(1, 2, 3, 7)])

    def test_concurrent_ops_reordered(self):
        # The read (invoked first) sees the cas that was invoked after it: fine, they
        # overlap. The second cas overlaps both and lands last.
        self.assertLinearizable([
            read(0, 0, 10, 1),
            cas(1, 1, 5, 0, 1),
            cas(2, 2, 12, 1, 2),
            read(3, 11, 13, 2),
        ], initial=0)

    def test_stale_read_after_completed_cas(self):
        self.assertNotLinearizable([
            cas(0, 0, 1, 0, 1),
            read(1, 2, 3, 0),  # invoked after the cas completed, sees the old value
        ], initial=0)

    def test_stale_read_among_concurrent_ops(self):
        self.assertNotLinearizable([
            read(0, 0, 2, 0),
            cas(1, 1, 3, 0, 1),
            read(2, 1.5, 6, 1),
            read(0, 4, 5, 0),  # cas(0->1) completed at 3
        ], initial=0)

    def test_two_cas_from_the_same_old_both_succeed(self):
        self.assertNotLinearizable([
            cas(0, 0, 5, 3, 4),
            cas(1, 1, 6, 3, 4),
        ], initial=3)

    def test_two_cas_from_the_same_old_one_fails(self):
        self.assertLinearizable([
            cas(0, 0, 5, 3, 4),
            cas(1, 1, 6, 3, 4, "fail", 4),
        ], initial=3)

    def test_failed_cas_with_a_matching_state(self):
        self.assertNotLinearizable([cas(0, 0, 1, 3, 4, "fail")], initial=3)

    def test_failed_cas_reporting_an_impossible_value(self):
        self.assertNotLinearizable([cas(0, 0, 1, 2, 3, "fail", 9)], initial=3)

    def test_failed_cas_reporting_the_value_of_a_concurrent_cas(self):
        self.assertLinearizable([
            cas(0, 0, 4, 3, 4),
            cas(1, 1, 5, 3, 4, "fail", 4),
        ], initial=3)

    def test_unknown_cas_taking_effect_late(self):
        # Timed out at 2; reads at 10 still see 0, a read at 20 sees 1.
        self.assertLinearizable([
            cas(0, 0, 2, 0, 1, "unknown"),
            read(1, 10, 11, 0),
            read(1, 20, 21, 1),
            read(2, 30, 31, 1),
        ], initial=0)

    def test_unknown_cas_never_taking_effect(self):
        self.assertLinearizable([
            cas(0, 0, 2, 0, 1, "unknown"),
            read(1, 10, 11, 0),
            cas(1, 12, 13, 0, 5),
            read(1, 14, 15, 5),
        ], initial=0)

    def test_unknown_cas_cannot_take_effect_before_its_invocation(self):
        self.assertNotLinearizable([
            read(1, 0, 1, 1),
            cas(0, 2, 3, 0, 1, "unknown"),
        ], initial=0)

    def test_unknown_cas_cannot_undo_a_later_state(self):
        # Value goes 0 -> 1 (unknown) and reads see 1, then 0 again: nothing writes 0.
        self.assertNotLinearizable([
            cas(0, 0, 2, 0, 1, "unknown"),
            read(1, 3, 4, 1),
            read(1, 5, 6, 0),
        ], initial=0)

    def test_failed_reads_are_dropped(self):
        self.assertLinearizable([
            cas(0, 0, 1, 0, 1),
            read(1, 2, 3, None, "unknown"),
            read(1, 4, 5, None, "fail"),
            read(1, 6, 7, 1),
        ], initial=0)

    def test_absent_value(self):
        self.assertLinearizable([read(0, 0, 1, None), cas(0, 2, 3, None, 0),
                                 read(1, 4, 5, 0)])
        self.assertNotLinearizable([cas(0, 0, 1, None, 0), read(1, 2, 3, None)])

    def test_simulated_histories_are_linearizable_and_fast(self):
        for seed in range(3):
            ops, final = simulate(seed)
            self.assertEqual(len(ops), 2000)
            r = self.assertLinearizable(ops, initial=0)
            self.assertLess(r.seconds, 10, "seed %d: %r" % (seed, r))
            self.assertValidOrder(r.order, ops, 0)
            print("seed %d: %d ops, %d unknown, final %d: %r" % (
                seed, len(ops), sum(o.outcome == "unknown" for o in ops), final, r),
                file=sys.stderr)

    def test_simulated_history_with_a_stale_read_is_caught_fast(self):
        for seed in range(3):
            ops, _ = simulate(100 + seed)
            # Make the read closest to the middle return its value minus one, provided a
            # successful cas to that value completed before the read was invoked.
            ok_cas = {o.new: o for o in ops if o.kind == "cas" and o.outcome == "ok"}
            reads = sorted((o for o in ops if o.kind == "read"), key=lambda o: o.invoke)
            for r in reads[len(reads) // 2:]:
                w = ok_cas.get(r.value)
                if w is not None and w.complete < r.invoke:
                    r.value -= 1
                    break
            else:
                self.fail("no read to make stale")
            start = time.monotonic()
            res = self.assertNotLinearizable(ops, initial=0)
            self.assertLess(time.monotonic() - start, 10, "seed %d: %r" % (seed, res))
            print("seed %d stale read: %r" % (100 + seed, res), file=sys.stderr)

    def test_simulated_history_with_a_duplicate_success_is_caught(self):
        ops, _ = simulate(7)
        # Turn a failed cas whose old value was current at some point into a success.
        ok_old = {o.old for o in ops if o.kind == "cas" and o.outcome == "ok"}
        for o in ops:
            if o.kind == "cas" and o.outcome == "fail" and o.old in ok_old:
                o.outcome, o.value = "ok", UNSEEN
                break
        else:
            self.fail("no failed cas")
        self.assertNotLinearizable(ops, initial=0)

    def test_gives_up_after_max_explored(self):
        ops, _ = simulate(1)
        r = check(ops, 0, max_explored=10)
        self.assertIsNone(r.ok)

    def test_jsonl_round_trip(self):
        ops, _ = simulate(3, rounds=20)
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
            for o in ops:
                f.write(json.dumps({"client": o.client, "kind": o.kind, "invoke": o.invoke,
                                    "complete": o.complete, "old": o.old, "new": o.new,
                                    "outcome": o.outcome,
                                    "value": None if o.value is UNSEEN else o.value,
                                    "value_seen": o.value is not UNSEEN}) + "\n")
        try:
            self.assertLinearizable(load_jsonl(f.name), initial=0)
        finally:
            os.unlink(f.name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
