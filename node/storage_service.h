// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// StorageService: the membership glue of a node (Cassandra's StorageService +
// MigrationManager, cluster part). It owns the node's MessagingService, Gossiper,
// ring (SharedTokenMetadata) and snitch, and joins them:
//
//   - GossipTransport over MessagingService: gossip:: messages are copied field by field
//     into the internode.thrift structs (GOSSIP_DIGEST_SYN/ACK/ACK2 and GOSSIP_SHUTDOWN
//     one-way, ECHO as a request whose response is the EchoReply). Inbound gossip is
//     posted to the gossip thread, which alone touches the Gossiper; a timer there calls
//     Tick() every gossip_interval_ms.
//   - Subscriber: STATUS NORMAL with TOKENS (and HOST_ID) puts the endpoint in the ring,
//     LEFT/removed and OnRemove take it out; DC/RACK feed the PropertySnitch (with
//     GossipingPropertyFileSnitch); OnAlive/OnDead maintain the live set (IsAlive); a
//     SCHEMA different from ours on a live peer triggers a SCHEMA_PULL from that peer,
//     whose schema mutations Database::MergeSchemaMutations merges (so a keyspace
//     created on one node reaches all, and a node that was down catches up).
//   - Startup (Start): the gossip generation is NextGeneration(saved), saved in
//     system.local before gossip announces it; then gossip starts with TOKENS, HOST_ID,
//     DC, RACK, SCHEMA, RELEASE_VERSION, RPC_ADDRESS, LOAD (again every
//     load_broadcast_interval_ms) and STATUS=NORMAL. A node that has no
//     tokens yet (a new node, Database opened with defer_new_tokens) first gossips without
//     STATUS for ring_delay_ms to learn the ring from the seeds, then allocates tokens
//     with ring/token_allocator against that ring, saves them and announces NORMAL (a
//     node that is not a seed waits on until it knows at least one member). A node
//     whose only seed is itself does not wait. A new node that is not its own seed
//     bootstraps (auto_bootstrap) instead of turning NORMAL at once: see "Range
//     movements" below.
//   - Saved peers (Cassandra's system.peers, Database::SavePeer): a peer that gossip
//     shows NORMAL (or shut down) with TOKENS is saved with its HOST_ID, DC, RACK,
//     RPC_ADDRESS, RELEASE_VERSION and SCHEMA whenever one of these changes (never on a
//     mere heartbeat); a peer that is LEFT, removed or removing is deleted. Start puts
//     the saved peers in the ring (tokens, host ids), the snitch (dc/rack) and gossip
//     (Gossiper::AddSavedEndpoint: generation 0, down) before gossip starts, so the ring
//     is right from the first request: without them a restarted node would own every
//     key alone until gossip taught it the others, and acknowledge writes at ONE that
//     no replica holds. They are not alive (IsAlive false, DowntimeMs counted from
//     Start) until gossip marks them up; what gossip says later wins (new tokens
//     replace the saved ones, LEFT removes them). A peer removed from the cluster while
//     this node was down for longer than the others keep its LEFT state (3 days) stays
//     in this node's ring, down, as in Cassandra.
//   - Settling (WaitToSettle, Cassandra's Gossiper.waitToSettle): cairnd waits until
//     the numbers of known and of live endpoints stop changing, bounded, before it
//     serves Thrift, so the coordinator starts with gossip's view of who is up.
//   - Stop: Gossiper::Stop (STATUS shutdown + GOSSIP_SHUTDOWN to live peers), a short
//     pause for those messages to leave, then the messaging service stops.
//
//   - Range movements (Cassandra's StorageService.bootstrap/decommission/removeNode,
//     node/range_movement.h for which ranges move, node/streaming.h for how):
//       Bootstrap: the new node waits for the cluster's schema; with no user keyspace
//       there is nothing to stream and it joins at once; otherwise it checks that no
//       other node is joining or leaving (refused otherwise), allocates and saves its tokens with bootstrap_state
//       IN_PROGRESS, announces TOKENS and STATUS BOOT, waits ring_delay_ms (every
//       coordinator now also writes to it as a pending replica), waits for the
//       schema, then pulls every range it will replicate from a live current replica
//       (the one losing the range first), one SSTable per (table, source); each range
//       pulled is saved in system.local (bootstrap_ranges) so a restarted bootstrap
//       does not pull it again. Failed pulls are retried every stream_retry_ms. Then
//       bootstrap_state COMPLETED and STATUS NORMAL. cairnd serves Thrift only after
//       (WaitForJoin), as Cassandra does.
//       Peers: STATUS BOOT puts the tokens in TokenMetadata's bootstrap map, LEAVING
//       and removing mark the endpoint leaving; after every such change pending ranges
//       are recomputed for every keyspace (and on schema changes).
//       Decommission: LEAVING, ring_delay_ms, then each endpoint that gains a range is
//       asked (STREAM_REQUEST) to pull it from this node; hints go to the closest live
//       node (HINT_TRANSFER); then LEFT, bootstrap_state DECOMMISSIONED (a restart is
//       refused), two gossip rounds for LEFT to spread, and on_decommissioned.
//       Removenode: removing,<host id> via gossip (the dead node's ranges become
//       pending on their new owners), each new owner pulls from a live surviving
//       replica, then removed,<host id>.
//
// Threading (node/THREADING.md, "Membership"): one gossip thread runs an io_context that
// owns the Gossiper and this class's subscriber state; messaging's handler pool posts to
// it. The accessors (ClusterView) read immutable snapshots or mutex-guarded sets and may
// be called from any thread. Schema merges run on the messaging handler pool (they do
// disk I/O), one at a time. system.peers writes run on the gossip thread: one commit log
// append each (an fdatasync in batch mode), only when a peer joins or changes, which is
// rare enough not to delay gossip rounds.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/clock.h"
#include "common/status.h"
#include "gossip/gossiper.h"
#include "node/cluster_view.h"
#include "node/database.h"
#include "node/net/messaging_service.h"
#include "node/streaming.h"
#include "ring/snitch.h"
#include "ring/token_metadata.h"

