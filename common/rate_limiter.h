// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// RateLimiter: spaces background work out to at most a given number of bytes per second,
// summed over every thread that shares the limiter (Cassandra's compaction and streaming
// throttles, which use Guava's RateLimiter the same way).
//
// Each Reserve(n) takes the next n bytes' worth of the schedule and says how long its
// caller must wait before doing that work: the first caller after an idle spell goes at
// once, and each one after it starts when the bytes before it have had their time. Idle
// time is not banked, so a limiter unused for an hour does not let the next hour's work
// through at full speed. A rate of 0 (or less) means no limit.
//
// Thread-safe. SetRate applies to reservations made after it.
#pragma once

#include <cstdint>
#include <mutex>

#include "common/clock.h"

namespace cairn {

class RateLimiter {
 public:
  // `clock` must outlive the limiter.
  RateLimiter(const Clock* clock, double bytes_per_second);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  void SetRate(double bytes_per_second);
  double rate() const;
  // Bytes reserved since creation (limited or not).
  uint64_t reserved_bytes() const;

  // Reserves `bytes`; returns the nanoseconds (>= 0) the caller must wait before using
  // them. Never waits itself.
  int64_t Reserve(uint64_t bytes);
  // Reserve, then sleep for the wait it returned. Returns that wait.
  int64_t Acquire(uint64_t bytes);

 private:
  const Clock* const clock_;
  mutable std::mutex mu_;
  double nanos_per_byte_ = 0;  // GUARDED_BY(mu_); 0: unlimited
  int64_t next_free_ = 0;      // GUARDED_BY(mu_); MonotonicNanos when the next byte may go
  uint64_t reserved_ = 0;      // GUARDED_BY(mu_)
};

}  // namespace cairn
