// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Command-line parsing for cairn-stress (options.h).
#include "tools/stress/options.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace cairn::stress {

namespace {

struct ClName {
  const char* name;
  int32_t value;
};
constexpr ClName kLevels[] = {
    {"ONE", 1},    {"QUORUM", 2},        {"LOCAL_QUORUM", 3}, {"EACH_QUORUM", 4},
    {"ALL", 5},    {"ANY", 6},           {"TWO", 7},          {"THREE", 8},
    {"SERIAL", 9}, {"LOCAL_SERIAL", 10}, {"LOCAL_ONE", 11},
};

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  for (;;) {
    const size_t next = s.find(sep, pos);
    out.push_back(s.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (next == std::string::npos) return out;
    pos = next + 1;
  }
}

Status Bad(const std::string& option, const std::string& what) {
  return Status::InvalidArgument(option + ": " + what);
}

// A positive integer (k/M/B suffixes allowed, as in "-n 1M").
Status PositiveInt(const std::string& option, const std::string& text, uint64_t max,
                   uint64_t* out) {
  Result<Distribution> d = Distribution::Parse(text);
  if (!d.ok() || d->kind() != Distribution::Kind::kFixed || d->min() == 0 || d->min() > max) {
    return Bad(option, "expected a positive integer" +
                           (max < UINT64_MAX ? " up to " + std::to_string(max) : std::string()) +
                           ", got '" + text + "'");
  }
  *out = d->min();
  return Status::OK();
}

Status PositiveDouble(const std::string& option, const std::string& text, double* out) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) || v <= 0) {
    return Bad(option, "expected a positive number, got '" + text + "'");
  }
  *out = v;
  return Status::OK();
}

// "30", "30s", "5m", "1h" -> seconds.
Status Duration(const std::string& option, const std::string& text, double* out) {
  std::string num = text;
  double unit = 1;
  if (!num.empty() && (num.back() == 's' || num.back() == 'm' || num.back() == 'h')) {
    unit = num.back() == 's' ? 1 : num.back() == 'm' ? 60 : 3600;
    num.pop_back();
  }
  double v = 0;
  if (!PositiveDouble(option, num, &v).ok()) {
    return Bad(option, "expected a duration such as 30s, 5m or 90, got '" + text + "'");
  }
  *out = v * unit;
  return Status::OK();
}

Result<int32_t> Level(const std::string& option, const std::string& text) {
  const int32_t cl = ParseConsistencyLevel(text);
  if (cl < 0) {
    return Bad(option, "unknown consistency level '" + text +
                           "' (ONE, TWO, THREE, QUORUM, LOCAL_QUORUM, EACH_QUORUM, ALL, ANY, "
                           "LOCAL_ONE)");
  }
  return cl;
}

Result<Endpoint> ParseEndpoint(const std::string& text, int default_port) {
  Endpoint e;
  e.port = default_port;
  std::string host = text;
  const size_t colon = text.rfind(':');
  if (colon != std::string::npos) {
    host = text.substr(0, colon);
    uint64_t port = 0;
    if (!PositiveInt("--nodes", text.substr(colon + 1), 65535, &port).ok()) {
      return Bad("--nodes", "bad port in '" + text + "'");
    }
    e.port = static_cast<int>(port);
  }
  if (host.empty()) return Bad("--nodes", "empty host in '" + text + "'");
  e.host = host;
  return e;
}

Result<Workload> ParseWorkload(const std::string& w) {
  if (w == "write") return Workload::kWrite;
  if (w == "read") return Workload::kRead;
  if (w == "mixed") return Workload::kMixed;
  if (w == "range" || w == "range_slice" || w == "scan") return Workload::kRange;
  if (w == "counter_write") return Workload::kCounterWrite;
  if (w == "counter_read") return Workload::kCounterRead;
  return Status::InvalidArgument("unknown workload '" + w +
                                 "' (write, read, mixed, range, counter_write, counter_read)");
}

}  // namespace

