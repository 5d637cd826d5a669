// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Range<Token> semantics: containment, wrap-around, the minimum token, intersection,
// subtraction, unwrap, split and normalize. Besides hand-picked cases (many from
// Cassandra's RangeTest), a brute-force model checks every pair of ranges over a small
// ring against explicit point sets.
#include "ring/range.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <random>
#include <set>

#include "ring/partitioner.h"

namespace cairn::ring {
namespace {

const Token kMin = Murmur3Partitioner::FromLong(INT64_MIN);
Token T(int64_t v) { return Murmur3Partitioner::FromLong(v); }
Range R(int64_t l, int64_t r) { return Range(T(l), T(r)); }
// The minimum token as a Range end.
constexpr int64_t M = INT64_MIN;

TEST(RangeTest, ContainsNonWrapping) {
  Range r = R(0, 10);
  EXPECT_FALSE(r.Contains(T(0)));  // start exclusive
  EXPECT_TRUE(r.Contains(T(1)));
  EXPECT_TRUE(r.Contains(T(10)));  // end inclusive
  EXPECT_FALSE(r.Contains(T(11)));
  EXPECT_FALSE(r.Contains(kMin));
  EXPECT_FALSE(r.IsWrapAround());
}

TEST(RangeTest, ContainsWrapping) {
  Range r = R(10, 0);
  EXPECT_TRUE(r.IsWrapAround());
  EXPECT_TRUE(r.Contains(T(11)));
  EXPECT_TRUE(r.Contains(T(INT64_MAX)));
  EXPECT_TRUE(r.Contains(kMin));
  EXPECT_TRUE(r.Contains(T(-5)));
  EXPECT_TRUE(r.Contains(T(0)));
  EXPECT_FALSE(r.Contains(T(1)));
  EXPECT_FALSE(r.Contains(T(10)));
}

TEST(RangeTest, MinimumTokenIsBothEndsOfTheRing) {
  // (x, min] wraps and holds everything above x plus min itself.
  Range to_end = R(5, M);
  EXPECT_TRUE(to_end.IsWrapAround());
  EXPECT_TRUE(to_end.Contains(T(6)));
  EXPECT_TRUE(to_end.Contains(kMin));
  EXPECT_FALSE(to_end.Contains(T(5)));
  EXPECT_FALSE(to_end.Contains(T(0)));
  // (min, x] holds everything up to x except min.
  Range from_start = R(M, 5);
  EXPECT_FALSE(from_start.IsWrapAround());
  EXPECT_FALSE(from_start.Contains(kMin));
  EXPECT_TRUE(from_start.Contains(T(M + 1)));
  EXPECT_TRUE(from_start.Contains(T(5)));
  // (min, min] is the whole ring.
  Range full = R(M, M);
  EXPECT_TRUE(full.IsFull());
  EXPECT_TRUE(full.Contains(kMin));
  EXPECT_TRUE(full.Contains(T(0)));
  EXPECT_TRUE(full.Contains(R(3, 1)));
}

TEST(RangeTest, FullRingFromAnyToken) {
  Range full = R(7, 7);
  EXPECT_TRUE(full.IsFull());
  for (int64_t v : {M, int64_t{-100}, int64_t{7}, int64_t{8}, INT64_MAX}) {
    EXPECT_TRUE(full.Contains(T(v))) << v;
  }
  EXPECT_TRUE(full.Contains(R(1, 2)));
  EXPECT_TRUE(full.Contains(R(9, 2)));
  EXPECT_FALSE(R(1, 2).Contains(full));
}

TEST(RangeTest, ContainsRange) {
  EXPECT_TRUE(R(0, 10).Contains(R(0, 10)));
  EXPECT_TRUE(R(0, 10).Contains(R(2, 5)));
  EXPECT_FALSE(R(0, 10).Contains(R(5, 11)));
  EXPECT_FALSE(R(0, 10).Contains(R(10, 0)));  // non-wrapping cannot hold a wrapping one
  EXPECT_TRUE(R(10, 0).Contains(R(20, 30)));
  EXPECT_TRUE(R(10, 0).Contains(R(-30, -20)));
  EXPECT_TRUE(R(10, 0).Contains(R(20, -20)));
  EXPECT_FALSE(R(10, 0).Contains(R(5, 20)));
  EXPECT_TRUE(R(10, M).Contains(R(20, M)));
  EXPECT_TRUE(R(M, 10).Contains(R(M, 5)));
}

TEST(RangeTest, IntersectionCases) {
  using V = std::vector<Range>;
  EXPECT_EQ(R(0, 10).Intersection(R(5, 15)), V{R(5, 10)});
  EXPECT_EQ(R(0, 10).Intersection(R(10, 20)), V{});  // touching ends do not intersect
  EXPECT_FALSE(R(0, 10).Intersects(R(10, 20)));
  EXPECT_EQ(R(0, 10).Intersection(R(2, 3)), V{R(2, 3)});
  // One wraps around both ends of the other: two pieces.
  EXPECT_EQ(R(10, 0).Intersection(R(-5, 15)), (V{R(-5, 0), R(10, 15)}));
  // Both wrap.
  V both = R(10, 0).Intersection(R(20, 5));
  std::sort(both.begin(), both.end());
  EXPECT_EQ(both, V{R(20, 0)});
  both = R(10, 0).Intersection(R(-5, -10));
  std::sort(both.begin(), both.end());
  EXPECT_EQ(both, (V{R(-5, 0), R(10, -10)}));
  // With the minimum token.
  EXPECT_EQ(R(5, M).Intersection(R(3, 10)), V{R(5, 10)});
  EXPECT_EQ(R(5, M).Intersection(R(M, 3)), V{});
  EXPECT_EQ(R(M, M).Intersection(R(3, 1)), V{R(3, 1)});
}

TEST(RangeTest, SubtractCases) {
  using V = std::vector<Range>;
  auto sorted = [](V v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(R(0, 10).Subtract(R(3, 5)), (V{R(0, 3), R(5, 10)}));
  EXPECT_EQ(R(0, 10).Subtract(R(0, 5)), (V{R(5, 10)}));
  EXPECT_EQ(R(0, 10).Subtract(R(5, 20)), (V{R(0, 5)}));
  EXPECT_EQ(R(0, 10).Subtract(R(20, 30)), (V{R(0, 10)}));
  EXPECT_EQ(R(0, 10).Subtract(R(-5, 20)), V{});
  EXPECT_EQ(R(0, 10).Subtract(R(0, 10)), V{});
  EXPECT_EQ(R(10, 0).Subtract(R(-5, 15)), (V{R(15, -5)}));
  EXPECT_EQ(sorted(R(10, 0).Subtract(R(20, -20))), (V{R(-20, 0), R(10, 20)}));
  EXPECT_EQ(R(M, M).Subtract(R(3, 5)), (V{R(5, 3)}));  // the full ring minus a piece
  EXPECT_EQ(R(M, M).Subtract(R(7, 7)), V{});
  EXPECT_EQ(R(0, 10).Subtract(R(M, M)), V{});
  EXPECT_EQ(R(5, M).Subtract(R(10, 20)), (V{R(5, 10), R(20, M)}));
}

TEST(RangeTest, SubtractAllNormalizes) {
  using V = std::vector<Range>;
  EXPECT_EQ(R(0, 100).SubtractAll({R(10, 20), R(15, 30), R(90, 200)}, kMin),
            (V{R(0, 10), R(30, 90)}));
  EXPECT_EQ(R(50, 0).SubtractAll({R(60, 70)}, kMin), (V{R(M, 0), R(50, 60), R(70, M)}));
  EXPECT_EQ(R(0, 10).SubtractAll({R(-1, 11)}, kMin), V{});
}

TEST(RangeTest, Unwrap) {
  using V = std::vector<Range>;
  EXPECT_EQ(R(0, 10).Unwrap(kMin), V{R(0, 10)});
  EXPECT_EQ(R(10, 0).Unwrap(kMin), (V{R(10, M), R(M, 0)}));
  EXPECT_EQ(R(10, M).Unwrap(kMin), V{R(10, M)});  // already ends at the end of the ring
  EXPECT_EQ(R(M, M).Unwrap(kMin), V{R(M, M)});
  EXPECT_EQ(R(5, 5).Unwrap(kMin), (V{R(5, M), R(M, 5)}));
}

TEST(RangeTest, Split) {
  auto s = R(0, 10).Split(T(4));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->first, R(0, 4));
  EXPECT_EQ(s->second, R(4, 10));
  EXPECT_FALSE(R(0, 10).Split(T(0)).has_value());
  EXPECT_FALSE(R(0, 10).Split(T(10)).has_value());
  EXPECT_FALSE(R(0, 10).Split(T(11)).has_value());
  auto w = R(10, 0).Split(kMin);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->first, R(10, M));
  EXPECT_EQ(w->second, R(M, 0));
  auto f = R(3, 3).Split(T(8));
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->first, R(3, 8));
  EXPECT_EQ(f->second, R(8, 3));
}

