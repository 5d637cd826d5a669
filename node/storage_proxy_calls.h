// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// StorageProxy's per-call state, shared by its source files (storage_proxy.cc,
// storage_proxy_paxos.cc). Internal to node/: include only from those.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
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

// Background replica writes: sent for a write whose client has its answer already (the
// CL was met) and not yet acknowledged, failed or timed out. When a replica falls
// behind, they pile up without limit: on it (thousands of MUTATIONs queued, so that its
// own coordinated writes and its reads are late), in this node's outbound queue, and
// finally as hints. Beyond `limit` of them, further successful answers wait until some
// finish (ScyllaDB throttles background writes the same way), so the clients slow down to
// what every replica sustains instead of the slowest replica drifting seconds behind.
// Cassandra has no such limit (its replicas drop mutations older than the write timeout
// and hint them).
class StorageProxy::BackgroundWrites {
 public:
  explicit BackgroundWrites(size_t limit) : limit_(limit) {}

  // `n` more replica writes are in the background.
  void Add(size_t n) {
    std::lock_guard lock(mu_);
    count_ += n;
  }
  // One of them finished; runs the answers that may go now (outside the lock).
  void Finished() {
    std::deque<std::function<void()>> ready;
    {
      std::lock_guard lock(mu_);
      --count_;
      if (count_ <= limit_) ready.swap(waiting_);
    }
    for (auto& answer : ready) answer();
  }
  // Runs `answer` now when at most `limit` are out (its own included) and nothing waits
  // before it, else once enough of them finished.
  void Answer(std::function<void()> answer) {
    {
      std::lock_guard lock(mu_);
      if (count_ > limit_ || !waiting_.empty()) {
        waiting_.push_back(std::move(answer));
        ++throttled_;
        return;
      }
    }
    answer();
  }
  size_t count() const {
    std::lock_guard lock(mu_);
    return count_;
  }
  uint64_t throttled() const {
    std::lock_guard lock(mu_);
    return throttled_;
  }

 private:
  const size_t limit_;
  mutable std::mutex mu_;
  size_t count_ = 0;
  uint64_t throttled_ = 0;  // answers that had to wait, since start
  std::deque<std::function<void()>> waiting_;
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
  // Asynchronous callers (MutateAsync): run once, outside `mu`, on the thread whose
  // answer first makes Done() true (or by FireIfDone). Set before anything is sent.
  std::function<void()> on_done;

  // Counts this call's replica writes still out once it answered (MutateAsync only;
  // shared: a late answer may come after the proxy is gone), to the targets in
  // `background_targets`: those of this node's datacenter (a remote datacenter's copies
  // are always late by a WAN round trip, which is not a replica falling behind).
  std::shared_ptr<BackgroundWrites> background;
  std::vector<std::string> background_targets;

  void Ack(const std::string& endpoint, bool local = false) {
    std::function<void()> fire;
    bool was_background;
    {
      std::lock_guard lock(mu);
      was_background = client_answered && IsBackgroundTarget(endpoint);
      if (local) local_pending = false;
      answered.push_back(endpoint);
      --outstanding;
      ++acks;
      if (counter.has_value() ? counter->Ack(endpoint) : outstanding == 0) satisfied = true;
      cv.notify_all();
      fire = TakeOnDoneLocked();
    }
    if (was_background) background->Finished();
    if (fire) fire();
  }
  void Fail(const std::string& endpoint, const Status& st, bool hinted, bool local = false) {
    std::function<void()> fire;
    bool was_background;
    {
      std::lock_guard lock(mu);
      was_background = client_answered && IsBackgroundTarget(endpoint);
      if (local) local_pending = false;
      answered.push_back(endpoint);
      --outstanding;
      if (failure.ok()) failure = st;
      if (local && local_failure.ok()) local_failure = st;
      if (counter.has_value()) {
        if (hinted && counter->AckHint()) satisfied = true;
        if (!satisfied && counter->Fail(endpoint)) failed = true;
      }
      cv.notify_all();
      fire = TakeOnDoneLocked();
    }
    if (was_background) background->Finished();
    if (fire) fire();
  }
  // Runs on_done if Done() already holds and it has not run (a call with no targets).
  void FireIfDone() {
    std::function<void()> fire;
    {
      std::lock_guard lock(mu);
      fire = TakeOnDoneLocked();
    }
    if (fire) fire();
  }
  // This node is a target and has not applied its own copy yet. The answer waits for
  // it, as when the local write was synchronous: a coordinator that is a replica has
  // applied the write before it answers, so its own reads at ONE see it.
  bool local_pending = false;

  // True once the CL is met, can no longer be met, or every target answered, and this
  // node's own copy (if any) is applied.
  bool Done() const { return (satisfied || failed || outstanding <= 0) && !local_pending; }

 private:
  // Set when on_done is taken with `background` set: answers after it are background.
  bool client_answered = false;
  bool IsBackgroundTarget(const std::string& endpoint) const {
    return std::find(background_targets.begin(), background_targets.end(), endpoint) !=
           background_targets.end();
  }

  std::function<void()> TakeOnDoneLocked() {
    if (!on_done || !Done()) return {};
    if (background != nullptr) {
      client_answered = true;
      size_t out = 0;
      for (const std::string& t : background_targets) {
        out += std::find(answered.begin(), answered.end(), t) == answered.end();
      }
      if (out > 0) background->Add(out);
    }
    return std::exchange(on_done, nullptr);
  }
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
  // Asynchronous callers (ReadAsync): run once, outside `mu`, as soon as a failure or
  // `needed` responses are in (what FinishRead waits for). Set before anything is sent.
  int needed = 0;
  std::function<void()> on_ready;

  void Add(Response r) {
    std::function<void()> fire;
    {
      std::lock_guard lock(mu);
      responses.push_back(std::move(r));
      cv.notify_all();
      fire = TakeOnReadyLocked();
    }
    if (fire) fire();
  }
  // `local`: this node's own read failed (disk, corruption): reported as it is. A
  // replica's failure is reported as a timeout (Thrift has no read failure exception).
  void Fail(const Status& st, bool local = false) {
    std::function<void()> fire;
    {
      std::lock_guard lock(mu);
      ++failures;
      if (failure.ok() || local) failure = local ? st : Status::TimedOut(st.ToString());
      cv.notify_all();
      fire = TakeOnReadyLocked();
    }
    if (fire) fire();
  }
  // True when the first round can be resolved without waiting for more data: a failure
  // (answered as one), or every response in and all digests equal to the data's.
  bool ResolvesWithoutWaiting() {
    std::lock_guard lock(mu);
    if (failures > 0) return true;
    const Response* data = nullptr;
    for (const Response& r : responses) {
      if (r.has_data) data = &r;
    }
    if (data == nullptr) return false;
    for (const Response& r : responses) {
      if (r.digest != data->digest) return false;
    }
    return true;
  }

 private:
  std::function<void()> TakeOnReadyLocked() {
    if (!on_ready || (failures == 0 && static_cast<int>(responses.size()) < needed)) return {};
    return std::exchange(on_ready, nullptr);
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
