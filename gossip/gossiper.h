// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Gossiper: cluster membership and state dissemination, Cassandra 3.11's
// org.apache.cassandra.gms.Gossiper. The protocol, the failure-detection math and what the
// node persists are described in gossip/PROTOCOL.md; this header is the contract.
//
// What it does. Each node keeps an EndpointState for every endpoint it has heard of,
// itself included. Once per gossip interval the owner calls Tick(), which
//   1. bumps the local heartbeat version;
//   2. sends a SYN with a digest (endpoint, generation, max version) of every known
//      endpoint to a random live peer;
//   3. with probability unreachable / (live + 1) also to a random unreachable peer;
//   4. if step 2 did not reach a seed, or fewer peers are live than there are seeds, to a
//      random seed: always while no peer is live, otherwise with probability
//      seeds / (live + unreachable) (Cassandra's maybeGossipToSeed, CASSANDRA-150);
//   5. runs the status check: asks the failure detector about every peer (convicting,
//      i.e. marking down, the ones above phi_convict_threshold), evicts endpoints that
//      left or were removed once their expire time has passed, and ends quarantines.
// Incoming messages arrive through Handle(): a SYN is answered with an ACK (examineGossiper:
// requests for what the sender knows better, deltas for what we know better), an ACK with
// an ACK2, and the states in ACK/ACK2 are applied: a higher generation replaces an
// endpoint's state (a restart: OnRestart, then OnJoin), within a generation newer
// application states are merged one by one (OnChange each). A peer is marked up only
// after it answers an ECHO (Cassandra's markAlive -> realMarkAlive), so a state relayed
// by a third node never revives a peer we cannot reach ourselves.
//
// Subscribers (EndpointStateChangeSubscriber) are how the rest of the node follows the
// cluster: node/ turns STATUS/TOKENS/HOST_ID changes into TokenMetadata updates, OnAlive
// into hint replay, OnDead/OnAlive into the coordinator's liveness view, SCHEMA into a
// schema pull.
//
// LEFT and removed endpoints (simplified from StorageService.handleStateLeft/excise +
// Gossiper.doStatusCheck): when such a STATUS is applied for a peer, subscribers see the
// OnChange, then the Gossiper itself removes the endpoint from the live/unreachable sets,
// forgets its failure-detector history, fires OnRemove and quarantines it for
// quarantine_delay_ms (gossip about it is ignored meanwhile, so it cannot be revived by a
// stale peer). Its state stays in the map -- and keeps being gossiped, so the news
// spreads -- until the expire time carried in the STATUS value passes, then it is evicted.
// Cassandra additionally keeps such a node until TokenMetadata no longer lists it; gossip/
// cannot see TokenMetadata, so node/ must have dropped it by the time OnRemove fires.
// Gossip-only members ("fat clients") are not evicted: Cairn has none.
//
// Threading. A Gossiper is NOT thread-safe, by design: every call -- Start, Tick, Handle,
// AddLocalApplicationState, the accessors -- must happen on one thread or strand (node/
// uses an Asio strand; Cassandra runs gossip on the single-threaded GOSSIP stage), so the
// state has a single owner and needs no lock. Subscriber callbacks run on that strand,
// inside Tick/Handle; they may read the Gossiper but must not call its non-const methods
// (post such work to the strand instead). The one exception is snapshot(), which any
// thread may call: it returns an immutable copy published at the end of Start, Tick and
// PublishSnapshot, so it lags the live state by at most one gossip interval.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "gossip/endpoint_state.h"
#include "gossip/failure_detector.h"
#include "gossip/messages.h"
#include "gossip/versioned_value.h"

