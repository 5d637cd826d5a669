// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "node/column_family_store.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <limits>

#include "common/logging.h"
#include "common/merging_iterator.h"
#include "sstable/compaction.h"
#include "sstable/compaction_strategy.h"
#include "sstable/filename.h"
#include "sstable/sstable_writer.h"

namespace cairn::node {

using sstable::SSTableReader;
using sstable::SSTableWriter;

ColumnFamilyStore::ColumnFamilyStore(TableMetadata metadata, ColumnFamilyStoreOptions options)
    : metadata_(std::move(metadata)),
      options_(std::move(options)),
      active_(std::make_shared<memtable::Memtable>(metadata_.comparator, options_.clock)),
      tunables_{metadata_.gc_grace_seconds, metadata_.bloom_filter_fp_chance,
                metadata_.compaction} {}

ColumnFamilyStore::Tunables ColumnFamilyStore::tunables() const {
  std::lock_guard lock(mu_);
  return tunables_;
}

Status ColumnFamilyStore::UpdateTunables(const TableMetadata& metadata) {
  if (metadata.id != metadata_.id || metadata.comparator->Name() != metadata_.comparator->Name()) {
    return Status::InvalidArgument("table id or comparator differs from " + metadata_.name);
  }
  std::lock_guard lock(mu_);
  tunables_ = {metadata.gc_grace_seconds, metadata.bloom_filter_fp_chance, metadata.compaction};
  return Status::OK();
}

ColumnFamilyStore::~ColumnFamilyStore() = default;

sstable::SSTableOptions ColumnFamilyStore::SSTableOpts() const {
  sstable::SSTableOptions o;
  o.comparator = metadata_.comparator;
  o.partitioner = options_.partitioner;
  o.bloom_fp_chance = tunables().bloom_filter_fp_chance;
  o.block_size = options_.sstable_block_size;
  o.column_index_size = options_.column_index_size;
  o.sync = options_.sync_sstables;
  o.write_hook = options_.write_hook;
  o.block_cache = options_.block_cache;
  return o;
}

Result<std::unique_ptr<ColumnFamilyStore>> ColumnFamilyStore::Open(
    TableMetadata metadata, ColumnFamilyStoreOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(options.directory, ec);
  if (ec) {
    return Status::IOError("cannot create " + options.directory + ": " + ec.message());
  }
  std::unique_ptr<ColumnFamilyStore> cfs(
      new ColumnFamilyStore(std::move(metadata), std::move(options)));
  size_t removed = 0;
  CAIRN_RETURN_IF_ERROR(sstable::RemoveIncompleteSSTables(cfs->options_.directory, &removed));
  if (removed > 0) {
    CAIRN_LOG(INFO) << "removed " << removed << " incomplete SSTable files in "
                    << cfs->options_.directory;
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<uint64_t> generations,
                         sstable::ListGenerations(cfs->options_.directory));
  std::set<uint64_t> ancestors;
  for (uint64_t gen : generations) {
    auto reader = SSTableReader::Open(cfs->options_.directory, gen, cfs->SSTableOpts());
    if (!reader.ok()) return reader.status();
    for (uint64_t a : (*reader)->stats().ancestors) ancestors.insert(a);
    cfs->sstables_.push_back(std::move(reader).value());
    cfs->next_generation_ = std::max<uint64_t>(cfs->next_generation_, gen + 1);
  }
  // Inputs of a compaction whose output is installed are obsolete: a crash came between
  // the install and their deletion (see sstable::Stats::ancestors).
  for (auto it = cfs->sstables_.begin(); it != cfs->sstables_.end();) {
    const uint64_t gen = (*it)->generation();
    if (ancestors.count(gen) == 0) {
      ++it;
      continue;
    }
    CAIRN_LOG(INFO) << "deleting generation " << gen << " of " << cfs->options_.directory
                    << ": already compacted into a live SSTable";
    (*it)->MarkObsolete();
    it = cfs->sstables_.erase(it);
  }
  return cfs;
}

void ColumnFamilyStore::Apply(const DecoratedKey& key, const PartitionUpdate& update) {
  std::shared_ptr<memtable::Memtable> m;
  {
    std::lock_guard lock(mu_);
    m = active_;
  }
  m->Apply(key, update);
}

std::shared_ptr<memtable::Memtable> ColumnFamilyStore::BeginWrite() {
  std::lock_guard lock(mu_);
  active_->BeginWrite();
  return active_;
}

bool ColumnFamilyStore::SwitchMemtable(ReplayPosition position) {
  std::lock_guard lock(mu_);
  if (active_->empty()) return false;
  flushing_.push_back({active_, position});
  active_ = std::make_shared<memtable::Memtable>(metadata_.comparator, options_.clock);
  return true;
}

ColumnFamilyStore::View ColumnFamilyStore::Snapshot() const {
  std::lock_guard lock(mu_);
  return View{active_, flushing_, sstables_};
}

Result<std::shared_ptr<SSTableReader>> ColumnFamilyStore::WriteSSTable(
    PartitionIterator* source, ReplayPosition position, uint64_t expected_partitions,
    bool purge, const std::set<uint64_t>* inputs) {
  const uint64_t generation = next_generation_.fetch_add(1);
  CAIRN_ASSIGN_OR_RETURN(
      std::unique_ptr<SSTableWriter> writer,
      SSTableWriter::Create(options_.directory, generation, expected_partitions, SSTableOpts()));
  if (inputs != nullptr) writer->SetAncestors({inputs->begin(), inputs->end()});
  const int32_t now = options_.clock->NowSeconds();
  const int32_t gc_before = now - tunables().gc_grace_seconds;
  View view;
  if (purge) view = Snapshot();
  for (source->SeekToFirst(); source->Valid(); source->Next()) {
    const PartitionUpdate* p = &source->partition();
    PartitionUpdate purged;
    if (purge) {
      purged = *p;
      if (sstable::PurgePartition(&purged, *metadata_.comparator, now, gc_before,
                                  MaxPurgeableTimestamp(source->key(), view, *inputs))) {
        continue;
      }
      p = &purged;
    } else if (p->empty()) {
      continue;
    }
    Status st = writer->Add(source->key(), *p);
    if (!st.ok()) {
      writer->Abandon();
      return st;
    }
  }
  if (!source->status().ok()) {
    writer->Abandon();
    return source->status();
  }
  Status st = writer->Finish(position);
  if (!st.ok()) {
    writer->Abandon();
    return st;
  }
  return SSTableReader::Open(options_.directory, generation, SSTableOpts());
}

ColumnFamilyStore::Import::Import(ColumnFamilyStore* store,
                                  std::unique_ptr<SSTableWriter> writer)
    : store_(store), writer_(std::move(writer)) {}

ColumnFamilyStore::Import::~Import() { Abandon(); }

Status ColumnFamilyStore::Import::Add(const DecoratedKey& key, const PartitionUpdate& update) {
  if (done_) return Status::InvalidArgument("import already finished");
  if (update.empty()) return Status::OK();
  return writer_->Add(key, update);
}

Status ColumnFamilyStore::Import::Finish() {
  if (done_) return Status::InvalidArgument("import already finished");
  done_ = true;
  const uint64_t generation = writer_->generation();
  Status st = writer_->Finish(ReplayPosition{});
  if (!st.ok()) {
    writer_->Abandon();
    return st;
  }
  auto reader = SSTableReader::Open(store_->options_.directory, generation, store_->SSTableOpts());
  if (!reader.ok()) return reader.status();
  CAIRN_LOG(INFO) << "imported " << writer_->partitions_written() << " partitions of "
                  << store_->metadata_.keyspace << "." << store_->metadata_.name
                  << " as generation " << generation << " (" << (*reader)->data_size()
                  << " bytes)";
  std::lock_guard lock(store_->mu_);
  store_->sstables_.push_back(std::move(reader).value());
  return Status::OK();
}

void ColumnFamilyStore::Import::Abandon() {
  if (done_) return;
  done_ = true;
  writer_->Abandon();
}

uint64_t ColumnFamilyStore::Import::partitions() const { return writer_->partitions_written(); }
uint64_t ColumnFamilyStore::Import::bytes() const { return writer_->bytes_written(); }

Result<std::unique_ptr<ColumnFamilyStore::Import>> ColumnFamilyStore::BeginImport(
    uint64_t expected_partitions) {
  const uint64_t generation = next_generation_.fetch_add(1);
  CAIRN_ASSIGN_OR_RETURN(
      std::unique_ptr<SSTableWriter> writer,
      SSTableWriter::Create(options_.directory, generation, expected_partitions, SSTableOpts()));
  return std::unique_ptr<Import>(new Import(this, std::move(writer)));
}

Result<ReplayPosition> ColumnFamilyStore::FlushPending() {
  std::lock_guard flush_lock(flush_mu_);
  while (true) {
    FlushingMemtable next;
    {
      std::lock_guard lock(mu_);
      if (flushing_.empty()) break;
      next = flushing_.front();
    }
    // Writes appended to the commit log before the switch may not be applied yet; the
    // SSTable must hold them all (it will say it covers the log up to the switch).
    next.memtable->WaitForWrites();
    auto it = next.memtable->NewIterator();
    auto reader = WriteSSTable(it.get(), next.position, next.memtable->partition_count(),
                               /*purge=*/false, nullptr);
    if (!reader.ok()) {
      CAIRN_LOG(ERROR) << "flush of " << metadata_.keyspace << "." << metadata_.name
                       << " failed, memtable kept for retry: " << reader.status().ToString();
      return reader.status();
    }
    CAIRN_LOG(INFO) << "flushed " << metadata_.keyspace << "." << metadata_.name << ": "
                    << next.memtable->partition_count() << " partitions, "
                    << (*reader)->data_size() << " bytes to generation "
                    << (*reader)->generation();
    std::lock_guard lock(mu_);
    sstables_.push_back(std::move(reader).value());
    flushing_.erase(flushing_.begin());
  }
  return flushed_position();
}

Result<std::optional<PartitionUpdate>> ColumnFamilyStore::Read(const DecoratedKey& key,
                                                               const CellFilter& filter) const {
  View view = Snapshot();
  const AbstractType& comparator = *metadata_.comparator;
  const int32_t now = options_.clock->NowSeconds();
  std::optional<PartitionUpdate> result;
  auto merge = [&](PartitionUpdate&& part) {
    if (!result) {
      result = std::move(part);
    } else {
      result->MergeFrom(part, comparator, now);
    }
  };
  if (auto p = view.active->Get(key, filter)) merge(std::move(*p));
  for (const FlushingMemtable& f : view.flushing) {
    if (auto p = f.memtable->Get(key, filter)) merge(std::move(*p));
  }

  // Newest SSTables first, so that a name query can stop early.
  std::sort(view.sstables.begin(), view.sstables.end(), [](const auto& a, const auto& b) {
    return a->stats().max_timestamp > b->stats().max_timestamp;
  });
  for (const auto& sst : view.sstables) {
    const sstable::Stats& stats = sst->stats();
    if (stats.partition_count == 0 || key < stats.first_key || stats.last_key < key) continue;
    if (result) {
      // Everything in this and older SSTables is shadowed by a newer partition deletion.
      if (result->deletion.marked_for_delete_at >= stats.max_timestamp) break;
      // Every requested name already has a version newer than anything in this SSTable
      // (cells with equal timestamps must still be reconciled, hence the strict >).
      if (filter.kind == CellFilter::Kind::kNames &&
          result->cells.size() == filter.names.size() &&
          std::all_of(result->cells.begin(), result->cells.end(),
                      [&](const Cell& c) {
                        // Counter cells merge with older shards: never answered early.
                        return c.kind != CellKind::kCounter && c.timestamp > stats.max_timestamp;
                      })) {
        break;
      }
    }
    if (!sst->MayContain(key.key)) continue;
    CAIRN_ASSIGN_OR_RETURN(std::optional<PartitionUpdate> p, sst->Get(key, filter));
    if (p) merge(std::move(*p));
  }
  return result;
}

std::unique_ptr<PartitionIterator> ColumnFamilyStore::NewScanIterator() const {
  View view = Snapshot();
  std::vector<std::unique_ptr<PartitionIterator>> children;
  // Each memtable iterator needs its memtable alive: hold it via a small wrapper.
  struct Holder final : PartitionIterator {
    std::shared_ptr<memtable::Memtable> owner;
    std::unique_ptr<PartitionIterator> it;
    void SeekToFirst() override { it->SeekToFirst(); }
    void Seek(const DecoratedKey& t) override { it->Seek(t); }
    bool Valid() const override { return it->Valid(); }
    void Next() override { it->Next(); }
    const DecoratedKey& key() const override { return it->key(); }
    const PartitionUpdate& partition() const override { return it->partition(); }
    Status status() const override { return it->status(); }
  };
  auto hold = [&](std::shared_ptr<memtable::Memtable> m) {
    auto h = std::make_unique<Holder>();
    h->it = m->NewIterator();
    h->owner = std::move(m);
    children.push_back(std::move(h));
  };
  hold(view.active);
  for (auto& f : view.flushing) hold(f.memtable);
  for (auto& sst : view.sstables) children.push_back(sst->NewIterator());
  return NewMergingIterator(std::move(children), metadata_.comparator, options_.clock);
}

int64_t ColumnFamilyStore::MaxPurgeableTimestamp(const DecoratedKey& key, const View& view,
                                                 const std::set<uint64_t>& inputs) const {
  int64_t min_ts = std::numeric_limits<int64_t>::max();
  auto consider = [&](int64_t ts) {
    if (ts != kNoTimestamp) min_ts = std::min(min_ts, ts);
  };
  // Memtables: their overall minimum is a safe (conservative) bound.
  consider(view.active->min_timestamp());
  for (const auto& f : view.flushing) consider(f.memtable->min_timestamp());
  for (const auto& sst : view.sstables) {
    if (inputs.count(sst->generation()) > 0) continue;
    const sstable::Stats& stats = sst->stats();
    if (stats.partition_count == 0 || key < stats.first_key || stats.last_key < key) continue;
    if (!sst->MayContain(key.key)) continue;
    consider(stats.min_timestamp);
  }
  return min_ts;
}

namespace {

// Paces a compaction's input (compaction_throughput_mb_per_sec). Each partition counts as
// the inputs' average of data bytes per partition, so the whole compaction is charged
// exactly its input's size on disk (Cassandra charges the bytes its scanners read). The
// limiter is asked once per kPaceBytes, not per partition: sleeps of a few microseconds
// would cost more than they pace.
class PacedIterator final : public PartitionIterator {
 public:
  PacedIterator(std::unique_ptr<PartitionIterator> in, RateLimiter* limiter,
                uint64_t bytes_per_partition)
      : in_(std::move(in)), limiter_(limiter), bytes_per_partition_(bytes_per_partition) {}
  void SeekToFirst() override { in_->SeekToFirst(); }
  void Seek(const DecoratedKey& target) override { in_->Seek(target); }
  bool Valid() const override { return in_->Valid(); }
  void Next() override {
    unpaid_ += bytes_per_partition_;
    if (unpaid_ >= kPaceBytes) {
      limiter_->Acquire(unpaid_);
      unpaid_ = 0;
    }
    in_->Next();
  }
  const DecoratedKey& key() const override { return in_->key(); }
  const PartitionUpdate& partition() const override { return in_->partition(); }
  Status status() const override { return in_->status(); }