namespace cairn::node {

struct StorageServiceOptions {
  // Internode address and port (listen_address, storage_port). Peers are named by
  // their address alone when they use the same storage_port, "addr:port" otherwise.
  // Defaults: 127.0.0.1, 7000.
  std::string listen_address = "127.0.0.1";
  int storage_port = 7000;
  // Seed addresses ("addr" or "addr:port"). Empty means this node alone. Default: empty.
  std::vector<std::string> seeds;
  // Must match the peers' (SYNs from another cluster are ignored). Default: Test Cluster.
  std::string cluster_name = "Test Cluster";
  // Failure detector threshold (phi_convict_threshold). Default: 8.
  double phi_convict_threshold = 8.0;
  // How long a new node gossips to learn the ring before it picks tokens, ms.
  // Default: 30000 (Cassandra's RING_DELAY).
  int64_t ring_delay_ms = 30'000;
  // Gossip round period, ms. Default: 1000.
  int64_t gossip_interval_ms = 1000;
  // GossipingPropertyFileSnitch (dc/rack from gossip) when true, else SimpleSnitch.
  bool gossiping_snitch = false;
  // This node's datacenter and rack (gossiped as DC and RACK). Defaults: datacenter1/rack1.
  std::string dc = "datacenter1";
  std::string rack = "rack1";
  // Gossiped as RPC_ADDRESS (describe_ring's rpc_endpoints). Default: 127.0.0.1.
  std::string rpc_address = "127.0.0.1";
  // Tokens a new node allocates (num_tokens). Default: 16.
  int num_tokens = 16;
  // Gossiped as RELEASE_VERSION. Default: "3.11.0" (the Cassandra release Cairn mimics).
  std::string release_version = "3.11.0";
  // How long Stop waits after announcing the shutdown before closing connections, ms.
  // Default: 200 (Cassandra sleeps 2 s; the messages leave in well under that).
  int64_t shutdown_announce_ms = 200;
  // How often this node gossips its LOAD (bytes of live SSTables), ms; also gossiped at
  // startup. Default: 60000 (Cassandra's LoadBroadcaster.BROADCAST_INTERVAL).
  int64_t load_broadcast_interval_ms = 60'000;
  // WaitToSettle: waits at least settle_min_rounds gossip rounds, then polls once a
  // round until the numbers of known and of live endpoints have not changed for
  // settle_stable_polls polls in a row, for at most settle_max_wait_ms in all (0: do
  // not wait). Defaults: 2 rounds, 3 polls, 10000 ms (Cassandra: 5 s, then 3 polls of
  // 1 s, unbounded).
  int settle_min_rounds = 2;
  int settle_stable_polls = 3;
  int64_t settle_max_wait_ms = 10'000;
  // Whether a new node that is not its own seed streams its ranges before it turns
  // NORMAL (auto_bootstrap). Default: true.
  bool auto_bootstrap = true;
  // Streaming (stream_throughput_outbound_megabits_per_sec and section sizes).
  StreamOptions stream;
  // How long a range movement waits before retrying failed pulls, ms. Default: 2000.
  int64_t stream_retry_ms = 2000;
  // Threads of the messaging service. Defaults: 1 (cairnd: internode_network_threads)
  // and 2.
  int network_threads = 1;
  int handler_threads = 2;
};

class StorageService final : public ClusterView, private gossip::EndpointStateChangeSubscriber {
 public:
  // `db` must outlive the service.
  StorageService(StorageServiceOptions options, Database* db,
                 const Clock* clock = Clock::Real());
  ~StorageService() override;
  StorageService(const StorageService&) = delete;
  StorageService& operator=(const StorageService&) = delete;

