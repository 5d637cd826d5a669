// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "ring/replication_strategy.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <climits>
#include <set>

namespace cairn::ring {
namespace {

constexpr std::string_view kLocatorPackage = "org.apache.cassandra.locator.";
constexpr std::string_view kSimple = "org.apache.cassandra.locator.SimpleStrategy";
constexpr std::string_view kNts = "org.apache.cassandra.locator.NetworkTopologyStrategy";

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Integer.parseInt: optional sign, decimal digits, within int range.
std::optional<int> ParseJavaInt(std::string_view s) {
  size_t i = 0;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    i = 1;
  }
  if (i == s.size()) return std::nullopt;
  long long v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
    if (v > static_cast<long long>(INT_MAX) + 1) return std::nullopt;
  }
  if (negative) v = -v;
  if (v > INT_MAX || v < INT_MIN) return std::nullopt;
  return static_cast<int>(v);
}

// AbstractReplicationStrategy.validateReplicationFactor.
Result<int> ParseReplicationFactor(const std::string& rf) {
  std::optional<int> v = ParseJavaInt(rf);
  if (!v) return Status::InvalidArgument("Replication factor must be numeric; found " + rf);
  if (*v < 0) return Status::InvalidArgument("Replication factor must be non-negative; found " + rf);
  return *v;
}

// Appends `ep` to `list` unless present (an insertion-ordered set; lists are short).
bool AddUnique(std::vector<std::string>* list, const std::string& ep) {
  if (std::find(list->begin(), list->end(), ep) != list->end()) return false;
  list->push_back(ep);
  return true;
}

}  // namespace

// ------------------------------ factory & validation ------------------------------

Result<std::string> ReplicationStrategy::ResolveClassName(std::string_view class_name) {
  std::string full(class_name);
  if (full.find('.') == std::string::npos) full = std::string(kLocatorPackage) + full;
  if (full == kSimple || full == kNts) return full;
  return Status::InvalidArgument("Unable to find replication strategy class '" + full + "'");
}

Status ReplicationStrategy::Validate(std::string_view class_name, const StrategyOptions& options,
                                     std::string_view keyspace) {
  CAIRN_ASSIGN_OR_RETURN(std::string full, ResolveClassName(class_name));
  if (full == kSimple) {
    // validateExpectedOptions, then validateOptions, as Cassandra orders them.
    for (const auto& [key, value] : options) {
      if (key != "replication_factor") {
        return Status::InvalidArgument("Unrecognized strategy option {" + key +
                                       "} passed to SimpleStrategy for keyspace " +
                                       std::string(keyspace));
      }
    }
    auto it = options.find("replication_factor");
    if (it == options.end()) {
      return Status::InvalidArgument("SimpleStrategy requires a replication_factor strategy option.");
    }
    return ParseReplicationFactor(it->second).status();
  }
  // NetworkTopologyStrategy: every option is a datacenter name -> factor.
  for (const auto& [key, value] : options) {
    if (IEquals(key, "replication_factor")) {
      return Status::InvalidArgument(
          "replication_factor is an option for SimpleStrategy, not NetworkTopologyStrategy");
    }
    CAIRN_RETURN_IF_ERROR(ParseReplicationFactor(value).status());
  }
  return Status::OK();
}

Result<std::shared_ptr<const ReplicationStrategy>> ReplicationStrategy::Create(
    std::string_view class_name, const StrategyOptions& options,
    std::shared_ptr<const Snitch> snitch, std::string_view keyspace) {
  if (snitch == nullptr) return Status::InvalidArgument("a replication strategy needs a snitch");
  CAIRN_RETURN_IF_ERROR(Validate(class_name, options, keyspace));
  CAIRN_ASSIGN_OR_RETURN(std::string full, ResolveClassName(class_name));
  if (full == kSimple) {
    const int rf = ParseReplicationFactor(options.at("replication_factor")).value();
    return std::shared_ptr<const ReplicationStrategy>(
        std::make_shared<SimpleStrategy>(rf, std::move(snitch)));
  }
  std::map<std::string, int> dcs;
  for (const auto& [dc, value] : options) dcs[dc] = ParseReplicationFactor(value).value();
  return std::shared_ptr<const ReplicationStrategy>(
      std::make_shared<NetworkTopologyStrategy>(std::move(dcs), std::move(snitch)));
}

