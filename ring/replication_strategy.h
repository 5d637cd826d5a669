// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Replication strategies: which endpoints hold the replicas of a token, Cassandra's
// AbstractReplicationStrategy and its subclasses.
//
//   SimpleStrategy {replication_factor: N}
//       walk the ring from the token's primary owner, taking the first N distinct
//       endpoints.
//   NetworkTopologyStrategy {dc1: N1, dc2: N2, ...}
//       walk the ring once; in each listed datacenter take endpoints on racks not yet
//       used until every rack of that datacenter has a replica, then fall back to the
//       endpoints skipped for repeating a rack (in ring order), until the datacenter has
//       min(RF, endpoints in the datacenter) replicas. Identical to Cassandra 2.x/3.x
//       NetworkTopologyStrategy.calculateNaturalEndpoints (CASSANDRA-7154 algorithm).
//
// The replicas of a token are ordered: the first is the token's primary owner.
// Datacenter and rack come from the Snitch given at construction; the set of datacenters
// and racks considered is that of the normal endpoints in the TokenMetadata.
//
// Options are validated as Cassandra validates them, with its messages, e.g.
//   "SimpleStrategy requires a replication_factor strategy option."
//   "Replication factor must be non-negative; found -1"
//   "Replication factor must be numeric; found three"
//   "replication_factor is an option for SimpleStrategy, not NetworkTopologyStrategy"
//   "Unrecognized strategy option {foo} passed to SimpleStrategy for keyspace ks"
//   "Unable to find replication strategy class 'org.apache.cassandra.locator.Foo'"
//
// Thread-safety: a strategy is immutable after construction except for its internal
// replica cache, which is synchronized; all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "common/token.h"
#include "ring/range.h"
#include "ring/snitch.h"
#include "ring/token_metadata.h"

namespace cairn::ring {

// strategy_options as in a keyspace definition (KsDef.strategy_options).
using StrategyOptions = std::map<std::string, std::string>;

class ReplicationStrategy {
 public:
  virtual ~ReplicationStrategy() = default;

  // Builds a strategy from its class name (short "SimpleStrategy" or full
  // "org.apache.cassandra.locator.SimpleStrategy") and options, validating them.
  // `keyspace` only appears in error messages.
  static Result<std::shared_ptr<const ReplicationStrategy>> Create(
      std::string_view class_name, const StrategyOptions& options,
      std::shared_ptr<const Snitch> snitch, std::string_view keyspace = "");
  // Validates without building (the same checks and messages as Create).
  static Status Validate(std::string_view class_name, const StrategyOptions& options,
                         std::string_view keyspace = "");
  // The full class name for a short or full name; InvalidArgument if unknown.
  static Result<std::string> ResolveClassName(std::string_view class_name);

  // Cassandra's full class name, e.g. "org.apache.cassandra.locator.SimpleStrategy".
  virtual std::string_view Name() const = 0;
  const StrategyOptions& options() const { return options_; }
  const Snitch& snitch() const { return *snitch_; }

  // Total number of replicas wanted (sum over datacenters for NTS).
  virtual int GetReplicationFactor() const = 0;

  // The replicas of `token` in `tm`, primary first, computed from scratch.
  virtual std::vector<std::string> CalculateNaturalEndpoints(const Token& token,
                                                             const TokenMetadata& tm) const = 0;

  // Same result, cached per ring token for the current (tm.ring_version(),
  // snitch version): the coordinator's per-request call. Cassandra's getNaturalEndpoints.
  std::vector<std::string> GetNaturalEndpoints(const Token& token, const TokenMetadata& tm) const;

  // Natural endpoints plus the pending endpoints of `keyspace` for `token` (no
  // duplicates, natural first): where a coordinator sends a write.
  std::vector<std::string> GetWriteEndpoints(const Token& token, const std::string& keyspace,
                                             const TokenMetadata& tm) const;

  // Every endpoint -> the primary ranges it replicates (Cassandra: getAddressRanges).
  std::map<std::string, std::vector<Range>> GetAddressRanges(const TokenMetadata& tm) const;
  // Every primary range -> its replicas (Cassandra: getRangeAddresses).
  std::map<Range, std::vector<std::string>> GetRangeAddresses(const TokenMetadata& tm) const;
  // The ranges `endpoint` replicates in `tm`.
  std::vector<Range> GetRangesFor(const std::string& endpoint, const TokenMetadata& tm) const;
  // The ranges `endpoint` would replicate if it owned `tokens` (Cassandra:
  // getPendingAddressRanges): what a joining node has to stream.
  std::vector<Range> GetPendingAddressRanges(const TokenMetadata& tm,
                                             const std::vector<Token>& tokens,
                                             const std::string& endpoint) const;

 protected:
  ReplicationStrategy(StrategyOptions options, std::shared_ptr<const Snitch> snitch)
      : options_(std::move(options)), snitch_(std::move(snitch)) {}

 private:
  const StrategyOptions options_;
  const std::shared_ptr<const Snitch> snitch_;

  mutable std::mutex cache_mu_;
  mutable uint64_t cache_ring_version_ = 0;    // GUARDED_BY(cache_mu_)
  mutable uint64_t cache_snitch_version_ = 0;  // GUARDED_BY(cache_mu_)
  // ring token bytes -> replicas. GUARDED_BY(cache_mu_)
  mutable std::unordered_map<std::string, std::vector<std::string>> cache_;
};

class SimpleStrategy final : public ReplicationStrategy {
 public:
  // REQUIRES: replication_factor >= 0. Prefer ReplicationStrategy::Create.
  SimpleStrategy(int replication_factor, std::shared_ptr<const Snitch> snitch);

  std::string_view Name() const override { return "org.apache.cassandra.locator.SimpleStrategy"; }
  int GetReplicationFactor() const override { return replication_factor_; }
  std::vector<std::string> CalculateNaturalEndpoints(const Token& token,
                                                     const TokenMetadata& tm) const override;

 private:
  const int replication_factor_;
};

class NetworkTopologyStrategy final : public ReplicationStrategy {
 public:
  // datacenter -> replication factor. REQUIRES: every factor >= 0. Prefer Create.
  NetworkTopologyStrategy(std::map<std::string, int> datacenters,
                          std::shared_ptr<const Snitch> snitch);

  std::string_view Name() const override {
    return "org.apache.cassandra.locator.NetworkTopologyStrategy";
  }
  int GetReplicationFactor() const override;
  // The factor for one datacenter (0 if not listed).
  int GetReplicationFactor(const std::string& datacenter) const;
  const std::map<std::string, int>& datacenters() const { return datacenters_; }
  std::vector<std::string> CalculateNaturalEndpoints(const Token& token,
                                                     const TokenMetadata& tm) const override;

 private:
  const std::map<std::string, int> datacenters_;
};

}  // namespace cairn::ring
