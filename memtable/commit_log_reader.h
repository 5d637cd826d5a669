// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Reading commit log segments back: the replay half of the commit log. CommitLog::Replay
// uses it for the segments a previous process left behind; tools and tests may call
// ReadCommitLogSegment on any segment file directly (it never writes).
//
// What the reader does with damage (COMMITLOG_FORMAT.md, "Reading"):
//   - A fragment that is zero, truncated, or fails its checksum starts a damaged region;
//     the reader resumes at the next block boundary, dropping any record in progress.
//   - A damaged region followed by at least one intact fragment later in the segment is
//     corruption: it is logged (file and offset) and listed in ReplayStats::corruptions,
//     and the intact records after it are still delivered.
//   - A damaged region that runs to the end of the segment is a torn tail, the normal
//     result of a crash (partial write, preallocated zeros, stale bytes of a recycled
//     file): it is logged at INFO and counted in ReplayStats::torn_tails.
//   - An end-of-segment fragment ends the segment cleanly.
//   - A bad segment header (wrong magic, unknown version, header checksum, an id below
//     the one in the file name) fails the read with a Status naming the file: those are
//     not crash artifacts, since segments are renamed into place only after their header
//     is synced. An id *above* the file name's is a recycled file whose renames a crash
//     undid; it never held records under its new id, so it is skipped (logged at INFO).
//
// Thread-safety: the functions are reentrant; the callback runs on the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "memtable/replay_position.h"

namespace cairn::memtable {

// One damaged region followed by intact data.
struct CommitLogCorruption {
  std::string file;     // path of the segment
  uint64_t offset = 0;  // byte offset of the first bad fragment
  uint64_t bytes = 0;   // bytes skipped from `offset` up to the next intact fragment
  std::string reason;   // e.g. "checksum mismatch"

  std::string ToString() const;
};

struct ReplayStats {
  uint64_t segments = 0;         // segment files read
  uint64_t records = 0;          // intact records handed to the callback
  uint64_t record_bytes = 0;     // their payload bytes
  uint64_t torn_tails = 0;       // segments that ended in a torn tail
  uint64_t torn_tail_bytes = 0;  // bytes skipped in those tails (preallocated zeros included)
  std::vector<CommitLogCorruption> corruptions;  // mid-segment damage, in file order
};

// Called once per intact record, in log order. `record` is valid only during the call.
// A non-OK return stops the replay and is returned by the reader.
using ReplayCallback = std::function<Status(ReplayPosition position, std::string_view record)>;

// Reads the whole segment at `path`, handing every intact record to `callback` and
// adding what it found to *stats (REQUIRES: stats != nullptr). `expected_id` is the id
// in the file name (0: unknown, do not check).
// Returns OK even when records were damaged (see above); Corruption or NotSupported for
// a bad header; IOError when the file cannot be read; or the callback's error.
Status ReadCommitLogSegment(const std::string& path, uint64_t expected_id,
                            const ReplayCallback& callback, ReplayStats* stats);

}  // namespace cairn::memtable
