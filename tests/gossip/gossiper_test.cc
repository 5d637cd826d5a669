// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Tests for gossip/gossiper.h with two or three nodes, message by message: the
// SYN/ACK/ACK2 handshake, examineGossiper's four cases, generations (restart accepted,
// older ignored, absurd rejected), echo before UP, shutdown announcement, saved
// endpoints, removenode, snapshots and schema versions.
#include "gossip/gossiper.h"

#include <gtest/gtest.h>

#include "common/logging.h"
#include "tests/gossip/in_memory_network.h"
#include "tests/lib/test_util.h"

namespace cairn::gossip {
namespace {

using test::InMemoryNetwork;
using test::RecordingSubscriber;

constexpr const char* kA = "127.0.0.1";
constexpr const char* kB = "127.0.0.2";
constexpr const char* kC = "127.0.0.3";

// A transport that keeps what was sent, for driving a Gossiper by hand.
class CapturingTransport : public GossipTransport {
 public:
  void Send(const std::string& to, GossipMessage msg) override {
    sent.emplace_back(to, std::move(msg));
  }
  std::vector<std::pair<std::string, GossipMessage>> sent;
};

EndpointState StateOf(int32_t generation, int32_t heartbeat,
                      std::map<ApplicationState, VersionedValue> states = {}) {
  EndpointState s;
  s.heartbeat = {generation, heartbeat};
  s.states = std::move(states);
  return s;
}

class GossiperTest : public ::testing::Test {
 protected:
  GossiperTest() { SetLogLevel(LogLevel::kWarn); }

  std::unique_ptr<Gossiper> Make(const std::string& endpoint, std::vector<std::string> seeds,
                                 uint64_t seed = 7) {
    GossiperOptions options;
    options.seeds = std::move(seeds);
    options.random_seed = seed;
    auto g = std::make_unique<Gossiper>(endpoint, options, net_.TransportFor(endpoint), &clock_);
    net_.Attach(endpoint, g.get());
    return g;
  }
  void Round(std::initializer_list<Gossiper*> nodes) {
    clock_.AdvanceSeconds(1);
    net_.NextRound();
    for (Gossiper* g : nodes) g->Tick();
    net_.DeliverReady();
  }

