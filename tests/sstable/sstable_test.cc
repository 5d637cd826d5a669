// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// SSTableWriter/SSTableReader behaviour: round trips, filtered reads on narrow and wide
// partitions (with block-read accounting), iteration, bloom filter accuracy, crash
// visibility, fault injection, obsolete-file deletion.
#include <filesystem>
#include <thread>

#include "sstable/bloom_filter.h"
#include "sstable/filename.h"
#include "sstable/format.h"
#include "tests/sstable/sstable_test_util.h"

namespace cairn::sstable::test {
namespace {

namespace fs = std::filesystem;

Contents MakeContents(uint64_t n, size_t ncells = 20) {
  Contents c;
  for (uint64_t i = 0; i < n; ++i) c[MakeKey(i * 2)] = MakePartition(i * 2, ncells + i % 7);
  return c;
}

TEST(SSTableTest, RoundTripManyPartitionsAllCellKinds) {
  cairn::test::ScratchDir dir;
  Contents contents = MakeContents(2000);
  SSTableOptions o = TestOptions();
  o.block_size = 8192;
  o.index_interval = 16;
  ASSERT_OK(WriteSSTable(dir.str(), 1, contents, o, ReplayPosition{42, 4096}));
  auto r = SSTableReader::Open(dir.str(), 1, o);
  ASSERT_OK(r.status());
  const Stats& st = (*r)->stats();
  EXPECT_EQ(st.partition_count, 2000u);
  EXPECT_EQ(st.replay_position, (ReplayPosition{42, 4096}));
  EXPECT_EQ(st.first_key, MakeKey(0));
  EXPECT_EQ(st.last_key, MakeKey(3998));
  EXPECT_EQ(st.comparator, "org.apache.cassandra.db.marshal.BytesType");
  EXPECT_EQ(st.partitioner, o.partitioner);
  uint64_t cells = 0, tombstones = 0, rts = 0;
  int64_t min_ts = INT64_MAX, max_ts = INT64_MIN;
  for (const auto& [k, u] : contents) {
    cells += u.cells.size();
    rts += u.range_tombstones.size();
    tombstones += u.range_tombstones.size() + (u.deletion.IsLive() ? 0 : 1);
    for (const Cell& c : u.cells) {
      tombstones += c.kind == CellKind::kTombstone;
      min_ts = std::min(min_ts, c.timestamp);
      max_ts = std::max(max_ts, c.timestamp);
    }
    if (!u.deletion.IsLive()) min_ts = std::min(min_ts, u.deletion.marked_for_delete_at);
  }
  EXPECT_EQ(st.cell_count, cells);
  EXPECT_EQ(st.tombstone_count, tombstones);
  EXPECT_EQ(st.range_tombstone_count, rts);
  EXPECT_EQ(st.min_timestamp, min_ts);
  EXPECT_EQ(st.max_timestamp, max_ts);
  EXPECT_EQ(st.max_local_deletion_time, kNoLocalTime);  // live cells present
  EXPECT_EQ(st.EstimatedDroppableTombstones(INT32_MAX), tombstones + st.expiring_cell_count);
  EXPECT_EQ(st.EstimatedDroppableTombstones(0), 0u);

  for (const auto& [k, u] : contents) {
    auto got = (*r)->Get(k, CellFilter::All());
    ASSERT_OK(got.status());
    ASSERT_TRUE(got->has_value()) << k.key;
    EXPECT_EQ(**got, u) << k.key;
  }
  // Absent keys: between, before and after the stored ones.
  for (uint64_t n : {1ull, 77ull, 3999ull, 100000ull}) {
    auto got = (*r)->Get(MakeKey(n), CellFilter::All());
    ASSERT_OK(got.status());
    EXPECT_FALSE(got->has_value());
  }
  EXPECT_EQ((*r)->files().size(), 6u);
  EXPECT_EQ(fs::file_size((*r)->files()[0]), (*r)->data_size());
}

TEST(SSTableTest, CompressionShrinksCompressibleData) {
  cairn::test::ScratchDir dir;
  Contents contents;
  for (uint64_t i = 0; i < 200; ++i) {
    PartitionUpdate u;
    for (int c = 0; c < 50; ++c) u.cells.push_back(Cell::Live(CellName(c), std::string(100, 'x'), 1));
    contents[MakeKey(i)] = u;
  }
  SSTableOptions o = TestOptions();
  ASSERT_OK(WriteSSTable(dir.str(), 1, contents, o));
  o.compress = false;
  ASSERT_OK(WriteSSTable(dir.str(), 2, contents, o));
  auto a = SSTableReader::Open(dir.str(), 1, o);
  auto b = SSTableReader::Open(dir.str(), 2, o);
  ASSERT_OK(a.status());
  ASSERT_OK(b.status());
  EXPECT_LT((*a)->data_size() * 5, (*b)->data_size());
  auto got = (*a)->Get(MakeKey(150), CellFilter::All());
  ASSERT_OK(got.status());
  EXPECT_EQ(**got, contents[MakeKey(150)]);
}

TEST(SSTableTest, GetWithNamesAndSliceOnNarrowPartition) {
  cairn::test::ScratchDir dir;
  Contents contents = MakeContents(50);
  SSTableOptions o = TestOptions();
  ASSERT_OK(WriteSSTable(dir.str(), 3, contents, o));
  auto r = SSTableReader::Open(dir.str(), 3, o);
  ASSERT_OK(r.status());
  const auto& cmp = *BytesTypeInstance();
  for (const auto& [k, u] : contents) {
    std::vector<CellFilter> filters = {
        CellFilter::Names({CellName(0), CellName(2), CellName(5), "zzz"}),
        CellFilter::Slice(CellName(3), CellName(9)),
        CellFilter::Slice("", CellName(4)),
        CellFilter::Slice(CellName(10), ""),
        CellFilter::Slice("zzz", ""),
    };
    for (const CellFilter& f : filters) {
      PartitionUpdate want = u;
      f.Apply(&want, cmp);
      auto got = (*r)->Get(k, f);
      ASSERT_OK(got.status());
      ASSERT_TRUE(got->has_value());
      EXPECT_EQ(**got, want) << k.key;
    }
  }
}

class WidePartitionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    o_ = TestOptions();
    o_.compress = false;  // so block counts follow from byte counts exactly
    // ~1.2 MB partition: 12000 cells of ~100 bytes, between two narrow ones.
    contents_[MakeKey(1)] = MakePartition(1, 10);
    wide_ = MakePartition(2, 12000, 80);
    wide_.range_tombstones.push_back(
        RangeTombstone{CellName(5000), CellName(5100), DeletionTime{10, 1'700'000'000}});
    wide_.Normalize(*BytesTypeInstance(), 0);
    contents_[MakeKey(2)] = wide_;
    contents_[MakeKey(3)] = MakePartition(3, 10);
    ASSERT_OK(WriteSSTable(dir_.str(), 9, contents_, o_));
    auto r = SSTableReader::Open(dir_.str(), 9, o_);
    ASSERT_OK(r.status());
    reader_ = *r;
    ASSERT_GT(reader_->stats().max_partition_size, 1'000'000u);
  }

  PartitionUpdate Expect(const CellFilter& f) {
    PartitionUpdate want = wide_;
    f.Apply(&want, *BytesTypeInstance());
    return want;
  }

  cairn::test::ScratchDir dir_;
  SSTableOptions o_;
  Contents contents_;
  PartitionUpdate wide_;
  std::shared_ptr<SSTableReader> reader_;
};

TEST_F(WidePartitionTest, SliceReadsOnlyNeededBlocks) {
  CellFilter f = CellFilter::Slice(CellName(6000), CellName(6050));
  uint64_t before = reader_->data_blocks_read();
  auto got = reader_->Get(MakeKey(2), f);
  ASSERT_OK(got.status());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, Expect(f));
  EXPECT_EQ((*got)->cells.size(), 51u);
  // Header block + the one or two blocks holding the 64 KiB column-index chunk.
  uint64_t read = reader_->data_blocks_read() - before;
  EXPECT_LE(read, 4u);
  EXPECT_GE(read, 2u);
  EXPECT_EQ(reader_->index_blocks_read(), 1u);
}

TEST_F(WidePartitionTest, NamesReadOnlyNeededBlocks) {
  CellFilter f = CellFilter::Names({CellName(10), CellName(5050), CellName(11999), "zzz"});
  uint64_t before = reader_->data_blocks_read();
  auto got = reader_->Get(MakeKey(2), f);
  ASSERT_OK(got.status());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, Expect(f));
  EXPECT_EQ((*got)->range_tombstones.size(), 1u);  // covers c005050
  EXPECT_LE(reader_->data_blocks_read() - before, 7u);
}

TEST_F(WidePartitionTest, AllAndOpenSlicesMatch) {
  for (const CellFilter& f : {CellFilter::All(), CellFilter::Slice("", CellName(100)),
                              CellFilter::Slice(CellName(11900), ""),
                              CellFilter::Slice(CellName(4000), CellName(8000)),
                              CellFilter::Slice("zzz", "")}) {
    auto got = reader_->Get(MakeKey(2), f);
    ASSERT_OK(got.status());
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ(**got, Expect(f));
  }
  auto narrow = reader_->Get(MakeKey(3), CellFilter::All());
  ASSERT_OK(narrow.status());
  EXPECT_EQ(**narrow, contents_[MakeKey(3)]);
}

TEST(SSTableTest, IteratorFullScanAndSeek) {
  cairn::test::ScratchDir dir;
  Contents contents = MakeContents(1000);
  SSTableOptions o = TestOptions();
  o.block_size = 4096;
  o.index_interval = 7;
  ASSERT_OK(WriteSSTable(dir.str(), 4, contents, o));
  auto r = SSTableReader::Open(dir.str(), 4, o);
  ASSERT_OK(r.status());
  auto it = (*r)->NewIterator();
  auto expect = contents.begin();
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expect) {
    ASSERT_NE(expect, contents.end());
    EXPECT_EQ(it->key(), expect->first);
    EXPECT_EQ(it->partition(), expect->second);
  }
  ASSERT_OK(it->status());
  EXPECT_EQ(expect, contents.end());
  // Seek to present keys, absent keys between, before the first and after the last.
  for (uint64_t n : {0ull, 1ull, 2ull, 13ull, 14ull, 999ull, 1000ull, 1997ull, 1998ull, 1999ull}) {
    it->Seek(MakeKey(n));
    auto want = contents.lower_bound(MakeKey(n));
    if (want == contents.end()) {
      EXPECT_FALSE(it->Valid()) << n;
      continue;
    }
    ASSERT_TRUE(it->Valid()) << n;
    EXPECT_EQ(it->key(), want->first);
    EXPECT_EQ(it->partition(), want->second);
    it->Next();
    if (++want != contents.end()) {
      EXPECT_EQ(it->key(), want->first);
    }
  }
  ASSERT_OK(it->status());
  // The iterator keeps the reader alive.
  auto keep = std::move(*r);
  keep.reset();
  it->SeekToFirst();
  EXPECT_TRUE(it->Valid());
}

