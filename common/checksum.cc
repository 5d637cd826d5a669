// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "common/checksum.h"

#include <xxhash.h>

#include "common/coding.h"

namespace cairn {

uint64_t Checksum64(std::string_view data, uint64_t seed) {
  return XXH3_64bits_withSeed(data.data(), data.size(), seed);
}

Digest128::Digest128() : state_(XXH3_createState()) {
  XXH3_128bits_reset(static_cast<XXH3_state_t*>(state_));
}

Digest128::~Digest128() { XXH3_freeState(static_cast<XXH3_state_t*>(state_)); }

void Digest128::Update(std::string_view data) {
  XXH3_128bits_update(static_cast<XXH3_state_t*>(state_), data.data(), data.size());
}

std::string Digest128::Finish() const {
  XXH128_hash_t h = XXH3_128bits_digest(static_cast<XXH3_state_t*>(state_));
  std::string out;
  PutBigEndian64(&out, h.high64);
  PutBigEndian64(&out, h.low64);
  return out;
}

}  // namespace cairn
