#!/usr/bin/python3
# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# Compare-and-set throughput and latency on a real 3-node cluster (RF=3, loopback,
# tools/cairn-cluster on 127.0.0.245-247), through Python Thrift clients:
#   uncontended  T threads, each on its own keys: cas(expected v=n -> n+1), SERIAL/QUORUM
#   contended    5 threads on one register: SERIAL read, then cas(old -> old+1)
#   serial read  T threads reading their own keys at SERIAL, and at QUORUM for comparison
# Prints operations/s and p50/p99 latencies. Results and the machine go in
# bench/README.md ("Compare-and-set"). Usage:
#   bench/cas_bench.py --cairnd build/node/cairnd --gen-py build/tests/thrift/gen-py \
#       [--launcher tools/cairn-cluster] [--seconds 10] [--threads 4]
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "tests",
                                "cluster"))
import argparse  # noqa: E402

_p = argparse.ArgumentParser()
_p.add_argument("--seconds", type=float, default=10.0)
_p.add_argument("--threads", type=int, default=4)
OPTS, _rest = _p.parse_known_args()
sys.argv = [sys.argv[0]] + _rest

from cluster_util import CL, Cluster, connect, ttypes  # noqa: E402

ADDRESSES = ["127.0.0.245", "127.0.0.246", "127.0.0.247"]
COLUMN = b"v"


def col(value):
    return ttypes.Column(name=COLUMN, value=str(value).encode(), timestamp=1)


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(p / 100.0 * len(sorted_values)))]


def run_threads(n, body, seconds):
    """Runs body(index, stop_time, latencies, counts) in n threads; merged results."""
    latencies, counts, threads = [], {}, []
    lock = threading.Lock()

    def wrap(i):
        lat, cnt = [], {}
        body(i, time.monotonic() + seconds, lat, cnt)
        with lock:
            latencies.extend(lat)
            for k, v in cnt.items():
                counts[k] = counts.get(k, 0) + v

    for i in range(n):
        t = threading.Thread(target=wrap, args=(i,))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    latencies.sort()
    return latencies, counts


def report(name, latencies, counts, seconds):
    ops = counts.get("ok", 0)
    print("%-34s %8.0f ok/s  p50 %6.2f ms  p99 %6.2f ms  %s" % (
        name, ops / seconds, percentile(latencies, 50) * 1e3, percentile(latencies, 99) * 1e3,
        " ".join("%s=%d" % kv for kv in sorted(counts.items()))), flush=True)


def main():
    cluster = Cluster("casbench", ADDRESSES, settings={"ring_delay_ms": 1000})
    try:
        cluster.start_all()
        cf = ttypes.CfDef(keyspace="bench", name="reg", comparator_type="UTF8Type",
                          default_validation_class="BytesType", read_repair_chance=0.0,
                          dclocal_read_repair_chance=0.0)
        cluster.create_keyspace("node1", ttypes.KsDef(
            name="bench", strategy_class="SimpleStrategy",
            strategy_options={"replication_factor": "3"}, cf_defs=[cf]))
        seconds = OPTS.seconds

        def uncontended(i, stop, lat, cnt):
            client = connect(ADDRESSES[i % 3], "bench")
            key, n = b"u%d-0" % i, None
            k = 0
            while time.monotonic() < stop:
                expected = [] if n is None else [col(n)]
                t0 = time.monotonic()
                try:
                    r = client.cas(key, "reg", expected, [col(0 if n is None else n + 1)],
                                   CL.SERIAL, CL.QUORUM)
                    lat.append(time.monotonic() - t0)
                    cnt["ok" if r.success else "failed"] = cnt.get(
                        "ok" if r.success else "failed", 0) + 1
                    n = 0 if n is None else n + 1
                    if n >= 50:  # a new partition now and then
                        k += 1
                        key, n = b"u%d-%d" % (i, k), None
                except ttypes.TimedOutException:
                    cnt["timeout"] = cnt.get("timeout", 0) + 1
            client.close()

        lat, cnt = run_threads(OPTS.threads, uncontended, seconds)
        report("cas uncontended, %d threads" % OPTS.threads, lat, cnt, seconds)

        setup = connect(ADDRESSES[0], "bench")
        setup.cas(b"hot", "reg", [], [col(0)], CL.SERIAL, CL.QUORUM)
        setup.close()

        def contended(i, stop, lat, cnt):
            client = connect(ADDRESSES[i % 3], "bench")
            while time.monotonic() < stop:
                t0 = time.monotonic()
                try:
                    old = int(client.get(b"hot", ttypes.ColumnPath("reg", column=COLUMN),
                                         CL.SERIAL).column.value)
                    r = client.cas(b"hot", "reg", [col(old)], [col(old + 1)], CL.SERIAL,
                                   CL.QUORUM)
                    if r.success:
                        lat.append(time.monotonic() - t0)
                    cnt["ok" if r.success else "failed"] = cnt.get(
                        "ok" if r.success else "failed", 0) + 1
                except ttypes.TimedOutException:
                    cnt["timeout"] = cnt.get("timeout", 0) + 1
            client.close()

        lat, cnt = run_threads(5, contended, seconds)
        report("read+cas one register, 5 threads", lat, cnt, seconds)

        for level, name in ((CL.SERIAL, "SERIAL"), (CL.QUORUM, "QUORUM")):
            def reads(i, stop, lat, cnt, level=level):
                client = connect(ADDRESSES[i % 3], "bench")
                path = ttypes.ColumnPath("reg", column=COLUMN)
                while time.monotonic() < stop:
                    t0 = time.monotonic()
                    try:
                        client.get(b"u%d-0" % i, path, level)
                        lat.append(time.monotonic() - t0)
                        cnt["ok"] = cnt.get("ok", 0) + 1
                    except ttypes.TimedOutException:
                        cnt["timeout"] = cnt.get("timeout", 0) + 1
                client.close()

            lat, cnt = run_threads(OPTS.threads, reads, seconds)
            report("get at %s, %d threads" % (name, OPTS.threads), lat, cnt, seconds)
    finally:
        cluster.destroy()


if __name__ == "__main__":
    main()
