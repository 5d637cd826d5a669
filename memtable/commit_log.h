// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// CommitLog: the write-ahead log that makes memtables durable (Cassandra's
// db/commitlog/CommitLog, Scylla's db::commitlog). Every write is appended here before it
// is applied to a memtable; after a crash, Replay() hands the records back so the owner
// can rebuild the memtables it had not flushed.
//
// Overview
//   The log is a directory of fixed-size segment files (COMMITLOG_FORMAT.md). Exactly one
//   segment is *active*: appends go to it until the next record does not fit, then the
//   writer seals it (end-of-segment marker) and switches to a segment prepared ahead of
//   time. Records are opaque bytes: the caller passes an encoded cairn::Mutation and says
//   which tables it touches.
//
//   Three threads touch the files:
//     - callers of Add/AddAsync append under `mu_` with pwrite(2) (the bytes are then in
//       the OS page cache, which survives a process crash but not a power failure);
//     - the sync thread calls fdatasync(2) with no lock held, then completes, in log
//       order, every write that the sync covered;
//     - the allocator thread prepares the next segment (zero-filled, or a recycled one) so
//       that fdatasync never has to update file metadata and a switch never waits for I/O.
//
// Durability (CommitLogOptions::sync_mode)
//   kPeriodic: a write is acknowledged once it is written to the OS; the sync thread
//     fdatasyncs every sync_period_ms. A power failure may lose the last period.
//   kBatch: a write is acknowledged only after an fdatasync that covers it. Concurrent
//     writes share one fdatasync (group commit); a sync waits at most batch_window_ms for
//     more writers to join. AddAsync lets one thread keep many writes in flight without a
//     thread blocked per write.
//   A failed write or fdatasync is sticky: every pending and later write fails with
//   IOError, since after a failed fsync nobody knows what reached the disk (leveldb's
//   bg_error_, PostgreSQL's "fsyncgate"). Reopening the log is the only way out.
//
// Segment lifetime
//   Each segment remembers, per table id, the position of the last record it holds for
//   that table. When a table has flushed its memtable, the owner calls
//   DiscardCompletedSegments(table, position at the memtable switch); a segment no table
//   is dirty in, and that is not the active one, is recycled (renamed to *.recycle, up to
//   max_recycled_segments) or deleted. Segments left by an earlier process are replayed
//   with Replay() and removed with DeleteReplayedSegments() once the owner has flushed
//   what it replayed. Segment ids grow monotonically, also across restarts.
//
// Thread-safety: every public method may be called concurrently from any thread, except
//   that Close() (and the destructor) must not race with other calls that begin after
//   it: calls that begin after Close() fail with Aborted.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/mutation.h"
#include "common/status.h"
#include "memtable/commit_log_reader.h"
#include "memtable/replay_position.h"

namespace cairn::memtable {

// Cassandra's commitlog_sync.
enum class CommitLogSyncMode {
  kPeriodic,  // "periodic"
  kBatch,     // "batch"
};

// Parses "periodic" or "batch" (any case) as in cassandra.yaml's commitlog_sync.
Result<CommitLogSyncMode> ParseCommitLogSyncMode(std::string_view name);
const char* CommitLogSyncModeName(CommitLogSyncMode mode);

// The file operations the test seam can fail (CommitLogOptions::fault_injector).
enum class CommitLogFileOp {
  kCreate,  // creating, zero-filling or recycling a segment
  kWrite,   // pwrite(2) of records into a segment
  kSync,    // fdatasync(2) of a segment
};

struct CommitLogOptions {
  // Directory holding the segments (Cassandra's commitlog_directory); created if
  // missing. Nothing else should live there. REQUIRED.
  std::string directory;

  // Size of each segment file in bytes; a multiple of 32 KiB (the block size), at least
  // 64 KiB and at most 1 GiB. A record (plus 7 bytes per 32 KiB block it spans) must fit
  // in one segment. Default: 32 MiB (Cassandra's commitlog_segment_size_in_mb).
  uint64_t segment_size_bytes = 32ull << 20;

  // When writes are acknowledged (commitlog_sync). Default: kBatch, Cairn's choice
  // (DESIGN.md "Write path"); Cassandra's default is periodic.
  CommitLogSyncMode sync_mode = CommitLogSyncMode::kBatch;

  // kPeriodic only: milliseconds between two fdatasyncs (commitlog_sync_period_in_ms).
  // Default: 10000.
  uint32_t sync_period_ms = 10000;

  // kBatch only: the longest a sync waits, in milliseconds after the oldest waiting write
  // arrived, for more writers to join it (commitlog_sync_batch_window_in_ms). The sync
  // starts earlier as soon as as many writes are waiting as the previous sync completed
  // (the writers it released have come back), and never waits longer than the previous
  // fdatasync took, so with fast syncs the wait is tens of microseconds, not the window.
  // 0 syncs as soon as anything waits. Default: 2.
  uint32_t batch_window_ms = 2;

