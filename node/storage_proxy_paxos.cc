// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// StorageProxy's compare-and-set: the Paxos coordinator (node/storage_proxy.h,
// "Compare-and-set") and the replica verbs PAXOS_PREPARE / PAXOS_PROPOSE / PAXOS_COMMIT
// over node/paxos_state.h.

#include <algorithm>
#include <chrono>
#include <limits>
#include <thread>

#include "common/logging.h"
#include "node/net/codec.h"
#include "node/storage_proxy.h"
#include "node/storage_proxy_calls.h"

namespace cairn::node {

namespace wire = ::cairn::net::internode;

struct StorageProxy::PaxosParticipants {
  std::vector<std::string> natural;  // LOCAL_SERIAL: this DC's only
  std::vector<std::string> pending;
  std::vector<std::string> live;  // of natural + pending, the ones up
  int required = 0;               // natural/2 + 1 + pending
  ReplicationLayout layout;
};

// Answers to one prepare round, recorded as they come.
struct StorageProxy::PrepareCall {
  std::mutex mu;
  std::condition_variable cv;
  int required = 0;
  int sent = 0;
  int promises = 0, refusals = 0, failures = 0;
  paxos::Commit most_recent_commit;  // the newest commit any replica knows
  paxos::Commit in_progress;         // the newest accepted proposal (with an update) of a promiser
  paxos::Ballot refused_with;        // the newest ballot a refuser promised instead
  // The latest commit ballot of every replica that promised.
  std::vector<std::pair<std::string, paxos::Ballot>> commits_by_replica;

  void Add(const std::string& endpoint, const paxos::PrepareResult& r) {
    std::lock_guard lock(mu);
    if (r.most_recent_commit.IsAfter(most_recent_commit)) most_recent_commit = r.most_recent_commit;
    if (!r.promised) {
      ++refusals;
      if (r.in_progress.ballot > refused_with) refused_with = r.in_progress.ballot;
    } else {
      ++promises;
      commits_by_replica.emplace_back(endpoint, r.most_recent_commit.ballot);
      if (r.in_progress.HasUpdate() && r.in_progress.IsAfter(in_progress)) {
        in_progress = r.in_progress;
      }
    }
    cv.notify_all();
  }
  void Fail() {
    std::lock_guard lock(mu);
    ++failures;
    cv.notify_all();
  }
  // A quorum promised, one replica refused, or too many failed for a quorum.
  bool Done() const {
    return promises >= required || refusals > 0 || sent - failures < required;
  }
};

// Answers to one proposal.
struct StorageProxy::ProposeCall {
  std::mutex mu;
  std::condition_variable cv;
  int required = 0;
  int sent = 0;
  int accepts = 0, refusals = 0, failures = 0;

