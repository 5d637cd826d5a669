// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The marshal types, written from the behaviour of Cassandra's
// org.apache.cassandra.db.marshal classes and org.apache.cassandra.serializers
// validators. Each class names the Java class whose comparison it reproduces; every
// validation message is the MarshalException text Cassandra sends to Thrift clients.
//
// Compare() must stay memory-safe on bytes that never went through Validate() (a
// corrupt sstable, a buggy caller): fixed-width types fall back to byte order on a
// wrong length, composites to byte order on the malformed rest.
#include "common/marshal.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <utility>

#include "common/coding.h"

namespace cairn {

namespace {

constexpr std::string_view kMarshalPackage = "org.apache.cassandra.db.marshal.";

// Guards the recursive type parser against names nested deeply enough to exhaust the
// stack (type names arrive over Thrift in system_add_column_family).
constexpr int kMaxTypeNesting = 32;

int Sign(int64_t v) { return v < 0 ? -1 : (v > 0 ? 1 : 0); }

template <typename T>
int ThreeWay(T a, T b) {
  return a < b ? -1 : (a > b ? 1 : 0);
}

// Unsigned lexicographic order, shorter prefix first (Cassandra's compareUnsigned).
int CompareBytes(std::string_view a, std::string_view b) { return Sign(a.compare(b)); }

// Cassandra's rule for every type: the empty value sorts before everything else.
// Returns true, with the answer in *result, when either side is empty.
bool CompareEmpty(std::string_view a, std::string_view b, int* result) {
  if (!a.empty() && !b.empty()) return false;
  *result = a.empty() ? (b.empty() ? 0 : -1) : 1;
  return true;
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 15]);
  }
  return s;
}

// "<what> (<size>)" when the value is neither empty nor `width` bytes long: the
// shape of every fixed-width serializer's message.
Status CheckFixedWidth(std::string_view bytes, size_t width, std::string_view what) {
  if (bytes.empty() || bytes.size() == width) return Status::OK();
  return Status::InvalidArgument(std::string(what) + " (" + std::to_string(bytes.size()) +
                                 ")");
}

int64_t DecodeLong(std::string_view b) {
  return static_cast<int64_t>(DecodeBigEndian64(b.data()));
}
int32_t DecodeInt32(std::string_view b) {
  return static_cast<int32_t>(DecodeBigEndian32(b.data()));
}

// Java's Double.compare / Float.compare: numeric order, except that -0.0 < 0.0 and
// every NaN equals every other NaN and sorts after +infinity. Both follow from
// comparing the canonical bit patterns as signed integers once numeric order ties.
int CompareJavaDouble(double x, double y) {
  if (x < y) return -1;
  if (x > y) return 1;
  auto bits = [](double d) {
    return std::isnan(d) ? int64_t{0x7ff8000000000000} : std::bit_cast<int64_t>(d);
  };
  return ThreeWay(bits(x), bits(y));
}
int CompareJavaFloat(float x, float y) {
  if (x < y) return -1;
  if (x > y) return 1;
  auto bits = [](float f) {
    return std::isnan(f) ? int32_t{0x7fc00000} : std::bit_cast<int32_t>(f);
  };
  return ThreeWay(bits(x), bits(y));
}

// Java's Double.toString / Float.toString layout over the shortest round-trip digits:
// plain decimal for 1e-3 <= |v| < 1e7 ("100.0", "0.001"), computerized scientific
// notation otherwise ("1.0E7", "-2.5E-4"); "NaN", "Infinity", "-0.0" as Java spells them.
template <typename T>
std::string JavaFloatingToString(T v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v < 0 ? "-Infinity" : "Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));  // "-d.ddde+XX"
  std::string out;
  if (sci.front() == '-') {
    out.push_back('-');
    sci.remove_prefix(1);
  }
  size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = 0;
  std::string_view exp_text = sci.substr(e_pos + 1);
  if (!exp_text.empty() && exp_text.front() == '+') exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);

  T magnitude = std::fabs(v);
  if (magnitude >= T(1e-3) && magnitude < T(1e7)) {
    if (exponent >= 0) {
      size_t int_len = static_cast<size_t>(exponent) + 1;
      if (digits.size() < int_len) digits.append(int_len - digits.size(), '0');
      out.append(digits, 0, int_len);
      out.push_back('.');
      out.append(digits.size() > int_len ? digits.substr(int_len) : "0");
    } else {
      out.append("0.");
      out.append(static_cast<size_t>(-exponent - 1), '0');
      out.append(digits);
    }
  } else {
    out.push_back(digits[0]);
    out.push_back('.');
    out.append(digits.size() > 1 ? digits.substr(1) : "0");
    out.push_back('E');
    out.append(std::to_string(exponent));
  }
  return out;
}

