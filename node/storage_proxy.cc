// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.

#include "node/storage_proxy.h"
#include "node/storage_proxy_calls.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <set>

#include <boost/asio/post.hpp>

#include "common/checksum.h"
#include "common/counter.h"
#include "common/logging.h"
#include "common/thread_name.h"
#include "node/internode_convert.h"
#include "node/net/codec.h"
#include "node/schema.h"

namespace cairn::node {

namespace wire = ::cairn::net::internode;
using net::Verb;

// ---- RingPosition / KeyBounds --------------------------------------------------------

int RingPosition::CompareTo(const DecoratedKey& k) const {
  switch (kind) {
    case Kind::kBeforeAll:
      return -1;
    case Kind::kAfterAll:
      return 1;
    case Kind::kTokenEnd: {
      int c = token.bytes.compare(k.token.bytes);
      return c != 0 ? (c < 0 ? -1 : 1) : 1;
    }
    case Kind::kKey: {
      int c = token.bytes.compare(k.token.bytes);
      if (c != 0) return c < 0 ? -1 : 1;
      c = key.compare(k.key);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
  }
  return 0;
}

bool SeekToStart(PartitionIterator* it, const KeyBounds& b) {
  switch (b.start.kind) {
    case RingPosition::Kind::kBeforeAll:
      it->SeekToFirst();
      return true;
    case RingPosition::Kind::kAfterAll:
      return false;
    case RingPosition::Kind::kKey:
    case RingPosition::Kind::kTokenEnd:
      it->Seek(DecoratedKey{b.start.token, b.start.kind == RingPosition::Kind::kKey
                                                ? b.start.key
                                                : std::string()});
      return true;
  }
  return false;
}

bool KeyBounds::Contains(const DecoratedKey& k) const {
  int s = start.CompareTo(k);
  if (s > 0 || (s == 0 && !start_inclusive)) return false;
  return end.CompareTo(k) >= 0;
}

namespace {

// The digest of a read result: XXH3-128 of the encoded partition, of nothing when the
// replica has no (or an empty) partition.
std::string DigestOf(const std::optional<PartitionUpdate>& p) {
  Digest128 d;
  if (p.has_value() && !p->empty()) d.Update(EncodePartition(*p));
  return d.Finish();
}

// What `version` lacks of `merged` (both normalized): the cells of `merged` that
// `version` does not hold identically, and its deletions when newer.
PartitionUpdate Diff(const PartitionUpdate& merged, const std::optional<PartitionUpdate>& version,
                     const AbstractType& comparator) {
  PartitionUpdate out;
  if (!version.has_value()) {
    out = merged;
    return out;
  }
  const PartitionUpdate& v = *version;
  if (!(merged.deletion == v.deletion) && !merged.deletion.IsLive()) out.deletion = merged.deletion;
  for (const RangeTombstone& rt : merged.range_tombstones) {
    if (std::find(v.range_tombstones.begin(), v.range_tombstones.end(), rt) ==
        v.range_tombstones.end()) {
      out.range_tombstones.push_back(rt);
    }
  }
  size_t j = 0;
  for (const Cell& c : merged.cells) {
    while (j < v.cells.size() && comparator.Compare(v.cells[j].name, c.name) < 0) ++j;
    if (j < v.cells.size() && comparator.Compare(v.cells[j].name, c.name) == 0 &&
        v.cells[j] == c) {
      continue;
    }
    out.cells.push_back(c);
  }
  return out;
}

}  // namespace

// ---- Construction --------------------------------------------------------------------

StorageProxy::StorageProxy(StorageProxyOptions options, Database* db, const ClusterView* cluster,
                           net::MessagingService* messaging, const Clock* clock)
    : options_(std::move(options)),
      db_(db),
      cluster_(cluster),
      messaging_(messaging),
      clock_(clock),
      local_endpoint_(cluster->local_endpoint()),
      rng_(std::random_device{}()),
      counters_(std::make_unique<Counters>()),
      background_writes_(std::make_shared<BackgroundWrites>(options_.max_background_writes)) {
  if (messaging_ != nullptr) {
    auto reg = [this](Verb verb, void (StorageProxy::*fn)(net::Message), bool inline_ok = false) {
      messaging_->RegisterHandler(
          verb, [this, fn](net::Message m) { (this->*fn)(std::move(m)); }, inline_ok);
    };
    // A replica write never blocks (Database::ApplyAsync answers when the commit log
    // acknowledges it), so it runs on the network thread that read it: no hand-off.
    reg(wire::Verb::MUTATION, &StorageProxy::HandleMutation, true);
    reg(wire::Verb::READ_REPAIR, &StorageProxy::HandleMutation);
    reg(wire::Verb::HINT, &StorageProxy::HandleMutation);
    // A replica read is a memtable and page-cache lookup that never waits for another
    // node: on the network thread too (one thread hand-off less per data or digest read).
    reg(wire::Verb::READ, &StorageProxy::HandleRead, true);
    reg(wire::Verb::RANGE_SLICE, &StorageProxy::HandleRangeSlice);
    reg(wire::Verb::BATCH_STORE, &StorageProxy::HandleBatchStore);
    reg(wire::Verb::BATCH_REMOVE, &StorageProxy::HandleBatchRemove);
    reg(wire::Verb::TRUNCATE, &StorageProxy::HandleTruncate);
    reg(wire::Verb::HINT_TRANSFER, &StorageProxy::HandleHintTransfer);
    reg(wire::Verb::COUNTER_MUTATION, &StorageProxy::HandleCounterMutation);
    reg(wire::Verb::PAXOS_PREPARE, &StorageProxy::HandlePaxosPrepare);
    reg(wire::Verb::PAXOS_PROPOSE, &StorageProxy::HandlePaxosPropose);
    reg(wire::Verb::PAXOS_COMMIT, &StorageProxy::HandlePaxosCommit);
  }
  if (auto id = UuidFromString(db_->local().host_id); id.ok()) host_id_bytes_ = *id;
  paxos_ = std::make_unique<paxos::PaxosStore>(db_);
  ballot_unique_base_ = static_cast<uint64_t>(std::hash<std::string>{}(db_->local().host_id))
                        << 32;
}

StorageProxy::~StorageProxy() { Stop(); }

Status StorageProxy::Start() {
  if (!options_.hints_directory.empty()) {
    hints::HintStoreOptions ho;
    ho.directory = options_.hints_directory;
    ho.sync = options_.sync_hints;
    CAIRN_ASSIGN_OR_RETURN(hints_, hints::HintStore::Open(std::move(ho)));
    uint64_t pending = hints_->TotalPendingHints();
    if (pending > 0) {
      CAIRN_LOG(INFO) << pending << " undelivered hints found in " << options_.hints_directory;
    }
  }
  if (!options_.batchlog_directory.empty()) {
    hints::BatchlogOptions bo;
    bo.directory = options_.batchlog_directory;
    bo.sync = options_.sync_hints;
    CAIRN_ASSIGN_OR_RETURN(batchlog_, hints::BatchlogStore::Open(std::move(bo)));
  }
  started_ = true;
  started_at_ns_ = clock_->MonotonicNanos();
  if (hints_ != nullptr || batchlog_ != nullptr) {
    bg_thread_ = std::thread([this] {
      SetThreadName("hints-batchlog");
      BackgroundLoop();
    });
  }
  return Status::OK();
}

void StorageProxy::Stop() {
  {
    std::lock_guard lock(bg_mu_);
    bg_stop_ = true;
  }
  bg_cv_.notify_all();
  if (bg_thread_.joinable()) bg_thread_.join();
  // Queued slow reads finish (each within its deadline) before the pool's threads exit.
  std::call_once(slow_reads_once_, [] {});
  if (slow_reads_ != nullptr) slow_reads_->join();
}

boost::asio::thread_pool& StorageProxy::SlowReadPool() {
  std::call_once(slow_reads_once_,
                 [this] { slow_reads_ = std::make_unique<boost::asio::thread_pool>(16); });
  return *slow_reads_;
}

StorageProxyStats StorageProxy::stats() const {
  StorageProxyStats s;
  const Counters& c = *counters_;
  s.writes = c.writes;
  s.reads = c.reads;
  s.range_pages = c.range_pages;
  s.write_timeouts = c.write_timeouts;
  s.read_timeouts = c.read_timeouts;
  s.unavailables = c.unavailables;
  s.hints_stored = c.hints_stored;
  s.hints_delivered = c.hints_delivered;
  s.hints_dropped = c.hints_dropped;
  s.hints_replica_down = c.hints_replica_down;
  s.hints_replica_timed_out = c.hints_replica_timed_out;
  s.hints_replica_failed = c.hints_replica_failed;
  s.hints_send_refused = c.hints_send_refused;
  s.digest_mismatches = c.digest_mismatches;
  s.read_repairs_sent = c.read_repairs_sent;
  s.background_repairs_sent = c.background_repairs_sent;
  s.batches_stored = c.batches_stored;
  s.batches_replayed = c.batches_replayed;
  s.cas = c.cas;
  s.cas_condition_failures = c.cas_condition_failures;
  s.cas_contentions = c.cas_contentions;
  s.cas_timeouts = c.cas_timeouts;
  s.paxos_repairs = c.paxos_repairs;
  s.background_writes = background_writes_->count();
  s.background_write_throttled = background_writes_->throttled();
  return s;
}

uint64_t StorageProxy::pending_hints() const {
  return hints_ == nullptr ? 0 : hints_->TotalPendingHints();
}

int64_t StorageProxy::DeadlineAfterMs(int ms) const {
  return clock_->MonotonicNanos() + static_cast<int64_t>(ms) * 1'000'000;
}

Result<net::Endpoint> StorageProxy::EndpointOf(const std::string& name) const {
  const int default_port = messaging_ != nullptr ? messaging_->local_endpoint().port : 7000;
  return net::Endpoint::Parse(name, default_port);
}

// ---- Replicas ------------------------------------------------------------------------

Result<std::shared_ptr<const ring::ReplicationStrategy>> StorageProxy::StrategyFor(
    const KeyspaceSchema& keyspace) {
  std::string cache_key = keyspace.strategy_class;
  for (const auto& [k, v] : keyspace.strategy_options) cache_key += "|" + k + "=" + v;
  std::lock_guard lock(strategy_mu_);
  auto it = strategies_.find(cache_key);
  if (it != strategies_.end()) return it->second;
  CAIRN_ASSIGN_OR_RETURN(auto strategy,
                         ring::ReplicationStrategy::Create(keyspace.strategy_class,
                                                           keyspace.strategy_options,
                                                           cluster_->snitch(), keyspace.name));
  strategies_.emplace(cache_key, strategy);
  return strategy;
}

Result<StorageProxy::Replicas> StorageProxy::ReplicasFor(const KeyspaceSchema& keyspace,
                                                         const Token& token, bool for_write) {
  Replicas r;
  if (IsSystemKeyspace(keyspace.name) ||
      keyspace.strategy_class.find("LocalStrategy") != std::string::npos) {
    // Node-local keyspaces (Cassandra's LocalStrategy): this node alone.
    r.natural = {local_endpoint_};
    r.targets = r.natural;
    r.live = r.natural;
    r.layout.replication_factor = 1;
    return r;
  }
  CAIRN_ASSIGN_OR_RETURN(auto strategy, StrategyFor(keyspace));
  r.layout = ReplicationLayout::Of(*strategy);
  auto tm = cluster_->token_metadata();
  if (tm == nullptr || tm->empty()) {
    return Status::Unavailable("Cannot achieve consistency level: this node has not joined the ring");
  }
  r.natural = strategy->GetNaturalEndpoints(token, *tm);
  if (for_write) r.pending = tm->PendingEndpointsFor(token, keyspace.name);
  r.targets = r.natural;
  for (const std::string& p : r.pending) {
    if (std::find(r.targets.begin(), r.targets.end(), p) == r.targets.end()) r.targets.push_back(p);
  }
  for (const std::string& e : r.targets) {
    if (IsLocal(e) || cluster_->IsAlive(e)) r.live.push_back(e);
  }
  return r;
}

// ---- Writes --------------------------------------------------------------------------

bool StorageProxy::MaybeHint(const std::string& endpoint, const std::string& encoded_mutation,
                             HintReason reason, const Status& why) {
  if (!options_.hinted_handoff_enabled || hints_ == nullptr) return false;
  auto tm = cluster_->token_metadata();
  std::optional<std::string> host_id = tm->GetHostId(endpoint);
  if (!host_id.has_value()) return false;
  int64_t down_ms = cluster_->DowntimeMs(endpoint);
  if (down_ms > options_.max_hint_window_ms) {
    CAIRN_LOG_EVERY_N_SEC(INFO, 60) << "not hinting " << endpoint << ": down " << down_ms / 1000
                                    << " s, longer than max_hint_window_in_ms";
    return false;
  }
  Status st = hints_->Store(*host_id, clock_->NowMicros(), encoded_mutation);
  if (!st.ok()) {
    CAIRN_LOG(ERROR) << "cannot store a hint for " << endpoint << ": " << st.ToString();
    return false;
  }
  counters_->hints_stored++;
  switch (reason) {
    case HintReason::kDown:
      counters_->hints_replica_down++;
      return true;  // expected; gossip logged the replica going down
    case HintReason::kTimedOut:
      counters_->hints_replica_timed_out++;
      break;
    case HintReason::kReplicaFailed:
      counters_->hints_replica_failed++;
      break;
    case HintReason::kSendRefused:
      counters_->hints_send_refused++;
      break;
  }
  // A live replica got a hint: say why (the counters tell how often).
  CAIRN_LOG_EVERY_N_SEC(WARN, 10) << "hinting live replica " << endpoint << ": " << why.ToString()
                                  << "; hints since start: " << counters_->hints_replica_timed_out
                                  << " timed out, " << counters_->hints_replica_failed
                                  << " replica failures, " << counters_->hints_send_refused
                                  << " sends refused (outbound queue full), "
                                  << counters_->hints_replica_down << " replica down";
  return true;
}

void StorageProxy::StartWrite(const std::shared_ptr<WriteCall>& call,
                              const std::vector<std::string>& targets, Mutation mutation) {
  wire::MutationMessage m;
  mutation.EncodeTo(&m.mutation);
  const std::string request = net::Serialize(m);
  SendWrites(call, targets, wire::Verb::MUTATION, request, m.mutation,
             [&](LocalWriteDone local_done) {
               db_->ApplyAsync(std::move(mutation), std::move(local_done));
             });
}

void StorageProxy::SendWrites(const std::shared_ptr<WriteCall>& call,
                              const std::vector<std::string>& targets, net::Verb verb,
                              const std::string& request, const std::string& hint,
                              const std::function<void(LocalWriteDone)>& apply_locally) {
  // The local replica last, so the remote requests are on their way while this thread
  // applies.
  auto payload = std::make_shared<const std::string>(hint);
  auto maybe_hint = [this, payload](const std::string& ep, HintReason reason, const Status& why) {
    return !payload->empty() && MaybeHint(ep, *payload, reason, why);
  };
  // Marked before anything is sent, so no remote answer can complete the call first.
  const bool local =
      std::any_of(targets.begin(), targets.end(), [&](const std::string& ep) { return IsLocal(ep); });
  if (local) {
    std::lock_guard lock(call->mu);
    call->local_pending = true;
  }
  for (const std::string& ep : targets) {
    if (IsLocal(ep)) continue;
    if (messaging_ == nullptr || !cluster_->IsAlive(ep)) {
      Status down = Status::Unavailable(ep + " is down");
      call->Fail(ep, down, maybe_hint(ep, HintReason::kDown, down));
      continue;
    }
    auto to = EndpointOf(ep);
    if (!to.ok()) {
      call->Fail(ep, to.status(), false);
      continue;
    }
    const int64_t sent = clock_->MonotonicNanos();
    Status st = messaging_->SendRequest(
        *to, verb, std::string(request), std::chrono::milliseconds(options_.write_request_timeout_ms),
        [this, call, ep, maybe_hint, sent](Result<net::Message> r) {
          if (r.ok()) {
            latency_.Record(ep, (clock_->MonotonicNanos() - sent) / 1000);
            call->Ack(ep);
            return;
          }
          const Status& st = r.status();
          bool hinted = false;
          // INVALID (InvalidArgument): the replica does not know a table of the
          // mutation, most likely because its schema is behind ours; the hint waits
          // for it (delivery checks the schema first).
          if (st.IsTimedOut() || st.IsOverloaded() || st.IsIOError() || st.IsInvalidArgument()) {
            latency_.Record(ep, static_cast<int64_t>(options_.write_request_timeout_ms) * 1000);
            hinted = maybe_hint(ep, st.IsTimedOut() ? HintReason::kTimedOut : HintReason::kReplicaFailed,
                                st);
          }
          call->Fail(ep, st, hinted);
        },
        net::CallbackThread::kNetworkOnSuccess);
    if (!st.ok()) call->Fail(ep, st, maybe_hint(ep, HintReason::kSendRefused, st));
  }
  if (local) {
    apply_locally([this, call](const Status& st) {
      if (st.ok()) {
        call->Ack(local_endpoint_, /*local=*/true);
      } else {
        CAIRN_LOG_EVERY_N_SEC(WARN, 10) << "local write failed: " << st.ToString();
        call->Fail(local_endpoint_, st, false, /*local=*/true);
      }
    });
  }
}

Status StorageProxy::WaitWrite(const std::shared_ptr<WriteCall>& call, int64_t deadline_ns,
                               WriteOutcome* outcome) {
  std::unique_lock lock(call->mu);
  while (!call->Done()) {
    int64_t left = deadline_ns - clock_->MonotonicNanos();
    if (left <= 0) break;
    call->cv.wait_for(lock, std::chrono::nanoseconds(left));
  }
  return FinishWriteLocked(*call, outcome);
}

Status StorageProxy::FinishWriteLocked(const WriteCall& call_ref, WriteOutcome* outcome) {
  const WriteCall* call = &call_ref;
  if (call->satisfied) return Status::OK();
  // Replicas that have not answered by the deadline are slow now: charge them the
  // timeout at once, so the next request's proximity order avoids them (their
  // messaging timeout may fire only later).
  for (const std::string& ep : call->targets) {
    if (IsLocal(ep) || std::find(call->answered.begin(), call->answered.end(), ep) !=
                           call->answered.end()) {
      continue;
    }
    latency_.Record(ep, static_cast<int64_t>(options_.write_request_timeout_ms) * 1000);
  }
  int acked = call->counter.has_value() ? call->counter->acknowledged() : call->acks;
  if (outcome != nullptr) outcome->acknowledged_by = acked;
  if (!call->local_failure.ok() && (call->failed || call->outstanding <= 0)) {
    return call->local_failure;  // e.g. the local write failed (disk full, overloaded)
  }
  counters_->write_timeouts++;
  if (!call->failure.ok()) {
    CAIRN_LOG_EVERY_N_SEC(WARN, 10) << "write failed with " << acked << " acknowledgements: "
                                    << call->failure.ToString();
  }
  return Status::TimedOut("Operation timed out - received only " + std::to_string(acked) +
                          " responses.");
}

Status StorageProxy::Mutate(const KeyspaceSchema& keyspace, std::vector<Mutation> mutations,
                            ConsistencyLevel cl, WriteOutcome* outcome) {
  std::vector<Replicas> replicas;
  replicas.reserve(mutations.size());
  std::shared_ptr<const ring::Snitch> snitch = cluster_->snitch();
  const std::string local_dc = snitch->GetDatacenter(local_endpoint_);
  // Every mutation's replicas are checked before anything is sent.
  for (const Mutation& m : mutations) {
    CAIRN_ASSIGN_OR_RETURN(Replicas r, ReplicasFor(keyspace, db_->Decorate(m.key).token, true));
    CAIRN_RETURN_IF_ERROR(ValidateForWrite(cl, r.layout));
    Status st = AssureSufficientLiveForWrite(cl, r.layout, r.live, r.pending, *snitch, local_dc);
    if (!st.ok()) {
      counters_->unavailables++;
      return st;
    }
    replicas.push_back(std::move(r));
  }
  const int64_t deadline = DeadlineAfterMs(options_.write_request_timeout_ms);
  std::vector<std::shared_ptr<WriteCall>> calls;
  calls.reserve(mutations.size());
  for (size_t i = 0; i < mutations.size(); ++i) {
    auto call = NewWriteCall(cl, replicas[i], *snitch, local_dc);
    StartWrite(call, replicas[i].targets, std::move(mutations[i]));
    calls.push_back(std::move(call));
  }
  for (const auto& call : calls) {
    CAIRN_RETURN_IF_ERROR(WaitWrite(call, deadline, outcome));
  }
  return Status::OK();
}

std::shared_ptr<StorageProxy::WriteCall> StorageProxy::NewWriteCall(ConsistencyLevel cl,
                                                                    const Replicas& r,
                                                                    const ring::Snitch& snitch,
                                                                    const std::string& local_dc) {
  auto call = std::make_shared<WriteCall>();
  call->counter.emplace(cl, r.layout, r.targets, r.pending, snitch, local_dc);
  call->outstanding = static_cast<int>(r.targets.size());
  call->targets = r.targets;
  counters_->writes++;
  return call;
}

// The asynchronous Mutate: the same checks and sends, and instead of waiting, each
// mutation's WriteCall reports when it is done; the last one answers `done` with the
// first failure in mutation order, as Mutate would return it.
void StorageProxy::MutateAsync(const KeyspaceSchema& keyspace, std::vector<Mutation> mutations,
                               ConsistencyLevel cl, WriteDone done) {
  std::vector<Replicas> replicas;
  replicas.reserve(mutations.size());
  std::shared_ptr<const ring::Snitch> snitch = cluster_->snitch();
  const std::string local_dc = snitch->GetDatacenter(local_endpoint_);
  for (const Mutation& m : mutations) {
    auto r = ReplicasFor(keyspace, db_->Decorate(m.key).token, true);
    Status st = r.ok() ? ValidateForWrite(cl, r->layout) : r.status();
    if (st.ok()) st = AssureSufficientLiveForWrite(cl, r->layout, r->live, r->pending, *snitch, local_dc);
    if (!st.ok()) {
      if (st.IsUnavailable()) counters_->unavailables++;
      done(st, WriteOutcome{});
      return;
    }
    replicas.push_back(std::move(*r));
  }
  if (mutations.empty()) {
    done(Status::OK(), WriteOutcome{});
    return;
  }
  struct Batch {
    std::mutex mu;
    size_t remaining = 0;
    std::vector<std::pair<Status, WriteOutcome>> results;
    WriteDone done;
  };
  auto batch = std::make_shared<Batch>();
  batch->remaining = mutations.size();
  batch->results.resize(mutations.size());
  batch->done = std::move(done);
  for (size_t i = 0; i < mutations.size(); ++i) {
    auto call = NewWriteCall(cl, replicas[i], *snitch, local_dc);
    call->background = background_writes_;
    for (const std::string& t : replicas[i].targets) {
      if (!IsLocal(t) && snitch->GetDatacenter(t) == local_dc) call->background_targets.push_back(t);
    }
    // Runs once, outside call->mu; the WriteCall owns this function, so it holds the
    // call weakly (the sender's callbacks hold it strongly until then).
    call->on_done = [this, batch, i, weak = std::weak_ptr<WriteCall>(call)] {
      auto c = weak.lock();
      WriteOutcome outcome;
      Status st;
      if (c != nullptr) {
        std::lock_guard lock(c->mu);
        st = FinishWriteLocked(*c, &outcome);
      } else {
        st = Status::Aborted("write abandoned");
      }
      WriteDone finish;
      {
        std::lock_guard lock(batch->mu);
        batch->results[i] = {std::move(st), outcome};
        if (--batch->remaining == 0) finish = std::move(batch->done);
      }
      if (!finish) return;
      for (const auto& [status, out] : batch->results) {
        if (!status.ok()) {
          finish(status, out);
          return;
        }
      }
      // A success may have to wait for the background writes to thin out.
      background_writes_->Answer([finish = std::move(finish)] { finish(Status::OK(), WriteOutcome{}); });
    };
    StartWrite(call, replicas[i].targets, std::move(mutations[i]));
    call->FireIfDone();
  }
}


// ---- Counters --------------------------------------------------------------------------

Status StorageProxy::MutateCounter(const KeyspaceSchema& keyspace, CounterMutation mutation,
                                   ConsistencyLevel cl, WriteOutcome* outcome) {
  if (cl == ConsistencyLevel::ANY) {
    return Status::InvalidArgument("Consistency level ANY is not yet supported for counter "
                                   "columnfamily");
  }
  CAIRN_ASSIGN_OR_RETURN(Replicas r,
                         ReplicasFor(keyspace, db_->Decorate(mutation.key).token, true));
  CAIRN_RETURN_IF_ERROR(ValidateForWrite(cl, r.layout));
  std::shared_ptr<const ring::Snitch> snitch = cluster_->snitch();
  const std::string local_dc = snitch->GetDatacenter(local_endpoint_);
  if (Status st = AssureSufficientLiveForWrite(cl, r.layout, r.live, r.pending, *snitch, local_dc);
      !st.ok()) {
    counters_->unavailables++;
    return st;
  }
  // The leader: this node when it is a natural replica, else the closest live one
  // (Cassandra's findSuitableEndpoint).
  const bool local_replica =
      std::find(r.natural.begin(), r.natural.end(), local_endpoint_) != r.natural.end();
  if (local_replica) return LeadCounterMutation(keyspace, mutation, cl, outcome);
  std::vector<std::string> candidates;
  for (const std::string& e : r.live) {
    if (std::find(r.natural.begin(), r.natural.end(), e) != r.natural.end()) candidates.push_back(e);
  }
  candidates = SortByProximity(local_endpoint_, candidates, *snitch, &latency_);
  if (candidates.empty()) {
    counters_->unavailables++;
    return Status::Unavailable("Cannot achieve consistency level " + std::string(ToString(cl)) +
                               ": no live replica to lead the counter update");
  }
  CAIRN_ASSIGN_OR_RETURN(net::Endpoint leader, EndpointOf(candidates.front()));
  wire::CounterMutationRequest req;
  req.keyspace = keyspace.name;
  req.key = mutation.key;
  req.table_id = mutation.table_id;
  req.timestamp = mutation.timestamp;
  req.consistency = static_cast<int32_t>(cl);
  for (const auto& [name, delta] : mutation.deltas) {
    wire::CounterDelta d;
    d.name = name;
    d.delta = delta;
    req.deltas.push_back(std::move(d));
  }
  auto promise = std::make_shared<std::promise<Result<net::Message>>>();
  auto future = promise->get_future();
  // The leader itself waits up to the write timeout for its replicas: a little more here.
  const auto timeout = std::chrono::milliseconds(options_.write_request_timeout_ms + 500);
  CAIRN_RETURN_IF_ERROR(messaging_->SendRequest(
      leader, wire::Verb::COUNTER_MUTATION, req, timeout,
      [promise](Result<net::Message> res) { promise->set_value(std::move(res)); }));
  counters_->writes++;
  Result<net::Message> answer = future.get();
  if (!answer.ok()) {
    if (outcome != nullptr) outcome->acknowledged_by = 0;
    counters_->write_timeouts++;
    return Status::TimedOut("Operation timed out - received only 0 responses.");
  }
  wire::CounterMutationResponse resp;
  CAIRN_RETURN_IF_ERROR(net::Deserialize(answer->payload, &resp));
  switch (resp.code) {
    case 0:
      return Status::OK();
    case 1:
      counters_->unavailables++;
      return Status::Unavailable(resp.message);
    case 2:
      if (outcome != nullptr) outcome->acknowledged_by = resp.acknowledged_by;
      counters_->write_timeouts++;
      return Status::TimedOut(resp.message);
    case 3:
      return Status::InvalidArgument(resp.message);
    default:
      return Status::IOError(resp.message);
  }
}

Status StorageProxy::LeadCounterMutation(const KeyspaceSchema& keyspace,
                                         const CounterMutation& mutation, ConsistencyLevel cl,
                                         WriteOutcome* outcome) {
  if (host_id_bytes_.size() != 16) return Status::IOError("this node has no valid host id");
  auto store = db_->Store(mutation.table_id);
  if (store == nullptr) return Status::InvalidArgument("unknown table for a counter update");
  Mutation shards;
  shards.keyspace = keyspace.name;
  shards.key = mutation.key;
  Mutation::Update update;
  update.table_id = mutation.table_id;
  {
    std::mutex& lock = counter_locks_[std::hash<std::string>{}(mutation.key) % kCounterLockStripes];
    std::lock_guard guard(lock);
    std::vector<std::string> names;
    for (const auto& [name, delta] : mutation.deltas) names.push_back(name);
    std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
      return store->metadata().comparator->Compare(a, b) < 0;
    });
    CAIRN_ASSIGN_OR_RETURN(std::optional<PartitionUpdate> current,
                           store->Read(db_->Decorate(mutation.key), CellFilter::Names(names)));
    // Several deltas for one column add up.
    std::map<std::string, int64_t> sums;
    for (const auto& [name, delta] : mutation.deltas) sums[name] += delta;
    for (const auto& [name, delta] : sums) {
      CounterShard mine{host_id_bytes_, 0, 0};
      if (current.has_value()) {
        for (const Cell& c : current->cells) {
          if (c.name == name && c.kind == CellKind::kCounter) {
            mine = CounterShardOf(c.value, host_id_bytes_);
          }
        }
      }
      mine.clock += 1;
      mine.count += delta;
      update.update.cells.push_back(
          Cell::Counter(name, EncodeCounterContext({mine}), mutation.timestamp));
    }
    update.update.Normalize(*store->metadata().comparator, clock_->NowSeconds());
    shards.updates.push_back(std::move(update));
    // Durable here first (commit log), so the next increment reads this shard.
    CAIRN_RETURN_IF_ERROR(db_->Apply(shards));
  }
  // Then replicated as a write; applying the shard here again changes nothing.
  std::vector<Mutation> ms;
  ms.push_back(std::move(shards));
  return Mutate(keyspace, std::move(ms), cl, outcome);
}

