// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The phi-accrual failure detector (Hayashibara et al.), as Cassandra 3.11 computes it.
// Cassandra counterparts: org.apache.cassandra.gms.FailureDetector and ArrivalWindow.
//
// For every peer an ArrivalWindow keeps the last `window_size` inter-arrival times of
// its heartbeats (the Gossiper calls Report whenever gossip brings a newer heartbeat or
// application state of that peer, directly or via third parties). Assuming exponentially
// distributed inter-arrival times with the observed mean, the probability that a live
// peer stays silent for t is e^(-t/mean), and
//     phi(t) = -log10(e^(-t/mean)) = (t / mean) / ln(10)
// The peer is convicted when phi exceeds phi_convict_threshold: with the default 8, after
// t > 8 * ln(10) * mean ~= 18.4 * mean of silence. Cassandra stores t/mean and multiplies
// by PHI_FACTOR = 1/ln(10) when comparing; Phi() below returns the scaled value.
//
// The window starts with one synthetic interval of initial_value_ms (2 s: erring high
// avoids flapping while the real mean is unknown), and intervals longer than
// max_interval_ms are not recorded (a long partition must not teach the detector that
// silence is normal). If the detector itself was not run for max_local_pause_ms (a GC
// pause, a stalled strand), nobody is convicted in that call nor for the next
// max_local_pause_ms: the silence was ours, not theirs.
//
// Time comes from Clock::MonotonicNanos, so tests drive it with a ManualClock.
// Thread-safety: none; owned by the Gossiper and used on its strand.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/clock.h"

namespace cairn::gossip {

struct FailureDetectorOptions {
  // Convict when phi exceeds this (cassandra.yaml phi_convict_threshold). Default: 8.
  double phi_convict_threshold = 8.0;
  // The synthetic first inter-arrival interval, ms (cassandra.fd_initial_value_ms).
  // Default: 2000 (two gossip intervals).
  int64_t initial_value_ms = 2000;
  // Longer inter-arrival intervals are not recorded, ms (cassandra.fd_max_interval_ms).
  // Default: 2000 (= initial_value_ms, as in Cassandra).
  int64_t max_interval_ms = 2000;
  // Number of intervals remembered per peer (Cassandra's SAMPLE_SIZE). Default: 1000.
  int window_size = 1000;
  // A gap longer than this between two Interpret calls is a local pause, ms
  // (cassandra.max_local_pause_in_ms). Default: 5000.
  int64_t max_local_pause_ms = 5000;
};

// The bounded window of one peer's inter-arrival times (nanoseconds).
class ArrivalWindow {
 public:
  ArrivalWindow(int window_size, int64_t initial_value_nanos, int64_t max_interval_nanos);

  // A heartbeat arrived at `now_nanos`.
  void Add(int64_t now_nanos);
  // Mean of the recorded intervals, ns. REQUIRES: at least one Add.
  double Mean() const;
  // Unscaled phi: (now - last arrival) / mean. REQUIRES: at least one Add.
  double RawPhi(int64_t now_nanos) const;
  int size() const { return static_cast<int>(count_); }
  const std::vector<int64_t>& intervals() const { return intervals_; }

 private:
  const int64_t initial_value_nanos_;
  const int64_t max_interval_nanos_;
  std::vector<int64_t> intervals_;  // ring buffer, capacity window_size
  size_t next_ = 0;
  size_t count_ = 0;
  int64_t sum_ = 0;
  bool has_last_ = false;
  int64_t last_nanos_ = 0;
};

class FailureDetector {
 public:
  // 1 / ln(10): converts t/mean into phi (Cassandra's PHI_FACTOR).
  static constexpr double kPhiFactor = 0.43429448190325176;

  // `clock` must outlive the detector.
  FailureDetector(FailureDetectorOptions options, const Clock* clock);

  // A sign of life from `endpoint` (creates its window on first use).
  void Report(const std::string& endpoint);

  // Judges `endpoint` now. Returns true when it should be convicted (phi above the
  // threshold and no local pause in effect). Endpoints never reported are never
  // convicted. Called once per endpoint per gossip round.
  bool Interpret(const std::string& endpoint);

  // Forgets `endpoint`'s history (a restart with a new generation, or removal).
  void Remove(const std::string& endpoint);

  // Scaled phi of `endpoint` now, or 0 when it was never reported.
  double Phi(const std::string& endpoint) const;
  bool Known(const std::string& endpoint) const { return windows_.count(endpoint) != 0; }
  const FailureDetectorOptions& options() const { return options_; }
  void set_phi_convict_threshold(double threshold) { options_.phi_convict_threshold = threshold; }

 private:
  FailureDetectorOptions options_;
  const Clock* clock_;
  std::map<std::string, ArrivalWindow> windows_;
  int64_t last_interpret_nanos_;
  int64_t last_pause_nanos_ = 0;
  bool paused_once_ = false;
};

}  // namespace cairn::gossip
