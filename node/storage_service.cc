// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "node/storage_service.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <random>

#include <boost/asio/post.hpp>

#include "common/logging.h"
#include "node/net/codec.h"
#include "ring/token_allocator.h"

namespace cairn::node {

namespace {

namespace in = net::internode;
using gossip::ApplicationState;
using gossip::VersionedValueFactory;

constexpr std::chrono::milliseconds kEchoTimeout{2000};
constexpr std::chrono::milliseconds kSchemaPullTimeout{10000};
// A peer whose schema still differs is asked again at most this often.
constexpr int64_t kSchemaPullIntervalNanos = 2'000'000'000;

in::EndpointState ToWire(const gossip::EndpointState& s) {
  in::EndpointState w;
  w.generation = s.heartbeat.generation;
  w.heartbeat_version = s.heartbeat.version;
  for (const auto& [k, v] : s.states) {
    in::VersionedValue vv;
    vv.value = v.value;
    vv.version = v.version;
    w.states[static_cast<int32_t>(k)] = std::move(vv);
  }
  return w;
}

gossip::EndpointState FromWire(const in::EndpointState& w) {
  gossip::EndpointState s;
  s.heartbeat.generation = w.generation;
  s.heartbeat.version = w.heartbeat_version;
  for (const auto& [k, v] : w.states) {
    // Unknown ids are carried (PROTOCOL.md); ids beyond uint8 cannot be ours: dropped.
    if (k < 0 || k > 255) continue;
    s.states[static_cast<ApplicationState>(k)] = gossip::VersionedValue{v.value, v.version};
  }
  return s;
}

std::vector<in::GossipDigest> ToWire(const std::vector<gossip::GossipDigest>& ds) {
  std::vector<in::GossipDigest> out;
  for (const auto& d : ds) {
    in::GossipDigest w;
    w.endpoint = d.endpoint;
    w.generation = d.generation;
    w.max_version = d.max_version;
    out.push_back(std::move(w));
  }
  return out;
}

std::vector<gossip::GossipDigest> FromWire(const std::vector<in::GossipDigest>& ws) {
  std::vector<gossip::GossipDigest> out;
  for (const auto& w : ws) out.push_back({w.endpoint, w.generation, w.max_version});
  return out;
}

std::map<std::string, in::EndpointState> ToWire(
    const std::map<std::string, gossip::EndpointState>& states) {
  std::map<std::string, in::EndpointState> out;
  for (const auto& [e, s] : states) out[e] = ToWire(s);
  return out;
}

std::map<std::string, gossip::EndpointState> FromWire(
    const std::map<std::string, in::EndpointState>& states) {
  std::map<std::string, gossip::EndpointState> out;
  for (const auto& [e, s] : states) out[e] = FromWire(s);
  return out;
}

}  // namespace

// GossipTransport over the MessagingService. Send runs on the gossip thread; sends are
// best effort (a refused send is the failure detector's business).
class StorageService::Transport final : public gossip::GossipTransport {
 public:
  explicit Transport(StorageService* service) : service_(service) {}

  void Send(const std::string& to, gossip::GossipMessage msg) override {
    auto endpoint = service_->EndpointOf(to);
    if (!endpoint.ok()) {
      CAIRN_LOG(WARN) << "gossip: cannot send to '" << to << "': " << endpoint.status().ToString();
      return;
    }
    net::MessagingService& ms = *service_->messaging_;
    const net::Endpoint& ep = *endpoint;
    Status st;
    switch (gossip::VerbOf(msg)) {
      case gossip::GossipVerb::kSyn: {
        const auto& syn = std::get<gossip::GossipDigestSyn>(msg);
        in::GossipDigestSyn w;
        w.cluster_name = syn.cluster_name;
        w.partitioner = syn.partitioner;
        w.digests = ToWire(syn.digests);
        st = ms.SendOneWay(ep, in::Verb::GOSSIP_DIGEST_SYN, w);
        break;
      }
      case gossip::GossipVerb::kAck: {
        const auto& ack = std::get<gossip::GossipDigestAck>(msg);
        in::GossipDigestAck w;
        w.digests = ToWire(ack.digests);
        w.states = ToWire(ack.states);
        st = ms.SendOneWay(ep, in::Verb::GOSSIP_DIGEST_ACK, w);
        break;
      }
      case gossip::GossipVerb::kAck2: {
        in::GossipDigestAck2 w;
        w.states = ToWire(std::get<gossip::GossipDigestAck2>(msg).states);
        st = ms.SendOneWay(ep, in::Verb::GOSSIP_DIGEST_ACK2, w);
        break;
      }
      case gossip::GossipVerb::kEcho: {
        StorageService* service = service_;
        st = ms.SendRequest(ep, in::Verb::ECHO, in::EchoMessage(), kEchoTimeout,
                            [service, to](Result<net::Message> r) {
                              if (!r.ok()) return;  // the peer stays down
                              service->Post([service, to] {
                                service->gossiper_->Handle(to, gossip::EchoReply{});
                              });
                            });
        break;
      }
      case gossip::GossipVerb::kEchoReply:
        // ECHO is answered by the messaging handler itself (HandleEcho).
        return;
      case gossip::GossipVerb::kShutdown:
        st = ms.SendOneWay(ep, in::Verb::GOSSIP_SHUTDOWN, in::GossipShutdown());
        break;
    }
    if (!st.ok()) {
      CAIRN_LOG(DEBUG) << "gossip: " << gossip::VerbName(gossip::VerbOf(msg)) << " to " << to
                       << " not sent: " << st.ToString();
    }
  }

