// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "gossip/endpoint_state.h"

#include <algorithm>

namespace cairn::gossip {

const std::string& EndpointState::GetValue(ApplicationState state) const {
  static const std::string* const kEmpty = new std::string();
  const VersionedValue* v = Get(state);
  return v == nullptr ? *kEmpty : v->value;
}

int32_t EndpointState::MaxVersion() const {
  int32_t max_version = heartbeat.version;
  for (const auto& [key, value] : states) max_version = std::max(max_version, value.version);
  return max_version;
}

std::string EndpointState::GossipStatus() const {
  const VersionedValue* v = Get(ApplicationState::kStatus);
  if (v == nullptr) return std::string();
  size_t comma = v->value.find(',');
  return v->value.substr(0, comma);
}

bool EndpointState::IsDeadState() const { return IsDeadStatus(GossipStatus()); }

std::string FormatGossipInfo(const std::map<std::string, EndpointState>& states) {
  std::string out;
  for (const auto& [endpoint, state] : states) {
    out += '/';
    out += endpoint;
    out += "\n  generation:" + std::to_string(state.heartbeat.generation);
    out += "\n  heartbeat:" + std::to_string(state.heartbeat.version);
    for (const auto& [key, value] : state.states) {
      out += "\n  " + ApplicationStateName(key) + ':' + std::to_string(value.version) + ':' +
             value.value;
    }
    out += '\n';
  }
  return out;
}

}  // namespace cairn::gossip