// Scans read the Data and Index files through a ReadaheadReader whose window (16 KiB
// growing to 256 KiB) rarely ends on a block boundary: partitions smaller and larger
// than a window, blocks straddling a window's end, and seeks backwards must all read
// the same bytes as point reads.
TEST(SSTableTest, ScanAcrossReadaheadWindows) {
  cairn::test::ScratchDir dir;
  Contents contents;
  for (uint64_t i = 0; i < 400; ++i) {
    // Mostly small partitions, some of ~40 KiB and two of ~600 KiB (> the largest window).
    size_t ncells = i % 50 == 7 ? 1200 : i % 9 == 4 ? 80 : 3;
    if (i == 101 || i == 302) ncells = 18000;
    contents[MakeKey(i)] = MakePartition(i, ncells, 24);
  }
  SSTableOptions o = TestOptions();
  o.block_size = 4096;
  o.index_interval = 5;
  ASSERT_OK(WriteSSTable(dir.str(), 6, contents, o));
  auto r = SSTableReader::Open(dir.str(), 6, o);
  ASSERT_OK(r.status());
  ASSERT_GT((*r)->data_size(), 4 * ReadaheadReader::kMaxReadahead);
  auto it = (*r)->NewIterator();
  auto expect = contents.begin();
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expect) {
    ASSERT_NE(expect, contents.end());
    ASSERT_EQ(it->key(), expect->first);
    ASSERT_EQ(it->partition(), expect->second) << expect->first.key;
  }
  ASSERT_OK(it->status());
  EXPECT_EQ(expect, contents.end());
  // Backwards and forwards seeks, each followed by a few steps.
  for (uint64_t n : {350ull, 5ull, 300ull, 100ull, 399ull, 0ull, 102ull}) {
    it->Seek(MakeKey(n));
    auto want = contents.lower_bound(MakeKey(n));
    for (int step = 0; step < 4 && want != contents.end(); ++step, ++want, it->Next()) {
      ASSERT_TRUE(it->Valid()) << n;
      ASSERT_EQ(it->key(), want->first);
      ASSERT_EQ(it->partition(), want->second) << want->first.key;
    }
  }
  ASSERT_OK(it->status());
}