  ManualClock clock_;
  InMemoryNetwork net_;
};

TEST_F(GossiperTest, ThreeWayHandshakeIntroducesANodeToItsSeed) {
  auto a = Make(kA, {kA});
  auto b = Make(kB, {kA});
  RecordingSubscriber sub_a;
  a->Register(&sub_a);
  a->Start(1000, {{ApplicationState::kStatus, "NORMAL,1"}});
  b->Start(2000, {{ApplicationState::kStatus, "NORMAL,2"}, {ApplicationState::kHostId, "host-b"}});
  net_.set_recording(true);
  clock_.AdvanceSeconds(1);
  b->Tick();  // B knows nobody alive: it gossips to its seed A
  net_.DeliverReady();

  // SYN B->A, ACK A->B (requesting B's state), ACK2 B->A, then A's ECHO and B's reply.
  const auto& r = net_.records();
  ASSERT_GE(r.size(), 5u);
  EXPECT_EQ(r[0].verb, GossipVerb::kSyn);
  EXPECT_EQ(r[0].from, kB);
  EXPECT_EQ(r[0].to, kA);
  EXPECT_EQ(r[1].verb, GossipVerb::kAck);
  EXPECT_EQ(r[1].from, kA);
  EXPECT_EQ(r[2].verb, GossipVerb::kAck2);
  EXPECT_EQ(r[2].from, kB);
  EXPECT_EQ(r[3].verb, GossipVerb::kEcho);
  EXPECT_EQ(r[3].from, kA);
  EXPECT_EQ(r[4].verb, GossipVerb::kEchoReply);

  const EndpointState* b_at_a = a->GetEndpointState(kB);
  ASSERT_NE(b_at_a, nullptr);
  EXPECT_EQ(b_at_a->heartbeat.generation, 2000);
  EXPECT_EQ(b_at_a->GetValue(ApplicationState::kHostId), "host-b");
  EXPECT_TRUE(a->IsAlive(kB));
  EXPECT_EQ(sub_a.Count("join", kB), 1);
  EXPECT_EQ(sub_a.Count("alive", kB), 1);
  // Knowledge spreads from the SYN's sender: B still knows nothing about A.
  EXPECT_EQ(b->GetEndpointState(kA), nullptr);

  // A gossips to its live member B next: B learns A.
  clock_.AdvanceSeconds(1);
  a->Tick();
  net_.DeliverReady();
  ASSERT_NE(b->GetEndpointState(kA), nullptr);
  EXPECT_EQ(b->GetEndpointState(kA)->GetValue(ApplicationState::kStatus), "NORMAL,1");
  EXPECT_TRUE(b->IsAlive(kA));
}

TEST_F(GossiperTest, ExamineRequestsAndSendsWhatIsNewer) {
  CapturingTransport transport;
  GossiperOptions options;
  options.random_seed = 3;
  Gossiper g(kA, options, &transport, &clock_);
  g.Start(100, {{ApplicationState::kStatus, "NORMAL,1"}});  // A's versions: STATUS=1
  // Teach A about B (gen 50, versions up to 10) and C (gen 60, up to 5).
  GossipDigestAck2 teach;
  teach.states[kB] = StateOf(50, 10, {{ApplicationState::kLoad, {"1", 4}}});
  teach.states[kC] = StateOf(60, 5);
  g.Handle(kB, teach);
  transport.sent.clear();

  GossipDigestSyn syn;
  syn.cluster_name = options.cluster_name;
  syn.digests = {
      {kA, 100, 0},         // sender has A at an older version: we send A's newer parts
      {kB, 50, 20},         // sender is newer on B: we request versions above our 10
      {kC, 61, 1},          // sender has a newer generation of C: we request all of it
      {"127.0.0.9", 7, 3},  // unknown to us: request all
  };
  g.Handle(kB, syn);
  ASSERT_EQ(transport.sent.size(), 1u);
  const auto& ack = std::get<GossipDigestAck>(transport.sent[0].second);
  std::map<std::string, GossipDigest> requests;
  for (const auto& d : ack.digests) requests[d.endpoint] = d;
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[kB].max_version, 10);
  EXPECT_EQ(requests[kC].generation, 61);
  EXPECT_EQ(requests[kC].max_version, 0);
  EXPECT_EQ(requests["127.0.0.9"].max_version, 0);
  ASSERT_EQ(ack.states.size(), 1u);
  EXPECT_EQ(ack.states.at(kA).GetValue(ApplicationState::kStatus), "NORMAL,1");

  // An older generation in the SYN: we send everything we have.
  transport.sent.clear();
  syn.digests = {{kB, 49, 99}};
  g.Handle(kC, syn);
  const auto& ack2 = std::get<GossipDigestAck>(transport.sent[0].second);
  EXPECT_TRUE(ack2.digests.empty());
  ASSERT_EQ(ack2.states.count(kB), 1u);
  EXPECT_EQ(ack2.states.at(kB).heartbeat.generation, 50);
  EXPECT_EQ(ack2.states.at(kB).GetValue(ApplicationState::kLoad), "1");

