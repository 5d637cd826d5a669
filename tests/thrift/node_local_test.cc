// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The node-local pieces the Thrift server stands on: configuration parsing (file and
// flags) and the legacy system file (round trip, corruption, atomic replacement). The
// schema in system tables is tested in schema_tables_test.cc.
#include <fstream>

#include "node/config.h"
#include "node/schema_store.h"
#include "tests/lib/test_util.h"

namespace cairn::node {
namespace {

TEST(ConfigTest, DefaultsAreASingleLocalNode) {
  Config c;
  EXPECT_EQ(c.rpc_address, "127.0.0.1");
  EXPECT_EQ(c.rpc_port, 9160);
  EXPECT_EQ(c.data_file_directories, std::vector<std::string>{"data/data"});
  EXPECT_EQ(c.thrift_framed_transport_size_in_mb, 15);
  EXPECT_OK(ValidateConfig(c));
}

TEST(ConfigTest, ParsesTheYamlSubset) {
  Config c;
  ASSERT_OK(ParseConfigText(
      "# a comment\n"
      "cluster_name: 'My Cluster'   # trailing comment\n"
      "rpc_port: 9161\n"
      "seeds: [127.0.0.1, 127.0.0.2]\n"
      "data_file_directories:\n"
      "  - /var/lib/cairn/data\n"
      "  - /mnt/other\n"
      "hinted_handoff_enabled: false\n"
      "phi_convict_threshold: 12.5\n",
      "test.yaml", &c));
  EXPECT_EQ(c.cluster_name, "My Cluster");
  EXPECT_EQ(c.rpc_port, 9161);
  EXPECT_EQ(c.seeds, (std::vector<std::string>{"127.0.0.1", "127.0.0.2"}));
  EXPECT_EQ(c.data_file_directories,
            (std::vector<std::string>{"/var/lib/cairn/data", "/mnt/other"}));
  EXPECT_FALSE(c.hinted_handoff_enabled);
  EXPECT_DOUBLE_EQ(c.phi_convict_threshold, 12.5);
}

TEST(ConfigTest, ErrorsNameTheKeyAndLine) {
  Config c;
  Status st = ParseConfigText("rpc_port: 9160\nno_such_key: 1\n", "f.yaml", &c);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("f.yaml:2"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("no_such_key"), std::string::npos);
  st = ParseConfigText("rpc_port: lots\n", "f.yaml", &c);
  EXPECT_NE(st.message().find("rpc_port"), std::string::npos) << st.message();
  st = ParseConfigText("rpc_port: 70000\n", "f.yaml", &c);
  EXPECT_NE(st.message().find("out of range"), std::string::npos) << st.message();
}

TEST(ConfigTest, FlagsOverrideTheFile) {
  cairn::test::ScratchDir dir;
  std::string path = dir.str() + "/cairn.yaml";
  std::ofstream(path) << "listen_address: 127.0.0.5\nrpc_port: 9000\n";
  const char* argv[] = {"cairnd", "--config", path.c_str(), "--rpc_port", "9001",
                        "--data_file_directories", "/a", "/b"};
  Config c;
  bool exit_now = true;
  ASSERT_OK(ParseCommandLine(8, argv, &c, &exit_now));
  EXPECT_FALSE(exit_now);
  EXPECT_EQ(c.listen_address, "127.0.0.5");
  EXPECT_EQ(c.rpc_port, 9001);
  EXPECT_EQ(c.data_file_directories, (std::vector<std::string>{"/a", "/b"}));
  const char* bad[] = {"cairnd", "--no_such_flag", "1"};
  EXPECT_FALSE(ParseCommandLine(3, bad, &c, &exit_now).ok());
  const char* sync[] = {"cairnd", "--commitlog_sync", "sometimes"};
  EXPECT_FALSE(ParseCommandLine(3, sync, &c, &exit_now).ok());
}

Schema SampleSchema() {
  Schema s;
  s.version = NewUuidString();
  KeyspaceSchema ks;
  ks.name = "ks";
  ks.strategy_class = "org.apache.cassandra.locator.SimpleStrategy";
  ks.strategy_options = {{"replication_factor", "1"}};
  TableSchema t;
  t.metadata.keyspace = "ks";
  t.metadata.name = "cf";
  t.metadata.id = NewTableId();
  t.metadata.comparator = *ParseType("CompositeType(UTF8Type, ReversedType(LongType))");
  t.metadata.gc_grace_seconds = 5;
  t.comment = "c";
  ColumnDefinition col;
  col.name = MakeComposite({"a", EncodeLong(1)});
  col.validator = *ParseType("Int32Type");
  col.index_type = 0;
  col.index_name = "idx";
  t.column_metadata.push_back(col);
  t.triggers.push_back({"trig", {{"class", "X"}}});
  t.key_alias = "id";
  ks.tables.push_back(t);
  s.keyspaces["ks"] = ks;
  return s;
}

TEST(LegacySystemFileTest, RoundTripsEveryField) {
  cairn::test::ScratchDir dir;
  LegacySystemFile store(dir.str() + "/system/schema.cairn");
  LocalState local{"cluster", NewUuidString(), "org.apache.cassandra.dht.Murmur3Partitioner",
                   {"-5", "17"}};
  Schema s = SampleSchema();
  ASSERT_OK(store.Save(local, s));
  LocalState l2;
  Schema s2;
  ASSERT_OK(store.Load(&l2, &s2));
  EXPECT_EQ(l2.cluster_name, "cluster");
  EXPECT_EQ(l2.tokens, local.tokens);
  EXPECT_EQ(s2.version, s.version);
  const TableSchema* t = s2.FindTable("ks", "cf");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->metadata.id, s.keyspaces["ks"].tables[0].metadata.id);
  EXPECT_EQ(t->metadata.comparator->Name(), s.keyspaces["ks"].tables[0].metadata.comparator->Name());
  EXPECT_EQ(t->metadata.gc_grace_seconds, 5);
  ASSERT_EQ(t->column_metadata.size(), 1u);
  EXPECT_EQ(t->column_metadata[0].index_name, "idx");
  EXPECT_EQ(t->triggers[0].options.at("class"), "X");
  EXPECT_EQ(t->key_alias.value_or(""), "id");
  EXPECT_FALSE(std::filesystem::exists(store.path() + ".tmp"));
}

TEST(LegacySystemFileTest, EveryFlippedByteIsDetected) {
  LocalState local{"c", NewUuidString(), "p", {"1"}};
  std::string bytes = EncodeSystemFile(local, SampleSchema());
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] ^= 0x20;
    LocalState l;
    Schema s;
    Status st = DecodeSystemFile("f", bad, &l, &s);
    EXPECT_TRUE(st.IsCorruption()) << "byte " << i;
    EXPECT_NE(st.message().find("f: offset"), std::string::npos);
  }
  for (size_t n : {size_t{0}, size_t{10}, bytes.size() - 1}) {
    LocalState l;
    Schema s;
    EXPECT_TRUE(DecodeSystemFile("f", bytes.substr(0, n), &l, &s).IsCorruption());
  }
}

