// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Implementation notes (the contract is in commit_log.h, the bytes in COMMITLOG_FORMAT.md).
//
// Appends use pwrite(2) under mu_ rather than memcpy into an mmap: a failed write comes
// back as an errno we can turn into the sticky IOError, where a failed page writeback
// behind an mmap is a SIGBUS or a silently lost page. The price is one system call per
// record inside the lock (measured in bench/README.md, "Commit log").
//
// fdatasync is cheap only when it has no metadata to write, so a segment never grows
// while it is active: the allocator fills it with zeros (or takes a recycled file, whose
// blocks are already allocated) and syncs it before it is renamed into place.
#include "memtable/commit_log.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <filesystem>

#include "common/logging.h"
#include "common/thread_name.h"
#include "memtable/commit_log_format.h"

namespace cairn::memtable {

using commitlog::FragmentType;
using commitlog::kBlockSize;
using commitlog::kFragmentHeaderSize;
using commitlog::kSegmentHeaderSize;

namespace {

// Segments prepared ahead of the active one. One is enough: preparing a segment (at
// worst zero-filling 32 MiB) is much faster than filling one.
constexpr size_t kReserveSegments = 1;
// The unit WriteToActive writes in. Segment sizes are multiples of 32 KiB, so of this.
constexpr uint64_t kPageBytes = 4096;

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Where a record of `len` bytes starting at `offset` ends once split into fragments
// (with block trailers skipped). len 0 is one empty fragment.
uint64_t EndAfterRecord(uint64_t offset, size_t len) {
  bool first = true;
  while (first || len > 0) {
    const uint64_t left = kBlockSize - offset % kBlockSize;
    if (left < kFragmentHeaderSize) {
      offset += left;
      continue;
    }
    const size_t n = std::min<size_t>(len, left - kFragmentHeaderSize);
    offset += kFragmentHeaderSize + n;
    len -= n;
    first = false;
  }
  return offset;
}

// Appends the fragments of `record` (starting at segment offset `offset`) to *dst,
// zero-padding block trailers. `single` is the type used when one fragment suffices
// (kFull, or kEndOfSegment for the seal).
void EncodeRecord(std::string* dst, uint64_t segment_id, uint64_t offset,
                  std::string_view record, FragmentType single) {
  bool first = true;
  while (first || !record.empty()) {
    const uint64_t left = kBlockSize - offset % kBlockSize;
    if (left < kFragmentHeaderSize) {
      dst->append(left, '\0');
      offset += left;
      continue;
    }
    const size_t n = std::min<size_t>(record.size(), left - kFragmentHeaderSize);
    const bool last = n == record.size();
    FragmentType type = first && last ? single
                        : first       ? FragmentType::kFirst
                        : last        ? FragmentType::kLast
                                      : FragmentType::kMiddle;
    commitlog::AppendFragment(dst, segment_id, type, record.substr(0, n));
    record.remove_prefix(n);
    offset += kFragmentHeaderSize + n;
    first = false;
  }
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOErrorFromErrno("open directory " + dir, errno);
  Status s;
  if (::fsync(fd) != 0) s = Status::IOErrorFromErrno("fsync directory " + dir, errno);
  ::close(fd);
  return s;
}

Status PWriteAll(int fd, std::string_view data, uint64_t offset, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOErrorFromErrno("write " + path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return Status::OK();
}

}  // namespace

Result<CommitLogSyncMode> ParseCommitLogSyncMode(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "periodic") return CommitLogSyncMode::kPeriodic;
  if (lower == "batch") return CommitLogSyncMode::kBatch;
  return Status::InvalidArgument("unknown commitlog_sync mode '" + std::string(name) +
                                 "' (expected periodic or batch)");
}

const char* CommitLogSyncModeName(CommitLogSyncMode mode) {
  return mode == CommitLogSyncMode::kPeriodic ? "periodic" : "batch";
}

struct CommitLog::Segment {
  uint64_t id = 0;
  std::string path;
  int fd = -1;  // immutable once the segment exists; closed by the destructor
  // Guarded by mu_:
  uint32_t written = 0;  // bytes appended (the header included)
  uint32_t synced = 0;   // bytes known durable
  // Batch mode: the last pending.size() bytes of `written`, not yet handed to the OS
  // (the next sync round writes them). Always empty in periodic mode.
  std::string pending;
  bool sealed = false;   // end-of-segment marker written; no more appends
  std::map<TableId, uint32_t> dirty;  // table -> end offset of its last record here

