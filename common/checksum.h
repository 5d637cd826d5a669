// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Checksums and digests used by every Cairn format, all from xxHash (Debian's
// libxxhash): XXH3-64 for record and block checksums (we store its low 32 bits where a
// format has a 4-byte field), XXH3-128 for read digests compared between replicas.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cairn {

uint64_t Checksum64(std::string_view data, uint64_t seed = 0);
inline uint32_t Checksum32(std::string_view data) {
  return static_cast<uint32_t>(Checksum64(data));
}

// A streaming XXH3-128 digest; Finish() returns 16 bytes, big-endian high then low.
class Digest128 {
 public:
  Digest128();
  ~Digest128();
  Digest128(const Digest128&) = delete;
  Digest128& operator=(const Digest128&) = delete;

  void Update(std::string_view data);
  std::string Finish() const;

 private:
  void* state_;  // XXH3_state_t*, opaque to keep xxhash.h out of this header
};

}  // namespace cairn
