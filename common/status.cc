// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "common/status.h"

#include <cstring>

namespace cairn {

namespace {
const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk: return "OK";
    case Status::Code::kNotFound: return "NotFound";
    case Status::Code::kCorruption: return "Corruption";
    case Status::Code::kInvalidArgument: return "InvalidArgument";
    case Status::Code::kIOError: return "IOError";
    case Status::Code::kNotSupported: return "NotSupported";
    case Status::Code::kTimedOut: return "TimedOut";
    case Status::Code::kUnavailable: return "Unavailable";
    case Status::Code::kOverloaded: return "Overloaded";
    case Status::Code::kAborted: return "Aborted";
  }
  return "Unknown";
}
}  // namespace

const std::string& Status::EmptyMessage() {
  static const std::string* const kEmpty = new std::string();
  return *kEmpty;
}

Status Status::IOErrorFromErrno(std::string_view context, int err) {
  std::string msg(context);
  msg += ": ";
  msg += std::strerror(err);
  return Status(Code::kIOError, msg);
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s = CodeName(code_);
  s += ": ";
  s += message();
  return s;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string msg(context);
  msg += ": ";
  msg += message();
  return Status(code_, msg);
}

}  // namespace cairn