 private:
  StorageService* const service_;
};

StorageService::StorageService(StorageServiceOptions options, Database* db, const Clock* clock)
    : options_(std::move(options)),
      db_(db),
      clock_(clock),
      local_endpoint_(options_.listen_address),
      // The database opened with this partitioner, so the name resolves.
      token_metadata_(ring::Partitioner::ByName(db->partitioner().Name()).value()) {
  if (options_.gossiping_snitch) {
    property_snitch_ = std::make_shared<ring::PropertySnitch>(
        local_endpoint_, ring::PropertySnitch::Location{options_.dc, options_.rack});
    snitch_ = property_snitch_;
  } else {
    snitch_ = std::make_shared<ring::SimpleSnitch>();
  }
  // The messaging service exists from here on, so other components (the coordinator)
  // can register their verbs before Start(); a bad listen address is reported by Start().
  net::MessagingOptions mo;
  auto listen = net::Endpoint::FromAddress(options_.listen_address,
                                           static_cast<uint16_t>(options_.storage_port));
  if (listen.ok()) {
    mo.listen_endpoint = *listen;
  } else {
    listen_error_ = listen.status();
  }
  mo.network_threads = options_.network_threads;
  mo.handler_threads = options_.handler_threads;
  messaging_ = std::make_unique<net::MessagingService>(mo);
}

StorageService::~StorageService() { Stop(); }

std::string StorageService::NameOf(const net::Endpoint& endpoint) const {
  if (endpoint.port == options_.storage_port) return endpoint.address.to_string();
  return endpoint.ToString();
}

Result<net::Endpoint> StorageService::EndpointOf(const std::string& name) const {
  return net::Endpoint::Parse(name, static_cast<uint16_t>(options_.storage_port));
}

void StorageService::Post(std::function<void()> fn) {
  boost::asio::post(gossip_io_, std::move(fn));
}

Status StorageService::Start() {
  CAIRN_RETURN_IF_ERROR(listen_error_);
  CAIRN_ASSIGN_OR_RETURN(net::Endpoint listen,
                         net::Endpoint::FromAddress(options_.listen_address,
                                                    static_cast<uint16_t>(options_.storage_port)));
  for (auto verb : {in::Verb::GOSSIP_DIGEST_SYN, in::Verb::GOSSIP_DIGEST_ACK,
                    in::Verb::GOSSIP_DIGEST_ACK2, in::Verb::GOSSIP_SHUTDOWN}) {
    messaging_->RegisterHandler(verb, [this](net::Message m) { HandleGossip(std::move(m)); });
  }
  messaging_->RegisterHandler(in::Verb::ECHO, [this](net::Message m) { HandleEcho(std::move(m)); });
  messaging_->RegisterHandler(in::Verb::SCHEMA_PULL,
                              [this](net::Message m) { HandleSchemaPull(std::move(m)); });
  Status st = messaging_->Start();
  if (!st.ok()) {
    return Status::IOError("cannot listen for internode messages on " + listen.ToString() +
                           ": " + st.ToString());
  }

  // Cassandra's SystemKeyspace.incrementAndGetGeneration: saved before it is announced.
  const int32_t generation = gossip::NextGeneration(db_->saved_gossip_generation(), *clock_);
  CAIRN_RETURN_IF_ERROR(db_->SaveGossipGeneration(generation));

  gossip::GossiperOptions go;
  go.cluster_name = options_.cluster_name;
  go.partitioner = std::string(db_->partitioner().Name());
  go.seeds = options_.seeds;
  go.gossip_interval_ms = options_.gossip_interval_ms;
  go.failure_detector.phi_convict_threshold = options_.phi_convict_threshold;
  transport_ = std::make_unique<Transport>(this);
  gossiper_ = std::make_unique<gossip::Gossiper>(local_endpoint_, go, transport_.get(), clock_);
  gossiper_->Register(this);

  const std::string host_id = db_->local().host_id;
  announced_schema_ = db_->schema()->version;
  std::vector<std::pair<ApplicationState, std::string>> preload = {
      {ApplicationState::kHostId, VersionedValueFactory::HostId(host_id)},
      {ApplicationState::kDc, VersionedValueFactory::Datacenter(options_.dc)},
      {ApplicationState::kRack, VersionedValueFactory::Rack(options_.rack)},
      {ApplicationState::kSchema, VersionedValueFactory::Schema(announced_schema_)},
      {ApplicationState::kReleaseVersion,
       VersionedValueFactory::ReleaseVersion(options_.release_version)},
      {ApplicationState::kRpcAddress, VersionedValueFactory::RpcAddress(options_.rpc_address)},
      {ApplicationState::kLoad,
       VersionedValueFactory::Load(static_cast<double>(db_->LiveSSTableBytes()))},
  };
  load_announced_at_micros_ = clock_->NowMicros();
  std::vector<Token> tokens = db_->tokens();
  bool alone = true;
  for (const std::string& s : options_.seeds) {
    auto ep = EndpointOf(s);
    if (ep.ok() && *ep == listen) {
      self_seed_ = true;
    } else {
      alone = false;
    }
  }
  LoadSavedPeers();
  settle_needed_ = !alone || !token_metadata_.Get()->GetNormalEndpoints().empty();
  gossiper_->Start(generation, preload);
  if (!tokens.empty()) {
    JoinRing();
  } else if (alone) {
    // The only node it knows of: nothing to learn first (evenly spaced tokens).
    JoinRing();
  } else {
    join_at_micros_ = clock_->NowMicros() + options_.ring_delay_ms * 1000;
    CAIRN_LOG(INFO) << "new node: learning the ring from the seeds for "
                    << options_.ring_delay_ms << " ms before choosing " << options_.num_tokens
                    << " tokens (no data is streamed: bootstrap is not implemented)";
  }
  gossiper_->PublishSnapshot();

  running_ = true;
  tick_timer_.emplace(gossip_io_);
  ScheduleTick();
  gossip_thread_ = std::thread([this] { gossip_io_.run(); });
  CAIRN_LOG(INFO) << "gossip started on " << listen.ToString() << ", generation " << generation
                  << ", seeds " << (options_.seeds.empty() ? "(none)" : "") << [&] {
                       std::string s;
                       for (const auto& x : options_.seeds) s += (s.empty() ? "" : ",") + x;
                       return s;
                     }();
  return Status::OK();
}

void StorageService::Stop() {
  if (stopped_.exchange(true)) return;
  if (running_) {
    std::promise<void> done;
    Post([this, &done] {
      tick_timer_->cancel();
      gossiper_->Stop();  // announces the shutdown to live peers
      done.set_value();
    });
    done.get_future().wait();
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.shutdown_announce_ms));
  }
  if (messaging_) messaging_->Stop();
  if (running_) {
    gossip_io_.stop();
    if (gossip_thread_.joinable()) gossip_thread_.join();
    running_ = false;
  }
  if (gossiper_) gossiper_->Unregister(this);
}

