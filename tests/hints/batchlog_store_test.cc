// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Tests of node/hints/batchlog_store.h: golden bytes, store / remove / reopen,
// OlderThan, compaction, torn tails and corruption, concurrent stores.
#include "node/hints/batchlog_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/lib/test_util.h"

namespace cairn::hints {
namespace {

namespace fs = std::filesystem;

std::string ReadFileBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void WriteFileBytes(const fs::path& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

std::string Hex(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 15]);
  }
  return hex;
}

std::vector<std::string> Files(const test::ScratchDir& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir.path())) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

BatchlogOptions Options(const test::ScratchDir& dir, bool sync = false) {
  BatchlogOptions o;
  o.directory = dir.str();
  o.sync = sync;
  return o;
}

std::unique_ptr<BatchlogStore> OpenOrDie(const BatchlogOptions& o) {
  Result<std::unique_ptr<BatchlogStore>> store = BatchlogStore::Open(o);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

StoredBatch Batch(const std::string& id, int64_t written_at, int mutations = 2) {
  StoredBatch b;
  b.id = id;
  b.written_at_micros = written_at;
  for (int i = 0; i < mutations; ++i) b.mutations.push_back(id + "-mutation-" + std::to_string(i));
  return b;
}

std::vector<std::string> Ids(const std::vector<StoredBatch>& batches) {
  std::vector<std::string> ids;
  for (const StoredBatch& b : batches) ids.push_back(b.id);
  return ids;
}

constexpr int64_t kForever = INT64_MAX;

TEST(BatchlogFormatTest, GoldenBytes) {
  test::ScratchDir dir;
  {
    auto store = OpenOrDie(Options(dir));
    StoredBatch b;
    b.id = "b1";
    b.written_at_micros = 5000;
    b.mutations = {"m1", "m22"};
    ASSERT_OK(store->Store(b));
    ASSERT_OK(store->Remove("b1"));
  }
  ASSERT_EQ(Files(dir), std::vector<std::string>{"batchlog-1-1.log"});
  const std::string golden =
      // header: "CAIRNBLG", version 1, seq 1, header checksum
      "434149524e424c47" "01000000" "0100000000000000" "bb662f42"
      // STORE: length 20, length checksum, type 1, id "b1", written_at 5000,
      // 2 mutations "m1" and "m22", body checksum
      "14000000" "024b4c4a" "01" "026231" "8813000000000000" "02" "026d31" "036d3232"
      "a4b6aaa3"
      // REMOVE: length 4, length checksum, type 2, id "b1", body checksum
      "04000000" "98941410" "02" "026231" "469fdd7a";
  EXPECT_EQ(Hex(ReadFileBytes(dir.path() / "batchlog-1-1.log")), golden);

  // Reopening replays the log and rewrites the live batches (none) into log 2.
  auto store = OpenOrDie(Options(dir));
  EXPECT_EQ(store->size(), 0u);
  ASSERT_EQ(Files(dir), std::vector<std::string>{"batchlog-2-1.log"});
  EXPECT_EQ(Hex(ReadFileBytes(dir.path() / "batchlog-2-1.log")),
            "434149524e424c47" "01000000" "0200000000000000" "6d23598a");
}

TEST(BatchlogStoreTest, StoreRemoveAndReopen) {
  test::ScratchDir dir;
  {
    auto store = OpenOrDie(Options(dir, /*sync=*/true));
    ASSERT_OK(store->Store(Batch("a", 10)));
    ASSERT_OK(store->Store(Batch("b", 20, 0)));  // an empty batch is fine
    ASSERT_OK(store->Store(Batch("c", 30, 5)));
    EXPECT_EQ(store->size(), 3u);
    ASSERT_OK(store->Remove("a"));
    ASSERT_OK(store->Remove("never-stored"));
    EXPECT_EQ(store->size(), 2u);
  }
  auto store = OpenOrDie(Options(dir, /*sync=*/true));
  EXPECT_EQ(store->size(), 2u);
  std::vector<StoredBatch> all = store->OlderThan(kForever);
  ASSERT_EQ(Ids(all), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(all[0].written_at_micros, 20);
  EXPECT_TRUE(all[0].mutations.empty());
  EXPECT_EQ(all[1].written_at_micros, 30);
  EXPECT_EQ(all[1].mutations, Batch("c", 30, 5).mutations);
  // Only one log file remains after the reopen.
  EXPECT_EQ(Files(dir).size(), 1u);
}

TEST(BatchlogStoreTest, StoreIsIdempotentForTheSameId) {
  test::ScratchDir dir;
  auto store = OpenOrDie(Options(dir, /*sync=*/true));
  ASSERT_OK(store->Store(Batch("a", 10)));
  const uint64_t bytes = store->LogBytes();
  ASSERT_OK(store->Store(Batch("a", 10)));
  ASSERT_OK(store->Store(Batch("a", 99, 1)));  // same id: the first copy stays
  EXPECT_EQ(store->LogBytes(), bytes);
  EXPECT_EQ(store->size(), 1u);
  std::vector<StoredBatch> all = store->OlderThan(kForever);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].written_at_micros, 10);
  EXPECT_EQ(all[0].mutations.size(), 2u);
}

