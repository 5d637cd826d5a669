// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Conversions between Cairn's read types and their internode.thrift forms, shared by
// the coordinator (node/storage_proxy.h) and streaming (node/streaming.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/partition.h"
#include "common/partition_iterator.h"
#include "common/status.h"
#include "gen-cpp/internode_types.h"
#include "node/coordinator.h"

namespace cairn::node {

net::internode::CellFilter FilterToWire(const CellFilter& f);
Result<CellFilter> FilterFromWire(const net::internode::CellFilter& w);

net::internode::RingPosition PositionToWire(const RingPosition& p);
Result<RingPosition> PositionFromWire(const net::internode::RingPosition& w);

std::vector<net::internode::KeyBounds> BoundsToWire(const std::vector<KeyBounds>& bounds);
Result<std::vector<KeyBounds>> BoundsFromWire(const std::vector<net::internode::KeyBounds>& in);

// PartitionUpdate::EncodeTo / DecodeFrom as whole byte strings.
std::string EncodePartition(const PartitionUpdate& p);
Result<PartitionUpdate> DecodePartition(std::string_view bytes);

// Orders two ring positions (-1, 0, 1).
int ComparePositions(const RingPosition& a, const RingPosition& b);

// What is left of `bounds` (in ring order) after every key up to and including `last`:
// bounds wholly before it dropped, the one holding it resumed just after it.
std::vector<KeyBounds> BoundsAfter(const std::vector<KeyBounds>& bounds, const DecoratedKey& last);

}  // namespace cairn::node
