// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Tests of node/hints/hint_store.h: the golden bytes of FORMAT.md, store / deliver /
// restart, delivery checkpoints, expiry, DeleteHints, concurrency, torn tails and
// corruption, and file rolling.
#include "node/hints/hint_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
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

std::vector<std::string> FilesEndingWith(const test::ScratchDir& dir, std::string_view suffix) {
  std::vector<std::string> out;
  for (const std::string& n : Files(dir)) {
    if (n.size() >= suffix.size() && n.substr(n.size() - suffix.size()) == suffix) {
      out.push_back(n);
    }
  }
  return out;
}

HintStoreOptions Options(const test::ScratchDir& dir, bool sync = false) {
  HintStoreOptions o;
  o.directory = dir.str();
  o.sync = sync;
  return o;
}

std::unique_ptr<HintStore> OpenOrDie(const HintStoreOptions& o) {
  Result<std::unique_ptr<HintStore>> store = HintStore::Open(o);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

std::string Mutation(int i) { return "mutation-" + std::to_string(i); }

// Stores hints Mutation(first) .. Mutation(first + n - 1) for `host`, created_at = i.
void StoreRange(HintStore* store, const std::string& host, int first, int n) {
  for (int i = first; i < first + n; ++i) ASSERT_OK(store->Store(host, i, Mutation(i)));
}

// A send() that records the hints it receives and fails from the `fail_at`-th call on
// (counting from 0), with Unavailable.
struct Recorder {
  std::vector<Hint> hints;
  int fail_at = -1;
  int calls = 0;
  std::function<Status(const Hint&)> Fn() {
    return [this](const Hint& h) {
      if (fail_at >= 0 && calls++ >= fail_at) return Status::Unavailable("replica down");
      hints.push_back(h);
      return Status::OK();
    };
  }
  std::vector<std::string> Mutations() const {
    std::vector<std::string> out;
    for (const Hint& h : hints) out.push_back(h.mutation);
    return out;
  }
};

std::vector<std::string> Expected(int first, int n) {
  std::vector<std::string> out;
  for (int i = first; i < first + n; ++i) out.push_back(Mutation(i));
  return out;
}

// ---------------------------------------------------------------------------------------
// Format

TEST(HintFormatTest, GoldenBytes) {
  test::ScratchDir dir;
  {
    auto store = OpenOrDie(Options(dir));
    ASSERT_OK(store->Store("h1", 1000, "abc"));
    ASSERT_OK(store->Store("h1", 2000, "xy"));
  }
  ASSERT_EQ(Files(dir), std::vector<std::string>{"h1-1-1.hints"});
  const std::string golden =
      // header: "CAIRNHNT", version 1, seq 1, host id length 2, "h1", header checksum
      "434149524e484e54" "01000000" "0100000000000000" "0200" "6831" "34011b24"
      // hint 1: length 11, length checksum, created_at 1000, "abc", body checksum
      "0b000000" "06ea23b2" "e803000000000000" "616263" "87054fbb"
      // hint 2: length 10, length checksum, created_at 2000, "xy", body checksum
      "0a000000" "c20f82c3" "d007000000000000" "7879" "0ff8df53";
  EXPECT_EQ(Hex(ReadFileBytes(dir.path() / "h1-1-1.hints")), golden);
}

TEST(HintFormatTest, CheckpointGoldenBytes) {
  test::ScratchDir dir;
  auto store = OpenOrDie(Options(dir));
  ASSERT_OK(store->Store("h1", 1000, "abc"));
  ASSERT_OK(store->Store("h1", 2000, "xy"));
  Recorder rec;
  rec.fail_at = 1;  // deliver the first hint only
  HintDeliveryStats stats;
  EXPECT_TRUE(store->Deliver("h1", 0, rec.Fn(), &stats).IsUnavailable());
  EXPECT_EQ(stats.delivered, 1u);
  EXPECT_EQ(stats.failed, 1u);
  const std::string golden =
      // slot 0: never written (generation 0 would be invalid anyway)
      std::string(64, '0') +
      // slot 1: "CAIRNHCP", version 1, generation 1, offset 51 (28-byte header + 23-byte
      // first record), checksum
      "434149524e484350" "01000000" "0100000000000000" "3300000000000000" "ca0cb4a2";
  EXPECT_EQ(Hex(ReadFileBytes(dir.path() / "h1-1-1.checkpoint")), golden);
}

// ---------------------------------------------------------------------------------------
// Store and deliver

TEST(HintStoreTest, DeliversOldestFirstPerHost) {
  test::ScratchDir dir;
  auto store = OpenOrDie(Options(dir, /*sync=*/true));
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(store->Store("host-a", i, Mutation(i)));
    if (i < 3) ASSERT_OK(store->Store("host-b", 100 + i, Mutation(100 + i)));
  }
  EXPECT_EQ(store->HostsWithHints(), (std::vector<std::string>{"host-a", "host-b"}));
  EXPECT_EQ(store->PendingHints("host-a"), 5u);
  EXPECT_EQ(store->PendingHints("host-b"), 3u);
  EXPECT_EQ(store->PendingHints("host-c"), 0u);
  EXPECT_EQ(store->TotalPendingHints(), 8u);
  EXPECT_GT(store->TotalBytesOnDisk(), 0u);

  Recorder rec;
  HintDeliveryStats stats;
  ASSERT_OK(store->Deliver("host-a", 0, rec.Fn(), &stats));
  EXPECT_EQ(rec.Mutations(), Expected(0, 5));
  for (size_t i = 0; i < rec.hints.size(); ++i) {
    EXPECT_EQ(rec.hints[i].host_id, "host-a");
    EXPECT_EQ(rec.hints[i].created_at_micros, static_cast<int64_t>(i));
  }
  EXPECT_EQ(stats.delivered, 5u);
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_EQ(stats.expired, 0u);
  EXPECT_EQ(stats.skipped_corrupt, 0u);
  EXPECT_EQ(store->PendingHints("host-a"), 0u);
  EXPECT_EQ(store->HostsWithHints(), std::vector<std::string>{"host-b"});
  // host-a's file is gone (and left no checkpoint); host-b's is untouched.
  EXPECT_EQ(Files(dir), std::vector<std::string>{"host-b-2-1.hints"});

  // Nothing is delivered twice.
  Recorder again;
  ASSERT_OK(store->Deliver("host-a", 0, again.Fn(), nullptr));
  EXPECT_TRUE(again.hints.empty());
  // Unknown host: OK, nothing.
  ASSERT_OK(store->Deliver("host-z", 0, again.Fn(), nullptr));
  EXPECT_TRUE(again.hints.empty());
}

