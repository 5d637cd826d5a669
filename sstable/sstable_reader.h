// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// SSTableReader opens one complete SSTable generation and serves point reads (Get),
// bloom-filter checks and full or seeked scans (NewIterator).
//
// Open() checks the TOC (magic, checksum, each component's size), and loads the small
// components into memory: Summary (one entry per Index block), Filter, Statistics, and
// the Data block table. Index blocks and Data blocks are read on demand with pread and
// verified against their xxHash checksum on every read.
//
// Read path of Get(key, filter):
//   Filter -> Summary (binary search, in memory) -> one Index block -> the partition's
//   entry (position, size and, for wide partitions, its column index) -> only the Data
//   blocks holding the partition header and the cells the filter selects.
//
// Corruption: a bad checksum, truncated file, wrong magic/version, out-of-range offset
// or malformed varint gives Status::Corruption naming the file and offset; it never
// crashes or allocates more than the file size. Open fails when the TOC, Summary,
// Filter, Statistics or the Data block table is damaged or any file has the wrong
// size; a damaged Index or Data block only fails the reads that touch that block.
//
// Thread-safety: every const method may be called from many threads at once (pread, no
// shared cursor). Iterators are single-threaded but may coexist.
//
// Lifetime: hold the reader by shared_ptr. MarkObsolete() asks for the files to be
// deleted when the last reference (including iterators) goes away, the way Cassandra
// deletes compacted SSTables once no read uses them.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/partition.h"
#include "common/partition_iterator.h"
#include "common/status.h"
#include "common/token.h"
#include "sstable/sstable_options.h"
#include "sstable/sstable_stats.h"

namespace cairn::sstable {

class SSTableReader : public std::enable_shared_from_this<SSTableReader> {
 public:
  // Opens generation `generation` in `dir`. NotFound when its TOC does not exist (the
  // SSTable is absent or incomplete); Corruption as described above; InvalidArgument
  // when options.comparator differs from the recorded one (see SSTableOptions).
  // Only `comparator` and `verify_comparator` of `options` matter to a reader.
  static Result<std::shared_ptr<SSTableReader>> Open(const std::string& dir,
                                                     uint64_t generation,
                                                     const SSTableOptions& options);

  ~SSTableReader();
  SSTableReader(const SSTableReader&) = delete;
  SSTableReader& operator=(const SSTableReader&) = delete;

  // Reads one partition. Absent partition -> std::nullopt. Otherwise the partition
  // deletion, every range tombstone that overlaps `filter`, and the selected cells as
  // stored (tombstones and expired cells included; nothing is reconciled or purged).
  // The result is normalized.
  Result<std::optional<PartitionUpdate>> Get(const DecoratedKey& key,
                                             const CellFilter& filter) const;

  // Bloom filter check on the partition key bytes: false means "certainly absent".
  bool MayContain(std::string_view key) const;

  // A PartitionIterator over every partition in key order (SeekToFirst / Seek). It keeps
  // the reader alive. Corruption stops it with a non-OK status().
  // Scans bypass the block cache and read the Data and Index files ahead in windows of
  // 16 KiB growing to 256 KiB and 64 KiB (ReadaheadReader in format.h), so an iterator
  // holds up to ~330 KiB of buffers once it has scanned a while; every block is still
  // verified. partition() is decoded into slots reused from partition to partition:
  // it is valid until the next Next/Seek/SeekToFirst.
  std::unique_ptr<PartitionIterator> NewIterator() const;

  const Stats& stats() const;
  uint64_t generation() const;
  const std::string& dir() const;
  // On-disk size of the Data component, in bytes.
  uint64_t data_size() const;
  // On-disk size of all components.
  uint64_t total_size() const;
  // Full paths of all components, the TOC last.
  std::vector<std::string> files() const;
  const AbstractType& comparator() const;

  // Delete the files when the last reference goes away. Idempotent.
  void MarkObsolete();
  bool obsolete() const;

  // I/O counters (for tests and metrics): Data blocks read from disk (each counted once
  // per read, whether or not it was read before) and Index blocks read.
  uint64_t data_blocks_read() const;
  uint64_t index_blocks_read() const;

  class Impl;

 private:
  explicit SSTableReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cairn::sstable
