// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "common/marshal.h"

namespace cairn {

namespace {
class BytesType final : public AbstractType {
 public:
  std::string Name() const override { return "org.apache.cassandra.db.marshal.BytesType"; }
  int Compare(std::string_view a, std::string_view b) const override { return a.compare(b); }
  Status Validate(std::string_view) const override { return Status::OK(); }
  std::string ToString(std::string_view bytes) const override {
    static const char* kHex = "0123456789abcdef";
    std::string s;
    for (unsigned char c : bytes) {
      s.push_back(kHex[c >> 4]);
      s.push_back(kHex[c & 15]);
    }
    return s;
  }
  bool IsByteOrder() const override { return true; }
};
}  // namespace

TypePtr BytesTypeInstance() {
  static const TypePtr instance = std::make_shared<BytesType>();
  return instance;
}

Result<TypePtr> ParseType(std::string_view name) {
  constexpr std::string_view kPrefix = "org.apache.cassandra.db.marshal.";
  if (name.starts_with(kPrefix)) name.remove_prefix(kPrefix.size());
  if (name == "BytesType") return BytesTypeInstance();
  return Status::InvalidArgument("Unknown type " + std::string(name));
}

}  // namespace cairn
