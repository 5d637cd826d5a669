// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Json: the small JSON value the admin endpoint (node/admin_server.h) answers with and
// parses request bodies into. Debian 12's Boost (1.74) predates Boost.JSON, and the
// admin routes need little: objects keep their keys in insertion order (so answers read
// in a stable, meaningful order), numbers are int64, uint64 or double.
//
// Dump writes compact JSON (RFC 8259): strings escaped (control characters as \u00XX,
// bytes >= 0x80 passed through: callers give UTF-8), non-finite doubles as null.
// Parse accepts any RFC 8259 text up to a nesting depth of 32 and returns InvalidArgument
// naming the offset of the first error; it never throws.
//
// Thread-safety: a value type.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/status.h"

namespace cairn::node {

class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;

  Json() = default;  // null
  Json(std::nullptr_t) {}
  Json(bool b) : v_(b) {}
  Json(int v) : v_(static_cast<int64_t>(v)) {}
  Json(int64_t v) : v_(v) {}
  Json(uint64_t v) : v_(v) {}
  Json(double v) : v_(v) {}
  Json(const char* s) : v_(std::string(s)) {}
  Json(std::string s) : v_(std::move(s)) {}
  Json(std::string_view s) : v_(std::string(s)) {}
  Json(Array a) : v_(std::move(a)) {}
  Json(Object o) : v_(std::move(o)) {}
  static Json MakeObject() { return Json(Object{}); }
  static Json MakeArray() { return Json(Array{}); }

  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
  bool is_bool() const { return std::holds_alternative<bool>(v_); }
  bool is_number() const {
    return std::holds_alternative<int64_t>(v_) || std::holds_alternative<uint64_t>(v_) ||
           std::holds_alternative<double>(v_);
  }
  bool is_string() const { return std::holds_alternative<std::string>(v_); }
  bool is_array() const { return std::holds_alternative<Array>(v_); }
  bool is_object() const { return std::holds_alternative<Object>(v_); }

  // REQUIRES: the matching is_*().
  bool as_bool() const { return std::get<bool>(v_); }
  double as_double() const;
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const Array& as_array() const { return std::get<Array>(v_); }
  Array& as_array() { return std::get<Array>(v_); }
  const Object& as_object() const { return std::get<Object>(v_); }

  // Object: appends (or replaces) `key`. REQUIRES: is_object().
  Json& Set(std::string key, Json value);
  // Object: the value of `key`, or nullptr. Not an object: nullptr.
  const Json* Find(std::string_view key) const;
  // Array: appends. REQUIRES: is_array().
  void Push(Json value) { std::get<Array>(v_).push_back(std::move(value)); }

  std::string Dump() const;
  void DumpTo(std::string* out) const;

  static Result<Json> Parse(std::string_view text);

 private:
  std::variant<std::monostate, bool, int64_t, uint64_t, double, std::string, Array, Object> v_;
};

// Appends `s` as a quoted JSON string.
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace cairn::node
