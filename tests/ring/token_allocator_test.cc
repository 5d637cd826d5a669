// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Token allocation: growing a cluster one node at a time with num_tokens = 16 keeps
// every node's primary ownership within 10% of ideal from 3 to 10 nodes, where random
// tokens do not.
#include "ring/token_allocator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "ring/replication_strategy.h"
#include "tests/lib/test_util.h"

namespace cairn::ring {
namespace {

struct Spread {
  double max_ratio = 0;  // max ownership / ideal
  double min_ratio = 0;  // min ownership / ideal
};

Spread Measure(const TokenMetadata& tm) {
  const auto own = tm.GetOwnership();
  const double ideal = 1.0 / static_cast<double>(own.size());
  Spread s{0, 1e9};
  for (const auto& [ep, f] : own) {
    s.max_ratio = std::max(s.max_ratio, f / ideal);
    s.min_ratio = std::min(s.min_ratio, f / ideal);
  }
  return s;
}

class TokenAllocatorTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::shared_ptr<const Partitioner> p_ = Partitioner::ByName(GetParam()).value();
};

TEST_P(TokenAllocatorTest, OwnershipWithinTenPercentOfIdealFrom3To10Nodes) {
  constexpr int kNumTokens = 16;
  double worst_max = 0, worst_min = 1e9;
  for (uint64_t seed = 1; seed <= 25; ++seed) {
    std::mt19937_64 rng(seed);
    TokenMetadata tm(p_);
    for (int n = 1; n <= 10; ++n) {
      const std::vector<Token> tokens = AllocateTokens(tm, kNumTokens, rng);
      ASSERT_EQ(tokens.size(), static_cast<size_t>(kNumTokens));
      ASSERT_EQ(std::set<Token>(tokens.begin(), tokens.end()).size(), tokens.size());
      for (const Token& t : tokens) {
        ASSERT_OK(p_->ValidateToken(t));
        ASSERT_FALSE(tm.GetEndpoint(t).has_value());
      }
      tm.UpdateNormalTokens("10.0.0." + std::to_string(n), tokens);
      if (n < 3) continue;
      const Spread s = Measure(tm);
      EXPECT_LE(s.max_ratio, 1.10) << "seed " << seed << ", " << n << " nodes";
      EXPECT_GE(s.min_ratio, 0.90) << "seed " << seed << ", " << n << " nodes";
      worst_max = std::max(worst_max, s.max_ratio);
      worst_min = std::min(worst_min, s.min_ratio);
    }
  }
  std::printf("[ %s ] allocated tokens, 3..10 nodes x 25 seeds: ownership/ideal in [%.3f, %.3f]\n",
              std::string(p_->ShortName()).c_str(), worst_min, worst_max);
}

TEST_P(TokenAllocatorTest, RandomTokensAreWorse) {
  // Documents why allocation exists: the same experiment with random tokens.
  double worst_max = 0, worst_min = 1e9;
  for (uint64_t seed = 1; seed <= 25; ++seed) {
    std::mt19937_64 rng(seed);
    TokenMetadata tm(p_);
    for (int n = 1; n <= 10; ++n) {
      tm.UpdateNormalTokens("10.0.0." + std::to_string(n), RandomTokens(tm, 16, rng));
      if (n < 3) continue;
      const Spread s = Measure(tm);
      worst_max = std::max(worst_max, s.max_ratio);
      worst_min = std::min(worst_min, s.min_ratio);
    }
  }
  std::printf("[ %s ] random tokens,    3..10 nodes x 25 seeds: ownership/ideal in [%.3f, %.3f]\n",
              std::string(p_->ShortName()).c_str(), worst_min, worst_max);
  EXPECT_GT(worst_max, 1.10);
}

TEST_P(TokenAllocatorTest, ConcurrentJoinersDoNotPickTheSameRanges) {
  std::mt19937_64 rng(5);
  TokenMetadata tm(p_);
  for (int n = 1; n <= 4; ++n) {
    tm.UpdateNormalTokens("10.0.0." + std::to_string(n), AllocateTokens(tm, 16, rng));
  }
  // Two nodes join at once: the second sees the first's bootstrap tokens.
  const auto first = AllocateTokens(tm, 16, rng);
  ASSERT_OK(tm.AddBootstrapTokens("10.0.0.5", first));
  const auto second = AllocateTokens(tm, 16, rng);
  ASSERT_OK(tm.AddBootstrapTokens("10.0.0.6", second));
  tm.UpdateNormalTokens("10.0.0.5", first);
  tm.UpdateNormalTokens("10.0.0.6", second);
  const Spread s = Measure(tm);
  EXPECT_LE(s.max_ratio, 1.10);
  EXPECT_GE(s.min_ratio, 0.90);
}

// Regression: a new cluster's nodes starting together allocate against the same
// one-node ring without seeing each other; identical tokens would change owner in
// gossip and leave nodes out of each other's rings.
TEST_P(TokenAllocatorTest, NodesAllocatingAgainstTheSameRingNeverShareATokenWhenSeededDifferently) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    TokenMetadata tm(p_);
    std::mt19937_64 first_rng(seed);
    tm.UpdateNormalTokens("10.0.0.1", AllocateTokens(tm, 16, first_rng));
    std::mt19937_64 a(seed * 1000 + 1), b(seed * 1000 + 2);
    const auto x = AllocateTokens(tm, 16, a);
    const auto y = AllocateTokens(tm, 16, b);
    std::vector<Token> common;
    std::set_intersection(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(common));
    ASSERT_TRUE(common.empty()) << "seed " << seed << ": " << common.size() << " shared tokens";
  }
}

