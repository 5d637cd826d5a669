// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The Thrift methods through the generated C++ client on a real socket: results with
// Cassandra's semantics and every validation error with Cassandra's message.
#include <mutex>
#include <thread>

#include "common/marshal.h"
#include "tests/thrift/thrift_test_util.h"
#include "node/local_cluster_view.h"
#include "node/storage_proxy.h"
#include "thrift/handler.h"

namespace cairn::thrift::test {
namespace {

using CL = gen::ConsistencyLevel;

class ThriftHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<TestNode>(dir_.str());
    node_->Start();
    client_ = std::make_unique<Client>(node_->port());
    std::string version;
    gen::KsDef ks = KsDefOf("ks", 1,
                            {CfDefOf("ks", "cf"), CfDefOf("ks", "utf", "UTF8Type"),
                             CfDefOf("ks", "longs", "LongType")});
    (*client_)->system_add_keyspace(version, ks);
    (*client_)->set_keyspace("ks");
  }
  void Insert(const std::string& key, const std::string& cf, const std::string& name,
              const std::string& value, int64_t ts = 1, int32_t ttl = 0) {
    (*client_)->insert(key, Parent(cf), Col(name, value, ts, ttl), CL::ONE);
  }
  std::vector<std::string> Slice(const std::string& key, const std::string& cf,
                                 const gen::SlicePredicate& p) {
    std::vector<gen::ColumnOrSuperColumn> out;
    (*client_)->get_slice(out, key, Parent(cf), p, CL::ONE);
    return NamesOf(out);
  }
  Client& c() { return *client_; }

  cairn::test::ScratchDir dir_;
  std::unique_ptr<TestNode> node_;
  std::unique_ptr<Client> client_;
};

TEST_F(ThriftHandlerTest, DescribeMethodsAnswerLikeCassandra) {
  std::string s;
  c()->describe_version(s);
  EXPECT_EQ(s, "20.1.0");
  c()->describe_cluster_name(s);
  EXPECT_EQ(s, "Test Cluster");
  c()->describe_partitioner(s);
  EXPECT_EQ(s, "org.apache.cassandra.dht.Murmur3Partitioner");
  c()->describe_snitch(s);
  EXPECT_EQ(s, "org.apache.cassandra.locator.SimpleSnitch");
  std::map<std::string, std::vector<std::string>> versions;
  c()->describe_schema_versions(versions);
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions.begin()->first, node_->db()->schema()->version);
  std::vector<gen::TokenRange> ring;
  c()->describe_ring(ring, "ks");
  ASSERT_EQ(ring.size(), 4u);  // one range per token
  EXPECT_EQ(ring[0].end_token, ring[1].start_token);
  EXPECT_EQ(ring[3].end_token, ring[0].start_token);  // the ring closes
  EXPECT_EQ(ring[0].endpoints, std::vector<std::string>{"127.0.0.1"});
  std::map<std::string, std::string> tokens;
  c()->describe_token_map(tokens);
  EXPECT_EQ(tokens.size(), 4u);
  EXPECT_EQ(WhyInvalid([&] { c()->describe_ring(ring, "system"); }),
            "There is no ring for the keyspace: system");
}

TEST_F(ThriftHandlerTest, DescribeKeyspacesListsSystemKeyspacesAndFillsDefaults) {
  std::vector<gen::KsDef> all;
  c()->describe_keyspaces(all);
  std::vector<std::string> names;
  for (const auto& k : all) names.push_back(k.name);
  for (const char* sys : {"system", "system_schema", "system_auth", "system_distributed",
                          "system_traces", "ks"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), sys), names.end()) << sys;
  }
  gen::KsDef ks;
  c()->describe_keyspace(ks, "ks");
  EXPECT_EQ(ks.strategy_class, "org.apache.cassandra.locator.SimpleStrategy");
  EXPECT_EQ(ks.strategy_options.at("replication_factor"), "1");
  ASSERT_EQ(ks.cf_defs.size(), 3u);
  for (const gen::CfDef& cf : ks.cf_defs) {
    EXPECT_TRUE(cf.__isset.comparator_type);
    EXPECT_EQ(cf.default_validation_class, "org.apache.cassandra.db.marshal.BytesType");
    EXPECT_EQ(cf.key_validation_class, "org.apache.cassandra.db.marshal.BytesType");
    EXPECT_TRUE(cf.__isset.column_metadata);
    EXPECT_EQ(cf.gc_grace_seconds, 864000);
    if (cf.name == "utf") {
      EXPECT_EQ(cf.comparator_type, "org.apache.cassandra.db.marshal.UTF8Type");
    }
  }
  EXPECT_THROW(c()->describe_keyspace(ks, "nope"), gen::NotFoundException);
}

