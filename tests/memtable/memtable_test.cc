// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "memtable/memtable.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/coding.h"

namespace cairn::memtable {
namespace {

DecoratedKey Key(uint64_t n) {
  DecoratedKey k;
  PutBigEndian64(&k.token.bytes, n * 7919 % 1000);
  k.key = "key" + std::to_string(n);
  return k;
}

PartitionUpdate Cells(std::vector<Cell> cells) {
  PartitionUpdate u;
  u.cells = std::move(cells);
  u.Normalize(*BytesTypeInstance(), 0);
  return u;
}

class MemtableTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  Memtable table_{BytesTypeInstance(), &clock_};
};

TEST_F(MemtableTest, GetReturnsReconciledCells) {
  table_.Apply(Key(1), Cells({Cell::Live("a", "1", 10), Cell::Live("b", "1", 10)}));
  table_.Apply(Key(1), Cells({Cell::Live("a", "2", 20), Cell::Live("b", "old", 5)}));
  auto p = table_.Get(Key(1), CellFilter::All());
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(p->cells.size(), 2u);
  EXPECT_EQ(p->cells[0].value, "2");
  EXPECT_EQ(p->cells[1].value, "1");
  EXPECT_FALSE(table_.Get(Key(2), CellFilter::All()).has_value());
  EXPECT_EQ(table_.min_timestamp(), 5);
  EXPECT_EQ(table_.max_timestamp(), 20);
}

TEST_F(MemtableTest, FiltersSelectNamesAndSlices) {
  table_.Apply(Key(1), Cells({Cell::Live("a", "", 1), Cell::Live("b", "", 1),
                              Cell::Live("c", "", 1), Cell::Live("d", "", 1)}));
  PartitionUpdate rt;
  rt.range_tombstones.push_back({"x", "z", {5, 100}});
  table_.Apply(Key(1), rt);
  auto names = table_.Get(Key(1), CellFilter::Names({"b", "d", "q"}));
  ASSERT_EQ(names->cells.size(), 2u);
  EXPECT_EQ(names->cells[1].name, "d");
  EXPECT_TRUE(names->range_tombstones.empty());
  auto slice = table_.Get(Key(1), CellFilter::Slice("b", "c"));
  ASSERT_EQ(slice->cells.size(), 2u);
  EXPECT_EQ(slice->cells[0].name, "b");
  auto tail = table_.Get(Key(1), CellFilter::Slice("c", ""));
  EXPECT_EQ(tail->cells.size(), 2u);
  EXPECT_EQ(tail->range_tombstones.size(), 1u);
}

TEST_F(MemtableTest, IteratorWalksInKeyOrder) {
  for (uint64_t i = 0; i < 100; ++i) table_.Apply(Key(i), Cells({Cell::Live("c", "v", 1)}));
  auto it = table_.NewIterator();
  int n = 0;
  DecoratedKey prev;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++n) {
    if (n > 0) {
      EXPECT_LT(prev, it->key());
    }
    prev = it->key();
  }
  EXPECT_EQ(n, 100);
  it->Seek(Key(50));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), Key(50));
}

TEST_F(MemtableTest, ConcurrentWritersAreAllApplied) {
  constexpr int kThreads = 4, kPerThread = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        table_.Apply(Key(i % 50), Cells({Cell::Live("t" + std::to_string(t) + "_" +
                                                        std::to_string(i), "v", i)}));
      }
    });
  }
  for (auto& th : threads) th.join();
  size_t cells = 0;
  auto it = table_.NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) cells += it->partition().cells.size();
  EXPECT_EQ(cells, static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(table_.partition_count(), 50u);
  EXPECT_GT(table_.memory_usage(), static_cast<size_t>(kThreads * kPerThread * 10));
}

