// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "node/storage_engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "common/counter.h"
#include "tests/lib/test_util.h"
#include "tests/node/crash_common.h"

namespace cairn::node {
namespace {

using crashtest::CopyLikeACrash;
using crashtest::Decorate;
using crashtest::Table;
using crashtest::ValueFor;
using crashtest::WriteFor;

StorageEngineOptions Options(const test::ScratchDir& dir) {
  StorageEngineOptions o;
  o.data_directory = dir.str() + "/data";
  o.commitlog_directory = dir.str() + "/commitlog";
  o.commitlog_segment_size_bytes = 1 << 20;
  o.sync_sstables = false;
  return o;
}

void ExpectWrite(StorageEngine* engine, uint64_t n) {
  const Mutation m = WriteFor(n);
  auto got = engine->GetTable(Table().id)->Read(Decorate(m.key), CellFilter::All());
  ASSERT_OK(got.status());
  ASSERT_TRUE(got->has_value()) << "write " << n << " missing";
  ASSERT_EQ((*got)->cells.size(), 1u);
  EXPECT_EQ((*got)->cells[0].value, ValueFor(n));
}

class StorageEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { SetLogLevel(LogLevel::kWarn); }
  test::ScratchDir dir_;
};

TEST_F(StorageEngineTest, WritesSurviveCleanRestart) {
  {
    auto engine = StorageEngine::Open(Options(dir_), {Table()}, Decorate);
    ASSERT_OK(engine.status());
    for (uint64_t n = 0; n < 500; ++n) ASSERT_OK((*engine)->Apply(WriteFor(n)));
    ASSERT_OK((*engine)->Flush(Table().id));
    for (uint64_t n = 500; n < 1000; ++n) ASSERT_OK((*engine)->Apply(WriteFor(n)));
    ASSERT_OK((*engine)->Close());
  }
  auto engine = StorageEngine::Open(Options(dir_), {Table()}, Decorate);
  ASSERT_OK(engine.status());
  for (uint64_t n = 0; n < 1000; ++n) ExpectWrite(engine->get(), n);
}

TEST_F(StorageEngineTest, ReplayRestoresUnflushedWritesAndSkipsFlushedOnes) {
  auto opts = Options(dir_);
  {
    auto engine = StorageEngine::Open(opts, {Table()}, Decorate);
    ASSERT_OK(engine.status());
    for (uint64_t n = 0; n < 300; ++n) ASSERT_OK((*engine)->Apply(WriteFor(n)));
    ASSERT_OK((*engine)->Flush(Table().id));
    for (uint64_t n = 300; n < 400; ++n) ASSERT_OK((*engine)->Apply(WriteFor(n)));
    // Simulate a crash: copy the files as they are now, before any shutdown flush.
    CopyLikeACrash(dir_.path(), dir_.path().string() + "-crashed");
    ASSERT_OK((*engine)->Close());
  }
  opts.data_directory = dir_.str() + "-crashed/data";
  opts.commitlog_directory = dir_.str() + "-crashed/commitlog";
  auto engine = StorageEngine::Open(opts, {Table()}, Decorate);
  ASSERT_OK(engine.status());
  for (uint64_t n = 0; n < 400; ++n) ExpectWrite(engine->get(), n);
  StorageEngineMetrics m = (*engine)->metrics();
  EXPECT_EQ(m.replayed_records, 100u);
  EXPECT_GE(m.replay_skipped_records, 300u);
  ASSERT_OK((*engine)->Close());
  std::filesystem::remove_all(dir_.str() + "-crashed");
}

TEST_F(StorageEngineTest, FailedSyncIsStickyAndNothingIsAcknowledged) {
  std::atomic<bool> fail{false};
  auto opts = Options(dir_);
  opts.commitlog_fault_injector = [&](memtable::CommitLogFileOp op, const std::string&) {
    if (fail && op == memtable::CommitLogFileOp::kSync) return Status::IOError("injected EIO");
    return Status::OK();
  };
  auto engine = StorageEngine::Open(opts, {Table()}, Decorate);
  ASSERT_OK(engine.status());
  ASSERT_OK((*engine)->Apply(WriteFor(1)));
  fail = true;
  Status st = (*engine)->Apply(WriteFor(2));
  EXPECT_TRUE(st.IsIOError()) << st.ToString();
  fail = false;
  st = (*engine)->Apply(WriteFor(3));
  EXPECT_TRUE(st.IsIOError()) << "a failed sync must stay failed: " << st.ToString();
  // The unacknowledged writes are not visible either.
  auto got = (*engine)->GetTable(Table().id)->Read(Decorate(WriteFor(3).key), CellFilter::All());
  ASSERT_OK(got.status());
  EXPECT_FALSE(got->has_value());
}

TEST_F(StorageEngineTest, FullDiskDuringFlushKeepsTheMemtable) {
  std::atomic<bool> disk_full{false};
  auto opts = Options(dir_);
  opts.concurrent_compactors = 0;
  opts.sstable_write_hook = [&](const std::string&, size_t) {
    return disk_full ? Status::IOError("No space left on device") : Status::OK();
  };
  {
    auto engine = StorageEngine::Open(opts, {Table()}, Decorate);
    ASSERT_OK(engine.status());
    for (uint64_t n = 0; n < 200; ++n) ASSERT_OK((*engine)->Apply(WriteFor(n)));
    disk_full = true;
    EXPECT_TRUE((*engine)->Flush(Table().id).IsIOError());
    auto cfs = (*engine)->GetTable(Table().id);
    EXPECT_EQ(cfs->sstable_count(), 0u);
    for (uint64_t n = 0; n < 200; ++n) ExpectWrite(engine->get(), n);
    // No half-written file is visible.
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_.str() + "/data")) {
      EXPECT_FALSE(e.is_regular_file()) << "leftover " << e.path();
    }
    disk_full = false;
    for (uint64_t n = 200; n < 250; ++n) ASSERT_OK((*engine)->Apply(WriteFor(n)));
    ASSERT_OK((*engine)->Flush(Table().id));
    EXPECT_GE(cfs->sstable_count(), 1u);
    ASSERT_OK((*engine)->Close());
  }
  auto engine = StorageEngine::Open(opts, {Table()}, Decorate);
  ASSERT_OK(engine.status());
  for (uint64_t n = 0; n < 250; ++n) ExpectWrite(engine->get(), n);
}

