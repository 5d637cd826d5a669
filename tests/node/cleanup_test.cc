// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// nodetool cleanup's storage part (issue 6): ColumnFamilyStore::Cleanup and
// StorageEngine::Cleanup over real files, with the Murmur3 partitioner's tokens. Checks
// what is kept (every cell version and tombstone, unchanged), what is dropped, the
// stats, which SSTables are kept, removed or rewritten, restarts and crashes at each
// step, and that concurrent writes, flushes and compactions lose nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "common/logging.h"
#include "node/storage_engine.h"
#include "ring/partitioner.h"
#include "ring/range.h"
#include "tests/lib/test_util.h"
#include "tests/node/crash_common.h"

namespace cairn::node {
namespace {

namespace fs = std::filesystem;
using crashtest::CopyLikeACrash;
using ring::Murmur3Partitioner;

DecoratedKey Decorate(std::string_view key) {
  return Murmur3Partitioner::Instance()->Decorate(key);
}

TableMetadata Table(int32_t gc_grace_seconds = 0) {
  TableMetadata t;
  t.keyspace = "ks";
  t.name = "t";
  t.id = std::string("cleanup-test-tbl", 16);
  // Zero: a cleanup that purged tombstones the way compaction does would lose them all.
  t.gc_grace_seconds = gc_grace_seconds;
  return t;
}

StorageEngineOptions Options(const std::string& dir, int compactors = 0) {
  StorageEngineOptions o;
  o.data_directory = dir + "/data";
  o.commitlog_directory = dir + "/commitlog";
  o.commitlog_segment_size_bytes = 1 << 20;
  o.sync_sstables = false;
  // Acknowledged once in the OS page cache, which a process crash (CopyLikeACrash)
  // keeps; an fdatasync per write would make these tests slow for nothing.
  o.commitlog_sync = memtable::CommitLogSyncMode::kPeriodic;
  o.concurrent_compactors = compactors;
  return o;
}

// The ranges this node "still owns": (-2^62, 0] and (2^62, 2^62 + 2^61], 3/8 of the
// ring, tested with ring::Range as POST /cleanup does.
const std::vector<ring::Range>& OwnedRanges() {
  static const std::vector<ring::Range> ranges = {
      {Murmur3Partitioner::FromLong(INT64_MIN / 2), Murmur3Partitioner::FromLong(0)},
      {Murmur3Partitioner::FromLong(1LL << 62),
       Murmur3Partitioner::FromLong((1LL << 62) + (1LL << 61))},
  };
  return ranges;
}

bool Owned(const Token& t) {
  for (const ring::Range& r : OwnedRanges()) {
    if (r.Contains(t)) return true;
  }
  return false;
}

std::string Key(uint64_t n) { return "key" + std::to_string(n); }
bool Kept(uint64_t n) { return Owned(Decorate(Key(n)).token); }

Mutation Write(uint64_t n, PartitionUpdate u) {
  Mutation m;
  m.keyspace = "ks";
  m.key = Key(n);
  m.updates.push_back({Table().id, std::move(u)});
  return m;
}

Mutation Cells(uint64_t n, std::vector<Cell> cells) {
  PartitionUpdate u;
  u.cells = std::move(cells);
  return Write(n, std::move(u));
}

// `count` keys from `from` on whose token Kept() says `kept` about.
std::vector<uint64_t> KeysWhere(bool kept, uint64_t from, size_t count) {
  std::vector<uint64_t> out;
  for (uint64_t n = from; out.size() < count; ++n) {
    if (Kept(n) == kept) out.push_back(n);
  }
  return out;
}

using Contents = std::map<std::string, PartitionUpdate>;  // key -> partition as stored

Contents ReadAll(const sstable::SSTableReader& sst) {
  Contents out;
  auto it = sst.NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) out[it->key().key] = it->partition();
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return out;
}

std::set<uint64_t> Generations(const ColumnFamilyStore& cfs) {
  std::set<uint64_t> out;
  for (const auto& sst : cfs.sstables()) out.insert(sst->generation());
  return out;
}

uint64_t DataBytes(const ColumnFamilyStore& cfs) {
  uint64_t n = 0;
  for (const auto& sst : cfs.sstables()) n += sst->data_size();
  return n;
}

std::set<std::string> FileNames(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.insert(e.path().lexically_relative(dir).string());
  }
  return out;
}

