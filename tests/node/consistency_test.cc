// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Tests for node/consistency.h: Cassandra 3.11's ConsistencyLevel rules (blockFor,
// validation, assureSufficientLiveNodes, filterForQuery), the write response handlers'
// ack accounting and the proximity sort.
#include "node/consistency.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "node/schema_store.h"
#include "ring/snitch.h"
#include "tests/lib/test_util.h"

namespace cairn::node {
namespace {

using CL = ConsistencyLevel;
using Endpoints = std::vector<std::string>;

constexpr CL kAllLevels[] = {CL::ONE,    CL::QUORUM,       CL::LOCAL_QUORUM, CL::EACH_QUORUM,
                             CL::ALL,    CL::ANY,          CL::TWO,          CL::THREE,
                             CL::SERIAL, CL::LOCAL_SERIAL, CL::LOCAL_ONE};

// NetworkTopologyStrategy {dc1: 3, dc2: 2}.
ReplicationLayout Nts() { return ReplicationLayout::NetworkTopology({{"dc1", 3}, {"dc2", 2}}); }

// Two datacenters as the coordinator 10.0.1.1 (dc1, r1) sees them:
//   dc1: 10.0.1.1 r1 (this node), 10.0.1.2 r1, 10.0.1.3 r2, pending 10.0.1.9 r1
//   dc2: 10.0.2.1 r1, 10.0.2.2 r1, 10.0.2.3 r2, pending 10.0.2.9 r1
class ConsistencyTest : public ::testing::Test {
 protected:
  ConsistencyTest() : snitch_("10.0.1.1", {"dc1", "r1"}) {
    snitch_.SetLocation("10.0.1.2", {"dc1", "r1"});
    snitch_.SetLocation("10.0.1.3", {"dc1", "r2"});
    snitch_.SetLocation("10.0.1.9", {"dc1", "r1"});
    snitch_.SetLocation("10.0.2.1", {"dc2", "r1"});
    snitch_.SetLocation("10.0.2.2", {"dc2", "r1"});
    snitch_.SetLocation("10.0.2.3", {"dc2", "r2"});
    snitch_.SetLocation("10.0.2.9", {"dc2", "r1"});
  }

  Status Assure(CL cl, const ReplicationLayout& layout, const Endpoints& live, int pending = 0,
                std::string_view local_dc = "dc1") {
    return AssureSufficientLive(cl, layout, live, pending, snitch_, local_dc);
  }

