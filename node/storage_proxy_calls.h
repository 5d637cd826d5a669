// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// StorageProxy's per-call state, shared by its source files (storage_proxy.cc,
// storage_proxy_paxos.cc). Internal to node/: include only from those.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "node/storage_proxy.h"

namespace cairn::node {

// ---- Shared per-call state -----------------------------------------------------------

class StorageProxy::Counters {
 public:
  std::atomic<uint64_t> writes{0}, reads{0}, range_pages{0}, write_timeouts{0},
      read_timeouts{0}, unavailables{0}, hints_stored{0}, hints_delivered{0}, hints_dropped{0},
      hints_replica_down{0}, hints_replica_timed_out{0}, hints_replica_failed{0},
      hints_send_refused{0},
      digest_mismatches{0}, read_repairs_sent{0}, background_repairs_sent{0},
      batches_stored{0}, batches_replayed{0}, cas{0}, cas_condition_failures{0},
      cas_contentions{0}, cas_timeouts{0}, paxos_repairs{0};
};

struct StorageProxy::Replicas {
  std::vector<std::string> natural;
  std::vector<std::string> pending;
  std::vector<std::string> targets;  // natural then pending
  std::vector<std::string> live;     // targets that are up (natural first)
  ReplicationLayout layout;
};

// One write of one mutation (or one round of read repairs): acks counted until the CL
// is met or every target has answered.
struct StorageProxy::WriteCall {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<WriteAckCounter> counter;  // nullopt: wait for `outstanding` to reach 0
  int outstanding = 0;                     // targets that have not answered
  int acks = 0;
  bool satisfied = false;
  bool failed = false;  // the CL can no longer be met
  Status failure;       // the first failure
  Status local_failure;  // this node's own write failed (reported as it is)
  std::vector<std::string> targets;   // every replica written (for latency on timeout)
  std::vector<std::string> answered;  // replicas that acked or failed so far

  void Ack(const std::string& endpoint) {
    std::lock_guard lock(mu);
    answered.push_back(endpoint);
    --outstanding;
    ++acks;
    if (counter.has_value() ? counter->Ack(endpoint) : outstanding == 0) satisfied = true;
    cv.notify_all();
  }
  void Fail(const std::string& endpoint, const Status& st, bool hinted, bool local = false) {
    std::lock_guard lock(mu);
    answered.push_back(endpoint);
    --outstanding;
    if (failure.ok()) failure = st;
    if (local && local_failure.ok()) local_failure = st;
    if (counter.has_value()) {
      if (hinted && counter->AckHint()) satisfied = true;
      if (!satisfied && counter->Fail(endpoint)) failed = true;
    }
    cv.notify_all();
  }
  // True once the CL is met, can no longer be met, or every target answered.
  bool Done() const { return satisfied || failed || outstanding <= 0; }
};

// One round of reads: responses recorded as they come.
struct StorageProxy::ReadCall {
  struct Response {
    std::string endpoint;
    bool has_data = false;
    std::optional<PartitionUpdate> data;
    std::string digest;
    std::vector<std::pair<DecoratedKey, PartitionUpdate>> rows;  // range reads
  };
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Response> responses;
  int failures = 0;
  Status failure;

  void Add(Response r) {
    std::lock_guard lock(mu);
    responses.push_back(std::move(r));
    cv.notify_all();
  }
  // `local`: this node's own read failed (disk, corruption): reported as it is. A
  // replica's failure is reported as a timeout (Thrift has no read failure exception).
  void Fail(const Status& st, bool local = false) {
    std::lock_guard lock(mu);
    ++failures;
    if (failure.ok() || local) failure = local ? st : Status::TimedOut(st.ToString());
    cv.notify_all();
  }
};

// Blocks until `pred` holds or the deadline passes; false on timeout.
template <typename Pred>
bool WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, const Clock* clock,
               int64_t deadline_ns, Pred pred) {
  while (!pred()) {
    int64_t left = deadline_ns - clock->MonotonicNanos();
    if (left <= 0) return false;
    cv.wait_for(lock, std::chrono::nanoseconds(left));
  }
  return true;
}

}  // namespace cairn::node
