// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Range movements: which token ranges move where when a node joins, leaves or is
// removed (Cassandra's RangeStreamer and StorageService.getChangesForLeaving /
// restoreReplicaCount), as pure functions of the ring, so they are unit-tested without
// processes. node/storage_service.h runs them and node/streaming.h moves the data.
//
// All ranges are primary ranges (left exclusive, right inclusive) of the ring *after*
// the change for a join (finer than today's), of today's ring for a leave or removal;
// either way each lies inside one primary range of both rings, so its replicas before
// and after are those of its right token.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "node/coordinator.h"
#include "ring/range.h"
#include "ring/replication_strategy.h"
#include "ring/token_metadata.h"

namespace cairn::node {

// The key bounds of a token range: (left, right], unwrapped at the partitioner's
// minimum token (a range ending at the minimum runs to the end of the ring, one
// starting at it from the beginning). The whole ring (t, t] gives two bounds.
std::vector<KeyBounds> BoundsOfRange(const ring::Range& range, const Token& min);
// BoundsOfRange of each of `ranges`, concatenated in their order (what one STREAM_PULL
// or StreamFetch of several ranges of a table asks for).
std::vector<KeyBounds> BoundsOfRanges(const std::vector<ring::Range>& ranges, const Token& min);

// A range and the endpoints holding it today, the preferred source first.
struct RangeSources {
  ring::Range range;
  std::vector<std::string> sources;
};

// Bootstrap: every range `joining` will replicate once it owns `tokens` (with the
// strategy of one keyspace), with its current replicas as sources: first the replica
// that loses the range to `joining` (Cassandra's strict consistent range movement:
// streaming from it keeps every write acknowledged at a quorum of the old replicas on a
// quorum of the new ones), then the others. `current` must not have `joining` as a
// normal member.
std::vector<RangeSources> BootstrapRanges(const ring::TokenMetadata& current,
                                          const ring::ReplicationStrategy& strategy,
                                          const std::string& joining,
                                          const std::vector<Token>& tokens);

// A range an endpoint gains when another goes, and who holds it today besides the one
// going (the sources for a removal; for a decommission the leaving node itself sends).
struct RangeTransfer {
  ring::Range range;
  std::string gainer;
  std::vector<std::string> sources;  // current replicas other than the one going
};

// The ranges other endpoints gain when `going` leaves the ring (decommission) or is
// removed (removenode), for one keyspace's strategy.
std::vector<RangeTransfer> LeavingTransfers(const ring::TokenMetadata& current,
                                            const ring::ReplicationStrategy& strategy,
                                            const std::string& going);

// Puts `preferred(e)` endpoints first, keeping the order otherwise (stable).
void PreferSources(std::vector<std::string>* sources,
                   const std::function<bool(const std::string&)>& preferred);

}  // namespace cairn::node
