// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// StorageService and the schema merge behind SCHEMA_PULL (issue 4).
//   - SchemaMergeTest: deterministic, no network: one Database's schema mutations merged
//     into another converge on the same schema version, drops included, idempotently
//     and in any order; tokens and the gossip generation persist in system.local.
//   - StorageServiceTest: two nodes in this process over real sockets on
//     127.0.0.84-85:7000 (fast gossip rounds): they find each other from one seed, agree on
//     the ring, and a keyspace created on one reaches the other.
//   - SystemPeersTest: system.peers at the Database level: saves only what changed,
//     removals, reopen, a crash with peers only in the commit log, a corrupt row.
//   - SavedPeersTest: saved peers in the StorageService, on 127.0.0.160-166:7000: a node
//     restarted while its peers are down has the whole ring (tokens, host ids, dc) from
//     system.peers before any gossip, with the peers down; gossip's later view (new
//     tokens, LEFT) replaces the saved one, and a peer that left is not restored.
#include "node/storage_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "gossip/versioned_value.h"
#include "node/database.h"
#include "node/net/messaging_service.h"
#include "node/schema_store.h"
#include "tests/lib/database_util.h"
#include "tests/lib/test_util.h"
#include "tests/node/crash_common.h"

namespace cairn::node {
namespace {

DatabaseOptions Options(const std::string& dir) { return test::DatabaseTestOptions(dir); }

KeyspaceSchema Keyspace(const std::string& name, std::vector<std::string> tables) {
  return test::TestKeyspace(name, tables);
}

std::unique_ptr<Database> OpenDb(const std::string& dir, bool defer = false) {
  DatabaseOptions o = Options(dir);
  o.defer_new_tokens = defer;
  auto db = Database::Open(std::move(o));
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

// Merges a's schema into b; returns whether b changed.
bool Merge(Database* from, Database* into) {
  auto m = from->SchemaMutations();
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  auto changed = into->MergeSchemaMutations(*m);
  EXPECT_TRUE(changed.ok()) << changed.status().ToString();
  return changed.ok() && *changed;
}

TEST(SchemaMergeTest, CreatesAndDropsConvergeInAnyOrder) {
  test::ScratchDir d1, d2;
  auto a = OpenDb(d1.str());
  auto b = OpenDb(d2.str());
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->AddKeyspace(Keyspace("ks1", {"t1", "t2"})).ok());
  ASSERT_TRUE(b->AddKeyspace(Keyspace("ks2", {"u"})).ok());
  EXPECT_NE(a->schema()->version, b->schema()->version);

  EXPECT_TRUE(Merge(a.get(), b.get()));
  EXPECT_TRUE(Merge(b.get(), a.get()));
  EXPECT_EQ(a->schema()->version, b->schema()->version);
  EXPECT_NE(b->schema()->FindTable("ks1", "t2"), nullptr);
  // The merged tables are open, with the creator's ids.
  const TableSchema* t1 = b->schema()->FindTable("ks1", "t1");
  ASSERT_NE(t1, nullptr);
  EXPECT_EQ(t1->metadata.id, a->schema()->FindTable("ks1", "t1")->metadata.id);
  EXPECT_NE(b->Store(t1->metadata.id), nullptr);
  // Idempotent.
  EXPECT_FALSE(Merge(a.get(), b.get()));

  // A drop wins over the older create when merged, and is not undone by a merge back.
  ASSERT_TRUE(a->DropKeyspace("ks2").ok());
  EXPECT_FALSE(Merge(b.get(), a.get()));
  EXPECT_EQ(a->schema()->FindKeyspace("ks2"), nullptr);
  EXPECT_TRUE(Merge(a.get(), b.get()));
  EXPECT_EQ(b->schema()->FindKeyspace("ks2"), nullptr);
  EXPECT_EQ(a->schema()->version, b->schema()->version);

  // A local change after a merge gets a timestamp above the merged ones.
  ASSERT_TRUE(b->AddTable([] {
                 TableSchema t = Keyspace("ks1", {"t3"}).tables[0];
                 return t;
               }())
                  .ok());
  EXPECT_TRUE(Merge(b.get(), a.get()));
  EXPECT_NE(a->schema()->FindTable("ks1", "t3"), nullptr);
}

TEST(SchemaMergeTest, MergedSchemaSurvivesRestart) {
  test::ScratchDir d1, d2;
  std::string version;
  {
    auto a = OpenDb(d1.str());
    auto b = OpenDb(d2.str());
    ASSERT_TRUE(a->AddKeyspace(Keyspace("ks1", {"t1"})).ok());
    EXPECT_TRUE(Merge(a.get(), b.get()));
    version = b->schema()->version;
  }
  auto b = OpenDb(d2.str());
  EXPECT_EQ(b->schema()->version, version);
  EXPECT_NE(b->schema()->FindTable("ks1", "t1"), nullptr);
}

TEST(SchemaMergeTest, RejectsMutationsOfOtherTables) {
  test::ScratchDir d1;
  auto a = OpenDb(d1.str());
  Mutation m;
  m.keyspace = "system";
  m.key = "local";
  PartitionUpdate u;
  u.cells.push_back(Cell::Live("host_id", "x", 1));
  m.updates.push_back({SystemLocalTable().id, u});
  std::string encoded;
  m.EncodeTo(&encoded);
  EXPECT_TRUE(a->MergeSchemaMutations({encoded}).status().IsInvalidArgument());
  EXPECT_TRUE(a->MergeSchemaMutations({"garbage"}).status().IsCorruption());
}

TEST(SchemaMergeTest, DeferredTokensAndGenerationPersist) {
  test::ScratchDir d1;
  {
    auto a = OpenDb(d1.str(), /*defer=*/true);
    EXPECT_TRUE(a->tokens().empty());
    EXPECT_FALSE(a->saved_gossip_generation().has_value());
    ASSERT_OK(a->SetTokens({"-100", "200"}));
    ASSERT_OK(a->SaveGossipGeneration(1234));
  }
  auto a = OpenDb(d1.str(), /*defer=*/true);
  ASSERT_EQ(a->tokens().size(), 2u);
  EXPECT_EQ(a->partitioner().TokenToString(a->tokens()[0]), "-100");
  EXPECT_EQ(a->saved_gossip_generation(), 1234);
  EXPECT_TRUE(a->SetTokens({"not-a-token"}).IsInvalidArgument());
}

bool WaitFor(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return predicate();
}

StorageServiceOptions NodeOptions(const std::string& address) {
  StorageServiceOptions o;
  o.listen_address = address;
  o.rpc_address = address;
  o.seeds = {"127.0.0.84"};
  o.gossip_interval_ms = 100;
  o.ring_delay_ms = 300;
  o.num_tokens = 8;
  o.shutdown_announce_ms = 50;
  return o;
}

TEST(StorageServiceTest, TwoNodesShareRingAndSchema) {
  test::ScratchDir d1, d2;
  auto db1 = OpenDb(d1.str(), /*defer=*/true);
  auto db2 = OpenDb(d2.str(), /*defer=*/true);
  ASSERT_TRUE(db1 && db2);
  StorageService n1(NodeOptions("127.0.0.84"), db1.get());
  ASSERT_OK(n1.Start());
  EXPECT_TRUE(n1.joined());  // the seed founds the ring at once
  StorageService n2(NodeOptions("127.0.0.85"), db2.get());
  ASSERT_OK(n2.Start());
  EXPECT_FALSE(n2.joined());  // learns the ring first

  auto both = [](const StorageService& s) {
    return s.token_metadata()->GetNormalEndpoints() ==
           std::vector<std::string>{"127.0.0.84", "127.0.0.85"};
  };
  ASSERT_TRUE(WaitFor([&] { return both(n1) && both(n2); }, std::chrono::seconds(10)));
  EXPECT_EQ(n1.token_metadata()->SortedTokens(), n2.token_metadata()->SortedTokens());
  EXPECT_EQ(n2.token_metadata()->GetTokens("127.0.0.85"), db2->tokens());
  ASSERT_TRUE(WaitFor([&] { return n1.IsAlive("127.0.0.85") && n2.IsAlive("127.0.0.84"); },
                      std::chrono::seconds(5)));
  auto own = n1.token_metadata()->GetOwnership();
  EXPECT_NEAR(own["127.0.0.84"], 0.5, 0.05);
  EXPECT_EQ(n1.RpcAddress("127.0.0.85"), "127.0.0.85");

  ASSERT_TRUE(db1->AddKeyspace(Keyspace("ks1", {"t1"})).ok());
  ASSERT_TRUE(WaitFor([&] { return db2->schema()->FindTable("ks1", "t1") != nullptr; },
                      std::chrono::seconds(10)));
  ASSERT_TRUE(WaitFor([&] { return n1.SchemaVersions().size() == 1; }, std::chrono::seconds(5)));
  EXPECT_EQ(n1.SchemaVersions().begin()->second.size(), 2u);

  // A clean stop is announced: the other marks it down at once.
  n2.Stop();
  ASSERT_TRUE(WaitFor([&] { return !n1.IsAlive("127.0.0.85"); }, std::chrono::seconds(3)));
  EXPECT_EQ(n1.SchemaVersions().count("UNREACHABLE"), 1u);
  // It keeps its tokens while down.
  EXPECT_TRUE(both(n1));
}

// ---- system.peers (Database) ----

std::string Hex(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

// 1: written, 0: unchanged, -1: failed.
int Wrote(const Result<bool>& r) { return !r.ok() ? -1 : *r ? 1 : 0; }

PeerInfo Peer(const std::string& endpoint, std::vector<std::string> tokens,
              const std::string& dc = "datacenter1") {
  PeerInfo p;
  p.endpoint = endpoint;
  p.tokens = std::move(tokens);
  p.host_id = "host-" + endpoint;
  p.data_center = dc;
  p.rack = "rack1";
  p.rpc_address = "rpc-" + endpoint;
  p.release_version = "3.11.0";
  p.schema_version = "schema-1";
  return p;
}

// Copies the node's files as they are now, as a kill -9 would leave them. The node is
// still open: crashtest::CopyLikeACrash skips a commit-log file renamed away mid-copy,
// which made fs::copy throw now and then (No such file or directory).
std::string CrashCopy(const test::ScratchDir& dir) {
  namespace fs = std::filesystem;
  std::string copy = dir.str() + "/crashed";
  fs::create_directories(copy + "/data");
  fs::create_directories(copy + "/commitlog");
  crashtest::CopyLikeACrash(dir.str() + "/data", copy + "/data");
  crashtest::CopyLikeACrash(dir.str() + "/commitlog", copy + "/commitlog");
  return copy;
}

TEST(SystemPeersTest, TableIdIsFixed) {
  EXPECT_EQ(SystemPeersTable().id, SystemTableId("system", "peers"));
  EXPECT_EQ(Hex(SystemPeersTable().id), "6851c16c4c1f89f0b6cddf1b295d253f");
  EXPECT_EQ(SystemPeersTable().keyspace, "system");
  EXPECT_EQ(SystemPeersTable().name, "peers");
  // The engine opens all five (system.paxos last); the startup's SSTable-only read
  // takes the first three.
  EXPECT_EQ(SystemTables().size(), 5u);
  EXPECT_EQ(SystemTables()[3].id, SystemPeersTable().id);
  EXPECT_EQ(SystemTables().back().id, SystemPaxosTable().id);
  EXPECT_EQ(Hex(SystemPaxosTable().id), "313b9d2dd8b7884dbb376ebaa361c058");
  EXPECT_EQ(SchemaAndLocalTables().size(), 3u);
}

TEST(SystemPeersTest, SavesOnlyChangesAndSurvivesReopen) {
  test::ScratchDir d;
  const PeerInfo a = Peer("127.0.0.2", {"-100", "300"});
  const PeerInfo b = Peer("127.0.0.3", {"100"}, "dc2");
  PeerInfo a2 = a;
  a2.tokens = {"-50", "300"};
  a2.schema_version = "schema-2";
  {
    auto db = OpenDb(d.str());
    ASSERT_TRUE(db);
    EXPECT_TRUE(db->peers().empty());
    EXPECT_EQ(Wrote(db->SavePeer(a)), 1);
    EXPECT_EQ(Wrote(db->SavePeer(b)), 1);
    EXPECT_EQ(Wrote(db->SavePeer(a)), 0);  // identical: nothing written
    EXPECT_EQ(Wrote(db->SavePeer(a2)), 1);
    EXPECT_TRUE(db->SavePeer(Peer("", {"1"})).status().IsInvalidArgument());
    EXPECT_EQ(Wrote(db->RemovePeer(b.endpoint)), 1);
    EXPECT_EQ(Wrote(db->RemovePeer(b.endpoint)), 0);
    EXPECT_EQ(db->peers(), (std::map<std::string, PeerInfo>{{a.endpoint, a2}}));
    ASSERT_OK(db->Close());
  }
  {
    auto db = OpenDb(d.str());
    ASSERT_TRUE(db);
    EXPECT_EQ(db->peers(), (std::map<std::string, PeerInfo>{{a.endpoint, a2}}));
    // A peer saved again after its removal beats the removal's tombstone.
    EXPECT_EQ(Wrote(db->SavePeer(b)), 1);
    ASSERT_OK(db->Close());
  }
  auto db = OpenDb(d.str());
  ASSERT_TRUE(db);
  EXPECT_EQ(db->peers(), (std::map<std::string, PeerInfo>{{a.endpoint, a2}, {b.endpoint, b}}));
}

TEST(SystemPeersTest, PeersOnlyInTheCommitLogSurviveACrash) {
  test::ScratchDir d;
  const PeerInfo a = Peer("127.0.0.2", {"-100"});
  const PeerInfo b = Peer("127.0.0.3", {"100"});
  const PeerInfo c = Peer("127.0.0.4", {"200"});
  std::string crashed;
  auto db = OpenDb(d.str());
  ASSERT_TRUE(db);
  ASSERT_OK(db->SavePeer(a).status());
  ASSERT_OK(db->SavePeer(b).status());
  ASSERT_OK(db->Drain());  // a and b in SSTables
  // Then, in the commit log only: c saved, a removed.
  ASSERT_OK(db->SavePeer(c).status());
  ASSERT_OK(db->RemovePeer(a.endpoint).status());
  // kill -9: no drain, no flush. The SSTables alone hold a and b, so a startup that read
  // system.peers before the commit log replay would get it wrong.
  crashed = CrashCopy(d);
  auto reopened = OpenDb(crashed);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->peers(), (std::map<std::string, PeerInfo>{{b.endpoint, b}, {c.endpoint, c}}));
}

TEST(SystemPeersTest, MalformedTokensStopTheStartup) {
  test::ScratchDir d;
  {
    auto db = OpenDb(d.str());
    ASSERT_TRUE(db);
    Mutation m;
    m.keyspace = "system";
    m.key = "127.0.0.9";
    PartitionUpdate u;
    u.cells.push_back(Cell::Live("tokens", "\x05garbage", Clock::Real()->NowMicros()));
    m.updates.push_back({SystemPeersTable().id, u});
    ASSERT_OK(db->Apply(m));
  }
  auto db = Database::Open(Options(d.str()));
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsCorruption()) << db.status().ToString();
  EXPECT_NE(db.status().message().find("system.peers: partition '127.0.0.9' cell 'tokens'"),
            std::string::npos)
      << db.status().ToString();
}

// ---- Saved peers (StorageService) ----

StorageServiceOptions PeerNodeOptions(const std::string& address, const std::string& seed,
                                      const std::string& dc) {
  StorageServiceOptions o = NodeOptions(address);
  o.seeds = {seed};
  o.gossiping_snitch = true;
  o.dc = dc;
  o.rack = "r-" + address;
  o.rpc_address = "rpc-" + address;
  o.settle_max_wait_ms = 5000;
  return o;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(SavedPeersTest, RestartedNodeHasTheWholeRingWhilePeersAreDown) {
  const std::string a1 = "127.0.0.160", a2 = "127.0.0.161", a3 = "127.0.0.162";
  const std::vector<std::string> all = {a1, a2, a3};
  test::ScratchDir d1, d2, d3;
  auto db1 = OpenDb(d1.str(), /*defer=*/true);
  auto db2 = OpenDb(d2.str(), /*defer=*/true);
  auto db3 = OpenDb(d3.str(), /*defer=*/true);
  ASSERT_TRUE(db1 && db2 && db3);
  auto n1 = std::make_unique<StorageService>(PeerNodeOptions(a1, a1, "dc1"), db1.get());
  auto n2 = std::make_unique<StorageService>(PeerNodeOptions(a2, a1, "dc2"), db2.get());
  auto n3 = std::make_unique<StorageService>(PeerNodeOptions(a3, a1, "dc1"), db3.get());
  // A new cluster's founder does not wait for gossip to settle.
  ASSERT_OK(n1->Start());
  EXPECT_EQ(n1->WaitToSettle(), 0);
  // New nodes one at a time (each allocates tokens against the ring it learned).
  ASSERT_OK(n2->Start());
  ASSERT_TRUE(
      WaitFor([&] { return n2->joined() && n1->token_metadata()->NumNormalEndpoints() == 2; },
              std::chrono::seconds(10)));
  ASSERT_OK(n3->Start());
  auto whole = [&](const StorageService& s) {
    return s.token_metadata()->GetNormalEndpoints() == all;
  };
  ASSERT_TRUE(
      WaitFor([&] { return whole(*n1) && whole(*n2) && whole(*n3); }, std::chrono::seconds(10)));
  const auto ring = n1->token_metadata();
  // node3 saved both peers with what gossip said of them.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto peers = db3->peers();
        return peers.size() == 2 && peers.count(a1) && peers.count(a2) &&
               !peers[a1].schema_version.empty() && !peers[a2].schema_version.empty();
      },
      std::chrono::seconds(10)));
  {
    auto peers = db3->peers();
    EXPECT_EQ(peers[a2].host_id, db2->local().host_id);
    EXPECT_EQ(Sorted(peers[a2].tokens), Sorted(db2->local().tokens));
    EXPECT_EQ(peers[a2].data_center, "dc2");
    EXPECT_EQ(peers[a2].rack, "r-" + a2);
    EXPECT_EQ(peers[a2].rpc_address, "rpc-" + a2);
    EXPECT_EQ(peers[a2].release_version, "3.11.0");
    EXPECT_EQ(peers[a2].schema_version, db2->schema()->version);
  }

  // Everything stops; node3 restarts (its database reopened) while the others stay down.
  n3->Stop();
  n1->Stop();
  n2->Stop();
  n3.reset();
  n1.reset();
  n2.reset();
  db3.reset();
  db3 = OpenDb(d3.str(), /*defer=*/true);
  ASSERT_TRUE(db3);
  EXPECT_EQ(db3->peers().size(), 2u);
  n3 = std::make_unique<StorageService>(PeerNodeOptions(a3, a1, "dc1"), db3.get());
  ASSERT_OK(n3->Start());
  // The whole ring at once, before any gossip round.
  auto tm = n3->token_metadata();
  EXPECT_EQ(tm->GetNormalEndpoints(), all);
  EXPECT_EQ(tm->SortedTokens(), ring->SortedTokens());
  for (const std::string& e : all) {
    EXPECT_EQ(tm->GetTokens(e), ring->GetTokens(e)) << e;
    EXPECT_EQ(tm->GetHostId(e), ring->GetHostId(e)) << e;
  }
  EXPECT_EQ(n3->snitch()->GetDatacenter(a2), "dc2");
  EXPECT_EQ(n3->snitch()->GetRack(a2), "r-" + a2);
  EXPECT_EQ(n3->snitch()->GetDatacenter(a1), "dc1");
  EXPECT_EQ(n3->RpcAddress(a2), "rpc-" + a2);
  // ...with the peers down until gossip hears from them.
  EXPECT_FALSE(n3->IsAlive(a1));
  EXPECT_FALSE(n3->IsAlive(a2));
  EXPECT_TRUE(n3->LiveEndpoints().empty());

  // Nothing changes while they are down: gossip settles within its bound.
  const int64_t waited = n3->WaitToSettle();
  EXPECT_GT(waited, 0);
  EXPECT_LT(waited, 5000);
  EXPECT_FALSE(n3->IsAlive(a1));
  EXPECT_GT(n3->DowntimeMs(a1), 0);  // hint windows count from the restart
  EXPECT_EQ(n3->token_metadata()->GetNormalEndpoints(), all);

  // The seed returns: gossip marks it up, and the ring stays the same.
  n1 = std::make_unique<StorageService>(PeerNodeOptions(a1, a1, "dc1"), db1.get());
  ASSERT_OK(n1->Start());
  ASSERT_TRUE(WaitFor([&] { return n3->IsAlive(a1); }, std::chrono::seconds(10)));
  EXPECT_EQ(n3->token_metadata()->SortedTokens(), ring->SortedTokens());
  EXPECT_EQ(n3->token_metadata()->GetTokens(a2), ring->GetTokens(a2));
  EXPECT_FALSE(n3->IsAlive(a2));
  // node1 reloaded its own saved peers too.
  EXPECT_EQ(n1->token_metadata()->GetNormalEndpoints(), all);
}

