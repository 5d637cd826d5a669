// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "common/status.h"

#include <gtest/gtest.h>

namespace cairn {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd");
  return x / 2;
}

Status Quarter(int x, int* out) {
  CAIRN_ASSIGN_OR_RETURN(int h, Half(x));
  CAIRN_ASSIGN_OR_RETURN(*out, Half(h));
  return Status::OK();
}

TEST(StatusTest, ToStringNamesTheCode) {
  EXPECT_EQ(Status::OK().ToString(), "OK");
  EXPECT_EQ(Status::Corruption("bad block").ToString(), "Corruption: bad block");
  EXPECT_EQ(Status::IOError("x").WithContext("flush").ToString(), "IOError: flush: x");
}

TEST(StatusTest, ResultCarriesValueOrStatus) {
  int out = 0;
  EXPECT_TRUE(Quarter(8, &out).ok());
  EXPECT_EQ(out, 2);
  Status st = Quarter(6, &out);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_EQ(st.message(), "odd");
}

TEST(StatusTest, CopiesAndMovesKeepCodeAndMessage) {
  Status a = Status::Corruption("bad block");
  Status b = a;  // deep copy
  EXPECT_TRUE(b.IsCorruption());
  EXPECT_EQ(b.message(), "bad block");
  a = Status::OK();
  EXPECT_TRUE(a.ok());
  EXPECT_EQ(a.message(), "");
  EXPECT_EQ(b.message(), "bad block");  // b did not share a's message
  Status c = std::move(b);
  EXPECT_TRUE(c.IsCorruption());
  EXPECT_EQ(c.message(), "bad block");
  c = c;  // self-assignment keeps it
  EXPECT_EQ(c.ToString(), "Corruption: bad block");
  Status d;
  d = c;
  EXPECT_EQ(d.ToString(), c.ToString());
  EXPECT_EQ(Status::Aborted("").message(), "");
  EXPECT_TRUE(Status::Aborted("").IsAborted());
}

}  // namespace
}  // namespace cairn
