// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "common/partition.h"

#include <gtest/gtest.h>

#include "common/mutation.h"

namespace cairn {
namespace {

constexpr int32_t kNow = 1'700'000'000;

TEST(ReconcileTest, HigherTimestampWins) {
  Cell a = Cell::Live("c", "old", 1);
  Cell b = Cell::Tombstone("c", 2, kNow);
  EXPECT_EQ(Reconcile(a, b, kNow), b);
  EXPECT_EQ(Reconcile(b, a, kNow), b);
}

TEST(ReconcileTest, TieTombstoneThenLaterExpiryThenGreaterValue) {
  Cell live = Cell::Live("c", "zzz", 5);
  Cell dead = Cell::Tombstone("c", 5, kNow);
  EXPECT_EQ(Reconcile(live, dead, kNow), dead);
  EXPECT_EQ(Reconcile(dead, live, kNow), dead);

  Cell exp_short = Cell::Expiring("c", "zzz", 5, 10, kNow);
  Cell exp_long = Cell::Expiring("c", "aaa", 5, 100, kNow);
  EXPECT_EQ(Reconcile(exp_short, exp_long, kNow), exp_long);
  EXPECT_EQ(Reconcile(exp_long, live, kNow), live);  // never expiring is later

  Cell a = Cell::Live("c", "a", 5);
  Cell b = Cell::Live("c", "b", 5);
  EXPECT_EQ(Reconcile(a, b, kNow), b);
  EXPECT_EQ(Reconcile(b, a, kNow), b);
}

TEST(ReconcileTest, ExpiredCellBeatsLiveOnTie) {
  Cell expired = Cell::Expiring("c", "x", 5, 10, kNow - 100);
  EXPECT_FALSE(expired.IsLive(kNow));
  Cell live = Cell::Live("c", "zzz", 5);
  EXPECT_EQ(Reconcile(live, expired, kNow), expired);
}

TEST(PartitionUpdateTest, NormalizeSortsAndReconciles) {
  auto bytes = BytesTypeInstance();
  PartitionUpdate u;
  u.cells = {Cell::Live("b", "1", 1), Cell::Live("a", "1", 1), Cell::Live("b", "2", 2)};
  u.Normalize(*bytes, kNow);
  ASSERT_EQ(u.cells.size(), 2u);
  EXPECT_EQ(u.cells[0].name, "a");
  EXPECT_EQ(u.cells[1].value, "2");
}

TEST(PartitionUpdateTest, RangeTombstoneShadowsOnlyOlderCellsInRange) {
  auto bytes = BytesTypeInstance();
  PartitionUpdate u;
  u.cells = {Cell::Live("a", "1", 1), Cell::Live("b", "1", 1), Cell::Live("c", "1", 9),
             Cell::Live("d", "1", 1)};
  u.range_tombstones.push_back({"b", "c", {5, kNow}});
  u.RemoveShadowed(*bytes);
  ASSERT_EQ(u.cells.size(), 3u);
  EXPECT_EQ(u.cells[0].name, "a");
  EXPECT_EQ(u.cells[1].name, "c");
  EXPECT_EQ(u.cells[2].name, "d");
}

TEST(MutationTest, EncodeDecodeRoundTrip) {
  Mutation m;
  m.keyspace = "ks";
  m.key = std::string("k\0y", 3);
  PartitionUpdate u;
  u.deletion = {7, kNow};
  u.range_tombstones.push_back({"", "m", {8, kNow}});
  u.cells = {Cell::Live("a", "v", 10), Cell::Expiring("b", "w", 11, 60, kNow),
             Cell::Tombstone("c", 12, kNow)};
  m.updates.push_back({std::string(16, 'T'), u});
  std::string buf;
  m.EncodeTo(&buf);
  Mutation back;
  ASSERT_TRUE(Mutation::Decode(buf, &back).ok());
  EXPECT_EQ(back, m);
  // Every truncation is a clean Corruption, never a crash.
  for (size_t n = 0; n < buf.size(); ++n) {
    Mutation junk;
    EXPECT_TRUE(Mutation::Decode(std::string_view(buf.data(), n), &junk).IsCorruption()) << n;
  }
}

}  // namespace
}  // namespace cairn