// Sends `states` to `to` as a GOSSIP_DIGEST_ACK2, as a peer relaying news would.
void SendGossipStates(
    net::MessagingService* from, const std::string& to, const std::string& endpoint,
    int32_t generation, int32_t heartbeat,
    const std::vector<std::pair<gossip::ApplicationState, std::pair<std::string, int32_t>>>&
        states) {
  net::internode::EndpointState w;
  w.generation = generation;
  w.heartbeat_version = heartbeat;
  for (const auto& [key, value] : states) {
    net::internode::VersionedValue vv;
    vv.value = value.first;
    vv.version = value.second;
    w.states[static_cast<int32_t>(key)] = vv;
  }
  net::internode::GossipDigestAck2 ack2;
  ack2.states[endpoint] = w;
  ASSERT_OK(from->SendOneWay(net::Endpoint::Parse(to, 7000).value(),
                             net::internode::Verb::GOSSIP_DIGEST_ACK2, ack2));
}

TEST(SavedPeersTest, GossipWinsOverSavedPeersAndLeftPeersAreNotRestored) {
  using gossip::ApplicationState;
  using gossip::VersionedValueFactory;
  const std::string node = "127.0.0.163", relay = "127.0.0.165", ghost = "127.0.0.166";
  test::ScratchDir d;
  auto db = OpenDb(d.str(), /*defer=*/true);
  ASSERT_TRUE(db);
  auto n = std::make_unique<StorageService>(PeerNodeOptions(node, node, "dc1"), db.get());
  ASSERT_OK(n->Start());
  net::MessagingOptions mo;
  mo.listen_endpoint = net::Endpoint::Parse(relay, 7000).value();
  net::MessagingService sender(mo);
  ASSERT_OK(sender.Start());

  // A NORMAL peer (that never answers ECHO) joins through gossip: in the ring, saved.
  const int32_t generation = static_cast<int32_t>(Clock::Real()->NowSeconds());
  const std::vector<std::string> tokens = {"-4000000000000000000", "4000000000000000000"};
  SendGossipStates(&sender, node, ghost, generation, 1,
                   {{ApplicationState::kHostId, {"ghost-host", 2}},
                    {ApplicationState::kDc, {"dc9", 3}},
                    {ApplicationState::kRack, {"rack9", 4}},
                    {ApplicationState::kTokens, {VersionedValueFactory::Tokens(tokens), 5}},
                    {ApplicationState::kStatus, {VersionedValueFactory::Normal(tokens), 6}}});
  ASSERT_TRUE(WaitFor([&] { return db->peers().count(ghost) == 1; }, std::chrono::seconds(5)));
  EXPECT_TRUE(n->token_metadata()->IsMember(ghost));
  EXPECT_EQ(Sorted(db->peers()[ghost].tokens), Sorted(tokens));
  EXPECT_EQ(db->peers()[ghost].data_center, "dc9");
  EXPECT_FALSE(n->IsAlive(ghost));

  // Restarted, the node has it from system.peers.
  n->Stop();
  n = std::make_unique<StorageService>(PeerNodeOptions(node, node, "dc1"), db.get());
  ASSERT_OK(n->Start());
  EXPECT_TRUE(n->token_metadata()->IsMember(ghost));
  EXPECT_EQ(n->token_metadata()->GetHostId(ghost), "ghost-host");
  EXPECT_EQ(n->snitch()->GetDatacenter(ghost), "dc9");
  EXPECT_GT(n->WaitToSettle(), 0);  // it knows a peer now: it waits

  // Gossip's view wins: new tokens replace the saved ones, in the ring and on disk.
  const std::vector<std::string> moved = {"-1000", "1000", "2000"};
  SendGossipStates(&sender, node, ghost, generation + 1, 1,
                   {{ApplicationState::kHostId, {"ghost-host", 2}},
                    {ApplicationState::kDc, {"dc9", 3}},
                    {ApplicationState::kRack, {"rack9", 4}},
                    {ApplicationState::kTokens, {VersionedValueFactory::Tokens(moved), 5}},
                    {ApplicationState::kStatus, {VersionedValueFactory::Normal(moved), 6}}});
  ASSERT_TRUE(WaitFor([&] { return Sorted(db->peers()[ghost].tokens) == Sorted(moved); },
                      std::chrono::seconds(5)));
  EXPECT_EQ(n->token_metadata()->GetTokens(ghost).size(), 3u);

  // It leaves: out of the ring and of system.peers.
  SendGossipStates(
      &sender, node, ghost, generation + 1, 7,
      {{ApplicationState::kStatus,
        {VersionedValueFactory::Left(moved, Clock::Real()->NowMicros() / 1000 + 3600 * 1000), 8}}});
  ASSERT_TRUE(WaitFor([&] { return db->peers().empty(); }, std::chrono::seconds(5)));
  EXPECT_FALSE(n->token_metadata()->IsMember(ghost));
  sender.Stop();

  // Restarted (database reopened too), it does not come back.
  n->Stop();
  n.reset();
  db.reset();
  db = OpenDb(d.str(), /*defer=*/true);
  ASSERT_TRUE(db);
  EXPECT_TRUE(db->peers().empty());
  n = std::make_unique<StorageService>(PeerNodeOptions(node, node, "dc1"), db.get());
  ASSERT_OK(n->Start());
  EXPECT_EQ(n->token_metadata()->GetNormalEndpoints(), std::vector<std::string>{node});
  EXPECT_EQ(n->WaitToSettle(), 0);  // alone again: nothing to learn
}

}  // namespace
}  // namespace cairn::node
