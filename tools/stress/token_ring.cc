// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The key -> replicas lookup of token-aware routing (token_ring.h).
#include "tools/stress/token_ring.h"

#include <algorithm>
#include <map>

namespace cairn::stress {

namespace {

// The address a client reaches a replica's Thrift server at. Cassandra's describe_ring
// reports the broadcast rpc address; a node listening on every interface says 0.0.0.0,
// which is no address to connect to, so the internode address stands in (as the Java
// driver does with peers.rpc_address = 0.0.0.0).
std::string RpcHost(const RingRange& r, size_t i) {
  if (i < r.rpc_endpoints.size() && !r.rpc_endpoints[i].empty() &&
      r.rpc_endpoints[i] != "0.0.0.0" && r.rpc_endpoints[i] != "::") {
    return r.rpc_endpoints[i];
  }
  return r.endpoints[i];
}

}  // namespace

Result<std::shared_ptr<const TokenRing>> TokenRing::Build(
    const RingDescription& ring, const std::vector<Endpoint>& contact_points) {
  std::shared_ptr<TokenRing> out(new TokenRing());
  Result<std::shared_ptr<const ring::Partitioner>> p = ring::Partitioner::ByName(ring.partitioner);
  if (!p.ok()) return Status::InvalidArgument("partitioner: " + p.status().message());
  out->partitioner_ = *p;
  if (ring.ranges.empty()) {
    return Status::InvalidArgument("describe_ring(" + ring.keyspace + ") returned no range");
  }

  // Hosts in order of first appearance, then placed: contact points first.
  std::map<std::string, uint32_t> host_index;  // host -> index into nodes_
  std::vector<std::string> hosts;
  for (const RingRange& r : ring.ranges) {
    for (size_t i = 0; i < r.endpoints.size(); ++i) {
      const std::string h = RpcHost(r, i);
      if (std::find(hosts.begin(), hosts.end(), h) == hosts.end()) hosts.push_back(h);
    }
  }
  if (hosts.empty()) {
    return Status::InvalidArgument("no node replicates keyspace " + ring.keyspace);
  }
  for (const Endpoint& c : contact_points) {
    if (host_index.count(c.host) == 0 &&
        std::find(hosts.begin(), hosts.end(), c.host) != hosts.end()) {
      host_index[c.host] = static_cast<uint32_t>(out->nodes_.size());
      out->nodes_.push_back(c);
    }
  }
  std::sort(hosts.begin(), hosts.end());
  for (const std::string& h : hosts) {
    if (host_index.count(h) != 0) continue;
    host_index[h] = static_cast<uint32_t>(out->nodes_.size());
    out->nodes_.push_back(Endpoint{h, contact_points.front().port});
  }

  // Ranges sorted by their end token.
  std::vector<std::pair<Token, std::vector<uint32_t>>> ranges;
  ranges.reserve(ring.ranges.size());
  for (const RingRange& r : ring.ranges) {
    Result<Token> end = out->partitioner_->TokenFromString(r.end_token);
    if (!end.ok()) {
      return Status::InvalidArgument("describe_ring: bad end token '" + r.end_token +
                                     "': " + end.status().message());
    }
    std::vector<uint32_t> replicas;
    for (size_t i = 0; i < r.endpoints.size(); ++i) {
      const uint32_t n = host_index.at(RpcHost(r, i));
      if (std::find(replicas.begin(), replicas.end(), n) == replicas.end()) replicas.push_back(n);
    }
    ranges.emplace_back(std::move(*end), std::move(replicas));
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [token, replicas] : ranges) {
    out->end_tokens_.push_back(std::move(token));
    out->replicas_.push_back(std::move(replicas));
  }
  return std::shared_ptr<const TokenRing>(std::move(out));
}

const std::vector<uint32_t>& TokenRing::ReplicasForToken(const Token& token) const {
  // The first range ending at or after the token; past the last end the ring wraps to
  // the first range, which also holds everything at or below the first end.
  auto it = std::lower_bound(end_tokens_.begin(), end_tokens_.end(), token);
  if (it == end_tokens_.end()) it = end_tokens_.begin();
  return replicas_[static_cast<size_t>(it - end_tokens_.begin())];
}

}  // namespace cairn::stress
