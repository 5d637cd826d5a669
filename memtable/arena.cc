// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "memtable/arena.h"

#include <algorithm>
#include <cstdint>
#include <new>

namespace cairn::memtable {

Arena::~Arena() {
  for (char* b : blocks_) ::operator delete[](b, std::align_val_t{alignof(std::max_align_t)});
}

char* Arena::NewBlock(size_t bytes) {
  char* b = static_cast<char*>(
      ::operator new[](bytes, std::align_val_t{alignof(std::max_align_t)}));
  blocks_.push_back(b);
  memory_usage_.fetch_add(bytes + sizeof(char*), std::memory_order_relaxed);
  return b;
}

void* Arena::do_allocate(size_t bytes, size_t alignment) {
  std::lock_guard lock(mu_);
  const size_t pad = (alignment - (reinterpret_cast<uintptr_t>(ptr_) & (alignment - 1))) &
                     (alignment - 1);
  if (ptr_ != nullptr && bytes + pad <= remaining_) {
    char* p = ptr_ + pad;
    ptr_ += bytes + pad;
    remaining_ -= bytes + pad;
    return p;
  }
  if (bytes > next_block_size_ / 4) {
    // Big requests get their own block so the current block's tail is not wasted.
    return NewBlock(bytes);
  }
  const size_t size = next_block_size_;
  next_block_size_ = std::min(next_block_size_ * 2, kMaxBlockSize);
  ptr_ = NewBlock(size);
  remaining_ = size - bytes;
  char* p = ptr_;
  ptr_ += bytes;
  return p;
}

}  // namespace cairn::memtable
