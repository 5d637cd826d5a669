// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The node's schema (keyspaces and their column families, with every option Cassandra's
// KsDef/CfDef carry) and the node-local state that must survive restarts (cluster name,
// host id, tokens), plus SchemaStore, which keeps both in one durable file.
//
// Cassandra keeps this in the system and system_schema keyspaces. Cairn keeps it in a
// file (node/SCHEMA_FORMAT.md) because the storage engine replays the commit log while it
// opens, before it could read a system table, and must already know every user table by
// then. The file is replaced atomically (temporary file, fsync, rename, fsync of the
// directory), so a crash leaves either the old or the new schema, never a mix.
//
// A Schema is an immutable snapshot: readers hold a shared_ptr<const Schema> and never
// see it change; a schema change builds a new snapshot with a new version UUID.
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
#include "common/status.h"
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

// Cassandra 3.x's system keyspaces, in the order describe_keyspaces lists them. They
// are not stored: clients may read their descriptions but never change them.
const std::vector<KeyspaceSchema>& SystemKeyspaces();
bool IsSystemKeyspace(std::string_view name);

// State of this node that must survive restarts (Cassandra's system.local).
struct LocalState {
  std::string cluster_name;
  std::string host_id;               // UUID text form
  std::string partitioner;           // full class name
  std::vector<std::string> tokens;   // the partitioner's token strings
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

// --- Persistence -------------------------------------------------------------------

// Encodes/decodes the whole file (see node/SCHEMA_FORMAT.md). Decode returns Corruption
// naming the file and offset for a damaged file.
std::string EncodeSystemFile(const LocalState& local, const Schema& schema);
Status DecodeSystemFile(std::string_view path, std::string_view contents, LocalState* local,
                        Schema* schema);

class SchemaStore {
 public:
  explicit SchemaStore(std::string path) : path_(std::move(path)) {}

  // Reads the file. NotFound when it does not exist (a new node).
  Status Load(LocalState* local, Schema* schema) const;
  // Atomically replaces the file: write <path>.tmp, fsync, rename, fsync the directory.
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
