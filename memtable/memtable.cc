// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "memtable/memtable.h"

#include <algorithm>

#include "common/checksum.h"

namespace cairn::memtable {

namespace {
bool StartLess(std::string_view a, std::string_view b, const AbstractType& comparator) {
  if (a.empty() || b.empty()) return a.empty() && !b.empty();
  return comparator.Compare(a, b) < 0;
}
}  // namespace

class Memtable::Iterator final : public PartitionIterator {
 public:
  explicit Iterator(const Memtable* table) : table_(table) {}

  void SeekToFirst() override {
    std::shared_lock lock(table_->map_mu_);
    it_ = table_->partitions_->begin();
    Load();
  }
  void Seek(const DecoratedKey& target) override {
    std::shared_lock lock(table_->map_mu_);
    it_ = table_->partitions_->lower_bound(TokenView{target.token.bytes, target.key});
    Load();
  }
  bool Valid() const override { return valid_; }
  void Next() override {
    std::shared_lock lock(table_->map_mu_);
    ++it_;
    Load();
  }
  const DecoratedKey& key() const override { return key_; }
  const PartitionUpdate& partition() const override { return current_; }
  Status status() const override { return Status::OK(); }

 private:
  // REQUIRES: map_mu_ held (shared).
  void Load() {
    valid_ = it_ != table_->partitions_->end();
    if (!valid_) return;
    key_.token.bytes.assign(it_->first.token);
    key_.key.assign(it_->first.key);
    current_ = table_->Snapshot(*it_->second, CellFilter::All());
  }

