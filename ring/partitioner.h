// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Partitioners: how a partition key maps to a Token, Cassandra's IPartitioner.
//
//   Murmur3Partitioner     (default) token = h1 of Cassandra's MurmurHash3 x64_128 of the
//                          key, a signed 64-bit value in (INT64_MIN, INT64_MAX]; identical
//                          to Cassandra's for the same key, so token-aware clients route
//                          correctly. Encoded as 8 bytes big-endian of
//                          (uint64)token ^ (1 << 63), so memcmp order == signed order.
//                          Minimum token: INT64_MIN (encoded as 8 zero bytes), which no
//                          non-empty key produces (Cassandra maps a hash of INT64_MIN to
//                          INT64_MAX); the empty key maps to it.
//   RandomPartitioner      token = abs(MD5(key) read as a signed big-endian 128-bit
//                          integer), in [0, 2^127]. Encoded as 16 bytes big-endian
//                          unsigned. Minimum token: Cassandra's -1, encoded as the empty
//                          byte string (it sorts before every 16-byte token); the empty
//                          key maps to it.
//   ByteOrderedPartitioner token = the key bytes (ordered scans). Minimum token: empty.
//
// Token <-> string conversion follows Cassandra's Token.TokenFactory: Murmur3 a decimal
// signed long, Random a decimal BigInteger ("-1" for the minimum), ByteOrdered lower-case
// hex. These strings are what gossip (TOKENS), nodetool ring and describe_ring show.
//
// Thread-safety: partitioners are stateless and immutable; every method may be called
// concurrently. The instances returned by ByName()/Instance() live for the process.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/token.h"
#include "ring/range.h"

namespace cairn::ring {

class Partitioner {
 public:
  virtual ~Partitioner() = default;

  // Cassandra's full class name, e.g. "org.apache.cassandra.dht.Murmur3Partitioner".
  virtual std::string_view Name() const = 0;
  // The class name without the package, e.g. "Murmur3Partitioner".
  std::string_view ShortName() const;

  // The token of a partition key.
  virtual Token GetToken(std::string_view key) const = 0;
  // The smallest token, start and end of the ring (see range.h).
  virtual Token MinimumToken() const = 0;
  // key + its token.
  DecoratedKey Decorate(std::string_view key) const;
  // True for ByteOrderedPartitioner: token order is key order.
  virtual bool PreservesOrder() const { return false; }

  // Cassandra's TokenFactory.toString / fromString. TokenFromString validates the text
  // (InvalidArgument with Cassandra's message when malformed or out of range).
  virtual std::string TokenToString(const Token& token) const = 0;
  virtual Result<Token> TokenFromString(std::string_view text) const = 0;
  // Checks that `token` holds a well-formed encoding for this partitioner (e.g. tokens
  // read from the network). InvalidArgument otherwise.
  virtual Status ValidateToken(const Token& token) const = 0;

  // The token halfway along (left, right], wrapping when left >= right (left == right
  // bisects the whole ring). Cassandra's IPartitioner.midpoint, same results.
  virtual Token Midpoint(const Token& left, const Token& right) const = 0;

  // The token at `ratio` (in [0, 1]) of the way along (left, right], wrapping; used to
  // split ranges unevenly (token allocation). Exact for Murmur3/Random to ~2^-60 of the
  // range; ByteOrdered works on the key bytes plus 4 extra bytes of precision.
  virtual Token Split(const Token& left, const Token& right, double ratio) const = 0;

  // Fraction of the ring covered by (left, right]: in (0, 1], 1 for left == right.
  // ByteOrdered approximates using the first 8 bytes of each token.
  virtual double RingFraction(const Token& left, const Token& right) const = 0;

  // A uniformly random token (never the minimum). Cassandra's getRandomToken.
  virtual Token GetRandomToken(std::mt19937_64& rng) const = 0;
  // Same, with a per-thread generator seeded from std::random_device.
  Token GetRandomToken() const;

