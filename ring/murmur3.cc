// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Cassandra-compatible MurmurHash3 x64_128; see murmur3.h for the tail-byte quirk.
#include "ring/murmur3.h"

namespace cairn::ring {
namespace {

constexpr uint64_t kC1 = 0x87c37b91114253d5ULL;
constexpr uint64_t kC2 = 0x4cf5ad432745937fULL;

inline uint64_t Rotl64(uint64_t v, int n) { return (v << n) | (v >> (64 - n)); }

inline uint64_t Fmix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

inline uint64_t GetBlockLE(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// A tail byte as Java sees it: a signed byte widened (sign-extended) to long.
inline uint64_t SignedByte(unsigned char b) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<signed char>(b)));
}

}  // namespace

void CassandraMurmur3Hash128(const void* data, size_t len, uint64_t seed, uint64_t out[2]) {
  const auto* p = static_cast<const unsigned char*>(data);
  const size_t nblocks = len >> 4;
  uint64_t h1 = seed;
  uint64_t h2 = seed;

  for (size_t i = 0; i < nblocks; ++i) {
    uint64_t k1 = GetBlockLE(p + i * 16);
    uint64_t k2 = GetBlockLE(p + i * 16 + 8);

    k1 *= kC1;
    k1 = Rotl64(k1, 31);
    k1 *= kC2;
    h1 ^= k1;
    h1 = Rotl64(h1, 27);
    h1 += h2;
    h1 = h1 * 5 + 0x52dce729;

    k2 *= kC2;
    k2 = Rotl64(k2, 33);
    k2 *= kC1;
    h2 ^= k2;
    h2 = Rotl64(h2, 31);
    h2 += h1;
    h2 = h2 * 5 + 0x38495ab5;
  }

  const unsigned char* tail = p + nblocks * 16;
  const size_t rem = len & 15;
  uint64_t k1 = 0;
  uint64_t k2 = 0;
  // Bytes 8..14 of the tail go to k2, bytes 0..7 to k1, each sign-extended first
  // (Cassandra's quirk). XOR order does not matter, so plain loops replace the switch.
  if (rem > 8) {
    for (size_t i = rem; i-- > 8;) k2 ^= SignedByte(tail[i]) << (8 * (i - 8));
    k2 *= kC2;
    k2 = Rotl64(k2, 33);
    k2 *= kC1;
    h2 ^= k2;
  }
  if (rem > 0) {
    const size_t n = rem < 8 ? rem : 8;
    for (size_t i = n; i-- > 0;) k1 ^= SignedByte(tail[i]) << (8 * i);
    k1 *= kC1;
    k1 = Rotl64(k1, 31);
    k1 *= kC2;
    h1 ^= k1;
  }

  h1 ^= static_cast<uint64_t>(len);
  h2 ^= static_cast<uint64_t>(len);
  h1 += h2;
  h2 += h1;
  h1 = Fmix(h1);
  h2 = Fmix(h2);
  h1 += h2;
  h2 += h1;
  out[0] = h1;
  out[1] = h2;
}

int64_t CassandraMurmur3Hash64(const void* data, size_t len) {
  uint64_t out[2];
  CassandraMurmur3Hash128(data, len, 0, out);
  return static_cast<int64_t>(out[0]);
}

}  // namespace cairn::ring