void StorageProxy::HandleCounterMutation(net::Message msg) {
  wire::CounterMutationRequest req;
  Status st = net::Deserialize(msg.payload, &req);
  wire::CounterMutationResponse resp;
  if (st.ok()) {
    auto schema = db_->schema();
    const KeyspaceSchema* ks = schema->FindKeyspace(req.keyspace);
    if (ks == nullptr) {
      st = Status::InvalidArgument("unknown keyspace " + req.keyspace);
    } else {
      CounterMutation cm;
      cm.key = req.key;
      cm.table_id = req.table_id;
      cm.timestamp = req.timestamp;
      for (const wire::CounterDelta& d : req.deltas) cm.deltas.emplace_back(d.name, d.delta);
      WriteOutcome outcome;
      st = LeadCounterMutation(*ks, cm, static_cast<ConsistencyLevel>(req.consistency), &outcome);
      resp.__set_acknowledged_by(outcome.acknowledged_by);
    }
  }
  resp.code = st.ok() ? 0 : st.IsUnavailable() ? 1 : st.IsTimedOut() ? 2
            : st.IsInvalidArgument() ? 3 : 4;
  if (!st.ok()) resp.__set_message(st.message());
  messaging_->SendResponse(msg, net::Serialize(resp)).IgnoreError();  // the coordinator times out
}

