// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// CellFilter selects the cells of a partition a read wants; PartitionIterator walks
// partitions in token order. Memtables, SSTables and the merged view of a column family
// all implement PartitionIterator, so one conformance suite can test every reader
// (leveldb's table_test Harness; Scylla's run_mutation_source_tests).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/partition.h"
#include "common/status.h"
#include "common/token.h"

namespace cairn {

// Which cells of a partition to return. Readers return, for the selected names, every
// cell version they hold (live or not), plus the partition deletion and every range
// tombstone that overlaps the selection; reconciliation, shadowing, counting and
// reversal happen above them.
struct CellFilter {
  enum class Kind { kAll, kNames, kSlice };
  Kind kind = Kind::kAll;
  std::vector<std::string> names;  // kNames: sorted by the comparator, unique
  std::string start;               // kSlice: first name, inclusive; empty = from the first
  std::string finish;              // kSlice: last name, inclusive; empty = to the last

  static CellFilter All() { return CellFilter{}; }
  static CellFilter Names(std::vector<std::string> sorted_names) {
    return CellFilter{Kind::kNames, std::move(sorted_names), {}, {}};
  }
  static CellFilter Slice(std::string start, std::string finish) {
    return CellFilter{Kind::kSlice, {}, std::move(start), std::move(finish)};
  }

  // True when the filter selects `name`.
  bool Selects(std::string_view name, const AbstractType& comparator) const;
  // True when a range tombstone [start, end] overlaps the selection.
  bool Overlaps(const RangeTombstone& rt, const AbstractType& comparator) const;
  // Keeps only the selected cells and overlapping range tombstones of `update`.
  void Apply(PartitionUpdate* update, const AbstractType& comparator) const;
};

// Iterates partitions in DecoratedKey order. Usage:
//   for (it->SeekToFirst(); it->Valid(); it->Next()) { it->key(); it->partition(); }
//   if (!it->status().ok()) ... (a corrupt input stops the iteration with a status)
// Not thread-safe; the source must outlive the iterator.
class PartitionIterator {
 public:
  virtual ~PartitionIterator() = default;
  virtual void SeekToFirst() = 0;
  // Positions at the first partition whose key is >= `target`.
  virtual void Seek(const DecoratedKey& target) = 0;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  // REQUIRES: Valid()
  virtual const DecoratedKey& key() const = 0;
  virtual const PartitionUpdate& partition() const = 0;
  virtual Status status() const = 0;
};

}  // namespace cairn