TEST(HintStoreTest, DeliverHalfThenReopenDeliversOnlyTheRest) {
  test::ScratchDir dir;
  {
    auto store = OpenOrDie(Options(dir, /*sync=*/true));
    StoreRange(store.get(), "host-a", 0, 10);
    Recorder rec;
    rec.fail_at = 5;
    HintDeliveryStats stats;
    Status s = store->Deliver("host-a", 0, rec.Fn(), &stats);
    EXPECT_TRUE(s.IsUnavailable()) << s.ToString();
    EXPECT_EQ(rec.Mutations(), Expected(0, 5));
    EXPECT_EQ(stats.delivered, 5u);
    EXPECT_EQ(stats.failed, 1u);
    EXPECT_EQ(store->PendingHints("host-a"), 5u);
  }
  auto store = OpenOrDie(Options(dir, /*sync=*/true));
  EXPECT_EQ(store->PendingHints("host-a"), 5u);
  Recorder rec;
  HintDeliveryStats stats;
  ASSERT_OK(store->Deliver("host-a", 0, rec.Fn(), &stats));
  EXPECT_EQ(rec.Mutations(), Expected(5, 5));
  EXPECT_EQ(stats.delivered, 5u);
  EXPECT_TRUE(Files(dir).empty());
}

TEST(HintStoreTest, SendFailureStopsAndResumesAtTheFailedHint) {
  test::ScratchDir dir;
  auto store = OpenOrDie(Options(dir));
  StoreRange(store.get(), "host-a", 0, 6);
  Recorder first;
  first.fail_at = 3;
  Status s = store->Deliver("host-a", 0, first.Fn(), nullptr);
  EXPECT_TRUE(s.IsUnavailable());
  EXPECT_EQ(first.calls, 4);  // three OK, the fourth failed, no fifth call
  EXPECT_EQ(store->PendingHints("host-a"), 3u);
  EXPECT_EQ(store->HostsWithHints(), std::vector<std::string>{"host-a"});
  Recorder second;
  ASSERT_OK(store->Deliver("host-a", 0, second.Fn(), nullptr));
  EXPECT_EQ(second.Mutations(), Expected(3, 3));
  EXPECT_EQ(store->PendingHints("host-a"), 0u);
}

