// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// StorageEngine: the node-local storage of every column family (Cassandra's Keyspace +
// ColumnFamilyStore + CommitLog + the flush and compaction executors).
//
// Write path (ApplyAsync; Apply is the same path, waiting): normalise the mutation, wait if memtables
//   are over twice their budget (back-pressure), encode it, then under `switch_mu_`
//   (shared) pin each table's active memtable (ColumnFamilyStore::BeginWrite) and append
//   the record to the commit log (CommitLog::AddAsync). When the log acknowledges the
//   record (batch mode: after the fdatasync covering it, group-committed with every
//   concurrent write, on the log's sync thread; periodic mode: at once, on the calling
//   thread; for a blocking Apply in batch mode, on the writer's thread, which the sync
//   thread wakes) the update is applied to the pinned memtables and only then is the
//   write acknowledged. So a write becomes visible to reads when it is acknowledged, never
//   before (Cassandra's batch mode). ApplyAsync blocks no thread per waiting write, and
//   no lock is held across an fdatasync. A commit log failure is sticky: from then on every
//   write fails, so nothing not on disk is ever acknowledged.
// Memtable switches: `switch_mu_` is held shared by every write across its memtable
//   pinning and commit log append, and exclusively by a switch, so a memtable switched
//   at commit log position P is the target of every record <= P and of none after it.
//   Some of those may still be in flight (appended, not yet applied): a flush first
//   waits for them (Memtable::WaitForWrites, called by ColumnFamilyStore::FlushPending),
//   so the memtable it writes holds every record <= P. That is what lets a flush tell
//   the commit log "table T is durable up to P".
// Flush: a background flusher switches and flushes the largest memtable whenever the
//   memtables together exceed memtable_space_bytes, or one memtable exceeds its share
//   (a quarter of it, scaled by a factor drawn at random from [0.75, 1.25) after every
//   flush: replicas that receive the same writes would otherwise all flush at the same
//   moment, and a quorum of slow replicas is what a client waits for); writers block
//   (back-pressure) when they exceed twice that, until flushes catch up. Drain() flushes
//   everything.
// Compaction: concurrent_compactors background threads run size-tiered compactions on
//   tables that flushed.
// Startup: Open() opens every table's SSTables, then replays the commit log, skipping
//   records a table's SSTables already cover, flushes what was replayed and deletes the
//   old segments.
//
// Thread-safety: all public methods may be called concurrently, except that Close()
// must be the last call. ApplyAsync's `done` may run on the commit log's sync thread:
// see ApplyAsync for what it may do there.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/mutation.h"
#include "common/rate_limiter.h"
#include "common/rw_lock.h"
#include "memtable/commit_log.h"
#include "node/column_family_store.h"
#include "node/schema.h"

namespace cairn::node {

// Computes the token of a partition key (the partitioner, from ring/).
using KeyDecorator = std::function<DecoratedKey(std::string_view key)>;

struct StorageEngineOptions {
  // Where SSTables live: <data_directory>/<keyspace>/<table>-<id>/. Cassandra's
  // data_file_directories (one directory). Default: ./data/data.
  std::string data_directory = "data/data";
  // Where commit log segments live. Cassandra's commitlog_directory.
  // Default: ./data/commitlog.
  std::string commitlog_directory = "data/commitlog";
  // Commit log settings: sync mode (batch by default), periods, segment size.
  memtable::CommitLogSyncMode commitlog_sync = memtable::CommitLogSyncMode::kBatch;
  uint32_t commitlog_sync_period_ms = 10000;
  uint32_t commitlog_sync_batch_window_ms = 2;
  uint64_t commitlog_segment_size_bytes = 32ull << 20;
  // Commit log size past which every table with unflushed data is flushed so its oldest
  // segments can be freed (Cassandra's commitlog_total_space_in_mb). Default: 1 GiB.
  uint64_t commitlog_total_space_bytes = 1ull << 30;
  // Total bytes all memtables may hold before the largest is flushed
  // (Cassandra's memtable_heap_space_in_mb). Default: 256 MiB.
  size_t memtable_space_bytes = 256ull << 20;
  // Bytes of decoded SSTable blocks cached for reads (Cassandra's
  // file_cache_size_in_mb). 0 disables the cache. Default: 128 MiB.
  size_t block_cache_bytes = 128ull << 20;
  // Background compaction threads (Cassandra's concurrent_compactors). 0 disables
  // automatic compaction (major compaction still works). Default: 1.
  int concurrent_compactors = 1;
  // Bytes of SSTables that all compactions together may read per second (Cassandra's
  // compaction_throughput_mb_per_sec): spreads a compaction's CPU and disk work out so
  // that it does not take a core from reads and writes for a burst. 0 = unpaced.
  // Default: 0 (cairnd sets 64 MiB/s).
  uint64_t compaction_throughput_bytes_per_sec = 0;
  // Partitioner class name, recorded in SSTables.
  std::string partitioner = "org.apache.cassandra.dht.Murmur3Partitioner";
  // fsync SSTables before making them visible. Tests may turn it off. Default: true.
  bool sync_sstables = true;
  const Clock* clock = Clock::Real();
  // Fault injection (tests only).
  std::function<Status(memtable::CommitLogFileOp, const std::string&)> commitlog_fault_injector;
  sstable::WriteHook sstable_write_hook;
};

struct StorageEngineMetrics {
  uint64_t writes = 0;
  uint64_t flushes = 0;
  uint64_t flush_failures = 0;
  uint64_t compactions = 0;
  uint64_t replayed_records = 0;
  uint64_t replay_skipped_records = 0;  // already in SSTables, or for unknown tables
  uint64_t write_stalls = 0;            // writes that waited for flushes (back-pressure)
};

class StorageEngine {
 public:
  // Opens (creating as needed) the directories, every table in `tables`, and replays
  // the commit log. Records for tables not in `tables` are skipped with a warning, as
  // Cassandra does for dropped column families.
  static Result<std::unique_ptr<StorageEngine>> Open(StorageEngineOptions options,
                                                     std::vector<TableMetadata> tables,
                                                     KeyDecorator decorator);
  ~StorageEngine();  // Close()s if needed
  StorageEngine(const StorageEngine&) = delete;
  StorageEngine& operator=(const StorageEngine&) = delete;

