// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The node's schema (keyspaces and their column families, with every option Cassandra's
// KsDef/CfDef carry) and the node-local state that must survive restarts (cluster name,
// host id, tokens), and how both are stored: in system tables written through the
// storage engine, as Cassandra's SchemaKeyspace and SystemKeyspace do
// (node/SCHEMA_FORMAT.md):
//
//   system_schema.keyspaces  one partition per keyspace (replication, durable_writes)
//   system_schema.tables     one partition per keyspace, one cell per column family
//   system.local             one partition "local" (cluster name, host id, tokens...)
//   system.peers             one partition per peer endpoint (tokens, host id, dc, rack...)
//
// Those tables have fixed ids derived from their names, so the node can open and read
// them before it knows anything else (see Database::Open for the startup order).
// This file holds the codec: schema changes as Mutations of the system tables, and the
// decoding of those tables' content back into a Schema, a LocalState and PeerInfos.
//
// A Schema is an immutable snapshot: readers hold a shared_ptr<const Schema> and never
// see it change; a schema change builds a new snapshot with a new version UUID (a
// digest of the schema, as Cassandra's schema version is).
// Validation messages follow Cassandra's KeyspaceMetadata/CFMetaData/
// AbstractReplicationStrategy, so clients see the same errors.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/marshal.h"
#include "common/mutation.h"
#include "common/status.h"
#include "node/column_family_store.h"
#include "node/schema.h"

namespace cairn::node {

// A statically declared column of a column family (Thrift ColumnDef).
struct ColumnDefinition {
  std::string name;  // raw bytes, valid for the comparator
  TypePtr validator;
  std::optional<int32_t> index_type;  // Thrift IndexType when an index is declared
  std::string index_name;
  std::map<std::string, std::string> index_options;
};

struct TriggerDefinition {
  std::string name;
  std::map<std::string, std::string> options;
};

// One column family with every option Cassandra 3.x keeps. The storage-relevant part is
// `metadata`; the rest is stored and echoed back to clients.
struct TableSchema {
  TableMetadata metadata;  // keyspace, name, id, comparator, validators, gc_grace, ttl...
  bool is_super = false;
  TypePtr subcomparator;   // super column families only
  std::string comment;
  double read_repair_chance = 0.0;
  double dclocal_read_repair_chance = 0.1;
  std::vector<ColumnDefinition> column_metadata;
  std::string compaction_strategy =
      "org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy";
  std::map<std::string, std::string> compaction_strategy_options;
  std::map<std::string, std::string> compression_options = {
      {"sstable_compression", "org.apache.cassandra.io.compress.SnappyCompressor"},
      {"chunk_length_kb", "64"}};
  std::string caching = "KEYS_ONLY";
  std::string cells_per_row_to_cache = "0";
  std::string speculative_retry = "99PERCENTILE";
  int32_t min_index_interval = 128;
  int32_t max_index_interval = 2048;
  int32_t memtable_flush_period_in_ms = 0;
  std::vector<TriggerDefinition> triggers;
  std::optional<std::string> key_alias;

  bool IsCounter() const { return metadata.default_validator->IsCounter(); }
  // The validator of a cell value: the column's own, else the default validator.
  const AbstractType& ValueValidator(std::string_view name) const;
};

struct KeyspaceSchema {
  std::string name;
  // Full class name, e.g. "org.apache.cassandra.locator.SimpleStrategy".
  std::string strategy_class;
  std::map<std::string, std::string> strategy_options;
  bool durable_writes = true;
  std::vector<TableSchema> tables;

  const TableSchema* FindTable(std::string_view name) const;
};

// An immutable schema snapshot.
struct Schema {
  std::map<std::string, KeyspaceSchema> keyspaces;  // user keyspaces only
  std::string version;                              // UUID text form

  const KeyspaceSchema* FindKeyspace(std::string_view name) const;
  const TableSchema* FindTable(std::string_view keyspace, std::string_view name) const;
};

// Cassandra 3.x's system keyspaces, in the order describe_keyspaces lists them. Their
// descriptions are fixed (not stored); clients may read them but never change them.
const std::vector<KeyspaceSchema>& SystemKeyspaces();
bool IsSystemKeyspace(std::string_view name);

// State of this node that must survive restarts (Cassandra's system.local).
struct LocalState {
  std::string cluster_name;
  std::string host_id;               // UUID text form
  std::string partitioner;           // full class name
  std::vector<std::string> tokens;   // the partitioner's token strings
};

// A peer of this node as it was last seen NORMAL in gossip (Cassandra's system.peers
// row), so a restarted node knows the ring before gossip tells it again
// (node/storage_service.h). Empty strings are unknown values.
struct PeerInfo {
  std::string endpoint;             // the peer's gossip name ("addr" or "addr:port")
  std::vector<std::string> tokens;  // the partitioner's token strings
  std::string host_id;              // UUID text form
  std::string data_center;
  std::string rack;
  std::string rpc_address;
  std::string release_version;
  std::string schema_version;

