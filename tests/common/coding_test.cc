// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "common/coding.h"

#include <gtest/gtest.h>

#include "common/checksum.h"

namespace cairn {
namespace {

TEST(CodingTest, VarintRoundTrip) {
  std::string buf;
  const uint64_t values[] = {0, 1, 127, 128, 300, UINT32_MAX, UINT64_MAX};
  for (uint64_t v : values) PutVarint64(&buf, v);
  Decoder in(buf);
  for (uint64_t v : values) {
    uint64_t got;
    ASSERT_TRUE(in.GetVarint64(&got));
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, SignedVarintRoundTrip) {
  std::string buf;
  const int64_t values[] = {0, -1, 1, INT64_MIN, INT64_MAX, -300};
  for (int64_t v : values) PutVarsint64(&buf, v);
  Decoder in(buf);
  for (int64_t v : values) {
    int64_t got;
    ASSERT_TRUE(in.GetVarsint64(&got));
    EXPECT_EQ(got, v);
  }
}

TEST(CodingTest, TruncatedInputIsRejectedNotOverread) {
  std::string buf;
  PutLengthPrefixed(&buf, "hello world");
  for (size_t n = 0; n < buf.size(); ++n) {
    Decoder in(std::string_view(buf.data(), n));
    std::string_view v;
    EXPECT_FALSE(in.GetLengthPrefixed(&v)) << n;
  }
  Decoder overlong("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01");
  uint64_t v;
  EXPECT_FALSE(overlong.GetVarint64(&v));
}

TEST(CodingTest, MultiByteVarintBoundaries) {
  // 64-bit maximum: ten bytes, the last carrying only the 64th bit.
  std::string max("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10);
  const std::string max_then_z = max + "z";
  Decoder ok(max_then_z);
  uint64_t v = 0;
  ASSERT_TRUE(ok.GetVarint64(&v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_EQ(ok.rest(), "z");  // the cursor stops right after the varint
  max[9] = '\x02';            // a 65th bit
  Decoder too_big(max);
  EXPECT_FALSE(too_big.GetVarint64(&v));
  // A varint cut short by the end of the input, at every length.
  std::string two_bytes;
  PutVarint64(&two_bytes, 300);
  for (size_t n = 0; n < two_bytes.size(); ++n) {
    Decoder cut(std::string_view(two_bytes.data(), n));
    EXPECT_FALSE(cut.GetVarint64(&v)) << n;
  }
  // Varint32 rejects values above 32 bits.
  std::string big;
  PutVarint64(&big, uint64_t{1} << 32);
  Decoder in32(big);
  uint32_t v32;
  EXPECT_FALSE(in32.GetVarint32(&v32));
}

TEST(CodingTest, FixedIsLittleEndian) {
  std::string buf;
  PutFixed32(&buf, 0x01020304);
  EXPECT_EQ(buf, std::string("\x04\x03\x02\x01", 4));
  PutBigEndian64(&buf, 0x0102030405060708ULL);
  EXPECT_EQ(DecodeBigEndian64(buf.data() + 4), 0x0102030405060708ULL);
}

TEST(ChecksumTest, StableValues) {
  // XXH3-64 of the empty input with seed 0 is a published constant.
  EXPECT_EQ(Checksum64(""), 0x2D06800538D394C2ULL);
  EXPECT_NE(Checksum64("a"), Checksum64("b"));
  Digest128 d1, d2;
  d1.Update("ab");
  d2.Update("a");
  d2.Update("b");
  EXPECT_EQ(d1.Finish(), d2.Finish());
  EXPECT_EQ(d1.Finish().size(), 16u);
}

}  // namespace
}  // namespace cairn