TEST(BatchlogStoreTest, OlderThanReturnsOldBatchesOldestFirst) {
  test::ScratchDir dir;
  auto store = OpenOrDie(Options(dir));
  ASSERT_OK(store->Store(Batch("late", 300)));
  ASSERT_OK(store->Store(Batch("early", 100)));
  ASSERT_OK(store->Store(Batch("mid-2", 200)));
  ASSERT_OK(store->Store(Batch("mid-1", 200)));
  EXPECT_EQ(Ids(store->OlderThan(200)), std::vector<std::string>{"early"});
  EXPECT_EQ(Ids(store->OlderThan(201)),
            (std::vector<std::string>{"early", "mid-1", "mid-2"}));
  EXPECT_EQ(Ids(store->OlderThan(kForever)),
            (std::vector<std::string>{"early", "mid-1", "mid-2", "late"}));
  EXPECT_TRUE(store->OlderThan(100).empty());
}

TEST(BatchlogStoreTest, RejectsBadIds) {
  test::ScratchDir dir;
  auto store = OpenOrDie(Options(dir));
  EXPECT_TRUE(store->Store(Batch("", 1)).IsInvalidArgument());
  EXPECT_TRUE(store->Store(Batch(std::string(kMaxBatchIdBytes + 1, 'x'), 1)).IsInvalidArgument());
  EXPECT_EQ(store->size(), 0u);
  // Binary ids (16 raw TimeUUID bytes) are fine.
  const std::string uuid("\x01\x00\xff\x10\x20\x30\x40\x11\x80\x00\x00\x00\x00\x00\x00\x07", 16);
  ASSERT_OK(store->Store(Batch(uuid, 1)));
  EXPECT_EQ(Ids(store->OlderThan(kForever)), std::vector<std::string>{uuid});
  EXPECT_TRUE(BatchlogStore::Open(BatchlogOptions{}).status().IsInvalidArgument());
}

TEST(BatchlogStoreTest, CompactsWhenMostBatchesAreRemoved) {
  test::ScratchDir dir;
  BatchlogOptions o = Options(dir, /*sync=*/true);
  o.compact_min_bytes = 512;
  {
    auto store = OpenOrDie(o);
    for (int i = 0; i < 20; ++i) ASSERT_OK(store->Store(Batch("batch-" + std::to_string(i), i)));
    const uint64_t full = store->LogBytes();
    for (int i = 0; i < 5; ++i) ASSERT_OK(store->Remove("batch-" + std::to_string(i)));
    EXPECT_EQ(store->compactions(), 0u);  // 5 of 20 removed: most of the log is live
    EXPECT_GT(store->LogBytes(), full);   // the REMOVE records were appended
    // Dead bytes (removed STOREs plus REMOVE records) pass the live ones at the 9th
    // remove: one compaction rewrites the 11 live batches into a new log.
    for (int i = 5; i < 11; ++i) ASSERT_OK(store->Remove("batch-" + std::to_string(i)));
    EXPECT_EQ(store->compactions(), 1u);
    EXPECT_LT(store->LogBytes(), full * 2 / 3);
    EXPECT_EQ(store->size(), 9u);
    EXPECT_EQ(Files(dir), std::vector<std::string>{"batchlog-2-1.log"});
    // The compacted log keeps taking writes.
    ASSERT_OK(store->Store(Batch("after", 100)));
  }
  auto store = OpenOrDie(o);
  std::vector<std::string> want;
  for (int i = 11; i < 20; ++i) want.push_back("batch-" + std::to_string(i));
  want.push_back("after");
  EXPECT_EQ(Ids(store->OlderThan(kForever)), want);
}

TEST(BatchlogStoreTest, NoCompactionBelowTheMinimumSize) {
  test::ScratchDir dir;
  auto store = OpenOrDie(Options(dir));  // compact_min_bytes: 1 MiB
  for (int i = 0; i < 10; ++i) ASSERT_OK(store->Store(Batch(std::to_string(i), i)));
  for (int i = 0; i < 10; ++i) ASSERT_OK(store->Remove(std::to_string(i)));
  EXPECT_EQ(store->compactions(), 0u);
  EXPECT_EQ(store->size(), 0u);
}

