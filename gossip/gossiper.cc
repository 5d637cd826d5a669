// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "gossip/gossiper.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>

#include "common/logging.h"

namespace cairn::gossip {
namespace {

constexpr int64_t kNanosPerMilli = 1'000'000;

uint64_t SeedFor(uint64_t configured) {
  if (configured != 0) return configured;
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

std::map<std::string, std::vector<std::string>> SchemaVersionsOf(
    const std::string& local, const std::map<std::string, EndpointState>& states) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [endpoint, state] : states) {
    bool is_local = endpoint == local;
    if (!is_local && state.IsDeadState()) continue;
    if (!is_local && !state.is_alive) {
      out["UNREACHABLE"].push_back(endpoint);
      continue;
    }
    const std::string& schema = state.GetValue(ApplicationState::kSchema);
    out[schema.empty() ? std::string("UNKNOWN") : schema].push_back(endpoint);
  }
  return out;
}

}  // namespace

std::map<std::string, std::vector<std::string>> GossipSnapshot::SchemaVersions() const {
  return SchemaVersionsOf(local_endpoint, states);
}

int32_t NextGeneration(std::optional<int32_t> stored_generation, const Clock& clock) {
  int32_t now = clock.NowSeconds();
  if (stored_generation.has_value() && *stored_generation + 1 >= now) {
    CAIRN_LOG(WARN) << "using stored gossip generation " << *stored_generation + 1
                    << " as it is not older than the current time " << now
                    << " (see CASSANDRA-3654)";
    return *stored_generation + 1;
  }
  return now;
}

Gossiper::Gossiper(std::string local_endpoint, GossiperOptions options, GossipTransport* transport,
                   const Clock* clock)
    : local_endpoint_(std::move(local_endpoint)),
      options_(std::move(options)),
      transport_(transport),
      clock_(clock),
      fd_(options_.failure_detector, clock),
      rng_(SeedFor(options_.random_seed)) {
  assert(transport_ != nullptr && clock_ != nullptr);
  for (const auto& seed : options_.seeds) {
    if (seed != local_endpoint_) seeds_.insert(seed);
  }
}

Gossiper::~Gossiper() = default;

template <typename F>
void Gossiper::ForEachSubscriber(F&& f) {
  ++in_callback_;
  for (EndpointStateChangeSubscriber* s : subscribers_) f(s);
  --in_callback_;
}

void Gossiper::Register(EndpointStateChangeSubscriber* subscriber) {
  assert(in_callback_ == 0);
  subscribers_.push_back(subscriber);
}

void Gossiper::Unregister(EndpointStateChangeSubscriber* subscriber) {
  assert(in_callback_ == 0);
  subscribers_.erase(std::remove(subscribers_.begin(), subscribers_.end(), subscriber),
                     subscribers_.end());
}

EndpointState& Gossiper::LocalState() {
  auto it = states_.find(local_endpoint_);
  assert(it != states_.end());
  return it->second;
}

void Gossiper::Start(int32_t generation,
                     const std::vector<std::pair<ApplicationState, std::string>>& preload) {
  assert(!started_ && in_callback_ == 0);
  started_ = true;
  enabled_ = true;
  EndpointState local;
  local.heartbeat.generation = generation;
  local.heartbeat.version = 0;
  local.is_alive = true;
  local.update_timestamp_nanos = clock_->MonotonicNanos();
  for (const auto& [key, value] : preload) local.states[key] = VersionedValue{value, NextVersion()};
  states_[local_endpoint_] = std::move(local);
  CAIRN_LOG(INFO) << "gossip started on " << local_endpoint_ << " with generation " << generation;
  PublishSnapshot();
}

// ---------------------------------------------------------------------------------------
// The gossip round.

