// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Runs the sstabledump binary on a small SSTable and checks its JSON output.
#include <sys/wait.h>

#include <cstdio>

#include "sstable/filename.h"
#include "tests/sstable/sstable_test_util.h"

namespace cairn::sstable::test {
namespace {

// Runs `command`, returns stdout; *exit_code gets the exit status.
std::string RunCommand(const std::string& command, int* exit_code) {
  std::string out;
  FILE* p = ::popen((command + " 2>/dev/null").c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int st = ::pclose(p);
  *exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

class SSTableDumpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DecoratedKey k1{Token{std::string("\x00\x00\x00\x00\x00\x00\x00\x01", 8)}, "k1"};
    DecoratedKey k2{Token{std::string("\x00\x00\x00\x00\x00\x00\x00\x02", 8)}, "k2"};
    contents_[k1].cells.push_back(Cell::Live("a", "x", 1));
    contents_[k1].cells.push_back(Cell::Expiring("b", "y", 2, 60, 1000));
    contents_[k2].deletion = DeletionTime{5, 100};
    contents_[k2].range_tombstones.push_back(RangeTombstone{"c", "d", DeletionTime{6, 101}});
    contents_[k2].cells.push_back(Cell::Tombstone("b", 7, 200));
    ASSERT_OK(WriteSSTable(dir_.str(), 4, contents_, TestOptions(), ReplayPosition{11, 22}));
  }
  std::string Tool() const { return SSTABLEDUMP_PATH; }

  cairn::test::ScratchDir dir_;
  Contents contents_;
};

TEST_F(SSTableDumpTest, DumpsPartitionsAsJson) {
  int rc = -1;
  std::string out = RunCommand(Tool() + " " + ComponentPath(dir_.str(), 4, Component::kData), &rc);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(out,
            "[\n"
            "  {\"key\": \"6b31\", \"token\": \"0000000000000001\",\n"
            "   \"cells\": [\n"
            "     {\"name\": \"61\", \"kind\": \"live\", \"timestamp\": 1, \"value\": \"78\"},\n"
            "     {\"name\": \"62\", \"kind\": \"expiring\", \"timestamp\": 2, \"value\": \"79\", "
            "\"ttl\": 60, \"expires_at\": 1060}]},\n"
            "  {\"key\": \"6b32\", \"token\": \"0000000000000002\",\n"
            "   \"deletion\": {\"marked_for_delete_at\": 5, \"local_deletion_time\": 100},\n"
            "   \"range_tombstones\": [\n"
            "     {\"start\": \"63\", \"end\": \"64\", \"marked_for_delete_at\": 6, "
            "\"local_deletion_time\": 101}],\n"
            "   \"cells\": [\n"
            "     {\"name\": \"62\", \"kind\": \"tombstone\", \"timestamp\": 7, \"deleted_at\": 200}]}\n"
            "]\n");
  // Directory + generation form, one key only.
  out = RunCommand(Tool() + " --key 6b32 " + dir_.str() + " 4", &rc);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(out.find("6b31"), std::string::npos);
  EXPECT_NE(out.find("\"key\": \"6b32\""), std::string::npos);
}

TEST_F(SSTableDumpTest, PrintsMetadata) {
  int rc = -1;
  std::string out =
      RunCommand(Tool() + " --metadata " + ComponentPath(dir_.str(), 4, Component::kStatistics), &rc);
  EXPECT_EQ(rc, 0);
  for (const char* want : {"\"partition_count\": 2", "\"cell_count\": 3", "\"tombstone_count\": 3",
                           "\"expiring_cell_count\": 1", "\"range_tombstone_count\": 1",
                           "\"min_timestamp\": 1", "\"max_timestamp\": 7",
                           "\"replay_position\": {\"segment_id\": 11, \"offset\": 22}",
                           "\"first_key\": \"6b31\"", "\"last_key\": \"6b32\"",
                           "\"comparator\": \"org.apache.cassandra.db.marshal.BytesType\""}) {
    EXPECT_NE(out.find(want), std::string::npos) << want << "\n" << out;
  }
}

TEST_F(SSTableDumpTest, FailsCleanlyOnCorruptOrMissingInput) {
  int rc = -1;
  RunCommand(Tool() + " " + dir_.str() + " 99", &rc);
  EXPECT_EQ(rc, 2);
  RunCommand(Tool() + " --bogus", &rc);
  EXPECT_EQ(rc, 1);
  RunCommand(Tool() + " " + dir_.str() + "/not-an-sstable", &rc);
  EXPECT_EQ(rc, 1);
}

}  // namespace
}  // namespace cairn::sstable::test