TEST_F(ThriftHandlerTest, SchemaChangesAndTheirErrors) {
  std::string v, v2;
  EXPECT_EQ(WhyInvalid([&] { c()->system_add_keyspace(v, KsDefOf("ks")); }),
            "Keyspace names must be case-insensitively unique (\"ks\" conflicts with \"ks\")");
  EXPECT_EQ(WhyInvalid([&] { c()->system_add_keyspace(v, KsDefOf("system")); }),
            "system keyspace is not user-modifiable");
  gen::KsDef bad = KsDefOf("ks2");
  bad.strategy_class = "NoSuchStrategy";
  EXPECT_EQ(WhyInvalid([&] { c()->system_add_keyspace(v, bad); }),
            "Unable to find replication strategy class "
            "'org.apache.cassandra.locator.NoSuchStrategy'");
  gen::KsDef no_rf = KsDefOf("ks2");
  no_rf.strategy_options.clear();
  EXPECT_EQ(WhyInvalid([&] { c()->system_add_keyspace(v, no_rf); }),
            "SimpleStrategy requires a replication_factor strategy option.");
  EXPECT_EQ(WhyInvalid([&] { c()->system_add_keyspace(v, KsDefOf("bad-name")); }),
            "Keyspace name must not be empty, more than 48 characters long, or contain "
            "non-alphanumeric-underscore characters (got \"bad-name\")");
  EXPECT_EQ(WhyInvalid([&] { c()->system_add_column_family(v, CfDefOf("ks", "cf")); }),
            "Cannot add already existing table \"cf\" to keyspace \"ks\"");
  EXPECT_EQ(WhyInvalid([&] { c()->system_add_column_family(v, CfDefOf("ks", "bad name")); }),
            "ColumnFamily name must not be empty, more than 48 characters long, or contain "
            "non-alphanumeric-underscore characters (got \"bad name\")");
  EXPECT_EQ(WhyInvalid([&] { c()->system_add_column_family(v, CfDefOf("nope", "x")); }),
            "Cannot add table 'x' to non existing keyspace 'nope'.");
  EXPECT_NE(WhyInvalid([&] { c()->system_add_column_family(v, CfDefOf("ks", "x", "NoType")); }),
            "");

  c()->system_add_column_family(v, CfDefOf("ks", "added", "LongType"));
  std::map<std::string, std::vector<std::string>> versions;
  c()->describe_schema_versions(versions);
  EXPECT_EQ(versions.begin()->first, v);
  gen::CfDef upd = CfDefOf("ks", "added", "LongType");
  upd.__set_gc_grace_seconds(100);
  upd.__set_comment("hello");
  c()->system_update_column_family(v2, upd);
  EXPECT_NE(v2, v);
  gen::KsDef ks;
  c()->describe_keyspace(ks, "ks");
  bool found = false;
  for (const auto& cf : ks.cf_defs) {
    if (cf.name == "added") {
      found = true;
      EXPECT_EQ(cf.gc_grace_seconds, 100);
      EXPECT_EQ(cf.comment, "hello");
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(WhyInvalid([&] { c()->system_update_column_family(v, CfDefOf("ks", "zz")); }),
            "Could not find table definition to modify.");
  c()->system_drop_column_family(v, "added");
  EXPECT_EQ(WhyInvalid([&] { c()->system_drop_column_family(v, "added"); }),
            "unconfigured table added");
  gen::KsDef with_cf = KsDefOf("ks3");
  with_cf.cf_defs.push_back(CfDefOf("ks3", "x"));
  EXPECT_EQ(WhyInvalid([&] { c()->system_update_keyspace(v, with_cf); }),
            "Keyspace ks3 does not exist");
  c()->system_update_keyspace(v, KsDefOf("ks", 2));
  c()->describe_keyspace(ks, "ks");
  EXPECT_EQ(ks.strategy_options.at("replication_factor"), "2");
  EXPECT_EQ(ks.cf_defs.size(), 3u);  // tables survive a keyspace update
  c()->system_add_keyspace(v, KsDefOf("gone"));
  c()->system_drop_keyspace(v, "gone");
  EXPECT_EQ(WhyInvalid([&] { c()->system_drop_keyspace(v, "gone"); }),
            "Cannot drop non existing keyspace 'gone'.");
  EXPECT_EQ(WhyInvalid([&] { c()->set_keyspace("gone"); }), "Keyspace 'gone' does not exist");
}

// The system keyspaces (whose tables hold the schema) are listed but never changed.
TEST_F(ThriftHandlerTest, SystemKeyspacesCannotBeDroppedOrAltered) {
  std::string v;
  for (const std::string ks : {"system", "system_schema", "system_auth", "system_traces"}) {
    const std::string why = ks + " keyspace is not user-modifiable";
    EXPECT_EQ(WhyInvalid([&] { c()->system_drop_keyspace(v, ks); }), why);
    EXPECT_EQ(WhyInvalid([&] { c()->system_update_keyspace(v, KsDefOf(ks, 3)); }), why);
    EXPECT_EQ(WhyInvalid([&] { c()->system_update_column_family(v, CfDefOf(ks, "tables")); }),
              why);
    Client other(node_->port());
    other->set_keyspace(ks);
    EXPECT_EQ(WhyInvalid([&] { other->system_add_column_family(v, CfDefOf(ks, "x")); }), why);
    EXPECT_EQ(WhyInvalid([&] { other->system_drop_column_family(v, "tables"); }), why);
    EXPECT_NE(WhyInvalid([&] { other->truncate("tables"); }), "");
  }
  std::vector<gen::KsDef> all;
  c()->describe_keyspaces(all);
  EXPECT_EQ(all.size(), 6u);  // the five system keyspaces and ks, all still there
}

TEST_F(ThriftHandlerTest, SessionStateIsPerConnection) {
  Client other(node_->port());
  std::vector<gen::ColumnOrSuperColumn> out;
  EXPECT_EQ(WhyInvalid([&] { other->get_slice(out, "k", Parent("cf"), Names({"a"}), CL::ONE); }),
            "You have not set a keyspace for this session");
  gen::AuthenticationRequest auth;
  auth.credentials = {{"username", "u"}, {"password", "p"}};
  other->login(auth);  // AllowAllAuthenticator: any credentials pass
  other->set_keyspace("ks");
  other->get_slice(out, "k", Parent("cf"), Names({"a"}), CL::ONE);
  EXPECT_TRUE(out.empty());
}

TEST_F(ThriftHandlerTest, InsertGetAndSlices) {
  for (int i = 0; i < 10; ++i) Insert("k", "longs", EncodeLong(i), "v" + std::to_string(i));
  gen::ColumnOrSuperColumn got;
  c()->get(got, "k", Path("longs", EncodeLong(3)), CL::ONE);
  EXPECT_EQ(got.column.value, "v3");
  EXPECT_EQ(got.column.timestamp, 1);
  EXPECT_FALSE(got.column.__isset.ttl);
  EXPECT_THROW(c()->get(got, "k", Path("longs", EncodeLong(99)), CL::ONE), gen::NotFoundException);
  EXPECT_THROW(c()->get(got, "absent", Path("longs", EncodeLong(1)), CL::ONE),
               gen::NotFoundException);

  auto names = Slice("k", "longs", Range(EncodeLong(2), EncodeLong(5)));
  EXPECT_EQ(names, (std::vector<std::string>{EncodeLong(2), EncodeLong(3), EncodeLong(4),
                                             EncodeLong(5)}));
  // Reversed: start is the greater bound; count applies from the start.
  names = Slice("k", "longs", Range(EncodeLong(7), "", true, 3));
  EXPECT_EQ(names, (std::vector<std::string>{EncodeLong(7), EncodeLong(6), EncodeLong(5)}));
  names = Slice("k", "longs", Range("", "", true, 2));
  EXPECT_EQ(names, (std::vector<std::string>{EncodeLong(9), EncodeLong(8)}));
  names = Slice("k", "longs", Range("", "", false, 0));
  EXPECT_TRUE(names.empty());
  names = Slice("k", "longs", Names({EncodeLong(8), EncodeLong(1), EncodeLong(42)}));
  EXPECT_EQ(names, (std::vector<std::string>{EncodeLong(1), EncodeLong(8)}));

  EXPECT_EQ(c()->get_count("k", Parent("longs"), Range("", "", false, 100), CL::ONE), 10);
  EXPECT_EQ(c()->get_count("k", Parent("longs"), Range("", "", false, 4), CL::ONE), 4);
  EXPECT_EQ(c()->get_count("nokey", Parent("longs"), Range("", "", false, 4), CL::ONE), 0);

  std::map<std::string, std::vector<gen::ColumnOrSuperColumn>> multi;
  Insert("k2", "longs", EncodeLong(1), "x");
  c()->multiget_slice(multi, {"k", "k2", "none"}, Parent("longs"), Range("", "", false, 2),
                      CL::ONE);
  ASSERT_EQ(multi.size(), 3u);  // absent keys come back with no columns
  EXPECT_EQ(multi["k"].size(), 2u);
  EXPECT_EQ(multi["k2"].size(), 1u);
  EXPECT_TRUE(multi["none"].empty());
  std::map<std::string, int32_t> counts;
  c()->multiget_count(counts, {"k", "k2", "none"}, Parent("longs"), Range("", "", false, 100),
                      CL::ONE);
  EXPECT_EQ(counts["k"], 10);
  EXPECT_EQ(counts["k2"], 1);
  EXPECT_EQ(counts["none"], 0);

  // Highest timestamp wins, whatever the arrival order.
  Insert("r", "cf", "a", "new", 10);
  Insert("r", "cf", "a", "old", 5);
  c()->get(got, "r", Path("cf", "a"), CL::ONE);
  EXPECT_EQ(got.column.value, "new");
}

TEST_F(ThriftHandlerTest, MultiSlice) {
  for (int i = 0; i < 10; ++i) Insert("k", "longs", EncodeLong(i), "v");
  gen::MultiSliceRequest req;
  req.__set_key("k");
  req.__set_column_parent(Parent("longs"));
  gen::ColumnSlice a, b;
  a.__set_start(EncodeLong(1));
  a.__set_finish(EncodeLong(2));
  b.__set_start(EncodeLong(7));
  req.__set_column_slices({a, b});
  std::vector<gen::ColumnOrSuperColumn> out;
  c()->get_multi_slice(out, req);
  EXPECT_EQ(NamesOf(out), (std::vector<std::string>{EncodeLong(1), EncodeLong(2), EncodeLong(7),
                                                    EncodeLong(8), EncodeLong(9)}));
  req.__set_count(3);
  c()->get_multi_slice(out, req);
  EXPECT_EQ(out.size(), 3u);
  gen::ColumnSlice bad;
  bad.__set_start(EncodeLong(5));
  bad.__set_finish(EncodeLong(1));
  req.__set_column_slices({bad});
  EXPECT_EQ(WhyInvalid([&] { c()->get_multi_slice(out, req); }),
            "Column slice at index 0 had start greater than finish");
  req.__set_reversed(true);
  c()->get_multi_slice(out, req);
  EXPECT_EQ(NamesOf(out), (std::vector<std::string>{EncodeLong(5), EncodeLong(4), EncodeLong(3)}));
}

TEST_F(ThriftHandlerTest, TtlExpires) {
  Insert("k", "cf", "short", "v", 1, 1);
  Insert("k", "cf", "long", "v", 1, 1000);
  gen::ColumnOrSuperColumn got;
  c()->get(got, "k", Path("cf", "long"), CL::ONE);
  EXPECT_EQ(got.column.ttl, 1000);
  EXPECT_EQ(Slice("k", "cf", Range("", "")).size(), 2u);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_EQ(Slice("k", "cf", Range("", "")), std::vector<std::string>{"long"});
  EXPECT_THROW(c()->get(got, "k", Path("cf", "short"), CL::ONE), gen::NotFoundException);
}

TEST_F(ThriftHandlerTest, RemoveCellAndPartition) {
  Insert("k", "cf", "a", "1", 10);
  Insert("k", "cf", "b", "2", 10);
  c()->remove("k", Path("cf", "a"), 11, CL::ONE);
  EXPECT_EQ(Slice("k", "cf", Range("", "")), std::vector<std::string>{"b"});
  c()->remove("k", Path("cf", "b"), 5, CL::ONE);  // older than the cell: no effect
  EXPECT_EQ(Slice("k", "cf", Range("", "")), std::vector<std::string>{"b"});
  gen::ColumnPath whole;
  whole.column_family = "cf";
  c()->remove("k", whole, 20, CL::ONE);
  EXPECT_TRUE(Slice("k", "cf", Range("", "")).empty());
  Insert("k", "cf", "c", "3", 21);  // newer than the partition deletion
  EXPECT_EQ(Slice("k", "cf", Range("", "")), std::vector<std::string>{"c"});
}

TEST_F(ThriftHandlerTest, BatchMutateWithMixedMutations) {
  for (const char* n : {"a", "b", "c", "d", "e"}) Insert("k", "utf", n, "v", 1);
  auto insertion = [](const std::string& name) {
    gen::Mutation m;
    gen::ColumnOrSuperColumn cosc;
    cosc.__set_column(Col(name, "w", 2));
    m.__set_column_or_supercolumn(cosc);
    return m;
  };
  gen::Mutation del_names;
  gen::Deletion d1;
  d1.__set_timestamp(2);
  d1.__set_predicate(Names({"a"}));
  del_names.__set_deletion(d1);
  gen::Mutation del_range;
  gen::Deletion d2;
  d2.__set_timestamp(2);
  d2.__set_predicate(Range("c", "d"));
  del_range.__set_deletion(d2);
  std::map<std::string, std::map<std::string, std::vector<gen::Mutation>>> batch;
  batch["k"]["utf"] = {del_names, del_range, insertion("z")};
  batch["k2"]["cf"] = {insertion("x")};
  c()->batch_mutate(batch, CL::ONE);
  EXPECT_EQ(Slice("k", "utf", Range("", "")), (std::vector<std::string>{"b", "e", "z"}));
  EXPECT_EQ(Slice("k2", "cf", Range("", "")), std::vector<std::string>{"x"});

  gen::Mutation del_row;
  gen::Deletion d3;
  d3.__set_timestamp(3);
  del_row.__set_deletion(d3);
  batch.clear();
  batch["k"]["utf"] = {del_row};
  c()->atomic_batch_mutate(batch, CL::ONE);
  EXPECT_TRUE(Slice("k", "utf", Range("", "")).empty());

  // A bad element fails the whole batch before anything is written.
  gen::Mutation no_ts;
  no_ts.__set_deletion(gen::Deletion());
  batch.clear();
  batch["k3"]["cf"] = {insertion("y")};
  batch["k4"]["cf"] = {no_ts};
  EXPECT_EQ(WhyInvalid([&] { c()->batch_mutate(batch, CL::ONE); }),
            "Deletion timestamp is not optional for non commutative table cf");
  EXPECT_TRUE(Slice("k3", "cf", Range("", "")).empty());
  gen::Mutation both;
  batch.clear();
  batch["k"]["cf"] = {both};
  EXPECT_EQ(WhyInvalid([&] { c()->batch_mutate(batch, CL::ONE); }),
            "mutation must have one and only one of column_or_supercolumn or deletion");
  batch.clear();
  batch["k"]["nope"] = {insertion("x")};
  EXPECT_EQ(WhyInvalid([&] { c()->batch_mutate(batch, CL::ONE); }), "unconfigured table nope");
}

TEST_F(ThriftHandlerTest, ValidationMessages) {
  std::vector<gen::ColumnOrSuperColumn> out;
  EXPECT_EQ(WhyInvalid([&] { Insert("", "cf", "a", "v"); }), "Key may not be empty");
  EXPECT_EQ(WhyInvalid([&] { Insert(std::string(65536, 'k'), "cf", "a", "v"); }),
            "Key length of 65536 is longer than maximum of 65535");
  Insert(std::string(65535, 'k'), "cf", "a", "v");  // the maximum is allowed
  EXPECT_EQ(WhyInvalid([&] { Insert("k", "cf", "", "v"); }), "column name must not be empty");
  EXPECT_EQ(WhyInvalid([&] { Insert("k", "cf", std::string(65536, 'n'), "v"); }),
            "column name length must not be greater than 65535");
  EXPECT_EQ(WhyInvalid([&] { Insert("k", "nope", "a", "v"); }), "unconfigured table nope");
  EXPECT_EQ(WhyInvalid([&] { Insert("k", "", "a", "v"); }), "non-empty table is required");
  EXPECT_EQ(WhyInvalid([&] { Insert("k", "longs", "abc", "v"); }),
            "Expected 8 or 0 byte long (3)");
  EXPECT_EQ(WhyInvalid([&] { Insert("k", "utf", "\xff", "v"); }), "String didn't validate.");
  EXPECT_EQ(WhyInvalid([&] { Insert("k", "cf", "a", "v", 1, -1); }),
            "ttl must be greater or equal to 0");
  gen::Column no_ts;
  no_ts.name = "a";
  no_ts.__set_value("v");
  EXPECT_EQ(WhyInvalid([&] { c()->insert("k", Parent("cf"), no_ts, CL::ONE); }),
            "Column timestamp is required");
  gen::Column no_value;
  no_value.name = "a";
  no_value.__set_timestamp(1);
  EXPECT_EQ(WhyInvalid([&] { c()->insert("k", Parent("cf"), no_value, CL::ONE); }),
            "Column value is required");
  gen::ColumnParent with_super = Parent("cf");
  with_super.__set_super_column("s");
  EXPECT_EQ(WhyInvalid([&] { c()->insert("k", with_super, Col("a", "v", 1), CL::ONE); }),
            "table alone is required for standard CF cf");
  gen::SlicePredicate neither;
  EXPECT_EQ(WhyInvalid([&] { c()->get_slice(out, "k", Parent("cf"), neither, CL::ONE); }),
            "predicate column_names and slice_range may not both be null");
  gen::SlicePredicate both = Range("", "");
  both.__set_column_names({"a"});
  EXPECT_EQ(WhyInvalid([&] { c()->get_slice(out, "k", Parent("cf"), both, CL::ONE); }),
            "predicate column_names and slice_range may not both be present");
  EXPECT_EQ(WhyInvalid([&] { c()->get_slice(out, "k", Parent("cf"), Range("", "", false, -1), CL::ONE); }),
            "get_slice requires non-negative count");
  EXPECT_EQ(WhyInvalid([&] { c()->get_slice(out, "k", Parent("cf"), Range("b", "a"), CL::ONE); }),
            "range finish must come after start in the order of traversal");
  EXPECT_EQ(WhyInvalid([&] {
              c()->get_slice(out, "k", Parent("cf"), Range("a", "b", true), CL::ONE);
            }),
            "range finish must come after start in the order of traversal");
  gen::ColumnOrSuperColumn got;
  gen::ColumnPath no_column;
  no_column.column_family = "cf";
  EXPECT_EQ(WhyInvalid([&] { c()->get(got, "k", no_column, CL::ONE); }),
            "column parameter is not optional for standard CF cf");
  EXPECT_EQ(WhyInvalid([&] { c()->get_slice(out, "k", Parent("cf"), Names({"a"}), CL::ANY); }),
            "ANY ConsistencyLevel is only supported for writes");
  EXPECT_EQ(WhyInvalid([&] { c()->insert("k", Parent("cf"), Col("a", "v", 1), CL::SERIAL); }),
            "You must use conditional updates for serializable writes");
}

TEST_F(ThriftHandlerTest, ValueValidatorsAndColumnMetadata) {
  gen::CfDef d = CfDefOf("ks", "typed", "UTF8Type");
  d.__set_default_validation_class("LongType");
  gen::ColumnDef age;
  age.name = "age";
  age.validation_class = "Int32Type";
  d.__set_column_metadata({age});
  std::string v;
  c()->system_add_column_family(v, d);
  Insert("k", "typed", "other", EncodeLong(5));
  Insert("k", "typed", "age", EncodeInt32(5));
  EXPECT_EQ(WhyInvalid([&] { Insert("k", "typed", "age", EncodeLong(5)); }),
            "(Expected 4 or 0 byte int (8)) [ks][typed][age] failed validation");
  EXPECT_NE(WhyInvalid([&] { Insert("k", "typed", "x", "abc"); }).find("failed validation"),
            std::string::npos);
  gen::KsDef ks;
  c()->describe_keyspace(ks, "ks");
  for (const auto& cf : ks.cf_defs) {
    if (cf.name != "typed") continue;
    ASSERT_EQ(cf.column_metadata.size(), 1u);
    EXPECT_EQ(cf.column_metadata[0].validation_class, "org.apache.cassandra.db.marshal.Int32Type");
    EXPECT_EQ(cf.default_validation_class, "org.apache.cassandra.db.marshal.LongType");
  }
}

TEST_F(ThriftHandlerTest, ConsistencyLevelsOnOneNode) {
  Insert("k", "cf", "a", "v");
  for (auto cl : {CL::ONE, CL::QUORUM, CL::ALL, CL::LOCAL_ONE, CL::LOCAL_QUORUM, CL::ANY,
                  CL::EACH_QUORUM}) {
    c()->insert("k", Parent("cf"), Col("a", "v", 1), cl);
  }
  EXPECT_THROW(c()->insert("k", Parent("cf"), Col("a", "v", 1), CL::TWO),
               gen::UnavailableException);
  std::string v;
  c()->system_update_keyspace(v, KsDefOf("ks", 3));
  c()->insert("k", Parent("cf"), Col("a", "v", 1), CL::ONE);
  EXPECT_THROW(c()->insert("k", Parent("cf"), Col("a", "v", 1), CL::QUORUM),
               gen::UnavailableException);
  std::vector<gen::ColumnOrSuperColumn> out;
  EXPECT_THROW(c()->get_slice(out, "k", Parent("cf"), Names({"a"}), CL::ALL),
               gen::UnavailableException);
  c()->get_slice(out, "k", Parent("cf"), Names({"a"}), CL::ONE);
  EXPECT_EQ(out.size(), 1u);
}

TEST_F(ThriftHandlerTest, RangeSlicesByTokenAndKey) {
  std::set<std::string> keys;
  for (int i = 0; i < 20; ++i) {
    std::string k = "key" + std::to_string(i);
    keys.insert(k);
    Insert(k, "cf", "c", "v");
  }
  const ring::Partitioner& p = node_->db()->partitioner();
  gen::KeyRange all;
  all.__set_start_token(p.TokenToString(p.MinimumToken()));
  all.__set_end_token(p.TokenToString(p.MinimumToken()));
  all.count = 100;
  std::vector<gen::KeySlice> rows;
  c()->get_range_slices(rows, Parent("cf"), Range("", ""), all, CL::ONE);
  ASSERT_EQ(rows.size(), 20u);
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_LT(p.GetToken(rows[i - 1].key), p.GetToken(rows[i].key));  // token order
  }
  // start == end (not the minimum) is the whole ring too, starting after that token.
  gen::KeyRange whole;
  std::string mid = p.TokenToString(p.GetToken(rows[10].key));
  whole.__set_start_token(mid);
  whole.__set_end_token(mid);
  whole.count = 100;
  std::vector<gen::KeySlice> wrapped;
  c()->get_range_slices(wrapped, Parent("cf"), Range("", ""), whole, CL::ONE);
  ASSERT_EQ(wrapped.size(), 20u);
  EXPECT_EQ(wrapped[0].key, rows[11].key);
  EXPECT_EQ(wrapped[19].key, rows[10].key);
  // A wrapping range (start > end): the tail of the ring, then its head.
  gen::KeyRange wrap;
  wrap.__set_start_token(p.TokenToString(p.GetToken(rows[15].key)));
  wrap.__set_end_token(p.TokenToString(p.GetToken(rows[2].key)));
  wrap.count = 100;
  c()->get_range_slices(wrapped, Parent("cf"), Range("", ""), wrap, CL::ONE);
  ASSERT_EQ(wrapped.size(), 7u);  // keys 16..19 then 0..2
  EXPECT_EQ(wrapped[0].key, rows[16].key);
  EXPECT_EQ(wrapped[6].key, rows[2].key);
  // Keys: inclusive on both ends, count respected.
  gen::KeyRange by_key;
  by_key.__set_start_key(rows[3].key);
  by_key.__set_end_key(rows[8].key);
  by_key.count = 100;
  c()->get_range_slices(wrapped, Parent("cf"), Range("", ""), by_key, CL::ONE);
  ASSERT_EQ(wrapped.size(), 6u);
  EXPECT_EQ(wrapped.front().key, rows[3].key);
  by_key.count = 2;
  c()->get_range_slices(wrapped, Parent("cf"), Range("", ""), by_key, CL::ONE);
  EXPECT_EQ(wrapped.size(), 2u);
  // A deleted partition still appears, with no columns.
  gen::ColumnPath whole_row;
  whole_row.column_family = "cf";
  c()->remove(rows[5].key, whole_row, 100, CL::ONE);
  c()->get_range_slices(rows, Parent("cf"), Range("", ""), all, CL::ONE);
  ASSERT_EQ(rows.size(), 20u);
  EXPECT_TRUE(rows[5].columns.empty());
  EXPECT_EQ(rows[4].columns.size(), 1u);

  gen::KeyRange bad;
  bad.count = 10;
  EXPECT_EQ(WhyInvalid([&] { c()->get_range_slices(rows, Parent("cf"), Range("", ""), bad, CL::ONE); }),
            "exactly one each of {start key, start token} and {end key, end token} must be "
            "specified");
  by_key.count = 0;
  EXPECT_EQ(WhyInvalid([&] { c()->get_range_slices(rows, Parent("cf"), Range("", ""), by_key, CL::ONE); }),
            "maxRows must be positive");
}

TEST_F(ThriftHandlerTest, PagedSliceAndSplits) {
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 3; ++j) Insert("p" + std::to_string(i), "cf", "c" + std::to_string(j), "v");
  }
  const ring::Partitioner& p = node_->db()->partitioner();
  std::string min = p.TokenToString(p.MinimumToken());
  gen::KeyRange all;
  all.__set_start_token(min);
  all.__set_end_token(min);
  all.count = 100;
  std::vector<gen::KeySlice> rows;
  c()->get_range_slices(rows, Parent("cf"), Range("", ""), all, CL::ONE);
  ASSERT_EQ(rows.size(), 5u);
  gen::KeyRange from_key;
  from_key.__set_start_key(rows[1].key);
  from_key.__set_end_token(min);
  from_key.count = 5;  // cells across partitions
  std::vector<gen::KeySlice> page;
  c()->get_paged_slice(page, "cf", from_key, "c1", CL::ONE);
  // count limits cells across partitions: 2 from the first (from c1), 3 from the next.
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].key, rows[1].key);
  EXPECT_EQ(NamesOf(page[0].columns), (std::vector<std::string>{"c1", "c2"}));
  EXPECT_EQ(page[1].key, rows[2].key);
  EXPECT_EQ(page[1].columns.size(), 3u);
  std::vector<gen::CfSplit> splits;
  c()->describe_splits_ex(splits, "cf", min, min, 2);
  int64_t total = 0;
  for (const auto& s : splits) total += s.row_count;
  EXPECT_EQ(total, 5);
  EXPECT_EQ(splits.size(), 3u);
  EXPECT_EQ(splits.front().start_token, min);
  EXPECT_EQ(splits.back().end_token, min);
  std::vector<std::string> tokens;
  c()->describe_splits(tokens, "cf", min, min, 2);
  EXPECT_EQ(tokens.size(), splits.size() + 1);
}

