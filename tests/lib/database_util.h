// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Shared setup for tests of node::Database: options for a fast throwaway node under a
// scratch directory, and a SimpleStrategy RF 1 keyspace of UTF8Type tables.
#pragma once

#include <string>
#include <vector>

#include "common/marshal.h"
#include "node/database.h"

namespace cairn::test {

// Data and commit log under `dir`, no fsync of SSTables, no background compaction,
// 4 tokens.
inline node::DatabaseOptions DatabaseTestOptions(const std::string& dir) {
  node::DatabaseOptions o;
  o.engine.data_directory = dir + "/data";
  o.engine.commitlog_directory = dir + "/commitlog";
  o.engine.sync_sstables = false;
  o.engine.concurrent_compactors = 0;
  o.num_tokens = 4;
  return o;
}

// Keyspace `name` (SimpleStrategy, RF 1) with UTF8Type tables named `tables`, each with
// the comment "table <name>".
inline node::KeyspaceSchema TestKeyspace(const std::string& name,
                                         const std::vector<std::string>& tables) {
  node::KeyspaceSchema ks;
  ks.name = name;
  ks.strategy_class = "SimpleStrategy";
  ks.strategy_options = {{"replication_factor", "1"}};
  for (const std::string& t : tables) {
    node::TableSchema cf;
    cf.metadata.keyspace = name;
    cf.metadata.name = t;
    cf.metadata.comparator = *ParseType("UTF8Type");
    cf.comment = "table " + t;
    ks.tables.push_back(cf);
  }
  return ks;
}

}  // namespace cairn::test
