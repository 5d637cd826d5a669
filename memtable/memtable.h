// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Memtable: the in-memory, sorted, concurrently writable table of one column family
// (Cassandra's Memtable). Writes land here after the commit log has them; when the
// memtable grows past its share of memtable_space_in_mb the owner switches in a fresh
// one and flushes this one to an SSTable (node/column_family_store.cc).
//
// Structure: partitions in a std::map ordered by DecoratedKey, each partition holding
// its own cells in a map ordered by the column family's comparator.
//
// Invariants:
//   - Partitions are never removed: a memtable only grows, and is discarded whole
//     after its flush. So a pointer to a MemPartition stays valid for the memtable's
//     lifetime, and a map iterator stays valid across inserts.
//   - Cells of one name are reconciled on insert (common/cell.h Reconcile); shadowed
//     cells are kept (a later, older-timestamped deletion must not resurrect them, and
//     readers apply deletions themselves).
//
// Thread-safety: all methods are safe to call concurrently. Writers to different
// partitions proceed in parallel (the partition map is under a shared_mutex taken
// exclusively only to insert a new partition; each partition has its own mutex).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>

#include "common/clock.h"
#include "common/marshal.h"
#include "common/partition.h"
#include "common/partition_iterator.h"
#include "common/token.h"

namespace cairn::memtable {

class Memtable {
 public:
  // `comparator` orders cell names; `clock` gives "now" for reconciling expiring
  // cells. Both must outlive the memtable.
  Memtable(TypePtr comparator, const Clock* clock);
  ~Memtable();
  Memtable(const Memtable&) = delete;
  Memtable& operator=(const Memtable&) = delete;

  // Merges `update` (normalized: cells sorted, unique names) into partition `key`.
  void Apply(const DecoratedKey& key, const PartitionUpdate& update);

  // The partition's deletion, the range tombstones overlapping `filter`, and the cells
  // it selects (every kind, as stored); nullopt when the partition is absent.
  std::optional<PartitionUpdate> Get(const DecoratedKey& key, const CellFilter& filter) const;

  // Iterates partitions in key order. The iterator copies one partition at a time and
  // sees writes made after its creation to partitions it has not reached yet.
  // The memtable must outlive the iterator.
  std::unique_ptr<PartitionIterator> NewIterator() const;

  // Approximate bytes held by keys, cells and bookkeeping.
  size_t memory_usage() const { return memory_usage_.load(std::memory_order_relaxed); }
  size_t partition_count() const;
  bool empty() const { return partition_count() == 0; }
  // Lowest and highest cell or deletion timestamp written (kNoTimestamp if none).
  int64_t min_timestamp() const { return min_timestamp_.load(std::memory_order_relaxed); }
  int64_t max_timestamp() const { return max_timestamp_.load(std::memory_order_relaxed); }
  const TypePtr& comparator() const { return comparator_; }

 private:
  struct NameLess {
    using is_transparent = void;
    const AbstractType* type;
    bool operator()(std::string_view a, std::string_view b) const {
      return type->Compare(a, b) < 0;
    }
  };

  struct MemPartition {
    explicit MemPartition(const AbstractType* type) : cells(NameLess{type}) {}
    mutable std::mutex mu;
    DeletionTime deletion;
    std::vector<RangeTombstone> range_tombstones;  // sorted by start
    std::map<std::string, Cell, NameLess> cells;
  };
  using PartitionMap = std::map<DecoratedKey, std::unique_ptr<MemPartition>>;

  class Iterator;

  // Copies the selected part of `p` (caller holds no lock; this takes p.mu).
  PartitionUpdate Snapshot(const MemPartition& p, const CellFilter& filter) const;
  void NoteTimestamp(int64_t ts);

  const TypePtr comparator_;
  const Clock* const clock_;
  mutable std::shared_mutex map_mu_;
  PartitionMap partitions_;  // GUARDED_BY(map_mu_) for the map structure itself
  std::atomic<size_t> memory_usage_{0};
  std::atomic<int64_t> min_timestamp_{kNoTimestamp};
  std::atomic<int64_t> max_timestamp_{kNoTimestamp};
};

}  // namespace cairn::memtable
