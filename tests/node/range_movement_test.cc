// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// node/range_movement.h: which ranges move where on a join, a decommission and a
// removenode, against rings built by hand.
#include "node/range_movement.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "ring/partitioner.h"
#include "ring/snitch.h"

namespace cairn::node {
namespace {

using ring::Murmur3Partitioner;
using ring::Range;
using ring::TokenMetadata;

Token T(int64_t v) { return Murmur3Partitioner::FromLong(v); }

std::shared_ptr<const ring::ReplicationStrategy> Simple(int rf) {
  return ring::ReplicationStrategy::Create("SimpleStrategy",
                                           {{"replication_factor", std::to_string(rf)}},
                                           std::make_shared<ring::SimpleSnitch>())
      .value();
}

// Sorted, merged token coverage of a list of ranges.
std::vector<Range> Cover(std::vector<Range> ranges) {
  return Range::Normalize(std::move(ranges), Murmur3Partitioner::Instance()->MinimumToken());
}

class RangeMovementTest : public ::testing::Test {
 protected:
  TokenMetadata tm_{Murmur3Partitioner::Instance()};
  const Token min_ = Murmur3Partitioner::Instance()->MinimumToken();
};

TEST_F(RangeMovementTest, BoundsOfAPlainRange) {
  auto bounds = BoundsOfRange(Range(T(10), T(20)), min_);
  ASSERT_EQ(bounds.size(), 1u);
  EXPECT_EQ(bounds[0].start, RingPosition::TokenEnd(T(10)));
  EXPECT_FALSE(bounds[0].start_inclusive);
  EXPECT_EQ(bounds[0].end, RingPosition::TokenEnd(T(20)));
}

TEST_F(RangeMovementTest, BoundsOfAWrappingRangeAndTheWholeRing) {
  auto wrap = BoundsOfRange(Range(T(20), T(10)), min_);
  ASSERT_EQ(wrap.size(), 2u);
  EXPECT_EQ(wrap[0].start, RingPosition::TokenEnd(T(20)));
  EXPECT_EQ(wrap[0].end, RingPosition::AfterAll());
  EXPECT_EQ(wrap[1].start, RingPosition::BeforeAll());
  EXPECT_EQ(wrap[1].end, RingPosition::TokenEnd(T(10)));
  // One token owns the ring: (t, t] is everything.
  auto whole = BoundsOfRange(Range(T(5), T(5)), min_);
  ASSERT_EQ(whole.size(), 2u);
  EXPECT_EQ(whole[0].end, RingPosition::AfterAll());
  EXPECT_EQ(whole[1].start, RingPosition::BeforeAll());
  // A range starting at the minimum token starts before every key.
  auto from_min = BoundsOfRange(Range(min_, T(7)), min_);
  ASSERT_EQ(from_min.size(), 1u);
  EXPECT_EQ(from_min[0].start, RingPosition::BeforeAll());
  EXPECT_EQ(from_min[0].end, RingPosition::TokenEnd(T(7)));
}

TEST_F(RangeMovementTest, BoundsOfRangesConcatenatesEachRangesBoundsInOrder) {
  EXPECT_TRUE(BoundsOfRanges({}, min_).empty());
  const std::vector<Range> ranges = {Range(T(30), T(40)), Range(T(20), T(10)), Range(min_, T(7))};
  std::vector<KeyBounds> expected;
  for (const Range& r : ranges) {
    for (const KeyBounds& b : BoundsOfRange(r, min_)) expected.push_back(b);
  }
  const std::vector<KeyBounds> got = BoundsOfRanges(ranges, min_);
  ASSERT_EQ(got.size(), 4u);  // the wrapping range gives two
  EXPECT_TRUE(got == expected);
  EXPECT_EQ(got[0].start, RingPosition::TokenEnd(T(30)));
  EXPECT_EQ(got[1].end, RingPosition::AfterAll());
  EXPECT_EQ(got[2].start, RingPosition::BeforeAll());
  EXPECT_EQ(got[3].end, RingPosition::TokenEnd(T(7)));
}

TEST_F(RangeMovementTest, BootstrapIntoOneNodeRf1TakesHalfFromTheOnlyNode) {
  tm_.UpdateNormalTokens("a", {T(0)});
  auto moves = BootstrapRanges(tm_, *Simple(1), "j", {T(1000)});
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(moves[0].range, Range(T(0), T(1000)));
  EXPECT_EQ(moves[0].sources, std::vector<std::string>{"a"});
}

TEST_F(RangeMovementTest, NoRingNoBootstrapRanges) {
  EXPECT_TRUE(BootstrapRanges(tm_, *Simple(3), "j", {T(1)}).empty());
}

TEST_F(RangeMovementTest, BootstrapRf3PutsTheLosingReplicaFirst) {
  // Three nodes with 4 tokens each, RF 3: every node replicates everything.
  const std::vector<std::string> nodes = {"a", "b", "c"};
  for (int n = 0; n < 3; ++n) {
    std::vector<Token> tokens;
    for (int i = 0; i < 4; ++i) tokens.push_back(T(-4'000'000'000'000'000'000LL + (i * 3 + n) * 600'000'000'000'000'000LL));
    tm_.UpdateNormalTokens(nodes[n], tokens);
  }
  const std::vector<Token> joining = {T(-3'700'000'000'000'000'000LL), T(100), T(2'000'000'000'000'000'000LL)};
  auto strategy = Simple(3);
  auto moves = BootstrapRanges(tm_, *strategy, "d", joining);
  ASSERT_FALSE(moves.empty());
  TokenMetadata future = tm_;
  future.UpdateNormalTokens("d", joining);
  std::vector<Range> ranges;
  for (const RangeSources& m : moves) {
    ranges.push_back(m.range);
    const auto before = strategy->CalculateNaturalEndpoints(m.range.right, tm_);
    const auto after = strategy->CalculateNaturalEndpoints(m.range.right, future);
    ASSERT_EQ(m.sources.size(), 3u) << "every current replica is a source";
    // With one node joining, exactly one current replica loses the range: first.
    EXPECT_EQ(std::count(after.begin(), after.end(), m.sources[0]), 0) << m.sources[0];
    for (size_t i = 1; i < m.sources.size(); ++i) {
      EXPECT_EQ(std::count(after.begin(), after.end(), m.sources[i]), 1) << m.sources[i];
    }
    EXPECT_EQ(std::set<std::string>(before.begin(), before.end()),
              std::set<std::string>(m.sources.begin(), m.sources.end()));
  }
  // Exactly what the joining node replicates afterwards.
  EXPECT_EQ(Cover(ranges), Cover(strategy->GetRangesFor("d", future)));
}

TEST_F(RangeMovementTest, LeavingTransfersGoToTheNewReplicasOnly) {
  const std::vector<std::string> nodes = {"a", "b", "c", "d"};
  for (int n = 0; n < 4; ++n) {
    std::vector<Token> tokens;
    for (int i = 0; i < 3; ++i) tokens.push_back(T(-4'000'000'000'000'000'000LL + (i * 4 + n) * 500'000'000'000'000'000LL));
    tm_.UpdateNormalTokens(nodes[n], tokens);
  }
  auto strategy = Simple(3);
  auto transfers = LeavingTransfers(tm_, *strategy, "b");
  ASSERT_FALSE(transfers.empty());
  TokenMetadata after = tm_;
  after.RemoveEndpoint("b");
  std::vector<Range> moved;
  for (const RangeTransfer& t : transfers) {
    moved.push_back(t.range);
    const auto before = strategy->CalculateNaturalEndpoints(t.range.right, tm_);
    const auto now = strategy->CalculateNaturalEndpoints(t.range.right, after);
    EXPECT_EQ(std::count(before.begin(), before.end(), t.gainer), 0) << "a new replica";
    EXPECT_EQ(std::count(now.begin(), now.end(), t.gainer), 1);
    EXPECT_EQ(std::count(t.sources.begin(), t.sources.end(), "b"), 0);
    EXPECT_EQ(t.sources.size(), 2u);
  }
  // With 4 nodes and RF 3 each range of b gains exactly one new replica.
  EXPECT_EQ(Cover(moved), Cover(strategy->GetRangesFor("b", tm_)));
  EXPECT_EQ(transfers.size(), strategy->GetRangesFor("b", tm_).size());
}

TEST_F(RangeMovementTest, NothingMovesWhenTheLastNodeOrANonMemberGoes) {
  tm_.UpdateNormalTokens("a", {T(1)});
  EXPECT_TRUE(LeavingTransfers(tm_, *Simple(1), "a").empty());
  EXPECT_TRUE(LeavingTransfers(tm_, *Simple(1), "zz").empty());
}

TEST_F(RangeMovementTest, PreferSourcesIsStable) {
  std::vector<std::string> v = {"a", "b", "c", "d"};
  PreferSources(&v, [](const std::string& e) { return e == "c" || e == "a"; });
  EXPECT_EQ(v, (std::vector<std::string>{"a", "c", "b", "d"}));
}

}  // namespace
}  // namespace cairn::node
