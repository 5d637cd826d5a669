// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// An in-memory network for deterministic multi-node gossip tests, and SimCluster, a set of
// Gossipers on one ManualClock driven round by round.
//
// InMemoryNetwork queues every message sent through its transports. DeliverReady() hands
// the queued messages to their receivers (Gossiper::Handle), including the replies they
// cause, until nothing deliverable is left. Faults:
//   * Block(a, b) / Partition(A, B): messages between the pair(s) are dropped;
//   * Detach(endpoint): the node is down, everything to and from it is dropped;
//   * set_max_delay_rounds(n): each message is held back 0..n rounds (random);
//   * set_reorder(true): each batch of deliverable messages is shuffled.
// Everything random comes from one seeded RNG, so a run is reproducible.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "gossip/gossiper.h"

namespace cairn::gossip::test {

class InMemoryNetwork {
 public:
  explicit InMemoryNetwork(uint64_t seed = 1) : rng_(seed) {}

  // The transport a Gossiper at `endpoint` sends through. Owned by the network.
  GossipTransport* TransportFor(const std::string& endpoint) {
    auto& t = transports_[endpoint];
    if (!t) t = std::make_unique<Transport>(this, endpoint);
    return t.get();
  }

  // Routes messages for `endpoint` to `gossiper` (replacing any previous one).
  void Attach(const std::string& endpoint, Gossiper* gossiper) {
    receivers_[endpoint] = gossiper;
    down_.erase(endpoint);
  }
  // The node is down: messages to or from it are dropped (queued ones too, on delivery).
  void Detach(const std::string& endpoint) { down_.insert(endpoint); }
  bool IsDetached(const std::string& endpoint) const { return down_.count(endpoint) != 0; }

  // Drops messages between a and b, both directions.
  void Block(const std::string& a, const std::string& b) {
    blocked_.insert({a, b});
    blocked_.insert({b, a});
  }
  // Cuts every link between the two groups.
  void Partition(const std::vector<std::string>& side_a, const std::vector<std::string>& side_b) {
    for (const auto& a : side_a) {
      for (const auto& b : side_b) Block(a, b);
    }
  }
  void Heal() { blocked_.clear(); }

  void set_max_delay_rounds(int rounds) { max_delay_rounds_ = rounds; }
  void set_reorder(bool reorder) { reorder_ = reorder; }
  // Only messages of these verbs are affected by Block/Partition (default: all).
  void set_blocked_verbs(std::set<GossipVerb> verbs) { blocked_verbs_ = std::move(verbs); }

  // Starts a new round: messages held back by the delay become deliverable in time.
  void NextRound() { ++round_; }

  // Delivers everything deliverable now, including replies, until quiet. Returns the
  // number of messages handed to receivers.
  size_t DeliverReady() {
    size_t delivered = 0;
    while (true) {
      std::vector<Envelope> batch;
      std::deque<Envelope> later;
      for (auto& e : queue_) {
        if (e.deliver_round <= round_) {
          batch.push_back(std::move(e));
        } else {
          later.push_back(std::move(e));
        }
      }
      queue_.swap(later);
      if (batch.empty()) break;
      if (reorder_) std::shuffle(batch.begin(), batch.end(), rng_);
      for (auto& e : batch) {
        if (Dropped(e)) {
          ++dropped_;
          continue;
        }
        auto it = receivers_.find(e.to);
        if (it == receivers_.end()) {
          ++dropped_;
          continue;
        }
        ++delivered;
        ++delivered_by_verb_[VerbOf(e.msg)];
        it->second->Handle(e.from, e.msg);
      }
    }
    delivered_ += delivered;
    return delivered;
  }

  size_t sent() const { return sent_; }
  size_t delivered() const { return delivered_; }
  size_t dropped() const { return dropped_; }
  size_t delivered_of(GossipVerb verb) const {
    auto it = delivered_by_verb_.find(verb);
    return it == delivered_by_verb_.end() ? 0 : it->second;
  }
  size_t queued() const { return queue_.size(); }

  // Every message sent, in order, when recording is on (for handshake tests).
  struct Record {
    std::string from;
    std::string to;
    GossipVerb verb;
  };
  void set_recording(bool on) { recording_ = on; }
  const std::vector<Record>& records() const { return records_; }
  void ClearRecords() { records_.clear(); }

 private:
  struct Envelope {
    std::string from;
    std::string to;
    GossipMessage msg;
    uint64_t deliver_round = 0;
  };

  class Transport : public GossipTransport {
   public:
    Transport(InMemoryNetwork* net, std::string from) : net_(net), from_(std::move(from)) {}
    void Send(const std::string& to, GossipMessage msg) override {
      net_->Enqueue(from_, to, std::move(msg));
    }

   private:
    InMemoryNetwork* net_;
    std::string from_;
  };

