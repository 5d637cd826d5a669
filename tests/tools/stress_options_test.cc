// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// cairn-stress option parsing (tools/stress/options.h) and the key/cell distributions
// (tools/stress/distribution.h): defaults, every option family, and the errors.
#include <gtest/gtest.h>

#include <map>

#include "tools/stress/options.h"
#include "tools/stress/workload.h"

namespace cairn::stress {
namespace {

Result<StressOptions> Parse(std::vector<std::string> args) { return ParseOptions(args); }

// The error message of parsing `args` ("" when it parses).
std::string Error(std::vector<std::string> args) {
  Result<StressOptions> r = ParseOptions(args);
  return r.ok() ? "" : r.status().message();
}

TEST(StressOptionsTest, Defaults) {
  Result<StressOptions> r = Parse({"write"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->workload, Workload::kWrite);
  EXPECT_EQ(r->operations, 100000u);
  EXPECT_EQ(r->duration_s, 0);
  EXPECT_EQ(r->threads, 1);
  EXPECT_EQ(r->connections, 8);
  EXPECT_EQ(r->rate, 0);
  EXPECT_EQ(r->population.ToString(), "seq(1..100000)");
  EXPECT_EQ(r->columns.ToString(), "fixed(5)");
  EXPECT_EQ(r->cell_size.ToString(), "fixed(34)");
  ASSERT_EQ(r->consistency.size(), 1u);
  EXPECT_EQ(r->consistency[0].read, 1);
  EXPECT_EQ(r->consistency[0].write, 1);
  ASSERT_EQ(r->nodes.size(), 1u);
  EXPECT_EQ(r->nodes[0].ToString(), "127.0.0.1:9160");
  EXPECT_EQ(r->keyspace, "cairn_stress");
  EXPECT_EQ(r->column_family, "standard1");
  EXPECT_EQ(r->replication_factor, 1);
  EXPECT_EQ(r->replication_strategy, "SimpleStrategy");
  EXPECT_EQ(r->token_aware, TokenAwareness::kAuto);
  // Reads default to a uniform draw over the same range.
  EXPECT_EQ(Parse({"read"})->population.ToString(), "uniform(1..100000)");
}

TEST(StressOptionsTest, EveryOptionFamily) {
  Result<StressOptions> r = Parse({"mixed",          "--ratio",
                                   "read=3,write=1", "--duration=30s",
                                   "--threads",      "2",
                                   "--connections",  "32",
                                   "--rate",         "5000/s",
                                   "--pop",          "zipf(1..1M,1.1)",
                                   "--columns",      "uniform(1..10)",
                                   "--cell-size",    "gaussian(16..256)",
                                   "--batch",        "4",
                                   "--cl-read",      "quorum",
                                   "--cl-write",     "ALL",
                                   "--rf",           "3",
                                   "--strategy",     "NetworkTopologyStrategy",
                                   "--datacenter",   "dc1",
                                   "--nodes",        "127.0.0.1,127.0.0.2:9161,node3",
                                   "--port",         "9999",
                                   "--verify",       "--csv",
                                   "a.csv",          "--json",
                                   "a.json",         "--plot",
                                   "a.png",          "--drop",
                                   "--interval",     "2",
                                   "--seed",         "7",
                                   "--keyspace",     "ks",
                                   "--cf",           "cf"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->workload, Workload::kMixed);
  EXPECT_EQ(r->read_weight, 3);
  EXPECT_EQ(r->write_weight, 1);
  EXPECT_EQ(r->operations, 0u);
  EXPECT_EQ(r->duration_s, 30);
  EXPECT_EQ(r->threads, 2);
  EXPECT_EQ(r->connections, 32);
  EXPECT_EQ(r->rate, 5000);
  EXPECT_EQ(r->population.ToString(), "zipf(1..1000000,1.1)");
  EXPECT_EQ(r->columns.ToString(), "uniform(1..10)");
  EXPECT_EQ(r->cell_size.ToString(), "gaussian(16..256,3)");
  EXPECT_EQ(r->batch, 4);
  EXPECT_EQ(r->consistency[0].read, 2);   // QUORUM
  EXPECT_EQ(r->consistency[0].write, 5);  // ALL
  EXPECT_EQ(r->consistency[0].Label(), "read=QUORUM,write=ALL");
  EXPECT_EQ(r->replication_factor, 3);
  EXPECT_EQ(r->replication_strategy, "NetworkTopologyStrategy");
  EXPECT_EQ(r->datacenter, "dc1");
  ASSERT_EQ(r->nodes.size(), 3u);
  EXPECT_EQ(r->nodes[0].ToString(), "127.0.0.1:9999");
  EXPECT_EQ(r->nodes[1].ToString(), "127.0.0.2:9161");
  EXPECT_EQ(r->nodes[2].ToString(), "node3:9999");
  EXPECT_TRUE(r->verify);
  EXPECT_TRUE(r->drop);
  EXPECT_EQ(r->csv_path, "a.csv");
  EXPECT_EQ(r->json_path, "a.json");
  EXPECT_EQ(r->plot_path, "a.png");
  EXPECT_EQ(r->interval_s, 2);
  EXPECT_EQ(r->seed, 7u);
  EXPECT_EQ(r->keyspace, "ks");
  EXPECT_EQ(r->column_family, "cf");
}

TEST(StressOptionsTest, ComparisonModeListsLevels) {
  Result<StressOptions> r = Parse({"write", "--cl", "ONE,QUORUM,ALL", "-n", "10k"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->operations, 10000u);
  ASSERT_EQ(r->consistency.size(), 3u);
  EXPECT_EQ(r->consistency[0].Label(), "ONE");
  EXPECT_EQ(r->consistency[1].Label(), "QUORUM");
  EXPECT_EQ(r->consistency[2].Label(), "ALL");
}

TEST(StressOptionsTest, TokenAwareness) {
  EXPECT_EQ(Parse({"write", "--token-aware"})->token_aware, TokenAwareness::kOn);
  EXPECT_EQ(Parse({"write", "--no-token-aware"})->token_aware, TokenAwareness::kOff);
  // The last one given wins, as with other flags that override each other.
  EXPECT_EQ(Parse({"write", "--no-token-aware", "--token-aware"})->token_aware,
            TokenAwareness::kOn);
}

TEST(StressOptionsTest, ThreadsAreCappedAtConnections) {
  EXPECT_EQ(Parse({"write", "--threads", "8", "--connections", "2"})->threads, 2);
}

TEST(StressOptionsTest, KeysShorthand) {
  EXPECT_EQ(Parse({"write", "--keys", "500"})->population.ToString(), "seq(1..500)");
  EXPECT_EQ(Parse({"read", "--keys", "500"})->population.ToString(), "uniform(1..500)");
}

TEST(StressOptionsTest, Errors) {
  const std::map<std::vector<std::string>, std::string> cases = {
      {{}, "no workload given"},
      {{"frobnicate"}, "unknown workload 'frobnicate'"},
      {{"write", "read"}, "unexpected argument 'read'"},
      {{"write", "--bogus"}, "unknown option '--bogus'"},
      {{"write", "-n"}, "-n: needs a value"},
      {{"write", "-n", "0"}, "-n: expected a positive integer"},
      {{"write", "-n", "ten"}, "-n: expected a positive integer"},
      {{"write", "-n", "10", "--duration", "5s"}, "give one, not both"},
      {{"write", "--duration", "soon"}, "--duration: expected a duration"},
      {{"write", "--threads", "-1"}, "--threads: expected a positive integer"},
      {{"write", "--rate", "fast"}, "--rate: expected a positive number"},
      {{"write", "--pop", "uniform(10..1)"}, "MIN is above MAX"},
      {{"write", "--pop", "pareto(1..10)"}, "unknown distribution 'pareto'"},
      {{"write", "--pop", "uniform(1-10)"}, "expected a range MIN..MAX"},
      {{"write", "--pop", "5"}, "expected a distribution over a range"},
      {{"write", "--pop", "uniform(1..10)", "--keys", "10"}, "--pop and --keys"},
      {{"write", "--pop", "uniform(1..99999999999)"}, "10-digit decimals"},
      {{"write", "--columns", "0"}, "at least 1 column"},
      {{"write", "--columns", "seq(1..3)"}, "seq is only for --pop"},
      {{"write", "--ratio", "read=1,write=1"}, "only for the mixed workload"},
      {{"mixed", "--ratio", "read=3"}, "give both weights"},
      {{"mixed", "--ratio", "scan=1,write=1"}, "unknown operation 'scan'"},
      {{"write", "--cl", "MOST"}, "unknown consistency level 'MOST'"},
      {{"write", "--cl", "ONE", "--cl-read", "ALL"}, "do not combine"},
      {{"write", "--cl-write", "ONCE"}, "--cl-write: unknown consistency level"},
      {{"write", "--strategy", "LocalStrategy"},
       "expected SimpleStrategy or NetworkTopologyStrategy"},
      {{"write", "--nodes", "host:99999"}, "bad port"},
      {{"write", "--nodes", ":9160"}, "empty host"},
      {{"write", "--drop", "--no-schema"}, "contradict"},
      {{"counter_read", "--verify"}, "counter values cannot be verified"},
      {{"write", "--gaussian"}, "unknown option"},
      {{"write", "--pop", "gaussian(1..10,0)"}, "must be > 0"},
  };
  for (const auto& [args, want] : cases) {
    const std::string got = Error(args);
    EXPECT_NE(got.find(want), std::string::npos)
        << "args: " << ::testing::PrintToString(args) << "\n  got: '" << got << "'\n want: '"
        << want << "'";
  }
}

TEST(StressOptionsTest, HelpNeedsNoWorkload) {
  Result<StressOptions> r = Parse({"--help"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->help);
  EXPECT_NE(Usage().find("--cl L[,L...]"), std::string::npos);
}

TEST(DistributionTest, SamplesStayInRangeAndHotKeysAreHot) {
  Rng rng(5);
  for (const char* spec : {"uniform(10..20)", "gaussian(10..20)", "exp(10..20)", "zipf(10..20)",
                           "zipf(1..1000000,0.9)", "gaussian(5..5)"}) {
    Result<Distribution> d = Distribution::Parse(spec);
    ASSERT_TRUE(d.ok()) << spec << ": " << d.status().ToString();
    for (int i = 0; i < 20000; ++i) {
      const uint64_t v = d->Sample(rng);
      ASSERT_GE(v, d->min()) << spec;
      ASSERT_LE(v, d->max()) << spec;
    }
  }
  // Zipf(1..1000, s=1): P(1) = 1 / H(1000) ~ 0.134. Exponential: the minimum is the mode.
  Result<Distribution> zipf = Distribution::Parse("zipf(1..1000)");
  int ones = 0;
  for (int i = 0; i < 100000; ++i) ones += zipf->Sample(rng) == 1;
  EXPECT_NEAR(ones / 100000.0, 0.134, 0.01);
  Result<Distribution> exp = Distribution::Parse("exp(1..1000)");
  int low = 0;
  for (int i = 0; i < 100000; ++i) low += exp->Sample(rng) <= 100;
  EXPECT_NEAR(low / 100000.0, 1 - std::pow(1000.0, -0.1), 0.01);  // ~0.50
  // Gaussian(1..1000, 3): about 68 % within one deviation (167) of the mean.
  Result<Distribution> gauss = Distribution::Parse("gaussian(1..1000)");
  int inside = 0;
  for (int i = 0; i < 100000; ++i) {
    const double v = static_cast<double>(gauss->Sample(rng));
    inside += std::abs(v - 500.5) <= 166.5;
  }
  EXPECT_NEAR(inside / 100000.0, 0.683, 0.01);
}

TEST(WorkloadTest, KeysColumnsAndValuesAreDeterministic) {
  EXPECT_EQ(KeyName(42), "0000000042");
  uint64_t id = 0;
  EXPECT_TRUE(ParseKeyName("0000000042", &id));
  EXPECT_EQ(id, 42u);
  EXPECT_FALSE(ParseKeyName("42", &id));
  EXPECT_FALSE(ParseKeyName("00000000x2", &id));
  int index = 0;
  EXPECT_TRUE(ParseColumnName("C12", &index));
  EXPECT_EQ(index, 12);
  EXPECT_FALSE(ParseColumnName("C01", &index));
  EXPECT_FALSE(ParseColumnName("D1", &index));
  std::string a, b, c;
  Result<Distribution> sizes = Distribution::Parse("uniform(1..100)");
  ValueFor(*sizes, 7, 3, &a);
  ValueFor(*sizes, 7, 3, &b);
  ValueFor(*sizes, 7, 4, &c);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_GE(a.size(), 1u);
  EXPECT_LE(a.size(), 100u);
  ValueFor(Distribution::Fixed(34), 1, 0, &a);
  EXPECT_EQ(a.size(), 34u);
  Result<Distribution> columns = Distribution::Parse("uniform(1..9)");
  EXPECT_EQ(ColumnsFor(*columns, 123), ColumnsFor(*columns, 123));
}

TEST(WorkloadTest, VerifyPartitionJudgesCells) {
  StressOptions o = *ParseOptions(std::vector<std::string>{"read", "--columns", "3"});
  auto cells = [&](uint64_t key, int n) {
    std::vector<gen::ColumnOrSuperColumn> out(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      gen::Column c;
      c.name = ColumnName(i);
      ValueFor(o.cell_size, key, i, &c.value);
      out[static_cast<size_t>(i)].__set_column(c);
    }
    return out;
  };
  EXPECT_EQ(VerifyPartition(o, 5, cells(5, 3), true).error, ErrorKind::kNone);
  EXPECT_EQ(VerifyPartition(o, 5, cells(5, 2), true).error, ErrorKind::kMissing);
  EXPECT_EQ(VerifyPartition(o, 5, {}, true).error, ErrorKind::kMissing);
  EXPECT_EQ(VerifyPartition(o, 5, {}, false).error, ErrorKind::kNone);
  EXPECT_EQ(VerifyPartition(o, 6, cells(5, 3), true).error, ErrorKind::kCorrupt);
  auto bad = cells(5, 3);
  bad[1].column.value[0] ^= 1;
  const Reply r = VerifyPartition(o, 5, bad, true);
  EXPECT_EQ(r.error, ErrorKind::kCorrupt);
  EXPECT_NE(r.message.find("0000000005 column C1"), std::string::npos) << r.message;
}

}  // namespace
}  // namespace cairn::stress
