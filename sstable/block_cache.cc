// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "sstable/block_cache.h"

#include <atomic>

namespace cairn::sstable {

namespace {
constexpr size_t kMinSlots = 64;
constexpr size_t kNotFound = SIZE_MAX;
}  // namespace

BlockCache::BlockCache(size_t capacity_bytes)
    : capacity_(capacity_bytes), shard_capacity_(capacity_bytes / kShards) {}

uint64_t BlockCache::Hash(const Key& key) {
  // splitmix64's finalizer over the three fields: every bit of the result depends on
  // every input bit, so both the top bits (shard) and the low bits (slot) spread.
  uint64_t h = key.reader_id * 0x9E3779B97F4A7C15ull;
  h ^= key.block + 0x632BE59BD9B4E019ull + (h << 6) + (h >> 2);
  h ^= uint64_t{key.kind} << 32;
  h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
  h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
  return h ^ (h >> 31);
}

size_t BlockCache::FindSlot(const Shard& s, const Key& key, uint64_t hash) {
  if (s.slots.empty()) return kNotFound;
  const size_t mask = s.slots.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = s.slots[i];
    if (slot.state == SlotState::kEmpty) return kNotFound;
    if (slot.state == SlotState::kFull && slot.key == key) return i;
  }
}

void BlockCache::EvictOne(Shard& s) {
  const size_t mask = s.slots.size() - 1;
  for (;;) {  // at most two turns: the first clears every reference bit
    Slot& slot = s.slots[s.hand];
    s.hand = (s.hand + 1) & mask;
    if (slot.state != SlotState::kFull) continue;
    if (slot.referenced) {
      slot.referenced = false;
      continue;
    }
    slot.state = SlotState::kDeleted;
    slot.value.reset();
    s.usage -= slot.charge;
    --s.live;
    ++s.deleted;
    return;
  }
}

void BlockCache::Rehash(Shard& s) {
  size_t size = kMinSlots;
  while (size * 5 < (s.live + 1) * 10) size *= 2;  // load at most 50 % after the rebuild
  std::vector<Slot> old(size);
  old.swap(s.slots);
  const size_t mask = size - 1;
  for (Slot& slot : old) {
    if (slot.state != SlotState::kFull) continue;
    size_t i = Hash(slot.key) & mask;
    while (s.slots[i].state != SlotState::kEmpty) i = (i + 1) & mask;
    s.slots[i] = std::move(slot);
  }
  s.deleted = 0;
  s.hand = 0;
}

std::shared_ptr<const void> BlockCache::Lookup(const Key& key) {
  const uint64_t hash = Hash(key);
  Shard& s = ShardFor(hash);
  std::lock_guard lock(s.mu);
  const size_t i = FindSlot(s, key, hash);
  if (i == kNotFound) {
    ++s.misses;
    return nullptr;
  }
  ++s.hits;
  Slot& slot = s.slots[i];
  slot.referenced = true;
  return slot.value;
}

void BlockCache::Insert(const Key& key, std::shared_ptr<const void> value, size_t charge) {
  if (charge > shard_capacity_) return;
  const uint64_t hash = Hash(key);
  Shard& s = ShardFor(hash);
  std::lock_guard lock(s.mu);
  if (const size_t i = FindSlot(s, key, hash); i != kNotFound) {
    Slot& slot = s.slots[i];
    s.usage += charge - slot.charge;
    slot.value = std::move(value);
    slot.charge = charge;
    // Evicting may take this very entry, never more: charge <= shard_capacity_.
    while (s.usage > shard_capacity_) EvictOne(s);
    return;
  }
  while (s.usage + charge > shard_capacity_ && s.live > 0) EvictOne(s);
  // Keep live + tombstones at most 3/4 of the table, so probes stay short and end.
  if (s.slots.empty() || (s.live + s.deleted + 1) * 4 > s.slots.size() * 3) Rehash(s);
  const size_t mask = s.slots.size() - 1;
  size_t i = hash & mask;
  while (s.slots[i].state == SlotState::kFull) i = (i + 1) & mask;
  Slot& slot = s.slots[i];
  if (slot.state == SlotState::kDeleted) --s.deleted;
  slot.key = key;
  slot.value = std::move(value);
  slot.charge = charge;
  slot.state = SlotState::kFull;
  // Not referenced until looked up again: a block read once (a scan of cold data, one
  // random read) is the first the hand evicts, and blocks in use stay.
  slot.referenced = false;
  ++s.live;
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

size_t BlockCache::usage() const {
  return SumShards([](const Shard& s) { return s.usage; });
}
uint64_t BlockCache::hits() const {
  return SumShards([](const Shard& s) { return s.hits; });
}
uint64_t BlockCache::misses() const {
  return SumShards([](const Shard& s) { return s.misses; });
}

uint64_t BlockCache::NewReaderId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace cairn::sstable
