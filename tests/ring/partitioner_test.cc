// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Partitioners: Murmur3 tokens against Cassandra's (reference file), RandomPartitioner
// against MD5-as-BigInteger values, token encodings, string forms, midpoints, splits
// and ownership.
#include "ring/partitioner.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "ring/murmur3.h"
#include "tests/lib/test_util.h"

#ifndef CAIRN_REFERENCE_DIR
#error "CAIRN_REFERENCE_DIR must be defined by tests/ring/CMakeLists.txt"
#endif

namespace cairn::ring {
namespace {

std::string HexToBytes(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

const Murmur3Partitioner& M3() { return *Murmur3Partitioner::Instance(); }
const RandomPartitioner& RP() { return *RandomPartitioner::Instance(); }
const ByteOrderedPartitioner& BOP() { return *ByteOrderedPartitioner::Instance(); }

Token M3Tok(int64_t v) { return Murmur3Partitioner::FromLong(v); }
Token RPTok(const std::string& decimal) {
  Result<Token> t = RP().TokenFromString(decimal);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : Token{};
}

// ------------------------------- Murmur3 -------------------------------

TEST(Murmur3PartitionerTest, MatchesCassandraReferenceTokens) {
  const std::string path = std::string(CAIRN_REFERENCE_DIR) + "/murmur3-tokens.tsv";
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << "reference file missing: " << path
                         << " (set -DCAIRN_REFERENCE_DIR=...)";
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    const std::string key = HexToBytes(line.substr(0, tab));
    const std::string expected = line.substr(tab + 1);
    EXPECT_EQ(M3().TokenToString(M3().GetToken(key)), expected) << "key " << line.substr(0, tab);
    EXPECT_EQ(std::to_string(Murmur3Partitioner::TokenValue(key)), expected);
    ++checked;
  }
  EXPECT_EQ(checked, 300);
}

TEST(Murmur3PartitionerTest, Hash128ExposesBothHalves) {
  // The partitioner token is h1 of the 128-bit hash with seed 0.
  uint64_t out[2];
  const std::string key = "benchmark-key";
  CassandraMurmur3Hash128(key.data(), key.size(), 0, out);
  EXPECT_EQ(static_cast<int64_t>(out[0]), Murmur3Partitioner::TokenValue(key));
  EXPECT_EQ(CassandraMurmur3Hash64(key.data(), key.size()), static_cast<int64_t>(out[0]));
  uint64_t seeded[2];
  CassandraMurmur3Hash128(key.data(), key.size(), 1, seeded);
  EXPECT_NE(seeded[0], out[0]);
}

TEST(Murmur3PartitionerTest, EmptyKeyIsMinimumToken) {
  EXPECT_EQ(M3().GetToken(""), M3().MinimumToken());
  EXPECT_EQ(M3().TokenToString(M3().MinimumToken()), "-9223372036854775808");
  EXPECT_EQ(M3().MinimumToken().bytes, std::string(8, '\0'));
}

TEST(Murmur3PartitionerTest, EncodingOrderIsSignedOrder) {
  std::mt19937_64 rng(42);
  std::vector<int64_t> values = {INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX - 1, INT64_MAX};
  for (int i = 0; i < 200; ++i) values.push_back(static_cast<int64_t>(rng()));
  for (int64_t a : values) {
    EXPECT_EQ(Murmur3Partitioner::ToLong(M3Tok(a)), a);
    for (int64_t b : {INT64_MIN, int64_t{-5}, int64_t{0}, int64_t{7}, INT64_MAX}) {
      EXPECT_EQ(a < b, M3Tok(a) < M3Tok(b)) << a << " vs " << b;
    }
  }
}

TEST(Murmur3PartitionerTest, TokenStringRoundTripAndErrors) {
  for (int64_t v : {INT64_MIN, int64_t{-42}, int64_t{0}, int64_t{123456789}, INT64_MAX}) {
    Result<Token> t = M3().TokenFromString(std::to_string(v));
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(Murmur3Partitioner::ToLong(*t), v);
    EXPECT_EQ(M3().TokenToString(*t), std::to_string(v));
  }
  Result<Token> plus = M3().TokenFromString("+17");
  ASSERT_TRUE(plus.ok());
  EXPECT_EQ(Murmur3Partitioner::ToLong(*plus), 17);
  for (const char* bad : {"", "-", "abc", "12x", "9223372036854775808", "-9223372036854775809",
                          "99999999999999999999999"}) {
    Result<Token> t = M3().TokenFromString(bad);
    EXPECT_TRUE(t.status().IsInvalidArgument()) << bad;
  }
  EXPECT_EQ(M3().TokenFromString("abc").status().message(), "For input string: \"abc\"");
  EXPECT_TRUE(M3().ValidateToken(M3Tok(5)).ok());
  EXPECT_TRUE(M3().ValidateToken(Token{"abc"}).IsInvalidArgument());
}

TEST(Murmur3PartitionerTest, MidpointMatchesCassandra) {
  auto mid = [](int64_t l, int64_t r) {
    return Murmur3Partitioner::ToLong(M3().Midpoint(M3Tok(l), M3Tok(r)));
  };
  EXPECT_EQ(mid(0, 10), 5);
  EXPECT_EQ(mid(-10, 10), 0);
  EXPECT_EQ(mid(-3, 0), -2);  // floor, as BigInteger.shiftRight
  EXPECT_EQ(mid(INT64_MIN, INT64_MAX), -1);
  // Wrapping: (10, 0] has length 2^64 - 10, so its midpoint is about 2^63 past 10.
  EXPECT_EQ(mid(10, 0), INT64_MIN + 5);
  EXPECT_EQ(mid(100, -100), INT64_MAX);
  // (min, min] is the whole ring: (max + min) >> 1 == -1.
  EXPECT_EQ(mid(INT64_MIN, INT64_MIN), -1);
  EXPECT_EQ(mid(0, 0), INT64_MAX);  // (max - min + 0) >> 1
  EXPECT_NE(M3().Midpoint(M3().MinimumToken(), M3().MinimumToken()), M3().MinimumToken());
}

TEST(Murmur3PartitionerTest, RingFractionAndOwnership) {
  EXPECT_DOUBLE_EQ(M3().RingFraction(M3().MinimumToken(), M3Tok(0)), 0.5);
  EXPECT_DOUBLE_EQ(M3().RingFraction(M3Tok(0), M3().MinimumToken()), 0.5);
  EXPECT_DOUBLE_EQ(M3().RingFraction(M3Tok(7), M3Tok(7)), 1.0);
  const int64_t q = int64_t{1} << 62;
  EXPECT_DOUBLE_EQ(M3().RingFraction(M3Tok(q), M3Tok(-q)), 0.5);  // wraps

  std::vector<Token> sorted = {M3Tok(-q), M3Tok(0), M3Tok(q)};
  std::map<Token, double> own = M3().DescribeOwnership(sorted);
  ASSERT_EQ(own.size(), 3u);
  EXPECT_DOUBLE_EQ(own[M3Tok(0)], 0.25);
  EXPECT_DOUBLE_EQ(own[M3Tok(q)], 0.25);
  EXPECT_DOUBLE_EQ(own[M3Tok(-q)], 0.5);
  EXPECT_DOUBLE_EQ(M3().DescribeOwnership({M3Tok(3)})[M3Tok(3)], 1.0);

  EXPECT_DOUBLE_EQ(M3().OwnedFraction({Range(M3Tok(0), M3Tok(q)), Range(M3Tok(-q), M3Tok(q))}),
                   0.5);
  EXPECT_DOUBLE_EQ(M3().OwnedFraction({Range(M3Tok(q), M3Tok(0))}), 0.75);
  EXPECT_DOUBLE_EQ(M3().OwnedFraction({Range(M3Tok(5), M3Tok(5))}), 1.0);
  EXPECT_DOUBLE_EQ(M3().OwnedFraction({}), 0.0);
}

TEST(Murmur3PartitionerTest, RandomTokensAreNeverMinimum) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    Token t = M3().GetRandomToken(rng);
    ASSERT_OK(M3().ValidateToken(t));
    EXPECT_NE(t, M3().MinimumToken());
  }
  EXPECT_NE(M3().GetRandomToken(), M3().MinimumToken());
}

