// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "common/partition.h"

#include <algorithm>

namespace cairn {

namespace {
bool RangeStartLess(const RangeTombstone& a, const RangeTombstone& b,
                    const AbstractType& comparator) {
  if (a.start.empty() || b.start.empty()) return a.start.empty() && !b.start.empty();
  return comparator.Compare(a.start, b.start) < 0;
}
}  // namespace

bool RangeCovers(const RangeTombstone& rt, std::string_view name,
                 const AbstractType& comparator) {
  if (!rt.start.empty() && comparator.Compare(name, rt.start) < 0) return false;
  if (!rt.end.empty() && comparator.Compare(name, rt.end) > 0) return false;
  return true;
}

void PartitionUpdate::Normalize(const AbstractType& comparator, int32_t now) {
  std::stable_sort(cells.begin(), cells.end(), [&](const Cell& a, const Cell& b) {
    return comparator.Compare(a.name, b.name) < 0;
  });
  // Reconcile runs of equal names into one cell.
  size_t out = 0;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (out > 0 && comparator.Compare(cells[out - 1].name, cells[i].name) == 0) {
      cells[out - 1] = Merge(cells[out - 1], cells[i], now);
    } else {
      if (out != i) cells[out] = std::move(cells[i]);
      ++out;
    }
  }
  cells.resize(out);
  std::stable_sort(range_tombstones.begin(), range_tombstones.end(),
                   [&](const RangeTombstone& a, const RangeTombstone& b) {
                     return RangeStartLess(a, b, comparator);
                   });
}

void PartitionUpdate::MergeFrom(const PartitionUpdate& other, const AbstractType& comparator,
                                int32_t now) {
  deletion.Merge(other.deletion);
  if (!other.range_tombstones.empty()) {
    std::vector<RangeTombstone> merged;
    merged.reserve(range_tombstones.size() + other.range_tombstones.size());
    std::merge(range_tombstones.begin(), range_tombstones.end(), other.range_tombstones.begin(),
               other.range_tombstones.end(), std::back_inserter(merged),
               [&](const RangeTombstone& a, const RangeTombstone& b) {
                 return RangeStartLess(a, b, comparator);
               });
    range_tombstones = std::move(merged);
  }
  if (other.cells.empty()) return;
  std::vector<Cell> merged;
  merged.reserve(cells.size() + other.cells.size());
  size_t i = 0, j = 0;
  while (i < cells.size() || j < other.cells.size()) {
    if (j == other.cells.size()) {
      merged.push_back(std::move(cells[i++]));
    } else if (i == cells.size()) {
      merged.push_back(other.cells[j++]);
    } else {
      int c = comparator.Compare(cells[i].name, other.cells[j].name);
      if (c < 0) {
        merged.push_back(std::move(cells[i++]));
      } else if (c > 0) {
        merged.push_back(other.cells[j++]);
      } else {
        merged.push_back(Merge(cells[i], other.cells[j], now));
        ++i;
        ++j;
      }
    }
  }
  cells = std::move(merged);
}

DeletionTime PartitionUpdate::DeletionFor(std::string_view name,
                                          const AbstractType& comparator) const {
  DeletionTime d = deletion;
  for (const RangeTombstone& rt : range_tombstones) {
    if (!rt.start.empty() && comparator.Compare(name, rt.start) < 0) break;  // sorted by start
    if (RangeCovers(rt, name, comparator)) d.Merge(rt.deletion);
  }
  return d;
}

void PartitionUpdate::RemoveShadowed(const AbstractType& comparator) {
  if (deletion.IsLive() && range_tombstones.empty()) return;
  std::erase_if(cells, [&](const Cell& c) {
    return DeletionFor(c.name, comparator).Deletes(c.timestamp);
  });
}

size_t PartitionUpdate::MemoryUsage() const {
  size_t n = sizeof(*this);
  for (const Cell& c : cells) n += sizeof(Cell) + c.name.size() + c.value.size();
  for (const RangeTombstone& rt : range_tombstones) {
    n += sizeof(RangeTombstone) + rt.start.size() + rt.end.size();
  }
  return n;
}

// Layout (all integers little-endian; see memtable/COMMITLOG_FORMAT.md):
//   deletion: fixed64 marked_for_delete_at, fixed32 local_deletion_time
//   varint32 range tombstone count, each: lp start, lp end, deletion
//   varint32 cell count, each: byte kind, lp name, fixed64 timestamp,
//     kLive: lp value; kExpiring: lp value, fixed32 ttl, fixed32 local expiry;
//     kTombstone: fixed32 local deletion time
void PartitionUpdate::EncodeTo(std::string* dst) const {
  EncodeDeletionTime(dst, deletion);
  PutVarint32(dst, static_cast<uint32_t>(range_tombstones.size()));
  for (const RangeTombstone& rt : range_tombstones) {
    PutLengthPrefixed(dst, rt.start);
    PutLengthPrefixed(dst, rt.end);
    EncodeDeletionTime(dst, rt.deletion);
  }
  PutVarint32(dst, static_cast<uint32_t>(cells.size()));
  for (const Cell& c : cells) EncodeCell(dst, c);
}

Status PartitionUpdate::DecodeFrom(Decoder* in, PartitionUpdate* out) {
  const Status bad = Status::Corruption("malformed partition update");
  *out = PartitionUpdate();
  if (!DecodeDeletionTime(in, &out->deletion)) return bad;
  uint32_t n;
  if (!in->GetVarint32(&n) || n > in->remaining()) return bad;
  out->range_tombstones.resize(n);
  for (RangeTombstone& rt : out->range_tombstones) {
    std::string_view start, end;
    if (!in->GetLengthPrefixed(&start) || !in->GetLengthPrefixed(&end) ||
        !DecodeDeletionTime(in, &rt.deletion)) {
      return bad;
    }
    rt.start.assign(start);
    rt.end.assign(end);
  }
  if (!in->GetVarint32(&n) || n > in->remaining()) return bad;
  out->cells.resize(n);
  for (Cell& c : out->cells) {
    if (!DecodeCell(in, &c)) return bad;
  }
  return Status::OK();
}

}  // namespace cairn
