// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Token-aware routing for cairn-stress: the cluster's ring as describe_partitioner and
// describe_ring(keyspace) report it, turned into a key -> replicas lookup, so that each
// operation can be sent to a node that holds its partition (as the Java driver's
// TokenAwarePolicy and cassandra-stress do). A replica coordinating its own key saves the
// coordinator's hop to the first replica, and for reads at ONE the only one.
//
// The token of a key is computed the way the server computes it, by ring/'s partitioners
// (Murmur3Partitioner: h1 of Cassandra's MurmurHash3 x64_128 as a signed long;
// RandomPartitioner: abs(MD5); ByteOrderedPartitioner: the key bytes). A token range
// (start, end] of describe_ring lists its replicas primary first; the range holding token
// t is the first one whose end is >= t, wrapping to the first range past the last end.
//
// Nodes: every node that replicates some range, addressed by its rpc_endpoints entry (its
// `endpoints` entry when the rpc address is missing or 0.0.0.0). A node whose address is
// one of the contact points (--nodes) gets that contact point's port, any other the port
// of the first contact point: the ring does not carry Thrift ports, and Cassandra's
// drivers assume one port cluster-wide as well.
//
// Thread-safety: immutable once built; any number of threads may call the const methods.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/token.h"
#include "ring/partitioner.h"
#include "tools/stress/options.h"

namespace cairn::stress {

// One entry of describe_ring: the token range (start, end] and its replicas, primary
// first, as internode addresses (`endpoints`) and Thrift addresses (`rpc_endpoints`, same
// order; may be empty).
struct RingRange {
  std::string start_token;
  std::string end_token;
  std::vector<std::string> endpoints;
  std::vector<std::string> rpc_endpoints;
};

// What the cluster said: describe_partitioner and describe_ring(keyspace).
struct RingDescription {
  std::string partitioner;  // e.g. "org.apache.cassandra.dht.Murmur3Partitioner"
  std::string keyspace;
  std::vector<RingRange> ranges;
};

class TokenRing {
 public:
  // Builds the lookup. InvalidArgument when the partitioner is unknown, the ring is
  // empty, or a token does not parse for the partitioner; the message says which.
  // REQUIRES: !contact_points.empty().
  static Result<std::shared_ptr<const TokenRing>> Build(
      const RingDescription& ring, const std::vector<Endpoint>& contact_points);

  // Every node that replicates some range: the contact points that are in the ring first
  // (in --nodes order), then the others in address order.
  const std::vector<Endpoint>& nodes() const { return nodes_; }
  const ring::Partitioner& partitioner() const { return *partitioner_; }
  size_t num_ranges() const { return end_tokens_.size(); }

  // The replicas of partition key `key` as indices into nodes(), primary first (empty
  // when the range has no replica, e.g. RF 0 in every datacenter).
  const std::vector<uint32_t>& ReplicasFor(std::string_view key) const {
    return ReplicasForToken(partitioner_->GetToken(key));
  }
  const std::vector<uint32_t>& ReplicasForToken(const Token& token) const;

 private:
  TokenRing() = default;

  std::shared_ptr<const ring::Partitioner> partitioner_;
  std::vector<Endpoint> nodes_;
  // Sorted ascending; replicas_[i] replicate (end_tokens_[i-1], end_tokens_[i]].
  std::vector<Token> end_tokens_;
  std::vector<std::vector<uint32_t>> replicas_;
};

}  // namespace cairn::stress