  void Enqueue(const std::string& from, const std::string& to, GossipMessage msg) {
    ++sent_;
    if (recording_) records_.push_back(Record{from, to, VerbOf(msg)});
    uint64_t delay = 0;
    if (max_delay_rounds_ > 0) {
      delay = std::uniform_int_distribution<uint64_t>(0, max_delay_rounds_)(rng_);
    }
    queue_.push_back(Envelope{from, to, std::move(msg), round_ + delay});
  }

  bool Dropped(const Envelope& e) const {
    if (down_.count(e.from) != 0 || down_.count(e.to) != 0) return true;
    if (blocked_.count({e.from, e.to}) == 0) return false;
    return blocked_verbs_.empty() || blocked_verbs_.count(VerbOf(e.msg)) != 0;
  }

  std::mt19937_64 rng_;
  std::map<std::string, std::unique_ptr<Transport>> transports_;
  std::map<std::string, Gossiper*> receivers_;
  std::set<std::string> down_;
  std::set<std::pair<std::string, std::string>> blocked_;
  std::set<GossipVerb> blocked_verbs_;
  std::deque<Envelope> queue_;
  uint64_t round_ = 0;
  int max_delay_rounds_ = 0;
  bool reorder_ = false;
  bool recording_ = false;
  std::vector<Record> records_;
  size_t sent_ = 0;
  size_t delivered_ = 0;
  size_t dropped_ = 0;
  std::map<GossipVerb, size_t> delivered_by_verb_;
};

// Records subscriber callbacks.
class RecordingSubscriber : public EndpointStateChangeSubscriber {
 public:
  struct Event {
    std::string kind;  // "join", "change", "alive", "dead", "restart", "remove"
    std::string endpoint;
    ApplicationState state = ApplicationState::kStatus;
    std::string value;
  };
  void OnJoin(const std::string& endpoint, const EndpointState&) override {
    events.push_back({"join", endpoint, {}, {}});
  }
  void OnChange(const std::string& endpoint, ApplicationState state,
                const VersionedValue& value) override {
    events.push_back({"change", endpoint, state, value.value});
  }
  void OnAlive(const std::string& endpoint, const EndpointState&) override {
    events.push_back({"alive", endpoint, {}, {}});
  }
  void OnDead(const std::string& endpoint, const EndpointState&) override {
    events.push_back({"dead", endpoint, {}, {}});
  }
  void OnRestart(const std::string& endpoint, const EndpointState&) override {
    events.push_back({"restart", endpoint, {}, {}});
  }
  void OnRemove(const std::string& endpoint) override {
    events.push_back({"remove", endpoint, {}, {}});
  }
  int Count(const std::string& kind, const std::string& endpoint) const {
    int n = 0;
    for (const auto& e : events) n += (e.kind == kind && e.endpoint == endpoint) ? 1 : 0;
    return n;
  }
  std::vector<Event> events;
};

// A simulated cluster: nodes 127.0.0.1..N on one ManualClock and one InMemoryNetwork.
class SimCluster {
 public:
  struct Node {
    std::string endpoint;
    std::vector<std::string> tokens;
    std::unique_ptr<Gossiper> gossiper;
    RecordingSubscriber subscriber;
    bool running = false;
    int phase = 0;  // the step of each round at which its gossip timer fires
  };

  SimCluster(int num_nodes, int num_seeds, uint64_t seed, GossiperOptions base = {})
      : net_(seed), base_(std::move(base)), rng_(seed) {
    for (int i = 0; i < num_seeds; ++i) base_.seeds.push_back(Address(i));
    for (int i = 0; i < num_nodes; ++i) {
      auto node = std::make_unique<Node>();
      node->endpoint = Address(i);
      for (int t = 0; t < 4; ++t) {
        node->tokens.push_back(std::to_string(static_cast<int64_t>(rng_())));
      }
      nodes_.push_back(std::move(node));
    }
  }

  static std::string Address(int i) {
    return "127.0." + std::to_string((i + 1) / 256) + "." + std::to_string((i + 1) % 256);
  }