// Milliseconds since the epoch as "yyyy-MM-dd HH:mm:ss.SSSZ" in UTC (the layout of
// Cassandra's TimestampSerializer JSON format). The calendar conversion is the
// proleptic Gregorian days-to-civil algorithm, valid for any int64 day count we can
// get from a millisecond value.
std::string FormatDateMillis(int64_t millis) {
  int64_t secs = millis / 1000;
  int64_t ms = millis % 1000;
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t year = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1;
  int64_t month = mp < 10 ? mp + 3 : mp - 9;
  if (month <= 2) ++year;

  auto pad = [](int64_t v, int width) {
    std::string s = std::to_string(v < 0 ? -v : v);
    if (static_cast<int>(s.size()) < width) s.insert(0, width - s.size(), '0');
    return v < 0 ? "-" + s : s;
  };
  return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + " " + pad(sod / 3600, 2) +
         ":" + pad(sod / 60 % 60, 2) + ":" + pad(sod % 60, 2) + "." + pad(ms, 3) + "Z";
}

std::string UuidToString(std::string_view b) {
  std::string hex = ToHex(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

// ---------------------------------------------------------------------------------
// Byte-ordered types.

// BytesType: any bytes, unsigned byte order, hex rendering.
class BytesType final : public AbstractType {
 public:
  std::string Name() const override { return "org.apache.cassandra.db.marshal.BytesType"; }
  int Compare(std::string_view a, std::string_view b) const override {
    return CompareBytes(a, b);
  }
  Status Validate(std::string_view) const override { return Status::OK(); }
  std::string ToString(std::string_view bytes) const override { return ToHex(bytes); }
  bool IsByteOrder() const override { return true; }
};

// AsciiType: bytes 0..127 (AsciiSerializer), byte order.
class AsciiType final : public AbstractType {
 public:
  std::string Name() const override { return "org.apache.cassandra.db.marshal.AsciiType"; }
  int Compare(std::string_view a, std::string_view b) const override {
    return CompareBytes(a, b);
  }
  Status Validate(std::string_view bytes) const override {
    for (char c : bytes) {
      // Java prints the offending byte as a signed byte, e.g. 0x80 -> "-128".
      if (static_cast<signed char>(c) < 0) {
        return Status::InvalidArgument("Invalid byte for ascii: " +
                                       std::to_string(static_cast<signed char>(c)));
      }
    }
    return Status::OK();
  }
  std::string ToString(std::string_view bytes) const override { return std::string(bytes); }
  bool IsByteOrder() const override { return true; }
};

// UTF8Type: byte order; validation reproduces UTF8Serializer.UTF8Validator's state
// machine exactly, so Cairn accepts precisely what Cassandra accepts. That validator
// is more lenient than strict UTF-8: it takes modified UTF-8's NUL (C0 80), encoded
// surrogates (ED A0..BF xx), lead bytes F5..F7, and after E0 / F0 it only rejects the
// overlong second bytes 80..9F / 80..8F without checking for a continuation byte.
class UTF8Type final : public AbstractType {
 public:
  std::string Name() const override { return "org.apache.cassandra.db.marshal.UTF8Type"; }
  int Compare(std::string_view a, std::string_view b) const override {
    return CompareBytes(a, b);
  }
  Status Validate(std::string_view bytes) const override {
    if (!IsCassandraUtf8(bytes)) return Status::InvalidArgument("String didn't validate.");
    return Status::OK();
  }
  std::string ToString(std::string_view bytes) const override { return std::string(bytes); }
  bool IsByteOrder() const override { return true; }

 private:
  static bool IsCassandraUtf8(std::string_view bytes) {
    enum class State { kStart, kTwo, kTwo80, kThreeA0Bf, kThree80Bf1, kThree80Bf2,
                       kFour90Bf, kFour80Bf3 };
    State state = State::kStart;
    for (unsigned char b : bytes) {
      bool continuation = (b & 0xc0) == 0x80;
      switch (state) {
        case State::kStart:
          if (b < 0x80) break;
          if (b >= 0xc0 && b <= 0xdf) {
            if (b == 0xc0) {
              state = State::kTwo80;  // only C0 80, modified UTF-8's NUL
            } else if (b == 0xc1) {
              return false;  // overlong
            } else {
              state = State::kTwo;
            }
          } else if (b >= 0xe0 && b <= 0xef) {
            state = b == 0xe0 ? State::kThreeA0Bf : State::kThree80Bf2;
          } else if (b >= 0xf0 && b <= 0xf7) {
            state = b == 0xf0 ? State::kFour90Bf : State::kFour80Bf3;
          } else {
            return false;  // stray continuation byte or F8..FF
          }
          break;
        case State::kTwo:
        case State::kThree80Bf1:
          if (!continuation) return false;
          state = State::kStart;
          break;
        case State::kTwo80:
          if (b != 0x80) return false;
          state = State::kStart;
          break;
        case State::kThreeA0Bf:
          if ((b & 0xe0) == 0x80) return false;
          state = State::kThree80Bf1;
          break;
        case State::kThree80Bf2:
          if (!continuation) return false;
          state = State::kThree80Bf1;
          break;
        case State::kFour90Bf:
          if ((b & 0x30) == 0) return false;
          state = State::kThree80Bf2;
          break;
        case State::kFour80Bf3:
          if (!continuation) return false;
          state = State::kThree80Bf2;
          break;
      }
    }
    return state == State::kStart;  // anything else is a truncated sequence
  }
};

// ---------------------------------------------------------------------------------
// Numbers.

// LongType (LongSerializer): 8 bytes, signed order. Also CounterColumnType, which
// validates its Thrift-visible value the same way.
class LongType final : public AbstractType {
 public:
  explicit LongType(bool counter) : counter_(counter) {}
  std::string Name() const override {
    return counter_ ? "org.apache.cassandra.db.marshal.CounterColumnType"
                    : "org.apache.cassandra.db.marshal.LongType";
  }
  int Compare(std::string_view a, std::string_view b) const override {
    int r;
    if (CompareEmpty(a, b, &r)) return r;
    if (a.size() != 8 || b.size() != 8) return CompareBytes(a, b);
    return ThreeWay(DecodeLong(a), DecodeLong(b));
  }
  Status Validate(std::string_view bytes) const override {
    return CheckFixedWidth(bytes, 8, "Expected 8 or 0 byte long");
  }
  std::string ToString(std::string_view bytes) const override {
    if (bytes.empty()) return "";
    if (bytes.size() != 8) return ToHex(bytes);
    return std::to_string(DecodeLong(bytes));
  }
  bool IsCounter() const override { return counter_; }

 private:
  const bool counter_;
};

// Int32Type (Int32Serializer): 4 bytes, signed order.
class Int32Type final : public AbstractType {
 public:
  std::string Name() const override { return "org.apache.cassandra.db.marshal.Int32Type"; }
  int Compare(std::string_view a, std::string_view b) const override {
    int r;
    if (CompareEmpty(a, b, &r)) return r;
    if (a.size() != 4 || b.size() != 4) return CompareBytes(a, b);
    return ThreeWay(DecodeInt32(a), DecodeInt32(b));
  }
  Status Validate(std::string_view bytes) const override {
    return CheckFixedWidth(bytes, 4, "Expected 4 or 0 byte int");
  }
  std::string ToString(std::string_view bytes) const override {
    if (bytes.empty()) return "";
    if (bytes.size() != 4) return ToHex(bytes);
    return std::to_string(DecodeInt32(bytes));
  }
};

// IntegerType: a big-endian two's complement integer of any length (Java's BigInteger
// byte form). Every byte string is valid; values compare numerically, so redundant
// sign bytes do not matter (0x0001 == 0x01, 0xFFFF == 0xFF).
class IntegerType final : public AbstractType {
 public:
  std::string Name() const override { return "org.apache.cassandra.db.marshal.IntegerType"; }
  int Compare(std::string_view a, std::string_view b) const override {
    int r;
    if (CompareEmpty(a, b, &r)) return r;
    bool neg_a = static_cast<unsigned char>(a[0]) & 0x80;
    bool neg_b = static_cast<unsigned char>(b[0]) & 0x80;
    if (neg_a != neg_b) return neg_a ? -1 : 1;
    a = StripSignBytes(a);
    b = StripSignBytes(b);
    if (a.size() != b.size()) {
      // Same sign: more significant bytes means a larger magnitude.
      bool a_longer = a.size() > b.size();
      return (a_longer != neg_a) ? 1 : -1;
    }
    // Same sign and length: two's complement bytes order like their values.
    return CompareBytes(a, b);
  }
  Status Validate(std::string_view) const override { return Status::OK(); }
  std::string ToString(std::string_view bytes) const override {
    if (bytes.empty()) return "";
    bool negative = static_cast<unsigned char>(bytes[0]) & 0x80;
    // Magnitude, big-endian; for a negative value, negate (invert and add one).
    std::vector<uint8_t> mag(bytes.begin(), bytes.end());
    if (negative) {
      for (auto& m : mag) m = static_cast<uint8_t>(~m);
      for (size_t i = mag.size(); i-- > 0;) {
        if (++mag[i] != 0) break;
      }
    }
    // Repeated division by 10^9 in base 256.
    std::vector<uint32_t> chunks;
    size_t start = 0;
    while (start < mag.size()) {
      uint64_t rem = 0;
      for (size_t i = start; i < mag.size(); ++i) {
        uint64_t cur = (rem << 8) | mag[i];
        mag[i] = static_cast<uint8_t>(cur / 1000000000);
        rem = cur % 1000000000;
      }
      chunks.push_back(static_cast<uint32_t>(rem));
      while (start < mag.size() && mag[start] == 0) ++start;
    }
    std::string out = negative ? "-" : "";
    if (chunks.empty()) return "0";
    out += std::to_string(chunks.back());
    for (size_t i = chunks.size() - 1; i-- > 0;) {
      std::string part = std::to_string(chunks[i]);
      out.append(9 - part.size(), '0');
      out += part;
    }
    return out;
  }

 private:
  // Drops leading 0x00 / 0xFF bytes that only repeat the sign.
  static std::string_view StripSignBytes(std::string_view v) {
    while (v.size() > 1) {
      auto b0 = static_cast<unsigned char>(v[0]);
      bool b1_neg = static_cast<unsigned char>(v[1]) & 0x80;
      if ((b0 == 0x00 && !b1_neg) || (b0 == 0xff && b1_neg)) {
        v.remove_prefix(1);
      } else {
        break;
      }
    }
    return v;
  }
};

// DoubleType (DoubleSerializer): 8-byte IEEE 754, Java Double.compare order.
class DoubleType final : public AbstractType {
 public:
  std::string Name() const override { return "org.apache.cassandra.db.marshal.DoubleType"; }
  int Compare(std::string_view a, std::string_view b) const override {
    int r;
    if (CompareEmpty(a, b, &r)) return r;
    if (a.size() != 8 || b.size() != 8) return CompareBytes(a, b);
    return CompareJavaDouble(Decode(a), Decode(b));
  }
  Status Validate(std::string_view bytes) const override {
    return CheckFixedWidth(bytes, 8, "Expected 8 or 0 byte value for a double");
  }
  std::string ToString(std::string_view bytes) const override {
    if (bytes.empty()) return "";
    if (bytes.size() != 8) return ToHex(bytes);
    return JavaFloatingToString(Decode(bytes));
  }

 private:
  static double Decode(std::string_view b) {
    return std::bit_cast<double>(DecodeBigEndian64(b.data()));
  }
};

// FloatType (FloatSerializer): 4-byte IEEE 754, Java Float.compare order.
class FloatType final : public AbstractType {
 public:
  std::string Name() const override { return "org.apache.cassandra.db.marshal.FloatType"; }
  int Compare(std::string_view a, std::string_view b) const override {
    int r;
    if (CompareEmpty(a, b, &r)) return r;
    if (a.size() != 4 || b.size() != 4) return CompareBytes(a, b);
    return CompareJavaFloat(Decode(a), Decode(b));
  }
  Status Validate(std::string_view bytes) const override {
    return CheckFixedWidth(bytes, 4, "Expected 4 or 0 byte value for a float");
  }
  std::string ToString(std::string_view bytes) const override {
    if (bytes.empty()) return "";
    if (bytes.size() != 4) return ToHex(bytes);
    return JavaFloatingToString(Decode(bytes));
  }

 private:
  static float Decode(std::string_view b) {
    return std::bit_cast<float>(DecodeBigEndian32(b.data()));
  }
};

// BooleanType (BooleanSerializer): one byte; 0 is false, anything else true, and
// false sorts before true (all true bytes are equal).
class BooleanType final : public AbstractType {
 public:
  std::string Name() const override { return "org.apache.cassandra.db.marshal.BooleanType"; }
  int Compare(std::string_view a, std::string_view b) const override {
    int r;
    if (CompareEmpty(a, b, &r)) return r;
    return ThreeWay(a[0] != 0, b[0] != 0);
  }
  Status Validate(std::string_view bytes) const override {
    return CheckFixedWidth(bytes, 1, "Expected 1 or 0 byte value");
  }
  std::string ToString(std::string_view bytes) const override {
    if (bytes.empty()) return "";
    if (bytes.size() != 1) return ToHex(bytes);
    return bytes[0] != 0 ? "true" : "false";
  }
};

// DateType and TimestampType: milliseconds since the epoch as an 8-byte long
// (TimestampSerializer). DateType compares *unsigned bytes*, so negative (pre-1970)
// dates sort after positive ones. Cassandra kept that for existing data and added
// TimestampType (2.0) with the signed order; we keep the difference.
class DateType final : public AbstractType {
 public:
  explicit DateType(bool timestamp) : timestamp_(timestamp) {}
  std::string Name() const override {
    return timestamp_ ? "org.apache.cassandra.db.marshal.TimestampType"
                      : "org.apache.cassandra.db.marshal.DateType";
  }
  int Compare(std::string_view a, std::string_view b) const override {
    int r;
    if (CompareEmpty(a, b, &r)) return r;
    if (!timestamp_ || a.size() != 8 || b.size() != 8) return CompareBytes(a, b);
    return ThreeWay(DecodeLong(a), DecodeLong(b));
  }
  Status Validate(std::string_view bytes) const override {
    return CheckFixedWidth(bytes, 8, "Expected 8 or 0 byte long for date");
  }
  std::string ToString(std::string_view bytes) const override {
    if (bytes.empty()) return "";
    if (bytes.size() != 8) return ToHex(bytes);
    return FormatDateMillis(DecodeLong(bytes));
  }
  bool IsByteOrder() const override { return !timestamp_; }

 private:
  const bool timestamp_;
};

// ---------------------------------------------------------------------------------
// UUIDs. Byte 6's high nibble is the version; a version 1 UUID keeps its 60-bit
// timestamp as time_low (bytes 0-3), time_mid (4-5), time_hi (low 12 bits of 6-7).

// Rearranges a version 1 UUID's most significant 64 bits so the timestamp reads
// most-significant first (Cassandra's TimeUUIDType.reorderTimestampBytes); the
// version nibble lands in the top 4 bits.
uint64_t ReorderTimestamp(uint64_t msb) {
  return (msb << 48) | ((msb << 16) & 0xFFFF00000000ULL) | (msb >> 32);
}

int UuidVersion(std::string_view b) { return (static_cast<unsigned char>(b[6]) >> 4) & 0xf; }

Status ValidateUuidLength(std::string_view bytes) {
  return CheckFixedWidth(bytes, 16, "UUID should be 16 or 0 bytes");
}

// UUIDType: by version; then version 1 by timestamp, other versions by the unsigned
// most significant 64 bits; then by the unsigned least significant 64 bits.
class UUIDType final : public AbstractType {
 public:
  std::string Name() const override { return "org.apache.cassandra.db.marshal.UUIDType"; }
  int Compare(std::string_view a, std::string_view b) const override {
    int r;
    if (CompareEmpty(a, b, &r)) return r;
    if (a.size() != 16 || b.size() != 16) return CompareBytes(a, b);
    int va = UuidVersion(a), vb = UuidVersion(b);
    if (va != vb) return ThreeWay(va, vb);
    uint64_t msb_a = DecodeBigEndian64(a.data()), msb_b = DecodeBigEndian64(b.data());
    int c = va == 1 ? ThreeWay(static_cast<int64_t>(ReorderTimestamp(msb_a)),
                               static_cast<int64_t>(ReorderTimestamp(msb_b)))
                    : ThreeWay(msb_a, msb_b);
    if (c != 0) return c;
    // Unsigned here but signed in TimeUUIDType: a known Cassandra discrepancy
    // (CASSANDRA-8730) that on-disk order depends on, so both are kept.
    return ThreeWay(DecodeBigEndian64(a.data() + 8), DecodeBigEndian64(b.data() + 8));
  }
  Status Validate(std::string_view bytes) const override { return ValidateUuidLength(bytes); }
  std::string ToString(std::string_view bytes) const override {
    if (bytes.empty()) return "";
    if (bytes.size() != 16) return ToHex(bytes);
    return UuidToString(bytes);
  }
};

// TimeUUIDType: version 1 only; by timestamp, then the last 8 bytes compared as
// *signed* bytes (TimeUUIDType.compare: "a signed per-byte comparison for
// compatibility" with its older ByteBuffer.compareTo form).
class TimeUUIDType final : public AbstractType {
 public:
  std::string Name() const override { return "org.apache.cassandra.db.marshal.TimeUUIDType"; }
  int Compare(std::string_view a, std::string_view b) const override {
    int r;
    if (CompareEmpty(a, b, &r)) return r;
    if (a.size() != 16 || b.size() != 16) return CompareBytes(a, b);
    int c = ThreeWay(static_cast<int64_t>(ReorderTimestamp(DecodeBigEndian64(a.data()))),
                     static_cast<int64_t>(ReorderTimestamp(DecodeBigEndian64(b.data()))));
    if (c != 0) return c;
    for (size_t i = 8; i < 16; ++i) {
      c = ThreeWay(static_cast<signed char>(a[i]), static_cast<signed char>(b[i]));
      if (c != 0) return c;
    }
    return 0;
  }
  Status Validate(std::string_view bytes) const override {
    CAIRN_RETURN_IF_ERROR(ValidateUuidLength(bytes));
    if (!bytes.empty() && (static_cast<unsigned char>(bytes[6]) & 0xf0) != 0x10) {
      return Status::InvalidArgument("Invalid version for TimeUUID type.");
    }
    return Status::OK();
  }
  std::string ToString(std::string_view bytes) const override {
    if (bytes.empty()) return "";
    if (bytes.size() != 16) return ToHex(bytes);
    return UuidToString(bytes);
  }
};

// LexicalUUIDType: java.util.UUID.compareTo, i.e. the most then least significant 64
// bits compared as *signed* longs, whatever the version.
class LexicalUUIDType final : public AbstractType {
 public:
  std::string Name() const override {
    return "org.apache.cassandra.db.marshal.LexicalUUIDType";
  }
  int Compare(std::string_view a, std::string_view b) const override {
    int r;
    if (CompareEmpty(a, b, &r)) return r;
    if (a.size() != 16 || b.size() != 16) return CompareBytes(a, b);
    int c = ThreeWay(DecodeLong(a), DecodeLong(b));
    if (c != 0) return c;
    return ThreeWay(DecodeLong(a.substr(8)), DecodeLong(b.substr(8)));
  }
  Status Validate(std::string_view bytes) const override { return ValidateUuidLength(bytes); }
  std::string ToString(std::string_view bytes) const override {
    if (bytes.empty()) return "";
    if (bytes.size() != 16) return ToHex(bytes);
    return UuidToString(bytes);
  }
};

// ---------------------------------------------------------------------------------
// Parameterized types.

const std::vector<TypePtr>& NoSubTypes() {
  static const std::vector<TypePtr> kEmpty;
  return kEmpty;
}

// ReversedType(T): T's validation and rendering, T's order inverted, except that the
// empty value stays first (Cassandra's ReversedType.compare) because slices use it
// as the unbounded start.
class ReversedType final : public AbstractType {
 public:
  explicit ReversedType(TypePtr base) : params_{std::move(base)} {}
  std::string Name() const override {
    return "org.apache.cassandra.db.marshal.ReversedType(" + params_[0]->Name() + ")";
  }
  int Compare(std::string_view a, std::string_view b) const override {
    int r;
    if (CompareEmpty(a, b, &r)) return r;
    return params_[0]->Compare(b, a);
  }
  Status Validate(std::string_view bytes) const override {
    return params_[0]->Validate(bytes);
  }
  std::string ToString(std::string_view bytes) const override {
    return params_[0]->ToString(bytes);
  }
  bool IsReversed() const override { return true; }
  const std::vector<TypePtr>& SubTypes() const override { return params_; }

 private:
  const std::vector<TypePtr> params_;
};

// Reads one composite component; false (leaving *in unchanged) when truncated.
bool ReadComponent(std::string_view* in, std::string_view* value, int* eoc) {
  if (in->size() < 2) return false;
  size_t len = DecodeBigEndian16(in->data());
  if (in->size() < 2 + len + 1) return false;
  *value = in->substr(2, len);
  *eoc = static_cast<signed char>((*in)[2 + len]);
  in->remove_prefix(2 + len + 1);
  return true;
}

// Cassandra's AbstractCompositeType.escape: ':' becomes "\:", and a trailing '\' or
// '!' gets a '!' appended so the rendering splits back unambiguously.
std::string EscapeComponent(std::string s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == ':') out.push_back('\\');
    out.push_back(c);
  }
  if (!out.empty() && (out.back() == '\\' || out.back() == '!')) out.push_back('!');
  return out;
}

