// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// common/counter.h and counter cells (common/cell.h): the context encoding (golden
// bytes), merging (per host id the higher clock; commutative, associative, idempotent),
// totals, and cell reconciliation (counters merge; a tombstone always wins).
#include "common/counter.h"

#include <gtest/gtest.h>

#include <random>

#include "common/cell.h"
#include "common/coding.h"
#include "common/marshal.h"
#include "common/partition.h"

namespace cairn {
namespace {

std::string Host(char c) { return std::string(16, c); }

TEST(CounterTest, ContextGoldenBytes) {
  const std::string ctx = EncodeCounterContext({{Host('b'), 2, -5}, {Host('a'), 7, 300}});
  std::string want = Host('a');
  want += std::string("\x07\0\0\0\0\0\0\0", 8) + std::string("\x2c\x01\0\0\0\0\0\0", 8);
  want += Host('b');
  want += std::string("\x02\0\0\0\0\0\0\0", 8) + std::string("\xfb\xff\xff\xff\xff\xff\xff\xff", 8);
  EXPECT_EQ(ctx, want);
  std::vector<CounterShard> shards;
  ASSERT_TRUE(DecodeCounterContext(ctx, &shards));
  EXPECT_EQ(shards, (std::vector<CounterShard>{{Host('a'), 7, 300}, {Host('b'), 2, -5}}));
  EXPECT_EQ(CounterTotal(ctx), 295);
  EXPECT_EQ(CounterShardOf(ctx, Host('b')).count, -5);
  EXPECT_EQ(CounterShardOf(ctx, Host('z')).clock, 0);
}

TEST(CounterTest, MalformedContextsAreRefused) {
  std::vector<CounterShard> shards;
  EXPECT_FALSE(DecodeCounterContext(std::string(31, 'x'), &shards));
  // Host ids out of order.
  std::string bad = EncodeCounterContext({{Host('b'), 1, 1}});
  bad += EncodeCounterContext({{Host('a'), 1, 1}});
  EXPECT_FALSE(DecodeCounterContext(bad, &shards));
  EXPECT_EQ(CounterTotal(bad), 0);
  EXPECT_TRUE(DecodeCounterContext("", &shards));
  EXPECT_TRUE(shards.empty());
}

TEST(CounterTest, MergeKeepsTheHigherClockPerHostAndConverges) {
  const std::string a = EncodeCounterContext({{Host('a'), 3, 30}, {Host('b'), 1, 1}});
  const std::string b = EncodeCounterContext({{Host('a'), 2, 20}, {Host('c'), 5, 7}});
  const std::string m = MergeCounterContexts(a, b);
  EXPECT_EQ(CounterTotal(m), 30 + 1 + 7);
  EXPECT_EQ(m, MergeCounterContexts(b, a));
  EXPECT_EQ(MergeCounterContexts(m, a), m) << "idempotent";
  // Random histories: any merge order gives the same context.
  std::mt19937 rng(7);
  std::vector<std::string> versions;
  int64_t clock[3] = {0, 0, 0}, count[3] = {0, 0, 0};
  for (int i = 0; i < 200; ++i) {
    const int h = static_cast<int>(rng() % 3);
    ++clock[h];
    count[h] += static_cast<int64_t>(rng() % 100) - 30;
    versions.push_back(EncodeCounterContext({{Host(static_cast<char>('a' + h)), clock[h], count[h]}}));
  }
  std::string forward, backward;
  for (const auto& v : versions) forward = MergeCounterContexts(forward, v);
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) backward = MergeCounterContexts(*it, backward);
  EXPECT_EQ(forward, backward);
  EXPECT_EQ(CounterTotal(forward), count[0] + count[1] + count[2]);
}

TEST(CounterTest, CellEncodingRoundTrips) {
  const Cell c = Cell::Counter("hits", EncodeCounterContext({{Host('a'), 1, 42}}), 99);
  std::string enc;
  EncodeCell(&enc, c);
  EXPECT_EQ(enc[0], '\x03');
  Decoder in(enc);
  Cell back;
  ASSERT_TRUE(DecodeCell(&in, &back));
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(back, c);
  EXPECT_TRUE(back.IsLive(0));
}

TEST(CounterTest, CellsMergeAndATombstoneAlwaysWins) {
  const Cell x = Cell::Counter("n", EncodeCounterContext({{Host('a'), 1, 5}}), 10);
  const Cell y = Cell::Counter("n", EncodeCounterContext({{Host('b'), 1, 7}}), 20);
  const Cell m = Merge(x, y, 0);
  EXPECT_EQ(m.kind, CellKind::kCounter);
  EXPECT_EQ(m.timestamp, 20);
  EXPECT_EQ(CounterTotal(m.value), 12);
  // A tombstone older than the counter still wins (a removed counter stays removed).
  const Cell dead = Cell::Tombstone("n", 1, 100);
  EXPECT_EQ(Merge(y, dead, 0).kind, CellKind::kTombstone);
  EXPECT_EQ(Merge(dead, y, 0).kind, CellKind::kTombstone);
  // Partition merging merges counter shards.
  PartitionUpdate p1, p2;
  p1.cells.push_back(x);
  p2.cells.push_back(y);
  p1.MergeFrom(p2, *BytesTypeInstance(), 0);
  ASSERT_EQ(p1.cells.size(), 1u);
  EXPECT_EQ(CounterTotal(p1.cells[0].value), 12);
}

}  // namespace
}  // namespace cairn
