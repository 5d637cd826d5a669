// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// cairn-stress's command line: the workload, how long, how hard, which keys and cells,
// at which consistency levels, against which nodes, and where results go. Parsing never
// exits or prints: it returns the options or an InvalidArgument naming the bad option,
// so tests can check every error (tests/tools/stress_options_test.cc).
//
//   cairn-stress WORKLOAD [options]
//
// tools/stress/README.md documents every option with examples; Usage() is the short form.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "tools/stress/distribution.h"

namespace cairn::stress {

enum class Workload { kWrite, kRead, kMixed, kRange, kCounterWrite, kCounterRead };
// One request kind; a workload issues one (or, for mixed, two) of them.
enum class OpType { kWrite = 0, kRead = 1, kRange = 2, kCounterWrite = 3, kCounterRead = 4 };
inline constexpr int kOpTypes = 5;

const char* WorkloadName(Workload w);
const char* OpTypeName(OpType t);

// Thrift ConsistencyLevel values (thrift/cassandra.thrift).
std::string ConsistencyLevelName(int32_t cl);
// Case-insensitive "ONE", "quorum", ...; -1 when unknown.
int32_t ParseConsistencyLevel(const std::string& name);

struct Endpoint {
  std::string host;
  int port = 9160;
  std::string ToString() const { return host + ":" + std::to_string(port); }
};

// One consistency configuration of a run. Comparison mode (--cl A,B,C) makes one per level.
struct ConsistencySetting {
  int32_t read = 1;   // ONE
  int32_t write = 1;  // ONE
  // "ONE" when both are equal, else "read=QUORUM,write=ONE".
  std::string Label() const;
};

// Token-aware routing (--token-aware / --no-token-aware; tools/stress/token_ring.h).
enum class TokenAwareness {
  kAuto,  // default: on when the ring can be learned, else round-robin with a note
  kOn,    // --token-aware: setup fails when the ring cannot be learned
  kOff,   // --no-token-aware: connections dealt round-robin over --nodes
};

struct StressOptions {
  Workload workload = Workload::kWrite;

  // Stop condition: `operations` requests (-n), or `duration_s` seconds (--duration).
  // Default: -n 100000.
  uint64_t operations = 0;
  double duration_s = 0;

  // Client event-loop threads (--threads, default 1) and connections (--connections,
  // default 8) spread over them; one request outstanding per connection, so
  // `connections` is the concurrency. threads is capped at connections.
  int threads = 1;
  int connections = 8;
  // Operations per second over all connections (--rate N); 0 = unthrottled (default).
  // Throttled latencies count from when an operation was due, not when it was sent, so a
  // server that falls behind shows its queueing delay (no coordinated omission).
  double rate = 0;

  // Partition keys: ids drawn from `population` (--pop, or --keys N for 1..N with the
  // workload's default distribution: seq for write and counter_write, uniform
  // otherwise), each written as a 10-digit zero-padded decimal string. Default 1..100000.
  Distribution population;
  // Cells per partition (--columns, default 5), named C0, C1, ...; cell value size in
  // bytes (--cell-size, default 34, cassandra-stress's). Both fixed or distributions;
  // with a distribution, the count and sizes are a function of key and column, so reads
  // can verify them.
  Distribution columns = Distribution::Fixed(5);
  Distribution cell_size = Distribution::Fixed(34);
  // Partitions per batch_mutate of a write (--batch, default 1).
  int batch = 1;
  // Partitions per get_range_slices page (--page-size, default 100).
  int page_size = 100;
  // Mixed workload weights (--ratio read=3,write=1; default 1:1).
  int read_weight = 1;
  int write_weight = 1;

  // Consistency per operation type (--cl-read, --cl-write, --cl). Several entries means
  // comparison mode: the same workload once per entry, then a side-by-side table.
  std::vector<ConsistencySetting> consistency = {ConsistencySetting{}};

  // Schema created when missing: keyspace `keyspace` (--keyspace, default cairn_stress),
  // column family `column_family` (--cf, default standard1, BytesType) and, for the
  // counter workloads, `counter_column_family` (counter1, CounterColumnType).
  std::string keyspace = "cairn_stress";
  std::string column_family = "standard1";
  std::string counter_column_family = "counter1";
  // Replication of a created keyspace: --replication-factor (default 1) and
  // --replication-strategy SimpleStrategy (default) or NetworkTopologyStrategy, whose
  // factor goes to datacenter `datacenter` (--datacenter, default datacenter1).
  int replication_factor = 1;
  std::string replication_strategy = "SimpleStrategy";
  std::string datacenter = "datacenter1";
  // --drop: drop the keyspace first and recreate it. --no-schema: touch no schema.
  bool drop = false;
  bool no_schema = false;

  // --nodes h1[:port],h2,...: the nodes to talk to (default 127.0.0.1:9160; --port
  // changes the default port). Without token awareness connections are dealt round-robin
  // over these; with it they are the contact points, and every node of the ring gets
  // connections from every client thread.
  std::vector<Endpoint> nodes;
  // Send each operation to a replica of its (first) key, learned from describe_ring
  // (default kAuto).
  TokenAwareness token_aware = TokenAwareness::kAuto;
  // Seconds between progress lines (--interval, default 1).
  double interval_s = 1;
  // A request unanswered for this long is a client timeout; its connection is closed
  // and reopened (--timeout-ms, default 12000: above the server's default 10 s).
  int timeout_ms = 12000;
  // --verify: values are a function of (key, column); reads check every cell they get.
  bool verify = false;
  // Seed of the client threads' generators (--seed, default 1).
  uint64_t seed = 1;
  // No progress lines (--quiet).
  bool quiet = false;

  std::string csv_path;   // --csv FILE: one row per interval and run
  std::string json_path;  // --json FILE: the summary
  std::string plot_path;  // --plot FILE.png: throughput and p99 over time (gnuplot)

  bool help = false;  // --help
};

// Parses argv[1..argc-1]. On error, the status names the option and the problem.
Result<StressOptions> ParseOptions(int argc, const char* const* argv);
Result<StressOptions> ParseOptions(const std::vector<std::string>& args);

// The usage text printed by --help and after an error.
std::string Usage();

}  // namespace cairn::stress