// CompositeType(T1, ..., Tn) (AbstractCompositeType / CompositeType): see the layout
// in marshal.h. Order: component i by Ti, then the EOC bytes as signed (-1 < 0 < 1),
// then a value that ran out of components before one that has more.
class CompositeType final : public AbstractType {
 public:
  explicit CompositeType(std::vector<TypePtr> types) : types_(std::move(types)) {}

  std::string Name() const override {
    std::string name = "org.apache.cassandra.db.marshal.CompositeType(";
    for (size_t i = 0; i < types_.size(); ++i) {
      if (i > 0) name.push_back(',');
      name += types_[i]->Name();
    }
    name.push_back(')');
    return name;
  }

  int Compare(std::string_view a, std::string_view b) const override {
    int r;
    if (CompareEmpty(a, b, &r)) return r;
    for (size_t i = 0; !a.empty() && !b.empty(); ++i) {
      std::string_view rest_a = a, rest_b = b, va, vb;
      int eoc_a, eoc_b;
      if (!ReadComponent(&a, &va, &eoc_a) || !ReadComponent(&b, &vb, &eoc_b)) {
        return CompareBytes(rest_a, rest_b);  // malformed: any deterministic order
      }
      int c = TypeAt(i).Compare(va, vb);
      if (c != 0) return c;
      if (eoc_a != eoc_b) return ThreeWay(eoc_a, eoc_b);
    }
    if (a.empty()) return b.empty() ? 0 : -1;
    return 1;
  }

