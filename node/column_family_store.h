// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// ColumnFamilyStore: one column family on one node (Cassandra's ColumnFamilyStore):
// an active memtable taking writes, memtables being flushed, and the live SSTables.
// It reads by merging all of them, flushes a memtable to a new SSTable, compacts
// SSTables (size-tiered in the background, major on demand) and cleans them up
// (drops the partitions of token ranges the node no longer owns).
//
// Lifecycle of data:  Apply -> active memtable --SwitchMemtable--> flushing memtable
//   --Flush (SSTableWriter, rename)--> SSTable --compaction--> merged SSTable.
// A flushing memtable stays readable until its SSTable is installed, and stays in place
// when the flush fails (e.g. disk full), so nothing acknowledged is ever lost; the flush
// is simply retried.
//
// Commit-log coordination: each memtable remembers the commit log position up to which
// it holds every record (the position at its switch, given by the StorageEngine, which
// guarantees no write straddles a switch). The SSTable a memtable flushes to records that
// position, so replay can skip what SSTables already cover. A write is appended to the
// commit log before it is applied, possibly on another thread much later (batch mode:
// after the fdatasync), so the engine pins the memtable that is active at the append
// (BeginWrite) and applies into that one; FlushPending waits for a switched memtable's
// writes in flight (Memtable::WaitForWrites) before writing it out.
//
// Thread-safety: every public method is safe to call concurrently. `mu_` guards the
// lists of memtables and SSTables and is held only to copy or swap them, never during
// I/O. Flushes of one store are serialized; compactions and cleanups never share an
// input SSTable (both mark theirs in `compacting_`).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/partition_iterator.h"
#include "common/rate_limiter.h"
#include "memtable/memtable.h"
#include "node/schema.h"
#include "sstable/sstable_options.h"
#include "sstable/sstable_reader.h"
#include "sstable/sstable_writer.h"

namespace cairn::node {

using sstable::ReplayPosition;

struct ColumnFamilyStoreOptions {
  // Directory holding this table's SSTables; created if missing.
  std::string directory;
  // The partitioner's class name, recorded in SSTables. Default: Murmur3Partitioner.
  std::string partitioner = "org.apache.cassandra.dht.Murmur3Partitioner";
  // fsync SSTables before they become visible. Only tests turn this off. Default: true.
  bool sync_sstables = true;
  // Uncompressed bytes per SSTable data block: the unit of compression, checksum and
  // read. Smaller blocks make point reads cheaper (less to read and decompress), larger
  // ones compress better. Default: 4 KiB (Cassandra 4.0's chunk_length_in_kb default is 16).
  size_t sstable_block_size = 4 * 1024;
  // Serialized cell bytes per column-index entry of a wide partition: a slice or a
  // name lookup reads only the entries (and blocks) it needs. Smaller entries make
  // slices of wide partitions cheaper and the Index component bigger.
  // Default: 8 KiB (Cassandra's column_index_size_in_kb is 64, tuned for spinning disks).
  size_t column_index_size = 8 * 1024;
  // Decoded-block cache shared by the node's SSTable readers. Default: none.
  std::shared_ptr<sstable::BlockCache> block_cache;
  // Time source. Default: the real clock.
  const Clock* clock = Clock::Real();
  // Paces compactions (size-tiered and major) to a number of SSTable bytes read per
  // second, shared with the node's other tables (Cassandra's
  // compaction_throughput_mb_per_sec). Must outlive the store. Default: none (unpaced).
  RateLimiter* compaction_limiter = nullptr;
  // Fault injection for SSTable writes (tests only).
  sstable::WriteHook write_hook;
};

class ColumnFamilyStore {
 public:
  // Opens the table's directory: removes incomplete SSTables left by a crash and opens
  // every complete one. Corrupt SSTables fail the open with the file and offset.
  static Result<std::unique_ptr<ColumnFamilyStore>> Open(TableMetadata metadata,
                                                         ColumnFamilyStoreOptions options);
  ~ColumnFamilyStore();

  // The table's identity and comparator as opened. The options that may change at
  // runtime (gc_grace_seconds, compaction thresholds, bloom filter chance) are read with
  // tunables(); metadata()'s copies of them are the values at Open.
  const TableMetadata& metadata() const { return metadata_; }

