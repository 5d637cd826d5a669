// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "node/range_movement.h"

#include <algorithm>

namespace cairn::node {

namespace {

bool Has(const std::vector<std::string>& v, const std::string& e) {
  return std::find(v.begin(), v.end(), e) != v.end();
}

}  // namespace

std::vector<KeyBounds> BoundsOfRange(const ring::Range& range, const Token& min) {
  std::vector<KeyBounds> out;
  for (const ring::Range& r : range.Unwrap(min)) {
    KeyBounds b;
    b.start = r.left == min ? RingPosition::BeforeAll() : RingPosition::TokenEnd(r.left);
    b.start_inclusive = r.left == min;
    b.end = r.right == min ? RingPosition::AfterAll() : RingPosition::TokenEnd(r.right);
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<KeyBounds> BoundsOfRanges(const std::vector<ring::Range>& ranges, const Token& min) {
  std::vector<KeyBounds> out;
  for (const ring::Range& r : ranges) {
    for (KeyBounds& b : BoundsOfRange(r, min)) out.push_back(std::move(b));
  }
  return out;
}

std::vector<RangeSources> BootstrapRanges(const ring::TokenMetadata& current,
                                          const ring::ReplicationStrategy& strategy,
                                          const std::string& joining,
                                          const std::vector<Token>& tokens) {
  ring::TokenMetadata future = current.CloneOnlyTokenMap();
  future.UpdateNormalTokens(joining, tokens);
  std::vector<RangeSources> out;
  if (current.empty()) return out;  // the first node: nothing to fetch
  for (const ring::Range& range : strategy.GetRangesFor(joining, future)) {
    const std::vector<std::string> before =
        strategy.CalculateNaturalEndpoints(range.right, current);
    const std::vector<std::string> after = strategy.CalculateNaturalEndpoints(range.right, future);
    RangeSources rs{range, {}};
    for (const std::string& e : before) {
      if (e != joining && !Has(after, e)) rs.sources.push_back(e);  // losing it
    }
    for (const std::string& e : before) {
      if (e != joining && !Has(rs.sources, e)) rs.sources.push_back(e);
    }
    out.push_back(std::move(rs));
  }
  return out;
}

std::vector<RangeTransfer> LeavingTransfers(const ring::TokenMetadata& current,
                                            const ring::ReplicationStrategy& strategy,
                                            const std::string& going) {
  std::vector<RangeTransfer> out;
  if (!current.IsMember(going)) return out;
  ring::TokenMetadata after = current.CloneOnlyTokenMap();
  after.RemoveEndpoint(going);
  if (after.empty()) return out;  // the last node: nowhere to go
  for (const ring::Range& range : strategy.GetRangesFor(going, current)) {
    const std::vector<std::string> before =
        strategy.CalculateNaturalEndpoints(range.right, current);
    const std::vector<std::string> now = strategy.CalculateNaturalEndpoints(range.right, after);
    std::vector<std::string> sources;
    for (const std::string& e : before) {
      if (e != going) sources.push_back(e);
    }
    for (const std::string& e : now) {
      if (!Has(before, e)) out.push_back({range, e, sources});
    }
  }
  return out;
}

void PreferSources(std::vector<std::string>* sources,
                   const std::function<bool(const std::string&)>& preferred) {
  std::stable_partition(sources->begin(), sources->end(), preferred);
}

}  // namespace cairn::node
