// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The data model stored by memtable/ and sstable/ (Thrift-era Cassandra):
//
//   keyspace -> column family -> partition (row key) -> cells sorted by comparator
//
// A Cell is a live value, an expiring value (with TTL and local expiry time) or a
// tombstone (with its local deletion time). A partition may also carry a partition
// tombstone and range tombstones, each a DeletionTime. A deletion marked at timestamp T
// shadows every cell with timestamp <= T (Cassandra's DeletionTime.deletes()).
//
// Times: `timestamp` is the client's, in microseconds; `local_time` is the node's, in
// seconds since the epoch (see common/clock.h).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "common/coding.h"

namespace cairn {

inline constexpr int64_t kNoTimestamp = std::numeric_limits<int64_t>::min();
inline constexpr int32_t kNoLocalTime = std::numeric_limits<int32_t>::max();

enum class CellKind : uint8_t {
  kLive = 0,
  kExpiring = 1,  // live until local_time (its local expiry time), then a tombstone
  kTombstone = 2,
  kCounter = 3,  // value: a counter context (common/counter.h); never expires
};

struct Cell {
  std::string name;
  std::string value;  // empty for tombstones
  int64_t timestamp = 0;
  CellKind kind = CellKind::kLive;
  int32_t ttl = 0;         // seconds; kExpiring only
  int32_t local_time = 0;  // kExpiring: local expiry time; kTombstone: local deletion time

  static Cell Live(std::string name, std::string value, int64_t timestamp) {
    return Cell{std::move(name), std::move(value), timestamp, CellKind::kLive, 0, 0};
  }
  static Cell Expiring(std::string name, std::string value, int64_t timestamp, int32_t ttl,
                       int32_t now_seconds) {
    return Cell{std::move(name), std::move(value), timestamp, CellKind::kExpiring, ttl,
                now_seconds + ttl};
  }
  // `context`: an encoded counter context (common/counter.h); `timestamp`: the write's.
  static Cell Counter(std::string name, std::string context, int64_t timestamp) {
    return Cell{std::move(name), std::move(context), timestamp, CellKind::kCounter, 0, 0};
  }
  static Cell Tombstone(std::string name, int64_t timestamp, int32_t now_seconds) {
    return Cell{std::move(name), std::string(), timestamp, CellKind::kTombstone, 0,
                now_seconds};
  }

  // A cell is live at `now` (seconds) when it is not a tombstone and has not expired.
  bool IsLive(int32_t now) const {
    return kind == CellKind::kLive || kind == CellKind::kCounter ||
           (kind == CellKind::kExpiring && now < local_time);
  }
  // The local time from which this cell counts as deleted, for gc_grace purging:
  // tombstones: their deletion time; expiring cells: expiry - ttl, i.e. the write time,
  // as Cassandra 3.x converts an expired cell; live cells: never.
  int32_t LocalDeletionTime() const {
    if (kind == CellKind::kTombstone) return local_time;
    if (kind == CellKind::kExpiring) return local_time - ttl;
    return kNoLocalTime;
  }

  friend bool operator==(const Cell&, const Cell&) = default;
};

// Reconciles two versions of the same cell (Cassandra's Cells.reconcile):
// the higher timestamp wins; on a tie a tombstone (or an expired cell) beats a live cell,
// then the later expiry wins (a non-expiring cell never expires), then the greater value
// (unsigned bytes); two tombstones: the later local deletion time.
// Counter cells are not chosen but merged: see Merge.
const Cell& Reconcile(const Cell& a, const Cell& b, int32_t now);

// The reconciled version of two versions of a cell, as a value: Reconcile, except that
// two counter cells merge their contexts (common/counter.h) under the higher timestamp,
// and a tombstone beats a counter cell whatever their timestamps (Cassandra's
// Conflicts.resolveCounter: a deleted counter stays deleted).
Cell Merge(const Cell& a, const Cell& b, int32_t now);
// True when Merge(a, b) would need a new value (both are counter cells).
inline bool NeedsMerge(const Cell& a, const Cell& b) {
  return a.kind == CellKind::kCounter && b.kind == CellKind::kCounter;
}

struct DeletionTime {
  int64_t marked_for_delete_at = kNoTimestamp;  // shadows cells with timestamp <= this
  int32_t local_deletion_time = kNoLocalTime;

  bool IsLive() const { return marked_for_delete_at == kNoTimestamp; }
  bool Deletes(int64_t timestamp) const { return timestamp <= marked_for_delete_at; }
  // Keeps the stronger of the two deletions (higher timestamp, then later local time).
  void Merge(const DeletionTime& other) {
    if (other.marked_for_delete_at > marked_for_delete_at ||
        (other.marked_for_delete_at == marked_for_delete_at &&
         other.local_deletion_time > local_deletion_time && !other.IsLive())) {
      *this = other;
    }
  }
  friend bool operator==(const DeletionTime&, const DeletionTime&) = default;
};

// Deletes the names from `start` to `end`, both inclusive, in comparator order.
// An empty start means "from the first name"; an empty end means "to the last name".
struct RangeTombstone {
  std::string start;
  std::string end;
  DeletionTime deletion;
  friend bool operator==(const RangeTombstone&, const RangeTombstone&) = default;
};

// Binary encodings shared by the commit log's mutation payload and SSTable Data blocks
// (memtable/COMMITLOG_FORMAT.md, sstable/FORMAT.md), all integers little-endian:
//   DeletionTime: fixed64 marked_for_delete_at, fixed32 local_deletion_time
//   Cell: byte kind, length-prefixed name, fixed64 timestamp, then
//     kLive: lp value; kExpiring: lp value, fixed32 ttl, fixed32 local expiry;
//     kTombstone: fixed32 local deletion time; kCounter: lp context
// Decoders return false on truncated or malformed input and never read past it.
void EncodeDeletionTime(std::string* dst, const DeletionTime& d);
inline bool DecodeDeletionTime(Decoder* in, DeletionTime* d) {
  uint64_t ts;
  uint32_t ldt;
  if (!in->GetFixed64(&ts) || !in->GetFixed32(&ldt)) return false;
  d->marked_for_delete_at = static_cast<int64_t>(ts);
  d->local_deletion_time = static_cast<int32_t>(ldt);
  return true;
}
void EncodeCell(std::string* dst, const Cell& c);
bool DecodeCell(Decoder* in, Cell* c);

// A decoded cell whose name and value view the encoded bytes (valid while they are).
struct CellView {
  std::string_view name;
  std::string_view value;
  int64_t timestamp = 0;
  CellKind kind = CellKind::kLive;
  int32_t ttl = 0;
  int32_t local_time = 0;
};
// DecodeCell without copies: same checks, inline for the scan loops.
inline bool DecodeCellView(Decoder* in, CellView* c) {
  uint8_t kind;
  uint64_t ts;
  if (!in->GetByte(&kind) || kind > 3 || !in->GetLengthPrefixed(&c->name) ||
      !in->GetFixed64(&ts)) {
    return false;
  }
  c->kind = static_cast<CellKind>(kind);
  c->timestamp = static_cast<int64_t>(ts);
  c->value = {};
  uint32_t ttl = 0, local = 0;
  if (c->kind != CellKind::kTombstone && !in->GetLengthPrefixed(&c->value)) return false;
  if (c->kind == CellKind::kExpiring && !in->GetFixed32(&ttl)) return false;
  if (c->kind != CellKind::kLive && c->kind != CellKind::kCounter && !in->GetFixed32(&local)) {
    return false;
  }
  c->ttl = static_cast<int32_t>(ttl);
  c->local_time = static_cast<int32_t>(local);
  return true;
}

}  // namespace cairn
