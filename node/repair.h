// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Anti-entropy repair's building blocks (Cassandra's Validator and MerkleTree): hashing a
// replica's data in a token range into the leaves of a Merkle tree, and comparing two
// trees. node/storage_service.h (Repair) runs a repair session with them: every replica
// of a range hashes its data with the same segments and leaf counts (VALIDATION), the
// coordinator compares the trees and streams only the leaves that differ, both ways.
//
// A segment is a token range that does not wrap, (left, right] (right may be the
// partitioner's minimum token: to the end of the ring), split into `leaves` spans of
// equal token width by Partitioner::Split, so every replica draws the same boundaries.
// A leaf's hash chains, in token order, XXH3-64 of each partition's key and encoded
// content (node/internode_convert.h EncodePartition of the reconciled partition: every
// live cell and every tombstone with its timestamps), 0 for an empty leaf. Replicas
// holding the same data therefore agree leaf by leaf, whatever their SSTable layout.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "node/column_family_store.h"
#include "ring/partitioner.h"
#include "ring/range.h"

namespace cairn::node {

struct RepairSegment {
  ring::Range range;   // not wrapping, except that right may be the minimum token
  int32_t leaves = 1;  // >= 1
};

// Splits `range` at the minimum token so no piece wraps.
std::vector<ring::Range> UnwrapForRepair(const ring::Range& range, const Token& min);

// The right end of each leaf of `segment`, ascending; the last is segment.range.right.
std::vector<Token> LeafBoundaries(const ring::Partitioner& p, const RepairSegment& segment);

// The leaf hashes of `store`'s data in each segment (see the file comment), and the
// partitions seen per segment.
struct SegmentHashes {
  std::vector<uint64_t> leaves;
  uint64_t partitions = 0;
};
Result<std::vector<SegmentHashes>> ComputeLeafHashes(const ColumnFamilyStore& store,
                                                     const ring::Partitioner& p,
                                                     const std::vector<RepairSegment>& segments);

// A binary hash tree over leaf hashes (padded with zero leaves to a power of two);
// inner nodes hash their two children with XXH3-64.
class MerkleTree {
 public:
  explicit MerkleTree(const std::vector<uint64_t>& leaves);
  uint64_t root() const { return nodes_[1]; }
  size_t leaves() const { return leaves_; }
  // The leaf indexes (< the real leaf count) where `a` and `b` differ, ascending, found
  // by descending from the root into differing subtrees only. REQUIRES: same leaf count.
  static std::vector<size_t> Differences(const MerkleTree& a, const MerkleTree& b);

 private:
  size_t leaves_;  // real leaves
  size_t width_;   // leaves padded to a power of two
  std::vector<uint64_t> nodes_;  // 1-based heap: nodes_[1] is the root
};

// The token ranges of the leaves `indexes` (ascending) of `segment`, adjacent leaves
// merged.
std::vector<ring::Range> LeafRanges(const ring::Partitioner& p, const RepairSegment& segment,
                                    const std::vector<size_t>& indexes);

}  // namespace cairn::node