TEST_F(ThriftHandlerTest, TruncateRemovesEverything) {
  for (int i = 0; i < 10; ++i) Insert("k" + std::to_string(i), "cf", "c", "v", 1000);
  ASSERT_OK(node_->db()->Drain());  // some data in SSTables, some in memtables
  Insert("late", "cf", "c", "v", 1000);
  c()->truncate("cf");
  EXPECT_TRUE(Slice("k1", "cf", Range("", "")).empty());
  EXPECT_TRUE(Slice("late", "cf", Range("", "")).empty());
  Insert("k1", "cf", "c", "v", 1);  // writes after truncate are visible, any timestamp
  EXPECT_EQ(Slice("k1", "cf", Range("", "")).size(), 1u);
  // Nothing comes back after a restart either (no commit log resurrection).
  client_.reset();
  node_->Stop();
  node_->Start();
  client_ = std::make_unique<Client>(node_->port());
  c()->set_keyspace("ks");
  EXPECT_TRUE(Slice("k2", "cf", Range("", "")).empty());
  EXPECT_TRUE(Slice("late", "cf", Range("", "")).empty());
  EXPECT_EQ(Slice("k1", "cf", Range("", "")).size(), 1u);
}

TEST_F(ThriftHandlerTest, SchemaAndDataSurviveRestart) {
  Insert("k", "utf", "name", "v", 7);
  std::map<std::string, std::vector<std::string>> before, after;
  c()->describe_schema_versions(before);
  client_.reset();
  node_->Stop();
  node_->Start();
  client_ = std::make_unique<Client>(node_->port());
  c()->describe_schema_versions(after);
  EXPECT_EQ(before, after);
  c()->set_keyspace("ks");
  gen::ColumnOrSuperColumn got;
  c()->get(got, "k", Path("utf", "name"), CL::ONE);
  EXPECT_EQ(got.column.value, "v");
  EXPECT_EQ(got.column.timestamp, 7);
}

