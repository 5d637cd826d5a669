// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// cairn-stress's token-aware routing table (tools/stress/token_ring.h): for every
// partitioner, the replicas it picks for a key are exactly those ring/'s replication
// strategy computes from the key's token, given the ring as describe_ring reports it
// (built here the way thrift/handler.cc's DescribeClusterRing builds it). Also: range
// boundaries (end inclusive, wrap-around), how nodes are addressed, and the errors.
#include <gtest/gtest.h>

#include <random>

#include "ring/partitioner.h"
#include "ring/replication_strategy.h"
#include "ring/snitch.h"
#include "ring/token_metadata.h"
#include "tools/stress/token_ring.h"
#include "tools/stress/workload.h"

namespace cairn::stress {
namespace {

// describe_ring's answer for `tm` under `strategy`: one range per ring token, replicas
// primary first; rpc addresses "rpc-" + endpoint when `rpc_prefix`.
RingDescription Describe(const ring::TokenMetadata& tm, const ring::ReplicationStrategy& strategy,
                         const std::string& rpc_prefix) {
  RingDescription d;
  d.partitioner = std::string(tm.partitioner().Name());
  d.keyspace = "ks";
  const std::vector<Token>& tokens = tm.SortedTokens();
  for (size_t i = 0; i < tokens.size(); ++i) {
    RingRange r;
    r.start_token = tm.partitioner().TokenToString(tokens[(i + tokens.size() - 1) % tokens.size()]);
    r.end_token = tm.partitioner().TokenToString(tokens[i]);
    for (const std::string& e : strategy.CalculateNaturalEndpoints(tokens[i], tm)) {
      r.endpoints.push_back(e);
      r.rpc_endpoints.push_back(rpc_prefix + e);
    }
    d.ranges.push_back(std::move(r));
  }
  // describe_ring's order is the ring's; the table must not depend on it.
  std::mt19937_64 rng(7);
  std::shuffle(d.ranges.begin(), d.ranges.end(), rng);
  return d;
}

class TokenRingTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TokenRingTest, ReplicasOfEveryKeyMatchTheReplicationStrategy) {
  auto partitioner = ring::Partitioner::ByName(GetParam());
  ASSERT_TRUE(partitioner.ok());
  ring::TokenMetadata tm(*partitioner);
  std::mt19937_64 rng(42);
  const std::vector<std::string> endpoints = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4",
                                              "10.0.0.5"};
  for (size_t e = 0; e < endpoints.size(); ++e) {
    std::vector<Token> tokens;
    if ((*partitioner)->PreservesOrder()) {
      // ByteOrdered: tokens among the keys the tool writes (or every key lands in one
      // range), distinct, endpoints interleaved.
      for (uint64_t t = 0; t < 8; ++t) {
        tokens.push_back(Token{KeyName((t * endpoints.size() + e) * 500 + rng() % 500)});
      }
    } else {
      for (int t = 0; t < 8; ++t) tokens.push_back((*partitioner)->GetRandomToken(rng));
    }
    tm.UpdateNormalTokens(endpoints[e], tokens);
  }
  auto strategy = ring::ReplicationStrategy::Create("SimpleStrategy", {{"replication_factor", "3"}},
                                                    std::make_shared<ring::SimpleSnitch>());
  ASSERT_TRUE(strategy.ok());

  auto built = TokenRing::Build(Describe(tm, **strategy, ""), {Endpoint{"10.0.0.3", 9161}});
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  const TokenRing& table = **built;
  EXPECT_EQ(table.num_ranges(), 40u);
  ASSERT_EQ(table.nodes().size(), 5u);

  for (uint64_t id = 1; id <= 20000; ++id) {
    const std::string key = KeyName(id);
    std::vector<std::string> got;
    for (uint32_t n : table.ReplicasFor(key)) got.push_back(table.nodes()[n].host);
    const std::vector<std::string> want =
        (*strategy)->CalculateNaturalEndpoints((*partitioner)->GetToken(key), tm);
    ASSERT_EQ(got, want) << "key " << key << " token "
                         << (*partitioner)->TokenToString((*partitioner)->GetToken(key));
  }
}

INSTANTIATE_TEST_SUITE_P(Partitioners, TokenRingTest,
                         ::testing::Values("Murmur3Partitioner", "RandomPartitioner",
                                           "org.apache.cassandra.dht.ByteOrderedPartitioner"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           const std::string& n = info.param;
                           return n.substr(n.rfind('.') + 1);
                         });

// Three Murmur3 ranges with hand-picked tokens: (300, -100], (-100, 0], (0, 300].
RingDescription ThreeRanges() {
  RingDescription d;
  d.partitioner = "org.apache.cassandra.dht.Murmur3Partitioner";
  d.keyspace = "ks";
  d.ranges = {RingRange{"0", "300", {"10.0.0.3", "10.0.0.1"}, {"127.0.0.3", "127.0.0.1"}},
              RingRange{"300", "-100", {"10.0.0.1", "10.0.0.2"}, {"127.0.0.1", "127.0.0.2"}},
              RingRange{"-100", "0", {"10.0.0.2", "10.0.0.3"}, {"127.0.0.2", "127.0.0.3"}}};
  return d;
}