TEST(LegacySystemFileTest, MissingFileIsNotFound) {
  cairn::test::ScratchDir dir;
  LocalState l;
  Schema s;
  EXPECT_TRUE(LegacySystemFile(dir.str() + "/nope").Load(&l, &s).IsNotFound());
}

TEST(SchemaValidationTest, ReplicationAndNames) {
  EXPECT_TRUE(IsValidSchemaName("a_B9"));
  EXPECT_FALSE(IsValidSchemaName(""));
  EXPECT_FALSE(IsValidSchemaName(std::string(49, 'a')));
  EXPECT_EQ(*ResolveStrategyClass("NetworkTopologyStrategy"),
            "org.apache.cassandra.locator.NetworkTopologyStrategy");
  KeyspaceSchema ks;
  ks.name = "k";
  ks.strategy_class = "org.apache.cassandra.locator.SimpleStrategy";
  ks.strategy_options = {{"replication_factor", "x"}};
  EXPECT_EQ(ValidateReplication(ks).message(), "Replication factor must be numeric; found x");
  ks.strategy_options = {{"replication_factor", "1"}, {"foo", "1"}};
  EXPECT_EQ(ValidateReplication(ks).message(),
            "Unrecognized strategy option {foo} passed to SimpleStrategy for keyspace k");
  ks.strategy_class = "org.apache.cassandra.locator.NetworkTopologyStrategy";
  ks.strategy_options = {{"datacenter1", "3"}, {"dc2", "2"}};
  EXPECT_OK(ValidateReplication(ks));
  ReplicaCounts rc = CountReplicas(ks, "datacenter1");
  EXPECT_EQ(rc.total, 5);
  EXPECT_EQ(rc.local_dc, 3);
}

}  // namespace
}  // namespace cairn::node