  ~Segment() {
    if (fd >= 0) ::close(fd);
  }
};

CommitLog::CommitLog(CommitLogOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : Clock::Real()) {}

CommitLog::~CommitLog() { Close().IgnoreError(); /* the sticky error was already logged */ }

Result<std::unique_ptr<CommitLog>> CommitLog::Open(CommitLogOptions options) {
  if (options.directory.empty()) {
    return Status::InvalidArgument("commit log directory is not set");
  }
  const uint64_t size = options.segment_size_bytes;
  if (size % kBlockSize != 0 || size < 2 * kBlockSize || size > (1ull << 30)) {
    return Status::InvalidArgument("commit log segment_size_bytes " + std::to_string(size) +
                                   " must be a multiple of 32 KiB between 64 KiB and 1 GiB");
  }
  if (options.sync_mode == CommitLogSyncMode::kPeriodic && options.sync_period_ms == 0) {
    return Status::InvalidArgument("commit log sync_period_ms must be positive");
  }
  std::unique_ptr<CommitLog> log(new CommitLog(std::move(options)));
  CAIRN_RETURN_IF_ERROR(log->Init());
  return log;
}

Status CommitLog::Init() {
  std::error_code ec;
  std::filesystem::create_directories(options_.directory, ec);
  if (ec) {
    return Status::IOError("create commit log directory " + options_.directory + ": " +
                           ec.message());
  }
  uint64_t max_id = 0;
  DIR* dir = ::opendir(options_.directory.c_str());
  if (dir == nullptr) return Status::IOErrorFromErrno("list " + options_.directory, errno);
  std::vector<std::pair<uint64_t, std::string>> stale;
  while (dirent* e = ::readdir(dir)) {
    uint64_t id;
    uint32_t version;
    commitlog::SegmentFileKind kind;
    if (!commitlog::ParseSegmentFileName(e->d_name, &id, &version, &kind)) continue;
    max_id = std::max(max_id, id);
    std::string path = PathOf(e->d_name);
    switch (kind) {
      case commitlog::SegmentFileKind::kSegment:
        replayable_[id] = path;
        break;
      case commitlog::SegmentFileKind::kTemp:
        stale.emplace_back(id, path);  // a crash while preparing: holds no records
        break;
      case commitlog::SegmentFileKind::kRecycle:
        if (version == commitlog::kFormatVersion &&
            recycle_pool_.size() < options_.max_recycled_segments) {
          recycle_pool_.emplace_back(id, path);
        } else {
          stale.emplace_back(id, path);
        }
        break;
    }
  }
  ::closedir(dir);
  for (const auto& [id, path] : stale) {
    if (::unlink(path.c_str()) != 0) {
      CAIRN_LOG(WARN) << "cannot remove " << path << ": " << std::strerror(errno);
    }
  }
  // Cassandra's CommitLogSegment id base: the wall clock in ms, above every id on disk.
  const uint64_t now_ms = static_cast<uint64_t>(clock_->NowMicros() / 1000);
  next_id_ = std::max({max_id + 1, now_ms, options_.min_segment_id});

  std::string recycle;
  if (!recycle_pool_.empty()) {
    recycle = recycle_pool_.back().second;
    recycle_pool_.pop_back();
  }
  CAIRN_ASSIGN_OR_RETURN(active_, PrepareSegment(next_id_++, recycle));
  live_.push_back(active_);
  CAIRN_LOG(INFO) << "commit log " << options_.directory << " open: "
                  << replayable_.size() << " segment(s) to replay, active segment "
                  << active_->id << ", sync mode " << CommitLogSyncModeName(options_.sync_mode);
  sync_thread_ = std::thread([this] { SyncThread(); });
  allocator_thread_ = std::thread([this] { AllocatorThread(); });
  return Status::OK();
}

std::string CommitLog::PathOf(const std::string& name) const {
  return (std::filesystem::path(options_.directory) / name).string();
}

Status CommitLog::Inject(CommitLogFileOp op, const std::string& path) const {
  if (!options_.fault_injector) return Status::OK();
  return options_.fault_injector(op, path);
}

Result<std::shared_ptr<CommitLog::Segment>> CommitLog::PrepareSegment(
    uint64_t id, const std::string& recycle_path) {
  const std::string tmp = PathOf(commitlog::TempSegmentFileName(id));
  const std::string final_path = PathOf(commitlog::SegmentFileName(id));
  CAIRN_RETURN_IF_ERROR(Inject(CommitLogFileOp::kCreate, final_path));
  auto seg = std::make_shared<Segment>();
  seg->id = id;
  seg->path = final_path;
  bool recycled = false;
  if (!recycle_path.empty()) {
    // Renamed to *.tmp first: a crash from here on leaves a file Open() deletes.
    if (::rename(recycle_path.c_str(), tmp.c_str()) == 0) {
      seg->fd = ::open(tmp.c_str(), O_RDWR | O_CLOEXEC);
      struct stat st;
      if (seg->fd >= 0 && ::fstat(seg->fd, &st) == 0 &&
          static_cast<uint64_t>(st.st_size) == options_.segment_size_bytes) {
        recycled = true;
      } else if (seg->fd >= 0) {
        ::close(seg->fd);
        seg->fd = -1;
      }
    } else {
      CAIRN_LOG(WARN) << "cannot recycle " << recycle_path << ": " << std::strerror(errno);
    }
  }
  if (!recycled) {
    seg->fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (seg->fd < 0) return Status::IOErrorFromErrno("create " + tmp, errno);
    // Reserve the blocks, then write zeros over them: fallocate alone leaves "unwritten"
    // extents whose first write would make every fdatasync a metadata update.
    if (::fallocate(seg->fd, 0, 0, static_cast<off_t>(options_.segment_size_bytes)) != 0 &&
        errno != EOPNOTSUPP) {
      Status s = Status::IOErrorFromErrno("fallocate " + tmp, errno);
      ::unlink(tmp.c_str());
      return s;
    }
    static const std::string kZeros(1 << 20, '\0');
    for (uint64_t off = 0; off < options_.segment_size_bytes; off += kZeros.size()) {
      size_t n = std::min<uint64_t>(kZeros.size(), options_.segment_size_bytes - off);
      Status s = PWriteAll(seg->fd, std::string_view(kZeros).substr(0, n), off, tmp);
      if (!s.ok()) {
        ::unlink(tmp.c_str());
        return s;
      }
    }
    // On disk before their pages can be dropped below.
    if (::fdatasync(seg->fd) != 0) {
      Status s = Status::IOErrorFromErrno("fdatasync " + tmp, errno);
      ::unlink(tmp.c_str());
      return s;
    }
  }
  // Drop the segment's cached pages, so that appends find none: the kernel caches the
  // zeros (and a recycled segment's pages read by a replay) in large folios, and a small
  // pwrite into a large folio costs the kernel a walk over every block of the folio
  // (ext4_block_write_begin / block_commit_write: 12 % of a two-writer put profile).
  // Appends write the pages they are the first to touch whole (WriteSegmentBytes), so an
  // uncached page is never read back. A hint: an error only leaves the pages cached.
  (void)::posix_fadvise(seg->fd, 0, 0, POSIX_FADV_DONTNEED);
  // The header, and zeros to the end of its page (WriteToActive's first page).
  std::string header = commitlog::EncodeSegmentHeader(id);
  header.resize(kPageBytes, '\0');
  Status s = PWriteAll(seg->fd, header, 0, tmp);
  if (s.ok() && ::fsync(seg->fd) != 0) s = Status::IOErrorFromErrno("fsync " + tmp, errno);
  if (s.ok() && ::rename(tmp.c_str(), final_path.c_str()) != 0) {
    s = Status::IOErrorFromErrno("rename " + tmp, errno);
  }
  if (s.ok()) s = SyncDirectory(options_.directory);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  seg->written = seg->synced = kSegmentHeaderSize;
  std::lock_guard l(mu_);
  (recycled ? metrics_.segments_recycled : metrics_.segments_created)++;
  return seg;
}

void CommitLog::SetError(const Status& s) {
  if (error_.ok()) {
    error_ = s;
    CAIRN_LOG(ERROR) << "commit log failed, refusing all further writes: " << s.ToString();
  }
  sync_cv_.notify_all();
  reserve_cv_.notify_all();
  synced_cv_.notify_all();
}

// Writes `bytes` at offset `start` of `seg`. A page this write is the first to touch is written whole: the bytes, then zeros to the end of their last
// page. A partial write to a page that is not in the page cache makes the kernel read
// that page from disk first (read-modify-write), which the appenders (periodic mode) or
// the sync round (batch mode) would wait for; a write covering a whole page never does.
// The pages of a prepared segment are cold until the log reaches them and may have been
// evicted by then (on the VMs Cairn is benchmarked on, DAMON pages out cold page cache
// within seconds). The page a write starts in was touched by an earlier one (the header's
// write covers page 0) and is in the cache. The zeros are what the segment holds there
// anyway: a fresh segment is zeroed, and in a recycled one they replace stale records,
// which replay would skip. `buf` is scratch space.
Status CommitLog::WriteSegmentBytes(const Segment& seg, std::string_view bytes, uint64_t start,
                                    std::string* buf) const {
  CAIRN_RETURN_IF_ERROR(Inject(CommitLogFileOp::kWrite, seg.path));
  const uint64_t end = start + bytes.size();
  const uint64_t touched = (start + kPageBytes - 1) / kPageBytes * kPageBytes;
  if (end > touched) {
    const uint64_t padded_end = std::min<uint64_t>((end + kPageBytes - 1) / kPageBytes * kPageBytes,
                                                   options_.segment_size_bytes);
    buf->assign(bytes);
    buf->resize(padded_end - start, '\0');
    return PWriteAll(seg.fd, *buf, start, seg.path);
  }
  return PWriteAll(seg.fd, bytes, start, seg.path);
}

// Periodic mode writes through at once: an acknowledged record must survive the process
// (kill -9), if not the machine. Batch mode acknowledges a record only after the sync
// round that covers it, so the record waits in the segment's `pending` buffer and the
// round writes the whole group with one pwrite before its fdatasync, as Cassandra's
// memory-mapped segments defer the write to msync.
Status CommitLog::WriteToActive(std::string_view bytes) {
  if (options_.sync_mode == CommitLogSyncMode::kBatch) {
    active_->pending.append(bytes);
  } else {
    Status s = WriteSegmentBytes(*active_, bytes, active_->written, &page_buf_);
    if (!s.ok()) {
      SetError(s);
      return s;
    }
  }
  active_->written += static_cast<uint32_t>(bytes.size());
  metrics_.bytes_written += bytes.size();
  return Status::OK();
}

Status CommitLog::SwitchSegment(std::unique_lock<std::mutex>& lock) {
  if (!active_->sealed) {
    scratch_.clear();
    EncodeRecord(&scratch_, active_->id, active_->written, {}, FragmentType::kEndOfSegment);
    CAIRN_RETURN_IF_ERROR(WriteToActive(scratch_));
    active_->sealed = true;
    sync_cv_.notify_one();  // in batch mode the seal is synced right away, with the tail
  }
  alloc_cv_.notify_one();
  reserve_cv_.wait(lock, [&] { return !reserve_.empty() || !error_.ok() || closing_; });
  if (!error_.ok()) return error_;
  if (closing_) return Status::Aborted("commit log is closing");
  if (active_->sealed) {  // not yet switched by another writer that waited with us
    active_ = reserve_.front();
    reserve_.pop_front();
    live_.push_back(active_);
    alloc_cv_.notify_one();
  }
  return Status::OK();
}

Result<ReplayPosition> CommitLog::AddAsync(std::string_view record,
                                           const std::vector<TableId>& tables, Callback done) {
  const uint64_t segment_size = options_.segment_size_bytes;
  if (EndAfterRecord(EndAfterRecord(kSegmentHeaderSize, record.size()), 0) > segment_size) {
    return Status::InvalidArgument("commit log record of " + std::to_string(record.size()) +
                                   " bytes does not fit in a segment of " +
                                   std::to_string(segment_size) + " bytes");
  }
  std::unique_lock l(mu_);
  for (;;) {
    if (closing_) return Status::Aborted("commit log is closed");
    if (!error_.ok()) return error_;
    // The record must leave room for the end-of-segment marker after it.
    if (!active_->sealed &&
        EndAfterRecord(EndAfterRecord(active_->written, record.size()), 0) <= segment_size) {
      break;
    }
    CAIRN_RETURN_IF_ERROR(SwitchSegment(l));
  }
  scratch_.clear();
  EncodeRecord(&scratch_, active_->id, active_->written, record, FragmentType::kFull);
  CAIRN_RETURN_IF_ERROR(WriteToActive(scratch_));
  const ReplayPosition pos{active_->id, active_->written};
  for (const TableId& t : tables) active_->dirty[t] = pos.offset;
  metrics_.records++;
  if (options_.sync_mode == CommitLogSyncMode::kPeriodic) {
    l.unlock();
    if (done) done(Status::OK());
    return pos;
  }
  waiters_.push_back(Waiter{pos, std::move(done), SteadyNanos()});
  if (waiters_.size() >= wake_sync_at_) sync_cv_.notify_one();
  return pos;
}

Result<ReplayPosition> CommitLog::Add(std::string_view record,
                                      const std::vector<TableId>& tables) {
  if (options_.sync_mode == CommitLogSyncMode::kPeriodic) {
    return AddAsync(record, tables, nullptr);  // acknowledged before it returns
  }
  // Shared with the callback, which may still be running when this returns.
  struct Ack {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    Status status;
  };
  auto ack = std::make_shared<Ack>();
  Result<ReplayPosition> pos = AddAsync(record, tables, [ack](const Status& s) {
    std::lock_guard l(ack->mu);
    ack->status = s;
    ack->done = true;
    ack->cv.notify_one();
  });
  if (!pos.ok()) return pos;
  std::unique_lock l(ack->mu);
  ack->cv.wait(l, [&] { return ack->done; });
  if (!ack->status.ok()) return ack->status;
  return pos;
}

Status CommitLog::Sync() {
  std::unique_lock l(mu_);
  if (!error_.ok()) return error_;
  if (closing_) return Status::Aborted("commit log is closed");
  // A round that starts after this point covers everything appended before it.
  const uint64_t target = rounds_started_ + 1;
  requested_round_ = std::max(requested_round_, target);
  sync_cv_.notify_one();
  synced_cv_.wait(l, [&] { return rounds_completed_ >= target || !error_.ok(); });
  return error_;
}

ReplayPosition CommitLog::CurrentPosition() const {
  std::lock_guard l(mu_);
  return ReplayPosition{active_->id, active_->written};
}

void CommitLog::SyncThread() {
  SetThreadName("cl-sync");
  const bool batch = options_.sync_mode == CommitLogSyncMode::kBatch;
  const auto period = std::chrono::milliseconds(options_.sync_period_ms);
  const int64_t window_nanos = int64_t{options_.batch_window_ms} * 1'000'000;
  auto next_periodic = std::chrono::steady_clock::now() + period;
  // Batch mode: the records each round writes before syncing, taken from the segments'
  // `pending` (one buffer per segment in the round, reused across rounds).
  std::vector<std::string> unwritten;
  std::string page_buf;  // WriteSegmentBytes' scratch
  std::unique_lock l(mu_);
  for (;;) {
    // Wait for a reason to sync.
    for (;;) {
      if (stop_threads_ || requested_round_ > rounds_started_) break;
      if (batch) {
        if (waiters_.empty()) {
          // A sealed segment's tail is synced without waiting for a writer.
          if (error_.ok() && live_.size() > 1 &&
              live_[live_.size() - 2]->synced < live_[live_.size() - 2]->written) {
            break;
          }
          wake_sync_at_ = 1;
          sync_cv_.wait(l);
          continue;
        }
        // Group commit: wait until the writers the last sync released are back, or the
        // oldest waiter has waited batch_window_ms, or as long as the last fdatasync
        // took: waiting longer than a sync costs cannot pay off (syncing now and again
        // later would be done by then), and when syncs are slow the writers that arrive
        // during one are batched into the next anyway.
        const size_t want = std::max<size_t>(1, last_group_size_);
        const int64_t deadline =
            waiters_.front().enqueued_nanos + std::min(window_nanos, last_sync_nanos_);
        if (waiters_.size() >= want || SteadyNanos() >= deadline) break;
        wake_sync_at_ = want;
        sync_cv_.wait_for(l, std::chrono::nanoseconds(deadline - SteadyNanos()));
      } else {
        if (std::chrono::steady_clock::now() >= next_periodic) break;
        sync_cv_.wait_until(l, next_periodic);
      }
    }
    wake_sync_at_ = SIZE_MAX;  // busy: writers need not wake us
    const bool stopping = stop_threads_;
    next_periodic = std::chrono::steady_clock::now() + period;
    ++rounds_started_;
    std::vector<std::pair<std::shared_ptr<Segment>, uint32_t>> todo;
    size_t buffers_used = 0;
    for (const auto& seg : live_) {
      if (seg->synced >= seg->written) continue;
      todo.emplace_back(seg, seg->written);
      if (buffers_used == unwritten.size()) unwritten.emplace_back();
      std::string& buf = unwritten[buffers_used++];
      buf.clear();
      buf.swap(seg->pending);  // the segment keeps the old buffer's capacity
    }
    const size_t covered = waiters_.size();
    Status s = error_;
    l.unlock();

    const int64_t sync_start = SteadyNanos();
    for (size_t i = 0; i < todo.size(); ++i) {
      const auto& [seg, upto] = todo[i];
      if (!s.ok()) break;
      if (!unwritten[i].empty()) {
        s = WriteSegmentBytes(*seg, unwritten[i], upto - unwritten[i].size(), &page_buf);
        if (!s.ok()) break;
      }
      s = Inject(CommitLogFileOp::kSync, seg->path);
      if (s.ok() && ::fdatasync(seg->fd) != 0) {
        s = Status::IOErrorFromErrno("fdatasync " + seg->path, errno);
      }
    }

    l.lock();
    if (!s.ok()) {
      SetError(s);
    } else {
      for (const auto& [seg, upto] : todo) seg->synced = std::max(seg->synced, upto);
      if (!todo.empty()) {
        last_sync_nanos_ = SteadyNanos() - sync_start;
        metrics_.syncs++;
        metrics_.sync_micros += static_cast<uint64_t>(last_sync_nanos_) / 1000;
      }
    }
    // After an error nothing pending may be acknowledged, not even what this round
    // covered: the failed sync may have been the one that mattered.
    const Status result = error_;
    const size_t n = result.ok() ? covered : waiters_.size();
    std::vector<Callback> callbacks;
    callbacks.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      callbacks.push_back(std::move(waiters_.front().done));
      waiters_.pop_front();
    }
    if (n > 0) last_group_size_ = n;
    l.unlock();
    for (Callback& cb : callbacks) {
      if (cb) cb(result);
    }
    l.lock();
    // Only now: Sync() promises that the callbacks it covers have run.
    ++rounds_completed_;
    synced_cv_.notify_all();
    if (stopping && waiters_.empty()) break;
  }
}