  void Answer(bool accepted) {
    std::lock_guard lock(mu);
    ++(accepted ? accepts : refusals);
    cv.notify_all();
  }
  void Fail() {
    std::lock_guard lock(mu);
    ++failures;
    cv.notify_all();
  }
  int answered() const { return accepts + refusals + failures; }
};

namespace {

wire::PaxosProposal ToWire(const paxos::Commit& c) {
  wire::PaxosProposal p;
  p.ballot = c.ballot;
  p.mutation = c.mutation;
  return p;
}

paxos::Commit FromWire(const wire::PaxosProposal& p) { return {p.ballot, p.mutation}; }

// A PAXOS_* request naming the partition `key` of `table`.
template <typename Request>
Request PaxosRequest(const TableRef& table, const std::string& key) {
  Request req;
  req.keyspace = table.keyspace->name;
  req.table_id = table.table->metadata.id;
  req.key = key;
  return req;
}

// `update` as the mutation a proposal with `ballot` carries: every timestamp is the
// ballot's µs (deletions µs - 1, so a cas that deletes and writes keeps its writes).
std::string ProposalMutation(const std::string& keyspace, const std::string& key,
                             const TableId& table_id, PartitionUpdate update,
                             const paxos::Ballot& ballot) {
  const int64_t t = paxos::BallotMicros(ballot);
  for (Cell& c : update.cells) c.timestamp = t;
  if (!update.deletion.IsLive()) update.deletion.marked_for_delete_at = t - 1;
  for (RangeTombstone& rt : update.range_tombstones) rt.deletion.marked_for_delete_at = t - 1;
  Mutation m;
  m.keyspace = keyspace;
  m.key = key;
  m.updates.push_back({table_id, std::move(update)});
  std::string out;
  m.EncodeTo(&out);
  return out;
}

// The live cells of a reconciled read result.
std::vector<Cell> LiveCellsOf(std::optional<PartitionUpdate> p, const AbstractType& cmp,
                              int32_t now) {
  std::vector<Cell> out;
  if (!p.has_value()) return out;
  p->RemoveShadowed(cmp);
  for (Cell& c : p->cells) {
    if (c.IsLive(now)) out.push_back(std::move(c));
  }
  return out;
}

// Cassandra's ThriftCASRequest.appliesTo: with nothing expected, no live cell may
// exist; otherwise every expected cell must be live with the expected value.
bool ConditionHolds(const std::vector<std::pair<std::string, std::string>>& expected,
                    const std::vector<Cell>& live, const AbstractType& cmp) {
  if (expected.empty()) return live.empty();
  for (const auto& [name, value] : expected) {
    auto it = std::find_if(live.begin(), live.end(),
                           [&](const Cell& c) { return cmp.Compare(c.name, name) == 0; });
    if (it == live.end() || it->value != value) return false;
  }
  return true;
}

}  // namespace

// ---- Participants and ballots ---------------------------------------------------------

Result<StorageProxy::PaxosParticipants> StorageProxy::PaxosParticipantsFor(
    const KeyspaceSchema& keyspace, const std::string& key, ConsistencyLevel serial_cl) {
  CAIRN_ASSIGN_OR_RETURN(Replicas r, ReplicasFor(keyspace, db_->Decorate(key).token, true));
  PaxosParticipants p;
  p.layout = r.layout;
  if (serial_cl == ConsistencyLevel::LOCAL_SERIAL) {
    std::shared_ptr<const ring::Snitch> snitch = cluster_->snitch();
    const std::string local_dc = snitch->GetDatacenter(local_endpoint_);
    auto in_dc = [&](const std::string& e) { return snitch->GetDatacenter(e) == local_dc; };
    std::copy_if(r.natural.begin(), r.natural.end(), std::back_inserter(p.natural), in_dc);
    std::copy_if(r.pending.begin(), r.pending.end(), std::back_inserter(p.pending), in_dc);
  } else {
    p.natural = r.natural;
    p.pending = r.pending;
  }
  if (p.pending.size() > 1) {
    counters_->unavailables++;
    return Status::Unavailable("Cannot perform LWT operation as there is more than one (" +
                               std::to_string(p.pending.size()) + ") pending range movement");
  }
  std::vector<std::string> all = p.natural;
  for (const std::string& e : p.pending) {
    if (std::find(all.begin(), all.end(), e) == all.end()) all.push_back(e);
  }
  for (const std::string& e : all) {
    if (IsLocal(e) || cluster_->IsAlive(e)) p.live.push_back(e);
  }
  p.required = static_cast<int>(p.natural.size() / 2 + 1 + p.pending.size());
  if (static_cast<int>(p.live.size()) < p.required) {
    counters_->unavailables++;
    return Status::Unavailable("Cannot achieve consistency level " +
                               std::string(ToString(serial_cl)) + ": " +
                               std::to_string(p.required) + " required, " +
                               std::to_string(p.live.size()) + " alive");
  }
  return p;
}

paxos::Ballot StorageProxy::NextBallot(int64_t at_least_micros) {
  const int64_t now = clock_->NowMicros();
  int64_t last = last_ballot_micros_.load();
  int64_t next;
  do {
    next = std::max({now, last + 1, at_least_micros});
  } while (!last_ballot_micros_.compare_exchange_weak(last, next));
  uint64_t random;
  {
    std::lock_guard lock(rng_mu_);
    random = rng_();
  }
  return paxos::MakeBallot(next, ballot_unique_base_ ^ (random & 0xffffffffu));
}

void StorageProxy::ContentionBackoff(int64_t deadline_ns) {
  int64_t ms;
  {
    std::lock_guard lock(rng_mu_);
    ms = std::uniform_int_distribution<int64_t>(0, 100)(rng_);
  }
  const int64_t left_ms = (deadline_ns - clock_->MonotonicNanos()) / 1'000'000;
  ms = std::min(ms, std::max<int64_t>(0, left_ms));
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

// ---- Rounds -------------------------------------------------------------------------

bool StorageProxy::SendToTargets(
    const std::vector<std::string>& targets, net::Verb verb, const std::string& payload,
    const std::function<void(const std::string&, Result<net::Message>)>& on_answer) {
  bool local = false;
  for (const std::string& ep : targets) {
    if (IsLocal(ep)) {
      local = true;
      continue;
    }
    auto to = EndpointOf(ep);
    Status st = !to.ok() ? to.status()
                : messaging_ == nullptr
                    ? Status::Unavailable("no messaging service to reach " + ep)
                    : messaging_->SendRequest(
                          *to, verb, std::string(payload),
                          std::chrono::milliseconds(options_.write_request_timeout_ms),
                          [ep, on_answer](Result<net::Message> res) { on_answer(ep, std::move(res)); });
    if (!st.ok()) on_answer(ep, st);
  }
  return local;
}

std::shared_ptr<StorageProxy::PrepareCall> StorageProxy::SendPrepare(
    const TableRef& table, const std::string& key, const PaxosParticipants& participants,
    const paxos::Ballot& ballot) {
  auto call = std::make_shared<PrepareCall>();
  call->required = participants.required;
  call->sent = static_cast<int>(participants.live.size());
  const TableId& table_id = table.table->metadata.id;
  auto req = PaxosRequest<wire::PaxosPrepareRequest>(table, key);
  req.ballot = ballot;
  const bool local = SendToTargets(
      participants.live, wire::Verb::PAXOS_PREPARE, net::Serialize(req),
      [call](const std::string& ep, Result<net::Message> res) {
        wire::PaxosPrepareResponse resp;
        if (!res.ok() || !net::Deserialize(res->payload, &resp).ok()) {
          call->Fail();
          return;
        }
        call->Add(ep, paxos::PrepareResult{resp.promised, FromWire(resp.in_progress),
                                           FromWire(resp.most_recent_commit)});
      });
  if (local) {
    auto r = paxos_->Prepare(table_id, key, ballot);
    if (r.ok()) {
      call->Add(local_endpoint_, *r);
    } else {
      CAIRN_LOG_EVERY_N_SEC(WARN, 10) << "local Paxos prepare failed: " << r.status().ToString();
      call->Fail();
    }
  }
  return call;
}

Result<bool> StorageProxy::ProposePaxos(const TableRef& table, const std::string& key,
                                        const PaxosParticipants& participants,
                                        const paxos::Commit& proposal, bool timeout_if_partial,
                                        int64_t deadline_ns) {
  auto call = std::make_shared<ProposeCall>();
  call->required = participants.required;
  call->sent = static_cast<int>(participants.live.size());
  const TableId& table_id = table.table->metadata.id;
  auto req = PaxosRequest<wire::PaxosProposeRequest>(table, key);
  req.proposal = ToWire(proposal);
  const bool local = SendToTargets(participants.live, wire::Verb::PAXOS_PROPOSE,
                                   net::Serialize(req),
                                   [call](const std::string&, Result<net::Message> res) {
                                     wire::PaxosProposeResponse resp;
                                     if (!res.ok() || !net::Deserialize(res->payload, &resp).ok()) {
                                       call->Fail();
                                       return;
                                     }
                                     call->Answer(resp.accepted);
                                   });
  if (local) {
    auto r = paxos_->Propose(table_id, key, proposal);
    if (r.ok()) {
      call->Answer(*r);
    } else {
      CAIRN_LOG_EVERY_N_SEC(WARN, 10) << "local Paxos propose failed: " << r.status().ToString();
      call->Fail();
    }
  }
  std::unique_lock lock(call->mu);
  // Without timeout_if_partial a proposal that can no longer win stops waiting at once
  // (Cassandra's failFast); with it, every answer is awaited to tell "refused by all"
  // (safe to retry) from "partly accepted" (may still win: outcome unknown).
  WaitUntil(lock, call->cv, clock_, deadline_ns, [&] {
    if (call->accepts >= call->required) return true;
    if (call->answered() >= call->sent) return true;
    return !timeout_if_partial && call->sent - call->refusals - call->failures < call->required;
  });
  if (call->accepts >= call->required) return true;
  const bool fully_refused = call->answered() >= call->sent && call->accepts == 0;
  if (timeout_if_partial && !fully_refused) {
    counters_->cas_timeouts++;
    return Status::TimedOut("Operation timed out - received only " +
                            std::to_string(call->accepts) + " responses.");
  }
  return false;
}

Status StorageProxy::CommitPaxos(const TableRef& table, const std::string& key,
                                 const paxos::Commit& commit, ConsistencyLevel cl,
                                 const std::vector<std::string>& only_to) {
  const TableId& table_id = table.table->metadata.id;
  std::shared_ptr<const ring::Snitch> snitch = cluster_->snitch();
  const std::string local_dc = snitch->GetDatacenter(local_endpoint_);
  auto call = std::make_shared<WriteCall>();
  std::vector<std::string> targets = only_to;
  if (only_to.empty()) {
    CAIRN_ASSIGN_OR_RETURN(Replicas r, ReplicasFor(*table.keyspace, db_->Decorate(key).token, true));
    targets = r.targets;
    call->counter.emplace(cl, r.layout, r.targets, r.pending, *snitch, local_dc);
  }
  call->outstanding = static_cast<int>(targets.size());
  call->targets = targets;
  auto req = PaxosRequest<wire::PaxosProposeRequest>(table, key);
  req.proposal = ToWire(commit);
  SendWrites(call, targets, wire::Verb::PAXOS_COMMIT, net::Serialize(req),
             commit.HasUpdate() ? commit.mutation : std::string(),
             [&](const LocalWriteDone& local_done) { local_done(paxos_->Commit(table_id, key, commit)); });
  if (cl == ConsistencyLevel::ANY && only_to.empty()) return Status::OK();
  return WaitWrite(call, DeadlineAfterMs(options_.write_request_timeout_ms), nullptr);
}

Result<paxos::Ballot> StorageProxy::BeginAndRepairPaxos(const TableRef& table,
                                                        const std::string& key,
                                                        const PaxosParticipants& participants,
                                                        ConsistencyLevel serial_cl,
                                                        int64_t deadline_ns) {
  const ConsistencyLevel repair_cl = serial_cl == ConsistencyLevel::LOCAL_SERIAL
                                         ? ConsistencyLevel::LOCAL_QUORUM
                                         : ConsistencyLevel::QUORUM;
  int64_t at_least = std::numeric_limits<int64_t>::min();
  while (clock_->MonotonicNanos() < deadline_ns) {
    const paxos::Ballot ballot = NextBallot(at_least);
    auto call = SendPrepare(table, key, participants, ballot);
    PrepareCall summary;  // a snapshot of the answers once decided
    {
      std::unique_lock lock(call->mu);
      WaitUntil(lock, call->cv, clock_, DeadlineAfterMs(options_.write_request_timeout_ms),
                [&] { return call->Done(); });
      summary.promises = call->promises;
      summary.refusals = call->refusals;
      summary.most_recent_commit = call->most_recent_commit;
      summary.in_progress = call->in_progress;
      summary.refused_with = call->refused_with;
      summary.commits_by_replica = call->commits_by_replica;
    }
    if (summary.promises < participants.required) {
      if (summary.refusals == 0) {
        counters_->cas_timeouts++;
        return Status::TimedOut("Operation timed out - received only " +
                                std::to_string(summary.promises) + " responses.");
      }
      // Someone prepared a newer ballot: retry above it after a pause.
      at_least = std::max(at_least, paxos::BallotMicros(summary.refused_with) + 1);
      counters_->cas_contentions++;
      ContentionBackoff(deadline_ns);
      continue;
    }
    const paxos::Commit& in_progress = summary.in_progress;
    const paxos::Commit& latest = summary.most_recent_commit;
    // Our update's cells will carry the ballot's µs: they must be newer than every
    // cell an earlier round wrote, not just sort after it as a ballot (two nodes can
    // draw the same µs). Retry at once one µs later.
    const int64_t newest_micros = std::max(paxos::BallotMicros(latest.ballot),
                                           paxos::BallotMicros(in_progress.ballot));
    if (paxos::BallotMicros(ballot) <= newest_micros) {
      at_least = std::max(at_least, newest_micros + 1);
      continue;
    }
    if (in_progress.HasUpdate() && in_progress.IsAfter(latest)) {
      // An unfinished round: finish it with our ballot before anything else.
      counters_->paxos_repairs++;
      Mutation m;
      CAIRN_RETURN_IF_ERROR(Mutation::Decode(in_progress.mutation, &m));
      if (m.updates.size() != 1) {
        return Status::Corruption("an in-progress Paxos proposal with " +
                                  std::to_string(m.updates.size()) + " updates");
      }
      paxos::Commit refreshed{ballot, ProposalMutation(m.keyspace, m.key, m.updates[0].table_id,
                                                       std::move(m.updates[0].update), ballot)};
      CAIRN_ASSIGN_OR_RETURN(bool accepted,
                             ProposePaxos(table, key, participants, refreshed, false,
                                          DeadlineAfterMs(options_.write_request_timeout_ms)));
      if (accepted) {
        CAIRN_RETURN_IF_ERROR(CommitPaxos(table, key, refreshed, repair_cl, {}));
      } else {
        counters_->cas_contentions++;
        ContentionBackoff(deadline_ns);
      }
      continue;
    }
    // Every promiser must know the latest commit before a new value may be proposed
    // (CASSANDRA-5062): send it to those that miss it, wait, and prepare again.
    std::vector<std::string> missing;
    for (const auto& [ep, committed] : summary.commits_by_replica) {
      if (committed != latest.ballot) missing.push_back(ep);
    }
    if (!missing.empty()) {
      Status st = CommitPaxos(table, key, latest, ConsistencyLevel::ALL, missing);
      if (!st.ok()) {
        CAIRN_LOG_EVERY_N_SEC(INFO, 10) << "Paxos: replicas missing the latest commit of a "
                                           "partition did not take it: " << st.ToString();
      }
      continue;
    }
    return ballot;
  }
  counters_->cas_timeouts++;
  return Status::TimedOut("Operation timed out - Paxos contention (cas_contention_timeout_in_ms)");
}

// ---- Compare-and-set and SERIAL reads --------------------------------------------------

Result<CasResult> StorageProxy::Cas(const TableRef& table, CasRequest request,
                                    ConsistencyLevel serial_cl, ConsistencyLevel commit_cl) {
  CAIRN_RETURN_IF_ERROR(ValidateForCas(serial_cl));
  counters_->cas++;
  const int64_t deadline = DeadlineAfterMs(options_.cas_contention_timeout_ms);
  CAIRN_ASSIGN_OR_RETURN(PaxosParticipants participants,
                         PaxosParticipantsFor(*table.keyspace, request.key, serial_cl));
  CAIRN_RETURN_IF_ERROR(ValidateForCasCommit(commit_cl, participants.layout));
  const AbstractType& cmp = *table.table->metadata.comparator;
  const TableId& table_id = table.table->metadata.id;
  CellFilter filter = CellFilter::All();
  if (!request.expected.empty()) {
    std::vector<std::string> names;
    for (const auto& [name, value] : request.expected) names.push_back(name);
    std::sort(names.begin(), names.end(),
              [&](const std::string& a, const std::string& b) { return cmp.Compare(a, b) < 0; });
    names.erase(std::unique(names.begin(), names.end(),
                            [&](const std::string& a, const std::string& b) {
                              return cmp.Compare(a, b) == 0;
                            }),
                names.end());
    filter = CellFilter::Names(std::move(names));
  }
  const ConsistencyLevel read_cl = serial_cl == ConsistencyLevel::LOCAL_SERIAL
                                       ? ConsistencyLevel::LOCAL_QUORUM
                                       : ConsistencyLevel::QUORUM;
  while (clock_->MonotonicNanos() < deadline) {
    CAIRN_ASSIGN_OR_RETURN(paxos::Ballot ballot,
                           BeginAndRepairPaxos(table, request.key, participants, serial_cl,
                                               deadline));
    CAIRN_ASSIGN_OR_RETURN(auto rows, Read(table, {request.key}, filter, read_cl));
    std::vector<Cell> live = LiveCellsOf(std::move(rows[0]), cmp, clock_->NowSeconds());
    if (!ConditionHolds(request.expected, live, cmp)) {
      counters_->cas_condition_failures++;
      CasResult r;
      r.current = std::move(live);
      if (request.expected.empty() && r.current.size() > 1) r.current.resize(1);
      return r;
    }
    paxos::Commit proposal{ballot, ProposalMutation(table.keyspace->name, request.key, table_id,
                                                    request.updates, ballot)};
    CAIRN_ASSIGN_OR_RETURN(bool accepted,
                           ProposePaxos(table, request.key, participants, proposal, true,
                                        DeadlineAfterMs(options_.write_request_timeout_ms)));
    if (accepted) {
      CAIRN_RETURN_IF_ERROR(CommitPaxos(table, request.key, proposal, commit_cl, {}));
      CasResult r;
      r.success = true;
      return r;
    }
    counters_->cas_contentions++;
    ContentionBackoff(deadline);
  }
  counters_->cas_timeouts++;
  return Status::TimedOut("Operation timed out - Paxos contention (cas_contention_timeout_in_ms)");
}

Result<std::vector<std::optional<PartitionUpdate>>> StorageProxy::ReadSerial(
    const TableRef& table, const std::vector<std::string>& keys, const CellFilter& filter,
    ConsistencyLevel cl) {
  if (keys.size() != 1) {
    return Status::InvalidArgument(
        "SERIAL/LOCAL_SERIAL consistency may only be requested for one partition at a time");
  }
  const int64_t deadline = DeadlineAfterMs(options_.cas_contention_timeout_ms);
  CAIRN_ASSIGN_OR_RETURN(PaxosParticipants participants,
                         PaxosParticipantsFor(*table.keyspace, keys[0], cl));
  CAIRN_RETURN_IF_ERROR(
      BeginAndRepairPaxos(table, keys[0], participants, cl, deadline).status());
  return Read(table, keys, filter,
              cl == ConsistencyLevel::LOCAL_SERIAL ? ConsistencyLevel::LOCAL_QUORUM
                                                   : ConsistencyLevel::QUORUM);
}

// ---- Replica verbs --------------------------------------------------------------------

namespace {

// The table of a Paxos request must exist here (a replica whose schema is behind must
// not promise or accept for a table it cannot apply to).
Status CheckTable(const Database& db, const std::string& table_id) {
  if (db.Store(table_id) == nullptr) {
    return Status::InvalidArgument("unknown table id " + UuidToString(table_id));
  }
  return Status::OK();
}

// Decodes a Paxos request for a table this node has; otherwise answers INVALID.
template <typename Request>
bool DecodeForKnownTable(net::MessagingService* messaging, const Database& db,
                         const net::Message& msg, Request* req) {
  Status st = net::Deserialize(msg.payload, req);
  if (st.ok()) st = CheckTable(db, req->table_id);
  if (!st.ok()) {
    messaging->SendFailureResponse(msg, wire::FailureReason::INVALID, st.ToString()).IgnoreError();
    return false;
  }
  return true;
}

}  // namespace

void StorageProxy::HandlePaxosPrepare(net::Message msg) {
  wire::PaxosPrepareRequest req;
  if (!DecodeForKnownTable(messaging_, *db_, msg, &req)) return;
  auto r = paxos_->Prepare(req.table_id, req.key, req.ballot);
  if (!r.ok()) {
    RespondWriteFailure(msg, r.status());
    return;
  }
  wire::PaxosPrepareResponse resp;
  resp.promised = r->promised;
  resp.in_progress = ToWire(r->in_progress);
  resp.most_recent_commit = ToWire(r->most_recent_commit);
  messaging_->SendResponse(msg, net::Serialize(resp)).IgnoreError();
}

void StorageProxy::HandlePaxosPropose(net::Message msg) {
  wire::PaxosProposeRequest req;
  if (!DecodeForKnownTable(messaging_, *db_, msg, &req)) return;
  auto r = paxos_->Propose(req.table_id, req.key, FromWire(req.proposal));
  if (!r.ok()) {
    RespondWriteFailure(msg, r.status());
    return;
  }
  wire::PaxosProposeResponse resp;
  resp.accepted = *r;
  messaging_->SendResponse(msg, net::Serialize(resp)).IgnoreError();
}

void StorageProxy::HandlePaxosCommit(net::Message msg) {
  wire::PaxosProposeRequest req;
  if (!DecodeForKnownTable(messaging_, *db_, msg, &req)) return;
  Status st = paxos_->Commit(req.table_id, req.key, FromWire(req.proposal));
  if (!st.ok()) {
    RespondWriteFailure(msg, st);
    return;
  }
  messaging_->SendResponse(msg, net::Serialize(wire::MutationAck{})).IgnoreError();
}

}  // namespace cairn::node
