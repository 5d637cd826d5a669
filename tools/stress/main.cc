// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// cairn-stress: a load generator and benchmark for clusters that speak Cassandra's Thrift
// API (Cairn, or Cassandra 2.x/3.x with Thrift enabled), in the manner of
// cassandra-stress. It sets up its schema, runs the workload once per consistency setting
// (comparison mode when --cl lists several), prints a progress line per interval and a
// summary per run, and writes the CSV/JSON/PNG files asked for. tools/stress/README.md
// is the manual.
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tools/stress/options.h"
#include "tools/stress/report.h"
#include "tools/stress/runner.h"
#include "tools/stress/schema.h"
#include "tools/stress/token_ring.h"

namespace {

// Exit codes (also in Usage()).
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitSetup = 3;

std::string CommandLine(int argc, char** argv) {
  std::string s = "cairn-stress";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    const bool quote = a.empty() || a.find_first_of(" \t'\"()*$") != std::string::npos;
    s += " " + (quote ? "'" + a + "'" : a);
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cairn::stress;
  cairn::Result<StressOptions> parsed = ParseOptions(argc, argv);
  if (!parsed.ok()) {
    std::fprintf(stderr, "cairn-stress: %s\n\n%s", parsed.status().message().c_str(),
                 Usage().c_str());
    return kExitUsage;
  }
  const StressOptions& o = *parsed;
  if (o.help) {
    std::printf("%s", Usage().c_str());
    return kExitOk;
  }
  ::signal(SIGPIPE, SIG_IGN);

  cairn::Status st = SetUpSchema(
      o, [](const std::string& line) { std::printf("cairn-stress: %s\n", line.c_str()); });
  if (st.ok()) st = ProbeCounters(o);
  if (!st.ok()) {
    std::fprintf(stderr, "cairn-stress: %s\n", st.message().c_str());
    return kExitSetup;
  }

  // Token awareness: the ring of the keyspace, or (by default) a note and round-robin.
  std::shared_ptr<const TokenRing> ring;
  if (o.token_aware != TokenAwareness::kOff) {
    cairn::Result<RingDescription> described = DescribeRing(o);
    using RingResult = cairn::Result<std::shared_ptr<const TokenRing>>;
    RingResult built =
        described.ok() ? TokenRing::Build(*described, o.nodes) : RingResult(described.status());
    if (built.ok()) {
      ring = *built;
      std::string nodes;
      for (const Endpoint& e : ring->nodes()) nodes += (nodes.empty() ? "" : ",") + e.ToString();
      std::printf("cairn-stress: token-aware: %s, %zu token ranges, %zu nodes (%s)\n",
                  std::string(ring->partitioner().ShortName()).c_str(), ring->num_ranges(),
                  ring->nodes().size(), nodes.c_str());
    } else if (o.token_aware == TokenAwareness::kOn) {
      std::fprintf(stderr, "cairn-stress: --token-aware: %s\n", built.status().message().c_str());
      return kExitSetup;
    } else {
      std::printf("cairn-stress: token-aware routing off (%s); connections dealt round-robin\n",
                  built.status().message().c_str());
    }
  }

  std::vector<RunResult> runs;
  bool failed = false;
  for (const ConsistencySetting& cl : o.consistency) {
    if (!o.quiet) {
      PrintRunHeader(stdout, o, cl);
      PrintProgressHeader(stdout, o);
    }
    RunResult r = RunWorkload(
        o, cl,
        [&o](const IntervalReport& iv) {
          if (!o.quiet) PrintProgress(stdout, o, iv);
        },
        ring.get());
    PrintSummary(stdout, o, r);
    const OpTotals t = r.stats.Combined();
    if (r.aborted) failed = true;
    if (t.errors[ErrorKind::kCorrupt] + t.errors[ErrorKind::kMissing] > 0) failed = true;
    runs.push_back(std::move(r));
    if (runs.back().aborted) break;  // the next levels would meet the same wall
  }
  if (runs.size() > 1) PrintComparison(stdout, o, runs);

  const std::string command = CommandLine(argc, argv);
  if (!o.csv_path.empty()) {
    cairn::Status w = WriteCsv(o.csv_path, runs);
    if (!w.ok())
      std::fprintf(stderr, "cairn-stress: %s\n", w.message().c_str());
    else
      std::printf("cairn-stress: intervals written to %s\n", o.csv_path.c_str());
  }
  if (!o.json_path.empty()) {
    cairn::Status w = WriteJson(o.json_path, o, runs, command);
    if (!w.ok())
      std::fprintf(stderr, "cairn-stress: %s\n", w.message().c_str());
    else
      std::printf("cairn-stress: summary written to %s\n", o.json_path.c_str());
  }
  if (!o.plot_path.empty()) {
    cairn::Status w = WritePlot(o.plot_path, o, runs);
    if (w.IsNotFound()) {
      std::printf("cairn-stress: --plot skipped: %s\n", w.message().c_str());
    } else if (!w.ok()) {
      std::fprintf(stderr, "cairn-stress: --plot: %s\n", w.message().c_str());
    } else {
      std::printf("cairn-stress: plot written to %s\n", o.plot_path.c_str());
    }
  }
  return failed ? kExitFailed : kExitOk;
}