int64_t StorageService::WaitToSettle() {
  using std::chrono::milliseconds;
  using std::chrono::steady_clock;
  if (!running_ || options_.settle_max_wait_ms <= 0) return 0;
  if (!settle_needed_) {
    CAIRN_LOG(INFO) << "not waiting for gossip to settle: this node is its only seed and "
                       "knows no peer";
    return 0;
  }
  const auto start = steady_clock::now();
  const auto deadline = start + milliseconds(options_.settle_max_wait_ms);
  const milliseconds round(std::max<int64_t>(1, options_.gossip_interval_ms));
  auto sleep = [&](milliseconds d) {
    std::this_thread::sleep_for(std::min<steady_clock::duration>(
        d, std::max<steady_clock::duration>(deadline - steady_clock::now(), {})));
  };
  // Known endpoints (this one included) and live peers, from the published snapshot.
  auto counts = [this] {
    auto snap = gossip_snapshot();
    return snap ? std::make_pair(snap->states.size(), snap->live.size())
                : std::make_pair(size_t{0}, size_t{0});
  };
  CAIRN_LOG(INFO) << "waiting for gossip to settle (at most " << options_.settle_max_wait_ms
                  << " ms)...";
  sleep(round * std::max(0, options_.settle_min_rounds));
  auto last = counts();
  int stable = 0, polls = 0;
  while (stable < options_.settle_stable_polls && steady_clock::now() < deadline &&
         !stopped_) {
    sleep(round);
    auto now = counts();
    ++polls;
    stable = now == last ? stable + 1 : 0;
    last = now;
  }
  const int64_t waited =
      std::chrono::duration_cast<milliseconds>(steady_clock::now() - start).count();
  CAIRN_LOG(INFO) << (stable >= options_.settle_stable_polls ? "gossip settled"
                                                             : "gossip still changing")
                  << " after " << waited << " ms, " << polls << " polls: " << last.first
                  << " endpoints known, " << last.second << " live; proceeding";
  return waited;
}