TEST(ReadaheadReaderTest, ServesReadsInsideAndAcrossWindows) {
  cairn::test::ScratchDir dir;
  const std::string path = dir.str() + "/file";
  std::string bytes(3 * ReadaheadReader::kMaxReadahead + 123, '\0');
  std::mt19937_64 rng(5);
  for (char& ch : bytes) ch = static_cast<char>(rng());
  {
    auto w = WritableFile::Create(path, nullptr);
    ASSERT_OK(w.status());
    ASSERT_OK((*w)->Append(bytes));
    ASSERT_OK((*w)->Close());
  }
  auto f = RandomAccessFile::Open(path);
  ASSERT_OK(f.status());
  const uint64_t limit = bytes.size() - 100;  // windows stop short of the tail
  for (size_t max_window : {size_t{64 * 1024}, ReadaheadReader::kMaxReadahead}) {
    SCOPED_TRACE(max_window);
    ReadaheadReader ra(f->get(), limit, max_window);
    std::string_view got;
    // Front to back in odd-sized steps, so reads straddle every window's end.
    uint64_t pos = 0;
    for (size_t n = 1; pos < limit; n = (n * 7 + 3) % 9000 + 1) {
      n = std::min<uint64_t>(n, limit - pos);
      ASSERT_OK(ra.Read(pos, n, &got));
      ASSERT_EQ(got, std::string_view(bytes).substr(pos, n)) << pos;
      pos += n;
    }
    // A read larger than the largest window, a read past `limit`, a jump backwards.
    ASSERT_OK(ra.Read(10, ReadaheadReader::kMaxReadahead + 5000, &got));
    EXPECT_EQ(got, std::string_view(bytes).substr(10, ReadaheadReader::kMaxReadahead + 5000));
    ASSERT_OK(ra.Read(bytes.size() - 50, 50, &got));
    EXPECT_EQ(got, std::string_view(bytes).substr(bytes.size() - 50));
    ASSERT_OK(ra.Read(3, 4, &got));
    EXPECT_EQ(got, std::string_view(bytes).substr(3, 4));
    // Past the end of the file: Corruption, and the reader still works afterwards.
    EXPECT_TRUE(ra.Read(bytes.size() - 10, 11, &got).IsCorruption());
    EXPECT_TRUE(ra.Read(bytes.size() + 1, 1, &got).IsCorruption());
    ASSERT_OK(ra.Read(7, 9, &got));
    EXPECT_EQ(got, std::string_view(bytes).substr(7, 9));
  }
}

