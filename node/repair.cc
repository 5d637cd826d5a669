// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "node/repair.h"

#include <algorithm>

#include "common/checksum.h"
#include "node/internode_convert.h"
#include "node/range_movement.h"

namespace cairn::node {

namespace {

uint64_t HashPair(uint64_t a, uint64_t b) {
  char buf[16];
  for (int i = 0; i < 8; ++i) {
    buf[i] = static_cast<char>(a >> (8 * i));
    buf[8 + i] = static_cast<char>(b >> (8 * i));
  }
  return Checksum64(std::string_view(buf, 16));
}

}  // namespace

std::vector<ring::Range> UnwrapForRepair(const ring::Range& range, const Token& min) {
  return range.Unwrap(min);
}

std::vector<Token> LeafBoundaries(const ring::Partitioner& p, const RepairSegment& segment) {
  const int32_t n = std::max<int32_t>(1, segment.leaves);
  std::vector<Token> out;
  out.reserve(static_cast<size_t>(n));
  for (int32_t i = 1; i < n; ++i) {
    out.push_back(p.Split(segment.range.left, segment.range.right,
                          static_cast<double>(i) / static_cast<double>(n)));
  }
  out.push_back(segment.range.right);
  return out;
}

Result<std::vector<SegmentHashes>> ComputeLeafHashes(const ColumnFamilyStore& store,
                                                     const ring::Partitioner& p,
                                                     const std::vector<RepairSegment>& segments) {
  const Token min = p.MinimumToken();
  std::vector<SegmentHashes> out;
  out.reserve(segments.size());
  for (const RepairSegment& segment : segments) {
    SegmentHashes sh;
    sh.leaves.assign(static_cast<size_t>(std::max<int32_t>(1, segment.leaves)), 0);
    const std::vector<Token> bounds = LeafBoundaries(p, segment);
    const bool to_end = segment.range.right == min;
    for (const KeyBounds& b : BoundsOfRange(segment.range, min)) {
      std::unique_ptr<PartitionIterator> it = store.NewScanIterator();
      if (!SeekToStart(it.get(), b)) continue;
      for (; it->Valid(); it->Next()) {
        const DecoratedKey& k = it->key();
        if (!b.Contains(k)) {
          if (b.end.CompareTo(k) < 0) break;
          continue;  // at or before an exclusive start
        }
        // The first leaf whose right end is >= the token (the last one runs to the end).
        // (With right at the minimum token the last boundary is not the greatest: it is
        // left out of the search.)
        const auto search_end = to_end ? bounds.end() - 1 : bounds.end();
        size_t leaf = static_cast<size_t>(
            std::lower_bound(bounds.begin(), search_end, k.token) - bounds.begin());
        if (leaf >= sh.leaves.size()) leaf = sh.leaves.size() - 1;
        const uint64_t h = Checksum64(EncodePartition(it->partition()), Checksum64(k.key));
        sh.leaves[leaf] = HashPair(sh.leaves[leaf], h);
        ++sh.partitions;
      }
      CAIRN_RETURN_IF_ERROR(it->status());
    }
    out.push_back(std::move(sh));
  }
  return out;
}

MerkleTree::MerkleTree(const std::vector<uint64_t>& leaves) : leaves_(leaves.size()), width_(1) {
  while (width_ < leaves_) width_ *= 2;
  nodes_.assign(2 * width_, 0);
  for (size_t i = 0; i < leaves_; ++i) nodes_[width_ + i] = leaves[i];
  for (size_t i = width_ - 1; i >= 1; --i) nodes_[i] = HashPair(nodes_[2 * i], nodes_[2 * i + 1]);
}

std::vector<size_t> MerkleTree::Differences(const MerkleTree& a, const MerkleTree& b) {
  std::vector<size_t> out;
  if (a.width_ != b.width_) return out;
  std::vector<size_t> stack = {1};
  while (!stack.empty()) {
    const size_t i = stack.back();
    stack.pop_back();
    if (a.nodes_[i] == b.nodes_[i]) continue;
    if (i >= a.width_) {
      const size_t leaf = i - a.width_;
      if (leaf < a.leaves_) out.push_back(leaf);
      continue;
    }
    stack.push_back(2 * i + 1);
    stack.push_back(2 * i);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<ring::Range> LeafRanges(const ring::Partitioner& p, const RepairSegment& segment,
                                    const std::vector<size_t>& indexes) {
  const std::vector<Token> bounds = LeafBoundaries(p, segment);
  std::vector<ring::Range> out;
  for (size_t n = 0; n < indexes.size(); ++n) {
    const size_t first = indexes[n];
    size_t last = first;
    while (n + 1 < indexes.size() && indexes[n + 1] == last + 1) last = indexes[++n];
    const Token& left = first == 0 ? segment.range.left : bounds[first - 1];
    out.emplace_back(left, bounds[last]);
  }
  return out;
}

}  // namespace cairn::node
