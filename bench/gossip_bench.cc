// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// gossip_bench: the CPU cost of one gossip round between two Gossipers that both know
// 100 endpoints (each with the application states a real node gossips: STATUS, TOKENS with
// 16 tokens, HOST_ID, DC, RACK, SCHEMA, RELEASE_VERSION, RPC_ADDRESS, LOAD).
//
//   BM_GossipRound/changed:0  A ticks (heartbeat, 100 digests, status check over 99 peers,
//                             snapshot) and sends its SYN to B; B examines it and ACKs;
//                             A answers with an ACK2; B applies it. Only A's heartbeat is
//                             new, so the ACK carries one request and the ACK2 one state.
//   BM_GossipRound/changed:1  Same, but A has a newer heartbeat for all 98 other endpoints:
//                             B requests them all and applies 99 deltas (failure-detector
//                             report per endpoint).
//   BM_PublishSnapshot        The copy of 100 endpoint states Tick publishes for other
//                             threads (part of the round above).
//
// No serialisation: messages are handed over as C++ values (node/ adds its codec cost).
// The clock does not move, so nobody is convicted and no ECHO is sent in steady state.
// Results: bench/README.md, "Gossip".
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/logging.h"
#include "gossip/gossiper.h"

namespace cairn::gossip {
namespace {

constexpr int kEndpoints = 100;
constexpr int32_t kGeneration = 1'700'000'000;

class Wire : public GossipTransport {
 public:
  void Send(const std::string& to, GossipMessage msg) override {
    out.emplace_back(to, std::move(msg));
  }
  std::vector<std::pair<std::string, GossipMessage>> out;
};

std::vector<std::pair<ApplicationState, std::string>> NodeStates(int i) {
  std::vector<std::string> tokens;
  for (int t = 0; t < 16; ++t) {
    uint64_t spread = static_cast<uint64_t>(i * 16 + t + 1) * 0x9E3779B97F4A7C15ULL;
    tokens.push_back(std::to_string(static_cast<int64_t>(spread)));
  }
  std::string addr = "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
  return {
      {ApplicationState::kTokens, VersionedValueFactory::Tokens(tokens)},
      {ApplicationState::kHostId, "5a1c5e3e-0000-4000-8000-" + std::to_string(100000000000 + i)},
      {ApplicationState::kDc, "dc1"},
      {ApplicationState::kRack, "rack" + std::to_string(i % 3)},
      {ApplicationState::kSchema, "59adb24e-f3cd-3e02-97f0-5b395827453f"},
      {ApplicationState::kReleaseVersion, "0.1.0"},
      {ApplicationState::kRpcAddress, addr},
      {ApplicationState::kLoad, VersionedValueFactory::Load(1.5e9 + i)},
      {ApplicationState::kStatus, VersionedValueFactory::Normal(tokens)}};
}

std::string Addr(int i) {
  return "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
}

// Two gossipers A (endpoint 0) and B (endpoint 1), both knowing endpoints 0..99.
struct Pair {
  ManualClock clock;
  Wire wa, wb;
  Gossiper a{Addr(0), GossiperOptions{}, &wa, &clock};
  Gossiper b{Addr(1), GossiperOptions{}, &wb, &clock};
  std::map<std::string, EndpointState> others;  // endpoints 2..99 as A knows them
  size_t ack_states = 0, ack2_states = 0, digests = 0;

  Pair() {
    SetLogLevel(LogLevel::kError);
    a.Start(kGeneration, NodeStates(0));
    b.Start(kGeneration, NodeStates(1));
    for (int i = 2; i < kEndpoints; ++i) {
      EndpointState s;
      s.heartbeat = {kGeneration, 1};
      int32_t v = 1;
      for (auto& [key, value] : NodeStates(i)) s.states[key] = VersionedValue{value, ++v};
      s.heartbeat.version = ++v;
      others.emplace(Addr(i), std::move(s));
    }
    GossipDigestAck2 intro;
    intro.states = others;
    a.Handle(Addr(2), intro);
    b.Handle(Addr(2), intro);
    Pump();
    for (int i = 0; i < 3; ++i) {
      b.Tick();
      Pump();
      a.Tick();
      Pump();
    }
    if (!a.IsAlive(Addr(1)) || !b.IsAlive(Addr(0)) || a.live_endpoints().size() != kEndpoints - 1) {
      std::fprintf(stderr, "gossip_bench: setup did not converge\n");
      std::abort();
    }
  }

  // Delivers everything between A and B. A SYN always goes to the other side (whichever
  // live peer it was addressed to); ECHOs to the simulated endpoints are answered for them.
  void Pump() {
    while (!wa.out.empty() || !wb.out.empty()) {
      Deliver(&wa, &a, &b);
      Deliver(&wb, &b, &a);
    }
  }
  void Deliver(Wire* wire, Gossiper* from, Gossiper* to) {
    std::vector<std::pair<std::string, GossipMessage>> batch;
    batch.swap(wire->out);
    for (auto& [dest, msg] : batch) {
      GossipVerb verb = VerbOf(msg);
      if (verb == GossipVerb::kSyn) {
        digests += std::get<GossipDigestSyn>(msg).digests.size();
        to->Handle(from->local_endpoint(), msg);
      } else if (dest == to->local_endpoint()) {
        if (verb == GossipVerb::kAck) ack_states += std::get<GossipDigestAck>(msg).states.size();
        if (verb == GossipVerb::kAck2) ack2_states += std::get<GossipDigestAck2>(msg).states.size();
        to->Handle(from->local_endpoint(), msg);
      } else if (verb == GossipVerb::kEcho) {
        from->Handle(dest, EchoReply{});
      }
    }
  }

  // Gives A a newer heartbeat for every simulated endpoint.
  void AdvanceOthersAtA() {
    GossipDigestAck2 newer;
    for (auto& [endpoint, state] : others) {
      state.heartbeat.version += 100;
      EndpointState hb;
      hb.heartbeat = state.heartbeat;
      newer.states.emplace(endpoint, std::move(hb));
    }
    a.Handle(Addr(2), newer);
  }
};

void BM_GossipRound(benchmark::State& state) {
  const bool changed = state.range(0) != 0;
  Pair p;
  p.ack_states = p.ack2_states = p.digests = 0;
  for (auto _ : state) {
    if (changed) {
      state.PauseTiming();
      p.AdvanceOthersAtA();
      state.ResumeTiming();
    }
    p.a.Tick();
    p.Pump();
  }
  double rounds = static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
  state.counters["digests"] = static_cast<double>(p.digests) / rounds;
  state.counters["ack_states"] = static_cast<double>(p.ack_states) / rounds;
  state.counters["ack2_states"] = static_cast<double>(p.ack2_states) / rounds;
}
BENCHMARK(BM_GossipRound)->ArgName("changed")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_PublishSnapshot(benchmark::State& state) {
  Pair p;
  for (auto _ : state) p.a.PublishSnapshot();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PublishSnapshot)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace cairn::gossip

BENCHMARK_MAIN();