// Readable failure messages.
std::string Describe(const PartitionUpdate& p) {
  std::string out = "{deletion " + std::to_string(p.deletion.marked_for_delete_at);
  for (const RangeTombstone& rt : p.range_tombstones) {
    out +=
        " rt[" + rt.start + "," + rt.end + "]@" + std::to_string(rt.deletion.marked_for_delete_at);
  }
  for (const Cell& c : p.cells) {
    out += " " + c.name + "=" + c.value + "@" + std::to_string(c.timestamp) + "/k" +
           std::to_string(static_cast<int>(c.kind)) + "/" + std::to_string(c.local_time);
  }
  return out + "}";
}

std::optional<PartitionUpdate> ReadKey(const ColumnFamilyStore& cfs, uint64_t n) {
  auto got = cfs.Read(Decorate(Key(n)), CellFilter::All());
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  return got.ok() ? *got : std::nullopt;
}

class CleanupTest : public ::testing::Test {
 protected:
  void SetUp() override { SetLogLevel(LogLevel::kWarn); }

  Result<std::unique_ptr<StorageEngine>> OpenEngine(int compactors = 0,
                                                    int32_t gc_grace_seconds = 0) {
    return StorageEngine::Open(Options(dir_.str(), compactors), {Table(gc_grace_seconds)},
                               Decorate);
  }

  // Every key written so far and what a read of it returned before the cleanup.
  std::map<uint64_t, std::optional<PartitionUpdate>> Snapshot(const ColumnFamilyStore& cfs) {
    std::map<uint64_t, std::optional<PartitionUpdate>> out;
    for (uint64_t n : written_) out[n] = ReadKey(cfs, n);
    return out;
  }

  // Kept keys read exactly as before; dropped keys are absent.
  void ExpectCleaned(const ColumnFamilyStore& cfs,
                     const std::map<uint64_t, std::optional<PartitionUpdate>>& before) {
    size_t kept = 0;
    for (const auto& [n, was] : before) {
      const std::optional<PartitionUpdate> now = ReadKey(cfs, n);
      if (!Kept(n)) {
        EXPECT_FALSE(now.has_value()) << "dropped key " << n << " still reads";
        continue;
      }
      ++kept;
      ASSERT_TRUE(was.has_value()) << n;
      ASSERT_TRUE(now.has_value()) << "kept key " << n << " is gone";
      EXPECT_TRUE(*now == *was) << "kept key " << n << " changed: " << Describe(*was) << " -> "
                                << Describe(*now);
    }
    EXPECT_GT(kept, 0u);
  }

  Status Apply(StorageEngine* engine, Mutation m) {
    written_.insert(static_cast<uint64_t>(std::stoull(m.key.substr(3))));
    return engine->Apply(std::move(m));
  }

  test::ScratchDir dir_;
  std::set<uint64_t> written_;
};

