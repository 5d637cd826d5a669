// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "node/consistency.h"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "node/schema_store.h"

namespace cairn::node {

namespace {

constexpr std::string_view kNtsClass = "org.apache.cassandra.locator.NetworkTopologyStrategy";

struct ClName {
  ConsistencyLevel cl;
  std::string_view name;
};
constexpr ClName kNames[] = {
    {ConsistencyLevel::ONE, "ONE"},
    {ConsistencyLevel::QUORUM, "QUORUM"},
    {ConsistencyLevel::LOCAL_QUORUM, "LOCAL_QUORUM"},
    {ConsistencyLevel::EACH_QUORUM, "EACH_QUORUM"},
    {ConsistencyLevel::ALL, "ALL"},
    {ConsistencyLevel::ANY, "ANY"},
    {ConsistencyLevel::TWO, "TWO"},
    {ConsistencyLevel::THREE, "THREE"},
    {ConsistencyLevel::SERIAL, "SERIAL"},
    {ConsistencyLevel::LOCAL_SERIAL, "LOCAL_SERIAL"},
    {ConsistencyLevel::LOCAL_ONE, "LOCAL_ONE"},
};

Status InvalidLevel(ConsistencyLevel cl) {
  return Status::InvalidArgument("Invalid consistency level " +
                                 std::to_string(static_cast<int>(cl)));
}

// Cassandra's UnavailableException message, with the numbers spelled out.
Status Unavailable(ConsistencyLevel cl, int required, int alive, std::string_view dc = {}) {
  std::string msg = "Cannot achieve consistency level ";
  msg += ToString(cl);
  if (!dc.empty()) {
    msg += " in DC ";
    msg += dc;
  }
  msg += ": " + std::to_string(required) + " required but only " + std::to_string(alive) + " alive";
  return Status::Unavailable(msg);
}

bool UsesEachQuorumPerDc(ConsistencyLevel cl, const ReplicationLayout& layout) {
  return cl == ConsistencyLevel::EACH_QUORUM && layout.network_topology;
}

// endpoints per datacenter.
std::map<std::string, int> CountPerDc(const std::vector<std::string>& endpoints,
                                      const ring::Snitch& snitch) {
  std::map<std::string, int> out;
  for (const std::string& ep : endpoints) ++out[snitch.GetDatacenter(ep)];
  return out;
}

int CountIn(const std::map<std::string, int>& per_dc, const std::string& dc) {
  auto it = per_dc.find(dc);
  return it == per_dc.end() ? 0 : it->second;
}

}  // namespace

std::string_view ToString(ConsistencyLevel cl) {
  for (const ClName& n : kNames) {
    if (n.cl == cl) return n.name;
  }
  return "UNKNOWN";
}

std::optional<ConsistencyLevel> ConsistencyLevelFromString(std::string_view name) {
  for (const ClName& n : kNames) {
    if (n.name.size() == name.size() &&
        std::equal(name.begin(), name.end(), n.name.begin(), [](char a, char b) {
          return std::toupper(static_cast<unsigned char>(a)) == b;
        })) {
      return n.cl;
    }
  }
  return std::nullopt;
}

bool IsValid(ConsistencyLevel cl) {
  const int v = static_cast<int>(cl);
  return v >= static_cast<int>(ConsistencyLevel::ONE) &&
         v <= static_cast<int>(ConsistencyLevel::LOCAL_ONE);
}

bool IsDatacenterLocal(ConsistencyLevel cl) {
  return cl == ConsistencyLevel::LOCAL_ONE || cl == ConsistencyLevel::LOCAL_QUORUM ||
         cl == ConsistencyLevel::LOCAL_SERIAL;
}

bool IsSerial(ConsistencyLevel cl) {
  return cl == ConsistencyLevel::SERIAL || cl == ConsistencyLevel::LOCAL_SERIAL;
}

// ------------------------------- layout -------------------------------

ReplicationLayout ReplicationLayout::Of(const ring::ReplicationStrategy& strategy) {
  if (const auto* nts = dynamic_cast<const ring::NetworkTopologyStrategy*>(&strategy)) {
    return NetworkTopology(nts->datacenters());
  }
  ReplicationLayout layout = Simple(strategy.GetReplicationFactor());
  layout.strategy_class = std::string(strategy.Name());
  return layout;
}

ReplicationLayout ReplicationLayout::Of(const ReplicaCounts& counts) {
  if (counts.network_topology) return NetworkTopology(counts.per_dc);
  return Simple(counts.total);
}

ReplicationLayout ReplicationLayout::Simple(int rf) {
  ReplicationLayout layout;
  layout.replication_factor = std::max(0, rf);
  return layout;
}

ReplicationLayout ReplicationLayout::NetworkTopology(std::map<std::string, int> dcs) {
  ReplicationLayout layout;
  layout.network_topology = true;
  layout.strategy_class = std::string(kNtsClass);
  layout.replication_factor = 0;
  for (auto& [dc, rf] : dcs) {
    rf = std::max(0, rf);
    layout.replication_factor += rf;
  }
  layout.dc_replication = std::move(dcs);
  return layout;
}

int ReplicationLayout::ReplicationFactorIn(std::string_view dc) const {
  if (!network_topology) return replication_factor;
  auto it = dc_replication.find(std::string(dc));
  return it == dc_replication.end() ? 0 : it->second;
}

// ------------------------------- block for -------------------------------

int QuorumFor(const ReplicationLayout& layout) { return layout.replication_factor / 2 + 1; }

int LocalQuorumFor(const ReplicationLayout& layout, std::string_view dc) {
  if (!layout.network_topology) return QuorumFor(layout);
  return layout.ReplicationFactorIn(dc) / 2 + 1;
}

int BlockFor(ConsistencyLevel cl, const ReplicationLayout& layout, std::string_view local_dc) {
  switch (cl) {
    case ConsistencyLevel::ANY:
    case ConsistencyLevel::ONE:
    case ConsistencyLevel::LOCAL_ONE:
      return 1;
    case ConsistencyLevel::TWO:
      return 2;
    case ConsistencyLevel::THREE:
      return 3;
    case ConsistencyLevel::QUORUM:
    case ConsistencyLevel::SERIAL:
      return QuorumFor(layout);
    case ConsistencyLevel::ALL:
      return layout.replication_factor;
    case ConsistencyLevel::LOCAL_QUORUM:
    case ConsistencyLevel::LOCAL_SERIAL:
      return LocalQuorumFor(layout, local_dc);
    case ConsistencyLevel::EACH_QUORUM: {
      if (!layout.network_topology) return QuorumFor(layout);
      int n = 0;
      for (const auto& [dc, rf] : layout.dc_replication) {
        if (rf > 0) n += LocalQuorumFor(layout, dc);
      }
      return n;
    }
  }
  return layout.replication_factor;  // not a level: as strict as ALL
}

bool IsLocal(const std::string& endpoint, const ring::Snitch& snitch, std::string_view local_dc) {
  return snitch.GetDatacenter(endpoint) == local_dc;
}

int CountLocalEndpoints(const std::vector<std::string>& endpoints, const ring::Snitch& snitch,
                        std::string_view local_dc) {
  return static_cast<int>(
      std::count_if(endpoints.begin(), endpoints.end(),
                    [&](const std::string& ep) { return IsLocal(ep, snitch, local_dc); }));
}

int BlockForWrite(ConsistencyLevel cl, const ReplicationLayout& layout,
                  const std::vector<std::string>& pending, const ring::Snitch& snitch,
                  std::string_view local_dc) {
  const int block_for = BlockFor(cl, layout, local_dc);
  if (cl == ConsistencyLevel::ANY) return block_for;
  if (IsDatacenterLocal(cl)) return block_for + CountLocalEndpoints(pending, snitch, local_dc);
  if (UsesEachQuorumPerDc(cl, layout)) {
    // Pending endpoints only raise the bar of the DCs that are counted.
    int n = block_for;
    for (const std::string& ep : pending) {
      if (layout.ReplicationFactorIn(snitch.GetDatacenter(ep)) > 0) ++n;
    }
    return n;
  }
  return block_for + static_cast<int>(pending.size());
}

// ------------------------------- validation -------------------------------

Status ValidateForRead(ConsistencyLevel cl, const ReplicationLayout& /*layout*/) {
  if (!IsValid(cl)) return InvalidLevel(cl);
  if (cl == ConsistencyLevel::ANY) {
    return Status::InvalidArgument("ANY ConsistencyLevel is only supported for writes");
  }
  return Status::OK();
}

Status ValidateForWrite(ConsistencyLevel cl, const ReplicationLayout& /*layout*/) {
  if (!IsValid(cl)) return InvalidLevel(cl);
  if (IsSerial(cl)) {
    return Status::InvalidArgument("You must use conditional updates for serializable writes");
  }
  return Status::OK();
}

Status ValidateForCas(ConsistencyLevel cl) {
  if (!IsValid(cl)) return InvalidLevel(cl);
  if (!IsSerial(cl)) {
    return Status::InvalidArgument(
        "Invalid consistency for conditional update. Must be one of SERIAL or LOCAL_SERIAL");
  }
  return Status::OK();
}

Status ValidateForCasCommit(ConsistencyLevel cl, const ReplicationLayout& layout) {
  if (!IsValid(cl)) return InvalidLevel(cl);
  if (cl == ConsistencyLevel::EACH_QUORUM && !layout.network_topology) {
    return Status::InvalidArgument(
        "consistency level EACH_QUORUM not compatible with "
        "replication strategy (" +
        layout.strategy_class + ")");
  }
  if (IsSerial(cl)) {
    return Status::InvalidArgument(
        std::string(ToString(cl)) +
        " is not supported as conditional update commit consistency. Use ANY if you mean "
        "\"make sure it is accepted but I don't care how many replicas commit it for "
        "non-SERIAL reads\"");
  }
  return Status::OK();
}

Status ValidateCounterForWrite(ConsistencyLevel cl, std::string_view table) {
  if (!IsValid(cl)) return InvalidLevel(cl);
  if (cl == ConsistencyLevel::ANY) {
    return Status::InvalidArgument("Consistency level ANY is not yet supported for counter table " +
                                   std::string(table));
  }
  if (IsSerial(cl)) {
    return Status::InvalidArgument("Counter operations are inherently non-serializable");
  }
  return Status::OK();
}

// ------------------------------- liveness -------------------------------

bool IsSufficientLive(ConsistencyLevel cl, const ReplicationLayout& layout,
                      const std::vector<std::string>& live, const ring::Snitch& snitch,
                      std::string_view local_dc) {
  return AssureSufficientLive(cl, layout, live, 0, snitch, local_dc).ok();
}

Status AssureSufficientLive(ConsistencyLevel cl, const ReplicationLayout& layout,
                            const std::vector<std::string>& live, int pending,
                            const ring::Snitch& snitch, std::string_view local_dc) {
  if (cl == ConsistencyLevel::ANY) return Status::OK();  // a hint on this node will do
  const int required = BlockFor(cl, layout, local_dc) + std::max(0, pending);
  if (IsDatacenterLocal(cl)) {
    const int local_live = CountLocalEndpoints(live, snitch, local_dc);
    if (local_live < required) return Unavailable(cl, required, local_live);
    return Status::OK();
  }
  if (UsesEachQuorumPerDc(cl, layout)) {
    const std::map<std::string, int> per_dc = CountPerDc(live, snitch);
    for (const auto& [dc, rf] : layout.dc_replication) {
      if (rf <= 0) continue;
      const int dc_required = LocalQuorumFor(layout, dc);
      const int dc_live = CountIn(per_dc, dc);
      if (dc_live < dc_required) return Unavailable(cl, dc_required, dc_live, dc);
    }
    // Falls through to the total, which only adds something when pending > 0.
  }
  const int alive = static_cast<int>(live.size());
  if (alive < required) return Unavailable(cl, required, alive);
  return Status::OK();
}

Status AssureSufficientLiveForWrite(ConsistencyLevel cl, const ReplicationLayout& layout,
                                    const std::vector<std::string>& live,
                                    const std::vector<std::string>& pending_endpoints,
                                    const ring::Snitch& snitch, std::string_view local_dc) {
  if (cl == ConsistencyLevel::ANY) return Status::OK();
  if (IsDatacenterLocal(cl)) {
    return AssureSufficientLive(cl, layout, live,
                                CountLocalEndpoints(pending_endpoints, snitch, local_dc), snitch,
                                local_dc);
  }
  if (UsesEachQuorumPerDc(cl, layout)) {
    // DatacenterSyncWriteResponseHandler: each DC's quorum plus that DC's pending ones.
    const std::map<std::string, int> live_per_dc = CountPerDc(live, snitch);
    const std::map<std::string, int> pending_per_dc = CountPerDc(pending_endpoints, snitch);
    for (const auto& [dc, rf] : layout.dc_replication) {
      if (rf <= 0) continue;
      const int dc_required = LocalQuorumFor(layout, dc) + CountIn(pending_per_dc, dc);
      const int dc_live = CountIn(live_per_dc, dc);
      if (dc_live < dc_required) return Unavailable(cl, dc_required, dc_live, dc);
    }
    return Status::OK();
  }
  return AssureSufficientLive(cl, layout, live, static_cast<int>(pending_endpoints.size()), snitch,
                              local_dc);
}

// ------------------------------- proximity -------------------------------

LatencyTracker::LatencyTracker(double alpha)
    : alpha_(alpha > 0 && alpha <= 1 ? alpha : kDefaultAlpha) {}

void LatencyTracker::Record(const std::string& endpoint, int64_t micros) {
  const double sample = static_cast<double>(std::max<int64_t>(0, micros));
  std::lock_guard lock(mu_);
  auto [it, inserted] = scores_.try_emplace(endpoint, sample);
  if (!inserted) it->second = alpha_ * sample + (1 - alpha_) * it->second;
}

double LatencyTracker::Score(const std::string& endpoint) const {
  std::lock_guard lock(mu_);
  auto it = scores_.find(endpoint);
  return it == scores_.end() ? 0.0 : it->second;
}

void LatencyTracker::Forget(const std::string& endpoint) {
  std::lock_guard lock(mu_);
  scores_.erase(endpoint);
}

void LatencyTracker::Reset() {
  std::lock_guard lock(mu_);
  scores_.clear();
}

std::vector<std::string> SortByProximity(std::string_view local_endpoint,
                                         std::vector<std::string> endpoints,
                                         const ring::Snitch& snitch,
                                         const LatencyTracker* latency) {
  const std::string local(local_endpoint);
  const std::string my_dc = snitch.GetDatacenter(local);
  const std::string my_rack = snitch.GetRack(local);
  // (group, score, name): group 0 this node, 1 same rack, 2 same DC, 3 elsewhere.
  using Key = std::tuple<int, double, std::string>;
  std::vector<Key> keyed;
  keyed.reserve(endpoints.size());
  for (std::string& ep : endpoints) {
    int group = 3;
    if (ep == local) {
      group = 0;
    } else if (snitch.GetDatacenter(ep) == my_dc) {
      group = snitch.GetRack(ep) == my_rack ? 1 : 2;
    }
    const double score = latency != nullptr ? latency->Score(ep) : 0.0;
    keyed.emplace_back(group, score, std::move(ep));
  }
  std::sort(keyed.begin(), keyed.end());
  for (size_t i = 0; i < keyed.size(); ++i) endpoints[i] = std::move(std::get<2>(keyed[i]));
  return endpoints;
}

// ------------------------------- reads -------------------------------

std::vector<std::string> FilterForQuery(ConsistencyLevel cl, const ReplicationLayout& layout,
                                        const std::vector<std::string>& sorted_live,
                                        const ring::Snitch& snitch, std::string_view local_dc,
                                        ReadRepairDecision read_repair) {
  if (read_repair == ReadRepairDecision::kGlobal) return sorted_live;
  const size_t block_for = static_cast<size_t>(std::max(0, BlockFor(cl, layout, local_dc)));

  if (UsesEachQuorumPerDc(cl, layout)) {
    // Cassandra's filterForEachQuorum, keeping proximity order across DCs so that the
    // data replica is the closest one.
    std::map<std::string, int> quota;
    for (const auto& [dc, rf] : layout.dc_replication) {
      if (rf > 0) quota[dc] = LocalQuorumFor(layout, dc);
    }
    std::vector<std::string> out;
    for (const std::string& ep : sorted_live) {
      const std::string dc = snitch.GetDatacenter(ep);
      if (read_repair == ReadRepairDecision::kDcLocal && dc == local_dc) {
        out.push_back(ep);
        continue;
      }
      auto it = quota.find(dc);
      if (it != quota.end() && it->second > 0) {
        --it->second;
        out.push_back(ep);
      }
    }
    return out;
  }

  std::vector<std::string> local;
  std::vector<std::string> remote;
  for (const std::string& ep : sorted_live) {
    (IsLocal(ep, snitch, local_dc) ? local : remote).push_back(ep);
  }
  if (read_repair == ReadRepairDecision::kDcLocal) {
    for (size_t i = 0; local.size() < block_for && i < remote.size(); ++i) {
      local.push_back(remote[i]);
    }
    return local;
  }
  std::vector<std::string> ordered;
  if (IsDatacenterLocal(cl)) {
    // Local replicas first: the data read and the blockFor acks must come from them.
    ordered = std::move(local);
    ordered.insert(ordered.end(), remote.begin(), remote.end());
  } else {
    ordered = sorted_live;
  }
  if (ordered.size() > block_for) ordered.resize(block_for);
  return ordered;
}

// ------------------------------- writes -------------------------------

WriteAckCounter::WriteAckCounter(ConsistencyLevel cl, const ReplicationLayout& layout,
                                 const std::vector<std::string>& targets,
                                 const std::vector<std::string>& pending,
                                 const ring::Snitch& snitch, std::string_view local_dc)
    : cl_(cl) {
  for (const std::string& ep : targets) target_dc_.try_emplace(ep, snitch.GetDatacenter(ep));
  for (const std::string& ep : pending) target_dc_.try_emplace(ep, snitch.GetDatacenter(ep));
  std::vector<std::string> distinct_pending(pending);
  std::sort(distinct_pending.begin(), distinct_pending.end());
  distinct_pending.erase(std::unique(distinct_pending.begin(), distinct_pending.end()),
                         distinct_pending.end());

  const int block_for = BlockFor(cl, layout, local_dc);
  const int num_targets = static_cast<int>(target_dc_.size());
  if (cl == ConsistencyLevel::ANY) {
    mode_ = Mode::kAny;
    groups_[""] = Group{1, num_targets};
  } else if (IsDatacenterLocal(cl)) {
    mode_ = Mode::kLocal;
    local_dc_ = std::string(local_dc);
    int local_targets = 0;
    for (const auto& [ep, dc] : target_dc_) local_targets += dc == local_dc ? 1 : 0;
    groups_[""] =
        Group{block_for + CountLocalEndpoints(distinct_pending, snitch, local_dc), local_targets};
  } else if (UsesEachQuorumPerDc(cl, layout)) {
    mode_ = Mode::kEachQuorum;
    for (const auto& [dc, rf] : layout.dc_replication) {
      if (rf > 0) groups_[dc] = Group{LocalQuorumFor(layout, dc), 0};
    }
    for (const auto& [ep, dc] : target_dc_) {
      auto it = groups_.find(dc);
      if (it != groups_.end()) ++it->second.outstanding;
    }
    for (const std::string& ep : distinct_pending) {
      auto it = groups_.find(target_dc_[ep]);
      if (it != groups_.end()) ++it->second.needed;
    }
  } else {
    mode_ = Mode::kAll;
    groups_[""] = Group{block_for + static_cast<int>(distinct_pending.size()), num_targets};
  }
  for (const auto& [name, group] : groups_) block_for_ += std::max(0, group.needed);
  satisfied_ = AllGroupsMet();
}

WriteAckCounter::Group* WriteAckCounter::GroupOf(const std::string& endpoint) {
  auto dc = target_dc_.find(endpoint);
  if (dc == target_dc_.end()) return nullptr;
  switch (mode_) {
    case Mode::kAny:
    case Mode::kAll:
      return &groups_[""];
    case Mode::kLocal:
      return dc->second == local_dc_ ? &groups_[""] : nullptr;
    case Mode::kEachQuorum: {
      auto it = groups_.find(dc->second);
      return it == groups_.end() ? nullptr : &it->second;
    }
  }
  return nullptr;
}

bool WriteAckCounter::AllGroupsMet() const {
  return std::all_of(groups_.begin(), groups_.end(),
                     [](const auto& entry) { return entry.second.needed <= 0; });
}

bool WriteAckCounter::CheckSatisfied() {
  if (satisfied_ || !AllGroupsMet()) return false;
  satisfied_ = true;
  return true;
}

bool WriteAckCounter::Ack(const std::string& endpoint) {
  if (target_dc_.count(endpoint) == 0) return false;
  if (!answered_.insert(endpoint).second) return false;  // a repeated ack or one after Fail
  Group* group = GroupOf(endpoint);
  // EACH_QUORUM counts every ack in acknowledged(), as DatacenterSyncWriteResponseHandler.
  if (group == nullptr && mode_ != Mode::kEachQuorum) return false;  // a remote ack
  ++acknowledged_;
  if (group != nullptr) {
    --group->needed;
    --group->outstanding;
  }
  return CheckSatisfied();
}

bool WriteAckCounter::AckHint() {
  if (mode_ != Mode::kAny) return false;
  ++acknowledged_;
  --groups_[""].needed;
  return CheckSatisfied();
}

bool WriteAckCounter::Fail(const std::string& endpoint) {
  if (target_dc_.count(endpoint) == 0) return false;
  if (!answered_.insert(endpoint).second) return false;
  Group* group = GroupOf(endpoint);
  if (group != nullptr) --group->outstanding;
  if (mode_ == Mode::kAny || satisfied_ || failed_) return false;
  for (const auto& [name, g] : groups_) {
    if (g.needed > 0 && g.needed > g.outstanding) {
      failed_ = true;
      return true;
    }
  }
  return false;
}

}  // namespace cairn::node
