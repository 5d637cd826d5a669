# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# A linearizability checker for one register with reads and compare-and-set, used by
# cas_test.py (issue 8) on the histories its clients record. It is the Wing-Gong search
# with Lowe's memoisation (WGL; the algorithm of Knossos and Porcupine): build a
# sequential order of the operations one at a time, where the next operation must be
# "minimal" (no other pending operation completed before it was invoked) and legal in
# the register's current state; remember every (state, set of linearized operations)
# already explored so no configuration is searched twice; backtrack on a dead end.
#
#   Op(client, kind, invoke, complete, old, new, outcome, value)
#       kind 'read': `value` is the value read (None = no value).
#       kind 'cas':  cas(old -> new). outcome 'ok' (applied), 'fail' (not applied;
#                    `value` is the current value the server reported, or UNSEEN) or
#                    'unknown' (timed out: it may have taken effect at any time after
#                    its invocation, or never).
#   check(ops, initial) -> Result(ok, order, explored, seconds, stuck)
#   load_jsonl(path)  the operations of a history cas_test.py wrote on a failure; run
#                     `python3 linearizability.py HISTORY.jsonl` to check one again
#
# Model: a read is legal when the state equals the value read; a successful cas when
# the state equals `old` (the state becomes `new`); a failed cas when the state differs
# from `old` and, if it reported a current value, equals that value. An unknown cas
# completes at +infinity, so it never constrains the order of others; it linearizes as
# a successful cas or not at all (a cas that took effect but did nothing is the same as
# one that never ran). Reads with outcome other than 'ok' are dropped. The search
# succeeds once every operation with a finite completion is linearized.
#
# Cost: the frontier of candidates is the pending operations invoked before the earliest
# pending completion, so its size is the concurrency (plus unknown operations still
# pending); with few clients and the memo, histories of thousands of operations check in
# well under a second. `max_explored` bounds the search (Result.ok is None past it).
import bisect
import json
import sys
import time

UNSEEN = object()  # a failed cas that reported no current value
INF = float("inf")


class Op:
    __slots__ = ("client", "kind", "invoke", "complete", "old", "new", "outcome",
                 "value", "index")

    def __init__(self, client, kind, invoke, complete, old=None, new=None,
                 outcome="ok", value=UNSEEN):
        self.client = client
        self.kind = kind
        self.invoke = invoke
        self.complete = complete
        self.old = old
        self.new = new
        self.outcome = outcome
        self.value = value
        self.index = -1

    def __repr__(self):
        if self.kind == "read":
            what = "read -> %r" % (self.value,)
        else:
            what = "cas(%r -> %r) %s" % (self.old, self.new, self.outcome)
            if self.outcome == "fail" and self.value is not UNSEEN:
                what += " (current %r)" % (self.value,)
        end = "%.6f" % self.complete if self.complete is not None else "?"
        return "[client %s %.6f..%s %s]" % (self.client, self.invoke, end, what)


class Result:
    def __init__(self, ok, order, explored, seconds, stuck):
        self.ok = ok              # True, False, or None (gave up after max_explored)
        self.order = order        # a linearization (list of Op) when ok
        self.explored = explored  # configurations explored
        self.seconds = seconds
        self.stuck = stuck        # when not ok: a description of the deepest dead end

    def __bool__(self):
        return bool(self.ok)

    def __repr__(self):
        return "Result(ok=%r, explored=%d, %.3f s)" % (self.ok, self.explored, self.seconds)


_NO = object()  # step(): not legal


def _step(op, state):
    """The state after `op` when it linearizes in `state`, or _NO when it cannot."""
    if op.kind == "read":
        return state if state == op.value else _NO
    if op.outcome in ("ok", "unknown"):
        return op.new if state == op.old else _NO
    # failed cas
    if state == op.old:
        return _NO
    if op.value is not UNSEEN and state != op.value:
        return _NO
    return state


