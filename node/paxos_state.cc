// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "node/paxos_state.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <limits>

#include "common/partition_iterator.h"
#include "node/schema_store.h"

namespace cairn::node::paxos {

namespace {

constexpr std::string_view kAccepted = "accepted";
constexpr std::string_view kCommit = "commit";
constexpr std::string_view kPromise = "promise";
constexpr size_t kBallotSize = 16;
// Cassandra's paxos TTL floor: state outlives at least three hours.
constexpr int32_t kMinTtlSeconds = 3 * 3600;

void PutBigEndian64(uint64_t v, std::string* out) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetBigEndian64(std::string_view in) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

// A stored proposal/commit value: ballot (16 bytes) then the encoded mutation.
Result<paxos::Commit> DecodeCommit(std::string_view value, std::string_view what) {
  if (value.size() < kBallotSize) {
    return Status::Corruption("system.paxos: " + std::string(what) + " value of " +
                              std::to_string(value.size()) + " bytes");
  }
  return paxos::Commit{std::string(value.substr(0, kBallotSize)),
                std::string(value.substr(kBallotSize))};
}

}  // namespace

Ballot MakeBallot(int64_t micros, uint64_t unique) {
  Ballot b;
  b.reserve(kBallotSize);
  PutBigEndian64(static_cast<uint64_t>(micros) ^ (uint64_t{1} << 63), &b);
  PutBigEndian64(unique, &b);
  return b;
}

int64_t BallotMicros(std::string_view ballot) {
  if (ballot.size() < 8) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(GetBigEndian64(ballot) ^ (uint64_t{1} << 63));
}

std::string BallotToString(std::string_view ballot) {
  if (ballot.size() != kBallotSize) return "none";
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(GetBigEndian64(ballot.substr(8))));
  return std::to_string(BallotMicros(ballot)) + "." + hex;
}

PaxosStore::PaxosStore(Database* db) : db_(db) {}

std::mutex& PaxosStore::LockFor(const TableId& table, const std::string& key) {
  size_t h = std::hash<std::string>{}(key) ^ (std::hash<std::string>{}(table) * 31);
  return locks_[h % kStripes];
}

Result<State> PaxosStore::Load(const TableId& table, const std::string& key) const {
  auto store = db_->Store(SystemPaxosTable().id);
  if (store == nullptr) return Status::IOError("system.paxos is not open");
  std::vector<std::string> names = {table + std::string(kAccepted), table + std::string(kCommit),
                                    table + std::string(kPromise)};
  CAIRN_ASSIGN_OR_RETURN(std::optional<PartitionUpdate> p,
                         store->Read(db_->Decorate(key), CellFilter::Names(names)));
  State state;
  if (!p.has_value()) return state;
  const int32_t now = db_->options().engine.clock->NowSeconds();
  p->RemoveShadowed(*SystemPaxosTable().comparator);
  for (const Cell& c : p->cells) {
    if (!c.IsLive(now) || !c.name.starts_with(table)) continue;
    std::string_view field = std::string_view(c.name).substr(table.size());
    if (field == kPromise) {
      if (c.value.size() != kBallotSize) {
        return Status::Corruption("system.paxos: promise value of " +
                                  std::to_string(c.value.size()) + " bytes");
      }
      state.promised = c.value;
    } else if (field == kAccepted) {
      CAIRN_ASSIGN_OR_RETURN(state.accepted, DecodeCommit(c.value, kAccepted));
    } else if (field == kCommit) {
      CAIRN_ASSIGN_OR_RETURN(state.committed, DecodeCommit(c.value, kCommit));
    }
  }
  return state;
}

Mutation::Update PaxosStore::StateUpdate(const TableId& table, std::string_view field,
                                         const Ballot& ballot, std::string value) const {
  int32_t ttl = kMinTtlSeconds;
  if (auto user = db_->Store(table); user != nullptr) {
    ttl = std::max(ttl, user->metadata().gc_grace_seconds);
  }
  PartitionUpdate u;
  u.cells.push_back(Cell::Expiring(table + std::string(field), std::move(value),
                                   BallotMicros(ballot), ttl,
                                   db_->options().engine.clock->NowSeconds()));
  return {SystemPaxosTable().id, std::move(u)};
}

Status PaxosStore::Save(const TableId& table, const std::string& key, std::string_view field,
                        const Ballot& ballot, std::string value) {
  Mutation m;
  m.keyspace = SystemPaxosTable().keyspace;
  m.key = key;
  m.updates.push_back(StateUpdate(table, field, ballot, std::move(value)));
  return db_->Apply(std::move(m));
}

Result<PrepareResult> PaxosStore::Prepare(const TableId& table, const std::string& key,
                                          const Ballot& ballot) {
  std::lock_guard lock(LockFor(table, key));
  CAIRN_ASSIGN_OR_RETURN(State state, Load(table, key));
  PrepareResult r;
  r.most_recent_commit = state.committed;
  if (ballot > state.promised) {
    CAIRN_RETURN_IF_ERROR(Save(table, key, kPromise, ballot, ballot));
    r.promised = true;
    r.in_progress = state.accepted;
  } else {
    // The ballot promised instead, so the coordinator retries above it.
    r.promised = false;
    r.in_progress = paxos::Commit{state.promised, {}};
  }
  return r;
}

Result<bool> PaxosStore::Propose(const TableId& table, const std::string& key,
                                 const paxos::Commit& proposal) {
  std::lock_guard lock(LockFor(table, key));
  CAIRN_ASSIGN_OR_RETURN(State state, Load(table, key));
  if (proposal.ballot < state.promised) return false;
  CAIRN_RETURN_IF_ERROR(
      Save(table, key, kAccepted, proposal.ballot, proposal.ballot + proposal.mutation));
  return true;
}

Status PaxosStore::Commit(const TableId& table, const std::string& key,
                          const paxos::Commit& commit) {
  if (commit.HasUpdate()) {
    Mutation m;
    CAIRN_RETURN_IF_ERROR(Mutation::Decode(commit.mutation, &m));
    if (m.key != key || m.updates.size() != 1 || m.updates[0].table_id != table) {
      return Status::InvalidArgument("a Paxos commit whose mutation is not for its partition");
    }
    // A truncated or dropped table has a new id or none: nothing written before the
    // truncation may come back. Otherwise the update and the commit record are one
    // commit log record (system.paxos is keyed by the same partition key): one sync,
    // and never one without the other.
    if (db_->Store(table) != nullptr) {
      m.updates.push_back(StateUpdate(table, kCommit, commit.ballot,
                                      commit.ballot + commit.mutation));
      Status st = db_->Apply(std::move(m));
      // Dropped meanwhile: record the commit alone, below.
      if (!st.IsInvalidArgument()) return st;
    }
  }
  return Save(table, key, kCommit, commit.ballot, commit.ballot + commit.mutation);
}

}  // namespace cairn::node::paxos