namespace cairn::gossip {

struct GossiperOptions {
  // Only SYNs with the same cluster name are answered (cassandra.yaml cluster_name).
  // Default: "Test Cluster".
  std::string cluster_name = "Test Cluster";
  // The partitioner's class name; a SYN naming another one is dropped. Empty on either
  // side skips the check. Default: "" (node/ passes its configured partitioner).
  std::string partitioner;
  // Seed addresses (cassandra.yaml seeds). The local endpoint is ignored if listed.
  std::vector<std::string> seeds;
  // The period at which the owner calls Tick(), ms. The Gossiper does not keep a timer;
  // it uses this to pace ECHO retries. Default: 1000 (Cassandra's intervalInMillis).
  int64_t gossip_interval_ms = 1000;
  // How long gossip about a removed endpoint is ignored, ms. Default: 60000
  // (Cassandra's QUARANTINE_DELAY = 2 * RING_DELAY).
  int64_t quarantine_delay_ms = 60'000;
  // How long a LEFT/removed endpoint is kept before eviction, ms, when this node computes
  // the expire time (ComputeExpireTime). Default: 3 days (Cassandra's aVeryLongTime).
  int64_t very_long_time_ms = 3LL * 24 * 3600 * 1000;
  // A generation more than this far ahead of the local clock is rejected as corrupt, s.
  // Default: one year (Cassandra's MAX_GENERATION_DIFFERENCE).
  int64_t max_generation_difference_s = 86400LL * 365;
  FailureDetectorOptions failure_detector;
  // Seed of the peer-selection RNG; 0 picks one from std::random_device. Tests fix it.
  uint64_t random_seed = 0;
};

// Notified of changes to endpoint states. All methods have empty defaults. The
// EndpointState references are valid only during the call. See the threading note above.
class EndpointStateChangeSubscriber {
 public:
  virtual ~EndpointStateChangeSubscriber() = default;
  // A new endpoint, or a new incarnation of a known one (after OnRestart). `state` holds
  // all its application states; there is no separate OnChange for them (as in Cassandra,
  // subscribers walk the states themselves).
  virtual void OnJoin(const std::string& endpoint, const EndpointState& state) {
    (void)endpoint, (void)state;
  }
  // One application state of a known endpoint changed within its generation. Also fired
  // for the local endpoint on AddLocalApplicationState.
  virtual void OnChange(const std::string& endpoint, ApplicationState state,
                        const VersionedValue& value) {
    (void)endpoint, (void)state, (void)value;
  }
  // The endpoint answered an ECHO and is now considered up.
  virtual void OnAlive(const std::string& endpoint, const EndpointState& state) {
    (void)endpoint, (void)state;
  }
  // The failure detector convicted the endpoint, it announced shutdown, or it is first
  // seen in a dead state.
  virtual void OnDead(const std::string& endpoint, const EndpointState& state) {
    (void)endpoint, (void)state;
  }
  // The endpoint came back with a newer generation; `old_state` is the previous
  // incarnation's state. If the old incarnation was still considered up, OnDead follows
  // (and OnAlive once the new one answers its ECHO); then OnJoin with the new state.
  virtual void OnRestart(const std::string& endpoint, const EndpointState& old_state) {
    (void)endpoint, (void)old_state;
  }
  // The endpoint left the cluster (LEFT/removed STATUS, RemoveEndpoint).
  virtual void OnRemove(const std::string& endpoint) { (void)endpoint; }
};

// An immutable copy of the Gossiper's view, for other threads (admin, metrics, Thrift's
// describe_schema_versions).
struct GossipSnapshot {
  std::string local_endpoint;
  std::map<std::string, EndpointState> states;  // includes the local endpoint
  std::set<std::string> live;                   // peers considered up (not the local one)
  std::set<std::string> unreachable;            // peers considered down
  int64_t taken_at_micros = 0;

  // Schema versions and who has them, as describe_schema_versions answers: version UUID
  // -> endpoints; unreachable peers under "UNREACHABLE". Endpoints that left or were
  // removed are skipped; live ones without a SCHEMA state yet are under "UNKNOWN".
  std::map<std::string, std::vector<std::string>> SchemaVersions() const;
};

// The generation to start with: now, or one more than the stored generation if that is
// not older (the clock went back). Cassandra's SystemKeyspace.incrementAndGetGeneration;
// node/ persists the result before calling Start (see PROTOCOL.md, "What the node
// persists").
int32_t NextGeneration(std::optional<int32_t> stored_generation, const Clock& clock);

class Gossiper {
 public:
  // `transport` and `clock` must outlive the Gossiper. `local_endpoint` is this node's
  // address as peers name it (listen_address / broadcast_address).
  Gossiper(std::string local_endpoint, GossiperOptions options, GossipTransport* transport,
           const Clock* clock);
  ~Gossiper();
  Gossiper(const Gossiper&) = delete;
  Gossiper& operator=(const Gossiper&) = delete;

  // Subscribers must outlive the Gossiper or be unregistered first.
  void Register(EndpointStateChangeSubscriber* subscriber);
  void Unregister(EndpointStateChangeSubscriber* subscriber);

  // Creates the local state with `generation` (see NextGeneration) and heartbeat version
  // 0, adds `preload` application states (each stamped with a fresh version, in order) and
  // enables gossip. Preloaded states are not announced to subscribers (the local node
  // knows them). Endpoints added with AddSavedEndpoint before Start are kept.
  // REQUIRES: not started.
  void Start(int32_t generation,
             const std::vector<std::pair<ApplicationState, std::string>>& preload = {});
  bool enabled() const { return enabled_; }

