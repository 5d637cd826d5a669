// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// CassandraHandler: the implementation of the 45 methods of the Thrift service
// `Cassandra` on one node (Cassandra's CassandraServer + ThriftValidation).
//
// Each method follows the same shape: validate (Cassandra's checks, in Cassandra's
// order, with its messages) -> convert to Cairn types -> check the consistency level
// against the keyspace's replicas -> call the node::Database -> convert the result, with
// Cassandra's read semantics (shadowed and expired cells hidden, counts, reversal).
//
// One handler exists per client connection and holds that session's state (keyspace
// from set_keyspace, the logged-in user); a connection runs one request at a time, so
// the handler needs no lock. The shared ServerContext is immutable.
//
// Counters (add, remove_counter, counter columns in batch_mutate, counter reads) go
// through Coordinator::MutateCounter (common/counter.h).
// Not built yet, answered with InvalidRequestException saying so: cas, the CQL methods, reads and writes on super column families, and
// secondary index scans (get_indexed_slices: no column is ever indexed). trace_next_query
// has no declared exception, so it fails with a TApplicationException naming the gap.
#pragma once

#include <memory>
#include <string>

#include "gen-cpp/Cassandra.h"
#include "gen-cpp/cassandra_constants.h"
#include "node/cluster_view.h"
#include "node/coordinator.h"
#include "node/database.h"
#include "thrift/async_dispatch.h"

namespace cairn::thrift {

namespace gen = ::cairn::cassandra;

// What every connection's handler shares. Immutable after construction.
struct ServerContext {
  node::Database* db = nullptr;
  std::string cluster_name;
  std::string snitch;          // full class name
  std::string listen_address;  // this node's endpoint in describe_ring/schema versions
  std::string rpc_address;
  // describe_ring/_local_ring/_token_map/_schema_versions answer from it when set (a
  // cairnd node); nullptr answers as a single node (in-process tests).
  const node::ClusterView* cluster = nullptr;
  // Where reads and writes go (node/coordinator.h). Required.
  node::Coordinator* coordinator = nullptr;
};

class CassandraHandler : public gen::CassandraIf, public AsyncDispatch {
 public:
  explicit CassandraHandler(std::shared_ptr<const ServerContext> context);

  // insert, remove, batch_mutate, get, get_slice, get_count and multiget_slice/_count
  // (thrift/async_dispatch.h): validated on the I/O thread like their synchronous forms,
  // then handed to Coordinator::MutateAsync / ReadAsync; the reply is sent when the
  // consistency level is met (or cannot be). A batch with counter mutations runs
  // synchronously in the call. atomic_batch_mutate and every other method: false (the
  // synchronous processor runs them).
  bool DispatchAsync(const std::string& name, int32_t seqid,
                     apache::thrift::protocol::TProtocol* in, Reply reply) override;

