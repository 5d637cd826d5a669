// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Memtable insert cost (memtable/memtable.h): Memtable::Apply of new partitions into a
// fresh memtable, one writer thread, the way a node fills a memtable between flushes.
//
//   BM_MemtableInsert/keys:K/value_bytes:V
//     one iteration = a new Memtable (BytesType comparator, ManualClock), then
//     kPartitions (50,000) Apply calls of 5 live cells each, named "C0".."C4" (as
//     cassandra-stress and cairn-stress name them), each value V bytes (34 = cairn-stress's
//     default cell, or 1024); the memtable is destroyed outside the timed region.
//     K: 0 = sequential keys "0000000000", "0000000001", ... with Murmur3 tokens (what
//            cairnd does: the tokens, hence the map order, are effectively random);
//        1 = random 10-character keys with Murmur3 tokens (same map behaviour as 0: any
//            key pattern is random after hashing);
//        2 = sequential keys in ascending token order (ByteOrderedPartitioner, token =
//            key bytes): each insert lands at the right end of the partition map, the
//            best case for locality.
//
// Counters: items/s = partitions inserted per second (x5 for cells);
// bytes_per_partition = Memtable::memory_usage() (arena bytes, i.e. what a node charges
// against memtable_space_in_mb) / partitions; overhead_per_partition = the same minus
// the payload (token + key + cell names + values).
//
// Inputs are built before timing: the 50,000 DecoratedKeys, and 64 PartitionUpdates
// reused round-robin (their values differ; the memtable copies everything into its arena).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/marshal.h"
#include "common/partition.h"
#include "memtable/memtable.h"
#include "ring/partitioner.h"

namespace cairn::memtable {
namespace {

constexpr int kPartitions = 50'000;
constexpr int kCellsPerPartition = 5;
constexpr size_t kUpdates = 64;

std::vector<DecoratedKey> MakeKeys(int mode) {
  std::vector<DecoratedKey> keys;
  keys.reserve(kPartitions);
  std::mt19937_64 rng(11);
  for (int i = 0; i < kPartitions; ++i) {
    std::string key;
    if (mode == 1) {
      static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
      key.resize(10);
      for (char& c : key) c = kAlphabet[rng() % (sizeof(kAlphabet) - 1)];
    } else {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "%010d", i);
      key = buf;
    }
    keys.push_back(mode == 2 ? ring::ByteOrderedPartitioner::Instance()->Decorate(key)
                             : ring::Murmur3Partitioner::Instance()->Decorate(key));
  }
  return keys;
}

std::vector<PartitionUpdate> MakeUpdates(size_t value_bytes) {
  std::vector<PartitionUpdate> updates(kUpdates);
  std::mt19937_64 rng(12);
  for (size_t u = 0; u < kUpdates; ++u) {
    for (int c = 0; c < kCellsPerPartition; ++c) {
      std::string value(value_bytes, '\0');
      for (char& ch : value) ch = static_cast<char>('a' + rng() % 26);
      std::string name = "C";  // not "C" + to_string: GCC 12's -Wrestrict false positive
      name += std::to_string(c);
      updates[u].cells.push_back(Cell::Live(std::move(name), std::move(value),
                                            1'700'000'000'000'000 + static_cast<int64_t>(u)));
    }
  }
  return updates;
}

void BM_MemtableInsert(benchmark::State& state) {
  const int mode = static_cast<int>(state.range(0));
  const size_t value_bytes = static_cast<size_t>(state.range(1));
  const std::vector<DecoratedKey> keys = MakeKeys(mode);
  const std::vector<PartitionUpdate> updates = MakeUpdates(value_bytes);
  ManualClock clock;
  TypePtr comparator = BytesTypeInstance();

  size_t payload = 0;
  for (int i = 0; i < kPartitions; ++i) {
    payload += keys[i].token.bytes.size() + keys[i].key.size();
    for (const Cell& c : updates[i % kUpdates].cells) payload += c.name.size() + c.value.size();
  }

  size_t memory = 0;
  for (auto _ : state) {
    auto table = std::make_unique<Memtable>(comparator, &clock);
    for (int i = 0; i < kPartitions; ++i) table->Apply(keys[i], updates[i % kUpdates]);
    state.PauseTiming();
    memory = table->memory_usage();
    if (table->partition_count() != kPartitions) state.SkipWithError("partition count mismatch");
    table.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kPartitions);
  state.counters["bytes_per_partition"] = static_cast<double>(memory) / kPartitions;
  state.counters["overhead_per_partition"] =
      (static_cast<double>(memory) - static_cast<double>(payload)) / kPartitions;
}
BENCHMARK(BM_MemtableInsert)
    ->ArgNames({"keys", "value_bytes"})
    ->ArgsProduct({{0, 1, 2}, {34, 1024}})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cairn::memtable

BENCHMARK_MAIN();