// Simulates a crash while a hint is in flight: the directory is copied from inside
// send(), exactly as a kill -9 at that moment would leave it. A store opened on the copy
// redelivers only the in-flight hint, none of those already acknowledged.
TEST(HintStoreTest, CrashDuringSendRedeliversAtMostTheInFlightHint) {
  test::ScratchDir dir;
  test::ScratchDir crash_copy;
  auto store = OpenOrDie(Options(dir, /*sync=*/true));
  StoreRange(store.get(), "host-a", 0, 8);
  int calls = 0;
  ASSERT_OK(store->Deliver("host-a", 0, [&](const Hint&) {
    if (calls++ == 4) {
      fs::copy(dir.path(), crash_copy.path(),
               fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    }
    return Status::OK();
  }, nullptr));
  EXPECT_EQ(calls, 8);

  auto recovered = OpenOrDie(Options(crash_copy, /*sync=*/true));
  EXPECT_EQ(recovered->PendingHints("host-a"), 4u);
  Recorder rec;
  ASSERT_OK(recovered->Deliver("host-a", 0, rec.Fn(), nullptr));
  EXPECT_EQ(rec.Mutations(), Expected(4, 4));  // hint 4 was in flight
}

TEST(HintStoreTest, ExpiredHintsAreDroppedWithoutSending) {
  test::ScratchDir dir;
  {
    auto store = OpenOrDie(Options(dir));
    StoreRange(store.get(), "host-a", 100, 10);  // created_at 100 .. 109
    Recorder rec;
    rec.fail_at = 2;  // stops after hints 105, 106
    HintDeliveryStats stats;
    EXPECT_TRUE(store->Deliver("host-a", 105, rec.Fn(), &stats).IsUnavailable());
    EXPECT_EQ(stats.expired, 5u);
    EXPECT_EQ(stats.delivered, 2u);
    EXPECT_EQ(rec.Mutations(), (std::vector<std::string>{Mutation(105), Mutation(106)}));
    EXPECT_EQ(store->PendingHints("host-a"), 3u);
  }
  // Expired hints stay gone after a restart; only 107 .. 109 remain.
  auto store = OpenOrDie(Options(dir));
  EXPECT_EQ(store->PendingHints("host-a"), 3u);
  Recorder rec;
  HintDeliveryStats stats;
  ASSERT_OK(store->Deliver("host-a", 0, rec.Fn(), &stats));
  EXPECT_EQ(rec.Mutations(), Expected(107, 3));
  EXPECT_EQ(stats.expired, 0u);
}

TEST(HintStoreTest, AllExpiredHintsLeaveNothingBehind) {
  test::ScratchDir dir;
  auto store = OpenOrDie(Options(dir));
  StoreRange(store.get(), "host-a", 0, 4);
  Recorder rec;
  HintDeliveryStats stats;
  ASSERT_OK(store->Deliver("host-a", 1'000'000, rec.Fn(), &stats));
  EXPECT_TRUE(rec.hints.empty());
  EXPECT_EQ(stats.expired, 4u);
  EXPECT_EQ(store->TotalPendingHints(), 0u);
  EXPECT_TRUE(Files(dir).empty());
}

TEST(HintStoreTest, DeleteHintsDropsOnlyThatHost) {
  test::ScratchDir dir;
  {
    auto store = OpenOrDie(Options(dir, /*sync=*/true));
    StoreRange(store.get(), "host-a", 0, 3);
    StoreRange(store.get(), "host-b", 10, 2);
    // A partially delivered file of host-a, so a checkpoint exists too.
    Recorder rec;
    rec.fail_at = 1;
    EXPECT_FALSE(store->Deliver("host-a", 0, rec.Fn(), nullptr).ok());
    StoreRange(store.get(), "host-a", 3, 2);  // and an active file
    ASSERT_EQ(FilesEndingWith(dir, ".checkpoint").size(), 1u);

    ASSERT_OK(store->DeleteHints("host-a"));
    ASSERT_OK(store->DeleteHints("host-unknown"));
    EXPECT_EQ(store->PendingHints("host-a"), 0u);
    EXPECT_EQ(store->PendingHints("host-b"), 2u);
    EXPECT_EQ(store->HostsWithHints(), std::vector<std::string>{"host-b"});
    EXPECT_EQ(Files(dir), std::vector<std::string>{"host-b-2-1.hints"});
    Recorder none;
    ASSERT_OK(store->Deliver("host-a", 0, none.Fn(), nullptr));
    EXPECT_TRUE(none.hints.empty());
    // The host can get hints again afterwards.
    StoreRange(store.get(), "host-a", 20, 1);
    EXPECT_EQ(store->PendingHints("host-a"), 1u);
  }
  auto store = OpenOrDie(Options(dir));
  EXPECT_EQ(store->PendingHints("host-a"), 1u);
  EXPECT_EQ(store->PendingHints("host-b"), 2u);
  Recorder rec;
  ASSERT_OK(store->Deliver("host-a", 0, rec.Fn(), nullptr));
  EXPECT_EQ(rec.Mutations(), Expected(20, 1));
}

TEST(HintStoreTest, DeleteHintsDuringDeliveryStopsIt) {
  test::ScratchDir dir;
  auto store = OpenOrDie(Options(dir));
  StoreRange(store.get(), "host-a", 0, 10);
  int calls = 0;
  Status s = store->Deliver("host-a", 0, [&](const Hint&) {
    if (++calls == 3) {
      Status d = store->DeleteHints("host-a");
      EXPECT_TRUE(d.ok()) << d.ToString();
    }
    return Status::OK();
  }, nullptr);
  ASSERT_OK(s);
  EXPECT_EQ(calls, 3);  // no hint sent after DeleteHints
  EXPECT_EQ(store->PendingHints("host-a"), 0u);
  EXPECT_TRUE(Files(dir).empty());  // no checkpoint recreated for the deleted file
}

TEST(HintStoreTest, StoresDuringDeliveryGoToANewFile) {
  test::ScratchDir dir;
  auto store = OpenOrDie(Options(dir));
  StoreRange(store.get(), "host-a", 0, 3);
  Recorder rec;
  int n = 0;
  ASSERT_OK(store->Deliver("host-a", 0, [&](const Hint& h) {
    if (n++ == 0) {
      Status s = store->Store("host-a", 50, Mutation(50));
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    rec.hints.push_back(h);
    return Status::OK();
  }, nullptr));
  EXPECT_EQ(rec.Mutations(), Expected(0, 3));  // the new hint waits for the next round
  EXPECT_EQ(store->PendingHints("host-a"), 1u);
  EXPECT_EQ(Files(dir), std::vector<std::string>{"host-a-2-1.hints"});
  Recorder next;
  ASSERT_OK(store->Deliver("host-a", 0, next.Fn(), nullptr));
  EXPECT_EQ(next.Mutations(), Expected(50, 1));
}

TEST(HintStoreTest, SecondConcurrentDeliveryForTheSameHostDoesNothing) {
  test::ScratchDir dir;
  auto store = OpenOrDie(Options(dir));
  StoreRange(store.get(), "host-a", 0, 3);
  StoreRange(store.get(), "host-b", 10, 1);
  int outer = 0;
  int inner = 0;
  HintDeliveryStats inner_stats;
  Recorder other;
  ASSERT_OK(store->Deliver("host-a", 0, [&](const Hint&) {
    if (outer++ == 0) {
      Status s = store->Deliver("host-a", 0, [&](const Hint&) {
        ++inner;
        return Status::OK();
      }, &inner_stats);
      EXPECT_TRUE(s.ok());
      // Another host can be delivered meanwhile.
      s = store->Deliver("host-b", 0, other.Fn(), nullptr);
      EXPECT_TRUE(s.ok());
    }
    return Status::OK();
  }, nullptr));
  EXPECT_EQ(outer, 3);
  EXPECT_EQ(inner, 0);
  EXPECT_EQ(inner_stats.delivered, 0u);
  EXPECT_EQ(other.Mutations(), Expected(10, 1));
  EXPECT_EQ(store->TotalPendingHints(), 0u);
}

TEST(HintStoreTest, ReopenKeepsOrderAcrossOldAndNewFiles) {
  test::ScratchDir dir;
  {
    auto store = OpenOrDie(Options(dir));
    StoreRange(store.get(), "host-a", 0, 3);
  }
  {
    auto store = OpenOrDie(Options(dir));
    EXPECT_EQ(store->PendingHints("host-a"), 3u);
    StoreRange(store.get(), "host-a", 3, 2);  // a new file: old ones are never appended to
    EXPECT_EQ(FilesEndingWith(dir, ".hints"),
              (std::vector<std::string>{"host-a-1-1.hints", "host-a-2-1.hints"}));
  }
  auto store = OpenOrDie(Options(dir));
  EXPECT_EQ(store->PendingHints("host-a"), 5u);
  Recorder rec;
  ASSERT_OK(store->Deliver("host-a", 0, rec.Fn(), nullptr));
  EXPECT_EQ(rec.Mutations(), Expected(0, 5));
}

TEST(HintStoreTest, FilesRollAtMaxFileBytes) {
  test::ScratchDir dir;
  HintStoreOptions o = Options(dir);
  o.max_file_bytes = 200;
  auto store = OpenOrDie(o);
  // Each record: 12 bytes framing + 8 created_at + 10-11 bytes of mutation; header 32.
  StoreRange(store.get(), "host-a", 0, 20);
  std::vector<std::string> files = FilesEndingWith(dir, ".hints");
  EXPECT_GE(files.size(), 4u);
  uint64_t total = 0;
  for (const std::string& f : files) {
    const uint64_t size = fs::file_size(dir.path() / f);
    EXPECT_LE(size, 200u) << f;
    total += size;
  }
  EXPECT_EQ(store->TotalBytesOnDisk(), total);
  // A hint larger than a whole file still gets stored, alone in its file.
  const std::string big(500, 'x');
  ASSERT_OK(store->Store("host-a", 99, big));
  ASSERT_OK(store->Store("host-a", 100, Mutation(100)));
  EXPECT_EQ(FilesEndingWith(dir, ".hints").size(), files.size() + 2);

  Recorder rec;
  ASSERT_OK(store->Deliver("host-a", 0, rec.Fn(), nullptr));
  std::vector<std::string> want = Expected(0, 20);
  want.push_back(big);
  want.push_back(Mutation(100));
  EXPECT_EQ(rec.Mutations(), want);
  EXPECT_EQ(store->TotalBytesOnDisk(), 0u);
  EXPECT_TRUE(Files(dir).empty());
}

TEST(HintStoreTest, RejectsBadHostIds) {
  test::ScratchDir dir;
  auto store = OpenOrDie(Options(dir));
  EXPECT_TRUE(store->Store("", 1, "m").IsInvalidArgument());
  EXPECT_TRUE(store->Store("../etc", 1, "m").IsInvalidArgument());
  EXPECT_TRUE(store->Store("a/b", 1, "m").IsInvalidArgument());
  EXPECT_TRUE(store->Store(".hidden", 1, "m").IsInvalidArgument());
  EXPECT_TRUE(store->Store(std::string(200, 'a'), 1, "m").IsInvalidArgument());
  ASSERT_OK(store->Store("5f3b2c1a-0d4e-4f6a-8b9c-0123456789ab", 1, "m"));
  EXPECT_EQ(store->TotalPendingHints(), 1u);
  EXPECT_TRUE(HintStore::Open(HintStoreOptions{}).status().IsInvalidArgument());
}

TEST(HintStoreTest, ConcurrentStoresFromEightThreadsWithDelivery) {
  test::ScratchDir dir;
  auto store = OpenOrDie(Options(dir, /*sync=*/true));
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  const std::vector<std::string> hosts = {"host-a", "host-b"};
  std::mutex mu;
  std::multiset<std::string> delivered;
  auto send = [&](const Hint& h) {
    std::lock_guard<std::mutex> lock(mu);
    delivered.insert(h.host_id + "/" + h.mutation);
    return Status::OK();
  };
  std::atomic<bool> writers_done{false};
  std::thread deliverer([&] {
    while (!writers_done.load()) {
      for (const std::string& h : hosts) {
        Status s = store->Deliver(h, 0, send, nullptr);
        EXPECT_TRUE(s.ok()) << s.ToString();
      }
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int n = t * kPerThread + i;
        Status s = store->Store(hosts[n % 2], n, Mutation(n));
        EXPECT_TRUE(s.ok()) << s.ToString();
      }
    });
  }
  for (auto& w : writers) w.join();
  writers_done = true;
  deliverer.join();
  for (const std::string& h : hosts) ASSERT_OK(store->Deliver(h, 0, send, nullptr));

  // Every hint delivered exactly once.
  ASSERT_EQ(delivered.size(), static_cast<size_t>(kThreads * kPerThread));
  for (int n = 0; n < kThreads * kPerThread; ++n) {
    EXPECT_EQ(delivered.count(hosts[n % 2] + "/" + Mutation(n)), 1u) << n;
  }
  EXPECT_EQ(store->TotalPendingHints(), 0u);
  EXPECT_TRUE(store->HostsWithHints().empty());
}

// Group commit: while one fdatasync round runs, the other writers queue, and the next
// round syncs all of them (both hosts' files) at once.
TEST(HintStoreTest, ConcurrentStoresShareOneSyncRound) {
  test::ScratchDir dir;
  HintStoreOptions o = Options(dir, /*sync=*/true);
  std::atomic<HintStore*> store_ptr{nullptr};
  std::atomic<int> rounds{0};
  std::atomic<bool> timed_out{false};
  o.before_sync_round = [&] {
    if (rounds++ != 0) return;
    // Hold the first round open until the 7 other writers wait behind it.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (store_ptr.load()->metrics().sync_waiters < 7) {
      if (std::chrono::steady_clock::now() > deadline) {
        timed_out = true;
        return;
      }
      std::this_thread::yield();
    }
  };
  auto store = OpenOrDie(o);
  store_ptr = store.get();
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      Status s = store->Store(t % 2 == 0 ? "host-a" : "host-b", t, Mutation(t));
      EXPECT_TRUE(s.ok()) << s.ToString();
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_FALSE(timed_out.load());
  const HintStoreMetrics m = store->metrics();
  EXPECT_EQ(m.hints_stored, 8u);
  EXPECT_EQ(m.sync_rounds, 2u);
  EXPECT_EQ(m.sync_waiters, 0u);
  EXPECT_EQ(store->PendingHints("host-a"), 4u);
  EXPECT_EQ(store->PendingHints("host-b"), 4u);
}

