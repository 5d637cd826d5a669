// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// StreamService (node/streaming.h): two in-process nodes (Database + MessagingService
// on 127.0.0.175-176, ephemeral ports) stream token ranges of a table.
#include "node/streaming.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "node/net/messaging_service.h"
#include "tests/lib/database_util.h"
#include "tests/lib/test_util.h"

namespace cairn::node {
namespace {

struct TestNode {
  test::ScratchDir dir;
  std::unique_ptr<Database> db;
  std::unique_ptr<net::MessagingService> messaging;
  std::unique_ptr<StreamService> streams;

  explicit TestNode(const std::string& address, StreamOptions so = {}) {
    auto opened = Database::Open(test::DatabaseTestOptions(dir.str()));
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    db = std::move(opened).value();
    net::MessagingOptions mo;
    mo.listen_endpoint = net::Endpoint::FromAddress(address, 0).value();
    messaging = std::make_unique<net::MessagingService>(mo);
    streams = std::make_unique<StreamService>(so, db.get(), messaging.get());
    EXPECT_TRUE(messaging->Start().ok());
  }
  ~TestNode() {
    messaging->Stop();
    db->Close().IgnoreError();
  }
};

class StreamingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = std::make_unique<TestNode>("127.0.0.175");
    sink_ = std::make_unique<TestNode>("127.0.0.176");
    ASSERT_TRUE(source_->db->AddKeyspace(test::TestKeyspace("ks", {"cf"})).ok());
    // The same table ids on both nodes, as after a schema pull.
    auto mutations = source_->db->SchemaMutations();
    ASSERT_TRUE(mutations.ok());
    ASSERT_TRUE(sink_->db->MergeSchemaMutations(*mutations).ok());
    table_ = source_->db->schema()->FindTable("ks", "cf")->metadata;
  }

  void Write(Database* db, const std::string& key, const std::string& value, int64_t ts) {
    Mutation m;
    m.keyspace = "ks";
    m.key = key;
    PartitionUpdate u;
    u.cells.push_back(Cell::Live("c", value, ts));
    m.updates.push_back({table_.id, std::move(u)});
    ASSERT_TRUE(db->Apply(std::move(m)).ok());
  }

  std::optional<std::string> ReadValue(Database* db, const std::string& key) {
    auto store = db->Store(table_.id);
    auto r = store->Read(db->Decorate(key), CellFilter::All());
    EXPECT_TRUE(r.ok());
    if (!r.ok() || !r->has_value() || (*r)->cells.empty()) return std::nullopt;
    return (*r)->cells[0].value;
  }

  // Replaces the sink with one using `options` (same schema).
  void MakeSink(StreamOptions options) {
    sink_.reset();
    sink_ = std::make_unique<TestNode>("127.0.0.176", options);
    auto mutations = source_->db->SchemaMutations();
    ASSERT_TRUE(mutations.ok());
    ASSERT_TRUE(sink_->db->MergeSchemaMutations(*mutations).ok());
  }

  std::unique_ptr<TestNode> source_, sink_;
  TableMetadata table_;
};

