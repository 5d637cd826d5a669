// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "node/storage_engine.h"

#include <algorithm>
#include <cassert>
#include <filesystem>

#include <sys/resource.h>
#include <unistd.h>

#include "common/logging.h"
#include "common/thread_name.h"

namespace cairn::node {

// The nice value of compaction threads (see CompactorThread).
constexpr int kCompactionNice = 10;

namespace {
sstable::ReplayPosition ToSSTable(memtable::ReplayPosition p) { return {p.segment_id, p.offset}; }
memtable::ReplayPosition ToCommitLog(sstable::ReplayPosition p) {
  return {p.segment_id, p.offset};
}
}  // namespace

StorageEngine::StorageEngine(StorageEngineOptions options, KeyDecorator decorator)
    : options_(std::move(options)),
      decorator_(std::move(decorator)),
      block_cache_(options_.block_cache_bytes > 0
                       ? std::make_shared<sstable::BlockCache>(options_.block_cache_bytes)
                       : nullptr),
      compaction_limiter_(options_.clock,
                          static_cast<double>(options_.compaction_throughput_bytes_per_sec)),
      flush_rng_(std::random_device{}()) {
  flush_share_bytes_ = DrawFlushShare();
}

size_t StorageEngine::DrawFlushShare() {
  const size_t quarter = options_.memtable_space_bytes / 4;
  return quarter * 3 / 4 + std::uniform_int_distribution<size_t>(0, quarter / 2)(flush_rng_);
}

StorageEngine::~StorageEngine() {
  Status st = Close();
  if (!st.ok()) CAIRN_LOG(ERROR) << "closing the storage engine: " << st.ToString();
}

Result<std::unique_ptr<ColumnFamilyStore>> StorageEngine::OpenStore(const TableMetadata& table) {
  ColumnFamilyStoreOptions o;
  o.directory = (std::filesystem::path(options_.data_directory) / table.keyspace /
                 table.DirectoryName())
                    .string();
  o.partitioner = options_.partitioner;
  o.sync_sstables = options_.sync_sstables;
  o.clock = options_.clock;
  o.write_hook = options_.sstable_write_hook;
  o.block_cache = block_cache_;
  o.compaction_limiter = &compaction_limiter_;
  return ColumnFamilyStore::Open(table, std::move(o));
}

Result<std::unique_ptr<StorageEngine>> StorageEngine::Open(StorageEngineOptions options,
                                                           std::vector<TableMetadata> tables,
                                                           KeyDecorator decorator) {
  std::unique_ptr<StorageEngine> engine(new StorageEngine(std::move(options),
                                                          std::move(decorator)));
  for (const TableMetadata& t : tables) {
    CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<ColumnFamilyStore> cfs, engine->OpenStore(t));
    engine->tables_.emplace(t.id, std::move(cfs));
  }
  memtable::CommitLogOptions log;
  log.directory = engine->options_.commitlog_directory;
  log.segment_size_bytes = engine->options_.commitlog_segment_size_bytes;
  log.sync_mode = engine->options_.commitlog_sync;
  log.sync_period_ms = engine->options_.commitlog_sync_period_ms;
  log.batch_window_ms = engine->options_.commitlog_sync_batch_window_ms;
  log.clock = engine->options_.clock;
  log.fault_injector = engine->options_.commitlog_fault_injector;
  for (const auto& [id, cfs] : engine->tables_) {
    log.min_segment_id = std::max(log.min_segment_id, cfs->flushed_position().segment_id + 1);
  }
  CAIRN_ASSIGN_OR_RETURN(engine->commit_log_, memtable::CommitLog::Open(std::move(log)));
  CAIRN_RETURN_IF_ERROR(engine->Replay());
  // Only a fully replayed engine may flush on Close: after a failed replay the memtables
  // hold a prefix of the log, and flushing them at the new log's position would tell the
  // next start to skip the records that were never applied.
  engine->opened_ = true;

  engine->flusher_ = std::thread([e = engine.get()] { e->FlusherThread(); });
  for (int i = 0; i < engine->options_.concurrent_compactors; ++i) {
    engine->compactors_.emplace_back([e = engine.get()] { e->CompactorThread(); });
  }
  // Tables may have accumulated SSTables before the last shutdown.
  for (const auto& [id, cfs] : engine->tables_) engine->ScheduleCompaction(id);
  return engine;
}

