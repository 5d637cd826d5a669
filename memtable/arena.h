// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Arena: a thread-safe, monotonic memory resource for a memtable. Allocation bumps a
// pointer in the current block (blocks grow from 8 KiB to 256 KiB, so a small memtable
// stays small; large requests get a block of their own);
// deallocation is a no-op; everything is returned at once when the arena dies. This is
// what leveldb's Arena does for its memtable, as a std::pmr::memory_resource so standard
// containers can live in it.
//
// Why: a memtable makes several small allocations per write and frees them all together
// after its flush. Bump allocation avoids malloc's per-call cost and fragmentation, and
// dropping a memtable becomes freeing a few hundred blocks instead of walking millions
// of nodes. The arena's size is also an exact measure of the memtable's memory.
//
// Thread-safety: allocate() may be called concurrently (one short mutex per call).
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <memory_resource>
#include <mutex>
#include <vector>

namespace cairn::memtable {

class Arena final : public std::pmr::memory_resource {
 public:
  Arena() = default;
  ~Arena() override;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Bytes obtained from the system so far (blocks), including unused tails.
  size_t memory_usage() const { return memory_usage_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kFirstBlockSize = 8 * 1024;
  static constexpr size_t kMaxBlockSize = 256 * 1024;

  void* do_allocate(size_t bytes, size_t alignment) override;
  void do_deallocate(void*, size_t, size_t) override {}
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    return this == &other;
  }
  char* NewBlock(size_t bytes);

  std::mutex mu_;
  char* ptr_ = nullptr;     // GUARDED_BY(mu_): next free byte of the current block
  size_t remaining_ = 0;    // GUARDED_BY(mu_)
  size_t next_block_size_ = kFirstBlockSize;  // GUARDED_BY(mu_)
  std::vector<char*> blocks_;  // GUARDED_BY(mu_)
  std::atomic<size_t> memory_usage_{0};
};

}  // namespace cairn::memtable