// ------------------------------- Random -------------------------------

TEST(RandomPartitionerTest, TokenIsAbsOfSignedMd5) {
  // abs(new BigInteger(md5(key))), values computed with an independent MD5.
  EXPECT_EQ(RP().TokenToString(RP().GetToken("a")), "16955237001963240173058271559858726497");
  EXPECT_EQ(RP().TokenToString(RP().GetToken("cassandra")),
            "24073453019087137929453378496570056626");
  EXPECT_EQ(RP().TokenToString(RP().GetToken("hello world")),
            "125893641179230474042701625388361764291");
  // Digests with the top bit set are negative BigIntegers; abs() flips them.
  EXPECT_EQ(RP().TokenToString(RP().GetToken("key1")),  // md5 c2add694...
            "81509516161424251288255223397843705139");
  EXPECT_EQ(RP().TokenToString(RP().GetToken(std::string(1, '\0'))),  // md5 93b885ad...
            "143927757573010354572009627285182898319");
}

TEST(RandomPartitionerTest, MinimumTokenIsMinusOne) {
  EXPECT_EQ(RP().GetToken(""), RP().MinimumToken());
  EXPECT_EQ(RP().TokenToString(RP().MinimumToken()), "-1");
  EXPECT_EQ(RPTok("-1"), RP().MinimumToken());
  EXPECT_LT(RP().MinimumToken(), RPTok("0"));
  EXPECT_LT(RPTok("0"), RPTok("1"));
  EXPECT_LT(RPTok("255"), RPTok("256"));
}