  // Binds listen_address:storage_port (IOError when it cannot), saves the new gossip
  // generation, puts this node's tokens in the ring and starts gossip (see the file
  // comment for a node without tokens). REQUIRES: called once.
  Status Start();
  // Announces the shutdown and stops gossip and messaging. Idempotent.
  void Stop();
  // Blocks until gossip has settled (see settle_* in the options) and returns how long
  // it waited, ms; logs it. Returns at once when this node is its only seed and has no
  // saved peer (a new cluster: nothing to learn), or settle_max_wait_ms is 0.
  // REQUIRES: Start() returned OK; not called on the gossip thread.
  int64_t WaitToSettle();

  // True once this node has tokens and announced STATUS NORMAL.
  bool joined() const { return joined_.load(); }
  // Blocks until this node is NORMAL (at once for a member; after bootstrap for a new
  // node). Returns the error that ended a bootstrap instead (refused because another
  // node is joining or leaving; Aborted when Stop() ran).
  Status WaitForJoin();
  // The same without blocking: nullopt while the node is still joining.
  std::optional<Status> join_result() const;
  // Cassandra's operation mode: STARTING, JOINING, NORMAL, LEAVING, DECOMMISSIONED.
  std::string OperationMode() const;

  // What a running or finished range movement has done (netstats).
  struct MovementProgress {
    std::string operation;  // "bootstrap", "decommission", "removenode"; "" if none yet
    std::string state;      // "running", "done", "failed"
    uint64_t ranges_total = 0;  // (table, range) pairs to move
    uint64_t ranges_done = 0;
    uint64_t bytes = 0;         // bytes streamed for it so far
    std::string error;          // the last failure (retried while running)
  };
  MovementProgress movement() const;