// ---- Reads ---------------------------------------------------------------------------

Result<std::optional<PartitionUpdate>> StorageProxy::LocalRead(const std::string& table_id,
                                                               const std::string& key,
                                                               const CellFilter& filter) const {
  auto store = db_->Store(table_id);
  if (store == nullptr) return Status::InvalidArgument("unknown table id " + UuidToString(table_id));
  return store->Read(db_->Decorate(key), filter);
}

Result<std::vector<std::pair<DecoratedKey, PartitionUpdate>>> StorageProxy::LocalRange(
    const std::string& table_id, const std::vector<KeyBounds>& bounds, const CellFilter& filter,
    int32_t max_rows) const {
  auto store = db_->Store(table_id);
  if (store == nullptr) return Status::InvalidArgument("unknown table id " + UuidToString(table_id));
  const AbstractType& cmp = *store->metadata().comparator;
  std::vector<std::pair<DecoratedKey, PartitionUpdate>> out;
  for (const KeyBounds& b : bounds) {
    std::unique_ptr<PartitionIterator> it = store->NewScanIterator();
    if (!SeekToStart(it.get(), b)) continue;
    for (; it->Valid(); it->Next()) {
      const DecoratedKey& k = it->key();
      int s = b.start.CompareTo(k);
      if (s > 0 || (s == 0 && !b.start_inclusive)) continue;
      if (b.end.CompareTo(k) < 0) break;
      PartitionUpdate p = it->partition();
      filter.Apply(&p, cmp);
      out.emplace_back(k, std::move(p));
      if (static_cast<int32_t>(out.size()) >= max_rows) return out;
    }
    CAIRN_RETURN_IF_ERROR(it->status());
  }
  return out;
}