TEST_F(ThriftHandlerTest, CountersAddReadRemoveAndBatch) {
  std::string v;
  gen::CfDef counters = CfDefOf("ks", "counters");
  counters.__set_default_validation_class("CounterColumnType");
  c()->system_add_column_family(v, counters);
  gen::CounterColumn cc;
  cc.name = "c";
  cc.value = 5;
  c()->add("k", Parent("counters"), cc, CL::ONE);
  cc.value = -2;
  c()->add("k", Parent("counters"), cc, CL::ONE);
  gen::ColumnOrSuperColumn got;
  c()->get(got, "k", Path("counters", "c"), CL::ONE);
  ASSERT_TRUE(got.__isset.counter_column);
  EXPECT_FALSE(got.__isset.column);
  EXPECT_EQ(got.counter_column.name, "c");
  EXPECT_EQ(got.counter_column.value, 3);
  // batch_mutate: counter columns add up, per key.
  gen::Mutation inc;
  gen::CounterColumn d;
  d.name = "c";
  d.value = 10;
  inc.__isset.column_or_supercolumn = true;
  inc.column_or_supercolumn.__set_counter_column(d);
  c()->batch_mutate({{"k", {{"counters", {inc, inc}}}}, {"k2", {{"counters", {inc}}}}}, CL::ONE);
  c()->get(got, "k", Path("counters", "c"), CL::ONE);
  EXPECT_EQ(got.counter_column.value, 23);
  std::vector<gen::ColumnOrSuperColumn> slice;
  gen::SlicePredicate all;
  all.__isset.slice_range = true;
  all.slice_range.count = 100;
  c()->get_slice(slice, "k2", Parent("counters"), all, CL::ONE);
  ASSERT_EQ(slice.size(), 1u);
  EXPECT_EQ(slice[0].counter_column.value, 10);
  // Wrong kinds of writes, and ANY, are refused with Cassandra's messages.
  EXPECT_EQ(WhyInvalid([&] { c()->add("k", Parent("cf"), cc, CL::ONE); }),
            "invalid operation for non commutative table cf");
  EXPECT_EQ(WhyInvalid([&] { Insert("k", "counters", "c", "v"); }),
            "invalid operation for commutative table counters");
  EXPECT_EQ(WhyInvalid([&] { c()->add("k", Parent("counters"), cc, CL::ANY); }),
            "Consistency level ANY is not yet supported for counter columnfamily counters");
  EXPECT_EQ(WhyInvalid([&] { c()->atomic_batch_mutate({{"k", {{"counters", {inc}}}}}, CL::ONE); }),
            "Counter mutations are not allowed in atomic batches");
  // remove_counter: gone, and (as Cassandra documents) a removed counter stays removed.
  c()->remove_counter("k", Path("counters", "c"), CL::ONE);
  EXPECT_THROW(c()->get(got, "k", Path("counters", "c"), CL::ONE), gen::NotFoundException);
  c()->add("k", Parent("counters"), cc, CL::ONE);
  EXPECT_THROW(c()->get(got, "k", Path("counters", "c"), CL::ONE), gen::NotFoundException);
}