// Tokens of any length (ByteOrderedPartitioner's are the key bytes) iterate in byte order,
// then by key: the integer prefix the partition map compares first must agree with the
// bytes, including tokens that are prefixes of one another and zero bytes.
TEST_F(MemtableTest, TokensOfAnyLengthIterateInByteOrder) {
  const std::vector<std::string> tokens = {"",
                                           std::string(1, '\0'),
                                           std::string(2, '\0'),
                                           "a",
                                           std::string("a\0", 2),
                                           "a\x01",
                                           "ab",
                                           "abcdefgh",
                                           "abcdefg",
                                           "abcdefgh\x01",
                                           "abcdefgi",
                                           std::string("abcdefgh\0", 9),
                                           "\xff",
                                           "\xff\xff\xff\xff\xff\xff\xff\xff\xff",
                                           "b",
                                           std::string(9, '\0')};
  std::vector<std::pair<std::string, std::string>> want;
  for (size_t i = 0; i < tokens.size(); ++i) {
    for (const char* key : {"k2", "k1"}) {
      DecoratedKey k;
      k.token.bytes = tokens[i];
      k.key = key;
      table_.Apply(k, Cells({Cell::Live("c", "v", 1)}));
      want.emplace_back(tokens[i], key);
    }
  }
  std::sort(want.begin(), want.end());
  std::vector<std::pair<std::string, std::string>> got;
  auto it = table_.NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next())
    got.emplace_back(it->key().token.bytes, it->key().key);
  EXPECT_EQ(got, want);
  for (const auto& [token, key] : want) {
    DecoratedKey k;
    k.token.bytes = token;
    k.key = key;
    ASSERT_TRUE(table_.Get(k, CellFilter::All()).has_value()) << key;
    it->Seek(k);
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key().token.bytes, token);
    EXPECT_EQ(it->key().key, key);
  }
}

// Writers racing to create the same new partitions (each in its own order, so the
// place one found for a key is often taken, or moved, by another's insert before it gets
// the exclusive lock): every partition is created once and keeps every writer's cells.
TEST_F(MemtableTest, WritersRacingToCreateTheSamePartitionsCreateEachOnce) {
  constexpr int kThreads = 4, kKeys = 3000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < kKeys; ++n) {
        const int i = t % 2 == 0 ? n : kKeys - 1 - n;
        table_.Apply(Key(i), Cells({Cell::Live("t" + std::to_string(t), "v", 1)}));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(table_.partition_count(), static_cast<size_t>(kKeys));
  int partitions = 0;
  auto it = table_.NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++partitions;
    EXPECT_EQ(it->partition().cells.size(), static_cast<size_t>(kThreads)) << it->key().key;
  }
  EXPECT_EQ(partitions, kKeys);
}

// Point lookups go through the hash index (which grows as partitions arrive) and must
// tell apart keys that share a token prefix (byte-ordered tokens), keys with equal
// tokens, and absent keys; the ordered map must still hold every partition once.
TEST_F(MemtableTest, PointLookupsFindEveryPartitionAndNoOther) {
  constexpr int kPartitions = 5000;  // the index doubles many times on the way
  auto key_of = [](int n) {
    DecoratedKey k;
    // Byte-ordered style: long tokens sharing their first 8 bytes; every tenth pair of
    // keys shares a whole token.
    k.token.bytes = "commonpfx-" + std::to_string(n / 2 * 2 % 10 == 0 ? n / 2 : n);
    k.key = "k" + std::to_string(n);
    return k;
  };
  for (int n = 0; n < kPartitions; ++n) {
    table_.Apply(key_of(n), Cells({Cell::Live("c", std::to_string(n), 1)}));
  }
  // A second write to each existing partition finds it rather than adding another.
  for (int n = 0; n < kPartitions; n += 3) {
    table_.Apply(key_of(n), Cells({Cell::Live("d", std::to_string(n), 1)}));
  }
  EXPECT_EQ(table_.partition_count(), static_cast<size_t>(kPartitions));
  for (int n = 0; n < kPartitions; ++n) {
    auto p = table_.Get(key_of(n), CellFilter::All());
    ASSERT_TRUE(p.has_value()) << n;
    ASSERT_EQ(p->cells.size(), n % 3 == 0 ? 2u : 1u) << n;
    EXPECT_EQ(p->cells[0].value, std::to_string(n));
  }
  for (int n = kPartitions; n < 2 * kPartitions; ++n) {
    EXPECT_FALSE(table_.Get(key_of(n), CellFilter::All()).has_value()) << n;
  }
  DecoratedKey same_token_other_key = key_of(0);
  same_token_other_key.key = "absent";
  EXPECT_FALSE(table_.Get(same_token_other_key, CellFilter::All()).has_value());
  auto it = table_.NewIterator();
  int seen = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++seen;
  EXPECT_EQ(seen, kPartitions);
}

}  // namespace
}  // namespace cairn::memtable