const char* WorkloadName(Workload w) {
  switch (w) {
    case Workload::kWrite:
      return "write";
    case Workload::kRead:
      return "read";
    case Workload::kMixed:
      return "mixed";
    case Workload::kRange:
      return "range";
    case Workload::kCounterWrite:
      return "counter_write";
    case Workload::kCounterRead:
      return "counter_read";
  }
  return "?";
}

const char* OpTypeName(OpType t) {
  switch (t) {
    case OpType::kWrite:
      return "write";
    case OpType::kRead:
      return "read";
    case OpType::kRange:
      return "range";
    case OpType::kCounterWrite:
      return "counter_write";
    case OpType::kCounterRead:
      return "counter_read";
  }
  return "?";
}

std::string ConsistencyLevelName(int32_t cl) {
  for (const ClName& l : kLevels) {
    if (l.value == cl) return l.name;
  }
  return "CL" + std::to_string(cl);
}

int32_t ParseConsistencyLevel(const std::string& name) {
  const std::string u = Upper(name);
  for (const ClName& l : kLevels) {
    if (u == l.name) return l.value;
  }
  return -1;
}

std::string ConsistencySetting::Label() const {
  if (read == write) return ConsistencyLevelName(read);
  return "read=" + ConsistencyLevelName(read) + ",write=" + ConsistencyLevelName(write);
}

Result<StressOptions> ParseOptions(int argc, const char* const* argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return ParseOptions(args);
}

