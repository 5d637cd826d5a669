// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// SimpleStrategy and NetworkTopologyStrategy: option validation (Cassandra's messages),
// natural endpoints (ring walk, vnodes, rack-aware placement and its fallback), the
// replica cache, address ranges; snitches.
#include "ring/replication_strategy.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "tests/lib/test_util.h"

namespace cairn::ring {
namespace {

using Strings = std::vector<std::string>;
Token T(int64_t v) { return Murmur3Partitioner::FromLong(v); }
Range R(int64_t l, int64_t r) { return Range(T(l), T(r)); }

std::shared_ptr<const Snitch> Simple() { return std::make_shared<SimpleSnitch>(); }

std::string Error(std::string_view cls, const StrategyOptions& opts, std::string_view ks = "ks") {
  return ReplicationStrategy::Create(cls, opts, Simple(), ks).status().message();
}

// ------------------------------- validation -------------------------------

TEST(ReplicationStrategyTest, ValidationMessagesMatchCassandra) {
  EXPECT_EQ(Error("SimpleStrategy", {}),
            "SimpleStrategy requires a replication_factor strategy option.");
  EXPECT_EQ(Error("SimpleStrategy", {{"replication_factor", "-1"}}),
            "Replication factor must be non-negative; found -1");
  EXPECT_EQ(Error("SimpleStrategy", {{"replication_factor", "three"}}),
            "Replication factor must be numeric; found three");
  EXPECT_EQ(Error("SimpleStrategy", {{"replication_factor", "99999999999"}}),
            "Replication factor must be numeric; found 99999999999");
  EXPECT_EQ(Error("SimpleStrategy", {{"replication_factor", "1"}, {"dc1", "2"}}, "Keyspace1"),
            "Unrecognized strategy option {dc1} passed to SimpleStrategy for keyspace Keyspace1");
  EXPECT_EQ(Error("NetworkTopologyStrategy", {{"replication_factor", "3"}}),
            "replication_factor is an option for SimpleStrategy, not NetworkTopologyStrategy");
  EXPECT_EQ(Error("NetworkTopologyStrategy", {{"dc1", "x"}}),
            "Replication factor must be numeric; found x");
  EXPECT_EQ(Error("NoSuchStrategy", {}),
            "Unable to find replication strategy class 'org.apache.cassandra.locator.NoSuchStrategy'");
  EXPECT_TRUE(ReplicationStrategy::Create("SimpleStrategy", {}, Simple()).status().IsInvalidArgument());
  EXPECT_OK(ReplicationStrategy::Validate("NetworkTopologyStrategy", {}));
  EXPECT_OK(ReplicationStrategy::Validate("SimpleStrategy", {{"replication_factor", "0"}}));
}

TEST(ReplicationStrategyTest, CreateAcceptsShortAndFullNames) {
  auto s = ReplicationStrategy::Create("org.apache.cassandra.locator.SimpleStrategy",
                                       {{"replication_factor", "3"}}, Simple());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->Name(), "org.apache.cassandra.locator.SimpleStrategy");
  EXPECT_EQ((*s)->GetReplicationFactor(), 3);
  EXPECT_EQ((*s)->options().at("replication_factor"), "3");
  auto n = ReplicationStrategy::Create("NetworkTopologyStrategy", {{"dc1", "3"}, {"dc2", "2"}},
                                       Simple());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)->Name(), "org.apache.cassandra.locator.NetworkTopologyStrategy");
  EXPECT_EQ((*n)->GetReplicationFactor(), 5);
  auto* nts = dynamic_cast<const NetworkTopologyStrategy*>(n->get());
  ASSERT_NE(nts, nullptr);
  EXPECT_EQ(nts->GetReplicationFactor("dc2"), 2);
  EXPECT_EQ(nts->GetReplicationFactor("dc9"), 0);
  EXPECT_EQ(ReplicationStrategy::ResolveClassName("NetworkTopologyStrategy").value(),
            "org.apache.cassandra.locator.NetworkTopologyStrategy");
}

// ------------------------------- SimpleStrategy -------------------------------

class SimpleStrategyTest : public ::testing::Test {
 protected:
  SimpleStrategyTest() {
    tm_.UpdateNormalTokens("A", {T(10)});
    tm_.UpdateNormalTokens("B", {T(20)});
    tm_.UpdateNormalTokens("C", {T(30)});
    tm_.UpdateNormalTokens("D", {T(40)});
  }
  TokenMetadata tm_{Murmur3Partitioner::Instance()};
};

