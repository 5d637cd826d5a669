// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "memtable/memtable.h"

#include <algorithm>

namespace cairn::memtable {

namespace {
// Bookkeeping overhead per map node, roughly (node header + allocator slack).
constexpr size_t kNodeOverhead = 64;

bool RangeStartLess(const RangeTombstone& a, const RangeTombstone& b,
                    const AbstractType& comparator) {
  if (a.start.empty() || b.start.empty()) return a.start.empty() && !b.start.empty();
  return comparator.Compare(a.start, b.start) < 0;
}
}  // namespace

class Memtable::Iterator final : public PartitionIterator {
 public:
  explicit Iterator(const Memtable* table) : table_(table) {}

  void SeekToFirst() override {
    std::shared_lock lock(table_->map_mu_);
    it_ = table_->partitions_.begin();
    Load();
  }
  void Seek(const DecoratedKey& target) override {
    std::shared_lock lock(table_->map_mu_);
    it_ = table_->partitions_.lower_bound(target);
    Load();
  }
  bool Valid() const override { return valid_; }
  void Next() override {
    std::shared_lock lock(table_->map_mu_);
    ++it_;
    Load();
  }
  const DecoratedKey& key() const override { return it_->first; }
  const PartitionUpdate& partition() const override { return current_; }
  Status status() const override { return Status::OK(); }

 private:
  // REQUIRES: map_mu_ held (shared).
  void Load() {
    valid_ = it_ != table_->partitions_.end();
    if (valid_) current_ = table_->Snapshot(*it_->second, CellFilter::All());
  }

  const Memtable* table_;
  PartitionMap::const_iterator it_;
  bool valid_ = false;
  PartitionUpdate current_;
};

Memtable::Memtable(TypePtr comparator, const Clock* clock)
    : comparator_(std::move(comparator)), clock_(clock) {}

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

void Memtable::Apply(const DecoratedKey& key, const PartitionUpdate& update) {
  MemPartition* p = nullptr;
  {
    std::shared_lock lock(map_mu_);
    auto it = partitions_.find(key);
    if (it != partitions_.end()) p = it->second.get();
  }
  if (p == nullptr) {
    std::unique_lock lock(map_mu_);
    auto [it, inserted] = partitions_.try_emplace(key, nullptr);
    if (inserted) {
      it->second = std::make_unique<MemPartition>(comparator_.get());
      memory_usage_.fetch_add(sizeof(MemPartition) + kNodeOverhead + key.key.size() +
                                  key.token.bytes.size(),
                              std::memory_order_relaxed);
    }
    p = it->second.get();
  }

  const int32_t now = clock_->NowSeconds();
  int64_t added = 0;
  {
    std::lock_guard lock(p->mu);
    if (!update.deletion.IsLive()) {
      p->deletion.Merge(update.deletion);
      NoteTimestamp(update.deletion.marked_for_delete_at);
    }
    for (const RangeTombstone& rt : update.range_tombstones) {
      auto pos = std::upper_bound(p->range_tombstones.begin(), p->range_tombstones.end(), rt,
                                  [&](const RangeTombstone& a, const RangeTombstone& b) {
                                    return RangeStartLess(a, b, *comparator_);
                                  });
      p->range_tombstones.insert(pos, rt);
      added += static_cast<int64_t>(sizeof(RangeTombstone) + rt.start.size() + rt.end.size());
      NoteTimestamp(rt.deletion.marked_for_delete_at);
    }
    for (const Cell& cell : update.cells) {
      NoteTimestamp(cell.timestamp);
      auto it = p->cells.find(std::string_view(cell.name));
      if (it == p->cells.end()) {
        p->cells.emplace(cell.name, cell);
        added += static_cast<int64_t>(sizeof(Cell) + kNodeOverhead + 2 * cell.name.size() +
                                      cell.value.size());
      } else {
        const Cell& winner = Reconcile(it->second, cell, now);
        if (&winner == &cell) {
          added += static_cast<int64_t>(cell.value.size()) -
                   static_cast<int64_t>(it->second.value.size());
          it->second = cell;
        }
      }
    }
  }
  if (added >= 0) {
    memory_usage_.fetch_add(static_cast<size_t>(added), std::memory_order_relaxed);
  } else {
    memory_usage_.fetch_sub(static_cast<size_t>(-added), std::memory_order_relaxed);
  }
}

PartitionUpdate Memtable::Snapshot(const MemPartition& p, const CellFilter& filter) const {
  PartitionUpdate out;
  std::lock_guard lock(p.mu);
  out.deletion = p.deletion;
  for (const RangeTombstone& rt : p.range_tombstones) {
    if (filter.Overlaps(rt, *comparator_)) out.range_tombstones.push_back(rt);
  }
  switch (filter.kind) {
    case CellFilter::Kind::kAll:
      out.cells.reserve(p.cells.size());
      for (const auto& [name, cell] : p.cells) out.cells.push_back(cell);
      break;
    case CellFilter::Kind::kNames:
      for (const std::string& name : filter.names) {
        auto it = p.cells.find(std::string_view(name));
        if (it != p.cells.end()) out.cells.push_back(it->second);
      }
      break;
    case CellFilter::Kind::kSlice: {
      auto it = filter.start.empty() ? p.cells.begin()
                                     : p.cells.lower_bound(std::string_view(filter.start));
      for (; it != p.cells.end(); ++it) {
        if (!filter.finish.empty() && comparator_->Compare(it->first, filter.finish) > 0) break;
        out.cells.push_back(it->second);
      }
      break;
    }
  }
  return out;
}

std::optional<PartitionUpdate> Memtable::Get(const DecoratedKey& key,
                                             const CellFilter& filter) const {
  const MemPartition* p = nullptr;
  {
    std::shared_lock lock(map_mu_);
    auto it = partitions_.find(key);
    if (it == partitions_.end()) return std::nullopt;
    p = it->second.get();
  }
  return Snapshot(*p, filter);
}

std::unique_ptr<PartitionIterator> Memtable::NewIterator() const {
  return std::make_unique<Iterator>(this);
}

size_t Memtable::partition_count() const {
  std::shared_lock lock(map_mu_);
  return partitions_.size();
}

}  // namespace cairn::memtable