// Database::Truncate's primitive: the new store is in place before the old one goes,
// the old table's unflushed records never come back, and a failed replace changes
// nothing (the old store keeps its memtable).
TEST_F(StorageEngineTest, ReplaceTableSwapsStoresAtomically) {
  auto opts = Options(dir_);
  TableMetadata fresh = Table();
  fresh.id = std::string("crash-test-fresh", 16);
  {
    auto engine = StorageEngine::Open(opts, {Table()}, Decorate);
    ASSERT_OK(engine.status());
    for (uint64_t n = 0; n < 50; ++n) ASSERT_OK((*engine)->Apply(WriteFor(n)));
    ASSERT_OK((*engine)->Flush(Table().id));
    for (uint64_t n = 50; n < 100; ++n) ASSERT_OK((*engine)->Apply(WriteFor(n)));

    // Refused: unknown old id, or the replacement's id already taken.
    EXPECT_TRUE((*engine)->ReplaceTable("no-such-table-id", fresh).IsNotFound());
    EXPECT_TRUE((*engine)->ReplaceTable(Table().id, Table()).IsInvalidArgument());
    for (uint64_t n = 0; n < 100; ++n) ExpectWrite(engine->get(), n);

    ASSERT_OK((*engine)->ReplaceTable(Table().id, fresh));
    EXPECT_EQ((*engine)->GetTable(Table().id), nullptr);
    auto store = (*engine)->GetTable("crash", "t");
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->metadata().id, fresh.id);
    auto got = store->Read(Decorate(WriteFor(7).key), CellFilter::All());
    ASSERT_OK(got.status());
    EXPECT_FALSE(got->has_value());
    Mutation m = WriteFor(200);
    m.updates[0].table_id = fresh.id;
    ASSERT_OK((*engine)->Apply(m));
    // Simulate a crash: nothing flushed since the replace.
    CopyLikeACrash(dir_.path(), dir_.path().string() + "-crashed");
    ASSERT_OK((*engine)->Close());
  }
  opts.data_directory = dir_.str() + "-crashed/data";
  opts.commitlog_directory = dir_.str() + "-crashed/commitlog";
  auto engine = StorageEngine::Open(opts, {fresh}, Decorate);
  ASSERT_OK(engine.status());
  auto store = (*engine)->GetTable(fresh.id);
  auto got = store->Read(Decorate(WriteFor(200).key), CellFilter::All());
  ASSERT_OK(got.status());
  EXPECT_TRUE(got->has_value());
  got = store->Read(Decorate(WriteFor(60).key), CellFilter::All());
  ASSERT_OK(got.status());
  EXPECT_FALSE(got->has_value()) << "a write to the replaced table came back";
  ASSERT_OK((*engine)->Close());
  std::filesystem::remove_all(dir_.str() + "-crashed");
}

