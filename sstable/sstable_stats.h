// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Stats: the content of an SSTable's Statistics component (Cassandra's
// StatsMetadata), collected by the writer and returned by the reader. See FORMAT.md,
// "Statistics".
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "common/cell.h"
#include "common/coding.h"
#include "common/status.h"
#include "common/token.h"
#include "sstable/sstable_options.h"

namespace cairn::sstable {

struct Stats {
  // Smallest and largest write timestamp (µs) of any cell, range tombstone or partition
  // deletion; kNoTimestamp when the SSTable holds none.
  int64_t min_timestamp = kNoTimestamp;
  int64_t max_timestamp = kNoTimestamp;
  // Largest local time (s) at which something in the SSTable stops being live data, as
  // Cassandra's maxLocalDeletionTime: tombstones, range tombstones and partition
  // deletions give their local deletion time, expiring cells their expiry time, live
  // cells kNoLocalTime (INT32_MAX). So the whole SSTable is purgeable garbage when this
  // is < gc_before. INT32_MIN for an SSTable with nothing in it.
  int32_t max_local_deletion_time = std::numeric_limits<int32_t>::min();
  uint64_t partition_count = 0;
  uint64_t cell_count = 0;             // all cells, of every kind
  uint64_t expiring_cell_count = 0;
  // Cell tombstones + range tombstones + partition deletions.
  uint64_t tombstone_count = 0;
  uint64_t range_tombstone_count = 0;
  uint64_t uncompressed_data_size = 0;  // bytes of serialized partitions
  uint64_t max_partition_size = 0;      // serialized bytes of the largest partition
  // Histogram of the local times from which tombstones (and expiring cells) become
  // droppable: (time in seconds, count) sorted by time, at most kMaxHistogramBins bins
  // (Cassandra's estimatedTombstoneDropTime, a Ben-Haim streaming histogram).
  std::vector<std::pair<int32_t, uint64_t>> tombstone_drop_times;
  DecoratedKey first_key;  // smallest partition key (empty SSTable: empty)
  DecoratedKey last_key;   // largest partition key
  std::string comparator;   // AbstractType::Name() of the cell comparator
  std::string partitioner;  // SSTableOptions::partitioner
  ReplayPosition replay_position;
  uint32_t block_size = 0;  // uncompressed bytes per Data block
  bool compressed = false;  // whether the writer was allowed to compress blocks
  // Generations this SSTable was compacted from (empty for a flush). At open, a
  // generation listed here by a live SSTable is obsolete and is deleted: a crash between
  // installing a compaction's output and deleting all its inputs must not leave an input
  // beside the output, or cells whose tombstones the compaction purged would come back.
  std::vector<uint64_t> ancestors;

  static constexpr size_t kMaxHistogramBins = 100;

  // Estimated number of tombstones whose drop time is before `gc_before` (seconds), i.e.
  // that a compaction at that time could purge. Used by compaction strategies.
  uint64_t EstimatedDroppableTombstones(int32_t gc_before) const;
  // The same as a fraction of cell_count + range tombstones + partition count (0 when empty).
  double DroppableTombstoneRatio(int32_t gc_before) const;

  // Adds one drop time to the histogram, merging the two closest bins when it grows
  // past kMaxHistogramBins.
  void AddDropTime(int32_t time);

  void EncodeTo(std::string* dst) const;
  static Status DecodeFrom(Decoder* in, Stats* out);
  friend bool operator==(const Stats&, const Stats&) = default;
};

}  // namespace cairn::sstable
