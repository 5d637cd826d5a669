// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// BlockCache: a sharded LRU cache of decoded SSTable blocks (decompressed Data blocks,
// parsed Index blocks), shared by every SSTableReader of a node. Cassandra's chunk
// cache (file_cache_size_in_mb); RocksDB's block cache.
//
// Keys are (reader id, block kind, block number). Reader ids are unique for the life of
// the process (SSTableReader takes one at Open), so a reused generation number can never
// see another table's blocks; entries of closed readers simply age out.
//
// Values are immutable and shared: Lookup returns a shared_ptr that keeps the value alive
// even if the cache evicts it meanwhile. Thread-safe; 16 shards, each with its own mutex.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

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

  // The cached value, or nullptr. A hit moves the entry to the front of its LRU list.
  std::shared_ptr<const void> Lookup(const Key& key);
  // Inserts (or replaces) `value` with `charge` bytes, evicting least recently used
  // entries of the shard as needed. Values larger than a shard's capacity are not kept.
  void Insert(const Key& key, std::shared_ptr<const void> value, size_t charge);

  size_t capacity() const { return capacity_; }
  size_t usage() const;
  uint64_t hits() const;
  uint64_t misses() const;

  // A process-unique id for a new reader.
  static uint64_t NewReaderId();

 private:
  struct KeyHash {
    size_t operator()(const Key& k) const {
      uint64_t h = k.reader_id * 0x9E3779B97F4A7C15ull ^ (k.block + (uint64_t{k.kind} << 56));
      return static_cast<size_t>(h ^ (h >> 29));
    }
  };
  struct Entry {
    Key key;
    std::shared_ptr<const void> value;
    size_t charge;
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // front = most recently used
    std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> index;
    size_t usage = 0;
    uint64_t hits = 0;
    uint64_t misses = 0;
  };
  static constexpr size_t kShards = 16;

  Shard& ShardFor(const Key& key) { return shards_[KeyHash()(key) % kShards]; }
  template <typename F>
  uint64_t SumShards(F field) const;

  const size_t capacity_;
  const size_t shard_capacity_;
  Shard shards_[kShards];
};

}  // namespace cairn::sstable
