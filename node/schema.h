// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Table (column family) metadata the storage engine needs: identity, comparator and
// validators, and the per-table options Cassandra's CfDef carries that storage uses
// (gc_grace_seconds, default TTL, compaction thresholds, bloom filter chance).
// The Thrift layer (thrift/) maps CfDef to and from this struct.
#pragma once

#include <cstdint>
#include <string>

#include "common/marshal.h"
#include "common/mutation.h"
#include "sstable/compaction_strategy.h"

namespace cairn::node {

struct TableMetadata {
  std::string keyspace;
  std::string name;
  // Stable 16-byte id (a UUID); mutations and the commit log refer to tables by it.
  TableId id;
  // Orders cell names. Default: BytesType.
  TypePtr comparator = BytesTypeInstance();
  // Validates cell values unless a column has its own validator. Default: BytesType.
  TypePtr default_validator = BytesTypeInstance();
  // Validates partition keys. Default: BytesType.
  TypePtr key_validator = BytesTypeInstance();
  // Seconds a tombstone is kept before compaction may purge it. Default: 864000 (10 days).
  int32_t gc_grace_seconds = 864000;
  // TTL in seconds applied to writes that give none; 0 = none. Default: 0.
  int32_t default_time_to_live = 0;
  // Target false-positive chance of each SSTable's bloom filter. Default: 0.01.
  double bloom_filter_fp_chance = 0.01;
  // Size-tiered compaction settings (min_threshold 4, max_threshold 32 by default).
  sstable::SizeTieredOptions compaction;

  // The directory name under the keyspace directory: "<name>-<id in hex>", as Cassandra.
  std::string DirectoryName() const;
};

// A random (version 4) 16-byte UUID, for new table ids.
TableId NewTableId();
// 32 lowercase hex digits.
std::string HexId(const TableId& id);

}  // namespace cairn::node