  // Creates (or re-creates, for a restart) node i's Gossiper and starts it with the
  // current time as generation (or `generation` if given), announcing NORMAL.
  void StartNode(int i, std::optional<int32_t> generation = std::nullopt) {
    Node& n = *nodes_[i];
    GossiperOptions options = base_;
    options.random_seed = rng_() | 1;
    n.gossiper =
        std::make_unique<Gossiper>(n.endpoint, options, net_.TransportFor(n.endpoint), &clock_);
    n.gossiper->Register(&n.subscriber);
    n.phase = static_cast<int>(rng_() % kStepsPerRound);
    net_.Attach(n.endpoint, n.gossiper.get());
    n.gossiper->Start(generation.value_or(clock_.NowSeconds()),
                      {{ApplicationState::kTokens, VersionedValueFactory::Tokens(n.tokens)},
                       {ApplicationState::kHostId, "host-" + n.endpoint},
                       {ApplicationState::kDc, "dc1"},
                       {ApplicationState::kRack, "rack1"},
                       {ApplicationState::kSchema, "59adb24e-f3cd-3e02-97f0-5b395827453f"},
                       {ApplicationState::kReleaseVersion, "0.1.0"},
                       {ApplicationState::kStatus, VersionedValueFactory::Normal(n.tokens)}});
    n.running = true;
  }
  void StartAll() {
    for (size_t i = 0; i < nodes_.size(); ++i) StartNode(static_cast<int>(i));
  }

  // The node stops ticking and the network drops its traffic (kill -9, or a long pause
  // when it is resumed with ResumeNode).
  void StopNode(int i) {
    nodes_[i]->running = false;
    net_.Detach(nodes_[i]->endpoint);
  }
  void ResumeNode(int i) {
    nodes_[i]->running = true;
    net_.Attach(nodes_[i]->endpoint, nodes_[i]->gossiper.get());
  }

  // One gossip interval (1 s) in kStepsPerRound steps of 100 ms. Each node has its own
  // timer phase (a step, chosen at random when it starts), as real nodes' 1 s timers are
  // not aligned; at every step the clock moves, the nodes whose phase it is tick, and all
  // deliverable messages and their replies are delivered (latency < 100 ms).
  static constexpr int kStepsPerRound = 10;
  void Round() {
    net_.NextRound();
    for (int step = 0; step < kStepsPerRound; ++step) {
      clock_.AdvanceMicros(1'000'000 / kStepsPerRound);
      for (auto& n : nodes_) {
        if (n->running && n->phase == step) n->gossiper->Tick();
      }
      net_.DeliverReady();
    }
    ++rounds_;
    CheckInvariants();
  }

  // The Gossiper's liveness invariants (gossiper.h): live peers are alive, unreachable ones
  // are not, no endpoint is in both sets, the local endpoint in neither.
  void CheckInvariants() const {
    for (const auto& n : nodes_) {
      if (!n->gossiper) continue;
      const Gossiper& g = *n->gossiper;
      EXPECT_EQ(g.live_endpoints().count(n->endpoint), 0u);
      EXPECT_EQ(g.unreachable_endpoints().count(n->endpoint), 0u);
      for (const auto& ep : g.live_endpoints()) {
        EXPECT_TRUE(g.IsAlive(ep)) << n->endpoint << " lists " << ep << " live but not alive";
        EXPECT_EQ(g.unreachable_endpoints().count(ep), 0u) << n->endpoint << ": " << ep;
      }
      for (const auto& [ep, since] : g.unreachable_endpoints()) {
        EXPECT_FALSE(g.IsAlive(ep)) << n->endpoint << " lists " << ep << " unreachable but alive";
      }
    }
  }

  // True when every running node sees every other running node alive, NORMAL, with the
  // right tokens and host id.
  bool Converged() const {
    for (const auto& a : nodes_) {
      if (!a->running) continue;
      for (const auto& b : nodes_) {
        if (!b->running || a == b) continue;
        if (!Knows(*a, *b)) return false;
      }
    }
    return true;
  }
  static bool Knows(const Node& a, const Node& b) {
    const EndpointState* s = a.gossiper->GetEndpointState(b.endpoint);
    if (s == nullptr || !a.gossiper->IsAlive(b.endpoint)) return false;
    return s->GetValue(ApplicationState::kStatus) == VersionedValueFactory::Normal(b.tokens) &&
           s->GetValue(ApplicationState::kTokens) == VersionedValueFactory::Tokens(b.tokens) &&
           s->GetValue(ApplicationState::kHostId) == "host-" + b.endpoint;
  }

  // Runs rounds until `done()` or `max_rounds`; returns the rounds taken, or -1.
  template <typename Pred>
  int RunUntil(Pred done, int max_rounds) {
    for (int r = 1; r <= max_rounds; ++r) {
      Round();
      if (done()) return r;
    }
    return -1;
  }

  Node& node(int i) { return *nodes_[i]; }
  Gossiper& g(int i) { return *nodes_[i]->gossiper; }
  int size() const { return static_cast<int>(nodes_.size()); }
  ManualClock& clock() { return clock_; }
  InMemoryNetwork& net() { return net_; }
  int rounds() const { return rounds_; }

 private:
  ManualClock clock_;
  InMemoryNetwork net_;
  GossiperOptions base_;
  std::mt19937_64 rng_;
  std::vector<std::unique_ptr<Node>> nodes_;
  int rounds_ = 0;
};

}  // namespace cairn::gossip::test
