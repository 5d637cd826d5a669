// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.

#include "node/local_cluster_view.h"

namespace cairn::node {

LocalClusterView::LocalClusterView(const Database* db, std::string endpoint,
                                   std::string rpc_address)
    : db_(db), endpoint_(std::move(endpoint)), rpc_address_(std::move(rpc_address)) {
  auto partitioner = ring::Partitioner::ByName(db->partitioner().Name());
  auto tm = std::make_shared<ring::TokenMetadata>(std::move(partitioner).value());
  if (!db->tokens().empty()) tm->UpdateNormalTokens(endpoint_, db->tokens());
  tm->UpdateHostId(endpoint_, db->local().host_id);
  tm_ = std::move(tm);
  snitch_ = std::make_shared<ring::PropertySnitch>(
      endpoint_, ring::PropertySnitch::Location{db->options().datacenter, db->options().rack});
}

std::string LocalClusterView::RpcAddress(const std::string& endpoint) const {
  return endpoint == endpoint_ ? rpc_address_ : endpoint;
}

std::map<std::string, std::vector<std::string>> LocalClusterView::SchemaVersions() const {
  return {{db_->schema()->version, {endpoint_}}};
}

}  // namespace cairn::node
