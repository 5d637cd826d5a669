// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Coordinator: what the Thrift handler asks of the cluster for reads and writes
// (Cassandra's StorageProxy as CassandraServer sees it). The handler validates and
// converts a request, then calls one of these methods with the consistency level the
// client gave; the coordinator finds the replicas, talks to them and reconciles their
// answers. Results are raw: reconciled partitions with their tombstones, selected by
// the CellFilter; the handler applies Cassandra's result semantics (hiding shadowed
// and expired cells, counts, reversal) on top, exactly as it does for one node.
//
// Implemented by node/storage_proxy.h. Errors:
//   Unavailable   too few live replicas for the consistency level; nothing was sent
//                 (Thrift UnavailableException)
//   TimedOut      too few replicas answered in time (Thrift TimedOutException;
//                 WriteOutcome::acknowledged_by says how many did)
//   InvalidArgument, IOError, Corruption: as from the local storage.
//
// Thread-safety: every method may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/mutation.h"
#include "common/partition.h"
#include "common/partition_iterator.h"
#include "common/status.h"
#include "common/token.h"
#include "node/consistency.h"
#include "node/schema_store.h"

namespace cairn::node {

// A position in ring order. Every key k of token t lies strictly between
// kBeforeAll and kAfterAll, and before TokenEnd(t); keys order as DecoratedKeys.
struct RingPosition {
  enum class Kind : uint8_t { kBeforeAll = 0, kKey = 1, kTokenEnd = 2, kAfterAll = 3 };
  Kind kind = Kind::kBeforeAll;
  Token token;      // kKey, kTokenEnd
  std::string key;  // kKey

  static RingPosition BeforeAll() { return {}; }
  static RingPosition AfterAll() { return {Kind::kAfterAll, {}, {}}; }
  static RingPosition KeyAt(const DecoratedKey& k) { return {Kind::kKey, k.token, k.key}; }
  // After every key whose token is <= t (the exclusive start / inclusive end of the token
  // range (.., t]).
  static RingPosition TokenEnd(Token t) { return {Kind::kTokenEnd, std::move(t), {}}; }

  // <0, 0, >0 as this position sorts before, at or after `k`.
  int CompareTo(const DecoratedKey& k) const;
  friend bool operator==(const RingPosition&, const RingPosition&) = default;
};

// The keys k with start < k (start <= k when start_inclusive) and k <= end.
struct KeyBounds {
  RingPosition start;
  bool start_inclusive = true;
  RingPosition end = RingPosition::AfterAll();

  bool Contains(const DecoratedKey& k) const;
  // True when no key lies past `k` within the bounds' end (k is at or past the end).
  bool EndsAtOrBefore(const DecoratedKey& k) const { return end.CompareTo(k) <= 0; }
  friend bool operator==(const KeyBounds&, const KeyBounds&) = default;
};

// Positions `it` at the first partition that may lie within `bounds` (at or just before
// an exclusive start: callers still check Contains). False when the bounds start after
// every key (nothing to scan).
bool SeekToStart(PartitionIterator* it, const KeyBounds& bounds);

// A table as the coordinator needs it: its keyspace (replication) and schema (id,
// comparator, read repair chances). Both point into a Schema snapshot the caller keeps
// alive for the call.
struct TableRef {
  const KeyspaceSchema* keyspace = nullptr;
  const TableSchema* table = nullptr;
};

// What a write reached, for TimedOutException (acknowledged_by,
// acknowledged_by_batchlog).
struct WriteOutcome {
  int acknowledged_by = 0;
  bool batchlog_written = false;
};

// Increments of counter columns of one partition (Thrift add, counter batch mutations).
struct CounterMutation {
  std::string key;
  TableId table_id;
  std::vector<std::pair<std::string, int64_t>> deltas;  // column name -> delta
  int64_t timestamp = 0;  // the coordinator's clock, µs (the counter cells' timestamp)
};

// A compare-and-set of one partition (Thrift cas).
struct CasRequest {
  std::string key;
  // The condition, on live cells: every (name, value) must be present with that value;
  // empty: the partition must have no live cell at all (Cassandra's "expected empty").
  std::vector<std::pair<std::string, std::string>> expected;
  // Applied when the condition holds; every timestamp is replaced by the ballot's (as
  // Cassandra does: Paxos orders the updates, not the client clocks).
  PartitionUpdate updates;
};

struct CasResult {
  bool success = false;
  // On failure: the live cells the condition looked at, in comparator order (the
  // expected names that exist; for an empty `expected`, the partition's first live
  // cell).
  std::vector<Cell> current;
};

class Coordinator {
 public:
  virtual ~Coordinator() = default;

