// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "common/thread_name.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace cairn {
namespace {

std::string NameOf(std::thread& t) {
  char buf[32] = {};
  EXPECT_EQ(pthread_getname_np(t.native_handle(), buf, sizeof buf), 0);
  return buf;
}

TEST(ThreadNameTest, NamesTheCallingThreadAndCutsLongNamesTo15Bytes) {
  for (const auto& [name, expected] : {std::pair<std::string, std::string>{"cl-sync", "cl-sync"},
                                       {"a-very-long-thread-name", "a-very-long-thr"}}) {
    std::mutex mu;
    std::condition_variable cv;
    bool named = false, done = false;
    std::thread t([&, name = name] {
      SetThreadName(name);
      std::unique_lock l(mu);
      named = true;
      cv.notify_all();
      cv.wait(l, [&] { return done; });
    });
    {
      std::unique_lock l(mu);
      cv.wait(l, [&] { return named; });
    }
    EXPECT_EQ(NameOf(t), expected);
    {
      std::lock_guard l(mu);
      done = true;
    }
    cv.notify_all();
    t.join();
  }
}

}  // namespace
}  // namespace cairn
