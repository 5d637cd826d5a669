// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Consistency levels: the pure logic a coordinator (StorageProxy) applies to decide how
// many replicas a request needs, whether enough are alive, which ones a read contacts,
// in which order, and when a write has been acknowledged enough. It follows Cassandra
// 3.11:
//   * org.apache.cassandra.db.ConsistencyLevel: blockFor, isSufficientLiveNodes,
//     assureSufficientLiveNodes, filterForQuery (with ReadRepairDecision),
//     countLocalEndpoints, validateForRead / validateForWrite / validateForCas /
//     validateForCasCommit / validateCounterForWrite;
//   * service.AbstractWriteResponseHandler, WriteResponseHandler,
//     DatacenterWriteResponseHandler (LOCAL_*), DatacenterSyncWriteResponseHandler
//     (EACH_QUORUM): WriteAckCounter;
//   * locator.DynamicEndpointSnitch, simplified: LatencyTracker and SortByProximity.
//
// Where later Cassandra fixed a 3.11 weakness the fix is taken, and said so:
//   * writes need blockFor + pending endpoints alive (3.11 only checked blockFor; 4.0's
//     blockForWrite / AbstractWriteResponseHandler.assureSufficientLiveNodes use the
//     total), so a write that could never be acknowledged fails fast with Unavailable;
//   * EACH_QUORUM ignores datacenters with replication factor 0 (Cassandra asks a
//     quorum of 0/2+1 = 1 replica of them, which can never answer).
//
// Validation rules (Cassandra 3.0+; EACH_QUORUM reads were allowed by CASSANDRA-9602):
//   reads   ANY -> "ANY ConsistencyLevel is only supported for writes"
//   writes  SERIAL, LOCAL_SERIAL -> "You must use conditional updates for serializable writes"
//   LOCAL_ONE / LOCAL_QUORUM / EACH_QUORUM are accepted with any strategy: with
//   SimpleStrategy, LOCAL_QUORUM and EACH_QUORUM mean QUORUM of the whole RF, and
//   LOCAL_* count only the replicas the snitch puts in the coordinator's datacenter.
//
// Endpoints are address strings ("127.0.0.2"); datacenters come from a ring::Snitch.
// Nothing here does I/O. Free functions are pure and thread-safe; LatencyTracker is
// thread-safe; WriteAckCounter is not (its owner serializes calls).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "ring/replication_strategy.h"
#include "ring/snitch.h"

namespace cairn::node {

struct ReplicaCounts;  // node/schema_store.h

// Same numeric values as Thrift's ConsistencyLevel enum (cassandra.thrift), so a Thrift
// value converts with static_cast (check IsValid first).
enum class ConsistencyLevel : int {
  ONE = 1,
  QUORUM = 2,
  LOCAL_QUORUM = 3,
  EACH_QUORUM = 4,
  ALL = 5,
  ANY = 6,
  TWO = 7,
  THREE = 8,
  SERIAL = 9,
  LOCAL_SERIAL = 10,
  LOCAL_ONE = 11,
};

// "QUORUM", "LOCAL_ONE", ...; "UNKNOWN" for a value outside the enum.
std::string_view ToString(ConsistencyLevel cl);
// The level named `name` (case-insensitive, e.g. "local_quorum"), nullopt if none.
std::optional<ConsistencyLevel> ConsistencyLevelFromString(std::string_view name);
// Whether `cl` is one of the enumerators (a Thrift client may send any i32).
bool IsValid(ConsistencyLevel cl);
// LOCAL_ONE, LOCAL_QUORUM, LOCAL_SERIAL: only replicas in the coordinator's datacenter
// count. (Cassandra 3.11 flags only LOCAL_ONE and LOCAL_QUORUM; LOCAL_SERIAL's commit is
// a LOCAL_QUORUM-style step, and later Cassandra flags it too: LOCAL_SERIAL(9, true).)
bool IsDatacenterLocal(ConsistencyLevel cl);
// SERIAL, LOCAL_SERIAL.
bool IsSerial(ConsistencyLevel cl);

// Where a keyspace's replicas are, as the coordinator sees it.
struct ReplicationLayout {
  int replication_factor = 1;                 // total (sum over DCs for NTS)
  bool network_topology = false;              // NetworkTopologyStrategy
  std::map<std::string, int> dc_replication;  // NTS: dc -> rf (may list rf 0)
  // Full class name, only used in messages.
  std::string strategy_class = "org.apache.cassandra.locator.SimpleStrategy";

