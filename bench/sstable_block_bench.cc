// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// SSTable micro-benchmarks:
//   BM_DecodeBlock/{raw,snappy}  verify + (decompress) one 64 KiB Data block of cells
//   BM_BloomLookup/{hit,miss}    BloomFilter::MayContain on a 1M-key filter, fp 0.01
//   BM_GetNarrow                 SSTableReader::Get of a random 20-cell partition
//                                (page cache warm; includes Index + Data block reads)
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "common/coding.h"
#include "sstable/bloom_filter.h"
#include "sstable/format.h"
#include "sstable/sstable_reader.h"
#include "sstable/sstable_writer.h"

#include <snappy.h>

namespace cairn::sstable {
namespace {

std::string CellBlock(size_t size) {
  std::string block;
  std::mt19937_64 rng(1);
  for (uint64_t i = 0; block.size() < size; ++i) {
    std::string value(40, '\0');
    for (size_t j = 0; j < value.size(); j += 8) value[j] = static_cast<char>('a' + rng() % 4);
    EncodeCell(&block, Cell::Live("column" + std::to_string(i), value, 1'700'000'000'000'000 + static_cast<int64_t>(i)));
  }
  block.resize(size);
  return block;
}

void BM_DecodeBlock(benchmark::State& state) {
  const bool compressed = state.range(0) == 1;
  std::string raw = CellBlock(64 * 1024);
  std::string stored;
  if (compressed) {
    snappy::Compress(raw.data(), raw.size(), &stored);
  } else {
    stored = raw;
  }
  std::string payload = stored;
  AppendBlockTrailer(&stored, payload, compressed ? kBlockSnappy : kBlockRaw);
  std::string out;
  for (auto _ : state) {
    Status s = DecodeBlock(stored, "bench", 0, raw.size(), &out);
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(raw.size()));
  state.SetLabel(compressed ? "snappy ratio " + std::to_string(static_cast<double>(payload.size()) / static_cast<double>(raw.size()))
                            : "raw");
}
BENCHMARK(BM_DecodeBlock)->Arg(0)->Arg(1)->ArgNames({"snappy"});

void BM_BloomLookup(benchmark::State& state) {
  const bool hit = state.range(0) == 1;
  const int kKeys = 1'000'000;
  std::vector<uint64_t> hashes;
  hashes.reserve(kKeys);
  for (int i = 0; i < kKeys; ++i) hashes.push_back(BloomFilter::Hash("key" + std::to_string(i)));
  BloomFilter f = BloomFilter::Build(hashes, 0.01);
  std::vector<std::string> probes;
  for (int i = 0; i < 4096; ++i) probes.push_back((hit ? "key" : "nokey") + std::to_string(i * 199));
  size_t i = 0, positives = 0;
  for (auto _ : state) {
    positives += f.MayContain(probes[i++ & 4095]);
  }
  state.counters["positive_rate"] = static_cast<double>(positives) / static_cast<double>(state.iterations());
  state.counters["filter_bytes"] = static_cast<double>(f.bits().size());
}
BENCHMARK(BM_BloomLookup)->Arg(0)->Arg(1)->ArgNames({"hit"});

void BM_GetNarrow(benchmark::State& state) {
  std::string dir = (std::filesystem::temp_directory_path() / "cairn-sstable-bench").string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  SSTableOptions o;
  o.comparator = BytesTypeInstance();
  o.sync = false;
  const uint64_t kPartitions = 20000;
  auto key = [](uint64_t n) {
    DecoratedKey k;
    PutBigEndian64(&k.token.bytes, n);
    k.key = "key" + std::to_string(n);
    return k;
  };
  {
    auto w = SSTableWriter::Create(dir, 1, kPartitions, o);
    for (uint64_t n = 0; n < kPartitions; ++n) {
      PartitionUpdate u;
      for (int c = 0; c < 20; ++c) u.cells.push_back(Cell::Live("col" + std::to_string(10 + c), std::string(30, 'v'), 1));
      if (!(*w)->Add(key(n), u).ok()) state.SkipWithError("add");
    }
    if (!(*w)->Finish({}).ok()) state.SkipWithError("finish");
  }
  auto r = SSTableReader::Open(dir, 1, o);
  if (!r.ok()) {
    state.SkipWithError(r.status().ToString().c_str());
    return;
  }
  std::mt19937_64 rng(7);
  for (auto _ : state) {
    auto got = (*r)->Get(key(rng() % kPartitions), CellFilter::All());
    benchmark::DoNotOptimize(got);
  }
  r = Status::Aborted("done");
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_GetNarrow);

}  // namespace
}  // namespace cairn::sstable

BENCHMARK_MAIN();
