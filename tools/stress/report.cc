// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Human and machine-readable output of cairn-stress (report.h).
#include "tools/stress/report.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace cairn::stress {

namespace {

double Ms(uint64_t ns) { return static_cast<double>(ns) / 1e6; }

double Rate(uint64_t n, double seconds) {
  return seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
}

// "unavailable", "timed out" (server or client) and everything else, as the progress
// line shows them.
uint64_t Unavailable(const ErrorCounts& e) { return e[ErrorKind::kUnavailable]; }
uint64_t TimedOut(const ErrorCounts& e) {
  return e[ErrorKind::kTimedOut] + e[ErrorKind::kClientTimeout];
}
uint64_t Verification(const ErrorCounts& e) {
  return e[ErrorKind::kCorrupt] + e[ErrorKind::kMissing];
}
uint64_t OtherErrors(const ErrorCounts& e) {
  return e.Total() - Unavailable(e) - TimedOut(e) - Verification(e);
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          // Server messages may carry arbitrary bytes; escape everything outside ASCII so
          // the file is valid JSON whatever they hold.
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string Num(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string LatencyJson(const Histogram& h) {
  std::ostringstream s;
  s << "{\"count\": " << h.count() << ", \"mean\": " << Num(h.Mean() / 1e6)
    << ", \"min\": " << Num(Ms(h.min())) << ", \"p50\": " << Num(Ms(h.Percentile(0.5)))
    << ", \"p95\": " << Num(Ms(h.Percentile(0.95))) << ", \"p99\": " << Num(Ms(h.Percentile(0.99)))
    << ", \"p999\": " << Num(Ms(h.Percentile(0.999))) << ", \"max\": " << Num(Ms(h.max())) << "}";
  return s.str();
}

std::string TotalsJson(const OpTotals& t, double elapsed_s, const std::string& indent) {
  std::ostringstream s;
  s << "{\n"
    << indent << "  \"operations\": " << t.Operations() << ",\n"
    << indent << "  \"ok\": " << t.ok << ",\n"
    << indent << "  \"errors\": {\"total\": " << t.errors.Total();
  for (int k = 0; k < kErrorKinds; ++k) {
    s << ", \"" << ErrorKindName(static_cast<ErrorKind>(k))
      << "\": " << t.errors.n[static_cast<size_t>(k)];
  }
  s << "},\n"
    << indent << "  \"partitions\": " << t.partitions << ",\n"
    << indent << "  \"cells\": " << t.cells << ",\n"
    << indent << "  \"not_found\": " << t.not_found << ",\n"
    << indent << "  \"ops_per_s\": " << Num(Rate(t.Operations(), elapsed_s)) << ",\n"
    << indent << "  \"partitions_per_s\": " << Num(Rate(t.partitions, elapsed_s)) << ",\n"
    << indent << "  \"latency_ms\": " << LatencyJson(t.latency) << "\n"
    << indent << "}";
  return s.str();
}

void Line(FILE* out, const char* label, const std::string& value) {
  std::fprintf(out, "  %-16s: %s\n", label, value.c_str());
}

std::string Fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string U(uint64_t v) { return std::to_string(v); }

bool HaveProgram(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string p = path != nullptr ? path : "/usr/bin:/bin";
  size_t pos = 0;
  for (;;) {
    const size_t colon = p.find(':', pos);
    std::string dir = p.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return true;
    if (colon == std::string::npos) return false;
    pos = colon + 1;
  }
}

std::string GnuplotQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "''";
    else
      out += c;
  }
  return out + "'";
}

}  // namespace

