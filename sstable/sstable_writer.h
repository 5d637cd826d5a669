// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// SSTableWriter writes one immutable SSTable (one generation) from partitions given in
// DecoratedKey order, as a memtable flush or a compaction produces them.
//
// Crash safety: every component is written under "<name>.tmp". Finish() writes the
// remaining components, fsyncs every file, renames all but the TOC into place, fsyncs
// the directory, then writes, fsyncs and renames the TOC and fsyncs the directory again.
// Readers only open generations whose TOC exists, so a crash at any point leaves either
// a complete SSTable or nothing visible (RemoveIncompleteSSTables in sstable/filename.h
// deletes the leftovers at startup).
//
// Usage:
//   CAIRN_ASSIGN_OR_RETURN(auto w, SSTableWriter::Create(dir, gen, n, options));
//   for (...) CAIRN_RETURN_IF_ERROR(w->Add(key, update));
//   CAIRN_RETURN_IF_ERROR(w->Finish(replay_position));
// After an error from Add or Finish, call Abandon() (the destructor does so too when
// Finish has not succeeded).
//
// Thread-safety: not thread-safe; one thread drives a writer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/partition.h"
#include "common/status.h"
#include "common/token.h"
#include "sstable/sstable_options.h"
#include "sstable/sstable_stats.h"

namespace cairn::sstable {

class SSTableWriter {
 public:
  // Starts generation `generation` in the existing directory `dir`. Fails with
  // InvalidArgument on bad options (no comparator, fp chance outside (0,1), ...) and
  // IOError when the generation already exists or a file cannot be created.
  // `expected_partitions` is a hint for buffer sizing only; the bloom filter is built
  // at Finish from the partitions actually added.
  static Result<std::unique_ptr<SSTableWriter>> Create(std::string dir, uint64_t generation,
                                                       uint64_t expected_partitions,
                                                       SSTableOptions options);

  ~SSTableWriter();
  SSTableWriter(const SSTableWriter&) = delete;
  SSTableWriter& operator=(const SSTableWriter&) = delete;

  // Appends one partition.
  // REQUIRES: `key` is strictly greater than every key added before (checked:
  // InvalidArgument otherwise); `update` is normalized (cells sorted by the comparator
  // with unique names, range tombstones sorted by start) and not empty.
  // Returns IOError when a write fails (e.g. ENOSPC); the writer is then unusable.
  Status Add(const DecoratedKey& key, const PartitionUpdate& update);

  // Completes the SSTable and makes it visible (see the file comment). `replay_position`
  // is recorded in Statistics and returned by SSTableReader::stats(). An SSTable with
  // zero partitions is allowed. After success the writer holds no files.
  Status Finish(ReplayPosition replay_position);

  // Records the generations this SSTable replaces (a compaction's inputs) in its
  // Statistics; see Stats::ancestors. Call before Finish.
  void SetAncestors(std::vector<uint64_t> generations);

  // Deletes every file this writer created (temporary or already renamed, TOC first).
  // Idempotent; a no-op after a successful Finish.
  void Abandon();

  // Bytes written to disk so far (Data + Index; all components after Finish).
  uint64_t bytes_written() const;
  // Partitions added so far.
  uint64_t partitions_written() const;
  uint64_t generation() const;
  // Statistics collected so far (complete after Finish).
  const Stats& stats() const;

 private:
  class Impl;
  explicit SSTableWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cairn::sstable