  // Fully flushed segments kept (renamed *.recycle) for reuse instead of being deleted,
  // so new segments need not be zero-filled. 0 disables recycling. Default: 4.
  uint32_t max_recycled_segments = 4;

  // New segment ids are at least this. The owner passes one more than the highest
  // segment id its SSTables record as flushed, so a new segment can never sort below
  // data already flushed, even when the log directory was emptied and the clock went
  // back. Default: 0.
  uint64_t min_segment_id = 0;

  // Source of the wall clock that seeds segment ids (milliseconds since the epoch, as in
  // Cassandra, so ids stay monotonic even when every old segment has been deleted).
  // Must outlive the log. Default (null): Clock::Real().
  const Clock* clock = nullptr;

  // Test seam: called before every segment file operation with the operation and the
  // file's path. A non-OK return is treated exactly as if the system call had failed with
  // that status. Called from any of the log's threads, possibly concurrently.
  // Default: empty (no injection).
  std::function<Status(CommitLogFileOp op, const std::string& path)> fault_injector;
};

// Counters for tests, benchmarks and metrics. A snapshot; fields only grow.
struct CommitLogMetrics {
  uint64_t records = 0;             // records appended
  uint64_t bytes_written = 0;       // bytes pwritten, fragment headers included
  uint64_t syncs = 0;               // fdatasync rounds that completed
  uint64_t sync_micros = 0;         // time spent in those rounds' fdatasync calls
  uint64_t segments_created = 0;    // zero-filled new segments
  uint64_t segments_recycled = 0;   // segments reused from *.recycle files
  uint64_t segments_discarded = 0;  // segments recycled or deleted after a flush
};

class CommitLog {
 public:
  // Called once per AddAsync that returned OK: with OK when the record is acknowledged
  // (durable in batch mode, written to the OS in periodic mode), or with the error that
  // prevents it (IOError after a failed write or sync; Aborted when the log closed first).
  // In batch mode it runs on the sync thread; in periodic mode on the thread that called
  // AddAsync, before AddAsync returns. It must be quick, must not throw and must not block
  // on the log (no Add, Sync or Close from inside it; AddAsync is fine).
  using Callback = std::function<void(const Status&)>;

  // Opens the log in options.directory: removes half-prepared segments (*.tmp), takes
  // *.recycle files into the recycling pool, remembers the existing segments for
  // Replay(), creates the first new segment (with an id above every existing one) and
  // starts the sync and allocator threads.
  // Returns InvalidArgument for bad options, IOError when the directory or the first
  // segment cannot be created.
  static Result<std::unique_ptr<CommitLog>> Open(CommitLogOptions options);

  // Close()s the log, ignoring its status.
  ~CommitLog();
  CommitLog(const CommitLog&) = delete;
  CommitLog& operator=(const CommitLog&) = delete;

  // Appends `record` and returns its position (the offset just after it). `tables` are
  // the ids of the tables the record holds data for; each stays dirty in the segment until
  // DiscardCompletedSegments(table, p) with p >= the returned position.
  // `done` is called exactly once if, and only if, this returns OK (see Callback).
  // Errors (and then `done` is never called): InvalidArgument when the record cannot fit
  // in a segment; the sticky IOError; Aborted after Close(). May block while the next
  // segment is being prepared.
  // Records appended by one thread keep their order; positions reflect the log order.
  Result<ReplayPosition> AddAsync(std::string_view record, const std::vector<TableId>& tables,
                                  Callback done);

  // AddAsync, then waits for the acknowledgement. Returns the position once the record
  // is acknowledged, or the error. REQUIRES: not called from a Callback.
  Result<ReplayPosition> Add(std::string_view record, const std::vector<TableId>& tables);

  // Waits until every record appended before the call is fdatasync'd, in either mode,
  // and the callbacks of those records have run (used before drain and by tests).
  // Returns the sticky error if any. REQUIRES: not called from a Callback.
  Status Sync();

  // The position after the last record appended so far: every record appended before the
  // call is <= it. The owner records it when it switches a memtable, and later passes it
  // to DiscardCompletedSegments. Cassandra's CommitLog.getCurrentPosition().
  ReplayPosition CurrentPosition() const;

  // Table `table` has flushed every record at or before `upto`: it is no longer dirty in
  // any segment that holds nothing of it after `upto`. Segments no table is dirty in,
  // except the active one, are recycled or deleted. Errors removing files are logged,
  // not returned (the segments are then replayed again after a restart, which is
  // harmless: replaying flushed mutations is idempotent).
  void DiscardCompletedSegments(const TableId& table, ReplayPosition upto);