TEST_F(ThriftHandlerTest, CasLikeCassandra) {
  gen::CASResult r;
  // Expected empty: the row must not exist.
  c()->cas(r, "k", "utf", {}, {Col("v", "0", 5)}, CL::SERIAL, CL::QUORUM);
  EXPECT_TRUE(r.success);
  EXPECT_FALSE(r.__isset.current_values);
  Insert("k", "utf", "w", "other", 6);
  c()->cas(r, "k", "utf", {}, {Col("v", "x", 5)}, CL::SERIAL, CL::QUORUM);
  EXPECT_FALSE(r.success);
  ASSERT_TRUE(r.__isset.current_values);
  ASSERT_EQ(r.current_values.size(), 1u);  // the first live column only
  EXPECT_EQ(r.current_values[0].name, "v");
  // Expected values: all must match; on failure the current values of the expected
  // columns that exist come back.
  c()->cas(r, "k", "utf", {Col("v", "0", 1), Col("w", "other", 1)}, {Col("v", "1", 1)},
           CL::LOCAL_SERIAL, CL::ONE);
  EXPECT_TRUE(r.success);
  c()->cas(r, "k", "utf", {Col("v", "0", 1), Col("gone", "g", 1)}, {Col("v", "2", 1)},
           CL::SERIAL, CL::ANY);
  EXPECT_FALSE(r.success);
  ASSERT_EQ(r.current_values.size(), 1u);
  EXPECT_EQ(r.current_values[0].name, "v");
  EXPECT_EQ(r.current_values[0].value, "1");
  gen::ColumnOrSuperColumn got;
  c()->get(got, "k", Path("utf", "v"), CL::SERIAL);
  EXPECT_EQ(got.column.value, "1");
  c()->get(got, "k", Path("utf", "v"), CL::ONE);
  EXPECT_EQ(got.column.value, "1");
  // Cassandra's errors.
  EXPECT_EQ(WhyInvalid([&] { c()->cas(r, "k", "utf", {}, {}, CL::QUORUM, CL::QUORUM); }),
            "Invalid consistency for conditional update. Must be one of SERIAL or LOCAL_SERIAL");
  EXPECT_NE(WhyInvalid([&] { c()->cas(r, "k", "utf", {}, {}, CL::SERIAL, CL::SERIAL); })
                .find("SERIAL is not supported as conditional update commit consistency"),
            std::string::npos);
  EXPECT_EQ(WhyInvalid([&] { c()->cas(r, "k", "longs", {}, {Col("short", "v", 1)}, CL::SERIAL,
                                      CL::QUORUM); }).substr(0, 20),
            WhyInvalid([&] { Insert("k", "longs", "short", "v"); }).substr(0, 20));
  std::map<std::string, std::vector<gen::ColumnOrSuperColumn>> multi;
  gen::SlicePredicate names;
  names.__set_column_names({"v"});
  EXPECT_EQ(WhyInvalid([&] { c()->multiget_slice(multi, {"a", "b"}, Parent("utf"), names,
                                                 CL::SERIAL); }),
            "SERIAL/LOCAL_SERIAL consistency may only be requested for one partition at a time");
  EXPECT_EQ(WhyInvalid([&] { c()->insert("k", Parent("utf"), Col("v", "9", 9), CL::SERIAL); }),
            "You must use conditional updates for serializable writes");
}

