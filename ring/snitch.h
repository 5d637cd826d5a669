// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Snitches tell replica placement and the coordinator where an endpoint lives
// (datacenter and rack), Cassandra's IEndpointSnitch.
//
//   SimpleSnitch    every endpoint is in "datacenter1" / "rack1"; no proximity sorting.
//   PropertySnitch  GossipingPropertyFileSnitch-like: the local node's dc/rack come from
//                   its configuration; peers' dc/rack are filled in by node/ from gossip
//                   (DC and RACK application states) via SetLocation. Unknown endpoints
//                   are reported in a default location ("UNKNOWN_DC" / "UNKNOWN_RACK",
//                   as Cassandra's GossipingPropertyFileSnitch does).
//
// An endpoint is an address string such as "127.0.0.2".
//
// Thread-safety: all const methods may be called concurrently. PropertySnitch's setters
// may run concurrently with readers (internally synchronized by a shared_mutex).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::ring {

class Snitch {
 public:
  virtual ~Snitch() = default;

  // Cassandra's full class name of the snitch this behaves like.
  virtual std::string_view Name() const = 0;
  virtual std::string GetDatacenter(const std::string& endpoint) const = 0;
  virtual std::string GetRack(const std::string& endpoint) const = 0;

  // Changes whenever any datacenter/rack answer may have changed, so that cached replica
  // placements (ReplicationStrategy::GetNaturalEndpoints) are recomputed. Constant for
  // snitches whose answers never change.
  virtual uint64_t version() const { return 0; }

  // Stable-sorts `endpoints` by proximity to `address`: `address` itself first, then
  // endpoints in its rack, then in its datacenter, then the rest, as Cassandra's
  // AbstractNetworkTopologySnitch.compareEndpoints.
  virtual void SortByProximity(const std::string& address,
                               std::vector<std::string>* endpoints) const;
};

class SimpleSnitch final : public Snitch {
 public:
  std::string_view Name() const override { return "org.apache.cassandra.locator.SimpleSnitch"; }
  std::string GetDatacenter(const std::string&) const override { return "datacenter1"; }
  std::string GetRack(const std::string&) const override { return "rack1"; }
  // Cassandra's SimpleSnitch does not reorder: every endpoint is equally close.
  void SortByProximity(const std::string&, std::vector<std::string>*) const override {}
};

class PropertySnitch final : public Snitch {
 public:
  struct Location {
    std::string datacenter;
    std::string rack;
    friend bool operator==(const Location&, const Location&) = default;
  };

  // `local_endpoint` is this node's address, located at `local` (from its config).
  PropertySnitch(std::string local_endpoint, Location local,
                 Location unknown = Location{"UNKNOWN_DC", "UNKNOWN_RACK"});

  std::string_view Name() const override {
    return "org.apache.cassandra.locator.GossipingPropertyFileSnitch";
  }
  std::string GetDatacenter(const std::string& endpoint) const override;
  std::string GetRack(const std::string& endpoint) const override;
  uint64_t version() const override { return version_.load(std::memory_order_acquire); }

  // Records where `endpoint` lives (from gossip). Bumps version() if anything changed.
  // Setting the local endpoint is allowed (e.g. after a config reload).
  void SetLocation(const std::string& endpoint, Location location);
  // Forgets a peer (it left the ring). The local endpoint is never forgotten.
  void RemoveEndpoint(const std::string& endpoint);
  // The recorded location, if any (nullopt: unknown, reported as the default).
  std::optional<Location> GetLocation(const std::string& endpoint) const;

  const std::string& local_endpoint() const { return local_endpoint_; }

 private:
  Location Lookup(const std::string& endpoint) const;

  const std::string local_endpoint_;
  const Location unknown_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Location> locations_;  // GUARDED_BY(mu_)
  std::atomic<uint64_t> version_{1};
};

}  // namespace cairn::ring
