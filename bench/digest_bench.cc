// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The read digest replicas send the coordinator (node/storage_proxy.h, "Reads"): the
// XXH3-128 of the encoded partition. Every digest READ computes one, and so does the
// data replica (its answer is compared with the digests). DigestOf in
// node/storage_proxy.cc is file-local; it is, in full,
//     Digest128 d; if (!p.empty()) d.Update(EncodePartition(p)); return d.Finish();
// with EncodePartition (node/internode_convert.cc) = PartitionUpdate::EncodeTo into a
// fresh string. BM_ReadDigest repeats those three lines over the same functions
// (common/partition.h, common/checksum.h), so this bench links only cairn::common.
//
//   BM_ReadDigest/cells:N      the whole digest of an N-cell partition
//   BM_EncodePartition/cells:N PartitionUpdate::EncodeTo alone (into a reused string)
//   BM_Digest128/cells:N       Digest128 create + Update + Finish over the encoded bytes
//
// Partitions: N live cells named "column0000".."column<N-1>" (10 bytes) with 34-byte
// values (cairn-stress's default cell), no deletions; N = 1, 10, 100. bytes/s counts the
// encoded partition (55 bytes per cell plus a 14-byte header: 69, 564 and 5,514 bytes).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "common/checksum.h"
#include "common/partition.h"

namespace cairn {
namespace {

PartitionUpdate MakePartition(int cells) {
  PartitionUpdate p;
  for (int i = 0; i < cells; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "column%04d", i);
    std::string value(34, '\0');
    for (size_t j = 0; j < value.size(); ++j) value[j] = static_cast<char>('a' + (i * 7 + j) % 26);
    p.cells.push_back(Cell::Live(name, value, 1'700'000'000'000'000 + i));
  }
  return p;
}

size_t EncodedSize(const PartitionUpdate& p) {
  std::string out;
  p.EncodeTo(&out);
  return out.size();
}

// node/storage_proxy.cc DigestOf, for a partition the replica has.
std::string ReadDigest(const PartitionUpdate& p) {
  Digest128 d;
  if (!p.empty()) {
    std::string encoded;  // node::EncodePartition
    p.EncodeTo(&encoded);
    d.Update(encoded);
  }
  return d.Finish();
}

void BM_ReadDigest(benchmark::State& state) {
  const PartitionUpdate p = MakePartition(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    std::string digest = ReadDigest(p);
    benchmark::DoNotOptimize(digest.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * EncodedSize(p)));
  state.counters["encoded_bytes"] = static_cast<double>(EncodedSize(p));
}
BENCHMARK(BM_ReadDigest)->ArgName("cells")->Arg(1)->Arg(10)->Arg(100);

void BM_EncodePartition(benchmark::State& state) {
  const PartitionUpdate p = MakePartition(static_cast<int>(state.range(0)));
  std::string out;
  for (auto _ : state) {
    out.clear();
    p.EncodeTo(&out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * EncodedSize(p)));
}
BENCHMARK(BM_EncodePartition)->ArgName("cells")->Arg(1)->Arg(10)->Arg(100);

void BM_Digest128(benchmark::State& state) {
  const PartitionUpdate p = MakePartition(static_cast<int>(state.range(0)));
  std::string encoded;
  p.EncodeTo(&encoded);
  for (auto _ : state) {
    Digest128 d;
    d.Update(encoded);
    std::string digest = d.Finish();
    benchmark::DoNotOptimize(digest.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * encoded.size()));
}
BENCHMARK(BM_Digest128)->ArgName("cells")->Arg(1)->Arg(10)->Arg(100);

}  // namespace
}  // namespace cairn

BENCHMARK_MAIN();