  Status Validate(std::string_view bytes) const override {
    // The checks, their order and their messages are Cassandra's
    // (AbstractCompositeType.validate), except that Cassandra omits the blank before
    // the index in the last two messages ("component0"); we keep it for readability.
    for (size_t i = 0; !bytes.empty(); ++i) {
      std::string index = std::to_string(i);
      if (i >= types_.size()) return Status::InvalidArgument("Too many bytes for comparator");
      if (bytes.size() < 2) {
        return Status::InvalidArgument("Not enough bytes to read value size of component " +
                                       index);
      }
      size_t len = DecodeBigEndian16(bytes.data());
      bytes.remove_prefix(2);
      if (bytes.size() < len) {
        return Status::InvalidArgument("Not enough bytes to read value of component " + index);
      }
      CAIRN_RETURN_IF_ERROR(types_[i]->Validate(bytes.substr(0, len)));
      bytes.remove_prefix(len);
      if (bytes.empty()) {
        return Status::InvalidArgument(
            "Not enough bytes to read the end-of-component byte of component " + index);
      }
      char eoc = bytes[0];
      bytes.remove_prefix(1);
      if (eoc != 0 && !bytes.empty()) {
        return Status::InvalidArgument(
            "Invalid bytes remaining after an end-of-component at component " + index);
      }
    }
    return Status::OK();
  }