Status StorageEngine::Replay() {
  std::map<TableId, sstable::ReplayPosition> flushed;
  for (const auto& [id, cfs] : tables_) flushed[id] = cfs->flushed_position();
  std::set<TableId> unknown;
  memtable::ReplayStats stats;
  const int32_t now = options_.clock->NowSeconds();
  Status st = commit_log_->Replay(
      [&](memtable::ReplayPosition pos, std::string_view record) -> Status {
        Mutation m;
        Status d = Mutation::Decode(record, &m);
        if (!d.ok()) {
          // The checksum matched, so this is a bug or a format from the future.
          CAIRN_LOG(ERROR) << "undecodable commit log record at segment " << pos.segment_id
                           << " offset " << pos.offset << ": " << d.ToString();
          metrics_.replay_skipped_records++;
          return Status::OK();
        }
        const DecoratedKey key = decorator_(m.key);
        for (Mutation::Update& u : m.updates) {
          auto it = tables_.find(u.table_id);
          if (it == tables_.end()) {
            unknown.insert(u.table_id);
            metrics_.replay_skipped_records++;
            continue;
          }
          if (ToSSTable(pos) <= flushed[u.table_id]) {
            metrics_.replay_skipped_records++;
            continue;
          }
          u.update.Normalize(*it->second->metadata().comparator, now);
          it->second->Apply(key, u.update);
          metrics_.replayed_records++;
        }
        return Status::OK();
      },
      &stats);
  CAIRN_RETURN_IF_ERROR(st);
  for (const auto& c : stats.corruptions) {
    CAIRN_LOG(ERROR) << "commit log corruption: " << c.ToString();
  }
  if (!unknown.empty()) {
    CAIRN_LOG(WARN) << "skipped commit log records for " << unknown.size()
                    << " unknown (probably dropped) tables";
  }
  if (stats.segments > 0) {
    CAIRN_LOG(INFO) << "commit log replay: " << stats.segments << " segments, "
                    << stats.records << " records, " << metrics_.replayed_records
                    << " table updates applied, " << metrics_.replay_skipped_records
                    << " skipped, " << stats.torn_tails << " torn tails, "
                    << stats.corruptions.size() << " corrupt regions";
  }
  // Make what was replayed durable in SSTables, then the old segments can go.
  for (const auto& [id, cfs] : tables_) {
    if (cfs->SwitchMemtable(ToSSTable(commit_log_->CurrentPosition()))) {
      auto flushed_to = cfs->FlushPending();
      if (!flushed_to.ok()) return flushed_to.status();
    }
  }
  return commit_log_->DeleteReplayedSegments();
}

Status StorageEngine::AddTable(TableMetadata table) {
  {
    std::lock_guard lock(tables_mu_);
    if (tables_.count(table.id) > 0) {
      return Status::InvalidArgument("table id already exists for " + table.name);
    }
    for (const auto& [id, cfs] : tables_) {
      if (cfs->metadata().keyspace == table.keyspace && cfs->metadata().name == table.name) {
        return Status::InvalidArgument("table " + table.keyspace + "." + table.name +
                                       " already exists");
      }
    }
  }
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<ColumnFamilyStore> cfs, OpenStore(table));
  std::lock_guard lock(tables_mu_);
  tables_.emplace(table.id, std::move(cfs));
  return Status::OK();
}

Status StorageEngine::DropTable(const TableId& id) {
  // Exclusive switch lock: no write is between its table lookup and its commit log
  // append, so none can mark a segment dirty for this table after the discard below
  // (that segment could then never be freed).
  std::unique_lock switch_lock(switch_mu_);
  {
    std::lock_guard lock(tables_mu_);
    auto it = tables_.find(id);
    if (it == tables_.end()) return Status::NotFound("no such table");
    tables_.erase(it);
  }
  // Its commit log records no longer matter: mark it clean everywhere.
  commit_log_->DiscardCompletedSegments(id, commit_log_->CurrentPosition());
  return Status::OK();
}

