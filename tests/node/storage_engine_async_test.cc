// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// StorageEngine::ApplyAsync (issues 2 and 3): `done` exactly once, inline for early
// errors; in batch mode a write is invisible until its fdatasync and acknowledgement;
// flushes wait for writes in flight into the memtable they switched; many writes in
// flight with flushes running all survive a reopen and a crash; a failed fdatasync is
// reported to `done` and sticky. The commit log's fault injector holds fdatasync back
// (a gate) to pin the moments between append and acknowledgement.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "node/database.h"
#include "node/storage_engine.h"
#include "tests/lib/database_util.h"
#include "tests/lib/test_util.h"
#include "tests/node/crash_common.h"

namespace cairn::node {
namespace {

using crashtest::CopyLikeACrash;
using crashtest::Decorate;
using crashtest::Table;
using crashtest::ValueFor;
using crashtest::WriteFor;
using memtable::CommitLogFileOp;
using memtable::CommitLogSyncMode;

StorageEngineOptions Options(const test::ScratchDir& dir, CommitLogSyncMode mode) {
  StorageEngineOptions o;
  o.data_directory = dir.str() + "/data";
  o.commitlog_directory = dir.str() + "/commitlog";
  o.commitlog_segment_size_bytes = 1 << 20;
  o.commitlog_sync = mode;
  o.sync_sstables = false;
  return o;
}

// Whether write n is readable, and with the right value.
bool Readable(StorageEngine* engine, uint64_t n) {
  const Mutation m = WriteFor(n);
  auto got = engine->GetTable(Table().id)->Read(Decorate(m.key), CellFilter::All());
  EXPECT_OK(got.status());
  return got.ok() && got->has_value() && (*got)->cells.size() == 1 &&
         (*got)->cells[0].value == ValueFor(n);
}

// Holds back every fdatasync of the commit log while closed.
class SyncGate {
 public:
  void Close() {
    std::lock_guard l(mu_);
    closed_ = true;
  }
  void Open() {
    std::lock_guard l(mu_);
    closed_ = false;
    cv_.notify_all();
  }
  Status Pass(CommitLogFileOp op) {
    if (op != CommitLogFileOp::kSync) return Status::OK();
    std::unique_lock l(mu_);
    cv_.wait(l, [&] { return !closed_; });
    return Status::OK();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
};

// Collects the outcomes of ApplyAsync calls, by write number.
class Outcomes {
 public:
  StorageEngine::WriteCallback For(uint64_t n) {
    return [this, n](Status s) {
      std::lock_guard l(mu_);
      if (!s.ok()) failed_.insert(n);
      if (!seen_.insert(n).second) ++duplicates_;
      cv_.notify_all();
    };
  }
  void WaitFor(size_t count) {
    std::unique_lock l(mu_);
    ASSERT_TRUE(cv_.wait_for(l, std::chrono::seconds(60), [&] { return seen_.size() >= count; }))
        << seen_.size() << " of " << count << " callbacks";
  }
  size_t seen() {
    std::lock_guard l(mu_);
    return seen_.size();
  }
  bool Seen(uint64_t n) {
    std::lock_guard l(mu_);
    return seen_.count(n) > 0;
  }
  std::set<uint64_t> failed() {
    std::lock_guard l(mu_);
    return failed_;
  }
  int duplicates() {
    std::lock_guard l(mu_);
    return duplicates_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<uint64_t> seen_, failed_;
  int duplicates_ = 0;
};

class StorageEngineAsyncTest : public ::testing::TestWithParam<CommitLogSyncMode> {
 protected:
  void SetUp() override { SetLogLevel(LogLevel::kWarn); }
  test::ScratchDir dir_;
};

TEST_P(StorageEngineAsyncTest, UnknownTableFailsInline) {
  auto engine = StorageEngine::Open(Options(dir_, GetParam()), {Table()}, Decorate);
  ASSERT_OK(engine.status());
  Mutation m = WriteFor(1);
  m.updates[0].table_id = std::string("no-such-table-id", 16);
  int calls = 0;
  Status got;
  (*engine)->ApplyAsync(std::move(m), [&](Status s) {
    ++calls;
    got = s;
  });
  EXPECT_EQ(calls, 1) << "done must run before ApplyAsync returns";
  EXPECT_TRUE(got.IsInvalidArgument()) << got.ToString();
  Mutation again = WriteFor(1);
  again.updates[0].table_id = std::string("no-such-table-id", 16);
  EXPECT_TRUE((*engine)->Apply(std::move(again)).IsInvalidArgument());
}

TEST_P(StorageEngineAsyncTest, EveryCallbackRunsOnceAndEveryWriteIsVisible) {
  auto engine = StorageEngine::Open(Options(dir_, GetParam()), {Table()}, Decorate);
  ASSERT_OK(engine.status());
  Outcomes outcomes;
  constexpr uint64_t kWrites = 3000;
  std::vector<std::thread> threads;
  for (uint64_t t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t n = t; n < kWrites; n += 2) (*engine)->ApplyAsync(WriteFor(n), outcomes.For(n));
    });
  }
  for (auto& t : threads) t.join();
  outcomes.WaitFor(kWrites);
  EXPECT_EQ(outcomes.duplicates(), 0);
  EXPECT_TRUE(outcomes.failed().empty());
  for (uint64_t n = 0; n < kWrites; n += 7) EXPECT_TRUE(Readable(engine->get(), n)) << n;
  EXPECT_EQ((*engine)->metrics().writes, kWrites);
  ASSERT_OK((*engine)->Close());
  EXPECT_EQ(outcomes.duplicates(), 0);
}

// A `done` may issue the next write (a chain, as a server answering one request and
// taking the next would), without deadlocking the commit log's sync thread.
TEST_P(StorageEngineAsyncTest, CallbackMayIssueTheNextWrite) {
  auto engine = StorageEngine::Open(Options(dir_, GetParam()), {Table()}, Decorate);
  ASSERT_OK(engine.status());
  constexpr uint64_t kChain = 300;
  std::mutex mu;
  std::condition_variable cv;
  uint64_t acked = 0;
  Status failure;
  std::function<void(uint64_t)> issue = [&](uint64_t n) {
    (*engine)->ApplyAsync(WriteFor(n), [&, n](Status s) {
      {
        std::lock_guard l(mu);
        if (!s.ok()) failure = s;
        acked = n + 1;
        cv.notify_all();
      }
      if (s.ok() && n + 1 < kChain) issue(n + 1);
    });
  };
  if (GetParam() == CommitLogSyncMode::kPeriodic) {
    // Periodic mode runs `done` inline, so the chain recurses: keep it short.
    for (uint64_t n = 0; n < kChain; n += 30) {
      std::function<void(uint64_t, uint64_t)> chain = [&](uint64_t i, uint64_t end) {
        (*engine)->ApplyAsync(WriteFor(i), [&, i, end](Status s) {
          ASSERT_OK(s);
          if (i + 1 < end) chain(i + 1, end);
        });
      };
      chain(n, n + 30);
    }
  } else {
    issue(0);
    std::unique_lock l(mu);
    ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(30), [&] { return acked == kChain; }));
    ASSERT_OK(failure);
  }
  for (uint64_t n = 0; n < kChain; ++n) EXPECT_TRUE(Readable(engine->get(), n)) << n;
}