void StorageService::ScheduleTick() {
  tick_timer_->expires_after(std::chrono::milliseconds(options_.gossip_interval_ms));
  tick_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec || !gossiper_->enabled()) return;
    OnTick();
    ScheduleTick();
  });
}

void StorageService::OnTick() {
  gossiper_->Tick();
  AnnounceSchemaIfChanged();
  if (clock_->NowMicros() - load_announced_at_micros_ >=
      options_.load_broadcast_interval_ms * 1000) {
    // Cassandra's LoadBroadcaster: the admin endpoint's status shows peers' LOAD.
    load_announced_at_micros_ = clock_->NowMicros();
    gossiper_->AddLocalApplicationState(
        ApplicationState::kLoad,
        VersionedValueFactory::Load(static_cast<double>(db_->LiveSSTableBytes())));
  }
  if (!joined_ && clock_->NowMicros() >= join_at_micros_) {
    // A non-seed needs to have learned at least one member: a SYN's answer covers only
    // the endpoints the SYN named, so the rest of the ring arrives with the seed's own
    // SYN, a round or two later. A seed may found the ring.
    if (self_seed_ || !token_metadata_.Get()->empty()) {
      JoinRing();
    } else if ((clock_->NowMicros() - join_at_micros_) / 1000 % 10'000 <
               options_.gossip_interval_ms) {
      CAIRN_LOG(WARN) << "no ring member known yet: still waiting for the seeds before "
                         "choosing tokens";
    }
  }
  // Peers whose schema still differs (a pull failed, or both sides changed).
  for (const std::string& peer : gossiper_->live_endpoints()) {
    if (const gossip::EndpointState* s = gossiper_->GetEndpointState(peer)) {
      MaybePullSchema(peer, *s);
    }
  }
}

void StorageService::JoinRing() {
  std::vector<Token> tokens = db_->tokens();
  const ring::Partitioner& p = db_->partitioner();
  if (tokens.empty()) {
    std::mt19937_64 rng(std::random_device{}());
    auto tm = token_metadata_.Get();
    tokens = ring::AllocateTokens(*tm, std::max(1, options_.num_tokens), rng);
    std::vector<std::string> strings;
    for (const Token& t : tokens) strings.push_back(p.TokenToString(t));
    Status st = db_->SetTokens(strings);
    if (!st.ok()) {
      // Try again next round rather than announce tokens that were not saved.
      CAIRN_LOG(ERROR) << "cannot save the allocated tokens: " << st.ToString();
      return;
    }
    CAIRN_LOG(INFO) << "allocated " << tokens.size() << " tokens against a ring of "
                    << tm->NumNormalEndpoints() << " node(s)";
  }
  std::vector<std::string> strings;
  for (const Token& t : tokens) strings.push_back(p.TokenToString(t));
  const std::string host_id = db_->local().host_id;
  token_metadata_.Mutate([&](ring::TokenMetadata& tm) {
    tm.UpdateNormalTokens(local_endpoint_, tokens);
    tm.UpdateHostId(local_endpoint_, host_id);
    return Status::OK();
  }).IgnoreError();  // the lambda cannot fail
  gossiper_->AddLocalApplicationStates({
      {ApplicationState::kTokens, VersionedValueFactory::Tokens(strings)},
      {ApplicationState::kStatus, VersionedValueFactory::Normal(strings)},
  });
  joined_ = true;
  CAIRN_LOG(INFO) << "joined the ring as " << local_endpoint_ << " (STATUS NORMAL, "
                  << tokens.size() << " tokens)";
}

