// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// BatchlogStore is the node-local batch log (Cassandra's system.batches table and
// BatchlogManager's storage). For an atomic batch (atomic_batch_mutate) the coordinator
// first stores the whole batch on two other nodes (preferably in other racks), then
// applies its mutations, then asks those nodes to remove it. A node periodically replays
// the batches it holds that are older than a timeout: their coordinator probably died
// between storing and removing, so the batch may be half applied. The on-disk layout is in
// node/hints/FORMAT.md, "Batch log".
//
// Overview
//   Batches live in memory (an id -> batch map) and in an append-only log of STORE and
//   REMOVE records, `batchlog-<seq>-1.log`. Open replays the logs and writes the live
//   batches to a fresh log (so appends never follow a torn tail); when more than half of
//   the log (and at least options.compact_min_bytes) is dead, Remove rewrites the live
//   batches into a new log (temp name, fsync, rename, directory fsync) and deletes the
//   old one. A crash at any point leaves either the old log or both, and replaying both
//   in sequence order gives the same set of batches.
//
// Durability: Store returns after an fdatasync covering the batch (when options.sync);
//   concurrent Stores share one fdatasync (group commit). Remove only writes its record
//   (no fsync): a lost remove brings a batch back after a crash and it is replayed once
//   more, which is harmless because its mutations are idempotent (Cassandra accepts the
//   same).
//
// Corruption: never crashes. A torn tail ends a log silently; a damaged record followed
//   by more data is logged at WARN with file and offset and the rest of that log is
//   skipped (the batches it stored are lost; removes it held are lost, so those batches
//   replay again); a log with a damaged header is renamed `<name>.corrupt` and ignored.
//
// Thread-safety: all public methods may be called concurrently from any thread; the
//   destructor must not race with them. One mutex guards the map and the log; it is held
//   across the pwrite of a record and across a compaction (which rewrites only the live
//   batches, normally few), never across fdatasync of Store.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "node/hints/record_file.h"

namespace cairn::hints {

struct BatchlogOptions {
  // Directory holding the batch log files (e.g. <data>/batchlog); created if missing.
  // Nothing else should live there. REQUIRED.
  std::string directory;

  // When true, Store returns only after an fdatasync covering the batch, and compactions
  // fsync the new log and the directory. Default: true.
  bool sync = true;

  // A compaction happens only when the log holds at least this many bytes (and more
  // than half of them belong to removed batches). Default: 1 MiB.
  uint64_t compact_min_bytes = 1u << 20;
};

struct StoredBatch {
  // The batch id: opaque, non-empty bytes of at most kMaxBatchIdBytes. Cairn's
  // coordinator uses the 16 raw bytes of a time-based (version 1) UUID, as Cassandra's
  // batchlog keys batches by a TimeUUID; the store only compares ids for equality.
  std::string id;
  int64_t written_at_micros = 0;       // wall clock when the batch was stored
  std::vector<std::string> mutations;  // opaque encoded mutations, in order
};

inline constexpr size_t kMaxBatchIdBytes = 1024;

class BatchlogStore {
 public:
  // Opens (creating if needed) the directory, replays every log in sequence order,
  // writes the live batches to a new log and deletes the old ones.
  // Returns InvalidArgument for bad options, IOError for file system failures.
  static Result<std::unique_ptr<BatchlogStore>> Open(BatchlogOptions options);

  ~BatchlogStore();
  BatchlogStore(const BatchlogStore&) = delete;
  BatchlogStore& operator=(const BatchlogStore&) = delete;

  // Stores the batch durably before returning. Storing an id that is already present
  // keeps the first copy and returns OK once that copy is durable (a retried request).
  // Errors: InvalidArgument (empty or too long id, batch over the record limit of
  // 256 MiB); IOError. A failed fdatasync is sticky (every later Store fails).
  Status Store(const StoredBatch& batch);

  // Removes the batch (not fsynced: see "Durability"). An unknown id is OK. May compact
  // the log. Returns IOError if the record cannot be written (the batch is removed from
  // memory anyway, and the next write moves to a fresh log without it).
  Status Remove(const std::string& id);

  // Copies of the batches written before `micros` (written_at_micros < micros), oldest
  // first (ties by id).
  std::vector<StoredBatch> OlderThan(int64_t micros) const;

  // Number of batches held.
  size_t size() const;

  // Bytes in the current log file, header included (for tests and metrics).
  uint64_t LogBytes() const;
  // Compactions since Open (the one Open does is not counted).
  uint64_t compactions() const;

 private:
  struct Entry {
    StoredBatch batch;
    uint64_t record_bytes = 0;  // size of its STORE record in the log
  };

  explicit BatchlogStore(BatchlogOptions options);
  Status Init();
  // Replays one log file into batches_.
  Status ReplayFile(const std::string& name, uint64_t seq);
  // Writes the live batches into log `seq_ + 1`, makes it current and deletes the
  // previous log(s) in `old_names`. REQUIRES: mu_ held.
  Status RewriteLocked(const std::vector<std::string>& old_names);
  // Rewrites when a failed write broke the current log. REQUIRES: mu_ held.
  Status RecoverLocked();
  std::string PathOf(const std::string& name) const;

  const BatchlogOptions options_;

  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<std::string, Entry> batches_;
  std::shared_ptr<AppendFile> log_;
  std::string log_name_;
  uint64_t seq_ = 0;         // sequence number of log_
  uint64_t live_bytes_ = 0;  // sum of record_bytes of batches_
  uint64_t compactions_ = 0;
  GroupSync group_;
};

}  // namespace cairn::hints