Status StorageEngine::ReplaceTable(const TableId& old_id, TableMetadata replacement) {
  auto check = [&]() -> Status {
    if (tables_.count(old_id) == 0) return Status::NotFound("no such table");
    if (tables_.count(replacement.id) > 0) {
      return Status::InvalidArgument("table id already exists for " + replacement.name);
    }
    for (const auto& [id, cfs] : tables_) {
      if (id != old_id && cfs->metadata().keyspace == replacement.keyspace &&
          cfs->metadata().name == replacement.name) {
        return Status::InvalidArgument("table " + replacement.keyspace + "." +
                                       replacement.name + " already exists");
      }
    }
    return Status::OK();
  };
  {
    std::lock_guard lock(tables_mu_);
    CAIRN_RETURN_IF_ERROR(check());
  }
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<ColumnFamilyStore> fresh, OpenStore(replacement));
  std::unique_lock switch_lock(switch_mu_);  // see DropTable
  {
    std::lock_guard lock(tables_mu_);
    CAIRN_RETURN_IF_ERROR(check());  // a concurrent AddTable/DropTable may have raced us
    tables_.erase(old_id);
    tables_.emplace(replacement.id, std::move(fresh));
  }
  commit_log_->DiscardCompletedSegments(old_id, commit_log_->CurrentPosition());
  return Status::OK();
}

Status StorageEngine::UpdateTable(const TableMetadata& table) {
  auto cfs = GetTable(table.id);
  if (cfs == nullptr) return Status::NotFound("no such table: " + table.name);
  CAIRN_RETURN_IF_ERROR(cfs->UpdateTunables(table));
  ScheduleCompaction(table.id);
  return Status::OK();
}

std::shared_ptr<ColumnFamilyStore> StorageEngine::GetTable(const TableId& id) const {
  std::lock_guard lock(tables_mu_);
  auto it = tables_.find(id);
  return it == tables_.end() ? nullptr : it->second;
}

std::shared_ptr<ColumnFamilyStore> StorageEngine::GetTable(std::string_view keyspace,
                                                           std::string_view name) const {
  std::lock_guard lock(tables_mu_);
  for (const auto& [id, cfs] : tables_) {
    if (cfs->metadata().keyspace == keyspace && cfs->metadata().name == name) return cfs;
  }
  return nullptr;
}

std::vector<std::shared_ptr<ColumnFamilyStore>> StorageEngine::Tables() const {
  std::lock_guard lock(tables_mu_);
  std::vector<std::shared_ptr<ColumnFamilyStore>> out;
  for (const auto& [id, cfs] : tables_) out.push_back(cfs);
  return out;
}

size_t StorageEngine::TotalMemtableMemory() const {
  size_t total = 0;
  for (const auto& cfs : Tables()) total += cfs->memtable_memory();
  return total;
}

namespace {
// True while a batch-mode WriteCallback runs on the commit log's sync thread. A write
// issued from there must not wait for back-pressure: the flush it would wait for waits
// for writes this very thread has yet to complete.
thread_local bool t_in_write_callback = false;
}  // namespace

// A write between its commit log append and its acknowledgement.
struct StorageEngine::PendingWrite {
  StorageEngine* engine = nullptr;
  Mutation mutation;  // normalized
  DecoratedKey key;
  struct Target {
    std::shared_ptr<ColumnFamilyStore> store;
    std::shared_ptr<memtable::Memtable> memtable;  // pinned (BeginWrite) at the append
  };
  std::vector<Target> targets;  // one per update, in the same order
  WriteCallback done;
  Status status;  // the outcome, when Submit reports it (periodic mode, blocked writer)
  // Batch mode, Apply: the calling thread waits for the log's acknowledgement and then
  // applies the write itself, so the sync thread only wakes it (writers apply in
  // parallel, and the next fdatasync starts sooner).
  bool blocked_writer = false;
  std::mutex ack_mu;
  std::condition_variable ack_cv;
  bool acked = false;  // GUARDED_BY(ack_mu)
};

void StorageEngine::ApplyAsync(Mutation mutation, WriteCallback done) {
  Submit(std::move(mutation), std::move(done), /*blocked_writer=*/false);
}

Status StorageEngine::Apply(Mutation mutation) {
  assert(!t_in_write_callback && "Apply from a write callback would deadlock");
  Status result;  // `done` runs before Submit returns for a blocked writer
  Submit(std::move(mutation), [&result](Status s) { result = std::move(s); },
         /*blocked_writer=*/true);
  return result;
}