void StorageService::AnnounceSchemaIfChanged() {
  const std::string version = db_->schema()->version;
  if (version == announced_schema_ || !gossiper_->enabled()) return;
  announced_schema_ = version;
  gossiper_->AddLocalApplicationState(ApplicationState::kSchema,
                                      VersionedValueFactory::Schema(version));
}

// ---- Subscriber ----

void StorageService::OnJoin(const std::string& endpoint, const gossip::EndpointState& state) {
  UpdateEndpoint(endpoint, state);
}

void StorageService::OnChange(const std::string& endpoint, ApplicationState state,
                              const gossip::VersionedValue& value) {
  (void)value;
  if (endpoint == local_endpoint_) return;
  const gossip::EndpointState* s = gossiper_->GetEndpointState(endpoint);
  if (s == nullptr) return;
  switch (state) {
    case ApplicationState::kStatus:
    case ApplicationState::kTokens:
    case ApplicationState::kHostId:
    case ApplicationState::kDc:
    case ApplicationState::kRack:
      UpdateEndpoint(endpoint, *s);
      break;
    case ApplicationState::kSchema:
      MaybePullSchema(endpoint, *s);
      [[fallthrough]];
    case ApplicationState::kRpcAddress:
    case ApplicationState::kReleaseVersion:
      // Cassandra's updatePeerInfo: only a ring member has a system.peers row.
      if (std::vector<Token> tokens = token_metadata_.Get()->GetTokens(endpoint);
          !tokens.empty()) {
        SavePeer(endpoint, *s, tokens);
      }
      break;
    default:
      break;
  }
}

void StorageService::OnAlive(const std::string& endpoint, const gossip::EndpointState& state) {
  {
    std::lock_guard lock(live_mu_);
    live_.insert(endpoint);
    down_since_.erase(endpoint);
  }
  CAIRN_LOG(INFO) << "InetAddress " << endpoint << " is now UP";
  MaybePullSchema(endpoint, state);
}

void StorageService::OnDead(const std::string& endpoint, const gossip::EndpointState& state) {
  (void)state;
  {
    std::lock_guard lock(live_mu_);
    live_.erase(endpoint);
    down_since_.emplace(endpoint, clock_->MonotonicNanos());
  }
  CAIRN_LOG(INFO) << "InetAddress " << endpoint << " is now DOWN";
}

void StorageService::OnRestart(const std::string& endpoint, const gossip::EndpointState& old_state) {
  (void)old_state;
  CAIRN_LOG(INFO) << "node " << endpoint << " has restarted";
}

void StorageService::OnRemove(const std::string& endpoint) {
  {
    std::lock_guard lock(live_mu_);
    live_.erase(endpoint);
    down_since_.erase(endpoint);
  }
  RemoveFromRing(endpoint);
}

void StorageService::UpdateEndpoint(const std::string& endpoint,
                                    const gossip::EndpointState& state) {
  if (endpoint == local_endpoint_) return;
  if (property_snitch_) {
    const std::string& dc = state.GetValue(ApplicationState::kDc);
    const std::string& rack = state.GetValue(ApplicationState::kRack);
    if (!dc.empty() && !rack.empty()) property_snitch_->SetLocation(endpoint, {dc, rack});
  }
  const std::string status = state.GossipStatus();
  if (status == gossip::kStatusLeft || status == gossip::kStatusRemoved ||
      status == gossip::kStatusRemoving) {
    RemoveFromRing(endpoint);
    return;
  }
  // NORMAL members stay in the ring while shut down (Cassandra keeps their tokens; only
  // a member announces its shutdown: BOOT is a silent-shutdown state); a node that never
  // announced NORMAL (BOOT, or no STATUS yet) owns nothing.
  if (status != gossip::kStatusNormal && status != gossip::kStatusShutdown) return;
  std::vector<Token> tokens;
  for (const std::string& t : gossip::ParseTokens(state.GetValue(ApplicationState::kTokens))) {
    auto token = db_->partitioner().TokenFromString(t);
    if (!token.ok()) {
      CAIRN_LOG(WARN) << "ignoring a bad token '" << t << "' gossiped for " << endpoint;
      continue;
    }
    tokens.push_back(std::move(token).value());
  }
  if (tokens.empty()) return;
  std::sort(tokens.begin(), tokens.end());
  const std::string& host_id = state.GetValue(ApplicationState::kHostId);
  auto current = token_metadata_.Get();
  if (current->GetTokens(endpoint) != tokens ||
      (!host_id.empty() && current->GetHostId(endpoint) != host_id)) {
    token_metadata_.Mutate([&](ring::TokenMetadata& tm) {
      tm.UpdateNormalTokens(endpoint, tokens);
      if (!host_id.empty()) tm.UpdateHostId(endpoint, host_id);
      return Status::OK();
    }).IgnoreError();  // the lambda cannot fail
    CAIRN_LOG(INFO) << "node " << endpoint << " is in the ring with " << tokens.size()
                    << " tokens";
  }
  SavePeer(endpoint, state, tokens);
}

