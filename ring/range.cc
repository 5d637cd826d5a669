// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Range set operations, following Cassandra's Range.java case by case (contains,
// intersectionWith, subtract/differenceToFetch, unwrap, normalize/deoverlap).
#include "ring/range.h"

#include <algorithm>
#include <cassert>

namespace cairn::ring {
namespace {

bool ContainsPoint(const Token& left, const Token& right, const Token& point) {
  if (left >= right) {  // wraps (or full ring): (left, max] U [min, right]
    return point > left || point <= right;
  }
  return point > left && point <= right;
}

// `wrapping` wraps, `other` does not, and neither contains the other.
std::vector<Range> IntersectionOneWrapping(const Range& wrapping, const Range& other) {
  std::vector<Range> out;
  if (other.Contains(wrapping.right)) out.emplace_back(other.left, wrapping.right);
  // wrapping.left is not itself in `wrapping`, hence the extra comparison.
  if (other.Contains(wrapping.left) && wrapping.left < other.right) {
    out.emplace_back(wrapping.left, other.right);
  }
  return out;
}

// Both wrap, first.left < that.left, and neither contains the other.
std::vector<Range> IntersectionBothWrapping(const Range& first, const Range& that) {
  std::vector<Range> out;
  if (that.right > first.left) out.emplace_back(first.left, that.right);
  out.emplace_back(that.left, first.right);
  return out;
}

// The parts of `outer` outside `contained`, which lies within it.
std::vector<Range> SubtractContained(const Range& outer, const Range& contained) {
  if (outer.IsFull() && contained.IsFull()) return {};
  if (outer.IsFull()) return {Range(contained.right, contained.left)};
  std::vector<Range> out;
  if (outer.left != contained.left) out.emplace_back(outer.left, contained.left);
  if (outer.right != contained.right) out.emplace_back(contained.right, outer.right);
  return out;
}

}  // namespace

bool Range::Contains(const Token& token) const { return ContainsPoint(left, right, token); }

bool Range::Contains(const Range& that) const {
  if (IsFull()) return true;
  const bool this_wraps = IsWrapAround();
  const bool that_wraps = that.IsWrapAround();
  if (this_wraps == that_wraps) return left <= that.left && that.right <= right;
  if (this_wraps) {
    // A wrapping range contains a non-wrapping one lying wholly in one of its two segments.
    return left <= that.left || that.right <= right;
  }
  return false;  // a non-wrapping range cannot contain a wrapping one
}

bool Range::Intersects(const Range& other) const { return !Intersection(other).empty(); }

std::vector<Range> Range::Intersection(const Range& that) const {
  if (that.Contains(*this)) return {*this};
  if (Contains(that)) return {that};
  const bool this_wraps = IsWrapAround();
  const bool that_wraps = that.IsWrapAround();
  if (!this_wraps && !that_wraps) {
    if (!(left < that.right && that.left < right)) return {};
    return {Range(std::max(left, that.left), std::min(right, that.right))};
  }
  if (this_wraps && that_wraps) {
    // Equal lefts would mean one contains the other, handled above.
    assert(left != that.left);
    return left < that.left ? IntersectionBothWrapping(*this, that)
                            : IntersectionBothWrapping(that, *this);
  }
  if (this_wraps) return IntersectionOneWrapping(*this, that);
  return IntersectionOneWrapping(that, *this);
}

std::vector<Range> Range::Subtract(const Range& other) const {
  // Cassandra: this.subtract(rhs) == rhs.differenceToFetch(this).
  const std::vector<Range> common = Intersection(other);
  if (common.empty()) return {*this};
  if (common.size() == 1) return SubtractContained(*this, common[0]);
  // Two pieces: removing the first leaves a single range that holds the second.
  const std::vector<Range> rest = SubtractContained(*this, common[0]);
  assert(rest.size() == 1);
  return SubtractContained(rest[0], common[1]);
}

std::vector<Range> Range::SubtractAll(const std::vector<Range>& others, const Token& min) const {
  std::vector<Range> remaining = {*this};
  for (const Range& o : others) {
    std::vector<Range> next;
    for (const Range& r : remaining) {
      for (Range& piece : r.Subtract(o)) next.push_back(std::move(piece));
    }
    remaining = std::move(next);
    if (remaining.empty()) break;
  }
  return Normalize(std::move(remaining), min);
}

std::vector<Range> Range::Unwrap(const Token& min) const {
  if (!IsWrapAround() || right == min) return {*this};
  return {Range(left, min), Range(min, right)};
}

std::optional<std::pair<Range, Range>> Range::Split(const Token& position) const {
  if (position == left || position == right || !Contains(position)) return std::nullopt;
  return std::make_pair(Range(left, position), Range(position, right));
}

std::vector<Range> Range::Normalize(std::vector<Range> ranges, const Token& min) {
  std::vector<Range> unwrapped;
  unwrapped.reserve(ranges.size() + 1);
  for (Range& r : ranges) {
    for (Range& piece : r.Unwrap(min)) unwrapped.push_back(std::move(piece));
  }
  if (unwrapped.empty()) return unwrapped;
  std::sort(unwrapped.begin(), unwrapped.end());

  // Cassandra's deoverlap. After unwrapping, every range is either (a, b] with a < b or
  // ends at min, i.e. runs to the end of the ring.
  std::vector<Range> out;
  Range current = std::move(unwrapped[0]);
  for (size_t i = 1; i < unwrapped.size(); ++i) {
    if (current.right == min) break;  // current reaches the end of the ring: nothing to add
    Range& next = unwrapped[i];
    if (next.left <= current.right) {  // overlapping or adjacent: merge
      if (next.right == min || current.right < next.right) current.right = next.right;
    } else {
      out.push_back(std::move(current));
      current = std::move(next);
    }
  }
  if (current.right == min && current.left == min) return {std::move(current)};  // whole ring
  out.push_back(std::move(current));
  return out;
}

bool Range::AnyIntersects(const std::vector<Range>& a, const std::vector<Range>& b) {
  for (const Range& x : a) {
    for (const Range& y : b) {
      if (x.Intersects(y)) return true;
    }
  }
  return false;
}

}  // namespace cairn::ring
