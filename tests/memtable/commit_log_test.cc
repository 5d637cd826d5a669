// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Tests for the commit log (memtable/commit_log.h) and its segment format
// (memtable/COMMITLOG_FORMAT.md): round trips, replay after a clean close and after a
// crash, torn tails, corruption in the middle, bad headers, segment discard and
// recycling, group commit, sticky failures, id monotonicity, and the golden bytes.
#include "memtable/commit_log.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "common/logging.h"
#include "common/mutation.h"
#include "memtable/commit_log_format.h"
#include "tests/lib/test_util.h"

namespace cairn::memtable {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kSmallSegment = 64 * 1024;  // two blocks

CommitLogOptions SmallOptions(const test::ScratchDir& dir, CommitLogSyncMode mode) {
  CommitLogOptions o;
  o.directory = dir.str();
  o.segment_size_bytes = kSmallSegment;
  o.sync_mode = mode;
  o.sync_period_ms = 50;
  o.batch_window_ms = 1;
  return o;
}

std::unique_ptr<CommitLog> OpenOrDie(CommitLogOptions o) {
  Result<std::unique_ptr<CommitLog>> log = CommitLog::Open(std::move(o));
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(log).value() : nullptr;
}

// A record whose bytes identify it, so replay order and content can be checked.
std::string MakeRecord(int i, size_t size) {
  std::string r = "record-" + std::to_string(i) + ":";
  while (r.size() < size) r.push_back(static_cast<char>('a' + (i + r.size()) % 26));
  r.resize(size);
  return r;
}

struct Replayed {
  std::vector<ReplayPosition> positions;
  std::vector<std::string> records;
  ReplayStats stats;
};

ReplayCallback Collect(Replayed* out) {
  return [out](ReplayPosition p, std::string_view r) {
    out->positions.push_back(p);
    out->records.emplace_back(r);
    return Status::OK();
  };
}

// Replays one segment file with the standalone reader.
Replayed ReadSegment(const std::string& path, Status* status = nullptr) {
  Replayed out;
  Status s = ReadCommitLogSegment(path, 0, Collect(&out), &out.stats);
  if (status != nullptr) {
    *status = s;
  } else {
    EXPECT_OK(s);
  }
  return out;
}

std::string SegmentPath(const test::ScratchDir& dir, uint64_t id) {
  return (dir.path() / commitlog::SegmentFileName(id)).string();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

// Copies the *.log files of `from` into `to`, as a crash would leave them (the page
// cache survives a process crash).
void CopySegments(const test::ScratchDir& from, const test::ScratchDir& to) {
  for (const auto& e : fs::directory_iterator(from.path())) {
    if (e.path().extension() == ".log") fs::copy_file(e.path(), to.path() / e.path().filename());
  }
}

size_t CountFiles(const test::ScratchDir& dir, std::string_view suffix) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    if (e.path().filename().string().ends_with(suffix)) ++n;
  }
  return n;
}

// Where a record actually starts when the previous one ended at `end`: a block tail too
// short for a fragment header is padding.
uint64_t StartAfter(uint64_t end) {
  const uint64_t left = commitlog::kBlockSize - end % commitlog::kBlockSize;
  return left < commitlog::kFragmentHeaderSize ? end + left : end;
}

TEST(CommitLogTest, ParsesSyncModeNames) {
  Result<CommitLogSyncMode> m = ParseCommitLogSyncMode("Batch");
  ASSERT_OK(m.status());
  EXPECT_EQ(*m, CommitLogSyncMode::kBatch);
  m = ParseCommitLogSyncMode("periodic");
  ASSERT_OK(m.status());
  EXPECT_EQ(*m, CommitLogSyncMode::kPeriodic);
  EXPECT_TRUE(ParseCommitLogSyncMode("sometimes").status().IsInvalidArgument());
}

TEST(CommitLogTest, RejectsBadOptions) {
  test::ScratchDir dir;
  CommitLogOptions o = SmallOptions(dir, CommitLogSyncMode::kBatch);
  o.segment_size_bytes = 100000;  // not a multiple of the block size
  EXPECT_TRUE(CommitLog::Open(o).status().IsInvalidArgument());
  o.segment_size_bytes = 32 * 1024;  // one block: too small
  EXPECT_TRUE(CommitLog::Open(o).status().IsInvalidArgument());
  o.directory.clear();
  EXPECT_TRUE(CommitLog::Open(o).status().IsInvalidArgument());
}

