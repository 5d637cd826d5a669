// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Damaged SSTables: flipped bytes in every component, truncated files, wrong magic or
// version, and structurally bad content behind a valid checksum. Every case must give
// Status::Corruption naming the file and an offset, never a crash or a wrong answer,
// and reads that do not touch the damaged block must keep working.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/checksum.h"
#include "sstable/filename.h"
#include "sstable/format.h"
#include "tests/sstable/sstable_test_util.h"

namespace cairn::sstable::test {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
}

class SSTableCorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    o_ = TestOptions();
    o_.block_size = 4096;
    o_.index_interval = 8;
    for (uint64_t i = 0; i < 300; ++i) contents_[MakeKey(i)] = MakePartition(i, 12, 24);
    ASSERT_OK(WriteSSTable(dir_.str(), 1, contents_, o_));
    for (Component c : kAllComponents) pristine_[static_cast<int>(c)] = ReadFile(Path(c));
  }

  std::string Path(Component c) const { return ComponentPath(dir_.str(), 1, c); }
  const std::string& Pristine(Component c) const { return pristine_[static_cast<int>(c)]; }
  void Restore() {
    for (Component c : kAllComponents) WriteFile(Path(c), Pristine(c));
  }

  // A corrupt open must be a Corruption that names the file.
  static void ExpectCorruptionNaming(const Status& s, std::string_view file) {
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_NE(s.message().find(file), std::string::npos) << s.ToString();
  }

  // Reads every partition: each is either right or a Corruption naming `file` with an
  // offset. Returns the number of good reads; *bad gets the number of failed ones.
  size_t ReadAll(const SSTableReader& r, std::string_view file, size_t* bad) {
    size_t good = 0;
    *bad = 0;
    for (const auto& [k, u] : contents_) {
      auto got = r.Get(k, CellFilter::All());
      if (got.ok()) {
        EXPECT_TRUE(got->has_value());
        if (got->has_value()) {
          EXPECT_EQ(**got, u);
        }
        ++good;
      } else {
        ++*bad;
        ExpectCorruptionNaming(got.status(), file);
        EXPECT_NE(got.status().message().find("offset"), std::string::npos);
      }
    }
    return good;
  }

  cairn::test::ScratchDir dir_;
  SSTableOptions o_;
  Contents contents_;
  std::string pristine_[6];
};

TEST_F(SSTableCorruptionTest, FlippedDataByteFailsOnlyItsBlock) {
  const std::string& data = Pristine(Component::kData);
  // A byte in the middle of the first third of the file: inside some block.
  std::string bad = data;
  size_t at = data.size() / 3;
  bad[at] = static_cast<char>(bad[at] ^ 0x40);
  WriteFile(Path(Component::kData), bad);
  auto r = SSTableReader::Open(dir_.str(), 1, o_);
  ASSERT_OK(r.status());
  size_t failed = 0;
  size_t good = ReadAll(**r, "Data.db", &failed);
  EXPECT_GE(failed, 1u);
  EXPECT_LE(failed, 40u);  // one 4 KiB block holds a few dozen partitions at most
  EXPECT_GE(good, 250u);
  // A scan stops at the damaged block with the same kind of error.
  auto it = (*r)->NewIterator();
  size_t seen = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++seen;
  ExpectCorruptionNaming(it->status(), "Data.db");
  EXPECT_LT(seen, contents_.size());
}

TEST_F(SSTableCorruptionTest, FlippedIndexByteFailsOnlyItsBlock) {
  std::string bad = Pristine(Component::kIndex);
  size_t at = bad.size() / 2;
  bad[at] = static_cast<char>(bad[at] ^ 0x01);
  WriteFile(Path(Component::kIndex), bad);
  auto r = SSTableReader::Open(dir_.str(), 1, o_);
  ASSERT_OK(r.status());
  size_t failed = 0;
  size_t good = ReadAll(**r, "Index.db", &failed);
  EXPECT_GE(failed, 1u);
  EXPECT_LE(failed, 8u);  // index_interval
  EXPECT_EQ(good + failed, contents_.size());
}

