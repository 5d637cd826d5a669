// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "gossip/versioned_value.h"

#include <array>
#include <cassert>
#include <charconv>

namespace cairn::gossip {
namespace {

struct NamedState {
  ApplicationState state;
  std::string_view name;
};

constexpr std::array<NamedState, 14> kNames = {{
    {ApplicationState::kStatus, "STATUS"},
    {ApplicationState::kLoad, "LOAD"},
    {ApplicationState::kSchema, "SCHEMA"},
    {ApplicationState::kDc, "DC"},
    {ApplicationState::kRack, "RACK"},
    {ApplicationState::kReleaseVersion, "RELEASE_VERSION"},
    {ApplicationState::kRemovalCoordinator, "REMOVAL_COORDINATOR"},
    {ApplicationState::kInternalIp, "INTERNAL_IP"},
    {ApplicationState::kRpcAddress, "RPC_ADDRESS"},
    {ApplicationState::kSeverity, "SEVERITY"},
    {ApplicationState::kNetVersion, "NET_VERSION"},
    {ApplicationState::kHostId, "HOST_ID"},
    {ApplicationState::kTokens, "TOKENS"},
    {ApplicationState::kRpcReady, "RPC_READY"},
}};

std::string Join(std::string_view head, std::string_view arg) {
  std::string out(head);
  out += ',';
  out += arg;
  return out;
}

std::string FirstToken(const std::vector<std::string>& tokens) {
  assert(!tokens.empty() && "a STATUS value needs at least one token");
  return tokens.empty() ? std::string() : tokens.front();
}

std::string FormatDouble(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end) : std::string("0");
}

}  // namespace

std::string ApplicationStateName(ApplicationState state) {
  for (const auto& n : kNames) {
    if (n.state == state) return std::string(n.name);
  }
  return "X_" + std::to_string(static_cast<int>(state));
}

std::optional<ApplicationState> ParseApplicationStateName(std::string_view name) {
  for (const auto& n : kNames) {
    if (n.name == name) return n.state;
  }
  return std::nullopt;
}

std::string VersionedValueFactory::Bootstrapping(const std::vector<std::string>& tokens) {
  return Join(kStatusBootstrapping, FirstToken(tokens));
}
std::string VersionedValueFactory::BootReplacing(const std::string& replaced_endpoint) {
  return Join(kStatusBootstrappingReplace, replaced_endpoint);
}
std::string VersionedValueFactory::Normal(const std::vector<std::string>& tokens) {
  return Join(kStatusNormal, FirstToken(tokens));
}
std::string VersionedValueFactory::Leaving(const std::vector<std::string>& tokens) {
  return Join(kStatusLeaving, FirstToken(tokens));
}
std::string VersionedValueFactory::Left(const std::vector<std::string>& tokens,
                                        int64_t expire_time_ms) {
  return Join(Join(kStatusLeft, FirstToken(tokens)), std::to_string(expire_time_ms));
}
std::string VersionedValueFactory::Moving(const std::string& token) {
  return Join(kStatusMoving, token);
}
std::string VersionedValueFactory::RemovingNonlocal(const std::string& host_id) {
  return Join(kStatusRemoving, host_id);
}
std::string VersionedValueFactory::RemovedNonlocal(const std::string& host_id,
                                                   int64_t expire_time_ms) {
  return Join(Join(kStatusRemoved, host_id), std::to_string(expire_time_ms));
}
std::string VersionedValueFactory::RemovalCoordinator(const std::string& coordinator_host_id) {
  return Join(kRemovalCoordinator, coordinator_host_id);
}
std::string VersionedValueFactory::Hibernate(bool value) {
  return Join(kStatusHibernate, value ? "true" : "false");
}
std::string VersionedValueFactory::Shutdown(bool value) {
  return Join(kStatusShutdown, value ? "true" : "false");
}
std::string VersionedValueFactory::Tokens(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens) {
    assert(t.find(',') == std::string::npos);
    if (!out.empty()) out += ',';
    out += t;
  }
  return out;
}
std::string VersionedValueFactory::Load(double bytes) { return FormatDouble(bytes); }
std::string VersionedValueFactory::Schema(const std::string& schema_version_uuid) {
  return schema_version_uuid;
}
std::string VersionedValueFactory::Severity(double value) { return FormatDouble(value); }

StatusValue ParseStatusValue(std::string_view value) {
  StatusValue out;
  if (value.empty()) return out;
  size_t start = 0;
  bool first = true;
  while (true) {
    size_t comma = value.find(',', start);
    std::string_view piece = value.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (first) {
      out.status = std::string(piece);
      first = false;
    } else {
      out.args.emplace_back(piece);
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::optional<int64_t> ExpireTimeOf(const StatusValue& status) {
  if (status.status != kStatusLeft && status.status != kStatusRemoved) return std::nullopt;
  if (status.args.size() < 2) return std::nullopt;
  const std::string& s = status.args[1];
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string> ParseTokens(std::string_view tokens_value) {
  std::vector<std::string> out;
  if (tokens_value.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t comma = tokens_value.find(',', start);
    if (comma == std::string_view::npos) {
      out.emplace_back(tokens_value.substr(start));
      break;
    }
    out.emplace_back(tokens_value.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

bool IsDeadStatus(std::string_view status) {
  return status == kStatusRemoving || status == kStatusRemoved || status == kStatusLeft ||
         status == kStatusHibernate;
}

bool IsSilentShutdownStatus(std::string_view status) {
  return IsDeadStatus(status) || status == kStatusBootstrapping ||
         status == kStatusBootstrappingReplace;
}

}  // namespace cairn::gossip
