// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// FaultInjector (node/net/fault.h): which rules match which messages, and how rules
// combine. The socket-level effects are in messaging_service_test.cc.
#include "node/net/fault.h"

#include <gtest/gtest.h>

namespace cairn::net {
namespace {

const Endpoint kA = *Endpoint::Parse("127.0.0.2:7000");
const Endpoint kB = *Endpoint::Parse("127.0.0.3:7000");
constexpr Verb kEcho = internode::Verb::ECHO;
constexpr Verb kSyn = internode::Verb::GOSSIP_DIGEST_SYN;

TEST(FaultInjectorTest, NoRulesNoFault) {
  FaultInjector faults(1);
  FaultDecision d = faults.Decide(kA, kEcho, FaultDirection::kOutbound);
  EXPECT_FALSE(d.drop);
  EXPECT_EQ(d.delay_ms, 0u);
}

TEST(FaultInjectorTest, RulesMatchPeerVerbAndDirection) {
  FaultInjector faults(1);
  faults.Add(FaultRule{kA, kEcho, FaultDirection::kOutbound, 1.0, 0});
  EXPECT_TRUE(faults.Decide(kA, kEcho, FaultDirection::kOutbound).drop);
  EXPECT_FALSE(faults.Decide(kA, kEcho, FaultDirection::kInbound).drop);
  EXPECT_FALSE(faults.Decide(kB, kEcho, FaultDirection::kOutbound).drop);
  EXPECT_FALSE(faults.Decide(kA, kSyn, FaultDirection::kOutbound).drop);

  faults.Add(FaultRule::DropAll(kB));  // any verb, both directions
  EXPECT_TRUE(faults.Decide(kB, kSyn, FaultDirection::kInbound).drop);
  EXPECT_TRUE(faults.Decide(kB, kEcho, FaultDirection::kOutbound).drop);
}

TEST(FaultInjectorTest, DelaysTakeTheLargestAndRemoveWorks) {
  FaultInjector faults(1);
  const uint64_t small = faults.Add(FaultRule::Delay(std::nullopt, 10));
  const uint64_t large = faults.Add(FaultRule::Delay(kA, 300));
  EXPECT_EQ(faults.Decide(kA, kEcho, FaultDirection::kInbound).delay_ms, 300u);
  EXPECT_EQ(faults.Decide(kB, kEcho, FaultDirection::kInbound).delay_ms, 10u);
  EXPECT_TRUE(faults.Remove(large));
  EXPECT_FALSE(faults.Remove(large));
  EXPECT_EQ(faults.Decide(kA, kEcho, FaultDirection::kInbound).delay_ms, 10u);
  ASSERT_EQ(faults.Rules().size(), 1u);
  EXPECT_EQ(faults.Rules()[0].first, small);
  faults.Clear();
  EXPECT_EQ(faults.Decide(kA, kEcho, FaultDirection::kInbound).delay_ms, 0u);
}

TEST(FaultInjectorTest, DropProbabilityIsRespected) {
  FaultInjector faults(42);
  faults.Add(FaultRule{std::nullopt, std::nullopt, FaultDirection::kBoth, 0.3, 0});
  int dropped = 0;
  for (int i = 0; i < 10000; ++i) dropped += faults.Decide(kA, kEcho, FaultDirection::kOutbound).drop;
  EXPECT_GT(dropped, 2700);
  EXPECT_LT(dropped, 3300);
}

TEST(FaultInjectorTest, RuleToString) {
  FaultRule rule{kA, kEcho, FaultDirection::kOutbound, 0.5, 100};
  EXPECT_EQ(rule.ToString(), "peer=127.0.0.2:7000 verb=ECHO direction=out drop=0.5 delay_ms=100");
  EXPECT_EQ(FaultRule::DropAll(std::nullopt).ToString(), "peer=* verb=* direction=both drop=1 delay_ms=0");
}

}  // namespace
}  // namespace cairn::net
