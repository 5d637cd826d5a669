// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The three partitioners. Arithmetic mirrors Cassandra's BigInteger code with fixed-width
// integers: __int128 for Murmur3 (64-bit tokens need one extra bit), explicit case
// analysis for RandomPartitioner (values -1..2^127), and big-endian byte strings for
// ByteOrderedPartitioner, whose tokens have no fixed width.
#include "ring/partitioner.h"

#include <algorithm>
#include <cmath>

#include "ring/md5.h"
#include "ring/murmur3.h"

namespace cairn::ring {
namespace {

using u128 = unsigned __int128;

constexpr std::string_view kCassandraDhtPackage = "org.apache.cassandra.dht.";

std::string ForInputString(std::string_view text) {
  return "For input string: \"" + std::string(text) + "\"";
}

// ---- Big-endian unsigned byte-string arithmetic (fixed width per call) ----

// `s` right-padded with zero bytes to `width` (token order is lexicographic, so padding
// keeps the order of distinct tokens except against their own padded forms).
std::string PadRight(const std::string& s, size_t width) {
  std::string out = s;
  out.resize(width, '\0');
  return out;
}

inline unsigned Byte(const std::string& s, size_t i) { return static_cast<unsigned char>(s[i]); }

// a + b, both of width w; result has width w + 1.
std::string AddBytes(const std::string& a, const std::string& b) {
  const size_t w = a.size();
  std::string out(w + 1, '\0');
  unsigned carry = 0;
  for (size_t i = w; i-- > 0;) {
    const unsigned v = Byte(a, i) + Byte(b, i) + carry;
    out[i + 1] = static_cast<char>(v & 0xff);
    carry = v >> 8;
  }
  out[0] = static_cast<char>(carry);
  return out;
}

// a - b modulo 2^(8w), both of width w.
std::string SubBytes(const std::string& a, const std::string& b) {
  const size_t w = a.size();
  std::string out(w, '\0');
  int borrow = 0;
  for (size_t i = w; i-- > 0;) {
    int v = static_cast<int>(Byte(a, i)) - static_cast<int>(Byte(b, i)) - borrow;
    borrow = v < 0 ? 1 : 0;
    if (v < 0) v += 256;
    out[i] = static_cast<char>(v);
  }
  return out;
}

// a >> 1, same width; returns the bit shifted out through *low_bit.
std::string ShiftRight1(const std::string& a, bool* low_bit) {
  std::string out(a.size(), '\0');
  unsigned carry = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const unsigned v = Byte(a, i);
    out[i] = static_cast<char>((v >> 1) | (carry << 7));
    carry = v & 1;
  }
  if (low_bit != nullptr) *low_bit = carry != 0;
  return out;
}

// Drops leading bytes so that the result has `width` bytes (i.e. value mod 2^(8 width)).
std::string KeepLow(const std::string& a, size_t width) { return a.substr(a.size() - width); }

// a * m >> 32, for m <= 2^32; a of width w, result width w.
std::string MulShift32(const std::string& a, uint64_t m) {
  const size_t w = a.size();
  std::string prod(w + 5, '\0');  // a * m fits in w + 5 bytes
  u128 carry = 0;
  for (size_t i = w; i-- > 0;) {
    const u128 v = static_cast<u128>(Byte(a, i)) * m + carry;
    prod[i + 5] = static_cast<char>(static_cast<unsigned>(v & 0xff));
    carry = v >> 8;
  }
  for (size_t i = 5; i-- > 0;) {
    prod[i] = static_cast<char>(static_cast<unsigned>(carry & 0xff));
    carry >>= 8;
  }
  // Drop the low 4 bytes (>> 32), then the top byte (it is zero since m <= 2^32).
  return prod.substr(1, w);
}

// The first 16 bytes of `s` (zero padded) as a big-endian number.
u128 Prefix128(const std::string& s) {
  u128 v = 0;
  for (size_t i = 0; i < 16; ++i) v = (v << 8) | (i < s.size() ? Byte(s, i) : 0u);
  return v;
}

std::string ToHex(const std::string& bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string U128ToDecimal(u128 v) {
  if (v == 0) return "0";
  std::string out;
  while (v != 0) {
    out.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// Converts `ratio` * size to an integer in [0, size] (size given as long double).
long double ClampRatio(double ratio) {
  if (!(ratio > 0)) return 0;  // also catches NaN
  if (ratio > 1) return 1;
  return ratio;
}

std::mt19937_64& ThreadRng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

}  // namespace

// ================================ Partitioner ================================

std::string_view Partitioner::ShortName() const {
  std::string_view name = Name();
  const size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

DecoratedKey Partitioner::Decorate(std::string_view key) const {
  return DecoratedKey{GetToken(key), std::string(key)};
}

Token Partitioner::GetRandomToken() const { return GetRandomToken(ThreadRng()); }

std::map<Token, double> Partitioner::DescribeOwnership(
    const std::vector<Token>& sorted_tokens) const {
  std::map<Token, double> out;
  if (sorted_tokens.empty()) return out;
  if (sorted_tokens.size() == 1) {
    out.emplace(sorted_tokens[0], 1.0);
    return out;
  }
  for (size_t i = 0; i < sorted_tokens.size(); ++i) {
    const Token& prev = sorted_tokens[i == 0 ? sorted_tokens.size() - 1 : i - 1];
    out.emplace(sorted_tokens[i], RingFraction(prev, sorted_tokens[i]));
  }
  return out;
}

double Partitioner::OwnedFraction(const std::vector<Range>& ranges) const {
  const Token min = MinimumToken();
  double total = 0;
  for (const Range& r : Range::Normalize(ranges, min)) {
    if (r.IsFull()) return 1.0;
    total += RingFraction(r.left, r.right);
  }
  return std::min(total, 1.0);
}

Result<std::shared_ptr<const Partitioner>> Partitioner::ByName(std::string_view name) {
  std::string full(name);
  if (full.find('.') == std::string::npos) full = std::string(kCassandraDhtPackage) + full;
  if (full == Murmur3Partitioner::Instance()->Name()) return {Murmur3Partitioner::Instance()};
  if (full == RandomPartitioner::Instance()->Name()) return {RandomPartitioner::Instance()};
  if (full == ByteOrderedPartitioner::Instance()->Name()) {
    return {ByteOrderedPartitioner::Instance()};
  }
  return Status::InvalidArgument("Unable to find partitioner class '" + full + "'");
}

// ============================= Murmur3Partitioner =============================

const std::shared_ptr<const Murmur3Partitioner>& Murmur3Partitioner::Instance() {
  static const auto* instance =
      new std::shared_ptr<const Murmur3Partitioner>(std::make_shared<Murmur3Partitioner>());
  return *instance;
}

Token Murmur3Partitioner::FromLong(int64_t value) {
  const uint64_t u = static_cast<uint64_t>(value) ^ (uint64_t{1} << 63);
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(u >> (56 - 8 * i));
  return Token{std::move(bytes)};
}

int64_t Murmur3Partitioner::ToLong(const Token& token) {
  assert(token.bytes.size() == 8);
  uint64_t u = 0;
  for (size_t i = 0; i < 8 && i < token.bytes.size(); ++i) u = (u << 8) | Byte(token.bytes, i);
  return static_cast<int64_t>(u ^ (uint64_t{1} << 63));
}

int64_t Murmur3Partitioner::TokenValue(std::string_view key) {
  if (key.empty()) return INT64_MIN;
  const int64_t h = CassandraMurmur3Hash64(key.data(), key.size());
  // Cassandra's Murmur3Partitioner.normalize: INT64_MIN is reserved for the minimum token.
  return h == INT64_MIN ? INT64_MAX : h;
}

Token Murmur3Partitioner::GetToken(std::string_view key) const {
  return FromLong(TokenValue(key));
}

std::string Murmur3Partitioner::TokenToString(const Token& token) const {
  if (token.bytes.size() != 8) return "<invalid Murmur3 token " + ToHex(token.bytes) + ">";
  return std::to_string(ToLong(token));
}

Result<Token> Murmur3Partitioner::TokenFromString(std::string_view text) const {
  // Long.parseLong: optional sign, then at least one decimal digit, within range.
  size_t i = 0;
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    i = 1;
  }
  if (i == text.size()) return Status::InvalidArgument(ForInputString(text));
  u128 magnitude = 0;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return Status::InvalidArgument(ForInputString(text));
    magnitude = magnitude * 10 + static_cast<unsigned>(text[i] - '0');
    if (magnitude > (static_cast<u128>(1) << 63)) {
      return Status::InvalidArgument(ForInputString(text));
    }
  }
  if (!negative && magnitude > static_cast<u128>(INT64_MAX)) {
    return Status::InvalidArgument(ForInputString(text));
  }
  const int64_t value = negative ? static_cast<int64_t>(-static_cast<__int128>(magnitude))
                                 : static_cast<int64_t>(magnitude);
  return FromLong(value);
}

Status Murmur3Partitioner::ValidateToken(const Token& token) const {
  if (token.bytes.size() != 8) {
    return Status::InvalidArgument("Murmur3Partitioner token must be 8 bytes, got " +
                                   std::to_string(token.bytes.size()));
  }
  return Status::OK();
}

Token Murmur3Partitioner::Midpoint(const Token& left, const Token& right) const {
  const __int128 l = ToLong(left);
  const __int128 r = ToLong(right);
  __int128 mid;
  if (l < r) {
    mid = (l + r) >> 1;  // arithmetic shift == BigInteger.shiftRight (floor)
  } else {
    // Wrapping: length is (max - l) + (r - min); Cassandra's Murmur3Partitioner.midpoint.
    const __int128 max = INT64_MAX;
    const __int128 min = INT64_MIN;
    mid = (max - min + l + r) >> 1;
    if (mid > max) mid = min + (mid - max);
  }
  return FromLong(static_cast<int64_t>(mid));
}

double Murmur3Partitioner::RingFraction(const Token& left, const Token& right) const {
  if (left == right) return 1.0;
  const uint64_t size = static_cast<uint64_t>(ToLong(right)) - static_cast<uint64_t>(ToLong(left));
  return static_cast<double>(static_cast<long double>(size) / 18446744073709551616.0L);
}

Token Murmur3Partitioner::Split(const Token& left, const Token& right, double ratio) const {
  const uint64_t l = static_cast<uint64_t>(ToLong(left));
  const uint64_t diff = static_cast<uint64_t>(ToLong(right)) - l;
  const long double size = diff == 0 ? 18446744073709551616.0L : static_cast<long double>(diff);
  long double offset = std::floor(ClampRatio(ratio) * size);
  if (offset >= 18446744073709551616.0L) offset = 18446744073709551615.0L;
  return FromLong(static_cast<int64_t>(l + static_cast<uint64_t>(offset)));
}

Token Murmur3Partitioner::GetRandomToken(std::mt19937_64& rng) const {
  const int64_t v = static_cast<int64_t>(rng());
  return FromLong(v == INT64_MIN ? INT64_MAX : v);
}

// ============================== RandomPartitioner ==============================

const std::shared_ptr<const RandomPartitioner>& RandomPartitioner::Instance() {
  static const auto* instance =
      new std::shared_ptr<const RandomPartitioner>(std::make_shared<RandomPartitioner>());
  return *instance;
}

Token RandomPartitioner::FromUint128(u128 value) {
  std::string bytes(16, '\0');
  for (int i = 0; i < 16; ++i) {
    bytes[i] = static_cast<char>(static_cast<unsigned>((value >> (120 - 8 * i)) & 0xff));
  }
  return Token{std::move(bytes)};
}

u128 RandomPartitioner::ToUint128(const Token& token) {
  assert(token.bytes.size() == 16);
  return Prefix128(token.bytes);
}

namespace {
// abs() of 16 big-endian bytes read as a signed two's-complement integer, i.e.
// Cassandra's `new BigInteger(digest).abs()`. The result is in [0, 2^127].
u128 AbsOfSigned128(const uint8_t* bytes) {
  u128 v = 0;
  for (int i = 0; i < 16; ++i) v = (v << 8) | bytes[i];
  if (bytes[0] & 0x80) v = ~v + 1;  // negate; 0x80..00 stays 2^127 == |-2^127|
  return v;
}

// A RandomPartitioner token as a number, with the minimum (-1) mapped to 0 for the
// ring-size arithmetic of Split and RingFraction (Cassandra also sizes the ring 2^127).
u128 RandomArith(const Token& t) { return t.bytes.empty() ? 0 : Prefix128(t.bytes); }

// Size of (l, r] on a ring of 2^127, with l == r as the whole ring.
u128 RandomSize(const Token& left, const Token& right) {
  const u128 max = RandomPartitioner::MaxValue();
  const u128 l = RandomArith(left);
  const u128 r = RandomArith(right);
  if (left == right) return max;
  if (r >= l) return r - l;
  return max - (l - r);
}
}  // namespace

Token RandomPartitioner::GetToken(std::string_view key) const {
  if (key.empty()) return MinimumToken();
  const Md5Digest digest = Md5::Digest(key);
  return FromUint128(AbsOfSigned128(digest.data()));
}

std::string RandomPartitioner::TokenToString(const Token& token) const {
  if (token.bytes.empty()) return "-1";
  if (token.bytes.size() != 16) return "<invalid RandomPartitioner token " + ToHex(token.bytes) + ">";
  return U128ToDecimal(ToUint128(token));
}

Result<Token> RandomPartitioner::TokenFromString(std::string_view text) const {
  // new BigInteger(text): optional sign, then decimal digits.
  size_t i = 0;
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    i = 1;
  }
  if (i == text.size()) return Status::InvalidArgument(ForInputString(text));
  u128 magnitude = 0;
  bool too_big = false;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return Status::InvalidArgument(ForInputString(text));
    if (!too_big) {
      magnitude = magnitude * 10 + static_cast<unsigned>(text[i] - '0');
      if (magnitude > MaxValue()) too_big = true;
    }
  }
  if (negative && magnitude != 0) {
    if (magnitude == 1 && !too_big) return MinimumToken();  // Cassandra's MINIMUM is -1
    return Status::InvalidArgument("Token must be >= 0");
  }
  if (too_big) return Status::InvalidArgument("Token must be <= 2**127");
  return FromUint128(magnitude);
}

