// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// commit_log_bench: append throughput of the commit log (memtable/commit_log.h) in each
// sync mode, with 1 and 32 writer threads:
//   BM_Add/<mode>/threads:N        blocking Add(): one write in flight per thread
//   BM_AddAsync/<mode>/in_flight:K/threads:N
//                                  AddAsync() with up to K writes in flight per thread (the callback frees a slot), as a server with
//                                  an asynchronous write path would use it
// Records are 256 bytes (a small mutation). Segments are the default 32 MiB, recycled
// (thread 0 discards flushed segments every 16384 records, as memtable flushes would).
// Counters: items/s and bytes/s of payload; "group" = records per fdatasync round,
// "sync_us" = mean duration of the fdatasync calls of a round.
// The log lives in $TMPDIR (or /tmp), which should be on the disk under test.
// Results and the batch/periodic ratio: bench/README.md, "Commit log".
#include <benchmark/benchmark.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "common/logging.h"
#include "memtable/commit_log.h"

namespace cairn::memtable {
namespace {

constexpr size_t kRecordSize = 256;

const std::vector<TableId> kTables = {"bench_table"};

// Shared by the benchmark threads; created and destroyed by thread 0 outside the timed
// loop (Google Benchmark starts and stops all threads of a run together).
std::unique_ptr<CommitLog> g_log;
std::filesystem::path g_dir;

void SetUpLog(CommitLogSyncMode mode) {
  SetLogLevel(LogLevel::kWarn);
  const char* tmp = std::getenv("TMPDIR");
  std::random_device rd;
  g_dir = std::filesystem::path(tmp != nullptr ? tmp : "/tmp") /
          ("cairn-commitlog-bench-" + std::to_string(rd()));
  CommitLogOptions o;
  o.directory = g_dir.string();
  o.sync_mode = mode;
  if (const char* w = std::getenv("CAIRN_BENCH_BATCH_WINDOW_MS")) o.batch_window_ms = std::atoi(w);
  Result<std::unique_ptr<CommitLog>> log = CommitLog::Open(o);
  if (!log.ok()) {
    std::fprintf(stderr, "open: %s\n", log.status().ToString().c_str());
    std::abort();
  }
  g_log = std::move(log).value();
}

void TearDownLog(benchmark::State& state, uint64_t records_before) {
  CommitLogMetrics m = g_log->metrics();
  state.counters["group"] =
      m.syncs == 0 ? 0.0 : static_cast<double>(m.records - records_before) / m.syncs;
  state.counters["sync_us"] = m.syncs == 0 ? 0.0 : static_cast<double>(m.sync_micros) / m.syncs;
  Status s = g_log->Close();
  if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  g_log.reset();
  std::error_code ec;
  std::filesystem::remove_all(g_dir, ec);
}

void MaybeDiscard(uint64_t i) {
  if ((i & 16383) == 16383) {
    g_log->DiscardCompletedSegments(kTables[0], g_log->CurrentPosition());
  }
}

void BM_Add(benchmark::State& state) {
  const auto mode = static_cast<CommitLogSyncMode>(state.range(0));
  state.SetLabel(CommitLogSyncModeName(mode));
  if (state.thread_index() == 0) SetUpLog(mode);
  const std::string record(kRecordSize, 'x');
  uint64_t i = 0;
  for (auto _ : state) {
    Result<ReplayPosition> pos = g_log->Add(record, kTables);
    if (!pos.ok()) {
      state.SkipWithError(pos.status().ToString().c_str());
      break;
    }
    if (state.thread_index() == 0) MaybeDiscard(i++);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * kRecordSize);
  if (state.thread_index() == 0) TearDownLog(state, 0);
}

void BM_AddAsync(benchmark::State& state) {
  const auto mode = static_cast<CommitLogSyncMode>(state.range(0));
  state.SetLabel(CommitLogSyncModeName(mode));
  if (state.thread_index() == 0) SetUpLog(mode);
  const std::string record(kRecordSize, 'x');
  // This thread's window of writes in flight. When it is full the thread sleeps until
  // half of it has drained, so the sync thread wakes it once per half window rather
  // than once per write.
  const int in_flight_limit = static_cast<int>(state.range(1));
  struct Window {
    std::mutex mu;
    std::condition_variable cv;
    int in_flight = 0;
    bool sleeping = false;
    bool failed = false;
  };
  auto window = std::make_shared<Window>();
  auto release = [window, in_flight_limit](const Status& s) {
    std::lock_guard l(window->mu);
    if (!s.ok()) window->failed = true;
    if (--window->in_flight <= in_flight_limit / 2 && window->sleeping) window->cv.notify_one();
  };
  uint64_t i = 0;
  for (auto _ : state) {
    {
      std::unique_lock l(window->mu);
      if (window->in_flight >= in_flight_limit) {
        window->sleeping = true;
        window->cv.wait(l, [&] { return window->in_flight <= in_flight_limit / 2; });
        window->sleeping = false;
      }
      window->in_flight++;
    }
    Result<ReplayPosition> pos = g_log->AddAsync(record, kTables, release);
    if (!pos.ok()) {
      state.SkipWithError(pos.status().ToString().c_str());
      break;
    }
    if (state.thread_index() == 0) MaybeDiscard(i++);
  }
  {
    std::unique_lock l(window->mu);
    window->sleeping = true;
    window->cv.wait(l, [&] { return window->in_flight == 0; });
    if (window->failed) state.SkipWithError("a write failed");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * kRecordSize);
  if (state.thread_index() == 0) TearDownLog(state, 0);
}

// sync:0 is periodic, sync:1 is batch (the label says which).
void Modes(benchmark::internal::Benchmark* b) {
  b->ArgName("sync")->Arg(static_cast<int>(CommitLogSyncMode::kPeriodic));
  b->Arg(static_cast<int>(CommitLogSyncMode::kBatch));
  b->Threads(1)->Threads(32)->UseRealTime()->MinTime(2.0);
}

void AsyncModes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"sync", "in_flight"});
  b->Args({static_cast<int>(CommitLogSyncMode::kPeriodic), 512});
  b->Args({static_cast<int>(CommitLogSyncMode::kBatch), 64});
  b->Args({static_cast<int>(CommitLogSyncMode::kBatch), 512});
  b->Threads(1)->Threads(32)->UseRealTime()->MinTime(2.0);
}

BENCHMARK(BM_Add)->Apply(Modes);
BENCHMARK(BM_AddAsync)->Apply(AsyncModes);

}  // namespace
}  // namespace cairn::memtable

BENCHMARK_MAIN();