void CommitLog::AllocatorThread() {
  SetThreadName("cl-alloc");
  std::unique_lock l(mu_);
  for (;;) {
    alloc_cv_.wait(l, [&] {
      return stop_threads_ || (reserve_.size() < kReserveSegments && error_.ok());
    });
    if (stop_threads_) return;
    const uint64_t id = next_id_++;
    std::string recycle;
    if (!recycle_pool_.empty()) {
      recycle = recycle_pool_.back().second;
      recycle_pool_.pop_back();
    }
    l.unlock();
    Result<std::shared_ptr<Segment>> seg = PrepareSegment(id, recycle);
    l.lock();
    if (!seg.ok()) {
      SetError(seg.status().WithContext("preparing commit log segment " + std::to_string(id)));
      continue;
    }
    reserve_.push_back(std::move(seg).value());  // Close() deletes it if never used
    reserve_cv_.notify_all();
  }
}

void CommitLog::DiscardCompletedSegments(const TableId& table, ReplayPosition upto) {
  std::vector<std::shared_ptr<Segment>> freed;
  {
    std::lock_guard l(mu_);
    for (const auto& seg : live_) {
      if (seg->id > upto.segment_id) break;
      auto it = seg->dirty.find(table);
      if (it != seg->dirty.end() && (seg->id < upto.segment_id || it->second <= upto.offset)) {
        seg->dirty.erase(it);
      }
    }
    for (auto it = live_.begin(); it != live_.end();) {
      // A batch-mode segment waits for its sync round to write and sync its tail (the
      // end-of-segment marker): a file recycled under that write would be corrupted.
      if (*it != active_ && (*it)->dirty.empty() &&
          (options_.sync_mode != CommitLogSyncMode::kBatch || (*it)->synced == (*it)->written)) {
        freed.push_back(*it);
        it = live_.erase(it);
      } else {
        ++it;
      }
    }
    metrics_.segments_discarded += freed.size();
  }
  std::vector<std::pair<uint64_t, std::string>> files;
  for (const auto& seg : freed) files.emplace_back(seg->id, seg->path);
  RemoveOrRecycleFiles(std::move(files));
}

