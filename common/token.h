// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Token and DecoratedKey: the position of a partition on the ring.
//
// Storage (memtable/, sstable/) orders partitions by token and never needs to know which
// partitioner made the token, so a Token is held here in one partitioner-neutral form:
// a byte string whose memcmp order is the partitioner's token order. ring/ owns the
// partitioners that produce them (Murmur3Partitioner: 8 bytes, the signed 64-bit token
// big-endian with the sign bit flipped; RandomPartitioner: 16 bytes big-endian;
// ByteOrderedPartitioner: the key bytes themselves). Tokens of different partitioners
// are never compared.
#pragma once

#include <compare>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace cairn {

struct Token {
  std::string bytes;  // memcmp-ordered encoding; see the file comment

  friend bool operator==(const Token&, const Token&) = default;
  friend std::strong_ordering operator<=>(const Token& a, const Token& b) {
    int c = a.bytes.compare(b.bytes);
    return c < 0 ? std::strong_ordering::less
                 : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
  }
};

// A partition key with its token. Ordered by token, then by key bytes (unsigned).
struct DecoratedKey {
  Token token;
  std::string key;

  friend bool operator==(const DecoratedKey&, const DecoratedKey&) = default;
  friend std::strong_ordering operator<=>(const DecoratedKey& a, const DecoratedKey& b) {
    if (auto c = a.token <=> b.token; c != 0) return c;
    int c = a.key.compare(b.key);
    return c < 0 ? std::strong_ordering::less
                 : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
  }
};

// The first 8 bytes of a token, big-endian, zero-padded. Comparing two prefixes as
// integers orders tokens as their bytes do, except on a tie, when the bytes decide. A
// Murmur3 token is exactly 8 bytes, so sorted structures (the memtable's map, an SSTable
// index block) keep prefixes beside the keys and compare integers instead of calling
// memcmp on bytes stored elsewhere (a cache miss each).
inline uint64_t TokenPrefix(std::string_view token) {
  uint64_t p = 0;
  const size_t n = token.size() < 8 ? token.size() : 8;
  for (size_t i = 0; i < n; ++i) p |= uint64_t{static_cast<uint8_t>(token[i])} << (56 - 8 * i);
  return p;
}

}  // namespace cairn