Result<std::vector<std::optional<PartitionUpdate>>> StorageProxy::Read(
    const TableRef& table, const std::vector<std::string>& keys, const CellFilter& filter,
    ConsistencyLevel cl) {
  if (IsSerial(cl)) return ReadSerial(table, keys, filter, cl);
  const int64_t deadline = DeadlineAfterMs(options_.read_request_timeout_ms);
  // Every key's first round goes out before any is waited for (multiget_slice).
  std::vector<KeyRead> reads;
  reads.reserve(keys.size());
  for (const std::string& key : keys) reads.push_back(StartRead(table, key, filter, cl, deadline));
  std::vector<std::optional<PartitionUpdate>> out;
  out.reserve(keys.size());
  for (KeyRead& kr : reads) {
    CAIRN_ASSIGN_OR_RETURN(auto p, FinishRead(table, filter, kr, deadline));
    out.push_back(std::move(p));
  }
  return out;
}


// The asynchronous Read: each key's first round is sent with an on_ready hook; when its
// answers are in, FinishRead resolves it on that thread if it need not wait (digests
// agree, or a failure), else on the slow-read pool (second round and blocking repair).
// The last key to finish answers `done`.
void StorageProxy::ReadAsync(const TableRef& table, std::vector<std::string> keys,
                             CellFilter filter, ConsistencyLevel cl, ReadDone done) {
  if (IsSerial(cl) || keys.empty()) {
    boost::asio::post(SlowReadPool(), [this, table, keys = std::move(keys),
                                       filter = std::move(filter), cl, done = std::move(done)] {
      done(Read(table, keys, filter, cl));
    });
    return;
  }
  struct Batch {
    TableRef table;
    CellFilter filter;
    int64_t deadline = 0;
    std::vector<KeyRead> reads;  // sized once: hooks refer to their element
    std::vector<std::optional<Result<std::optional<PartitionUpdate>>>> results;
    std::mutex mu;
    size_t remaining = 0;
    ReadDone done;
  };
  auto batch = std::make_shared<Batch>();
  batch->table = table;
  batch->filter = std::move(filter);
  batch->deadline = DeadlineAfterMs(options_.read_request_timeout_ms);
  batch->reads.resize(keys.size());
  batch->results.resize(keys.size());
  batch->remaining = keys.size();
  batch->done = std::move(done);
  auto finish_key = [this, batch](size_t i) {
    auto r = FinishRead(batch->table, batch->filter, batch->reads[i], batch->deadline);
    ReadDone finish;
    {
      std::lock_guard lock(batch->mu);
      batch->results[i] = std::move(r);
      if (--batch->remaining == 0) finish = std::move(batch->done);
    }
    if (!finish) return;
    std::vector<std::optional<PartitionUpdate>> out;
    out.reserve(batch->results.size());
    for (auto& result : batch->results) {
      if (!result->ok()) {
        finish(result->status());
        return;
      }
      out.push_back(std::move(**result));
    }
    finish(std::move(out));
  };
  for (size_t i = 0; i < keys.size(); ++i) {
    KeyRead& kr = batch->reads[i];
    kr.key = std::move(keys[i]);
    // The hook belongs to the ReadCall, which the Batch owns: hold the Batch weakly.
    std::weak_ptr<Batch> weak = batch;
    auto on_ready = [this, weak, i, finish_key] {
      auto b = weak.lock();
      if (b == nullptr) return;
      if (b->reads[i].call->ResolvesWithoutWaiting()) {
        finish_key(i);
      } else {
        boost::asio::post(SlowReadPool(), [finish_key, b, i] { finish_key(i); });
      }
    };
    // Once StartReadImpl sent something, the hook may already be running FinishRead on
    // another thread: kr is written only when nothing was sent.
    Status early = StartReadImpl(batch->table, kr.key, batch->filter, cl, batch->deadline, &kr,
                                 std::move(on_ready));
    if (!early.ok()) {
      kr.early = std::move(early);
      finish_key(i);
    }
  }
}

// Sends data or digest READs to `eps` (the local one read in this thread, last).
void StorageProxy::SendReads(const TableRef& table, const std::string& key,
                             const CellFilter& filter, const std::shared_ptr<ReadCall>& call,
                             const std::vector<std::string>& eps, bool first_is_data,
                             bool all_data, int64_t deadline_ns) {
  std::optional<std::pair<std::string, bool>> local;
  for (size_t i = 0; i < eps.size(); ++i) {
    const std::string& ep = eps[i];
    const bool data = all_data || (first_is_data && i == 0);
    if (IsLocal(ep)) {
      local.emplace(ep, data);
      continue;
    }
    auto to = EndpointOf(ep);
    if (!to.ok() || messaging_ == nullptr) {
      call->Fail(to.ok() ? Status::Unavailable(ep) : to.status());
      continue;
    }
    wire::ReadCommand cmd;
    cmd.keyspace = table.keyspace->name;
    cmd.table_id = table.table->metadata.id;
    cmd.key = key;
    cmd.filter = FilterToWire(filter);
    cmd.digest_only = !data;
    const int64_t sent = clock_->MonotonicNanos();
    int64_t timeout_ms = std::max<int64_t>(1, (deadline_ns - sent) / 1'000'000);
    Status st = messaging_->SendRequest(
        *to, wire::Verb::READ, cmd, std::chrono::milliseconds(timeout_ms),
        [this, call, ep, data, sent](Result<net::Message> res) {
          if (!res.ok()) {
            if (res.status().IsTimedOut()) {
              latency_.Record(ep, (clock_->MonotonicNanos() - sent) / 1000);
            }
            call->Fail(res.status());
            return;
          }
          latency_.Record(ep, (clock_->MonotonicNanos() - sent) / 1000);
          wire::ReadResponse resp;
          Status st = net::Deserialize(res->payload, &resp);
          ReadCall::Response out;
          out.endpoint = ep;
          out.digest = resp.digest;
          if (st.ok() && data) {
            out.has_data = true;
            if (resp.__isset.data) {
              auto p = DecodePartition(resp.data);
              if (!p.ok()) {
                st = p.status();
              } else {
                out.data = std::move(*p);
              }
            }
          }
          if (!st.ok()) {
            call->Fail(st);
            return;
          }
          call->Add(std::move(out));
        },
        net::CallbackThread::kNetworkOnSuccess);
    if (!st.ok()) call->Fail(st);
  }
  if (local.has_value()) {
    auto res = LocalRead(table.table->metadata.id, key, filter);
    if (!res.ok()) {
      call->Fail(res.status());
    } else {
      ReadCall::Response out;
      out.endpoint = local->first;
      out.digest = DigestOf(*res);
      if (local->second) {
        out.has_data = true;
        out.data = std::move(*res);
      }
      call->Add(std::move(out));
    }
  }
}

StorageProxy::KeyRead StorageProxy::StartRead(const TableRef& table, const std::string& key,
                                              const CellFilter& filter, ConsistencyLevel cl,
                                              int64_t deadline_ns) {
  KeyRead kr;
  kr.key = key;
  kr.early = StartReadImpl(table, key, filter, cl, deadline_ns, &kr);
  return kr;
}

Status StorageProxy::StartReadImpl(const TableRef& table, const std::string& key,
                                   const CellFilter& filter, ConsistencyLevel cl,
                                   int64_t deadline_ns, KeyRead* kr,
                                   std::function<void()> on_ready) {
  counters_->reads++;
  std::shared_ptr<const ring::Snitch> snitch = cluster_->snitch();
  const std::string local_dc = snitch->GetDatacenter(local_endpoint_);
  const DecoratedKey dk = db_->Decorate(key);
  CAIRN_ASSIGN_OR_RETURN(Replicas r, ReplicasFor(*table.keyspace, dk.token, false));
  CAIRN_RETURN_IF_ERROR(ValidateForRead(cl, r.layout));
  kr->live = SortByProximity(local_endpoint_, r.live, *snitch, &latency_);
  Status avail = AssureSufficientLive(cl, r.layout, kr->live, 0, *snitch, local_dc);
  if (!avail.ok()) {
    counters_->unavailables++;
    return avail;
  }
  kr->targets = FilterForQuery(cl, r.layout, kr->live, *snitch, local_dc);
  if (kr->targets.empty()) {
    return Status::Unavailable("Cannot achieve consistency level " + std::string(ToString(cl)));
  }
  // Phase 1: data from the closest, digests from the others.
  kr->call = std::make_shared<ReadCall>();
  kr->call->needed = static_cast<int>(kr->targets.size());
  kr->call->on_ready = std::move(on_ready);
  SendReads(table, key, filter, kr->call, kr->targets, true, false, deadline_ns);
  return Status::OK();
}

void StorageProxy::ChargeUnanswered(const std::vector<std::string>& targets,
                                    const ReadCall& call) {
  const std::vector<ReadCall::Response>& responses = call.responses;
  for (const std::string& ep : targets) {
    if (IsLocal(ep)) continue;
    bool answered = std::any_of(responses.begin(), responses.end(),
                                [&](const ReadCall::Response& r) { return r.endpoint == ep; });
    if (!answered) {
      latency_.Record(ep, static_cast<int64_t>(options_.read_request_timeout_ms) * 1000);
    }
  }
}

