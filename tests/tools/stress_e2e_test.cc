// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// cairn-stress against a real cairnd on 127.0.0.31 (temporary data directory; Thrift and
// internode ports the node picks, so ctest -j can run these side by side): --verify
// catches a value changed behind the tool's back and a cell deleted behind it; a short run of the
// binary writes a JSON summary whose counts add up; comparison mode reports UnavailableException as
// errors (RF 3 on one node); the counter workloads run (counter_write, then counter_read
// finds every key);
// token-aware routing learns the node's ring and sends every operation to it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "gen-cpp/Cassandra.h"
#include "tests/lib/cairnd_process.h"
#include "tests/lib/test_util.h"
#include "tools/stress/runner.h"
#include "tools/stress/schema.h"
#include "tools/stress/token_ring.h"
#include "tools/stress/workload.h"

namespace cairn::stress {
namespace {

namespace at = ::apache::thrift;
constexpr char kHost[] = "127.0.0.31";

// The cairnd under test on kHost, Thrift and internode ports it picks.
class Cairnd : public cairn::test::CairndProcess {
 public:
  explicit Cairnd(const std::string& dir) : CairndProcess(Args(dir)) {}

 private:
  static std::vector<std::string> Args(const std::string& dir) {
    // clang-format off
    std::vector<std::string> args = {CAIRND_PATH,
                                     "--rpc_address", kHost, "--rpc_port", "0",
                                     "--listen_address", kHost, "--storage_port", "0",
                                     "--seeds", kHost, "--num_tokens", "4",
                                     "--data_file_directories", dir + "/data",
                                     "--commitlog_directory", dir + "/commitlog",
                                     "--log_level", "warn"};
    // clang-format on
    return args;
  }
};

// Runs a shell command, returning its exit status and (in *out) its stdout+stderr.
int Shell(const std::string& command, std::string* out) {
  out->clear();
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p) != nullptr) *out += buf;
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class StressEndToEndTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::ScratchDir();
    node_ = new Cairnd(dir_->str());
  }
  static void TearDownTestSuite() {
    delete node_;
    delete dir_;
  }
  void SetUp() override { ASSERT_GT(node_->port(), 0) << "cairnd did not start"; }

  static StressOptions Options(std::vector<std::string> args) {
    args.push_back("--nodes");
    args.push_back(std::string(kHost) + ":" + std::to_string(node_->port()));
    Result<StressOptions> o = ParseOptions(args);
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    return *o;
  }
  static std::string Stress() { return CAIRN_STRESS_PATH; }
  static std::string NodeFlag() {
    return std::string(" --nodes ") + kHost + ":" + std::to_string(node_->port());
  }

  static test::ScratchDir* dir_;
  static Cairnd* node_;
};

test::ScratchDir* StressEndToEndTest::dir_ = nullptr;
Cairnd* StressEndToEndTest::node_ = nullptr;

