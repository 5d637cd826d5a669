// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// ClusterView: what the Thrift handler (and later the coordinator) may ask about the
// cluster -- the ring, where endpoints live, who is up, which schema versions exist.
// Implemented by node/storage_service.h; kept free of gossip/ and messaging headers so
// thrift/ can use it without depending on them. A handler without a ClusterView answers
// as a single node (the node-local behaviour of issue 3).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ring/snitch.h"
#include "ring/token_metadata.h"

namespace cairn::node {

class ClusterView {
 public:
  virtual ~ClusterView() = default;

  // This node's endpoint as peers and the ring name it ("127.0.0.2").
  virtual std::string local_endpoint() const = 0;
  // The current ring snapshot (normal tokens of every member, this node included once
  // it has tokens).
  virtual std::shared_ptr<const ring::TokenMetadata> token_metadata() const = 0;
  // The snitch placing endpoints in datacenters and racks (lives as long as the view).
  virtual std::shared_ptr<const ring::Snitch> snitch() const = 0;
  // The endpoint's RPC_ADDRESS from gossip, or the endpoint itself when unknown.
  virtual std::string RpcAddress(const std::string& endpoint) const = 0;
  // Whether the endpoint is considered up (the local endpoint always is).
  virtual bool IsAlive(const std::string& endpoint) const = 0;
  // How long the endpoint has been down, ms (0 when up or unknown): hints are not
  // stored for a replica down longer than max_hint_window_in_ms.
  virtual int64_t DowntimeMs(const std::string& endpoint) const {
    (void)endpoint;
    return 0;
  }
  // describe_schema_versions: schema version -> endpoints; down peers under
  // "UNREACHABLE".
  virtual std::map<std::string, std::vector<std::string>> SchemaVersions() const = 0;
};

}  // namespace cairn::node