  const Memtable* table_;
  PartitionMap::const_iterator it_;
  bool valid_ = false;
  DecoratedKey key_;
  PartitionUpdate current_;
};

Memtable::Memtable(TypePtr comparator, const Clock* clock)
    : comparator_(std::move(comparator)), clock_(clock), arena_(std::make_unique<Arena>()) {
  void* mem = arena_->allocate(sizeof(PartitionMap), alignof(PartitionMap));
  partitions_ = new (mem) PartitionMap(arena_.get());
  constexpr size_t kInitialSlots = 64;
  index_ = std::make_unique<IndexSlot[]>(kInitialSlots);
  index_mask_ = kInitialSlots - 1;
  index_bytes_ = kInitialSlots * sizeof(IndexSlot);
}

uint64_t Memtable::HashOf(const TokenView& view) {
  // The key decides the token, so it identifies the partition; the token prefix seeds the
  // hash so that keys whose tokens differ hash apart whatever the partitioner.
  const uint64_t h = Checksum64(view.key, view.prefix);
  return h == 0 ? 1 : h;
}

Memtable::MemPartition* Memtable::Lookup(const TokenView& view, uint64_t hash) const {
  for (size_t i = hash & index_mask_;; i = (i + 1) & index_mask_) {
    const IndexSlot& slot = index_[i];
    if (slot.hash == 0) return nullptr;
    if (slot.hash == hash && slot.key->prefix == view.prefix &&
        std::string_view(slot.key->key) == std::string_view(view.key) &&
        std::string_view(slot.key->token) == std::string_view(view.token)) {
      return slot.partition;
    }
  }
}

void Memtable::IndexInsert(uint64_t hash, const MemKey* key, MemPartition* partition) {
  const size_t count = partition_count_.load(std::memory_order_relaxed) + 1;
  if (count * 2 > index_mask_ + 1) {
    const size_t slots = (index_mask_ + 1) * 2;
    auto grown = std::make_unique<IndexSlot[]>(slots);
    for (size_t i = 0; i <= index_mask_; ++i) {
      const IndexSlot& slot = index_[i];
      if (slot.hash == 0) continue;
      size_t j = slot.hash & (slots - 1);
      while (grown[j].hash != 0) j = (j + 1) & (slots - 1);
      grown[j] = slot;
    }
    index_ = std::move(grown);
    index_mask_ = slots - 1;
    index_bytes_.store(slots * sizeof(IndexSlot), std::memory_order_relaxed);
  }
  size_t i = hash & index_mask_;
  while (index_[i].hash != 0) i = (i + 1) & index_mask_;
  index_[i] = IndexSlot{hash, key, partition};
}

// Nothing in the arena is destroyed (see the header): dropping the arena frees it all.
Memtable::~Memtable() = default;

void Memtable::NoteTimestamp(int64_t ts) {
  int64_t cur = min_timestamp_.load(std::memory_order_relaxed);
  while ((cur == kNoTimestamp || ts < cur) &&
         !min_timestamp_.compare_exchange_weak(cur, ts, std::memory_order_relaxed)) {
  }
  cur = max_timestamp_.load(std::memory_order_relaxed);
  while ((cur == kNoTimestamp || ts > cur) &&
         !max_timestamp_.compare_exchange_weak(cur, ts, std::memory_order_relaxed)) {
  }
}

Memtable::MemPartition* Memtable::Find(const DecoratedKey& key) const {
  // An empty memtable (right after a flush or a restart) is common: no hash needed.
  if (partition_count_.load(std::memory_order_relaxed) == 0) return nullptr;
  const TokenView view{key.token.bytes, key.key};
  const uint64_t hash = HashOf(view);
  std::shared_lock lock(map_mu_);
  return Lookup(view, hash);
}

void Memtable::Apply(const DecoratedKey& key, const PartitionUpdate& update) {
  // An existing partition is found through the hash index. For a new one the tree is
  // descended under the shared lock too (writers descend in parallel), and its lower
  // bound is the insert hint under the exclusive lock, which then only links the node
  // and fills the index. partition_count_ only changes under the exclusive lock: if it
  // moved, another writer may have created this very partition, so the index is asked
  // again. The hint needs no new descent: the map never erases, so it stays a valid
  // iterator, and emplace_hint checks it against its neighbours and descends itself only
  // when another insert landed in the same gap.
  const TokenView view{key.token.bytes, key.key};
  const uint64_t hash = HashOf(view);
  MemPartition* p;
  PartitionMap::iterator hint;
  size_t seen_count = 0;
  {
    std::shared_lock lock(map_mu_);
    p = Lookup(view, hash);
    if (p == nullptr) {
      hint = partitions_->lower_bound(view);
      seen_count = partition_count_.load(std::memory_order_relaxed);
    }
  }
  if (p == nullptr) {
    std::unique_lock lock(map_mu_);
    if (partition_count_.load(std::memory_order_relaxed) != seen_count) p = Lookup(view, hash);
    if (p == nullptr) {
      void* mem = arena_->allocate(sizeof(MemPartition), alignof(MemPartition));
      p = new (mem) MemPartition(comparator_.get(), arena_.get());
      auto it = partitions_->emplace_hint(
          hint,
          MemKey{view.prefix, std::pmr::string(key.token.bytes, arena_.get()),
                 std::pmr::string(key.key, arena_.get())},
          p);
      IndexInsert(hash, &it->first, p);
      partition_count_.fetch_add(1, std::memory_order_relaxed);
    }
  }

  const int32_t now = clock_->NowSeconds();
  std::lock_guard lock(p->mu);
  if (!update.deletion.IsLive()) {
    p->deletion.Merge(update.deletion);
    NoteTimestamp(update.deletion.marked_for_delete_at);
  }
  for (const RangeTombstone& rt : update.range_tombstones) {
    auto pos = std::upper_bound(p->range_tombstones.begin(), p->range_tombstones.end(), rt,
                                [&](const RangeTombstone& a, const MemRangeTombstone& b) {
                                  return StartLess(a.start, b.start, *comparator_);
                                });
    p->range_tombstones.insert(pos, MemRangeTombstone{std::pmr::string(rt.start, arena_.get()),
                                                      std::pmr::string(rt.end, arena_.get()),
                                                      rt.deletion});
    NoteTimestamp(rt.deletion.marked_for_delete_at);
  }
  for (const Cell& cell : update.cells) {
    NoteTimestamp(cell.timestamp);
    auto it = p->cells.find(std::string_view(cell.name));
    if (it == p->cells.end()) {
      p->cells.emplace(std::piecewise_construct,
                       std::forward_as_tuple(cell.name),
                       std::forward_as_tuple(MemCell{std::pmr::string(cell.value, arena_.get()),
                                                     cell.timestamp, cell.kind, cell.ttl,
                                                     cell.local_time}));
      continue;
    }
    MemCell& m = it->second;
    // Reconcile needs Cells; only the existing version has to be materialized.
    Cell existing{std::string(), std::string(m.value), m.timestamp, m.kind, m.ttl,
                  m.local_time};
    Cell incoming{std::string(), cell.value, cell.timestamp, cell.kind, cell.ttl,
                  cell.local_time};
    if (NeedsMerge(existing, incoming)) {
      // Counter shards merge (common/counter.h).
      Cell merged = Merge(existing, incoming, now);
      m.value.assign(merged.value);
      m.timestamp = merged.timestamp;
    } else if (&Reconcile(existing, incoming, now) == &incoming) {
      m.value.assign(cell.value);
      m.timestamp = cell.timestamp;
      m.kind = cell.kind;
      m.ttl = cell.ttl;
      m.local_time = cell.local_time;
    }
  }
}

PartitionUpdate Memtable::Snapshot(const MemPartition& p, const CellFilter& filter) const {
  PartitionUpdate out;
  auto emit = [&](const std::pmr::string& name, const MemCell& m) {
    out.cells.push_back(Cell{std::string(name), std::string(m.value), m.timestamp, m.kind,
                             m.ttl, m.local_time});
  };
  std::lock_guard lock(const_cast<std::mutex&>(p.mu));
  out.deletion = p.deletion;
  for (const MemRangeTombstone& m : p.range_tombstones) {
    RangeTombstone rt{std::string(m.start), std::string(m.end), m.deletion};
    if (filter.Overlaps(rt, *comparator_)) out.range_tombstones.push_back(std::move(rt));
  }
  switch (filter.kind) {
    case CellFilter::Kind::kAll:
      out.cells.reserve(p.cells.size());
      for (const auto& [name, m] : p.cells) emit(name, m);
      break;
    case CellFilter::Kind::kNames:
      for (const std::string& name : filter.names) {
        auto it = p.cells.find(std::string_view(name));
        if (it != p.cells.end()) emit(it->first, it->second);
      }
      break;
    case CellFilter::Kind::kSlice: {
      auto it = filter.start.empty() ? p.cells.begin()
                                     : p.cells.lower_bound(std::string_view(filter.start));
      for (; it != p.cells.end(); ++it) {
        if (!filter.finish.empty() && comparator_->Compare(it->first, filter.finish) > 0) break;
        emit(it->first, it->second);
      }
      break;
    }
  }
  return out;
}

std::optional<PartitionUpdate> Memtable::Get(const DecoratedKey& key,
                                             const CellFilter& filter) const {
  const MemPartition* p = Find(key);
  if (p == nullptr) return std::nullopt;
  return Snapshot(*p, filter);
}

std::unique_ptr<PartitionIterator> Memtable::NewIterator() const {
  return std::make_unique<Iterator>(this);
}

}  // namespace cairn::memtable