TEST(SSTableTest, EmptySSTable) {
  cairn::test::ScratchDir dir;
  SSTableOptions o = TestOptions();
  ASSERT_OK(WriteSSTable(dir.str(), 5, {}, o));
  auto r = SSTableReader::Open(dir.str(), 5, o);
  ASSERT_OK(r.status());
  auto it = (*r)->NewIterator();
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  ASSERT_OK(it->status());
  auto got = (*r)->Get(MakeKey(1), CellFilter::All());
  ASSERT_OK(got.status());
  EXPECT_FALSE(got->has_value());
}

TEST(SSTableTest, BloomFilterFalsePositiveRateNearTarget) {
  for (double p : {0.01, 0.1}) {
    std::vector<uint64_t> hashes;
    for (int i = 0; i < 20000; ++i) hashes.push_back(BloomFilter::Hash("present" + std::to_string(i)));
    BloomFilter f = BloomFilter::Build(hashes, p);
    for (int i = 0; i < 20000; ++i) ASSERT_TRUE(f.MayContain("present" + std::to_string(i)));
    int fp = 0;
    const int kProbes = 100000;
    for (int i = 0; i < kProbes; ++i) fp += f.MayContain("absent" + std::to_string(i));
    double rate = static_cast<double>(fp) / kProbes;
    EXPECT_LT(rate, p * 1.5) << p;
    EXPECT_GT(rate, p * 0.5) << p;
  }
}

