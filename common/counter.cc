// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "common/counter.h"

#include <algorithm>

#include "common/coding.h"

namespace cairn {

namespace {

// The better of two shards of the same host.
const CounterShard& Newer(const CounterShard& a, const CounterShard& b) {
  if (a.clock != b.clock) return a.clock > b.clock ? a : b;
  return a.count >= b.count ? a : b;
}

}  // namespace

std::string EncodeCounterContext(std::vector<CounterShard> shards) {
  std::sort(shards.begin(), shards.end(),
            [](const CounterShard& a, const CounterShard& b) { return a.host_id < b.host_id; });
  std::string out;
  out.reserve(shards.size() * kCounterShardBytes);
  for (size_t i = 0; i < shards.size(); ++i) {
    CounterShard s = shards[i];
    while (i + 1 < shards.size() && shards[i + 1].host_id == s.host_id) s = Newer(s, shards[++i]);
    std::string id = s.host_id;
    id.resize(16, '\0');
    out += id;
    PutFixed64(&out, static_cast<uint64_t>(s.clock));
    PutFixed64(&out, static_cast<uint64_t>(s.count));
  }
  return out;
}

bool DecodeCounterContext(std::string_view context, std::vector<CounterShard>* shards) {
  shards->clear();
  if (context.size() % kCounterShardBytes != 0) return false;
  Decoder in(context);
  while (!in.empty()) {
    CounterShard s;
    std::string_view id;
    uint64_t clock, count;
    if (!in.GetBytes(16, &id) || !in.GetFixed64(&clock) || !in.GetFixed64(&count)) return false;
    s.host_id.assign(id);
    s.clock = static_cast<int64_t>(clock);
    s.count = static_cast<int64_t>(count);
    if (!shards->empty() && !(shards->back().host_id < s.host_id)) return false;
    shards->push_back(std::move(s));
  }
  return true;
}

std::string MergeCounterContexts(std::string_view a, std::string_view b) {
  std::vector<CounterShard> sa, sb;
  if (!DecodeCounterContext(a, &sa)) sa.clear();
  if (!DecodeCounterContext(b, &sb)) sb.clear();
  std::vector<CounterShard> out;
  out.reserve(sa.size() + sb.size());
  size_t i = 0, j = 0;
  while (i < sa.size() || j < sb.size()) {
    if (j == sb.size() || (i < sa.size() && sa[i].host_id < sb[j].host_id)) {
      out.push_back(sa[i++]);
    } else if (i == sa.size() || sb[j].host_id < sa[i].host_id) {
      out.push_back(sb[j++]);
    } else {
      out.push_back(Newer(sa[i++], sb[j++]));
    }
  }
  return EncodeCounterContext(std::move(out));
}

int64_t CounterTotal(std::string_view context) {
  std::vector<CounterShard> shards;
  if (!DecodeCounterContext(context, &shards)) return 0;
  int64_t total = 0;
  for (const CounterShard& s : shards) {
    total = static_cast<int64_t>(static_cast<uint64_t>(total) + static_cast<uint64_t>(s.count));
  }
  return total;
}

CounterShard CounterShardOf(std::string_view context, std::string_view host_id) {
  std::vector<CounterShard> shards;
  if (DecodeCounterContext(context, &shards)) {
    for (const CounterShard& s : shards) {
      if (s.host_id == host_id) return s;
    }
  }
  return CounterShard{std::string(host_id), 0, 0};
}

}  // namespace cairn