TEST_F(SimpleStrategyTest, WalksTheRingFromThePrimaryOwner) {
  SimpleStrategy rf3(3, Simple());
  EXPECT_EQ(rf3.CalculateNaturalEndpoints(T(15), tm_), (Strings{"B", "C", "D"}));
  EXPECT_EQ(rf3.CalculateNaturalEndpoints(T(20), tm_), (Strings{"B", "C", "D"}));
  EXPECT_EQ(rf3.CalculateNaturalEndpoints(T(21), tm_), (Strings{"C", "D", "A"}));
  EXPECT_EQ(rf3.CalculateNaturalEndpoints(T(45), tm_), (Strings{"A", "B", "C"}));  // wraps
  EXPECT_EQ(rf3.CalculateNaturalEndpoints(T(INT64_MIN), tm_), (Strings{"A", "B", "C"}));
  SimpleStrategy rf9(9, Simple());
  EXPECT_EQ(rf9.CalculateNaturalEndpoints(T(0), tm_), (Strings{"A", "B", "C", "D"}));
  SimpleStrategy rf0(0, Simple());
  EXPECT_TRUE(rf0.CalculateNaturalEndpoints(T(0), tm_).empty());
  TokenMetadata empty(Murmur3Partitioner::Instance());
  EXPECT_TRUE(rf3.CalculateNaturalEndpoints(T(0), empty).empty());
  EXPECT_TRUE(rf3.GetNaturalEndpoints(T(0), empty).empty());
}

TEST_F(SimpleStrategyTest, SkipsRepeatedEndpointsWithVnodes) {
  TokenMetadata tm(Murmur3Partitioner::Instance());
  tm.UpdateNormalTokens("A", {T(10), T(20)});
  tm.UpdateNormalTokens("B", {T(30), T(40)});
  tm.UpdateNormalTokens("C", {T(50)});
  SimpleStrategy rf2(2, Simple());
  EXPECT_EQ(rf2.CalculateNaturalEndpoints(T(5), tm), (Strings{"A", "B"}));
  EXPECT_EQ(rf2.CalculateNaturalEndpoints(T(35), tm), (Strings{"B", "C"}));
}

TEST_F(SimpleStrategyTest, AddressRanges) {
  SimpleStrategy rf2(2, Simple());
  auto by_ep = rf2.GetAddressRanges(tm_);
  EXPECT_EQ(by_ep["A"], (std::vector<Range>{R(40, 10), R(30, 40)}));
  EXPECT_EQ(by_ep["C"], (std::vector<Range>{R(10, 20), R(20, 30)}));
  EXPECT_EQ(rf2.GetRangesFor("C", tm_), (std::vector<Range>{R(10, 20), R(20, 30)}));
  auto by_range = rf2.GetRangeAddresses(tm_);
  EXPECT_EQ(by_range[R(40, 10)], (Strings{"A", "B"}));
  EXPECT_EQ(by_range.size(), 4u);
}

TEST_F(SimpleStrategyTest, CachedLookupsFollowRingChanges) {
  SimpleStrategy rf2(2, Simple());
  EXPECT_EQ(rf2.GetNaturalEndpoints(T(15), tm_), (Strings{"B", "C"}));
  EXPECT_EQ(rf2.GetNaturalEndpoints(T(16), tm_), (Strings{"B", "C"}));  // cached entry
  tm_.UpdateNormalTokens("E", {T(17)});
  EXPECT_EQ(rf2.GetNaturalEndpoints(T(15), tm_), (Strings{"E", "B"}));
  std::mt19937_64 rng(3);
  for (int i = 0; i < 500; ++i) {
    const Token t = Murmur3Partitioner::Instance()->GetRandomToken(rng);
    EXPECT_EQ(rf2.GetNaturalEndpoints(t, tm_), rf2.CalculateNaturalEndpoints(t, tm_));
  }
}

// --------------------------- NetworkTopologyStrategy ---------------------------

std::shared_ptr<PropertySnitch> MakeSnitch(
    const std::map<std::string, std::pair<std::string, std::string>>& where) {
  auto snitch = std::make_shared<PropertySnitch>(
      where.begin()->first,
      PropertySnitch::Location{where.begin()->second.first, where.begin()->second.second});
  for (const auto& [ep, loc] : where) {
    snitch->SetLocation(ep, PropertySnitch::Location{loc.first, loc.second});
  }
  return snitch;
}

