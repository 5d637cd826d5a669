// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// TokenMetadata: ring bookkeeping, ring walking, primary ranges, bootstrap/leaving state,
// pending ranges (Cassandra's calculatePendingRanges scenarios) and the copy-on-write
// SharedTokenMetadata.
#include "ring/token_metadata.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "ring/replication_strategy.h"
#include "tests/lib/test_util.h"

namespace cairn::ring {
namespace {

using Strings = std::vector<std::string>;
using Ranges = std::vector<Range>;

Token T(int64_t v) { return Murmur3Partitioner::FromLong(v); }
Range R(int64_t l, int64_t r) { return Range(T(l), T(r)); }
const Token kMin = T(INT64_MIN);

class TokenMetadataTest : public ::testing::Test {
 protected:
  // A..E own 10, 20, 30, 40, 50.
  void FiveNodes() {
    tm_.UpdateNormalTokens("A", {T(10)});
    tm_.UpdateNormalTokens("B", {T(20)});
    tm_.UpdateNormalTokens("C", {T(30)});
    tm_.UpdateNormalTokens("D", {T(40)});
    tm_.UpdateNormalTokens("E", {T(50)});
  }
  std::shared_ptr<const ReplicationStrategy> Simple(int rf) {
    return ReplicationStrategy::Create("SimpleStrategy",
                                       {{"replication_factor", std::to_string(rf)}},
                                       std::make_shared<SimpleSnitch>())
        .value();
  }