void PrintRunHeader(FILE* out, const StressOptions& o, const ConsistencySetting& cl) {
  std::string what = WorkloadName(o.workload);
  if (o.workload == Workload::kMixed) {
    what += " (read=" + std::to_string(o.read_weight) + ",write=" + std::to_string(o.write_weight) +
            ")";
  }
  std::string nodes;
  for (const Endpoint& e : o.nodes) nodes += (nodes.empty() ? "" : ",") + e.ToString();
  std::string amount =
      o.operations > 0 ? std::to_string(o.operations) + " operations" : Fmt("%g s", o.duration_s);
  std::fprintf(
      out,
      "\n== %s at CL %s: %s, %d connections on %d thread%s to %s, %s, keys %s, "
      "columns %s, cell size %s%s%s%s\n",
      what.c_str(), cl.Label().c_str(), amount.c_str(), o.connections, o.threads,
      o.threads == 1 ? "" : "s", nodes.c_str(),
      o.rate > 0 ? Fmt("%g op/s", o.rate).c_str() : "unthrottled", o.population.ToString().c_str(),
      o.columns.ToString().c_str(), o.cell_size.ToString().c_str(),
      o.batch > 1 ? (", batch " + std::to_string(o.batch)).c_str() : "",
      o.workload == Workload::kRange ? (", page " + std::to_string(o.page_size)).c_str() : "",
      o.verify ? ", verifying reads" : "");
}

void PrintProgressHeader(FILE* out, const StressOptions& o) {
  std::fprintf(out, "%7s %9s %9s %8s %8s %8s %8s %8s %8s %7s %7s %7s%s %6s\n", "time_s", "op/s",
               "pk/s", "mean_ms", "p50_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms", "unavail",
               "timeout", "other", o.verify ? "   wrong" : "", "done");
}

void PrintProgress(FILE* out, const StressOptions& o, const IntervalReport& r) {
  const OpTotals& t = r.totals;
  const Histogram& h = t.latency;
  std::fprintf(out, "%7.1f %9.0f %9.0f %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f %7llu %7llu %7llu",
               r.end_s, Rate(t.Operations(), r.length_s), Rate(t.partitions, r.length_s),
               h.Mean() / 1e6, Ms(h.Percentile(0.5)), Ms(h.Percentile(0.95)),
               Ms(h.Percentile(0.99)), Ms(h.Percentile(0.999)), Ms(h.max()),
               static_cast<unsigned long long>(Unavailable(t.errors)),
               static_cast<unsigned long long>(TimedOut(t.errors)),
               static_cast<unsigned long long>(OtherErrors(t.errors) +
                                               (o.verify ? 0 : Verification(t.errors))));
  if (o.verify)
    std::fprintf(out, " %7llu", static_cast<unsigned long long>(Verification(t.errors)));
  std::fprintf(out, " %5.1f%%\n", 100.0 * std::min(1.0, r.done_fraction));
  std::fflush(out);
}

namespace {

// "token-aware: 91.2 % to the primary replica, ..." (percentages of the operations sent).
std::string RoutingText(const RoutingCounts& c) {
  const double total = static_cast<double>(std::max<uint64_t>(1, c.Total()));
  auto pct = [&](uint64_t n) { return Fmt("%.1f %%", 100.0 * static_cast<double>(n) / total); };
  std::string s = "token-aware: " + pct(c.primary) + " to the primary replica, " + pct(c.replica) +
                  " to another replica, " + pct(c.non_replica) +
                  " to a non-replica (no idle connection to a replica)";
  if (c.no_key > 0) s += ", " + U(c.no_key) + " without a key (any node)";
  return s;
}

}  // namespace