Result<std::optional<PartitionUpdate>> StorageProxy::FinishRead(const TableRef& table,
                                                                const CellFilter& filter,
                                                                KeyRead& kr, int64_t deadline_ns) {
  CAIRN_RETURN_IF_ERROR(kr.early);
  const KeyspaceSchema& ks = *table.keyspace;
  const std::string& table_id = table.table->metadata.id;
  const AbstractType& cmp = *table.table->metadata.comparator;
  std::shared_ptr<const ring::Snitch> snitch = cluster_->snitch();
  const std::string local_dc = snitch->GetDatacenter(local_endpoint_);
  const std::string& key = kr.key;
  const std::vector<std::string>& targets = kr.targets;
  const std::vector<std::string>& live = kr.live;
  const std::shared_ptr<ReadCall>& call = kr.call;
  const int needed = static_cast<int>(targets.size());
  std::vector<ReadCall::Response> responses;
  {
    std::unique_lock lock(call->mu);
    bool ok = WaitUntil(lock, call->cv, clock_, deadline_ns, [&] {
      if (call->failures > 0) return true;
      return static_cast<int>(call->responses.size()) >= needed;
    });
    if (call->failures > 0 && !call->failure.IsTimedOut()) return call->failure;
    if (!ok || call->failures > 0) {
      if (call->failures > 0) {
        CAIRN_LOG_EVERY_N_SEC(WARN, 10) << "read failed: " << call->failure.ToString();
      }
      if (!ok) ChargeUnanswered(targets, *call);
      counters_->read_timeouts++;
      return Status::TimedOut("Operation timed out - received only " +
                              std::to_string(call->responses.size()) + " responses.");
    }
    responses = call->responses;
  }
  const ReadCall::Response* data = nullptr;
  for (const auto& resp : responses) {
    if (resp.has_data) data = &resp;
  }
  bool match = data != nullptr;
  for (const auto& resp : responses) {
    if (data != nullptr && resp.digest != data->digest) match = false;
  }

  std::optional<PartitionUpdate> result;
  if (match) {
    result = data->data;
  } else {
    // Phase 2: data from every contacted replica, reconcile, repair the stale ones.
    counters_->digest_mismatches++;
    auto full = std::make_shared<ReadCall>();
    SendReads(table, key, filter, full, targets, true, true, deadline_ns);
    std::unique_lock lock(full->mu);
    bool ok = WaitUntil(lock, full->cv, clock_, deadline_ns, [&] {
      return full->failures > 0 || static_cast<int>(full->responses.size()) >= needed;
    });
    if (full->failures > 0 && !full->failure.IsTimedOut()) return full->failure;
    if (!ok || full->failures > 0) {
      if (full->failures > 0) {
        CAIRN_LOG_EVERY_N_SEC(WARN, 10) << "read failed: " << full->failure.ToString();
      }
      if (!ok) ChargeUnanswered(targets, *full);
      counters_->read_timeouts++;
      return Status::TimedOut("Operation timed out - received only " +
                              std::to_string(full->responses.size()) + " responses.");
    }
    responses = full->responses;
    lock.unlock();
    const int32_t now = clock_->NowSeconds();
    for (const auto& resp : responses) {
      if (!resp.data.has_value()) continue;
      if (!result.has_value()) {
        result = *resp.data;
      } else {
        result->MergeFrom(*resp.data, cmp, now);
      }
    }
    if (result.has_value()) {
      auto repairs = std::make_shared<WriteCall>();
      std::vector<std::pair<std::string, PartitionUpdate>> to_send;
      for (const auto& resp : responses) {
        PartitionUpdate diff = Diff(*result, resp.data, cmp);
        if (!diff.empty()) to_send.emplace_back(resp.endpoint, std::move(diff));
      }
      repairs->outstanding = static_cast<int>(to_send.size());
      for (auto& [ep, diff] : to_send) {
        counters_->read_repairs_sent++;
        SendRepair(ep, table, key, std::move(diff), repairs);
      }
      if (!to_send.empty()) {
        std::unique_lock rl(repairs->mu);
        bool done = WaitUntil(rl, repairs->cv, clock_, deadline_ns,
                              [&] { return repairs->outstanding <= 0; });
        if (!done || !repairs->failure.ok()) {
          counters_->read_timeouts++;
          return Status::TimedOut("Operation timed out - read repair of " + std::to_string(to_send.size()) +
                                  " replicas was not acknowledged");
        }
      }
    }
  }

  // Background read repair of the replicas not contacted (read_repair_chance: all of
  // them; dclocal_read_repair_chance: those of this DC).
  double roll;
  {
    std::lock_guard lock(rng_mu_);
    roll = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  }
  const bool global = roll < table.table->read_repair_chance;
  const bool dclocal = !global && roll < table.table->dclocal_read_repair_chance;
  if ((global || dclocal) && messaging_ != nullptr) {
    std::vector<std::string> extra;
    for (const std::string& ep : live) {
      if (std::find(targets.begin(), targets.end(), ep) != targets.end() || IsLocal(ep)) continue;
      if (dclocal && snitch->GetDatacenter(ep) != local_dc) continue;
      extra.push_back(ep);
    }
    if (!extra.empty()) {
      // Cassandra's AsyncRepairCallback: once every extra replica has answered (or
      // failed), merge all versions and repair every replica that lacks something,
      // the contacted ones included (they all hold `result` by now).
      std::shared_ptr<const Schema> keep = db_->schema();  // outlives the callbacks
      const KeyspaceSchema* k = keep->FindKeyspace(ks.name);
      const TableSchema* t = nullptr;
      if (k != nullptr) {
        for (const TableSchema& ts : k->tables) {
          if (ts.metadata.id == table_id) t = &ts;
        }
      }
      if (t != nullptr) {
        struct Background {
          std::mutex mu;
          size_t pending = 0;
          std::optional<PartitionUpdate> merged;
          std::vector<std::pair<std::string, std::optional<PartitionUpdate>>> versions;
        };
        auto bg = std::make_shared<Background>();
        bg->pending = extra.size();
        bg->merged = result;
        for (const std::string& ep : targets) bg->versions.emplace_back(ep, result);
        const TableRef ref{k, t};
        auto finish = [this, bg, ref, key, keep]() {
          // Called once, by the last answer (its lock released).
          if (!bg->merged.has_value()) return;
          const AbstractType& c = *ref.table->metadata.comparator;
          for (auto& [ep, version] : bg->versions) {
            PartitionUpdate diff = Diff(*bg->merged, version, c);
            if (diff.empty()) continue;
            counters_->background_repairs_sent++;
            SendRepair(ep, ref, key, std::move(diff), nullptr);
          }
        };
        auto answered = [bg, finish, ref, this](const std::string& ep,
                                                std::optional<std::optional<PartitionUpdate>> theirs) {
          bool last;
          {
            std::lock_guard lock(bg->mu);
            if (theirs.has_value()) {
              if (theirs->has_value()) {
                if (bg->merged.has_value()) {
                  bg->merged->MergeFrom(**theirs, *ref.table->metadata.comparator,
                                        clock_->NowSeconds());
                } else {
                  bg->merged = **theirs;
                }
              }
              bg->versions.emplace_back(ep, std::move(*theirs));
            }
            last = --bg->pending == 0;
          }
          if (last) finish();
        };
        for (const std::string& ep : extra) {
          auto to = EndpointOf(ep);
          wire::ReadCommand cmd;
          cmd.keyspace = ks.name;
          cmd.table_id = table_id;
          cmd.key = key;
          cmd.filter = FilterToWire(filter);
          cmd.digest_only = false;
          Status sent = !to.ok() ? to.status()
                                 : messaging_->SendRequest(
                                       *to, wire::Verb::READ, cmd,
                                       std::chrono::milliseconds(options_.read_request_timeout_ms),
                                       [ep, answered](Result<net::Message> res) {
                                         std::optional<std::optional<PartitionUpdate>> theirs;
                                         wire::ReadResponse resp;
                                         if (res.ok() && net::Deserialize(res->payload, &resp).ok()) {
                                           if (!resp.__isset.data) {
                                             theirs.emplace(std::nullopt);
                                           } else if (auto p = DecodePartition(resp.data); p.ok()) {
                                             theirs.emplace(std::move(*p));
                                           }
                                         }
                                         answered(ep, std::move(theirs));
                                       });
          if (!sent.ok()) answered(ep, std::nullopt);
        }
      }
    }
  }
  return result;
}

void StorageProxy::SendRepair(const std::string& endpoint, const TableRef& table,
                              const std::string& key, PartitionUpdate repair,
                              const std::shared_ptr<WriteCall>& call) {
  Mutation m;
  m.keyspace = table.keyspace->name;
  m.key = key;
  m.updates.push_back({table.table->metadata.id, std::move(repair)});
  if (IsLocal(endpoint)) {
    Status st = db_->Apply(std::move(m));
    if (call != nullptr) {
      if (st.ok()) {
        call->Ack(endpoint);
      } else {
        call->Fail(endpoint, st, false);
      }
    }
    return;
  }
  auto to = EndpointOf(endpoint);
  if (!to.ok() || messaging_ == nullptr) {
    if (call != nullptr) call->Fail(endpoint, to.ok() ? Status::Unavailable(endpoint) : to.status(), false);
    return;
  }
  wire::MutationMessage msg;
  m.EncodeTo(&msg.mutation);
  Status st = messaging_->SendRequest(
      *to, wire::Verb::READ_REPAIR, msg, std::chrono::milliseconds(options_.write_request_timeout_ms),
      [call, endpoint](Result<net::Message> res) {
        if (call == nullptr) return;
        if (res.ok()) {
          call->Ack(endpoint);
        } else {
          call->Fail(endpoint, res.status(), false);
        }
      },
      net::CallbackThread::kNetworkOnSuccess);
  if (!st.ok() && call != nullptr) call->Fail(endpoint, st, false);
}

// ---- Range scans ---------------------------------------------------------------------