TEST_F(StreamingTest, FetchesExactlyTheKeysWithinTheBounds) {
  for (int i = 0; i < 500; ++i) Write(source_->db.get(), "key" + std::to_string(i), "v" + std::to_string(i), 1);
  // Half on disk, half still in the memtable: both are streamed.
  ASSERT_TRUE(source_->db->Drain().ok());
  for (int i = 500; i < 1000; ++i) Write(source_->db.get(), "key" + std::to_string(i), "v" + std::to_string(i), 1);

  // The keys whose token is <= the token of key42 (a wrapping pair of bounds would be
  // handled the same way: Fetch sorts them).
  const DecoratedKey pivot = source_->db->Decorate("key42");
  std::vector<KeyBounds> bounds = {{RingPosition::BeforeAll(), true, RingPosition::TokenEnd(pivot.token)}};
  auto received = sink_->streams->Fetch("s1", "127.0.0.175", source_->messaging->local_endpoint(),
                                        table_, bounds);
  ASSERT_TRUE(received.ok()) << received.status().ToString();
  EXPECT_GT(*received, 0u);
  int inside = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string key = "key" + std::to_string(i);
    const bool in = !(pivot.token < source_->db->Decorate(key).token);
    auto v = ReadValue(sink_->db.get(), key);
    if (in) {
      ++inside;
      ASSERT_TRUE(v.has_value()) << key;
      EXPECT_EQ(*v, "v" + std::to_string(i));
    } else {
      EXPECT_FALSE(v.has_value()) << key;
    }
  }
  EXPECT_GT(inside, 0);
  // One SSTable, installed; the session is recorded.
  EXPECT_EQ(sink_->db->Store(table_.id)->sstable_count(), 1u);
  auto sessions = sink_->streams->Sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_TRUE(sessions[0].done);
  EXPECT_TRUE(sessions[0].error.empty());
  EXPECT_EQ(sessions[0].partitions, static_cast<uint64_t>(inside));
  EXPECT_EQ(sessions[0].sstables, 1u);
  EXPECT_EQ(source_->streams->bytes_sent(), *received);
}

TEST_F(StreamingTest, ManySmallSectionsKeepOrderAndTombstones) {
  StreamOptions tiny;
  tiny.section_bytes = 64;  // a partition or two per section
  MakeSink(tiny);
  for (int i = 0; i < 300; ++i) Write(source_->db.get(), "k" + std::to_string(i), "x", 5);
  // A deletion newer than the sink's own copy must travel too.
  Write(sink_->db.get(), "k7", "old", 1);
  Mutation del;
  del.keyspace = "ks";
  del.key = "k7";
  PartitionUpdate u;
  u.deletion = DeletionTime{10, 100};
  del.updates.push_back({table_.id, u});
  ASSERT_TRUE(source_->db->Apply(std::move(del)).ok());

  std::vector<KeyBounds> whole = {{RingPosition::BeforeAll(), true, RingPosition::AfterAll()}};
  auto received = sink_->streams->Fetch("s2", "src", source_->messaging->local_endpoint(), table_, whole);
  ASSERT_TRUE(received.ok()) << received.status().ToString();
  for (int i = 0; i < 300; ++i) {
    if (i == 7) continue;
    EXPECT_EQ(ReadValue(sink_->db.get(), "k" + std::to_string(i)), std::optional<std::string>("x"));
  }
  auto store = sink_->db->Store(table_.id);
  auto r = store->Read(sink_->db->Decorate("k7"), CellFilter::All());
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->deletion.marked_for_delete_at, 10);
  EXPECT_EQ(sink_->streams->Sessions().back().partitions, 300u);
}

TEST_F(StreamingTest, UnknownTableAndDeadSourceFailCleanly) {
  StreamOptions quick;
  quick.section_timeout_ms = 1000;
  MakeSink(quick);
  TableMetadata bogus = table_;
  bogus.id = std::string(16, 'z');
  std::vector<KeyBounds> whole = {{RingPosition::BeforeAll(), true, RingPosition::AfterAll()}};
  auto r = sink_->streams->Fetch("s3", "src", source_->messaging->local_endpoint(), bogus, whole);
  EXPECT_FALSE(r.ok());  // the sink itself has no such table

  // A source that is gone: the fetch fails, nothing is installed.
  net::Endpoint gone = source_->messaging->local_endpoint();
  source_.reset();
  auto r2 = sink_->streams->Fetch("s4", "gone", gone, table_, whole);
  EXPECT_FALSE(r2.ok());
  EXPECT_EQ(sink_->db->Store(table_.id)->sstable_count(), 0u);
  EXPECT_FALSE(sink_->streams->Sessions().back().error.empty());
}

}  // namespace
}  // namespace cairn::node
