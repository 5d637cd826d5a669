// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Token computation cost on the coordinator's hot path: Murmur3Partitioner::GetToken
// (hash + normalisation + 8-byte encoding) and the raw Cassandra MurmurHash3 x64_128, for
// 16-byte and 100-byte keys; RandomPartitioner (MD5) for comparison.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "ring/murmur3.h"
#include "ring/partitioner.h"

namespace {

std::vector<std::string> MakeKeys(size_t key_size) {
  std::mt19937_64 rng(42);
  std::vector<std::string> keys(1024);
  for (auto& k : keys) {
    k.resize(key_size);
    for (auto& c : k) c = static_cast<char>(rng());
  }
  return keys;
}

void BM_Murmur3RawHash(benchmark::State& state) {
  const auto keys = MakeKeys(static_cast<size_t>(state.range(0)));
  size_t i = 0;
  for (auto _ : state) {
    const std::string& k = keys[i++ & 1023];
    uint64_t out[2];
    cairn::ring::CassandraMurmur3Hash128(k.data(), k.size(), 0, out);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Murmur3RawHash)->Arg(16)->Arg(100);

void BM_Murmur3GetToken(benchmark::State& state) {
  const auto keys = MakeKeys(static_cast<size_t>(state.range(0)));
  const auto& p = *cairn::ring::Murmur3Partitioner::Instance();
  size_t i = 0;
  for (auto _ : state) {
    cairn::Token t = p.GetToken(keys[i++ & 1023]);
    benchmark::DoNotOptimize(t);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Murmur3GetToken)->Arg(16)->Arg(100);

void BM_RandomPartitionerGetToken(benchmark::State& state) {
  const auto keys = MakeKeys(static_cast<size_t>(state.range(0)));
  const auto& p = *cairn::ring::RandomPartitioner::Instance();
  size_t i = 0;
  for (auto _ : state) {
    cairn::Token t = p.GetToken(keys[i++ & 1023]);
    benchmark::DoNotOptimize(t);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_RandomPartitionerGetToken)->Arg(16)->Arg(100);

}  // namespace

BENCHMARK_MAIN();
