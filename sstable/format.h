// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Internal to sstable/: the constants of the SSTable format and the small file layer the
// writer and reader share. The byte layout is specified in sstable/FORMAT.md; keep the
// two (and tests/sstable/golden_test.cc) in step.
//
//   every binary component  := magic[8] version:fixed32 ...
//   block (Data and Index)  := payload[n] type:uint8 checksum:fixed32
//       checksum = low 32 bits of XXH3-64(payload, seed = type); type 0 raw, 1 Snappy
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/cell.h"
#include "common/coding.h"
#include "common/status.h"
#include "common/token.h"
#include "sstable/filename.h"
#include "sstable/sstable_options.h"

namespace cairn::sstable {

inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kMagicSize = 8;
inline constexpr size_t kFileHeaderSize = kMagicSize + 4;
inline constexpr std::string_view kDataMagic = "CRNSDATA";
inline constexpr std::string_view kIndexMagic = "CRNSINDX";
inline constexpr std::string_view kSummaryMagic = "CRNSSUMM";
inline constexpr std::string_view kFilterMagic = "CRNSFILT";
inline constexpr std::string_view kStatisticsMagic = "CRNSSTAT";
inline constexpr std::string_view kTocFirstLine = "CAIRN-SSTABLE-TOC 1";

inline constexpr size_t kBlockTrailerSize = 5;  // type byte + fixed32 checksum
inline constexpr uint8_t kBlockRaw = 0;
inline constexpr uint8_t kBlockSnappy = 1;
// Data footer: block_table_offset fixed64, block_count fixed64,
// uncompressed_length fixed64, block_size fixed32, checksum fixed32.
inline constexpr size_t kDataFooterSize = 32;
// Hard limits a reader enforces on declared sizes (besides the file sizes).
inline constexpr uint64_t kMaxBlockSize = 64u << 20;
inline constexpr uint64_t kMaxTocSize = 4096;

// The five components listed in a TOC, in TOC order.
inline constexpr Component kTocComponents[] = {Component::kData, Component::kIndex,
                                               Component::kSummary, Component::kFilter,
                                               Component::kStatistics};

std::string_view MagicFor(Component c);
void PutFileHeader(std::string* dst, Component c);
// Checks magic and version at the start of `bytes`; `path` names the file in errors.
Status CheckFileHeader(std::string_view bytes, Component c, const std::string& path);

// Appends payload || type || checksum.
void AppendBlockTrailer(std::string* dst, std::string_view payload, uint8_t type);
// Verifies the trailer of `stored` (payload + trailer, read from `path` at `offset`)
// and returns the uncompressed payload in *out, which must be exactly `expected_size`
// bytes when expected_size != SIZE_MAX.
Status DecodeBlock(std::string_view stored, const std::string& path, uint64_t offset,
                   size_t expected_size, std::string* out);

// "<path>: <what> at offset <offset>" as a Corruption status.
Status CorruptionAt(const std::string& path, uint64_t offset, std::string_view what);

// TOC body (text): see FORMAT.md, "TOC".
std::string EncodeToc(const uint64_t sizes[5]);
Status DecodeToc(std::string_view text, const std::string& path, uint64_t sizes[5]);

// ---- Serialized pieces of Data and Index (FORMAT.md, "Data" and "Index") ----

// deletion := marked_for_delete_at:fixed64 local_deletion_time:fixed32
// cell := kind:uint8 name:lp timestamp:fixed64 [value:lp] [ttl:fixed32] [local_time:fixed32]

struct ColumnIndexEntry {
  std::string first_name;
  std::string last_name;
  uint64_t offset = 0;  // from the partition's first byte
  uint64_t width = 0;   // bytes of the cells in this chunk
};

struct IndexEntry {
  DecoratedKey key;
  uint64_t position = 0;     // of the partition in the uncompressed Data stream
  uint64_t size = 0;         // serialized bytes of the whole partition
  uint32_t header_size = 0;  // bytes of token, key, deletion and range tombstones
  std::vector<ColumnIndexEntry> columns;  // empty for narrow partitions
};

void EncodeIndexEntry(std::string* dst, const IndexEntry& e);
// Decodes one entry; structural checks (column offsets inside the partition) included.
bool DecodeIndexEntry(Decoder* in, IndexEntry* e);

// An append-only file. Buffers up to 64 KiB; every write(2) first calls the hook.
class WritableFile {
 public:
  static Result<std::unique_ptr<WritableFile>> Create(std::string path, const WriteHook* hook);
  ~WritableFile();
  Status Append(std::string_view data);
  Status Flush();
  Status Sync();   // Flush + fdatasync
  Status Close();  // Flush + close
  uint64_t size() const { return size_; }  // bytes appended, buffered included
  const std::string& path() const { return path_; }

