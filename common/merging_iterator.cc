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
    for (size_t i = 0; i < children_.size(); ++i) {
      if (at_key_[i]) children_[i]->Next();
    }
    Settle();
  }
  const DecoratedKey& key() const override { return *key_ptr_; }
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
    // Which children sit on the smallest key; Next() advances exactly those. The key is
    // read from a child (valid until it moves), never copied.
    at_key_.assign(children_.size(), false);
    PartitionIterator* only = nullptr;
    int holders = 0;
    for (size_t i = 0; i < children_.size(); ++i) {
      PartitionIterator* c = children_[i].get();
      if (c->Valid() && (&c->key() == smallest || c->key() == *smallest)) {
        at_key_[i] = true;
        only = c;
        ++holders;
      }
    }
    key_ptr_ = smallest;
    // The common case is a key held by one source only: point at its partition rather
    // than copying it.
    if (holders == 1) {
      current_ptr_ = &only->partition();
      valid_ = true;
      return;
    }
    bool first = true;
    const int32_t now = clock_->NowSeconds();
    for (size_t i = 0; i < children_.size(); ++i) {
      if (!at_key_[i]) continue;
      PartitionIterator* c = children_[i].get();
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
  const DecoratedKey* key_ptr_ = nullptr;  // the smallest child's key
  std::vector<bool> at_key_;               // children positioned on *key_ptr_
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
