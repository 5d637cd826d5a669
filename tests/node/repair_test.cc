// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// node/repair.h: leaf boundaries, leaf hashes of real stores (equal for equal data
// whatever the SSTable layout, different exactly where a key differs), Merkle tree
// differences and leaf ranges.
#include "node/repair.h"

#include <gtest/gtest.h>

#include "node/storage_engine.h"
#include "tests/lib/test_util.h"

namespace cairn::node {
namespace {

using ring::Murmur3Partitioner;
using ring::Range;

Token T(int64_t v) { return Murmur3Partitioner::FromLong(v); }
const ring::Partitioner& P() { return *Murmur3Partitioner::Instance(); }

TableMetadata Table() {
  TableMetadata t;
  t.keyspace = "ks";
  t.name = "t";
  t.id = std::string("repair-test-tabl", 16);
  return t;
}

Mutation Write(const std::string& key, const std::string& value, int64_t ts) {
  Mutation m;
  m.keyspace = "ks";
  m.key = key;
  PartitionUpdate u;
  u.cells.push_back(Cell::Live("c", value, ts));
  m.updates.push_back({Table().id, u});
  return m;
}

std::unique_ptr<StorageEngine> OpenEngine(const test::ScratchDir& dir, const std::string& name) {
  StorageEngineOptions o;
  o.data_directory = dir.str() + "/" + name + "/data";
  o.commitlog_directory = dir.str() + "/" + name + "/commitlog";
  o.sync_sstables = false;
  auto engine = StorageEngine::Open(o, {Table()},
                                    [](std::string_view k) { return P().Decorate(k); });
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return std::move(engine).value();
}

std::vector<RepairSegment> WholeRing(int32_t leaves) {
  // The whole ring as two non-wrapping pieces, as Repair unwraps (t, t].
  std::vector<RepairSegment> out;
  for (const Range& r : UnwrapForRepair(Range(T(0), T(0)), P().MinimumToken())) {
    out.push_back({r, leaves});
  }
  return out;
}

TEST(RepairTest, LeafBoundariesAscendAndEndAtTheRight) {
  auto b = LeafBoundaries(P(), {Range(T(0), T(1000)), 4});
  ASSERT_EQ(b.size(), 4u);
  EXPECT_EQ(b[0], T(250));
  EXPECT_EQ(b[1], T(500));
  EXPECT_EQ(b[3], T(1000));
  // To the end of the ring: ascending, then the minimum token.
  auto e = LeafBoundaries(P(), {Range(T(0), P().MinimumToken()), 4});
  ASSERT_EQ(e.size(), 4u);
  EXPECT_LT(e[0], e[1]);
  EXPECT_LT(e[1], e[2]);
  EXPECT_GT(e[0], T(0));
  EXPECT_EQ(e[3], P().MinimumToken());
}

TEST(RepairTest, MerkleTreeFindsExactlyTheDifferingLeaves) {
  std::vector<uint64_t> a(100), b(100);
  for (size_t i = 0; i < a.size(); ++i) a[i] = b[i] = i * 7919 + 1;
  EXPECT_EQ(MerkleTree(a).root(), MerkleTree(b).root());
  EXPECT_TRUE(MerkleTree::Differences(MerkleTree(a), MerkleTree(b)).empty());
  b[3] = 0;
  b[64] = 42;
  b[99] = 1;
  EXPECT_NE(MerkleTree(a).root(), MerkleTree(b).root());
  EXPECT_EQ(MerkleTree::Differences(MerkleTree(a), MerkleTree(b)),
            (std::vector<size_t>{3, 64, 99}));
}

TEST(RepairTest, LeafRangesMergeAdjacentLeaves) {
  RepairSegment s{Range(T(0), T(800)), 8};
  auto r = LeafRanges(P(), s, {0, 1, 2, 5, 7});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0], Range(T(0), T(300)));
  EXPECT_EQ(r[1], Range(T(500), T(600)));
  EXPECT_EQ(r[2], Range(T(700), T(800)));
}

TEST(RepairTest, EqualDataHashesEquallyWhateverTheLayoutAndADifferenceIsLocated) {
  test::ScratchDir dir;
  auto a = OpenEngine(dir, "a");
  auto b = OpenEngine(dir, "b");
  // Same 1,000 keys; a flushes in several SSTables with an overwritten version, b holds
  // only the final versions in its memtable.
  for (int i = 0; i < 1000; ++i) {
    const std::string k = "key" + std::to_string(i);
    ASSERT_OK(a->Apply(Write(k, "old", 1)));
    if (i % 250 == 249) ASSERT_OK(a->Flush(Table().id));
  }
  for (int i = 0; i < 1000; ++i) {
    const std::string k = "key" + std::to_string(i);
    ASSERT_OK(a->Apply(Write(k, "v" + std::to_string(i), 2)));
    ASSERT_OK(b->Apply(Write(k, "v" + std::to_string(i), 2)));
  }
  auto ha = ComputeLeafHashes(*a->GetTable(Table().id), P(), WholeRing(256));
  auto hb = ComputeLeafHashes(*b->GetTable(Table().id), P(), WholeRing(256));
  ASSERT_OK(ha.status());
  ASSERT_OK(hb.status());
  ASSERT_EQ(ha->size(), 2u);
  uint64_t partitions = 0;
  for (size_t i = 0; i < ha->size(); ++i) {
    EXPECT_EQ((*ha)[i].leaves, (*hb)[i].leaves) << "segment " << i;
    partitions += (*ha)[i].partitions;
  }
  EXPECT_EQ(partitions, 1000u);

  // One newer cell on b: exactly one leaf of one segment differs, and its range holds
  // the key's token.
  ASSERT_OK(b->Apply(Write("key77", "newer", 3)));
  hb = ComputeLeafHashes(*b->GetTable(Table().id), P(), WholeRing(256));
  ASSERT_OK(hb.status());
  const Token token = P().GetToken("key77");
  int differing = 0;
  for (size_t i = 0; i < ha->size(); ++i) {
    auto diff = MerkleTree::Differences(MerkleTree((*ha)[i].leaves), MerkleTree((*hb)[i].leaves));
    for (const Range& r : LeafRanges(P(), WholeRing(256)[i], diff)) {
      ++differing;
      EXPECT_TRUE(r.Contains(token));
    }
  }
  EXPECT_EQ(differing, 1);
}

}  // namespace
}  // namespace cairn::node
