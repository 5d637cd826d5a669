// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Memtable: the in-memory, sorted, concurrently writable table of one column family
// (Cassandra's Memtable). Writes land here after the commit log has them; when the
// memtable grows past its share of memtable_space_in_mb the owner switches in a fresh
// one and flushes this one to an SSTable (node/column_family_store.cc).
//
// Structure: partitions in a map ordered by DecoratedKey, each partition holding its own
// cells in a map ordered by the column family's comparator; all of it allocated from a
// per-memtable Arena (memtable/arena.h). A hash index beside the map finds a partition by
// key without descending the tree (see index_).
//
// Invariants:
//   - Partitions are never removed: a memtable only grows, and is discarded whole
//     after its flush. So a pointer to a MemPartition stays valid for the memtable's
//     lifetime, and a map iterator stays valid across inserts.
//   - Cells of one name are reconciled on insert (common/cell.h Reconcile); shadowed
//     cells are kept (a later, older-timestamped deletion must not resurrect them, and
//     readers apply deletions themselves).
//
// Writes in flight: the storage engine appends a write to the commit log first and
// applies it here only once the log acknowledges it (in batch mode after fdatasync, on
// the log's sync thread). It pins the memtable that was active at the append with
// BeginWrite() and calls EndWrite() after the apply, or when the append fails. A flush
// calls WaitForWrites() after the switch and before reading the memtable, so an SSTable
// holds every record up to the switch position (node/storage_engine.h, "Memtable
// switches").
//
// Thread-safety: all methods are safe to call concurrently. Writers to different
// partitions proceed in parallel (the partition map is under a shared_mutex taken
// exclusively only to insert a new partition; each partition has its own mutex).
#pragma once

#include <atomic>
#include <map>
#include <memory_resource>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>