void StorageService::SavePeer(const std::string& endpoint, const gossip::EndpointState& state,
                              const std::vector<Token>& tokens) {
  PeerInfo peer;
  peer.endpoint = endpoint;
  for (const Token& t : tokens) peer.tokens.push_back(db_->partitioner().TokenToString(t));
  peer.host_id = state.GetValue(ApplicationState::kHostId);
  peer.data_center = state.GetValue(ApplicationState::kDc);
  peer.rack = state.GetValue(ApplicationState::kRack);
  peer.rpc_address = state.GetValue(ApplicationState::kRpcAddress);
  peer.release_version = state.GetValue(ApplicationState::kReleaseVersion);
  peer.schema_version = state.GetValue(ApplicationState::kSchema);
  // On the gossip thread: a write to the commit log, rare (a peer joins or changes).
  auto saved = db_->SavePeer(peer);
  if (!saved.ok()) {
    // Gossip keeps the ring right meanwhile; the next change of this peer tries again.
    CAIRN_LOG(WARN) << "cannot save peer " << endpoint
                    << " in system.peers: " << saved.status().ToString();
  } else if (*saved) {
    CAIRN_LOG(DEBUG) << "saved peer " << endpoint << " in system.peers";
  }
}

void StorageService::LoadSavedPeers() {
  const std::map<std::string, PeerInfo> peers = db_->peers();
  std::vector<const PeerInfo*> loaded;
  std::vector<std::vector<Token>> loaded_tokens;
  for (const auto& [endpoint, peer] : peers) {
    if (endpoint == local_endpoint_) {
      // Saved under this node's own address (it moved here): not a peer (Cassandra
      // deletes such a row too).
      db_->RemovePeer(endpoint).status().IgnoreError();  // retried at the next start
      continue;
    }
    if (!EndpointOf(endpoint).ok()) {
      CAIRN_LOG(WARN) << "ignoring saved peer '" << endpoint << "': not an address";
      continue;
    }
    std::vector<Token> tokens;
    for (const std::string& t : peer.tokens) {
      auto token = db_->partitioner().TokenFromString(t);
      if (token.ok()) tokens.push_back(std::move(token).value());
    }
    if (tokens.empty()) {
      CAIRN_LOG(WARN) << "ignoring saved peer " << endpoint << ": no valid token";
      continue;
    }
    std::sort(tokens.begin(), tokens.end());
    loaded.push_back(&peer);
    loaded_tokens.push_back(std::move(tokens));
  }
  if (loaded.empty()) return;
  token_metadata_.Mutate([&](ring::TokenMetadata& tm) {
    for (size_t i = 0; i < loaded.size(); ++i) {
      tm.UpdateNormalTokens(loaded[i]->endpoint, loaded_tokens[i]);
      if (!loaded[i]->host_id.empty()) tm.UpdateHostId(loaded[i]->endpoint, loaded[i]->host_id);
    }
    return Status::OK();
  }).IgnoreError();  // the lambda cannot fail
  const int64_t now = clock_->MonotonicNanos();
  for (const PeerInfo* peer : loaded) {
    if (property_snitch_ && !peer->data_center.empty() && !peer->rack.empty()) {
      property_snitch_->SetLocation(peer->endpoint, {peer->data_center, peer->rack});
    }
    // Generation 0 and down: any real state replaces these, and gossip contacts the
    // peer as an unreachable member. Version-0 values are never gossiped on.
    std::vector<std::pair<ApplicationState, std::string>> states;
    if (!peer->host_id.empty()) {
      states.emplace_back(ApplicationState::kHostId, VersionedValueFactory::HostId(peer->host_id));
    }
    if (!peer->rpc_address.empty()) {
      states.emplace_back(ApplicationState::kRpcAddress,
                          VersionedValueFactory::RpcAddress(peer->rpc_address));
    }
    if (!peer->data_center.empty()) {
      states.emplace_back(ApplicationState::kDc,
                          VersionedValueFactory::Datacenter(peer->data_center));
    }
    if (!peer->rack.empty()) {
      states.emplace_back(ApplicationState::kRack, VersionedValueFactory::Rack(peer->rack));
    }
    gossiper_->AddSavedEndpoint(peer->endpoint, states);
    std::lock_guard lock(live_mu_);
    down_since_.emplace(peer->endpoint, now);  // hint windows count from this start
  }
  CAIRN_LOG(INFO) << "loaded " << loaded.size()
                  << " saved peer(s) from system.peers: the ring has "
                  << token_metadata_.Get()->NumNormalEndpoints()
                  << " node(s) before gossip (peers are down until gossip marks them up)";
}

