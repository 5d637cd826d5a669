// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Application states and their versioned values: what a node says about itself in gossip.
// Cassandra counterparts: org.apache.cassandra.gms.ApplicationState and VersionedValue
// (with its nested VersionedValueFactory). The wire meaning of every field is in
// gossip/PROTOCOL.md.
//
// A VersionedValue is a string plus the version the owning node stamped on it. Versions
// come from one per-node, monotonically increasing counter shared by the heartbeat and all
// application states (Cassandra's VersionGenerator), so "the highest version a peer knows
// about me" summarises everything it has seen. Only the Gossiper stamps versions: the
// factory functions below build the value strings and Gossiper::AddLocalApplicationState
// gives them a fresh version.
//
// STATUS values are comma-separated, first the status name then its arguments, exactly as
// Cassandra 3.11 writes them:
//   BOOT,<token>            NORMAL,<token>         LEAVING,<token>
//   LEFT,<token>,<expire_ms>                       MOVING,<token>
//   removing,<host_id>      removed,<host_id>,<expire_ms>
//   hibernate,true          shutdown,true
// where <token> is the node's first token (all of them travel in TOKENS) and <expire_ms>
// is the wall-clock time (ms since the epoch) after which peers may forget the endpoint.
// TOKENS is the comma-separated list of all the node's tokens in the partitioner's string
// form (Cassandra serialises them in binary; text keeps gossipinfo readable). Token
// strings therefore must not contain ','; the partitioners' string forms (decimal for
// Murmur3/Random, hex for ByteOrdered) never do.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::gossip {

// Keys of a node's application states. The numbering is Cassandra 3.11's ordinal order,
// so gossipinfo output and any numeric encoding line up with Cassandra's. Values not
// named here are legal ("room for more"): a node forwards states it does not understand,
// and ApplicationStateName prints them as X_<n>.
enum class ApplicationState : uint8_t {
  kStatus = 0,
  kLoad = 1,
  kSchema = 2,
  kDc = 3,
  kRack = 4,
  kReleaseVersion = 5,
  kRemovalCoordinator = 6,
  kInternalIp = 7,
  kRpcAddress = 8,
  // 9 is Cassandra's X_11_PADDING.
  kSeverity = 10,
  kNetVersion = 11,
  kHostId = 12,
  kTokens = 13,
  kRpcReady = 14,
};

// "STATUS", "LOAD", ..., or "X_<n>" for a value without a name.
std::string ApplicationStateName(ApplicationState state);
// Inverse of ApplicationStateName for the named states; nullopt otherwise.
std::optional<ApplicationState> ParseApplicationStateName(std::string_view name);

struct VersionedValue {
  std::string value;
  int32_t version = 0;

  friend bool operator==(const VersionedValue&, const VersionedValue&) = default;
};

// STATUS names (the first comma-separated piece of a STATUS value).
inline constexpr std::string_view kStatusBootstrapping = "BOOT";
inline constexpr std::string_view kStatusBootstrappingReplace = "BOOT_REPLACE";
inline constexpr std::string_view kStatusNormal = "NORMAL";
inline constexpr std::string_view kStatusLeaving = "LEAVING";
inline constexpr std::string_view kStatusLeft = "LEFT";
inline constexpr std::string_view kStatusMoving = "MOVING";
inline constexpr std::string_view kStatusRemoving = "removing";  // REMOVING_TOKEN
inline constexpr std::string_view kStatusRemoved = "removed";    // REMOVED_TOKEN
inline constexpr std::string_view kStatusHibernate = "hibernate";
inline constexpr std::string_view kStatusShutdown = "shutdown";
// Prefix of the REMOVAL_COORDINATOR value.
inline constexpr std::string_view kRemovalCoordinator = "REMOVER";

// Builders of application-state value strings: Cassandra's VersionedValueFactory minus the
// version stamping (the Gossiper does that). `tokens` are token strings in the
// partitioner's string form; REQUIRES: non-empty where a first token is taken.
class VersionedValueFactory {
 public:
  static std::string Bootstrapping(const std::vector<std::string>& tokens);
  static std::string BootReplacing(const std::string& replaced_endpoint);
  static std::string Normal(const std::vector<std::string>& tokens);
  static std::string Leaving(const std::vector<std::string>& tokens);
  // expire_time_ms: when peers may evict the endpoint, normally
  // Gossiper::ComputeExpireTime() (now + 3 days in Cassandra).
  static std::string Left(const std::vector<std::string>& tokens, int64_t expire_time_ms);
  static std::string Moving(const std::string& token);
  // removenode: written by the coordinator into the dead node's state.
  static std::string RemovingNonlocal(const std::string& host_id);
  static std::string RemovedNonlocal(const std::string& host_id, int64_t expire_time_ms);
  static std::string RemovalCoordinator(const std::string& coordinator_host_id);
  static std::string Hibernate(bool value);
  static std::string Shutdown(bool value);
  // All tokens, comma-separated (the TOKENS state).
  static std::string Tokens(const std::vector<std::string>& tokens);
  // LOAD: bytes of live data on disk, printed in the shortest form that reads back
  // exactly (std::to_chars).
  static std::string Load(double bytes);
  // SCHEMA: the schema version UUID in its text form.
  static std::string Schema(const std::string& schema_version_uuid);
  static std::string Datacenter(const std::string& dc) { return dc; }
  static std::string Rack(const std::string& rack) { return rack; }
  static std::string ReleaseVersion(const std::string& version) { return version; }
  static std::string HostId(const std::string& host_id) { return host_id; }
  static std::string RpcAddress(const std::string& address) { return address; }
  static std::string InternalIp(const std::string& address) { return address; }
  static std::string NetworkVersion(int32_t version) { return std::to_string(version); }
  static std::string RpcReady(bool value) { return value ? "true" : "false"; }
  static std::string Severity(double value);
};

// The pieces of a STATUS value: "LEFT,123,1700000000000" -> status "LEFT",
// args {"123", "1700000000000"}. An empty value gives an empty status.
struct StatusValue {
  std::string status;
  std::vector<std::string> args;
};
StatusValue ParseStatusValue(std::string_view value);

// The expire time carried by a LEFT or removed STATUS value, if it has a valid one.
std::optional<int64_t> ExpireTimeOf(const StatusValue& status);

// The token strings of a TOKENS value (empty value -> empty list).
std::vector<std::string> ParseTokens(std::string_view tokens_value);

// True for the statuses after which a node is never marked alive on gossip alone:
// removing, removed, LEFT, hibernate (Cassandra's Gossiper.DEAD_STATES).
bool IsDeadStatus(std::string_view status);
// Dead statuses plus BOOT and BOOT_REPLACE: a node in one of these does not announce its
// shutdown (Cassandra's SILENT_SHUTDOWN_STATES).
bool IsSilentShutdownStatus(std::string_view status);

}  // namespace cairn::gossip
