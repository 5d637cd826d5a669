// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// tools/stress/histogram.h: bucket arithmetic, and percentiles of known distributions
// (uniform, exponential) within the stated precision: never below the exact sample
// quantile and at most 1/128 above it, and close to the analytic quantile.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "tools/stress/histogram.h"

namespace cairn::stress {
namespace {

// The exact value of rank round(q * n) (at least 1) of sorted samples, as Percentile
// defines it.
uint64_t ExactQuantile(const std::vector<uint64_t>& sorted, double q) {
  uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(sorted.size()) + 0.5);
  rank = std::clamp<uint64_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

void ExpectWithinPrecision(const Histogram& h, const std::vector<uint64_t>& sorted) {
  for (double q : {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1.0}) {
    const uint64_t exact = ExactQuantile(sorted, q);
    const uint64_t got = h.Percentile(q);
    EXPECT_GE(got, exact) << "q=" << q;
    EXPECT_LE(static_cast<double>(got),
              static_cast<double>(exact) * (1 + Histogram::kRelativeError) + 1)
        << "q=" << q;
  }
}

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram h;
  for (uint64_t v = 0; v < 256; ++v) h.Record(v);
  EXPECT_EQ(h.count(), 256u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 255u);
  EXPECT_EQ(h.Percentile(0.5), 127u);
  EXPECT_EQ(h.Percentile(1.0), 255u);
  EXPECT_DOUBLE_EQ(h.Mean(), 127.5);
}

TEST(HistogramTest, BucketsCoverEveryValueWithBoundedWidth) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t v = rng() >> (rng() % 64);
    const int index = Histogram::Index(v);
    ASSERT_GE(index, 0);
    ASSERT_LT(index, Histogram::kBuckets);
    const uint64_t upper = Histogram::UpperEdge(index);
    ASSERT_GE(upper, v);
    ASSERT_LE(static_cast<double>(upper - v), static_cast<double>(v) * Histogram::kRelativeError);
  }
  EXPECT_EQ(Histogram::Index(UINT64_MAX), Histogram::kBuckets - 1);
  EXPECT_EQ(Histogram::UpperEdge(Histogram::kBuckets - 1), UINT64_MAX);
}

TEST(HistogramTest, EmptyReportsZero) {
  Histogram h;
  EXPECT_EQ(h.Percentile(0.99), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.Mean(), 0.0);
}

TEST(HistogramTest, UniformPercentiles) {
  // Latencies uniform in [100 us, 10 ms], in nanoseconds.
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<uint64_t> d(100'000, 10'000'000);
  Histogram h;
  std::vector<uint64_t> samples(500000);
  for (uint64_t& s : samples) {
    s = d(rng);
    h.Record(s);
  }
  std::sort(samples.begin(), samples.end());
  ExpectWithinPrecision(h, samples);
  // Analytic quantiles: 100 us + q * 9.9 ms, within the precision plus sampling noise.
  for (double q : {0.5, 0.95, 0.99}) {
    const double want = 100'000 + q * 9'900'000;
    EXPECT_NEAR(static_cast<double>(h.Percentile(q)), want, want * 0.012) << "q=" << q;
  }
  EXPECT_NEAR(h.Mean(), 5'050'000, 5'050'000 * 0.005);
}

TEST(HistogramTest, ExponentialPercentiles) {
  // Mean 200 us: the long tail latency histograms exist for.
  std::mt19937_64 rng(1234);
  std::exponential_distribution<double> d(1.0 / 200'000);
  Histogram h;
  std::vector<uint64_t> samples(500000);
  for (uint64_t& s : samples) {
    s = static_cast<uint64_t>(d(rng));
    h.Record(s);
  }
  std::sort(samples.begin(), samples.end());
  ExpectWithinPrecision(h, samples);
  // Analytic: -mean * ln(1 - q).
  for (double q : {0.5, 0.9, 0.99}) {
    const double want = -200'000 * std::log(1 - q);
    EXPECT_NEAR(static_cast<double>(h.Percentile(q)), want, want * 0.02) << "q=" << q;
  }
}

TEST(HistogramTest, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(99);
  Histogram a, b, all;
  for (int i = 0; i < 100000; ++i) {
    const uint64_t v = rng() % 50'000'000;
    (i % 3 == 0 ? a : b).Record(v);
    all.Record(v);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_DOUBLE_EQ(a.Mean(), all.Mean());
  for (double q : {0.5, 0.9, 0.99, 0.999}) EXPECT_EQ(a.Percentile(q), all.Percentile(q));
  a.Reset();
  EXPECT_EQ(a.count(), 0u);
  EXPECT_EQ(a.Percentile(0.5), 0u);
}

}  // namespace
}  // namespace cairn::stress
