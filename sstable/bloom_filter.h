// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// A classic bloom filter over partition key bytes (the Filter component; layout in
// FORMAT.md, "Filter").
//
// Hash: h = XXH3-64(key, seed 0) (common/checksum.h, Checksum64). The k probe positions
// are Kirsch–Mitzenmacher double hashing in 64-bit arithmetic:
//   delta = rotr64(h, 33) | 1;  for i in 0..k-1: bit (h mod m) is set; h += delta
// Bit b lives in byte b/8 at bit position b%8 (least significant first).
// Sizing for a target false-positive chance p and n keys (the optimum):
//   bits/key = -ln(p) / ln(2)^2,  k = round(bits/key * ln 2) clamped to [1, 30],
//   m = max(64, ceil(n * bits/key)).
// Thread-safety: const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::sstable {

class BloomFilter {
 public:
  // The hash the filter uses; the writer collects these while adding partitions.
  static uint64_t Hash(std::string_view key);

  // Builds a filter holding `hashes`, sized for `fp_chance`.
  static BloomFilter Build(const std::vector<uint64_t>& hashes, double fp_chance);

  // Wraps stored bits. REQUIRES: bits.size() * 8 >= num_bits, num_bits > 0, 1 <= k <= 30.
  BloomFilter(uint32_t num_hashes, uint64_t num_bits, std::string bits);
  BloomFilter() = default;

  bool MayContainHash(uint64_t h) const;
  bool MayContain(std::string_view key) const { return MayContainHash(Hash(key)); }

  uint32_t num_hashes() const { return num_hashes_; }
  uint64_t num_bits() const { return num_bits_; }
  const std::string& bits() const { return bits_; }

 private:
  void AddHash(uint64_t h);

  uint32_t num_hashes_ = 0;
  uint64_t num_bits_ = 0;  // 0 = empty filter: contains nothing
  std::string bits_;
};

}  // namespace cairn::sstable