Result<StressOptions> ParseOptions(const std::vector<std::string>& args) {
  StressOptions o;
  bool have_workload = false;
  std::string pop_spec, keys_text, nodes_text, cl_text, cl_read_text, cl_write_text;
  int default_port = 9160;
  bool have_ratio = false;

  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string inline_value;
    bool has_inline = false;
    if (a.rfind("--", 0) == 0) {
      const size_t eq = a.find('=');
      if (eq != std::string::npos) {
        inline_value = a.substr(eq + 1);
        a = a.substr(0, eq);
        has_inline = true;
      }
    }
    auto value = [&]() -> Result<std::string> {
      if (has_inline) return inline_value;
      if (i + 1 >= args.size()) return Bad(a, "needs a value");
      return args[++i];
    };
#define CAIRN_VALUE(var)                      \
  Result<std::string> var##_r = value();      \
  if (!var##_r.ok()) return var##_r.status(); \
  const std::string var = *var##_r

    if (a == "--help" || a == "-h") {
      o.help = true;
    } else if (a == "-n" || a == "--operations") {
      CAIRN_VALUE(v);
      CAIRN_RETURN_IF_ERROR(PositiveInt(a, v, UINT64_MAX / 2, &o.operations));
    } else if (a == "--duration") {
      CAIRN_VALUE(v);
      CAIRN_RETURN_IF_ERROR(Duration(a, v, &o.duration_s));
    } else if (a == "--threads") {
      CAIRN_VALUE(v);
      uint64_t n = 0;
      CAIRN_RETURN_IF_ERROR(PositiveInt(a, v, 1024, &n));
      o.threads = static_cast<int>(n);
    } else if (a == "--connections") {
      CAIRN_VALUE(v);
      uint64_t n = 0;
      CAIRN_RETURN_IF_ERROR(PositiveInt(a, v, 65536, &n));
      o.connections = static_cast<int>(n);
    } else if (a == "--rate") {
      CAIRN_VALUE(v);
      if (v == "unthrottled" || v == "0") {
        o.rate = 0;
      } else {
        std::string num = v;
        if (num.size() > 2 && num.substr(num.size() - 2) == "/s") num.resize(num.size() - 2);
        CAIRN_RETURN_IF_ERROR(PositiveDouble(a, num, &o.rate));
      }
    } else if (a == "--pop" || a == "--population") {
      CAIRN_VALUE(v);
      pop_spec = v;
    } else if (a == "--keys") {
      CAIRN_VALUE(v);
      keys_text = v;
    } else if (a == "--columns") {
      CAIRN_VALUE(v);
      Result<Distribution> d = Distribution::Parse(v);
      if (!d.ok()) return Bad(a, d.status().message());
      if (d->kind() == Distribution::Kind::kSequential) return Bad(a, "seq is only for --pop");
      if (d->min() == 0) return Bad(a, "a partition needs at least 1 column");
      if (d->max() > 100000) return Bad(a, "at most 100000 columns per partition");
      o.columns = *d;
    } else if (a == "--cell-size" || a == "--size") {
      CAIRN_VALUE(v);
      Result<Distribution> d = Distribution::Parse(v);
      if (!d.ok()) return Bad(a, d.status().message());
      if (d->kind() == Distribution::Kind::kSequential) return Bad(a, "seq is only for --pop");
      if (d->max() > (64u << 20)) return Bad(a, "cells are limited to 64 MiB");
      o.cell_size = *d;
    } else if (a == "--batch") {
      CAIRN_VALUE(v);
      uint64_t n = 0;
      CAIRN_RETURN_IF_ERROR(PositiveInt(a, v, 100000, &n));
      o.batch = static_cast<int>(n);
    } else if (a == "--page-size") {
      CAIRN_VALUE(v);
      uint64_t n = 0;
      CAIRN_RETURN_IF_ERROR(PositiveInt(a, v, 1000000, &n));
      o.page_size = static_cast<int>(n);
    } else if (a == "--ratio") {
      CAIRN_VALUE(v);
      // read=3,write=1 (cassandra-stress's "ratio(read=3,write=1)" is accepted too).
      std::string body = v;
      if (body.rfind("ratio(", 0) == 0 && body.back() == ')')
        body = body.substr(6, body.size() - 7);
      o.read_weight = o.write_weight = 0;
      for (const std::string& part : Split(body, ',')) {
        const size_t eq = part.find('=');
        uint64_t w = 0;
        if (eq == std::string::npos || !PositiveInt(a, part.substr(eq + 1), 1000000, &w).ok()) {
          return Bad(a, "expected read=N,write=M, got '" + v + "'");
        }
        const std::string what = part.substr(0, eq);
        if (what == "read") {
          o.read_weight = static_cast<int>(w);
        } else if (what == "write" || what == "insert") {
          o.write_weight = static_cast<int>(w);
        } else {
          return Bad(a, "unknown operation '" + what + "' (read, write)");
        }
      }
      if (o.read_weight == 0 || o.write_weight == 0) {
        return Bad(a, "give both weights, e.g. read=3,write=1");
      }
      have_ratio = true;
    } else if (a == "--cl" || a == "--consistency") {
      CAIRN_VALUE(v);
      cl_text = v;
    } else if (a == "--cl-read") {
      CAIRN_VALUE(v);
      cl_read_text = v;
    } else if (a == "--cl-write") {
      CAIRN_VALUE(v);
      cl_write_text = v;
    } else if (a == "--keyspace") {
      CAIRN_VALUE(v);
      if (v.empty()) return Bad(a, "must not be empty");
      o.keyspace = v;
    } else if (a == "--cf" || a == "--column-family") {
      CAIRN_VALUE(v);
      if (v.empty()) return Bad(a, "must not be empty");
      o.column_family = v;
    } else if (a == "--replication-factor" || a == "--rf") {
      CAIRN_VALUE(v);
      uint64_t n = 0;
      CAIRN_RETURN_IF_ERROR(PositiveInt(a, v, 1000, &n));
      o.replication_factor = static_cast<int>(n);
    } else if (a == "--replication-strategy" || a == "--strategy") {
      CAIRN_VALUE(v);
      if (v == "SimpleStrategy" || v == "org.apache.cassandra.locator.SimpleStrategy") {
        o.replication_strategy = "SimpleStrategy";
      } else if (v == "NetworkTopologyStrategy" ||
                 v == "org.apache.cassandra.locator.NetworkTopologyStrategy") {
        o.replication_strategy = "NetworkTopologyStrategy";
      } else {
        return Bad(a, "expected SimpleStrategy or NetworkTopologyStrategy, got '" + v + "'");
      }
    } else if (a == "--datacenter") {
      CAIRN_VALUE(v);
      if (v.empty()) return Bad(a, "must not be empty");
      o.datacenter = v;
    } else if (a == "--drop") {
      o.drop = true;
    } else if (a == "--no-schema") {
      o.no_schema = true;
    } else if (a == "--nodes" || a == "--node") {
      CAIRN_VALUE(v);
      nodes_text = v;
    } else if (a == "--token-aware") {
      o.token_aware = TokenAwareness::kOn;
    } else if (a == "--no-token-aware") {
      o.token_aware = TokenAwareness::kOff;
    } else if (a == "--port") {
      CAIRN_VALUE(v);
      uint64_t n = 0;
      CAIRN_RETURN_IF_ERROR(PositiveInt(a, v, 65535, &n));
      default_port = static_cast<int>(n);
    } else if (a == "--interval") {
      CAIRN_VALUE(v);
      CAIRN_RETURN_IF_ERROR(Duration(a, v, &o.interval_s));
    } else if (a == "--timeout-ms") {
      CAIRN_VALUE(v);
      uint64_t n = 0;
      CAIRN_RETURN_IF_ERROR(PositiveInt(a, v, 3600000, &n));
      o.timeout_ms = static_cast<int>(n);
    } else if (a == "--verify") {
      o.verify = true;
    } else if (a == "--seed") {
      CAIRN_VALUE(v);
      CAIRN_RETURN_IF_ERROR(PositiveInt(a, v, UINT64_MAX, &o.seed));
    } else if (a == "--quiet" || a == "-q") {
      o.quiet = true;
    } else if (a == "--csv") {
      CAIRN_VALUE(v);
      o.csv_path = v;
    } else if (a == "--json") {
      CAIRN_VALUE(v);
      o.json_path = v;
    } else if (a == "--plot") {
      CAIRN_VALUE(v);
      o.plot_path = v;
    } else if (!a.empty() && a[0] == '-') {
      return Status::InvalidArgument("unknown option '" + a + "'");
    } else if (!have_workload) {
      CAIRN_ASSIGN_OR_RETURN(o.workload, ParseWorkload(a));
      have_workload = true;
    } else {
      return Status::InvalidArgument("unexpected argument '" + a + "' (the workload is '" +
                                     WorkloadName(o.workload) + "')");
    }
#undef CAIRN_VALUE
  }
  if (o.help) return o;
  if (!have_workload) {
    return Status::InvalidArgument(
        "no workload given (write, read, mixed, range, counter_write, counter_read)");
  }

  // Stop condition.
  if (o.operations > 0 && o.duration_s > 0) {
    return Status::InvalidArgument("-n and --duration: give one, not both");
  }
  if (o.operations == 0 && o.duration_s == 0) o.operations = 100000;
  o.threads = std::min(o.threads, o.connections);
  if (have_ratio && o.workload != Workload::kMixed) {
    return Bad("--ratio", "only for the mixed workload");
  }
  const bool counter =
      o.workload == Workload::kCounterWrite || o.workload == Workload::kCounterRead;
  if (o.verify && (counter || o.workload == Workload::kWrite)) {
    // Writes have nothing to check; counters have no value derived from the key alone.
    if (counter) return Bad("--verify", "counter values cannot be verified");
  }

  // Keys.
  if (!pop_spec.empty() && !keys_text.empty()) {
    return Status::InvalidArgument(
        "--pop and --keys: give one, not both (--pop includes the range)");
  }
  const bool seq_default = o.workload == Workload::kWrite || o.workload == Workload::kCounterWrite;
  if (!pop_spec.empty()) {
    Result<Distribution> d = Distribution::Parse(pop_spec);
    if (!d.ok()) return Bad("--pop", d.status().message());
    if (d->kind() == Distribution::Kind::kFixed) {
      return Bad("--pop", "expected a distribution over a range, e.g. uniform(1..1000000)");
    }
    o.population = *d;
  } else {
    uint64_t keys = 100000;
    if (!keys_text.empty())
      CAIRN_RETURN_IF_ERROR(PositiveInt("--keys", keys_text, 9999999999ull, &keys));
    Result<Distribution> d = Distribution::Parse(std::string(seq_default ? "seq" : "uniform") +
                                                 "(1.." + std::to_string(keys) + ")");
    o.population = *d;
  }
  if (o.population.max() > 9999999999ull) {
    return Bad("--pop", "keys are 10-digit decimals: the largest is 9999999999");
  }

  // Consistency levels.
  if (!cl_text.empty()) {
    if (!cl_read_text.empty() || !cl_write_text.empty()) {
      return Status::InvalidArgument(
          "--cl sets both read and write levels: do not combine it with --cl-read/--cl-write");
    }
    o.consistency.clear();
    for (const std::string& name : Split(cl_text, ',')) {
      CAIRN_ASSIGN_OR_RETURN(int32_t cl, Level("--cl", name));
      o.consistency.push_back(ConsistencySetting{cl, cl});
    }
  } else {
    if (!cl_read_text.empty()) {
      CAIRN_ASSIGN_OR_RETURN(o.consistency[0].read, Level("--cl-read", cl_read_text));
    }
    if (!cl_write_text.empty()) {
      CAIRN_ASSIGN_OR_RETURN(o.consistency[0].write, Level("--cl-write", cl_write_text));
    }
  }

  // Nodes.
  if (nodes_text.empty()) nodes_text = "127.0.0.1";
  for (const std::string& n : Split(nodes_text, ',')) {
    if (n.empty()) continue;
    CAIRN_ASSIGN_OR_RETURN(Endpoint e, ParseEndpoint(n, default_port));
    o.nodes.push_back(e);
  }
  if (o.nodes.empty()) return Bad("--nodes", "no node given");
  if (o.no_schema && o.drop) return Status::InvalidArgument("--drop and --no-schema contradict");
  if (o.plot_path.empty() == false && o.plot_path.size() < 5) {
    // Fine: gnuplot writes whatever name it is given; only an empty name is refused.
  }
  return o;
}