 private:
  static constexpr uint64_t kPaceBytes = 256 << 10;
  std::unique_ptr<PartitionIterator> in_;
  RateLimiter* const limiter_;
  const uint64_t bytes_per_partition_;
  uint64_t unpaid_ = 0;
};

}  // namespace

Status ColumnFamilyStore::Compact(const std::vector<std::shared_ptr<SSTableReader>>& inputs) {
  std::set<uint64_t> generations;
  ReplayPosition position;
  uint64_t partitions = 0, bytes_in = 0;
  std::vector<std::unique_ptr<PartitionIterator>> children;
  for (const auto& sst : inputs) {
    generations.insert(sst->generation());
    position = std::max(position, sst->stats().replay_position);
    partitions += sst->stats().partition_count;
    bytes_in += sst->data_size();
    children.push_back(sst->NewIterator());
  }
  std::unique_ptr<PartitionIterator> merged =
      NewMergingIterator(std::move(children), metadata_.comparator, options_.clock);
  if (options_.compaction_limiter != nullptr && partitions > 0) {
    merged = std::make_unique<PacedIterator>(std::move(merged), options_.compaction_limiter,
                                             bytes_in / partitions);
  }
  const int64_t start = options_.clock->MonotonicNanos();
  auto output = WriteSSTable(merged.get(), position, partitions, /*purge=*/true, &generations);
  {
    std::lock_guard lock(mu_);
    for (uint64_t g : generations) compacting_.erase(g);
    if (output.ok()) {
      std::erase_if(sstables_, [&](const auto& s) { return generations.count(s->generation()); });
      sstables_.push_back(*output);
    }
  }
  compaction_done_cv_.notify_all();  // a cleanup may be waiting for this compaction
  if (!output.ok()) {
    CAIRN_LOG(ERROR) << "compaction of " << metadata_.keyspace << "." << metadata_.name
                     << " failed, inputs kept: " << output.status().ToString();
    return output.status();
  }
  for (const auto& sst : inputs) sst->MarkObsolete();
  const double secs =
      static_cast<double>(options_.clock->MonotonicNanos() - start) / 1e9;
  CAIRN_LOG(INFO) << "compacted " << inputs.size() << " SSTables of " << metadata_.keyspace
                  << "." << metadata_.name << ": " << bytes_in << " -> "
                  << (*output)->data_size() << " bytes, "
                  << (*output)->stats().partition_count << " partitions in " << secs << " s";
  return Status::OK();
}

namespace {

// The partitions of `in` whose token `keep` accepts; counts the others.
class KeepIterator final : public PartitionIterator {
 public:
  KeepIterator(std::unique_ptr<PartitionIterator> in, const std::function<bool(const Token&)>& keep,
               uint64_t* dropped)
      : in_(std::move(in)), keep_(keep), dropped_(dropped) {}
  void SeekToFirst() override {
    in_->SeekToFirst();
    Skip();
  }
  void Seek(const DecoratedKey& target) override {
    in_->Seek(target);
    Skip();
  }
  bool Valid() const override { return in_->Valid(); }
  void Next() override {
    in_->Next();
    Skip();
  }
  const DecoratedKey& key() const override { return in_->key(); }
  const PartitionUpdate& partition() const override { return in_->partition(); }
  Status status() const override { return in_->status(); }

