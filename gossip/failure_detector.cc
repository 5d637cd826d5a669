// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "gossip/failure_detector.h"

#include <cassert>

#include "common/logging.h"

namespace cairn::gossip {
namespace {
constexpr int64_t kNanosPerMilli = 1'000'000;
}  // namespace

ArrivalWindow::ArrivalWindow(int window_size, int64_t initial_value_nanos,
                             int64_t max_interval_nanos)
    : initial_value_nanos_(initial_value_nanos), max_interval_nanos_(max_interval_nanos) {
  assert(window_size > 0);
  intervals_.assign(static_cast<size_t>(window_size), 0);
}

void ArrivalWindow::Add(int64_t now_nanos) {
  int64_t interval;
  if (has_last_) {
    interval = now_nanos - last_nanos_;
    // Intervals above the cap are dropped rather than clamped (Cassandra does the same):
    // a long partition must not make silence look normal.
    if (interval > max_interval_nanos_ || interval < 0) {
      last_nanos_ = now_nanos;
      return;
    }
  } else {
    // No history yet: err high (a false negative is corrected by waiting a little
    // longer; a false positive makes the node flap).
    interval = initial_value_nanos_;
    has_last_ = true;
  }
  last_nanos_ = now_nanos;
  if (count_ == intervals_.size()) {
    sum_ -= intervals_[next_];
  } else {
    ++count_;
  }
  intervals_[next_] = interval;
  sum_ += interval;
  next_ = (next_ + 1) % intervals_.size();
}

double ArrivalWindow::Mean() const {
  assert(count_ > 0);
  return static_cast<double>(sum_) / static_cast<double>(count_);
}

double ArrivalWindow::RawPhi(int64_t now_nanos) const {
  assert(has_last_ && count_ > 0);
  double mean = Mean();
  if (mean <= 0) mean = 1;  // all-zero intervals (same-instant reports): avoid 0/0
  return static_cast<double>(now_nanos - last_nanos_) / mean;
}

FailureDetector::FailureDetector(FailureDetectorOptions options, const Clock* clock)
    : options_(options), clock_(clock), last_interpret_nanos_(clock->MonotonicNanos()) {}

void FailureDetector::Report(const std::string& endpoint) {
  int64_t now = clock_->MonotonicNanos();
  auto it = windows_.find(endpoint);
  if (it == windows_.end()) {
    // Until the first peer reports, nothing was interpreted: that wait (a node started
    // before its seeds answered) is not a local pause.
    if (windows_.empty()) last_interpret_nanos_ = now;
    it = windows_
             .emplace(endpoint, ArrivalWindow(options_.window_size,
                                              options_.initial_value_ms * kNanosPerMilli,
                                              options_.max_interval_ms * kNanosPerMilli))
             .first;
  }
  it->second.Add(now);
}

bool FailureDetector::Interpret(const std::string& endpoint) {
  auto it = windows_.find(endpoint);
  if (it == windows_.end()) return false;
  int64_t now = clock_->MonotonicNanos();
  int64_t max_pause = options_.max_local_pause_ms * kNanosPerMilli;
  int64_t since_last = now - last_interpret_nanos_;
  last_interpret_nanos_ = now;
  if (since_last > max_pause) {
    CAIRN_LOG(WARN) << "not marking nodes down due to local pause of " << since_last / 1000000
                    << " ms > " << options_.max_local_pause_ms << " ms";
    last_pause_nanos_ = now;
    paused_once_ = true;
    return false;
  }
  if (paused_once_ && now - last_pause_nanos_ < max_pause) return false;
  double phi = kPhiFactor * it->second.RawPhi(now);
  return phi > options_.phi_convict_threshold;
}

void FailureDetector::Remove(const std::string& endpoint) { windows_.erase(endpoint); }

double FailureDetector::Phi(const std::string& endpoint) const {
  auto it = windows_.find(endpoint);
  if (it == windows_.end()) return 0;
  return kPhiFactor * it->second.RawPhi(clock_->MonotonicNanos());
}

}  // namespace cairn::gossip