  // Identical digests: nothing to say.
  transport.sent.clear();
  syn.digests = {{kB, 50, 10}};
  g.Handle(kC, syn);
  const auto& ack3 = std::get<GossipDigestAck>(transport.sent[0].second);
  EXPECT_TRUE(ack3.digests.empty());
  EXPECT_TRUE(ack3.states.empty());
}

TEST_F(GossiperTest, AckAnswersRequestsWithDeltasOnly) {
  CapturingTransport transport;
  Gossiper g(kA, GossiperOptions{}, &transport, &clock_);
  g.Start(100, {{ApplicationState::kStatus, "NORMAL,1"},  // version 1
                {ApplicationState::kLoad, "5"},           // version 2
                {ApplicationState::kSchema, "s-1"}});     // version 3
  GossipDigestAck ack;
  ack.digests = {{kA, 100, 1}};
  g.Handle(kB, ack);
  ASSERT_EQ(transport.sent.size(), 1u);
  const auto& ack2 = std::get<GossipDigestAck2>(transport.sent[0].second);
  const EndpointState& delta = ack2.states.at(kA);
  EXPECT_EQ(delta.heartbeat.generation, 100);
  EXPECT_EQ(delta.states.size(), 2u);  // LOAD and SCHEMA, not STATUS
  EXPECT_EQ(delta.Get(ApplicationState::kStatus), nullptr);
}

TEST_F(GossiperTest, SameGenerationMergesNewerStatesAndNotifies) {
  CapturingTransport transport;
  Gossiper g(kA, GossiperOptions{}, &transport, &clock_);
  RecordingSubscriber sub;
  g.Register(&sub);
  g.Start(100);
  GossipDigestAck2 m;
  m.states[kB] = StateOf(
      50, 3, {{ApplicationState::kStatus, {"BOOT,1", 2}}, {ApplicationState::kLoad, {"1", 3}}});
  g.Handle(kB, m);
  EXPECT_EQ(sub.Count("join", kB), 1);
  sub.events.clear();

  // Newer STATUS, older LOAD: only STATUS is applied and announced.
  m.states[kB] = StateOf(
      50, 4, {{ApplicationState::kStatus, {"NORMAL,1", 4}}, {ApplicationState::kLoad, {"0", 1}}});
  g.Handle(kB, m);
  const EndpointState* b = g.GetEndpointState(kB);
  EXPECT_EQ(b->GetValue(ApplicationState::kStatus), "NORMAL,1");
  EXPECT_EQ(b->GetValue(ApplicationState::kLoad), "1");
  EXPECT_EQ(b->heartbeat.version, 4);
  ASSERT_EQ(sub.events.size(), 1u);
  EXPECT_EQ(sub.events[0].kind, "change");
  EXPECT_EQ(sub.events[0].state, ApplicationState::kStatus);
  EXPECT_EQ(sub.events[0].value, "NORMAL,1");
}

TEST_F(GossiperTest, NewerGenerationReplacesStateAndFiresRestart) {
  CapturingTransport transport;
  Gossiper g(kA, GossiperOptions{}, &transport, &clock_);
  RecordingSubscriber sub;
  g.Register(&sub);
  g.Start(100);
  GossipDigestAck2 m;
  m.states[kB] = StateOf(
      50, 30, {{ApplicationState::kLoad, {"9", 29}}, {ApplicationState::kStatus, {"NORMAL,1", 2}}});
  g.Handle(kB, m);
  sub.events.clear();
  m.states[kB] = StateOf(51, 1, {{ApplicationState::kStatus, {"NORMAL,1", 1}}});
  g.Handle(kB, m);
  const EndpointState* b = g.GetEndpointState(kB);
  EXPECT_EQ(b->heartbeat.generation, 51);
  EXPECT_EQ(b->Get(ApplicationState::kLoad), nullptr);  // replaced, not merged
  ASSERT_GE(sub.events.size(), 2u);
  EXPECT_EQ(sub.events[0].kind, "restart");
  EXPECT_EQ(sub.events[1].kind, "join");
}

TEST_F(GossiperTest, OlderGenerationIsIgnored) {
  CapturingTransport transport;
  Gossiper g(kA, GossiperOptions{}, &transport, &clock_);
  RecordingSubscriber sub;
  g.Register(&sub);
  g.Start(100);
  GossipDigestAck2 m;
  m.states[kB] = StateOf(50, 3, {{ApplicationState::kStatus, {"NORMAL,1", 2}}});
  g.Handle(kB, m);
  sub.events.clear();
  // A stale message about B's previous incarnation, with much higher versions.
  m.states[kB] = StateOf(49, 900, {{ApplicationState::kStatus, {"LEFT,1,5", 901}}});
  g.Handle(kC, m);
  GossipDigestAck ack;
  ack.states = m.states;
  g.Handle(kC, ack);
  const EndpointState* b = g.GetEndpointState(kB);
  EXPECT_EQ(b->heartbeat.generation, 50);
  EXPECT_EQ(b->heartbeat.version, 3);
  EXPECT_EQ(b->GetValue(ApplicationState::kStatus), "NORMAL,1");
  for (const auto& e : sub.events) EXPECT_NE(e.kind, "change");
  EXPECT_EQ(sub.Count("restart", kB), 0);
  EXPECT_EQ(sub.Count("remove", kB), 0);
}

TEST_F(GossiperTest, GenerationFarInTheFutureIsRejected) {
  CapturingTransport transport;
  Gossiper g(kA, GossiperOptions{}, &transport, &clock_);
  g.Start(100);
  GossipDigestAck2 m;
  m.states[kB] = StateOf(50, 3);
  g.Handle(kB, m);
  int32_t absurd = clock_.NowSeconds() + 2 * 86400 * 365;
  m.states[kB] = StateOf(absurd, 1);
  g.Handle(kC, m);
  EXPECT_EQ(g.GetEndpointState(kB)->heartbeat.generation, 50);
}

TEST_F(GossiperTest, SynFromAnotherClusterOrPartitionerIsDropped) {
  CapturingTransport transport;
  GossiperOptions options;
  options.partitioner = "org.apache.cassandra.dht.Murmur3Partitioner";
  Gossiper g(kA, options, &transport, &clock_);
  g.Start(100);
  GossipDigestSyn syn;
  syn.cluster_name = "Other Cluster";
  syn.digests = {{kB, 5, 5}};
  g.Handle(kB, syn);
  EXPECT_TRUE(transport.sent.empty());
  syn.cluster_name = options.cluster_name;
  syn.partitioner = "org.apache.cassandra.dht.RandomPartitioner";
  g.Handle(kB, syn);
  EXPECT_TRUE(transport.sent.empty());
  syn.partitioner = options.partitioner;
  g.Handle(kB, syn);
  EXPECT_EQ(transport.sent.size(), 1u);
}

TEST_F(GossiperTest, PeerIsUpOnlyAfterItAnswersAnEcho) {
  auto a = Make(kA, {});
  a->Start(100);
  // A learns about C from B's message, but C does not answer (it is not on the network).
  GossipDigestAck2 m;
  m.states[kC] = StateOf(50, 3, {{ApplicationState::kStatus, {"NORMAL,1", 2}}});
  a->Handle(kB, m);
  net_.DeliverReady();
  ASSERT_NE(a->GetEndpointState(kC), nullptr);
  EXPECT_FALSE(a->IsAlive(kC));
  EXPECT_EQ(a->live_endpoints().count(kC), 0u);
  // A stray ECHO reply (no ECHO outstanding to that endpoint) proves nothing either.
  m.states.clear();
  m.states[kB] = StateOf(50, 3, {{ApplicationState::kStatus, {"NORMAL,2", 2}}});
  a->Handle(kC, m);  // learns B; its ECHO to B is dropped too
  net_.DeliverReady();
  a->Handle(kB, EchoReply{});  // answers the ECHO: B is up
  EXPECT_TRUE(a->IsAlive(kB));
  a->Handle(kB, EchoReply{});  // a duplicate changes nothing
  EXPECT_TRUE(a->IsAlive(kB));
  // Now C's ECHO is answered late (C came up): C is up.
  a->Handle(kC, EchoReply{});
  EXPECT_TRUE(a->IsAlive(kC));
}

// Regression (a flaky proxy test): a reply to an ECHO sent before the peer announced its
// shutdown arrived just after the announcement and marked the stopping peer up again.
TEST_F(GossiperTest, EchoReplyAfterAShutdownAnnouncementDoesNotMarkThePeerUp) {
  auto a = Make(kA, {});
  a->Start(100);
  GossipDigestAck2 m;
  m.states[kC] = StateOf(50, 3, {{ApplicationState::kStatus, {"NORMAL,1", 2}}});
  a->Handle(kB, m);  // learns C: an ECHO to C goes out (C is not on the network)
  net_.DeliverReady();
  ASSERT_FALSE(a->IsAlive(kC));
  a->Handle(kC, GossipShutdown{});
  a->Handle(kC, EchoReply{});  // answers the ECHO sent before the shutdown
  EXPECT_FALSE(a->IsAlive(kC));
  EXPECT_EQ(a->GetEndpointState(kC)->GossipStatus(), "shutdown");
  // Its next incarnation (a newer generation) is welcome again, once it answers an ECHO.
  m.states[kC] = StateOf(60, 3, {{ApplicationState::kStatus, {"NORMAL,1", 2}}});
  a->Handle(kB, m);
  net_.DeliverReady();
  a->Handle(kC, EchoReply{});
  EXPECT_TRUE(a->IsAlive(kC));
}

TEST_F(GossiperTest, StrayEchoReplyDoesNotMarkAPeerUp) {
  CapturingTransport transport;
  Gossiper g(kA, GossiperOptions{}, &transport, &clock_);
  g.Start(100);
  g.AddSavedEndpoint(kB);  // known, down, no ECHO sent
  g.Handle(kB, EchoReply{});
  EXPECT_FALSE(g.IsAlive(kB));
}

TEST_F(GossiperTest, LocalStateChangesBumpVersionsAndNotify) {
  CapturingTransport transport;
  Gossiper g(kA, GossiperOptions{}, &transport, &clock_);
  RecordingSubscriber sub;
  g.Register(&sub);
  g.Start(100, {{ApplicationState::kStatus, "BOOT,1"}});
  EXPECT_TRUE(sub.events.empty());  // preload is not announced
  int32_t before = g.GetEndpointState(kA)->MaxVersion();
  g.AddLocalApplicationState(ApplicationState::kStatus, "NORMAL,1");
  const EndpointState* local = g.GetEndpointState(kA);
  EXPECT_GT(local->Get(ApplicationState::kStatus)->version, before);
  ASSERT_EQ(sub.events.size(), 1u);
  EXPECT_EQ(sub.events[0].endpoint, kA);
  EXPECT_EQ(sub.events[0].value, "NORMAL,1");
  // Heartbeat and states share one counter.
  g.Tick();
  EXPECT_GT(g.GetEndpointState(kA)->heartbeat.version,
            g.GetEndpointState(kA)->Get(ApplicationState::kStatus)->version);
}

TEST_F(GossiperTest, StopAnnouncesShutdownAndPeersMarkItDownAtOnce) {
  auto a = Make(kA, {kA});
  auto b = Make(kB, {kA});
  RecordingSubscriber sub_a;
  a->Register(&sub_a);
  a->Start(100, {{ApplicationState::kStatus, "NORMAL,1"}});
  b->Start(100, {{ApplicationState::kStatus, "NORMAL,2"}});
  for (int i = 0; i < 3; ++i) Round({a.get(), b.get()});
  ASSERT_TRUE(a->IsAlive(kB));
  ASSERT_TRUE(b->IsAlive(kA));
  b->Stop();
  net_.DeliverReady();
  EXPECT_FALSE(a->IsAlive(kB));
  EXPECT_EQ(a->GetEndpointState(kB)->GossipStatus(), "shutdown");
  EXPECT_EQ(sub_a.Count("dead", kB), 1);
  EXPECT_FALSE(b->enabled());
  // A stopped gossiper ignores everything.
  b->Tick();
  EXPECT_EQ(net_.queued(), 0u);
}

TEST_F(GossiperTest, SavedEndpointIsReplacedByItsRealState) {
  auto a = Make(kA, {kA});
  auto b = Make(kB, {kA});
  RecordingSubscriber sub_b;
  b->Register(&sub_b);
  b->AddSavedEndpoint(kA, {{ApplicationState::kHostId, "host-a"}});
  b->Start(100);
  ASSERT_NE(b->GetEndpointState(kA), nullptr);
  EXPECT_FALSE(b->IsAlive(kA));
  EXPECT_EQ(b->unreachable_endpoints().count(kA), 1u);
  a->Start(200, {{ApplicationState::kHostId, "host-a"}, {ApplicationState::kStatus, "NORMAL,1"}});
  Round({a.get(), b.get()});
  Round({a.get(), b.get()});
  EXPECT_EQ(b->GetEndpointState(kA)->heartbeat.generation, 200);
  EXPECT_TRUE(b->IsAlive(kA));
  EXPECT_EQ(b->unreachable_endpoints().count(kA), 0u);
}

TEST_F(GossiperTest, RemoveNodeAdvertisesRemovingThenRemoved) {
  CapturingTransport transport;
  GossiperOptions options;
  options.very_long_time_ms = 10'000;
  Gossiper g(kA, options, &transport, &clock_);
  RecordingSubscriber sub;
  g.Register(&sub);
  g.Start(100, {{ApplicationState::kHostId, "host-a"}});
  EXPECT_TRUE(g.AdvertiseRemoving(kB, "host-b", "host-a").IsNotFound());
  EXPECT_TRUE(g.AdvertiseRemoving(kA, "host-a", "host-a").IsInvalidArgument());
  g.AddSavedEndpoint(kB, {{ApplicationState::kHostId, "host-b"}});  // known, down
  ASSERT_OK(g.AdvertiseRemoving(kB, "host-b", "host-a"));
  const EndpointState* b = g.GetEndpointState(kB);
  EXPECT_EQ(b->heartbeat.generation, 1);
  EXPECT_EQ(b->GetValue(ApplicationState::kStatus), "removing,host-b");
  EXPECT_EQ(b->GetValue(ApplicationState::kRemovalCoordinator), "REMOVER,host-a");
  ASSERT_OK(g.AdvertiseTokenRemoved(kB, "host-b"));
  b = g.GetEndpointState(kB);
  EXPECT_EQ(b->heartbeat.generation, 2);
  EXPECT_EQ(ParseStatusValue(b->GetValue(ApplicationState::kStatus)).status, "removed");
  EXPECT_EQ(sub.Count("remove", kB), 1);
  EXPECT_TRUE(g.IsQuarantined(kB));
  // Evicted once the expire time has passed.
  for (int i = 0; i < 12; ++i) {
    clock_.AdvanceSeconds(1);
    g.Tick();
  }
  EXPECT_EQ(g.GetEndpointState(kB), nullptr);
}

TEST_F(GossiperTest, SnapshotAndSchemaVersions) {
  auto a = Make(kA, {kA});
  auto b = Make(kB, {kA});
  auto c = Make(kC, {kA});
  EXPECT_EQ(a->snapshot(), nullptr);
  a->Start(100, {{ApplicationState::kSchema, "v1"}, {ApplicationState::kStatus, "NORMAL,1"}});
  b->Start(100, {{ApplicationState::kSchema, "v1"}, {ApplicationState::kStatus, "NORMAL,2"}});
  c->Start(100, {{ApplicationState::kSchema, "v2"}, {ApplicationState::kStatus, "NORMAL,3"}});
  for (int i = 0; i < 10; ++i) Round({a.get(), b.get(), c.get()});
  auto versions = a->SchemaVersions();
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions["v1"], (std::vector<std::string>{kA, kB}));
  EXPECT_EQ(versions["v2"], (std::vector<std::string>{kC}));
  auto snap = a->snapshot();
  ASSERT_NE(snap, nullptr);
  EXPECT_EQ(snap->states.size(), 3u);
  EXPECT_EQ(snap->live, (std::set<std::string>{kB, kC}));
  EXPECT_EQ(snap->SchemaVersions(), versions);