std::string Usage() {
  return R"(usage: cairn-stress WORKLOAD [options]
Load generator for Cassandra's Thrift API (Cairn, or Cassandra 2.x/3.x with Thrift on).
Workloads: write, read, mixed, range, counter_write, counter_read
  -n N | --duration T        operations (default 100000) or time (30s, 5m)
  --threads N                client event-loop threads (default 1)
  --connections N            connections = requests in flight (default 8)
  --rate N | unthrottled     fixed operations per second over all connections
  --pop DIST | --keys N      key ids: seq(1..N), uniform(1..N), gaussian(1..N[,S]),
                             exp(1..N), zipf(1..N[,S]); --keys N = 1..N (seq for
                             writes, uniform otherwise; default 100000)
  --columns DIST             cells per partition (default 5)
  --cell-size DIST           bytes per cell value (default 34)
  --batch N                  partitions per batch_mutate of a write (default 1)
  --page-size N              partitions per get_range_slices page (default 100)
  --ratio read=3,write=1     mixed workload weights (default 1:1)
  --cl L[,L...]              consistency of reads and writes; several = comparison mode
  --cl-read L, --cl-write L  per operation type (default ONE)
  --keyspace KS --cf CF      default cairn_stress / standard1
  --replication-factor N     for a created keyspace (default 1)
  --replication-strategy S   SimpleStrategy (default) or NetworkTopologyStrategy
  --datacenter DC            the NetworkTopologyStrategy data center (default datacenter1)
  --drop                     drop and recreate the keyspace first
  --no-schema                create nothing; the keyspace must exist
  --nodes H[:P],...          nodes to connect to (default 127.0.0.1); with token
                             awareness the contact points of the whole ring
  --token-aware              send each operation to a replica of its key (default:
                             on when describe_ring works); --no-token-aware: deal
                             connections round-robin over --nodes
  --port P                   default Thrift port (default 9160)
  --interval T               seconds between progress lines (default 1)
  --timeout-ms N             client-side request timeout (default 12000)
  --verify                   check every value read against the value written
  --seed N                   generator seed (default 1)
  --quiet                    no progress lines
  --csv FILE                 intervals as CSV
  --json FILE                summary as JSON
  --plot FILE.png            throughput and p99 over time (needs gnuplot)
Exit status: 0 done; 1 verification failed or the run was cut short; 2 bad usage;
3 could not set up (connect, schema, or the server refused the workload).
See tools/stress/README.md.
)";
}

}  // namespace cairn::stress
