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
    ResetLive();
    Settle();
  }
  void Seek(const DecoratedKey& target) override {
    for (auto& c : children_) c->Seek(target);
    ResetLive();
    Settle();
  }
  bool Valid() const override { return valid_; }
  void Next() override {
    for (PartitionIterator* c : at_key_) c->Next();
    Settle();
  }
  const DecoratedKey& key() const override { return *key_ptr_; }
  const PartitionUpdate& partition() const override { return *current_ptr_; }
  Status status() const override { return status_; }

 private:
  void ResetLive() {
    live_.clear();
    for (auto& c : children_) live_.push_back(c.get());
  }

  // Finds the smallest key among the children and merges every child positioned on it.
  // The number of sources is small (a few memtables and SSTables), so a linear scan
  // beats a heap here.
  void Settle() {
    valid_ = false;
    at_key_.clear();
    // Children that ran out leave live_ for good (only a Seek brings them back), so a
    // scan whose other sources are empty or exhausted compares no keys at all.
    size_t n = 0;
    for (PartitionIterator* c : live_) {
      if (!c->Valid()) {
        Status st = c->status();
        if (!st.ok()) {
          status_ = st;
          live_.resize(n);
          return;
        }
        continue;
      }
      live_[n++] = c;
    }
    live_.resize(n);
    if (n == 0) return;
    if (n == 1) {
      PartitionIterator* only = live_[0];
      at_key_.push_back(only);
      key_ptr_ = &only->key();
      current_ptr_ = &only->partition();
      valid_ = true;
      return;
    }
    const DecoratedKey* smallest = nullptr;
    for (PartitionIterator* c : live_) {
      if (smallest == nullptr || c->key() < *smallest) smallest = &c->key();
    }
    // Which children sit on the smallest key; Next() advances exactly those. The key is
    // read from a child (valid until it moves), never copied.
    for (PartitionIterator* c : live_) {
      if (&c->key() == smallest || c->key() == *smallest) at_key_.push_back(c);
    }
    key_ptr_ = smallest;
    // The common case is a key held by one source only: point at its partition rather
    // than copying it.
    if (at_key_.size() == 1) {
      current_ptr_ = &at_key_[0]->partition();
      valid_ = true;
      return;
    }
    // Merge in children_ order, as before live_ existed (live_ keeps that order).
    const int32_t now = clock_->NowSeconds();
    current_ = at_key_[0]->partition();
    for (size_t i = 1; i < at_key_.size(); ++i) {
      current_.MergeFrom(at_key_[i]->partition(), *comparator_, now);
    }
    current_ptr_ = &current_;
    valid_ = true;
  }

  std::vector<std::unique_ptr<PartitionIterator>> children_;
  TypePtr comparator_;
  const Clock* clock_;
  bool valid_ = false;
  std::vector<PartitionIterator*> live_;    // children not yet exhausted, in order
  const DecoratedKey* key_ptr_ = nullptr;   // the smallest child's key
  std::vector<PartitionIterator*> at_key_;  // children positioned on *key_ptr_
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
