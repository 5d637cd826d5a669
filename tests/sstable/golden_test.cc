// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Pins the bytes of a tiny SSTable (compression off) so any change to the on-disk
// format is deliberate: the worked example in sstable/FORMAT.md shows these same bytes,
// annotated. When the format changes, bump kFormatVersion and update both together.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sstable/filename.h"
#include "tests/sstable/sstable_test_util.h"

namespace cairn::sstable::test {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string Hex(const std::string& bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (unsigned char c : bytes) {
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 15]);
  }
  return s;
}

// The example of FORMAT.md, "Worked example".
Contents GoldenContents() {
  Contents c;
  DecoratedKey k1{Token{std::string("\x00\x00\x00\x00\x00\x00\x00\x01", 8)}, "k1"};
  DecoratedKey k2{Token{std::string("\x00\x00\x00\x00\x00\x00\x00\x02", 8)}, "k2"};
  PartitionUpdate p1;
  p1.cells.push_back(Cell::Live("a", "x", 1));
  PartitionUpdate p2;
  p2.deletion = DeletionTime{5, 100};
  p2.cells.push_back(Cell::Tombstone("b", 7, 200));
  c[k1] = p1;
  c[k2] = p2;
  return c;
}

SSTableOptions GoldenOptions() {
  SSTableOptions o = TestOptions();
  o.compress = false;
  o.block_size = 4096;
  o.partitioner = "BOP";
  return o;
}

struct Golden {
  Component component;
  const char* hex;
};

// clang-format off
const Golden kGolden[] = {
    {Component::kData,
     "43524e5344415441" "01000000"                      // magic "CRNSDATA", version 1
     // block 0 payload (78 bytes): partition k1
     "08" "0000000000000001" "02" "6b31"                // token, key "k1"
     "0000000000000080" "ffffff7f" "00"                 // live deletion, 0 range tombstones
     "00" "0161" "0100000000000000" "0178"              // live cell "a" ts 1 value "x"
     // partition k2
     "08" "0000000000000002" "02" "6b32"                // token, key "k2"
     "0500000000000000" "64000000" "00"                 // deleted at ts 5, ldt 100
     "02" "0162" "0700000000000000" "c8000000"          // tombstone "b" ts 7, ldt 200
     "00" "5f5d212d"                                    // block trailer: raw, checksum
     "0c00000000000000" "00" "97498106"                 // block table: [12], trailer
     "5f00000000000000" "0100000000000000"              // footer: table at 95, 1 block
     "4e00000000000000" "00100000" "f790fb6a"           // 78 stream bytes, 4096, checksum
    },
    {Component::kIndex,
     "43524e53494e4458" "01000000"                      // magic "CRNSINDX", version 1
     "08" "0000000000000001" "02" "6b31" "00" "26" "19" "00"  // k1: pos 0, 38 B, hdr 25
     "08" "0000000000000002" "02" "6b32" "26" "28" "19" "00"  // k2: pos 38, 40 B, hdr 25
     "00" "96c9eeb8"                                    // block trailer
    },
    {Component::kSummary,
     "43524e5353554d4d" "01000000"                      // magic "CRNSSUMM", version 1
     "8001" "01"                                        // index_interval 128, 1 entry
     "08" "0000000000000001" "02" "6b31" "0c" "20"      // first key k1, block at 12, 32 B
     "4efa492f"                                         // checksum
    },
    {Component::kFilter,
     "43524e5346494c54" "01000000"                      // magic "CRNSFILT", version 1
     "07000000" "4000000000000000"                      // k = 7, m = 64 bits
     "2259938800400020"                                 // the bits
     "5095ef64"                                         // checksum
    },
    {Component::kStatistics,
     "43524e5353544154" "01000000"                      // magic "CRNSSTAT", version 1
     "0100000000000000" "0700000000000000" "ffffff7f"   // min ts 1, max ts 7, max ldt
     "02" "02" "00" "02" "00" "4e" "28"                 // partitions, cells, expiring,
                                                        // tombstones, rts, bytes, max
     "02" "64000000" "01" "c8000000" "01"               // drop times: 100 x1, 200 x1
     "08" "0000000000000001" "02" "6b31"                // first key
     "08" "0000000000000002" "02" "6b32"                // last key
     "29" "6f72672e6170616368652e63617373616e6472612e64622e6d61727368616c2e42797465735479706"
     "5"                                                // comparator name
     "03" "424f50"                                      // partitioner "BOP"
     "0300000000000000" "09000000"                      // replay position (3, 9)
     "00100000" "00"                                    // block size 4096, uncompressed
     "00"                                               // no ancestors (a flush)
     "65d030b5"                                         // checksum
    },
};
// clang-format on

TEST(SSTableGoldenTest, TinySSTableBytes) {
  cairn::test::ScratchDir dir;
  ASSERT_OK(WriteSSTable(dir.str(), 1, GoldenContents(), GoldenOptions(), ReplayPosition{3, 9}));
  for (const Golden& g : kGolden) {
    EXPECT_EQ(Hex(ReadFile(ComponentPath(dir.str(), 1, g.component))), g.hex)
        << ComponentName(g.component);
  }
  EXPECT_EQ(ReadFile(ComponentPath(dir.str(), 1, Component::kTOC)), 
            "CAIRN-SSTABLE-TOC 1\n"
            "Data.db 140\n"
            "Index.db 49\n"
            "Summary.db 33\n"
            "Filter.db 36\n"
            "Statistics.db 142\n"
            "checksum f46bec7d112dcf65\n");
}

TEST(SSTableGoldenTest, GoldenBytesReadBack) {
  cairn::test::ScratchDir dir;
  ASSERT_OK(WriteSSTable(dir.str(), 1, GoldenContents(), GoldenOptions(), ReplayPosition{3, 9}));
  auto r = SSTableReader::Open(dir.str(), 1, GoldenOptions());
  ASSERT_OK(r.status());
  for (const auto& [k, u] : GoldenContents()) {
    auto got = (*r)->Get(k, CellFilter::All());
    ASSERT_OK(got.status());
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ(**got, u);
  }
  EXPECT_EQ((*r)->stats().replay_position, (ReplayPosition{3, 9}));
}

}  // namespace
}  // namespace cairn::sstable::test