  friend bool operator==(const PeerInfo&, const PeerInfo&) = default;
};

// --- Validation (Cassandra's messages) ----------------------------------------------

// Names: 1-48 characters from [A-Za-z0-9_].
bool IsValidSchemaName(std::string_view name);
// Resolves a strategy class name (short or full) to its full name; InvalidArgument
// "Unable to find replication strategy class '...'" otherwise.
Result<std::string> ResolveStrategyClass(std::string_view name);
// Checks the strategy options (SimpleStrategy needs replication_factor, RFs numeric...).
Status ValidateReplication(const KeyspaceSchema& ks);
// Checks names, types already parsed, option ranges.
Status ValidateTable(const TableSchema& table);

// Replica counts of a keyspace as seen from a single node in `local_dc`:
//   total: the replication factor over all datacenters;
//   live:  replicas this node can stand for (1 when it replicates the keyspace, else 0);
//   per_dc: replication factor per datacenter (NetworkTopologyStrategy only).
struct ReplicaCounts {
  int total = 0;
  int local_dc = 0;
  std::map<std::string, int> per_dc;
  bool network_topology = false;
};
ReplicaCounts CountReplicas(const KeyspaceSchema& ks, std::string_view local_dc);

// --- System tables (node/SCHEMA_FORMAT.md) ---------------------------------------

// system_schema.keyspaces, system_schema.tables, system.local and system.peers, with
// fixed ids.
const TableMetadata& SchemaKeyspacesTable();
const TableMetadata& SchemaTablesTable();
const TableMetadata& SystemLocalTable();
const TableMetadata& SystemPeersTable();
// system.paxos: Paxos acceptor state of compare-and-set (node/paxos_state.h), with
// BytesType names and keys (user partition keys are arbitrary bytes).
const TableMetadata& SystemPaxosTable();
// The three tables Database::Open reads before the engine opens (the schema and the
// node's identity, flushed on every change), in DecodeSchemaTables() order:
// system_schema.keyspaces, system_schema.tables, system.local.
std::vector<TableMetadata> SchemaAndLocalTables();
// Every system table the engine opens: SchemaAndLocalTables(), then system.peers and
// system.paxos (durable through the commit log only, read after replay).
std::vector<TableMetadata> SystemTables();
// The fixed id of a system table: the first 16 bytes of XXH3-128("<keyspace>.<table>")
// with the UUID version nibble set to 8 (custom) and the IETF variant.
TableId SystemTableId(std::string_view keyspace, std::string_view table);

// Schema changes as mutations of the system tables (one partition per keyspace, so a
// keyspace with its tables is one atomic commit log record). `timestamp` is in µs and
// must exceed every timestamp already in those tables; `now` is in seconds.
// Writes the keyspace row and, when `with_tables`, every table of `ks`.
Mutation KeyspaceMutation(const KeyspaceSchema& ks, bool with_tables, int64_t timestamp);
// Deletes the keyspace row and every table of the keyspace (partition tombstones).
Mutation DropKeyspaceMutation(const std::string& keyspace, int64_t timestamp, int32_t now);
// Writes (creates or replaces) one table definition.
Mutation TableMutation(const TableSchema& table, int64_t timestamp);
// Deletes one table definition.
Mutation DropTableMutation(const std::string& keyspace, const std::string& table,
                           int64_t timestamp, int32_t now);
// Writes this node's identity to system.local.
Mutation LocalStateMutation(const LocalState& local, int64_t timestamp);
// Writes every field of a peer's system.peers row (one partition, so the row changes
// atomically; a field no longer known is written as "").
Mutation PeerMutation(const PeerInfo& peer, int64_t timestamp);
// Deletes a peer's row (a partition tombstone).
Mutation RemovePeerMutation(const std::string& endpoint, int64_t timestamp, int32_t now);

// The live content of one system table: (partition key, live cells) in token order,
// deletions applied.
struct SystemTableContent {
  std::vector<std::pair<std::string, std::vector<Cell>>> partitions;
  int64_t max_timestamp = 0;  // highest timestamp seen, tombstones included
};
// Scans a system table's store (memtables and SSTables merged). Corrupt SSTables give
// Corruption naming the file and offset.
Status ReadSystemTable(const ColumnFamilyStore& store, int32_t now, SystemTableContent* out);

// What the system tables hold.
struct StoredSchema {
  bool has_local = false;  // false on a new node
  LocalState local;
  Schema schema;              // version filled in by SchemaVersion()
  int64_t max_timestamp = 0;  // of the schema tables, for the next change's timestamp
};
// Decodes the three tables (SchemaAndLocalTables() order). A malformed cell gives
// Corruption naming the table, partition and cell.
Status DecodeSchemaTables(const SystemTableContent& keyspaces, const SystemTableContent& tables,
                          const SystemTableContent& local, StoredSchema* out);
// Decodes system.peers, by endpoint. A malformed tokens cell gives Corruption naming the
// table, partition and cell; unknown cells are ignored.
Status DecodePeers(const SystemTableContent& peers, std::map<std::string, PeerInfo>* out);
// The schema version: a UUID (version 3 layout) of the XXH3-128 digest of the schema's
// encoding, so equal schemas have equal versions, across restarts and nodes.
std::string SchemaVersion(const Schema& schema);

// --- Legacy system file (before system tables) -------------------------------------

// Cairn first kept the schema in <data>/../system/schema.cairn (layout in the "Legacy
// system file" section of node/SCHEMA_FORMAT.md). Database::Open reads such a file once,
// writes its content into the system tables and renames it to schema.cairn.migrated.
// Decode returns Corruption naming the file and offset for a damaged file.
std::string EncodeSystemFile(const LocalState& local, const Schema& schema);
Status DecodeSystemFile(std::string_view path, std::string_view contents, LocalState* local,
                        Schema* schema);

class LegacySystemFile {
 public:
  explicit LegacySystemFile(std::string path) : path_(std::move(path)) {}

  // Reads the file. NotFound when it does not exist.
  Status Load(LocalState* local, Schema* schema) const;
  // Atomically replaces the file: write <path>.tmp, fsync, rename, fsync the directory.
  // Only tests write legacy files now.
  Status Save(const LocalState& local, const Schema& schema) const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A random version 4 UUID in text form.
std::string NewUuidString();
// Text form of 16 UUID bytes.
std::string UuidToString(std::string_view bytes16);

}  // namespace cairn::node