void PrintSummary(FILE* out, const StressOptions& o, const RunResult& r) {
  const OpTotals t = r.stats.Combined();
  const Histogram& h = t.latency;
  std::fprintf(out, "\nResults: %s at CL %s%s\n", WorkloadName(o.workload),
               r.consistency.Label().c_str(), r.aborted ? " (CUT SHORT)" : "");
  if (r.aborted) Line(out, "cut short", r.abort_reason);
  Line(out, "operations",
       U(t.Operations()) + " (" + U(t.ok) + " ok, " + U(t.errors.Total()) + " errors)");
  Line(out, "elapsed", Fmt("%.2f s", r.elapsed_s));
  Line(out, "op rate",
       Fmt("%.0f op/s", Rate(t.Operations(), r.elapsed_s)) + " (" +
           Fmt("%.0f op/s", Rate(t.ok, r.elapsed_s)) + " successful)");
  Line(out, "partition rate",
       Fmt("%.0f pk/s", Rate(t.partitions, r.elapsed_s)) + " (" + U(t.partitions) + " partitions)");
  Line(out, "cell rate", Fmt("%.0f cells/s", Rate(t.cells, r.elapsed_s)));
  if (h.count() > 0) {
    Line(out, "latency mean", Fmt("%.3f ms", h.Mean() / 1e6));
    Line(out, "latency median", Fmt("%.3f ms", Ms(h.Percentile(0.5))));
    Line(out, "latency p95", Fmt("%.3f ms", Ms(h.Percentile(0.95))));
    Line(out, "latency p99", Fmt("%.3f ms", Ms(h.Percentile(0.99))));
    Line(out, "latency p99.9", Fmt("%.3f ms", Ms(h.Percentile(0.999))));
    Line(out, "latency max",
         Fmt("%.3f ms", Ms(h.max())) + "  (whole-run histogram of " + U(h.count()) +
             " successful operations, +-0.8%)");
  } else {
    Line(out, "latency", "no successful operation");
  }
  std::string errors;
  for (int k = 0; k < kErrorKinds; ++k) {
    const ErrorKind kind = static_cast<ErrorKind>(k);
    if ((kind == ErrorKind::kCorrupt || kind == ErrorKind::kMissing) && !o.verify &&
        t.errors[kind] == 0)
      continue;
    errors +=
        (errors.empty() ? "" : ", ") + std::string(ErrorKindName(kind)) + " " + U(t.errors[kind]);
  }
  Line(out, "errors", errors);
  for (int k = 0; k < kErrorKinds; ++k) {
    const std::string& m = r.stats.first_message[static_cast<size_t>(k)];
    if (!m.empty()) {
      Line(out, (std::string("  first ") + ErrorKindName(static_cast<ErrorKind>(k))).c_str(), m);
    }
  }
  const bool reads = o.workload == Workload::kRead || o.workload == Workload::kMixed ||
                     o.workload == Workload::kCounterRead;
  if (reads) Line(out, "not found", U(t.not_found) + " reads found no partition");
  if (o.verify) {
    Line(out, "verification",
         Verification(t.errors) == 0 ? "every cell read had the value written"
                                     : U(Verification(t.errors)) + " reads FAILED verification");
  }
  if (r.token_aware) Line(out, "routing", RoutingText(r.routing));
  if (o.workload == Workload::kMixed) {
    for (OpType type : {OpType::kRead, OpType::kWrite}) {
      const OpTotals& b = r.stats.by_type[static_cast<size_t>(type)];
      Line(out, OpTypeName(type),
           Fmt("%.0f op/s", Rate(b.Operations(), r.elapsed_s)) + ", " + U(b.Operations()) +
               " ops, " + U(b.errors.Total()) + " errors, latency mean " +
               Fmt("%.3f", b.latency.Mean() / 1e6) + " median " +
               Fmt("%.3f", Ms(b.latency.Percentile(0.5))) + " p99 " +
               Fmt("%.3f", Ms(b.latency.Percentile(0.99))) + " max " +
               Fmt("%.3f ms", Ms(b.latency.max())));
    }
  }
  std::fflush(out);
}

