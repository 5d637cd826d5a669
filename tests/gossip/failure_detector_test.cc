// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Tests for gossip/failure_detector.h: the arrival window (initial value, bounded window,
// max-interval cut-off), phi = (t / mean) / ln 10, conviction at the threshold, and the
// local-pause guard. All on a ManualClock.
#include "gossip/failure_detector.h"

#include <gtest/gtest.h>

#include <cmath>

namespace cairn::gossip {
namespace {

constexpr int64_t kMs = 1'000'000;  // nanos

TEST(ArrivalWindowTest, StartsWithTheInitialValueAndAveragesIntervals) {
  ArrivalWindow w(/*window_size=*/4, /*initial=*/2000 * kMs, /*max=*/2000 * kMs);
  w.Add(10'000 * kMs);
  EXPECT_EQ(w.size(), 1);
  EXPECT_DOUBLE_EQ(w.Mean(), 2000.0 * kMs);
  w.Add(11'000 * kMs);  // 1000 ms
  EXPECT_DOUBLE_EQ(w.Mean(), 1500.0 * kMs);
  EXPECT_DOUBLE_EQ(w.RawPhi(14'000 * kMs), 3000.0 / 1500.0);
}

TEST(ArrivalWindowTest, IgnoresIntervalsAboveTheMaximum) {
  ArrivalWindow w(4, 2000 * kMs, 2000 * kMs);
  w.Add(0 + 1);
  w.Add(1000 * kMs + 1);
  w.Add(31'000 * kMs + 1);  // a 30 s gap: not recorded, but it is the last arrival
  EXPECT_EQ(w.size(), 2);
  EXPECT_DOUBLE_EQ(w.Mean(), 1500.0 * kMs);
  EXPECT_DOUBLE_EQ(w.RawPhi(31'000 * kMs + 1), 0.0);
}

TEST(ArrivalWindowTest, KeepsOnlyTheLastWindowSizeIntervals) {
  ArrivalWindow w(3, 2000 * kMs, 2000 * kMs);
  int64_t t = 1;
  w.Add(t);
  for (int i = 0; i < 10; ++i) w.Add(t += 500 * kMs);
  EXPECT_EQ(w.size(), 3);
  EXPECT_DOUBLE_EQ(w.Mean(), 500.0 * kMs);  // the 2000 ms initial value has rolled out
}

TEST(FailureDetectorTest, PhiIsScaledByOneOverLnTen) {
  ManualClock clock;
  FailureDetector fd(FailureDetectorOptions{}, &clock);
  fd.Report("a");  // interval 2000 ms (initial)
  clock.AdvanceMicros(1000 * 1000);
  fd.Report("a");  // 1000 ms -> mean 1500 ms
  clock.AdvanceMicros(3000 * 1000);
  EXPECT_NEAR(fd.Phi("a"), (3000.0 / 1500.0) / std::log(10.0), 1e-9);
  EXPECT_EQ(fd.Phi("unknown"), 0.0);
}

// A peer heard from every second is convicted after ~18.4 mean intervals of silence
// (phi 8 = 8 * ln 10 * mean); not before.
TEST(FailureDetectorTest, ConvictsAfterThresholdSilence) {
  ManualClock clock;
  FailureDetector fd(FailureDetectorOptions{}, &clock);
  for (int i = 0; i < 100; ++i) {
    fd.Report("a");
    clock.AdvanceSeconds(1);
    EXPECT_FALSE(fd.Interpret("a"));
  }
  // Mean is now ~1 s (99 intervals of 1 s and the 2 s initial one).
  int silent_seconds = 1;
  while (!fd.Interpret("a")) {
    clock.AdvanceSeconds(1);
    ++silent_seconds;
    ASSERT_LT(silent_seconds, 60);
  }
  EXPECT_GE(silent_seconds, 18);
  EXPECT_LE(silent_seconds, 20);
  fd.Report("a");  // it speaks again
  EXPECT_FALSE(fd.Interpret("a"));
}

TEST(FailureDetectorTest, ThresholdIsConfigurable) {
  ManualClock clock;
  FailureDetectorOptions options;
  options.phi_convict_threshold = 2;
  FailureDetector fd(options, &clock);
  for (int i = 0; i < 50; ++i) {
    fd.Report("a");
    clock.AdvanceSeconds(1);
    (void)fd.Interpret("a");
  }
  int silent_seconds = 1;
  while (!fd.Interpret("a")) {
    clock.AdvanceSeconds(1);
    ++silent_seconds;
  }
  EXPECT_GE(silent_seconds, 4);  // 2 * ln 10 * ~1.02 s ~= 4.7 s
  EXPECT_LE(silent_seconds, 6);
}

TEST(FailureDetectorTest, NeverConvictsUnreportedOrRemovedEndpoints) {
  ManualClock clock;
  FailureDetector fd(FailureDetectorOptions{}, &clock);
  EXPECT_FALSE(fd.Interpret("a"));
  fd.Report("a");
  fd.Remove("a");
  for (int i = 0; i < 60; ++i) {
    clock.AdvanceSeconds(1);
    EXPECT_FALSE(fd.Interpret("a"));
  }
  EXPECT_FALSE(fd.Known("a"));
}

// Regression: a node whose first peer reported 6 s after the detector was built logged a
// "local pause" at the first Interpret and convicted nobody for another 5 s.
TEST(FailureDetectorTest, WaitingForTheFirstPeerIsNotALocalPause) {
  ManualClock clock;
  FailureDetectorOptions options;
  options.phi_convict_threshold = 1;
  FailureDetector fd(options, &clock);
  clock.AdvanceSeconds(6);
  for (int i = 0; i < 6; ++i) {
    fd.Report("a");
    EXPECT_FALSE(fd.Interpret("a"));
    clock.AdvanceMicros(500000);
  }
  // Silent from t = 8.5 s: phi 1 convicts after ~2.3 mean intervals, well before the
  // 5 s a (false) pause at t = 6 s would have blocked convictions.
  int64_t silent_ms = 0;
  while (!fd.Interpret("a")) {
    clock.AdvanceMicros(100000);
    silent_ms += 100;
    ASSERT_LT(silent_ms, 10000);
  }
  EXPECT_LT(silent_ms, 1800);  // ~1.3 s; a pause at t = 6 s would allow none before 2 s
}

// When the detector itself did not run for longer than max_local_pause_ms, the silence is
// ours: no conviction then, nor during the following max_local_pause_ms.
TEST(FailureDetectorTest, LocalPauseSuppressesConviction) {
  ManualClock clock;
  FailureDetector fd(FailureDetectorOptions{}, &clock);
  for (int i = 0; i < 20; ++i) {
    fd.Report("a");
    clock.AdvanceSeconds(1);
    (void)fd.Interpret("a");
  }
  clock.AdvanceSeconds(60);  // the whole process stalled for a minute
  EXPECT_FALSE(fd.Interpret("a"));
  for (int i = 0; i < 4; ++i) {
    clock.AdvanceSeconds(1);
    EXPECT_FALSE(fd.Interpret("a")) << i;
  }
  clock.AdvanceSeconds(2);
  EXPECT_TRUE(fd.Interpret("a"));  // 5 s after the pause, judging resumes
}

}  // namespace
}  // namespace cairn::gossip