  std::string ToString(std::string_view bytes) const override {
    std::string out;
    std::string_view in = bytes;
    for (size_t i = 0; !in.empty(); ++i) {
      std::string_view value;
      int eoc;
      if (!ReadComponent(&in, &value, &eoc)) {
        // Malformed tail: show it raw rather than guess at its structure.
        if (i > 0) out.push_back(':');
        return out + "0x" + ToHex(in);
      }
      if (i > 0) out.push_back(':');
      out += EscapeComponent(TypeAt(i).ToString(value));
      if (eoc != 0) {
        out += eoc < 0 ? ":_" : ":!";
        break;
      }
    }
    return out;
  }

  bool IsComposite() const override { return true; }
  const std::vector<TypePtr>& SubTypes() const override { return types_; }

 private:
  // Components beyond the declared types can only come from unvalidated bytes (or a
  // schema change Cassandra also refuses); order them as bytes rather than fail.
  const AbstractType& TypeAt(size_t i) const {
    return i < types_.size() ? *types_[i] : *BytesTypeInstance();
  }

  const std::vector<TypePtr> types_;
};

// ---------------------------------------------------------------------------------
// Type names.

// The parameterless types by short name, one shared instance each.
const std::vector<std::pair<std::string_view, TypePtr>>& SimpleTypes() {
  static const auto* table = new std::vector<std::pair<std::string_view, TypePtr>>{
      {"BytesType", BytesTypeInstance()},
      {"AsciiType", std::make_shared<AsciiType>()},
      {"UTF8Type", std::make_shared<UTF8Type>()},
      {"LongType", std::make_shared<LongType>(/*counter=*/false)},
      {"Int32Type", std::make_shared<Int32Type>()},
      {"IntegerType", std::make_shared<IntegerType>()},
      {"UUIDType", std::make_shared<UUIDType>()},
      {"TimeUUIDType", std::make_shared<TimeUUIDType>()},
      {"LexicalUUIDType", std::make_shared<LexicalUUIDType>()},
      {"BooleanType", std::make_shared<BooleanType>()},
      {"DoubleType", std::make_shared<DoubleType>()},
      {"FloatType", std::make_shared<FloatType>()},
      {"DateType", std::make_shared<DateType>(/*timestamp=*/false)},
      {"TimestampType", std::make_shared<DateType>(/*timestamp=*/true)},
      {"CounterColumnType", std::make_shared<LongType>(/*counter=*/true)},
  };
  return *table;
}