// ------------------------------ shared machinery ------------------------------

std::vector<std::string> ReplicationStrategy::GetNaturalEndpoints(const Token& token,
                                                                  const TokenMetadata& tm) const {
  if (tm.empty()) return {};
  const Token& ring_token = tm.FirstToken(token);
  const uint64_t snitch_version = snitch_->version();
  {
    std::lock_guard lock(cache_mu_);
    if (cache_ring_version_ != tm.ring_version() || cache_snitch_version_ != snitch_version) {
      cache_.clear();
      cache_ring_version_ = tm.ring_version();
      cache_snitch_version_ = snitch_version;
    }
    auto it = cache_.find(ring_token.bytes);
    if (it != cache_.end()) return it->second;
  }
  // Computed outside the lock; a concurrent miss may compute the same value twice.
  std::vector<std::string> endpoints = CalculateNaturalEndpoints(ring_token, tm);
  std::lock_guard lock(cache_mu_);
  if (cache_ring_version_ == tm.ring_version() && cache_snitch_version_ == snitch_version) {
    cache_.emplace(ring_token.bytes, endpoints);
  }
  return endpoints;
}

std::vector<std::string> ReplicationStrategy::GetWriteEndpoints(const Token& token,
                                                                const std::string& keyspace,
                                                                const TokenMetadata& tm) const {
  std::vector<std::string> out = GetNaturalEndpoints(token, tm);
  for (const std::string& ep : tm.PendingEndpointsFor(token, keyspace)) AddUnique(&out, ep);
  return out;
}

std::map<std::string, std::vector<Range>> ReplicationStrategy::GetAddressRanges(
    const TokenMetadata& tm) const {
  std::map<std::string, std::vector<Range>> out;
  for (const Token& t : tm.SortedTokens()) {
    const Range range = tm.GetPrimaryRangeFor(t);
    for (const std::string& ep : CalculateNaturalEndpoints(t, tm)) out[ep].push_back(range);
  }
  return out;
}

std::map<Range, std::vector<std::string>> ReplicationStrategy::GetRangeAddresses(
    const TokenMetadata& tm) const {
  std::map<Range, std::vector<std::string>> out;
  for (const Token& t : tm.SortedTokens()) {
    out.emplace(tm.GetPrimaryRangeFor(t), CalculateNaturalEndpoints(t, tm));
  }
  return out;
}

std::vector<Range> ReplicationStrategy::GetRangesFor(const std::string& endpoint,
                                                     const TokenMetadata& tm) const {
  std::vector<Range> out;
  for (const Token& t : tm.SortedTokens()) {
    const std::vector<std::string> eps = CalculateNaturalEndpoints(t, tm);
    if (std::find(eps.begin(), eps.end(), endpoint) != eps.end()) {
      out.push_back(tm.GetPrimaryRangeFor(t));
    }
  }
  return out;
}

std::vector<Range> ReplicationStrategy::GetPendingAddressRanges(const TokenMetadata& tm,
                                                                const std::vector<Token>& tokens,
                                                                const std::string& endpoint) const {
  TokenMetadata temp = tm.CloneOnlyTokenMap();
  temp.UpdateNormalTokens(endpoint, tokens);
  return GetRangesFor(endpoint, temp);
}

// -------------------------------- SimpleStrategy --------------------------------

SimpleStrategy::SimpleStrategy(int replication_factor, std::shared_ptr<const Snitch> snitch)
    : ReplicationStrategy({{"replication_factor", std::to_string(replication_factor)}},
                          std::move(snitch)),
      replication_factor_(replication_factor) {
  assert(replication_factor >= 0);
}

std::vector<std::string> SimpleStrategy::CalculateNaturalEndpoints(const Token& token,
                                                                   const TokenMetadata& tm) const {
  std::vector<std::string> endpoints;
  const size_t rf = static_cast<size_t>(replication_factor_);
  if (rf == 0) return endpoints;
  endpoints.reserve(rf);
  for (size_t i : tm.RingFrom(token)) {
    AddUnique(&endpoints, tm.SortedOwners()[i]);
    if (endpoints.size() >= rf) break;
  }
  return endpoints;
}