  // Compare-and-set with Paxos among the partition's replicas (node/storage_proxy.h,
  // "Compare-and-set"): `serial_cl` (SERIAL or LOCAL_SERIAL) chooses the participants,
  // `commit_cl` how many replicas must apply the committed update before success is
  // answered (ANY: accepted by a Paxos quorum is enough). TimedOut when the rounds do
  // not finish within cas_contention_timeout (the update may or may not apply later).
  virtual Result<CasResult> Cas(const TableRef& table, CasRequest request,
                                ConsistencyLevel serial_cl, ConsistencyLevel commit_cl) {
    (void)table;
    (void)request;
    (void)serial_cl;
    (void)commit_cl;
    return Status::NotSupported("compare-and-set is not supported by this coordinator");
  }

  // Applies counter increments (Cassandra 2.1+ counters, common/counter.h): one replica
  // leads (this node if it is a replica, else the closest live one), adds the deltas to
  // its own shard under a lock, writes the new shard through its commit log and
  // replicates it like a write at `cl`. NotSupported unless implemented.
  virtual Status MutateCounter(const KeyspaceSchema& keyspace, CounterMutation mutation,
                               ConsistencyLevel cl, WriteOutcome* outcome) {
    (void)keyspace;
    (void)mutation;
    (void)cl;
    (void)outcome;
    return Status::NotSupported("counters are not supported by this coordinator");
  }

  // Applies `mutations` (each one partition of `keyspace`) on their replicas and waits
  // until `cl` is met for every one of them. `outcome` (optional) is filled on
  // TimedOut.
  virtual Status Mutate(const KeyspaceSchema& keyspace, std::vector<Mutation> mutations,
                        ConsistencyLevel cl, WriteOutcome* outcome) = 0;
  // Mutate without holding the calling thread: `done` is called exactly once with what
  // Mutate would return (and the outcome it would fill), from any thread, possibly
  // before MutateAsync returns (Unavailable, or a standalone node in periodic mode). It
  // runs on a network, commit-log or calling thread: it must be quick and must not
  // block. `keyspace` is only needed during the call. The default runs Mutate.
  using WriteDone = std::function<void(const Status&, const WriteOutcome&)>;
  virtual void MutateAsync(const KeyspaceSchema& keyspace, std::vector<Mutation> mutations,
                           ConsistencyLevel cl, WriteDone done) {
    WriteOutcome outcome;
    Status st = Mutate(keyspace, std::move(mutations), cl, &outcome);
    done(st, outcome);
  }
  // Same, atomically (atomic_batch_mutate): the batch is first stored in the batch log
  // of other nodes, so all of it is applied eventually even if this node dies midway.
  virtual Status MutateAtomically(const KeyspaceSchema& keyspace,
                                  std::vector<Mutation> mutations, ConsistencyLevel cl,
                                  WriteOutcome* outcome) = 0;

  // Reads the partitions `keys` of `table` selected by `filter` at `cl`: one entry per
  // key, in order; nullopt where no replica has the partition. SERIAL and LOCAL_SERIAL
  // (one key only, else InvalidArgument "SERIAL/LOCAL_SERIAL consistency may only be
  // requested for one partition at a time") first finish any Paxos round in progress
  // for the partition, then read at QUORUM / LOCAL_QUORUM.
  virtual Result<std::vector<std::optional<PartitionUpdate>>> Read(
      const TableRef& table, const std::vector<std::string>& keys, const CellFilter& filter,
      ConsistencyLevel cl) = 0;

  // Read without holding the calling thread: `done` is called exactly once with what
  // Read would return, from any thread, possibly before ReadAsync returns. It must be
  // quick and must not block. The Schema snapshot `table` points into must stay alive
  // until `done` has run (capture it in `done`). The default runs Read.
  using ReadResult = Result<std::vector<std::optional<PartitionUpdate>>>;
  using ReadDone = std::function<void(ReadResult)>;
  virtual void ReadAsync(const TableRef& table, std::vector<std::string> keys, CellFilter filter,
                         ConsistencyLevel cl, ReadDone done) {
    done(Read(table, keys, filter, cl));
  }

  // Walks the partitions of `table` within `bounds` (a list of non-overlapping bounds
  // in ring order) in ring order, calling `visit` with each reconciled partition until
  // it returns false or the bounds end. `page_rows` is how many partitions to fetch per
  // round trip (the caller's row count is a good value).
  using RangeVisitor = std::function<bool(const DecoratedKey&, PartitionUpdate)>;
  virtual Status ScanRange(const TableRef& table, const std::vector<KeyBounds>& bounds,
                           const CellFilter& filter, int32_t page_rows, ConsistencyLevel cl,
                           const RangeVisitor& visit) = 0;

  // Truncates the table on every node (Unavailable when one is down).
  virtual Status Truncate(const std::string& keyspace, const std::string& table) = 0;
};

}  // namespace cairn::node
