// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "sstable/block_cache.h"

#include <atomic>

namespace cairn::sstable {

BlockCache::BlockCache(size_t capacity_bytes)
    : capacity_(capacity_bytes), shard_capacity_(capacity_bytes / kShards) {}

std::shared_ptr<const void> BlockCache::Lookup(const Key& key) {
  Shard& s = ShardFor(key);
  std::lock_guard lock(s.mu);
  auto it = s.index.find(key);
  if (it == s.index.end()) {
    ++s.misses;
    return nullptr;
  }
  ++s.hits;
  s.lru.splice(s.lru.begin(), s.lru, it->second);
  return it->second->value;
}

void BlockCache::Insert(const Key& key, std::shared_ptr<const void> value, size_t charge) {
  if (charge > shard_capacity_) return;
  Shard& s = ShardFor(key);
  std::lock_guard lock(s.mu);
  auto it = s.index.find(key);
  if (it != s.index.end()) {
    s.usage -= it->second->charge;
    s.lru.erase(it->second);
    s.index.erase(it);
  }
  while (s.usage + charge > shard_capacity_ && !s.lru.empty()) {
    const Entry& victim = s.lru.back();
    s.usage -= victim.charge;
    s.index.erase(victim.key);
    s.lru.pop_back();
  }
  s.lru.push_front(Entry{key, std::move(value), charge});
  s.index.emplace(key, s.lru.begin());
  s.usage += charge;
}

template <typename F>
uint64_t BlockCache::SumShards(F field) const {
  uint64_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    n += field(s);
  }
  return n;
}

size_t BlockCache::usage() const { return SumShards([](const Shard& s) { return s.usage; }); }
uint64_t BlockCache::hits() const { return SumShards([](const Shard& s) { return s.hits; }); }
uint64_t BlockCache::misses() const {
  return SumShards([](const Shard& s) { return s.misses; });
}

uint64_t BlockCache::NewReaderId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace cairn::sstable
