// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// MD5 (RFC 1321), used only by RandomPartitioner to place keys on the ring, exactly as
// Cassandra's FBUtilities.hashToBigInteger does. MD5 is not used for anything that needs
// collision resistance. Self-contained so that ring/ does not depend on OpenSSL.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cairn::ring {

using Md5Digest = std::array<uint8_t, 16>;

// Incremental MD5. Not thread-safe; one object per computation.
class Md5 {
 public:
  Md5();
  void Update(const void* data, size_t len);
  void Update(std::string_view s) { Update(s.data(), s.size()); }
  // Returns the digest. The object must not be updated afterwards.
  Md5Digest Finish();

  static Md5Digest Digest(std::string_view data);
  // Lower-case hex of the digest, as `md5sum` prints it.
  static std::string HexDigest(std::string_view data);

 private:
  void Transform(const uint8_t block[64]);

  uint32_t state_[4];
  uint64_t length_bytes_ = 0;
  uint8_t buffer_[64];
  size_t buffered_ = 0;
};

}  // namespace cairn::ring
