// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "common/rate_limiter.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace cairn {

namespace {
double NanosPerByte(double bytes_per_second) {
  return bytes_per_second > 0 ? 1e9 / bytes_per_second : 0;
}
}  // namespace

RateLimiter::RateLimiter(const Clock* clock, double bytes_per_second)
    : clock_(clock), nanos_per_byte_(NanosPerByte(bytes_per_second)) {}

void RateLimiter::SetRate(double bytes_per_second) {
  std::lock_guard lock(mu_);
  nanos_per_byte_ = NanosPerByte(bytes_per_second);
  // What was reserved at the old rate is not re-priced, but a limiter made unlimited
  // must not keep late callers waiting for it.
  if (nanos_per_byte_ == 0) next_free_ = 0;
}

double RateLimiter::rate() const {
  std::lock_guard lock(mu_);
  return nanos_per_byte_ > 0 ? 1e9 / nanos_per_byte_ : 0;
}

uint64_t RateLimiter::reserved_bytes() const {
  std::lock_guard lock(mu_);
  return reserved_;
}

int64_t RateLimiter::Reserve(uint64_t bytes) {
  std::lock_guard lock(mu_);
  reserved_ += bytes;
  if (nanos_per_byte_ == 0) return 0;
  const int64_t now = clock_->MonotonicNanos();
  next_free_ = std::max(next_free_, now);  // idle time is not banked
  const int64_t wait = next_free_ - now;
  next_free_ += static_cast<int64_t>(nanos_per_byte_ * static_cast<double>(bytes));
  return wait;
}

int64_t RateLimiter::Acquire(uint64_t bytes) {
  const int64_t wait = Reserve(bytes);
  if (wait > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(wait));
  return wait;
}

}  // namespace cairn