TEST_F(StressEndToEndTest, VerifyReportsAValueChangedBehindTheToolsBack) {
  StressOptions write = Options({"write", "--keyspace", "verify_ks", "--pop", "seq(1..40)", "-n",
                                 "40", "--columns", "4", "--connections", "4", "--quiet"});
  ASSERT_TRUE(SetUpSchema(write, [](const std::string&) {}).ok());
  RunResult w = RunWorkload(write, write.consistency[0], nullptr);
  ASSERT_FALSE(w.aborted) << w.abort_reason;
  ASSERT_EQ(w.stats.Combined().ok, 40u);

  // Reading it all back passes.
  StressOptions read = Options({"read", "--keyspace", "verify_ks", "--pop", "seq(1..40)", "-n",
                                "40", "--columns", "4", "--verify", "--quiet"});
  RunResult clean = RunWorkload(read, read.consistency[0], nullptr);
  EXPECT_EQ(clean.stats.Combined().ok, 40u);
  EXPECT_EQ(clean.stats.Combined().errors.Total(), 0u);

  // Change one cell and delete another, through Thrift, with later timestamps.
  {
    auto socket = std::make_shared<at::transport::TSocket>(kHost, node_->port());
    auto transport = std::make_shared<at::transport::TFramedTransport>(socket);
    gen::CassandraClient client(std::make_shared<at::protocol::TBinaryProtocol>(transport));
    transport->open();
    client.set_keyspace("verify_ks");
    gen::ColumnParent parent;
    parent.column_family = "standard1";
    gen::Column c;
    c.name = ColumnName(2);
    c.__set_value("not what cairn-stress wrote");
    c.__set_timestamp(INT64_MAX / 2);
    client.insert(KeyName(7), parent, c, gen::ConsistencyLevel::ONE);
    gen::ColumnPath path;
    path.column_family = "standard1";
    path.__set_column(ColumnName(0));
    client.remove(KeyName(11), path, INT64_MAX / 2, gen::ConsistencyLevel::ONE);
    transport->close();
  }
  RunResult dirty = RunWorkload(read, read.consistency[0], nullptr);
  const OpTotals t = dirty.stats.Combined();
  EXPECT_EQ(t.Operations(), 40u);
  EXPECT_EQ(t.errors[ErrorKind::kCorrupt], 1u);
  EXPECT_EQ(t.errors[ErrorKind::kMissing], 1u);
  EXPECT_EQ(t.ok, 38u);
  const std::string& corrupt = dirty.stats.first_message[static_cast<size_t>(ErrorKind::kCorrupt)];
  EXPECT_NE(corrupt.find("partition 0000000007 column C2"), std::string::npos) << corrupt;
  const std::string& missing = dirty.stats.first_message[static_cast<size_t>(ErrorKind::kMissing)];
  EXPECT_NE(missing.find("0000000011: 3 of 4 cells"), std::string::npos) << missing;

  // A range scan over the same data catches the same cells.
  StressOptions range =
      Options({"range", "--keyspace", "verify_ks", "-n", "1", "--page-size", "100", "--columns",
               "4", "--verify", "--connections", "1", "--quiet"});
  RunResult scan = RunWorkload(range, range.consistency[0], nullptr);
  EXPECT_EQ(scan.stats.Combined().Operations(), 1u);
  EXPECT_EQ(scan.stats.Combined().errors.Total(), 1u);  // one page, one error reported

  // The binary exits 1 when verification fails, and says so.
  std::string out;
  const int rc = Shell(Stress() +
                           " read --keyspace verify_ks --pop 'seq(1..40)' -n 40 --columns 4"
                           " --verify --quiet" +
                           NodeFlag(),
                       &out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("2 reads FAILED verification"), std::string::npos) << out;
}

TEST_F(StressEndToEndTest, ShortRunSummaryCountsAddUp) {
  const std::string json = dir_->str() + "/mixed.json";
  const std::string csv = dir_->str() + "/mixed.csv";
  std::string out;
  const int rc = Shell(Stress() +
                           " mixed --ratio read=3,write=1 -n 3000 --keys 500 --connections 4"
                           " --threads 2 --interval 0.2 --drop --json " +
                           json + " --csv " + csv + NodeFlag(),
                       &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("Results: mixed at CL ONE"), std::string::npos) << out;
  EXPECT_NE(out.find("p99_ms"), std::string::npos) << out;  // progress header
  // The JSON parses (Python's json module) and its counts add up.
  const std::string check =
      "/usr/bin/python3 -c \"import json,sys\n"
      "d = json.load(open(sys.argv[1]))\n"
      "for r in d['runs']:\n"
      "  t = r['total']\n"
      "  e = t['errors']\n"
      "  kinds = sum(v for k, v in e.items() if k != 'total')\n"
      "  by = sum(b['operations'] for b in r['by_op'].values())\n"
      "  print(r['label'], t['operations'], t['ok'], e['total'], kinds, by,"
      " t['latency_ms']['count'], len(r['intervals']))\" " +
      json;
  ASSERT_EQ(Shell(check, &out), 0) << out;
  std::istringstream in(out);
  std::string label;
  uint64_t ops, ok, errors, kinds, by, latencies, intervals;
  ASSERT_TRUE(in >> label >> ops >> ok >> errors >> kinds >> by >> latencies >> intervals) << out;
  EXPECT_EQ(label, "ONE");
  EXPECT_EQ(ops, 3000u);
  EXPECT_EQ(ops, ok + errors);
  EXPECT_EQ(errors, kinds);
  EXPECT_EQ(by, ops);
  EXPECT_EQ(latencies, ok);
  EXPECT_GE(intervals, 1u);
  // The CSV's intervals hold every operation too.
  std::ifstream f(csv);
  std::string line;
  std::getline(f, line);
  EXPECT_EQ(line.rfind("run,cl_read,cl_write,time_s", 0), 0u) << line;
  uint64_t csv_ops = 0;
  while (std::getline(f, line)) {
    std::istringstream fields(line);
    std::string field;
    for (int i = 0; i < 6 && std::getline(fields, field, ','); ++i) {
    }
    csv_ops += std::stoull(field);
  }
  EXPECT_EQ(csv_ops, 3000u);
}

