// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Random numbers for cairn-stress: a small fast generator (Rng), a 64-bit mixing hash,
// and the integer distributions that choose partition keys, column counts and cell sizes,
// written the way cassandra-stress spells them:
//
//   fixed(V) or V         always V
//   seq(A..B)             A, A+1, ..., B, A, ... (keys only; the counter is shared by
//                         every client thread, see KeySequence)
//   uniform(A..B)         every value equally likely
//   gaussian(A..B[,S])    normal, mean (A+B)/2, standard deviation (B-A)/(2 S), S
//                         default 3; values outside [A, B] are drawn again
//   exp(A..B)             A + an exponential variate whose rate puts 99.9 % of the mass
//                         inside [A, B] (redrawn when above B): A is the hottest value
//   zipf(A..B[,S])        A + rank - 1, rank Zipf-distributed over 1..B-A+1 with exponent
//                         S (default 1.0): A is the hottest value
//
// Thread-safety: Distribution is immutable after Parse and may be shared; each thread
// brings its own Rng.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn::stress {

// splitmix64 (Steele, Lea, Flood): 64 bits per step, passes BigCrush, one multiply-xor
// chain; plenty for load generation. Not for cryptography.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n); n > 0. (The modulo bias is below 2^-40 for the n used here.)
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

// Mixes a and b into a well-spread 64-bit value (the splitmix64 finaliser over both).
uint64_t Mix64(uint64_t a, uint64_t b);

class Distribution {
 public:
  enum class Kind { kFixed, kSequential, kUniform, kGaussian, kExponential, kZipf };

  // Parses a spec of the grammar above. Errors name the spec and what is wrong.
  static Result<Distribution> Parse(std::string_view spec);
  static Distribution Fixed(uint64_t v);

  Kind kind() const { return kind_; }
  uint64_t min() const { return min_; }
  uint64_t max() const { return max_; }
  // Number of distinct values max - min + 1.
  uint64_t range() const { return max_ - min_ + 1; }
  // The spec in canonical form, e.g. "gaussian(1..1000,3)".
  std::string ToString() const;

  // A value in [min, max]. REQUIRES: kind() != kSequential (the caller owns the
  // sequence; see KeySequence).
  uint64_t Sample(Rng& rng) const;

 private:
  uint64_t SampleZipfRank(Rng& rng) const;

  Kind kind_ = Kind::kFixed;
  uint64_t min_ = 0;
  uint64_t max_ = 0;
  double param_ = 0;  // gaussian: S; exp: rate; zipf: exponent
  // Zipf rejection-inversion constants (Hörmann and Derflinger 1996, as in Apache
  // Commons RNG's RejectionInversionZipfSampler).
  double zipf_h_integral_x1_ = 0;
  double zipf_h_integral_n_ = 0;
  double zipf_s_ = 0;
};

}  // namespace cairn::stress