void StorageEngine::Submit(Mutation mutation, WriteCallback done, bool blocked_writer) {
  const bool batch = commit_log_->options().sync_mode == memtable::CommitLogSyncMode::kBatch;
  // Batch-mode ApplyAsync: the write outlives this call (the sync thread completes and
  // frees it). Otherwise it is completed before Submit returns, so it can live here.
  const bool outlives_call = batch && !blocked_writer;
  PendingWrite local;
  std::unique_ptr<PendingWrite> owned = outlives_call ? std::make_unique<PendingWrite>() : nullptr;
  PendingWrite* const w = outlives_call ? owned.get() : &local;
  w->blocked_writer = batch && blocked_writer;
  std::vector<TableId> ids;
  w->targets.reserve(mutation.updates.size());
  const int32_t now = options_.clock->NowSeconds();
  for (Mutation::Update& u : mutation.updates) {
    auto cfs = GetTable(u.table_id);
    if (cfs == nullptr) return done(Status::InvalidArgument("unknown table in mutation"));
    u.update.Normalize(*cfs->metadata().comparator, now);
    w->targets.push_back({std::move(cfs), nullptr});
    ids.push_back(u.table_id);
  }

  // Back-pressure: when flushes cannot keep up, writers wait rather than letting memory
  // grow without bound.
  if (TotalMemtableMemory() > 2 * options_.memtable_space_bytes) {
    metrics_.write_stalls++;
    std::unique_lock lock(bg_mu_);
    flush_cv_.notify_one();
    const bool drained =
        !t_in_write_callback && flushed_cv_.wait_for(lock, std::chrono::seconds(10), [&] {
          return stopping_ || TotalMemtableMemory() <= 2 * options_.memtable_space_bytes;
        });
    // Still over twice the budget after 10 s (flushes failing, e.g. a full disk): refuse
    // rather than let memory grow without bound. Nothing was written.
    if (!drained) {
      lock.unlock();
      return done(Status::Overloaded("memtables are full and flushes are not keeping up"));
    }
  }

  std::string record;
  mutation.EncodeTo(&record);
  w->engine = this;
  w->key = decorator_(mutation.key);
  w->mutation = std::move(mutation);
  w->done = std::move(done);
  bool appended = false;
  {
    std::shared_lock lock(switch_mu_);
    // A table dropped since the lookup above must not get a record (see DropTable).
    for (size_t i = 0; i < ids.size(); ++i) {
      if (GetTable(ids[i]) != w->targets[i].store) {
        w->status = Status::InvalidArgument("unknown table in mutation");
        break;
      }
    }
    if (w->status.ok()) {
      for (auto& t : w->targets) t.memtable = t.store->BeginWrite();
      auto pos = commit_log_->AddAsync(
          record, ids, [w](const Status& s) { w->engine->OnLogAck(w, s); });
      if (!pos.ok()) {  // the callback will never run
        for (const auto& t : w->targets) t.memtable->EndWrite();
        w->status = pos.status();
      } else if (outlives_call) {
        // The callback owns the write now, and may already have freed it.
        (void)owned.release();
        return;
      } else {
        // Periodic mode: the callback ran before AddAsync returned and set w->status.
        appended = true;
      }
    }
  }
  if (appended && w->blocked_writer) {
    {
      std::unique_lock l(w->ack_mu);
      w->ack_cv.wait(l, [&] { return w->acked; });
    }
    FinishWrite(w, w->status);
  }
  // Errors, periodic mode and blocked writers: report here, with switch_mu_ released, so
  // `done` may write again.
  w->done(std::move(w->status));
}

void StorageEngine::OnLogAck(PendingWrite* w, const Status& s) {
  if (w->blocked_writer) {  // Submit applies it on the writer's thread
    std::lock_guard l(w->ack_mu);
    w->status = s;
    w->acked = true;
    w->ack_cv.notify_one();  // under ack_mu: the writer cannot free `w` before we unlock
    return;
  }
  FinishWrite(w, s);
  if (commit_log_->options().sync_mode != memtable::CommitLogSyncMode::kBatch) {
    w->status = s;  // periodic mode: Submit reports it
    return;
  }
  std::unique_ptr<PendingWrite> owned(w);
  t_in_write_callback = true;
  owned->done(s);
  t_in_write_callback = false;
}