Status StorageProxy::ScanRange(const TableRef& table, const std::vector<KeyBounds>& bounds,
                               const CellFilter& filter, int32_t page_rows, ConsistencyLevel cl,
                               const RangeVisitor& visit) {
  if (IsSerial(cl)) {
    return Status::InvalidArgument(
        "SERIAL/LOCAL_SERIAL consistency may only be requested for one partition at a time");
  }
  const KeyspaceSchema& ks = *table.keyspace;
  const std::string& table_id = table.table->metadata.id;
  const AbstractType& cmp = *table.table->metadata.comparator;
  std::shared_ptr<const ring::Snitch> snitch = cluster_->snitch();
  const std::string local_dc = snitch->GetDatacenter(local_endpoint_);
  page_rows = std::clamp<int32_t>(page_rows, 1, 10000);
  auto tm = cluster_->token_metadata();
  const bool local_only = IsSystemKeyspace(ks.name) ||
                          ks.strategy_class.find("LocalStrategy") != std::string::npos;
  if (!local_only && (tm == nullptr || tm->empty())) {
    return Status::Unavailable("Cannot achieve consistency level: this node has not joined the ring");
  }

  // Cut the bounds at the ring's tokens: groups of consecutive sub-bounds that go to
  // the same replicas.
  // A group never spans two of the caller's bounds, so the keys of a group are in
  // DecoratedKey order (a wrapping scan's second bound starts lower than the first).
  struct Group {
    std::vector<std::string> targets;
    std::vector<KeyBounds> bounds;
    size_t source = 0;  // index in `bounds`
  };
  std::vector<Group> groups;
  size_t source = 0;
  auto add = [&](std::vector<std::string> targets, KeyBounds b) {
    if (!groups.empty() && groups.back().targets == targets && groups.back().source == source) {
      groups.back().bounds.push_back(std::move(b));
    } else {
      groups.push_back(Group{std::move(targets), {std::move(b)}, source});
    }
  };
  auto targets_for = [&](const Token& ring_token) -> Result<std::vector<std::string>> {
    CAIRN_ASSIGN_OR_RETURN(Replicas r, ReplicasFor(ks, ring_token, false));
    CAIRN_RETURN_IF_ERROR(ValidateForRead(cl, r.layout));
    std::vector<std::string> live = SortByProximity(local_endpoint_, r.live, *snitch, &latency_);
    Status st = AssureSufficientLive(cl, r.layout, live, 0, *snitch, local_dc);
    if (!st.ok()) {
      counters_->unavailables++;
      return st;
    }
    return FilterForQuery(cl, r.layout, live, *snitch, local_dc);
  };
  for (; source < bounds.size(); ++source) {
    const KeyBounds& b = bounds[source];
    if (local_only) {
      add({local_endpoint_}, b);
      continue;
    }
    const std::vector<Token>& ring_tokens = tm->SortedTokens();
    RingPosition pos = b.start;
    bool inclusive = b.start_inclusive;
    for (size_t guard = 0; guard <= ring_tokens.size() + 1; ++guard) {
      // The ring range holding the first key after `pos`.
      size_t idx = 0;
      bool past_last = false;
      if (pos.kind == RingPosition::Kind::kKey || pos.kind == RingPosition::Kind::kTokenEnd) {
        auto it = pos.kind == RingPosition::Kind::kKey
                      ? std::lower_bound(ring_tokens.begin(), ring_tokens.end(), pos.token)
                      : std::upper_bound(ring_tokens.begin(), ring_tokens.end(), pos.token);
        if (it == ring_tokens.end()) {
          past_last = true;
          idx = 0;
        } else {
          idx = static_cast<size_t>(it - ring_tokens.begin());
        }
      } else if (pos.kind == RingPosition::Kind::kAfterAll) {
        break;
      }
      RingPosition range_end =
          past_last ? RingPosition::AfterAll() : RingPosition::TokenEnd(ring_tokens[idx]);
      const bool last = ComparePositions(b.end, range_end) <= 0;
      KeyBounds sub{pos, inclusive, last ? b.end : range_end};
      CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> targets, targets_for(ring_tokens[idx]));
      add(std::move(targets), std::move(sub));
      if (last) break;
      pos = range_end;
      inclusive = false;
    }
  }

  const int64_t timeout_ms = options_.range_request_timeout_ms;
  for (Group& g : groups) {
    std::vector<KeyBounds> remaining = g.bounds;
    while (!remaining.empty()) {
      counters_->range_pages++;
      const int64_t deadline = DeadlineAfterMs(static_cast<int>(timeout_ms));
      auto call = std::make_shared<ReadCall>();
      std::optional<std::string> local;
      for (const std::string& ep : g.targets) {
        if (IsLocal(ep)) {
          local = ep;
          continue;
        }
        auto to = EndpointOf(ep);
        if (!to.ok() || messaging_ == nullptr) {
          call->Fail(to.ok() ? Status::Unavailable(ep) : to.status());
          continue;
        }
        wire::RangeSliceCommand cmd;
        cmd.keyspace = ks.name;
        cmd.table_id = table_id;
        cmd.bounds = BoundsToWire(remaining);
        cmd.filter = FilterToWire(filter);
        cmd.max_rows = page_rows;
        const int64_t sent = clock_->MonotonicNanos();
        Status st = messaging_->SendRequest(
            *to, wire::Verb::RANGE_SLICE, cmd, std::chrono::milliseconds(timeout_ms),
            [this, call, ep, sent](Result<net::Message> res) {
              if (!res.ok()) {
                call->Fail(res.status());
                return;
              }
              latency_.Record(ep, (clock_->MonotonicNanos() - sent) / 1000);
              wire::RangeSliceResponse resp;
              Status st = net::Deserialize(res->payload, &resp);
              ReadCall::Response out;
              out.endpoint = ep;
              out.has_data = true;
              for (const wire::KeyedPartition& kp : resp.partitions) {
                if (!st.ok()) break;
                auto p = DecodePartition(kp.partition);
                if (!p.ok()) {
                  st = p.status();
                  break;
                }
                out.rows.emplace_back(db_->Decorate(kp.key), std::move(*p));
              }
              if (!st.ok()) {
                call->Fail(st);
                return;
              }
              call->Add(std::move(out));
            },
            net::CallbackThread::kNetworkOnSuccess);
        if (!st.ok()) call->Fail(st);
      }
      if (local.has_value()) {
        auto rows = LocalRange(table_id, remaining, filter, page_rows);
        if (!rows.ok()) {
          call->Fail(rows.status(), /*local=*/true);
        } else {
          ReadCall::Response out;
          out.endpoint = *local;
          out.has_data = true;
          out.rows = std::move(*rows);
          call->Add(std::move(out));
        }
      }
      std::vector<ReadCall::Response> responses;
      {
        std::unique_lock lock(call->mu);
        bool ok = WaitUntil(lock, call->cv, clock_, deadline, [&] {
          return call->failures > 0 ||
                 call->responses.size() >= g.targets.size();
        });
        if (call->failures > 0 && !call->failure.IsTimedOut()) return call->failure;
        if (!ok || call->failures > 0) {
          if (call->failures > 0) {
            CAIRN_LOG_EVERY_N_SEC(WARN, 10) << "range read failed: " << call->failure.ToString();
          }
          counters_->read_timeouts++;
          return Status::TimedOut("Operation timed out - received only " +
                                  std::to_string(call->responses.size()) + " responses.");
        }
        responses = std::move(call->responses);
      }
      // Merge by key; cut at the smallest last key of a full page.
      std::optional<DecoratedKey> cutoff;
      for (const auto& resp : responses) {
        if (static_cast<int32_t>(resp.rows.size()) >= page_rows) {
          const DecoratedKey& last = resp.rows.back().first;
          if (!cutoff.has_value() || last < *cutoff) cutoff = last;
        }
      }
      std::map<DecoratedKey, PartitionUpdate> merged;
      const int32_t now = clock_->NowSeconds();
      for (const auto& resp : responses) {
        for (const auto& [k, p] : resp.rows) {
          if (cutoff.has_value() && *cutoff < k) break;
          auto [it, inserted] = merged.try_emplace(k, p);
          if (!inserted) it->second.MergeFrom(p, cmp, now);
        }
      }
      if (responses.size() > 1) {
        // Blocking repair of replicas that lack something of the merged rows.
        auto repairs = std::make_shared<WriteCall>();
        std::vector<std::tuple<std::string, std::string, PartitionUpdate>> to_send;
        for (const auto& resp : responses) {
          std::map<DecoratedKey, const PartitionUpdate*> theirs;
          for (const auto& [k, p] : resp.rows) theirs.emplace(k, &p);
          for (const auto& [k, p] : merged) {
            auto it = theirs.find(k);
            std::optional<PartitionUpdate> version;
            if (it != theirs.end()) version = *it->second;
            PartitionUpdate diff = Diff(p, version, cmp);
            if (!diff.empty()) to_send.emplace_back(resp.endpoint, k.key, std::move(diff));
          }
        }
        if (!to_send.empty()) {
          repairs->outstanding = static_cast<int>(to_send.size());
          for (auto& [ep, key, diff] : to_send) {
            counters_->read_repairs_sent++;
            SendRepair(ep, table, key, std::move(diff), repairs);
          }
          std::unique_lock rl(repairs->mu);
          bool done = WaitUntil(rl, repairs->cv, clock_, deadline,
                                [&] { return repairs->outstanding <= 0; });
          if (!done || !repairs->failure.ok()) {
            counters_->read_timeouts++;
            return Status::TimedOut("Operation timed out - range read repair was not acknowledged");
          }
        }
      }
      for (auto& [k, p] : merged) {
        if (!visit(k, std::move(p))) return Status::OK();
      }
      if (!cutoff.has_value()) break;
      // Go on after the cut.
      remaining = BoundsAfter(remaining, *cutoff);
    }
  }
  return Status::OK();
}

// ---- Batch log -----------------------------------------------------------------------