  void login(const gen::AuthenticationRequest& auth_request) override;
  void set_keyspace(const std::string& keyspace) override;
  void get(gen::ColumnOrSuperColumn& _return, const std::string& key,
           const gen::ColumnPath& column_path,
           const gen::ConsistencyLevel::type consistency_level) override;
  void get_slice(std::vector<gen::ColumnOrSuperColumn>& _return, const std::string& key,
                 const gen::ColumnParent& column_parent, const gen::SlicePredicate& predicate,
                 const gen::ConsistencyLevel::type consistency_level) override;
  int32_t get_count(const std::string& key, const gen::ColumnParent& column_parent,
                    const gen::SlicePredicate& predicate,
                    const gen::ConsistencyLevel::type consistency_level) override;
  void multiget_slice(std::map<std::string, std::vector<gen::ColumnOrSuperColumn>>& _return,
                      const std::vector<std::string>& keys,
                      const gen::ColumnParent& column_parent,
                      const gen::SlicePredicate& predicate,
                      const gen::ConsistencyLevel::type consistency_level) override;
  void multiget_count(std::map<std::string, int32_t>& _return,
                      const std::vector<std::string>& keys,
                      const gen::ColumnParent& column_parent,
                      const gen::SlicePredicate& predicate,
                      const gen::ConsistencyLevel::type consistency_level) override;
  void get_range_slices(std::vector<gen::KeySlice>& _return,
                        const gen::ColumnParent& column_parent,
                        const gen::SlicePredicate& predicate, const gen::KeyRange& range,
                        const gen::ConsistencyLevel::type consistency_level) override;
  void get_paged_slice(std::vector<gen::KeySlice>& _return, const std::string& column_family,
                       const gen::KeyRange& range, const std::string& start_column,
                       const gen::ConsistencyLevel::type consistency_level) override;
  void get_indexed_slices(std::vector<gen::KeySlice>& _return,
                          const gen::ColumnParent& column_parent,
                          const gen::IndexClause& index_clause,
                          const gen::SlicePredicate& column_predicate,
                          const gen::ConsistencyLevel::type consistency_level) override;
  void insert(const std::string& key, const gen::ColumnParent& column_parent,
              const gen::Column& column,
              const gen::ConsistencyLevel::type consistency_level) override;
  void add(const std::string& key, const gen::ColumnParent& column_parent,
           const gen::CounterColumn& column,
           const gen::ConsistencyLevel::type consistency_level) override;
  void cas(gen::CASResult& _return, const std::string& key, const std::string& column_family,
           const std::vector<gen::Column>& expected, const std::vector<gen::Column>& updates,
           const gen::ConsistencyLevel::type serial_consistency_level,
           const gen::ConsistencyLevel::type commit_consistency_level) override;
  void remove(const std::string& key, const gen::ColumnPath& column_path,
              const int64_t timestamp,
              const gen::ConsistencyLevel::type consistency_level) override;
  void remove_counter(const std::string& key, const gen::ColumnPath& path,
                      const gen::ConsistencyLevel::type consistency_level) override;
  void batch_mutate(
      const std::map<std::string, std::map<std::string, std::vector<gen::Mutation>>>&
          mutation_map,
      const gen::ConsistencyLevel::type consistency_level) override;
  void atomic_batch_mutate(
      const std::map<std::string, std::map<std::string, std::vector<gen::Mutation>>>&
          mutation_map,
      const gen::ConsistencyLevel::type consistency_level) override;
  void truncate(const std::string& cfname) override;
  void get_multi_slice(std::vector<gen::ColumnOrSuperColumn>& _return,
                       const gen::MultiSliceRequest& request) override;
  void describe_schema_versions(std::map<std::string, std::vector<std::string>>& _return) override;
  void describe_keyspaces(std::vector<gen::KsDef>& _return) override;
  void describe_cluster_name(std::string& _return) override;
  void describe_version(std::string& _return) override;
  void describe_ring(std::vector<gen::TokenRange>& _return, const std::string& keyspace) override;
  void describe_local_ring(std::vector<gen::TokenRange>& _return,
                           const std::string& keyspace) override;
  void describe_token_map(std::map<std::string, std::string>& _return) override;
  void describe_partitioner(std::string& _return) override;
  void describe_snitch(std::string& _return) override;
  void describe_keyspace(gen::KsDef& _return, const std::string& keyspace) override;
  void describe_splits(std::vector<std::string>& _return, const std::string& cfName,
                       const std::string& start_token, const std::string& end_token,
                       const int32_t keys_per_split) override;
  void trace_next_query(std::string& _return) override;
  void describe_splits_ex(std::vector<gen::CfSplit>& _return, const std::string& cfName,
                          const std::string& start_token, const std::string& end_token,
                          const int32_t keys_per_split) override;
  void system_add_column_family(std::string& _return, const gen::CfDef& cf_def) override;
  void system_drop_column_family(std::string& _return, const std::string& column_family) override;
  void system_add_keyspace(std::string& _return, const gen::KsDef& ks_def) override;
  void system_drop_keyspace(std::string& _return, const std::string& keyspace) override;
  void system_update_keyspace(std::string& _return, const gen::KsDef& ks_def) override;
  void system_update_column_family(std::string& _return, const gen::CfDef& cf_def) override;
  void execute_cql_query(gen::CqlResult& _return, const std::string& query,
                         const gen::Compression::type compression) override;
  void execute_cql3_query(gen::CqlResult& _return, const std::string& query,
                          const gen::Compression::type compression,
                          const gen::ConsistencyLevel::type consistency) override;
  void prepare_cql_query(gen::CqlPreparedResult& _return, const std::string& query,
                         const gen::Compression::type compression) override;
  void prepare_cql3_query(gen::CqlPreparedResult& _return, const std::string& query,
                          const gen::Compression::type compression) override;
  void execute_prepared_cql_query(gen::CqlResult& _return, const int32_t itemId,
                                  const std::vector<std::string>& values) override;
  void execute_prepared_cql3_query(gen::CqlResult& _return, const int32_t itemId,
                                   const std::vector<std::string>& values,
                                   const gen::ConsistencyLevel::type consistency) override;
  void set_cql_version(const std::string& version) override;

