// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Clock is the seam through which code reads time, so tests (gossip, failure detection,
// TTL expiry, gc_grace) can run on a ManualClock. Cassandra keeps two notions of time and
// so do we: timestamps in microseconds since the epoch (cell write times, chosen by
// clients) and "local time" in whole seconds since the epoch (TTL expiry and tombstone
// deletion times, chosen by the node that received the write).
#pragma once

#include <atomic>
#include <cstdint>

namespace cairn {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock microseconds since the Unix epoch.
  virtual int64_t NowMicros() const = 0;
  // Wall-clock seconds since the Unix epoch (Cassandra's "local deletion time").
  int32_t NowSeconds() const { return static_cast<int32_t>(NowMicros() / 1000000); }
  // Monotonic nanoseconds, for durations and timeouts.
  virtual int64_t MonotonicNanos() const = 0;

  // The process-wide real clock. Never destroyed.
  static Clock* Real();
};

// A clock that moves only when told to. Thread-safe.
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t start_micros = 1'700'000'000'000'000) : micros_(start_micros) {}
  int64_t NowMicros() const override { return micros_.load(); }
  int64_t MonotonicNanos() const override { return micros_.load() * 1000; }
  void AdvanceMicros(int64_t delta) { micros_.fetch_add(delta); }
  void AdvanceSeconds(int64_t delta) { micros_.fetch_add(delta * 1000000); }

 private:
  std::atomic<int64_t> micros_;
};

}  // namespace cairn