  // Adds a table at runtime (CREATE / system_add_column_family).
  Status AddTable(TableMetadata table);
  // Applies a table's changed options (gc_grace_seconds, compaction thresholds, bloom
  // filter chance) to the open table at once, and checks whether it now needs a
  // compaction. NotFound if absent; InvalidArgument if the comparator changed.
  Status UpdateTable(const TableMetadata& table);
  // Removes a table from the engine: no more writes or reads; its files stay on disk
  // (snapshots are the caller's business). NotFound if absent.
  Status DropTable(const TableId& id);
  // Atomically replaces table `old_id` by a new, empty table `replacement` (normally
  // the same keyspace and name under a fresh id: Database::Truncate). The new store is
  // opened first, so on failure the old table stays in place and untouched; on success
  // readers and writers see either the old store or the new one, never neither, and
  // the old table's commit log records are discarded as for DropTable. The old files
  // stay on disk. NotFound if `old_id` is absent; InvalidArgument if `replacement.id`
  // exists or its keyspace/name belong to another table.
  Status ReplaceTable(const TableId& old_id, TableMetadata replacement);
  // nullptr when absent. A store returned stays usable while the caller holds it.
  std::shared_ptr<ColumnFamilyStore> GetTable(const TableId& id) const;
  std::shared_ptr<ColumnFamilyStore> GetTable(std::string_view keyspace,
                                              std::string_view name) const;
  std::vector<std::shared_ptr<ColumnFamilyStore>> Tables() const;

  // Called exactly once with the outcome of an ApplyAsync.
  using WriteCallback = std::function<void(Status)>;

  // Durably applies a mutation (see the file comment) and calls `done` exactly once
  // with the outcome. Its updates need not be normalized.
  //   - OK: the write is acknowledged: in the commit log (batch mode: fdatasync'd) and
  //     applied to the memtables, so reads see it. Before `done(OK)` reads do not see it.
  //   - InvalidArgument for an unknown (or concurrently dropped) table; Overloaded when
  //     memtables stay over twice their budget (see below); InvalidArgument for a
  //     record too large for a commit log segment; IOError once the log has failed
  //     (sticky: this and every later write fail, and a write whose fdatasync failed is
  //     never acknowledged, even if it was appended); Aborted after Close().
  // Where `done` runs: inline, before ApplyAsync returns, for every error found before
  // the append (all of the above but a failed fdatasync) and for every outcome in
  // periodic mode; in batch mode, once appended, on the commit log's sync thread after
  // the fdatasync of its group (or with the error that failed it).
  // `done` must be quick (it delays the acknowledgement of every later write in the
  // group), must not throw, and must not block: no Apply, Flush, FlushAll, Drain,
  // Cleanup, Close or CommitLog::Sync from inside it. ApplyAsync is allowed; called from
  // a `done` it never waits for back-pressure and fails with Overloaded instead.
  // Blocking: ApplyAsync may block the caller briefly while the commit log switches to
  // a prepared segment, and, when memtables hold over twice memtable_space_bytes
  // (flushes not keeping up), until a flush brings them back under it, at most 10 s
  // before failing with Overloaded (the same back-pressure as Apply).
  // Writes issued by one thread that reach the commit log complete in issue order.
  // A write in flight when its table is dropped or replaced (truncate) is ordered before
  // the drop in the log: it may be acknowledged after DropTable/ReplaceTable returned and
  // is then gone with the old table.
  void ApplyAsync(Mutation mutation, WriteCallback done);

  // The same write, returning its status once acknowledged (the same code path as
  // ApplyAsync; in batch mode the calling thread, woken after the fdatasync, applies the
  // write to the memtables itself, so blocked writers apply in parallel).
  // REQUIRES: not called from an ApplyAsync callback.
  Status Apply(Mutation mutation);

