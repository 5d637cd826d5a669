// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Database: one node's local data and schema (Cassandra's Schema + MigrationManager +
// the local half of StorageProxy on a single node). It owns the StorageEngine and keeps
// the schema in the engine's system tables (node/schema_store.h, node/SCHEMA_FORMAT.md):
//
//   - a schema change is validated, written as a mutation of the system tables through
//     the engine (commit log + memtable), and those tables are flushed before the change
//     is applied to the engine's user tables and acknowledged (Cassandra's
//     SchemaKeyspace.flush()), so the next startup finds it in SSTables;
//   - every change gets a new schema version UUID (describe_schema_versions), a digest
//     of the schema, so it is the same after a restart;
//   - truncate gives the table a fresh id (StorageEngine::ReplaceTable) and deletes the
//     old files, so nothing written before it can come back, not even from replay.
//
// Startup (Open), which must know every table before the commit log is replayed:
//   1. open the system tables' stores on their own and decode the schema and the node's
//      identity from their SSTables (or migrate a legacy schema.cairn file once);
//   2. open the StorageEngine with the system tables and every user table; it replays
//      the commit log for all of them;
//   3. read the schema again through the engine: a schema mutation that reached the
//      commit log but not an SSTable (a crash before the change was acknowledged) was
//      just replayed, so tables it created are added and tables it dropped removed;
//   4. a new node chooses its host id and tokens and writes them to system.local;
//   5. the saved peers are read from system.peers through the engine, after replay: a
//      peer is written through the commit log only (never flushed on its own), so one
//      saved just before a crash is found in the replayed memtable.
// A corrupt system table stops the startup with Corruption naming the file or cell.
//
// Reads and writes go straight to the engine; the Thrift handler (thrift/) validates,
// converts and applies Cassandra's result semantics on top.
//
// Thread-safety: every method may be called concurrently. Schema changes are serialized
// by `schema_mu_`; readers take an immutable snapshot with schema().
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "node/schema_store.h"
#include "node/storage_engine.h"
#include "ring/partitioner.h"

