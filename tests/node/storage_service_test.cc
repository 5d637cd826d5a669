// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// StorageService and the schema merge behind SCHEMA_PULL (issue 4).
//   - SchemaMergeTest: deterministic, no network: one Database's schema mutations merged
//     into another converge on the same schema version, drops included, idempotently
//     and in any order; tokens and the gossip generation persist in system.local.
//   - StorageServiceTest: two nodes in this process over real sockets on
//     127.0.0.84-85:7000 (fast gossip rounds): they find each other from one seed, agree on
//     the ring, and a keyspace created on one reaches the other.
#include "node/storage_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "node/database.h"
#include "node/schema_store.h"
#include "tests/lib/database_util.h"
#include "tests/lib/test_util.h"

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

}  // namespace
}  // namespace cairn::node