// Issues writes [first, last) through ApplyAsync from two threads, each keeping up to
// `in_flight` writes outstanding, and waits for every callback. With `blocking`, a third
// of the writes go through Apply from a third thread instead (blocked writers apply
// their own writes in batch mode: both completions race with the flushes).
void WriteInFlight(StorageEngine* engine, uint64_t first, uint64_t last, int in_flight,
                   Outcomes* outcomes, bool blocking = false) {
  std::vector<std::thread> writers;
  const uint64_t threads = blocking ? 3 : 2;
  if (blocking) {
    writers.emplace_back([=] {
      for (uint64_t n = first + 2; n < last; n += 3) outcomes->For(n)(engine->Apply(WriteFor(n)));
    });
  }
  for (uint64_t t = 0; t < 2; ++t) {
    writers.emplace_back([=] {
      std::mutex mu;
      std::condition_variable cv;
      int pending = 0;
      for (uint64_t n = first + t; n < last; n += threads) {
        {
          std::unique_lock l(mu);
          cv.wait(l, [&] { return pending < in_flight; });
          ++pending;
        }
        auto report = outcomes->For(n);
        engine->ApplyAsync(WriteFor(n), [&, report](Status s) {
          report(s);
          std::lock_guard l(mu);
          --pending;
          cv.notify_all();
        });
      }
      std::unique_lock l(mu);
      cv.wait(l, [&] { return pending == 0; });
    });
  }
  for (auto& w : writers) w.join();
}