// --------------------------- NetworkTopologyStrategy ---------------------------

namespace {
std::map<std::string, std::string> ToOptions(const std::map<std::string, int>& dcs) {
  std::map<std::string, std::string> out;
  for (const auto& [dc, rf] : dcs) out[dc] = std::to_string(rf);
  return out;
}
}  // namespace

NetworkTopologyStrategy::NetworkTopologyStrategy(std::map<std::string, int> datacenters,
                                                 std::shared_ptr<const Snitch> snitch)
    : ReplicationStrategy(ToOptions(datacenters), std::move(snitch)),
      datacenters_(std::move(datacenters)) {}

int NetworkTopologyStrategy::GetReplicationFactor() const {
  int total = 0;
  for (const auto& [dc, rf] : datacenters_) total += rf;
  return total;
}

int NetworkTopologyStrategy::GetReplicationFactor(const std::string& datacenter) const {
  auto it = datacenters_.find(datacenter);
  return it == datacenters_.end() ? 0 : it->second;
}

std::vector<std::string> NetworkTopologyStrategy::CalculateNaturalEndpoints(
    const Token& token, const TokenMetadata& tm) const {
  // Per-datacenter progress (Cassandra keeps the same state in several maps).
  struct DcState {
    size_t wanted = 0;                 // min(RF, endpoints in the dc)
    size_t total_racks = 0;            // racks with endpoints in the dc
    std::vector<std::string> found;    // replicas chosen in this dc
    std::set<std::string> seen_racks;  // racks already holding a replica
    std::vector<std::string> skipped;  // passed over for repeating a rack, ring order
    bool Sufficient() const { return found.size() >= wanted; }
  };

  // Topology of the normal endpoints, restricted to the datacenters we replicate to.
  std::map<std::string, DcState> dcs;
  std::map<std::string, std::set<std::string>> dc_endpoints;
  std::map<std::string, std::set<std::string>> dc_racks;
  for (const std::string& ep : tm.GetNormalEndpoints()) {
    std::string dc = snitch().GetDatacenter(ep);
    if (datacenters_.count(dc) == 0) continue;
    dc_racks[dc].insert(snitch().GetRack(ep));
    dc_endpoints[dc].insert(ep);
  }
  for (const auto& [dc, rf] : datacenters_) {
    DcState& st = dcs[dc];
    st.wanted = std::min(static_cast<size_t>(rf), dc_endpoints[dc].size());
    st.total_racks = dc_racks[dc].size();
  }
  auto all_sufficient = [&] {
    return std::all_of(dcs.begin(), dcs.end(), [](const auto& kv) { return kv.second.Sufficient(); });
  };

  std::vector<std::string> replicas;  // insertion-ordered set: the first is the primary
  for (size_t i : tm.RingFrom(token)) {
    if (all_sufficient()) break;
    const std::string& ep = tm.SortedOwners()[i];
    auto it = dcs.find(snitch().GetDatacenter(ep));
    if (it == dcs.end() || it->second.Sufficient()) continue;
    DcState& st = it->second;
    if (st.seen_racks.size() == st.total_racks) {
      // Every rack already has a replica: any endpoint will do.
      AddUnique(&st.found, ep);
      AddUnique(&replicas, ep);
      continue;
    }
    std::string rack = snitch().GetRack(ep);
    if (st.seen_racks.count(rack) > 0) {
      AddUnique(&st.skipped, ep);
      continue;
    }
    AddUnique(&st.found, ep);
    AddUnique(&replicas, ep);
    st.seen_racks.insert(std::move(rack));
    if (st.seen_racks.size() == st.total_racks) {
      // Out of new racks: take the endpoints skipped so far, in ring order.
      for (const std::string& skipped : st.skipped) {
        if (st.Sufficient()) break;
        AddUnique(&st.found, skipped);
        AddUnique(&replicas, skipped);
      }
    }
  }
  return replicas;
}

}  // namespace cairn::ring
