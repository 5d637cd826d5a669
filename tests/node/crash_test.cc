// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Crash test: a child process (crash_writer) writes in batch commit-log mode and
// reports every acknowledged write; it is killed with SIGKILL at a random moment
// (flushes and compactions are running all the time thanks to tiny memtables), then
// the engine is reopened here and every acknowledged write, of this and all earlier
// rounds, must be found. 20 rounds on the same directory.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <set>

#include "tests/lib/test_util.h"
#include "tests/node/crash_common.h"

namespace cairn::crashtest {
namespace {

// Runs the writer until `run_for` has passed since its first ACK, kills it, and returns
// every write number it acknowledged.
std::vector<uint64_t> RunAndKill(const std::string& dir, uint64_t first,
                                 std::chrono::milliseconds run_for) {
  int out[2];
  EXPECT_EQ(pipe(out), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    std::string first_s = std::to_string(first);
    execl(CAIRN_CRASH_WRITER, CAIRN_CRASH_WRITER, dir.c_str(), first_s.c_str(), "4",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::vector<uint64_t> acked;
  std::string buf;
  auto deadline = std::chrono::steady_clock::time_point::max();
  bool killed = false;
  char chunk[4096];
  while (true) {
    if (!killed && std::chrono::steady_clock::now() >= deadline) {
      kill(pid, SIGKILL);
      killed = true;
    }
    ssize_t n = read(out[0], chunk, sizeof(chunk));  // EOF once the child is dead
    if (n <= 0) break;
    buf.append(chunk, static_cast<size_t>(n));
    size_t start = 0, nl;
    while ((nl = buf.find('\n', start)) != std::string::npos) {
      acked.push_back(std::stoull(buf.substr(start + 4, nl - start - 4)));
      start = nl + 1;
    }
    buf.erase(0, start);
    if (deadline == std::chrono::steady_clock::time_point::max() && !acked.empty()) {
      deadline = std::chrono::steady_clock::now() + run_for;
    }
  }
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the writer died on its own (status " << status << ")";
  return acked;
}

TEST(CrashTest, EveryAcknowledgedWriteSurvivesKill9) {
  SetLogLevel(LogLevel::kWarn);
  test::ScratchDir dir;
  std::mt19937 rng(std::random_device{}());
  std::vector<uint64_t> all_acked;
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    auto run_for = std::chrono::milliseconds(50 + rng() % 400);
    std::vector<uint64_t> acked =
        RunAndKill(dir.str(), static_cast<uint64_t>(round) * 10'000'000, run_for);
    ASSERT_FALSE(acked.empty()) << "round " << round << ": the writer acknowledged nothing";
    all_acked.insert(all_acked.end(), acked.begin(), acked.end());

    auto engine = OpenEngine(dir.str(), /*small_memtables=*/false);
    ASSERT_OK(engine.status());
    auto cfs = (*engine)->GetTable(Table().id);
    size_t missing = 0;
    for (uint64_t n : all_acked) {
      const Mutation m = WriteFor(n);
      const Cell& want = m.updates[0].update.cells[0];
      auto got = cfs->Read(Decorate(m.key), CellFilter::Names({want.name}));
      ASSERT_OK(got.status());
      if (!got->has_value() || (*got)->cells.size() != 1 || (*got)->cells[0] != want) {
        if (++missing <= 5) ADD_FAILURE() << "round " << round << ": lost write " << n;
      }
    }
    ASSERT_EQ(missing, 0u) << "of " << all_acked.size() << " acknowledged writes";
    std::printf("round %d: %zu acknowledged this round, %zu in all, all present\n", round,
                acked.size(), all_acked.size());
    ASSERT_OK((*engine)->Close());
  }
}

}  // namespace
}  // namespace cairn::crashtest
