// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "common/cell.h"

namespace cairn {

namespace {
int64_t ExpiryOf(const Cell& c) {
  return c.kind == CellKind::kExpiring ? c.local_time : std::numeric_limits<int64_t>::max();
}
}  // namespace

const Cell& Reconcile(const Cell& a, const Cell& b, int32_t now) {
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

}  // namespace cairn
