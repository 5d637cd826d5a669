// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The schema in system tables (node/SCHEMA_FORMAT.md): the codec round trip, the
// startup order of Database::Open (system tables first, then replay of everything),
// crashes right after a schema change, a schema mutation that only reached the commit
// log, corrupt system tables, and the one-time migration of a legacy schema.cairn.
#include <filesystem>
#include <fstream>

#include "common/logging.h"
#include "node/database.h"
#include "node/schema_store.h"
#include "tests/lib/database_util.h"
#include "tests/lib/test_util.h"
#include "tests/node/crash_common.h"

namespace cairn::node {
namespace {

namespace fs = std::filesystem;

DatabaseOptions Options(const std::string& dir) { return test::DatabaseTestOptions(dir); }

KeyspaceSchema Keyspace(const std::string& name, std::vector<std::string> tables) {
  return test::TestKeyspace(name, tables);
}

Mutation Write(const TableSchema& t, const std::string& key, const std::string& value) {
  Mutation m;
  m.keyspace = t.metadata.keyspace;
  m.key = key;
  PartitionUpdate u;
  u.cells.push_back(Cell::Live("c", value, 1));
  m.updates.push_back({t.metadata.id, u});
  return m;
}

std::optional<std::string> ReadValue(Database* db, const TableSchema& t, const std::string& key) {
  auto store = db->Store(t.metadata.id);
  if (store == nullptr) return std::nullopt;
  auto got = store->Read(db->Decorate(key), CellFilter::All());
  if (!got.ok() || !got->has_value() || (*got)->cells.empty()) return std::nullopt;
  return (*got)->cells[0].value;
}

// Copies the node's files as they are now, as a kill -9 would leave them.
// The files as a crash would leave them. CopyLikeACrash, not fs::copy: the commit log's
// allocator may rename a segment while the copy walks the directory.
std::string CrashCopy(const test::ScratchDir& dir) {
  std::string copy = dir.str() + "/crashed";
  fs::create_directories(copy + "/data");
  fs::create_directories(copy + "/commitlog");
  crashtest::CopyLikeACrash(dir.str() + "/data", copy + "/data");
  crashtest::CopyLikeACrash(dir.str() + "/commitlog", copy + "/commitlog");
  return copy;
}

class SchemaTablesTest : public ::testing::Test {
 protected:
  void SetUp() override { SetLogLevel(LogLevel::kWarn); }
  test::ScratchDir dir_;
};

TEST_F(SchemaTablesTest, SystemTableIdsAreFixedAndDistinct) {
  EXPECT_EQ(SchemaKeyspacesTable().id, SystemTableId("system_schema", "keyspaces"));
  EXPECT_EQ(SchemaTablesTable().id, SystemTableId("system_schema", "tables"));
  EXPECT_EQ(SystemLocalTable().id, SystemTableId("system", "local"));
  EXPECT_NE(SchemaKeyspacesTable().id, SchemaTablesTable().id);
  EXPECT_EQ(SchemaKeyspacesTable().id.size(), 16u);
  // Golden: the ids name the on-disk directories, so they must never change.
  EXPECT_EQ(HexId(SystemLocalTable().id), "57b3819d129b8be8a7edd507b30392ce");
}

TEST_F(SchemaTablesTest, EveryChangeIsInTheSystemTablesAfterAReopen) {
  std::string version;
  TableSchema cf;
  {
    auto db = Database::Open(Options(dir_.str()));
    ASSERT_OK(db.status());
    ASSERT_OK((*db)->AddKeyspace(Keyspace("ks", {"b", "a"})).status());
    ASSERT_OK((*db)->AddKeyspace(Keyspace("gone", {"x"})).status());
    ASSERT_OK((*db)->DropKeyspace("gone").status());
    // Re-created after a drop: its newer cells beat the drop's partition tombstone.
    ASSERT_OK((*db)->AddKeyspace(Keyspace("gone", {"y"})).status());
    KeyspaceSchema upd = Keyspace("ks", {});
    upd.strategy_options = {{"replication_factor", "3"}};
    upd.durable_writes = false;
    ASSERT_OK((*db)->UpdateKeyspace(upd).status());
    TableSchema c = Keyspace("ks", {"c"}).tables[0];
    c.metadata.gc_grace_seconds = 77;
    ASSERT_OK((*db)->AddTable(c).status());
    ASSERT_OK((*db)->DropTable("ks", "b").status());
    c.comment = "updated";
    c.column_metadata.push_back({"col", *ParseType("LongType"), 0, "idx", {{"o", "v"}}});
    ASSERT_OK((*db)->UpdateTable(c).status());
    cf = *(*db)->schema()->FindTable("ks", "c");
    ASSERT_OK((*db)->Apply(Write(cf, "k", "v")));
    version = (*db)->schema()->version;
    ASSERT_OK((*db)->Close());
  }
  auto db = Database::Open(Options(dir_.str()));
  ASSERT_OK(db.status());
  auto schema = (*db)->schema();
  EXPECT_EQ(schema->version, version);
  ASSERT_EQ(schema->keyspaces.size(), 2u);
  const KeyspaceSchema* ks = schema->FindKeyspace("ks");
  ASSERT_NE(ks, nullptr);
  EXPECT_EQ(ks->strategy_class, "org.apache.cassandra.locator.SimpleStrategy");
  EXPECT_EQ(ks->strategy_options.at("replication_factor"), "3");
  EXPECT_FALSE(ks->durable_writes);
  ASSERT_EQ(ks->tables.size(), 2u);
  EXPECT_EQ(ks->tables[0].metadata.name, "a");
  const TableSchema* c = ks->FindTable("c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->metadata.id, cf.metadata.id);
  EXPECT_EQ(c->metadata.gc_grace_seconds, 77);
  EXPECT_EQ(c->comment, "updated");
  ASSERT_EQ(c->column_metadata.size(), 1u);
  EXPECT_EQ(c->column_metadata[0].index_options.at("o"), "v");
  EXPECT_EQ(c->metadata.comparator->Name(), "org.apache.cassandra.db.marshal.UTF8Type");
  ASSERT_NE(schema->FindTable("gone", "y"), nullptr);
  EXPECT_EQ(schema->FindTable("gone", "x"), nullptr);
  EXPECT_EQ(ReadValue(db->get(), *c, "k").value_or("missing"), "v");
}

TEST_F(SchemaTablesTest, SystemKeyspacesCannotBeChanged) {
  auto db = Database::Open(Options(dir_.str()));
  ASSERT_OK(db.status());
  for (const char* name : {"system", "system_schema", "system_auth", "System_Schema"}) {
    EXPECT_TRUE((*db)->AddKeyspace(Keyspace(name, {})).status().IsInvalidArgument()) << name;
    EXPECT_TRUE((*db)->DropKeyspace(name).status().IsInvalidArgument()) << name;
    EXPECT_TRUE((*db)->UpdateKeyspace(Keyspace(name, {})).status().IsInvalidArgument()) << name;
    TableSchema t = Keyspace(name, {"tables"}).tables[0];
    EXPECT_TRUE((*db)->AddTable(t).status().IsInvalidArgument()) << name;
    EXPECT_TRUE((*db)->UpdateTable(t).status().IsInvalidArgument()) << name;
    EXPECT_TRUE((*db)->DropTable(name, "tables").status().IsInvalidArgument()) << name;
    EXPECT_TRUE((*db)->Truncate(name, "tables").IsInvalidArgument()) << name;
  }
  EXPECT_EQ((*db)->DropKeyspace("system_schema").status().message(),
            "system_schema keyspace is not user-modifiable");
}

// Acknowledged = flushed: a crash right after the call returns (no Close, no drain)
// restarts with the change, and the table takes writes.
TEST_F(SchemaTablesTest, SchemaChangeSurvivesACrashRightAfterItsAcknowledgement) {
  auto db = Database::Open(Options(dir_.str()));
  ASSERT_OK(db.status());
  ASSERT_OK((*db)->AddKeyspace(Keyspace("ks", {"cf"})).status());
  TableSchema cf = *(*db)->schema()->FindTable("ks", "cf");
  ASSERT_OK((*db)->Apply(Write(cf, "k", "v")));
  ASSERT_OK((*db)->AddTable(Keyspace("ks", {"later"}).tables[0]).status());
  ASSERT_OK((*db)->Truncate("ks", "cf"));
  ASSERT_OK((*db)->Apply(Write(*(*db)->schema()->FindTable("ks", "cf"), "k2", "v2")));
  const std::string version = (*db)->schema()->version;
  std::string crashed = CrashCopy(dir_);

  auto reopened = Database::Open(Options(crashed));
  ASSERT_OK(reopened.status());
  auto schema = (*reopened)->schema();
  EXPECT_EQ(schema->version, version);
  ASSERT_NE(schema->FindTable("ks", "later"), nullptr);
  const TableSchema* now_cf = schema->FindTable("ks", "cf");
  ASSERT_NE(now_cf, nullptr);
  EXPECT_NE(now_cf->metadata.id, cf.metadata.id);  // truncated: the fresh id
  EXPECT_FALSE(ReadValue(reopened->get(), *now_cf, "k").has_value());
  EXPECT_EQ(ReadValue(reopened->get(), *now_cf, "k2").value_or("missing"), "v2");
  ASSERT_OK((*reopened)->Apply(Write(*schema->FindTable("ks", "later"), "x", "y")));
  ASSERT_OK((*db)->Close());
}

// A schema mutation that reached the commit log but not an SSTable (a crash before
// the change was acknowledged) is replayed, and the tables it names are opened.
TEST_F(SchemaTablesTest, SchemaMutationOnlyInTheCommitLogIsApplied) {
  std::string crashed;
  KeyspaceSchema ks = Keyspace("ks", {"cf"});
  ks.strategy_class = "org.apache.cassandra.locator.SimpleStrategy";
  ks.tables[0].metadata.id = NewTableId();
  TableSchema doomed;
  {
    auto db = Database::Open(Options(dir_.str()));
    ASSERT_OK(db.status());
    ASSERT_OK((*db)->AddKeyspace(Keyspace("old", {"doomed"})).status());
    doomed = *(*db)->schema()->FindTable("old", "doomed");
    ASSERT_OK((*db)->Close());
  }
  {
    // The engine alone, as Database drives it, without the flush.
    StorageEngineOptions o = Options(dir_.str()).engine;
    std::vector<TableMetadata> tables = SystemTables();
    tables.push_back(doomed.metadata);
    auto engine = StorageEngine::Open(o, tables, [](std::string_view key) {
      return ring::Partitioner::ByName("Murmur3Partitioner").value()->Decorate(key);
    });
    ASSERT_OK(engine.status());
    const int64_t ts = Clock::Real()->NowMicros() + 1000000;
    ASSERT_OK((*engine)->Apply(KeyspaceMutation(ks, /*with_tables=*/true, ts)));
    ASSERT_OK((*engine)->Apply(DropKeyspaceMutation("old", ts, Clock::Real()->NowSeconds())));
    crashed = CrashCopy(dir_);
    ASSERT_OK((*engine)->Close());
  }
  auto db = Database::Open(Options(crashed));
  ASSERT_OK(db.status());
  auto schema = (*db)->schema();
  EXPECT_EQ(schema->FindKeyspace("old"), nullptr);
  const TableSchema* cf = schema->FindTable("ks", "cf");
  ASSERT_NE(cf, nullptr);
  EXPECT_EQ(cf->metadata.id, ks.tables[0].metadata.id);
  ASSERT_OK((*db)->Apply(Write(*cf, "k", "v")));
  EXPECT_EQ(ReadValue(db->get(), *cf, "k").value_or("missing"), "v");
  EXPECT_EQ((*db)->Store(doomed.metadata.id), nullptr);
  EXPECT_FALSE(fs::exists(crashed + "/data/old/" + doomed.metadata.DirectoryName()));
  // The replayed change was flushed by the open: a further crash keeps it.
  ASSERT_OK((*db)->Close());
  auto again = Database::Open(Options(crashed));
  ASSERT_OK(again.status());
  EXPECT_NE((*again)->schema()->FindTable("ks", "cf"), nullptr);
}

TEST_F(SchemaTablesTest, CorruptSystemTableStopsTheStartupNamingTheFile) {
  {
    auto db = Database::Open(Options(dir_.str()));
    ASSERT_OK(db.status());
    ASSERT_OK((*db)->AddKeyspace(Keyspace("ks", {"cf"})).status());
    ASSERT_OK((*db)->Close());
  }
  std::string data_file;
  for (const auto& e : fs::recursive_directory_iterator(dir_.str() + "/data/system_schema")) {
    std::string p = e.path().string();
    if (p.find("/tables-") != std::string::npos && p.ends_with("-Data.db")) data_file = p;
  }
  ASSERT_FALSE(data_file.empty());
  {
    std::fstream f(data_file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(0, std::ios::end);
    const auto size = static_cast<long>(f.tellg());
    for (long off = 0; off < size; off += 7) {
      f.seekg(off);
      char c = 0;
      f.read(&c, 1);
      c = static_cast<char>(c ^ 0x5a);
      f.seekp(off);
      f.write(&c, 1);
    }
  }
  auto db = Database::Open(Options(dir_.str()));
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsCorruption()) << db.status().ToString();
  EXPECT_NE(db.status().message().find("system_schema.tables"), std::string::npos)
      << db.status().ToString();
  EXPECT_NE(db.status().message().find("Data.db"), std::string::npos) << db.status().ToString();
}

TEST_F(SchemaTablesTest, MalformedDefinitionStopsTheStartupNamingTheCell) {
  {
    auto db = Database::Open(Options(dir_.str()));
    ASSERT_OK(db.status());
    ASSERT_OK((*db)->AddKeyspace(Keyspace("ks", {})).status());
    ASSERT_OK((*db)->Close());
  }
  {
    StorageEngineOptions o = Options(dir_.str()).engine;
    auto engine = StorageEngine::Open(o, SystemTables(), [](std::string_view key) {
      return ring::Partitioner::ByName("Murmur3Partitioner").value()->Decorate(key);
    });
    ASSERT_OK(engine.status());
    Mutation m;
    m.keyspace = "system_schema";
    m.key = "ks";
    PartitionUpdate u;
    u.cells.push_back(Cell::Live("cf", std::string("\x01garbage", 8), Clock::Real()->NowMicros()));
    m.updates.push_back({SchemaTablesTable().id, u});
    ASSERT_OK((*engine)->Apply(m));
    ASSERT_OK((*engine)->Close());
  }
  auto db = Database::Open(Options(dir_.str()));
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsCorruption()) << db.status().ToString();
  EXPECT_NE(db.status().message().find("system_schema.tables: partition 'ks' cell 'cf'"),
            std::string::npos)
      << db.status().ToString();
}

TEST_F(SchemaTablesTest, LegacySystemFileIsMigratedOnce) {
  LocalState local{"Test Cluster", NewUuidString(), "org.apache.cassandra.dht.Murmur3Partitioner",
                   {"-100", "100"}};
  Schema legacy;
  KeyspaceSchema ks = Keyspace("ks", {"cf"});
  ks.strategy_class = "org.apache.cassandra.locator.SimpleStrategy";
  ks.tables[0].metadata.id = NewTableId();
  legacy.keyspaces["ks"] = ks;
  legacy.version = NewUuidString();
  const std::string file = dir_.str() + "/system/schema.cairn";
  ASSERT_OK(LegacySystemFile(file).Save(local, legacy));
  {
    auto db = Database::Open(Options(dir_.str()));
    ASSERT_OK(db.status());
    EXPECT_EQ((*db)->local().host_id, local.host_id);
    EXPECT_EQ((*db)->local().tokens, local.tokens);
    const TableSchema* cf = (*db)->schema()->FindTable("ks", "cf");
    ASSERT_NE(cf, nullptr);
    EXPECT_EQ(cf->metadata.id, ks.tables[0].metadata.id);  // its data directory is kept
    EXPECT_EQ(cf->comment, "table cf");
    ASSERT_OK((*db)->Apply(Write(*cf, "k", "v")));
    ASSERT_OK((*db)->Close());
  }
  EXPECT_FALSE(fs::exists(file));
  EXPECT_TRUE(fs::exists(file + ".migrated"));
  auto db = Database::Open(Options(dir_.str()));
  ASSERT_OK(db.status());
  EXPECT_EQ((*db)->local().host_id, local.host_id);
  const TableSchema* cf = (*db)->schema()->FindTable("ks", "cf");
  ASSERT_NE(cf, nullptr);
  EXPECT_EQ(ReadValue(db->get(), *cf, "k").value_or("missing"), "v");
}

TEST_F(SchemaTablesTest, IdentityIsKeptAndCheckedAcrossRestarts) {
  std::string host_id;
  {
    auto db = Database::Open(Options(dir_.str()));
    ASSERT_OK(db.status());
    host_id = (*db)->local().host_id;
  }
  auto db = Database::Open(Options(dir_.str()));
  ASSERT_OK(db.status());
  EXPECT_EQ((*db)->local().host_id, host_id);
  ASSERT_OK((*db)->Close());
  DatabaseOptions other = Options(dir_.str());
  other.cluster_name = "Other";
  EXPECT_EQ(Database::Open(other).status().message(),
            "Saved cluster name Test Cluster != configured name Other");
  DatabaseOptions bop = Options(dir_.str());
  bop.partitioner = "ByteOrderedPartitioner";
  EXPECT_TRUE(Database::Open(bop).status().IsInvalidArgument());
}

}  // namespace
}  // namespace cairn::node