 private:
  WritableFile(std::string path, int fd, const WriteHook* hook)
      : path_(std::move(path)), fd_(fd), hook_(hook) {}
  Status WriteRaw(std::string_view data);

  std::string path_;
  int fd_;
  const WriteHook* hook_;
  std::string buf_;
  uint64_t size_ = 0;
};

// A read-only file read with pread; safe for concurrent use.
class RandomAccessFile {
 public:
  // NotFound when the file does not exist.
  static Result<std::unique_ptr<RandomAccessFile>> Open(std::string path);
  ~RandomAccessFile();
  // Reads exactly n bytes at offset; Corruption when the file is shorter.
  Status Read(uint64_t offset, size_t n, std::string* out) const;
  // Asks the kernel to start reading [offset, offset + n) into the page cache
  // (POSIX_FADV_WILLNEED) without waiting. A hint: errors are ignored.
  void Prefetch(uint64_t offset, size_t n) const;
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  RandomAccessFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  std::string path_;
  int fd_;
  uint64_t size_;
};

// Reads a file front to back for a scan with few, large preads instead of one per block.
// Each Read is served from a window of the file fetched with one pread; a read outside
// the window fetches a new one starting at that read. The window starts at
// kMinReadahead bytes and doubles on every refill that continues the previous window, up
// to max_window (RocksDB's automatic iterator readahead does the same, up to 256 KiB), so
// a short seeked scan reads little and a long one reads large windows. Once the window is
// at its largest, the next window is prefetched with RandomAccessFile::Prefetch so that the
// disk works while the scan decodes. The fd's own access pattern is left alone
// (no POSIX_FADV_SEQUENTIAL): point reads share it.
// Memory: one window, at most `max_window` bytes (plus a read larger than that), held
// for the reader's life; a scan of a table holds one per SSTable and file.
// Not thread-safe. `file` must outlive the reader.
class ReadaheadReader {
 public:
  static constexpr size_t kMinReadahead = 16 * 1024;
  static constexpr size_t kMaxReadahead = 256 * 1024;

  // Windows never extend past `limit` (the end of the region worth reading, e.g. the
  // Data file's block table), nor past the file, nor grow beyond `max_window`
  // (clamped to [kMinReadahead, kMaxReadahead]).
  ReadaheadReader(const RandomAccessFile* file, uint64_t limit, size_t max_window = kMaxReadahead)
      : file_(file),
        limit_(std::min(limit, file->size())),
        max_window_(std::clamp(max_window, kMinReadahead, kMaxReadahead)) {}

  // Points *out at bytes [offset, offset + n) of the file. The view is valid until the
  // next Read or the reader's destruction. Corruption when the file is shorter.
  Status Read(uint64_t offset, size_t n, std::string_view* out);

 private:
  const RandomAccessFile* file_;
  const uint64_t limit_;
  const size_t max_window_;
  std::string window_;  // file bytes from window_offset_
  uint64_t window_offset_ = 0;
  size_t next_size_ = kMinReadahead;
};

// Reads a whole file (at most max_size bytes, else Corruption).
Status ReadWholeFile(const std::string& path, uint64_t max_size, std::string* out);
Status SyncDir(const std::string& dir);

}  // namespace cairn::sstable