TEST(NetworkTopologyStrategyTest, PrefersDistinctRacks) {
  // Ring order: a1(r1) a2(r1) a3(r2) a4(r2) b1(r1) b2(r1), dc1 = a*, dc2 = b*.
  auto snitch = MakeSnitch({{"a1", {"dc1", "r1"}}, {"a2", {"dc1", "r1"}}, {"a3", {"dc1", "r2"}},
                            {"a4", {"dc1", "r2"}}, {"b1", {"dc2", "r1"}}, {"b2", {"dc2", "r1"}}});
  TokenMetadata tm(Murmur3Partitioner::Instance());
  tm.UpdateNormalTokens("a1", {T(10)});
  tm.UpdateNormalTokens("a2", {T(20)});
  tm.UpdateNormalTokens("a3", {T(30)});
  tm.UpdateNormalTokens("a4", {T(40)});
  tm.UpdateNormalTokens("b1", {T(50)});
  tm.UpdateNormalTokens("b2", {T(60)});
  NetworkTopologyStrategy nts({{"dc1", 2}, {"dc2", 1}}, snitch);
  // From 5: a1 (r1), a2 skipped (r1 again), a3 (r2): dc1 done; b1 for dc2.
  EXPECT_EQ(nts.CalculateNaturalEndpoints(T(5), tm), (Strings{"a1", "a3", "b1"}));
  // From 25: a3 (r2), a4 skipped, b1 (dc2), b2 (dc2 full: skip), a1 (r1).
  EXPECT_EQ(nts.CalculateNaturalEndpoints(T(25), tm), (Strings{"a3", "b1", "a1"}));
  // RF 3 in dc1 with 2 racks: after r1 and r2 the skipped a2 fills the third slot.
  NetworkTopologyStrategy nts3({{"dc1", 3}}, snitch);
  EXPECT_EQ(nts3.CalculateNaturalEndpoints(T(5), tm), (Strings{"a1", "a3", "a2"}));
  // RF above the dc size: every endpoint of the dc, once.
  NetworkTopologyStrategy big({{"dc1", 9}, {"dc2", 9}}, snitch);
  EXPECT_EQ(big.CalculateNaturalEndpoints(T(45), tm).size(), 6u);
  // A datacenter with no endpoints is ignored; an unlisted datacenter gets nothing.
  NetworkTopologyStrategy ghost({{"dc3", 2}, {"dc2", 1}}, snitch);
  EXPECT_EQ(ghost.CalculateNaturalEndpoints(T(5), tm), Strings{"b1"});
  NetworkTopologyStrategy none({}, snitch);
  EXPECT_TRUE(none.CalculateNaturalEndpoints(T(5), tm).empty());
}

TEST(NetworkTopologyStrategyTest, SingleRackSingleDcEqualsSimpleStrategy) {
  std::mt19937_64 rng(9);
  const Partitioner& p = *Murmur3Partitioner::Instance();
  TokenMetadata tm(Murmur3Partitioner::Instance());
  for (int n = 0; n < 6; ++n) {
    std::vector<Token> tokens;
    for (int i = 0; i < 16; ++i) tokens.push_back(p.GetRandomToken(rng));
    tm.UpdateNormalTokens("10.0.0." + std::to_string(n), tokens);
  }
  for (int rf = 1; rf <= 4; ++rf) {
    SimpleStrategy simple(rf, Simple());
    NetworkTopologyStrategy nts({{"datacenter1", rf}}, Simple());
    for (int i = 0; i < 300; ++i) {
      const Token t = p.GetRandomToken(rng);
      EXPECT_EQ(nts.CalculateNaturalEndpoints(t, tm), simple.CalculateNaturalEndpoints(t, tm));
    }
  }
}

TEST(NetworkTopologyStrategyTest, RandomTopologiesSatisfyPlacementRules) {
  std::mt19937_64 rng(21);
  const Partitioner& p = *Murmur3Partitioner::Instance();
  for (int trial = 0; trial < 30; ++trial) {
    std::map<std::string, std::pair<std::string, std::string>> where;
    TokenMetadata tm(Murmur3Partitioner::Instance());
    const int nodes = 3 + static_cast<int>(rng() % 10);
    for (int n = 0; n < nodes; ++n) {
      const std::string ep = "10.0." + std::to_string(trial) + "." + std::to_string(n);
      where[ep] = {"dc" + std::to_string(rng() % 2), "r" + std::to_string(rng() % 3)};
      std::vector<Token> tokens;
      for (int i = 0; i < 4; ++i) tokens.push_back(p.GetRandomToken(rng));
      tm.UpdateNormalTokens(ep, tokens);
    }
    auto snitch = MakeSnitch(where);
    std::map<std::string, int> rfs = {{"dc0", 1 + static_cast<int>(rng() % 4)},
                                      {"dc1", static_cast<int>(rng() % 4)}};
    NetworkTopologyStrategy nts(rfs, snitch);
    std::map<std::string, std::set<std::string>> dc_eps, dc_racks;
    for (const auto& [ep, loc] : where) {
      dc_eps[loc.first].insert(ep);
      dc_racks[loc.first].insert(loc.second);
    }
    for (int i = 0; i < 50; ++i) {
      const Token t = p.GetRandomToken(rng);
      const Strings replicas = nts.CalculateNaturalEndpoints(t, tm);
      EXPECT_EQ(std::set<std::string>(replicas.begin(), replicas.end()).size(), replicas.size());
      for (const auto& [dc, rf] : rfs) {
        std::set<std::string> racks;
        size_t count = 0;
        for (const auto& ep : replicas) {
          if (where[ep].first != dc) continue;
          ++count;
          racks.insert(where[ep].second);
        }
        EXPECT_EQ(count, std::min<size_t>(rf, dc_eps[dc].size()));
        // As many distinct racks as possible.
        EXPECT_EQ(racks.size(), std::min(count, dc_racks[dc].size()));
      }
      // The first replica of the primary owner's dc (if replicated) is the primary owner.
      const std::string& primary = tm.SortedOwners()[tm.FirstTokenIndex(t)];
      if (rfs[where[primary].first] > 0) {
        EXPECT_EQ(replicas.front(), primary);
      }
    }
  }
}

