// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// StorageProxy: the coordinator (Cassandra's StorageProxy). Any node accepts any
// request; the proxy sends it to the replicas the ring and the keyspace's replication
// strategy choose, and answers when the consistency level is met. It also serves the
// replica side of the same verbs (internode.thrift: MUTATION, READ, READ_REPAIR,
// RANGE_SLICE, HINT, BATCH_STORE, BATCH_REMOVE, TRUNCATE).
//
// Writes (Mutate): every natural and pending replica of each mutation's token gets it.
//   Before anything is sent the live replicas are counted (node/consistency.h,
//   AssureSufficientLive): too few -> Unavailable. The local replica applies in the
//   caller's thread; remote ones get MUTATION with write_request_timeout_ms. The call
//   returns once the acks satisfy the CL (WriteAckCounter), TimedOut (with
//   acknowledged_by) at the deadline, or the replica's error as soon as the CL can no
//   longer be met. A replica that is down, answers with a failure or does not answer in
//   time gets a hint (below); with ANY a stored hint counts as an ack.
//   MutateAsync does the same without holding the caller: each mutation's WriteCall
//   runs its on_done when its CL is met or can no longer be met (every remote answer,
//   timeout included, arrives through messaging's callback), and the last one answers
//   the caller's WriteDone with what Mutate would have returned.
//
// Hinted handoff: hints live in <data>/hints (node/hints/FORMAT.md), keyed by the
//   target's host id, stored durably before they count. No hint is stored for a replica
//   down longer than max_hint_window_ms. A delivery thread checks every
//   hint_delivery_interval_ms: for each host with hints that gossip says is up it sends
//   them (HINT verb, one at a time, throttled to hinted_handoff_throttle_kb per second),
//   logging progress; hints for a host id no longer in the ring are dropped (once the
//   node has been up two minutes: a node that just started may not know the ring yet).
//
// Reads (Read): per key the live replicas sorted by proximity (this node first, then
//   its DC, then measured latency); FilterForQuery picks as many as the CL needs. The
//   first gets a data READ, the others digest READs. Digests: XXH3-128 of the encoded
//   partition (PartitionUpdate::EncodeTo), or of nothing when the replica has no or an
//   empty partition. All digests equal the data's -> that is the answer. Otherwise
//   every contacted replica is asked for data, the versions are merged (Cassandra's
//   reconciliation), each replica that lacks something gets a READ_REPAIR mutation with
//   exactly what it lacks, and the read answers once those repairs are acknowledged
//   (blocking read repair; TimedOut otherwise). With probability read_repair_chance (all
//   live replicas) or dclocal_read_repair_chance (live replicas of this DC) the other
//   replicas are read too, after the answer, and repaired in the background.
//
// Range scans (ScanRange): the bounds are cut at the ring's tokens and walked in ring
//   order; consecutive ranges that would contact the same replicas are merged into one
//   RANGE_SLICE request. Each contacted replica (as many as the CL needs) returns up to
//   page_rows partitions; the answers are merged by key and cut at the smallest last
//   key of a replica that returned a full page (a replica's missing rows beyond it are
//   unknown), replicas missing data are repaired (blocking), and the walk goes on after
//   the cut until the visitor stops or the bounds end.
//
// Batch log (MutateAtomically): the batch is stored (BATCH_STORE) on up to two other
//   live nodes, preferring other racks, and waits for them (TimedOut with
//   batchlog_written = false otherwise; with fewer than two other live nodes: one, or
//   the local batch log alone for a single node); then it is applied as by Mutate at
//   the CL, then BATCH_REMOVE tells the holders to forget it. Each node replays the
//   batches it holds that are older than batchlog_replay_timeout_ms (their coordinator
//   died or lost contact) at ONE-like best effort (every replica, hinting the down
//   ones), then forgets them.
//
// Compare-and-set (Cas; Cassandra's StorageProxy.cas, Paxos per partition; the acceptor
//   side is node/paxos_state.h). Participants: the partition's natural and pending
//   replicas (LOCAL_SERIAL: those of this DC); a Paxos quorum is natural/2 + 1 + pending
//   (Unavailable when fewer are up, or with more than one pending replica). Each round:
//   1. prepare: a new ballot, newer than any this node made or saw (µs clock, +1), is
//      sent to every live participant (PAXOS_PREPARE); a quorum of promises is needed —
//      one refusal ends the round early (retry above the ballot the refuser promised).
//      A promised ballot whose µs is not above the latest commit's or accepted
//      proposal's is retried at once one µs later (cells carry the ballot's µs, so
//      equal µs from two nodes must never happen between successive values).
//   2. repair: a proposal accepted by some replica and newer than the latest commit is
//      finished first (re-proposed with our ballot, committed at QUORUM / LOCAL_QUORUM),
//      and replicas that promised but miss the latest commit get it (PAXOS_COMMIT,
//      waited for); then the round restarts.
//   3. read the expected cells at QUORUM / LOCAL_QUORUM and check the condition; a
//      mismatch answers CasResult{false, current} (nothing proposed).
//   4. propose (PAXOS_PROPOSE) the update with every timestamp set to the ballot's µs
//      (tombstones µs-1): a quorum of accepts -> 5. commit (PAXOS_COMMIT to every
//      natural and pending replica, hints for the down ones) waited for at commit_cl
//      (ANY: not waited for) -> success. Some accepts but no quorum -> TimedOut (the
//      proposal may still win later); none -> contention.
//   Contention (refused prepare or proposal, in-progress repair) sleeps a random 0-100 ms
//   and retries until cas_contention_timeout_ms, then TimedOut. Reads at SERIAL /
//   LOCAL_SERIAL run steps 1-2 and then read at QUORUM / LOCAL_QUORUM, so they see every
//   committed cas and finish in-progress ones.
//
// Truncate: TRUNCATE to every ring member with one new table id; Unavailable when any
//   member is down ("Cannot perform truncate operation: some hosts are down").
//
// Without a MessagingService (a standalone node) every replica is this node.
//
// Threading: public methods run on the caller's thread (a Thrift worker) and block until
// the answer; replica answers arrive on messaging's handler pool, which only records
// them (and stores hints). Verb handlers run on that pool too. One background thread
// delivers hints and replays the batch log.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "common/clock.h"
#include "node/cluster_view.h"
#include "node/consistency.h"
#include "node/coordinator.h"
#include "node/database.h"
#include "node/hints/batchlog_store.h"
#include "node/hints/hint_store.h"
#include "node/net/messaging_service.h"
#include "node/paxos_state.h"
#include "ring/replication_strategy.h"