  static ReplicationLayout Of(const ring::ReplicationStrategy& strategy);
  // From the schema's counts (CountReplicas): LocalStrategy reads as RF 1.
  static ReplicationLayout Of(const ReplicaCounts& counts);
  // SimpleStrategy (or any non-NTS strategy) with `rf` replicas.
  static ReplicationLayout Simple(int rf);
  // NetworkTopologyStrategy with the given datacenters.
  static ReplicationLayout NetworkTopology(std::map<std::string, int> dcs);

  // NTS: the factor of `dc` (0 if unlisted); otherwise replication_factor.
  int ReplicationFactorIn(std::string_view dc) const;
};

// rf/2 + 1 of the total factor (Cassandra's quorumFor).
int QuorumFor(const ReplicationLayout& layout);
// NTS: rf(dc)/2 + 1 (1 for an unlisted dc, as Cassandra); otherwise QuorumFor.
int LocalQuorumFor(const ReplicationLayout& layout, std::string_view dc);

// Cassandra's blockFor. ANY and ONE/LOCAL_ONE: 1; TWO 2; THREE 3; QUORUM and SERIAL
// rf/2+1; ALL rf; LOCAL_QUORUM and LOCAL_SERIAL: quorum of the local DC's rf (with
// SimpleStrategy: quorum of rf); EACH_QUORUM: sum of the DC quorums (NTS, DCs with rf 0
// skipped), else quorum. Unknown values: rf (as strict as ALL).
int BlockFor(ConsistencyLevel cl, const ReplicationLayout& layout, std::string_view local_dc);

// Acks a write needs: BlockFor plus the pending endpoints that count for `cl` (none for
// ANY, those in local_dc for LOCAL_*, all otherwise). Cassandra's totalBlockFor /
// blockForWrite.
int BlockForWrite(ConsistencyLevel cl, const ReplicationLayout& layout,
                  const std::vector<std::string>& pending, const ring::Snitch& snitch,
                  std::string_view local_dc);

// Whether the snitch puts `endpoint` in `local_dc`; how many of `endpoints` it does.
bool IsLocal(const std::string& endpoint, const ring::Snitch& snitch, std::string_view local_dc);
int CountLocalEndpoints(const std::vector<std::string>& endpoints, const ring::Snitch& snitch,
                        std::string_view local_dc);

// ------------------------------- validation -------------------------------
// InvalidArgument with Cassandra's message, or OK. An out-of-range value gives
// "Invalid consistency level <n>". `layout` is unused by the 3.11 rules for reads and
// writes; it is taken so that stricter rules can be added without changing callers.

// ANY -> "ANY ConsistencyLevel is only supported for writes".
Status ValidateForRead(ConsistencyLevel cl, const ReplicationLayout& layout);
// SERIAL/LOCAL_SERIAL -> "You must use conditional updates for serializable writes".
Status ValidateForWrite(ConsistencyLevel cl, const ReplicationLayout& layout);
// The serial CL of a compare-and-set: "Invalid consistency for conditional update. Must
// be one of SERIAL or LOCAL_SERIAL" for any other.
Status ValidateForCas(ConsistencyLevel cl);
// The commit CL of a compare-and-set: SERIAL/LOCAL_SERIAL are refused, EACH_QUORUM needs
// NetworkTopologyStrategy ("consistency level EACH_QUORUM not compatible with replication
// strategy (org.apache.cassandra.locator.SimpleStrategy)").
Status ValidateForCasCommit(ConsistencyLevel cl, const ReplicationLayout& layout);
// Counter writes: ANY -> "Consistency level ANY is not yet supported for counter table
// <table>"; SERIAL/LOCAL_SERIAL -> "Counter operations are inherently non-serializable".
Status ValidateCounterForWrite(ConsistencyLevel cl, std::string_view table);

// ------------------------------- liveness -------------------------------

// Cassandra's isSufficientLiveNodes (no pending endpoints): whether `live` replicas can
// satisfy `cl`. ANY is always true (a hint on the coordinator will do).
bool IsSufficientLive(ConsistencyLevel cl, const ReplicationLayout& layout,
                      const std::vector<std::string>& live, const ring::Snitch& snitch,
                      std::string_view local_dc);

// assureSufficientLiveNodes. `live` are the live replicas (natural + pending that are up,
// no duplicates); `pending` how many pending endpoints count toward the CL: for LOCAL_*
// pass the number of pending endpoints in local_dc (AssureSufficientLiveForWrite does
// this for you). Reads pass 0. The requirement is BlockFor + pending:
//   ANY          always OK (a hint will do);
//   LOCAL_*      counts only live endpoints in local_dc;
//   EACH_QUORUM  NTS: every DC with rf > 0 needs its quorum (and, with pending > 0, the
//                total must reach BlockFor + pending); else as QUORUM;
//   others       counts every live endpoint.
// Unavailable otherwise, naming CL, required and alive:
//   "Cannot achieve consistency level QUORUM: 2 required but only 1 alive"
//   "Cannot achieve consistency level EACH_QUORUM in DC dc2: 2 required but only 1 alive"
Status AssureSufficientLive(ConsistencyLevel cl, const ReplicationLayout& layout,
                            const std::vector<std::string>& live, int pending,
                            const ring::Snitch& snitch, std::string_view local_dc);

// The same for a write to natural + `pending_endpoints`, counting pending endpoints the
// way WriteAckCounter does (local ones for LOCAL_*, per DC for EACH_QUORUM, all for the
// rest, none for ANY). Call it before sending anything; Unavailable means send nothing.
Status AssureSufficientLiveForWrite(ConsistencyLevel cl, const ReplicationLayout& layout,
                                    const std::vector<std::string>& live,
                                    const std::vector<std::string>& pending_endpoints,
                                    const ring::Snitch& snitch, std::string_view local_dc);

// ------------------------------- proximity -------------------------------

// Per-endpoint latency scores, Cassandra's DynamicEndpointSnitch simplified: an
// exponentially weighted moving average of observed response times (µs). The
// coordinator records the latency of every replica response. Thread-safe (one mutex).
class LatencyTracker {
 public:
  // Weight of a new sample in the average, in (0, 1]. Default 0.25: a replica that turns
  // slow loses its place within a few requests, one outlier does not.
  static constexpr double kDefaultAlpha = 0.25;
  explicit LatencyTracker(double alpha = kDefaultAlpha);