  // One gossip round (see the file comment). No-op unless enabled.
  void Tick();

  // Delivers a message from `from`. Ignored unless enabled. Malformed content (unknown
  // endpoints in requests, absurd generations) is ignored, never fatal.
  void Handle(const std::string& from, const GossipMessage& msg);

  // Sets a local application state, stamped with a fresh version, and notifies
  // subscribers (OnChange with the local endpoint). REQUIRES: started.
  void AddLocalApplicationState(ApplicationState state, std::string value);
  // Several at once, with consecutive versions, in order.
  void AddLocalApplicationStates(
      const std::vector<std::pair<ApplicationState, std::string>>& states);

  // Announces a clean shutdown (Cassandra's Gossiper.stop): unless the local STATUS is a
  // silent-shutdown state (BOOT, LEFT, ...), sets STATUS to shutdown,true and sends
  // GOSSIP_SHUTDOWN to every live peer. Then disables gossip: Tick and Handle do nothing.
  // The owner may wait a moment (Cassandra: 2 s) before closing connections.
  void Stop();

  // Adds a peer known from the node's saved ring state (Cassandra's addSavedEndpoint):
  // generation 0, so any real state replaces it; marked down until it is heard from, so
  // it is gossiped to as an unreachable member. `states` (e.g. HOST_ID, TOKENS) are kept
  // with version 0. Ignored for the local endpoint.
  void AddSavedEndpoint(const std::string& endpoint,
                        const std::vector<std::pair<ApplicationState, std::string>>& states = {});

  // Fires OnRemove, removes `endpoint` from the live/unreachable sets and the failure
  // detector, marks it not alive and quarantines it; its state stays (and is gossiped)
  // until evicted (Cassandra's removeEndpoint). Unknown endpoints are ignored.
  void RemoveEndpoint(const std::string& endpoint);
  // RemoveEndpoint, then forget the state at once (a node replaced at a new address).
  void ReplacedEndpoint(const std::string& endpoint);

  // removenode, step 1 (Cassandra's advertiseRemoving): rewrites the dead endpoint's
  // state with a generation one higher, STATUS removing,<host_id> and REMOVAL_COORDINATOR
  // REMOVER,<local_host_id>, and applies it locally; gossip spreads it. NotFound if the
  // endpoint is unknown, InvalidArgument if it is the local one or alive.
  Status AdvertiseRemoving(const std::string& endpoint, const std::string& host_id,
                           const std::string& local_host_id);
  // removenode, step 2 (advertiseTokenRemoved): STATUS removed,<host_id>,<expire> with a
  // generation one higher again. The caller should let at least two gossip rounds pass
  // before reporting completion, as Cassandra sleeps 2 intervals.
  Status AdvertiseTokenRemoved(const std::string& endpoint, const std::string& host_id);

  // Wall-clock ms after which a LEFT/removed endpoint may be evicted: now +
  // very_long_time_ms. Put it in VersionedValueFactory::Left when leaving.
  int64_t ComputeExpireTime() const;

  // ---- Accessors (on the strand) ----
  const std::string& local_endpoint() const { return local_endpoint_; }
  const GossiperOptions& options() const { return options_; }
  // nullptr when unknown.
  const EndpointState* GetEndpointState(const std::string& endpoint) const;
  const std::map<std::string, EndpointState>& endpoint_states() const { return states_; }
  // The local endpoint is always alive; unknown endpoints are not.
  bool IsAlive(const std::string& endpoint) const;
  // Peers considered up, sorted (the local endpoint is not included).
  const std::set<std::string>& live_endpoints() const { return live_; }
  // Peers considered down, with the monotonic nanos at which they went down.
  const std::map<std::string, int64_t>& unreachable_endpoints() const { return unreachable_; }
  bool IsSeed(const std::string& endpoint) const { return seeds_.count(endpoint) != 0; }
  // True while gossip about `endpoint` is ignored after its removal.
  bool IsQuarantined(const std::string& endpoint) const {
    return just_removed_.count(endpoint) != 0;
  }
  const FailureDetector& failure_detector() const { return fd_; }
  // The current value of this node's version counter.
  int32_t current_version() const { return version_; }
  // Schema versions per endpoint (see GossipSnapshot::SchemaVersions), from live state.
  std::map<std::string, std::vector<std::string>> SchemaVersions() const;