TEST_F(StressEndToEndTest, ComparisonModeCountsUnavailableAsErrors) {
  const std::string json = dir_->str() + "/cmp.json";
  std::string out;
  const int rc = Shell(Stress() +
                           " write -n 300 --keyspace rf3_ks --rf 3 --cl ONE,QUORUM,ALL"
                           " --quiet --json " +
                           json + NodeFlag(),
                       &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("Comparison: write"), std::string::npos) << out;
  EXPECT_NE(out.find("first unavailable"), std::string::npos) << out;
  ASSERT_EQ(Shell("/usr/bin/python3 -c \"import json,sys\n"
                  "for r in json.load(open(sys.argv[1]))['runs']:\n"
                  "  t = r['total']\n"
                  "  print(r['label'], t['operations'], t['ok'], t['errors']['unavailable'])\" " +
                      json,
                  &out),
            0)
      << out;
  // RF 3 on one live node: ONE works, QUORUM (2) and ALL (3) are unavailable.
  EXPECT_EQ(out, "ONE 300 300 0\nQUORUM 300 0 300\nALL 300 0 300\n");
}

TEST_F(StressEndToEndTest, TokenAwareRoutingLearnsTheRingAndSendsEveryKeyToItsReplica) {
  StressOptions write = Options({"write", "--keyspace", "routing_ks", "--pop", "seq(1..200)", "-n",
                                 "200", "--connections", "4", "--threads", "2", "--quiet"});
  ASSERT_TRUE(SetUpSchema(write, [](const std::string&) {}).ok());
  Result<RingDescription> described = DescribeRing(write);
  ASSERT_TRUE(described.ok()) << described.status().ToString();
  EXPECT_EQ(described->partitioner, "org.apache.cassandra.dht.Murmur3Partitioner");
  EXPECT_EQ(described->ranges.size(), 4u);  // --num_tokens 4
  auto ring = TokenRing::Build(*described, write.nodes);
  ASSERT_TRUE(ring.ok()) << ring.status().ToString();
  // The ring names the node by its rpc address; the port comes from --nodes.
  ASSERT_EQ((*ring)->nodes().size(), 1u);
  EXPECT_EQ((*ring)->nodes()[0].ToString(), write.nodes[0].ToString());
  for (uint64_t id = 1; id <= 200; ++id) {
    ASSERT_EQ((*ring)->ReplicasFor(KeyName(id)), std::vector<uint32_t>{0});
  }

  RunResult w = RunWorkload(write, write.consistency[0], nullptr, ring->get());
  ASSERT_FALSE(w.aborted) << w.abort_reason;
  EXPECT_TRUE(w.token_aware);
  EXPECT_EQ(w.stats.Combined().ok, 200u);
  EXPECT_EQ(w.routing.primary, 200u);
  EXPECT_EQ(w.routing.Total(), 200u);

  StressOptions read = Options({"read", "--keyspace", "routing_ks", "--pop", "uniform(1..200)",
                                "-n", "500", "--connections", "4", "--verify", "--quiet"});
  RunResult r = RunWorkload(read, read.consistency[0], nullptr, ring->get());
  EXPECT_EQ(r.stats.Combined().ok, 500u);
  EXPECT_EQ(r.stats.Combined().errors.Total(), 0u);
  EXPECT_EQ(r.routing.primary, 500u);

  // Range pages have no key: any idle connection, counted apart.
  StressOptions range = Options({"range", "--keyspace", "routing_ks", "-n", "3", "--page-size",
                                 "50", "--connections", "2", "--quiet"});
  RunResult scan = RunWorkload(range, range.consistency[0], nullptr, ring->get());
  EXPECT_EQ(scan.stats.Combined().ok, 3u);
  EXPECT_EQ(scan.routing.no_key, 3u);
  EXPECT_EQ(scan.routing.primary, 0u);
}