  struct Tunables {
    int32_t gc_grace_seconds;
    double bloom_filter_fp_chance;
    sstable::SizeTieredOptions compaction;
  };
  Tunables tunables() const;
  // Applies `metadata`'s changeable options (system_update_column_family). Takes effect
  // for the next flush and compaction. InvalidArgument when the id or comparator differ.
  Status UpdateTunables(const TableMetadata& metadata);

  // Applies a normalized update to the active memtable (commit log replay).
  // REQUIRES: the caller excludes concurrent SwitchMemtable (see StorageEngine).
  void Apply(const DecoratedKey& key, const PartitionUpdate& update);

  // Returns the active memtable with one more write in flight (Memtable::BeginWrite).
  // The caller applies its update to that memtable later (Memtable::Apply), even if it
  // has been switched meanwhile, and then calls Memtable::EndWrite (also on failure).
  // A flush of the memtable waits for that EndWrite.
  // REQUIRES: the caller excludes concurrent SwitchMemtable (see StorageEngine).
  std::shared_ptr<memtable::Memtable> BeginWrite();

  // Moves the active memtable to the flushing list, recording that it holds every
  // commit log record up to `position`; returns false (and does nothing) when the
  // active memtable is empty. REQUIRES: no concurrent Apply (see StorageEngine).
  bool SwitchMemtable(ReplayPosition position);

  // Writes every flushing memtable to an SSTable, oldest first, and installs it. Each
  // memtable is first waited for until no write is in flight into it (see BeginWrite;
  // in batch mode that is until the commit log's next fdatasync). On
  // failure the memtable stays (readable) and is retried by the next call.
  // Returns the replay position up to which the table is now durable in SSTables.
  Result<ReplayPosition> FlushPending();

  // Every version of the partition's selected cells from all sources, merged and
  // reconciled, with deletions (nothing purged, nothing hidden): nullopt when no source
  // has the partition. SSTables are skipped by key range, bloom filter and, for name
  // queries, by timestamp once newer data answers every name.
  Result<std::optional<PartitionUpdate>> Read(const DecoratedKey& key,
                                              const CellFilter& filter) const;

  // A merged iterator over all partitions (same content rules as Read), in key order.
  std::unique_ptr<PartitionIterator> NewScanIterator() const;

  // Writes partitions that arrive from elsewhere (bootstrap streaming) into a new
  // SSTable of this store: Add them in key order, then Finish installs the SSTable
  // (readable at once; it covers no commit log position), or Abandon deletes it.
  class Import {
   public:
    ~Import();  // abandons an unfinished import
    // REQUIRES: keys strictly increasing; `update` normalized. Empty updates are skipped.
    Status Add(const DecoratedKey& key, const PartitionUpdate& update);
    Status Finish();
    void Abandon();
    uint64_t partitions() const;
    uint64_t bytes() const;

   private:
    friend class ColumnFamilyStore;
    Import(ColumnFamilyStore* store, std::unique_ptr<sstable::SSTableWriter> writer);
    ColumnFamilyStore* store_;
    std::unique_ptr<sstable::SSTableWriter> writer_;
    bool done_ = false;
  };
  Result<std::unique_ptr<Import>> BeginImport(uint64_t expected_partitions);