TEST(SSTableTest, BloomFilterSizedByActualCountNotEstimate) {
  cairn::test::ScratchDir dir;
  SSTableOptions o = TestOptions();
  // Estimate 1, write 5000: the filter must still meet its target.
  auto w = SSTableWriter::Create(dir.str(), 6, 1, o);
  ASSERT_OK(w.status());
  for (uint64_t i = 0; i < 5000; ++i) {
    PartitionUpdate u;
    u.cells.push_back(Cell::Live("c", "v", 1));
    ASSERT_OK((*w)->Add(MakeKey(i), u));
  }
  ASSERT_OK((*w)->Finish({}));
  auto r = SSTableReader::Open(dir.str(), 6, o);
  ASSERT_OK(r.status());
  int fp = 0;
  for (uint64_t i = 0; i < 20000; ++i) fp += (*r)->MayContain("absent" + std::to_string(i));
  EXPECT_LT(fp, 20000 * 0.02);
  for (uint64_t i = 0; i < 5000; ++i) EXPECT_TRUE((*r)->MayContain(MakeKey(i).key));
}

TEST(SSTableTest, KeysMustIncrease) {
  cairn::test::ScratchDir dir;
  auto w = SSTableWriter::Create(dir.str(), 7, 10, TestOptions());
  ASSERT_OK(w.status());
  ASSERT_OK((*w)->Add(MakeKey(5), MakePartition(5, 3)));
  EXPECT_TRUE((*w)->Add(MakeKey(5), MakePartition(5, 3)).IsInvalidArgument());
  EXPECT_TRUE((*w)->Add(MakeKey(4), MakePartition(4, 3)).IsInvalidArgument());
  ASSERT_OK((*w)->Add(MakeKey(6), MakePartition(6, 3)));
}

TEST(SSTableTest, TemporaryFilesInvisibleUntilFinish) {
  cairn::test::ScratchDir dir;
  SSTableOptions o = TestOptions();
  auto w = SSTableWriter::Create(dir.str(), 8, 10, o);
  ASSERT_OK(w.status());
  for (uint64_t i = 0; i < 100; ++i) ASSERT_OK((*w)->Add(MakeKey(i), MakePartition(i, 5)));
  EXPECT_GT((*w)->bytes_written(), 0u);
  auto gens = ListGenerations(dir.str());
  ASSERT_OK(gens.status());
  EXPECT_TRUE(gens->empty());
  EXPECT_TRUE(SSTableReader::Open(dir.str(), 8, o).status().IsNotFound());
  for (const auto& e : fs::directory_iterator(dir.path())) {
    EXPECT_TRUE(e.path().string().ends_with(".tmp")) << e.path();
  }
  ASSERT_OK((*w)->Finish({}));
  gens = ListGenerations(dir.str());
  ASSERT_OK(gens.status());
  EXPECT_EQ(*gens, std::vector<uint64_t>{8});
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    EXPECT_FALSE(e.path().string().ends_with(".tmp")) << e.path();
    ++files;
  }
  EXPECT_EQ(files, 6u);
  ASSERT_OK(SSTableReader::Open(dir.str(), 8, o).status());
  // A second writer for the same generation is refused.
  EXPECT_FALSE(SSTableWriter::Create(dir.str(), 8, 1, o).ok());
}

