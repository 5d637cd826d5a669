// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Helpers for the sstable tests: keys with memcmp-ordered 8-byte big-endian tokens,
// generated partitions with every cell kind, and a one-call "write an SSTable".
#pragma once

#include <map>
#include <random>
#include <string>
#include <vector>

#include "common/coding.h"
#include "common/partition.h"
#include "common/token.h"
#include "sstable/sstable_reader.h"
#include "sstable/sstable_writer.h"
#include "tests/lib/test_util.h"

namespace cairn::sstable::test {

inline DecoratedKey MakeKey(uint64_t n) {
  DecoratedKey k;
  PutBigEndian64(&k.token.bytes, n * 1000);
  k.key = "key" + std::to_string(n);
  return k;
}

// Cell name i, 6 zero-padded digits so BytesType order matches numeric order.
inline std::string CellName(uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "c%06llu", static_cast<unsigned long long>(i));
  return buf;
}

// A partition with `ncells` cells cycling through live / expiring / tombstone, values of
// `value_size` bytes, and (depending on `n`) a partition deletion and range tombstones.
inline PartitionUpdate MakePartition(uint64_t n, size_t ncells, size_t value_size = 16) {
  PartitionUpdate u;
  std::mt19937_64 rng(n);
  for (size_t i = 0; i < ncells; ++i) {
    std::string value(value_size, '\0');
    for (char& ch : value) ch = static_cast<char>('a' + rng() % 26);
    int64_t ts = 1000 + static_cast<int64_t>(n * 10 + i);
    switch ((n + i) % 5) {
      case 0:
      case 1:
      case 2:
        u.cells.push_back(Cell::Live(CellName(i), value, ts));
        break;
      case 3:
        u.cells.push_back(Cell::Expiring(CellName(i), value, ts, 3600, 1'700'000'000));
        break;
      case 4:
        u.cells.push_back(Cell::Tombstone(CellName(i), ts, 1'700'000'100));
        break;
    }
  }
  if (n % 7 == 3) u.deletion = DeletionTime{500, 1'700'000'050};
  if (n % 4 == 1 && ncells > 4) {
    u.range_tombstones.push_back(RangeTombstone{CellName(1), CellName(3), DeletionTime{900, 1'700'000'060}});
    u.range_tombstones.push_back(RangeTombstone{CellName(ncells / 2), "", DeletionTime{901, 1'700'000'061}});
  }
  u.Normalize(*BytesTypeInstance(), 1'700'000'000);
  return u;
}

inline SSTableOptions TestOptions() {
  SSTableOptions o;
  o.comparator = BytesTypeInstance();
  o.partitioner = "org.apache.cassandra.dht.ByteOrderedPartitioner";
  o.sync = false;  // tests need not survive power loss
  return o;
}

using Contents = std::map<DecoratedKey, PartitionUpdate>;

inline Status WriteSSTable(const std::string& dir, uint64_t gen, const Contents& contents,
                           const SSTableOptions& options, ReplayPosition rp = {}) {
  CAIRN_ASSIGN_OR_RETURN(auto w, SSTableWriter::Create(dir, gen, contents.size(), options));
  for (const auto& [k, u] : contents) CAIRN_RETURN_IF_ERROR(w->Add(k, u));
  return w->Finish(rp);
}

}  // namespace cairn::sstable::test