// The main scenario, without background compaction so that generations are predictable:
//   A: 2,000 partitions, cells a and b                       (mixed: rewritten)
//   B: every third, a newer a; a cell tombstone, partition deletions, range tombstones and
//      expiring cells on others                               (mixed: rewritten)
//   C: 150 partitions outside the kept ranges                 (removed)
//   D: 150 partitions inside them                             (left, same generation)
//   memtable: every seventh of the 2,000, cell m              (flushed by Cleanup, rewritten)
TEST_F(CleanupTest, DropsUnownedPartitionsKeepsOwnedOnesUnchangedAndSurvivesRestart) {
  const int32_t now = static_cast<int32_t>(Clock::Real()->NowSeconds());
  std::map<uint64_t, std::vector<uint64_t>> holders;  // generation -> keys it holds
  std::vector<std::vector<uint64_t>> rounds(5);
  std::map<uint64_t, std::optional<PartitionUpdate>> before;
  std::map<uint64_t, Contents> old_contents;  // generation -> contents (A..D)
  std::set<uint64_t> after_generations;
  uint64_t gen_c = 0, gen_d = 0;
  {
    auto engine = OpenEngine();
    ASSERT_OK(engine.status());
    StorageEngine* e = engine->get();
    auto cfs = e->GetTable(Table().id);
    for (uint64_t n = 0; n < 2000; ++n) {
      ASSERT_OK(Apply(e, Cells(n, {Cell::Live("a", "a1-" + std::to_string(n), 10),
                                   Cell::Live("b", "b1-" + std::to_string(n), 10)})));
      rounds[0].push_back(n);
    }
    ASSERT_OK(e->Flush(Table().id));
    for (uint64_t n = 0; n < 2000; ++n) {
      PartitionUpdate u;
      if (n % 3 == 0) u.cells.push_back(Cell::Live("a", "a2-" + std::to_string(n), 20));
      switch (n % 10) {
        case 1:
          u.cells.push_back(Cell::Tombstone("b", 20, now));
          break;
        case 2:
          u.deletion = DeletionTime{15, now};
          break;
        case 4:
          u.range_tombstones.push_back({"a", "b", DeletionTime{15, now}});
          break;
        case 6:
          u.cells.push_back(Cell::Expiring("e", "ttl", 20, 100000, now));
          break;
        default:
          break;
      }
      if (u.empty()) continue;
      ASSERT_OK(Apply(e, Write(n, std::move(u))));
      rounds[1].push_back(n);
    }
    ASSERT_OK(e->Flush(Table().id));
    rounds[2] = KeysWhere(false, 2000, 150);
    for (uint64_t n : rounds[2]) ASSERT_OK(Apply(e, Cells(n, {Cell::Live("c", "out", 30)})));
    ASSERT_OK(e->Flush(Table().id));
    rounds[3] = KeysWhere(true, 2000, 150);
    for (uint64_t n : rounds[3]) ASSERT_OK(Apply(e, Cells(n, {Cell::Live("d", "in", 30)})));
    ASSERT_OK(e->Flush(Table().id));
    for (uint64_t n = 0; n < 2000; n += 7) {
      ASSERT_OK(Apply(e, Cells(n, {Cell::Live("m", "memtable", 40)})));
      rounds[4].push_back(n);
    }

    // Four SSTables, in flush order.
    std::vector<std::shared_ptr<sstable::SSTableReader>> ssts = cfs->sstables();
    ASSERT_EQ(ssts.size(), 4u);
    std::sort(ssts.begin(), ssts.end(),
              [](const auto& x, const auto& y) { return x->generation() < y->generation(); });
    for (const auto& sst : ssts) old_contents[sst->generation()] = ReadAll(*sst);
    gen_c = ssts[2]->generation();
    gen_d = ssts[3]->generation();
    const uint64_t bytes_abcd = DataBytes(*cfs);
    ssts.clear();
    before = Snapshot(*cfs);

    uint64_t expected_dropped = 0;
    for (const auto& round : rounds) {
      for (uint64_t n : round) expected_dropped += Kept(n) ? 0 : 1;
    }

    ColumnFamilyStore::CleanupStats stats;
    ASSERT_OK(e->Cleanup(Table().id, Owned, &stats));
    EXPECT_EQ(stats.partitions_dropped, expected_dropped);
    EXPECT_EQ(stats.sstables_rewritten, 3u);    // A, B and the memtable's
    EXPECT_EQ(stats.sstables_removed, 1u);      // C
    EXPECT_GT(stats.bytes_before, bytes_abcd);  // + the memtable's SSTable
    EXPECT_EQ(stats.bytes_after, DataBytes(*cfs));
    EXPECT_LT(stats.bytes_after, stats.bytes_before);

    // D untouched; A and B replaced by SSTables naming them as ancestors and holding
    // exactly their kept partitions, unchanged; C replaced by an empty marker SSTable
    // naming it (see ColumnFamilyStore::Cleanup).
    after_generations = Generations(*cfs);
    EXPECT_EQ(after_generations.size(), 5u);
    EXPECT_EQ(after_generations.count(gen_d), 1u) << "a wholly kept SSTable was rewritten";
    EXPECT_EQ(after_generations.count(gen_c), 0u) << "a wholly dropped SSTable is still live";
    size_t replacements = 0, markers = 0;
    for (const auto& sst : cfs->sstables()) {
      const auto& ancestors = sst->stats().ancestors;
      if (sst->generation() == gen_d) {
        EXPECT_TRUE(ancestors.empty());
        continue;
      }
      ASSERT_EQ(ancestors.size(), 1u) << "generation " << sst->generation();
      if (ancestors[0] == gen_c) {
        EXPECT_EQ(sst->stats().partition_count, 0u) << "the marker replacing C holds data";
        ++markers;
        continue;
      }
      auto old = old_contents.find(ancestors[0]);
      if (old == old_contents.end()) continue;  // the memtable's SSTable, flushed by Cleanup
      ++replacements;
      Contents expected;
      for (const auto& [key, p] : old->second) {
        if (Owned(Decorate(key).token)) expected[key] = p;
      }
      EXPECT_EQ(ReadAll(*sst), expected) << "rewrite of generation " << ancestors[0];
    }
    EXPECT_EQ(replacements, 2u);
    EXPECT_EQ(markers, 1u);
    ExpectCleaned(*cfs, before);

    // Idempotent: a second cleanup finds nothing to drop and touches nothing.
    ColumnFamilyStore::CleanupStats again;
    ASSERT_OK(e->Cleanup(Table().id, Owned, &again));
    EXPECT_EQ(again.partitions_dropped, 0u);
    EXPECT_EQ(again.sstables_rewritten + again.sstables_removed, 0u);
    EXPECT_EQ(Generations(*cfs), after_generations);
    ASSERT_OK(e->Close());
  }
  // Restart: the same SSTables (the replaced ones were deleted), the same reads.
  auto engine = OpenEngine();
  ASSERT_OK(engine.status());
  auto cfs = (*engine)->GetTable(Table().id);
  EXPECT_EQ(Generations(*cfs), after_generations);
  ExpectCleaned(*cfs, before);
}