void StorageEngine::FinishWrite(PendingWrite* w, const Status& s) {
  // Wake the flusher when a memtable passes its share of the budget or all of them pass
  // the budget. Summing every table's memtables takes a lock per table, so that sum is
  // only checked when this write took a memtable across a step of budget/64 (the
  // flusher also checks on its own every second).
  const size_t step = std::max<size_t>(options_.memtable_space_bytes / 64, 1);
  bool crossed_step = false;
  bool over_share = false;
  if (s.ok()) {
    for (size_t i = 0; i < w->targets.size(); ++i) {
      memtable::Memtable& m = *w->targets[i].memtable;
      const size_t before = m.memory_usage();
      m.Apply(w->key, w->mutation.updates[i].update);
      const size_t after = m.memory_usage();
      crossed_step |= before / step != after / step;
      over_share |= after > flush_share_bytes_.load(std::memory_order_relaxed);
    }
  }
  for (const auto& t : w->targets) t.memtable->EndWrite();  // its flush may proceed now
  if (s.ok()) {
    metrics_.writes++;
    if (over_share ||
        (crossed_step && TotalMemtableMemory() > options_.memtable_space_bytes)) {
      flush_cv_.notify_one();
    }
  }
}

Status StorageEngine::FlushTable(const std::shared_ptr<ColumnFamilyStore>& cfs) {
  std::lock_guard flush_lock(flush_table_mu_);
  memtable::ReplayPosition position;
  {
    std::unique_lock lock(switch_mu_);
    position = commit_log_->CurrentPosition();
    cfs->SwitchMemtable(ToSSTable(position));
  }
  auto flushed = cfs->FlushPending();
  auto wake_stalled_writers = [&] {
    std::lock_guard lock(bg_mu_);  // so no writer misses it between its check and its wait
    flushed_cv_.notify_all();
  };
  if (!flushed.ok()) {
    metrics_.flush_failures++;
    wake_stalled_writers();
    return flushed.status();
  }
  metrics_.flushes++;
  commit_log_->DiscardCompletedSegments(cfs->metadata().id, ToCommitLog(*flushed));
  wake_stalled_writers();
  ScheduleCompaction(cfs->metadata().id);
  return Status::OK();
}

Status StorageEngine::Flush(const TableId& id) {
  auto cfs = GetTable(id);
  if (cfs == nullptr) return Status::NotFound("no such table");
  return FlushTable(cfs);
}

Status StorageEngine::FlushAll() {
  Status first;
  for (const auto& cfs : Tables()) {
    Status st = FlushTable(cfs);
    if (!st.ok() && first.ok()) first = st;
  }
  return first;
}

Status StorageEngine::Cleanup(const TableId& id, const std::function<bool(const Token&)>& keep,
                              ColumnFamilyStore::CleanupStats* stats) {
  auto cfs = GetTable(id);
  if (cfs == nullptr) return Status::NotFound("no such table");
  // Cassandra's CompactionManager.performCleanup flushes first too: data still in the
  // memtable could not be cleaned, and a switch needs the commit log position only the
  // engine knows.
  CAIRN_RETURN_IF_ERROR(FlushTable(cfs));
  Status st = cfs->Cleanup(keep, stats);
  // Cleanup held every SSTable out of compaction; see whether they now need one.
  ScheduleCompaction(id);
  return st;
}

Status StorageEngine::Drain() {
  CAIRN_RETURN_IF_ERROR(FlushAll());
  return commit_log_->Sync();
}

