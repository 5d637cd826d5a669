// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "common/coding.h"

#include <algorithm>

namespace cairn {

void PutVarint64(std::string* dst, uint64_t v) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  dst->append(buf, n);
}

void PutVarint32(std::string* dst, uint32_t v) { PutVarint64(dst, v); }

void PutLengthPrefixed(std::string* dst, std::string_view value) {
  PutVarint32(dst, static_cast<uint32_t>(value.size()));
  dst->append(value.data(), value.size());
}

int VarintLength(uint64_t v) {
  int len = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++len;
  }
  return len;
}

bool Decoder::GetVarint64Slow(uint64_t* v) {
  // At most 10 bytes; the 10th may only carry the 64th bit.
  const char* p = data_.data();
  const size_t n = std::min<size_t>(data_.size(), 10);
  uint64_t result = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t byte = static_cast<unsigned char>(p[i]);
    if (i == 9 && byte > 1) return false;  // more than 64 bits
    result |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      data_.remove_prefix(i + 1);
      *v = result;
      return true;
    }
  }
  return false;
}

bool Decoder::GetVarsint64(int64_t* v) {
  uint64_t u;
  if (!GetVarint64(&u)) return false;
  *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  return true;
}

}  // namespace cairn
