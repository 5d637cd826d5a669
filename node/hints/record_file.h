// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The record-file machinery shared by the hint store and the batch log (node/hints/
// FORMAT.md, "Records"): framing and reading of checksummed, length-prefixed records,
// an append-only file written with pwrite(2), group commit over such files, and the
// small POSIX helpers both stores need (directory fsync, atomic small-file writes).
//
// Record layout (repeated from FORMAT.md; all integers little-endian):
//   record := length:u32 length_crc:u32 body[length] body_crc:u32
//   length_crc = low 32 bits of XXH3-64 (seed 0) of the 4 length bytes
//   body_crc   = low 32 bits of XXH3-64 (seed 0) of the 4 length bytes followed by body
// The separate length checksum lets a reader tell a damaged length field (corruption)
// from a record cut short by a crash (a torn tail), as Cassandra's HintsReader does.
//
// Internal to cairn::hints; the stores' headers are the public API.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::hints {

// Bytes a record adds around its body: length, length_crc, body_crc.
inline constexpr size_t kRecordOverhead = 12;
// The largest body a reader accepts (and a writer produces). A length above it with a
// valid length checksum is reported as corruption.
inline constexpr uint32_t kMaxRecordBody = 256u << 20;

// Appends the framed record holding `body` to *dst. REQUIRES: body.size() <= kMaxRecordBody.
void AppendRecord(std::string* dst, std::string_view body);

// What ReadRecord found at an offset.
enum class RecordState {
  kRecord,   // a valid record; body and next_offset are set
  kEnd,      // the offset is the end of the file: nothing more, cleanly
  kTornTail, // an incomplete last record (a crash cut the write): treat as the end
  kCorrupt,  // a damaged record with data after it; `reason` says what is wrong
};

struct RecordRead {
  RecordState state = RecordState::kEnd;
  std::string body;
  uint64_t next_offset = 0;
  std::string reason;
};

// Reads the record at `offset` of the open file `fd` whose readable size is `file_size`.
// Torn tail vs corruption (FORMAT.md, "Reading"): fewer than 8 bytes left, a record
// extending past the end of the file, an all-zero record header, or a body checksum
// mismatch on a record that ends exactly at the end of the file are a torn tail; any
// other mismatch is corruption. Returns IOError only when pread(2) fails.
Result<RecordRead> ReadRecord(int fd, uint64_t file_size, uint64_t offset);

// Reads the whole file at `path` (small files: headers, checkpoints).
Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes);
// pread(2) of exactly n bytes at offset, or fewer at end of file (result shorter).
Result<std::string> PreadUpTo(int fd, uint64_t offset, size_t n);

// fsync(2) of a directory, so entries created, renamed or removed in it are durable.
Status SyncDirectory(const std::string& dir);
// Writes `data` to `dir/name` atomically: `name.tmp`, fsync (when sync), rename, fsync of
// the directory (when sync).
Status WriteFileAtomically(const std::string& dir, const std::string& name,
                           std::string_view data, bool sync);
// unlink(2); a missing file is OK.
Status RemoveFile(const std::string& path);
// Names of the regular entries of `dir` (not "." or "..").
Result<std::vector<std::string>> ListDirectory(const std::string& dir);
Status CreateDirectories(const std::string& dir);

// An append-only file: bytes are written at the end with pwrite(2); Sync() is
// fdatasync(2). Append is called under the owning store's mutex; Sync may run
// concurrently with Append (the group-commit leader calls it without the mutex).
class AppendFile {
 public:
  // Creates `path` (it must not exist) and writes `header` at offset 0. No sync.
  static Result<std::shared_ptr<AppendFile>> Create(const std::string& path,
                                                    std::string_view header);
  // Opens the existing file `path` for appending at its current end.
  static Result<std::shared_ptr<AppendFile>> OpenForAppend(const std::string& path);
  ~AppendFile();
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  // Writes `bytes` at size(). On failure the file is marked broken (a partial record may
  // be on disk; nothing more may be appended after it) and IOError returned.
  Status Append(std::string_view bytes);
  Status Sync();

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }
  bool broken() const { return broken_; }

 private:
  AppendFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  const std::string path_;
  const int fd_;
  uint64_t size_ = 0;    // guarded by the owner's mutex
  bool broken_ = false;  // guarded by the owner's mutex
};

// Group commit over AppendFiles (leveldb's DBImpl::Write writer queue, reduced to the
// sync): a writer that needs durability calls Sync(); if no sync is running it becomes
// the leader, takes every file written since the last round, releases the owner's mutex,
// fsyncs the directory (if a new file was made) and fdatasyncs the files, and wakes every
// writer the round covered. Writers arriving meanwhile queue behind it and are covered by
// the next round, which one of them leads. A failed sync is sticky (error()): after a
// failed fsync nobody knows what reached the disk.
//
// All methods REQUIRE the owner's mutex, held through `lock`.
class GroupSync {
 public:
  // `before_round`, when set, is called by each leader before it syncs, without the
  // owner's mutex (a test seam to hold a round open while writers queue up).
  explicit GroupSync(std::string directory, std::function<void()> before_round = nullptr)
      : directory_(std::move(directory)), before_round_(std::move(before_round)) {}

  // Makes everything appended to `file` so far durable (and the directory, when
  // `new_file`). Releases and re-acquires `lock` while waiting or syncing.
  Status Sync(std::unique_lock<std::mutex>& lock, const std::shared_ptr<AppendFile>& file,
              bool new_file);
  const Status& error() const { return error_; }
  // Sync rounds completed (each is one fdatasync per file written since the last one).
  uint64_t rounds() const { return rounds_; }
  // Writers currently queued behind a running round.
  size_t waiting() const { return waiting_; }

 private:
  const std::string directory_;
  const std::function<void()> before_round_;
  std::condition_variable cv_;
  uint64_t requested_ = 0;  // tickets handed out
  uint64_t completed_ = 0;  // every ticket <= this is durable
  bool leader_active_ = false;
  bool dir_dirty_ = false;
  std::vector<std::shared_ptr<AppendFile>> dirty_;
  Status error_;
  uint64_t rounds_ = 0;
  size_t waiting_ = 0;
};

}  // namespace cairn::hints
