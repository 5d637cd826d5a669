// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "common/logging.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <ctime>

namespace cairn {

namespace {
std::atomic<LogLevel> g_level{LogLevel::kInfo};

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kInfo: return "INFO ";
    case LogLevel::kWarn: return "WARN ";
    case LogLevel::kError: return "ERROR";
  }
  return "?????";
}

// Paths are printed from the source root ("memtable/commit_log.cc"), not absolute.
const char* ShortFile(const char* file) {
  static const char* const kRoots[] = {"/common/", "/ring/",  "/gossip/", "/memtable/",
                                       "/sstable/", "/node/", "/thrift/", "/tools/",
                                       "/tests/",   "/bench/"};
  const char* best = nullptr;
  for (const char* root : kRoots) {
    const char* p = std::strstr(file, root);
    if (p != nullptr && (best == nullptr || p > best)) best = p;
  }
  return best != nullptr ? best + 1 : file;
}
}  // namespace

void SetLogLevel(LogLevel level) { g_level.store(level, std::memory_order_relaxed); }
LogLevel GetLogLevel() { return g_level.load(std::memory_order_relaxed); }

bool LogRateLimit(std::atomic<int64_t>* last, int seconds) {
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  int64_t prev = last->load(std::memory_order_relaxed);
  if (prev != 0 && now - prev < static_cast<int64_t>(seconds) * 1000) return false;
  return last->compare_exchange_strong(prev, now == 0 ? 1 : now);
}

bool ParseLogLevel(std::string_view name, LogLevel* level) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "debug") *level = LogLevel::kDebug;
  else if (lower == "info") *level = LogLevel::kInfo;
  else if (lower == "warn" || lower == "warning") *level = LogLevel::kWarn;
  else if (lower == "error") *level = LogLevel::kError;
  else return false;
  return true;
}

LogLine::LogLine(LogLevel level, const char* file, int line) : level_(level) {
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  int millis = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
      1000);
  std::tm tm;
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char ms[8];
  std::snprintf(ms, sizeof(ms), ".%03dZ", millis);
  stream_ << buf << ms << ' ' << LevelName(level_) << ' ' << ShortFile(file) << ':' << line
          << ' ';
}

LogLine::~LogLine() {
  stream_ << '\n';
  std::string s = stream_.str();
  // One write per line so concurrent lines never interleave.
  ssize_t unused = ::write(STDERR_FILENO, s.data(), s.size());
  (void)unused;
}

}  // namespace cairn
