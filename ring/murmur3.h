// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// MurmurHash3 x64_128 exactly as Apache Cassandra's org.apache.cassandra.utils.MurmurHash
// computes it, so Murmur3Partitioner tokens match Cassandra's bit for bit.
//
// Cassandra's Java port differs from the reference C++ MurmurHash3 in one place: the tail
// bytes (length % 16 != 0) are read as signed Java bytes and sign-extended to 64 bits
// before being shifted into k1/k2 (`((long) key.get(i)) << 48`). For tails with a byte
// >= 0x80 the result therefore differs from the reference implementation. Full 16-byte
// blocks are read little-endian as unsigned bytes in both.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cairn::ring {

// Computes Cassandra's hash3_x64_128(key, seed): out[0] = h1, out[1] = h2.
// Murmur3Partitioner uses seed 0 and h1 as the token.
void CassandraMurmur3Hash128(const void* data, size_t len, uint64_t seed, uint64_t out[2]);

// Convenience: h1 of CassandraMurmur3Hash128(data, len, 0) as a signed value, before the
// partitioner's Long.MIN_VALUE normalisation.
int64_t CassandraMurmur3Hash64(const void* data, size_t len);

}  // namespace cairn::ring