// Flips bytes across every component (every byte of the small ones, a sample of the
// large ones): the SSTable either fails to open with Corruption naming that component,
// or opens and answers each read correctly or with Corruption.
TEST_F(SSTableCorruptionTest, FlipSweepOverEveryComponent) {
  for (Component c : kAllComponents) {
    const std::string& orig = Pristine(c);
    size_t stride = std::max<size_t>(1, orig.size() / 150);
    std::string name(ComponentName(c));
    size_t open_failures = 0;
    for (size_t at = 0; at < orig.size(); at += stride) {
      std::string bad = orig;
      bad[at] = static_cast<char>(bad[at] ^ 0x10);
      WriteFile(Path(c), bad);
      auto r = SSTableReader::Open(dir_.str(), 1, o_);
      if (!r.ok()) {
        ++open_failures;
        ExpectCorruptionNaming(r.status(), name);
        continue;
      }
      size_t failed = 0;
      if (c == Component::kData || c == Component::kIndex) {
        ReadAll(**r, name, &failed);
      } else {
        ADD_FAILURE() << name << " flip at " << at << " went unnoticed";
      }
    }
    WriteFile(Path(c), orig);
    if (c != Component::kData && c != Component::kIndex) {
      EXPECT_GT(open_failures, 0u) << name;
    }
  }
}

TEST_F(SSTableCorruptionTest, TruncatedFilesFailToOpen) {
  for (Component c : kAllComponents) {
    const std::string& orig = Pristine(c);
    for (size_t len : {size_t{0}, size_t{5}, orig.size() / 2, orig.size() - 1}) {
      WriteFile(Path(c), orig.substr(0, len));
      auto r = SSTableReader::Open(dir_.str(), 1, o_);
      ASSERT_FALSE(r.ok()) << ComponentName(c) << " " << len;
      ExpectCorruptionNaming(r.status(), ComponentName(c));
    }
    WriteFile(Path(c), orig);
  }
  ASSERT_OK(SSTableReader::Open(dir_.str(), 1, o_).status());
}

TEST_F(SSTableCorruptionTest, TruncatedDataWithMatchingTocFailsOnFooter) {
  // A TOC rewritten to match the truncated file: the Data footer checks must catch it.
  for (size_t cut : {size_t{1}, size_t{20}, size_t{33}, size_t{500}}) {
    std::string data = Pristine(Component::kData);
    data.resize(data.size() - cut);
    WriteFile(Path(Component::kData), data);
    uint64_t sizes[5];
    for (size_t i = 0; i < 5; ++i) sizes[i] = Pristine(kTocComponents[i]).size();
    sizes[0] = data.size();
    std::string toc = "CAIRN-SSTABLE-TOC 1\n";
    const char* names[] = {"Data.db", "Index.db", "Summary.db", "Filter.db", "Statistics.db"};
    for (size_t i = 0; i < 5; ++i) toc += std::string(names[i]) + " " + std::to_string(sizes[i]) + "\n";
    char hex[32];
    std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(Checksum64(toc)));
    toc += "checksum " + std::string(hex) + "\n";
    WriteFile(Path(Component::kTOC), toc);
    auto r = SSTableReader::Open(dir_.str(), 1, o_);
    ASSERT_FALSE(r.ok()) << cut;
    ExpectCorruptionNaming(r.status(), "Data.db");
  }
}

TEST_F(SSTableCorruptionTest, WrongMagicAndVersion) {
  for (Component c : kTocComponents) {
    std::string bad = Pristine(c);
    bad.replace(0, 8, "XXXXXXXX");
    WriteFile(Path(c), bad);
    auto r = SSTableReader::Open(dir_.str(), 1, o_);
    ASSERT_FALSE(r.ok());
    ExpectCorruptionNaming(r.status(), ComponentName(c));
    EXPECT_NE(r.status().message().find("bad magic"), std::string::npos) << r.status().ToString();
    bad = Pristine(c);
    bad[8] = 2;  // version 2
    WriteFile(Path(c), bad);
    r = SSTableReader::Open(dir_.str(), 1, o_);
    ASSERT_FALSE(r.ok());
    ExpectCorruptionNaming(r.status(), ComponentName(c));
    EXPECT_NE(r.status().message().find("version"), std::string::npos) << r.status().ToString();
    WriteFile(Path(c), Pristine(c));
  }
  std::string toc = Pristine(Component::kTOC);
  toc[18] = '2';  // "CAIRN-SSTABLE-TOC 2"
  WriteFile(Path(Component::kTOC), toc);
  ExpectCorruptionNaming(SSTableReader::Open(dir_.str(), 1, o_).status(), "TOC.txt");
}