TEST_F(CleanupTest, KeepingEverythingChangesNothing) {
  auto engine = OpenEngine();
  ASSERT_OK(engine.status());
  for (int round = 0; round < 3; ++round) {
    for (uint64_t n = 0; n < 2000; n += 1 + round) {
      ASSERT_OK(Apply(engine->get(), Cells(n, {Cell::Live("c" + std::to_string(round), "v", 1)})));
    }
    ASSERT_OK((*engine)->Flush(Table().id));
  }
  auto cfs = (*engine)->GetTable(Table().id);
  const auto generations = Generations(*cfs);
  const auto files = FileNames(dir_.str() + "/data");
  const uint64_t bytes = DataBytes(*cfs);
  const auto before = Snapshot(*cfs);

  ColumnFamilyStore::CleanupStats stats;
  ASSERT_OK((*engine)->Cleanup(
      Table().id, [](const Token&) { return true; }, &stats));
  EXPECT_EQ(stats.partitions_dropped, 0u);
  EXPECT_EQ(stats.sstables_rewritten, 0u);
  EXPECT_EQ(stats.sstables_removed, 0u);
  EXPECT_EQ(stats.bytes_before, bytes);
  EXPECT_EQ(stats.bytes_after, bytes);
  EXPECT_EQ(Generations(*cfs), generations);
  EXPECT_EQ(FileNames(dir_.str() + "/data"), files);
  for (const auto& [n, was] : before) EXPECT_EQ(ReadKey(*cfs, n), was) << n;
}