void CommitLog::RemoveOrRecycleFiles(std::vector<std::pair<uint64_t, std::string>> files) {
  for (const auto& [id, path] : files) {
    bool recycle = false;
    {
      std::lock_guard l(mu_);
      recycle = !closing_ && recycle_pool_.size() < options_.max_recycled_segments;
    }
    struct stat st;
    if (recycle && ::stat(path.c_str(), &st) == 0 &&
        static_cast<uint64_t>(st.st_size) == options_.segment_size_bytes) {
      const std::string target = PathOf(commitlog::RecycleFileName(id));
      if (::rename(path.c_str(), target.c_str()) == 0) {
        std::lock_guard l(mu_);
        recycle_pool_.emplace_back(id, target);
        alloc_cv_.notify_one();
        continue;
      }
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      CAIRN_LOG(WARN) << "cannot remove commit log segment " << path << ": "
                      << std::strerror(errno);
    }
  }
}

Status CommitLog::Replay(const ReplayCallback& callback, ReplayStats* stats) {
  std::map<uint64_t, std::string> segments;
  {
    std::lock_guard l(mu_);
    segments = replayable_;
  }
  ReplayStats local;
  ReplayStats* st = stats != nullptr ? stats : &local;
  for (const auto& [id, path] : segments) {
    CAIRN_RETURN_IF_ERROR(ReadCommitLogSegment(path, id, callback, st));
  }
  CAIRN_LOG(INFO) << "commit log replay: " << st->records << " records (" << st->record_bytes
                  << " bytes) from " << st->segments << " segment(s), " << st->torn_tails
                  << " torn tail(s), " << st->corruptions.size() << " corrupt region(s)";
  return Status::OK();
}