TEST_F(StorageEngineTest, MemtablePressureFlushesAndCompactsInBackground) {
  auto opts = Options(dir_);
  opts.memtable_space_bytes = 128 << 10;
  opts.commitlog_sync = memtable::CommitLogSyncMode::kPeriodic;
  auto engine = StorageEngine::Open(opts, {Table()}, Decorate);
  ASSERT_OK(engine.status());
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (uint64_t n = static_cast<uint64_t>(t); n < 20000; n += 4) {
        ASSERT_OK((*engine)->Apply(WriteFor(n)));
      }
    });
  }
  for (auto& w : writers) w.join();
  // Give the background threads a moment to finish what they started.
  for (int i = 0; i < 100 && (*engine)->metrics().compactions == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  StorageEngineMetrics m = (*engine)->metrics();
  EXPECT_GT(m.flushes, 3u);
  EXPECT_GT(m.compactions, 0u);
  for (uint64_t n = 0; n < 20000; n += 97) ExpectWrite(engine->get(), n);
}


// compaction_throughput: a compaction charges its input's bytes to the node's pace, and a
// paced compaction (here at 4 MiB/s, a few hundred milliseconds for this input) still
// produces the same data.
TEST(StorageEngineCompactionPaceTest, CompactionsChargeTheirInputToThePace) {
  SetLogLevel(LogLevel::kWarn);
  test::ScratchDir dir;
  StorageEngineOptions o = Options(dir);
  o.concurrent_compactors = 0;
  o.compaction_throughput_bytes_per_sec = 4 << 20;
  o.commitlog_sync = memtable::CommitLogSyncMode::kPeriodic;  // quicker writes
  auto engine = StorageEngine::Open(o, {Table()}, Decorate);
  ASSERT_OK(engine.status());
  EXPECT_EQ((*engine)->compaction_throughput(), 4u << 20);
  for (uint64_t n = 0; n < 32000; ++n) {
    ASSERT_OK((*engine)->Apply(WriteFor(n)));
    if (n % 8000 == 7999) ASSERT_OK((*engine)->Flush(Table().id));
  }
  auto cfs = (*engine)->GetTable(Table().id);
  ASSERT_EQ(cfs->sstables().size(), 4u);
  uint64_t input = 0;
  for (const auto& sst : cfs->sstables()) input += sst->data_size();
  ASSERT_GT(input, 512u << 10) << "the input must span several pacing steps";
  EXPECT_EQ((*engine)->compaction_bytes_paced(), 0u);
  ASSERT_OK(cfs->MajorCompact());
  ASSERT_EQ(cfs->sstables().size(), 1u);
  // Charged in steps of 256 KiB: all of the input but the last partial step.
  const uint64_t paced = (*engine)->compaction_bytes_paced();
  EXPECT_LE(paced, input);
  EXPECT_GT(paced, input - (256u << 10));
  for (uint64_t n = 0; n < 32000; n += 37) ExpectWrite(engine->get(), n);
  // Unpaced from now on (nodetool setcompactionthroughput 0): still charged, never waits.
  (*engine)->SetCompactionThroughput(0);
  EXPECT_EQ((*engine)->compaction_throughput(), 0u);
  // Closing lifts the pace, so that a running compaction cannot hold the shutdown up.
  (*engine)->SetCompactionThroughput(1);
  ASSERT_OK((*engine)->Close());
  EXPECT_EQ((*engine)->compaction_throughput(), 0u);
}

