// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "sstable/compaction.h"

#include <gtest/gtest.h>

#include "sstable/compaction_strategy.h"

namespace cairn::sstable {
namespace {

constexpr int32_t kNow = 1'700'000'000;
constexpr int32_t kGcBefore = kNow - 100;

const AbstractType& Bytes() { return *BytesTypeInstance(); }

TEST(SizeTieredTest, BucketsSimilarSizesAndPicksTheSmallestFullBucket) {
  SizeTieredOptions o;
  o.min_sstable_size_bytes = 1000;
  std::vector<SSTableSize> tables = {{1, 100},    {2, 120},    {3, 90},     {4, 110},
                                     {5, 100000}, {6, 110000}, {7, 120000}, {8, 95000},
                                     {9, 400000}};
  auto chosen = SizeTieredCandidates(tables, o);
  std::sort(chosen.begin(), chosen.end());
  EXPECT_EQ(chosen, (std::vector<uint64_t>{1, 2, 3, 4}));
  // Three similar tables are not enough with min_threshold 4.
  tables = {{1, 100000}, {2, 110000}, {3, 120000}, {4, 900000}};
  EXPECT_TRUE(SizeTieredCandidates(tables, o).empty());
}

TEST(SizeTieredTest, NeverMoreThanMaxThreshold) {
  SizeTieredOptions o;
  o.max_threshold = 5;
  std::vector<SSTableSize> tables;
  for (uint64_t g = 1; g <= 12; ++g) tables.push_back({g, 1000});
  EXPECT_EQ(SizeTieredCandidates(tables, o).size(), 5u);
  o.min_threshold = 0;  // disabled
  EXPECT_TRUE(SizeTieredCandidates(tables, o).empty());
}

TEST(PurgePartitionTest, OldTombstonesArePurgedOnlyBelowMaxPurgeableTimestamp) {
  PartitionUpdate p;
  p.cells = {Cell::Tombstone("a", 50, kGcBefore - 1), Cell::Tombstone("b", 50, kGcBefore + 1),
             Cell::Live("c", "v", 10)};
  // Another SSTable holds data for this key from timestamp 40: the tombstone at 50 may
  // shadow it, so it must stay even though it is past gc_grace.
  PartitionUpdate kept = p;
  EXPECT_FALSE(PurgePartition(&kept, Bytes(), kNow, kGcBefore, /*max_purgeable=*/40));
  EXPECT_EQ(kept.cells.size(), 3u);
  // Nothing older elsewhere: the old tombstone goes, the young one stays.
  PartitionUpdate purged = p;
  EXPECT_FALSE(PurgePartition(&purged, Bytes(), kNow, kGcBefore, INT64_MAX));
  ASSERT_EQ(purged.cells.size(), 2u);
  EXPECT_EQ(purged.cells[0].name, "b");
  EXPECT_EQ(purged.cells[1].name, "c");
}

TEST(PurgePartitionTest, DeletionsDropWhatTheyShadowThenThemselves) {
  PartitionUpdate p;
  p.deletion = {100, kGcBefore - 10};
  p.range_tombstones.push_back({"a", "z", {90, kGcBefore - 10}});  // covered by partition del
  p.cells = {Cell::Live("b", "old", 99), Cell::Live("c", "new", 101)};
  EXPECT_FALSE(PurgePartition(&p, Bytes(), kNow, kGcBefore, INT64_MAX));
  EXPECT_TRUE(p.deletion.IsLive());
  EXPECT_TRUE(p.range_tombstones.empty());
  ASSERT_EQ(p.cells.size(), 1u);
  EXPECT_EQ(p.cells[0].name, "c");

  PartitionUpdate only_deleted;
  only_deleted.deletion = {100, kGcBefore - 10};
  only_deleted.cells = {Cell::Live("b", "old", 99)};
  EXPECT_TRUE(PurgePartition(&only_deleted, Bytes(), kNow, kGcBefore, INT64_MAX));
}

TEST(PurgePartitionTest, ExpiredCellsBecomeTombstonesDatedFromTheirWrite) {
  PartitionUpdate p;
  // Written 1000 s ago with a 10 s TTL: expired, and its deletion dates from the write.
  p.cells = {Cell::Expiring("a", "v", 5, 10, kNow - 1000),
             Cell::Expiring("b", "v", 5, 10, kNow - 5)};  // still live
  EXPECT_FALSE(PurgePartition(&p, Bytes(), kNow, kGcBefore, /*max_purgeable=*/1));
  ASSERT_EQ(p.cells.size(), 2u);
  EXPECT_EQ(p.cells[0].kind, CellKind::kTombstone);
  EXPECT_EQ(p.cells[0].local_time, kNow - 1000);
  EXPECT_EQ(p.cells[1].kind, CellKind::kExpiring);
  EXPECT_FALSE(PurgePartition(&p, Bytes(), kNow, kGcBefore, INT64_MAX));
  ASSERT_EQ(p.cells.size(), 1u);
  EXPECT_EQ(p.cells[0].name, "b");
}

}  // namespace
}  // namespace cairn::sstable