Status CommitLog::DeleteReplayedSegments() {
  std::vector<std::pair<uint64_t, std::string>> files;
  {
    std::lock_guard l(mu_);
    files.assign(replayable_.begin(), replayable_.end());
    replayable_.clear();
  }
  RemoveOrRecycleFiles(std::move(files));
  return SyncDirectory(options_.directory);
}

Status CommitLog::Close() {
  {
    std::lock_guard l(mu_);
    if (closing_) return error_;
    closing_ = true;
    if (error_.ok() && active_ != nullptr && !active_->sealed) {
      scratch_.clear();
      EncodeRecord(&scratch_, active_->id, active_->written, {}, FragmentType::kEndOfSegment);
      if (WriteToActive(scratch_).ok()) active_->sealed = true;
    }
    stop_threads_ = true;
    sync_cv_.notify_all();
    alloc_cv_.notify_all();
    reserve_cv_.notify_all();
  }
  if (sync_thread_.joinable()) sync_thread_.join();
  if (allocator_thread_.joinable()) allocator_thread_.join();
  std::lock_guard l(mu_);
  for (const auto& seg : reserve_) ::unlink(seg->path.c_str());  // never used: no records
  reserve_.clear();
  live_.clear();  // closes the files (active_ keeps the last one open for CurrentPosition)
  // The sync thread's last round completed every waiter: closing_ stopped new ones.
  assert(waiters_.empty());
  return error_;
}

std::vector<uint64_t> CommitLog::LiveSegmentIds() const {
  std::lock_guard l(mu_);
  std::vector<uint64_t> ids;
  for (const auto& seg : live_) ids.push_back(seg->id);
  return ids;
}

std::vector<uint64_t> CommitLog::ReplayableSegmentIds() const {
  std::lock_guard l(mu_);
  std::vector<uint64_t> ids;
  for (const auto& [id, path] : replayable_) ids.push_back(id);
  return ids;
}

CommitLogMetrics CommitLog::metrics() const {
  std::lock_guard l(mu_);
  return metrics_;
}

}  // namespace cairn::memtable