TEST_F(SSTableCorruptionTest, MissingComponent) {
  fs::remove(Path(Component::kFilter));
  ExpectCorruptionNaming(SSTableReader::Open(dir_.str(), 1, o_).status(), "Filter.db");
  fs::remove(Path(Component::kTOC));
  EXPECT_TRUE(SSTableReader::Open(dir_.str(), 1, o_).status().IsNotFound());
}

// Bad structure behind a valid checksum (as a buggy writer would produce): the decoders
// themselves must reject it. Uses the uncompressed golden layout (FORMAT.md example).
class SSTableMalformedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    o_ = TestOptions();
    o_.compress = false;
    o_.block_size = 4096;
    DecoratedKey k1{Token{std::string("\x00\x00\x00\x00\x00\x00\x00\x01", 8)}, "k1"};
    DecoratedKey k2{Token{std::string("\x00\x00\x00\x00\x00\x00\x00\x02", 8)}, "k2"};
    contents_[k1].cells.push_back(Cell::Live("a", "x", 1));
    contents_[k2].deletion = DeletionTime{5, 100};
    contents_[k2].cells.push_back(Cell::Tombstone("b", 7, 200));
    ASSERT_OK(WriteSSTable(dir_.str(), 1, contents_, o_));
  }

  // Replaces bytes of a raw block spanning [begin, end) (payload) and re-seals it.
  void Patch(Component c, size_t begin, size_t end, size_t at, const std::string& bytes) {
    std::string path = ComponentPath(dir_.str(), 1, c);
    std::string f = ReadFile(path);
    f.replace(at, bytes.size(), bytes);
    uint32_t sum = static_cast<uint32_t>(Checksum64(std::string_view(f).substr(begin, end - begin), 0));
    EncodeFixed32(f.data() + end + 1, sum);
    WriteFile(path, f);
  }

  Status GetStatus(const DecoratedKey& k) {
    auto r = SSTableReader::Open(dir_.str(), 1, o_);
    if (!r.ok()) return r.status();
    return (*r)->Get(k, CellFilter::All()).status();
  }

  cairn::test::ScratchDir dir_;
  SSTableOptions o_;
  Contents contents_;
};

TEST_F(SSTableMalformedTest, BadCellKind) {
  Patch(Component::kData, 12, 90, 12 + 25, "\x09");  // k1's cell kind
  Status s = GetStatus(contents_.begin()->first);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("Data.db: malformed cell at offset 25"), std::string::npos) << s.ToString();
  ASSERT_OK(GetStatus(std::next(contents_.begin())->first));  // k2's bytes are intact
}

TEST_F(SSTableMalformedTest, IndexPositionPastEnd) {
  Patch(Component::kIndex, 12, 44, 40, "\x7f");  // k2's position: 127 > 78
  Status s = GetStatus(std::next(contents_.begin())->first);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("Index.db"), std::string::npos) << s.ToString();
}

TEST_F(SSTableMalformedTest, MalformedVarint) {
  Patch(Component::kIndex, 12, 44, 40, std::string("\xff\xff\xff\xff", 4));
  Status s = GetStatus(std::next(contents_.begin())->first);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("Index.db: malformed index entry at offset"), std::string::npos)
      << s.ToString();
}

TEST_F(SSTableMalformedTest, IndexPointsAtWrongPartition) {
  Patch(Component::kIndex, 12, 44, 40, std::string(1, '\0'));  // k2's entry points at k1's bytes
  Status s = GetStatus(std::next(contents_.begin())->first);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("differs from the index"), std::string::npos) << s.ToString();
}

TEST_F(SSTableMalformedTest, HugeDeclaredLengthDoesNotAllocate) {
  // k1's key length says 2^32-1 bytes: must fail cleanly, not allocate.
  Patch(Component::kData, 12, 90, 12 + 9, std::string("\xff\xff\xff\xff\x0f", 5));
  Status s = GetStatus(contents_.begin()->first);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

}  // namespace
}  // namespace cairn::sstable::test