  // Cassandra's describeOwnership: for ring tokens sorted ascending, the fraction of the
  // ring each token owns as a primary range (prev, token]. A single token owns 1.0.
  // REQUIRES: sorted_tokens sorted, no duplicates.
  std::map<Token, double> DescribeOwnership(const std::vector<Token>& sorted_tokens) const;

  // Fraction of the ring covered by the union of `ranges` (overlaps counted once).
  double OwnedFraction(const std::vector<Range>& ranges) const;

  // The partitioner for a class name, short ("Murmur3Partitioner") or full
  // ("org.apache.cassandra.dht.Murmur3Partitioner"), as Cassandra's
  // FBUtilities.newPartitioner accepts them. InvalidArgument for unknown names.
  static Result<std::shared_ptr<const Partitioner>> ByName(std::string_view name);
};

class Murmur3Partitioner final : public Partitioner {
 public:
  static const std::shared_ptr<const Murmur3Partitioner>& Instance();

  std::string_view Name() const override { return "org.apache.cassandra.dht.Murmur3Partitioner"; }
  Token GetToken(std::string_view key) const override;
  Token MinimumToken() const override { return FromLong(INT64_MIN); }
  std::string TokenToString(const Token& token) const override;
  Result<Token> TokenFromString(std::string_view text) const override;
  Status ValidateToken(const Token& token) const override;
  Token Midpoint(const Token& left, const Token& right) const override;
  Token Split(const Token& left, const Token& right, double ratio) const override;
  double RingFraction(const Token& left, const Token& right) const override;
  Token GetRandomToken(std::mt19937_64& rng) const override;
  using Partitioner::GetRandomToken;

  // The Cassandra token of a key as a signed long (INT64_MIN for the empty key).
  static int64_t TokenValue(std::string_view key);
  // Encoding helpers. REQUIRES (ToLong): token.bytes.size() == 8.
  static Token FromLong(int64_t value);
  static int64_t ToLong(const Token& token);
};

class RandomPartitioner final : public Partitioner {
 public:
  static const std::shared_ptr<const RandomPartitioner>& Instance();

  std::string_view Name() const override { return "org.apache.cassandra.dht.RandomPartitioner"; }
  Token GetToken(std::string_view key) const override;
  Token MinimumToken() const override { return Token{}; }
  std::string TokenToString(const Token& token) const override;
  Result<Token> TokenFromString(std::string_view text) const override;
  Status ValidateToken(const Token& token) const override;
  Token Midpoint(const Token& left, const Token& right) const override;
  Token Split(const Token& left, const Token& right, double ratio) const override;
  double RingFraction(const Token& left, const Token& right) const override;
  Token GetRandomToken(std::mt19937_64& rng) const override;
  using Partitioner::GetRandomToken;

  // 2^127, the largest token.
  static unsigned __int128 MaxValue() { return static_cast<unsigned __int128>(1) << 127; }
  // Encoding helpers for non-minimum tokens. REQUIRES: value <= 2^127; (ToUint128)
  // token.bytes.size() == 16.
  static Token FromUint128(unsigned __int128 value);
  static unsigned __int128 ToUint128(const Token& token);
};

class ByteOrderedPartitioner final : public Partitioner {
 public:
  static const std::shared_ptr<const ByteOrderedPartitioner>& Instance();

  std::string_view Name() const override {
    return "org.apache.cassandra.dht.ByteOrderedPartitioner";
  }
  Token GetToken(std::string_view key) const override { return Token{std::string(key)}; }
  Token MinimumToken() const override { return Token{}; }
  bool PreservesOrder() const override { return true; }
  std::string TokenToString(const Token& token) const override;
  Result<Token> TokenFromString(std::string_view text) const override;
  Status ValidateToken(const Token&) const override { return Status::OK(); }
  Token Midpoint(const Token& left, const Token& right) const override;
  Token Split(const Token& left, const Token& right, double ratio) const override;
  double RingFraction(const Token& left, const Token& right) const override;
  Token GetRandomToken(std::mt19937_64& rng) const override;
  using Partitioner::GetRandomToken;
};

}  // namespace cairn::ring