#include "common/clock.h"
#include "common/marshal.h"
#include "common/partition.h"
#include "common/partition_iterator.h"
#include "common/token.h"
#include "memtable/arena.h"

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

  // Counts a write appended to the commit log for this memtable and not yet applied.
  // Every BeginWrite() must be followed by exactly one EndWrite(), after the Apply (or
  // instead of it when the write failed).
  void BeginWrite() { writes_in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void EndWrite() {
    if (writes_in_flight_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      writes_in_flight_.notify_all();  // no system call unless someone waits
    }
  }
  // Blocks until no write is in flight. The caller must have made sure no new
  // BeginWrite() can come (the memtable is no longer active), or the wait may never end.
  void WaitForWrites() const {
    for (int n = writes_in_flight_.load(std::memory_order_acquire); n != 0;
         n = writes_in_flight_.load(std::memory_order_acquire)) {
      writes_in_flight_.wait(n, std::memory_order_acquire);
    }
  }
  int writes_in_flight() const { return writes_in_flight_.load(std::memory_order_relaxed); }

  // Approximate bytes held by keys, cells and bookkeeping.
  size_t memory_usage() const {
    return arena_->memory_usage() + index_bytes_.load(std::memory_order_relaxed);
  }
  size_t partition_count() const { return partition_count_.load(std::memory_order_relaxed); }
  bool empty() const { return partition_count() == 0; }
  // Lowest and highest cell or deletion timestamp written (kNoTimestamp if none).
  int64_t min_timestamp() const { return min_timestamp_.load(std::memory_order_relaxed); }
  int64_t max_timestamp() const { return max_timestamp_.load(std::memory_order_relaxed); }
  const TypePtr& comparator() const { return comparator_; }

 private:
  // Everything below lives in arena_, and none of it is ever destroyed: the arena
  // releases its blocks at once when the memtable dies (see memtable/arena.h). So every
  // member must own only arena memory (pmr containers on arena_) or nothing at all.
  struct NameLess {
    using is_transparent = void;
    const AbstractType* type;
    bool operator()(std::string_view a, std::string_view b) const {
      return type->Compare(a, b) < 0;
    }
  };
  struct MemCell {
    std::pmr::string value;
    int64_t timestamp;
    CellKind kind;
    int32_t ttl;
    int32_t local_time;
  };
  struct MemRangeTombstone {
    std::pmr::string start;
    std::pmr::string end;
    DeletionTime deletion;
  };
  struct MemPartition {
    MemPartition(const AbstractType* type, std::pmr::memory_resource* arena)
        : range_tombstones(arena), cells(NameLess{type}, arena) {}
    std::mutex mu;  // a futex word: needs no destruction
    DeletionTime deletion;
    std::pmr::vector<MemRangeTombstone> range_tombstones;  // sorted by start
    std::pmr::map<std::pmr::string, MemCell, NameLess> cells;
  };
  struct MemKey {
    uint64_t prefix;  // TokenPrefix(token) (common/token.h): the descent compares these
    std::pmr::string token;
    std::pmr::string key;
  };
  // Orders MemKeys (and DecoratedKeys, for lookups) by token, then key bytes.
  struct KeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      if (a.prefix != b.prefix) return a.prefix < b.prefix;
      int c = std::string_view(a.token.data(), a.token.size())
                  .compare(std::string_view(b.token.data(), b.token.size()));
      if (c != 0) return c < 0;
      return std::string_view(a.key).compare(std::string_view(b.key)) < 0;
    }
  };
  struct TokenView {  // adapts DecoratedKey to KeyLess's shape
    TokenView(const std::string& t, const std::string& k)
        : prefix(TokenPrefix(t)), token(t), key(k) {}
    uint64_t prefix;
    const std::string& token;
    const std::string& key;
  };
  using PartitionMap = std::pmr::map<MemKey, MemPartition*, KeyLess>;

  class Iterator;

  // The hash index: open addressing with linear probing, at most half full, mapping a
  // key's hash to its partition. A point lookup (a read, or a write to a partition that
  // exists) costs a probe or two instead of a tree descent, whose every level below the
  // cached top is a cache miss: with 60k partitions the descent was 10 % of a node's CPU
  // under cluster reads. Probed under map_mu_ shared; filled and grown under map_mu_
  // exclusive, with the map insert.
  struct IndexSlot {
    uint64_t hash = 0;          // 0: empty (HashOf never returns 0)
    const MemKey* key = nullptr;  // the map node's key: never moves (maps never erase)
    MemPartition* partition = nullptr;
  };
  static uint64_t HashOf(const TokenView& view);
  // The partition of `view` (whose hash is `hash`), or nullptr. REQUIRES: map_mu_ held.
  MemPartition* Lookup(const TokenView& view, uint64_t hash) const;
  // Adds a partition just inserted into the map. REQUIRES: map_mu_ held exclusively.
  void IndexInsert(uint64_t hash, const MemKey* key, MemPartition* partition);

  MemPartition* Find(const DecoratedKey& key) const;  // takes map_mu_ shared
  // Copies the selected part of `p` (takes p.mu).
  PartitionUpdate Snapshot(const MemPartition& p, const CellFilter& filter) const;
  void NoteTimestamp(int64_t ts);

  const TypePtr comparator_;
  const Clock* const clock_;
  std::unique_ptr<Arena> arena_;  // declared first among owners: freed last
  mutable std::shared_mutex map_mu_;
  PartitionMap* partitions_;  // GUARDED_BY(map_mu_) for the map structure; in arena_
  std::atomic<size_t> partition_count_{0};
  std::unique_ptr<IndexSlot[]> index_;  // GUARDED_BY(map_mu_); a power of two of slots
  size_t index_mask_ = 0;               // GUARDED_BY(map_mu_); slots - 1
  std::atomic<size_t> index_bytes_{0};  // counted in memory_usage()
  mutable std::atomic<int> writes_in_flight_{0};    // BeginWrite() minus EndWrite()
  std::atomic<int64_t> min_timestamp_{kNoTimestamp};
  std::atomic<int64_t> max_timestamp_{kNoTimestamp};
};

}  // namespace cairn::memtable