void StorageService::RemoveFromRing(const std::string& endpoint) {
  if (endpoint == local_endpoint_) return;
  if (property_snitch_) property_snitch_->RemoveEndpoint(endpoint);
  auto removed = db_->RemovePeer(endpoint);
  if (!removed.ok()) {
    CAIRN_LOG(WARN) << "cannot remove peer " << endpoint
                    << " from system.peers: " << removed.status().ToString();
  }
  auto current = token_metadata_.Get();
  if (!current->IsMember(endpoint) && !current->GetHostId(endpoint)) return;
  token_metadata_.Mutate([&](ring::TokenMetadata& tm) {
    tm.RemoveEndpoint(endpoint);
    return Status::OK();
  }).IgnoreError();  // the lambda cannot fail
  CAIRN_LOG(INFO) << "node " << endpoint << " left the ring";
}

// ---- Schema pull (Cassandra's MigrationManager / MigrationTask) ----

void StorageService::MaybePullSchema(const std::string& endpoint,
                                     const gossip::EndpointState& state) {
  if (endpoint == local_endpoint_ || !gossiper_->IsAlive(endpoint)) return;
  const std::string& theirs = state.GetValue(ApplicationState::kSchema);
  if (theirs.empty() || theirs == db_->schema()->version) return;
  const int64_t now = clock_->MonotonicNanos();
  auto it = schema_pull_at_.find(endpoint);
  if (it != schema_pull_at_.end() && now - it->second < kSchemaPullIntervalNanos) return;
  schema_pull_at_[endpoint] = now;
  auto ep = EndpointOf(endpoint);
  if (!ep.ok()) return;
  in::SchemaPullRequest req;
  req.__set_schema_version(db_->schema()->version);
  CAIRN_LOG(INFO) << "schema version " << theirs << " of " << endpoint << " differs from ours ("
                  << db_->schema()->version << "): pulling it";
  Status st = messaging_->SendRequest(
      *ep, in::Verb::SCHEMA_PULL, req, kSchemaPullTimeout,
      [this, endpoint](Result<net::Message> r) { HandleSchemaPullResponse(endpoint, std::move(r)); });
  if (!st.ok()) CAIRN_LOG(WARN) << "schema pull from " << endpoint << ": " << st.ToString();
}

void StorageService::HandleSchemaPullResponse(const std::string& endpoint,
                                              Result<net::Message> response) {
  if (!response.ok()) {
    CAIRN_LOG(WARN) << "schema pull from " << endpoint << " failed: "
                    << response.status().ToString();
    return;
  }
  in::SchemaPullResponse resp;
  Status st = net::Deserialize(response->payload, &resp);
  if (st.ok()) {
    std::lock_guard lock(merge_mu_);
    auto changed = db_->MergeSchemaMutations(resp.mutations);
    st = changed.status();
  }
  if (!st.ok()) {
    CAIRN_LOG(WARN) << "cannot merge the schema of " << endpoint << ": " << st.ToString();
    return;
  }
  // Announce the merged version at once rather than at the next round.
  Post([this] { AnnounceSchemaIfChanged(); });
}

void StorageService::HandleSchemaPull(net::Message msg) {
  auto mutations = db_->SchemaMutations();
  if (!mutations.ok()) {
    messaging_->SendFailureResponse(msg, in::FailureReason::HANDLER_ERROR,
                                    mutations.status().ToString())
        .IgnoreError();  // the requester times out
    return;
  }
  in::SchemaPullResponse resp;
  resp.schema_version = db_->schema()->version;
  resp.mutations = std::move(mutations).value();
  messaging_->SendResponse(msg, net::Serialize(resp)).IgnoreError();  // ditto
}