TEST_F(StressEndToEndTest, TokenAwareOptionsOfTheBinary) {
  const std::string json = dir_->str() + "/routing.json";
  std::string out;
  // Default: on, since the ring can be learned.
  ASSERT_EQ(Shell(Stress() + " write -n 500 --keyspace routing_bin_ks --quiet --json " + json +
                      NodeFlag(),
                  &out),
            0)
      << out;
  EXPECT_NE(out.find("token-aware: Murmur3Partitioner, 4 token ranges, 1 nodes"), std::string::npos)
      << out;
  EXPECT_NE(out.find("token-aware: 100.0 % to the primary replica"), std::string::npos) << out;
  const std::string routing =
      "/usr/bin/python3 -c \"import json,sys\n"
      "r = json.load(open(sys.argv[1]))['runs'][0]\n"
      "print(r['token_aware'], r['routing']['primary'], r['routing']['non_replica'])\" " +
      json;
  ASSERT_EQ(Shell(routing, &out), 0) << out;
  EXPECT_EQ(out, "True 500 0\n");

  // --no-token-aware: connections dealt round-robin over --nodes, no routing line.
  ASSERT_EQ(Shell(Stress() +
                      " write -n 500 --keyspace routing_bin_ks --no-token-aware --quiet"
                      " --json " +
                      json + NodeFlag(),
                  &out),
            0)
      << out;
  EXPECT_EQ(out.find("token-aware"), std::string::npos) << out;
  ASSERT_EQ(Shell(routing, &out), 0) << out;
  EXPECT_EQ(out, "False 0 0\n");

  // --token-aware insists: no ring for the keyspace is a setup failure; the default
  // only says so and goes on round-robin.
  EXPECT_EQ(Shell(Stress() + " read -n 10 --keyspace nowhere --no-schema --token-aware --quiet" +
                      NodeFlag(),
                  &out),
            3)
      << out;
  EXPECT_NE(out.find("--token-aware: describe_ring(nowhere) refused"), std::string::npos) << out;
  Shell(Stress() + " read -n 10 --keyspace nowhere --no-schema --quiet" + NodeFlag(), &out);
  EXPECT_NE(out.find("token-aware routing off (describe_ring(nowhere) refused"), std::string::npos)
      << out;
}

TEST_F(StressEndToEndTest, CounterWorkloadsRunAgainstARealNode) {
  std::string out;
  int rc = Shell(Stress() + " counter_write -n 2000 --keys 100 --keyspace counter_ks" + NodeFlag(),
                 &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("Results: counter_write at CL ONE"), std::string::npos) << out;
  EXPECT_NE(out.find("operations      : 2000 (2000 ok, 0 errors)"), std::string::npos) << out;
  rc = Shell(Stress() + " counter_read -n 500 --keys 100 --keyspace counter_ks --no-schema" +
                 NodeFlag(),
             &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("operations      : 500 (500 ok, 0 errors)"), std::string::npos) << out;
  // Every key was incremented, so every read finds its partition.
  EXPECT_NE(out.find(": 0 reads found no partition"), std::string::npos) << out;
}

TEST_F(StressEndToEndTest, MissingKeyspaceWithNoSchemaIsAClearFailure) {
  std::string out;
  const int rc =
      Shell(Stress() + " read -n 10 --keyspace nowhere --no-schema --quiet" + NodeFlag(), &out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("set_keyspace nowhere"), std::string::npos) << out;
}

}  // namespace
}  // namespace cairn::stress