void PrintComparison(FILE* out, const StressOptions& o, const std::vector<RunResult>& runs) {
  std::fprintf(out, "\nComparison: %s, same workload at each consistency level\n",
               WorkloadName(o.workload));
  std::fprintf(out, "%-16s", "");
  for (const RunResult& r : runs) std::fprintf(out, " %14s", r.consistency.Label().c_str());
  std::fprintf(out, "\n");
  auto row = [&](const char* label, auto value) {
    std::fprintf(out, "%-16s", label);
    for (const RunResult& r : runs) std::fprintf(out, " %14s", value(r).c_str());
    std::fprintf(out, "\n");
  };
  auto totals = [](const RunResult& r) { return r.stats.Combined(); };
  row("op/s",
      [&](const RunResult& r) { return Fmt("%.0f", Rate(totals(r).Operations(), r.elapsed_s)); });
  row("ok op/s", [&](const RunResult& r) { return Fmt("%.0f", Rate(totals(r).ok, r.elapsed_s)); });
  row("pk/s",
      [&](const RunResult& r) { return Fmt("%.0f", Rate(totals(r).partitions, r.elapsed_s)); });
  auto lat = [&](const char* label, double q) {
    row(label, [&](const RunResult& r) {
      const OpTotals t = totals(r);
      if (t.latency.count() == 0) return std::string("-");
      return Fmt("%.3f", q < 0 ? t.latency.Mean() / 1e6 : Ms(t.latency.Percentile(q)));
    });
  };
  lat("mean ms", -1);
  lat("median ms", 0.5);
  lat("p95 ms", 0.95);
  lat("p99 ms", 0.99);
  lat("p99.9 ms", 0.999);
  row("max ms", [&](const RunResult& r) {
    const OpTotals t = totals(r);
    return t.latency.count() == 0 ? std::string("-") : Fmt("%.3f", Ms(t.latency.max()));
  });
  row("operations", [&](const RunResult& r) { return U(totals(r).Operations()); });
  row("ok", [&](const RunResult& r) { return U(totals(r).ok); });
  row("errors", [&](const RunResult& r) { return U(totals(r).errors.Total()); });
  row("  unavailable", [&](const RunResult& r) { return U(Unavailable(totals(r).errors)); });
  row("  timed out", [&](const RunResult& r) { return U(TimedOut(totals(r).errors)); });
  if (o.verify)
    row("  wrong value", [&](const RunResult& r) { return U(Verification(totals(r).errors)); });
  row("  other", [&](const RunResult& r) { return U(OtherErrors(totals(r).errors)); });
  row("elapsed s", [&](const RunResult& r) { return Fmt("%.2f", r.elapsed_s); });
  if (!runs.empty() && runs[0].token_aware) {
    row("to replica %", [&](const RunResult& r) {
      const double total = static_cast<double>(std::max<uint64_t>(1, r.routing.Total()));
      return Fmt("%.1f",
                 100.0 * static_cast<double>(r.routing.primary + r.routing.replica) / total);
    });
  }
  std::fflush(out);
}

Status WriteCsv(const std::string& path, const std::vector<RunResult>& runs) {
  std::ofstream f(path);
  if (!f) return Status::IOError("cannot write " + path);
  f << "run,cl_read,cl_write,time_s,interval_s,operations,ok,errors,ops_per_s,partitions_per_s,"
       "mean_ms,p50_ms,p95_ms,p99_ms,p999_ms,max_ms,unavailable,timed_out,client_timeout,"
       "invalid_request,corrupt,missing,connection,other,done_pct\n";
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunResult& r = runs[i];
    for (const IntervalReport& iv : r.intervals) {
      const OpTotals& t = iv.totals;
      const Histogram& h = t.latency;
      const ErrorCounts& e = t.errors;
      f << i << ',' << ConsistencyLevelName(r.consistency.read) << ','
        << ConsistencyLevelName(r.consistency.write) << ',' << Num(iv.end_s) << ','
        << Num(iv.length_s) << ',' << t.Operations() << ',' << t.ok << ',' << e.Total() << ','
        << Num(Rate(t.Operations(), iv.length_s)) << ',' << Num(Rate(t.partitions, iv.length_s))
        << ',' << Num(h.Mean() / 1e6) << ',' << Num(Ms(h.Percentile(0.5))) << ','
        << Num(Ms(h.Percentile(0.95))) << ',' << Num(Ms(h.Percentile(0.99))) << ','
        << Num(Ms(h.Percentile(0.999))) << ',' << Num(Ms(h.max())) << ','
        << e[ErrorKind::kUnavailable] << ',' << e[ErrorKind::kTimedOut] << ','
        << e[ErrorKind::kClientTimeout] << ',' << e[ErrorKind::kInvalid] << ','
        << e[ErrorKind::kCorrupt] << ',' << e[ErrorKind::kMissing] << ','
        << e[ErrorKind::kConnection] << ',' << e[ErrorKind::kOther] << ','
        << Num(100 * std::min(1.0, iv.done_fraction)) << '\n';
    }
  }
  f.close();
  if (!f) return Status::IOError("error writing " + path);
  return Status::OK();
}

