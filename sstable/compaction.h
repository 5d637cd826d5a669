// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// What compaction does to one merged partition before writing it out (Cassandra's
// CompactionIterator / PurgeFunction):
//   1. expired cells become tombstones, dated from their write (expiry - ttl), as
//      Cassandra 3.x does, so they are kept gc_grace_seconds like any deletion;
//   2. cells shadowed by the partition deletion or a range tombstone are dropped, and so
//      are range tombstones the partition deletion covers;
//   3. a tombstone (cell, range or partition) is purged when it is older than gc_before
//      AND its timestamp is below max_purgeable_timestamp: the lowest timestamp of data
//      for this key that lives outside the compaction (other SSTables, memtables).
//      Otherwise dropping it could resurrect older data it shadows elsewhere.
#pragma once

#include <cstdint>

#include "common/marshal.h"
#include "common/partition.h"

namespace cairn::sstable {

// Applies steps 1-3 to `p` (normalized). Returns true when nothing is left of it.
// `now` and `gc_before` are local times in seconds (gc_before = now - gc_grace_seconds).
bool PurgePartition(PartitionUpdate* p, const AbstractType& comparator, int32_t now,
                    int32_t gc_before, int64_t max_purgeable_timestamp);

}  // namespace cairn::sstable