TEST(StorageEngineUpdateTableTest, NewGcGraceAppliesToTheNextCompaction) {
  SetLogLevel(LogLevel::kWarn);
  test::ScratchDir dir;
  StorageEngineOptions o = Options(dir);
  o.concurrent_compactors = 0;
  TableMetadata table = crashtest::Table();
  table.gc_grace_seconds = 864000;
  auto engine = StorageEngine::Open(o, {table}, crashtest::Decorate);
  ASSERT_OK(engine.status());
  const int32_t now = Clock::Real()->NowSeconds();
  for (int i = 0; i < 10; ++i) {
    Mutation m;
    m.keyspace = "crash";
    m.key = "k" + std::to_string(i);
    PartitionUpdate u;
    u.cells.push_back(Cell::Tombstone("c", 5, now - 10));
    m.updates.push_back({table.id, u});
    ASSERT_OK((*engine)->Apply(m));
  }
  ASSERT_OK((*engine)->Flush(table.id));
  auto cfs = (*engine)->GetTable(table.id);
  ASSERT_OK(cfs->MajorCompact());
  ASSERT_EQ(cfs->sstables().size(), 1u);
  EXPECT_EQ(cfs->sstables()[0]->stats().tombstone_count, 10u) << "gc_grace 10 days keeps them";

  TableMetadata changed = table;
  changed.gc_grace_seconds = 0;
  ASSERT_OK((*engine)->UpdateTable(changed));
  EXPECT_EQ(cfs->tunables().gc_grace_seconds, 0);
  ASSERT_OK(cfs->MajorCompact());
  EXPECT_TRUE(cfs->sstables().empty() || cfs->sstables()[0]->stats().tombstone_count == 0u);

  TableMetadata other_comparator = table;
  other_comparator.comparator = ParseType("UTF8Type").value();
  EXPECT_TRUE((*engine)->UpdateTable(other_comparator).IsInvalidArgument());
  TableMetadata unknown = table;
  unknown.id = NewTableId();
  EXPECT_TRUE((*engine)->UpdateTable(unknown).IsNotFound());
}


// Regression (review B1): a replay that fails part-way must not flush what it had
// replayed on the way out, or the next start skips the records it never applied.
TEST(StorageEngineRecoveryTest, FailedReplayLosesNothingOnTheNextStart) {
  SetLogLevel(LogLevel::kError);
  test::ScratchDir dir;
  StorageEngineOptions o = Options(dir);
  o.commitlog_segment_size_bytes = 64 << 10;
  o.commitlog_sync = memtable::CommitLogSyncMode::kPeriodic;
  const std::string crashed = dir.str() + "-crashed";
  {
    auto engine = StorageEngine::Open(o, {Table()}, Decorate);
    ASSERT_OK(engine.status());
    for (uint64_t n = 0; n < 1500; ++n) ASSERT_OK((*engine)->Apply(WriteFor(n)));
    ASSERT_OK((*engine)->commit_log()->Sync());
    CopyLikeACrash(dir.path(), crashed);
    ASSERT_OK((*engine)->Close());
  }
  o.data_directory = crashed + "/data";
  o.commitlog_directory = crashed + "/commitlog";
  std::vector<std::filesystem::path> segments;
  for (const auto& e : std::filesystem::directory_iterator(o.commitlog_directory)) {
    if (e.path().extension() == ".log") segments.push_back(e.path());
  }
  std::sort(segments.begin(), segments.end());
  ASSERT_GE(segments.size(), 3u);
  // Damage the second segment's magic: the open must fail...
  std::string magic;
  {
    std::fstream f(segments[1], std::ios::in | std::ios::out | std::ios::binary);
    magic.resize(8);
    f.read(magic.data(), 8);
    f.seekp(0);
    f.write("XXXXXXXX", 8);
  }
  EXPECT_FALSE(StorageEngine::Open(o, {Table()}, Decorate).ok());
  // ...and once repaired, every write is still there.
  {
    std::fstream f(segments[1], std::ios::in | std::ios::out | std::ios::binary);
    f.write(magic.data(), 8);
  }
  auto engine = StorageEngine::Open(o, {Table()}, Decorate);
  ASSERT_OK(engine.status());
  for (uint64_t n = 0; n < 1500; ++n) ExpectWrite(engine->get(), n);
  ASSERT_OK((*engine)->Close());
  std::filesystem::remove_all(crashed);
}