namespace cairn::node {

struct StorageProxyOptions {
  // Timeouts of the coordinator, ms (cassandra.yaml's). Defaults: 2000, 5000, 10000,
  // 60000.
  int write_request_timeout_ms = 2000;
  int read_request_timeout_ms = 5000;
  int range_request_timeout_ms = 10000;
  int truncate_request_timeout_ms = 60000;
  // Hints (hinted_handoff_enabled, max_hint_window_in_ms). Defaults: true, 3 h.
  bool hinted_handoff_enabled = true;
  int64_t max_hint_window_ms = 3 * 3600 * 1000;
  // Where hints and the batch log live. Default: empty = no hints or batch log
  // (in-process tests); cairnd passes <data>/hints and <data>/batchlog.
  std::string hints_directory;
  std::string batchlog_directory;
  // Hint delivery: how often the delivery thread looks for hosts to deliver to, and the
  // bandwidth cap of delivery (hinted_handoff_throttle_in_kb, per second). Defaults:
  // 2000 ms, 1024 KiB/s.
  int hint_delivery_interval_ms = 2000;
  int hinted_handoff_throttle_kb = 1024;
  // How long a compare-and-set (or SERIAL read) keeps retrying Paxos rounds under
  // contention (cas_contention_timeout_in_ms). Default: 1000.
  int cas_contention_timeout_ms = 1000;
  // Batches held longer than this are replayed. Default: 2 x write timeout + 1 s
  // (Cassandra: 2 x write_request_timeout).
  int batchlog_replay_timeout_ms = 5000;
  // fdatasync hints and batches before they count (tests may turn it off). Default: true.
  bool sync_hints = true;
  // Writes to replicas of this node's datacenter still out after their write answered
  // its client (the CL was met) beyond which further answers of MutateAsync wait
  // (storage_proxy_calls.h, BackgroundWrites; cairnd: max_background_writes).
  // Default: 1024.
  size_t max_background_writes = 1024;
};

// Counters since start, for logs, tests and (later) the admin port.
struct StorageProxyStats {
  uint64_t writes = 0, reads = 0, range_pages = 0;
  uint64_t write_timeouts = 0, read_timeouts = 0, unavailables = 0;
  uint64_t hints_stored = 0, hints_delivered = 0, hints_dropped = 0;
  // Why the stored hints were written (with the hints a decommissioning node handed
  // over, HINT_TRANSFER, they add up to hints_stored): the replica was
  // down when the write started; it did not answer within write_request_timeout_ms; it
  // answered with a failure (OVERLOADED, HANDLER_ERROR, INVALID); this node's messaging
  // refused the request (typically its outbound queue to the replica was full), so it
  // was never sent. A hint for a live replica also logs a rate-limited WARN with why.
  uint64_t hints_replica_down = 0, hints_replica_timed_out = 0, hints_replica_failed = 0,
           hints_send_refused = 0;
  uint64_t digest_mismatches = 0, read_repairs_sent = 0, background_repairs_sent = 0;
  uint64_t batches_stored = 0, batches_replayed = 0;
  // Compare-and-set: calls, conditions not met, contended rounds (retried), timeouts,
  // in-progress rounds finished by a later prepare.
  uint64_t cas = 0, cas_condition_failures = 0, cas_contentions = 0, cas_timeouts = 0,
           paxos_repairs = 0;
  // Replica writes in the background now (a gauge), and the answers that waited for
  // them to fall under max_background_writes.
  uint64_t background_writes = 0, background_write_throttled = 0;
};

class StorageProxy final : public Coordinator {
 public:
  // `db` and `cluster` must outlive the proxy; `messaging` (nullptr for a standalone
  // node) too. Verb handlers are registered here, so the proxy must be built before
  // messaging->Start().
  StorageProxy(StorageProxyOptions options, Database* db, const ClusterView* cluster,
               net::MessagingService* messaging, const Clock* clock = Clock::Real());
  ~StorageProxy() override;
  StorageProxy(const StorageProxy&) = delete;
  StorageProxy& operator=(const StorageProxy&) = delete;