TEST_P(TokenAllocatorTest, ReplicatedOwnershipWithSimpleStrategy) {
  // Not what the allocator optimises (primary ownership), but replicated ownership
  // under RF 3 must stay reasonable, and better than with random tokens.
  SimpleStrategy rf3(3, std::make_shared<SimpleSnitch>());
  auto worst = [&](bool allocate) {
    double dev = 0;
    for (uint64_t seed = 1; seed <= 10; ++seed) {
      std::mt19937_64 rng(seed);
      TokenMetadata tm(p_);
      for (int n = 1; n <= 10; ++n) {
        tm.UpdateNormalTokens("10.0.0." + std::to_string(n),
                              allocate ? AllocateTokens(tm, 16, rng) : RandomTokens(tm, 16, rng));
        if (n < 4) continue;
        const double ideal = 3.0 / n;
        for (const auto& [ep, ranges] : rf3.GetAddressRanges(tm)) {
          dev = std::max(dev, std::abs(p_->OwnedFraction(ranges) / ideal - 1.0));
        }
      }
    }
    return dev;
  };
  const double allocated = worst(true);
  const double random = worst(false);
  std::printf("[ %s ] RF 3 replicated ownership, 4..10 nodes: worst deviation %.3f "
              "(random tokens %.3f)\n",
              std::string(p_->ShortName()).c_str(), allocated, random);
  EXPECT_LT(allocated, random);
  EXPECT_LT(allocated, 0.35);
}

TEST_P(TokenAllocatorTest, SingleTokenNodes) {
  std::mt19937_64 rng(2);
  TokenMetadata tm(p_);
  for (int n = 1; n <= 4; ++n) {
    auto tokens = AllocateTokens(tm, 1, rng);
    ASSERT_EQ(tokens.size(), 1u);
    tm.UpdateNormalTokens("n" + std::to_string(n), tokens);
  }
  // With one token each the new node halves the largest range: 1/4, 1/4, 1/2 -> ...
  EXPECT_EQ(tm.SortedTokens().size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(Partitioners, TokenAllocatorTest,
                         ::testing::Values("Murmur3Partitioner", "RandomPartitioner"));

}  // namespace
}  // namespace cairn::ring