  DecoratedKey Decorate(std::string_view key) const { return decorator_(key); }

  // Switches and flushes one table's memtable now (nodetool flush).
  Status Flush(const TableId& id);
  // Flushes every table (nodetool flush without arguments).
  Status FlushAll();

  // nodetool cleanup of one table: flushes its memtable (the same switch and flush as
  // Flush, so what was written before the call is in SSTables), then runs
  // ColumnFamilyStore::Cleanup with `keep` (see there: what is dropped, crash safety,
  // concurrency) and schedules a compaction check. Writes, reads, flushes and other
  // tables' compactions go on meanwhile; a write that lands after the flush stays in
  // the memtable and is kept whatever its token. `*stats` is incremented.
  // NotFound for an unknown table; the flush's error when it fails (nothing dropped).
  Status Cleanup(const TableId& id, const std::function<bool(const Token&)>& keep,
                 ColumnFamilyStore::CleanupStats* stats);

  // Flushes everything and syncs the commit log; further writes still work
  // (nodetool drain stops accepting writes at the server layer).
  Status Drain();
  // Stops background threads, drains, closes the commit log. Idempotent.
  Status Close();

  StorageEngineMetrics metrics() const;
  // The compaction pace in bytes per second (0: unpaced); a change applies to running
  // compactions at their next step (nodetool setcompactionthroughput).
  void SetCompactionThroughput(uint64_t bytes_per_sec) {
    compaction_limiter_.SetRate(static_cast<double>(bytes_per_sec));
  }
  uint64_t compaction_throughput() const {
    return static_cast<uint64_t>(compaction_limiter_.rate());
  }
  // SSTable bytes compactions have charged to the pace since start (paced or not).
  uint64_t compaction_bytes_paced() const { return compaction_limiter_.reserved_bytes(); }
  memtable::CommitLog* commit_log() { return commit_log_.get(); }

 private:
  StorageEngine(StorageEngineOptions options, KeyDecorator decorator);
  struct PendingWrite;
  // The one write path of Apply and ApplyAsync (see ApplyAsync): validates, waits for
  // back-pressure, pins the memtables and appends. With `blocked_writer` (Apply) `done`
  // runs before Submit returns, and in batch mode the calling thread applies the write
  // to the memtables itself once the log acknowledged it.
  void Submit(Mutation mutation, WriteCallback done, bool blocked_writer);
  // The commit log's acknowledgement of `w`: wakes a blocked writer; else finishes the
  // write and, in batch mode, reports to `done` and frees `w` (in periodic mode Submit
  // reports it once switch_mu_ is released).
  void OnLogAck(PendingWrite* w, const Status& s);
  // Applies `w` to its pinned memtables when `s` is OK, releases them (EndWrite), counts
  // it and wakes the flusher if memtables grew past their budget.
  void FinishWrite(PendingWrite* w, const Status& s);
  Status Replay();
  Status FlushTable(const std::shared_ptr<ColumnFamilyStore>& cfs);
  size_t TotalMemtableMemory() const;
  void FlusherThread();
  void CompactorThread();
  void ScheduleCompaction(const TableId& id);
  Result<std::unique_ptr<ColumnFamilyStore>> OpenStore(const TableMetadata& table);

  const StorageEngineOptions options_;
  const KeyDecorator decorator_;
  const std::shared_ptr<sstable::BlockCache> block_cache_;
  RateLimiter compaction_limiter_;  // shared by every table's compactions
  std::unique_ptr<memtable::CommitLog> commit_log_;

  // Held shared by writes across their memtable pinning and commit log append (never
  // across an fdatasync, nor while calling a WriteCallback), exclusively by memtable
  // switches and table drops (see the file comment).
  RwLock switch_mu_;

  mutable std::mutex tables_mu_;
  std::map<TableId, std::shared_ptr<ColumnFamilyStore>> tables_;  // GUARDED_BY(tables_mu_)

  mutable std::mutex bg_mu_;
  std::condition_variable flush_cv_;      // wakes the flusher
  std::condition_variable flushed_cv_;    // a flush finished (for stalled writers)
  std::condition_variable compact_cv_;    // wakes compactors
  std::set<TableId> compaction_queue_;    // GUARDED_BY(bg_mu_)
  bool stopping_ = false;                 // GUARDED_BY(bg_mu_)
  bool closed_ = false;
  bool opened_ = false;  // Open() finished, replay included
  struct AtomicMetrics {
    std::atomic<uint64_t> writes{0}, flushes{0}, flush_failures{0}, compactions{0},
        replayed_records{0}, replay_skipped_records{0}, write_stalls{0};
  } metrics_;
  std::mutex flush_table_mu_;             // one switch+flush at a time
  // The size past which the flusher flushes a memtable below the total budget (see the
  // file comment); redrawn by the flusher after each flush, with flush_rng_ (flusher only).
  std::atomic<size_t> flush_share_bytes_;
  std::minstd_rand flush_rng_;
  size_t DrawFlushShare();
  std::thread flusher_;
  std::vector<std::thread> compactors_;
};

}  // namespace cairn::node
