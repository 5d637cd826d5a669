// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Options shared by SSTableWriter and SSTableReader, and the commit-log replay position
// an SSTable records. The on-disk layout these options shape is in sstable/FORMAT.md.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/marshal.h"
#include "common/status.h"
#include "sstable/block_cache.h"

namespace cairn::sstable {

// An opaque commit-log position: every mutation at or before it is in this SSTable (or an
// older one). The writer is given it at Finish; the reader returns it from stats(). The
// SSTable code never interprets it (memtable/ owns its meaning).
struct ReplayPosition {
  uint64_t segment_id = 0;
  uint32_t offset = 0;
  friend bool operator==(const ReplayPosition&, const ReplayPosition&) = default;
  friend auto operator<=>(const ReplayPosition&, const ReplayPosition&) = default;
};

// Test seam: called before every write(2) the writer issues, with the file's path and the
// number of bytes about to be written. A non-OK status is returned to the caller of
// Add/Finish exactly as a failed write (e.g. ENOSPC) would be.
using WriteHook = std::function<Status(const std::string& path, size_t bytes)>;

struct SSTableOptions {
  // Orders cell names inside a partition. Writer: REQUIRED. Reader: when null, the
  // comparator named in the Statistics component is parsed (ParseType); when set, its
  // Name() must equal the recorded one unless verify_comparator is false.
  TypePtr comparator;

  // The partitioner's name (e.g. "org.apache.cassandra.dht.Murmur3Partitioner"),
  // recorded in Statistics for tools and sanity checks. The SSTable code never computes
  // tokens: DecoratedKeys arrive with their token. Default: empty.
  std::string partitioner;

  // Target false-positive probability of the bloom filter, in (0, 1). The filter is
  // built at Finish from the keys actually written, so it is sized right even when the
  // expected partition count given to Create was wrong. Default: 0.01.
  double bloom_fp_chance = 0.01;

  // Uncompressed bytes per Data block (the unit of compression, checksum and I/O).
  // Range: 4 KiB .. 16 MiB. Default: 64 KiB.
  size_t block_size = 64 * 1024;

  // A partition whose cells take more than this many serialized bytes gets a column
  // index: one entry (first name, last name, offset, width) per this many bytes of
  // cells, so a slice or name read fetches only the blocks it needs. Default: 64 KiB.
  size_t column_index_size = 64 * 1024;

  // Index entries per Index block; the Summary holds one entry per Index block, so this
  // is Cassandra's index_interval. Range: 1 .. 65536. Default: 128.
  uint32_t index_interval = 128;

  // Compress Data blocks with Snappy (a block is stored raw when Snappy saves less than
  // 1/8 of it). Default: true. Off makes the Data file byte-for-byte readable (golden
  // tests, debugging).
  bool compress = true;

  // fsync every component and the directory before the SSTable becomes visible.
  // Turning it off is only for tests and benchmarks. Default: true.
  bool sync = true;

  // Reader only: refuse to open when `comparator` differs from the recorded one.
  // Tools that only dump bytes may turn it off. Default: true.
  bool verify_comparator = true;

  // Reader only: a cache of decoded blocks shared between readers (see block_cache.h).
  // Default: none (every read decodes its blocks).
  std::shared_ptr<BlockCache> block_cache;

  // Writer only: fault injection for tests (see WriteHook). Default: none.
  WriteHook write_hook;
};

}  // namespace cairn::sstable