std::vector<std::string> HostsFor(const TokenRing& t, int64_t token) {
  std::vector<std::string> hosts;
  for (uint32_t n : t.ReplicasForToken(ring::Murmur3Partitioner::FromLong(token))) {
    hosts.push_back(t.nodes()[n].host);
  }
  return hosts;
}

TEST(TokenRingBoundaryTest, EndTokenIsInclusiveAndTheRingWraps) {
  auto built = TokenRing::Build(ThreeRanges(), {Endpoint{"127.0.0.1", 9160}});
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  const TokenRing& t = **built;
  using V = std::vector<std::string>;
  EXPECT_EQ(HostsFor(t, INT64_MIN + 1), (V{"127.0.0.1", "127.0.0.2"}));
  EXPECT_EQ(HostsFor(t, -100), (V{"127.0.0.1", "127.0.0.2"}));
  EXPECT_EQ(HostsFor(t, -99), (V{"127.0.0.2", "127.0.0.3"}));
  EXPECT_EQ(HostsFor(t, 0), (V{"127.0.0.2", "127.0.0.3"}));
  EXPECT_EQ(HostsFor(t, 1), (V{"127.0.0.3", "127.0.0.1"}));
  EXPECT_EQ(HostsFor(t, 300), (V{"127.0.0.3", "127.0.0.1"}));
  EXPECT_EQ(HostsFor(t, 301), (V{"127.0.0.1", "127.0.0.2"}));
  EXPECT_EQ(HostsFor(t, INT64_MAX), (V{"127.0.0.1", "127.0.0.2"}));

  // A key goes where its Cassandra token says.
  const std::string key = KeyName(42);
  const int64_t token = ring::Murmur3Partitioner::TokenValue(key);
  std::vector<std::string> by_key;
  for (uint32_t n : t.ReplicasFor(key)) by_key.push_back(t.nodes()[n].host);
  EXPECT_EQ(by_key, HostsFor(t, token));
}

TEST(TokenRingNodesTest, ContactPointsFirstWithTheirPortsOthersWithTheFirstPort) {
  auto built =
      TokenRing::Build(ThreeRanges(), {Endpoint{"127.0.0.2", 9002}, Endpoint{"127.0.0.9", 9009}});
  ASSERT_TRUE(built.ok());
  const std::vector<Endpoint>& nodes = (*built)->nodes();
  ASSERT_EQ(nodes.size(), 3u);  // 127.0.0.9 replicates nothing: not a ring node
  EXPECT_EQ(nodes[0].ToString(), "127.0.0.2:9002");
  EXPECT_EQ(nodes[1].ToString(), "127.0.0.1:9002");
  EXPECT_EQ(nodes[2].ToString(), "127.0.0.3:9002");
}

TEST(TokenRingNodesTest, UnusableRpcAddressFallsBackToTheInternodeAddress) {
  RingDescription d = ThreeRanges();
  for (RingRange& r : d.ranges) {
    for (std::string& rpc : r.rpc_endpoints) rpc = "0.0.0.0";
  }
  d.ranges[0].rpc_endpoints.clear();  // rpc_endpoints is optional in the IDL
  auto built = TokenRing::Build(d, {Endpoint{"10.0.0.1", 9160}});
  ASSERT_TRUE(built.ok());
  std::vector<std::string> hosts;
  for (const Endpoint& e : (*built)->nodes()) hosts.push_back(e.host);
  EXPECT_EQ(hosts, (std::vector<std::string>{"10.0.0.1", "10.0.0.2", "10.0.0.3"}));
}

TEST(TokenRingErrorTest, UnknownPartitionerEmptyRingAndBadTokensAreRefused) {
  const std::vector<Endpoint> contact = {Endpoint{"127.0.0.1", 9160}};
  RingDescription d = ThreeRanges();
  d.partitioner = "org.apache.cassandra.dht.OrderPreservingPartitioner";
  EXPECT_TRUE(TokenRing::Build(d, contact).status().IsInvalidArgument());

  d = ThreeRanges();
  d.ranges.clear();
  auto empty = TokenRing::Build(d, contact);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("no range"), std::string::npos);

  d = ThreeRanges();
  d.ranges[1].end_token = "not-a-token";
  auto bad = TokenRing::Build(d, contact);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("not-a-token"), std::string::npos);

  // A keyspace replicated nowhere (NTS with RF 0 in every DC) has ranges but no node.
  d = ThreeRanges();
  for (RingRange& r : d.ranges) {
    r.endpoints.clear();
    r.rpc_endpoints.clear();
  }
  EXPECT_FALSE(TokenRing::Build(d, contact).ok());
}

}  // namespace
}  // namespace cairn::stress
