// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// PartitionUpdate: everything one partition of one column family holds or receives:
// a partition deletion, range tombstones, and cells. The same shape is a write (a
// Mutation carries one per column family), a read result, and the unit a memtable flushes
// and an SSTable stores.
//
// Invariants of a normalized PartitionUpdate (see Normalize):
//   cells are sorted by the comparator with unique names; range tombstones are sorted by
//   start (empty start first) and may overlap.
// Shadowed cells are not removed by Normalize; readers apply deletions with Purge*().
#pragma once

#include <string>
#include <vector>

#include "common/cell.h"
#include "common/coding.h"
#include "common/marshal.h"
#include "common/status.h"

namespace cairn {

struct PartitionUpdate {
  DeletionTime deletion;
  std::vector<RangeTombstone> range_tombstones;
  std::vector<Cell> cells;

  bool empty() const {
    return deletion.IsLive() && range_tombstones.empty() && cells.empty();
  }

  // Sorts cells by `comparator`, reconciling duplicates, and sorts range tombstones.
  void Normalize(const AbstractType& comparator, int32_t now);

  // Merges `other` into this one (both normalized); the result is normalized.
  void MergeFrom(const PartitionUpdate& other, const AbstractType& comparator, int32_t now);

  // The deletion that applies to `name`: the partition deletion merged with every range
  // tombstone covering it.
  DeletionTime DeletionFor(std::string_view name, const AbstractType& comparator) const;

  // Removes cells shadowed by the partition deletion or a range tombstone.
  void RemoveShadowed(const AbstractType& comparator);

  // Approximate bytes of memory held, for memtable accounting.
  size_t MemoryUsage() const;

  // Binary encoding (see memtable/COMMITLOG_FORMAT.md, "Mutation payload").
  void EncodeTo(std::string* dst) const;
  static Status DecodeFrom(Decoder* in, PartitionUpdate* out);

  friend bool operator==(const PartitionUpdate&, const PartitionUpdate&) = default;
};

// True when `name` lies within [rt.start, rt.end] (empty bounds are open).
bool RangeCovers(const RangeTombstone& rt, std::string_view name, const AbstractType& comparator);

}  // namespace cairn
