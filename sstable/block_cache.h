// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// BlockCache: a sharded cache of decoded SSTable blocks (decompressed Data blocks,
// parsed Index blocks), shared by every SSTableReader of a node. Cassandra's chunk
// cache (file_cache_size_in_mb); RocksDB's block cache.
//
// Keys are (reader id, block kind, block number). Reader ids are unique for the life of
// the process (SSTableReader takes one at Open), so a reused generation number can never
// see another table's blocks; entries of closed readers simply age out.
//
// Replacement is CLOCK (second chance), an approximation of LRU: a hit only sets the
// entry's reference bit, and eviction sweeps a hand over the entries, clearing set bits
// and evicting the first entry found clear. A hit therefore writes one byte of the entry
// it found, where LRU relinks list nodes scattered over memory on every hit. Each shard
// is one open-addressing table (linear probing) whose slots hold the entries themselves:
// a lookup usually touches one cache line.
//
// Values are immutable and shared: Lookup returns a shared_ptr that keeps the value alive
// even if the cache evicts it meanwhile. Thread-safe; 16 shards, each with its own mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace cairn::sstable {

class BlockCache {
 public:
  struct Key {
    uint64_t reader_id;
    uint32_t kind;  // 0 = Data block, 1 = Index block
    uint64_t block;
    friend bool operator==(const Key&, const Key&) = default;
  };

  // `capacity_bytes` is the total charge the cache may hold; 0 disables caching.
  explicit BlockCache(size_t capacity_bytes);
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  // The cached value, or nullptr. A hit marks the entry referenced.
  std::shared_ptr<const void> Lookup(const Key& key);
  // Inserts (or replaces) `value` with `charge` bytes, evicting entries of the shard not
  // referenced since the clock hand last passed them, as needed. Values larger than a
  // shard's capacity are not kept.
  void Insert(const Key& key, std::shared_ptr<const void> value, size_t charge);

  size_t capacity() const { return capacity_; }
  size_t usage() const;
  uint64_t hits() const;
  uint64_t misses() const;

  // A process-unique id for a new reader.
  static uint64_t NewReaderId();

 private:
  enum class SlotState : uint8_t { kEmpty, kFull, kDeleted };
  struct Slot {
    Key key{};
    std::shared_ptr<const void> value;  // null unless kFull
    size_t charge = 0;
    SlotState state = SlotState::kEmpty;
    bool referenced = false;
  };
  struct Shard {
    mutable std::mutex mu;
    std::vector<Slot> slots;  // a power of two in size once anything was inserted
    size_t live = 0;          // kFull slots
    size_t deleted = 0;       // kDeleted slots (tombstones: probing continues past them)
    size_t hand = 0;          // the clock hand: next slot eviction looks at
    size_t usage = 0;
    uint64_t hits = 0;
    uint64_t misses = 0;
  };
  static uint64_t Hash(const Key& key);
  // The slot holding `key`, or SIZE_MAX. REQUIRES: s.mu held.
  static size_t FindSlot(const Shard& s, const Key& key, uint64_t hash);
  // Evicts one entry (there is one). REQUIRES: s.mu held.
  static void EvictOne(Shard& s);
  // Rebuilds the table with room for `live` + 1 entries, dropping tombstones.
  // REQUIRES: s.mu held.
  static void Rehash(Shard& s);
  static constexpr size_t kShards = 16;

  Shard& ShardFor(uint64_t hash) { return shards_[hash >> 60]; }  // the top 4 bits
  template <typename F>
  uint64_t SumShards(F field) const;

  const size_t capacity_;
  const size_t shard_capacity_;
  Shard shards_[kShards];
};

}  // namespace cairn::sstable
