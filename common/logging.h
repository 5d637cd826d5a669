// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Logging: one line per event, to stderr, as
//   2026-11-26T14:10:00.123Z INFO  memtable/commit_log.cc:120 replayed 3 segments
// Usage: CAIRN_LOG(INFO) << "replayed " << n << " segments";
// The level threshold is process-wide (SetLogLevel); lines below it cost one branch.
// Thread-safe: each line is formatted privately and written with one write(2).
#pragma once

#include <atomic>
#include <cstdint>
#include <sstream>
#include <string_view>

namespace cairn {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Parses "debug", "info", "warn", "error" (any case); false when unknown.
bool ParseLogLevel(std::string_view name, LogLevel* level);

class LogLine {
 public:
  LogLine(LogLevel level, const char* file, int line);
  ~LogLine();
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;
  std::ostream& stream() { return stream_; }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};

// True at most once per `seconds` for the call site owning `last` (monotonic clock).
bool LogRateLimit(std::atomic<int64_t>* last, int seconds);

}  // namespace cairn

#define CAIRN_LOG_LEVEL_DEBUG ::cairn::LogLevel::kDebug
#define CAIRN_LOG_LEVEL_INFO ::cairn::LogLevel::kInfo
#define CAIRN_LOG_LEVEL_WARN ::cairn::LogLevel::kWarn
#define CAIRN_LOG_LEVEL_ERROR ::cairn::LogLevel::kError

// The for-loop form (rather than if/else) keeps `if (x) CAIRN_LOG(...) << ...;` free of
// dangling-else ambiguity.
#define CAIRN_LOG(level)                                                          \
  for (bool _cairn_log_once = CAIRN_LOG_LEVEL_##level >= ::cairn::GetLogLevel(); \
       _cairn_log_once; _cairn_log_once = false)                                  \
  ::cairn::LogLine(CAIRN_LOG_LEVEL_##level, __FILE__, __LINE__).stream()

// Like CAIRN_LOG, but at most one line per `seconds` from this call site (for events that
// may repeat at request rate: a peer down, a disk failing).
#define CAIRN_LOG_EVERY_N_SEC(level, seconds)                                           \
  for (static std::atomic<int64_t> _cairn_log_last{0};                                 \
       CAIRN_LOG_LEVEL_##level >= ::cairn::GetLogLevel() &&                            \
       ::cairn::LogRateLimit(&_cairn_log_last, seconds);)                              \
  for (bool _cairn_log_once = true; _cairn_log_once; _cairn_log_once = false)          \
  ::cairn::LogLine(CAIRN_LOG_LEVEL_##level, __FILE__, __LINE__).stream()