TEST_F(CleanupTest, UnknownTableIsNotFound) {
  auto engine = OpenEngine();
  ASSERT_OK(engine.status());
  ColumnFamilyStore::CleanupStats stats;
  Status st = (*engine)->Cleanup(std::string(16, 'x'), Owned, &stats);
  EXPECT_TRUE(st.IsNotFound()) << st.ToString();
}

// The newest SSTable records how far the commit log is in SSTables. When cleanup drops
// all of it, the table must not look less flushed than it was: a restart would replay
// the commit log records it covered and bring the dropped partitions back.
TEST_F(CleanupTest, DroppingTheNewestSSTableWhollyDoesNotResurrectItOnRestartOrCrash) {
  const std::string crashed = dir_.str() + "-crashed";
  {
    auto engine = OpenEngine();
    ASSERT_OK(engine.status());
    for (uint64_t n : KeysWhere(true, 0, 500)) {
      ASSERT_OK(Apply(engine->get(), Cells(n, {Cell::Live("a", "in", 1)})));
    }
    ASSERT_OK((*engine)->Flush(Table().id));
    for (uint64_t n : KeysWhere(false, 0, 500)) {
      ASSERT_OK(Apply(engine->get(), Cells(n, {Cell::Live("a", "out", 1)})));
    }
    ASSERT_OK((*engine)->Flush(Table().id));
    auto cfs = (*engine)->GetTable(Table().id);
    const auto old = Generations(*cfs);
    const ReplayPosition old_position = cfs->flushed_position();
    const auto before = Snapshot(*cfs);
    ColumnFamilyStore::CleanupStats stats;
    ASSERT_OK((*engine)->Cleanup(Table().id, Owned, &stats));
    EXPECT_EQ(stats.partitions_dropped, 500u);
    EXPECT_EQ(stats.sstables_removed, 1u);
    EXPECT_EQ(stats.sstables_rewritten, 0u);
    // The kept SSTable and the empty marker that replaced the dropped one.
    const auto now = Generations(*cfs);
    ASSERT_EQ(now.size(), 2u);
    EXPECT_EQ(now.count(*old.begin()), 1u);
    EXPECT_EQ(now.count(*old.rbegin()), 0u);
    EXPECT_EQ(cfs->flushed_position(), old_position) << "the table looks less flushed";
    ExpectCleaned(*cfs, before);
    CopyLikeACrash(dir_.path(), crashed);
    ASSERT_OK((*engine)->Close());
  }
  for (const std::string& dir : {dir_.str(), crashed}) {
    SCOPED_TRACE(dir);
    auto engine = StorageEngine::Open(Options(dir), {Table()}, Decorate);
    ASSERT_OK(engine.status());
    auto cfs = (*engine)->GetTable(Table().id);
    for (uint64_t n : KeysWhere(false, 0, 500)) {
      EXPECT_FALSE(ReadKey(*cfs, n).has_value()) << "dropped key " << n << " is back";
    }
    for (uint64_t n : KeysWhere(true, 0, 500)) EXPECT_TRUE(ReadKey(*cfs, n).has_value()) << n;
    ASSERT_OK((*engine)->Close());
  }
  fs::remove_all(crashed);
}