  ring::PropertySnitch snitch_;
};

// ------------------------------- names -------------------------------

TEST(ConsistencyLevelNames, RoundTripAndThriftValues) {
  EXPECT_EQ(ToString(CL::QUORUM), "QUORUM");
  EXPECT_EQ(ToString(CL::LOCAL_ONE), "LOCAL_ONE");
  EXPECT_EQ(ToString(static_cast<CL>(42)), "UNKNOWN");
  for (CL cl : kAllLevels) {
    EXPECT_TRUE(IsValid(cl));
    EXPECT_EQ(ConsistencyLevelFromString(ToString(cl)), cl);
  }
  EXPECT_EQ(ConsistencyLevelFromString("local_quorum"), CL::LOCAL_QUORUM);
  EXPECT_EQ(ConsistencyLevelFromString("QUORUMS"), std::nullopt);
  EXPECT_EQ(ConsistencyLevelFromString(""), std::nullopt);
  // cassandra.thrift: ONE = 1 ... LOCAL_ONE = 11.
  EXPECT_EQ(static_cast<int>(CL::ONE), 1);
  EXPECT_EQ(static_cast<int>(CL::EACH_QUORUM), 4);
  EXPECT_EQ(static_cast<int>(CL::ANY), 6);
  EXPECT_EQ(static_cast<int>(CL::LOCAL_ONE), 11);
  EXPECT_FALSE(IsValid(static_cast<CL>(0)));
  EXPECT_FALSE(IsValid(static_cast<CL>(12)));
}

TEST(ConsistencyLevelNames, LocalAndSerialLevels) {
  for (CL cl : kAllLevels) {
    const bool local = cl == CL::LOCAL_ONE || cl == CL::LOCAL_QUORUM || cl == CL::LOCAL_SERIAL;
    EXPECT_EQ(IsDatacenterLocal(cl), local) << ToString(cl);
    EXPECT_EQ(IsSerial(cl), cl == CL::SERIAL || cl == CL::LOCAL_SERIAL) << ToString(cl);
  }
}

// ------------------------------- layout -------------------------------

TEST(ReplicationLayoutTest, OfStrategyAndOfReplicaCounts) {
  auto snitch = std::make_shared<ring::SimpleSnitch>();
  auto simple =
      ring::ReplicationStrategy::Create("SimpleStrategy", {{"replication_factor", "3"}}, snitch);
  ASSERT_TRUE(simple.ok()) << simple.status().ToString();
  ReplicationLayout s = ReplicationLayout::Of(**simple);
  EXPECT_FALSE(s.network_topology);
  EXPECT_EQ(s.replication_factor, 3);
  EXPECT_EQ(s.strategy_class, "org.apache.cassandra.locator.SimpleStrategy");
  EXPECT_EQ(s.ReplicationFactorIn("anything"), 3);

  auto nts = ring::ReplicationStrategy::Create("NetworkTopologyStrategy",
                                               {{"dc1", "3"}, {"dc2", "2"}}, snitch);
  ASSERT_TRUE(nts.ok()) << nts.status().ToString();
  ReplicationLayout n = ReplicationLayout::Of(**nts);
  EXPECT_TRUE(n.network_topology);
  EXPECT_EQ(n.replication_factor, 5);
  EXPECT_EQ(n.dc_replication, (std::map<std::string, int>{{"dc1", 3}, {"dc2", 2}}));
  EXPECT_EQ(n.ReplicationFactorIn("dc2"), 2);
  EXPECT_EQ(n.ReplicationFactorIn("dc9"), 0);

  ReplicaCounts counts;
  counts.network_topology = true;
  counts.per_dc = {{"dc1", 3}, {"dc2", 2}};
  counts.total = 5;
  ReplicationLayout c = ReplicationLayout::Of(counts);
  EXPECT_TRUE(c.network_topology);
  EXPECT_EQ(c.replication_factor, 5);
  EXPECT_EQ(c.dc_replication, n.dc_replication);
  ReplicaCounts simple_counts;
  simple_counts.total = 2;
  EXPECT_EQ(ReplicationLayout::Of(simple_counts).replication_factor, 2);
  EXPECT_FALSE(ReplicationLayout::Of(simple_counts).network_topology);
}

// ------------------------------- blockFor -------------------------------

TEST(BlockForTest, SimpleStrategyRf1To5) {
  for (int rf = 1; rf <= 5; ++rf) {
    SCOPED_TRACE("rf " + std::to_string(rf));
    const ReplicationLayout layout = ReplicationLayout::Simple(rf);
    const int quorum = rf / 2 + 1;
    EXPECT_EQ(BlockFor(CL::ANY, layout, "dc1"), 1);
    EXPECT_EQ(BlockFor(CL::ONE, layout, "dc1"), 1);
    EXPECT_EQ(BlockFor(CL::LOCAL_ONE, layout, "dc1"), 1);
    EXPECT_EQ(BlockFor(CL::TWO, layout, "dc1"), 2);
    EXPECT_EQ(BlockFor(CL::THREE, layout, "dc1"), 3);
    EXPECT_EQ(BlockFor(CL::QUORUM, layout, "dc1"), quorum);
    EXPECT_EQ(BlockFor(CL::SERIAL, layout, "dc1"), quorum);
    EXPECT_EQ(BlockFor(CL::LOCAL_QUORUM, layout, "dc1"), quorum);
    EXPECT_EQ(BlockFor(CL::LOCAL_SERIAL, layout, "dc1"), quorum);
    EXPECT_EQ(BlockFor(CL::EACH_QUORUM, layout, "dc1"), quorum);
    EXPECT_EQ(BlockFor(CL::ALL, layout, "dc1"), rf);
  }
  // The quorums spelled out: 1, 2, 2, 3, 3.
  const int expected_quorum[] = {1, 2, 2, 3, 3};
  for (int rf = 1; rf <= 5; ++rf) {
    EXPECT_EQ(QuorumFor(ReplicationLayout::Simple(rf)), expected_quorum[rf - 1]);
  }
}

TEST(BlockForTest, NetworkTopologyDc1Rf3Dc2Rf2) {
  const ReplicationLayout layout = Nts();
  struct Row {
    CL cl;
    int from_dc1;
    int from_dc2;
  };
  const Row rows[] = {
      {CL::ANY, 1, 1},          {CL::ONE, 1, 1},          {CL::LOCAL_ONE, 1, 1},   {CL::TWO, 2, 2},
      {CL::THREE, 3, 3},        {CL::QUORUM, 3, 3},       {CL::SERIAL, 3, 3},      {CL::ALL, 5, 5},
      {CL::LOCAL_QUORUM, 2, 2}, {CL::LOCAL_SERIAL, 2, 2}, {CL::EACH_QUORUM, 4, 4},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(BlockFor(row.cl, layout, "dc1"), row.from_dc1) << ToString(row.cl);
    EXPECT_EQ(BlockFor(row.cl, layout, "dc2"), row.from_dc2) << ToString(row.cl);
  }
  // A coordinator in a DC without replicas: a local quorum of rf 0 is 1 (as Cassandra).
  EXPECT_EQ(BlockFor(CL::LOCAL_QUORUM, layout, "dc3"), 1);

  const ReplicationLayout four_two = ReplicationLayout::NetworkTopology({{"dc1", 4}, {"dc2", 1}});
  EXPECT_EQ(BlockFor(CL::LOCAL_QUORUM, four_two, "dc1"), 3);
  EXPECT_EQ(BlockFor(CL::LOCAL_QUORUM, four_two, "dc2"), 1);
  EXPECT_EQ(BlockFor(CL::EACH_QUORUM, four_two, "dc1"), 4);
  EXPECT_EQ(BlockFor(CL::QUORUM, four_two, "dc1"), 3);
}

TEST(BlockForTest, EachQuorumSkipsDatacentersWithRfZero) {
  const ReplicationLayout layout = ReplicationLayout::NetworkTopology({{"dc1", 3}, {"dc2", 0}});
  EXPECT_EQ(layout.replication_factor, 3);
  EXPECT_EQ(BlockFor(CL::EACH_QUORUM, layout, "dc1"), 2);
  EXPECT_EQ(BlockFor(CL::ALL, layout, "dc1"), 3);
}

TEST_F(ConsistencyTest, BlockForWriteAddsThePendingThatCount) {
  const Endpoints pending = {"10.0.1.9", "10.0.2.9"};
  const ReplicationLayout nts = Nts();
  EXPECT_EQ(BlockForWrite(CL::ANY, nts, pending, snitch_, "dc1"), 1);
  EXPECT_EQ(BlockForWrite(CL::ONE, nts, pending, snitch_, "dc1"), 3);
  EXPECT_EQ(BlockForWrite(CL::QUORUM, nts, pending, snitch_, "dc1"), 5);
  EXPECT_EQ(BlockForWrite(CL::ALL, nts, pending, snitch_, "dc1"), 7);
  EXPECT_EQ(BlockForWrite(CL::LOCAL_ONE, nts, pending, snitch_, "dc1"), 2);
  EXPECT_EQ(BlockForWrite(CL::LOCAL_QUORUM, nts, pending, snitch_, "dc1"), 3);
  EXPECT_EQ(BlockForWrite(CL::EACH_QUORUM, nts, pending, snitch_, "dc1"), 6);
  EXPECT_EQ(BlockForWrite(CL::QUORUM, ReplicationLayout::Simple(3), {}, snitch_, "dc1"), 2);
}

// ------------------------------- validation -------------------------------

TEST(ValidateTest, ReadsRefuseOnlyAny) {
  for (const ReplicationLayout& layout : {ReplicationLayout::Simple(3), Nts()}) {
    for (CL cl : kAllLevels) {
      Status s = ValidateForRead(cl, layout);
      if (cl == CL::ANY) {
        EXPECT_TRUE(s.IsInvalidArgument());
        EXPECT_EQ(s.message(), "ANY ConsistencyLevel is only supported for writes");
      } else {
        // EACH_QUORUM reads are allowed since Cassandra 3.0 (CASSANDRA-9602), and
        // LOCAL_* with SimpleStrategy too.
        EXPECT_OK(s);
      }
    }
  }
}

TEST(ValidateTest, WritesRefuseOnlySerial) {
  for (const ReplicationLayout& layout : {ReplicationLayout::Simple(1), Nts()}) {
    for (CL cl : kAllLevels) {
      Status s = ValidateForWrite(cl, layout);
      if (cl == CL::SERIAL || cl == CL::LOCAL_SERIAL) {
        EXPECT_TRUE(s.IsInvalidArgument());
        EXPECT_EQ(s.message(), "You must use conditional updates for serializable writes");
      } else {
        EXPECT_OK(s);
      }
    }
  }
}

TEST(ValidateTest, OutOfRangeValuesAreInvalid) {
  const ReplicationLayout layout = ReplicationLayout::Simple(1);
  Status read = ValidateForRead(static_cast<CL>(0), layout);
  EXPECT_TRUE(read.IsInvalidArgument());
  EXPECT_EQ(read.message(), "Invalid consistency level 0");
  Status write = ValidateForWrite(static_cast<CL>(12), layout);
  EXPECT_TRUE(write.IsInvalidArgument());
  EXPECT_EQ(write.message(), "Invalid consistency level 12");
}

TEST(ValidateTest, CasAndCounterRules) {
  EXPECT_OK(ValidateForCas(CL::SERIAL));
  EXPECT_OK(ValidateForCas(CL::LOCAL_SERIAL));
  Status cas = ValidateForCas(CL::QUORUM);
  EXPECT_EQ(cas.message(),
            "Invalid consistency for conditional update. Must be one of SERIAL or LOCAL_SERIAL");

  EXPECT_OK(ValidateForCasCommit(CL::QUORUM, ReplicationLayout::Simple(3)));
  EXPECT_OK(ValidateForCasCommit(CL::ANY, ReplicationLayout::Simple(3)));
  EXPECT_OK(ValidateForCasCommit(CL::EACH_QUORUM, Nts()));
  Status each = ValidateForCasCommit(CL::EACH_QUORUM, ReplicationLayout::Simple(3));
  EXPECT_TRUE(each.IsInvalidArgument());
  EXPECT_EQ(each.message(),
            "consistency level EACH_QUORUM not compatible with replication strategy "
            "(org.apache.cassandra.locator.SimpleStrategy)");
  Status serial = ValidateForCasCommit(CL::LOCAL_SERIAL, ReplicationLayout::Simple(3));
  EXPECT_EQ(serial.message().rfind("LOCAL_SERIAL is not supported as conditional update commit "
                                   "consistency. Use ANY if you mean",
                                   0),
            0u);

  EXPECT_OK(ValidateCounterForWrite(CL::ONE, "c"));
  Status any = ValidateCounterForWrite(CL::ANY, "counters");
  EXPECT_EQ(any.message(), "Consistency level ANY is not yet supported for counter table counters");
  Status ser = ValidateCounterForWrite(CL::SERIAL, "counters");
  EXPECT_EQ(ser.message(), "Counter operations are inherently non-serializable");
}

// ------------------------------- liveness -------------------------------

// For every CL with SimpleStrategy RF 3 (all endpoints in dc1): exactly enough live
// replicas pass, one fewer fails with the Cassandra-style message.
TEST_F(ConsistencyTest, AssureSimpleStrategyBoundaries) {
  const ReplicationLayout layout = ReplicationLayout::Simple(3);
  const Endpoints replicas = {"10.0.1.1", "10.0.1.2", "10.0.1.3"};
  for (CL cl : kAllLevels) {
    SCOPED_TRACE(std::string(ToString(cl)));
    if (cl == CL::ANY) {
      EXPECT_OK(Assure(cl, layout, {}));
      continue;
    }
    const int required = BlockFor(cl, layout, "dc1");
    if (required <= 3) {
      EXPECT_OK(Assure(cl, layout, Endpoints(replicas.begin(), replicas.begin() + required)));
    }
    const int short_by_one = std::min(required - 1, 3);
    Status s = Assure(cl, layout, Endpoints(replicas.begin(), replicas.begin() + short_by_one));
    if (short_by_one < required) {
      ASSERT_TRUE(s.IsUnavailable()) << s.ToString();
      EXPECT_EQ(s.message(), "Cannot achieve consistency level " + std::string(ToString(cl)) +
                                 ": " + std::to_string(required) + " required but only " +
                                 std::to_string(short_by_one) + " alive");
    }
    EXPECT_EQ(IsSufficientLive(
                  cl, layout, Endpoints(replicas.begin(), replicas.begin() + std::min(required, 3)),
                  snitch_, "dc1"),
              required <= 3);
  }
}

TEST_F(ConsistencyTest, AssureQuorumMessageAndPendingRaiseTheBar) {
  const ReplicationLayout layout = ReplicationLayout::Simple(3);
  Status s = Assure(CL::QUORUM, layout, {"10.0.1.1"});
  EXPECT_TRUE(s.IsUnavailable());
  EXPECT_EQ(s.message(), "Cannot achieve consistency level QUORUM: 2 required but only 1 alive");
  // One pending endpoint: a write needs 3 of the 4.
  EXPECT_OK(Assure(CL::QUORUM, layout, {"10.0.1.1", "10.0.1.2"}, 0));
  Status p = Assure(CL::QUORUM, layout, {"10.0.1.1", "10.0.1.2"}, 1);
  EXPECT_EQ(p.message(), "Cannot achieve consistency level QUORUM: 3 required but only 2 alive");
  EXPECT_OK(Assure(CL::QUORUM, layout, {"10.0.1.1", "10.0.1.2", "10.0.1.9"}, 1));
  // ANY: a hint will do, whatever is pending.
  EXPECT_OK(Assure(CL::ANY, layout, {}, 3));
}

TEST_F(ConsistencyTest, AssureLocalOneCountsOnlyTheLocalDc) {
  const ReplicationLayout layout = Nts();
  Status s = Assure(CL::LOCAL_ONE, layout, {"10.0.2.1", "10.0.2.2"});
  EXPECT_TRUE(s.IsUnavailable());
  EXPECT_EQ(s.message(), "Cannot achieve consistency level LOCAL_ONE: 1 required but only 0 alive");
  EXPECT_OK(Assure(CL::LOCAL_ONE, layout, {"10.0.2.1", "10.0.1.3"}));
  // From dc2's point of view the same set is fine.
  EXPECT_OK(Assure(CL::LOCAL_ONE, layout, {"10.0.2.1", "10.0.2.2"}, 0, "dc2"));
  // ONE is happy with any DC.
  EXPECT_OK(Assure(CL::ONE, layout, {"10.0.2.1"}));
}

TEST_F(ConsistencyTest, AssureLocalQuorumBoundaries) {
  const ReplicationLayout layout = Nts();
  const Endpoints dc2 = {"10.0.2.1", "10.0.2.2", "10.0.2.3"};
  Endpoints live = dc2;
  live.push_back("10.0.1.1");
  Status s = Assure(CL::LOCAL_QUORUM, layout, live);
  EXPECT_EQ(s.message(),
            "Cannot achieve consistency level LOCAL_QUORUM: 2 required but only 1 alive");
  live.push_back("10.0.1.3");
  EXPECT_OK(Assure(CL::LOCAL_QUORUM, layout, live));
  EXPECT_OK(Assure(CL::LOCAL_SERIAL, layout, live));

  // A pending endpoint in dc1 raises the local bar; one in dc2 does not.
  const Endpoints dc1_two = {"10.0.1.1", "10.0.1.2"};
  Status p =
      AssureSufficientLiveForWrite(CL::LOCAL_QUORUM, layout, dc1_two, {"10.0.1.9"}, snitch_, "dc1");
  EXPECT_EQ(p.message(),
            "Cannot achieve consistency level LOCAL_QUORUM: 3 required but only 2 alive");
  EXPECT_OK(AssureSufficientLiveForWrite(CL::LOCAL_QUORUM, layout,
                                         {"10.0.1.1", "10.0.1.2", "10.0.1.9"}, {"10.0.1.9"},
                                         snitch_, "dc1"));
  EXPECT_OK(AssureSufficientLiveForWrite(CL::LOCAL_QUORUM, layout, dc1_two, {"10.0.2.9"}, snitch_,
                                         "dc1"));
  Status one = AssureSufficientLiveForWrite(CL::LOCAL_ONE, layout, {"10.0.1.1"}, {"10.0.1.9"},
                                            snitch_, "dc1");
  EXPECT_EQ(one.message(),
            "Cannot achieve consistency level LOCAL_ONE: 2 required but only 1 alive");
}

TEST_F(ConsistencyTest, AssureLocalQuorumWithSimpleStrategyUsesTheWholeRf) {
  // SimpleStrategy RF 3 spread over both DCs: LOCAL_QUORUM still needs 2, from dc1.
  const ReplicationLayout layout = ReplicationLayout::Simple(3);
  Status s = Assure(CL::LOCAL_QUORUM, layout, {"10.0.1.1", "10.0.2.1", "10.0.2.2"});
  EXPECT_EQ(s.message(),
            "Cannot achieve consistency level LOCAL_QUORUM: 2 required but only 1 alive");
  EXPECT_OK(Assure(CL::LOCAL_QUORUM, layout, {"10.0.1.1", "10.0.1.2", "10.0.2.2"}));
}

TEST_F(ConsistencyTest, AssureEachQuorumNeedsEveryDc) {
  const ReplicationLayout layout = Nts();
  EXPECT_OK(Assure(CL::EACH_QUORUM, layout, {"10.0.1.1", "10.0.1.2", "10.0.2.1", "10.0.2.2"}));
  Status dc2 = Assure(CL::EACH_QUORUM, layout, {"10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.2.1"});
  EXPECT_TRUE(dc2.IsUnavailable());
  EXPECT_EQ(dc2.message(),
            "Cannot achieve consistency level EACH_QUORUM in DC dc2: 2 required but only 1 alive");
  Status dc1 = Assure(CL::EACH_QUORUM, layout, {"10.0.1.1", "10.0.2.1", "10.0.2.2", "10.0.2.3"});
  EXPECT_EQ(dc1.message(),
            "Cannot achieve consistency level EACH_QUORUM in DC dc1: 2 required but only 1 alive");
  // QUORUM (3 of 5) does not care where they are.
  EXPECT_OK(Assure(CL::QUORUM, layout, {"10.0.1.1", "10.0.2.1", "10.0.2.2"}));

  // A pending endpoint in dc2: dc2 needs 3 of its 3 live (2 natural + the pending one).
  const Endpoints enough = {"10.0.1.1", "10.0.1.2", "10.0.2.1", "10.0.2.2"};
  Status p =
      AssureSufficientLiveForWrite(CL::EACH_QUORUM, layout, enough, {"10.0.2.9"}, snitch_, "dc1");
  EXPECT_EQ(p.message(),
            "Cannot achieve consistency level EACH_QUORUM in DC dc2: 3 required but only 2 alive");
  Endpoints with_pending = enough;
  with_pending.push_back("10.0.2.9");
  EXPECT_OK(AssureSufficientLiveForWrite(CL::EACH_QUORUM, layout, with_pending, {"10.0.2.9"},
                                         snitch_, "dc1"));
  // The int form checks the per-DC quorums and the total.
  Status total = Assure(CL::EACH_QUORUM, layout, enough, 1);
  EXPECT_EQ(total.message(),
            "Cannot achieve consistency level EACH_QUORUM: 5 required but only 4 alive");
  // EACH_QUORUM with SimpleStrategy is QUORUM.
  EXPECT_OK(Assure(CL::EACH_QUORUM, ReplicationLayout::Simple(3), {"10.0.2.1", "10.0.2.2"}));
  EXPECT_FALSE(IsSufficientLive(CL::EACH_QUORUM, layout, {"10.0.1.1", "10.0.1.2"}, snitch_, "dc1"));
}

TEST_F(ConsistencyTest, AssureWriteCountsPendingForGlobalLevels) {
  const ReplicationLayout layout = Nts();
  const Endpoints three = {"10.0.1.1", "10.0.1.2", "10.0.2.1"};
  EXPECT_OK(AssureSufficientLiveForWrite(CL::QUORUM, layout, three, {}, snitch_, "dc1"));
  Status s = AssureSufficientLiveForWrite(CL::QUORUM, layout, three, {"10.0.2.9"}, snitch_, "dc1");
  EXPECT_EQ(s.message(), "Cannot achieve consistency level QUORUM: 4 required but only 3 alive");
  EXPECT_OK(AssureSufficientLiveForWrite(CL::ANY, layout, {}, {"10.0.2.9"}, snitch_, "dc1"));
  Status two = AssureSufficientLiveForWrite(CL::TWO, layout, {"10.0.2.1", "10.0.2.2"}, {"10.0.1.9"},
                                            snitch_, "dc1");
  EXPECT_EQ(two.message(), "Cannot achieve consistency level TWO: 3 required but only 2 alive");
}

// ------------------------------- proximity -------------------------------

TEST(LatencyTrackerTest, MovingAverage) {
  LatencyTracker tracker(0.5);
  EXPECT_EQ(tracker.Score("a"), 0.0);
  tracker.Record("a", 1000);
  EXPECT_DOUBLE_EQ(tracker.Score("a"), 1000.0);
  tracker.Record("a", 3000);
  EXPECT_DOUBLE_EQ(tracker.Score("a"), 2000.0);
  tracker.Record("a", -5);  // clamped to 0
  EXPECT_DOUBLE_EQ(tracker.Score("a"), 1000.0);
  tracker.Record("b", 7);
  tracker.Forget("a");
  EXPECT_EQ(tracker.Score("a"), 0.0);
  EXPECT_DOUBLE_EQ(tracker.Score("b"), 7.0);
  tracker.Reset();
  EXPECT_EQ(tracker.Score("b"), 0.0);

  LatencyTracker defaults;  // alpha 0.25
  defaults.Record("x", 100);
  defaults.Record("x", 500);
  EXPECT_DOUBLE_EQ(defaults.Score("x"), 200.0);
}

TEST_F(ConsistencyTest, SortLocalFirstThenRackThenDcThenRemote) {
  const Endpoints shuffled = {"10.0.2.3", "10.0.1.3", "10.0.2.1", "10.0.1.2", "10.0.1.1"};
  EXPECT_EQ(SortByProximity("10.0.1.1", shuffled, snitch_, nullptr),
            (Endpoints{"10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.2.1", "10.0.2.3"}));
  // From a node that is not a replica: its rack, then its DC, then the rest.
  EXPECT_EQ(SortByProximity("10.0.2.2", shuffled, snitch_, nullptr),
            (Endpoints{"10.0.2.1", "10.0.2.3", "10.0.1.1", "10.0.1.2", "10.0.1.3"}));
  EXPECT_TRUE(SortByProximity("10.0.1.1", {}, snitch_, nullptr).empty());
}

TEST_F(ConsistencyTest, SortBreaksTiesByLatencyThenName) {
  LatencyTracker latency;
  latency.Record("10.0.2.1", 900);
  latency.Record("10.0.2.2", 100);
  latency.Record("10.0.2.3", 100);
  latency.Record("10.0.1.2", 5000);  // slow, but the same rack still comes first
  latency.Record("10.0.1.1", 9000);  // this node is always first
  const Endpoints eps = {"10.0.2.1", "10.0.2.3", "10.0.2.2", "10.0.1.2", "10.0.1.1"};
  EXPECT_EQ(SortByProximity("10.0.1.1", eps, snitch_, &latency),
            (Endpoints{"10.0.1.1", "10.0.1.2", "10.0.2.2", "10.0.2.3", "10.0.2.1"}));
  // Unknown scores (0) sort before measured ones, so new replicas get tried.
  latency.Forget("10.0.2.1");
  EXPECT_EQ(SortByProximity("10.0.1.1", eps, snitch_, &latency),
            (Endpoints{"10.0.1.1", "10.0.1.2", "10.0.2.1", "10.0.2.2", "10.0.2.3"}));
  // SimpleSnitch: one DC and rack, so order is by score then name.
  ring::SimpleSnitch simple;
  LatencyTracker l2;
  l2.Record("b", 10);
  l2.Record("c", 5);
  l2.Record("a", 20);
  EXPECT_EQ(SortByProximity("z", {"a", "b", "c", "z"}, simple, &l2),
            (Endpoints{"z", "c", "b", "a"}));
  EXPECT_EQ(SortByProximity("z", {"c", "a", "b"}, simple, nullptr), (Endpoints{"a", "b", "c"}));
}

// ------------------------------- reads -------------------------------

TEST_F(ConsistencyTest, FilterForQuerySimpleStrategy) {
  const ReplicationLayout layout = ReplicationLayout::Simple(3);
  const Endpoints live = {"10.0.1.1", "10.0.1.2", "10.0.1.3"};
  EXPECT_EQ(FilterForQuery(CL::ONE, layout, live, snitch_, "dc1"), (Endpoints{"10.0.1.1"}));
  EXPECT_EQ(FilterForQuery(CL::LOCAL_ONE, layout, live, snitch_, "dc1"), (Endpoints{"10.0.1.1"}));
  EXPECT_EQ(FilterForQuery(CL::TWO, layout, live, snitch_, "dc1"),
            (Endpoints{"10.0.1.1", "10.0.1.2"}));
  EXPECT_EQ(FilterForQuery(CL::QUORUM, layout, live, snitch_, "dc1"),
            (Endpoints{"10.0.1.1", "10.0.1.2"}));
  EXPECT_EQ(FilterForQuery(CL::SERIAL, layout, live, snitch_, "dc1"),
            (Endpoints{"10.0.1.1", "10.0.1.2"}));
  EXPECT_EQ(FilterForQuery(CL::EACH_QUORUM, layout, live, snitch_, "dc1"),
            (Endpoints{"10.0.1.1", "10.0.1.2"}));
  EXPECT_EQ(FilterForQuery(CL::THREE, layout, live, snitch_, "dc1"), live);
  EXPECT_EQ(FilterForQuery(CL::ALL, layout, live, snitch_, "dc1"), live);
  // Too few alive: what there is.
  EXPECT_EQ(FilterForQuery(CL::ALL, layout, {"10.0.1.2"}, snitch_, "dc1"), (Endpoints{"10.0.1.2"}));
  EXPECT_TRUE(FilterForQuery(CL::ONE, layout, {}, snitch_, "dc1").empty());
}

TEST_F(ConsistencyTest, FilterForQueryTwoDatacenters) {
  const ReplicationLayout layout = Nts();
  // Sorted from a coordinator whose closest replica happens to be remote (e.g. dc1's
  // replicas are slow): remote ones first.
  const Endpoints live = {"10.0.2.1", "10.0.2.2", "10.0.1.1", "10.0.1.2", "10.0.1.3"};
  EXPECT_EQ(FilterForQuery(CL::ONE, layout, live, snitch_, "dc1"), (Endpoints{"10.0.2.1"}));
  EXPECT_EQ(FilterForQuery(CL::QUORUM, layout, live, snitch_, "dc1"),
            (Endpoints{"10.0.2.1", "10.0.2.2", "10.0.1.1"}));
  EXPECT_EQ(FilterForQuery(CL::ALL, layout, live, snitch_, "dc1"), live);
  // LOCAL_*: local replicas first, closest first.
  EXPECT_EQ(FilterForQuery(CL::LOCAL_ONE, layout, live, snitch_, "dc1"), (Endpoints{"10.0.1.1"}));
  EXPECT_EQ(FilterForQuery(CL::LOCAL_QUORUM, layout, live, snitch_, "dc1"),
            (Endpoints{"10.0.1.1", "10.0.1.2"}));
  EXPECT_EQ(FilterForQuery(CL::LOCAL_SERIAL, layout, live, snitch_, "dc1"),
            (Endpoints{"10.0.1.1", "10.0.1.2"}));
  EXPECT_EQ(FilterForQuery(CL::LOCAL_QUORUM, layout, live, snitch_, "dc2"),
            (Endpoints{"10.0.2.1", "10.0.2.2"}));
  // EACH_QUORUM: a quorum of each DC, in proximity order.
  EXPECT_EQ(FilterForQuery(CL::EACH_QUORUM, layout, live, snitch_, "dc1"),
            (Endpoints{"10.0.2.1", "10.0.2.2", "10.0.1.1", "10.0.1.2"}));
  // Endpoints of a DC the keyspace does not replicate to are never chosen by EACH_QUORUM.
  snitch_.SetLocation("10.0.3.1", {"dc3", "r1"});
  EXPECT_EQ(
      FilterForQuery(CL::EACH_QUORUM, layout,
                     {"10.0.3.1", "10.0.1.1", "10.0.1.2", "10.0.2.1", "10.0.2.2"}, snitch_, "dc1"),
      (Endpoints{"10.0.1.1", "10.0.1.2", "10.0.2.1", "10.0.2.2"}));
}

TEST_F(ConsistencyTest, FilterForQueryWithReadRepair) {
  const ReplicationLayout layout = Nts();
  const Endpoints live = {"10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.2.1", "10.0.2.2"};
  EXPECT_EQ(FilterForQuery(CL::ONE, layout, live, snitch_, "dc1", ReadRepairDecision::kGlobal),
            live);
  EXPECT_EQ(FilterForQuery(CL::ONE, layout, live, snitch_, "dc1", ReadRepairDecision::kDcLocal),
            (Endpoints{"10.0.1.1", "10.0.1.2", "10.0.1.3"}));
  // DC-local read repair with fewer local replicas than blockFor tops up with remote ones.
  EXPECT_EQ(FilterForQuery(CL::ALL, layout, live, snitch_, "dc1", ReadRepairDecision::kDcLocal),
            live);
  EXPECT_EQ(FilterForQuery(CL::QUORUM, layout, {"10.0.1.1", "10.0.2.1", "10.0.2.2"}, snitch_, "dc1",
                           ReadRepairDecision::kDcLocal),
            (Endpoints{"10.0.1.1", "10.0.2.1", "10.0.2.2"}));
  EXPECT_EQ(FilterForQuery(CL::EACH_QUORUM, layout,
                           {"10.0.2.1", "10.0.1.1", "10.0.2.2", "10.0.1.2", "10.0.1.3", "10.0.2.3"},
                           snitch_, "dc1", ReadRepairDecision::kDcLocal),
            (Endpoints{"10.0.2.1", "10.0.1.1", "10.0.2.2", "10.0.1.2", "10.0.1.3"}));
}

// ------------------------------- writes -------------------------------

TEST_F(ConsistencyTest, AckCounterFiresExactlyOnce) {
  const Endpoints targets = {"10.0.1.1", "10.0.1.2", "10.0.1.3"};
  WriteAckCounter acks(CL::QUORUM, ReplicationLayout::Simple(3), targets, {}, snitch_, "dc1");
  EXPECT_EQ(acks.block_for(), 2);
  EXPECT_FALSE(acks.satisfied());
  EXPECT_FALSE(acks.Ack("10.0.1.2"));
  EXPECT_FALSE(acks.Ack("10.0.1.2"));  // a repeated ack does not count twice
  EXPECT_EQ(acks.acknowledged(), 1);
  EXPECT_FALSE(acks.Ack("10.0.9.9"));  // not a target
  EXPECT_EQ(acks.acknowledged(), 1);
  EXPECT_TRUE(acks.Ack("10.0.1.3"));
  EXPECT_TRUE(acks.satisfied());
  EXPECT_FALSE(acks.Ack("10.0.1.1"));  // late ack: counted, no second signal
  EXPECT_EQ(acks.acknowledged(), 3);
  EXPECT_EQ(acks.consistency_level(), CL::QUORUM);
}

TEST_F(ConsistencyTest, AckCounterOneTwoThreeAll) {
  const Endpoints targets = {"10.0.1.1", "10.0.1.2", "10.0.2.1"};
  const ReplicationLayout layout = ReplicationLayout::Simple(3);
  for (CL cl : {CL::ONE, CL::TWO, CL::THREE, CL::ALL}) {
    SCOPED_TRACE(std::string(ToString(cl)));
    WriteAckCounter acks(cl, layout, targets, {}, snitch_, "dc1");
    const int need = BlockFor(cl, layout, "dc1");
    EXPECT_EQ(acks.block_for(), need);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(acks.Ack(targets[i]), i + 1 == need);
  }
}

TEST_F(ConsistencyTest, AckCounterLocalQuorumIgnoresRemoteAcks) {
  const Endpoints targets = {"10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.2.1", "10.0.2.2"};
  WriteAckCounter acks(CL::LOCAL_QUORUM, Nts(), targets, {}, snitch_, "dc1");
  EXPECT_EQ(acks.block_for(), 2);
  EXPECT_FALSE(acks.Ack("10.0.2.1"));
  EXPECT_FALSE(acks.Ack("10.0.2.2"));
  EXPECT_EQ(acks.acknowledged(), 0);  // as DatacenterWriteResponseHandler.ackCount
  EXPECT_FALSE(acks.Ack("10.0.1.3"));
  EXPECT_TRUE(acks.Ack("10.0.1.1"));
  EXPECT_EQ(acks.acknowledged(), 2);

  WriteAckCounter one(CL::LOCAL_ONE, Nts(), targets, {}, snitch_, "dc1");
  EXPECT_FALSE(one.Ack("10.0.2.1"));
  EXPECT_TRUE(one.Ack("10.0.1.2"));
}

TEST_F(ConsistencyTest, AckCounterEachQuorumNeedsBothDcs) {
  const Endpoints targets = {"10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.2.1", "10.0.2.2"};
  WriteAckCounter acks(CL::EACH_QUORUM, Nts(), targets, {}, snitch_, "dc1");
  EXPECT_EQ(acks.block_for(), 4);
  EXPECT_FALSE(acks.Ack("10.0.1.1"));
  EXPECT_FALSE(acks.Ack("10.0.1.2"));
  EXPECT_FALSE(acks.Ack("10.0.1.3"));  // dc1 over quorum: still waiting for dc2
  EXPECT_FALSE(acks.Ack("10.0.2.1"));
  EXPECT_EQ(acks.acknowledged(), 4);  // every ack counts in acknowledged_by
  EXPECT_TRUE(acks.Ack("10.0.2.2"));
  EXPECT_TRUE(acks.satisfied());

  // With SimpleStrategy, EACH_QUORUM is a plain quorum.
  WriteAckCounter simple(CL::EACH_QUORUM, ReplicationLayout::Simple(3),
                         {"10.0.1.1", "10.0.2.1", "10.0.2.2"}, {}, snitch_, "dc1");
  EXPECT_FALSE(simple.Ack("10.0.2.1"));
  EXPECT_TRUE(simple.Ack("10.0.2.2"));
}

TEST_F(ConsistencyTest, AckCounterPendingRaisesTheBar) {
  // QUORUM of RF 3 with one pending endpoint: 3 acks.
  const Endpoints targets = {"10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.9"};
  WriteAckCounter acks(CL::QUORUM, ReplicationLayout::Simple(3), targets, {"10.0.1.9"}, snitch_,
                       "dc1");
  EXPECT_EQ(acks.block_for(), 3);
  EXPECT_FALSE(acks.Ack("10.0.1.1"));
  EXPECT_FALSE(acks.Ack("10.0.1.2"));
  EXPECT_TRUE(acks.Ack("10.0.1.9"));

  // LOCAL_QUORUM: only the local pending endpoint counts.
  const Endpoints nts_targets = {"10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.9",
                                 "10.0.2.1", "10.0.2.2", "10.0.2.9"};
  WriteAckCounter local(CL::LOCAL_QUORUM, Nts(), nts_targets, {"10.0.1.9", "10.0.2.9"}, snitch_,
                        "dc1");
  EXPECT_EQ(local.block_for(), 3);
  WriteAckCounter local_remote_pending(CL::LOCAL_QUORUM, Nts(), nts_targets, {"10.0.2.9"}, snitch_,
                                       "dc1");
  EXPECT_EQ(local_remote_pending.block_for(), 2);

  // EACH_QUORUM: the pending endpoint raises only its own DC's quorum.
  WriteAckCounter each(CL::EACH_QUORUM, Nts(), nts_targets, {"10.0.2.9"}, snitch_, "dc1");
  EXPECT_EQ(each.block_for(), 5);
  EXPECT_FALSE(each.Ack("10.0.1.1"));
  EXPECT_FALSE(each.Ack("10.0.1.2"));
  EXPECT_FALSE(each.Ack("10.0.2.1"));
  EXPECT_FALSE(each.Ack("10.0.2.2"));
  EXPECT_TRUE(each.Ack("10.0.2.9"));

  // Pending endpoints missing from `targets` are targets too.
  WriteAckCounter implicit(CL::ONE, ReplicationLayout::Simple(1), {"10.0.1.1"}, {"10.0.1.9"},
                           snitch_, "dc1");
  EXPECT_EQ(implicit.block_for(), 2);
  EXPECT_FALSE(implicit.Ack("10.0.1.9"));
  EXPECT_TRUE(implicit.Ack("10.0.1.1"));
}

TEST_F(ConsistencyTest, AckCounterAnyWithHint) {
  const Endpoints targets = {"10.0.1.2", "10.0.1.3"};
  WriteAckCounter hinted(CL::ANY, ReplicationLayout::Simple(2), targets, {"10.0.1.3"}, snitch_,
                         "dc1");
  EXPECT_EQ(hinted.block_for(), 1);  // pending endpoints do not raise ANY
  EXPECT_TRUE(hinted.AckHint());
  EXPECT_FALSE(hinted.AckHint());
  EXPECT_FALSE(hinted.Ack("10.0.1.2"));
  EXPECT_EQ(hinted.acknowledged(), 3);

  WriteAckCounter acked(CL::ANY, ReplicationLayout::Simple(2), targets, {}, snitch_, "dc1");
  EXPECT_TRUE(acked.Ack("10.0.1.3"));
  EXPECT_FALSE(acked.AckHint());

  // A hint satisfies ANY only.
  WriteAckCounter one(CL::ONE, ReplicationLayout::Simple(2), targets, {}, snitch_, "dc1");
  EXPECT_FALSE(one.AckHint());
  EXPECT_EQ(one.acknowledged(), 0);
  EXPECT_FALSE(one.satisfied());
  EXPECT_TRUE(one.Ack("10.0.1.2"));
}

TEST_F(ConsistencyTest, AckCounterFailWhenTheLevelCanNoLongerBeMet) {
  const Endpoints targets = {"10.0.1.1", "10.0.1.2", "10.0.1.3"};
  WriteAckCounter acks(CL::QUORUM, ReplicationLayout::Simple(3), targets, {}, snitch_, "dc1");
  EXPECT_FALSE(acks.Fail("10.0.1.1"));  // 2 of the 2 others can still answer
  EXPECT_FALSE(acks.Fail("10.0.1.1"));
  EXPECT_TRUE(acks.Fail("10.0.1.2"));
  EXPECT_TRUE(acks.failed());
  EXPECT_FALSE(acks.Ack("10.0.1.3"));
  EXPECT_FALSE(acks.satisfied());

  // LOCAL_QUORUM: remote failures do not matter.
  const Endpoints nts = {"10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.2.1", "10.0.2.2"};
  WriteAckCounter local(CL::LOCAL_QUORUM, Nts(), nts, {}, snitch_, "dc1");
  EXPECT_FALSE(local.Fail("10.0.2.1"));
  EXPECT_FALSE(local.Fail("10.0.2.2"));
  EXPECT_FALSE(local.Fail("10.0.1.1"));
  EXPECT_TRUE(local.Fail("10.0.1.2"));

  // EACH_QUORUM: one DC losing its quorum is enough.
  WriteAckCounter each(CL::EACH_QUORUM, Nts(), nts, {}, snitch_, "dc1");
  EXPECT_TRUE(each.Fail("10.0.2.1"));

  // ANY never fails: a hint will do. After success, failures do not signal.
  WriteAckCounter any(CL::ANY, ReplicationLayout::Simple(3), targets, {}, snitch_, "dc1");
  for (const std::string& ep : targets) EXPECT_FALSE(any.Fail(ep));
  WriteAckCounter done(CL::ONE, ReplicationLayout::Simple(3), targets, {}, snitch_, "dc1");
  EXPECT_TRUE(done.Ack("10.0.1.1"));
  EXPECT_FALSE(done.Fail("10.0.1.2"));
  EXPECT_FALSE(done.Fail("10.0.1.3"));
}

TEST_F(ConsistencyTest, AckCounterNothingNeeded) {
  // RF 0: ALL needs nothing and is satisfied from the start.
  WriteAckCounter acks(CL::ALL, ReplicationLayout::Simple(0), {}, {}, snitch_, "dc1");
  EXPECT_EQ(acks.block_for(), 0);
  EXPECT_TRUE(acks.satisfied());
}

}  // namespace
}  // namespace cairn::node