Status RandomPartitioner::ValidateToken(const Token& token) const {
  if (token.bytes.empty()) return Status::OK();
  if (token.bytes.size() != 16) {
    return Status::InvalidArgument("RandomPartitioner token must be 16 bytes, got " +
                                   std::to_string(token.bytes.size()));
  }
  if (ToUint128(token) > MaxValue()) return Status::InvalidArgument("Token must be <= 2**127");
  return Status::OK();
}

Token RandomPartitioner::Midpoint(const Token& left, const Token& right) const {
  // FBUtilities.midpoint(l, r, 127) with l, r in {-1} U [0, 2^127]. The minimum (-1) and
  // intermediate values up to 2^128 do not fit one fixed-width type, so the cases where
  // -1 takes part are worked out by hand.
  const u128 max = MaxValue();
  const bool l_min = left.bytes.empty();
  const bool r_min = right.bytes.empty();
  const u128 l = l_min ? 0 : ToUint128(left);
  const u128 r = r_min ? 0 : ToUint128(right);
  if (left < right) {
    if (l_min) {
      // floor((-1 + r) / 2): r == 0 gives -1, the minimum.
      if (r == 0) return MinimumToken();
      return FromUint128((r - 1) >> 1);
    }
    return FromUint128((l >> 1) + (r >> 1) + (l & r & 1));  // floor((l + r) / 2)
  }
  // Wrapping: distance = 2^127 + r - l, midpoint = (distance / 2 + l) mod 2^127.
  if (l_min) {  // then r is the minimum too: distance 2^127, (2^126 - 1) mod 2^127
    return FromUint128((max >> 1) - 1);
  }
  u128 distance;
  if (r_min) {
    if (l == max) return FromUint128(max - 1);  // distance -1: floor(-1 / 2) + 2^127
    distance = max - l - 1;
  } else {
    distance = max - l + r;  // <= 2^127 since r <= l
  }
  return FromUint128(((distance >> 1) + l) % max);
}