// A recursive-descent parser for Cassandra's type-name grammar (TypeParser):
//   type   := blank* name blank* [ '(' blank* [ type (',' type)* ] ')' ] blank*
//   name   := (letter | digit | '_' | '-' | '+' | '.' | '&')+
class TypeNameParser {
 public:
  explicit TypeNameParser(std::string_view text) : text_(text) {}

  Result<TypePtr> ParseAll() {
    CAIRN_ASSIGN_OR_RETURN(TypePtr type, ParseOne(0));
    SkipBlank();
    if (pos_ != text_.size()) return SyntaxError("unexpected characters after the type");
    return type;
  }

 private:
  Result<TypePtr> ParseOne(int depth) {
    if (depth > kMaxTypeNesting) return SyntaxError("types nested too deeply");
    SkipBlank();
    size_t start = pos_;
    while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
    std::string_view name = text_.substr(start, pos_ - start);
    if (name.empty()) return SyntaxError("expected a type name");
    SkipBlank();

    bool has_params = false;
    std::vector<TypePtr> params;
    if (pos_ < text_.size() && text_[pos_] == '(') {
      has_params = true;
      ++pos_;
      SkipBlank();
      if (pos_ < text_.size() && text_[pos_] == ')') {
        ++pos_;
      } else {
        while (true) {
          CAIRN_ASSIGN_OR_RETURN(TypePtr param, ParseOne(depth + 1));
          params.push_back(std::move(param));
          SkipBlank();
          if (pos_ < text_.size() && text_[pos_] == ',') {
            ++pos_;
          } else if (pos_ < text_.size() && text_[pos_] == ')') {
            ++pos_;
            break;
          } else {
            return SyntaxError("expected ',' or ')'");
          }
        }
      }
    }
    return Build(name, has_params, std::move(params));
  }