  // Opens the hint store and batch log and starts the delivery thread.
  Status Start();
  // Stops the delivery thread. Idempotent.
  void Stop();

  // ---- Coordinator ----
  Status Mutate(const KeyspaceSchema& keyspace, std::vector<Mutation> mutations,
                ConsistencyLevel cl, WriteOutcome* outcome) override;
  void MutateAsync(const KeyspaceSchema& keyspace, std::vector<Mutation> mutations,
                   ConsistencyLevel cl, WriteDone done) override;
  Status MutateCounter(const KeyspaceSchema& keyspace, CounterMutation mutation,
                       ConsistencyLevel cl, WriteOutcome* outcome) override;
  Status MutateAtomically(const KeyspaceSchema& keyspace, std::vector<Mutation> mutations,
                          ConsistencyLevel cl, WriteOutcome* outcome) override;
  Result<std::vector<std::optional<PartitionUpdate>>> Read(const TableRef& table,
                                                           const std::vector<std::string>& keys,
                                                           const CellFilter& filter,
                                                           ConsistencyLevel cl) override;
  void ReadAsync(const TableRef& table, std::vector<std::string> keys, CellFilter filter,
                 ConsistencyLevel cl, ReadDone done) override;
  Status ScanRange(const TableRef& table, const std::vector<KeyBounds>& bounds,
                   const CellFilter& filter, int32_t page_rows, ConsistencyLevel cl,
                   const RangeVisitor& visit) override;
  Status Truncate(const std::string& keyspace, const std::string& table) override;
  Result<CasResult> Cas(const TableRef& table, CasRequest request, ConsistencyLevel serial_cl,
                        ConsistencyLevel commit_cl) override;

