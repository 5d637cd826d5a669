// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Counter cells (Cassandra 2.1+ counters): the value of a CellKind::kCounter cell is a
// counter context, the shards of the replicas that incremented it. Each shard belongs to
// one node (its host id) and holds (clock, count): the node's running total of every
// increment it led, and a clock bumped with each one. A node only ever writes its own
// shard, reading it, adding the delta and writing (clock + 1, count + delta) through its
// commit log, then sends that shard to the other replicas; the counter's value is the
// sum of the shards. Merging two contexts keeps, per host id, the shard with the higher
// clock (on equal clocks the larger count: the same increment seen twice), so merging
// is commutative, associative and idempotent: replicas converge whatever order shards
// arrive in, and replaying a commit log (which holds shards, not deltas) never counts
// an increment twice.
//
// Encoding (the cell value; sstable/FORMAT.md, memtable/COMMITLOG_FORMAT.md): shards
// sorted by host id, each host_id (16 bytes, the UUID's bytes), clock (fixed64), count
// (fixed64), little-endian; no header. An empty context is a counter that no node has
// incremented (value 0).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cairn {

struct CounterShard {
  std::string host_id;  // 16 bytes
  int64_t clock = 0;
  int64_t count = 0;
  friend bool operator==(const CounterShard&, const CounterShard&) = default;
};

inline constexpr size_t kCounterShardBytes = 16 + 8 + 8;

// Encodes shards (sorted by host id first, duplicates merged as MergeCounterContexts).
std::string EncodeCounterContext(std::vector<CounterShard> shards);
// False when `context` is not a whole number of shards or its host ids are not strictly
// ascending.
bool DecodeCounterContext(std::string_view context, std::vector<CounterShard>* shards);
// Per host id the shard with the higher clock (then the larger count). Inputs that do
// not decode are treated as empty (DecodeCellsFor validates what enters the store).
std::string MergeCounterContexts(std::string_view a, std::string_view b);
// The counter's value: the sum of the shards' counts (0 for an undecodable context).
int64_t CounterTotal(std::string_view context);
// The shard of `host_id` (clock 0, count 0 when it has none).
CounterShard CounterShardOf(std::string_view context, std::string_view host_id);

}  // namespace cairn
