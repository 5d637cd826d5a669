// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "sstable/compaction_strategy.h"

#include <algorithm>
#include <limits>

namespace cairn::sstable {

std::vector<std::vector<SSTableSize>> SizeTieredBuckets(std::vector<SSTableSize> sstables,
                                                        const SizeTieredOptions& options) {
  std::sort(sstables.begin(), sstables.end(), [](const SSTableSize& a, const SSTableSize& b) {
    return a.size_bytes < b.size_bytes || (a.size_bytes == b.size_bytes &&
                                           a.generation < b.generation);
  });
  std::vector<std::vector<SSTableSize>> buckets;
  std::vector<double> averages;
  for (const SSTableSize& s : sstables) {
    const double size = static_cast<double>(s.size_bytes);
    const double small = static_cast<double>(options.min_sstable_size_bytes);
    bool placed = false;
    for (size_t i = 0; i < buckets.size(); ++i) {
      const double avg = averages[i];
      if ((size > avg * options.bucket_low && size < avg * options.bucket_high) ||
          (size < small && avg < small)) {
        buckets[i].push_back(s);
        averages[i] = (avg * static_cast<double>(buckets[i].size() - 1) + size) /
                      static_cast<double>(buckets[i].size());
        placed = true;
        break;
      }
    }
    if (!placed) {
      buckets.push_back({s});
      averages.push_back(size);
    }
  }
  return buckets;
}

std::vector<uint64_t> SizeTieredCandidates(const std::vector<SSTableSize>& sstables,
                                           const SizeTieredOptions& options) {
  if (options.min_threshold <= 0 || options.max_threshold <= 0) return {};  // disabled
  const auto buckets = SizeTieredBuckets(sstables, options);
  const std::vector<SSTableSize>* best = nullptr;
  double best_avg = std::numeric_limits<double>::max();
  for (const auto& bucket : buckets) {
    if (static_cast<int>(bucket.size()) < options.min_threshold) continue;
    const size_t n = std::min(bucket.size(), static_cast<size_t>(options.max_threshold));
    double total = 0;
    for (size_t i = 0; i < n; ++i) total += static_cast<double>(bucket[i].size_bytes);
    const double avg = total / static_cast<double>(n);
    if (avg < best_avg) {
      best_avg = avg;
      best = &bucket;
    }
  }
  std::vector<uint64_t> out;
  if (best == nullptr) return out;
  const size_t n = std::min(best->size(), static_cast<size_t>(options.max_threshold));
  for (size_t i = 0; i < n; ++i) out.push_back((*best)[i].generation);
  return out;
}

}  // namespace cairn::sstable