// Per-thread order survives concurrent stores: a thread's hints for one host are
// delivered in the order it stored them.
TEST(HintStoreTest, ConcurrentStoresKeepEachWritersOrder) {
  test::ScratchDir dir;
  auto store = OpenOrDie(Options(dir, /*sync=*/true));
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        Status s = store->Store("host-a", i, std::to_string(t) + ":" + std::to_string(i));
        EXPECT_TRUE(s.ok()) << s.ToString();
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(store->PendingHints("host-a"), 400u);
  std::vector<int> next(8, 0);
  ASSERT_OK(store->Deliver("host-a", 0, [&](const Hint& h) {
    const int t = std::stoi(h.mutation.substr(0, h.mutation.find(':')));
    const int i = std::stoi(h.mutation.substr(h.mutation.find(':') + 1));
    EXPECT_EQ(i, next[t]) << h.mutation;
    next[t] = i + 1;
    return Status::OK();
  }, nullptr));
  EXPECT_EQ(next, std::vector<int>(8, 50));
}

// ---------------------------------------------------------------------------------------
// Torn tails and corruption

TEST(HintStoreTest, TornTailIsIgnored) {
  test::ScratchDir dir;
  {
    auto store = OpenOrDie(Options(dir));
    StoreRange(store.get(), "host-a", 0, 3);
  }
  const fs::path file = dir.path() / "host-a-1-1.hints";
  const uint64_t size = fs::file_size(file);
  fs::resize_file(file, size - 5);  // the last record lost its end
  auto store = OpenOrDie(Options(dir));
  EXPECT_EQ(store->PendingHints("host-a"), 2u);
  Recorder rec;
  HintDeliveryStats stats;
  ASSERT_OK(store->Deliver("host-a", 0, rec.Fn(), &stats));
  EXPECT_EQ(rec.Mutations(), Expected(0, 2));
  EXPECT_EQ(stats.skipped_corrupt, 0u);
  EXPECT_TRUE(Files(dir).empty());
}