Status StorageProxy::MutateAtomically(const KeyspaceSchema& keyspace,
                                      std::vector<Mutation> mutations, ConsistencyLevel cl,
                                      WriteOutcome* outcome) {
  std::shared_ptr<const ring::Snitch> snitch = cluster_->snitch();
  const std::string local_dc = snitch->GetDatacenter(local_endpoint_);
  // The CL is checked before the batch is logged (Cassandra's order).
  for (const Mutation& m : mutations) {
    CAIRN_ASSIGN_OR_RETURN(Replicas r, ReplicasFor(keyspace, db_->Decorate(m.key).token, true));
    CAIRN_RETURN_IF_ERROR(ValidateForWrite(cl, r.layout));
    Status st = AssureSufficientLiveForWrite(cl, r.layout, r.live, r.pending, *snitch, local_dc);
    if (!st.ok()) {
      counters_->unavailables++;
      return st;
    }
  }
  // Up to two other live members, other racks first (Cassandra's batchlog endpoints).
  std::vector<std::string> holders;
  if (messaging_ != nullptr) {
    auto tm = cluster_->token_metadata();
    std::vector<std::string> candidates;
    for (const std::string& ep : tm->GetNormalEndpoints()) {
      if (!IsLocal(ep) && cluster_->IsAlive(ep)) candidates.push_back(ep);
    }
    {
      std::lock_guard lock(rng_mu_);
      std::shuffle(candidates.begin(), candidates.end(), rng_);
    }
    const std::string local_rack = snitch->GetRack(local_endpoint_);
    std::stable_sort(candidates.begin(), candidates.end(), [&](const std::string& a, const std::string& b) {
      return (snitch->GetRack(a) != local_rack) > (snitch->GetRack(b) != local_rack);
    });
    for (const std::string& ep : candidates) {
      if (holders.size() == 2) break;
      holders.push_back(ep);
    }
  }
  wire::BatchStore batch;
  {
    std::lock_guard lock(rng_mu_);
    batch.id.resize(16);
    for (auto& c : batch.id) c = static_cast<char>(rng_());
  }
  batch.written_at_us = clock_->NowMicros();
  for (const Mutation& m : mutations) {
    std::string e;
    m.EncodeTo(&e);
    batch.mutations.push_back(std::move(e));
  }
  bool stored_locally = false;
  if (holders.empty()) {
    if (batchlog_ != nullptr) {
      hints::StoredBatch sb{batch.id, batch.written_at_us, batch.mutations};
      CAIRN_RETURN_IF_ERROR(batchlog_->Store(sb));
      stored_locally = true;
    }
  } else {
    auto call = std::make_shared<WriteCall>();
    call->outstanding = static_cast<int>(holders.size());
    for (const std::string& ep : holders) {
      auto to = EndpointOf(ep);
      if (!to.ok()) {
        call->Fail(ep, to.status(), false);
        continue;
      }
      Status st = messaging_->SendRequest(
          *to, wire::Verb::BATCH_STORE, batch,
          std::chrono::milliseconds(options_.write_request_timeout_ms),
          [call, ep](Result<net::Message> res) {
            if (res.ok()) {
              call->Ack(ep);
            } else {
              call->Fail(ep, res.status(), false);
            }
          });
      if (!st.ok()) call->Fail(ep, st, false);
    }
    std::unique_lock lock(call->mu);
    bool done = WaitUntil(lock, call->cv, clock_, DeadlineAfterMs(options_.write_request_timeout_ms),
                          [&] { return call->outstanding <= 0; });
    if (!done || !call->failure.ok()) {
      if (outcome != nullptr) {
        outcome->acknowledged_by = 0;
        outcome->batchlog_written = false;
      }
      counters_->write_timeouts++;
      return Status::TimedOut("Operation timed out - the batch log was not written");
    }
  }
  counters_->batches_stored++;
  Status st = Mutate(keyspace, std::move(mutations), cl, outcome);
  if (!st.ok()) {
    if (outcome != nullptr) outcome->batchlog_written = true;
    return st;  // the batch log replays it
  }
  if (stored_locally) {
    batchlog_->Remove(batch.id).IgnoreError();
  }
  wire::BatchRemove remove;
  remove.id = batch.id;
  for (const std::string& ep : holders) {
    auto to = EndpointOf(ep);
    if (to.ok()) messaging_->SendOneWay(*to, wire::Verb::BATCH_REMOVE, remove).IgnoreError();
  }
  return Status::OK();
}

// ---- Truncate ------------------------------------------------------------------------

Status StorageProxy::Truncate(const std::string& keyspace, const std::string& table) {
  std::vector<std::string> members;
  auto tm = cluster_->token_metadata();
  if (tm != nullptr) members = tm->GetNormalEndpoints();
  for (const std::string& ep : members) {
    if (!IsLocal(ep) && !cluster_->IsAlive(ep)) {
      counters_->unavailables++;
      return Status::Unavailable("Cannot perform truncate operation: some hosts are down");
    }
  }
  const TableId new_id = NewTableId();
  auto call = std::make_shared<WriteCall>();
  std::vector<std::string> remote;
  for (const std::string& ep : members) {
    if (!IsLocal(ep)) remote.push_back(ep);
  }
  call->outstanding = static_cast<int>(remote.size());
  wire::TruncateRequest req;
  req.keyspace = keyspace;
  req.table = table;
  req.new_table_id = new_id;
  for (const std::string& ep : remote) {
    auto to = EndpointOf(ep);
    if (!to.ok() || messaging_ == nullptr) {
      call->Fail(ep, to.ok() ? Status::Unavailable(ep) : to.status(), false);
      continue;
    }
    Status st = messaging_->SendRequest(
        *to, wire::Verb::TRUNCATE, req,
        std::chrono::milliseconds(options_.truncate_request_timeout_ms),
        [call, ep](Result<net::Message> res) {
          if (res.ok()) {
            call->Ack(ep);
          } else {
            call->Fail(ep, res.status(), false);
          }
        });
    if (!st.ok()) call->Fail(ep, st, false);
  }
  CAIRN_RETURN_IF_ERROR(db_->Truncate(keyspace, table, new_id));
  std::unique_lock lock(call->mu);
  bool done = WaitUntil(lock, call->cv, clock_, DeadlineAfterMs(options_.truncate_request_timeout_ms),
                        [&] { return call->outstanding <= 0; });
  if (!done) return Status::TimedOut("Operation timed out - truncate was not acknowledged by every node");
  if (!call->failure.ok()) {
    if (call->failure.IsTimedOut()) return call->failure;
    return Status::TimedOut("truncate failed on a replica: " + call->failure.ToString());
  }
  return Status::OK();
}

// ---- Verb handlers -------------------------------------------------------------------

void StorageProxy::HandleMutation(net::Message msg) {
  wire::MutationMessage m;
  Status st = net::Deserialize(msg.payload, &m);
  Mutation mutation;
  if (st.ok()) st = Mutation::Decode(m.mutation, &mutation);
  if (!st.ok()) {
    messaging_->SendFailureResponse(msg, wire::FailureReason::INVALID, st.ToString()).IgnoreError();
    return;
  }
  // Answered when the write is acknowledged (batch mode: on the commit log's sync thread
  // after the group's fdatasync), holding no thread meanwhile.
  msg.payload.clear();
  db_->ApplyAsync(std::move(mutation), [this, msg = std::move(msg)](const Status& applied) {
    if (!applied.ok()) {
      RespondWriteFailure(msg, applied);
      return;
    }
    messaging_->SendResponse(msg, net::Serialize(wire::MutationAck{})).IgnoreError();
  });
}

void StorageProxy::RespondWriteFailure(const net::Message& msg, const Status& st) {
  CAIRN_LOG_EVERY_N_SEC(WARN, 10) << "cannot apply a " << net::VerbName(msg.verb) << " from "
                                  << msg.from.ToString() << ": " << st.ToString();
  // INVALID: this can never apply here (a table this node does not have: dropped, or not
  // yet known); HANDLER_ERROR: it may later (disk, overload).
  messaging_->SendFailureResponse(msg,
                                  st.IsInvalidArgument() ? wire::FailureReason::INVALID
                                                         : wire::FailureReason::HANDLER_ERROR,
                                  st.ToString())
      .IgnoreError();
}

void StorageProxy::HandleRead(net::Message msg) {
  wire::ReadCommand cmd;
  Status st = net::Deserialize(msg.payload, &cmd);
  Result<CellFilter> filter = st.ok() ? FilterFromWire(cmd.filter) : Result<CellFilter>(st);
  if (!filter.ok()) {
    messaging_->SendFailureResponse(msg, wire::FailureReason::INVALID, filter.status().ToString()).IgnoreError();
    return;
  }
  auto res = LocalRead(cmd.table_id, cmd.key, *filter);
  if (!res.ok()) {
    messaging_->SendFailureResponse(msg, wire::FailureReason::HANDLER_ERROR, res.status().ToString()).IgnoreError();
    return;
  }
  wire::ReadResponse resp;
  resp.digest = DigestOf(*res);
  if (!cmd.digest_only && res->has_value()) resp.__set_data(EncodePartition(**res));
  messaging_->SendResponse(msg, net::Serialize(resp)).IgnoreError();
}

void StorageProxy::HandleRangeSlice(net::Message msg) {
  wire::RangeSliceCommand cmd;
  Status st = net::Deserialize(msg.payload, &cmd);
  Result<CellFilter> filter = st.ok() ? FilterFromWire(cmd.filter) : Result<CellFilter>(st);
  Result<std::vector<KeyBounds>> bounds =
      filter.ok() ? BoundsFromWire(cmd.bounds) : Result<std::vector<KeyBounds>>(filter.status());
  if (!bounds.ok() || cmd.max_rows <= 0) {
    messaging_->SendFailureResponse(msg, wire::FailureReason::INVALID,
                                    bounds.ok() ? "max_rows must be positive" : bounds.status().ToString())
        .IgnoreError();
    return;
  }
  auto rows = LocalRange(cmd.table_id, *bounds, *filter, cmd.max_rows);
  if (!rows.ok()) {
    messaging_->SendFailureResponse(msg, wire::FailureReason::HANDLER_ERROR, rows.status().ToString()).IgnoreError();
    return;
  }
  wire::RangeSliceResponse resp;
  resp.partitions.reserve(rows->size());
  for (const auto& [k, p] : *rows) {
    wire::KeyedPartition kp;
    kp.key = k.key;
    kp.partition = EncodePartition(p);
    resp.partitions.push_back(std::move(kp));
  }
  messaging_->SendResponse(msg, net::Serialize(resp)).IgnoreError();
}

void StorageProxy::HandleBatchStore(net::Message msg) {
  wire::BatchStore batch;
  Status st = net::Deserialize(msg.payload, &batch);
  if (!st.ok()) {
    messaging_->SendFailureResponse(msg, wire::FailureReason::INVALID, st.ToString()).IgnoreError();
    return;
  }
  if (batchlog_ == nullptr) {
    messaging_->SendFailureResponse(msg, wire::FailureReason::HANDLER_ERROR, "no batch log on this node").IgnoreError();
    return;
  }
  st = batchlog_->Store(hints::StoredBatch{batch.id, batch.written_at_us, batch.mutations});
  if (!st.ok()) {
    messaging_->SendFailureResponse(msg, wire::FailureReason::HANDLER_ERROR, st.ToString()).IgnoreError();
    return;
  }
  messaging_->SendResponse(msg, net::Serialize(wire::MutationAck{})).IgnoreError();
}

void StorageProxy::HandleBatchRemove(net::Message msg) {
  wire::BatchRemove remove;
  if (!net::Deserialize(msg.payload, &remove).ok() || batchlog_ == nullptr) return;
  Status st = batchlog_->Remove(remove.id);
  if (!st.ok()) CAIRN_LOG(WARN) << "cannot remove a batch from the batch log: " << st.ToString();
}