void Gossiper::Tick() {
  assert(in_callback_ == 0);
  if (!enabled_) return;
  LocalState().heartbeat.version = NextVersion();

  GossipDigestSyn syn;
  syn.cluster_name = options_.cluster_name;
  syn.partitioner = options_.partitioner;
  syn.digests = MakeRandomGossipDigests();
  bool gossiped_to_seed = GossipToLiveMember(syn);
  MaybeGossipToUnreachableMember(syn);
  // Gossip to a seed if we did not above, or if we see fewer live peers than there are
  // seeds: otherwise groups of nodes could each talk only to their own subset of the
  // seeds and never merge (CASSANDRA-150).
  if (!gossiped_to_seed || live_.size() < seeds_.size()) MaybeGossipToSeed(syn);
  DoStatusCheck();
  PublishSnapshot();
}

std::vector<GossipDigest> Gossiper::MakeRandomGossipDigests() {
  std::vector<GossipDigest> digests;
  digests.reserve(states_.size());
  for (const auto& [endpoint, state] : states_) {
    digests.push_back(GossipDigest{endpoint, state.heartbeat.generation, state.MaxVersion()});
  }
  // Random order, as Cassandra's makeRandomGossipDigest: should a transport ever truncate,
  // no endpoint is always last.
  std::shuffle(digests.begin(), digests.end(), rng_);
  return digests;
}

bool Gossiper::SendGossip(const GossipDigestSyn& syn, const std::vector<std::string>& candidates) {
  if (candidates.empty()) return false;
  size_t index = 0;
  if (candidates.size() > 1) {
    index = std::uniform_int_distribution<size_t>(0, candidates.size() - 1)(rng_);
  }
  const std::string& to = candidates[index];
  bool is_seed = seeds_.count(to) != 0;
  Send(to, syn);
  return is_seed;
}

bool Gossiper::GossipToLiveMember(const GossipDigestSyn& syn) {
  if (live_.empty()) return false;
  return SendGossip(syn, std::vector<std::string>(live_.begin(), live_.end()));
}

void Gossiper::MaybeGossipToUnreachableMember(const GossipDigestSyn& syn) {
  if (unreachable_.empty()) return;
  double probability =
      static_cast<double>(unreachable_.size()) / (static_cast<double>(live_.size()) + 1);
  if (std::uniform_real_distribution<double>(0, 1)(rng_) >= probability) return;
  std::vector<std::string> candidates;
  for (const auto& [endpoint, since] : unreachable_) {
    auto it = states_.find(endpoint);
    // Endpoints in a dead state (LEFT, removed, ...) are not worth waking up (as 4.0).
    if (it != states_.end() && !it->second.IsDeadState()) candidates.push_back(endpoint);
  }
  SendGossip(syn, candidates);
}

void Gossiper::MaybeGossipToSeed(const GossipDigestSyn& syn) {
  if (seeds_.empty()) return;  // the local endpoint is never in seeds_
  std::vector<std::string> seeds(seeds_.begin(), seeds_.end());
  if (live_.empty()) {
    SendGossip(syn, seeds);
    return;
  }
  double probability =
      static_cast<double>(seeds_.size()) / static_cast<double>(live_.size() + unreachable_.size());
  if (std::uniform_real_distribution<double>(0, 1)(rng_) <= probability) SendGossip(syn, seeds);
}

