// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Helpers shared by the tests: Status matchers and a scratch directory.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

#include "common/status.h"

#define ASSERT_OK(expr)                                \
  do {                                                 \
    ::cairn::Status _st = (expr);                      \
    ASSERT_TRUE(_st.ok()) << _st.ToString();           \
  } while (0)
#define EXPECT_OK(expr)                                \
  do {                                                 \
    ::cairn::Status _st = (expr);                      \
    EXPECT_TRUE(_st.ok()) << _st.ToString();           \
  } while (0)

namespace cairn::test {

// A fresh directory under $TMPDIR (or /tmp), removed when the object dies.
class ScratchDir {
 public:
  ScratchDir() {
    std::random_device rd;
    const char* tmp = std::getenv("TMPDIR");
    path_ = std::filesystem::path(tmp != nullptr ? tmp : "/tmp") /
            ("cairn-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  // Set CAIRN_KEEP_SCRATCH=1 to keep the directory for a post-mortem.
  ~ScratchDir() {
    if (std::getenv("CAIRN_KEEP_SCRATCH") != nullptr) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace cairn::test