void StorageProxy::HandleTruncate(net::Message msg) {
  wire::TruncateRequest req;
  Status st = net::Deserialize(msg.payload, &req);
  if (!st.ok()) {
    messaging_->SendFailureResponse(msg, wire::FailureReason::INVALID, st.ToString()).IgnoreError();
    return;
  }
  st = db_->Truncate(req.keyspace, req.table, req.new_table_id);
  if (!st.ok()) {
    messaging_->SendFailureResponse(msg, wire::FailureReason::HANDLER_ERROR, st.ToString()).IgnoreError();
    return;
  }
  messaging_->SendResponse(msg, net::Serialize(wire::TruncateResponse{})).IgnoreError();
}

void StorageProxy::HandleHintTransfer(net::Message msg) {
  wire::HintTransfer transfer;
  Status st = net::Deserialize(msg.payload, &transfer);
  if (!st.ok()) {
    messaging_->SendFailureResponse(msg, wire::FailureReason::INVALID, st.ToString()).IgnoreError();
    return;
  }
  if (hints_ == nullptr) {
    st = Status::NotSupported("hinted handoff is disabled on this node");
  }
  for (const wire::TransferredHint& h : transfer.hints) {
    if (!st.ok()) break;
    st = hints_->Store(transfer.target_host_id, h.created_at_us, h.mutation);
    if (st.ok()) counters_->hints_stored++;
  }
  if (!st.ok()) {
    messaging_->SendFailureResponse(msg, wire::FailureReason::HANDLER_ERROR, st.ToString()).IgnoreError();
    return;
  }
  messaging_->SendResponse(msg, net::Serialize(wire::MutationAck{})).IgnoreError();
}

Result<uint64_t> StorageProxy::TransferHints(const std::string& to) {
  if (hints_ == nullptr || messaging_ == nullptr) return uint64_t{0};
  CAIRN_ASSIGN_OR_RETURN(net::Endpoint endpoint, EndpointOf(to));
  // One hint per request: HintStore checkpoints each hint whose send() returned OK, so a
  // hint may be acknowledged to it only once the other node has stored it.
  constexpr size_t kBatchHints = 1;
  uint64_t moved = 0;
  for (const std::string& host : hints_->HostsWithHints()) {
    wire::HintTransfer batch;
    batch.target_host_id = host;
    auto flush = [&]() -> Status {
      if (batch.hints.empty()) return Status::OK();
      auto promise = std::make_shared<std::promise<Status>>();
      auto future = promise->get_future();
      CAIRN_RETURN_IF_ERROR(messaging_->SendRequest(
          endpoint, wire::Verb::HINT_TRANSFER, batch,
          std::chrono::milliseconds(options_.write_request_timeout_ms * 10),
          [promise](Result<net::Message> res) { promise->set_value(res.status()); }));
      CAIRN_RETURN_IF_ERROR(future.get());
      moved += batch.hints.size();
      batch.hints.clear();
      return Status::OK();
    };
    hints::HintDeliveryStats stats;
    Status st = hints_->Deliver(
        host, /*expire_before_micros=*/0,
        [&](const hints::Hint& h) -> Status {
          wire::TransferredHint th;
          th.created_at_us = h.created_at_micros;
          th.mutation = h.mutation;
          batch.hints.push_back(std::move(th));
          return batch.hints.size() >= kBatchHints ? flush() : Status::OK();
        },
        &stats);
    if (st.ok()) st = flush();
    if (!st.ok()) {
      return Status::IOError("hint transfer to " + to + " stopped after " +
                             std::to_string(moved) + " hints: " + st.ToString());
    }
  }
  CAIRN_LOG(INFO) << "transferred " << moved << " hints to " << to;
  return moved;
}

// ---- Background: hint delivery and batch log replay -----------------------------------

void StorageProxy::BackgroundLoop() {
  std::unique_lock lock(bg_mu_);
  while (!bg_stop_) {
    bg_cv_.wait_for(lock, std::chrono::milliseconds(options_.hint_delivery_interval_ms));
    if (bg_stop_) break;
    lock.unlock();
    DeliverHints();
    ReplayBatches();
    lock.lock();
  }
}

void StorageProxy::RunBackgroundRoundForTest() {
  DeliverHints();
  ReplayBatches();
}

namespace {
constexpr int64_t kHintDropGraceNanos = 120LL * 1'000'000'000;
}  // namespace

void StorageProxy::DeliverHints() {
  if (hints_ == nullptr || messaging_ == nullptr) return;
  auto tm = cluster_->token_metadata();
  for (const std::string& host : hints_->HostsWithHints()) {
    {
      std::lock_guard lock(bg_mu_);
      if (bg_stop_) return;
    }
    std::optional<std::string> ep = tm->GetEndpointForHostId(host);
    if (!ep.has_value()) {
      // A node that just started may not know the whole ring yet: hints for hosts it has
      // not heard of are kept until it has been up for kHintDropGraceNanos.
      if (clock_->MonotonicNanos() - started_at_ns_ < kHintDropGraceNanos) continue;
      uint64_t n = hints_->PendingHints(host);
      CAIRN_LOG(INFO) << "dropping " << n << " hints for host " << host
                      << ": it is no longer in the ring";
      hints_->DeleteHints(host).IgnoreError();
      counters_->hints_dropped += n;
      continue;
    }
    if (!cluster_->IsAlive(*ep)) continue;
    // Only to a replica that has our schema, so it knows every table a hint may touch
    // (Cassandra's HintsDispatchTrigger does the same).
    {
      const std::string ours = db_->schema()->version;
      const auto versions = cluster_->SchemaVersions();
      auto it = versions.find(ours);
      if (it == versions.end() ||
          std::find(it->second.begin(), it->second.end(), *ep) == it->second.end()) {
        continue;
      }
    }
    auto to = EndpointOf(*ep);
    if (!to.ok()) continue;
    const uint64_t pending = hints_->PendingHints(host);
    CAIRN_LOG(INFO) << "delivering " << pending << " hints to " << *ep << " (" << host << ")";
    const int64_t started = clock_->MonotonicNanos();
    uint64_t bytes = 0;
    uint64_t dropped = 0;
    hints::HintDeliveryStats stats;
    // Hints older than gc_grace (10 days, Cassandra's default) would resurrect data
    // deleted since; they are dropped.
    const int64_t expire_before = clock_->NowMicros() - 864000LL * 1'000'000;
    Status st = hints_->Deliver(
        host, expire_before,
        [&](const hints::Hint& h) -> Status {
          {
            std::lock_guard lock(bg_mu_);
            if (bg_stop_) return Status::Aborted("stopping");
          }
          wire::MutationMessage m;
          m.mutation = h.mutation;
          auto promise = std::make_shared<std::promise<Status>>();
          auto future = promise->get_future();
          Status sent = messaging_->SendRequest(
              *to, wire::Verb::HINT, m, std::chrono::milliseconds(options_.write_request_timeout_ms),
              [promise](Result<net::Message> res) { promise->set_value(res.status()); });
          if (!sent.ok()) return sent;
          Status result = future.get();
          if (result.IsInvalidArgument() && !TablesExist(h.mutation)) {
            // The replica cannot apply it because its table was dropped: skip it.
            CAIRN_LOG_EVERY_N_SEC(INFO, 60) << "dropping a hint " << *ep << " refused: " << result.ToString();
            counters_->hints_dropped++;
            ++dropped;
            return Status::OK();
          }
          if (!result.ok()) return result;
          counters_->hints_delivered++;
          bytes += h.mutation.size();
          // Throttle: hinted_handoff_throttle_kb per second.
          const double budget_s =
              static_cast<double>(bytes) / (1024.0 * std::max(1, options_.hinted_handoff_throttle_kb));
          const double spent_s = static_cast<double>(clock_->MonotonicNanos() - started) / 1e9;
          if (budget_s > spent_s) {
            std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>((budget_s - spent_s) * 1e6)));
          }
          return Status::OK();
        },
        &stats);
    counters_->hints_dropped += stats.skipped_corrupt + stats.expired;
    if (st.ok()) {
      CAIRN_LOG(INFO) << "finished hint delivery to " << *ep << ": " << stats.delivered - dropped
                      << " delivered, " << dropped + stats.expired << " dropped in "
                      << (clock_->MonotonicNanos() - started) / 1'000'000 << " ms";
    } else {
      CAIRN_LOG(INFO) << "hint delivery to " << *ep << " paused after " << stats.delivered
                      << " hints: " << st.ToString();
    }
  }
}

bool StorageProxy::TablesExist(const std::string& encoded_mutation) const {
  Mutation m;
  if (!Mutation::Decode(encoded_mutation, &m).ok()) return false;
  for (const Mutation::Update& u : m.updates) {
    if (db_->Store(u.table_id) == nullptr) return false;
  }
  return true;
}

void StorageProxy::ReplayBatches() {
  if (batchlog_ == nullptr) return;
  const int64_t cutoff = clock_->NowMicros() - static_cast<int64_t>(options_.batchlog_replay_timeout_ms) * 1000;
  for (const hints::StoredBatch& b : batchlog_->OlderThan(cutoff)) {
    {
      std::lock_guard lock(bg_mu_);
      if (bg_stop_) return;
    }
    std::vector<Mutation> mutations;
    bool ok = true;
    for (const std::string& e : b.mutations) {
      Mutation m;
      Status st = Mutation::Decode(e, &m);
      if (!st.ok()) {
        CAIRN_LOG(ERROR) << "dropping an undecodable batch from the batch log: " << st.ToString();
        ok = false;
        break;
      }
      mutations.push_back(std::move(m));
    }
    if (!ok) {
      batchlog_->Remove(b.id).IgnoreError();
      continue;
    }
    // Every replica gets the batch or a hint (ANY), one keyspace at a time.
    auto schema = db_->schema();
    std::map<std::string, std::vector<Mutation>> by_keyspace;
    for (Mutation& m : mutations) by_keyspace[m.keyspace].push_back(std::move(m));
    Status st;
    for (auto& [ks_name, ms] : by_keyspace) {
      const KeyspaceSchema* ks = schema->FindKeyspace(ks_name);
      if (ks == nullptr) continue;  // dropped since
      Status s = Mutate(*ks, std::move(ms), ConsistencyLevel::ANY, nullptr);
      if (!s.ok() && st.ok()) st = s;
    }
    if (st.ok()) {
      counters_->batches_replayed++;
      CAIRN_LOG(INFO) << "replayed a batch of " << b.mutations.size() << " mutations from the batch log";
      batchlog_->Remove(b.id).IgnoreError();
    } else {
      CAIRN_LOG_EVERY_N_SEC(INFO, 30) << "batch log replay will retry: " << st.ToString();
    }
  }
}

}  // namespace cairn::node
