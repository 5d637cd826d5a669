// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "sstable/sstable_stats.h"

#include <algorithm>

namespace cairn::sstable {

void Stats::AddDropTime(int32_t time) {
  auto& h = tombstone_drop_times;
  auto it = std::lower_bound(h.begin(), h.end(), time,
                             [](const auto& bin, int32_t t) { return bin.first < t; });
  if (it != h.end() && it->first == time) {
    ++it->second;
    return;
  }
  h.insert(it, {time, 1});
  if (h.size() <= kMaxHistogramBins) return;
  // Ben-Haim/Tom-Tov: merge the two closest bins into their weighted centroid.
  size_t best = 0;
  int64_t best_gap = INT64_MAX;
  for (size_t i = 0; i + 1 < h.size(); ++i) {
    int64_t gap = static_cast<int64_t>(h[i + 1].first) - h[i].first;
    if (gap < best_gap) {
      best_gap = gap;
      best = i;
    }
  }
  uint64_t count = h[best].second + h[best + 1].second;
  // Weighted mean in 128-bit-safe arithmetic: counts * times fit in double precisely
  // enough for a histogram of seconds.
  double centroid = (static_cast<double>(h[best].first) * static_cast<double>(h[best].second) +
                     static_cast<double>(h[best + 1].first) * static_cast<double>(h[best + 1].second)) /
                    static_cast<double>(count);
  h[best] = {static_cast<int32_t>(centroid), count};
  h.erase(h.begin() + static_cast<ptrdiff_t>(best) + 1);
}

uint64_t Stats::EstimatedDroppableTombstones(int32_t gc_before) const {
  uint64_t n = 0;
  for (const auto& [time, count] : tombstone_drop_times) {
    if (time >= gc_before) break;
    n += count;
  }
  return n;
}

double Stats::DroppableTombstoneRatio(int32_t gc_before) const {
  uint64_t denom = cell_count + range_tombstone_count + partition_count;
  if (denom == 0) return 0.0;
  return static_cast<double>(EstimatedDroppableTombstones(gc_before)) / static_cast<double>(denom);
}

// Layout: see FORMAT.md, "Statistics".
void Stats::EncodeTo(std::string* dst) const {
  PutFixed64(dst, static_cast<uint64_t>(min_timestamp));
  PutFixed64(dst, static_cast<uint64_t>(max_timestamp));
  PutFixed32(dst, static_cast<uint32_t>(max_local_deletion_time));
  PutVarint64(dst, partition_count);
  PutVarint64(dst, cell_count);
  PutVarint64(dst, expiring_cell_count);
  PutVarint64(dst, tombstone_count);
  PutVarint64(dst, range_tombstone_count);
  PutVarint64(dst, uncompressed_data_size);
  PutVarint64(dst, max_partition_size);
  PutVarint32(dst, static_cast<uint32_t>(tombstone_drop_times.size()));
  for (const auto& [time, count] : tombstone_drop_times) {
    PutFixed32(dst, static_cast<uint32_t>(time));
    PutVarint64(dst, count);
  }
  PutLengthPrefixed(dst, first_key.token.bytes);
  PutLengthPrefixed(dst, first_key.key);
  PutLengthPrefixed(dst, last_key.token.bytes);
  PutLengthPrefixed(dst, last_key.key);
  PutLengthPrefixed(dst, comparator);
  PutLengthPrefixed(dst, partitioner);
  PutFixed64(dst, replay_position.segment_id);
  PutFixed32(dst, replay_position.offset);
  PutFixed32(dst, block_size);
  dst->push_back(compressed ? 1 : 0);
  PutVarint32(dst, static_cast<uint32_t>(ancestors.size()));
  for (uint64_t g : ancestors) PutVarint64(dst, g);
}

Status Stats::DecodeFrom(Decoder* in, Stats* out) {
  const Status bad = Status::Corruption("malformed statistics");
  *out = Stats();
  uint64_t u64;
  uint32_t u32, n;
  if (!in->GetFixed64(&u64)) return bad;
  out->min_timestamp = static_cast<int64_t>(u64);
  if (!in->GetFixed64(&u64)) return bad;
  out->max_timestamp = static_cast<int64_t>(u64);
  if (!in->GetFixed32(&u32)) return bad;
  out->max_local_deletion_time = static_cast<int32_t>(u32);
  if (!in->GetVarint64(&out->partition_count) || !in->GetVarint64(&out->cell_count) ||
      !in->GetVarint64(&out->expiring_cell_count) || !in->GetVarint64(&out->tombstone_count) ||
      !in->GetVarint64(&out->range_tombstone_count) ||
      !in->GetVarint64(&out->uncompressed_data_size) ||
      !in->GetVarint64(&out->max_partition_size) || !in->GetVarint32(&n) ||
      n > kMaxHistogramBins) {
    return bad;
  }
  out->tombstone_drop_times.resize(n);
  for (auto& [time, count] : out->tombstone_drop_times) {
    if (!in->GetFixed32(&u32) || !in->GetVarint64(&count)) return bad;
    time = static_cast<int32_t>(u32);
  }
  std::string_view a, b, c, d, e, f;
  if (!in->GetLengthPrefixed(&a) || !in->GetLengthPrefixed(&b) || !in->GetLengthPrefixed(&c) ||
      !in->GetLengthPrefixed(&d) || !in->GetLengthPrefixed(&e) || !in->GetLengthPrefixed(&f)) {
    return bad;
  }
  out->first_key = DecoratedKey{Token{std::string(a)}, std::string(b)};
  out->last_key = DecoratedKey{Token{std::string(c)}, std::string(d)};
  out->comparator.assign(e);
  out->partitioner.assign(f);
  uint8_t flag;
  if (!in->GetFixed64(&out->replay_position.segment_id) ||
      !in->GetFixed32(&out->replay_position.offset) || !in->GetFixed32(&out->block_size) ||
      !in->GetByte(&flag) || flag > 1) {
    return bad;
  }
  out->compressed = flag == 1;
  if (!in->GetVarint32(&n) || n > in->remaining()) return bad;
  out->ancestors.resize(n);
  for (uint64_t& g : out->ancestors) {
    if (!in->GetVarint64(&g)) return bad;
  }
  return Status::OK();
}

}  // namespace cairn::sstable