TEST(RangeTest, NormalizeCases) {
  using V = std::vector<Range>;
  EXPECT_EQ(Range::Normalize({}, kMin), V{});
  EXPECT_EQ(Range::Normalize({R(0, 10), R(5, 15)}, kMin), V{R(0, 15)});
  EXPECT_EQ(Range::Normalize({R(20, 30), R(0, 10)}, kMin), (V{R(0, 10), R(20, 30)}));
  EXPECT_EQ(Range::Normalize({R(0, 10), R(10, 20)}, kMin), V{R(0, 20)});  // adjacent merge
  EXPECT_EQ(Range::Normalize({R(0, 10), R(2, 3)}, kMin), V{R(0, 10)});
  EXPECT_EQ(Range::Normalize({R(10, 0)}, kMin), (V{R(M, 0), R(10, M)}));
  EXPECT_EQ(Range::Normalize({R(10, 0), R(0, 10)}, kMin), V{R(M, M)});
  EXPECT_EQ(Range::Normalize({R(5, 5)}, kMin), V{R(M, M)});
  EXPECT_EQ(Range::Normalize({R(0, 10), R(M, M)}, kMin), V{R(M, M)});
  EXPECT_EQ(Range::Normalize({R(10, M), R(20, M), R(M, 5)}, kMin), (V{R(M, 5), R(10, M)}));
  EXPECT_EQ(Range::Normalize({R(10, 0), R(-10, 20)}, kMin), V{R(M, M)});
}