  StorageProxyStats stats() const;
  // Undelivered hints (all hosts); 0 without a hint store.
  uint64_t pending_hints() const;
  // Runs one round of hint delivery and batch log replay now (tests).
  void RunBackgroundRoundForTest();
  // Decommission (node/storage_service.h): hands every stored hint to the node `to`
  // (HINT_TRANSFER), which stores them as its own; a hint leaves this node's store only
  // once `to` has stored it. Returns how many moved.
  Result<uint64_t> TransferHints(const std::string& to);

 private:
  struct WriteCall;
  class BackgroundWrites;
  struct ReadCall;
  struct Replicas;
  class Counters;
  struct PaxosParticipants;
  struct PrepareCall;
  struct ProposeCall;

  // The keyspace's strategy, built once per (strategy class, options).
  Result<std::shared_ptr<const ring::ReplicationStrategy>> StrategyFor(
      const KeyspaceSchema& keyspace);
  Result<Replicas> ReplicasFor(const KeyspaceSchema& keyspace, const Token& token,
                               bool for_write);

  // A WriteCall for one mutation to `r.targets`, acks counted for `cl`.
  std::shared_ptr<WriteCall> NewWriteCall(ConsistencyLevel cl, const Replicas& r,
                                          const ring::Snitch& snitch, const std::string& local_dc);
  // Sends one mutation to its targets and registers its acks in `call`.
  void StartWrite(const std::shared_ptr<WriteCall>& call, const std::vector<std::string>& targets,
                  Mutation mutation);
  // Sends `request` as `verb` to every target (this node: `apply_locally`, last, which
  // calls the LocalWriteDone it is given exactly once, now or later) and registers the
  // answers in `call`; a target that is down or does not answer gets `hint` (an encoded
  // mutation; empty: none) as a hint.
  using LocalWriteDone = std::function<void(const Status&)>;
  void SendWrites(const std::shared_ptr<WriteCall>& call, const std::vector<std::string>& targets,
                  net::Verb verb, const std::string& request, const std::string& hint,
                  const std::function<void(LocalWriteDone)>& apply_locally);
  // Why a write to a replica is hinted (StorageProxyStats' hints_* counters).
  enum class HintReason { kDown, kTimedOut, kReplicaFailed, kSendRefused };
  // Stores a hint for `endpoint` if allowed; true when stored. `why` is the failure
  // behind it (logged, rate-limited, for every reason but kDown).
  bool MaybeHint(const std::string& endpoint, const std::string& encoded_mutation,
                 HintReason reason, const Status& why);
  Status WaitWrite(const std::shared_ptr<WriteCall>& call, int64_t deadline_ns,
                   WriteOutcome* outcome);
  // What a write call that is done (or past its deadline) answers: OK once its CL was
  // met, else the local failure or TimedOut with acknowledged_by. REQUIRES: call.mu held.
  Status FinishWriteLocked(const WriteCall& call, WriteOutcome* outcome);

