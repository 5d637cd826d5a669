// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// ReplayPosition: a point in the commit log (Cassandra's ReplayPosition /
// CommitLogPosition). CommitLog::Add returns the position just *after* the record it
// appended, so "table T is flushed up to P" covers exactly the records whose position is
// <= P. Positions are totally ordered: by segment id (ids only grow, also across
// restarts), then by byte offset inside the segment.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace cairn::memtable {

struct ReplayPosition {
  uint64_t segment_id = 0;
  uint32_t offset = 0;  // bytes from the start of the segment file

  friend bool operator==(const ReplayPosition&, const ReplayPosition&) = default;
  friend auto operator<=>(const ReplayPosition&, const ReplayPosition&) = default;

  // "(<segment_id>, <offset>)", for logs and test failures.
  std::string ToString() const {
    return "(" + std::to_string(segment_id) + ", " + std::to_string(offset) + ")";
  }
};

}  // namespace cairn::memtable