namespace cairn::node {

struct DatabaseOptions {
  // Storage settings (directories, commit log mode, memtable space, compactors).
  // engine.partitioner is overwritten with `partitioner`'s name.
  StorageEngineOptions engine;
  // A legacy system file (the schema before it moved into system tables), read once
  // when the system tables are empty and renamed to <file>.migrated afterwards.
  // Default: <engine.data_directory>/../system/schema.cairn (see node/SCHEMA_FORMAT.md).
  std::string legacy_system_file;
  // Must match the name saved by earlier runs. Default: "Test Cluster".
  std::string cluster_name = "Test Cluster";
  // Partitioner class, short or full name. Default: Murmur3Partitioner.
  std::string partitioner = "org.apache.cassandra.dht.Murmur3Partitioner";
  // Tokens for a new node: initial_tokens when given, else num_tokens random ones.
  // Ignored when system.local already holds tokens.
  int num_tokens = 16;
  std::vector<std::string> initial_tokens;
  // This node's datacenter and rack (for replica counting and describe_ring).
  std::string datacenter = "datacenter1";
  std::string rack = "rack1";
  // When true, a new node without initial_tokens is created with no tokens: its owner
  // (node/storage_service.h) chooses them once it has learned the ring from gossip and
  // saves them with SetTokens. Default: false (num_tokens random tokens at Open).
  bool defer_new_tokens = false;
};

class Database {
 public:
  // Reads the schema from the system tables (creating the node's identity on first
  // start), then opens the storage engine with every table, replaying the commit log.
  // See the file comment for the order.
  static Result<std::unique_ptr<Database>> Open(DatabaseOptions options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  std::shared_ptr<const Schema> schema() const;
  const LocalState& local() const { return local_; }
  const ring::Partitioner& partitioner() const { return *partitioner_; }
  const DatabaseOptions& options() const { return options_; }
  // The node's tokens, sorted (a copy: SetTokens may replace them concurrently). Empty
  // for a new node opened with defer_new_tokens until SetTokens.
  std::vector<Token> tokens() const;

  // ---- Cluster membership (node/storage_service.h) ----
  // Saves this node's tokens (partitioner strings) in system.local, flushed.
  // InvalidArgument for an unparsable token.
  Status SetTokens(const std::vector<std::string>& tokens);
  // The gossip generation saved by the last start, if any (system.local cell
  // "gossip_generation", decimal text).
  std::optional<int32_t> saved_gossip_generation() const { return saved_generation_; }
  // Saves the generation this start uses (Cassandra's
  // SystemKeyspace.incrementAndGetGeneration), flushed before gossip announces it.
  Status SaveGossipGeneration(int32_t generation);
  // Other cells of this node's system.local row that membership keeps (bootstrap state,
  // ranges already streamed): the saved value, nullopt when never saved.
  std::optional<std::string> GetLocalCell(std::string_view name) const;
  // Saves (replaces) one such cell, flushed before it returns. InvalidArgument for the
  // names Database itself manages (tokens, host id, ...).
  Status SaveLocalCell(std::string_view name, std::string value);
  // ---- Saved peers (system.peers; node/storage_service.h keeps them) ----
  // The peers saved by this and earlier runs, by endpoint (a copy).
  std::map<std::string, PeerInfo> peers() const;
  // Saves `peer` (every field, one mutation) unless the saved row is identical: true when
  // it wrote. Durable as any write (the commit log; in batch mode fdatasync'd before it
  // returns), not flushed. InvalidArgument for an empty endpoint.
  Result<bool> SavePeer(const PeerInfo& peer);
  // Deletes the peer's row (partition tombstone); true when there was one.
  Result<bool> RemovePeer(const std::string& endpoint);

  // The schema as mutations of the two schema tables, one per partition, tombstones
  // included, each encoded with Mutation::EncodeTo (the SCHEMA_PULL response).
  Result<std::vector<std::string>> SchemaMutations() const;
  // Merges a peer's schema mutations (SchemaMutations of another node) into the schema
  // tables: cells reconcile by timestamp, so merging in any order converges. Tables the
  // merged schema adds are opened, tables it drops are closed and their files removed.
  // Returns whether the schema version changed. Corruption for an undecodable mutation;
  // InvalidArgument for one that is not for a schema table.
  Result<bool> MergeSchemaMutations(const std::vector<std::string>& encoded);

  // Schema changes. Each returns the new schema version, or InvalidArgument with
  // Cassandra's message (unknown/existing keyspace or table, bad names or options).
  // Tables in `ks` are created with it; table ids are assigned here.
  Result<std::string> AddKeyspace(KeyspaceSchema ks);
  // Changes strategy, options and durable_writes; the tables stay.
  Result<std::string> UpdateKeyspace(KeyspaceSchema ks);
  Result<std::string> DropKeyspace(const std::string& name);
  Result<std::string> AddTable(TableSchema table);
  // Replaces a table's options; its id (and data) stay.
  Result<std::string> UpdateTable(TableSchema table);
  Result<std::string> DropTable(const std::string& keyspace, const std::string& name);
  // Removes every row of a table (Cassandra's truncate). The table continues under a
  // new id: `new_id` when given (a cluster-wide truncate, the coordinator chose it, so
  // every node agrees), else a fresh one. Truncating to the id the table already has
  // does nothing (a repeated request, or the schema pull got here first).
  Status Truncate(const std::string& keyspace, const std::string& name,
                  const TableId& new_id = TableId());

  // Durably applies a mutation (see StorageEngine::Apply). Adds nothing on top of the
  // engine: the writes Database makes itself to the system tables (schema, local,
  // peers) go to the engine directly, under their own locks.
  Status Apply(Mutation mutation);
  // The same write without a thread blocked until it is acknowledged: `done` is called
  // exactly once, with the contract of StorageEngine::ApplyAsync (inline for errors and
  // in periodic mode, else on the commit log's sync thread; quick, non-blocking, no
  // Apply/Drain/Close from inside it).
  void ApplyAsync(Mutation mutation, StorageEngine::WriteCallback done);
  // The store of a table, or nullptr when it was dropped meanwhile.
  std::shared_ptr<ColumnFamilyStore> Store(const TableId& id) const;
  DecoratedKey Decorate(std::string_view key) const { return partitioner_->Decorate(key); }

  // The storage engine, for the admin endpoint (node/admin_server.h: per-table sizes,
  // flush, major compaction, metrics) and the LOAD gossip figure. Schema changes must go
  // through Database, never through the engine.
  StorageEngine& engine() const { return *engine_; }
  // Bytes of live SSTables over every table, system tables included (Cassandra's
  // StorageMetrics.load: nodetool status's Load, gossip's LOAD).
  uint64_t LiveSSTableBytes() const {
    uint64_t total = 0;
    for (const auto& cfs : engine_->Tables()) total += cfs->live_sstable_bytes();
    return total;
  }

  // Flushes every memtable (nodetool drain / SIGTERM).
  Status Drain();
  // Drains and closes the engine. Idempotent.
  Status Close();

 private:
  explicit Database(DatabaseOptions options);
  // Reads the system tables from their SSTables alone (startup step 1).
  Status ReadSchemaFromDisk(StoredSchema* out) const;
  // Reads the system tables through the open engine (memtables included).
  Status ReadSchemaFromEngine(StoredSchema* out) const;
  Status CheckIdentity(const LocalState& local) const;
  // Reads the saved gossip generation from system.local into saved_generation_.
  Status ReadSavedGeneration();
  // Reads system.peers through the engine into peers_ (startup step 5).
  Status ReadPeers();
  // A system.peers write timestamp (µs) above every earlier one. REQUIRES: peers_mu_ held.
  int64_t NextPeerTimestamp();
  // Opens user tables of schema_ the engine lacks and drops tables it no longer names.
  Status ReconcileEngineTables();
  // A write timestamp (µs) above every earlier schema write. REQUIRES: schema_mu_ held.
  int64_t NextTimestamp();
  // Writes `mutations` to the system tables, flushes them, and makes `next` current.
  // REQUIRES: schema_mu_ held.
  Status Publish(std::shared_ptr<Schema> next, std::vector<Mutation> mutations);
  std::shared_ptr<Schema> CopySchema() const;
  Status PrepareTable(TableSchema* table) const;
  void RemoveTableFiles(const TableMetadata& table) const;

  const DatabaseOptions options_;
  std::shared_ptr<const ring::Partitioner> partitioner_;
  LocalState local_;                         // GUARDED_BY(snapshot_mu_) once open
  std::vector<Token> tokens_;                // GUARDED_BY(snapshot_mu_)
  std::optional<int32_t> saved_generation_;  // read at Open
  std::map<std::string, std::string, std::less<>> local_cells_;  // GUARDED_BY(snapshot_mu_)
  std::unique_ptr<StorageEngine> engine_;

  std::mutex schema_mu_;         // serializes schema changes
  int64_t last_timestamp_ = 0;   // GUARDED_BY(schema_mu_)
  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const Schema> schema_;  // GUARDED_BY(snapshot_mu_)

  // Serializes system.peers writes (held across the engine's Apply, so the table and
  // peers_ change in the same order; only the gossip thread writes peers).
  mutable std::mutex peers_mu_;
  std::map<std::string, PeerInfo> peers_;  // GUARDED_BY(peers_mu_)
  int64_t last_peer_timestamp_ = 0;        // GUARDED_BY(peers_mu_)
};

}  // namespace cairn::node