  TokenMetadata tm_{Murmur3Partitioner::Instance()};
};

TEST_F(TokenMetadataTest, NormalTokensFormSortedRing) {
  tm_.UpdateNormalTokens("B", {T(50), T(-10)});
  tm_.UpdateNormalTokens("A", {T(0), T(100)});
  EXPECT_EQ(tm_.SortedTokens(), (std::vector<Token>{T(-10), T(0), T(50), T(100)}));
  EXPECT_EQ(tm_.SortedOwners(), (Strings{"B", "A", "B", "A"}));
  EXPECT_EQ(tm_.GetTokens("A"), (std::vector<Token>{T(0), T(100)}));
  EXPECT_EQ(tm_.GetEndpoint(T(50)), "B");
  EXPECT_EQ(tm_.GetEndpoint(T(51)), std::nullopt);
  EXPECT_TRUE(tm_.IsMember("A"));
  EXPECT_FALSE(tm_.IsMember("C"));
  EXPECT_EQ(tm_.GetNormalEndpoints(), (Strings{"A", "B"}));
  EXPECT_EQ(tm_.NumNormalEndpoints(), 2u);
}

TEST_F(TokenMetadataTest, UpdateReplacesTokensAndStealsOwnership) {
  tm_.UpdateNormalTokens("A", {T(1), T(2)});
  tm_.UpdateNormalTokens("B", {T(3)});
  const uint64_t v = tm_.ring_version();
  tm_.UpdateNormalTokens("A", {T(5)});  // A's old tokens are dropped
  EXPECT_NE(tm_.ring_version(), v);
  EXPECT_EQ(tm_.SortedTokens(), (std::vector<Token>{T(3), T(5)}));
  tm_.UpdateNormalTokens("C", {T(3)});  // B loses its only token and leaves the ring
  EXPECT_EQ(tm_.GetEndpoint(T(3)), "C");
  EXPECT_FALSE(tm_.IsMember("B"));
  EXPECT_EQ(tm_.GetNormalEndpoints(), (Strings{"A", "C"}));
  tm_.RemoveEndpoint("A");
  EXPECT_EQ(tm_.SortedTokens(), (std::vector<Token>{T(3)}));
}

TEST_F(TokenMetadataTest, RingIterationWrapsFromFirstTokenAtOrAfterStart) {
  FiveNodes();
  EXPECT_EQ(tm_.FirstToken(T(20)), T(20));
  EXPECT_EQ(tm_.FirstToken(T(21)), T(30));
  EXPECT_EQ(tm_.FirstToken(T(51)), T(10));  // wraps
  EXPECT_EQ(tm_.FirstToken(kMin), T(10));
  Strings order;
  for (size_t i : tm_.RingFrom(T(35))) order.push_back(tm_.SortedOwners()[i]);
  EXPECT_EQ(order, (Strings{"D", "E", "A", "B", "C"}));
  TokenMetadata empty(Murmur3Partitioner::Instance());
  int n = 0;
  for (size_t i : empty.RingFrom(T(0))) n += static_cast<int>(i) + 1;
  EXPECT_EQ(n, 0);
}

TEST_F(TokenMetadataTest, PrimaryRanges) {
  FiveNodes();
  EXPECT_EQ(tm_.PredecessorToken(T(10)), T(50));
  EXPECT_EQ(tm_.PredecessorToken(T(30)), T(20));
  EXPECT_EQ(tm_.PredecessorToken(T(35)), T(30));
  EXPECT_EQ(tm_.GetPrimaryRangeFor(T(10)), R(50, 10));  // wraps
  EXPECT_EQ(tm_.GetPrimaryRanges("C"), Ranges{R(20, 30)});
  Ranges all;
  for (const auto& ep : tm_.GetNormalEndpoints()) {
    for (const Range& r : tm_.GetPrimaryRanges(ep)) all.push_back(r);
  }
  EXPECT_EQ(Range::Normalize(all, kMin), Ranges{Range(kMin, kMin)});  // covers the ring

  TokenMetadata one(Murmur3Partitioner::Instance());
  one.UpdateNormalTokens("A", {T(7)});
  EXPECT_TRUE(one.GetPrimaryRangeFor(T(7)).IsFull());
  EXPECT_DOUBLE_EQ(one.GetOwnership()["A"], 1.0);
}

TEST_F(TokenMetadataTest, OwnershipSumsToOne) {
  tm_.UpdateNormalTokens("A", {T(0)});
  tm_.UpdateNormalTokens("B", {T(INT64_MIN / 2)});
  auto own = tm_.GetOwnership();
  EXPECT_DOUBLE_EQ(own["A"], 0.25);
  EXPECT_DOUBLE_EQ(own["B"], 0.75);
}

TEST_F(TokenMetadataTest, HostIds) {
  tm_.UpdateHostId("127.0.0.1", "id-1");
  tm_.UpdateHostId("127.0.0.2", "id-2");
  EXPECT_EQ(tm_.GetHostId("127.0.0.1"), "id-1");
  EXPECT_EQ(tm_.GetEndpointForHostId("id-2"), "127.0.0.2");
  tm_.UpdateHostId("127.0.0.3", "id-2");  // the node came back on a new address
  EXPECT_EQ(tm_.GetEndpointForHostId("id-2"), "127.0.0.3");
  EXPECT_EQ(tm_.GetHostId("127.0.0.2"), std::nullopt);
  tm_.RemoveEndpoint("127.0.0.3");
  EXPECT_EQ(tm_.GetEndpointForHostId("id-2"), std::nullopt);
}

TEST_F(TokenMetadataTest, BootstrapTokensAndCollisions) {
  FiveNodes();
  ASSERT_OK(tm_.AddBootstrapTokens("F", {T(25), T(45)}));
  EXPECT_TRUE(tm_.IsBootstrapping("F"));
  EXPECT_EQ(tm_.GetBootstrapTokens("F"), (std::vector<Token>{T(25), T(45)}));
  Status s = tm_.AddBootstrapTokens("G", {T(45)});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "Bootstrap Token collision between F and G (token 45)");
  s = tm_.AddBootstrapTokens("G", {T(1), T(30)});
  EXPECT_EQ(s.message(), "Bootstrapping node G has token 30 owned by C");
  EXPECT_FALSE(tm_.IsBootstrapping("G"));  // nothing recorded on failure
  // Re-announcing replaces the endpoint's previous bootstrap tokens.
  ASSERT_OK(tm_.AddBootstrapTokens("F", {T(26)}));
  EXPECT_EQ(tm_.GetBootstrapTokens("F"), (std::vector<Token>{T(26)}));
  // Joining moves them into the ring.
  tm_.UpdateNormalTokens("F", {T(26)});
  EXPECT_FALSE(tm_.IsBootstrapping("F"));
  EXPECT_TRUE(tm_.BootstrapTokens().empty());
  EXPECT_EQ(tm_.GetEndpoint(T(26)), "F");
}

TEST_F(TokenMetadataTest, LeavingAndClones) {
  FiveNodes();
  ASSERT_OK(tm_.AddBootstrapTokens("F", {T(25)}));
  tm_.AddLeavingEndpoint("C");
  EXPECT_TRUE(tm_.IsLeaving("C"));
  TokenMetadata only = tm_.CloneOnlyTokenMap();
  EXPECT_EQ(only.SortedTokens().size(), 5u);
  EXPECT_TRUE(only.BootstrapTokens().empty());
  EXPECT_TRUE(only.LeavingEndpoints().empty());
  EXPECT_EQ(only.ring_version(), tm_.ring_version());  // same ring, same version
  TokenMetadata left = tm_.CloneAfterAllLeft();
  EXPECT_EQ(left.GetNormalEndpoints(), (Strings{"A", "B", "D", "E"}));
  EXPECT_NE(left.ring_version(), tm_.ring_version());
  tm_.RemoveLeavingEndpoint("C");
  EXPECT_FALSE(tm_.IsLeaving("C"));
  tm_.AddLeavingEndpoint("C");
  tm_.UpdateNormalTokens("C", {T(30)});  // a normal update clears leaving
  EXPECT_FALSE(tm_.IsLeaving("C"));
}

TEST_F(TokenMetadataTest, NoPendingRangesWhenNobodyMoves) {
  FiveNodes();
  tm_.CalculatePendingRanges(*Simple(3), "ks");
  EXPECT_TRUE(tm_.PendingRanges("ks").empty());
  EXPECT_TRUE(tm_.PendingEndpointsFor(T(15), "ks").empty());
}

TEST_F(TokenMetadataTest, PendingRangesForBootstrappingNode) {
  FiveNodes();
  ASSERT_OK(tm_.AddBootstrapTokens("F", {T(25)}));
  auto rf2 = Simple(2);
  tm_.CalculatePendingRanges(*rf2, "ks");
  // With F at 25 and RF 2, F replicates its primary (20, 25] and B's (10, 20].
  EXPECT_EQ(tm_.GetPendingRanges("ks", "F"), (Ranges{R(10, 20), R(20, 25)}));
  EXPECT_EQ(tm_.PendingEndpointsFor(T(15), "ks"), Strings{"F"});
  EXPECT_EQ(tm_.PendingEndpointsFor(T(25), "ks"), Strings{"F"});
  EXPECT_TRUE(tm_.PendingEndpointsFor(T(26), "ks").empty());
  EXPECT_TRUE(tm_.PendingRanges("other").empty());
  // Writes go to the natural replicas and the pending one.
  EXPECT_EQ(rf2->GetWriteEndpoints(T(15), "ks", tm_), (Strings{"B", "C", "F"}));
  EXPECT_EQ(rf2->GetWriteEndpoints(T(35), "ks", tm_), (Strings{"D", "E"}));
  // Same as what the joining node computes to stream.
  EXPECT_EQ(rf2->GetPendingAddressRanges(tm_, {T(25)}, "F"), (Ranges{R(10, 20), R(20, 25)}));
  // Once F joins there is nothing pending.
  tm_.UpdateNormalTokens("F", {T(25)});
  tm_.CalculatePendingRanges(*rf2, "ks");
  EXPECT_TRUE(tm_.PendingRanges("ks").empty());
}

TEST_F(TokenMetadataTest, PendingRangesForLeavingNode) {
  FiveNodes();
  tm_.AddLeavingEndpoint("C");
  tm_.CalculatePendingRanges(*Simple(2), "ks");
  // C replicates (10, 20] (with B) and (20, 30] (with D). Without C, (10, 20] goes to
  // B and D, (20, 30] to D and E.
  EXPECT_EQ(tm_.PendingRanges("ks"),
            (std::vector<TokenMetadata::PendingRange>{{R(10, 20), "D"}, {R(20, 30), "E"}}));
}

TEST_F(TokenMetadataTest, PendingRangesForJoinAndLeaveTogether) {
  FiveNodes();
  tm_.AddLeavingEndpoint("C");
  ASSERT_OK(tm_.AddBootstrapTokens("F", {T(35)}));
  tm_.CalculatePendingRanges(*Simple(1), "ks");
  // Leave: C's (20, 30] goes to the next owner after all leave: D (at 40).
  // Join (on the all-left ring): F at 35 takes (20, 35].
  EXPECT_EQ(tm_.PendingRanges("ks"),
            (std::vector<TokenMetadata::PendingRange>{{R(20, 30), "D"}, {R(20, 35), "F"}}));
  EXPECT_EQ(tm_.PendingEndpointsFor(T(25), "ks"), (Strings{"D", "F"}));
}

TEST_F(TokenMetadataTest, PendingRangesWithVnodesCoverWhatTheNodeWillOwn) {
  std::mt19937_64 rng(1);
  const Partitioner& p = tm_.partitioner();
  for (int n = 0; n < 4; ++n) {
    std::vector<Token> tokens;
    for (int i = 0; i < 8; ++i) tokens.push_back(p.GetRandomToken(rng));
    tm_.UpdateNormalTokens("10.0.0." + std::to_string(n), tokens);
  }
  std::vector<Token> joining;
  for (int i = 0; i < 8; ++i) joining.push_back(p.GetRandomToken(rng));
  ASSERT_OK(tm_.AddBootstrapTokens("10.0.0.9", joining));
  auto rf3 = Simple(3);
  tm_.CalculatePendingRanges(*rf3, "ks");
  TokenMetadata after = tm_.CloneOnlyTokenMap();
  after.UpdateNormalTokens("10.0.0.9", joining);
  // Every key the new node will replicate gets it as a pending endpoint now.
  for (int i = 0; i < 2000; ++i) {
    const Token key = p.GetToken("key" + std::to_string(i));
    const Strings future = rf3->CalculateNaturalEndpoints(key, after);
    const bool will_own = std::find(future.begin(), future.end(), "10.0.0.9") != future.end();
    const Strings pending = tm_.PendingEndpointsFor(key, "ks");
    EXPECT_EQ(will_own, pending == Strings{"10.0.0.9"}) << i;
  }
}

TEST(SharedTokenMetadataTest, SnapshotsAreImmutable) {
  SharedTokenMetadata shared(Murmur3Partitioner::Instance());
  std::shared_ptr<const TokenMetadata> before = shared.Get();
  ASSERT_OK(shared.Mutate([](TokenMetadata& tm) {
    tm.UpdateNormalTokens("A", {T(1)});
    return Status::OK();
  }));
  EXPECT_TRUE(before->empty());
  EXPECT_EQ(shared.Get()->SortedTokens().size(), 1u);
  // A failing mutation publishes nothing.
  Status s = shared.Mutate([](TokenMetadata& tm) {
    tm.UpdateNormalTokens("B", {T(2)});
    return Status::InvalidArgument("nope");
  });
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(shared.Get()->SortedTokens().size(), 1u);
  TokenMetadata replacement(Murmur3Partitioner::Instance());
  replacement.UpdateNormalTokens("C", {T(3), T(4)});
  shared.Set(replacement);
  EXPECT_EQ(shared.Get()->GetNormalEndpoints(), Strings{"C"});
}

TEST(SharedTokenMetadataTest, ConcurrentReadersSeeConsistentSnapshots) {
  SharedTokenMetadata shared(Murmur3Partitioner::Instance());
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        auto snap = shared.Get();
        // Invariant of every published version: each endpoint owns exactly 2 tokens.
        for (const auto& ep : snap->GetNormalEndpoints()) {
          if (snap->GetTokens(ep).size() != 2) bad.fetch_add(1);
        }
        if (snap->SortedTokens().size() != snap->SortedOwners().size()) bad.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    ASSERT_OK(shared.Mutate([i](TokenMetadata& tm) {
      tm.UpdateNormalTokens("n" + std::to_string(i % 7), {T(i * 10), T(i * 10 + 5)});
      return Status::OK();
    }));
  }
  stop.store(true);
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace cairn::ring