TEST_F(CleanupTest, DroppingEverythingLeavesNothingAfterRestart) {
  {
    auto engine = OpenEngine();
    ASSERT_OK(engine.status());
    for (int round = 0; round < 3; ++round) {
      for (uint64_t n = round; n < 2000; n += 3) {
        ASSERT_OK(Apply(engine->get(), Cells(n, {Cell::Live("a", "v", 1)})));
      }
      ASSERT_OK((*engine)->Flush(Table().id));
    }
    ColumnFamilyStore::CleanupStats stats;
    ASSERT_OK((*engine)->Cleanup(
        Table().id, [](const Token&) { return false; }, &stats));
    EXPECT_EQ(stats.partitions_dropped, 2000u);
    EXPECT_EQ(stats.sstables_removed, 3u);
    auto cfs = (*engine)->GetTable(Table().id);
    ASSERT_EQ(cfs->sstable_count(), 1u);  // the marker
    EXPECT_EQ(cfs->sstables()[0]->stats().partition_count, 0u);
    EXPECT_EQ(cfs->sstables()[0]->stats().ancestors.size(), 3u);
    for (uint64_t n = 0; n < 2000; n += 97) EXPECT_FALSE(ReadKey(*cfs, n).has_value()) << n;
    ASSERT_OK((*engine)->Close());
  }
  auto engine = OpenEngine();
  ASSERT_OK(engine.status());
  auto cfs = (*engine)->GetTable(Table().id);
  for (uint64_t n = 0; n < 2000; ++n) EXPECT_FALSE(ReadKey(*cfs, n).has_value()) << n;
}

// A crash after a rewrite (or the marker replacing a wholly dropped SSTable) is installed
// but before the old SSTable's files are deleted leaves both on disk: the restart must
// count the data once (old one deleted), with the dropped partitions gone. The old files
// are kept by holding their readers, which is exactly what a concurrent read does.
TEST_F(CleanupTest, CrashBetweenInstallAndDeleteKeepsOnlyTheRewrite) {
  const std::string crashed = dir_.str() + "-crashed";
  std::map<uint64_t, std::optional<PartitionUpdate>> before;
  {
    auto engine = OpenEngine();
    ASSERT_OK(engine.status());
    for (int round = 0; round < 2; ++round) {
      for (uint64_t n = 0; n < 2000; ++n) {
        ASSERT_OK(
            Apply(engine->get(), Cells(n, {Cell::Live("r" + std::to_string(round), "v", 1)})));
      }
      ASSERT_OK((*engine)->Flush(Table().id));
    }
    for (uint64_t n : KeysWhere(false, 2000, 100)) {
      ASSERT_OK(Apply(engine->get(), Cells(n, {Cell::Live("out", "v", 1)})));
    }
    ASSERT_OK((*engine)->Flush(Table().id));
    auto cfs = (*engine)->GetTable(Table().id);
    before = Snapshot(*cfs);
    auto held = cfs->sstables();  // the old files outlive the cleanup
    ColumnFamilyStore::CleanupStats stats;
    ASSERT_OK((*engine)->Cleanup(Table().id, Owned, &stats));
    EXPECT_EQ(stats.sstables_rewritten, 2u);
    EXPECT_EQ(stats.sstables_removed, 1u);
    for (const auto& sst : held) EXPECT_TRUE(fs::exists(sst->files().back()));
    CopyLikeACrash(dir_.path(), crashed);
    held.clear();
    ASSERT_OK((*engine)->Close());
  }
  auto engine = StorageEngine::Open(Options(crashed), {Table()}, Decorate);
  ASSERT_OK(engine.status());
  auto cfs = (*engine)->GetTable(Table().id);
  // Two rewrites and the marker that replaced the wholly dropped SSTable.
  EXPECT_EQ(cfs->sstable_count(), 3u) << "an SSTable and its replacement are both live";
  ExpectCleaned(*cfs, before);
  ASSERT_OK((*engine)->Close());
  fs::remove_all(crashed);
}