// A crash in the middle of a compaction leaves the old log, possibly the new one, and
// possibly a *.tmp file: the union replays to the same batches.
TEST(BatchlogStoreTest, ReplaysLeftoversOfAnInterruptedCompaction) {
  test::ScratchDir dir;
  test::ScratchDir snapshot;
  {
    auto store = OpenOrDie(Options(dir));
    ASSERT_OK(store->Store(Batch("a", 1)));
    ASSERT_OK(store->Store(Batch("b", 2)));
    ASSERT_OK(store->Remove("a"));
  }
  // Keep the old log (batchlog-1), then let a reopen compact it into batchlog-2.
  fs::copy(dir.path() / "batchlog-1-1.log", snapshot.path() / "batchlog-1-1.log");
  {
    auto store = OpenOrDie(Options(dir));
    ASSERT_OK(store->Store(Batch("c", 3)));
  }
  fs::copy(snapshot.path() / "batchlog-1-1.log", dir.path() / "batchlog-1-1.log");
  WriteFileBytes(dir.path() / "batchlog-3-1.log.tmp", "half a compaction");
  auto store = OpenOrDie(Options(dir));
  EXPECT_EQ(Ids(store->OlderThan(kForever)), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(Files(dir), std::vector<std::string>{"batchlog-3-1.log"});
}

TEST(BatchlogStoreTest, TornTailIsIgnored) {
  test::ScratchDir dir;
  {
    auto store = OpenOrDie(Options(dir));
    ASSERT_OK(store->Store(Batch("a", 1)));
    ASSERT_OK(store->Store(Batch("b", 2)));
  }
  const fs::path log = dir.path() / "batchlog-1-1.log";
  fs::resize_file(log, fs::file_size(log) - 3);
  auto store = OpenOrDie(Options(dir));
  EXPECT_EQ(Ids(store->OlderThan(kForever)), std::vector<std::string>{"a"});
}

TEST(BatchlogStoreTest, MidFileCorruptionSkipsTheRestOfTheLog) {
  test::ScratchDir dir;
  uint64_t second_record = 0;
  {
    auto store = OpenOrDie(Options(dir));
    ASSERT_OK(store->Store(Batch("a", 1)));
    second_record = store->LogBytes();
    ASSERT_OK(store->Store(Batch("b", 2)));
    ASSERT_OK(store->Store(Batch("c", 3)));
  }
  const fs::path log = dir.path() / "batchlog-1-1.log";
  std::string data = ReadFileBytes(log);
  data[second_record + 10] ^= 0x04;  // inside batch b's id
  WriteFileBytes(log, data);
  auto store = OpenOrDie(Options(dir));
  EXPECT_EQ(Ids(store->OlderThan(kForever)), std::vector<std::string>{"a"});
  ASSERT_OK(store->Store(Batch("d", 4)));
  EXPECT_EQ(store->size(), 2u);
}

TEST(BatchlogStoreTest, DamagedHeaderIsSetAside) {
  test::ScratchDir dir;
  {
    auto store = OpenOrDie(Options(dir));
    ASSERT_OK(store->Store(Batch("a", 1)));
  }
  const fs::path log = dir.path() / "batchlog-1-1.log";
  std::string data = ReadFileBytes(log);
  data[9] ^= 0x01;  // the version
  WriteFileBytes(log, data);
  auto store = OpenOrDie(Options(dir));
  EXPECT_EQ(store->size(), 0u);
  EXPECT_EQ(Files(dir),
            (std::vector<std::string>{"batchlog-1-1.log.corrupt", "batchlog-2-1.log"}));
}

TEST(BatchlogStoreTest, ConcurrentStoresAreAllDurable) {
  test::ScratchDir dir;
  {
    auto store = OpenOrDie(Options(dir, /*sync=*/true));
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 50; ++i) {
          const std::string id = std::to_string(t) + "-" + std::to_string(i);
          Status s = store->Store(Batch(id, i));
          EXPECT_TRUE(s.ok()) << s.ToString();
          if (i % 5 == 0) {
            s = store->Remove(id);
            EXPECT_TRUE(s.ok()) << s.ToString();
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(store->size(), 8u * 40);
  }
  auto store = OpenOrDie(Options(dir));
  EXPECT_EQ(store->size(), 8u * 40);
  for (const StoredBatch& b : store->OlderThan(kForever)) {
    EXPECT_NE(b.written_at_micros % 5, 0) << b.id;
    EXPECT_EQ(b.mutations, Batch(b.id, 0).mutations);
  }
}

}  // namespace
}  // namespace cairn::hints
