// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Mutation: a write to one partition key of one keyspace, touching one or more column
// families (Cassandra's RowMutation/Mutation). It is the unit the commit log records,
// replicas apply atomically, and the coordinator sends.
#pragma once

#include <string>
#include <vector>

#include "common/partition.h"
#include "common/status.h"

namespace cairn {

// Column families are named in mutations by a stable id (16 bytes, a UUID in the schema),
// so a renamed or dropped-and-recreated table never receives another table's writes.
using TableId = std::string;

struct Mutation {
  std::string keyspace;
  std::string key;  // the partition key
  struct Update {
    TableId table_id;
    PartitionUpdate update;
    friend bool operator==(const Update&, const Update&) = default;
  };
  std::vector<Update> updates;

  // Encoding (see memtable/COMMITLOG_FORMAT.md, "Mutation payload"):
  //   byte version (=1), lp keyspace, lp key, varint32 count, then per update:
  //   lp table_id, PartitionUpdate.
  void EncodeTo(std::string* dst) const;
  static Status Decode(std::string_view input, Mutation* out);

  friend bool operator==(const Mutation&, const Mutation&) = default;
};

}  // namespace cairn