std::string SummaryJson(const StressOptions& o, const std::vector<RunResult>& runs,
                        const std::string& command_line) {
  std::ostringstream s;
  s << "{\n  \"tool\": \"cairn-stress\",\n  \"command\": " << JsonString(command_line) << ",\n"
    << "  \"workload\": " << JsonString(WorkloadName(o.workload)) << ",\n  \"options\": {"
    << "\"operations\": " << (o.operations > 0 ? U(o.operations) : "null")
    << ", \"duration_s\": " << (o.duration_s > 0 ? Num(o.duration_s) : "null")
    << ", \"threads\": " << o.threads << ", \"connections\": " << o.connections
    << ", \"rate\": " << (o.rate > 0 ? Num(o.rate) : "null")
    << ", \"population\": " << JsonString(o.population.ToString())
    << ", \"columns\": " << JsonString(o.columns.ToString())
    << ", \"cell_size\": " << JsonString(o.cell_size.ToString()) << ", \"batch\": " << o.batch
    << ", \"page_size\": " << o.page_size << ", \"ratio\": {\"read\": " << o.read_weight
    << ", \"write\": " << o.write_weight << "}, \"keyspace\": " << JsonString(o.keyspace)
    << ", \"column_family\": " << JsonString(o.column_family)
    << ", \"replication_strategy\": " << JsonString(o.replication_strategy)
    << ", \"replication_factor\": " << o.replication_factor << ", \"nodes\": [";
  for (size_t i = 0; i < o.nodes.size(); ++i)
    s << (i ? ", " : "") << JsonString(o.nodes[i].ToString());
  s << "], \"verify\": " << (o.verify ? "true" : "false") << "},\n  \"runs\": [";
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunResult& r = runs[i];
    s << (i ? "," : "") << "\n    {\n      \"consistency\": {\"read\": "
      << JsonString(ConsistencyLevelName(r.consistency.read))
      << ", \"write\": " << JsonString(ConsistencyLevelName(r.consistency.write)) << "},\n"
      << "      \"label\": " << JsonString(r.consistency.Label()) << ",\n"
      << "      \"elapsed_s\": " << Num(r.elapsed_s) << ",\n"
      << "      \"aborted\": " << (r.aborted ? "true" : "false") << ",\n"
      << "      \"abort_reason\": " << JsonString(r.abort_reason) << ",\n"
      << "      \"token_aware\": " << (r.token_aware ? "true" : "false") << ",\n"
      << "      \"routing\": {\"primary\": " << r.routing.primary
      << ", \"replica\": " << r.routing.replica << ", \"non_replica\": " << r.routing.non_replica
      << ", \"no_key\": " << r.routing.no_key << "},\n"
      << "      \"total\": " << TotalsJson(r.stats.Combined(), r.elapsed_s, "      ") << ",\n"
      << "      \"by_op\": {";
    bool first = true;
    for (int t = 0; t < kOpTypes; ++t) {
      const OpTotals& b = r.stats.by_type[static_cast<size_t>(t)];
      if (b.Operations() == 0) continue;
      s << (first ? "" : ", ") << "\n        " << JsonString(OpTypeName(static_cast<OpType>(t)))
        << ": " << TotalsJson(b, r.elapsed_s, "        ");
      first = false;
    }
    s << "},\n      \"error_messages\": {";
    first = true;
    for (int k = 0; k < kErrorKinds; ++k) {
      const std::string& m = r.stats.first_message[static_cast<size_t>(k)];
      if (m.empty()) continue;
      s << (first ? "" : ", ") << JsonString(ErrorKindName(static_cast<ErrorKind>(k))) << ": "
        << JsonString(m);
      first = false;
    }
    s << "},\n      \"intervals\": [";
    for (size_t j = 0; j < r.intervals.size(); ++j) {
      const IntervalReport& iv = r.intervals[j];
      s << (j ? ", " : "") << "{\"time_s\": " << Num(iv.end_s)
        << ", \"ops_per_s\": " << Num(Rate(iv.totals.Operations(), iv.length_s))
        << ", \"p99_ms\": " << Num(Ms(iv.totals.latency.Percentile(0.99)))
        << ", \"errors\": " << iv.totals.errors.Total() << "}";
    }
    s << "]\n    }";
  }
  s << "\n  ]\n}\n";
  return s.str();
}