// Many writes in flight from two threads (and blocking Apply from a third) while a
// fourth flushes again and again, on a
// memtable budget small enough for the background flusher to run too: every
// acknowledged write is readable, and after a clean reopen. Then more writes in flight
// without flushes, and a crash: replay brings them all back.
TEST_P(StorageEngineAsyncTest, AcknowledgedWritesSurviveFlushesReopenAndCrash) {
  auto opts = Options(dir_, GetParam());
  opts.memtable_space_bytes = 64 << 10;
  const std::string crashed = dir_.str() + "-crashed";
  constexpr uint64_t kWrites = 6000;
  Outcomes outcomes;
  {
    auto engine = StorageEngine::Open(opts, {Table()}, Decorate);
    ASSERT_OK(engine.status());
    std::atomic<bool> writing{true};
    std::thread flusher([&] {
      while (writing) {
        ASSERT_OK((*engine)->FlushAll());
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
    WriteInFlight(engine->get(), 0, kWrites, 64, &outcomes, /*blocking=*/true);
    writing = false;
    flusher.join();
    EXPECT_EQ(outcomes.seen(), kWrites);
    EXPECT_EQ(outcomes.duplicates(), 0);
    ASSERT_TRUE(outcomes.failed().empty());
    EXPECT_GT((*engine)->metrics().flushes, 3u);
    for (uint64_t n = 0; n < kWrites; ++n) ASSERT_TRUE(Readable(engine->get(), n)) << n;
    ASSERT_OK((*engine)->Close());
  }
  // Reopen with nothing running in the background, so the copy below sees the files as
  // a crash at one instant would.
  opts.memtable_space_bytes = 64 << 20;
  opts.concurrent_compactors = 0;
  {
    auto engine = StorageEngine::Open(opts, {Table()}, Decorate);
    ASSERT_OK(engine.status());
    for (uint64_t n = 0; n < kWrites; ++n) ASSERT_TRUE(Readable(engine->get(), n)) << n;
    WriteInFlight(engine->get(), kWrites, 2 * kWrites, 256, &outcomes);
    EXPECT_EQ(outcomes.seen(), 2 * kWrites);
    ASSERT_TRUE(outcomes.failed().empty());
    CopyLikeACrash(dir_.path(), crashed);  // the new writes live only in the commit log
    ASSERT_OK((*engine)->Close());
  }
  opts.data_directory = crashed + "/data";
  opts.commitlog_directory = crashed + "/commitlog";
  auto engine = StorageEngine::Open(opts, {Table()}, Decorate);
  ASSERT_OK(engine.status());
  EXPECT_GE((*engine)->metrics().replayed_records, kWrites);
  for (uint64_t n = 0; n < 2 * kWrites; ++n) ASSERT_TRUE(Readable(engine->get(), n)) << n;
  ASSERT_OK((*engine)->Close());
  std::filesystem::remove_all(crashed);
}

INSTANTIATE_TEST_SUITE_P(SyncModes, StorageEngineAsyncTest,
                         ::testing::Values(CommitLogSyncMode::kBatch, CommitLogSyncMode::kPeriodic),
                         [](const auto& info) {
                           return std::string(memtable::CommitLogSyncModeName(info.param));
                         });

class StorageEngineBatchAsyncTest : public ::testing::Test {
 protected:
  void SetUp() override { SetLogLevel(LogLevel::kWarn); }
  StorageEngineOptions GatedOptions() {
    auto o = Options(dir_, CommitLogSyncMode::kBatch);
    o.commitlog_fault_injector = [this](CommitLogFileOp op, const std::string&) {
      return gate_.Pass(op);
    };
    return o;
  }
  test::ScratchDir dir_;
  SyncGate gate_;
};

// Cassandra's batch mode: the memtable gets the write after the fdatasync, so no read
// sees a write that a power failure could still take away.
TEST_F(StorageEngineBatchAsyncTest, WriteIsInvisibleUntilItsSyncAndAcknowledgement) {
  auto engine = StorageEngine::Open(GatedOptions(), {Table()}, Decorate);
  ASSERT_OK(engine.status());
  gate_.Close();
  Outcomes outcomes;
  (*engine)->ApplyAsync(WriteFor(7), outcomes.For(7));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));  // the sync thread is waiting
  EXPECT_FALSE(outcomes.Seen(7));
  EXPECT_FALSE(Readable(engine->get(), 7)) << "visible before it was durable";
  gate_.Open();
  outcomes.WaitFor(1);
  EXPECT_TRUE(outcomes.failed().empty());
  EXPECT_TRUE(Readable(engine->get(), 7));
}

// A flush that switches the memtable while a write appended into it waits for its sync
// must wait for that write: the SSTable then claims the log up to the switch, and the
// write would be lost (applied into a memtable already written out) otherwise.
TEST_F(StorageEngineBatchAsyncTest, FlushWaitsForWritesInFlightIntoTheSwitchedMemtable) {
  auto engine = StorageEngine::Open(GatedOptions(), {Table()}, Decorate);
  ASSERT_OK(engine.status());
  ASSERT_OK((*engine)->Apply(WriteFor(1)));  // the memtable is not empty: the flush switches
  gate_.Close();
  Outcomes outcomes;
  (*engine)->ApplyAsync(WriteFor(2), outcomes.For(2));
  std::atomic<bool> flushed{false};
  std::thread flush([&] {
    EXPECT_OK((*engine)->Flush(Table().id));
    flushed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(flushed) << "the flush did not wait for the write in flight";
  (*engine)->ApplyAsync(WriteFor(3), outcomes.For(3));  // after the switch: the new memtable
  gate_.Open();
  flush.join();
  outcomes.WaitFor(2);
  EXPECT_TRUE(outcomes.failed().empty());
  for (uint64_t n : {1, 2, 3}) EXPECT_TRUE(Readable(engine->get(), n)) << n;
  // Writes 1 and 2 are in the SSTable, not only in the commit log.
  const std::string copy = dir_.str() + "-sstables-only";
  CopyLikeACrash(dir_.path(), copy);
  std::filesystem::remove_all(copy + "/commitlog");
  {
    auto o = GatedOptions();
    o.data_directory = copy + "/data";
    o.commitlog_directory = copy + "/commitlog";
    auto reopened = StorageEngine::Open(o, {Table()}, Decorate);
    ASSERT_OK(reopened.status());
    EXPECT_TRUE(Readable(reopened->get(), 1));
    EXPECT_TRUE(Readable(reopened->get(), 2)) << "write 2 missed the flush of its memtable";
    ASSERT_OK((*reopened)->Close());
  }
  std::filesystem::remove_all(copy);
  ASSERT_OK((*engine)->Close());
}

TEST_F(StorageEngineBatchAsyncTest, FailedSyncFailsTheWriteAndEveryLaterOne) {
  std::atomic<bool> fail{false};
  auto opts = Options(dir_, CommitLogSyncMode::kBatch);
  opts.commitlog_fault_injector = [&](CommitLogFileOp op, const std::string&) {
    if (fail && op == CommitLogFileOp::kSync) return Status::IOError("injected EIO");
    return Status::OK();
  };
  auto engine = StorageEngine::Open(opts, {Table()}, Decorate);
  ASSERT_OK(engine.status());
  ASSERT_OK((*engine)->Apply(WriteFor(1)));
  fail = true;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Status> results;
  for (uint64_t n = 2; n < 6; ++n) {
    (*engine)->ApplyAsync(WriteFor(n), [&](Status s) {
      std::lock_guard l(mu);
      results.push_back(s);
      cv.notify_all();
    });
  }
  {
    std::unique_lock l(mu);
    ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(30), [&] { return results.size() == 4; }));
    for (const Status& s : results) EXPECT_TRUE(s.IsIOError()) << s.ToString();
  }
  fail = false;
  // Sticky: a later write fails inline, before any append.
  int calls = 0;
  Status later;
  (*engine)->ApplyAsync(WriteFor(6), [&](Status s) {
    ++calls;
    later = s;
  });
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(later.IsIOError()) << later.ToString();
  EXPECT_TRUE((*engine)->Apply(WriteFor(7)).IsIOError());
  EXPECT_TRUE(Readable(engine->get(), 1));
  for (uint64_t n = 2; n < 8; ++n) EXPECT_FALSE(Readable(engine->get(), n)) << n;
  // The failed writes released their memtable: a flush does not wait for them forever.
  ASSERT_OK((*engine)->Flush(Table().id));
  (void)(*engine)->Close();
}

// Database::ApplyAsync is the engine's, with the same contract, for user tables.
TEST(DatabaseApplyAsyncTest, WritesThroughTheEngineAndSurvivesReopen) {
  SetLogLevel(LogLevel::kWarn);
  test::ScratchDir dir;
  TableId table;
  auto write = [&](const std::string& key) {
    Mutation m;
    m.keyspace = "ks";
    m.key = key;
    PartitionUpdate u;
    u.cells.push_back(Cell::Live("c", "v-" + key, 1));
    m.updates.push_back({table, std::move(u)});
    return m;
  };
  auto readable = [&](Database* db, const std::string& key) {
    auto p = db->Store(table)->Read(db->Decorate(key), CellFilter::All());
    return p.ok() && p->has_value() && (*p)->cells.size() == 1 && (*p)->cells[0].value == "v-" + key;
  };
  {
    auto db = Database::Open(test::DatabaseTestOptions(dir.str()));  // batch mode
    ASSERT_OK(db.status());
    ASSERT_OK((*db)->AddKeyspace(test::TestKeyspace("ks", {"t"})).status());
    table = (*db)->schema()->FindTable("ks", "t")->metadata.id;
    Outcomes outcomes;
    for (uint64_t n = 0; n < 100; ++n) {
      (*db)->ApplyAsync(write("k" + std::to_string(n)), outcomes.For(n));
    }
    outcomes.WaitFor(100);
    EXPECT_TRUE(outcomes.failed().empty());
    for (uint64_t n = 0; n < 100; ++n) EXPECT_TRUE(readable(db->get(), "k" + std::to_string(n)));
    Mutation unknown = write("x");
    unknown.updates[0].table_id = std::string("no-such-table-id", 16);
    int calls = 0;
    Status got;
    (*db)->ApplyAsync(std::move(unknown), [&](Status s) {
      ++calls;
      got = s;
    });
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(got.IsInvalidArgument()) << got.ToString();
    ASSERT_OK((*db)->Close());
  }
  auto db = Database::Open(test::DatabaseTestOptions(dir.str()));
  ASSERT_OK(db.status());
  for (uint64_t n = 0; n < 100; ++n) EXPECT_TRUE(readable(db->get(), "k" + std::to_string(n)));
}

}  // namespace
}  // namespace cairn::node
