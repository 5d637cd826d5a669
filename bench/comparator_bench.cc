// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Comparator cost (common/marshal.h): AbstractType::Compare, which orders every cell
// name the memtable inserts, every slice bound and every merge step of a read. One
// benchmark per type and value pattern, named BM_Compare/<type>/<pattern>:
//
//   types:    BytesType, UTF8Type, LongType, TimeUUIDType,
//             CompositeType(UTF8Type,LongType) (shown as Composite(UTF8,Long)),
//             ReversedType(LongType) (shown as Reversed(Long));
//             plus "string_view" (std::string_view::compare on the BytesType values, no
//             virtual call): the floor for the byte-order types.
//   patterns: random   independent random values of the type: most pairs differ in
//                      the first byte or the first component;
//             prefix   pairs that share everything but their end (equal-prefix): bytes
//                      and text differ in the last byte, longs in the low byte,
//                      TimeUUIDs have the same timestamp (the signed-byte tie-break runs),
//                      composites the same UTF8 component (the LongType one decides).
//
// Each benchmark cycles through 4096 pre-built pairs (about 300 KiB, cache-resident) so
// the branch predictor cannot learn the answers; time/op is ns per Compare call.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/marshal.h"

namespace cairn {
namespace {

constexpr size_t kPairs = 4096;  // power of two: the loop masks the index

using Pair = std::pair<std::string, std::string>;
using Pairs = std::vector<Pair>;

std::string RandomText(std::mt19937_64& rng, size_t min_len, size_t max_len) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz_0123456789";
  std::string s(min_len + rng() % (max_len - min_len + 1), '\0');
  for (char& c : s) c = kAlphabet[rng() % (sizeof(kAlphabet) - 1)];
  return s;
}

std::string RandomBytes(std::mt19937_64& rng, size_t len) {
  std::string s(len, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// A version-1 UUID: 60-bit timestamp (100 ns units) split time_low / time_mid /
// time_hi_and_version, then the clock sequence (variant 10) and the node.
std::string TimeUuid(uint64_t timestamp, uint64_t clock_seq_and_node) {
  std::string u(16, '\0');
  uint32_t time_low = static_cast<uint32_t>(timestamp);
  uint16_t time_mid = static_cast<uint16_t>(timestamp >> 32);
  uint16_t time_hi = static_cast<uint16_t>(((timestamp >> 48) & 0x0fff) | 0x1000);
  for (int i = 0; i < 4; ++i) u[i] = static_cast<char>(time_low >> (24 - 8 * i));
  u[4] = static_cast<char>(time_mid >> 8);
  u[5] = static_cast<char>(time_mid);
  u[6] = static_cast<char>(time_hi >> 8);
  u[7] = static_cast<char>(time_hi);
  uint64_t lsb = (clock_seq_and_node & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  for (int i = 0; i < 8; ++i) u[8 + i] = static_cast<char>(lsb >> (56 - 8 * i));
  return u;
}

// 2026-01-01T00:00Z in 100 ns intervals since 1582-10-15 (the version-1 UUID epoch).
constexpr uint64_t kUuidEpoch2026 = 0x01B21DD213814000ULL + 1'767'225'600ULL * 10'000'000ULL;

Pairs MakePairs(std::string_view type, bool prefix) {
  std::mt19937_64 rng(prefix ? 7 : 8);
  Pairs pairs;
  pairs.reserve(kPairs);
  for (size_t i = 0; i < kPairs; ++i) {
    std::string a, b;
    if (type == "BytesType") {
      if (prefix) {
        a = RandomBytes(rng, 32);
        b = a;
        b.back() = static_cast<char>(rng());  // equal about 1 time in 256
      } else {
        a = RandomBytes(rng, 16);
        b = RandomBytes(rng, 16);
      }
    } else if (type == "UTF8Type") {
      if (prefix) {
        a = "user_profile_attribute_" + std::to_string(rng() % 1000);
        b = "user_profile_attribute_" + std::to_string(rng() % 1000);
      } else {
        a = RandomText(rng, 8, 24);
        b = RandomText(rng, 8, 24);
      }
    } else if (type == "LongType" || type == "ReversedType(LongType)") {
      int64_t x = static_cast<int64_t>(rng());
      int64_t y = prefix ? static_cast<int64_t>((static_cast<uint64_t>(x) & ~0xffULL) | (rng() & 0xff))
                         : static_cast<int64_t>(rng());
      a = EncodeLong(x);
      b = EncodeLong(y);
    } else if (type == "TimeUUIDType") {
      if (prefix) {
        uint64_t ts = kUuidEpoch2026 + rng() % 1'000'000'000;
        a = TimeUuid(ts, rng());
        b = TimeUuid(ts, rng());
      } else {
        a = TimeUuid(kUuidEpoch2026 + rng() % (1ULL << 40), rng());
        b = TimeUuid(kUuidEpoch2026 + rng() % (1ULL << 40), rng());
      }
    } else if (type == "CompositeType(UTF8Type,LongType)") {
      std::string first_a = prefix ? "user_profile_attribute" : RandomText(rng, 8, 24);
      std::string first_b = prefix ? first_a : RandomText(rng, 8, 24);
      a = MakeComposite({first_a, EncodeLong(static_cast<int64_t>(rng() % 100'000))});
      b = MakeComposite({first_b, EncodeLong(static_cast<int64_t>(rng() % 100'000))});
    }
    pairs.emplace_back(std::move(a), std::move(b));
  }
  return pairs;
}

void BM_Compare(benchmark::State& state, std::string type_name, bool prefix) {
  auto type = ParseType(type_name);
  if (!type.ok()) {
    state.SkipWithError(type.status().ToString().c_str());
    return;
  }
  const Pairs pairs = MakePairs(type_name, prefix);
  const AbstractType& t = **type;
  size_t i = 0;
  int64_t less = 0;
  for (auto _ : state) {
    const Pair& p = pairs[i++ & (kPairs - 1)];
    int c = t.Compare(p.first, p.second);
    benchmark::DoNotOptimize(c);
    less += c < 0;
  }
  state.counters["less_fraction"] =
      static_cast<double>(less) / static_cast<double>(state.iterations());
}

// Floor for the byte-order types: the same pairs as BytesType, compared inline.
void BM_CompareStringView(benchmark::State& state, bool prefix) {
  const Pairs pairs = MakePairs("BytesType", prefix);
  size_t i = 0;
  for (auto _ : state) {
    const Pair& p = pairs[i++ & (kPairs - 1)];
    int c = std::string_view(p.first).compare(p.second);
    benchmark::DoNotOptimize(c);
  }
}

void RegisterAll() {
  const std::pair<const char*, const char*> kTypes[] = {
      {"BytesType", "BytesType"},
      {"UTF8Type", "UTF8Type"},
      {"LongType", "LongType"},
      {"TimeUUIDType", "TimeUUIDType"},
      {"Composite(UTF8,Long)", "CompositeType(UTF8Type,LongType)"},
      {"Reversed(Long)", "ReversedType(LongType)"},
  };
  for (bool prefix : {false, true}) {
    const std::string pattern = prefix ? "/prefix" : "/random";
    for (const auto& [label, type] : kTypes) {
      benchmark::RegisterBenchmark(("BM_Compare/" + std::string(label) + pattern).c_str(),
                                   BM_Compare, std::string(type), prefix);
    }
    benchmark::RegisterBenchmark(("BM_Compare/string_view" + pattern).c_str(),
                                 BM_CompareStringView, prefix);
  }
}

}  // namespace
}  // namespace cairn

int main(int argc, char** argv) {
  cairn::RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
