// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "sstable/block_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace cairn::sstable {
namespace {

using Key = BlockCache::Key;

std::shared_ptr<const void> Value(uint64_t n) { return std::make_shared<const uint64_t>(n); }
uint64_t Read(const std::shared_ptr<const void>& v) {
  return *static_cast<const uint64_t*>(v.get());
}

TEST(BlockCacheTest, MissThenInsertThenHit) {
  BlockCache cache(1 << 20);
  const Key k{7, 0, 3};
  EXPECT_EQ(cache.Lookup(k), nullptr);
  cache.Insert(k, Value(42), 100);
  auto v = cache.Lookup(k);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(Read(v), 42u);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.usage(), 100u);
  // Reader id, kind and block number all tell keys apart.
  EXPECT_EQ(cache.Lookup(Key{8, 0, 3}), nullptr);
  EXPECT_EQ(cache.Lookup(Key{7, 1, 3}), nullptr);
  EXPECT_EQ(cache.Lookup(Key{7, 0, 4}), nullptr);
}

TEST(BlockCacheTest, InsertReplacesAndRecharges) {
  BlockCache cache(1 << 20);
  const Key k{1, 0, 0};
  cache.Insert(k, Value(1), 100);
  cache.Insert(k, Value(2), 300);
  EXPECT_EQ(Read(cache.Lookup(k)), 2u);
  EXPECT_EQ(cache.usage(), 300u);
}

TEST(BlockCacheTest, ZeroCapacityAndOversizedValuesAreNotKept) {
  BlockCache none(0);
  none.Insert(Key{1, 0, 0}, Value(1), 1);
  EXPECT_EQ(none.Lookup(Key{1, 0, 0}), nullptr);
  EXPECT_EQ(none.usage(), 0u);

  BlockCache cache(16 * 1000);  // 1000 bytes per shard
  cache.Insert(Key{1, 0, 0}, Value(1), 1001);
  EXPECT_EQ(cache.Lookup(Key{1, 0, 0}), nullptr);
  EXPECT_EQ(cache.usage(), 0u);
}

TEST(BlockCacheTest, StaysWithinCapacityAndKeepsWhatWasJustInserted) {
  const size_t capacity = 16 * 4096 * 8;  // 8 blocks of 4 KiB per shard
  BlockCache cache(capacity);
  for (uint64_t i = 0; i < 50000; ++i) {
    const Key k{i % 3 + 1, static_cast<uint32_t>(i % 2), i};
    cache.Insert(k, Value(i), 4096);
    ASSERT_LE(cache.usage(), capacity) << i;
    auto v = cache.Lookup(k);
    ASSERT_NE(v, nullptr) << i;
    ASSERT_EQ(Read(v), i);
  }
  // Roughly full: every shard saw thousands of inserts.
  EXPECT_GE(cache.usage(), capacity / 2);
}

TEST(BlockCacheTest, BlocksInUseSurviveAStreamOfOneTimeBlocks) {
  const size_t capacity = 16 * 4096 * 16;  // 16 blocks per shard
  BlockCache cache(capacity);
  std::vector<Key> hot;
  for (uint64_t i = 0; i < 16; ++i) {  // about one per shard
    hot.push_back(Key{1, 0, i});
    cache.Insert(hot.back(), Value(i), 4096);
  }
  for (uint64_t i = 0; i < 20000; ++i) {
    cache.Insert(Key{2, 0, i}, Value(i), 4096);  // read once, never again
    if (i % 4 == 0) {
      for (const Key& k : hot)
        ASSERT_NE(cache.Lookup(k), nullptr) << "hot block " << k.block << " evicted at " << i;
    }
  }
}

TEST(BlockCacheTest, AnEvictedValueStaysAliveForItsHolder) {
  BlockCache cache(16 * 4096);  // one block per shard
  cache.Insert(Key{1, 0, 0}, Value(5), 4096);
  auto held = cache.Lookup(Key{1, 0, 0});
  ASSERT_NE(held, nullptr);
  for (uint64_t i = 1; i < 2000; ++i) cache.Insert(Key{1, 0, i}, Value(i), 4096);
  EXPECT_EQ(cache.Lookup(Key{1, 0, 0}), nullptr);
  EXPECT_EQ(Read(held), 5u);
}

TEST(BlockCacheTest, ConcurrentReadersAndWriters) {
  const size_t capacity = 16 * 4096 * 32;
  BlockCache cache(capacity);
  std::atomic<bool> bad{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<uint64_t>(t));
      for (int i = 0; i < 50000; ++i) {
        const uint64_t b = rng() % 2000;
        const Key k{static_cast<uint64_t>(b % 4 + 1), 0, b};
        if (auto v = cache.Lookup(k)) {
          if (Read(v) != b) bad = true;  // a value is only ever stored under its own key
        } else {
          cache.Insert(k, Value(b), 4096);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_FALSE(bad);
  EXPECT_LE(cache.usage(), capacity);
  EXPECT_EQ(cache.hits() + cache.misses(), 4u * 50000u);
}

}  // namespace
}  // namespace cairn::sstable