TEST(CommitLogTest, RoundTripAcrossSegments) {
  test::ScratchDir dir;
  std::vector<std::string> written;
  std::vector<ReplayPosition> positions;
  std::vector<uint64_t> segments;
  {
    auto log = OpenOrDie(SmallOptions(dir, CommitLogSyncMode::kPeriodic));
    ASSERT_NE(log, nullptr);
    for (int i = 0; i < 120; ++i) {
      // Sizes from empty to 40000 bytes (more than a block: several fragments).
      size_t size = (i % 10 == 9) ? 40000 : static_cast<size_t>(i * 37 % 3000);
      written.push_back(MakeRecord(i, size));
      Result<ReplayPosition> pos = log->Add(written.back(), {"t1"});
      ASSERT_OK(pos.status());
      if (!positions.empty()) {
        EXPECT_LT(positions.back(), *pos);
      }
      positions.push_back(*pos);
    }
    EXPECT_EQ(log->CurrentPosition(), positions.back());
    segments = log->LiveSegmentIds();
    EXPECT_GT(segments.size(), 3u);
    ASSERT_OK(log->Close());
  }
  auto log = OpenOrDie(SmallOptions(dir, CommitLogSyncMode::kPeriodic));
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->ReplayableSegmentIds(), segments);
  Replayed r;
  ASSERT_OK(log->Replay(Collect(&r), &r.stats));
  EXPECT_EQ(r.records, written);
  EXPECT_EQ(r.positions, positions);
  EXPECT_EQ(r.stats.segments, segments.size());
  EXPECT_EQ(r.stats.records, written.size());
  EXPECT_EQ(r.stats.torn_tails, 0u);  // every segment was sealed
  EXPECT_TRUE(r.stats.corruptions.empty());
}

TEST(CommitLogTest, ReplayAfterCrashSkipsPreallocatedTail) {
  test::ScratchDir dir, crashed;
  std::vector<std::string> written;
  auto log = OpenOrDie(SmallOptions(dir, CommitLogSyncMode::kBatch));
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 50; ++i) {
    written.push_back(MakeRecord(i, 1500));
    ASSERT_OK(log->Add(written.back(), {"t1"}).status());
  }
  CopySegments(dir, crashed);  // the log is still open: no end-of-segment marker
  auto reopened = OpenOrDie(SmallOptions(crashed, CommitLogSyncMode::kBatch));
  ASSERT_NE(reopened, nullptr);
  Replayed r;
  ASSERT_OK(reopened->Replay(Collect(&r), &r.stats));
  EXPECT_EQ(r.records, written);
  EXPECT_EQ(r.stats.torn_tails, 1u);  // the active segment's zero-filled tail
  EXPECT_TRUE(r.stats.corruptions.empty());
}

// Truncating the file anywhere inside the last record, or zeroing it from anywhere,
// loses exactly that record.
void CheckTornTailsOfLastRecord(size_t last_size) {
  test::ScratchDir dir;
  std::vector<std::string> written;
  ReplayPosition before_last, last;
  {
    auto log = OpenOrDie(SmallOptions(dir, CommitLogSyncMode::kPeriodic));
    ASSERT_NE(log, nullptr);
    for (int i = 0; i < 20; ++i) {
      written.push_back(MakeRecord(i, 1400));  // the last record will straddle a block
      Result<ReplayPosition> pos = log->Add(written.back(), {"t"});
      ASSERT_OK(pos.status());
      before_last = *pos;
    }
    Result<ReplayPosition> pos = log->Add(MakeRecord(99, last_size), {"t"});
    ASSERT_OK(pos.status());
    last = *pos;
    ASSERT_OK(log->Sync());
    ASSERT_EQ(last.segment_id, before_last.segment_id);
    // Simulate a crash: copy the file as it is now, without the end marker.
  }
  // (The log above was closed by its destructor, which sealed the segment; rebuild the
  // crash image by removing the end-of-segment marker: zero everything after `last`.)
  const std::string path = SegmentPath(dir, last.segment_id);
  std::string image = ReadFile(path);
  std::fill(image.begin() + last.offset, image.end(), '\0');
  const uint64_t start = StartAfter(before_last.offset);

  const LogLevel saved_level = GetLogLevel();
  SetLogLevel(LogLevel::kWarn);  // one INFO line per torn tail: thousands of them
  // Truncated file: cut from the end down, one byte at a time.
  WriteFile(path, image);
  for (uint64_t cut = last.offset; cut-- > start;) {
    SCOPED_TRACE("truncated at " + std::to_string(cut));
    ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(cut)), 0);
    Replayed r = ReadSegment(path);
    EXPECT_EQ(r.records, written);
    EXPECT_EQ(r.stats.torn_tails, cut > before_last.offset ? 1u : 0u);
    EXPECT_TRUE(r.stats.corruptions.empty());
  }
  // Full-size file zeroed from `cut` on (a preallocated tail that never got the bytes).
  WriteFile(path, image);
  for (uint64_t cut = last.offset; cut-- > start;) {
    SCOPED_TRACE("zeroed from " + std::to_string(cut));
    {
      std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
      f.seekp(static_cast<std::streamoff>(cut));
      f.put('\0');
    }
    Replayed r = ReadSegment(path);
    EXPECT_EQ(r.records, written);
    EXPECT_EQ(r.stats.torn_tails, 1u);
    EXPECT_TRUE(r.stats.corruptions.empty());
  }
  SetLogLevel(saved_level);
  // A last record whose checksum fails is a torn tail too.
  std::string bad = image;
  bad[last.offset - 1] ^= 0x55;
  WriteFile(path, bad);
  Replayed r = ReadSegment(path);
  EXPECT_EQ(r.records, written);
  EXPECT_EQ(r.stats.torn_tails, 1u);
  EXPECT_TRUE(r.stats.corruptions.empty());
}

TEST(CommitLogTest, TornTailAtEveryOffsetOfLastRecordIsSkipped) {
  CheckTornTailsOfLastRecord(300);
}