  Result<TypePtr> Build(std::string_view name, bool has_params, std::vector<TypePtr> params) {
    std::string_view short_name = name;
    if (short_name.starts_with(kMarshalPackage)) short_name.remove_prefix(kMarshalPackage.size());
    if (short_name == "CompositeType") {
      if (params.empty()) {
        return Status::InvalidArgument("CompositeType needs at least one component type");
      }
      return TypePtr(std::make_shared<CompositeType>(std::move(params)));
    }
    if (short_name == "ReversedType") {
      if (params.size() != 1) {
        return Status::InvalidArgument("ReversedType takes exactly one argument, " +
                                       std::to_string(params.size()) + " given");
      }
      return TypePtr(std::make_shared<ReversedType>(std::move(params[0])));
    }
    for (const auto& [simple_name, type] : SimpleTypes()) {
      if (short_name != simple_name) continue;
      if (has_params) {
        return Status::InvalidArgument(std::string(simple_name) + " takes no parameters");
      }
      return type;
    }
    // Cassandra's TypeParser message; a name without a package is looked up in
    // org.apache.cassandra.db.marshal, anything else would be a custom class.
    std::string class_name = name.find('.') == std::string_view::npos
                                 ? std::string(kMarshalPackage) + std::string(name)
                                 : std::string(name);
    return Status::InvalidArgument("Unable to find abstract-type class '" + class_name + "'");
  }