 private:
  void Skip() {
    while (in_->Valid() && !keep_(in_->key().token)) {
      ++*dropped_;
      in_->Next();
    }
  }
  std::unique_ptr<PartitionIterator> in_;
  const std::function<bool(const Token&)>& keep_;
  uint64_t* dropped_;
};

// No partitions (the content of the marker that replaces wholly dropped SSTables).
class EmptyIterator final : public PartitionIterator {
 public:
  void SeekToFirst() override {}
  void Seek(const DecoratedKey&) override {}
  bool Valid() const override { return false; }
  void Next() override {}
  const DecoratedKey& key() const override { return key_; }
  const PartitionUpdate& partition() const override { return partition_; }
  Status status() const override { return Status::OK(); }

 private:
  DecoratedKey key_;
  PartitionUpdate partition_;
};

}  // namespace

Status ColumnFamilyStore::Cleanup(const std::function<bool(const Token&)>& keep,
                                  CleanupStats* stats) {
  // Memtables already switched (a failed or pending flush) go to SSTables first, so
  // that they are cleaned too.
  CAIRN_RETURN_IF_ERROR(FlushPending().status());

  // Take every live SSTable out of compaction, waiting for running compactions as
  // Cassandra's runWithCompactionsDisabled does (and, like it, giving up after 60 s).
  std::vector<std::shared_ptr<SSTableReader>> inputs;
  std::set<uint64_t> held;  // generations this cleanup marked compacting and not released
  {
    std::unique_lock lock(mu_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    const bool idle = compaction_done_cv_.wait_until(lock, deadline, [&] {
      return std::none_of(sstables_.begin(), sstables_.end(),
                          [&](const auto& s) { return compacting_.count(s->generation()) > 0; });
    });
    if (!idle) {
      return Status::Aborted("a compaction of " + metadata_.keyspace + "." + metadata_.name +
                             " is still running; run cleanup again later");
    }
    inputs = sstables_;
    for (const auto& sst : inputs) {
      compacting_.insert(sst->generation());
      held.insert(sst->generation());
    }
  }
  // Gives SSTables back to compaction (and to a cleanup waiting for them).
  auto release = [&](std::set<uint64_t> generations) {
    {
      std::lock_guard lock(mu_);
      for (uint64_t g : generations) {
        compacting_.erase(g);
        held.erase(g);
      }
    }
    compaction_done_cv_.notify_all();
  };
  // Swaps `old` for `replacement` in one step under mu_, then lets the old files go
  // once no read uses them.
  auto swap = [&](const std::vector<std::shared_ptr<SSTableReader>>& old,
                  std::shared_ptr<SSTableReader> replacement) {
    {
      std::lock_guard lock(mu_);
      for (const auto& sst : old) {
        std::erase_if(sstables_,
                      [&](const auto& s) { return s->generation() == sst->generation(); });
        compacting_.erase(sst->generation());
        held.erase(sst->generation());
      }
      sstables_.push_back(std::move(replacement));
    }
    compaction_done_cv_.notify_all();
    for (const auto& sst : old) sst->MarkObsolete();
  };

  Status result;
  std::vector<std::shared_ptr<SSTableReader>> dropped_whole;
  uint64_t dropped_whole_partitions = 0;
  for (std::shared_ptr<SSTableReader>& input : inputs) {
    // Moved out so that a replaced SSTable's files go as soon as no read uses them, not
    // at the end of the cleanup (disk space: one rewrite at a time, as in Cassandra).
    const std::shared_ptr<SSTableReader> sst = std::move(input);
    stats->bytes_before += sst->data_size();
    // `keep` is any predicate, so the SSTable's first and last tokens prove nothing about
    // the tokens between them: count what it keeps and drops by a scan.
    uint64_t dropped = 0, kept = 0;
    {
      KeepIterator it(sst->NewIterator(), keep, &dropped);
      for (it.SeekToFirst(); it.Valid(); it.Next()) ++kept;
      result = it.status();
    }
    if (!result.ok()) break;
    if (dropped == 0) {  // left as it is, and free for compaction again
      stats->bytes_after += sst->data_size();
      release({sst->generation()});
      continue;
    }
    if (kept == 0) {
      // Removed together at the end, under one marker SSTable.
      dropped_whole.push_back(sst);
      dropped_whole_partitions += dropped;
      continue;
    }
    // Rewrite with the kept partitions, unchanged (no purge). Like a compaction's output,
    // the new SSTable names the old one as its ancestor and keeps its replay position.
    uint64_t dropped_again = 0;
    KeepIterator it(sst->NewIterator(), keep, &dropped_again);
    const std::set<uint64_t> ancestors = {sst->generation()};
    auto output =
        WriteSSTable(&it, sst->stats().replay_position, kept, /*purge=*/false, &ancestors);
    if (!output.ok()) {
      result = output.status();
      break;
    }
    stats->sstables_rewritten++;
    stats->partitions_dropped += dropped;
    stats->bytes_after += (*output)->data_size();
    swap({sst}, *output);
  }
  if (result.ok() && !dropped_whole.empty()) {
    // Deleting the wholly dropped SSTables' files is not atomic, and the newest SSTable
    // is what tells commit log replay how far this table is flushed: deleting it would
    // make a restart replay the records it covered and bring dropped partitions back
    // (issue 6). So an empty SSTable replaces them, as a compaction output that kept
    // nothing would: it names them as ancestors (a restart deletes any left behind) and
    // carries their highest replay position. It is tiny and compacts away.
    std::set<uint64_t> ancestors;
    ReplayPosition position;
    for (const auto& sst : dropped_whole) {
      ancestors.insert(sst->generation());
      position = std::max(position, sst->stats().replay_position);
    }
    EmptyIterator nothing;
    auto marker = WriteSSTable(&nothing, position, 0, /*purge=*/false, &ancestors);
    if (marker.ok()) {
      stats->sstables_removed += dropped_whole.size();
      stats->partitions_dropped += dropped_whole_partitions;
      stats->bytes_after += (*marker)->data_size();
      swap(dropped_whole, *marker);
    } else {
      result = marker.status();
    }
  }
  if (!held.empty()) release(held);  // failed part way: the rest stays as it was
  if (!result.ok()) {
    CAIRN_LOG(ERROR) << "cleanup of " << metadata_.keyspace << "." << metadata_.name
                     << " failed, SSTables not yet cleaned kept as they were: "
                     << result.ToString();
    return result;
  }
  CAIRN_LOG(INFO) << "cleanup of " << metadata_.keyspace << "." << metadata_.name << ": "
                  << stats->partitions_dropped << " partitions dropped, "
                  << stats->sstables_rewritten << " SSTables rewritten, "
                  << stats->sstables_removed << " removed, " << stats->bytes_before << " -> "
                  << stats->bytes_after << " bytes";
  return Status::OK();
}

Status ColumnFamilyStore::CompactOnce(bool* compacted) {
  *compacted = false;
  std::vector<std::shared_ptr<SSTableReader>> inputs;
  {
    std::lock_guard lock(mu_);
    std::vector<sstable::SSTableSize> sizes;
    for (const auto& sst : sstables_) {
      if (compacting_.count(sst->generation()) == 0) {
        sizes.push_back({sst->generation(), sst->data_size()});
      }
    }
    std::vector<uint64_t> chosen = sstable::SizeTieredCandidates(sizes, tunables_.compaction);
    if (chosen.empty()) return Status::OK();
    for (const auto& sst : sstables_) {
      if (std::find(chosen.begin(), chosen.end(), sst->generation()) != chosen.end()) {
        inputs.push_back(sst);
        compacting_.insert(sst->generation());
      }
    }
  }
  *compacted = true;
  return Compact(inputs);
}

Status ColumnFamilyStore::MajorCompact() {
  std::vector<std::shared_ptr<SSTableReader>> inputs;
  {
    std::lock_guard lock(mu_);
    for (const auto& sst : sstables_) {
      if (compacting_.count(sst->generation()) > 0) {
        return Status::Aborted("a compaction of " + metadata_.name + " is already running");
      }
    }
    inputs = sstables_;
    for (const auto& sst : inputs) compacting_.insert(sst->generation());
  }
  if (inputs.empty()) return Status::OK();
  return Compact(inputs);
}

size_t ColumnFamilyStore::memtable_memory() const {
  std::lock_guard lock(mu_);
  size_t n = active_->memory_usage();
  for (const auto& f : flushing_) n += f.memtable->memory_usage();
  return n;
}

size_t ColumnFamilyStore::active_memtable_memory() const {
  std::lock_guard lock(mu_);
  return active_->memory_usage();
}

size_t ColumnFamilyStore::sstable_count() const {
  std::lock_guard lock(mu_);
  return sstables_.size();
}

uint64_t ColumnFamilyStore::live_sstable_bytes() const {
  std::lock_guard lock(mu_);
  uint64_t n = 0;
  for (const auto& s : sstables_) n += s->total_size();
  return n;
}

ReplayPosition ColumnFamilyStore::flushed_position() const {
  std::lock_guard lock(mu_);
  ReplayPosition p;
  for (const auto& s : sstables_) p = std::max(p, s->stats().replay_position);
  return p;
}

std::vector<std::shared_ptr<SSTableReader>> ColumnFamilyStore::sstables() const {
  std::lock_guard lock(mu_);
  return sstables_;
}

}  // namespace cairn::node
