// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "common/rate_limiter.h"

#include <gtest/gtest.h>

namespace cairn {
namespace {

TEST(RateLimiterTest, SpacesReservationsOutAtTheRate) {
  ManualClock clock;
  RateLimiter limiter(&clock, 1000);  // 1000 bytes/s: a byte per millisecond
  EXPECT_EQ(limiter.rate(), 1000);
  // The first caller goes at once; each later one waits for the bytes before it.
  EXPECT_EQ(limiter.Reserve(100), 0);
  EXPECT_EQ(limiter.Reserve(50), 100'000'000);   // 100 ms
  EXPECT_EQ(limiter.Reserve(10), 150'000'000);   // 150 ms
  // Time passing pays the schedule off.
  clock.AdvanceMicros(100'000);
  EXPECT_EQ(limiter.Reserve(1), 60'000'000);     // 160 - 100 ms
  EXPECT_EQ(limiter.reserved_bytes(), 161u);
}

TEST(RateLimiterTest, IdleTimeIsNotBanked) {
  ManualClock clock;
  RateLimiter limiter(&clock, 1000);
  EXPECT_EQ(limiter.Reserve(10), 0);
  clock.AdvanceSeconds(3600);
  // An hour idle: the next caller goes at once, but the one after it waits again.
  EXPECT_EQ(limiter.Reserve(500), 0);
  EXPECT_EQ(limiter.Reserve(1), 500'000'000);
}

TEST(RateLimiterTest, ZeroIsUnlimitedAndTheRateCanChange) {
  ManualClock clock;
  RateLimiter limiter(&clock, 0);
  EXPECT_EQ(limiter.rate(), 0);
  EXPECT_EQ(limiter.Reserve(1ull << 40), 0);
  EXPECT_EQ(limiter.Reserve(1ull << 40), 0);
  limiter.SetRate(2000);
  EXPECT_EQ(limiter.rate(), 2000);
  EXPECT_EQ(limiter.Reserve(100), 0);
  EXPECT_EQ(limiter.Reserve(100), 50'000'000);  // 100 bytes at 2000/s
  // Turned off: nobody waits for what was reserved before.
  limiter.SetRate(0);
  EXPECT_EQ(limiter.Reserve(100), 0);
  limiter.SetRate(1000);
  EXPECT_EQ(limiter.Reserve(100), 0);
}

TEST(RateLimiterTest, AcquireSleepsForItsWait) {
  // The schedule runs on a manual clock (so the wait is exact whatever the machine's
  // load); the sleep is real.
  ManualClock clock;
  RateLimiter limiter(&clock, 1e6);  // 1 MB/s
  EXPECT_EQ(limiter.Acquire(1000), 0);
  const int64_t start = Clock::Real()->MonotonicNanos();
  EXPECT_EQ(limiter.Acquire(1000), 1'000'000);  // the first caller's millisecond
  EXPECT_GE(Clock::Real()->MonotonicNanos() - start, 1'000'000);
}

}  // namespace
}  // namespace cairn