  LatencyTracker(const LatencyTracker&) = delete;
  LatencyTracker& operator=(const LatencyTracker&) = delete;

  // Folds one observed latency into the endpoint's average (the first sample sets it).
  // Negative values count as 0.
  void Record(const std::string& endpoint, int64_t micros);
  // The average latency in µs; 0 when unknown, so that new endpoints get tried.
  double Score(const std::string& endpoint) const;
  // Forgets one endpoint (it left the ring) or every score (Cassandra resets its scores
  // every dynamic_snitch_reset_interval_in_ms so that a recovered replica gets traffic).
  void Forget(const std::string& endpoint);
  void Reset();

 private:
  const double alpha_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, double> scores_;  // GUARDED_BY(mu_)
};

// Sorts endpoints closest first: local_endpoint itself, then endpoints in its datacenter
// and rack, then in its datacenter, then the others; within each group by latency score
// when `latency` is given (lower first), then by name, so the order is deterministic.
// `latency` may be null.
std::vector<std::string> SortByProximity(std::string_view local_endpoint,
                                         std::vector<std::string> endpoints,
                                         const ring::Snitch& snitch, const LatencyTracker* latency);

// ------------------------------- reads -------------------------------

// Which replicas a read contacts beyond what the CL needs (Cassandra's
// ReadRepairDecision, chosen by read_repair_chance / dclocal_read_repair_chance).
enum class ReadRepairDecision { kNone, kGlobal, kDcLocal };

// filterForQuery: from live replicas sorted by proximity, the ones a read contacts; the
// first is the one asked for data, the others for digests.
//   kNone     the first BlockFor of them; for LOCAL_* the local-DC replicas are moved to
//             the front first (stable), so these are the closest local ones; for
//             EACH_QUORUM with NTS the closest quorum of every DC (in proximity order).
//   kGlobal   all of them.
//   kDcLocal  every local-DC replica, then, if fewer than BlockFor, the closest remote ones
//             up to BlockFor (EACH_QUORUM with NTS: every local replica plus the quorum of
//             each other DC).
// Fewer than needed come back when too few are alive (check AssureSufficientLive first).
std::vector<std::string> FilterForQuery(ConsistencyLevel cl, const ReplicationLayout& layout,
                                        const std::vector<std::string>& sorted_live,
                                        const ring::Snitch& snitch, std::string_view local_dc,
                                        ReadRepairDecision read_repair = ReadRepairDecision::kNone);

// ------------------------------- writes -------------------------------

// Write acknowledgement accounting for one write (the AbstractWriteResponseHandler
// family). Constructed with the CL, the layout, the targets (natural + pending) and the
// pending endpoints among them; the coordinator reports each replica's ack.
//   ONE..ALL, QUORUM, SERIAL, EACH_QUORUM without NTS: every target's ack counts;
//       needs BlockFor + all pending (WriteResponseHandler).
//   LOCAL_*: only acks from local_dc count; needs BlockFor + local pending
//       (DatacenterWriteResponseHandler).
//   EACH_QUORUM with NTS: every DC (rf > 0) needs its quorum + its pending; every ack
//       counts toward acknowledged() (DatacenterSyncWriteResponseHandler).
//   ANY: needs 1: any target's ack, or AckHint() when the coordinator stored a hint.
// Acks from endpoints that are not targets, and repeated acks, are ignored.
// If nothing is needed (block_for() == 0, e.g. RF 0), satisfied() is true from the start
// and Ack never returns true.
// The snitch is only used during construction. Not thread-safe: the owner serializes.
class WriteAckCounter {
 public:
  WriteAckCounter(ConsistencyLevel cl, const ReplicationLayout& layout,
                  const std::vector<std::string>& targets, const std::vector<std::string>& pending,
                  const ring::Snitch& snitch, std::string_view local_dc);