// A rewrite that fails (disk full) leaves the old SSTable in place, its data readable
// and nothing of the new one behind; cleanup can simply run again.
TEST_F(CleanupTest, FailedRewriteKeepsTheOldSSTableAndCanBeRetried) {
  std::atomic<bool> fail{false};
  auto opts = Options(dir_.str());
  opts.sstable_write_hook = [&](const std::string&, size_t) {
    return fail ? Status::IOError("injected ENOSPC") : Status::OK();
  };
  auto engine = StorageEngine::Open(opts, {Table()}, Decorate);
  ASSERT_OK(engine.status());
  for (uint64_t n = 0; n < 2000; ++n)
    ASSERT_OK(Apply(engine->get(), Cells(n, {Cell::Live("a", "v", 1)})));
  ASSERT_OK((*engine)->Flush(Table().id));
  auto cfs = (*engine)->GetTable(Table().id);
  const auto generations = Generations(*cfs);
  const auto files = FileNames(dir_.str() + "/data");
  const auto before = Snapshot(*cfs);

  fail = true;
  ColumnFamilyStore::CleanupStats stats;
  Status st = cfs->Cleanup(Owned, &stats);
  EXPECT_TRUE(st.IsIOError()) << st.ToString();
  fail = false;
  EXPECT_EQ(Generations(*cfs), generations);
  EXPECT_EQ(FileNames(dir_.str() + "/data"), files) << "the failed rewrite left files";
  for (const auto& [n, was] : before) ASSERT_EQ(ReadKey(*cfs, n), was) << n;

  // The failed attempt released its SSTables: compaction and cleanup work again.
  ColumnFamilyStore::CleanupStats retry;
  ASSERT_OK(cfs->Cleanup(Owned, &retry));
  EXPECT_EQ(retry.sstables_rewritten, 1u);
  ExpectCleaned(*cfs, before);
  ASSERT_OK(cfs->MajorCompact());
  ExpectCleaned(*cfs, before);
}