double RandomPartitioner::RingFraction(const Token& left, const Token& right) const {
  return static_cast<double>(static_cast<long double>(RandomSize(left, right)) /
                             static_cast<long double>(MaxValue()));
}

Token RandomPartitioner::Split(const Token& left, const Token& right, double ratio) const {
  const u128 max = MaxValue();
  const long double size = static_cast<long double>(RandomSize(left, right));
  u128 offset = static_cast<u128>(std::floor(ClampRatio(ratio) * size));
  u128 v = RandomArith(left) + offset;
  if (v > max) v -= max;
  return FromUint128(v);
}

Token RandomPartitioner::GetRandomToken(std::mt19937_64& rng) const {
  uint8_t bytes[16];
  for (int half = 0; half < 2; ++half) {
    const uint64_t v = rng();
    for (int i = 0; i < 8; ++i) bytes[half * 8 + i] = static_cast<uint8_t>(v >> (56 - 8 * i));
  }
  return FromUint128(AbsOfSigned128(bytes));
}

// =========================== ByteOrderedPartitioner ===========================

const std::shared_ptr<const ByteOrderedPartitioner>& ByteOrderedPartitioner::Instance() {
  static const auto* instance = new std::shared_ptr<const ByteOrderedPartitioner>(
      std::make_shared<ByteOrderedPartitioner>());
  return *instance;
}

