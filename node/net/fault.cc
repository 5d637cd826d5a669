// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// FaultInjector: a short list of rules under one mutex. Rule lists are tiny (a test
// installs a handful), so a linear scan per message is cheaper than anything cleverer.
#include "node/net/fault.h"

#include <algorithm>
#include <sstream>

namespace cairn::net {

std::string FaultRule::ToString() const {
  std::ostringstream out;
  out << "peer=" << (peer ? peer->ToString() : "*") << " verb=" << (verb ? VerbName(*verb) : "*")
      << " direction="
      << (direction == FaultDirection::kOutbound  ? "out"
          : direction == FaultDirection::kInbound ? "in"
                                                  : "both")
      << " drop=" << drop_probability << " delay_ms=" << delay_ms;
  return out.str();
}

FaultInjector::FaultInjector(uint64_t seed) : rng_(seed) {}

uint64_t FaultInjector::Add(FaultRule rule) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t id = next_id_++;
  rules_.emplace_back(id, std::move(rule));
  empty_.store(false, std::memory_order_release);
  return id;
}

bool FaultInjector::Remove(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = std::find_if(rules_.begin(), rules_.end(), [id](const auto& r) { return r.first == id; });
  if (it == rules_.end()) return false;
  rules_.erase(it);
  empty_.store(rules_.empty(), std::memory_order_release);
  return true;
}

void FaultInjector::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
  empty_.store(true, std::memory_order_release);
}

std::vector<std::pair<uint64_t, FaultRule>> FaultInjector::Rules() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rules_;
}

FaultDecision FaultInjector::Decide(const Endpoint& peer, Verb verb, FaultDirection direction) {
  FaultDecision decision;
  if (empty_.load(std::memory_order_acquire)) return decision;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, rule] : rules_) {
    if (rule.direction != FaultDirection::kBoth && rule.direction != direction) continue;
    if (rule.peer && *rule.peer != peer) continue;
    if (rule.verb && *rule.verb != verb) continue;
    if (rule.drop_probability >= 1.0 ||
        (rule.drop_probability > 0.0 &&
         std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < rule.drop_probability)) {
      decision.drop = true;
    }
    decision.delay_ms = std::max(decision.delay_ms, rule.delay_ms);
  }
  return decision;
}

}  // namespace cairn::net
