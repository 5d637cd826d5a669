# Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#
# Shared helpers of the ring end-to-end tests in tests/tools (cluster_ring_test.py,
# cluster_ownership_test.py): polling, one Thrift call to a node, and the share of the
# Murmur3 token space (2^64 tokens, [-2^63, 2^63)) each endpoint owns according to a
# describe_token_map answer (token string -> endpoint), primary or replicated the way
# SimpleStrategy places replicas.
#   wait_for(what, predicate, timeout)   -> (value, seconds)
#   call(address, fn)                    fn(client) on a fresh framed binary connection
#   ownership(token_map)                 {endpoint: primary share}, summing to 1
#   replicated_ownership(token_map, rf)  {endpoint: share it holds a replica of}, summing
#                                        to rf (nodetool status <keyspace>, "effective")
#   parse_test_args()                    --cairnd, --gen-py, --launcher (the rest of argv
#                                        is left to unittest); exits 77 (ctest: skipped)
#                                        without python3-thrift; puts --gen-py on sys.path
import argparse
import os
import sys
import time

RING = 2 ** 64  # Murmur3 tokens: [-2^63, 2^63)
HERE = os.path.dirname(os.path.realpath(__file__))


def parse_test_args():
    """The tests' command line; see the file comment."""
    p = argparse.ArgumentParser()
    p.add_argument("--cairnd", required=True)
    p.add_argument("--gen-py", required=True)
    p.add_argument("--launcher",
                   default=os.path.join(HERE, "..", "..", "tools", "cairn-cluster"))
    args, rest = p.parse_known_args()
    sys.argv = [sys.argv[0]] + rest
    try:
        import thrift  # noqa: F401
    except ImportError:
        print("SKIP: python3-thrift is not installed (apt-get install python3-thrift)")
        sys.exit(77)
    sys.path.insert(0, args.gen_py)
    return args


def wait_for(what, predicate, timeout, interval=0.2):
    """Polls `predicate` until it returns a true value; returns (value, seconds).
    An exception counts as false (a node restarting refuses connections meanwhile)."""
    start = time.monotonic()
    last = None
    while time.monotonic() - start < timeout:
        try:
            last = predicate()
        except Exception as e:  # noqa: BLE001
            last = e
        if last and not isinstance(last, Exception):
            return last, time.monotonic() - start
        time.sleep(interval)
    raise AssertionError("timed out after %.0fs waiting for %s (last: %r)"
                         % (timeout, what, last))


def call(address, fn, timeout_ms=5000):
    """Returns fn(client) for a Thrift client connected to address:9160.
    REQUIRES: python3-thrift installed and the generated client (package `cassandra`, the
    --gen-py folder) on sys.path; the tests check both before importing this module."""
    from thrift.transport import TSocket, TTransport
    from thrift.protocol import TBinaryProtocol
    from cassandra import Cassandra

    sock = TSocket.TSocket(address, 9160)
    sock.setTimeout(timeout_ms)
    transport = TTransport.TFramedTransport(sock)
    client = Cassandra.Client(TBinaryProtocol.TBinaryProtocol(transport))
    transport.open()
    try:
        return fn(client)
    finally:
        transport.close()


def _ranges(token_map):
    """[(size of (previous token, token], index)] over the sorted ring, and the ring
    itself as [(token, endpoint)]. A single token owns the whole ring."""
    tokens = sorted((int(t), e) for t, e in token_map.items())
    sizes = [((t - tokens[i - 1][0]) % RING or RING, i) for i, (t, _) in enumerate(tokens)]
    return sizes, tokens


def ownership(token_map):
    """Primary ownership per endpoint from describe_token_map (token string -> endpoint)."""
    sizes, tokens = _ranges(token_map)
    owned = {}
    for size, i in sizes:
        e = tokens[i][1]
        owned[e] = owned.get(e, 0) + size
    return {e: v / RING for e, v in owned.items()}


def replicated_ownership(token_map, rf):
    """Share of the ring each endpoint holds a replica of, replicas placed as
    SimpleStrategy does (Cassandra's SimpleStrategy.calculateNaturalReplicas): the range
    (previous token, token] goes to the owner of `token` and the next distinct endpoints
    walking the ring clockwise, rf in all (fewer when the ring has fewer endpoints)."""
    sizes, tokens = _ranges(token_map)
    want = min(rf, len({e for _, e in tokens}))
    owned = {}
    for size, i in sizes:
        replicas = []
        j = i
        while len(replicas) < want:
            e = tokens[j % len(tokens)][1]
            if e not in replicas:
                replicas.append(e)
            j += 1
        for e in replicas:
            owned[e] = owned.get(e, 0) + size
    return {e: v / RING for e, v in owned.items()}
