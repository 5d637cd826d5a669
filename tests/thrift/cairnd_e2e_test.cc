// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// End to end: the real cairnd process on 127.0.0.4 with a port it picks, driven over
// Thrift; SIGTERM must drain and exit 0, and a restart must serve what was written
// (from SSTables, and from the commit log after kill -9).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "tests/lib/cairnd_process.h"
#include "tests/thrift/thrift_test_util.h"

namespace cairn::thrift::test {
namespace {

// The cairnd under test on 127.0.0.4, Thrift on a port it picks.
class Cairnd : public cairn::test::CairndProcess {
 public:
  Cairnd(const std::string& dir, std::vector<std::string> extra = {})
      : CairndProcess(Args(dir, std::move(extra))) {}

 private:
  static std::vector<std::string> Args(const std::string& dir, std::vector<std::string> extra) {
    std::vector<std::string> args = {CAIRND_PATH,
                                     "--rpc_address", "127.0.0.4",
                                     "--rpc_port", "0",
                                     "--listen_address", "127.0.0.4",
                                     "--num_tokens", "4",
                                     "--data_file_directories", dir + "/data",
                                     "--commitlog_directory", dir + "/commitlog",
                                     "--log_level", "warn"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
};

class CairndEndToEndTest : public ::testing::Test {
 protected:
  cairn::test::ScratchDir dir_;
};

TEST_F(CairndEndToEndTest, SigtermDrainsAndRestartReadsBack) {
  {
    Cairnd node(dir_.str());
    ASSERT_GT(node.port(), 0);
    Client c(node.port(), "127.0.0.4");
    std::string v;
    c->system_add_keyspace(v, KsDefOf("e2e", 1, {CfDefOf("e2e", "cf", "UTF8Type")}));
    c->set_keyspace("e2e");
    for (int i = 0; i < 50; ++i) {
      c->insert("key" + std::to_string(i), Parent("cf"), Col("col", "v" + std::to_string(i), 1),
                gen::ConsistencyLevel::ONE);
    }
    EXPECT_EQ(node.Signal(SIGTERM), 0);  // drained and exited cleanly
  }
  {
    Cairnd node(dir_.str());
    ASSERT_GT(node.port(), 0);
    Client c(node.port(), "127.0.0.4");
    c->set_keyspace("e2e");
    for (int i = 0; i < 50; ++i) {
      gen::ColumnOrSuperColumn got;
      c->get(got, "key" + std::to_string(i), Path("cf", "col"), gen::ConsistencyLevel::ONE);
      EXPECT_EQ(got.column.value, "v" + std::to_string(i));
    }
    // Written, then killed without draining: the commit log brings it back.
    c->insert("late", Parent("cf"), Col("col", "after", 2), gen::ConsistencyLevel::ONE);
    EXPECT_EQ(node.Signal(SIGKILL), 128 + SIGKILL);
  }
  {
    Cairnd node(dir_.str());
    ASSERT_GT(node.port(), 0);
    Client c(node.port(), "127.0.0.4");
    c->set_keyspace("e2e");
    gen::ColumnOrSuperColumn got;
    c->get(got, "late", Path("cf", "col"), gen::ConsistencyLevel::ONE);
    EXPECT_EQ(got.column.value, "after");
    EXPECT_EQ(node.Signal(SIGTERM), 0);
  }
}

// A schema change is acknowledged only once the system tables are flushed, so a kill -9
// right after the answer keeps it (issue 3: the schema lives in system tables).
TEST_F(CairndEndToEndTest, SchemaSurvivesKillRightAfterTheAcknowledgement) {
  std::string version;
  {
    Cairnd node(dir_.str());
    ASSERT_GT(node.port(), 0);
    Client c(node.port(), "127.0.0.4");
    c->system_add_keyspace(version, KsDefOf("crashy", 1, {CfDefOf("crashy", "cf", "UTF8Type")}));
    c->set_keyspace("crashy");
    c->system_add_column_family(version, CfDefOf("crashy", "cf2", "LongType"));
    EXPECT_EQ(node.Signal(SIGKILL), 128 + SIGKILL);
  }
  Cairnd node(dir_.str());
  ASSERT_GT(node.port(), 0);
  Client c(node.port(), "127.0.0.4");
  std::map<std::string, std::vector<std::string>> versions;
  c->describe_schema_versions(versions);
  EXPECT_EQ(versions.count(version), 1u);
  gen::KsDef ks;
  c->describe_keyspace(ks, "crashy");
  ASSERT_EQ(ks.cf_defs.size(), 2u);
  EXPECT_EQ(ks.cf_defs[1].comparator_type, "org.apache.cassandra.db.marshal.LongType");
  c->set_keyspace("crashy");
  c->insert("k", Parent("cf"), Col("col", "v", 1), gen::ConsistencyLevel::ONE);
  gen::ColumnOrSuperColumn got;
  c->get(got, "k", Path("cf", "col"), gen::ConsistencyLevel::ONE);
  EXPECT_EQ(got.column.value, "v");
  EXPECT_EQ(node.Signal(SIGKILL), 128 + SIGKILL);
}

TEST_F(CairndEndToEndTest, HelpAndBadFlags) {
  std::string help = std::string(CAIRND_PATH) + " --help > " + dir_.str() + "/help.txt";
  EXPECT_EQ(std::system(help.c_str()), 0);
  std::ifstream in(dir_.str() + "/help.txt");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* key : {"--listen_address", "--rpc_port", "--data_file_directories",
                          "--commitlog_sync", "--thrift_framed_transport_size_in_mb"}) {
    EXPECT_NE(text.find(key), std::string::npos) << key;
  }
  std::string bad = std::string(CAIRND_PATH) + " --bogus 1 2>/dev/null";
  EXPECT_EQ(WEXITSTATUS(std::system(bad.c_str())), 2);
}

TEST_F(CairndEndToEndTest, RefusesAnotherClusterName) {
  {
    Cairnd node(dir_.str());
    ASSERT_GT(node.port(), 0);
    EXPECT_EQ(node.Signal(SIGTERM), 0);
  }
  Cairnd other(dir_.str(), {"--cluster_name", "Other"});
  EXPECT_EQ(other.port(), 0);  // never served
  EXPECT_EQ(other.Signal(SIGTERM), 1);  // exited with a startup failure already
}

}  // namespace
}  // namespace cairn::thrift::test
