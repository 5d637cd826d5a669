// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Status is the result of an operation that can fail: either OK or a code plus a
// message. It is leveldb's Status grown by the distributed codes a coordinator needs
// (TimedOut, Unavailable, Overloaded). Result<T> carries a value or a non-OK Status.
//
// Both are [[nodiscard]]: ignoring a Status is a compile-time warning (an error in CI),
// the compile-time form of RocksDB's ASSERT_STATUS_CHECKED build.
//
// Thread-safety: a Status is a value; distinct objects may be used from distinct threads.
#pragma once

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cairn {

class [[nodiscard]] Status {
 public:
  enum class Code : unsigned char {
    kOk = 0,
    kNotFound,
    kCorruption,
    kInvalidArgument,
    kIOError,
    kNotSupported,
    kTimedOut,
    kUnavailable,
    kOverloaded,
    kAborted,  // the operation was cancelled or the component is stopping
  };

  Status() = default;
  Status(const Status& other)
      : code_(other.code_),
        message_(other.message_ ? std::make_unique<std::string>(*other.message_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) {
      code_ = other.code_;
      message_ = other.message_ ? std::make_unique<std::string>(*other.message_) : nullptr;
    }
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  // An I/O error from a failed system call: the message ends with strerror(err).
  static Status IOErrorFromErrno(std::string_view context, int err);
  static Status NotSupported(std::string_view msg) { return Status(Code::kNotSupported, msg); }
  static Status TimedOut(std::string_view msg) { return Status(Code::kTimedOut, msg); }
  static Status Unavailable(std::string_view msg) { return Status(Code::kUnavailable, msg); }
  static Status Overloaded(std::string_view msg) { return Status(Code::kOverloaded, msg); }
  static Status Aborted(std::string_view msg) { return Status(Code::kAborted, msg); }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsNotSupported() const { return code_ == Code::kNotSupported; }
  bool IsTimedOut() const { return code_ == Code::kTimedOut; }
  bool IsUnavailable() const { return code_ == Code::kUnavailable; }
  bool IsOverloaded() const { return code_ == Code::kOverloaded; }
  bool IsAborted() const { return code_ == Code::kAborted; }

  Code code() const { return code_; }
  // Empty for OK (and for errors built with an empty message).
  const std::string& message() const { return message_ ? *message_ : EmptyMessage(); }

  // "OK", or "<Code name>: <message>".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status WithContext(std::string_view context) const;

  // Explicitly discards the status, for the rare places where failure is harmless
  // (best-effort cleanup). Say why next to the call.
  void IgnoreError() const {}

 private:
  Status(Code code, std::string_view msg)
      : code_(code), message_(msg.empty() ? nullptr : std::make_unique<std::string>(msg)) {}
  static const std::string& EmptyMessage();

  // An OK status is a code and a null pointer: building, returning and destroying one
  // (several times per partition on a scan) costs two stores, not a std::string.
  Code code_ = Code::kOk;
  std::unique_ptr<std::string> message_;  // null when empty
};

// Result<T> holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "Result built from an OK status carries no value");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok()
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace cairn

// Returns from the enclosing function when `expr` yields a non-OK Status.
#define CAIRN_RETURN_IF_ERROR(expr)        \
  do {                                     \
    ::cairn::Status _cairn_st = (expr);    \
    if (!_cairn_st.ok()) return _cairn_st; \
  } while (0)

#define CAIRN_CONCAT_INNER(a, b) a##b
#define CAIRN_CONCAT(a, b) CAIRN_CONCAT_INNER(a, b)
// `CAIRN_ASSIGN_OR_RETURN(auto x, Foo())` declares x from a Result or returns its Status.
#define CAIRN_ASSIGN_OR_RETURN(lhs, expr) \
  CAIRN_ASSIGN_OR_RETURN_IMPL(CAIRN_CONCAT(_cairn_res_, __LINE__), lhs, expr)
#define CAIRN_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
