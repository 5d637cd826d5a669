// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The Paxos acceptor (node/paxos_state.h) over a real Database: ballot order, the
// promise / accept rules, commits applied to the table, and state that survives a
// restart (system.paxos through the commit log).
#include "node/paxos_state.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "node/schema_store.h"
#include "tests/lib/database_util.h"
#include "tests/lib/test_util.h"

namespace cairn::node::paxos {
namespace {

TEST(BallotTest, ByteOrderIsTimeThenProposer) {
  EXPECT_LT(MakeBallot(1000, 9), MakeBallot(1001, 0));
  EXPECT_LT(MakeBallot(1000, 1), MakeBallot(1000, 2));
  EXPECT_LT(MakeBallot(-5, 0), MakeBallot(3, 0));  // the sign bit is flipped
  EXPECT_LT(Ballot(), MakeBallot(INT64_MIN, 0));   // no ballot is older than all
  EXPECT_EQ(MakeBallot(1795752607262486, 7).size(), 16u);
  EXPECT_EQ(BallotMicros(MakeBallot(1795752607262486, 7)), 1795752607262486);
  EXPECT_EQ(BallotMicros(MakeBallot(-42, 7)), -42);
  EXPECT_EQ(BallotToString(MakeBallot(12, 255)), "12.00000000000000ff");
  EXPECT_EQ(BallotToString(""), "none");
}

class PaxosStoreTest : public ::testing::Test {
 protected:
  void Open() {
    store_.reset();
    db_.reset();
    auto db = Database::Open(test::DatabaseTestOptions(dir_.path().string()));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    store_ = std::make_unique<PaxosStore>(db_.get());
  }

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(Open());
    ASSERT_TRUE(db_->AddKeyspace(test::TestKeyspace("ks", {"t"})).ok());
    table_ = db_->schema()->FindTable("ks", "t")->metadata.id;
  }

  // A proposal writing column c = value for `key`, stamped with the ballot's time.
  Commit Proposal(const Ballot& ballot, const std::string& key, const std::string& value) {
    Mutation m;
    m.keyspace = "ks";
    m.key = key;
    PartitionUpdate u;
    u.cells.push_back(Cell::Live("c", value, BallotMicros(ballot)));
    m.updates.push_back({table_, std::move(u)});
    Commit c{ballot, {}};
    m.EncodeTo(&c.mutation);
    return c;
  }

  std::optional<std::string> TableValue(const std::string& key) {
    auto p = db_->Store(table_)->Read(db_->Decorate(key), CellFilter::All());
    EXPECT_TRUE(p.ok());
    if (!p.ok() || !p->has_value()) return std::nullopt;
    for (const Cell& c : (*p)->cells) {
      if (c.name == "c") return c.value;
    }
    return std::nullopt;
  }

  test::ScratchDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<PaxosStore> store_;
  TableId table_;
};

TEST_F(PaxosStoreTest, PromisesOnlyNewerBallotsAndAcceptsOnlyPromisedOnes) {
  const Ballot b1 = MakeBallot(1000, 1), b2 = MakeBallot(2000, 1), b3 = MakeBallot(3000, 1);
  auto r = store_->Prepare(table_, "k", b2);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->promised);
  EXPECT_FALSE(r->in_progress.HasUpdate());

  // An older (or the same) ballot is refused with the promised one.
  for (const Ballot& b : {b1, b2}) {
    r = store_->Prepare(table_, "k", b);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->promised);
    EXPECT_EQ(r->in_progress.ballot, b2);
  }
  auto accepted = store_->Propose(table_, "k", Proposal(b1, "k", "old"));
  ASSERT_TRUE(accepted.ok());
  EXPECT_FALSE(*accepted) << "a proposal older than the promise was accepted";
  accepted = store_->Propose(table_, "k", Proposal(b2, "k", "v2"));
  ASSERT_TRUE(accepted.ok());
  EXPECT_TRUE(*accepted);

  // A newer prepare sees the accepted proposal as in progress.
  r = store_->Prepare(table_, "k", b3);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->promised);
  EXPECT_EQ(r->in_progress, Proposal(b2, "k", "v2"));
  EXPECT_FALSE(r->most_recent_commit.HasUpdate());

  // Other partitions and tables are separate instances.
  r = store_->Prepare(table_, "other", b1);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->promised);
  EXPECT_EQ(TableValue("k"), std::nullopt) << "accepting must not apply";
}

TEST_F(PaxosStoreTest, CommitAppliesAndOlderCommitsNeverOverwriteNewerOnes) {
  const Ballot b1 = MakeBallot(1000, 1), b2 = MakeBallot(2000, 1);
  ASSERT_OK(store_->Commit(table_, "k", Proposal(b2, "k", "v2")));
  EXPECT_EQ(TableValue("k"), "v2");
  // A late commit of an older round is applied (cell timestamps keep v2) but does not
  // replace the most recent commit.
  ASSERT_OK(store_->Commit(table_, "k", Proposal(b1, "k", "v1")));
  EXPECT_EQ(TableValue("k"), "v2");
  auto state = store_->Load(table_, "k");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->committed, Proposal(b2, "k", "v2"));
  auto r = store_->Prepare(table_, "k", MakeBallot(3000, 1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->most_recent_commit.ballot, b2);
}

TEST_F(PaxosStoreTest, CommitForAnotherPartitionIsRefused) {
  EXPECT_TRUE(store_->Commit(table_, "k", Proposal(MakeBallot(5, 1), "not-k", "v"))
                  .IsInvalidArgument());
}

TEST_F(PaxosStoreTest, StateSurvivesARestart) {
  const Ballot b1 = MakeBallot(1000, 1), b2 = MakeBallot(2000, 1), b3 = MakeBallot(3000, 1);
  ASSERT_TRUE(store_->Prepare(table_, "k", b1).ok());
  ASSERT_TRUE(*store_->Propose(table_, "k", Proposal(b1, "k", "v1")));
  ASSERT_OK(store_->Commit(table_, "k", Proposal(b1, "k", "v1")));
  ASSERT_TRUE(store_->Prepare(table_, "k", b3).ok());
  ASSERT_TRUE(*store_->Propose(table_, "k", Proposal(b3, "k", "v3")));
  // Reopen: the commit log is replayed (nothing was flushed).
  ASSERT_NO_FATAL_FAILURE(Open());
  auto state = store_->Load(table_, "k");
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->promised, b3);
  EXPECT_EQ(state->accepted, Proposal(b3, "k", "v3"));
  EXPECT_EQ(state->committed, Proposal(b1, "k", "v1"));
  auto r = store_->Prepare(table_, "k", b2);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->promised) << "a restarted acceptor forgot its promise";
  EXPECT_EQ(TableValue("k"), "v1");
}

}  // namespace
}  // namespace cairn::node::paxos
