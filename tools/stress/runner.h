// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The load generator proper: client threads, each an epoll loop over its share of the
// connections, one request outstanding per connection, as real Thrift clients behave (no
// pipelining). While a thread has an idle connection it prepares the next operation (type
// and keys) and sends it at once (unthrottled) or when the next slot of its thread's
// share of --rate is due. Each thread records into its own statistics under its own
// mutex; the calling thread swaps them out every --interval, reports the interval, and
// merges it into the run's totals, so the final percentiles come from every sample.
//
// Routing. Without a ring, connection j goes to node j mod |--nodes| (and to thread
// j mod threads) and an operation takes any idle connection. With a ring (token-aware,
// token_ring.h) connection j goes to thread j mod threads and to node (j / threads) mod
// |ring nodes|, so every thread holds connections to every node when there are at least
// threads x nodes connections; an operation takes an idle connection to its key's primary
// replica, else to the next replica in ring order, else any idle connection
// (RoutingCounts says how often each happened). A thread uses the idle connections to
// one node in turn (FIFO), spreading the load over them.
//
// Latency: from when an operation was due (throttled) or sent (unthrottled) to the last
// byte of its reply, for successful operations only; errors are counted by kind.
//
// Operations: -n N stops after exactly N completed operations (each success or error
// counts once); --duration stops issuing at the deadline and waits for the requests in
// flight. A connection that fails or times out counts its request as an error and is
// reopened (every 200 ms); when no connection of the run has been usable for 10 s the run
// is cut short (RunResult::aborted).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tools/stress/histogram.h"
#include "tools/stress/options.h"
#include "tools/stress/token_ring.h"
#include "tools/stress/workload.h"

namespace cairn::stress {

struct ErrorCounts {
  std::array<uint64_t, kErrorKinds> n{};
  uint64_t& operator[](ErrorKind k) { return n[static_cast<size_t>(k)]; }
  uint64_t operator[](ErrorKind k) const { return n[static_cast<size_t>(k)]; }
  uint64_t Total() const;
  void Merge(const ErrorCounts& o);
};

// Counts and latencies of one operation type (or of all, combined).
struct OpTotals {
  Histogram latency;        // successful operations, nanoseconds
  uint64_t ok = 0;          // successful operations
  uint64_t partitions = 0;  // partitions written, or found by reads and scans
  uint64_t cells = 0;       // cells written or read
  uint64_t not_found = 0;   // successful reads that found no partition
  ErrorCounts errors;
  uint64_t Operations() const { return ok + errors.Total(); }
  void Merge(const OpTotals& o);
  void Reset();
};

struct Stats {
  std::array<OpTotals, kOpTypes> by_type;
  // The first message seen of each error kind ("" if none), e.g. the
  // InvalidRequestException's why.
  std::array<std::string, kErrorKinds> first_message;
  OpTotals Combined() const;
  void Merge(const Stats& o);
  void Reset();
};

// Where token-aware runs sent their operations.
struct RoutingCounts {
  uint64_t primary = 0;      // to the first replica of the operation's (first) key
  uint64_t replica = 0;      // to another replica: no idle connection to the primary
  uint64_t non_replica = 0;  // to a node holding no copy: no idle connection to a replica
  uint64_t no_key = 0;       // operations without a key (range pages): any idle connection
  uint64_t Total() const { return primary + replica + non_replica + no_key; }
  void Merge(const RoutingCounts& o);
};

struct IntervalReport {
  double end_s = 0;          // seconds since the run started
  double length_s = 0;       // the interval's length
  OpTotals totals;           // every operation type
  double done_fraction = 0;  // of -n, or of --duration
};

struct RunResult {
  ConsistencySetting consistency;
  double elapsed_s = 0;
  Stats stats;  // the whole run
  std::vector<IntervalReport> intervals;
  bool aborted = false;  // cut short: no usable connection, or a fatal reply
  std::string abort_reason;
  bool token_aware = false;  // routed by a TokenRing
  RoutingCounts routing;     // when token_aware
};

// Runs `o.workload` once at `cl`, calling `on_interval` (if set) from the calling thread
// after each interval. With `ring`, connects to ring->nodes() and routes each operation
// to a replica of its key (see the file comment); without, connects to o.nodes.
// REQUIRES: the keyspace exists (or the run aborts with the server's message); `ring`,
// if given, outlives the call.
RunResult RunWorkload(const StressOptions& o, const ConsistencySetting& cl,
                      const std::function<void(const IntervalReport&)>& on_interval,
                      const TokenRing* ring = nullptr);

}  // namespace cairn::stress
