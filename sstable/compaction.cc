// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "sstable/compaction.h"

namespace cairn::sstable {

bool PurgePartition(PartitionUpdate* p, const AbstractType& comparator, int32_t now,
                    int32_t gc_before, int64_t max_purgeable_timestamp) {
  auto purgeable = [&](int64_t timestamp, int32_t local_deletion_time) {
    return local_deletion_time < gc_before && timestamp < max_purgeable_timestamp;
  };

  for (Cell& c : p->cells) {
    if (c.kind == CellKind::kExpiring && !c.IsLive(now)) {
      c = Cell{std::move(c.name), std::string(), c.timestamp, CellKind::kTombstone, 0,
               c.local_time - c.ttl};
    }
  }
  p->RemoveShadowed(comparator);
  if (!p->deletion.IsLive()) {
    std::erase_if(p->range_tombstones, [&](const RangeTombstone& rt) {
      return rt.deletion.marked_for_delete_at <= p->deletion.marked_for_delete_at;
    });
  }

  std::erase_if(p->cells, [&](const Cell& c) {
    return c.kind == CellKind::kTombstone && purgeable(c.timestamp, c.local_time);
  });
  std::erase_if(p->range_tombstones, [&](const RangeTombstone& rt) {
    return purgeable(rt.deletion.marked_for_delete_at, rt.deletion.local_deletion_time);
  });
  if (!p->deletion.IsLive() &&
      purgeable(p->deletion.marked_for_delete_at, p->deletion.local_deletion_time)) {
    p->deletion = DeletionTime();
  }
  return p->empty();
}

}  // namespace cairn::sstable