TEST(RangeTest, AnyIntersects) {
  EXPECT_TRUE(Range::AnyIntersects({R(0, 10), R(20, 30)}, {R(25, 26)}));
  EXPECT_FALSE(Range::AnyIntersects({R(0, 10), R(20, 30)}, {R(10, 20), R(30, 0)}));
  EXPECT_TRUE(Range::AnyIntersects({R(30, 0)}, {R(-1, 1)}));
}

// ---------------------------------------------------------------------------------
// Brute force: every range with ends in {min, -6, -4, ..., 6} against an explicit
// point model. Sample points include every integer in [-8, 8] (so there is a point
// strictly between any two distinct ends), min, and far-away tokens.

std::vector<int64_t> Ends() { return {M, -6, -4, -2, 0, 2, 4, 6}; }
std::vector<int64_t> Points() {
  std::vector<int64_t> p = {M, M + 1, -1000, 1000, INT64_MAX};
  for (int64_t v = -8; v <= 8; ++v) p.push_back(v);
  return p;
}
std::set<int64_t> PointsOf(const std::vector<Range>& ranges) {
  std::set<int64_t> out;
  for (int64_t p : Points()) {
    for (const Range& r : ranges) {
      if (r.Contains(T(p))) out.insert(p);
    }
  }
  return out;
}
std::vector<Range> AllRanges() {
  std::vector<Range> out;
  for (int64_t l : Ends()) {
    for (int64_t r : Ends()) out.push_back(R(l, r));
  }
  return out;
}

TEST(RangeBruteForceTest, IntersectionMatchesPointModel) {
  for (const Range& a : AllRanges()) {
    for (const Range& b : AllRanges()) {
      std::set<int64_t> expected;
      const std::set<int64_t> pa = PointsOf({a});
      const std::set<int64_t> pb = PointsOf({b});
      std::set_intersection(pa.begin(), pa.end(), pb.begin(), pb.end(),
                            std::inserter(expected, expected.end()));
      const std::vector<Range> got = a.Intersection(b);
      EXPECT_LE(got.size(), 2u);
      EXPECT_EQ(PointsOf(got), expected);
      EXPECT_EQ(a.Intersects(b), !expected.empty());
      // Containment agrees with the point sets.
      EXPECT_EQ(a.Contains(b), std::includes(pa.begin(), pa.end(), pb.begin(), pb.end()));
    }
  }
}

TEST(RangeBruteForceTest, SubtractMatchesPointModel) {
  for (const Range& a : AllRanges()) {
    for (const Range& b : AllRanges()) {
      std::set<int64_t> expected;
      const std::set<int64_t> pa = PointsOf({a});
      const std::set<int64_t> pb = PointsOf({b});
      std::set_difference(pa.begin(), pa.end(), pb.begin(), pb.end(),
                          std::inserter(expected, expected.end()));
      const std::vector<Range> got = a.Subtract(b);
      EXPECT_LE(got.size(), 2u);
      EXPECT_EQ(PointsOf(got), expected);
      // The pieces are disjoint.
      if (got.size() == 2) {
        EXPECT_FALSE(got[0].Intersects(got[1]));
      }
    }
  }
}

TEST(RangeBruteForceTest, NormalizeMatchesPointModel) {
  std::vector<Range> all = AllRanges();
  std::mt19937_64 rng(5);
  for (int iter = 0; iter < 3000; ++iter) {
    std::vector<Range> input;
    const size_t n = rng() % 4 + 1;
    for (size_t i = 0; i < n; ++i) input.push_back(all[rng() % all.size()]);
    const std::vector<Range> got = Range::Normalize(input, kMin);
    EXPECT_EQ(PointsOf(got), PointsOf(input));
    for (size_t i = 0; i < got.size(); ++i) {
      if (got[i].IsFull()) {
        EXPECT_EQ(got.size(), 1u);
        EXPECT_EQ(got[i], R(M, M));
        continue;
      }
      // Non-wrapping (or running to the end of the ring), sorted, and with gaps between.
      EXPECT_TRUE(!got[i].IsWrapAround() || got[i].right == kMin);
      if (i > 0) {
        EXPECT_LT(got[i - 1].right, got[i].left);
      }
    }
  }
}

}  // namespace
}  // namespace cairn::ring