TEST(NetworkTopologyStrategyTest, CacheFollowsSnitchChanges) {
  auto snitch = MakeSnitch({{"a", {"dc1", "r1"}}, {"b", {"dc1", "r1"}}, {"c", {"dc1", "r2"}}});
  TokenMetadata tm(Murmur3Partitioner::Instance());
  tm.UpdateNormalTokens("a", {T(10)});
  tm.UpdateNormalTokens("b", {T(20)});
  tm.UpdateNormalTokens("c", {T(30)});
  NetworkTopologyStrategy nts({{"dc1", 2}}, snitch);
  EXPECT_EQ(nts.GetNaturalEndpoints(T(5), tm), (Strings{"a", "c"}));
  snitch->SetLocation("b", {"dc1", "r3"});  // gossip tells us b is on another rack
  EXPECT_EQ(nts.GetNaturalEndpoints(T(5), tm), (Strings{"a", "b"}));
}

// ---------------------------------- snitches ----------------------------------

TEST(SnitchTest, SimpleSnitch) {
  SimpleSnitch s;
  EXPECT_EQ(s.GetDatacenter("1.2.3.4"), "datacenter1");
  EXPECT_EQ(s.GetRack("1.2.3.4"), "rack1");
  EXPECT_EQ(s.Name(), "org.apache.cassandra.locator.SimpleSnitch");
  Strings eps = {"c", "a", "b"};
  s.SortByProximity("a", &eps);
  EXPECT_EQ(eps, (Strings{"c", "a", "b"}));  // unchanged
}

TEST(SnitchTest, PropertySnitch) {
  PropertySnitch s("127.0.0.1", {"DC1", "RAC1"});
  EXPECT_EQ(s.GetDatacenter("127.0.0.1"), "DC1");
  EXPECT_EQ(s.GetDatacenter("127.0.0.9"), "UNKNOWN_DC");
  EXPECT_EQ(s.GetRack("127.0.0.9"), "UNKNOWN_RACK");
  EXPECT_EQ(s.GetLocation("127.0.0.9"), std::nullopt);
  const uint64_t v = s.version();
  s.SetLocation("127.0.0.2", {"DC2", "RAC1"});
  EXPECT_NE(s.version(), v);
  const uint64_t v2 = s.version();
  s.SetLocation("127.0.0.2", {"DC2", "RAC1"});  // no change, no new version
  EXPECT_EQ(s.version(), v2);
  EXPECT_EQ(s.GetDatacenter("127.0.0.2"), "DC2");
  s.RemoveEndpoint("127.0.0.2");
  EXPECT_EQ(s.GetDatacenter("127.0.0.2"), "UNKNOWN_DC");
  s.RemoveEndpoint("127.0.0.1");  // the local node is never forgotten
  EXPECT_EQ(s.GetDatacenter("127.0.0.1"), "DC1");
  EXPECT_EQ(s.Name(), "org.apache.cassandra.locator.GossipingPropertyFileSnitch");
}

TEST(SnitchTest, SortByProximityPrefersSelfThenRackThenDc) {
  PropertySnitch s("me", {"dc1", "r1"});
  s.SetLocation("same-rack", {"dc1", "r1"});
  s.SetLocation("same-dc", {"dc1", "r2"});
  s.SetLocation("far", {"dc2", "r1"});
  Strings eps = {"far", "same-dc", "same-rack", "me"};
  s.SortByProximity("me", &eps);
  EXPECT_EQ(eps, (Strings{"me", "same-rack", "same-dc", "far"}));
}

}  // namespace
}  // namespace cairn::ring