  // nodetool decommission: streams this node's ranges to their new owners and its hints
  // to another node, announces LEFT and calls on_decommissioned. Blocks until then.
  // InvalidArgument when it cannot start (not a member, another movement in progress,
  // too few nodes left for a keyspace's replication factor); IOError if streaming
  // kept failing (the node is NORMAL again).
  Status Decommission();
  // nodetool removenode: re-replicates the ranges of the dead node with `host_id` from
  // the surviving replicas and removes it from the ring. Blocks until done.
  // InvalidArgument with Cassandra's messages for an unknown host id, this node, or a
  // node that is alive.
  Status RemoveNode(const std::string& host_id);
  // The ranges this node replicates for `keyspace` now (what nodetool cleanup keeps).
  // NotFound for a keyspace the ring does not place (unknown, system, LocalStrategy);
  // InvalidArgument when the node is joining or leaving or a range is moving to it
  // (cleanup is refused then, as in Cassandra).
  Result<std::vector<ring::Range>> RangesForCleanup(const std::string& keyspace) const;

  // nodetool repair (Cassandra's anti-entropy repair, node/repair.h): for every range
  // this node replicates in `keyspace` (only its primary ranges with primary_range,
  // nodetool repair -pr), and every table (or those named), each replica hashes its
  // data into Merkle tree leaves (VALIDATION), this node compares the trees and streams
  // only the differing leaves: it pulls them from each replica that differs, then every
  // replica of such a range pulls them from this node, so all end with the union.
  // InvalidArgument for an unknown keyspace or table or a replica that is down
  // (Cassandra: "Cannot proceed on repair because a neighbor (...) is dead"); another
  // range movement or repair running on this node. Blocks until done.
  struct RepairSummary {
    uint64_t ranges = 0;         // (table, range) pairs compared with one replica each
    uint64_t out_of_sync = 0;    // leaf ranges found different (per replica)
    uint64_t bytes = 0;          // streamed both ways
    uint64_t partitions = 0;     // hashed on this node
    std::set<std::string> replicas;  // the other endpoints involved
  };
  Result<RepairSummary> Repair(const std::string& keyspace, const std::vector<std::string>& tables,
                               bool primary_range);

  StreamService& streams() { return *streams_; }
  // Hooks, set before Start: hands the hints of a decommissioning node to `to`
  // (StorageProxy::TransferHints); called once the node has LEFT (cairnd stops).
  void SetHintTransfer(std::function<Result<uint64_t>(const std::string& to)> fn) {
    hint_transfer_ = std::move(fn);
  }
  void SetOnDecommissioned(std::function<void()> fn) { on_decommissioned_ = std::move(fn); }
  // The live peers (not this node), sorted.
  std::set<std::string> LiveEndpoints() const;
  // Gossip's view, for status dumps and tests (nullptr before Start).
  std::shared_ptr<const gossip::GossipSnapshot> gossip_snapshot() const;
  // The node's messaging service: built by the constructor, started by Start(), so
  // other components may RegisterHandler their verbs in between.
  net::MessagingService& messaging() { return *messaging_; }

  // ---- ClusterView ----
  std::string local_endpoint() const override { return local_endpoint_; }
  std::shared_ptr<const ring::TokenMetadata> token_metadata() const override {
    return token_metadata_.Get();
  }
  std::shared_ptr<const ring::Snitch> snitch() const override { return snitch_; }
  std::string RpcAddress(const std::string& endpoint) const override;
  bool IsAlive(const std::string& endpoint) const override;
  int64_t DowntimeMs(const std::string& endpoint) const override;
  std::map<std::string, std::vector<std::string>> SchemaVersions() const override;

 private:
  class Transport;

  // ---- EndpointStateChangeSubscriber (gossip thread) ----
  void OnJoin(const std::string& endpoint, const gossip::EndpointState& state) override;
  void OnChange(const std::string& endpoint, gossip::ApplicationState state,
                const gossip::VersionedValue& value) override;
  void OnAlive(const std::string& endpoint, const gossip::EndpointState& state) override;
  void OnDead(const std::string& endpoint, const gossip::EndpointState& state) override;
  void OnRestart(const std::string& endpoint, const gossip::EndpointState& old_state) override;
  void OnRemove(const std::string& endpoint) override;