TEST(SSTableTest, CrashLeftoversAreRemovedAtStartup) {
  cairn::test::ScratchDir dir;
  SSTableOptions o = TestOptions();
  ASSERT_OK(WriteSSTable(dir.str(), 1, MakeContents(10), o));
  {
    // A writer that "crashes": its temporaries stay behind (simulated by copying them
    // aside before the destructor's Abandon removes them).
    auto w = SSTableWriter::Create(dir.str(), 2, 10, o);
    ASSERT_OK(w.status());
    ASSERT_OK((*w)->Add(MakeKey(1), MakePartition(1, 5)));
    for (const auto& e : fs::directory_iterator(dir.path())) {
      if (e.path().string().ends_with(".tmp")) fs::copy_file(e.path(), e.path().string() + ".keep");
    }
  }
  for (const auto& e : fs::directory_iterator(dir.path())) {
    std::string p = e.path().string();
    if (p.ends_with(".keep")) fs::rename(p, p.substr(0, p.size() - 5));
  }
  // A generation whose components were renamed but whose TOC was not.
  ASSERT_OK(WriteSSTable(dir.str(), 3, MakeContents(10), o));
  fs::remove(ComponentPath(dir.str(), 3, Component::kTOC));
  size_t removed = 0;
  ASSERT_OK(RemoveIncompleteSSTables(dir.str(), &removed));
  EXPECT_EQ(removed, 2u + 5u);
  auto gens = ListGenerations(dir.str());
  ASSERT_OK(gens.status());
  EXPECT_EQ(*gens, std::vector<uint64_t>{1});
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 6u);
}

TEST(SSTableTest, InjectedWriteFailureLeavesNoFiles) {
  // A dry run counts the writes; then each one in turn fails with ENOSPC's message.
  auto run = [](uint64_t fail_at, uint64_t* writes, Status* failure, bool* empty_after) {
    cairn::test::ScratchDir dir;
    SSTableOptions o = TestOptions();
    o.block_size = 4096;
    *writes = 0;
    o.write_hook = [=](const std::string&, size_t) {
      return ++*writes == fail_at ? Status::IOError("No space left on device") : Status::OK();
    };
    *failure = Status::OK();
    {
      auto w = SSTableWriter::Create(dir.str(), 1, 100, o);
      if (w.ok()) {
        for (uint64_t i = 0; i < 300 && failure->ok(); ++i) {
          *failure = (*w)->Add(MakeKey(i), MakePartition(i, 30));
        }
        if (failure->ok()) *failure = (*w)->Finish({});
        if (!failure->ok()) {
          EXPECT_FALSE((*w)->Add(MakeKey(1000), MakePartition(1, 1)).ok());  // unusable
          (*w)->Abandon();
        }
      } else {
        *failure = w.status();
      }
    }
    *empty_after = fs::is_empty(dir.path());
  };
  uint64_t total = 0;
  Status failure;
  bool empty = false;
  run(0, &total, &failure, &empty);
  ASSERT_OK(failure);
  ASSERT_GE(total, 8u);  // several Data writes, Index, Summary, Filter, Statistics, TOC
  for (uint64_t fail_at = 1; fail_at <= total; ++fail_at) {
    uint64_t writes;
    run(fail_at, &writes, &failure, &empty);
    EXPECT_TRUE(failure.IsIOError()) << fail_at << " " << failure.ToString();
    EXPECT_NE(failure.message().find("No space left"), std::string::npos);
    EXPECT_TRUE(empty) << fail_at;
  }
}

