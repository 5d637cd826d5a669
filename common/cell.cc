// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "common/cell.h"

#include "common/coding.h"
#include "common/counter.h"

namespace cairn {

namespace {
int64_t ExpiryOf(const Cell& c) {
  return c.kind == CellKind::kExpiring ? c.local_time : std::numeric_limits<int64_t>::max();
}
}  // namespace

const Cell& Reconcile(const Cell& a, const Cell& b, int32_t now) {
  // A tombstone beats a counter cell whatever the timestamps.
  if ((a.kind == CellKind::kCounter) != (b.kind == CellKind::kCounter)) {
    if (a.kind == CellKind::kTombstone) return a;
    if (b.kind == CellKind::kTombstone) return b;
  }
  if (a.timestamp != b.timestamp) return a.timestamp > b.timestamp ? a : b;
  bool a_live = a.IsLive(now);
  bool b_live = b.IsLive(now);
  if (a_live != b_live) return a_live ? b : a;
  if (!a_live) {  // both deleted or expired: the later deletion
    return a.LocalDeletionTime() >= b.LocalDeletionTime() ? a : b;
  }
  int64_t ea = ExpiryOf(a), eb = ExpiryOf(b);
  if (ea != eb) return ea > eb ? a : b;
  return a.value.compare(b.value) >= 0 ? a : b;
}

Cell Merge(const Cell& a, const Cell& b, int32_t now) {
  if (!NeedsMerge(a, b)) return Reconcile(a, b, now);
  return Cell::Counter(a.name, MergeCounterContexts(a.value, b.value),
                       std::max(a.timestamp, b.timestamp));
}

void EncodeDeletionTime(std::string* dst, const DeletionTime& d) {
  PutFixed64(dst, static_cast<uint64_t>(d.marked_for_delete_at));
  PutFixed32(dst, static_cast<uint32_t>(d.local_deletion_time));
}

void EncodeCell(std::string* dst, const Cell& c) {
  dst->push_back(static_cast<char>(c.kind));
  PutLengthPrefixed(dst, c.name);
  PutFixed64(dst, static_cast<uint64_t>(c.timestamp));
  if (c.kind != CellKind::kTombstone) PutLengthPrefixed(dst, c.value);
  if (c.kind == CellKind::kExpiring) PutFixed32(dst, static_cast<uint32_t>(c.ttl));
  if (c.kind != CellKind::kLive && c.kind != CellKind::kCounter) {
    PutFixed32(dst, static_cast<uint32_t>(c.local_time));
  }
}

bool DecodeCell(Decoder* in, Cell* c) {
  CellView v;
  if (!DecodeCellView(in, &v)) return false;
  c->name.assign(v.name);
  c->value.assign(v.value);
  c->timestamp = v.timestamp;
  c->kind = v.kind;
  c->ttl = v.ttl;
  c->local_time = v.local_time;
  return true;
}

}  // namespace cairn
