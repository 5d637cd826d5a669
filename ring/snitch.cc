// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "ring/snitch.h"

#include <algorithm>
#include <mutex>

namespace cairn::ring {

void Snitch::SortByProximity(const std::string& address,
                             std::vector<std::string>* endpoints) const {
  const std::string my_dc = GetDatacenter(address);
  const std::string my_rack = GetRack(address);
  // 0: the address itself, 1: same rack (and dc), 2: same dc, 3: elsewhere.
  auto distance = [&](const std::string& ep) {
    if (ep == address) return 0;
    const std::string dc = GetDatacenter(ep);
    if (dc != my_dc) return 3;
    return GetRack(ep) == my_rack ? 1 : 2;
  };
  std::vector<std::pair<int, std::string>> keyed;
  keyed.reserve(endpoints->size());
  for (std::string& ep : *endpoints) keyed.emplace_back(distance(ep), std::move(ep));
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < keyed.size(); ++i) (*endpoints)[i] = std::move(keyed[i].second);
}

PropertySnitch::PropertySnitch(std::string local_endpoint, Location local, Location unknown)
    : local_endpoint_(std::move(local_endpoint)), unknown_(std::move(unknown)) {
  locations_.emplace(local_endpoint_, std::move(local));
}

PropertySnitch::Location PropertySnitch::Lookup(const std::string& endpoint) const {
  std::shared_lock lock(mu_);
  auto it = locations_.find(endpoint);
  return it == locations_.end() ? unknown_ : it->second;
}

std::string PropertySnitch::GetDatacenter(const std::string& endpoint) const {
  return Lookup(endpoint).datacenter;
}

std::string PropertySnitch::GetRack(const std::string& endpoint) const {
  return Lookup(endpoint).rack;
}

void PropertySnitch::SetLocation(const std::string& endpoint, Location location) {
  std::unique_lock lock(mu_);
  auto [it, inserted] = locations_.try_emplace(endpoint, location);
  if (!inserted) {
    if (it->second == location) return;
    it->second = std::move(location);
  }
  version_.fetch_add(1, std::memory_order_acq_rel);
}

void PropertySnitch::RemoveEndpoint(const std::string& endpoint) {
  if (endpoint == local_endpoint_) return;
  std::unique_lock lock(mu_);
  if (locations_.erase(endpoint) > 0) version_.fetch_add(1, std::memory_order_acq_rel);
}

std::optional<PropertySnitch::Location> PropertySnitch::GetLocation(
    const std::string& endpoint) const {
  std::shared_lock lock(mu_);
  auto it = locations_.find(endpoint);
  if (it == locations_.end()) return std::nullopt;
  return it->second;
}

}  // namespace cairn::ring