void StorageEngine::FlusherThread() {
  SetThreadName("flusher");
  std::unique_lock lock(bg_mu_);
  while (!stopping_) {
    flush_cv_.wait_for(lock, std::chrono::seconds(1));
    if (stopping_) break;
    lock.unlock();
    // The commit log keeps every segment some table still has unflushed data in, so a
    // table written rarely would pin segments forever. Past commitlog_total_space, flush
    // every table holding data (Cassandra's CommitLog.maybeFlushToReclaim flushes those
    // dirty in the oldest segment; flushing all of them is a superset).
    const uint64_t log_bytes =
        commit_log_->LiveSegmentIds().size() * options_.commitlog_segment_size_bytes;
    if (log_bytes > options_.commitlog_total_space_bytes) {
      CAIRN_LOG(INFO) << "commit log holds " << (log_bytes >> 20)
                      << " MiB, over commitlog_total_space: flushing every table";
      for (const auto& cfs : Tables()) {
        Status st = FlushTable(cfs);
        if (!st.ok()) CAIRN_LOG(ERROR) << "flush to reclaim the commit log: " << st.ToString();
      }
    }
    // Flush the largest memtables while over budget (Cassandra flushes the largest).
    int rounds = 0;
    while (TotalMemtableMemory() > options_.memtable_space_bytes / 2 || rounds == 0) {
      std::shared_ptr<ColumnFamilyStore> largest;
      size_t largest_size = 0;
      for (const auto& cfs : Tables()) {
        size_t m = cfs->active_memtable_memory();
        if (m > largest_size) {
          largest_size = m;
          largest = cfs;
        }
      }
      // Below budget on the first round: only flush a memtable past its own share.
      if (largest == nullptr ||
          (rounds == 0 && TotalMemtableMemory() <= options_.memtable_space_bytes &&
           largest_size <= flush_share_bytes_.load(std::memory_order_relaxed))) {
        break;
      }
      ++rounds;
      flush_share_bytes_.store(DrawFlushShare(), std::memory_order_relaxed);
      Status st = FlushTable(largest);
      if (!st.ok()) {
        CAIRN_LOG(ERROR) << "background flush failed (will retry): " << st.ToString();
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        break;
      }
      if (rounds > 64) break;
    }
    lock.lock();
  }
}

void StorageEngine::ScheduleCompaction(const TableId& id) {
  if (options_.concurrent_compactors <= 0) return;
  std::lock_guard lock(bg_mu_);
  compaction_queue_.insert(id);
  compact_cv_.notify_one();
}

void StorageEngine::CompactorThread() {
  SetThreadName("compaction");
  // Background compaction yields the CPU to requests, as Cassandra runs its compaction
  // threads at the lowest priority: a compaction that wins a core from a network or
  // Thrift thread shows up directly in request tail latency. Best effort: an error only
  // leaves the default priority.
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kCompactionNice) != 0) {
    CAIRN_LOG(DEBUG) << "cannot lower the compaction thread's priority";
  }
  std::unique_lock lock(bg_mu_);
  while (true) {
    compact_cv_.wait(lock, [&] { return stopping_ || !compaction_queue_.empty(); });
    if (stopping_) return;
    TableId id = *compaction_queue_.begin();
    compaction_queue_.erase(compaction_queue_.begin());
    lock.unlock();
    auto cfs = GetTable(id);
    bool compacted = cfs != nullptr;
    while (compacted) {
      Status st = cfs->CompactOnce(&compacted);
      if (!st.ok()) {
        CAIRN_LOG(ERROR) << "compaction failed: " << st.ToString();
        break;
      }
      if (compacted) metrics_.compactions++;
      {
        std::lock_guard check(bg_mu_);
        if (stopping_) return;
      }
    }
    lock.lock();
  }
}

Status StorageEngine::Close() {
  {
    std::lock_guard lock(bg_mu_);
    if (closed_) return Status::OK();
    closed_ = true;
    stopping_ = true;
  }
  // A running compaction finishes at full speed: a paced one could hold the shutdown (or
  // a drain) for as long as its input takes at compaction_throughput_mb_per_sec.
  compaction_limiter_.SetRate(0);
  flush_cv_.notify_all();
  compact_cv_.notify_all();
  flushed_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  for (auto& t : compactors_) t.join();
  compactors_.clear();
  Status st;
  if (commit_log_ != nullptr) {
    if (opened_) st = FlushAll();
    Status c = commit_log_->Close();
    if (st.ok()) st = c;
  }
  return st;
}

StorageEngineMetrics StorageEngine::metrics() const {
  StorageEngineMetrics m;
  m.writes = metrics_.writes;
  m.flushes = metrics_.flushes;
  m.flush_failures = metrics_.flush_failures;
  m.compactions = metrics_.compactions;
  m.replayed_records = metrics_.replayed_records;
  m.replay_skipped_records = metrics_.replay_skipped_records;
  m.write_stalls = metrics_.write_stalls;
  return m;
}

}  // namespace cairn::node