TEST(HintStoreTest, ZeroFilledTailIsATornTail) {
  test::ScratchDir dir;
  {
    auto store = OpenOrDie(Options(dir));
    StoreRange(store.get(), "host-a", 0, 2);
  }
  const fs::path file = dir.path() / "host-a-1-1.hints";
  std::string data = ReadFileBytes(file);
  WriteFileBytes(file, data + std::string(40, '\0'));  // size grew, data never written
  auto store = OpenOrDie(Options(dir));
  EXPECT_EQ(store->PendingHints("host-a"), 2u);
  Recorder rec;
  HintDeliveryStats stats;
  ASSERT_OK(store->Deliver("host-a", 0, rec.Fn(), &stats));
  EXPECT_EQ(rec.Mutations(), Expected(0, 2));
  EXPECT_EQ(stats.skipped_corrupt, 0u);
}

// Flips one byte of record 2 of 5 (in its body, or in its length field): records 0 and 1
// are delivered, the rest of the file is skipped and counted, nothing crashes.
TEST(HintStoreTest, MidFileCorruptionIsReportedAndSkipped) {
  for (const int field_offset : {14, 0}) {  // 14: inside created_at; 0: the length
    SCOPED_TRACE(field_offset);
    test::ScratchDir dir;
    uint64_t record2 = 0;
    {
      auto store = OpenOrDie(Options(dir));
      StoreRange(store.get(), "host-a", 0, 2);
      record2 = store->TotalBytesOnDisk();
      StoreRange(store.get(), "host-a", 2, 3);
    }
    const fs::path file = dir.path() / "host-a-1-1.hints";
    std::string data = ReadFileBytes(file);
    data[record2 + field_offset] ^= 0x40;
    WriteFileBytes(file, data);

    auto store = OpenOrDie(Options(dir));
    EXPECT_EQ(store->PendingHints("host-a"), 2u);  // what Open could read
    Recorder rec;
    HintDeliveryStats stats;
    ASSERT_OK(store->Deliver("host-a", 0, rec.Fn(), &stats));
    EXPECT_EQ(rec.Mutations(), Expected(0, 2));
    EXPECT_EQ(stats.delivered, 2u);
    EXPECT_EQ(stats.skipped_corrupt, 1u);
    EXPECT_EQ(store->PendingHints("host-a"), 0u);
    EXPECT_TRUE(Files(dir).empty());
  }
}