  // The session's keyspace ("" when none was set). For tests.
  const std::string& session_keyspace() const { return keyspace_; }

 private:
  struct Target;  // a resolved keyspace + column family (see handler.cc)
  // A validated write, converted for the coordinator.
  struct PreparedWrite {
    std::shared_ptr<const node::Schema> schema;  // keeps `keyspace` alive
    const node::KeyspaceSchema* keyspace = nullptr;
    std::vector<Mutation> mutations;
    std::vector<node::CounterMutation> counters;  // applied after `mutations`
    node::ConsistencyLevel cl = node::ConsistencyLevel::ONE;
    bool atomic = false;  // atomic_batch_mutate: through the batch log
  };

  const std::string& RequireKeyspace() const;
  Target ResolveTable(const std::string& column_family) const;
  // Validation and conversion (throw the Thrift exceptions Cassandra would).
  PreparedWrite PrepareInsert(const std::string& key, const gen::ColumnParent& column_parent,
                              const gen::Column& column,
                              gen::ConsistencyLevel::type consistency_level) const;
  PreparedWrite PrepareRemove(const std::string& key, const gen::ColumnPath& column_path,
                              int64_t timestamp,
                              gen::ConsistencyLevel::type consistency_level) const;
  PreparedWrite PrepareBatch(
      const std::map<std::string, std::map<std::string, std::vector<gen::Mutation>>>&
          mutation_map,
      gen::ConsistencyLevel::type consistency_level, bool atomic) const;
  // Applies a prepared write through the coordinator and waits (synchronous methods).
  void Execute(PreparedWrite w);
  // Reads by key: validation and conversion shared by the synchronous and asynchronous
  // forms of get, get_slice, get_count and multiget_*.
  struct PreparedRead;
  PreparedRead PrepareGet(const std::string& key, const gen::ColumnPath& column_path,
                          gen::ConsistencyLevel::type consistency_level) const;
  PreparedRead PrepareMultiget(const std::vector<std::string>& keys,
                               const gen::ColumnParent& column_parent,
                               const gen::SlicePredicate& predicate,
                               gen::ConsistencyLevel::type consistency_level) const;
  static gen::ColumnOrSuperColumn GetResult(const PreparedRead& r,
                                            node::Coordinator::ReadResult read);
  static std::map<std::string, std::vector<gen::ColumnOrSuperColumn>> SliceResults(
      const PreparedRead& r, node::Coordinator::ReadResult read);
  // Reads the arguments of read method `name`, prepares, and answers through
  // Coordinator::ReadAsync; `convert` fills the result's success field.
  template <typename ArgsT, typename ResultT, typename Prepare, typename Convert>
  bool ReadAsync(const char* name, int32_t seqid, apache::thrift::protocol::TProtocol* in,
                 Reply reply, Prepare prepare, Convert convert);
  // The asynchronous form of a non-atomic write without counters; `reply` gets the
  // encoded result of method `name`.
  template <typename ResultT>
  void ExecuteAsync(const char* name, int32_t seqid, PreparedWrite w, Reply reply);
  // describe_ring from the cluster's ring; false when it cannot (not joined yet, or a
  // strategy the ring does not implement), leaving the single-node answer to the caller.
  bool DescribeClusterRing(std::vector<gen::TokenRange>& out, const node::KeyspaceSchema& ks,
                           bool local_only);
  void DescribeRing(std::vector<gen::TokenRange>& out, const std::string& keyspace,
                    bool local_only);

  const std::shared_ptr<const ServerContext> context_;
  node::Database* const db_;
  node::Coordinator* const coordinator_;
  std::string keyspace_;  // set_keyspace
  std::string user_;      // login
};

}  // namespace cairn::thrift
