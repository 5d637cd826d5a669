// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The child process of crash_test.cc: opens a StorageEngine in batch commit-log mode
// and writes as fast as it can from several threads, printing "ACK <n>\n" on stdout
// after each write is acknowledged, until it is killed. The first thread writes through
// ApplyAsync with up to 16 writes in flight (it prints from the callback, on the commit
// log's sync thread); the others through Apply.
//   crash_writer <directory> <first write number> <threads>
// Tiny memtables force flushes and compactions to run while the kill can land.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include "tests/node/crash_common.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <dir> <first> <threads>\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const uint64_t first = std::stoull(argv[2]);
  const int threads = std::stoi(argv[3]);
  cairn::SetLogLevel(cairn::LogLevel::kWarn);
  auto engine = cairn::crashtest::OpenEngine(dir, /*small_memtables=*/true);
  if (!engine.ok()) {
    std::fprintf(stderr, "open failed: %s\n", engine.status().ToString().c_str());
    return 1;
  }
  std::atomic<uint64_t> next{first};
  auto ack = [](uint64_t n) {
    char line[32];
    int len = std::snprintf(line, sizeof(line), "ACK %llu\n", static_cast<unsigned long long>(n));
    // One write(2) per line: lines from different threads never interleave.
    if (::write(STDOUT_FILENO, line, static_cast<size_t>(len)) != len) _exit(1);
  };
  auto fail = [](uint64_t n, const cairn::Status& st) {
    std::fprintf(stderr, "write %llu failed: %s\n", static_cast<unsigned long long>(n),
                 st.ToString().c_str());
    _exit(1);
  };
  std::vector<std::thread> workers;
  workers.emplace_back([&] {
    std::counting_semaphore<16> slots(16);
    while (true) {
      slots.acquire();
      const uint64_t n = next.fetch_add(1);
      (*engine)->ApplyAsync(cairn::crashtest::WriteFor(n), [&, n](cairn::Status st) {
        if (!st.ok()) fail(n, st);
        ack(n);
        slots.release();
      });
    }
  });
  for (int t = 1; t < threads; ++t) {
    workers.emplace_back([&] {
      while (true) {
        const uint64_t n = next.fetch_add(1);
        cairn::Status st = (*engine)->Apply(cairn::crashtest::WriteFor(n));
        if (!st.ok()) fail(n, st);
        ack(n);
      }
    });
  }
  for (auto& w : workers) w.join();
  return 0;
}