  // C goes away and is convicted: it is listed as UNREACHABLE.
  net_.Detach(kC);
  for (int i = 0; i < 40 && a->IsAlive(kC); ++i) Round({a.get(), b.get()});
  versions = a->SchemaVersions();
  EXPECT_EQ(versions["UNREACHABLE"], (std::vector<std::string>{kC}));
  EXPECT_EQ(versions.count("v2"), 0u);
}

// Whatever a peer sends, the Gossiper must not crash or corrupt its own state.
TEST_F(GossiperTest, MalformedContentIsHarmless) {
  CapturingTransport transport;
  Gossiper g(kA, GossiperOptions{}, &transport, &clock_);
  g.Start(100, {{ApplicationState::kStatus, "NORMAL,1"}});
  GossipDigestSyn syn;
  syn.cluster_name = GossiperOptions{}.cluster_name;
  syn.digests = {{"", -5, -7}, {kA, 100, 1 << 30}, {kA, -1, 0}, {kB, 0, 0}};
  g.Handle(kB, syn);
  GossipDigestAck ack;
  ack.digests = {{"127.9.9.9", 1, 0}, {kA, 100, -100}, {"", 0, 0}};
  ack.states[""] = StateOf(-3, -3);
  ack.states[kA] = StateOf(999999, 5, {{ApplicationState::kStatus, {"LEFT,1,1", 77}}});
  g.Handle(kB, ack);
  GossipDigestAck2 ack2;
  ack2.states[kC] = StateOf(
      50, 1,
      {{ApplicationState::kStatus, {"", 1}}, {static_cast<ApplicationState>(250), {"future", 2}}});
  g.Handle(kB, ack2);
  g.Handle(kB, GossipShutdown{});  // from an endpoint it does not know
  g.Handle("", EchoReply{});
  g.Tick();
  // Our own state is untouched by claims about us.
  const EndpointState* self = g.GetEndpointState(kA);
  EXPECT_EQ(self->heartbeat.generation, 100);
  EXPECT_EQ(self->GetValue(ApplicationState::kStatus), "NORMAL,1");
  EXPECT_TRUE(g.IsAlive(kA));
  EXPECT_EQ(g.GetEndpointState(""), nullptr);
}

