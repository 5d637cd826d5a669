// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// HeartBeatState and EndpointState: everything gossip knows about one endpoint.
// Cassandra counterparts: org.apache.cassandra.gms.HeartBeatState and EndpointState.
//
// An endpoint is named by its address string ("127.0.0.2"), as Cassandra names it by
// InetAddress. Its state is a heartbeat (generation, version) plus a map of application
// states, each a VersionedValue. Ordering of knowledge about one endpoint:
//   * a higher generation replaces everything (the node restarted);
//   * within one generation, a higher version is newer, per application state;
//   * the "max version" of a state is the largest of the heartbeat version and every
//     application state's version; digests carry it (see gossip/PROTOCOL.md).
//
// Thread-safety: plain values. The Gossiper owns the live copies on its strand; snapshots
// handed to other threads are independent copies.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>

#include "gossip/versioned_value.h"

namespace cairn::gossip {

struct HeartBeatState {
  // Seconds since the epoch when the node's current incarnation started (persisted and
  // bumped by node/ on every start, so a restart always yields a newer generation).
  int32_t generation = 0;
  // Bumped from the node's version counter once per gossip round.
  int32_t version = 0;

  // Cassandra's forceHighestPossibleVersionUnsafe: used when a node is known to have
  // shut down, so no stale same-generation gossip can look newer.
  void ForceHighestPossibleVersion() { version = std::numeric_limits<int32_t>::max(); }

  friend bool operator==(const HeartBeatState&, const HeartBeatState&) = default;
};

struct EndpointState {
  HeartBeatState heartbeat;
  // Ordered by key so digests, dumps and tests are deterministic.
  std::map<ApplicationState, VersionedValue> states;

  // ---- Local bookkeeping, never sent (receivers ignore whatever arrives here). ----
  // Whether the owner of this copy believes the endpoint is up.
  bool is_alive = true;
  // Monotonic nanoseconds of the last change to this state (Cassandra's updateTimestamp).
  int64_t update_timestamp_nanos = 0;

  // The value of `state`, or nullptr.
  const VersionedValue* Get(ApplicationState state) const {
    auto it = states.find(state);
    return it == states.end() ? nullptr : &it->second;
  }
  // The value string of `state`, or "" when absent.
  const std::string& GetValue(ApplicationState state) const;

  // max(heartbeat.version, every application state's version).
  int32_t MaxVersion() const;

  // The STATUS name ("NORMAL", "LEFT", ...), or "" when there is no STATUS.
  std::string GossipStatus() const;
  // IsDeadStatus(GossipStatus()).
  bool IsDeadState() const;

  // Equality of the gossiped content only (heartbeat + application states).
  bool SameContent(const EndpointState& other) const {
    return heartbeat == other.heartbeat && states == other.states;
  }
};

// nodetool gossipinfo's text for a set of endpoints:
//   /127.0.0.1
//     generation:1700000000
//     heartbeat:42
//     STATUS:14:NORMAL,-9223372036854775808
//     ...
std::string FormatGossipInfo(const std::map<std::string, EndpointState>& states);

}  // namespace cairn::gossip