TEST(CommitLogTest, TornTailOfMultiFragmentRecordIsSkipped) {
  CheckTornTailsOfLastRecord(2000);  // starts near the end of block 0, ends in block 1
}

TEST(CommitLogTest, CorruptRecordInTheMiddleIsReportedAndLaterRecordsReplayed) {
  test::ScratchDir dir;
  std::vector<std::string> written;
  std::vector<uint64_t> starts;
  uint64_t segment = 0;
  {
    CommitLogOptions o = SmallOptions(dir, CommitLogSyncMode::kPeriodic);
    o.segment_size_bytes = 4 * commitlog::kBlockSize;
    auto log = OpenOrDie(o);
    ASSERT_NE(log, nullptr);
    uint64_t end = commitlog::kSegmentHeaderSize;
    for (int i = 0; i < 60; ++i) {
      written.push_back(MakeRecord(i, 1000 + 13 * i));
      starts.push_back(StartAfter(end));
      Result<ReplayPosition> pos = log->Add(written.back(), {"t"});
      ASSERT_OK(pos.status());
      segment = pos->segment_id;
      end = pos->offset;
    }
    ASSERT_EQ(log->LiveSegmentIds().size(), 1u);
    ASSERT_OK(log->Close());
  }
  const int victim = 5;
  const std::string path = SegmentPath(dir, segment);
  std::string image = ReadFile(path);
  image[starts[victim] + commitlog::kFragmentHeaderSize + 10] ^= 0x01;  // a payload byte
  WriteFile(path, image);

  Replayed r = ReadSegment(path);
  ASSERT_EQ(r.stats.corruptions.size(), 1u);
  EXPECT_EQ(r.stats.corruptions[0].file, path);
  EXPECT_EQ(r.stats.corruptions[0].offset, starts[victim]);
  EXPECT_EQ(r.stats.corruptions[0].reason, "checksum mismatch");
  EXPECT_EQ(r.stats.torn_tails, 0u);
  // Lost: the victim and every record that starts after it in the same block (the
  // reader resynchronizes at the next block boundary).
  std::vector<std::string> expected;
  for (size_t i = 0; i < written.size(); ++i) {
    if (static_cast<int>(i) < victim || starts[i] >= commitlog::kBlockSize) {
      expected.push_back(written[i]);
    }
  }
  EXPECT_EQ(r.records, expected);
  EXPECT_GT(expected.size(), 30u);

  // The same through CommitLog::Replay.
  auto log = OpenOrDie(SmallOptions(dir, CommitLogSyncMode::kPeriodic));
  ASSERT_NE(log, nullptr);
  Replayed r2;
  ASSERT_OK(log->Replay(Collect(&r2), &r2.stats));
  EXPECT_EQ(r2.records, expected);
  ASSERT_EQ(r2.stats.corruptions.size(), 1u);
  EXPECT_NE(r2.stats.corruptions[0].ToString().find(commitlog::SegmentFileName(segment)),
            std::string::npos);
}

class CommitLogHeaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = OpenOrDie(SmallOptions(dir_, CommitLogSyncMode::kPeriodic));
    ASSERT_NE(log, nullptr);
    ASSERT_OK(log->Add("x", {"t"}).status());
    id_ = log->CurrentPosition().segment_id;
    ASSERT_OK(log->Close());
    path_ = SegmentPath(dir_, id_);
  }
  Status ReplayAll() {
    auto log = OpenOrDie(SmallOptions(dir_, CommitLogSyncMode::kPeriodic));
    if (log == nullptr) return Status::IOError("open failed");
    Replayed r;
    return log->Replay(Collect(&r), &r.stats);
  }
  void Patch(size_t offset, char value) {
    std::string image = ReadFile(path_);
    image[offset] = value;
    WriteFile(path_, image);
  }
  test::ScratchDir dir_;
  uint64_t id_ = 0;
  std::string path_;
};

TEST_F(CommitLogHeaderTest, WrongMagicIsAClearError) {
  Patch(0, 'X');
  Status s = ReplayAll();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("magic"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find(path_), std::string::npos) << s.ToString();
}

TEST_F(CommitLogHeaderTest, UnknownVersionIsAClearError) {
  Patch(8, 7);
  Status s = ReplayAll();
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_NE(s.message().find("version 7"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find(path_), std::string::npos) << s.ToString();
}

TEST_F(CommitLogHeaderTest, HeaderChecksumMismatchIsCorruption) {
  Patch(16, 0x7f);  // the segment id
  Status s = ReplayAll();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("header checksum"), std::string::npos) << s.ToString();
}

TEST_F(CommitLogHeaderTest, IdBelowFileNameIsCorruption) {
  fs::rename(path_, SegmentPath(dir_, id_ + 1));
  Status s = ReplayAll();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("file name"), std::string::npos) << s.ToString();
}

TEST_F(CommitLogHeaderTest, RecycledFileUnderItsOldNameIsSkipped) {
  // A crash undid the renames of a recycled file: the name says an older id.
  fs::rename(path_, SegmentPath(dir_, id_ - 1));
  auto log = OpenOrDie(SmallOptions(dir_, CommitLogSyncMode::kPeriodic));
  ASSERT_NE(log, nullptr);
  Replayed r;
  ASSERT_OK(log->Replay(Collect(&r), &r.stats));
  EXPECT_TRUE(r.records.empty());
  EXPECT_TRUE(r.stats.corruptions.empty());
}