  // One key of a read: StartRead sends the first round (data + digests), FinishRead
  // waits for it and resolves (repair round if the digests differ), so a multiget has
  // every key's first round in flight at once.
  struct KeyRead {
    std::string key;
    Status early;                      // failed before anything was sent
    std::vector<std::string> live;     // live replicas, closest first
    std::vector<std::string> targets;  // contacted (first = data)
    std::shared_ptr<ReadCall> call;
  };
  // `on_ready` (optional): set as the ReadCall's on_ready before anything is sent.
  KeyRead StartRead(const TableRef& table, const std::string& key, const CellFilter& filter,
                    ConsistencyLevel cl, int64_t deadline_ns);
  Status StartReadImpl(const TableRef& table, const std::string& key, const CellFilter& filter,
                       ConsistencyLevel cl, int64_t deadline_ns, KeyRead* kr,
                       std::function<void()> on_ready = nullptr);
  Result<std::optional<PartitionUpdate>> FinishRead(const TableRef& table,
                                                    const CellFilter& filter, KeyRead& kr,
                                                    int64_t deadline_ns);
  void SendReads(const TableRef& table, const std::string& key, const CellFilter& filter,
                 const std::shared_ptr<ReadCall>& call, const std::vector<std::string>& eps,
                 bool first_is_data, bool all_data, int64_t deadline_ns);
  // A read timed out: charges every target without a response the read timeout in the
  // latency tracker at once (their messaging timeouts may fire only later), so the next
  // read's proximity order avoids them.
  // The caller holds call.mu.
  void ChargeUnanswered(const std::vector<std::string>& targets, const ReadCall& call);
  // Local replica reads.
  Result<std::optional<PartitionUpdate>> LocalRead(const std::string& table_id,
                                                   const std::string& key,
                                                   const CellFilter& filter) const;
  Result<std::vector<std::pair<DecoratedKey, PartitionUpdate>>> LocalRange(
      const std::string& table_id, const std::vector<KeyBounds>& bounds,
      const CellFilter& filter, int32_t max_rows) const;
  // Sends READ_REPAIR with `repair` for `key` to `endpoint` (local: applies). When
  // `call` is set the ack is counted there.
  void SendRepair(const std::string& endpoint, const TableRef& table, const std::string& key,
                  PartitionUpdate repair, const std::shared_ptr<WriteCall>& call);

  // Verb handlers (messaging handler pool).
  void HandleMutation(net::Message msg);
  void HandleRead(net::Message msg);
  void HandleRangeSlice(net::Message msg);
  void HandleBatchStore(net::Message msg);
  void HandleBatchRemove(net::Message msg);
  void HandleTruncate(net::Message msg);
  void HandleHintTransfer(net::Message msg);
  void HandleCounterMutation(net::Message msg);
  // This node leads `mutation`: new shards under the counter lock, applied locally,
  // then replicated at `cl` (see Coordinator::MutateCounter).
  Status LeadCounterMutation(const KeyspaceSchema& keyspace, const CounterMutation& mutation,
                             ConsistencyLevel cl, WriteOutcome* outcome);

