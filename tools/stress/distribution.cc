// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Distribution parsing and sampling (grammar in distribution.h).
#include "tools/stress/distribution.h"

#include <charconv>
#include <cmath>
#include <vector>

namespace cairn::stress {

uint64_t Mix64(uint64_t a, uint64_t b) {
  uint64_t z = a * 0x9e3779b97f4a7c15ull + b + 0x632be59bd9b4e019ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

namespace {

bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  // Allow 1e6-style and 1M-style shorthands: cassandra-stress users type them.
  uint64_t mult = 1;
  char last = s.back();
  if (last == 'k' || last == 'K') mult = 1000;
  if (last == 'm' || last == 'M') mult = 1000000;
  if (last == 'b' || last == 'B') mult = 1000000000;
  if (mult != 1) s.remove_suffix(1);
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return false;
  if (v > UINT64_MAX / mult) return false;
  *out = v * mult;
  return true;
}

bool ParseDouble(std::string_view s, double* out) {
  std::string copy(s);
  char* end = nullptr;
  *out = std::strtod(copy.c_str(), &end);
  return !copy.empty() && end == copy.c_str() + copy.size() && std::isfinite(*out);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Zipf helpers (Apache Commons RNG): log1p(x)/x and expm1(x)/x, stable near 0.
double Helper1(double x) {
  return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}
double Helper2(double x) {
  return std::abs(x) > 1e-8 ? std::expm1(x) / x
                            : 1 + x * 0.5 * (1 + x * (1.0 / 3.0) * (1 + 0.25 * x));
}
double ZipfH(double x, double s) { return std::exp(-s * std::log(x)); }
double ZipfHIntegral(double x, double s) {
  const double log_x = std::log(x);
  return Helper2((1 - s) * log_x) * log_x;
}
double ZipfHIntegralInverse(double x, double s) {
  double t = x * (1 - s);
  if (t < -1) t = -1;  // numerical safety: the limit of the domain
  return std::exp(Helper1(t) * x);
}

}  // namespace

Distribution Distribution::Fixed(uint64_t v) {
  Distribution d;
  d.kind_ = Kind::kFixed;
  d.min_ = d.max_ = v;
  return d;
}

Result<Distribution> Distribution::Parse(std::string_view spec) {
  const std::string quoted = "'" + std::string(spec) + "'";
  spec = Trim(spec);
  uint64_t v = 0;
  if (ParseU64(spec, &v)) return Fixed(v);
  const size_t open = spec.find('(');
  if (open == std::string_view::npos || spec.back() != ')') {
    return Status::InvalidArgument(quoted +
                                   ": expected a number or NAME(ARGS), e.g. uniform(1..1000000)");
  }
  const std::string_view name = Trim(spec.substr(0, open));
  const std::string_view args = spec.substr(open + 1, spec.size() - open - 2);
  std::vector<std::string_view> parts;
  for (size_t pos = 0;;) {
    const size_t comma = args.find(',', pos);
    parts.push_back(
        Trim(args.substr(pos, comma == std::string_view::npos ? args.npos : comma - pos)));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  Distribution d;
  if (name == "fixed") {
    if (parts.size() != 1 || !ParseU64(parts[0], &v)) {
      return Status::InvalidArgument(quoted + ": fixed takes one number, e.g. fixed(34)");
    }
    return Fixed(v);
  }
  if (name == "seq") {
    d.kind_ = Kind::kSequential;
  } else if (name == "uniform") {
    d.kind_ = Kind::kUniform;
  } else if (name == "gaussian" || name == "gauss" || name == "normal") {
    d.kind_ = Kind::kGaussian;
  } else if (name == "exp" || name == "exponential") {
    d.kind_ = Kind::kExponential;
  } else if (name == "zipf" || name == "zipfian") {
    d.kind_ = Kind::kZipf;
  } else {
    return Status::InvalidArgument(quoted + ": unknown distribution '" + std::string(name) +
                                   "' (fixed, seq, uniform, gaussian, exp, zipf)");
  }
  const size_t dots = parts[0].find("..");
  if (dots == std::string_view::npos || !ParseU64(Trim(parts[0].substr(0, dots)), &d.min_) ||
      !ParseU64(Trim(parts[0].substr(dots + 2)), &d.max_)) {
    return Status::InvalidArgument(quoted + ": expected a range MIN..MAX, e.g. " +
                                   std::string(name) + "(1..1000000)");
  }
  if (d.min_ > d.max_) return Status::InvalidArgument(quoted + ": MIN is above MAX");
  if (d.range() == 0) return Status::InvalidArgument(quoted + ": the range is too large");
  const bool takes_param = d.kind_ == Kind::kGaussian || d.kind_ == Kind::kZipf;
  if (parts.size() > (takes_param ? 2u : 1u)) {
    return Status::InvalidArgument(quoted + ": too many arguments");
  }
  if (d.kind_ == Kind::kGaussian) {
    d.param_ = 3;
    if (parts.size() == 2 && (!ParseDouble(parts[1], &d.param_) || d.param_ <= 0)) {
      return Status::InvalidArgument(quoted + ": the standard deviation divisor must be > 0");
    }
  } else if (d.kind_ == Kind::kExponential) {
    // 99.9 % of an exponential's mass lies below ln(1000) / rate.
    d.param_ = std::log(1000.0) / static_cast<double>(d.range());
  } else if (d.kind_ == Kind::kZipf) {
    d.param_ = 1.0;
    if (parts.size() == 2 && (!ParseDouble(parts[1], &d.param_) || d.param_ <= 0)) {
      return Status::InvalidArgument(quoted + ": the Zipf exponent must be > 0");
    }
    const double s = d.param_;
    d.zipf_h_integral_x1_ = ZipfHIntegral(1.5, s) - 1;
    d.zipf_h_integral_n_ = ZipfHIntegral(static_cast<double>(d.range()) + 0.5, s);
    d.zipf_s_ = 2 - ZipfHIntegralInverse(ZipfHIntegral(2.5, s) - ZipfH(2, s), s);
  }
  return d;
}

std::string Distribution::ToString() const {
  const std::string r = std::to_string(min_) + ".." + std::to_string(max_);
  auto num = [](double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", x);
    return std::string(buf);
  };
  switch (kind_) {
    case Kind::kFixed:
      return "fixed(" + std::to_string(min_) + ")";
    case Kind::kSequential:
      return "seq(" + r + ")";
    case Kind::kUniform:
      return "uniform(" + r + ")";
    case Kind::kGaussian:
      return "gaussian(" + r + "," + num(param_) + ")";
    case Kind::kExponential:
      return "exp(" + r + ")";
    case Kind::kZipf:
      return "zipf(" + r + "," + num(param_) + ")";
  }
  return "?";
}

uint64_t Distribution::SampleZipfRank(Rng& rng) const {
  const uint64_t n = range();
  const double s = param_;
  for (;;) {
    const double u =
        zipf_h_integral_n_ + rng.NextDouble() * (zipf_h_integral_x1_ - zipf_h_integral_n_);
    const double x = ZipfHIntegralInverse(u, s);
    double kd = std::floor(x + 0.5);
    if (kd < 1) kd = 1;
    if (kd > static_cast<double>(n)) kd = static_cast<double>(n);
    const uint64_t k = static_cast<uint64_t>(kd);
    if (kd - x <= zipf_s_ || u >= ZipfHIntegral(kd + 0.5, s) - ZipfH(kd, s)) return k;
  }
}

uint64_t Distribution::Sample(Rng& rng) const {
  switch (kind_) {
    case Kind::kFixed:
    case Kind::kSequential:  // callers use KeySequence; the minimum keeps this total
      return min_;
    case Kind::kUniform:
      return min_ + rng.Below(range());
    case Kind::kGaussian: {
      const double mean = (static_cast<double>(min_) + static_cast<double>(max_)) / 2;
      const double sd = (static_cast<double>(max_) - static_cast<double>(min_)) / (2 * param_);
      for (int attempt = 0; attempt < 64; ++attempt) {
        // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
        const double u1 = 1.0 - rng.NextDouble();
        const double u2 = rng.NextDouble();
        const double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
        const double x = std::floor(mean + sd * z + 0.5);
        if (x >= static_cast<double>(min_) && x <= static_cast<double>(max_)) {
          return static_cast<uint64_t>(x);
        }
      }
      return static_cast<uint64_t>(mean);
    }
    case Kind::kExponential:
      for (;;) {
        const double x = std::floor(-std::log(1.0 - rng.NextDouble()) / param_);
        if (x < static_cast<double>(range())) return min_ + static_cast<uint64_t>(x);
      }
    case Kind::kZipf:
      return min_ + SampleZipfRank(rng) - 1;
  }
  return min_;
}

}  // namespace cairn::stress