// Application states this version does not know are stored and passed on.
TEST_F(GossiperTest, UnknownApplicationStatesAreForwarded) {
  CapturingTransport transport;
  Gossiper g(kA, GossiperOptions{}, &transport, &clock_);
  g.Start(100);
  const auto future = static_cast<ApplicationState>(42);
  GossipDigestAck2 m;
  m.states[kB] = StateOf(50, 3, {{future, {"something new", 2}}});
  g.Handle(kB, m);
  transport.sent.clear();
  GossipDigestSyn syn;
  syn.cluster_name = GossiperOptions{}.cluster_name;
  syn.digests = {{kB, 50, 0}};
  g.Handle(kC, syn);
  const auto& ack = std::get<GossipDigestAck>(transport.sent.at(0).second);
  EXPECT_EQ(ack.states.at(kB).GetValue(future), "something new");
  EXPECT_NE(FormatGossipInfo(g.endpoint_states()).find("X_42:2:something new"), std::string::npos);
}

TEST(NextGenerationTest, UsesNowUnlessTheStoredOneIsNotOlder) {
  ManualClock clock(1'700'000'000'000'000);
  EXPECT_EQ(NextGeneration(std::nullopt, clock), 1'700'000'000);
  EXPECT_EQ(NextGeneration(1'600'000'000, clock), 1'700'000'000);
  EXPECT_EQ(NextGeneration(1'700'000'000, clock), 1'700'000'001);  // clock went back
}

}  // namespace
}  // namespace cairn::gossip
