// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Tests for gossip/versioned_value.h and gossip/endpoint_state.h: application state names,
// the STATUS value factories (Cassandra 3.11's strings) and their parsing.
#include "gossip/versioned_value.h"

#include <gtest/gtest.h>

#include "gossip/endpoint_state.h"

namespace cairn::gossip {
namespace {

TEST(ApplicationStateTest, NamesFollowCassandra) {
  EXPECT_EQ(ApplicationStateName(ApplicationState::kStatus), "STATUS");
  EXPECT_EQ(ApplicationStateName(ApplicationState::kTokens), "TOKENS");
  EXPECT_EQ(ApplicationStateName(ApplicationState::kHostId), "HOST_ID");
  EXPECT_EQ(ApplicationStateName(ApplicationState::kRpcAddress), "RPC_ADDRESS");
  EXPECT_EQ(static_cast<int>(ApplicationState::kTokens), 13);  // Cassandra 3.11 ordinal
  EXPECT_EQ(ApplicationStateName(static_cast<ApplicationState>(42)), "X_42");
  EXPECT_EQ(ParseApplicationStateName("SCHEMA"), ApplicationState::kSchema);
  EXPECT_FALSE(ParseApplicationStateName("NOPE").has_value());
}

TEST(VersionedValueFactoryTest, StatusValuesCarryTheFirstToken) {
  std::vector<std::string> tokens = {"-42", "17", "99"};
  EXPECT_EQ(VersionedValueFactory::Bootstrapping(tokens), "BOOT,-42");
  EXPECT_EQ(VersionedValueFactory::Normal(tokens), "NORMAL,-42");
  EXPECT_EQ(VersionedValueFactory::Leaving(tokens), "LEAVING,-42");
  EXPECT_EQ(VersionedValueFactory::Left(tokens, 1700000000123), "LEFT,-42,1700000000123");
  EXPECT_EQ(VersionedValueFactory::Moving("5"), "MOVING,5");
  EXPECT_EQ(VersionedValueFactory::RemovingNonlocal("abc"), "removing,abc");
  EXPECT_EQ(VersionedValueFactory::RemovedNonlocal("abc", 7), "removed,abc,7");
  EXPECT_EQ(VersionedValueFactory::RemovalCoordinator("def"), "REMOVER,def");
  EXPECT_EQ(VersionedValueFactory::Shutdown(true), "shutdown,true");
  EXPECT_EQ(VersionedValueFactory::Hibernate(true), "hibernate,true");
  EXPECT_EQ(VersionedValueFactory::Tokens(tokens), "-42,17,99");
  EXPECT_EQ(VersionedValueFactory::Load(1234.5), "1234.5");
}

TEST(VersionedValueFactoryTest, ParsesWhatItBuilds) {
  StatusValue left = ParseStatusValue(VersionedValueFactory::Left({"8"}, 123456));
  EXPECT_EQ(left.status, "LEFT");
  ASSERT_EQ(left.args.size(), 2u);
  EXPECT_EQ(left.args[0], "8");
  EXPECT_EQ(ExpireTimeOf(left), 123456);
  EXPECT_EQ(ExpireTimeOf(ParseStatusValue("removed,host,99")), 99);
  EXPECT_FALSE(ExpireTimeOf(ParseStatusValue("NORMAL,8")).has_value());
  EXPECT_FALSE(ExpireTimeOf(ParseStatusValue("LEFT,8")).has_value());
  EXPECT_FALSE(ExpireTimeOf(ParseStatusValue("LEFT,8,12x")).has_value());
  EXPECT_EQ(ParseStatusValue("").status, "");
  EXPECT_EQ(ParseStatusValue("NORMAL").status, "NORMAL");
  EXPECT_TRUE(ParseStatusValue("NORMAL").args.empty());

  std::vector<std::string> tokens = {"1", "-2", "3"};
  EXPECT_EQ(ParseTokens(VersionedValueFactory::Tokens(tokens)), tokens);
  EXPECT_TRUE(ParseTokens("").empty());
}

TEST(VersionedValueFactoryTest, DeadAndSilentStatuses) {
  for (const char* s : {"LEFT", "removed", "removing", "hibernate"}) {
    EXPECT_TRUE(IsDeadStatus(s)) << s;
    EXPECT_TRUE(IsSilentShutdownStatus(s)) << s;
  }
  for (const char* s : {"NORMAL", "LEAVING", "BOOT", "shutdown", ""}) EXPECT_FALSE(IsDeadStatus(s));
  EXPECT_TRUE(IsSilentShutdownStatus("BOOT"));
  EXPECT_FALSE(IsSilentShutdownStatus("NORMAL"));
}

TEST(EndpointStateTest, MaxVersionStatusAndDump) {
  EndpointState s;
  s.heartbeat = {1700000000, 7};
  EXPECT_EQ(s.MaxVersion(), 7);
  EXPECT_EQ(s.GossipStatus(), "");
  s.states[ApplicationState::kStatus] = {"LEFT,5,99", 12};
  s.states[ApplicationState::kLoad] = {"1.0", 3};
  EXPECT_EQ(s.MaxVersion(), 12);
  EXPECT_EQ(s.GossipStatus(), "LEFT");
  EXPECT_TRUE(s.IsDeadState());
  EXPECT_EQ(s.GetValue(ApplicationState::kLoad), "1.0");
  EXPECT_EQ(s.GetValue(ApplicationState::kRack), "");
  EXPECT_EQ(FormatGossipInfo({{"127.0.0.1", s}}),
            "/127.0.0.1\n  generation:1700000000\n  heartbeat:7\n  STATUS:12:LEFT,5,99\n"
            "  LOAD:3:1.0\n");
}

}  // namespace
}  // namespace cairn::gossip