std::string ByteOrderedPartitioner::TokenToString(const Token& token) const {
  return ToHex(token.bytes);
}

Result<Token> ByteOrderedPartitioner::TokenFromString(std::string_view text) const {
  if (text.size() % 2 != 0) {
    return Status::InvalidArgument("An hex string representing bytes must have an even length");
  }
  std::string bytes(text.size() / 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const int hi = HexValue(text[2 * i]);
    const int lo = HexValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::InvalidArgument("Token " + std::string(text) + " contains non-hex digits");
    }
    bytes[i] = static_cast<char>(hi * 16 + lo);
  }
  return Token{std::move(bytes)};
}

Token ByteOrderedPartitioner::Midpoint(const Token& left, const Token& right) const {
  // Cassandra's ByteOrderedPartitioner.midpoint: both tokens right-padded to the longer
  // length, FBUtilities.midpoint over 8 * sigbytes bits, and when the sum was odd one more
  // byte 0x80 carrying the half bit.
  const size_t sig = std::max(left.bytes.size(), right.bytes.size());
  const std::string l = PadRight(left.bytes, sig);
  const std::string r = PadRight(right.bytes, sig);
  bool remainder = false;
  std::string mid;
  if (l < r) {
    mid = KeepLow(ShiftRight1(AddBytes(l, r), &remainder), sig);
  } else {
    // distance = 2^(8 sig) + r - l, in width sig + 1.
    std::string two_pow(sig + 1, '\0');
    two_pow[0] = 1;
    const std::string distance = SubBytes(KeepLow(AddBytes(std::string(1, '\0') + r, two_pow), sig + 1),
                                          std::string(1, '\0') + l);
    const std::string half = ShiftRight1(distance, &remainder);
    mid = KeepLow(AddBytes(half, std::string(1, '\0') + l), sig);
  }
  if (remainder) mid.push_back(static_cast<char>(0x80));
  return Token{std::move(mid)};
}

