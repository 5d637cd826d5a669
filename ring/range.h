// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Range: a span of the token ring, (left, right] -- start exclusive, end inclusive --
// with Cassandra's org.apache.cassandra.dht.Range<Token> semantics:
//
//   * left <  right: the tokens t with left < t <= right.
//   * left >  right: the range wraps past the end of the ring: t > left or t <= right.
//   * left == right: the whole ring (every token).
//   * A range ending at the partitioner's minimum token, (x, min], wraps: it covers every
//     token above x and the minimum token itself. (min, x] covers every token up to x
//     except the minimum. So the minimum token is both the start and the end of the ring,
//     and (min, min] is the whole ring.
//
// Tokens are partitioner-neutral byte strings (common/token.h), so Range never needs a
// partitioner except where it must name the minimum token to build a new range (Unwrap,
// Normalize); those take the minimum token explicitly (Partitioner::MinimumToken()).
//
// Set operations (Intersection, Subtract) follow Cassandra's Range.intersectionWith and
// Range.subtract and return at most two ranges, which may wrap. Normalize turns any list
// of ranges into the canonical form: non-wrapping, sorted by left, non-overlapping and
// non-adjacent (adjacent ranges (a, b] and (b, c] merge into (a, c]).
//
// Thread-safety: a Range is a value; const methods may be called from any thread.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/token.h"

namespace cairn::ring {

struct Range {
  Token left;   // exclusive
  Token right;  // inclusive

  Range() = default;
  Range(Token l, Token r) : left(std::move(l)), right(std::move(r)) {}

  // Ordered by left, then right (for use as a map key; not a ring order).
  friend bool operator==(const Range&, const Range&) = default;
  friend std::strong_ordering operator<=>(const Range& a, const Range& b) {
    if (auto c = a.left <=> b.left; c != 0) return c;
    return a.right <=> b.right;
  }

  // True when left >= right: the range passes the end of the ring (or is the whole ring).
  // Cassandra's Range.isWrapAround.
  bool IsWrapAround() const { return left >= right; }
  // True when the range covers the whole ring (left == right).
  bool IsFull() const { return left == right; }

  // Whether `token` lies in (left, right].
  bool Contains(const Token& token) const;
  // Whether every token of `other` lies in this range.
  bool Contains(const Range& other) const;
  // Whether the two ranges share at least one token range (Cassandra: intersects()).
  bool Intersects(const Range& other) const;
  // The ranges common to both (zero, one or two; two when both wrap or one wraps
  // around the other's ends).
  std::vector<Range> Intersection(const Range& other) const;
  // The parts of this range not covered by `other` (zero, one or two ranges).
  std::vector<Range> Subtract(const Range& other) const;
  // The parts of this range covered by none of `others`, normalized.
  std::vector<Range> SubtractAll(const std::vector<Range>& others, const Token& min) const;

  // Splits a wrapping range into (left, min] and (min, right]; any other range (and a
  // range that ends at min) comes back unchanged as a single element.
  std::vector<Range> Unwrap(const Token& min) const;

  // Splits at `position` into (left, position] and (position, right].
  // Returns nullopt if position is an end of the range (the split would change nothing)
  // or is not inside it. Cassandra: Range.split.
  std::optional<std::pair<Range, Range>> Split(const Token& position) const;

  // Unwraps, sorts and merges overlapping or adjacent ranges. The result covers exactly
  // the same tokens, contains no wrapping range except possibly (min, min] for the whole
  // ring, and is sorted by left. Cassandra: Range.normalize.
  static std::vector<Range> Normalize(std::vector<Range> ranges, const Token& min);

  // Whether any token lies in both lists (each list may be arbitrary).
  static bool AnyIntersects(const std::vector<Range>& a, const std::vector<Range>& b);
};

}  // namespace cairn::ring