  // Re-derives the endpoint's ring membership and location from its whole state, and
  // saves it in system.peers when it is a member.
  void UpdateEndpoint(const std::string& endpoint, const gossip::EndpointState& state);
  // Takes the endpoint out of the ring, the snitch and system.peers.
  void RemoveFromRing(const std::string& endpoint);
  // Saves a ring member's state in system.peers (Database::SavePeer writes only what
  // changed). `tokens` are its ring tokens.
  void SavePeer(const std::string& endpoint, const gossip::EndpointState& state,
                const std::vector<Token>& tokens);
  // Start, before gossip starts: the saved peers into the ring, the snitch and gossip.
  void LoadSavedPeers();
  // Pulls the schema from `endpoint` if its SCHEMA differs from ours (gossip thread).
  void MaybePullSchema(const std::string& endpoint, const gossip::EndpointState& state);
  void HandleSchemaPullResponse(const std::string& endpoint, Result<net::Message> response);

  // Gossip-thread helpers.
  void ScheduleTick();
  void OnTick();
  // Allocates tokens against the learned ring, saves them and announces NORMAL.
  void JoinRing();
  void AnnounceSchemaIfChanged();
  void Post(std::function<void()> fn);

  // ---- Range movements ----
  // The user keyspaces whose data is placed by the ring (not system, not LocalStrategy).
  std::vector<KeyspaceSchema> RingKeyspaces() const;
  Result<std::shared_ptr<const ring::ReplicationStrategy>> StrategyFor(
      const KeyspaceSchema& ks) const;
  // Recomputes every keyspace's pending ranges in `tm` (inside a Mutate).
  void RecalculatePendingRanges(ring::TokenMetadata* tm) const;
  // Gossip thread: the join time has come for a node without tokens.
  void StartBootstrapOrJoin();
  // Bootstrap thread: waits for the schema; joins at once when no keyspace has data to
  // stream; else refuses if another node is joining or leaving, allocates and saves the
  // tokens, and runs RunBootstrap.
  void PrepareBootstrap();
  // Bootstrap thread: BOOT, ring delay, schema, streaming, NORMAL.
  void RunBootstrap(std::vector<Token> tokens, bool resumed);
  // Bootstrap thread: runs JoinRing on the gossip thread and waits for it (or for Stop).
  void JoinRingAndWait();
  // Marks `endpoint` leaving in the ring and recomputes the pending ranges.
  void MarkLeaving(const std::string& endpoint);
  // Endpoints that are joining or leaving other than this node ("" if none).
  std::string OtherMovement(const ring::TokenMetadata& tm) const;
  // Sleeps `ms` unless Stop() runs first (then false).
  bool SleepUnlessStopped(int64_t ms);
  // Waits until every live ring member gossips our schema version (or Stop).
  bool WaitForSchemaAgreement();
  // Announces local application states on the gossip thread and waits for it.
  void AnnounceAndWait(std::vector<std::pair<gossip::ApplicationState, std::string>> states);
  void FinishJoin(Status st);
  void SetMovement(const std::function<void(MovementProgress&)>& fn);
  // Asks `gainer` to pull `fetches` (or pulls them here when it is this node).
  Status RequestFetches(const std::string& gainer, const std::string& session,
                        const std::string& reason, const std::vector<net::internode::StreamFetch>& fetches);
  Status RunFetches(const std::string& session, const std::vector<net::internode::StreamFetch>& fetches,
                    uint64_t* bytes);
  // Decommission, removenode and repair run one at a time, and only on a ring member:
  // takes movement_op_mu_, for the caller to hold until it returns. InvalidArgument(busy)
  // when another one runs; InvalidArgument when this node is not a member or is stopping.
  Result<std::unique_lock<std::mutex>> LockMovement(const std::string& busy);
  // What one gainer pulls in a decommission or removenode:
  // (source, table id) -> (keyspace, ranges).
  using GainerPlan =
      std::map<std::pair<std::string, TableId>, std::pair<std::string, std::vector<ring::Range>>>;
  // Decommission and removenode: asks `gainer` to pull all of `plan` in one STREAM_REQUEST
  // (`session`, `reason`), logging "<reason>: asking <gainer> to pull <n> (table, range)
  // pairs <what>". Once it has, each (gainer, table, range) goes into `done` and the pairs
  // count in movement().ranges_done. A failure is returned (and left to the caller to log).
  Status StreamToGainer(const std::string& gainer, const GainerPlan& plan,
                        const std::string& session, const std::string& reason,
                        const std::string& what, std::set<std::string>* done);
  void HandleStreamRequest(net::Message msg);
  void HandleValidation(net::Message msg);