TEST_F(ThriftHandlerTest, UnsupportedFeaturesSaySo) {
  std::string v;
  gen::CqlResult r;
  EXPECT_NE(WhyInvalid([&] { c()->execute_cql3_query(r, "SELECT", gen::Compression::NONE, CL::ONE); })
                .find("not supported"),
            std::string::npos);
  EXPECT_EQ(WhyInvalid([&] { c()->execute_cql_query(r, "SELECT", gen::Compression::NONE); }),
            "CQL2 has been removed in Cassandra 3.0. Please use CQL3 instead");
  gen::CqlPreparedResult pr;
  EXPECT_NE(WhyInvalid([&] { c()->prepare_cql3_query(pr, "SELECT", gen::Compression::NONE); }), "");
  EXPECT_NE(WhyInvalid([&] { c()->prepare_cql_query(pr, "SELECT", gen::Compression::NONE); }), "");
  EXPECT_NE(WhyInvalid([&] { c()->execute_prepared_cql3_query(r, 1, {}, CL::ONE); }), "");
  EXPECT_NE(WhyInvalid([&] { c()->execute_prepared_cql_query(r, 1, {}); }), "");
  c()->set_cql_version("3.0.0");  // accepted, no effect
  std::string trace;
  EXPECT_THROW(c()->trace_next_query(trace), at::TApplicationException);
  gen::IndexClause clause;
  gen::IndexExpression e;
  e.column_name = "c";
  e.op = gen::IndexOperator::EQ;
  e.value = "v";
  clause.expressions = {e};
  std::vector<gen::KeySlice> rows;
  EXPECT_EQ(WhyInvalid([&] { c()->get_indexed_slices(rows, Parent("cf"), clause, Range("", ""), CL::ONE); }),
            "No indexed columns present in index clause with operator EQ");
  // Super column families: the schema is accepted, data access refused clearly.
  gen::CfDef super = CfDefOf("ks", "sup");
  super.__set_column_type("Super");
  c()->system_add_column_family(v, super);
  gen::ColumnParent sp = Parent("sup");
  sp.__set_super_column("s");
  EXPECT_NE(WhyInvalid([&] { c()->insert("k", sp, Col("a", "v", 1), CL::ONE); })
                .find("super column families are not supported"),
            std::string::npos);
  // The connection is still healthy after all of that.
  c()->describe_version(v);
  EXPECT_EQ(v, "20.1.0");
}


// ---- The asynchronous write path (thrift/async_dispatch.h), without a server ----------

// A coordinator whose writes complete only when the test says so, from its own thread.
class DeferredCoordinator : public node::Coordinator {
 public:
  struct Pending {
    std::vector<Mutation> mutations;
    node::ConsistencyLevel cl;
    WriteDone done;
  };
  void MutateAsync(const node::KeyspaceSchema&, std::vector<Mutation> mutations,
                   node::ConsistencyLevel cl, WriteDone done) override {
    pending.push_back({std::move(mutations), cl, std::move(done)});
  }
  Status Mutate(const node::KeyspaceSchema&, std::vector<Mutation>, node::ConsistencyLevel,
                node::WriteOutcome*) override {
    ADD_FAILURE() << "the synchronous Mutate was used";
    return Status::OK();
  }
  Status MutateAtomically(const node::KeyspaceSchema&, std::vector<Mutation>,
                          node::ConsistencyLevel, node::WriteOutcome*) override {
    return Status::OK();
  }
  Result<std::vector<std::optional<PartitionUpdate>>> Read(const node::TableRef&,
                                                           const std::vector<std::string>&,
                                                           const CellFilter&,
                                                           node::ConsistencyLevel) override {
    return Status::NotSupported("no reads");
  }
  Status ScanRange(const node::TableRef&, const std::vector<node::KeyBounds>&, const CellFilter&,
                   int32_t, node::ConsistencyLevel, const RangeVisitor&) override {
    return Status::NotSupported("no reads");
  }
  Status Truncate(const std::string&, const std::string&) override { return Status::OK(); }