TEST(CommitLogTest, SegmentIsDiscardedOnlyWhenEveryTableFlushedPastIt) {
  test::ScratchDir dir;
  CommitLogOptions o = SmallOptions(dir, CommitLogSyncMode::kPeriodic);
  o.max_recycled_segments = 0;  // delete, so the files' absence shows the discard
  auto log = OpenOrDie(o);
  ASSERT_NE(log, nullptr);
  // Table a in every record, table b only in even ones.
  std::vector<ReplayPosition> last_b;  // per segment, the last position of b
  for (int i = 0; log->LiveSegmentIds().size() < 4; ++i) {
    std::vector<TableId> tables = {"a"};
    if (i % 2 == 0) tables.push_back("b");
    Result<ReplayPosition> pos = log->Add(MakeRecord(i, 3000), tables);
    ASSERT_OK(pos.status());
    if (i % 2 == 0) {
      if (last_b.empty() || last_b.back().segment_id != pos->segment_id) last_b.push_back(*pos);
      last_b.back() = *pos;
    }
  }
  const std::vector<uint64_t> ids = log->LiveSegmentIds();
  ASSERT_EQ(ids.size(), 4u);

  // a flushed everything, but b is still dirty everywhere.
  log->DiscardCompletedSegments("a", log->CurrentPosition());
  EXPECT_EQ(log->LiveSegmentIds(), ids);

  // b flushed up to just before its last write in segment 0: segment 0 stays.
  ReplayPosition almost = last_b[0];
  almost.offset -= 1;
  log->DiscardCompletedSegments("b", almost);
  EXPECT_EQ(log->LiveSegmentIds(), ids);
  EXPECT_TRUE(fs::exists(SegmentPath(dir, ids[0])));

  // b flushed exactly up to it: segment 0 goes, the others stay.
  log->DiscardCompletedSegments("b", last_b[0]);
  EXPECT_EQ(log->LiveSegmentIds(), std::vector<uint64_t>(ids.begin() + 1, ids.end()));
  EXPECT_FALSE(fs::exists(SegmentPath(dir, ids[0])));
  EXPECT_TRUE(fs::exists(SegmentPath(dir, ids[1])));

  // b flushed everything: all but the active segment go.
  log->DiscardCompletedSegments("b", log->CurrentPosition());
  EXPECT_EQ(log->LiveSegmentIds(), std::vector<uint64_t>{ids[3]});
  EXPECT_TRUE(fs::exists(SegmentPath(dir, ids[3])));
  EXPECT_FALSE(fs::exists(SegmentPath(dir, ids[2])));
  EXPECT_EQ(log->metrics().segments_discarded, 3u);

  // Unknown tables and positions before everything change nothing.
  log->DiscardCompletedSegments("zzz", log->CurrentPosition());
  log->DiscardCompletedSegments("a", ReplayPosition{0, 0});
  EXPECT_EQ(log->LiveSegmentIds(), std::vector<uint64_t>{ids[3]});
}

TEST(CommitLogTest, RecycledSegmentsAreReusedAndTheirOldRecordsNeverReplayed) {
  test::ScratchDir dir, crashed;
  CommitLogOptions o = SmallOptions(dir, CommitLogSyncMode::kBatch);
  o.max_recycled_segments = 2;
  auto log = OpenOrDie(o);
  ASSERT_NE(log, nullptr);
  for (int i = 0; log->LiveSegmentIds().size() < 4; ++i) {
    ASSERT_OK(log->Add(MakeRecord(i, 5000), {"t"}).status());
  }
  log->DiscardCompletedSegments("t", log->CurrentPosition());
  EXPECT_EQ(log->LiveSegmentIds().size(), 1u);
  // The allocator may already hold one as its next reserve segment.
  EXPECT_GE(CountFiles(dir, ".recycle") + log->metrics().segments_recycled, 1u);

  // New, short records go into recycled files full of stale, longer ones.
  std::vector<std::string> fresh;
  const uint64_t first_new_segment = log->CurrentPosition().segment_id;
  for (int i = 0; log->LiveSegmentIds().size() < 4; ++i) {
    fresh.push_back(MakeRecord(1000 + i, 700));
    ASSERT_OK(log->Add(fresh.back(), {"t"}).status());
  }
  EXPECT_GE(log->metrics().segments_recycled, 2u);
  EXPECT_GT(log->CurrentPosition().segment_id, first_new_segment);

  CopySegments(dir, crashed);
  auto reopened = OpenOrDie(SmallOptions(crashed, CommitLogSyncMode::kBatch));
  ASSERT_NE(reopened, nullptr);
  Replayed r;
  ASSERT_OK(reopened->Replay(Collect(&r), &r.stats));
  // Only the active segment's records after the discard, plus the fresh ones: the stale
  // records in recycled files fail their checksum (seeded with the segment id).
  ASSERT_GE(r.records.size(), fresh.size());
  EXPECT_EQ(std::vector<std::string>(r.records.end() - fresh.size(), r.records.end()), fresh);
  for (const std::string& rec : r.records) EXPECT_TRUE(rec.starts_with("record-")) << rec;
  EXPECT_TRUE(r.stats.corruptions.empty());
}