  // Reads the segments that existed when the log was opened, in id order, and hands
  // every intact record to `callback` (see commit_log_reader.h for torn tails and
  // corruption). Fills *stats when non-null. Returns the first error: a bad segment header
  // (wrong magic, unknown version: Corruption/NotSupported naming the file), an I/O error,
  // or the callback's error. May run while new records are appended (they go to newer
  // segments and are not replayed).
  Status Replay(const ReplayCallback& callback, ReplayStats* stats = nullptr);

  // Removes (or recycles) the segments that existed when the log was opened. Call it
  // after the memtables rebuilt by Replay() have been flushed; records in those segments
  // are gone afterwards. REQUIRES: no Replay() running.
  Status DeleteReplayedSegments();

  // Syncs what was written, seals the active segment with an end-of-segment marker,
  // completes every pending callback, stops and joins the threads and deletes the
  // prepared-but-unused segments. Idempotent. Returns the sticky error if one occurred.
  // REQUIRES: not called from a Callback.
  Status Close();

  // Ids of the live segments of this process (not the replayed ones), oldest first; the
  // last one is the active segment.
  std::vector<uint64_t> LiveSegmentIds() const;
  // Ids of the segments found at Open() and not yet deleted.
  std::vector<uint64_t> ReplayableSegmentIds() const;
  CommitLogMetrics metrics() const;
  const CommitLogOptions& options() const { return options_; }

 private:
  struct Segment;
  struct Waiter {
    ReplayPosition position;
    Callback done;
    int64_t enqueued_nanos;
  };

  explicit CommitLog(CommitLogOptions options);

  Status Init();
  // Makes a ready-to-use segment file with the given id, recycling `recycle_path` if
  // non-empty. Does I/O; called without mu_.
  Result<std::shared_ptr<Segment>> PrepareSegment(uint64_t id, const std::string& recycle_path);
  // Seals the active segment and installs the next one. REQUIRES: mu_ held (via `lock`,
  // which it may release while waiting for the allocator).
  Status SwitchSegment(std::unique_lock<std::mutex>& lock);
  // Appends `bytes` at the active segment's write offset: writes them in periodic mode,
  // buffers them for the next sync round in batch mode. REQUIRES: mu_ held.
  Status WriteToActive(std::string_view bytes);
  // pwrite(2)s `bytes` at `start` of `seg`, padding first-touched pages with zeros.
  Status WriteSegmentBytes(const Segment& seg, std::string_view bytes, uint64_t start,
                           std::string* buf) const;
  // Sets the sticky error and wakes everyone. REQUIRES: mu_ held.
  void SetError(const Status& s);
  Status Inject(CommitLogFileOp op, const std::string& path) const;
  std::string PathOf(const std::string& name) const;
  void RemoveOrRecycle(std::vector<std::shared_ptr<Segment>> segments);
  void RemoveOrRecycleFiles(std::vector<std::pair<uint64_t, std::string>> files);

  void SyncThread();
  void AllocatorThread();

  const CommitLogOptions options_;
  const Clock* const clock_;

  mutable std::mutex mu_;
  std::condition_variable sync_cv_;      // wakes the sync thread
  std::condition_variable alloc_cv_;     // wakes the allocator thread
  std::condition_variable reserve_cv_;   // a prepared segment arrived, or an error
  std::condition_variable synced_cv_;    // for Sync(): a sync round completed

  // All guarded by mu_:
  Status error_;                                     // sticky
  bool closing_ = false;                             // Close() has begun
  bool stop_threads_ = false;
  uint64_t next_id_ = 0;                             // id of the next prepared segment
  std::shared_ptr<Segment> active_;                  // back() of live_
  std::deque<std::shared_ptr<Segment>> live_;        // this process's segments, by id
  std::deque<std::shared_ptr<Segment>> reserve_;     // prepared, not yet active
  std::vector<std::pair<uint64_t, std::string>> recycle_pool_;  // (id, path) of *.recycle
  std::map<uint64_t, std::string> replayable_;       // id -> path, found at Open
  std::deque<Waiter> waiters_;                       // batch-mode acks, in log order
  uint64_t rounds_started_ = 0;                      // sync rounds begun
  uint64_t rounds_completed_ = 0;                    // sync rounds finished
  uint64_t requested_round_ = 0;                     // Sync() waits for this round
  size_t last_group_size_ = 0;                       // writes completed by the last sync
  int64_t last_sync_nanos_ = 0;                      // duration of the last fdatasync round
  size_t wake_sync_at_ = 1;                          // waiters_.size() that wakes the sync thread
  std::string scratch_;                              // fragments being assembled
  std::string page_buf_;                             // WriteToActive's pages; mu_
  CommitLogMetrics metrics_;

  std::thread sync_thread_;
  std::thread allocator_thread_;
};

}  // namespace cairn::memtable
