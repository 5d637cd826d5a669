// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Size-tiered compaction (Cassandra's SizeTieredCompactionStrategy): SSTables of similar
// size are grouped into buckets; a bucket with at least min_threshold members is
// compacted, at most max_threshold of them at once. Pure selection logic: the caller
// (node/column_family_store.cc) runs the chosen compaction.
#pragma once

#include <cstdint>
#include <vector>

namespace cairn::sstable {

struct SizeTieredOptions {
  // Fewest SSTables in a bucket before it is compacted. Default: 4 (Cassandra's).
  int min_threshold = 4;
  // Most SSTables compacted at once. Default: 32 (Cassandra's).
  int max_threshold = 32;
  // An SSTable joins a bucket when its size is within [bucket_low, bucket_high] times
  // the bucket's average size. Defaults: 0.5 and 1.5 (Cassandra's).
  double bucket_low = 0.5;
  double bucket_high = 1.5;
  // SSTables smaller than this all share one bucket, whatever their ratios.
  // Default: 50 MiB (Cassandra's min_sstable_size).
  uint64_t min_sstable_size_bytes = 50ull << 20;
};

struct SSTableSize {
  uint64_t generation;
  uint64_t size_bytes;
};

// Groups SSTables into size buckets, each sorted by size ascending.
std::vector<std::vector<SSTableSize>> SizeTieredBuckets(std::vector<SSTableSize> sstables,
                                                        const SizeTieredOptions& options);

// The generations to compact next, or empty when no bucket has min_threshold members.
// Among eligible buckets the one with the smallest average size wins: it is the cheapest
// to merge and reduces the SSTable count (hence read amplification) just as much.
// (Cassandra ranks by read hotness; we have no read meters yet.)
std::vector<uint64_t> SizeTieredCandidates(const std::vector<SSTableSize>& sstables,
                                           const SizeTieredOptions& options);

}  // namespace cairn::sstable