  // nodetool cleanup (Cassandra's CompactionManager.performCleanup): drops from the
  // SSTables every partition whose token `keep` rejects.
  //
  // What is cleaned: first every memtable already switched is flushed (FlushPending);
  // the active memtable needs a switch at a commit log position, which only the engine
  // knows, so StorageEngine::Cleanup flushes it before calling this (call that, or
  // StorageEngine::Flush first). Then the SSTables live at the start are cleaned, each
  // on its own: left as it is (same generation, no write) when it keeps every
  // partition; rewritten with only its kept partitions when it keeps some; removed when
  // it keeps none. Kept partitions are copied unchanged: every cell version, tombstone,
  // range tombstone and partition deletion, nothing purged or merged. SSTables that
  // appear meanwhile (flushes of later writes) are not touched.
  //
  // Crash safety, as for a compaction: the output is written under temporary names and
  // becomes visible with its TOC; it names what it replaces as ancestors, and Open
  // deletes an SSTable some live SSTable descends from. A crash thus leaves the old
  // SSTable or its replacement, never both counted, never neither. The SSTables that
  // keep nothing are replaced together by one empty SSTable (their ancestor record and
  // highest commit log replay position: deleting the newest SSTable outright would let
  // a restart replay the commit log records it covered and bring the dropped
  // partitions back). The replaced files are deleted once no read uses them.
  //
  // Concurrency: reads and writes go on throughout. Like a compaction, cleanup marks
  // the SSTables it works on compacting (under mu_), so no compaction takes them; it
  // first waits for running compactions of this table, up to 60 s (then Aborted, as
  // Cassandra's runWithCompactionsDisabled gives up), and releases each SSTable as soon
  // as it is done with it.
  //
  // On error (I/O, corruption) the SSTables not yet handled stay as they were and the
  // error is returned; running cleanup again finishes the job. `*stats` is incremented.
  struct CleanupStats {
    uint64_t sstables_rewritten = 0;
    uint64_t sstables_removed = 0;  // kept nothing (replaced by the empty marker)
    // Partitions dropped, counted once per SSTable holding them (a key in three
    // SSTables counts three), as Cassandra's cleanup counts.
    uint64_t partitions_dropped = 0;
    uint64_t bytes_before = 0;  // Data bytes of the SSTables looked at
    uint64_t bytes_after = 0;   // Data bytes of what replaced them (or of them, if kept)
  };
  Status Cleanup(const std::function<bool(const Token&)>& keep, CleanupStats* stats);

  // Runs one size-tiered compaction if a bucket qualifies; *compacted says whether it did.
  Status CompactOnce(bool* compacted);
  // Compacts every SSTable into one (nodetool compact).
  Status MajorCompact();

  size_t memtable_memory() const;  // active + flushing memtables, bytes
  size_t active_memtable_memory() const;
  size_t sstable_count() const;
  uint64_t live_sstable_bytes() const;
  // The highest replay position covered by an SSTable (zero if none).
  ReplayPosition flushed_position() const;
  std::vector<std::shared_ptr<sstable::SSTableReader>> sstables() const;

 private:
  struct FlushingMemtable {
    std::shared_ptr<memtable::Memtable> memtable;
    ReplayPosition position;
  };
  struct View {
    std::shared_ptr<memtable::Memtable> active;
    std::vector<FlushingMemtable> flushing;
    std::vector<std::shared_ptr<sstable::SSTableReader>> sstables;
  };

  ColumnFamilyStore(TableMetadata metadata, ColumnFamilyStoreOptions options);
  View Snapshot() const;
  sstable::SSTableOptions SSTableOpts() const;
  Result<std::shared_ptr<sstable::SSTableReader>> WriteSSTable(PartitionIterator* source,
                                                               ReplayPosition position,
                                                               uint64_t expected_partitions,
                                                               bool purge,
                                                               const std::set<uint64_t>* inputs);
  Status Compact(const std::vector<std::shared_ptr<sstable::SSTableReader>>& inputs);
  int64_t MaxPurgeableTimestamp(const DecoratedKey& key, const View& view,
                                const std::set<uint64_t>& inputs) const;

  const TableMetadata metadata_;
  const ColumnFamilyStoreOptions options_;
  std::atomic<uint64_t> next_generation_{1};

  mutable std::mutex mu_;
  std::shared_ptr<memtable::Memtable> active_;         // GUARDED_BY(mu_)
  std::vector<FlushingMemtable> flushing_;             // GUARDED_BY(mu_)
  std::vector<std::shared_ptr<sstable::SSTableReader>> sstables_;  // GUARDED_BY(mu_)
  std::set<uint64_t> compacting_;                      // GUARDED_BY(mu_)
  // Notified (mu_ not held) whenever generations leave compacting_: Cleanup waits on it.
  std::condition_variable compaction_done_cv_;
  Tunables tunables_;                                  // GUARDED_BY(mu_)

  std::mutex flush_mu_;  // serializes FlushPending
};

}  // namespace cairn::node