  // Name <-> endpoint.
  std::string NameOf(const net::Endpoint& endpoint) const;
  Result<net::Endpoint> EndpointOf(const std::string& name) const;

  // Inbound verb handlers (messaging handler pool).
  void HandleGossip(net::Message msg);
  void HandleEcho(net::Message msg);
  void HandleSchemaPull(net::Message msg);

  const StorageServiceOptions options_;
  Database* const db_;
  const Clock* const clock_;
  std::string local_endpoint_;

  std::unique_ptr<net::MessagingService> messaging_;
  Status listen_error_;  // a bad listen_address, reported by Start()
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<gossip::Gossiper> gossiper_;  // gossip thread only
  ring::SharedTokenMetadata token_metadata_;
  std::shared_ptr<ring::PropertySnitch> property_snitch_;  // null with SimpleSnitch
  std::shared_ptr<const ring::Snitch> snitch_;

  boost::asio::io_context gossip_io_;
  std::optional<boost::asio::steady_timer> tick_timer_;
  std::thread gossip_thread_;
  std::atomic<bool> running_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<bool> joined_{false};
  // Set by Start (before the gossip thread): WaitToSettle has something to learn.
  bool settle_needed_ = false;

  // Gossip thread only.
  std::string announced_schema_;
  int64_t join_at_micros_ = 0;  // when a node without tokens allocates them (0: joined)
  int64_t load_announced_at_micros_ = 0;  // last LOAD gossiped
  bool self_seed_ = false;      // this node is in its own seed list
  std::map<std::string, int64_t> schema_pull_at_;  // endpoint -> last pull (monotonic ns)

  mutable std::mutex live_mu_;
  std::set<std::string> live_;  // GUARDED_BY(live_mu_)
  // When gossip last saw each peer go down (monotonic ns), until it is up again.
  std::map<std::string, int64_t> down_since_;  // GUARDED_BY(live_mu_)
  std::mutex merge_mu_;         // one schema merge at a time

  std::unique_ptr<StreamService> streams_;
  std::function<Result<uint64_t>(const std::string&)> hint_transfer_;
  std::function<void()> on_decommissioned_;
  std::atomic<bool> bootstrap_started_{false};  // gossip thread sets it
  std::thread bootstrap_thread_;
  std::mutex movement_op_mu_;  // one decommission/removenode at a time

  mutable std::mutex op_mu_;
  std::condition_variable op_cv_;  // join finished, stop
  bool join_finished_ = false;     // GUARDED_BY(op_mu_)
  Status join_status_;             // GUARDED_BY(op_mu_)
  std::string mode_ = "STARTING";  // GUARDED_BY(op_mu_)
  MovementProgress movement_;      // GUARDED_BY(op_mu_)
  // STREAM_REQUEST pulls, each on its own thread; finished ones are joined when the next
  // request arrives (and all at Stop), so repeated repairs do not pile up threads.
  struct StreamWorker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<StreamWorker> stream_workers_;  // GUARDED_BY(op_mu_)
};

}  // namespace cairn::node
