// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "node/storage_service.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <random>

#include <boost/asio/post.hpp>

#include "common/logging.h"
#include "common/thread_name.h"
#include "node/internode_convert.h"
#include "node/net/codec.h"
#include "node/range_movement.h"
#include "node/repair.h"
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

// system.local cells of range movements (Database::SaveLocalCell).
constexpr std::string_view kBootstrapStateCell = "bootstrap_state";
constexpr std::string_view kBootstrapRangesCell = "bootstrap_ranges";
constexpr char kBootstrapInProgress[] = "IN_PROGRESS";
constexpr char kBootstrapCompleted[] = "COMPLETED";
constexpr char kDecommissioned[] = "DECOMMISSIONED";
// A STREAM_REQUEST answers when all its pulls are in: hours for a big node.
constexpr std::chrono::hours kStreamRequestTimeout{24};
// Attempts of a decommission or removenode before it gives up.
constexpr int kMovementAttempts = 5;

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
  streams_ = std::make_unique<StreamService>(options_.stream, db_, messaging_.get(), clock_);
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
  messaging_->RegisterHandler(in::Verb::STREAM_REQUEST,
                              [this](net::Message m) { HandleStreamRequest(std::move(m)); });
  messaging_->RegisterHandler(in::Verb::VALIDATION,
                              [this](net::Message m) { HandleValidation(std::move(m)); });
  const std::optional<std::string> boot_state = db_->GetLocalCell(kBootstrapStateCell);
  if (boot_state == kDecommissioned) {
    // Cassandra: "This node was decommissioned and will not rejoin the ring".
    return Status::InvalidArgument(
        "This node was decommissioned and will not rejoin the ring; to add it again as a "
        "new node, remove its data, commit log, hints and batch log directories first");
  }
  Status st = messaging_->Start();
  if (!st.ok()) {
    return Status::IOError("cannot listen for internode messages on " + listen.ToString() +
                           ": " + st.ToString());
  }

  // A node that never ran gossip before: with initial_token it has tokens already, but
  // it still has to bootstrap.
  const bool first_start = !db_->saved_gossip_generation().has_value();
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
  bool resume_bootstrap = false;
  if (!tokens.empty()) {
    if (boot_state == kBootstrapInProgress && options_.auto_bootstrap) {
      // A bootstrap that did not finish: announce BOOT again with the same tokens and
      // pull what is still missing (bootstrap_ranges holds what arrived).
      resume_bootstrap = true;
      CAIRN_LOG(INFO) << "resuming an unfinished bootstrap with the saved " << tokens.size()
                      << " tokens";
    } else if (first_start && !boot_state.has_value() && !alone && !self_seed_ &&
               options_.auto_bootstrap) {
      // New, with initial_token: learn the ring, then bootstrap with those tokens.
      join_at_micros_ = clock_->NowMicros() + options_.ring_delay_ms * 1000;
      std::lock_guard lock(op_mu_);
      mode_ = "JOINING";
    } else {
      JoinRing();
    }
  } else if (alone) {
    // The only node it knows of: nothing to learn first (evenly spaced tokens).
    JoinRing();
  } else {
    join_at_micros_ = clock_->NowMicros() + options_.ring_delay_ms * 1000;
    {
      std::lock_guard lock(op_mu_);
      mode_ = "JOINING";
    }
    CAIRN_LOG(INFO) << "new node: learning the ring from the seeds for "
                    << options_.ring_delay_ms << " ms before choosing " << options_.num_tokens
                    << " tokens";
  }
  gossiper_->PublishSnapshot();

  running_ = true;
  tick_timer_.emplace(gossip_io_);
  ScheduleTick();
  gossip_thread_ = std::thread([this] {
    SetThreadName("gossip");
    gossip_io_.run();
  });
  if (resume_bootstrap) {
    bootstrap_started_ = true;
    bootstrap_thread_ = std::thread([this, tokens] { RunBootstrap(tokens, /*resumed=*/true); });
  }
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
  {
    std::lock_guard lock(op_mu_);
    op_cv_.notify_all();  // wakes the bootstrap thread and WaitForJoin
  }
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
  if (messaging_) messaging_->Stop();  // aborts pulls in flight
  if (bootstrap_thread_.joinable()) bootstrap_thread_.join();
  std::vector<StreamWorker> workers;
  {
    std::lock_guard lock(op_mu_);
    workers.swap(stream_workers_);
  }
  for (StreamWorker& w : workers) w.thread.join();
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
  if (!joined_ && !bootstrap_started_ && clock_->NowMicros() >= join_at_micros_) {
    // A non-seed needs to have learned at least one member: a SYN's answer covers only
    // the endpoints the SYN named, so the rest of the ring arrives with the seed's own
    // SYN, a round or two later. A seed may found the ring.
    if (self_seed_ || !token_metadata_.Get()->empty()) {
      StartBootstrapOrJoin();
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
    RecalculatePendingRanges(&tm);
    return Status::OK();
  }).IgnoreError();  // the lambda cannot fail
  gossiper_->AddLocalApplicationStates({
      {ApplicationState::kTokens, VersionedValueFactory::Tokens(strings)},
      {ApplicationState::kStatus, VersionedValueFactory::Normal(strings)},
  });
  joined_ = true;
  {
    std::lock_guard lock(op_mu_);
    mode_ = "NORMAL";
  }
  FinishJoin(Status::OK());
  CAIRN_LOG(INFO) << "joined the ring as " << local_endpoint_ << " (STATUS NORMAL, "
                  << tokens.size() << " tokens)";
}