// Corruption that appears after Open (e.g. a bad sector) is found by delivery itself.
TEST(HintStoreTest, CorruptionFoundDuringDeliveryIsSkipped) {
  test::ScratchDir dir;
  auto store = OpenOrDie(Options(dir));
  StoreRange(store.get(), "host-a", 0, 2);
  const uint64_t record2 = store->TotalBytesOnDisk();
  StoreRange(store.get(), "host-a", 2, 2);
  const fs::path file = dir.path() / "host-a-1-1.hints";
  std::string data = ReadFileBytes(file);
  data[record2 + 20] ^= 0x01;  // inside the mutation bytes of record 2
  WriteFileBytes(file, data);
  Recorder rec;
  HintDeliveryStats stats;
  ASSERT_OK(store->Deliver("host-a", 0, rec.Fn(), &stats));
  EXPECT_EQ(rec.Mutations(), Expected(0, 2));
  EXPECT_EQ(stats.skipped_corrupt, 1u);
  EXPECT_EQ(store->TotalPendingHints(), 0u);
}

TEST(HintStoreTest, DamagedHeaderRenamesTheFile) {
  test::ScratchDir dir;
  {
    auto store = OpenOrDie(Options(dir));
    StoreRange(store.get(), "host-a", 0, 2);
    StoreRange(store.get(), "host-b", 0, 2);
  }
  const fs::path file = dir.path() / "host-a-1-1.hints";
  std::string data = ReadFileBytes(file);
  data[3] ^= 0x10;  // the magic
  WriteFileBytes(file, data);
  auto store = OpenOrDie(Options(dir));
  EXPECT_EQ(store->PendingHints("host-a"), 0u);
  EXPECT_EQ(store->PendingHints("host-b"), 2u);
  EXPECT_EQ(Files(dir),
            (std::vector<std::string>{"host-a-1-1.hints.corrupt", "host-b-2-1.hints"}));
  // New hints for host-a never reuse the damaged file's name.
  StoreRange(store.get(), "host-a", 5, 1);
  Recorder rec;
  ASSERT_OK(store->Deliver("host-a", 0, rec.Fn(), nullptr));
  EXPECT_EQ(rec.Mutations(), Expected(5, 1));
}