// ---- Inbound gossip ----

void StorageService::HandleEcho(net::Message msg) {
  // Cassandra's EchoVerbHandler: the same bytes back.
  std::string payload = msg.payload;
  messaging_->SendResponse(msg, std::move(payload)).IgnoreError();  // the peer times out
}

void StorageService::HandleGossip(net::Message msg) {
  const std::string from = NameOf(msg.from);
  gossip::GossipMessage gm;
  Status st;
  switch (msg.verb) {
    case in::Verb::GOSSIP_DIGEST_SYN: {
      in::GossipDigestSyn w;
      st = net::Deserialize(msg.payload, &w);
      gm = gossip::GossipDigestSyn{w.cluster_name, w.partitioner, FromWire(w.digests)};
      break;
    }
    case in::Verb::GOSSIP_DIGEST_ACK: {
      in::GossipDigestAck w;
      st = net::Deserialize(msg.payload, &w);
      gm = gossip::GossipDigestAck{FromWire(w.digests), FromWire(w.states)};
      break;
    }
    case in::Verb::GOSSIP_DIGEST_ACK2: {
      in::GossipDigestAck2 w;
      st = net::Deserialize(msg.payload, &w);
      gm = gossip::GossipDigestAck2{FromWire(w.states)};
      break;
    }
    case in::Verb::GOSSIP_SHUTDOWN:
      gm = gossip::GossipShutdown{};
      break;
    default:
      return;
  }
  if (!st.ok()) {
    CAIRN_LOG(WARN) << "dropping a malformed " << net::VerbName(msg.verb) << " from " << from
                    << ": " << st.ToString();
    return;
  }
  Post([this, from, gm = std::move(gm)] { gossiper_->Handle(from, gm); });
}

// ---- Accessors ----

std::set<std::string> StorageService::LiveEndpoints() const {
  std::lock_guard lock(live_mu_);
  return live_;
}

int64_t StorageService::DowntimeMs(const std::string& endpoint) const {
  std::lock_guard lock(live_mu_);
  auto it = down_since_.find(endpoint);
  if (it == down_since_.end()) return 0;
  return (clock_->MonotonicNanos() - it->second) / 1'000'000;
}

bool StorageService::IsAlive(const std::string& endpoint) const {
  if (endpoint == local_endpoint_) return true;
  std::lock_guard lock(live_mu_);
  return live_.count(endpoint) > 0;
}

std::shared_ptr<const gossip::GossipSnapshot> StorageService::gossip_snapshot() const {
  return gossiper_ ? gossiper_->snapshot() : nullptr;
}

std::string StorageService::RpcAddress(const std::string& endpoint) const {
  if (endpoint == local_endpoint_) return options_.rpc_address;
  if (auto snap = gossip_snapshot()) {
    auto it = snap->states.find(endpoint);
    if (it != snap->states.end()) {
      const std::string& rpc = it->second.GetValue(ApplicationState::kRpcAddress);
      if (!rpc.empty()) return rpc;
    }
  }
  return endpoint;
}

std::map<std::string, std::vector<std::string>> StorageService::SchemaVersions() const {
  std::map<std::string, std::vector<std::string>> out;
  if (auto snap = gossip_snapshot()) out = snap->SchemaVersions();
  // The snapshot lags by up to a round: the local entry comes from the schema itself,
  // and a peer convicted since the snapshot moves to UNREACHABLE at once.
  std::vector<std::string> down;
  for (auto it = out.begin(); it != out.end();) {
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), local_endpoint_), v.end());
    if (it->first != "UNREACHABLE") {
      auto dead = std::stable_partition(v.begin(), v.end(),
                                        [this](const std::string& e) { return IsAlive(e); });
      down.insert(down.end(), dead, v.end());
      v.erase(dead, v.end());
    }
    it = v.empty() ? out.erase(it) : std::next(it);
  }
  if (!down.empty()) {
    auto& unreachable = out["UNREACHABLE"];
    unreachable.insert(unreachable.end(), down.begin(), down.end());
    std::sort(unreachable.begin(), unreachable.end());
  }
  out[db_->schema()->version].push_back(local_endpoint_);
  return out;
}

}  // namespace cairn::node