  // Records an ack from `endpoint`. True exactly once: on the ack that satisfies the CL.
  bool Ack(const std::string& endpoint);
  // Records that the coordinator stored a hint for a target. Counts (and can satisfy)
  // only for ANY; true exactly once, like Ack.
  bool AckHint();
  // Records that `endpoint` failed (or will not answer). True exactly once: when the CL
  // can no longer be met by the targets that have not failed (Cassandra's onFailure:
  // blockFor + failures > endpoints). Never for ANY (a hint will do).
  bool Fail(const std::string& endpoint);

  bool satisfied() const { return satisfied_; }
  // Whether the CL can no longer be met (Fail returned true).
  bool failed() const { return failed_; }
  // Acks counted so far (what TimedOutException.acknowledged_by reports): for LOCAL_*
  // only local ones, for ANY including hints.
  int acknowledged() const { return acknowledged_; }
  // Total acks needed.
  int block_for() const { return block_for_; }
  ConsistencyLevel consistency_level() const { return cl_; }

 private:
  enum class Mode { kAny, kAll, kLocal, kEachQuorum };
  // Per group (one DC for EACH_QUORUM, one pseudo-group "" otherwise): acks still
  // needed, and targets of the group that have neither acked nor failed.
  struct Group {
    int needed = 0;
    int outstanding = 0;
  };
  // The group `endpoint` counts in, or nullptr when its acks do not count.
  Group* GroupOf(const std::string& endpoint);
  bool AllGroupsMet() const;
  // After a counted ack or hint: sets satisfied_, returns the one-time signal.
  bool CheckSatisfied();

  const ConsistencyLevel cl_;
  Mode mode_ = Mode::kAll;
  int block_for_ = 0;
  int acknowledged_ = 0;
  bool satisfied_ = false;
  bool failed_ = false;
  std::string local_dc_;                          // kLocal only
  std::map<std::string, std::string> target_dc_;  // every target -> its datacenter
  std::set<std::string> answered_;                // acked or failed
  std::map<std::string, Group> groups_;           // by DC (kEachQuorum) or "" (others)
};

}  // namespace cairn::node