Status WriteJson(const std::string& path, const StressOptions& o,
                 const std::vector<RunResult>& runs, const std::string& command_line) {
  std::ofstream f(path);
  if (!f) return Status::IOError("cannot write " + path);
  f << SummaryJson(o, runs, command_line);
  f.close();
  if (!f) return Status::IOError("error writing " + path);
  return Status::OK();
}

Status WritePlot(const std::string& path, const StressOptions& o,
                 const std::vector<RunResult>& runs) {
  if (!HaveProgram("gnuplot")) {
    return Status::NotFound("gnuplot is not installed (apt-get install gnuplot-nox)");
  }
  std::error_code ec;
  std::random_device rd;
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path(ec) / ("cairn-stress-plot-" + std::to_string(rd()));
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir.string() + ": " + ec.message());
  std::ostringstream plot_ops, plot_p99;
  for (size_t i = 0; i < runs.size(); ++i) {
    const std::string data = (dir / ("run" + std::to_string(i) + ".dat")).string();
    std::ofstream d(data);
    for (const IntervalReport& iv : runs[i].intervals) {
      d << Num(iv.end_s) << ' ' << Num(Rate(iv.totals.ok, iv.length_s)) << ' '
        << (iv.totals.latency.count() > 0 ? Num(Ms(iv.totals.latency.Percentile(0.99))) : "NaN")
        << '\n';
    }
    const std::string title = "CL " + runs[i].consistency.Label();
    plot_ops << (i ? ", " : "") << GnuplotQuote(data) << " using 1:2 with linespoints title "
             << GnuplotQuote(title);
    plot_p99 << (i ? ", " : "") << GnuplotQuote(data) << " using 1:3 with linespoints title "
             << GnuplotQuote(title);
  }
  const std::string script_path = (dir / "plot.gp").string();
  {
    std::ofstream g(script_path);
    g << "set terminal pngcairo size 1100,800 noenhanced\n"
      << "set output " << GnuplotQuote(path) << "\n"
      << "set multiplot layout 2,1 title "
      << GnuplotQuote(std::string("cairn-stress ") + WorkloadName(o.workload)) << "\n"
      << "set grid\nset key outside right\nset xlabel 'time (s)'\n"
      << "set ylabel 'successful operations/s'\nset yrange [0:*]\nplot " << plot_ops.str() << "\n"
      << "set ylabel 'p99 latency (ms)'\nset yrange [0:*]\nplot " << plot_p99.str() << "\n"
      << "unset multiplot\n";
  }
  const std::string cmd = "gnuplot " + GnuplotQuote(script_path) + " 2>&1";
  std::string output;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[512];
    while (std::fgets(buf, sizeof buf, p) != nullptr) output += buf;
    const int status = ::pclose(p);
    std::filesystem::remove_all(dir, ec);
    if (status != 0) return Status::IOError("gnuplot failed: " + output);
    return Status::OK();
  }
  std::filesystem::remove_all(dir, ec);
  return Status::IOError("cannot run gnuplot");
}

}  // namespace cairn::stress
