// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// MergingIterator: a PartitionIterator over the union of several sources (memtables and
// SSTables of one column family). Partitions with the same key are merged with
// PartitionUpdate::MergeFrom, i.e. cell versions reconciled and deletions kept; nothing
// is purged or hidden, which is the business of the reader or compaction above.
#pragma once

#include <memory>
#include <vector>

#include "common/clock.h"
#include "common/partition_iterator.h"

namespace cairn {

// Takes ownership of `children`. `comparator` and `clock` must outlive the iterator.
// The first child with a non-OK status stops the iteration and becomes status().
std::unique_ptr<PartitionIterator> NewMergingIterator(
    std::vector<std::unique_ptr<PartitionIterator>> children, TypePtr comparator,
    const Clock* clock);

}  // namespace cairn