  std::vector<Pending> pending;
};

class AsyncDispatchTest : public ThriftHandlerTest {
 protected:
  // An encoded call of `name` with `args`, positioned after the message header, as the
  // server hands it to DispatchAsync.
  template <typename ArgsT>
  std::shared_ptr<apache::thrift::protocol::TProtocol> Call(const std::string& name,
                                                            const ArgsT& args, int32_t seqid) {
    auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>();
    auto proto = std::make_shared<apache::thrift::protocol::TBinaryProtocol>(buffer);
    proto->writeMessageBegin(name, apache::thrift::protocol::T_CALL, seqid);
    args.write(proto.get());
    proto->writeMessageEnd();
    std::string fname;
    apache::thrift::protocol::TMessageType type;
    int32_t id = 0;
    proto->readMessageBegin(fname, type, id);
    EXPECT_EQ(fname, name);
    EXPECT_EQ(id, seqid);
    return proto;
  }
  // Decodes a reply message of `name` into `result` (a *_presult); the seqid.
  template <typename PResultT>
  int32_t Decode(const std::string& message, const std::string& name, PResultT* result) {
    auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>();
    buffer->write(reinterpret_cast<const uint8_t*>(message.data()),
                  static_cast<uint32_t>(message.size()));
    apache::thrift::protocol::TBinaryProtocol proto(buffer);
    std::string fname;
    apache::thrift::protocol::TMessageType type;
    int32_t seqid = 0;
    proto.readMessageBegin(fname, type, seqid);
    EXPECT_EQ(fname, name);
    EXPECT_EQ(type, apache::thrift::protocol::T_REPLY);
    result->read(&proto);
    proto.readMessageEnd();
    return seqid;
  }
  std::shared_ptr<CassandraHandler> Handler(node::Coordinator* coordinator = nullptr) {
    auto context = std::make_shared<ServerContext>();
    context->db = node_->db();
    context->coordinator = coordinator != nullptr ? coordinator : &coordinator_;
    auto h = std::make_shared<CassandraHandler>(context);
    h->set_keyspace("ks");
    return h;
  }

  DeferredCoordinator coordinator_;
};

TEST_F(AsyncDispatchTest, InsertRepliesWhenTheCoordinatorAnswersFromAnotherThread) {
  auto h = Handler();
  gen::Cassandra_insert_args args;
  args.key = "k";
  args.column_parent = Parent("cf");
  args.column = Col("c", "v", 7);
  args.consistency_level = CL::QUORUM;
  std::vector<std::string> replies;
  std::mutex mu;
  auto reply = [&](std::string m) {
    std::lock_guard lock(mu);
    replies.push_back(std::move(m));
  };
  ASSERT_TRUE(h->DispatchAsync("insert", 41, Call("insert", args, 41).get(), reply));
  ASSERT_TRUE(h->DispatchAsync("insert", 42, Call("insert", args, 42).get(), reply));
  ASSERT_EQ(coordinator_.pending.size(), 2u);
  EXPECT_TRUE(replies.empty()) << "replied before the coordinator answered";
  EXPECT_EQ(coordinator_.pending[0].cl, node::ConsistencyLevel::QUORUM);
  ASSERT_EQ(coordinator_.pending[0].mutations.size(), 1u);
  EXPECT_EQ(coordinator_.pending[0].mutations[0].key, "k");
  ASSERT_EQ(coordinator_.pending[0].mutations[0].updates[0].update.cells.size(), 1u);
  EXPECT_EQ(coordinator_.pending[0].mutations[0].updates[0].update.cells[0].timestamp, 7);

  // The second completes first, with a timeout; the first succeeds.
  std::thread([&] {
    node::WriteOutcome outcome;
    outcome.acknowledged_by = 1;
    coordinator_.pending[1].done(Status::TimedOut("slow"), outcome);
    coordinator_.pending[0].done(Status::OK(), {});
  }).join();
  ASSERT_EQ(replies.size(), 2u);
  gen::Cassandra_insert_presult timed_out;
  EXPECT_EQ(Decode(replies[0], "insert", &timed_out), 42);
  ASSERT_TRUE(timed_out.__isset.te);
  EXPECT_EQ(timed_out.te.acknowledged_by, 1);
  gen::Cassandra_insert_presult ok;
  EXPECT_EQ(Decode(replies[1], "insert", &ok), 41);
  EXPECT_FALSE(ok.__isset.te || ok.__isset.ue || ok.__isset.ire);
}

TEST_F(AsyncDispatchTest, ValidationAndUnavailableAreDeclaredExceptions) {
  auto h = Handler();
  std::string reply;
  auto keep = [&](std::string m) { reply = std::move(m); };
  gen::Cassandra_insert_args bad;
  bad.key = "";  // empty key: refused before the coordinator
  bad.column_parent = Parent("cf");
  bad.column = Col("c", "v", 1);
  bad.consistency_level = CL::ONE;
  ASSERT_TRUE(h->DispatchAsync("insert", 1, Call("insert", bad, 1).get(), keep));
  EXPECT_TRUE(coordinator_.pending.empty());
  gen::Cassandra_insert_presult r;
  Decode(reply, "insert", &r);
  ASSERT_TRUE(r.__isset.ire);
  EXPECT_EQ(r.ire.why, "Key may not be empty");

  gen::Cassandra_remove_args rm;
  rm.key = "k";
  rm.column_path.column_family = "cf";
  rm.timestamp = 5;
  rm.consistency_level = CL::ALL;
  reply.clear();
  ASSERT_TRUE(h->DispatchAsync("remove", 2, Call("remove", rm, 2).get(), keep));
  ASSERT_EQ(coordinator_.pending.size(), 1u);
  EXPECT_EQ(coordinator_.pending[0].mutations[0].updates[0].update.deletion.marked_for_delete_at, 5);
  coordinator_.pending[0].done(Status::Unavailable("Cannot achieve consistency level ALL"), {});
  gen::Cassandra_remove_presult rr;
  Decode(reply, "remove", &rr);
  EXPECT_TRUE(rr.__isset.ue);
}