// An append writes the pages it is the first to touch whole (no read-modify-write of a
// page that is not cached): after each record the rest of its page is zeros, even where
// the file held other bytes (as a recycled segment does), the pages after it are
// untouched, and every record replays intact.
TEST(CommitLogTest, AppendsWriteWholePagesZeroFilledPastTheLastRecord) {
  test::ScratchDir dir, crashed;
  auto log = OpenOrDie(SmallOptions(dir, CommitLogSyncMode::kBatch));
  ASSERT_NE(log, nullptr);
  const uint64_t segment = log->CurrentPosition().segment_id;
  const std::string path = SegmentPath(dir, segment);
  const uint64_t header_end = log->CurrentPosition().offset;
  {
    // The header's page is zeros after the header (the segment was prepared so); the
    // pages after it get stale bytes, as in a recycled file.
    std::string bytes = ReadFile(path);
    ASSERT_EQ(std::count(bytes.begin() + static_cast<long>(header_end), bytes.begin() + 4096, '\0'),
              static_cast<long>(4096 - header_end));
    std::fill(bytes.begin() + 4096, bytes.end(), static_cast<char>(0xFF));
    WriteFile(path, bytes);
  }
  std::vector<std::string> fresh;
  for (int i = 0; log->CurrentPosition().offset < 40000; ++i) {  // stays in the segment
    fresh.push_back(MakeRecord(i, 1 + (i * 977) % 6000));
    ASSERT_OK(log->Add(fresh.back(), {"t"}).status());
    ASSERT_EQ(log->CurrentPosition().segment_id, segment);
    const uint64_t end = log->CurrentPosition().offset;
    const uint64_t page_end = (end + 4095) / 4096 * 4096;
    const std::string bytes = ReadFile(path);
    ASSERT_GE(bytes.size(), page_end + 4096);
    const std::string padding = bytes.substr(end, page_end - end);
    ASSERT_EQ(std::count(padding.begin(), padding.end(), '\0'), static_cast<long>(padding.size()))
        << "record " << i << " ends at " << end;
    const std::string next_page = bytes.substr(page_end, 4096);
    ASSERT_EQ(std::count(next_page.begin(), next_page.end(), static_cast<char>(0xFF)), 4096)
        << "record " << i << " ends at " << end;
  }

  CopySegments(dir, crashed);
  auto reopened = OpenOrDie(SmallOptions(crashed, CommitLogSyncMode::kBatch));
  ASSERT_NE(reopened, nullptr);
  Replayed r;
  ASSERT_OK(reopened->Replay(Collect(&r), &r.stats));
  EXPECT_EQ(r.records, fresh);
  EXPECT_TRUE(r.stats.corruptions.empty());
}

// A prepared segment leaves none of its pages in the page cache but the header's: small
// appends into the large folios the kernel caches the zero-fill in are slow (see
// PrepareSegment), and appends write first-touched pages whole, so none is read back.
TEST(CommitLogTest, PreparedSegmentKeepsOnlyItsHeaderPageCached) {
  test::ScratchDir dir;
  struct statfs fs_info;
  ASSERT_EQ(::statfs(dir.str().c_str(), &fs_info), 0);
  if (fs_info.f_type == TMPFS_MAGIC) GTEST_SKIP() << "tmpfs pages cannot be dropped";
  auto log = OpenOrDie(SmallOptions(dir, CommitLogSyncMode::kPeriodic));
  ASSERT_NE(log, nullptr);
  const std::string path = SegmentPath(dir, log->CurrentPosition().segment_id);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  void* map = ::mmap(nullptr, kSmallSegment, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  ASSERT_NE(map, MAP_FAILED);
  const size_t pages = kSmallSegment / 4096;
  std::vector<unsigned char> resident(pages);
  ASSERT_EQ(::mincore(map, kSmallSegment, resident.data()), 0);
  ::munmap(map, kSmallSegment);
  EXPECT_TRUE(resident[0] & 1) << "the header's page";
  for (size_t i = 1; i < pages; ++i) EXPECT_FALSE(resident[i] & 1) << "page " << i;
  // Appends into the uncached pages read back as written.
  std::vector<std::string> written;
  for (int i = 0; i < 20; ++i) {
    written.push_back(MakeRecord(i, 1000));
    ASSERT_OK(log->Add(written.back(), {"t"}).status());
  }
  ASSERT_OK(log->Close());
  auto reopened = OpenOrDie(SmallOptions(dir, CommitLogSyncMode::kPeriodic));
  ASSERT_NE(reopened, nullptr);
  Replayed r;
  ASSERT_OK(reopened->Replay(Collect(&r), &r.stats));
  EXPECT_EQ(r.records, written);
}

TEST(CommitLogTest, BatchModeConcurrentWritersAreAcknowledgedAndDurable) {
  test::ScratchDir dir, crashed;
  CommitLogOptions o = SmallOptions(dir, CommitLogSyncMode::kBatch);
  o.segment_size_bytes = 256 * 1024;
  o.batch_window_ms = 2;
  auto log = OpenOrDie(o);
  ASSERT_NE(log, nullptr);
  constexpr int kThreads = 16, kPerThread = 100;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!log->Add(MakeRecord(t * 1000 + i, 200), {"t"}).ok()) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  const CommitLogMetrics m = log->metrics();
  EXPECT_EQ(m.records, uint64_t{kThreads * kPerThread});
  EXPECT_LT(m.syncs, m.records / 2) << "writers should share fdatasyncs";

  CopySegments(dir, crashed);  // acknowledged means on disk: no Close needed
  auto reopened = OpenOrDie(SmallOptions(crashed, CommitLogSyncMode::kBatch));
  ASSERT_NE(reopened, nullptr);
  Replayed r;
  ASSERT_OK(reopened->Replay(Collect(&r), &r.stats));
  std::set<std::string> got(r.records.begin(), r.records.end());
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      EXPECT_TRUE(got.count(MakeRecord(t * 1000 + i, 200))) << t << "/" << i;
    }
  }
}