// Regression (review B2): a crash between installing a compaction's output and deleting
// all its inputs must not bring back what the compaction purged.
TEST(StorageEngineRecoveryTest, LeftoverCompactionInputIsDeletedAtOpen) {
  SetLogLevel(LogLevel::kError);
  test::ScratchDir dir;
  TableMetadata md = Table();
  md.gc_grace_seconds = 0;
  ColumnFamilyStoreOptions o;
  o.directory = dir.str() + "/t";
  o.sync_sstables = false;
  const DecoratedKey key = Decorate("k");
  const int32_t now = Clock::Real()->NowSeconds();
  const std::string crashed = dir.str() + "/crashed";
  {
    auto cfs = ColumnFamilyStore::Open(md, o);
    ASSERT_OK(cfs.status());
    PartitionUpdate live, dead;
    live.cells.push_back(Cell::Live("c", "v", 100));
    dead.cells.push_back(Cell::Tombstone("c", 200, now - 10));
    (*cfs)->Apply(key, live);
    ASSERT_TRUE((*cfs)->SwitchMemtable({1, 1}));
    ASSERT_OK((*cfs)->FlushPending().status());
    (*cfs)->Apply(key, dead);
    ASSERT_TRUE((*cfs)->SwitchMemtable({1, 2}));
    ASSERT_OK((*cfs)->FlushPending().status());
    // A long scan holds the first SSTable (the live cell), so its files outlive the
    // compaction; the second (the tombstone) is deleted at once.
    std::shared_ptr<sstable::SSTableReader> held;
    for (const auto& sst : (*cfs)->sstables()) {
      if (sst->stats().max_timestamp == 100) held = sst;
    }
    ASSERT_NE(held, nullptr);
    ASSERT_OK((*cfs)->MajorCompact());
    CopyLikeACrash(o.directory, crashed);
  }
  o.directory = crashed;
  auto cfs = ColumnFamilyStore::Open(md, o);
  ASSERT_OK(cfs.status());
  auto got = (*cfs)->Read(key, CellFilter::All());
  ASSERT_OK(got.status());
  if (got->has_value()) {
    (*got)->RemoveShadowed(*BytesTypeInstance());
    for (const Cell& c : (*got)->cells) EXPECT_FALSE(c.IsLive(now)) << "resurrected " << c.value;
  }
}


// Regression (review B3): a table that gets a trickle of writes must not pin commit log
// segments forever.
TEST(StorageEngineRecoveryTest, CommitLogStaysBoundedWithARarelyWrittenTable) {
  SetLogLevel(LogLevel::kError);
  test::ScratchDir dir;
  StorageEngineOptions o = Options(dir);
  o.commitlog_segment_size_bytes = 64 << 10;
  o.commitlog_total_space_bytes = 256 << 10;
  o.commitlog_sync = memtable::CommitLogSyncMode::kPeriodic;
  o.concurrent_compactors = 0;
  TableMetadata heavy = Table();
  TableMetadata light = Table();
  light.name = "light";
  light.id = std::string("crash-test-light", 16);
  auto engine = StorageEngine::Open(o, {heavy, light}, Decorate);
  ASSERT_OK(engine.status());
  for (int round = 0; round < 20; ++round) {
    for (uint64_t n = 0; n < 600; ++n) ASSERT_OK((*engine)->Apply(WriteFor(round * 1000 + n)));
    Mutation m = WriteFor(round);
    m.updates[0].table_id = light.id;
    ASSERT_OK((*engine)->Apply(m));
    ASSERT_OK((*engine)->Flush(heavy.id));
  }
  // The flusher checks the log's size every second.
  size_t live = 0;
  for (int i = 0; i < 40; ++i) {
    live = (*engine)->commit_log()->LiveSegmentIds().size();
    if (live <= 6) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_LE(live, 6u) << "segments pinned by the light table";
}

}  // namespace
}  // namespace cairn::node

