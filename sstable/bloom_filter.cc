// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "sstable/bloom_filter.h"

#include <algorithm>
#include <cmath>

#include "common/checksum.h"

namespace cairn::sstable {

uint64_t BloomFilter::Hash(std::string_view key) { return Checksum64(key, 0); }

BloomFilter::BloomFilter(uint32_t num_hashes, uint64_t num_bits, std::string bits)
    : num_hashes_(num_hashes), num_bits_(num_bits), bits_(std::move(bits)) {}

BloomFilter BloomFilter::Build(const std::vector<uint64_t>& hashes, double fp_chance) {
  const double ln2 = std::log(2.0);
  double bits_per_key = -std::log(fp_chance) / (ln2 * ln2);
  uint32_t k = static_cast<uint32_t>(std::lround(bits_per_key * ln2));
  k = std::clamp<uint32_t>(k, 1, 30);
  uint64_t m = static_cast<uint64_t>(std::ceil(static_cast<double>(hashes.size()) * bits_per_key));
  m = std::max<uint64_t>(m, 64);
  BloomFilter f(k, m, std::string((m + 7) / 8, '\0'));
  for (uint64_t h : hashes) f.AddHash(h);
  return f;
}

void BloomFilter::AddHash(uint64_t h) {
  const uint64_t delta = ((h >> 33) | (h << 31)) | 1;
  for (uint32_t i = 0; i < num_hashes_; ++i) {
    uint64_t b = h % num_bits_;
    bits_[b / 8] = static_cast<char>(static_cast<unsigned char>(bits_[b / 8]) | (1u << (b % 8)));
    h += delta;
  }
}

bool BloomFilter::MayContainHash(uint64_t h) const {
  if (num_bits_ == 0) return false;
  const uint64_t delta = ((h >> 33) | (h << 31)) | 1;
  for (uint32_t i = 0; i < num_hashes_; ++i) {
    uint64_t b = h % num_bits_;
    if ((static_cast<unsigned char>(bits_[b / 8]) & (1u << (b % 8))) == 0) return false;
    h += delta;
  }
  return true;
}

}  // namespace cairn::sstable
