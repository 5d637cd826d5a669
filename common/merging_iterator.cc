// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "common/merging_iterator.h"

namespace cairn {

namespace {

class MergingIterator final : public PartitionIterator {
 public:
  MergingIterator(std::vector<std::unique_ptr<PartitionIterator>> children, TypePtr comparator,
                  const Clock* clock)
      : children_(std::move(children)), comparator_(std::move(comparator)), clock_(clock) {}

  void SeekToFirst() override {
    for (auto& c : children_) c->SeekToFirst();
    Settle();
  }
  void Seek(const DecoratedKey& target) override {
    for (auto& c : children_) c->Seek(target);
    Settle();
  }
  bool Valid() const override { return valid_; }
  void Next() override {
    for (auto& c : children_) {
      if (c->Valid() && c->key() == key_) c->Next();
    }
    Settle();
  }
  const DecoratedKey& key() const override { return key_; }
  const PartitionUpdate& partition() const override { return *current_ptr_; }
  Status status() const override { return status_; }

 private:
  // Finds the smallest key among the children and merges every child positioned on it.
  // The number of sources is small (a few memtables and SSTables), so a linear scan
  // beats a heap here.
  void Settle() {
    valid_ = false;
    const DecoratedKey* smallest = nullptr;
    for (auto& c : children_) {
      if (!c->Valid()) {
        Status st = c->status();
        if (!st.ok()) {
          status_ = st;
          return;
        }
        continue;
      }
      if (smallest == nullptr || c->key() < *smallest) smallest = &c->key();
    }
    if (smallest == nullptr) return;
    key_ = *smallest;
    // The common case is a key held by one source only: point at its partition rather
    // than copying it.
    PartitionIterator* only = nullptr;
    int holders = 0;
    for (auto& c : children_) {
      if (c->Valid() && c->key() == key_) {
        only = c.get();
        ++holders;
      }
    }
    if (holders == 1) {
      current_ptr_ = &only->partition();
      valid_ = true;
      return;
    }
    bool first = true;
    const int32_t now = clock_->NowSeconds();
    for (auto& c : children_) {
      if (!c->Valid() || c->key() != key_) continue;
      if (first) {
        current_ = c->partition();
        first = false;
      } else {
        current_.MergeFrom(c->partition(), *comparator_, now);
      }
    }
    current_ptr_ = &current_;
    valid_ = true;
  }

  std::vector<std::unique_ptr<PartitionIterator>> children_;
  TypePtr comparator_;
  const Clock* clock_;
  bool valid_ = false;
  DecoratedKey key_;
  PartitionUpdate current_;
  const PartitionUpdate* current_ptr_ = &current_;  // current_ or a child's partition
  Status status_;
};

}  // namespace

std::unique_ptr<PartitionIterator> NewMergingIterator(
    std::vector<std::unique_ptr<PartitionIterator>> children, TypePtr comparator,
    const Clock* clock) {
  return std::make_unique<MergingIterator>(std::move(children), std::move(comparator), clock);
}

}  // namespace cairn
