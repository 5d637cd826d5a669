// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// MD5 against the RFC 1321 appendix A.5 test suite, plus incremental updates across
// block boundaries.
#include "ring/md5.h"

#include <gtest/gtest.h>

#include <string>

namespace cairn::ring {
namespace {

TEST(Md5Test, Rfc1321TestSuite) {
  EXPECT_EQ(Md5::HexDigest(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5::HexDigest("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(Md5::HexDigest("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Md5::HexDigest("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(Md5::HexDigest("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(Md5::HexDigest("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            "d174ab98d277d9f5a5611c2c9f419d9f");
  EXPECT_EQ(Md5::HexDigest("1234567890123456789012345678901234567890123456789012345678901234"
                           "5678901234567890"),
            "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(Md5Test, PaddingBoundaries) {
  // Lengths around the 56-byte padding threshold and the 64-byte block size.
  EXPECT_EQ(Md5::HexDigest(std::string(55, 'a')), "ef1772b6dff9a122358552954ad0df65");
  EXPECT_EQ(Md5::HexDigest(std::string(56, 'a')), "3b0c8ac703f828b04c6c197006d17218");
  EXPECT_EQ(Md5::HexDigest(std::string(64, 'a')), "014842d480b571495a4a0363793f7367");
}

TEST(Md5Test, IncrementalUpdatesMatchOneShot) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 7 + 3));
  const Md5Digest expected = Md5::Digest(data);
  for (size_t chunk : {1u, 3u, 63u, 64u, 65u, 200u}) {
    Md5 md5;
    for (size_t pos = 0; pos < data.size(); pos += chunk) {
      md5.Update(std::string_view(data).substr(pos, chunk));
    }
    EXPECT_EQ(md5.Finish(), expected) << "chunk " << chunk;
  }
}

}  // namespace
}  // namespace cairn::ring