void Gossiper::DoStatusCheck() {
  int64_t now_ms = NowMillis();
  std::vector<std::string> to_evict;
  for (auto& [endpoint, state] : states_) {
    if (endpoint == local_endpoint_) continue;
    if (fd_.Interpret(endpoint)) Convict(endpoint);
    auto expire = expire_time_.find(endpoint);
    if (!state.is_alive && expire != expire_time_.end() && now_ms > expire->second) {
      to_evict.push_back(endpoint);
    }
  }
  for (const auto& endpoint : to_evict) {
    CAIRN_LOG(INFO) << "evicting " << endpoint << " from gossip: its expire time has passed";
    EvictFromMembership(endpoint);
  }
  for (auto it = just_removed_.begin(); it != just_removed_.end();) {
    if (now_ms - it->second > options_.quarantine_delay_ms) {
      it = just_removed_.erase(it);
    } else {
      ++it;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Messages.

void Gossiper::Send(const std::string& to, GossipMessage msg) {
  transport_->Send(to, std::move(msg));
}

void Gossiper::Handle(const std::string& from, const GossipMessage& msg) {
  assert(in_callback_ == 0);
  if (!enabled_) return;
  switch (VerbOf(msg)) {
    case GossipVerb::kSyn:
      HandleSyn(from, std::get<GossipDigestSyn>(msg));
      break;
    case GossipVerb::kAck:
      HandleAck(from, std::get<GossipDigestAck>(msg));
      break;
    case GossipVerb::kAck2:
      HandleAck2(from, std::get<GossipDigestAck2>(msg));
      break;
    case GossipVerb::kEcho:
      Send(from, EchoReply{});
      break;
    case GossipVerb::kEchoReply:
      HandleEchoReply(from);
      break;
    case GossipVerb::kShutdown:
      HandleShutdown(from);
      break;
  }
}

void Gossiper::HandleSyn(const std::string& from, const GossipDigestSyn& syn) {
  if (syn.cluster_name != options_.cluster_name) {
    CAIRN_LOG(WARN) << "ClusterName mismatch from " << from << ": '" << syn.cluster_name << "' != '"
                    << options_.cluster_name << "'";
    return;
  }
  if (!syn.partitioner.empty() && !options_.partitioner.empty() &&
      syn.partitioner != options_.partitioner) {
    CAIRN_LOG(WARN) << "Partitioner mismatch from " << from << ": " << syn.partitioner
                    << " != " << options_.partitioner;
    return;
  }
  std::vector<GossipDigest> digests = syn.digests;
  SortDigestsByDifference(&digests);
  GossipDigestAck ack;
  ExamineGossiper(digests, &ack.digests, &ack.states);
  Send(from, std::move(ack));
}

void Gossiper::HandleAck(const std::string& from, const GossipDigestAck& ack) {
  if (!ack.states.empty()) {
    NotifyFailureDetector(ack.states);
    ApplyStateLocally(ack.states);
  }
  GossipDigestAck2 ack2;
  for (const GossipDigest& digest : ack.digests) {
    std::optional<EndpointState> delta =
        GetStateForVersionBiggerThan(digest.endpoint, digest.max_version);
    if (delta.has_value()) ack2.states.emplace(digest.endpoint, std::move(*delta));
  }
  Send(from, std::move(ack2));
}

void Gossiper::HandleAck2(const std::string& from, const GossipDigestAck2& ack2) {
  (void)from;
  NotifyFailureDetector(ack2.states);
  ApplyStateLocally(ack2.states);
}

void Gossiper::HandleEchoReply(const std::string& from) {
  // Only answers to our own ECHOs count; a stray reply proves nothing about which
  // incarnation answered.
  if (echo_sent_.erase(from) == 0) return;
  auto it = states_.find(from);
  if (it == states_.end() || it->second.is_alive || it->second.IsDeadState()) return;
  if (it->second.GossipStatus() == kStatusShutdown) return;  // announced it is going
  if (IsQuarantined(from)) return;
  RealMarkAlive(from, &it->second);
}

void Gossiper::HandleShutdown(const std::string& from) {
  if (states_.count(from) == 0) return;
  CAIRN_LOG(INFO) << from << " announced shutdown";
  MarkAsShutdown(from);
}

// Sorts the digests so the endpoints on which we differ most from the sender come first
// (Cassandra's GossipDigestSynVerbHandler.doSort). The ACK is built in this order; with
// no size limit on messages it only matters for who is notified first.
void Gossiper::SortDigestsByDifference(std::vector<GossipDigest>* digests) const {
  std::vector<std::pair<int64_t, size_t>> order;
  order.reserve(digests->size());
  for (size_t i = 0; i < digests->size(); ++i) {
    const GossipDigest& d = (*digests)[i];
    auto it = states_.find(d.endpoint);
    int64_t local = it == states_.end() ? 0 : it->second.MaxVersion();
    order.emplace_back(std::llabs(local - static_cast<int64_t>(d.max_version)), i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<GossipDigest> sorted;
  sorted.reserve(digests->size());
  for (const auto& [diff, i] : order) sorted.push_back(std::move((*digests)[i]));
  digests->swap(sorted);
}

// Cassandra's examineGossiper: for every digest the sender sent, decide who is newer.
//   unknown to us, or sender's generation newer  -> request all   (digest gen, version 0)
//   our generation newer                         -> send all      (our state, everything)
//   same generation, sender's version newer      -> request delta (digest gen, our version)
//   same generation, our version newer           -> send delta    (versions > sender's)
// Endpoints the sender did not mention are not offered: new endpoints spread from the
// SYN's sender to its receiver (and via the deltas the receiver asks for).
void Gossiper::ExamineGossiper(const std::vector<GossipDigest>& digests,
                               std::vector<GossipDigest>* requests,
                               std::map<std::string, EndpointState>* deltas) const {
  for (const GossipDigest& digest : digests) {
    if (digest.endpoint.empty()) continue;
    auto it = states_.find(digest.endpoint);
    if (it == states_.end()) {
      requests->push_back(GossipDigest{digest.endpoint, digest.generation, 0});
      continue;
    }
    int32_t local_generation = it->second.heartbeat.generation;
    int32_t local_max_version = it->second.MaxVersion();
    if (digest.generation == local_generation && digest.max_version == local_max_version) {
      continue;
    }
    if (digest.generation > local_generation) {
      requests->push_back(GossipDigest{digest.endpoint, digest.generation, 0});
    } else if (digest.generation < local_generation) {
      std::optional<EndpointState> all = GetStateForVersionBiggerThan(digest.endpoint, 0);
      if (all.has_value()) deltas->emplace(digest.endpoint, std::move(*all));
    } else if (digest.max_version > local_max_version) {
      requests->push_back(GossipDigest{digest.endpoint, digest.generation, local_max_version});
    } else {
      std::optional<EndpointState> newer =
          GetStateForVersionBiggerThan(digest.endpoint, digest.max_version);
      if (newer.has_value()) deltas->emplace(digest.endpoint, std::move(*newer));
    }
  }
}

std::optional<EndpointState> Gossiper::GetStateForVersionBiggerThan(const std::string& endpoint,
                                                                    int32_t version) const {
  auto it = states_.find(endpoint);
  if (it == states_.end()) return std::nullopt;
  const EndpointState& state = it->second;
  std::optional<EndpointState> out;
  // The heartbeat goes along whenever anything does, even if it is not newer itself: the
  // receiver needs the generation, and drops an old heartbeat.
  if (state.heartbeat.version > version) {
    out.emplace();
    out->heartbeat = state.heartbeat;
  }
  for (const auto& [key, value] : state.states) {
    if (value.version <= version) continue;
    if (!out.has_value()) {
      out.emplace();
      out->heartbeat = state.heartbeat;
    }
    out->states.emplace(key, value);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Applying remote state.

// Feeds the failure detector before the states are applied: a newer generation or a newer
// heartbeat version than anything we have is a sign of life (Cassandra's
// notifyFailureDetector). Endpoints we do not know yet are reported in ApplyStateLocally.
void Gossiper::NotifyFailureDetector(const std::map<std::string, EndpointState>& remote) {
  int64_t now = clock_->MonotonicNanos();
  for (const auto& [endpoint, remote_state] : remote) {
    if (endpoint == local_endpoint_ || IsQuarantined(endpoint)) continue;
    auto it = states_.find(endpoint);
    if (it == states_.end()) continue;
    EndpointState& local = it->second;
    if (remote_state.heartbeat.generation > local.heartbeat.generation) {
      local.update_timestamp_nanos = now;
      // It was down and has a new generation: a reboot. Relearn its intervals.
      if (!local.is_alive) fd_.Remove(endpoint);
      fd_.Report(endpoint);
    } else if (remote_state.heartbeat.generation == local.heartbeat.generation &&
               remote_state.heartbeat.version > local.MaxVersion()) {
      local.update_timestamp_nanos = now;
      fd_.Report(endpoint);
    }
  }
}

void Gossiper::ApplyStateLocally(const std::map<std::string, EndpointState>& remote) {
  int64_t now_s = clock_->NowSeconds();
  for (const auto& [endpoint, remote_state] : remote) {
    if (endpoint == local_endpoint_ || endpoint.empty()) continue;  // "" : garbage
    if (IsQuarantined(endpoint)) continue;  // removed: ignore until the quarantine ends
    auto it = states_.find(endpoint);
    if (it == states_.end()) {
      // A new endpoint: report it so the detector can convict it if it never speaks.
      fd_.Report(endpoint);
      HandleMajorStateChange(endpoint, remote_state);
      continue;
    }
    EndpointState& local = it->second;
    int32_t local_generation = local.heartbeat.generation;
    int32_t remote_generation = remote_state.heartbeat.generation;
    if (remote_generation > now_s + options_.max_generation_difference_s) {
      // A peer with corrupted memory, or a bad clock: an unbelievable generation.
      CAIRN_LOG(WARN) << "received an invalid gossip generation for peer " << endpoint
                      << "; local time = " << now_s
                      << ", received generation = " << remote_generation;
    } else if (remote_generation > local_generation) {
      HandleMajorStateChange(endpoint, remote_state);
    } else if (remote_generation == local_generation) {
      if (remote_state.MaxVersion() > local.MaxVersion()) {
        ApplyNewStates(endpoint, &local, remote_state);
      }
      // Someone still has news of it: check whether it answers (ECHO) unless it left.
      if (!local.is_alive && !local.IsDeadState()) MarkAlive(endpoint, &local);
    }
    // An older generation is a stale view of a previous incarnation: ignored.
  }
}

void Gossiper::HandleMajorStateChange(const std::string& endpoint, const EndpointState& remote) {
  EndpointState incoming;
  incoming.heartbeat = remote.heartbeat;
  incoming.states = remote.states;
  incoming.is_alive = true;
  incoming.update_timestamp_nanos = clock_->MonotonicNanos();

  auto it = states_.find(endpoint);
  bool known = it != states_.end();
  bool was_alive = known && it->second.is_alive;
  if (!incoming.IsDeadState()) {
    if (known) {
      CAIRN_LOG(INFO) << "Node " << endpoint << " has restarted, now UP (generation "
                      << incoming.heartbeat.generation << ")";
    } else {
      CAIRN_LOG(INFO) << "Node " << endpoint << " is now part of the cluster";
    }
  }
  if (known) {
    // The subscriber decides what a restart means (it sees the old incarnation here).
    const EndpointState& old_state = it->second;
    ForEachSubscriber([&](EndpointStateChangeSubscriber* s) { s->OnRestart(endpoint, old_state); });
    it->second = std::move(incoming);
  } else {
    it = states_.emplace(endpoint, std::move(incoming)).first;
  }
  echo_sent_.erase(endpoint);  // an ECHO to the old incarnation proves nothing now
  EndpointState& state = it->second;
  // The old incarnation is gone. If it was still considered up (it restarted faster than
  // the failure detector noticed), say so: subscribers see OnDead now and OnAlive once the
  // new incarnation answers its ECHO. Cassandra's StorageService.onRestart does the same.
  if (was_alive || state.IsDeadState()) MarkDead(endpoint, &state);
  if (!state.IsDeadState()) MarkAlive(endpoint, &state);
  ForEachSubscriber([&](EndpointStateChangeSubscriber* s) { s->OnJoin(endpoint, state); });
  if (state.GossipStatus() == kStatusShutdown) MarkAsShutdown(endpoint);
  MaybeExciseLeftEndpoint(endpoint);
}

void Gossiper::ApplyNewStates(const std::string& endpoint, EndpointState* local,
                              const EndpointState& remote) {
  // The heartbeat travels with every delta, possibly older than ours (see
  // GetStateForVersionBiggerThan); keep the newer one.
  if (remote.heartbeat.version > local->heartbeat.version) local->heartbeat = remote.heartbeat;
  local->update_timestamp_nanos = clock_->MonotonicNanos();
  std::vector<ApplicationState> updated;
  for (const auto& [key, value] : remote.states) {
    auto it = local->states.find(key);
    if (it != local->states.end() && it->second.version >= value.version) continue;
    local->states[key] = value;
    updated.push_back(key);
  }
  bool status_changed = false;
  for (ApplicationState key : updated) {
    NotifyChange(endpoint, key, local->states[key]);
    if (key == ApplicationState::kStatus) status_changed = true;
  }
  if (status_changed) MaybeExciseLeftEndpoint(endpoint);
}

void Gossiper::NotifyChange(const std::string& endpoint, ApplicationState state,
                            const VersionedValue& value) {
  ForEachSubscriber([&](EndpointStateChangeSubscriber* s) { s->OnChange(endpoint, state, value); });
}

// What Cassandra's StorageService.handleStateLeft/handleStateRemoving do for gossip:
// excise the endpoint and remember when it may be evicted.
void Gossiper::MaybeExciseLeftEndpoint(const std::string& endpoint) {
  if (endpoint == local_endpoint_) return;
  auto it = states_.find(endpoint);
  if (it == states_.end()) return;
  StatusValue status = ParseStatusValue(it->second.GetValue(ApplicationState::kStatus));
  if (status.status != kStatusLeft && status.status != kStatusRemoved) return;
  std::optional<int64_t> expire = ExpireTimeOf(status);
  expire_time_[endpoint] = expire.has_value() ? *expire : ComputeExpireTime();
  CAIRN_LOG(INFO) << "Node " << endpoint << " is " << status.status
                  << "; removing it from gossip (evicted at " << expire_time_[endpoint] << " ms)";
  RemoveEndpoint(endpoint);
}

void Gossiper::RemoveEndpoint(const std::string& endpoint) {
  assert(in_callback_ == 0);
  auto it = states_.find(endpoint);
  if (it == states_.end() || endpoint == local_endpoint_) return;
  // Subscribers first, so they can still read the gossiper's view of the endpoint.
  ForEachSubscriber([&](EndpointStateChangeSubscriber* s) { s->OnRemove(endpoint); });
  live_.erase(endpoint);
  unreachable_.erase(endpoint);
  echo_sent_.erase(endpoint);
  fd_.Remove(endpoint);
  // Simplification (PROTOCOL.md): Cassandra leaves isAlive alone and lets the failure
  // detector convict the departed node later (firing onDead and listing it unreachable
  // again); marking it down here skips that noise and makes it evictable.
  it->second.is_alive = false;
  Quarantine(endpoint);
}

void Gossiper::ReplacedEndpoint(const std::string& endpoint) {
  RemoveEndpoint(endpoint);
  EvictFromMembership(endpoint);
}

// ---------------------------------------------------------------------------------------
// Liveness.

// Cassandra's markAlive: the peer is up only once it answers an ECHO. Until then it is
// marked not alive (so it is not convicted) but stays in whichever set it was in.
void Gossiper::MarkAlive(const std::string& endpoint, EndpointState* state) {
  state->is_alive = false;
  int64_t now = clock_->MonotonicNanos();
  auto it = echo_sent_.find(endpoint);
  // At most one ECHO in flight per interval: every gossip message about a silent peer
  // would otherwise send one.
  if (it != echo_sent_.end() && now - it->second < options_.gossip_interval_ms * kNanosPerMilli) {
    return;
  }
  echo_sent_[endpoint] = now;
  Send(endpoint, EchoRequest{});
}

void Gossiper::RealMarkAlive(const std::string& endpoint, EndpointState* state) {
  state->is_alive = true;
  state->update_timestamp_nanos = clock_->MonotonicNanos();
  live_.insert(endpoint);
  unreachable_.erase(endpoint);
  expire_time_.erase(endpoint);
  CAIRN_LOG(INFO) << "InetAddress " << endpoint << " is now UP";
  ForEachSubscriber([&](EndpointStateChangeSubscriber* s) { s->OnAlive(endpoint, *state); });
}

void Gossiper::MarkDead(const std::string& endpoint, EndpointState* state) {
  state->is_alive = false;
  live_.erase(endpoint);
  bool newly_down = unreachable_.emplace(endpoint, clock_->MonotonicNanos()).second;
  if (!newly_down) return;  // already known down: no second OnDead
  CAIRN_LOG(INFO) << "InetAddress " << endpoint << " is now DOWN";
  ForEachSubscriber([&](EndpointStateChangeSubscriber* s) { s->OnDead(endpoint, *state); });
}

// The peer said it is shutting down: record it in its state so the news spreads and no
// same-generation gossip can look newer, then mark it down now.
void Gossiper::MarkAsShutdown(const std::string& endpoint) {
  auto it = states_.find(endpoint);
  if (it == states_.end()) return;
  EndpointState& state = it->second;
  state.states[ApplicationState::kStatus] =
      VersionedValue{VersionedValueFactory::Shutdown(true), NextVersion()};
  state.states[ApplicationState::kRpcReady] =
      VersionedValue{VersionedValueFactory::RpcReady(false), NextVersion()};
  state.heartbeat.ForceHighestPossibleVersion();
  // A reply to an ECHO sent before the announcement proves nothing: the peer is going.
  echo_sent_.erase(endpoint);
  MarkDead(endpoint, &state);
}

void Gossiper::Convict(const std::string& endpoint) {
  auto it = states_.find(endpoint);
  if (it == states_.end() || !it->second.is_alive) return;
  CAIRN_LOG(DEBUG) << "convicting " << endpoint << " with phi " << fd_.Phi(endpoint);
  if (it->second.GossipStatus() == kStatusShutdown) {
    MarkAsShutdown(endpoint);
  } else {
    MarkDead(endpoint, &it->second);
  }
}

void Gossiper::EvictFromMembership(const std::string& endpoint) {
  live_.erase(endpoint);
  unreachable_.erase(endpoint);
  states_.erase(endpoint);
  expire_time_.erase(endpoint);
  echo_sent_.erase(endpoint);
  fd_.Remove(endpoint);
  Quarantine(endpoint);
}

void Gossiper::Quarantine(const std::string& endpoint) { just_removed_[endpoint] = NowMillis(); }

// ---------------------------------------------------------------------------------------
// Local state and administration.

void Gossiper::AddLocalApplicationState(ApplicationState state, std::string value) {
  AddLocalApplicationStates({{state, std::move(value)}});
}

void Gossiper::AddLocalApplicationStates(
    const std::vector<std::pair<ApplicationState, std::string>>& states) {
  assert(started_ && in_callback_ == 0);
  EndpointState& local = LocalState();
  for (const auto& [key, value] : states) local.states[key] = VersionedValue{value, NextVersion()};
  for (const auto& [key, value] : states) NotifyChange(local_endpoint_, key, local.states[key]);
}

void Gossiper::Stop() {
  assert(in_callback_ == 0);
  if (!enabled_) return;
  std::string status = LocalState().GossipStatus();
  if (!status.empty() && !IsSilentShutdownStatus(status)) {
    CAIRN_LOG(INFO) << "announcing shutdown";
    AddLocalApplicationState(ApplicationState::kStatus, VersionedValueFactory::Shutdown(true));
    for (const std::string& endpoint : live_) Send(endpoint, GossipShutdown{});
  } else {
    CAIRN_LOG(INFO) << "not announcing shutdown: local status is '" << status << "'";
  }
  enabled_ = false;
  PublishSnapshot();
}

void Gossiper::AddSavedEndpoint(
    const std::string& endpoint,
    const std::vector<std::pair<ApplicationState, std::string>>& states) {
  assert(in_callback_ == 0);
  if (endpoint == local_endpoint_) return;
  // Keep whatever is already known (DC, RACK...), but with generation 0 so that any real
  // state wins.
  EndpointState& state = states_[endpoint];
  state.heartbeat = HeartBeatState{};
  for (const auto& [key, value] : states) state.states[key] = VersionedValue{value, 0};
  state.is_alive = false;
  state.update_timestamp_nanos = clock_->MonotonicNanos();
  live_.erase(endpoint);
  unreachable_.emplace(endpoint, clock_->MonotonicNanos());
}

Status Gossiper::AdvertiseRemoving(const std::string& endpoint, const std::string& host_id,
                                   const std::string& local_host_id) {
  assert(in_callback_ == 0);
  if (endpoint == local_endpoint_) return Status::InvalidArgument("cannot remove the local node");
  auto it = states_.find(endpoint);
  if (it == states_.end()) return Status::NotFound("unknown endpoint " + endpoint);
  if (it->second.is_alive) return Status::InvalidArgument(endpoint + " is alive");
  EndpointState state = it->second;
  // One generation up, so our word overrides whatever its last incarnation said.
  state.heartbeat.generation += 1;
  state.states[ApplicationState::kStatus] =
      VersionedValue{VersionedValueFactory::RemovingNonlocal(host_id), NextVersion()};
  state.states[ApplicationState::kRemovalCoordinator] =
      VersionedValue{VersionedValueFactory::RemovalCoordinator(local_host_id), NextVersion()};
  CAIRN_LOG(INFO) << "advertising removal of " << endpoint << " (host id " << host_id << ")";
  HandleMajorStateChange(endpoint, state);
  return Status::OK();
}

Status Gossiper::AdvertiseTokenRemoved(const std::string& endpoint, const std::string& host_id) {
  assert(in_callback_ == 0);
  if (endpoint == local_endpoint_) return Status::InvalidArgument("cannot remove the local node");
  auto it = states_.find(endpoint);
  if (it == states_.end()) return Status::NotFound("unknown endpoint " + endpoint);
  EndpointState state = it->second;
  state.heartbeat.generation += 1;
  state.states[ApplicationState::kStatus] = VersionedValue{
      VersionedValueFactory::RemovedNonlocal(host_id, ComputeExpireTime()), NextVersion()};
  CAIRN_LOG(INFO) << "completing removal of " << endpoint;
  // Unquarantine: the removing coordinator is the source of this news.
  just_removed_.erase(endpoint);
  HandleMajorStateChange(endpoint, state);
  return Status::OK();
}

int64_t Gossiper::ComputeExpireTime() const { return NowMillis() + options_.very_long_time_ms; }

const EndpointState* Gossiper::GetEndpointState(const std::string& endpoint) const {
  auto it = states_.find(endpoint);
  return it == states_.end() ? nullptr : &it->second;
}

bool Gossiper::IsAlive(const std::string& endpoint) const {
  if (endpoint == local_endpoint_) return true;
  const EndpointState* state = GetEndpointState(endpoint);
  return state != nullptr && state->is_alive;
}

std::map<std::string, std::vector<std::string>> Gossiper::SchemaVersions() const {
  return SchemaVersionsOf(local_endpoint_, states_);
}

std::shared_ptr<const GossipSnapshot> Gossiper::snapshot() const {
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  return snapshot_;
}

void Gossiper::PublishSnapshot() {
  auto snap = std::make_shared<GossipSnapshot>();
  snap->local_endpoint = local_endpoint_;
  snap->states = states_;
  snap->live = live_;
  for (const auto& [endpoint, since] : unreachable_) snap->unreachable.insert(endpoint);
  snap->taken_at_micros = clock_->NowMicros();
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  snapshot_ = std::move(snap);
}

}  // namespace cairn::gossip
