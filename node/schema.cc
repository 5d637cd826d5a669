// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "node/schema.h"

#include <random>

namespace cairn::node {

std::string HexId(const TableId& id) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (unsigned char c : id) {
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 15]);
  }
  return s;
}

std::string TableMetadata::DirectoryName() const { return name + "-" + HexId(id); }

TableId NewTableId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  TableId id(16, '\0');
  uint64_t a = rng(), b = rng();
  for (int i = 0; i < 8; ++i) {
    id[i] = static_cast<char>(a >> (8 * i));
    id[8 + i] = static_cast<char>(b >> (8 * i));
  }
  id[6] = static_cast<char>((id[6] & 0x0f) | 0x40);  // version 4
  id[8] = static_cast<char>((id[8] & 0x3f) | 0x80);  // IETF variant
  return id;
}

}  // namespace cairn::node
