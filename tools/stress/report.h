// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// cairn-stress's output: the progress line of each interval, the summary of a run, the
// side-by-side table of comparison mode, and the machine-readable files (CSV of
// intervals, JSON summary) plus the gnuplot PNG. Latencies are printed in milliseconds.
// The JSON layout is documented in tools/stress/README.md ("JSON summary").
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "common/status.h"
#include "tools/stress/runner.h"

namespace cairn::stress {

void PrintRunHeader(FILE* out, const StressOptions& o, const ConsistencySetting& cl);
void PrintProgressHeader(FILE* out, const StressOptions& o);
void PrintProgress(FILE* out, const StressOptions& o, const IntervalReport& r);
void PrintSummary(FILE* out, const StressOptions& o, const RunResult& r);
// The comparison table: one column per run.
void PrintComparison(FILE* out, const StressOptions& o, const std::vector<RunResult>& runs);

// One row per interval of every run (header first).
Status WriteCsv(const std::string& path, const std::vector<RunResult>& runs);
std::string SummaryJson(const StressOptions& o, const std::vector<RunResult>& runs,
                        const std::string& command_line);
Status WriteJson(const std::string& path, const StressOptions& o,
                 const std::vector<RunResult>& runs, const std::string& command_line);
// Throughput and p99 over time, one line per run, as a PNG drawn by gnuplot. NotFound
// when gnuplot is not installed (the caller says so and goes on).
Status WritePlot(const std::string& path, const StressOptions& o,
                 const std::vector<RunResult>& runs);

}  // namespace cairn::stress