TEST(HintStoreTest, DamagedCheckpointRedeliversTheFile) {
  test::ScratchDir dir;
  {
    auto store = OpenOrDie(Options(dir));
    StoreRange(store.get(), "host-a", 0, 4);
    Recorder rec;
    rec.fail_at = 2;
    EXPECT_FALSE(store->Deliver("host-a", 0, rec.Fn(), nullptr).ok());
  }
  const fs::path cp = dir.path() / "host-a-1-1.checkpoint";
  ASSERT_TRUE(fs::exists(cp));
  WriteFileBytes(cp, std::string(64, '\x5a'));
  auto store = OpenOrDie(Options(dir));
  EXPECT_EQ(store->PendingHints("host-a"), 4u);  // from the start: idempotent redelivery
  Recorder rec;
  ASSERT_OK(store->Deliver("host-a", 0, rec.Fn(), nullptr));
  EXPECT_EQ(rec.Mutations(), Expected(0, 4));
}

TEST(HintStoreTest, OpenCleansLeftovers) {
  test::ScratchDir dir;
  WriteFileBytes(dir.path() / "host-a-7-1.checkpoint", std::string(64, '\0'));  // orphan
  WriteFileBytes(dir.path() / "host-a-8-1.checkpoint.tmp", "x");
  WriteFileBytes(dir.path() / "host-a-9-1.hints", "CAIRN");  // cut before its header ended
  auto store = OpenOrDie(Options(dir));
  EXPECT_TRUE(Files(dir).empty());
  EXPECT_EQ(store->TotalPendingHints(), 0u);
  // Sequence numbers continue above every name seen.
  StoreRange(store.get(), "host-a", 0, 1);
  EXPECT_EQ(Files(dir), std::vector<std::string>{"host-a-10-1.hints"});
}