TEST_F(AsyncDispatchTest, BatchMutateGoesAsyncAndOtherMethodsDoNot) {
  auto h = Handler();
  gen::Cassandra_batch_mutate_args b;
  gen::Mutation m;
  gen::ColumnOrSuperColumn cosc;
  cosc.__set_column(Col("c", "v", 3));
  m.__set_column_or_supercolumn(cosc);
  b.mutation_map["k1"]["cf"].push_back(m);
  b.mutation_map["k2"]["cf"].push_back(m);
  b.consistency_level = CL::ONE;
  std::string reply;
  ASSERT_TRUE(h->DispatchAsync("batch_mutate", 9, Call("batch_mutate", b, 9).get(),
                               [&](std::string r) { reply = std::move(r); }));
  ASSERT_EQ(coordinator_.pending.size(), 1u);
  EXPECT_EQ(coordinator_.pending[0].mutations.size(), 2u);
  coordinator_.pending[0].done(Status::OK(), {});
  gen::Cassandra_batch_mutate_presult br;
  EXPECT_EQ(Decode(reply, "batch_mutate", &br), 9);
  EXPECT_FALSE(br.__isset.ire || br.__isset.ue || br.__isset.te);

  // Not answered asynchronously: nothing is read past the header.
  gen::Cassandra_describe_keyspace_args g;
  g.keyspace = "ks";
  auto proto = Call("describe_keyspace", g, 3);
  EXPECT_FALSE(h->DispatchAsync("describe_keyspace", 3, proto.get(), [](std::string) { FAIL(); }));
  gen::Cassandra_describe_keyspace_args again;
  again.read(proto.get());  // the arguments are still there
  EXPECT_EQ(again.keyspace, "ks");
  EXPECT_FALSE(h->DispatchAsync("atomic_batch_mutate", 4, Call("atomic_batch_mutate", b, 4).get(),
                                [](std::string) { FAIL(); }));
}

TEST_F(AsyncDispatchTest, ReadsAnswerWhatTheSynchronousMethodsDo) {
  for (int i = 0; i < 5; ++i) Insert("r", "cf", "c" + std::to_string(i), "v" + std::to_string(i));
  Insert("s", "cf", "only", "x");
  // The node's own coordinator, as ThriftServer makes it for a standalone node.
  node::LocalClusterView view(node_->db(), "127.0.0.1", "127.0.0.1");
  node::StorageProxy proxy(node::StorageProxyOptions{}, node_->db(), &view, nullptr);
  ASSERT_OK(proxy.Start());
  auto h = Handler(&proxy);
  std::string reply;
  auto keep = [&](std::string m) { reply = std::move(m); };

  gen::SlicePredicate first3;
  first3.__isset.slice_range = true;
  first3.slice_range.count = 3;
  first3.slice_range.reversed = true;
  gen::Cassandra_get_slice_args slice;
  slice.key = "r";
  slice.column_parent = Parent("cf");
  slice.predicate = first3;
  slice.consistency_level = CL::ONE;
  ASSERT_TRUE(h->DispatchAsync("get_slice", 1, Call("get_slice", slice, 1).get(), keep));
  std::vector<gen::ColumnOrSuperColumn> got;
  gen::Cassandra_get_slice_presult sr;
  sr.success = &got;
  Decode(reply, "get_slice", &sr);
  EXPECT_EQ(NamesOf(got), (std::vector<std::string>{"c4", "c3", "c2"}));
  EXPECT_EQ(Slice("r", "cf", first3), NamesOf(got));

  gen::Cassandra_get_count_args count;
  count.key = "r";
  count.column_parent = Parent("cf");
  count.predicate = first3;
  count.predicate.slice_range.count = 100;
  count.consistency_level = CL::ONE;
  ASSERT_TRUE(h->DispatchAsync("get_count", 2, Call("get_count", count, 2).get(), keep));
  int32_t n = 0;
  gen::Cassandra_get_count_presult cr;
  cr.success = &n;
  Decode(reply, "get_count", &cr);
  EXPECT_EQ(n, 5);

  gen::Cassandra_multiget_slice_args multi;
  multi.keys = {"s", "r", "missing", "s"};
  multi.column_parent = Parent("cf");
  multi.predicate = first3;
  multi.consistency_level = CL::ONE;
  ASSERT_TRUE(h->DispatchAsync("multiget_slice", 3, Call("multiget_slice", multi, 3).get(), keep));
  std::map<std::string, std::vector<gen::ColumnOrSuperColumn>> m;
  gen::Cassandra_multiget_slice_presult mr;
  mr.success = &m;
  Decode(reply, "multiget_slice", &mr);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(NamesOf(m["s"]), std::vector<std::string>{"only"});
  EXPECT_EQ(m["r"].size(), 3u);
  EXPECT_TRUE(m["missing"].empty());

  gen::Cassandra_get_args get;
  get.key = "r";
  get.column_path.column_family = "cf";
  get.column_path.__set_column("c1");
  get.consistency_level = CL::ONE;
  ASSERT_TRUE(h->DispatchAsync("get", 4, Call("get", get, 4).get(), keep));
  gen::ColumnOrSuperColumn one;
  gen::Cassandra_get_presult gr;
  gr.success = &one;
  Decode(reply, "get", &gr);
  ASSERT_TRUE(gr.__isset.success);
  EXPECT_EQ(one.column.value, "v1");
  get.column_path.__set_column("nope");
  ASSERT_TRUE(h->DispatchAsync("get", 5, Call("get", get, 5).get(), keep));
  gen::Cassandra_get_presult nf;
  nf.success = &one;
  Decode(reply, "get", &nf);
  EXPECT_TRUE(nf.__isset.nfe);
  EXPECT_FALSE(nf.__isset.success);

  // Validation errors are the declared exceptions, with Cassandra's messages.
  gen::Cassandra_get_slice_args bad;  // (the generated args types cannot be copied)
  bad.key = "r";
  bad.column_parent = Parent("cf");
  bad.predicate = gen::SlicePredicate();  // neither names nor range
  bad.consistency_level = CL::ONE;
  ASSERT_TRUE(h->DispatchAsync("get_slice", 6, Call("get_slice", bad, 6).get(), keep));
  gen::Cassandra_get_slice_presult br;
  br.success = &got;
  Decode(reply, "get_slice", &br);
  ASSERT_TRUE(br.__isset.ire);
  EXPECT_EQ(br.ire.why, WhyInvalid([&] { c()->get_slice(got, "r", Parent("cf"), bad.predicate,
                                                         CL::ONE); }));
  gen::Cassandra_get_args any;
  any.key = "r";
  any.column_path = get.column_path;
  any.consistency_level = CL::ANY;
  ASSERT_TRUE(h->DispatchAsync("get", 7, Call("get", any, 7).get(), keep));
  gen::Cassandra_get_presult ar;
  ar.success = &one;
  Decode(reply, "get", &ar);
  ASSERT_TRUE(ar.__isset.ire);
  EXPECT_EQ(ar.ire.why, "ANY ConsistencyLevel is only supported for writes");
  proxy.Stop();
}

TEST_F(AsyncDispatchTest, MissingRequiredArgumentThrowsProtocolError) {
  auto h = Handler();
  auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>();
  apache::thrift::protocol::TBinaryProtocol proto(buffer);
  proto.writeMessageBegin("insert", apache::thrift::protocol::T_CALL, 1);
  proto.writeStructBegin("insert_args");
  proto.writeFieldStop();  // no key, no column
  proto.writeStructEnd();
  proto.writeMessageEnd();
  std::string fname;
  apache::thrift::protocol::TMessageType type;
  int32_t id = 0;
  proto.readMessageBegin(fname, type, id);
  EXPECT_THROW(h->DispatchAsync("insert", 1, &proto, [](std::string) { FAIL(); }),
               apache::thrift::protocol::TProtocolException);
  EXPECT_TRUE(coordinator_.pending.empty());
}

}  // namespace
}  // namespace cairn::thrift::test
