// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The load generator proper: client threads, each an epoll loop over its share of the
// connections (dealt round-robin over --nodes), one request outstanding per connection,
// as real Thrift clients behave (no pipelining). A connection that is idle sends its next
// operation at once (unthrottled) or when the next slot of its thread's share of --rate
// is due. Each thread records into its own statistics under its own mutex; the calling
// thread swaps them out every --interval, reports the interval, and merges it into the
// run's totals, so the final percentiles come from every sample of the run.
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
};

// Runs `o.workload` once at `cl`, calling `on_interval` (if set) from the calling thread
// after each interval. REQUIRES: the keyspace exists (or the run aborts with the
// server's message).
RunResult RunWorkload(const StressOptions& o, const ConsistencySetting& cl,
                      const std::function<void(const IntervalReport&)>& on_interval);

}  // namespace cairn::stress
