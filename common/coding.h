// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Byte encoding helpers shared by every on-disk and internal format:
//   fixed-width integers, little-endian (the host order on every platform we build for,
//   and leveldb's choice); big-endian variants for memcmp-ordered keys;
//   LEB128 varints (7 bits a byte, low bits first, high bit = "more");
//   length-prefixed byte strings (varint32 length, then the bytes).
//
// Decoding goes through Decoder, a bounds-checked cursor over untrusted bytes: every
// Get* returns false instead of reading past the end, so corrupt input can never crash.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace cairn {

// Little-endian hosts copy the bytes (one load or store); the byte loops are the
// portable fallback. GCC does not fold the loops into one load at -O2.
inline constexpr bool kLittleEndianHost = std::endian::native == std::endian::little;

inline void EncodeFixed32(char* p, uint32_t v) {
  if constexpr (kLittleEndianHost) {
    std::memcpy(p, &v, 4);
  } else {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
  }
}
inline void EncodeFixed64(char* p, uint64_t v) {
  if constexpr (kLittleEndianHost) {
    std::memcpy(p, &v, 8);
  } else {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
  }
}
inline void PutFixed16(std::string* dst, uint16_t v) {
  char b[2] = {static_cast<char>(v), static_cast<char>(v >> 8)};
  dst->append(b, 2);
}
inline void PutFixed32(std::string* dst, uint32_t v) {
  char b[4];
  EncodeFixed32(b, v);
  dst->append(b, 4);
}
inline void PutFixed64(std::string* dst, uint64_t v) {
  char b[8];
  EncodeFixed64(b, v);
  dst->append(b, 8);
}
inline uint32_t DecodeFixed32(const char* p) {
  uint32_t v = 0;
  if constexpr (kLittleEndianHost) {
    std::memcpy(&v, p, 4);
  } else {
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  }
  return v;
}
inline uint64_t DecodeFixed64(const char* p) {
  uint64_t v = 0;
  if constexpr (kLittleEndianHost) {
    std::memcpy(&v, p, 8);
  } else {
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  }
  return v;
}
inline uint16_t DecodeFixed16(const char* p) {
  return static_cast<uint16_t>(static_cast<unsigned char>(p[0]) |
                               (static_cast<unsigned char>(p[1]) << 8));
}

// Big-endian (network order), as Cassandra's own serializers use; memcmp order equals
// unsigned numeric order.
inline void PutBigEndian64(std::string* dst, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (56 - 8 * i));
  dst->append(b, 8);
}
inline uint64_t DecodeBigEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
inline uint32_t DecodeBigEndian32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
inline uint16_t DecodeBigEndian16(const char* p) {
  return static_cast<uint16_t>((static_cast<unsigned char>(p[0]) << 8) |
                               static_cast<unsigned char>(p[1]));
}

void PutVarint32(std::string* dst, uint32_t v);
void PutVarint64(std::string* dst, uint64_t v);
// Signed values are zig-zag encoded so small negative numbers stay short.
inline void PutVarsint64(std::string* dst, int64_t v) {
  PutVarint64(dst, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}
void PutLengthPrefixed(std::string* dst, std::string_view value);
int VarintLength(uint64_t v);

// A cursor over untrusted bytes. All getters return false (and leave the output
// unspecified) when the input is too short or malformed; they never read out of bounds.
// The getters are inline: SSTable scans and compactions call them several times per cell.
class Decoder {
 public:
  explicit Decoder(std::string_view input) : data_(input) {}

  bool GetFixed16(uint16_t* v) {
    if (data_.size() < 2) return false;
    *v = DecodeFixed16(data_.data());
    data_.remove_prefix(2);
    return true;
  }
  bool GetFixed32(uint32_t* v) {
    if (data_.size() < 4) return false;
    *v = DecodeFixed32(data_.data());
    data_.remove_prefix(4);
    return true;
  }
  bool GetFixed64(uint64_t* v) {
    if (data_.size() < 8) return false;
    *v = DecodeFixed64(data_.data());
    data_.remove_prefix(8);
    return true;
  }
  bool GetVarint32(uint32_t* v) {
    uint64_t v64;
    if (!GetVarint64(&v64) || v64 > UINT32_MAX) return false;
    *v = static_cast<uint32_t>(v64);
    return true;
  }
  bool GetVarint64(uint64_t* v) {
    // One-byte varints (lengths, counts) are by far the most common.
    if (!data_.empty() && static_cast<unsigned char>(data_[0]) < 0x80) {
      *v = static_cast<unsigned char>(data_[0]);
      data_.remove_prefix(1);
      return true;
    }
    return GetVarint64Slow(v);
  }
  bool GetVarsint64(int64_t* v);
  bool GetByte(uint8_t* v) {
    if (data_.empty()) return false;
    *v = static_cast<uint8_t>(data_[0]);
    data_.remove_prefix(1);
    return true;
  }
  // A varint32 length then that many bytes; the view points into the input.
  bool GetLengthPrefixed(std::string_view* v) {
    uint32_t len;
    return GetVarint32(&len) && GetBytes(len, v);
  }
  bool GetBytes(size_t n, std::string_view* v) {
    if (data_.size() < n) return false;
    *v = data_.substr(0, n);
    data_.remove_prefix(n);
    return true;
  }
  bool Skip(size_t n) {
    if (data_.size() < n) return false;
    data_.remove_prefix(n);
    return true;
  }

  size_t remaining() const { return data_.size(); }
  bool empty() const { return data_.empty(); }
  std::string_view rest() const { return data_; }

 private:
  bool GetVarint64Slow(uint64_t* v);

  std::string_view data_;
};

}  // namespace cairn