def prepare(ops):
    """The operations the search looks at, sorted by invocation (reads that did not
    return a value are dropped)."""
    out = []
    for op in ops:
        if op.kind == "read" and op.outcome != "ok":
            continue
        if op.kind not in ("read", "cas") or (op.kind == "cas" and op.outcome not in
                                               ("ok", "fail", "unknown")):
            raise ValueError("bad operation %r" % (op,))
        if op.complete is None or op.complete < op.invoke:
            raise ValueError("completes before it is invoked: %r" % (op,))
        out.append(op)
    out.sort(key=lambda o: (o.invoke, o.complete))
    for i, op in enumerate(out):
        op.index = i
    return out


def check(ops, initial=None, max_explored=5_000_000):
    start = time.monotonic()
    ops = prepare(ops)
    n = len(ops)
    inv = [op.invoke for op in ops]
    ret = [INF if op.outcome == "unknown" else op.complete for op in ops]
    required = sum(1 for t in ret if t != INF)

    live = list(range(n))  # pending operations, by index (= invocation order)
    state = initial
    mask = 0               # bit i: ops[i] is linearized
    done = 0               # linearized operations with a finite completion
    seen = set()
    explored = 0
    # Each frame: [candidates [(index, next state)], next position, state before, index
    # applied from this frame or -1].
    stack = []
    deepest = (-1, None)

    def candidates():
        """(index, next state) of the minimal pending operations legal in `state`."""
        min_ret = INF
        scanned = []
        for i in live:
            if inv[i] >= min_ret:
                break
            scanned.append(i)
            if ret[i] < min_ret:
                min_ret = ret[i]
        out = []
        for i in scanned:
            if inv[i] < min_ret:
                s = _step(ops[i], state)
                if s is not _NO:
                    out.append((i, s))
        return out, scanned, min_ret

    while True:
        if done == required:
            order = [ops[f[3]] for f in stack]
            return Result(True, order, explored, time.monotonic() - start, None)
        cands, scanned, min_ret = candidates()
        if len(stack) > deepest[0]:
            deepest = (len(stack), (state, [ops[i] for i in scanned if inv[i] < min_ret],
                                    [ops[f[3]] for f in stack[-5:]]))
        stack.append([cands, 0, state, -1])
        # Advance: apply the next untried candidate of the top frame, backtracking
        # through exhausted frames.
        while stack:
            frame = stack[-1]
            if frame[3] >= 0:  # undo what this frame applied
                i = frame[3]
                bisect.insort(live, i)
                mask ^= 1 << i
                if ret[i] != INF:
                    done -= 1
                state = frame[2]
                frame[3] = -1
            applied = False
            while frame[1] < len(frame[0]):
                i, s = frame[0][frame[1]]
                frame[1] += 1
                key = (mask | (1 << i), s)
                if key in seen:
                    continue
                seen.add(key)
                explored += 1
                if explored > max_explored:
                    return Result(None, None, explored, time.monotonic() - start,
                                  "gave up after %d configurations" % explored)
                del live[bisect.bisect_left(live, i)]
                mask |= 1 << i
                if ret[i] != INF:
                    done += 1
                state = s
                frame[3] = i
                applied = True
                break
            if applied:
                break
            stack.pop()
        if not stack:
            depth, (st, frontier, last) = deepest
            stuck = ("no linearization: at most %d of %d operations linearize; then the "
                     "state is %r, the last ones linearized were:\n    %s\n  and the "
                     "pending minimal operations are:\n    %s"
                     % (depth, n, st, "\n    ".join(map(repr, last)) or "(none)",
                        "\n    ".join(map(repr, frontier)) or "(none)"))
            return Result(False, None, explored, time.monotonic() - start, stuck)


def load_jsonl(path):
    """The operations of a history cas_test.py wrote (one JSON object per line)."""
    ops = []
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            d = json.loads(line)
            value = d["value"] if d.get("value_seen", True) else UNSEEN
            ops.append(Op(d["client"], d["kind"], d["invoke"], d["complete"], d.get("old"),
                          d.get("new"), d["outcome"], value))
    return ops


if __name__ == "__main__":
    # linearizability.py HISTORY.jsonl: checks a history cas_test.py wrote (initial
    # state: no value).
    result = check(load_jsonl(sys.argv[1]))
    print(result)
    if not result.ok:
        print(result.stuck)
    sys.exit(0 if result.ok else 1)