namespace cairn::node {
namespace {

// ---- Cleanup (nodetool cleanup; node/column_family_store.h) ----

namespace cleanup {

// Keeps the lower half of the token space (tokens are big-endian 64-bit checksums).
bool LowerHalf(const Token& t) { return static_cast<uint8_t>(t.bytes[0]) < 0x80; }

bool Kept(uint64_t n) { return LowerHalf(Decorate(WriteFor(n).key).token); }

std::set<uint64_t> Generations(const ColumnFamilyStore& cfs) {
  std::set<uint64_t> out;
  for (const auto& sst : cfs.sstables()) out.insert(sst->generation());
  return out;
}

}  // namespace cleanup

TEST_F(StorageEngineTest, CleanupDropsRejectedPartitionsAndKeepsEverythingElse) {
  uint64_t expected_dropped = 0;
  {
    auto engine = StorageEngine::Open(Options(dir_), {Table()}, Decorate);
    ASSERT_OK(engine.status());
    for (uint64_t n = 0; n < 2000; ++n) {
      ASSERT_OK((*engine)->Apply(WriteFor(n)));
      if (n % 500 == 499) ASSERT_OK((*engine)->Flush(Table().id));
      if (!cleanup::Kept(n)) ++expected_dropped;
    }
    // A kept partition with a newer tombstone over its cell: both versions survive.
    uint64_t tomb = 0;
    while (!cleanup::Kept(tomb)) ++tomb;
    Mutation del = WriteFor(tomb);
    del.updates[0].update.cells[0] =
        Cell::Tombstone(del.updates[0].update.cells[0].name, 1'000'000, 1000);
    ASSERT_OK((*engine)->Apply(del));
    ASSERT_OK((*engine)->Flush(Table().id));
    auto cfs = (*engine)->GetTable(Table().id);
    ColumnFamilyStore::CleanupStats stats;
    ASSERT_OK(cfs->Cleanup(cleanup::LowerHalf, &stats));
    EXPECT_EQ(stats.partitions_dropped, expected_dropped);
    // Background compaction may have merged the five SSTables already: at least one.
    EXPECT_GE(stats.sstables_rewritten, 1u);
    EXPECT_EQ(stats.sstables_removed, 0u);
    EXPECT_LT(stats.bytes_after, stats.bytes_before);
    // A second cleanup finds nothing and rewrites nothing.
    const auto before = cleanup::Generations(*cfs);
    ColumnFamilyStore::CleanupStats again;
    ASSERT_OK(cfs->Cleanup(cleanup::LowerHalf, &again));
    EXPECT_EQ(again.partitions_dropped, 0u);
    EXPECT_EQ(again.sstables_rewritten, 0u);
    EXPECT_EQ(cleanup::Generations(*cfs), before);
    // Writes after the cleanup are kept.
    ASSERT_OK((*engine)->Apply(WriteFor(5000)));
    ASSERT_OK((*engine)->Close());
  }
  // After a restart: kept keys read back (the tombstoned one as its tombstone), dropped
  // keys are gone.
  auto engine = StorageEngine::Open(Options(dir_), {Table()}, Decorate);
  ASSERT_OK(engine.status());
  auto cfs = (*engine)->GetTable(Table().id);
  uint64_t tomb = 0;
  while (!cleanup::Kept(tomb)) ++tomb;
  for (uint64_t n = 0; n < 2000; ++n) {
    const Mutation m = WriteFor(n);
    auto got = cfs->Read(Decorate(m.key), CellFilter::All());
    ASSERT_OK(got.status());
    if (!cleanup::Kept(n)) {
      EXPECT_FALSE(got->has_value()) << "dropped key " << n << " is back";
      continue;
    }
    ASSERT_TRUE(got->has_value()) << "kept key " << n << " is gone";
    ASSERT_EQ((*got)->cells.size(), 1u);
    if (n == tomb) {
      EXPECT_FALSE((*got)->cells[0].IsLive(2000)) << "the tombstone was lost";
    } else {
      EXPECT_EQ((*got)->cells[0].value, ValueFor(n));
    }
  }
  ExpectWrite(engine->get(), 5000);
}

TEST_F(StorageEngineTest, CleanupLeavesWhollyKeptSSTablesAndRemovesWhollyDroppedOnes) {
  auto engine = StorageEngine::Open(Options(dir_), {Table()}, Decorate);
  ASSERT_OK(engine.status());
  for (uint64_t n = 0; n < 300; ++n) ASSERT_OK((*engine)->Apply(WriteFor(n)));
  ASSERT_OK((*engine)->Flush(Table().id));
  for (uint64_t n = 300; n < 600; ++n) ASSERT_OK((*engine)->Apply(WriteFor(n)));
  ASSERT_OK((*engine)->Flush(Table().id));
  auto cfs = (*engine)->GetTable(Table().id);
  const auto generations = cleanup::Generations(*cfs);
  ASSERT_EQ(generations.size(), 2u);

  ColumnFamilyStore::CleanupStats all;
  ASSERT_OK(cfs->Cleanup([](const Token&) { return true; }, &all));
  EXPECT_EQ(all.partitions_dropped, 0u);
  EXPECT_EQ(all.sstables_rewritten + all.sstables_removed, 0u);
  EXPECT_EQ(all.bytes_after, all.bytes_before);
  EXPECT_EQ(cleanup::Generations(*cfs), generations) << "a wholly kept SSTable was rewritten";

  ColumnFamilyStore::CleanupStats none;
  ASSERT_OK(cfs->Cleanup([](const Token&) { return false; }, &none));
  EXPECT_EQ(none.partitions_dropped, 600u);
  EXPECT_EQ(none.sstables_removed, 2u);
  // One empty SSTable stands in for them, so the commit log stays covered (a restart
  // does not replay what they held).
  ASSERT_EQ(cfs->sstables().size(), 1u);
  EXPECT_EQ(cfs->sstables()[0]->stats().partition_count, 0u);
  EXPECT_LT(none.bytes_after, none.bytes_before);
  auto got = cfs->Read(Decorate(WriteFor(7).key), CellFilter::All());
  ASSERT_OK(got.status());
  EXPECT_FALSE(got->has_value());
  ASSERT_OK((*engine)->Close());
}

}  // namespace
}  // namespace cairn::node