TEST(HintStoreTest, CheckpointAlternatesSlots) {
  test::ScratchDir dir;
  {
    auto store = OpenOrDie(Options(dir));
    StoreRange(store.get(), "host-a", 0, 5);
    Recorder rec;
    rec.fail_at = 3;  // three acknowledged: generations 1, 2, 3
    EXPECT_FALSE(store->Deliver("host-a", 0, rec.Fn(), nullptr).ok());
  }
  const fs::path cp = dir.path() / "host-a-1-1.checkpoint";
  std::string data = ReadFileBytes(cp);
  ASSERT_EQ(data.size(), 64u);
  // Generation 3 is in slot 1, generation 2 in slot 0. Damage slot 1 (the newest): the
  // reader falls back to generation 2 and redelivers only the third hint.
  EXPECT_EQ(static_cast<unsigned char>(data[12]), 2u);
  EXPECT_EQ(static_cast<unsigned char>(data[32 + 12]), 3u);
  data[32 + 25] ^= 0x01;
  WriteFileBytes(cp, data);
  auto store = OpenOrDie(Options(dir));
  EXPECT_EQ(store->PendingHints("host-a"), 3u);
  Recorder rec;
  ASSERT_OK(store->Deliver("host-a", 0, rec.Fn(), nullptr));
  EXPECT_EQ(rec.Mutations(), Expected(2, 3));
}

}  // namespace
}  // namespace cairn::hints
