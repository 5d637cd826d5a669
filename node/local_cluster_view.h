// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// LocalClusterView: the ClusterView of a standalone node (no seeds: no gossip, no
// internode port). The ring holds this node's tokens alone, so every replica of every
// keyspace is this node and the StorageProxy never sends a message; consistency levels
// still count replicas (RF 3 at QUORUM on one node is Unavailable, as in Cassandra).
//
// Thread-safety: immutable after construction.
#pragma once

#include <memory>
#include <string>

#include "node/cluster_view.h"
#include "node/database.h"

namespace cairn::node {

class LocalClusterView final : public ClusterView {
 public:
  // `endpoint` names this node in the ring (its listen_address). The node is placed in
  // the datacenter and rack of the database options (whatever the configured snitch:
  // with one node only replica counting uses them). `db` must outlive the view.
  LocalClusterView(const Database* db, std::string endpoint, std::string rpc_address);

  std::string local_endpoint() const override { return endpoint_; }
  std::shared_ptr<const ring::TokenMetadata> token_metadata() const override { return tm_; }
  std::shared_ptr<const ring::Snitch> snitch() const override { return snitch_; }
  std::string RpcAddress(const std::string& endpoint) const override;
  bool IsAlive(const std::string& endpoint) const override { return endpoint == endpoint_; }
  std::map<std::string, std::vector<std::string>> SchemaVersions() const override;

 private:
  const Database* const db_;
  const std::string endpoint_;
  const std::string rpc_address_;
  std::shared_ptr<const ring::TokenMetadata> tm_;
  std::shared_ptr<const ring::Snitch> snitch_;
};

}  // namespace cairn::node