TEST(CommitLogTest, AddAsyncCallbacksRunOnceEachInLogOrder) {
  test::ScratchDir dir;
  auto log = OpenOrDie(SmallOptions(dir, CommitLogSyncMode::kBatch));
  ASSERT_NE(log, nullptr);
  constexpr int kN = 2000;
  std::mutex mu;
  std::vector<int> acked;  // callback order, by append index
  std::vector<ReplayPosition> returned;
  for (int i = 0; i < kN; ++i) {
    Result<ReplayPosition> pos = log->AddAsync(MakeRecord(i, 100), {"t"}, [&, i](const Status& s) {
      EXPECT_OK(s);
      std::lock_guard l(mu);
      acked.push_back(i);
    });
    ASSERT_OK(pos.status());
    returned.push_back(*pos);
  }
  ASSERT_OK(log->Sync());  // returns after the callbacks it covers have run
  std::lock_guard l(mu);
  ASSERT_EQ(acked.size(), static_cast<size_t>(kN));
  for (int i = 0; i < kN; ++i) EXPECT_EQ(acked[i], i);
  EXPECT_TRUE(std::is_sorted(returned.begin(), returned.end()));
  EXPECT_LT(log->metrics().syncs, static_cast<uint64_t>(kN));
}

TEST(CommitLogTest, PeriodicModeSyncsOnRequestAndOnItsPeriod) {
  test::ScratchDir dir;
  CommitLogOptions o = SmallOptions(dir, CommitLogSyncMode::kPeriodic);
  o.sync_period_ms = 20;
  auto log = OpenOrDie(o);
  ASSERT_NE(log, nullptr);
  bool called = false;
  ASSERT_OK(log->AddAsync("r", {"t"}, [&](const Status& s) {
                  EXPECT_OK(s);
                  called = true;
                }).status());
  EXPECT_TRUE(called);  // periodic: acknowledged before AddAsync returns
  ASSERT_OK(log->Sync());
  const uint64_t after_explicit = log->metrics().syncs;
  EXPECT_GE(after_explicit, 1u);
  ASSERT_OK(log->Add("s", {"t"}).status());
  for (int i = 0; i < 200 && log->metrics().syncs == after_explicit; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GT(log->metrics().syncs, after_explicit);
}

TEST(CommitLogTest, FailedSyncIsSticky) {
  test::ScratchDir dir;
  std::atomic<bool> fail_sync{false};
  CommitLogOptions o = SmallOptions(dir, CommitLogSyncMode::kBatch);
  o.fault_injector = [&](CommitLogFileOp op, const std::string&) {
    return op == CommitLogFileOp::kSync && fail_sync ? Status::IOError("injected EIO")
                                                     : Status::OK();
  };
  auto log = OpenOrDie(o);
  ASSERT_NE(log, nullptr);
  ASSERT_OK(log->Add("before", {"t"}).status());

  fail_sync = true;
  std::atomic<int> failed_callbacks{0};
  for (int i = 0; i < 10; ++i) {
    Result<ReplayPosition> pos = log->AddAsync("pending", {"t"}, [&](const Status& s) {
      if (s.IsIOError()) failed_callbacks++;
    });
    if (!pos.ok()) {
      EXPECT_TRUE(pos.status().IsIOError());
    }
  }
  Result<ReplayPosition> r = log->Add("during", {"t"});
  EXPECT_TRUE(r.status().IsIOError()) << r.status().ToString();

  fail_sync = false;  // the disk "recovers": the log must not
  r = log->Add("after", {"t"});
  EXPECT_TRUE(r.status().IsIOError()) << r.status().ToString();
  bool called = false;
  EXPECT_TRUE(log->AddAsync("after", {"t"}, [&](const Status&) { called = true; })
                  .status()
                  .IsIOError());
  EXPECT_TRUE(log->Sync().IsIOError());
  Status closed = log->Close();
  EXPECT_TRUE(closed.IsIOError());
  EXPECT_FALSE(called);
  EXPECT_GE(failed_callbacks.load(), 1);
}

// A failed write is sticky in both modes. Periodic mode writes in Add itself; batch mode
// hands records to the OS in the sync round, before its fdatasync, so a failed write
// there fails every record the round covers.
TEST(CommitLogTest, FailedWriteIsSticky) {
  for (CommitLogSyncMode mode : {CommitLogSyncMode::kPeriodic, CommitLogSyncMode::kBatch}) {
    SCOPED_TRACE(CommitLogSyncModeName(mode));
    test::ScratchDir dir;
    std::atomic<bool> fail_write{false};
    CommitLogOptions o = SmallOptions(dir, mode);
    o.fault_injector = [&](CommitLogFileOp op, const std::string&) {
      return op == CommitLogFileOp::kWrite && fail_write ? Status::IOError("injected ENOSPC")
                                                         : Status::OK();
    };
    auto log = OpenOrDie(o);
    ASSERT_NE(log, nullptr);
    ASSERT_OK(log->Add("ok", {"t"}).status());
    fail_write = true;
    Result<ReplayPosition> r = log->Add("x", {"t"});
    EXPECT_TRUE(r.status().IsIOError()) << r.status().ToString();
    fail_write = false;
    r = log->Add("y", {"t"});
    EXPECT_TRUE(r.status().IsIOError()) << r.status().ToString();
    EXPECT_TRUE(log->Sync().IsIOError());
  }
}

// Batch mode: an appended record is not in the file until its sync round, and is there,
// whole, once it is acknowledged.
TEST(CommitLogTest, BatchModeRecordReachesTheFileWithItsSyncRound) {
  test::ScratchDir dir;
  CommitLogOptions o = SmallOptions(dir, CommitLogSyncMode::kBatch);
  // Holds the sync thread's writes (never the appending thread's) until released.
  const std::thread::id test_thread = std::this_thread::get_id();
  std::atomic<bool> hold{true};
  o.fault_injector = [&](CommitLogFileOp op, const std::string&) {
    while (op == CommitLogFileOp::kWrite && hold && std::this_thread::get_id() != test_thread) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return Status::OK();
  };
  auto log = OpenOrDie(o);
  ASSERT_NE(log, nullptr);
  const uint64_t segment = log->CurrentPosition().segment_id;
  const std::string record(3000, 'r');
  std::atomic<bool> acked{false};
  ASSERT_OK(log->AddAsync(record, {"t"}, [&](const Status& s) {
                 EXPECT_OK(s);
                 acked = true;
               }).status());
  std::string bytes = ReadFile(SegmentPath(dir, segment));
  EXPECT_EQ(bytes.find(record), std::string::npos);
  EXPECT_FALSE(acked);
  hold = false;
  ASSERT_OK(log->Sync());
  EXPECT_TRUE(acked);
  bytes = ReadFile(SegmentPath(dir, segment));
  EXPECT_NE(bytes.find(record), std::string::npos);
}

TEST(CommitLogTest, FailedSegmentCreationIsSticky) {
  test::ScratchDir dir;
  std::atomic<bool> fail_create{false};
  CommitLogOptions o = SmallOptions(dir, CommitLogSyncMode::kPeriodic);
  o.fault_injector = [&](CommitLogFileOp op, const std::string&) {
    return op == CommitLogFileOp::kCreate && fail_create ? Status::IOError("injected")
                                                         : Status::OK();
  };
  fail_create = true;
  EXPECT_TRUE(CommitLog::Open(o).status().IsIOError());
}

TEST(CommitLogTest, SegmentIdsStayMonotonicAcrossReopen) {
  test::ScratchDir dir;
  ManualClock clock;  // never advances: ids must still grow
  CommitLogOptions o = SmallOptions(dir, CommitLogSyncMode::kPeriodic);
  o.clock = &clock;
  uint64_t max_seen = 0;
  for (int round = 0; round < 3; ++round) {
    auto log = OpenOrDie(o);
    ASSERT_NE(log, nullptr);
    for (uint64_t id : log->ReplayableSegmentIds()) EXPECT_LE(id, max_seen);
    EXPECT_GT(log->LiveSegmentIds().front(), max_seen);
    if (round == 0) {
      EXPECT_EQ(log->LiveSegmentIds().front(), 1'700'000'000'000u);
    }
    for (int i = 0; log->LiveSegmentIds().size() < 2; ++i) {
      ASSERT_OK(log->Add(MakeRecord(i, 9000), {"t"}).status());
    }
    if (round == 1) {
      // Replayed segments removed: later ids are still above them.
      ASSERT_OK(log->DeleteReplayedSegments());
      EXPECT_TRUE(log->ReplayableSegmentIds().empty());
    }
    for (uint64_t id : log->LiveSegmentIds()) max_seen = std::max(max_seen, id);
    ASSERT_OK(log->Close());
  }
}

TEST(CommitLogTest, DeleteReplayedSegmentsRemovesOnlyOldSegments) {
  test::ScratchDir dir;
  {
    auto log = OpenOrDie(SmallOptions(dir, CommitLogSyncMode::kPeriodic));
    ASSERT_NE(log, nullptr);
    ASSERT_OK(log->Add("old", {"t"}).status());
    ASSERT_OK(log->Close());
  }
  CommitLogOptions o = SmallOptions(dir, CommitLogSyncMode::kPeriodic);
  o.max_recycled_segments = 0;
  auto log = OpenOrDie(o);
  ASSERT_NE(log, nullptr);
  const std::vector<uint64_t> old_ids = log->ReplayableSegmentIds();
  ASSERT_EQ(old_ids.size(), 1u);
  ASSERT_OK(log->Add("new", {"t"}).status());
  Replayed r;
  ASSERT_OK(log->Replay(Collect(&r), &r.stats));
  EXPECT_EQ(r.records, std::vector<std::string>{"old"});
  ASSERT_OK(log->DeleteReplayedSegments());
  EXPECT_FALSE(fs::exists(SegmentPath(dir, old_ids[0])));
  EXPECT_TRUE(fs::exists(SegmentPath(dir, log->CurrentPosition().segment_id)));
  Replayed none;
  ASSERT_OK(log->Replay(Collect(&none), &none.stats));
  EXPECT_TRUE(none.records.empty());
}

TEST(CommitLogTest, RejectsRecordsLargerThanASegmentAndWritesAfterClose) {
  test::ScratchDir dir;
  auto log = OpenOrDie(SmallOptions(dir, CommitLogSyncMode::kBatch));
  ASSERT_NE(log, nullptr);
  EXPECT_TRUE(log->Add(std::string(kSmallSegment, 'x'), {"t"}).status().IsInvalidArgument());
  ASSERT_OK(log->Add(std::string(kSmallSegment - 200, 'x'), {"t"}).status());  // fits alone
  ASSERT_OK(log->Add("", {"t"}).status());  // empty records are fine
  ASSERT_OK(log->Close());
  EXPECT_TRUE(log->Add("late", {"t"}).status().IsAborted());
  EXPECT_OK(log->Close());  // idempotent
}

TEST(CommitLogTest, HalfPreparedSegmentsAreRemovedOnOpen) {
  test::ScratchDir dir;
  const auto leftover = dir.path() / commitlog::TempSegmentFileName(5);
  WriteFile(leftover.string(), "partial");
  auto log = OpenOrDie(SmallOptions(dir, CommitLogSyncMode::kPeriodic));
  ASSERT_NE(log, nullptr);
  // Only the leftover is checked: the allocator thread may be preparing a segment of its
  // own under a temporary name at this very moment (a race seen in CI).
  EXPECT_FALSE(std::filesystem::exists(leftover));
  EXPECT_TRUE(log->ReplayableSegmentIds().empty());
}

// The exact bytes of a small segment (COMMITLOG_FORMAT.md, "Worked example"). If this
// fails, the format changed: update the doc and the format version with it.
TEST(CommitLogFormatTest, GoldenBytes) {
  test::ScratchDir dir;
  ManualClock clock;  // segment id 1700000000000 (0x18BCFE56800)
  CommitLogOptions o = SmallOptions(dir, CommitLogSyncMode::kPeriodic);
  o.clock = &clock;
  Mutation m;
  m.keyspace = "ks";
  m.key = "k1";
  Mutation::Update u;
  u.table_id = "t1";
  u.update.cells.push_back(Cell::Live("c", "v", 1));
  m.updates.push_back(u);
  std::string payload;
  m.EncodeTo(&payload);
  uint64_t id;
  {
    auto log = OpenOrDie(o);
    ASSERT_NE(log, nullptr);
    Result<ReplayPosition> p1 = log->Add("hello", {"t1"});
    ASSERT_OK(p1.status());
    EXPECT_EQ(p1->offset, 32u + 7 + 5);
    Result<ReplayPosition> p2 = log->Add(payload, {"t1"});
    ASSERT_OK(p2.status());
    id = p2->segment_id;
    ASSERT_OK(log->Close());
  }
  EXPECT_EQ(id, 1'700'000'000'000u);
  const std::string image = ReadFile(SegmentPath(dir, id));
  ASSERT_EQ(image.size(), kSmallSegment);
  const std::string golden =
      // header: "CAIRNLOG", version 1, block size 32768, segment id 1700000000000,
      // reserved 0, header checksum
      "434149524e4c4f47" "01000000" "00800000" "0068e5cf8b010000" "00000000" "35d84ef4"
      // record 1: checksum, length 5, type FULL, "hello"
      "2838c7b7" "0500" "01" "68656c6c6f"
      // record 2: checksum, length 38, type FULL, the Mutation payload:
      "8be49a0d" "2600" "01"
      "01" "026b73" "026b31" "01"  // version 1, keyspace "ks", key "k1", 1 update
      "027431"                      // table id "t1"
      "0000000000000080" "ffffff7f"  // partition deletion: none (INT64_MIN, INT32_MAX)
      "00"                          // no range tombstones
      "01" "00" "0163" "0100000000000000" "0176"  // 1 cell: live, "c", ts 1, "v"
      // end-of-segment marker: checksum, length 0, type 5
      "e2d86823" "0000" "05";
  std::string hex;
  static const char* kHex = "0123456789abcdef";
  const size_t used = 32 + 7 + 5 + 7 + payload.size() + 7;
  for (size_t i = 0; i < used; ++i) {
    hex.push_back(kHex[static_cast<unsigned char>(image[i]) >> 4]);
    hex.push_back(kHex[static_cast<unsigned char>(image[i]) & 15]);
  }
  EXPECT_EQ(hex, golden);
  EXPECT_TRUE(std::all_of(image.begin() + used, image.end(), [](char c) { return c == 0; }));
}

}  // namespace
}  // namespace cairn::memtable
