// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Paxos acceptor state for compare-and-set (Cassandra's PaxosState + the system.paxos
// table). The coordinator side (prepare/propose/commit rounds, contention, SERIAL
// reads) is in node/storage_proxy_paxos.cc; node/storage_proxy.h describes it.
//
// Every (table, partition) is its own Paxos instance sequence. A replica keeps, per
// instance:
//   promised   the highest ballot it promised (prepare) — it accepts nothing older;
//   accepted   the last proposal it accepted (ballot + mutation), possibly unfinished;
//   committed  the most recent commit it learned (ballot + mutation).
// They live in the node-local table system.paxos (node/SCHEMA_FORMAT.md, "system.paxos"):
// partition key = the user partition key, one cell per field named <16-byte table
// id><field> ("promise", "accepted", "commit"), written through the commit log (so they
// are durable before the replica answers and are replayed after a crash) with the
// ballot's µs as the cell timestamp and a TTL of max(3 h, the table's gc_grace). A
// value starts with the ballot's 16 bytes, so of two writes with the same timestamp the
// newer ballot wins reconciliation (higher value): stale rounds can never overwrite a
// newer state, whatever order messages arrive in.
//
// Ballots are timeuuid-like: 16 bytes whose byte order is the ballot order — the µs
// timestamp (big-endian, sign bit flipped) then 8 bytes unique to the proposer (a hash
// of its host id and a random number). The empty string is "no ballot", older than all.
//
// Thread-safety: PaxosStore's methods may be called concurrently; prepare and propose
// of one partition are serialized by a striped lock (read, decide, write).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "common/mutation.h"
#include "common/status.h"
#include "node/database.h"

namespace cairn::node::paxos {

using Ballot = std::string;  // 16 bytes, or empty (none)

// The ballot for time `micros` from the proposer `unique`.
Ballot MakeBallot(int64_t micros, uint64_t unique);
// The µs timestamp of a ballot (INT64_MIN for the empty ballot).
int64_t BallotMicros(std::string_view ballot);
// "<micros>.<16 hex digits>", or "none": for logs.
std::string BallotToString(std::string_view ballot);

// A proposal or a commit: a ballot and the mutation it carries (Mutation::EncodeTo of
// one partition of one table, with every timestamp set from the ballot). An empty
// mutation is a bare ballot (a promise with nothing accepted).
struct Commit {
  Ballot ballot;
  std::string mutation;

  bool HasUpdate() const { return !mutation.empty(); }
  // Strictly newer ballot than `other`.
  bool IsAfter(const Commit& other) const { return ballot > other.ballot; }
  friend bool operator==(const Commit&, const Commit&) = default;
};

struct State {
  Ballot promised;
  Commit accepted;
  Commit committed;
};

// The answer to a prepare: promised, with the replica's accepted proposal and latest
// commit; or refused, with the ballot it promised instead (in_progress.ballot) so the
// coordinator retries above it.
struct PrepareResult {
  bool promised = false;
  Commit in_progress;
  Commit most_recent_commit;
};

class PaxosStore {
 public:
  // `db` must outlive the store and have system.paxos open (node/schema_store.h
  // SystemPaxosTable(), one of SystemTables()).
  explicit PaxosStore(Database* db);

  // Promises `ballot` if it is newer than every ballot promised so far.
  Result<PrepareResult> Prepare(const TableId& table, const std::string& key,
                                const Ballot& ballot);
  // Accepts `proposal` unless a newer ballot was promised; true when accepted.
  Result<bool> Propose(const TableId& table, const std::string& key,
                       const paxos::Commit& proposal);
  // Applies the committed mutation to its table (skipped when the table is gone:
  // dropped, or truncated since — truncation gives the table a new id) and records
  // the commit. Always safe to repeat or to receive late: cell timestamps decide.
  Status Commit(const TableId& table, const std::string& key, const paxos::Commit& commit);

  Result<State> Load(const TableId& table, const std::string& key) const;

 private:
  // The system.paxos update writing one field of (table, partition).
  Mutation::Update StateUpdate(const TableId& table, std::string_view field,
                               const Ballot& ballot, std::string value) const;
  Status Save(const TableId& table, const std::string& key, std::string_view field,
              const Ballot& ballot, std::string value);
  std::mutex& LockFor(const TableId& table, const std::string& key);

  Database* const db_;
  static constexpr size_t kStripes = 1024;
  std::array<std::mutex, kStripes> locks_;
};

}  // namespace cairn::node::paxos