TEST(SSTableTest, AbandonAndDestructorRemoveFiles) {
  cairn::test::ScratchDir dir;
  {
    auto w = SSTableWriter::Create(dir.str(), 1, 10, TestOptions());
    ASSERT_OK(w.status());
    ASSERT_OK((*w)->Add(MakeKey(1), MakePartition(1, 5)));
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(SSTableTest, MarkObsoleteDeletesWhenLastReferenceGoes) {
  cairn::test::ScratchDir dir;
  SSTableOptions o = TestOptions();
  ASSERT_OK(WriteSSTable(dir.str(), 1, MakeContents(10), o));
  auto r = SSTableReader::Open(dir.str(), 1, o);
  ASSERT_OK(r.status());
  std::shared_ptr<SSTableReader> reader = *r;
  auto it = reader->NewIterator();
  reader->MarkObsolete();
  reader.reset();
  r = Status::NotFound("released");
  EXPECT_FALSE(fs::is_empty(dir.path()));  // the iterator still holds it
  it->SeekToFirst();
  EXPECT_TRUE(it->Valid());
  it.reset();
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(SSTableTest, ConcurrentGets) {
  cairn::test::ScratchDir dir;
  Contents contents = MakeContents(500);
  SSTableOptions o = TestOptions();
  o.block_size = 4096;
  ASSERT_OK(WriteSSTable(dir.str(), 1, contents, o));
  auto r = SSTableReader::Open(dir.str(), 1, o);
  ASSERT_OK(r.status());
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        int i = 0;
        for (const auto& [k, u] : contents) {
          if (i++ % 4 != t) continue;
          auto got = (*r)->Get(k, CellFilter::All());
          if (!got.ok() || !got->has_value() || **got != u) ++mismatches;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(SSTableTest, ComparatorMismatchIsRefused) {
  cairn::test::ScratchDir dir;
  SSTableOptions o = TestOptions();
  ASSERT_OK(WriteSSTable(dir.str(), 1, MakeContents(3), o));
  class OtherType : public AbstractType {
   public:
    std::string Name() const override { return "OtherType"; }
    int Compare(std::string_view a, std::string_view b) const override { return a.compare(b); }
    Status Validate(std::string_view) const override { return Status::OK(); }
    std::string ToString(std::string_view b) const override { return std::string(b); }
  };
  SSTableOptions other = o;
  other.comparator = std::make_shared<OtherType>();
  EXPECT_TRUE(SSTableReader::Open(dir.str(), 1, other).status().IsInvalidArgument());
  other.verify_comparator = false;
  ASSERT_OK(SSTableReader::Open(dir.str(), 1, other).status());
  other.comparator = nullptr;  // parse the recorded name
  ASSERT_OK(SSTableReader::Open(dir.str(), 1, other).status());
}

TEST(SSTableTest, FileNames) {
  uint64_t gen;
  Component c;
  bool tmp;
  EXPECT_EQ(ComponentFileName(12, Component::kData), "cairn-12-Data.db");
  EXPECT_EQ(ComponentPath("/d", 3, Component::kTOC, true), "/d/cairn-3-TOC.txt.tmp");
  ASSERT_TRUE(ParseComponentFileName("cairn-12-Statistics.db.tmp", &gen, &c, &tmp));
  EXPECT_EQ(gen, 12u);
  EXPECT_EQ(c, Component::kStatistics);
  EXPECT_TRUE(tmp);
  EXPECT_FALSE(ParseComponentFileName("cairn--Data.db", &gen, &c, &tmp));
  EXPECT_FALSE(ParseComponentFileName("cairn-1-Nope.db", &gen, &c, &tmp));
  EXPECT_FALSE(ParseComponentFileName("other-1-Data.db", &gen, &c, &tmp));
}

}  // namespace
}  // namespace cairn::sstable::test
