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