  // ---- Paxos (node/storage_proxy_paxos.cc) ----
  Result<PaxosParticipants> PaxosParticipantsFor(const KeyspaceSchema& keyspace,
                                                 const std::string& key,
                                                 ConsistencyLevel serial_cl);
  // Steps 1-2 of a round until a ballot is promised by a quorum with nothing left to
  // repair: that ballot. TimedOut at `deadline_ns`.
  Result<paxos::Ballot> BeginAndRepairPaxos(const TableRef& table, const std::string& key,
                                            const PaxosParticipants& participants,
                                            ConsistencyLevel serial_cl, int64_t deadline_ns);
  // A ballot newer than every one this node made and than `at_least_micros`.
  paxos::Ballot NextBallot(int64_t at_least_micros);
  std::shared_ptr<PrepareCall> SendPrepare(const TableRef& table, const std::string& key,
                                           const PaxosParticipants& participants,
                                           const paxos::Ballot& ballot);
  // Sends `proposal` to the participants; true with a quorum of accepts. With
  // `timeout_if_partial`, some accepts without a quorum give TimedOut.
  Result<bool> ProposePaxos(const TableRef& table, const std::string& key,
                            const PaxosParticipants& participants, const paxos::Commit& proposal,
                            bool timeout_if_partial, int64_t deadline_ns);
  // Sends PAXOS_COMMIT to `targets` and waits for `cl` (ANY: does not wait). Down
  // targets get a hint of the committed mutation.
  Status CommitPaxos(const TableRef& table, const std::string& key, const paxos::Commit& commit,
                     ConsistencyLevel cl, const std::vector<std::string>& only_to);
  Result<std::vector<std::optional<PartitionUpdate>>> ReadSerial(
      const TableRef& table, const std::vector<std::string>& keys, const CellFilter& filter,
      ConsistencyLevel cl);
  // Sends `payload` as `verb` to every target but this node, with the write timeout;
  // `on_answer` gets each answer (or the send's failure). True when this node is a
  // target (the caller acts for it).
  bool SendToTargets(const std::vector<std::string>& targets, net::Verb verb,
                     const std::string& payload,
                     const std::function<void(const std::string&, Result<net::Message>)>& on_answer);
  // Answers a failed replica write: INVALID for InvalidArgument, else HANDLER_ERROR.
  void RespondWriteFailure(const net::Message& msg, const Status& st);
  void HandlePaxosPrepare(net::Message msg);
  void HandlePaxosPropose(net::Message msg);
  void HandlePaxosCommit(net::Message msg);
  // Sleeps a random 0-100 ms (not past `deadline_ns`) after contention.
  void ContentionBackoff(int64_t deadline_ns);

  void BackgroundLoop();
  void DeliverHints();
  void ReplayBatches();
  // Whether this node has every table the encoded mutation writes to.
  bool TablesExist(const std::string& encoded_mutation) const;

  Result<net::Endpoint> EndpointOf(const std::string& name) const;
  bool IsLocal(const std::string& endpoint) const { return endpoint == local_endpoint_; }
  int64_t DeadlineAfterMs(int ms) const;

  const StorageProxyOptions options_;
  Database* const db_;
  const ClusterView* const cluster_;
  net::MessagingService* const messaging_;
  const Clock* const clock_;
  const std::string local_endpoint_;
  LatencyTracker latency_;

  std::unique_ptr<hints::HintStore> hints_;
  // Serializes the read-increment-write of this node's counter shards, striped by
  // partition key (Cassandra's counter lock stripes).
  static constexpr size_t kCounterLockStripes = 1024;
  std::array<std::mutex, kCounterLockStripes> counter_locks_;
  std::string host_id_bytes_;  // this node's host id, 16 bytes (its counter shard id)
  std::unique_ptr<hints::BatchlogStore> batchlog_;
  std::unique_ptr<paxos::PaxosStore> paxos_;
  std::atomic<int64_t> last_ballot_micros_{0};
  uint64_t ballot_unique_base_ = 0;  // host-id hash: the high half of a ballot's unique part

  std::mutex strategy_mu_;
  // "class|k=v,..." -> strategy. GUARDED_BY(strategy_mu_)
  std::map<std::string, std::shared_ptr<const ring::ReplicationStrategy>> strategies_;

  std::mutex rng_mu_;
  std::mt19937_64 rng_;  // GUARDED_BY(rng_mu_)

  std::unique_ptr<Counters> counters_;
  std::shared_ptr<BackgroundWrites> background_writes_;

  // Runs what ReadAsync cannot finish without waiting (a digest mismatch's second
  // round and repair, SERIAL reads), made on first use.
  boost::asio::thread_pool& SlowReadPool();
  std::once_flag slow_reads_once_;
  std::unique_ptr<boost::asio::thread_pool> slow_reads_;

  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool bg_stop_ = false;  // GUARDED_BY(bg_mu_)
  std::thread bg_thread_;
  std::atomic<bool> started_{false};
  int64_t started_at_ns_ = 0;  // set by Start, read by the background thread
};

}  // namespace cairn::node