  static bool IsNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '+' || c == '.' || c == '&';
  }

  void SkipBlank() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
            text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  Status SyntaxError(std::string_view what) const {
    return Status::InvalidArgument("Syntax error parsing '" + std::string(text_) +
                                   "' at char " + std::to_string(pos_) + ": " +
                                   std::string(what));
  }

  std::string_view text_;
  size_t pos_ = 0;
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendComponent(std::string* out, std::string_view value, int eoc) {
  assert(value.size() <= 0xffff && "composite components are limited to 65535 bytes");
  out->push_back(static_cast<char>(value.size() >> 8));
  out->push_back(static_cast<char>(value.size() & 0xff));
  out->append(value);
  out->push_back(static_cast<char>(eoc));
}

}  // namespace

const std::vector<TypePtr>& AbstractType::SubTypes() const { return NoSubTypes(); }

TypePtr BytesTypeInstance() {
  static const TypePtr instance = std::make_shared<BytesType>();
  return instance;
}

Result<TypePtr> ParseType(std::string_view name) { return TypeNameParser(name).ParseAll(); }

std::string EncodeLong(int64_t v) {
  std::string s;
  PutBigEndian64(&s, static_cast<uint64_t>(v));
  return s;
}

std::string EncodeInt32(int32_t v) {
  std::string s = EncodeLong(v);
  return s.substr(4);
}

std::string EncodeVarint(int64_t v) {
  std::string s = EncodeLong(v);
  // Drop sign-extension bytes the next byte's top bit already implies.
  size_t skip = 0;
  while (skip < 7) {
    auto b0 = static_cast<unsigned char>(s[skip]);
    bool b1_neg = static_cast<unsigned char>(s[skip + 1]) & 0x80;
    if ((b0 == 0x00 && !b1_neg) || (b0 == 0xff && b1_neg)) {
      ++skip;
    } else {
      break;
    }
  }
  return s.substr(skip);
}

std::string EncodeDouble(double v) { return EncodeLong(std::bit_cast<int64_t>(v)); }

std::string EncodeFloat(float v) { return EncodeInt32(std::bit_cast<int32_t>(v)); }

std::string EncodeBoolean(bool v) { return std::string(1, v ? '\1' : '\0'); }

Result<std::string> UuidFromString(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument("Unable to make UUID from '" + std::string(text) + "'");
  };
  if (text.size() != 36) return bad();
  std::string out;
  int pending = -1;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return bad();
      continue;
    }
    int h = HexValue(text[i]);
    if (h < 0) return bad();
    if (pending < 0) {
      pending = h;
    } else {
      out.push_back(static_cast<char>((pending << 4) | h));
      pending = -1;
    }
  }
  return out;
}

std::string MakeComposite(std::initializer_list<std::string_view> components, int last_eoc) {
  std::string out;
  size_t i = 0;
  for (std::string_view c : components) {
    AppendComponent(&out, c, ++i == components.size() ? last_eoc : 0);
  }
  return out;
}

std::string MakeComposite(const std::vector<std::string>& components, int last_eoc) {
  std::string out;
  for (size_t i = 0; i < components.size(); ++i) {
    AppendComponent(&out, components[i], i + 1 == components.size() ? last_eoc : 0);
  }
  return out;
}

Result<std::vector<std::string>> SplitComposite(std::string_view bytes, int* last_eoc) {
  std::vector<std::string> parts;
  int eoc = 0;
  while (!bytes.empty()) {
    if (eoc != 0) {
      return Status::InvalidArgument(
          "Invalid bytes remaining after an end-of-component at component " +
          std::to_string(parts.size() - 1));
    }
    std::string_view value;
    if (!ReadComponent(&bytes, &value, &eoc)) {
      return Status::InvalidArgument("Truncated composite component " +
                                     std::to_string(parts.size()));
    }
    parts.emplace_back(value);
  }
  if (last_eoc != nullptr) *last_eoc = eoc;
  return parts;
}

}  // namespace cairn
