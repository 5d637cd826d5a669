// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// A log-linear (HdrHistogram-style) histogram of non-negative integers, used for
// latencies in nanoseconds by cairn-stress and bench/thrift_bench.
//
// Precision: values below 256 are counted exactly. Above, each power of two
// [2^e, 2^(e+1)) is cut into 128 equal buckets, so a bucket is at most 1/128 of the
// values it holds wide: a reported percentile is the upper edge of the bucket holding
// the value of that rank, never below the exact value and at most 1/128 (0.78 %) above
// it. The whole 64-bit range is covered (7424 buckets, 58 KiB).
//
// Recording is an index computation and two increments. Histograms of several threads
// are combined by Merge (adding counts), so percentiles over a whole run come from every
// sample, not from averaging intervals.
//
// Thread-safety: none; give each thread its own and merge.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cairn::stress {

class Histogram {
 public:
  static constexpr int kSubBits = 8;  // 256 exact values, then 128 buckets per octave
  static constexpr uint64_t kHalf = uint64_t{1} << (kSubBits - 1);
  static constexpr int kBuckets = (64 - kSubBits + 2) * static_cast<int>(kHalf);
  // The largest relative error of Percentile() for values >= 2 * kHalf.
  static constexpr double kRelativeError = 1.0 / static_cast<double>(kHalf);

  Histogram();

  void Record(uint64_t v) {
    ++counts_[static_cast<size_t>(Index(v))];
    ++total_;
    sum_ += v;
    if (v > max_) max_ = v;
    if (v < min_) min_ = v;
  }
  void Merge(const Histogram& other);
  // Forgets every value.
  void Reset();

  uint64_t count() const { return total_; }
  // 0 when empty.
  uint64_t max() const { return max_; }
  uint64_t min() const { return total_ == 0 ? 0 : min_; }
  // The exact arithmetic mean (sums are kept exactly); 0 when empty.
  double Mean() const;
  // The value at quantile q in (0, 1]: the upper edge of the bucket holding the value of
  // rank round(q * count) (at least 1), capped at max(). 0 when empty.
  uint64_t Percentile(double q) const;

  // Bucket arithmetic, public for tests.
  static int Index(uint64_t v);
  static uint64_t UpperEdge(int index);

 private:
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  // Wraps after 2^64 ns summed (584 years of latency); not a concern.
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
  uint64_t min_ = UINT64_MAX;
};

}  // namespace cairn::stress