Token ByteOrderedPartitioner::Split(const Token& left, const Token& right, double ratio) const {
  // Work in w = longest + 4 bytes so that the result is strictly greater than `left`
  // (a longer string with `left` as prefix) and has 32 bits of sub-range precision.
  const size_t w = std::max(left.bytes.size(), right.bytes.size()) + 4;
  const std::string l = PadRight(left.bytes, w);
  const std::string r = PadRight(right.bytes, w);
  std::string size;  // width w + 1
  if (left == right) {
    size.assign(w + 1, '\0');
    size[0] = 1;
  } else if (l < r) {
    size = std::string(1, '\0') + SubBytes(r, l);
  } else {
    std::string two_pow(w + 1, '\0');
    two_pow[0] = 1;
    size = SubBytes(two_pow, std::string(1, '\0') + SubBytes(l, r));
  }
  const uint64_t q =
      static_cast<uint64_t>(std::llround(ClampRatio(ratio) * 4294967296.0L));  // <= 2^32
  const std::string offset = MulShift32(size, q);                                 // width w + 1
  return Token{KeepLow(AddBytes(std::string(1, '\0') + l, offset), w)};
}

double ByteOrderedPartitioner::RingFraction(const Token& left, const Token& right) const {
  if (left == right) return 1.0;
  const u128 diff = Prefix128(right.bytes) - Prefix128(left.bytes);  // mod 2^128
  return static_cast<double>(static_cast<long double>(diff) / 340282366920938463463374607431768211456.0L);
}

Token ByteOrderedPartitioner::GetRandomToken(std::mt19937_64& rng) const {
  std::string bytes(16, '\0');
  for (int half = 0; half < 2; ++half) {
    const uint64_t v = rng();
    for (int i = 0; i < 8; ++i) bytes[half * 8 + i] = static_cast<char>(v >> (56 - 8 * i));
  }
  return Token{std::move(bytes)};
}

}  // namespace cairn::ring