// Cleanup under load: a writer (keys in the kept ranges, as a node only receives those
// once the ring changed), a reader of the kept keys, forced flushes, background
// compaction and major compactions run throughout. No read ever misses a kept key (the
// swaps are atomic), nothing acknowledged is lost, nothing dropped comes back, and
// nothing is counted twice (compaction and cleanup never share an SSTable).
TEST_F(CleanupTest, ConcurrentReadsWritesFlushesAndCompactionsLoseNothing) {
  std::vector<uint64_t> during;
  std::map<uint64_t, std::optional<PartitionUpdate>> before;
  {
    const int32_t now = static_cast<int32_t>(Clock::Real()->NowSeconds());
    auto engine = OpenEngine(/*compactors=*/1, /*gc_grace_seconds=*/864000);
    ASSERT_OK(engine.status());
    StorageEngine* e = engine->get();
    for (uint64_t n = 0; n < 20000; ++n) {
      ASSERT_OK(Apply(e, Cells(n, {Cell::Live("a", "v" + std::to_string(n), 1)})));
      if (n % 2 == 0) ASSERT_OK(Apply(e, Cells(n, {Cell::Tombstone("b", 2, now)})));
      if (n % 2500 == 2499) ASSERT_OK(e->Flush(Table().id));
    }
    auto cfs = e->GetTable(Table().id);
    before = Snapshot(*cfs);
    std::vector<uint64_t> kept_before;
    for (const auto& [n, p] : before) {
      if (Kept(n)) kept_before.push_back(n);
    }

    const std::vector<uint64_t> new_keys = KeysWhere(true, 1000000, 200000);
    std::atomic<bool> stop{false};
    std::atomic<size_t> acked{0};
    std::atomic<uint64_t> reads{0}, missed_reads{0};
    std::atomic<bool> writer_done{false};
    Status writer_status, flusher_status;  // read after join
    std::thread writer([&] {
      for (uint64_t n : new_keys) {
        if (stop) break;
        Status st = e->Apply(Cells(n, {Cell::Live("w", "during", 5)}));
        if (!st.ok()) {
          writer_status = st;
          break;
        }
        acked++;
      }
      writer_done = true;
    });
    std::thread reader([&] {
      for (size_t i = 0; !stop; i = (i + 7) % kept_before.size()) {
        auto got = cfs->Read(Decorate(Key(kept_before[i])), CellFilter::All());
        if (!got.ok() || !got->has_value()) missed_reads++;
        reads++;
      }
    });
    std::thread flusher([&] {
      while (!stop) {
        Status st = e->Flush(Table().id);
        if (!st.ok()) {
          flusher_status = st;
          return;
        }
        Status major = cfs->MajorCompact();  // Aborted while a compaction or cleanup runs
        if (!major.ok() && !major.IsAborted()) {
          flusher_status = major;
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
    while (acked < 100 && !writer_done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const size_t acked_at_start = acked;
    ColumnFamilyStore::CleanupStats stats;
    Status cleanup = e->Cleanup(Table().id, Owned, &stats);
    const size_t acked_at_end = acked;
    // Let writes and flushes run past the end of the cleanup too.
    while (acked < acked_at_end + 500 && !writer_done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    stop = true;
    writer.join();
    reader.join();
    flusher.join();
    ASSERT_OK(cleanup);
    ASSERT_OK(writer_status);
    ASSERT_OK(flusher_status);
    EXPECT_GT(acked_at_end, acked_at_start) << "no write overlapped the cleanup";
    EXPECT_GT(reads.load(), 0u);
    EXPECT_EQ(missed_reads.load(), 0u) << "a kept key was unreadable during the cleanup";
    during.assign(new_keys.begin(), new_keys.begin() + acked.load());
    EXPECT_GT(stats.partitions_dropped, 0u);

    // Writes after the cleanup are ordinary writes, whatever their token.
    const uint64_t outside = KeysWhere(false, 5000000, 1)[0];
    ASSERT_OK(Apply(e, Cells(outside, {Cell::Live("w", "after", 6)})));
    during.push_back(outside);

    ExpectCleaned(*cfs, before);
    for (uint64_t n : during) ASSERT_TRUE(ReadKey(*cfs, n).has_value()) << "write " << n << " lost";
    ASSERT_OK(e->Close());
  }
  auto engine = OpenEngine(/*compactors=*/1, /*gc_grace_seconds=*/864000);
  ASSERT_OK(engine.status());
  auto cfs = (*engine)->GetTable(Table().id);
  ExpectCleaned(*cfs, before);
  for (uint64_t n : during) ASSERT_TRUE(ReadKey(*cfs, n).has_value()) << "write " << n << " lost";
}

// Without an engine: a memtable switched but not yet flushed (say its flush failed) is
// flushed by Cleanup and cleaned with the rest; the store reopens cleaned.
TEST_F(CleanupTest, StoreCleanupFlushesSwitchedMemtablesFirst) {
  ColumnFamilyStoreOptions o;
  o.directory = dir_.str() + "/store";
  o.sync_sstables = false;
  std::set<uint64_t> ns;
  {
    auto cfs = ColumnFamilyStore::Open(Table(), o);
    ASSERT_OK(cfs.status());
    for (uint64_t n = 0; n < 2000; ++n) {
      PartitionUpdate u;
      u.cells.push_back(Cell::Live("a", "v", 1));
      (*cfs)->Apply(Decorate(Key(n)), u);
      ns.insert(n);
    }
    ASSERT_TRUE((*cfs)->SwitchMemtable(ReplayPosition{1, 100}));
    ASSERT_EQ((*cfs)->sstable_count(), 0u);
    ColumnFamilyStore::CleanupStats stats;
    ASSERT_OK((*cfs)->Cleanup(Owned, &stats));
    EXPECT_EQ(stats.sstables_rewritten, 1u);
    EXPECT_EQ(stats.partitions_dropped,
              static_cast<uint64_t>(
                  std::count_if(ns.begin(), ns.end(), [](uint64_t n) { return !Kept(n); })));
    EXPECT_EQ((*cfs)->flushed_position(), (ReplayPosition{1, 100}));
  }
  auto cfs = ColumnFamilyStore::Open(Table(), o);
  ASSERT_OK(cfs.status());
  EXPECT_EQ((*cfs)->sstable_count(), 1u);
  for (uint64_t n : ns) EXPECT_EQ(ReadKey(**cfs, n).has_value(), Kept(n)) << n;
}

}  // namespace
}  // namespace cairn::node
