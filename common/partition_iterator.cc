// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "common/partition_iterator.h"

#include <algorithm>

namespace cairn {

bool CellFilter::Selects(std::string_view name, const AbstractType& comparator) const {
  switch (kind) {
    case Kind::kAll:
      return true;
    case Kind::kNames:
      return std::binary_search(names.begin(), names.end(), name,
                                [&](std::string_view a, std::string_view b) {
                                  return comparator.Compare(a, b) < 0;
                                });
    case Kind::kSlice:
      if (!start.empty() && comparator.Compare(name, start) < 0) return false;
      if (!finish.empty() && comparator.Compare(name, finish) > 0) return false;
      return true;
  }
  return false;
}

bool CellFilter::Overlaps(const RangeTombstone& rt, const AbstractType& comparator) const {
  switch (kind) {
    case Kind::kAll:
      return true;
    case Kind::kNames:
      return std::any_of(names.begin(), names.end(), [&](const std::string& n) {
        return RangeCovers(rt, n, comparator);
      });
    case Kind::kSlice:
      // [rt.start, rt.end] and [start, finish] overlap unless one ends before the other.
      if (!rt.end.empty() && !start.empty() && comparator.Compare(rt.end, start) < 0) return false;
      if (!rt.start.empty() && !finish.empty() && comparator.Compare(rt.start, finish) > 0) {
        return false;
      }
      return true;
  }
  return false;
}

void CellFilter::Apply(PartitionUpdate* update, const AbstractType& comparator) const {
  if (kind == Kind::kAll) return;
  std::erase_if(update->cells, [&](const Cell& c) { return !Selects(c.name, comparator); });
  std::erase_if(update->range_tombstones,
                [&](const RangeTombstone& rt) { return !Overlaps(rt, comparator); });
}

}  // namespace cairn
