// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Fault injection for the messaging layer: drop or delay messages to or from chosen
// peers, by verb, switched at runtime. The kernel on our test machines has no netem, so
// partitions and slow links are simulated here (as Cassandra's dtests use byteman and its
// in-JVM tests use MessageFilters). Tests call it directly; an admin call will too.
//
// A rule matches a message when its peer (if set) is the message's peer — the destination
// of an outbound message, the sender of an inbound one — its verb (if set) is the
// message's verb (a response carries its request's verb), and its direction covers the
// message's. Every matching rule applies: the message is dropped if any rule's draw says
// drop, otherwise delayed by the largest matching delay_ms.
//
// Outbound rules act in Send* before the message is queued (a dropped message still
// counts as sent, like a packet lost on the wire: Send returns OK and a request times
// out). Inbound rules act after a frame is decoded, before the handler or callback.
//
// Thread-safety: all methods may be called from any thread at any time. With no rules
// installed, Decide costs one relaxed atomic load.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "node/net/endpoint.h"
#include "node/net/message.h"

namespace cairn::net {

enum class FaultDirection { kOutbound, kInbound, kBoth };

struct FaultRule {
  // The peer whose messages are affected; nullopt = every peer.
  std::optional<Endpoint> peer;
  // The verb affected; nullopt = every verb.
  std::optional<Verb> verb;
  FaultDirection direction = FaultDirection::kBoth;
  // Chance, 0..1, that a matching message is dropped. 1 = a clean partition.
  double drop_probability = 0.0;
  // Delay applied to matching messages that are not dropped, in milliseconds.
  uint32_t delay_ms = 0;

  // Shorthands for the common rules.
  static FaultRule DropAll(std::optional<Endpoint> peer, FaultDirection direction = FaultDirection::kBoth) {
    return FaultRule{std::move(peer), std::nullopt, direction, 1.0, 0};
  }
  static FaultRule Delay(std::optional<Endpoint> peer, uint32_t delay_ms,
                         FaultDirection direction = FaultDirection::kBoth) {
    return FaultRule{std::move(peer), std::nullopt, direction, 0.0, delay_ms};
  }

  // "peer=127.0.0.2:7000 verb=ECHO direction=out drop=0.5 delay_ms=100"
  std::string ToString() const;
};

struct FaultDecision {
  bool drop = false;
  uint32_t delay_ms = 0;
};

class FaultInjector {
 public:
  // `seed` makes drop draws reproducible in tests.
  explicit FaultInjector(uint64_t seed = std::random_device{}());

  // Installs a rule; returns its id (never 0).
  uint64_t Add(FaultRule rule);
  // Removes one rule; false when no rule has that id.
  bool Remove(uint64_t id);
  // Removes every rule.
  void Clear();
  // The installed rules with their ids, oldest first.
  std::vector<std::pair<uint64_t, FaultRule>> Rules() const;

  // What to do with a message of `verb` to (kOutbound) or from (kInbound) `peer`.
  // REQUIRES: direction != kBoth.
  FaultDecision Decide(const Endpoint& peer, Verb verb, FaultDirection direction);

 private:
  std::atomic<bool> empty_{true};
  mutable std::mutex mu_;
  uint64_t next_id_ = 1;                                 // guarded by mu_
  std::vector<std::pair<uint64_t, FaultRule>> rules_;    // guarded by mu_
  std::mt19937_64 rng_;                                  // guarded by mu_
};

}  // namespace cairn::net