// ---- Counter cells through the engine (common/counter.h) ----

namespace cairn::node {
namespace {

Mutation CounterShardWrite(const std::string& key, char host, int64_t clock, int64_t count) {
  Mutation m;
  m.keyspace = "crash";
  m.key = key;
  PartitionUpdate u;
  u.cells.push_back(Cell::Counter("hits", EncodeCounterContext({{std::string(16, host), clock, count}}),
                                  1000 + clock));
  m.updates.push_back({Table().id, u});
  return m;
}

int64_t CounterValue(StorageEngine* engine, const std::string& key) {
  auto got = engine->GetTable(Table().id)->Read(Decorate(key), CellFilter::All());
  EXPECT_TRUE(got.ok());
  if (!got.ok() || !got->has_value() || (*got)->cells.empty()) return -1;
  EXPECT_EQ((*got)->cells[0].kind, CellKind::kCounter);
  return CounterTotal((*got)->cells[0].value);
}

TEST_F(StorageEngineTest, CounterShardsMergeAcrossMemtablesAndSSTablesAndReplayIdempotently) {
  {
    auto engine = StorageEngine::Open(Options(dir_), {Table()}, Decorate);
    ASSERT_OK(engine.status());
    // Host a leads increments 1..3 (each a new shard version), host b one; flushes in
    // between, so the shards live in different SSTables and the memtable.
    ASSERT_OK((*engine)->Apply(CounterShardWrite("c", 'a', 1, 5)));
    ASSERT_OK((*engine)->Flush(Table().id));
    ASSERT_OK((*engine)->Apply(CounterShardWrite("c", 'b', 1, 100)));
    ASSERT_OK((*engine)->Apply(CounterShardWrite("c", 'a', 2, 8)));
    ASSERT_OK((*engine)->Flush(Table().id));
    ASSERT_OK((*engine)->Apply(CounterShardWrite("c", 'a', 3, 10)));
    // The same shard again (a retried replication): counted once.
    ASSERT_OK((*engine)->Apply(CounterShardWrite("c", 'a', 3, 10)));
    // An older shard arriving late changes nothing.
    ASSERT_OK((*engine)->Apply(CounterShardWrite("c", 'a', 2, 8)));
    EXPECT_EQ(CounterValue(engine->get(), "c"), 110);
    // Crash copy: the unflushed shards come back from the commit log, once.
    CopyLikeACrash(dir_.path(), dir_.path().string() + "-crashed");
    ASSERT_OK((*engine)->Close());
  }
  auto opts = Options(dir_);
  opts.data_directory = dir_.str() + "-crashed/data";
  opts.commitlog_directory = dir_.str() + "-crashed/commitlog";
  auto engine = StorageEngine::Open(opts, {Table()}, Decorate);
  ASSERT_OK(engine.status());
  EXPECT_EQ(CounterValue(engine->get(), "c"), 110);
  // Compaction keeps the merged value.
  ASSERT_OK((*engine)->Flush(Table().id));
  ASSERT_OK((*engine)->GetTable(Table().id)->MajorCompact());
  EXPECT_EQ(CounterValue(engine->get(), "c"), 110);
  ASSERT_OK((*engine)->Close());
  std::filesystem::remove_all(dir_.str() + "-crashed");
}

}  // namespace
}  // namespace cairn::node