void StorageService::AnnounceSchemaIfChanged() {
  const std::string version = db_->schema()->version;
  if (version == announced_schema_ || !gossiper_->enabled()) return;
  announced_schema_ = version;
  gossiper_->AddLocalApplicationState(ApplicationState::kSchema,
                                      VersionedValueFactory::Schema(version));
  // A keyspace created or changed while a node joins or leaves has pending ranges too.
  auto tm = token_metadata_.Get();
  if (!tm->BootstrapTokens().empty() || !tm->LeavingEndpoints().empty()) {
    token_metadata_.Mutate([&](ring::TokenMetadata& m) {
      RecalculatePendingRanges(&m);
      return Status::OK();
    }).IgnoreError();  // the lambda cannot fail
  }
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
  if (status == gossip::kStatusLeft || status == gossip::kStatusRemoved) {
    RemoveFromRing(endpoint);
    return;
  }
  const std::string& host_id = state.GetValue(ApplicationState::kHostId);
  if (status == gossip::kStatusRemoving) {
    // removenode in progress (Cassandra's handleStateRemoving): the dead node's ranges
    // are pending on their new owners until it is removed.
    auto current = token_metadata_.Get();
    if (current->IsMember(endpoint) && !current->IsLeaving(endpoint)) {
      MarkLeaving(endpoint);
      CAIRN_LOG(INFO) << "node " << endpoint << " is being removed (removenode)";
    }
    return;
  }
  // NORMAL members stay in the ring while shut down (Cassandra keeps their tokens; only
  // a member announces its shutdown: BOOT is a silent-shutdown state); a node that never
  // announced NORMAL or LEAVING owns nothing; a BOOT node's tokens are pending.
  if (status != gossip::kStatusNormal && status != gossip::kStatusShutdown &&
      status != gossip::kStatusBootstrapping && status != gossip::kStatusLeaving) {
    return;
  }
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
  auto current = token_metadata_.Get();
  if (status == gossip::kStatusBootstrapping) {
    // Cassandra's handleStateBootstrap: the joining node's tokens are pending; writes
    // reach it from now on, reads do not until it is NORMAL.
    if (current->IsMember(endpoint)) {
      CAIRN_LOG(WARN) << "node " << endpoint << " announced BOOT but is a ring member; ignored";
      return;
    }
    if (current->GetBootstrapTokens(endpoint) == tokens) return;
    Status added = token_metadata_.Mutate([&](ring::TokenMetadata& tm) {
      tm.RemoveBootstrapTokens(tm.GetBootstrapTokens(endpoint));
      CAIRN_RETURN_IF_ERROR(tm.AddBootstrapTokens(endpoint, tokens));
      if (!host_id.empty()) tm.UpdateHostId(endpoint, host_id);
      RecalculatePendingRanges(&tm);
      return Status::OK();
    });
    if (!added.ok()) {
      CAIRN_LOG(ERROR) << "node " << endpoint << " is joining with tokens we cannot accept: "
                       << added.ToString();
      return;
    }
    CAIRN_LOG(INFO) << "node " << endpoint << " is joining the ring (BOOT) with "
                    << tokens.size() << " tokens";
    return;
  }
  const bool leaving = status == gossip::kStatusLeaving;
  if (current->GetTokens(endpoint) != tokens ||
      (!host_id.empty() && current->GetHostId(endpoint) != host_id) ||
      current->IsBootstrapping(endpoint) || current->IsLeaving(endpoint) != leaving) {
    token_metadata_.Mutate([&](ring::TokenMetadata& tm) {
      tm.UpdateNormalTokens(endpoint, tokens);
      if (!host_id.empty()) tm.UpdateHostId(endpoint, host_id);
      if (leaving) tm.AddLeavingEndpoint(endpoint);
      RecalculatePendingRanges(&tm);
      return Status::OK();
    }).IgnoreError();  // the lambda cannot fail
    CAIRN_LOG(INFO) << "node " << endpoint << " is in the ring with " << tokens.size()
                    << " tokens" << (leaving ? " and leaving (LEAVING)" : "");
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
  // The ring first, then system.peers: whoever sees the peer gone from disk sees it gone from
  // the ring too (a crash in between only restores a saved peer that gossip removes again).
  auto current = token_metadata_.Get();
  const bool in_ring = current->IsMember(endpoint) || current->GetHostId(endpoint);
  if (in_ring) {
    token_metadata_.Mutate([&](ring::TokenMetadata& tm) {
      tm.RemoveEndpoint(endpoint);
      RecalculatePendingRanges(&tm);
      return Status::OK();
    }).IgnoreError();  // the lambda cannot fail
  }
  auto removed = db_->RemovePeer(endpoint);
  if (!removed.ok()) {
    CAIRN_LOG(WARN) << "cannot remove peer " << endpoint
                    << " from system.peers: " << removed.status().ToString();
  }
  if (in_ring) CAIRN_LOG(INFO) << "node " << endpoint << " left the ring";
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

// ---- Range movements ----

namespace {

std::string RangeKey(const TableId& table, const ring::Range& r, const ring::Partitioner& p) {
  return UuidToString(table) + " " + p.TokenToString(r.left) + " " + p.TokenToString(r.right);
}

// A (gainer, table, range) a decommission or removenode has streamed.
std::string TransferKey(const std::string& gainer, const TableId& table, const ring::Range& r,
                        const ring::Partitioner& p) {
  return gainer + " " + RangeKey(table, r, p);
}

// One table's part of a STREAM_REQUEST: pull `bounds` of it from `source`.
in::StreamFetch StreamFetchOf(const std::string& source, const std::string& keyspace,
                              const TableId& table_id, const std::vector<KeyBounds>& bounds) {
  in::StreamFetch f;
  f.source = source;
  f.keyspace = keyspace;
  f.table_id = table_id;
  f.bounds = BoundsToWire(bounds);
  return f;
}

StorageService::MovementProgress NewMovement(std::string operation) {
  StorageService::MovementProgress m;
  m.operation = std::move(operation);
  m.state = "running";
  return m;
}

std::string DescribeRange(const ring::Range& r, const ring::Partitioner& p) {
  return "(" + p.TokenToString(r.left) + "," + p.TokenToString(r.right) + "]";
}

std::set<std::string> ParseLines(const std::optional<std::string>& text) {
  std::set<std::string> out;
  if (!text.has_value()) return out;
  size_t start = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    if (end > start) out.insert(text->substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string JoinLines(const std::set<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

}  // namespace

std::vector<KeyspaceSchema> StorageService::RingKeyspaces() const {
  std::vector<KeyspaceSchema> out;
  auto schema = db_->schema();
  for (const auto& [name, ks] : schema->keyspaces) {
    if (IsSystemKeyspace(name) || ks.strategy_class.find("LocalStrategy") != std::string::npos) {
      continue;
    }
    out.push_back(ks);
  }
  return out;
}

Result<std::shared_ptr<const ring::ReplicationStrategy>> StorageService::StrategyFor(
    const KeyspaceSchema& ks) const {
  return ring::ReplicationStrategy::Create(ks.strategy_class, ks.strategy_options, snitch_,
                                           ks.name);
}

void StorageService::RecalculatePendingRanges(ring::TokenMetadata* tm) const {
  for (const KeyspaceSchema& ks : RingKeyspaces()) {
    auto strategy = StrategyFor(ks);
    if (!strategy.ok()) continue;
    tm->CalculatePendingRanges(**strategy, ks.name);
  }
}

void StorageService::MarkLeaving(const std::string& endpoint) {
  token_metadata_.Mutate([&](ring::TokenMetadata& tm) {
    tm.AddLeavingEndpoint(endpoint);
    RecalculatePendingRanges(&tm);
    return Status::OK();
  }).IgnoreError();  // the lambda cannot fail
}

std::string StorageService::OtherMovement(const ring::TokenMetadata& tm) const {
  for (const auto& [token, endpoint] : tm.BootstrapTokens()) {
    if (endpoint != local_endpoint_) return endpoint + " is joining";
  }
  for (const std::string& endpoint : tm.LeavingEndpoints()) {
    if (endpoint != local_endpoint_) return endpoint + " is leaving";
  }
  return "";
}

bool StorageService::SleepUnlessStopped(int64_t ms) {
  std::unique_lock lock(op_mu_);
  op_cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(0, ms)),
                  [this] { return stopped_.load(); });
  return !stopped_;
}

void StorageService::FinishJoin(Status st) {
  std::lock_guard lock(op_mu_);
  if (join_finished_) return;
  join_finished_ = true;
  join_status_ = std::move(st);
  op_cv_.notify_all();
}

Status StorageService::WaitForJoin() {
  std::unique_lock lock(op_mu_);
  op_cv_.wait(lock, [this] { return join_finished_ || stopped_.load(); });
  if (join_finished_) return join_status_;
  return Status::Aborted("stopped before joining the ring");
}

std::optional<Status> StorageService::join_result() const {
  std::lock_guard lock(op_mu_);
  if (!join_finished_) return std::nullopt;
  return join_status_;
}

std::string StorageService::OperationMode() const {
  std::lock_guard lock(op_mu_);
  return mode_;
}

StorageService::MovementProgress StorageService::movement() const {
  std::lock_guard lock(op_mu_);
  return movement_;
}

void StorageService::SetMovement(const std::function<void(MovementProgress&)>& fn) {
  std::lock_guard lock(op_mu_);
  fn(movement_);
}

void StorageService::AnnounceAndWait(
    std::vector<std::pair<gossip::ApplicationState, std::string>> states) {
  auto done = std::make_shared<std::promise<void>>();
  auto future = done->get_future();
  Post([this, states = std::move(states), done] {
    if (gossiper_->enabled()) gossiper_->AddLocalApplicationStates(states);
    done->set_value();
  });
  while (future.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    if (stopped_) return;  // the gossip thread may be gone
  }
}

bool StorageService::WaitForSchemaAgreement() {
  // Cassandra's waitUntilReadyForBootstrap: the joining node must know every table
  // before it decides what to pull.
  const int64_t started = clock_->MonotonicNanos();
  int64_t logged = started;
  while (!stopped_) {
    const std::string ours = db_->schema()->version;
    auto versions = SchemaVersions();
    auto tm = token_metadata_.Get();
    bool agreed = true;
    for (const std::string& member : tm->GetNormalEndpoints()) {
      if (member == local_endpoint_ || !IsAlive(member)) continue;
      auto it = versions.find(ours);
      if (it == versions.end() ||
          std::find(it->second.begin(), it->second.end(), member) == it->second.end()) {
        agreed = false;
        break;
      }
    }
    if (agreed) return true;
    if (clock_->MonotonicNanos() - logged > 10'000'000'000LL) {
      logged = clock_->MonotonicNanos();
      CAIRN_LOG(INFO) << "waiting for the schema of the live ring members before streaming";
    }
    SleepUnlessStopped(100);
  }
  return false;
}

void StorageService::StartBootstrapOrJoin() {
  if (!options_.auto_bootstrap || self_seed_) {
    if (options_.auto_bootstrap) {
      CAIRN_LOG(INFO) << "This node will not auto bootstrap because it is configured to be a "
                         "seed node";
    }
    JoinRing();
    return;
  }
  auto tm = token_metadata_.Get();
  if (tm->empty()) {
    JoinRing();
    return;
  }
  bootstrap_started_ = true;
  // The rest blocks (schema agreement, disk): on the bootstrap thread.
  bootstrap_thread_ = std::thread([this] { PrepareBootstrap(); });
}

void StorageService::PrepareBootstrap() {
  // The schema first: whether there is anything to stream depends on it.
  if (!WaitForSchemaAgreement()) {
    FinishJoin(Status::Aborted("stopped while bootstrapping"));
    return;
  }
  if (RingKeyspaces().empty()) {
    // No keyspace holds data to stream: join without bootstrap, so a new cluster's nodes
    // may all start together. Their tokens are chosen one node at a time, though (the
    // lowest address first), each against a ring holding the ones before: tokens chosen
    // against the same ring would overlap the same ranges. Bounded, in case a node that
    // is learning the ring never finishes.
    const int64_t wait_until = clock_->MonotonicNanos() + 60'000'000'000LL;
    while (!stopped_ && clock_->MonotonicNanos() < wait_until) {
      std::string first;
      if (auto snap = gossip_snapshot()) {
        for (const auto& [endpoint, state] : snap->states) {
          if (endpoint == local_endpoint_ || !IsAlive(endpoint)) continue;
          const std::string status = state.GossipStatus();
          if (!status.empty() && status != gossip::kStatusBootstrapping) continue;
          if (endpoint < local_endpoint_ && (first.empty() || endpoint < first)) first = endpoint;
        }
      }
      if (first.empty()) break;
      CAIRN_LOG_EVERY_N_SEC(INFO, 10) << "waiting for " << first
                                      << " to choose its tokens before choosing ours";
      SleepUnlessStopped(std::max<int64_t>(100, options_.gossip_interval_ms / 2));
    }
    CAIRN_LOG(INFO) << "no keyspace to stream yet: joining the ring without bootstrap";
    JoinRingAndWait();
    return;
  }
  auto tm = token_metadata_.Get();
  const std::string other = OtherMovement(*tm);
  if (!other.empty()) {
    // Cassandra refuses concurrent range movements (cassandra.consistent.rangemovement).
    Status refused = Status::InvalidArgument(
        "Other bootstrapping/leaving nodes detected (" + other +
        "): cannot bootstrap while another node is joining or leaving the ring; start this "
        "node again once that has finished");
    CAIRN_LOG(ERROR) << refused.message();
    {
      std::lock_guard lock(op_mu_);
      mode_ = "STARTING";
    }
    FinishJoin(refused);
    return;
  }
  // initial_token gave the tokens already; otherwise they split the most loaded ranges.
  std::vector<Token> tokens = db_->tokens();
  const bool allocate = tokens.empty();
  if (allocate) {
    std::mt19937_64 rng(std::random_device{}());
    tokens = ring::AllocateTokens(*tm, std::max(1, options_.num_tokens), rng);
  }
  std::vector<std::string> strings;
  for (const Token& t : tokens) strings.push_back(db_->partitioner().TokenToString(t));
  // The state first: a crash before the tokens are saved allocates afresh next time.
  Status st = db_->SaveLocalCell(kBootstrapStateCell, kBootstrapInProgress);
  if (st.ok()) st = db_->SaveLocalCell(kBootstrapRangesCell, "");
  if (st.ok() && allocate) st = db_->SetTokens(strings);
  if (!st.ok()) {
    CAIRN_LOG(ERROR) << "cannot save the bootstrap tokens: " << st.ToString();
    FinishJoin(st);
    return;
  }
  CAIRN_LOG(INFO) << (allocate ? "allocated " : "using the configured ") << tokens.size()
                  << " tokens against a ring of " << tm->NumNormalEndpoints()
                  << " node(s); bootstrapping";
  std::sort(tokens.begin(), tokens.end());
  RunBootstrap(tokens, /*resumed=*/false);
}

void StorageService::JoinRingAndWait() {
  auto joined = std::make_shared<std::promise<void>>();
  auto future = joined->get_future();
  Post([this, joined] {
    JoinRing();
    joined->set_value();
  });
  while (future.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    if (stopped_) return;
  }
}

void StorageService::RunBootstrap(std::vector<Token> tokens, bool resumed) {
  const ring::Partitioner& p = db_->partitioner();
  std::vector<std::string> strings;
  for (const Token& t : tokens) strings.push_back(p.TokenToString(t));
  {
    std::lock_guard lock(op_mu_);
    mode_ = "JOINING";
    movement_ = NewMovement("bootstrap");
  }
  const int64_t started = clock_->MonotonicNanos();
  token_metadata_.Mutate([&](ring::TokenMetadata& tm) {
    tm.RemoveBootstrapTokens(tm.GetBootstrapTokens(local_endpoint_));
    tm.AddBootstrapTokens(local_endpoint_, tokens).IgnoreError();  // ours: no collision
    tm.UpdateHostId(local_endpoint_, db_->local().host_id);
    RecalculatePendingRanges(&tm);
    return Status::OK();
  }).IgnoreError();
  AnnounceAndWait({{ApplicationState::kTokens, VersionedValueFactory::Tokens(strings)},
                   {ApplicationState::kStatus, VersionedValueFactory::Bootstrapping(strings)}});
  CAIRN_LOG(INFO) << "JOINING: announced BOOT with " << tokens.size() << " tokens"
                  << (resumed ? " (resumed)" : "") << "; waiting " << options_.ring_delay_ms
                  << " ms (ring_delay_ms) for every node to see it";
  if (!SleepUnlessStopped(options_.ring_delay_ms) || !WaitForSchemaAgreement()) {
    FinishJoin(Status::Aborted("stopped while bootstrapping"));
    return;
  }

  std::set<std::string> done = ParseLines(db_->GetLocalCell(kBootstrapRangesCell));
  uint64_t bytes_total = 0;
  for (int attempt = 1; !stopped_; ++attempt) {
    auto tm = token_metadata_.Get();
    // (source, table id) -> the ranges to pull from it.
    std::map<std::pair<std::string, TableId>, std::vector<ring::Range>> plan;
    std::map<TableId, TableMetadata> tables;
    uint64_t total = 0;
    std::string error;
    for (const KeyspaceSchema& ks : RingKeyspaces()) {
      auto strategy = StrategyFor(ks);
      if (!strategy.ok()) continue;
      for (RangeSources& rs : BootstrapRanges(*tm, **strategy, local_endpoint_, tokens)) {
        std::string source;
        for (const std::string& e : rs.sources) {
          if (IsAlive(e)) {
            source = e;
            break;
          }
        }
        for (const TableSchema& t : ks.tables) {
          ++total;
          if (done.count(RangeKey(t.metadata.id, rs.range, p)) > 0) continue;
          if (source.empty()) {
            error = "no live replica holds range " + DescribeRange(rs.range, p) + " of keyspace " +
                    ks.name;
            continue;
          }
          if (source != rs.sources.front()) {
            CAIRN_LOG_EVERY_N_SEC(WARN, 30)
                << "the replica losing range " << DescribeRange(rs.range, p) << " (" << rs.sources.front()
                << ") is down: pulling it from " << source
                << " instead (run repair afterwards for writes only the down node had)";
          }
          plan[{source, t.metadata.id}].push_back(rs.range);
          tables[t.metadata.id] = t.metadata;
        }
      }
    }
    SetMovement([&](MovementProgress& m) {
      m.ranges_total = total;
      m.ranges_done = total;
      for (const auto& [key, ranges] : plan) m.ranges_done -= ranges.size();
    });
    {
      uint64_t to_pull = 0;
      std::set<std::string> sources;
      for (const auto& [key, ranges] : plan) {
        to_pull += ranges.size();
        sources.insert(key.first);
      }
      CAIRN_LOG(INFO) << "bootstrap streaming, attempt " << attempt << ": " << total
                      << " (table, range) pairs, " << to_pull << " to pull from "
                      << sources.size() << " node(s)";
    }
    for (const auto& [key, ranges] : plan) {
      if (stopped_) break;
      const auto& [source, table_id] = key;
      auto ep = EndpointOf(source);
      if (!ep.ok()) {
        error = ep.status().ToString();
        continue;
      }
      const TableMetadata& table = tables.at(table_id);
      // One pull (and one new SSTable) per range, each saved as done once installed, so
      // an interrupted bootstrap resumes where it stopped.
      for (const ring::Range& r : ranges) {
        if (stopped_) break;
        auto got = streams_->Fetch(
            "bootstrap/" + table.keyspace + "." + table.name + "/" + source, source, *ep, table,
            BoundsOfRange(r, p.MinimumToken()));
        if (!got.ok()) {
          error = "pulling " + table.keyspace + "." + table.name + " " + DescribeRange(r, p) +
                  " from " + source + ": " + got.status().ToString();
          CAIRN_LOG(WARN) << "bootstrap: " << error;
          break;  // the next attempt may choose another source
        }
        bytes_total += *got;
        done.insert(RangeKey(table_id, r, p));
        Status saved = db_->SaveLocalCell(kBootstrapRangesCell, JoinLines(done));
        if (!saved.ok()) CAIRN_LOG(WARN) << "cannot save bootstrap progress: " << saved.ToString();
        SetMovement([&](MovementProgress& m) {
          m.ranges_done += 1;
          m.bytes = bytes_total;
        });
      }
    }
    if (stopped_) break;
    if (error.empty()) {
      Status st = db_->SaveLocalCell(kBootstrapStateCell, kBootstrapCompleted);
      if (st.ok()) {
        CAIRN_LOG(INFO) << "bootstrap streaming complete: " << bytes_total << " bytes in "
                        << (clock_->MonotonicNanos() - started) / 1'000'000 << " ms";
        SetMovement([](MovementProgress& m) {
          m.state = "done";
          m.error.clear();
        });
        JoinRingAndWait();
        return;
      }
      error = "cannot save the bootstrap state: " + st.ToString();
    }
    SetMovement([&](MovementProgress& m) { m.error = error; });
    CAIRN_LOG(WARN) << "bootstrap incomplete (" << error << "); retrying in "
                    << options_.stream_retry_ms << " ms";
    if (!SleepUnlessStopped(options_.stream_retry_ms)) break;
  }
  SetMovement([](MovementProgress& m) { m.state = "failed"; });
  FinishJoin(Status::Aborted("stopped while bootstrapping"));
}

Result<std::vector<ring::Range>> StorageService::RangesForCleanup(
    const std::string& keyspace) const {
  auto tm = token_metadata_.Get();
  if (!joined_ || tm->IsLeaving(local_endpoint_)) {
    return Status::InvalidArgument(
        "Node is involved in cluster membership changes. Not safe to run cleanup.");
  }
  for (const KeyspaceSchema& ks : RingKeyspaces()) {
    if (ks.name != keyspace) continue;
    if (!tm->GetPendingRanges(ks.name, local_endpoint_).empty()) {
      return Status::InvalidArgument(
          "Node is involved in cluster membership changes. Not safe to run cleanup.");
    }
    CAIRN_ASSIGN_OR_RETURN(auto strategy, StrategyFor(ks));
    return strategy->GetRangesFor(local_endpoint_, *tm);
  }
  return Status::NotFound("keyspace " + keyspace + " is not placed by the ring");
}

Status StorageService::RunFetches(const std::string& session,
                                  const std::vector<in::StreamFetch>& fetches, uint64_t* bytes) {
  auto schema = db_->schema();
  for (const in::StreamFetch& f : fetches) {
    if (stopped_) return Status::Aborted("stopping");
    const TableMetadata* table = nullptr;
    if (const KeyspaceSchema* ks = schema->FindKeyspace(f.keyspace)) {
      for (const TableSchema& t : ks->tables) {
        if (t.metadata.id == f.table_id) table = &t.metadata;
      }
    }
    if (table == nullptr) {
      return Status::InvalidArgument("unknown table id " + UuidToString(f.table_id) +
                                     " in keyspace " + f.keyspace);
    }
    CAIRN_ASSIGN_OR_RETURN(net::Endpoint ep, EndpointOf(f.source));
    CAIRN_ASSIGN_OR_RETURN(std::vector<KeyBounds> bounds, BoundsFromWire(f.bounds));
    CAIRN_ASSIGN_OR_RETURN(uint64_t got,
                           streams_->Fetch(session + "/" + table->keyspace + "." + table->name +
                                               "/" + f.source,
                                           f.source, ep, *table, std::move(bounds)));
    *bytes += got;
  }
  return Status::OK();
}

void StorageService::HandleStreamRequest(net::Message msg) {
  auto req = std::make_shared<in::StreamRequest>();
  Status st = net::Deserialize(msg.payload, req.get());
  if (!st.ok()) {
    messaging_->SendFailureResponse(msg, in::FailureReason::INVALID, st.ToString()).IgnoreError();
    return;
  }
  // The pulls take long: their own thread, not the handler pool.
  std::lock_guard lock(op_mu_);
  if (stopped_) return;
  for (auto it = stream_workers_.begin(); it != stream_workers_.end();) {
    if (it->done->load()) {
      it->thread.join();
      it = stream_workers_.erase(it);
    } else {
      ++it;
    }
  }
  auto done = std::make_shared<std::atomic<bool>>(false);
  StreamWorker worker;
  worker.done = done;
  worker.thread = std::thread([this, msg = std::move(msg), req, done] {
    struct MarkDone {
      std::atomic<bool>* flag;
      ~MarkDone() { flag->store(true); }
    } mark{done.get()};
    CAIRN_LOG(INFO) << req->reason << " " << req->session << ": pulling " << req->fetches.size()
                    << " table range set(s) as asked by " << NameOf(msg.from);
    uint64_t bytes = 0;
    Status st = RunFetches(req->reason + "/" + req->session, req->fetches, &bytes);
    if (!st.ok()) {
      CAIRN_LOG(WARN) << req->reason << " " << req->session << ": " << st.ToString();
      messaging_->SendFailureResponse(msg, in::FailureReason::HANDLER_ERROR, st.ToString())
          .IgnoreError();  // the requester times out
      return;
    }
    in::StreamRequestResponse resp;
    resp.bytes = static_cast<int64_t>(bytes);
    messaging_->SendResponse(msg, net::Serialize(resp)).IgnoreError();
  });
  stream_workers_.push_back(std::move(worker));
}

Status StorageService::RequestFetches(const std::string& gainer, const std::string& session,
                                      const std::string& reason,
                                      const std::vector<in::StreamFetch>& fetches) {
  uint64_t bytes = 0;
  if (gainer == local_endpoint_) {
    CAIRN_RETURN_IF_ERROR(RunFetches(reason + "/" + session, fetches, &bytes));
  } else {
    CAIRN_ASSIGN_OR_RETURN(net::Endpoint ep, EndpointOf(gainer));
    in::StreamRequest req;
    req.session = session;
    req.reason = reason;
    req.fetches = fetches;
    auto promise = std::make_shared<std::promise<Result<net::Message>>>();
    auto future = promise->get_future();
    CAIRN_RETURN_IF_ERROR(messaging_->SendRequest(
        ep, in::Verb::STREAM_REQUEST, req,
        std::chrono::duration_cast<std::chrono::milliseconds>(kStreamRequestTimeout),
        [promise](Result<net::Message> r) { promise->set_value(std::move(r)); }));
    Result<net::Message> r = future.get();
    if (!r.ok()) return Status::IOError(gainer + ": " + r.status().ToString());
    in::StreamRequestResponse resp;
    CAIRN_RETURN_IF_ERROR(net::Deserialize(r->payload, &resp));
    bytes = static_cast<uint64_t>(resp.bytes);
  }
  SetMovement([&](MovementProgress& m) { m.bytes += bytes; });
  return Status::OK();
}

Result<std::unique_lock<std::mutex>> StorageService::LockMovement(const std::string& busy) {
  std::unique_lock op(movement_op_mu_, std::try_to_lock);
  if (!op.owns_lock()) return Status::InvalidArgument(busy);
  if (!joined_ || stopped_) {
    return Status::InvalidArgument("local node is not a member of the token ring yet");
  }
  return op;
}

Status StorageService::StreamToGainer(const std::string& gainer, const GainerPlan& plan,
                                      const std::string& session, const std::string& reason,
                                      const std::string& what, std::set<std::string>* done) {
  const ring::Partitioner& p = db_->partitioner();
  std::vector<in::StreamFetch> fetches;
  uint64_t n = 0;
  for (const auto& [key, entry] : plan) {
    const auto& [source, table_id] = key;
    const auto& [keyspace, ranges] = entry;
    fetches.push_back(
        StreamFetchOf(source, keyspace, table_id, BoundsOfRanges(ranges, p.MinimumToken())));
    n += ranges.size();
  }
  CAIRN_LOG(INFO) << reason << ": asking " << gainer << " to pull " << n
                  << " (table, range) pairs " << what;
  CAIRN_RETURN_IF_ERROR(RequestFetches(gainer, session, reason, fetches));
  for (const auto& [key, entry] : plan) {
    for (const ring::Range& r : entry.second) done->insert(TransferKey(gainer, key.second, r, p));
  }
  SetMovement([&](MovementProgress& m) { m.ranges_done += n; });
  return Status::OK();
}

Status StorageService::Decommission() {
  CAIRN_ASSIGN_OR_RETURN(
      auto op, LockMovement("a decommission or removenode is already running on this node"));
  auto tm = token_metadata_.Get();
  if (tm->NumNormalEndpoints() < 2) {
    return Status::InvalidArgument("no other normal nodes in the ring; decommission would be pointless");
  }
  if (const std::string other = OtherMovement(*tm); !other.empty()) {
    return Status::InvalidArgument("Other bootstrapping/leaving nodes detected (" + other +
                                   "): cannot decommission while another range movement is in progress");
  }
  for (const KeyspaceSchema& ks : RingKeyspaces()) {
    if (!tm->GetPendingRanges(ks.name, local_endpoint_).empty()) {
      return Status::InvalidArgument("data is currently moving to this node; unable to leave the ring");
    }
    CAIRN_ASSIGN_OR_RETURN(auto strategy, StrategyFor(ks));
    // Cassandra 4's check: leaving must not drop a keyspace below its replication factor.
    std::map<std::string, int> wanted;  // dc ("" for all) -> rf
    if (ks.strategy_options.count("replication_factor") > 0 ||
        ks.strategy_class.find("NetworkTopologyStrategy") == std::string::npos) {
      wanted[""] = strategy->GetReplicationFactor();
    } else {
      for (const auto& [dc, rf] : ks.strategy_options) wanted[dc] = std::atoi(rf.c_str());
    }
    for (const auto& [dc, rf] : wanted) {
      int remaining = 0;
      for (const std::string& e : tm->GetNormalEndpoints()) {
        if (e == local_endpoint_) continue;
        if (dc.empty() || snitch_->GetDatacenter(e) == dc) ++remaining;
      }
      if (remaining < rf) {
        return Status::InvalidArgument(
            "Not enough live nodes to maintain replication factor in keyspace " + ks.name +
            " (RF = " + std::to_string(rf) + ", N = " + std::to_string(remaining + 1) +
            "). Perform a forceful decommission to ignore.");
      }
    }
  }
  const ring::Partitioner& p = db_->partitioner();
  std::vector<std::string> strings;
  for (const Token& t : tm->GetTokens(local_endpoint_)) strings.push_back(p.TokenToString(t));
  const int64_t started = clock_->MonotonicNanos();
  {
    std::lock_guard lock(op_mu_);
    mode_ = "LEAVING";
    movement_ = NewMovement("decommission");
  }
  MarkLeaving(local_endpoint_);
  AnnounceAndWait({{ApplicationState::kStatus, VersionedValueFactory::Leaving(strings)}});
  CAIRN_LOG(INFO) << "LEAVING: announced; waiting " << options_.ring_delay_ms
                  << " ms (ring_delay_ms) for every node to see it";
  auto revert = [&](const std::string& why) {
    CAIRN_LOG(ERROR) << "decommission failed: " << why << "; this node stays NORMAL";
    token_metadata_.Mutate([&](ring::TokenMetadata& m) {
      m.RemoveLeavingEndpoint(local_endpoint_);
      RecalculatePendingRanges(&m);
      return Status::OK();
    }).IgnoreError();
    AnnounceAndWait({{ApplicationState::kStatus, VersionedValueFactory::Normal(strings)}});
    std::lock_guard lock(op_mu_);
    mode_ = "NORMAL";
    movement_.state = "failed";
    movement_.error = why;
    return Status::IOError("decommission failed: " + why + "; the node is NORMAL again");
  };
  if (!SleepUnlessStopped(options_.ring_delay_ms)) return revert("stopped");

  std::set<std::string> done;
  std::string error;
  for (int attempt = 1; attempt <= kMovementAttempts && !stopped_; ++attempt) {
    tm = token_metadata_.Get();
    // gainer -> what it pulls (all from this node)
    std::map<std::string, GainerPlan> plan;
    uint64_t total = 0, pending = 0;
    for (const KeyspaceSchema& ks : RingKeyspaces()) {
      auto strategy = StrategyFor(ks);
      if (!strategy.ok()) continue;
      for (const RangeTransfer& t : LeavingTransfers(*tm, **strategy, local_endpoint_)) {
        for (const TableSchema& table : ks.tables) {
          ++total;
          if (done.count(TransferKey(t.gainer, table.metadata.id, t.range, p)) > 0) continue;
          ++pending;
          auto& entry = plan[t.gainer][{local_endpoint_, table.metadata.id}];
          entry.first = ks.name;
          entry.second.push_back(t.range);
        }
      }
    }
    SetMovement([&](MovementProgress& m) {
      m.ranges_total = total;
      m.ranges_done = total - pending;
    });
    error.clear();
    for (const auto& [gainer, pulls] : plan) {
      Status st = StreamToGainer(gainer, pulls, local_endpoint_, "decommission", "from this node",
                                 &done);
      if (!st.ok()) {
        error = st.ToString();
        CAIRN_LOG(WARN) << "decommission: streaming to " << gainer << " failed: " << error;
      }
    }
    if (error.empty()) break;
    SetMovement([&](MovementProgress& m) { m.error = error; });
    if (attempt < kMovementAttempts && !SleepUnlessStopped(options_.stream_retry_ms)) break;
  }
  if (stopped_) return revert("stopped");
  if (!error.empty()) return revert(error);

  // Hints for other nodes go to the closest live member (Cassandra's transferHints).
  if (hint_transfer_) {
    std::vector<std::string> candidates;
    for (const std::string& e : tm->GetNormalEndpoints()) {
      if (e != local_endpoint_ && IsAlive(e)) candidates.push_back(e);
    }
    snitch_->SortByProximity(local_endpoint_, &candidates);
    if (candidates.empty()) {
      CAIRN_LOG(WARN) << "decommission: no live node to hand the hints to; they are dropped";
    } else {
      auto moved = hint_transfer_(candidates.front());
      if (!moved.ok()) {
        return revert("hint transfer to " + candidates.front() + ": " + moved.status().ToString());
      }
    }
  }

  auto expire = std::make_shared<std::promise<int64_t>>();
  auto expire_future = expire->get_future();
  Post([this, expire] { expire->set_value(gossiper_->ComputeExpireTime()); });
  if (expire_future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    return revert("gossip did not answer");
  }
  Status saved = db_->SaveLocalCell(kBootstrapStateCell, kDecommissioned);
  if (!saved.ok()) return revert("cannot save the decommissioned state: " + saved.ToString());
  AnnounceAndWait(
      {{ApplicationState::kStatus, VersionedValueFactory::Left(strings, expire_future.get())}});
  {
    std::lock_guard lock(op_mu_);
    mode_ = "DECOMMISSIONED";
    movement_.state = "done";
    movement_.error.clear();
  }
  // Cassandra sleeps two gossip intervals (and RING_DELAY) for LEFT to spread.
  SleepUnlessStopped(2 * options_.gossip_interval_ms + 500);
  CAIRN_LOG(INFO) << "DECOMMISSIONED: left the ring after "
                  << (clock_->MonotonicNanos() - started) / 1'000'000 << " ms";
  if (on_decommissioned_) on_decommissioned_();
  return Status::OK();
}

Status StorageService::RemoveNode(const std::string& host_id) {
  CAIRN_ASSIGN_OR_RETURN(
      auto op, LockMovement("a decommission or removenode is already running on this node"));
  auto tm = token_metadata_.Get();
  std::optional<std::string> endpoint = tm->GetEndpointForHostId(host_id);
  if (!endpoint.has_value()) return Status::InvalidArgument("Host ID not found.");
  if (*endpoint == local_endpoint_) return Status::InvalidArgument("Cannot remove self");
  if (IsAlive(*endpoint)) {
    return Status::InvalidArgument("Node /" + *endpoint +
                                   " is alive and owns this ID. Use decommission command to "
                                   "remove it from the ring");
  }
  for (const auto& [token, e] : tm->BootstrapTokens()) {
    if (e != *endpoint) {
      return Status::InvalidArgument("Other bootstrapping/leaving nodes detected (" + e +
                                     " is joining): cannot remove a node meanwhile");
    }
  }
  for (const std::string& e : tm->LeavingEndpoints()) {
    if (e != *endpoint) {
      return Status::InvalidArgument("Other bootstrapping/leaving nodes detected (" + e +
                                     " is leaving): cannot remove a node meanwhile");
    }
  }
  const ring::Partitioner& p = db_->partitioner();
  const int64_t started = clock_->MonotonicNanos();
  SetMovement([](MovementProgress& m) { m = NewMovement("removenode"); });
  CAIRN_LOG(INFO) << "removenode: removing " << *endpoint << " (" << host_id << ")";
  if (tm->IsMember(*endpoint)) {
    auto advertised = std::make_shared<std::promise<Status>>();
    auto future = advertised->get_future();
    const std::string ep = *endpoint, local_host = db_->local().host_id;
    Post([this, ep, host_id, local_host, advertised] {
      advertised->set_value(gossiper_->AdvertiseRemoving(ep, host_id, local_host));
    });
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      return Status::Aborted("gossip did not answer");
    }
    Status st = future.get();
    if (!st.ok()) return st;
    MarkLeaving(ep);
    // Two rounds for the new owners to learn that the ranges are pending on them.
    SleepUnlessStopped(2 * options_.gossip_interval_ms);

    std::set<std::string> done;
    std::string error;
    for (int attempt = 1; attempt <= kMovementAttempts && !stopped_; ++attempt) {
      tm = token_metadata_.Get();
      // gainer -> what it pulls from which survivor
      std::map<std::string, GainerPlan> plan;
      uint64_t total = 0, pending = 0;
      error.clear();
      for (const KeyspaceSchema& ks : RingKeyspaces()) {
        auto strategy = StrategyFor(ks);
        if (!strategy.ok()) continue;
        for (RangeTransfer& t : LeavingTransfers(*tm, **strategy, ep)) {
          std::vector<std::string> sources;
          for (const std::string& s : t.sources) {
            if (IsAlive(s)) sources.push_back(s);
          }
          snitch_->SortByProximity(t.gainer, &sources);
          for (const TableSchema& table : ks.tables) {
            ++total;
            if (done.count(TransferKey(t.gainer, table.metadata.id, t.range, p)) > 0) continue;
            ++pending;
            if (sources.empty()) {
              error = "no live replica left for range " + DescribeRange(t.range, p) + " of keyspace " +
                      ks.name;
              continue;
            }
            auto& entry = plan[t.gainer][{sources.front(), table.metadata.id}];
            entry.first = ks.name;
            entry.second.push_back(t.range);
          }
        }
      }
      SetMovement([&](MovementProgress& m) {
        m.ranges_total = total;
        m.ranges_done = total - pending;
      });
      for (const auto& [gainer, pulls] : plan) {
        Status fetched = StreamToGainer(gainer, pulls, host_id, "removenode",
                                        "of " + ep + " from the survivors", &done);
        if (!fetched.ok()) {
          error = fetched.ToString();
          CAIRN_LOG(WARN) << "removenode: " << gainer << " failed: " << error;
        }
      }
      if (error.empty()) break;
      SetMovement([&](MovementProgress& m) { m.error = error; });
      if (attempt < kMovementAttempts && !SleepUnlessStopped(options_.stream_retry_ms)) break;
    }
    if (!error.empty() || stopped_) {
      SetMovement([](MovementProgress& m) { m.state = "failed"; });
      return Status::IOError("removenode of " + ep + " failed: " + (error.empty() ? "stopped" : error) +
                             "; run it again to retry");
    }
  }
  auto removed = std::make_shared<std::promise<Status>>();
  auto removed_future = removed->get_future();
  const std::string ep = *endpoint;
  Post([this, ep, host_id, removed] {
    Status st = gossiper_->AdvertiseTokenRemoved(ep, host_id);
    RemoveFromRing(ep);
    removed->set_value(st);
  });
  if (removed_future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    return Status::Aborted("gossip did not answer");
  }
  CAIRN_RETURN_IF_ERROR(removed_future.get());
  SleepUnlessStopped(2 * options_.gossip_interval_ms);
  SetMovement([](MovementProgress& m) {
    m.state = "done";
    m.error.clear();
  });
  CAIRN_LOG(INFO) << "removenode: removed " << ep << " (" << host_id << ") in "
                  << (clock_->MonotonicNanos() - started) / 1'000'000 << " ms";
  return Status::OK();
}

// ---- Anti-entropy repair ----

namespace {

constexpr std::chrono::minutes kValidationTimeout{30};
// Leaves per Merkle tree: about one partition per leaf, within these bounds.
constexpr int32_t kMinLeaves = 16;
constexpr int32_t kMaxLeaves = 1 << 15;

int32_t LeavesFor(uint64_t partitions) {
  int32_t n = kMinLeaves;
  while (n < kMaxLeaves && static_cast<uint64_t>(n) < partitions) n *= 2;
  return n;
}

}  // namespace

void StorageService::HandleValidation(net::Message msg) {
  in::ValidationRequest req;
  Status st = net::Deserialize(msg.payload, &req);
  const ring::Partitioner& p = db_->partitioner();
  std::vector<RepairSegment> segments;
  for (const in::RepairSegment& w : req.segments) {
    if (!st.ok()) break;
    Token left{w.left}, right{w.right};
    st = p.ValidateToken(left);
    if (st.ok()) st = p.ValidateToken(right);
    if (st.ok() && (w.leaves < 1 || w.leaves > kMaxLeaves)) {
      st = Status::InvalidArgument("leaves out of range: " + std::to_string(w.leaves));
    }
    segments.push_back({ring::Range(std::move(left), std::move(right)), w.leaves});
  }
  auto store = st.ok() ? db_->Store(req.table_id) : nullptr;
  if (st.ok() && store == nullptr) st = Status::InvalidArgument("unknown table id " + UuidToString(req.table_id));
  if (!st.ok()) {
    messaging_->SendFailureResponse(msg, in::FailureReason::INVALID, st.ToString()).IgnoreError();
    return;
  }
  auto hashes = ComputeLeafHashes(*store, p, segments);
  if (!hashes.ok()) {
    messaging_->SendFailureResponse(msg, in::FailureReason::HANDLER_ERROR,
                                    hashes.status().ToString())
        .IgnoreError();
    return;
  }
  in::ValidationResponse resp;
  resp.partitions = 0;
  for (const SegmentHashes& sh : *hashes) {
    resp.leaves.emplace_back(sh.leaves.begin(), sh.leaves.end());
    resp.partitions += static_cast<int64_t>(sh.partitions);
  }
  messaging_->SendResponse(msg, net::Serialize(resp)).IgnoreError();  // the requester times out
}

Result<StorageService::RepairSummary> StorageService::Repair(const std::string& keyspace,
                                                             const std::vector<std::string>& tables,
                                                             bool primary_range) {
  CAIRN_ASSIGN_OR_RETURN(
      auto op, LockMovement("a repair or range movement is already running on this node"));
  std::optional<KeyspaceSchema> ks;
  for (KeyspaceSchema& k : RingKeyspaces()) {
    if (k.name == keyspace) ks = std::move(k);
  }
  if (!ks.has_value()) {
    return Status::InvalidArgument("Keyspace " + keyspace +
                                   " does not exist or is not replicated by the ring");
  }
  std::vector<const TableSchema*> selected;
  for (const std::string& name : tables) {
    const TableSchema* t = ks->FindTable(name);
    if (t == nullptr) return Status::InvalidArgument("Unknown table " + keyspace + "." + name);
    selected.push_back(t);
  }
  if (tables.empty()) {
    for (const TableSchema& t : ks->tables) selected.push_back(&t);
  }
  CAIRN_ASSIGN_OR_RETURN(auto strategy, StrategyFor(*ks));
  auto tm = token_metadata_.Get();
  const ring::Partitioner& p = db_->partitioner();
  const Token min = p.MinimumToken();
  const std::vector<ring::Range> ranges =
      primary_range ? tm->GetPrimaryRanges(local_endpoint_) : strategy->GetRangesFor(local_endpoint_, *tm);
  // Segments and the replicas (other than this node) of each.
  std::vector<ring::Range> pieces;
  std::vector<std::vector<std::string>> neighbors;
  RepairSummary summary;
  for (const ring::Range& r : ranges) {
    std::vector<std::string> others;
    for (const std::string& e : strategy->CalculateNaturalEndpoints(r.right, *tm)) {
      if (e == local_endpoint_) continue;
      if (!IsAlive(e)) {
        return Status::InvalidArgument("Cannot proceed on repair because a neighbor (/" + e +
                                       ") is dead: session failed");
      }
      others.push_back(e);
      summary.replicas.insert(e);
    }
    if (others.empty()) continue;  // replication factor 1: nothing to compare
    for (const ring::Range& piece : UnwrapForRepair(r, min)) {
      pieces.push_back(piece);
      neighbors.push_back(others);
    }
  }
  const int64_t started = clock_->MonotonicNanos();
  const std::string session = "repair-" + keyspace + "-" + std::to_string(clock_->NowMicros());
  SetMovement([&](MovementProgress& m) {
    m = NewMovement("repair");
    m.ranges_total = pieces.size() * selected.size();
  });
  CAIRN_LOG(INFO) << session << ": repairing " << pieces.size() << " range(s) of " << keyspace
                  << " (" << selected.size() << " table(s)) with " << summary.replicas.size()
                  << " replica(s)" << (primary_range ? ", primary ranges only" : "");
  auto fail = [&](const Status& st) {
    SetMovement([&](MovementProgress& m) {
      m.state = "failed";
      m.error = st.ToString();
    });
    CAIRN_LOG(ERROR) << session << " failed: " << st.ToString();
    return st;
  };
  for (const TableSchema* table : selected) {
    if (stopped_) return fail(Status::Aborted("stopping"));
    // The memtables too: they are part of what replicas compare.
    auto store = db_->Store(table->metadata.id);
    if (store == nullptr) continue;  // dropped meanwhile
    // Leaf counts from this node's partition counts (about one partition per leaf).
    std::vector<RepairSegment> segments;
    for (const ring::Range& piece : pieces) segments.push_back({piece, 1});
    auto counts = ComputeLeafHashes(*store, p, segments);
    if (!counts.ok()) return fail(counts.status());
    for (size_t i = 0; i < segments.size(); ++i) segments[i].leaves = LeavesFor((*counts)[i].partitions);
    auto local = ComputeLeafHashes(*store, p, segments);
    if (!local.ok()) return fail(local.status());
    for (const SegmentHashes& sh : *local) summary.partitions += sh.partitions;

    // VALIDATION to every replica at once, each for the segments it shares.
    std::map<std::string, std::vector<size_t>> shared;  // endpoint -> segment indexes
    for (size_t i = 0; i < segments.size(); ++i) {
      for (const std::string& e : neighbors[i]) shared[e].push_back(i);
    }
    std::map<std::string, std::shared_ptr<std::promise<Result<net::Message>>>> pending;
    for (const auto& [endpoint, indexes] : shared) {
      in::ValidationRequest req;
      req.session = session;
      req.keyspace = keyspace;
      req.table_id = table->metadata.id;
      for (size_t i : indexes) {
        in::RepairSegment w;
        w.left = segments[i].range.left.bytes;
        w.right = segments[i].range.right.bytes;
        w.leaves = segments[i].leaves;
        req.segments.push_back(std::move(w));
      }
      auto ep = EndpointOf(endpoint);
      if (!ep.ok()) return fail(ep.status());
      auto promise = std::make_shared<std::promise<Result<net::Message>>>();
      Status sent = messaging_->SendRequest(
          *ep, in::Verb::VALIDATION, req,
          std::chrono::duration_cast<std::chrono::milliseconds>(kValidationTimeout),
          [promise](Result<net::Message> r) { promise->set_value(std::move(r)); });
      if (!sent.ok()) return fail(Status::IOError("validation request to " + endpoint + ": " + sent.ToString()));
      pending[endpoint] = promise;
    }
    // Every replica's leaves, this node's first.
    std::vector<std::map<std::string, std::vector<uint64_t>>> trees(segments.size());
    for (size_t i = 0; i < segments.size(); ++i) trees[i][local_endpoint_] = (*local)[i].leaves;
    for (const auto& [endpoint, promise] : pending) {
      Result<net::Message> r = promise->get_future().get();
      if (!r.ok()) return fail(Status::IOError("validation by " + endpoint + ": " + r.status().ToString()));
      in::ValidationResponse resp;
      Status st = net::Deserialize(r->payload, &resp);
      const std::vector<size_t>& indexes = shared[endpoint];
      if (st.ok() && resp.leaves.size() != indexes.size()) {
        st = Status::Corruption("validation by " + endpoint + " answered " +
                                std::to_string(resp.leaves.size()) + " trees for " +
                                std::to_string(indexes.size()) + " segments");
      }
      if (!st.ok()) return fail(st);
      for (size_t n = 0; n < indexes.size(); ++n) {
        const size_t i = indexes[n];
        if (resp.leaves[n].size() != (*local)[i].leaves.size()) {
          return fail(Status::Corruption("validation by " + endpoint + ": wrong leaf count"));
        }
        trees[i][endpoint].assign(resp.leaves[n].begin(), resp.leaves[n].end());
        ++summary.ranges;
      }
    }
    // Cassandra's sync tasks, for every pair of replicas: where two trees differ, each
    // pulls the leaf from the other. A replica pulls a leaf once per distinct hash the
    // others have (from one of the replicas holding it), not once per replica.
    // (puller, source) -> leaf ranges.
    std::map<std::pair<std::string, std::string>, std::vector<ring::Range>> pulls;
    for (size_t i = 0; i < segments.size(); ++i) {
      const MerkleTree mine(trees[i][local_endpoint_]);
      std::set<size_t> differing;  // a pair differing anywhere differs from this node too
      for (const auto& [endpoint, leaves] : trees[i]) {
        if (endpoint == local_endpoint_) continue;
        for (size_t leaf : MerkleTree::Differences(mine, MerkleTree(leaves))) differing.insert(leaf);
      }
      summary.out_of_sync +=
          LeafRanges(p, segments[i], {differing.begin(), differing.end()}).size();
      std::map<std::pair<std::string, std::string>, std::vector<size_t>> leaves_to_pull;
      for (size_t leaf : differing) {
        std::map<uint64_t, std::string> holder;  // hash -> one replica holding it
        for (const auto& [endpoint, leaves] : trees[i]) holder.emplace(leaves[leaf], endpoint);
        for (const auto& [puller, leaves] : trees[i]) {
          for (const auto& [hash, source] : holder) {
            if (hash != leaves[leaf]) leaves_to_pull[{puller, source}].push_back(leaf);
          }
        }
      }
      for (const auto& [key, leaves] : leaves_to_pull) {
        for (const ring::Range& lr : LeafRanges(p, segments[i], leaves)) pulls[key].push_back(lr);
      }
    }
    // This node's pulls, then each replica's (one STREAM_REQUEST each).
    std::map<std::string, std::vector<in::StreamFetch>> remote;
    std::set<std::string> out_of_sync_replicas;
    for (const auto& [key, leaf_ranges] : pulls) {
      const auto& [puller, source] = key;
      out_of_sync_replicas.insert(puller);
      std::vector<KeyBounds> bounds = BoundsOfRanges(leaf_ranges, min);
      if (puller != local_endpoint_) {
        remote[puller].push_back(StreamFetchOf(source, keyspace, table->metadata.id, bounds));
        continue;
      }
      auto ep = EndpointOf(source);
      if (!ep.ok()) return fail(ep.status());
      auto got = streams_->Fetch(session + "/" + table->metadata.keyspace + "." +
                                     table->metadata.name + "/" + source,
                                 source, *ep, table->metadata, std::move(bounds));
      if (!got.ok()) return fail(got.status());
      summary.bytes += *got;
    }
    for (const auto& [puller, fetches] : remote) {
      const uint64_t before = movement().bytes;
      Status st = RequestFetches(puller, session, "repair", fetches);
      if (!st.ok()) return fail(st);
      summary.bytes += movement().bytes - before;
    }
    SetMovement([&](MovementProgress& m) {
      m.ranges_done += pieces.size();
      m.bytes = summary.bytes;
    });
    CAIRN_LOG(INFO) << session << ": " << keyspace << "." << table->metadata.name << ": "
                    << out_of_sync_replicas.size() << " replica(s) brought in sync";
  }
  SetMovement([&](MovementProgress& m) {
    m.state = "done";
    m.bytes = summary.bytes;
  });
  CAIRN_LOG(INFO) << session << " finished in " << (clock_->MonotonicNanos() - started) / 1'000'000
                  << " ms: " << summary.ranges << " (table, range, replica) comparisons, "
                  << summary.out_of_sync << " leaf ranges out of sync, " << summary.bytes
                  << " bytes streamed";
  return summary;
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
