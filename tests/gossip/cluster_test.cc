// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Deterministic multi-node gossip simulations (SimCluster in in_memory_network.h): one
// process, one ManualClock, an in-memory network with partitions, delays and reordering.
// Each test prints what it measured (rounds to converge, seconds to convict) so the
// numbers in gossip/PROTOCOL.md can be checked.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "common/logging.h"
#include "gossip/gossiper.h"
#include "tests/gossip/in_memory_network.h"

namespace cairn::gossip {
namespace {

using test::SimCluster;

class GossipClusterTest : public ::testing::Test {
 protected:
  GossipClusterTest() { SetLogLevel(LogLevel::kError); }
};

// Rounds after which a fresh cluster must have converged.
constexpr int kConvergenceBound = 30;

// 100 nodes that know only their seeds all start at once; every node must learn every
// other's tokens, host id and NORMAL status and see it alive.
TEST_F(GossipClusterTest, HundredNodesConvergeWithinBoundedRounds) {
  int worst = 0;
  for (int seeds = 1; seeds <= 3; ++seeds) {
    for (uint64_t run = 1; run <= 3; ++run) {
      SimCluster cluster(100, seeds, run * 1000 + seeds);
      cluster.StartAll();
      int rounds = cluster.RunUntil([&] { return cluster.Converged(); }, kConvergenceBound);
      std::printf("[ measured ] 100 nodes, %d seed(s), run %d: converged in %d rounds\n", seeds,
                  static_cast<int>(run), rounds);
      ASSERT_NE(rounds, -1) << "no convergence within " << kConvergenceBound << " rounds";
      worst = std::max(worst, rounds);
      // No false convictions on the way.
      for (int i = 0; i < cluster.size(); ++i) {
        for (const auto& e : cluster.node(i).subscriber.events) ASSERT_NE(e.kind, "dead");
      }
    }
  }
  std::printf("[ measured ] worst case: %d rounds (bound %d)\n", worst, kConvergenceBound);
}

// Same, with messages delayed up to 2 rounds and delivered out of order.
TEST_F(GossipClusterTest, ConvergesWithDelayedAndReorderedMessages) {
  SimCluster cluster(100, 2, 77);
  cluster.net().set_max_delay_rounds(2);
  cluster.net().set_reorder(true);
  cluster.StartAll();
  int rounds = cluster.RunUntil([&] { return cluster.Converged(); }, 2 * kConvergenceBound);
  std::printf("[ measured ] 100 nodes, delays 0-2 rounds + reordering: %d rounds\n", rounds);
  ASSERT_NE(rounds, -1);
}

// A node joining a running cluster through one seed.
TEST_F(GossipClusterTest, LateJoinerIsLearnedByEveryone) {
  SimCluster cluster(30, 1, 5);
  for (int i = 0; i < 29; ++i) cluster.StartNode(i);
  ASSERT_NE(cluster.RunUntil([&] { return cluster.Converged(); }, kConvergenceBound), -1);
  cluster.StartNode(29);
  int rounds = cluster.RunUntil([&] { return cluster.Converged(); }, kConvergenceBound);
  std::printf("[ measured ] late joiner known by 29 nodes after %d rounds\n", rounds);
  ASSERT_NE(rounds, -1);
  for (int i = 0; i < 29; ++i) EXPECT_EQ(cluster.node(i).subscriber.Count("join", "127.0.0.30"), 1);
}

// A LOAD and a STATUS change on one node reach all 100, and each fires OnChange once.
TEST_F(GossipClusterTest, ApplicationStateChangesPropagate) {
  SimCluster cluster(100, 2, 11);
  cluster.StartAll();
  ASSERT_NE(cluster.RunUntil([&] { return cluster.Converged(); }, kConvergenceBound), -1);
  for (int i = 0; i < cluster.size(); ++i) cluster.node(i).subscriber.events.clear();
  const std::string changed = cluster.node(42).endpoint;
  cluster.g(42).AddLocalApplicationState(ApplicationState::kLoad,
                                         VersionedValueFactory::Load(123456789));
  cluster.g(42).AddLocalApplicationState(ApplicationState::kStatus,
                                         VersionedValueFactory::Leaving(cluster.node(42).tokens));
  auto everyone_sees = [&] {
    for (int i = 0; i < cluster.size(); ++i) {
      const EndpointState* s = cluster.g(i).GetEndpointState(changed);
      if (s == nullptr || s->GossipStatus() != "LEAVING" ||
          s->GetValue(ApplicationState::kLoad) != "123456789") {
        return false;
      }
    }
    return true;
  };
  int rounds = cluster.RunUntil(everyone_sees, kConvergenceBound);
  std::printf("[ measured ] state change reached 100 nodes in %d rounds\n", rounds);
  ASSERT_NE(rounds, -1);
  for (int i = 0; i < cluster.size(); ++i) {
    const auto& sub = cluster.node(i).subscriber;
    int load_changes = 0, status_changes = 0;
    for (const auto& e : sub.events) {
      if (e.kind != "change" || e.endpoint != changed) continue;
      load_changes += e.state == ApplicationState::kLoad;
      status_changes += e.state == ApplicationState::kStatus;
    }
    EXPECT_EQ(load_changes, 1) << i;
    EXPECT_EQ(status_changes, 1) << i;
  }
}

// A silent node is convicted by everyone within a bounded time, and marked up again
// (OnAlive) soon after it speaks again with the same generation (a long pause, not a
// restart).
TEST_F(GossipClusterTest, FailureDetectorConvictsSilentNodeAndClearsIt) {
  SimCluster cluster(10, 1, 21);
  cluster.StartAll();
  ASSERT_NE(cluster.RunUntil([&] { return cluster.Converged(); }, kConvergenceBound), -1);
  for (int i = 0; i < 60; ++i) cluster.Round();  // let the windows learn the real mean
  const int silent = 7;
  const std::string ep = cluster.node(silent).endpoint;
  cluster.StopNode(silent);
  auto all_see_down = [&] {
    for (int i = 0; i < cluster.size(); ++i) {
      if (i != silent && cluster.g(i).IsAlive(ep)) return false;
    }
    return true;
  };
  int first = -1;
  int seconds = 0;
  while (!all_see_down()) {
    cluster.Round();
    ++seconds;
    if (first < 0) {
      for (int i = 0; i < cluster.size(); ++i) {
        if (i != silent && !cluster.g(i).IsAlive(ep)) first = seconds;
      }
    }
    ASSERT_LE(seconds, 30) << "not convicted by everyone within 30 s";
  }
  std::printf("[ measured ] silent node convicted: first observer after %d s, all after %d s\n",
              first, seconds);
  for (int i = 0; i < cluster.size(); ++i) {
    if (i == silent) continue;
    EXPECT_EQ(cluster.node(i).subscriber.Count("dead", ep), 1);
    EXPECT_EQ(cluster.g(i).unreachable_endpoints().count(ep), 1u);
  }
  // Nobody else was convicted meanwhile.
  for (int i = 0; i < cluster.size(); ++i) {
    for (const auto& e : cluster.node(i).subscriber.events) {
      if (e.kind == "dead") {
        EXPECT_EQ(e.endpoint, ep);
      }
    }
  }

  cluster.ResumeNode(silent);
  int back = cluster.RunUntil(
      [&] {
        for (int i = 0; i < cluster.size(); ++i) {
          if (!cluster.g(i).IsAlive(ep)) return false;
        }
        return true;
      },
      15);
  std::printf("[ measured ] resumed node seen UP by all after %d rounds\n", back);
  ASSERT_NE(back, -1);
  for (int i = 0; i < cluster.size(); ++i) {
    if (i != silent) {
      EXPECT_EQ(cluster.node(i).subscriber.Count("alive", ep), 2) << i;
    }
  }
  EXPECT_TRUE(cluster.Converged());
}

// Detection time against the math: every peer's heartbeat advances once per 1 s round, so
// the mean inter-arrival time is ~1 s (a little more in larger clusters, where some rounds
// bring no news) and phi = t / (mean * ln 10) passes 8 after ~18.4 mean intervals.
TEST_F(GossipClusterTest, ConvictionTimeMatchesPhiThreshold) {
  struct Case {
    int nodes;
    double phi;
    int min_s, max_s;
  };
  for (const Case& c : {Case{3, 8.0, 18, 22}, Case{10, 8.0, 18, 30}, Case{3, 5.0, 11, 15}}) {
    GossiperOptions options;
    options.failure_detector.phi_convict_threshold = c.phi;
    SimCluster cluster(c.nodes, 1, 100 + c.nodes, options);
    cluster.StartAll();
    ASSERT_NE(cluster.RunUntil([&] { return cluster.Converged(); }, kConvergenceBound), -1);
    for (int i = 0; i < 60; ++i) cluster.Round();
    const int victim = c.nodes - 1;
    const std::string ep = cluster.node(victim).endpoint;
    cluster.StopNode(victim);
    int first = -1, all = -1;
    for (int s = 1; s <= 60 && all < 0; ++s) {
      cluster.Round();
      int down = 0;
      for (int i = 0; i < victim; ++i) down += cluster.g(i).IsAlive(ep) ? 0 : 1;
      if (down > 0 && first < 0) first = s;
      if (down == victim) all = s;
    }
    std::printf(
        "[ measured ] %d nodes, phi_convict_threshold %g: convicted after %d s (first), "
        "%d s (all)\n",
        c.nodes, c.phi, first, all);
    EXPECT_GE(first, c.min_s);
    EXPECT_LE(all, c.max_s);
  }
}

// Two halves cut apart convict each other; after the partition heals, both sides see each
// other up again.
TEST_F(GossipClusterTest, PartitionHeals) {
  SimCluster cluster(20, 2, 31);  // seeds 127.0.0.1 and .2, both on side A
  cluster.StartAll();
  ASSERT_NE(cluster.RunUntil([&] { return cluster.Converged(); }, kConvergenceBound), -1);
  std::vector<std::string> side_a, side_b;
  for (int i = 0; i < cluster.size(); ++i) {
    (i < 10 ? side_a : side_b).push_back(cluster.node(i).endpoint);
  }
  cluster.net().Partition(side_a, side_b);
  auto split_seen = [&] {
    for (int i = 0; i < cluster.size(); ++i) {
      for (int j = 0; j < cluster.size(); ++j) {
        bool same_side = (i < 10) == (j < 10);
        if (i == j) continue;
        if (cluster.g(i).IsAlive(cluster.node(j).endpoint) != same_side) return false;
      }
    }
    return true;
  };
  int split = cluster.RunUntil(split_seen, 60);
  std::printf("[ measured ] partition detected on both sides after %d s\n", split);
  ASSERT_NE(split, -1);
  // Keep it cut a while; heartbeats on each side keep moving.
  for (int i = 0; i < 20; ++i) cluster.Round();
  EXPECT_TRUE(split_seen());

  cluster.net().Heal();
  int healed = cluster.RunUntil([&] { return cluster.Converged(); }, 20);
  std::printf("[ measured ] partition healed: all up again after %d rounds\n", healed);
  ASSERT_NE(healed, -1);
}

// A node killed and restarted comes back with a newer generation: everyone accepts the
// new incarnation (OnRestart, then OnJoin) with its tokens and sees it up.
TEST_F(GossipClusterTest, RestartedNodeWithNewerGenerationIsAccepted) {
  SimCluster cluster(10, 1, 41);
  cluster.StartAll();
  ASSERT_NE(cluster.RunUntil([&] { return cluster.Converged(); }, kConvergenceBound), -1);
  const int victim = 4;
  const std::string ep = cluster.node(victim).endpoint;
  int32_t old_generation = cluster.g(0).GetEndpointState(ep)->heartbeat.generation;
  cluster.StopNode(victim);
  for (int i = 0; i < 30; ++i) cluster.Round();
  ASSERT_FALSE(cluster.g(0).IsAlive(ep));

  cluster.StartNode(victim);  // a new Gossiper, generation = now
  int32_t new_generation = cluster.g(victim).GetEndpointState(ep)->heartbeat.generation;
  ASSERT_GT(new_generation, old_generation);
  // Converged() alone is not enough: a peer may briefly see the old incarnation up again
  // (its ECHO is answered by the new process, as in Cassandra) before the new generation
  // reaches it.
  auto accepted = [&] {
    for (int i = 0; i < cluster.size(); ++i) {
      const EndpointState* s = cluster.g(i).GetEndpointState(ep);
      if (s == nullptr || s->heartbeat.generation != new_generation) return false;
    }
    return cluster.Converged();
  };
  int rounds = cluster.RunUntil(accepted, 20);
  std::printf("[ measured ] restarted node accepted by all after %d rounds\n", rounds);
  ASSERT_NE(rounds, -1);
  for (int i = 0; i < cluster.size(); ++i) {
    if (i == victim) continue;
    const EndpointState* s = cluster.g(i).GetEndpointState(ep);
    EXPECT_GT(s->heartbeat.generation, old_generation);
    EXPECT_EQ(cluster.node(i).subscriber.Count("restart", ep), 1) << i;
  }
}

// Quick restart: the node comes back before anyone convicted it.
TEST_F(GossipClusterTest, QuickRestartBeforeConvictionIsAccepted) {
  SimCluster cluster(10, 1, 43);
  cluster.StartAll();
  ASSERT_NE(cluster.RunUntil([&] { return cluster.Converged(); }, kConvergenceBound), -1);
  const int victim = 6;
  const std::string ep = cluster.node(victim).endpoint;
  cluster.StopNode(victim);
  cluster.Round();
  cluster.Round();
  cluster.StartNode(victim);
  int32_t new_generation = cluster.g(victim).GetEndpointState(ep)->heartbeat.generation;
  auto accepted = [&] {
    for (int i = 0; i < cluster.size(); ++i) {
      const EndpointState* s = cluster.g(i).GetEndpointState(ep);
      if (s == nullptr || s->heartbeat.generation != new_generation) return false;
    }
    return cluster.Converged();
  };
  ASSERT_NE(cluster.RunUntil(accepted, 20), -1);
  for (int i = 0; i < cluster.size(); ++i) {
    if (i == victim) continue;
    const auto& sub = cluster.node(i).subscriber;
    EXPECT_EQ(sub.Count("restart", ep), 1) << i;
    // The old incarnation was never convicted: the restart itself reports it down, and the
    // new one's ECHO reply up again.
    EXPECT_EQ(sub.Count("dead", ep), 1) << i;
    EXPECT_EQ(sub.Count("alive", ep), 2) << i;
    EXPECT_EQ(cluster.g(i).live_endpoints().count(ep), 1u);
    EXPECT_EQ(cluster.g(i).unreachable_endpoints().count(ep), 0u);
  }
}

// A node that announces LEFT is removed from everyone's membership (OnRemove), its state
// is quarantined, and it is evicted entirely once its expire time passes.
TEST_F(GossipClusterTest, LeftNodeIsRemovedThenEvicted) {
  GossiperOptions options;
  options.quarantine_delay_ms = 20'000;
  options.very_long_time_ms = 40'000;
  SimCluster cluster(10, 1, 51, options);
  cluster.StartAll();
  ASSERT_NE(cluster.RunUntil([&] { return cluster.Converged(); }, kConvergenceBound), -1);
  const int leaver = 3;
  const std::string ep = cluster.node(leaver).endpoint;
  Gossiper& g = cluster.g(leaver);
  g.AddLocalApplicationState(
      ApplicationState::kStatus,
      VersionedValueFactory::Left(cluster.node(leaver).tokens, g.ComputeExpireTime()));
  // The leaver keeps gossiping a few rounds (Cassandra sleeps RING_DELAY), then stops.
  auto all_removed = [&] {
    for (int i = 0; i < cluster.size(); ++i) {
      if (i != leaver && cluster.node(i).subscriber.Count("remove", ep) != 1) return false;
    }
    return true;
  };
  int rounds = cluster.RunUntil(all_removed, 20);
  std::printf("[ measured ] LEFT seen by all after %d rounds\n", rounds);
  ASSERT_NE(rounds, -1);
  for (int i = 0; i < 3; ++i) cluster.Round();
  cluster.StopNode(leaver);
  for (int i = 0; i < cluster.size(); ++i) {
    if (i == leaver) continue;
    Gossiper& o = cluster.g(i);
    EXPECT_FALSE(o.IsAlive(ep));
    EXPECT_EQ(o.live_endpoints().count(ep), 0u);
    EXPECT_EQ(o.unreachable_endpoints().count(ep), 0u);
    ASSERT_NE(o.GetEndpointState(ep), nullptr);  // kept (and gossiped) until it expires
    EXPECT_EQ(o.GetEndpointState(ep)->GossipStatus(), "LEFT");
  }
  // Eviction: 40 s after the LEFT was announced.
  for (int i = 0; i < 45; ++i) cluster.Round();
  for (int i = 0; i < cluster.size(); ++i) {
    if (i == leaver) continue;
    EXPECT_EQ(cluster.g(i).GetEndpointState(ep), nullptr) << i;
    EXPECT_EQ(cluster.node(i).subscriber.Count("dead", ep), 0) << i;  // no conviction noise
  }
  // Everyone else is still fine.
  for (int i = 0; i < cluster.size(); ++i) {
    if (i == leaver) continue;
    for (int j = 0; j < cluster.size(); ++j) {
      if (j != i && j != leaver) {
        EXPECT_TRUE(SimCluster::Knows(cluster.node(i), cluster.node(j)));
      }
    }
  }
}

// While quarantined, gossip about a removed endpoint is ignored, so a stale peer cannot
// bring it back.
TEST_F(GossipClusterTest, QuarantinedEndpointIsNotRevived) {
  GossiperOptions options;
  options.quarantine_delay_ms = 30'000;
  SimCluster cluster(5, 1, 61, options);
  cluster.StartAll();
  ASSERT_NE(cluster.RunUntil([&] { return cluster.Converged(); }, kConvergenceBound), -1);
  const std::string ep = cluster.node(4).endpoint;
  EndpointState stale = *cluster.g(1).GetEndpointState(ep);
  cluster.g(0).RemoveEndpoint(ep);
  ASSERT_TRUE(cluster.g(0).IsQuarantined(ep));
  // A peer replays a newer-looking state of the removed endpoint.
  stale.heartbeat.version += 1000;
  GossipDigestAck2 ack2;
  ack2.states[ep] = stale;
  cluster.g(0).Handle(cluster.node(1).endpoint, ack2);
  EXPECT_FALSE(cluster.g(0).IsAlive(ep));
  EXPECT_NE(cluster.g(0).GetEndpointState(ep)->heartbeat.version, stale.heartbeat.version);
}

// Schema agreement: a change on one node reaches all; a node that was down while it
// happened catches up when it returns, and describe_schema_versions shows one version.
TEST_F(GossipClusterTest, SchemaVersionReachesEveryoneIncludingADownNode) {
  SimCluster cluster(10, 1, 71);
  cluster.StartAll();
  ASSERT_NE(cluster.RunUntil([&] { return cluster.Converged(); }, kConvergenceBound), -1);
  cluster.StopNode(9);
  for (int i = 0; i < 25; ++i) cluster.Round();
  const std::string v2 = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  cluster.g(2).AddLocalApplicationState(ApplicationState::kSchema,
                                        VersionedValueFactory::Schema(v2));
  auto agreed = [&](int n) {
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) {
        const EndpointState* s = cluster.g(i).GetEndpointState(cluster.node(j).endpoint);
        if (s == nullptr || s->GetValue(ApplicationState::kSchema) != v2) return false;
      }
    }
    return true;
  };
  // Node 9 has not changed its own schema (node/ pulls it later); the others agree on v2.
  for (int j = 0; j < 9; ++j) {
    cluster.g(j).AddLocalApplicationState(ApplicationState::kSchema,
                                          VersionedValueFactory::Schema(v2));
  }
  ASSERT_NE(cluster.RunUntil([&] { return agreed(9); }, kConvergenceBound), -1);
  auto versions = cluster.g(0).SchemaVersions();
  EXPECT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[v2].size(), 9u);
  EXPECT_EQ(versions["UNREACHABLE"], (std::vector<std::string>{cluster.node(9).endpoint}));

  // Node 9 returns: it learns v2 from gossip (and would pull the schema), then announces it.
  cluster.ResumeNode(9);
  auto nine_learned = [&] {
    for (int j = 0; j < 9; ++j) {
      const EndpointState* s = cluster.g(9).GetEndpointState(cluster.node(j).endpoint);
      if (s == nullptr || s->GetValue(ApplicationState::kSchema) != v2) return false;
    }
    return true;
  };
  ASSERT_NE(cluster.RunUntil(nine_learned, kConvergenceBound), -1);
  cluster.g(9).AddLocalApplicationState(ApplicationState::kSchema,
                                        VersionedValueFactory::Schema(v2));
  ASSERT_NE(cluster.RunUntil([&] { return agreed(10) && cluster.Converged(); }, kConvergenceBound),
            -1);
  versions = cluster.g(0).SchemaVersions();
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[v2].size(), 10u);
  auto snap = cluster.g(5).snapshot();
  EXPECT_EQ(snap->SchemaVersions().size(), 1u);
}

}  // namespace
}  // namespace cairn::gossip