TEST(RandomPartitionerTest, TokenStringValidation) {
  const std::string max = "170141183460469231731687303715884105728";  // 2^127
  EXPECT_EQ(RP().TokenToString(RPTok(max)), max);
  EXPECT_EQ(RP().TokenFromString("170141183460469231731687303715884105729").status().message(),
            "Token must be <= 2**127");
  EXPECT_EQ(RP().TokenFromString("-2").status().message(), "Token must be >= 0");
  EXPECT_TRUE(RP().TokenFromString("1e5").status().IsInvalidArgument());
  EXPECT_TRUE(RP().TokenFromString("").status().IsInvalidArgument());
  EXPECT_TRUE(
      RP().TokenFromString("9999999999999999999999999999999999999999999999").status().IsInvalidArgument());
  EXPECT_OK(RP().ValidateToken(RPTok(max)));
  EXPECT_OK(RP().ValidateToken(RP().MinimumToken()));
  EXPECT_TRUE(RP().ValidateToken(Token{std::string(16, '\xff')}).IsInvalidArgument());
  EXPECT_TRUE(RP().ValidateToken(Token{"short"}).IsInvalidArgument());
}

TEST(RandomPartitionerTest, MidpointMatchesCassandra) {
  auto mid = [](const std::string& l, const std::string& r) {
    return RP().TokenToString(RP().Midpoint(RPTok(l), RPTok(r)));
  };
  const std::string max = "170141183460469231731687303715884105728";  // 2^127
  EXPECT_EQ(mid("0", "10"), "5");
  EXPECT_EQ(mid("0", max), "85070591730234615865843651857942052864");  // 2^126
  EXPECT_EQ(mid("-1", "0"), "-1");
  EXPECT_EQ(mid("-1", "10"), "4");
  // (min, min] is the whole ring: (2^127 + -1 - -1) / 2 + -1 = 2^126 - 1.
  EXPECT_EQ(mid("-1", "-1"), "85070591730234615865843651857942052863");
  EXPECT_EQ(mid(max, "-1"), "170141183460469231731687303715884105727");  // 2^127 - 1
  // Wrapping (10, 0]: (2^127 - 10) / 2 + 10 = 2^126 + 5.
  EXPECT_EQ(mid("10", "0"), "85070591730234615865843651857942052869");
  // (5, 5]: whole ring, 2^126 + 5.
  EXPECT_EQ(mid("5", "5"), "85070591730234615865843651857942052869");
  EXPECT_EQ(mid(max, max), "85070591730234615865843651857942052864");  // (2^126+2^127) mod 2^127
}

TEST(RandomPartitionerTest, RandomTokensAreInRange) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 1000; ++i) {
    Token t = RP().GetRandomToken(rng);
    ASSERT_OK(RP().ValidateToken(t));
    EXPECT_NE(t, RP().MinimumToken());
  }
}

// ----------------------------- ByteOrdered -----------------------------

TEST(ByteOrderedPartitionerTest, TokenIsKey) {
  EXPECT_EQ(BOP().GetToken("abc").bytes, "abc");
  EXPECT_EQ(BOP().GetToken(""), BOP().MinimumToken());
  EXPECT_TRUE(BOP().PreservesOrder());
  EXPECT_LT(BOP().GetToken("a"), BOP().GetToken("ab"));
  EXPECT_LT(BOP().GetToken("ab"), BOP().GetToken("b"));
  DecoratedKey dk = BOP().Decorate("row");
  EXPECT_EQ(dk.key, "row");
  EXPECT_EQ(dk.token.bytes, "row");
}

TEST(ByteOrderedPartitionerTest, HexStrings) {
  EXPECT_EQ(BOP().TokenToString(Token{"\x01\xab\xff"}), "01abff");
  EXPECT_EQ(BOP().TokenToString(BOP().MinimumToken()), "");
  Result<Token> t = BOP().TokenFromString("01ABff");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->bytes, "\x01\xab\xff");
  EXPECT_EQ(BOP().TokenFromString("abc").status().message(),
            "An hex string representing bytes must have an even length");
  EXPECT_EQ(BOP().TokenFromString("zz").status().message(), "Token zz contains non-hex digits");
  EXPECT_TRUE(BOP().TokenFromString("").ok());
}