  // Thread-safe: the last published snapshot (nullptr before Start).
  std::shared_ptr<const GossipSnapshot> snapshot() const;
  // Publishes a snapshot of the current state now (Start and Tick do it themselves).
  void PublishSnapshot();

 private:
  int32_t NextVersion() { return ++version_; }
  EndpointState& LocalState();

  // Tick helpers.
  std::vector<GossipDigest> MakeRandomGossipDigests();
  // Sends `syn` to a random member of `candidates`; true if that was a seed.
  bool SendGossip(const GossipDigestSyn& syn, const std::vector<std::string>& candidates);
  bool GossipToLiveMember(const GossipDigestSyn& syn);
  void MaybeGossipToUnreachableMember(const GossipDigestSyn& syn);
  void MaybeGossipToSeed(const GossipDigestSyn& syn);
  void DoStatusCheck();

  // Message handlers.
  void HandleSyn(const std::string& from, const GossipDigestSyn& syn);
  void HandleAck(const std::string& from, const GossipDigestAck& ack);
  void HandleAck2(const std::string& from, const GossipDigestAck2& ack2);
  void HandleEchoReply(const std::string& from);
  void HandleShutdown(const std::string& from);

  // examineGossiper and its helpers.
  void SortDigestsByDifference(std::vector<GossipDigest>* digests) const;
  void ExamineGossiper(const std::vector<GossipDigest>& digests,
                       std::vector<GossipDigest>* requests,
                       std::map<std::string, EndpointState>* deltas) const;
  // The part of `endpoint`'s state newer than `version` (heartbeat included when newer,
  // or whenever an application state is), or nullopt when nothing is newer.
  std::optional<EndpointState> GetStateForVersionBiggerThan(const std::string& endpoint,
                                                            int32_t version) const;

  // Applying remote state.
  void NotifyFailureDetector(const std::map<std::string, EndpointState>& remote);
  void ApplyStateLocally(const std::map<std::string, EndpointState>& remote);
  void HandleMajorStateChange(const std::string& endpoint, const EndpointState& remote);
  void ApplyNewStates(const std::string& endpoint, EndpointState* local,
                      const EndpointState& remote);
  void NotifyChange(const std::string& endpoint, ApplicationState state,
                    const VersionedValue& value);
  // After a LEFT/removed STATUS of a peer has been applied and announced.
  void MaybeExciseLeftEndpoint(const std::string& endpoint);

  // Liveness.
  void MarkAlive(const std::string& endpoint, EndpointState* state);
  void RealMarkAlive(const std::string& endpoint, EndpointState* state);
  void MarkDead(const std::string& endpoint, EndpointState* state);
  void MarkAsShutdown(const std::string& endpoint);
  void Convict(const std::string& endpoint);
  void EvictFromMembership(const std::string& endpoint);
  void Quarantine(const std::string& endpoint);

  void Send(const std::string& to, GossipMessage msg);
  int64_t NowMillis() const { return clock_->NowMicros() / 1000; }
  template <typename F>
  void ForEachSubscriber(F&& f);

  const std::string local_endpoint_;
  GossiperOptions options_;
  GossipTransport* const transport_;
  const Clock* const clock_;
  FailureDetector fd_;
  std::mt19937_64 rng_;
  std::vector<EndpointStateChangeSubscriber*> subscribers_;

  bool enabled_ = false;
  bool started_ = false;
  int32_t version_ = 0;  // Cassandra's VersionGenerator, one per node

  // Invariants: the local endpoint is in states_ (once started) and in neither set below;
  // an endpoint in live_ has is_alive, one in unreachable_ has not, none is in both; an
  // endpoint just learned (or restarted) and waiting for its ECHO reply may be in neither.
  std::map<std::string, EndpointState> states_;  // every known endpoint, local included
  std::set<std::string> live_;                   // peers up
  std::map<std::string, int64_t> unreachable_;   // peers down -> monotonic nanos when
  std::set<std::string> seeds_;                  // excluding the local endpoint
  std::map<std::string, int64_t> just_removed_;  // quarantine: endpoint -> wall ms
  std::map<std::string, int64_t> expire_time_;   // LEFT/removed: endpoint -> wall ms
  std::map<std::string, int64_t> echo_sent_;     // pending ECHOs -> monotonic nanos

  // Set while subscribers run: non-const calls from a callback are a contract violation.
  int in_callback_ = 0;

  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const GossipSnapshot> snapshot_;  // guarded by snapshot_mu_
};

}  // namespace cairn::gossip
