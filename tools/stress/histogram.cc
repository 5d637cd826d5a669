// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Log-linear histogram (see histogram.h for the bucket layout and its precision).
#include "tools/stress/histogram.h"

#include <algorithm>
#include <bit>

namespace cairn::stress {

Histogram::Histogram() : counts_(static_cast<size_t>(kBuckets), 0) {}

void Histogram::Merge(const Histogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
  min_ = std::min(min_, other.min_);
}

void Histogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = 0;
  sum_ = 0;
  max_ = 0;
  min_ = UINT64_MAX;
}

double Histogram::Mean() const {
  return total_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(total_);
}

uint64_t Histogram::Percentile(double q) const {
  if (total_ == 0) return 0;
  uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(total_) + 0.5);
  rank = std::clamp<uint64_t>(rank, 1, total_);
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[static_cast<size_t>(i)];
    if (seen >= rank) return std::min(UpperEdge(i), max_);
  }
  return max_;
}

int Histogram::Index(uint64_t v) {
  if (v < 2 * kHalf) return static_cast<int>(v);
  const int msb = 63 - std::countl_zero(v);  // >= kSubBits
  const int shift = msb - (kSubBits - 1);    // v >> shift is in [kHalf, 2 kHalf)
  return static_cast<int>(static_cast<uint64_t>(shift) * kHalf + (v >> shift));
}

uint64_t Histogram::UpperEdge(int index) {
  if (index < static_cast<int>(2 * kHalf)) return static_cast<uint64_t>(index);
  const uint64_t shift = static_cast<uint64_t>(index) / kHalf - 1;
  const uint64_t mantissa = static_cast<uint64_t>(index) % kHalf + kHalf;
  // For the top octave (shift 56) the edge is 2^64 - 1: the shift wraps to exactly that.
  return ((mantissa + 1) << shift) - 1;
}

}  // namespace cairn::stress