TEST(ByteOrderedPartitionerTest, MidpointMatchesCassandra) {
  auto mid = [](const std::string& l, const std::string& r) {
    return BOP().Midpoint(Token{l}, Token{r}).bytes;
  };
  EXPECT_EQ(mid("a", "b"), std::string("a\x80"));  // (0x61 + 0x62) / 2, odd -> 0x80 byte
  EXPECT_EQ(mid("a", "c"), "b");
  EXPECT_EQ(mid("", ""), std::string("\x80"));
  EXPECT_EQ(mid("b", "a"), std::string("\xe1\x80"));  // wraps: (256 + 0x61 - 0x62) / 2 + 0x62
  EXPECT_EQ(mid("a", "aa"), std::string("a0\x80"));  // "a\0" vs "aa": 0x6100 + 0x6161 / 2
  const std::string m = mid("abc", "abd");
  EXPECT_LT(Token{"abc"}, Token{m});
  EXPECT_LT(Token{m}, Token{"abd"});
}

// ------------------------- all partitioners -------------------------

class AllPartitionersTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::shared_ptr<const Partitioner> p_ = Partitioner::ByName(GetParam()).value();
};

TEST_P(AllPartitionersTest, SplitLiesInsideRangeAndHonoursRatio) {
  std::mt19937_64 rng(11);
  const Partitioner& p = *p_;
  for (int i = 0; i < 300; ++i) {
    const Token l = p.GetRandomToken(rng);
    const Token r = (i % 10 == 0) ? l : p.GetRandomToken(rng);
    const double ratio = (i % 7 + 1) / 8.0;
    const Token s = p.Split(l, r, ratio);
    ASSERT_OK(p.ValidateToken(s));
    EXPECT_TRUE(Range(l, r).Contains(s)) << i;
    EXPECT_NEAR(p.RingFraction(l, s), ratio * p.RingFraction(l, r), 1e-9) << i;
  }
}

TEST_P(AllPartitionersTest, MidpointLiesInsideRange) {
  std::mt19937_64 rng(12);
  const Partitioner& p = *p_;
  for (int i = 0; i < 300; ++i) {
    const Token l = p.GetRandomToken(rng);
    const Token r = (i % 10 == 0) ? l : p.GetRandomToken(rng);
    const Token m = p.Midpoint(l, r);
    EXPECT_TRUE(Range(l, r).Contains(m)) << i;
    EXPECT_NEAR(p.RingFraction(l, m), 0.5 * p.RingFraction(l, r), 1e-9) << i;
  }
}

TEST_P(AllPartitionersTest, TokenStringRoundTrip) {
  std::mt19937_64 rng(13);
  const Partitioner& p = *p_;
  for (int i = 0; i < 100; ++i) {
    const Token t = i == 0 ? p.MinimumToken() : p.GetToken("key" + std::to_string(i));
    Result<Token> back = p.TokenFromString(p.TokenToString(t));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, t);
  }
}

TEST_P(AllPartitionersTest, DescribeOwnershipSumsToOne) {
  std::mt19937_64 rng(14);
  std::vector<Token> tokens;
  for (int i = 0; i < 50; ++i) tokens.push_back(p_->GetRandomToken(rng));
  std::sort(tokens.begin(), tokens.end());
  double sum = 0;
  for (const auto& [t, f] : p_->DescribeOwnership(tokens)) sum += f;
  EXPECT_NEAR(sum, 1.0, 1e-9);
}

INSTANTIATE_TEST_SUITE_P(Partitioners, AllPartitionersTest,
                         ::testing::Values("Murmur3Partitioner", "RandomPartitioner",
                                           "ByteOrderedPartitioner"));

TEST(PartitionerTest, ByNameAcceptsShortAndFullNames) {
  for (const char* name : {"Murmur3Partitioner", "org.apache.cassandra.dht.Murmur3Partitioner"}) {
    auto p = Partitioner::ByName(name);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ((*p)->Name(), "org.apache.cassandra.dht.Murmur3Partitioner");
    EXPECT_EQ((*p)->ShortName(), "Murmur3Partitioner");
  }
  EXPECT_EQ((*Partitioner::ByName("RandomPartitioner"))->Name(),
            "org.apache.cassandra.dht.RandomPartitioner");
  EXPECT_EQ((*Partitioner::ByName("org.apache.cassandra.dht.ByteOrderedPartitioner"))->Name(),
            "org.apache.cassandra.dht.ByteOrderedPartitioner");
  auto bad = Partitioner::ByName("NoSuchPartitioner");
  EXPECT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_EQ(bad.status().message(),
            "Unable to find partitioner class 'org.apache.cassandra.dht.NoSuchPartitioner'");
}

}  // namespace
}  // namespace cairn::ring
