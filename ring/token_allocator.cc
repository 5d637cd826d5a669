// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "ring/token_allocator.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <string>
#include <vector>

namespace cairn::ring {
namespace {

// The ring as the allocator sees it: token -> owner, with fractions kept in sync.
struct Ring {
  std::map<Token, std::string> owner;  // normal + bootstrapping tokens
  std::map<std::string, double> own;   // primary ownership per owner

  // The token before `t` (wrapping). REQUIRES: owner non-empty and t present.
  const Token& Pred(const Token& t) const {
    auto it = owner.find(t);
    if (it == owner.begin()) return owner.rbegin()->first;
    return std::prev(it)->first;
  }
};

const std::string kNewNode = "\x01<new node>";  // cannot clash with an address

}  // namespace

std::vector<Token> RandomTokens(const TokenMetadata& tm, int num_tokens, std::mt19937_64& rng) {
  const Partitioner& p = tm.partitioner();
  std::vector<Token> out;
  while (static_cast<int>(out.size()) < num_tokens) {
    Token t = p.GetRandomToken(rng);
    if (tm.GetEndpoint(t) || tm.BootstrapTokens().count(t) ||
        std::find(out.begin(), out.end(), t) != out.end()) {
      continue;
    }
    out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Token> AllocateTokens(const TokenMetadata& tm, int num_tokens, std::mt19937_64& rng) {
  assert(num_tokens >= 1);
  const Partitioner& p = tm.partitioner();
  Ring ring;
  for (size_t i = 0; i < tm.SortedTokens().size(); ++i) {
    ring.owner.emplace(tm.SortedTokens()[i], tm.SortedOwners()[i]);
  }
  for (const auto& [t, ep] : tm.BootstrapTokens()) ring.owner.emplace(t, ep);

  std::vector<Token> out;
  if (ring.owner.empty()) {
    // First node: evenly spaced from a random start.
    const Token start = p.GetRandomToken(rng);
    for (int i = 0; i < num_tokens; ++i) {
      out.push_back(i == 0 ? start : p.Split(start, start, static_cast<double>(i) / num_tokens));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    if (static_cast<int>(out.size()) < num_tokens) return RandomTokens(tm, num_tokens, rng);
    return out;
  }

  for (const auto& [t, ep] : ring.owner) ring.own[ep] += p.RingFraction(ring.Pred(t), t);
  const double ideal = 1.0 / static_cast<double>(ring.own.size() + 1);
  double taken = 0;

  for (int k = 0; k < num_tokens; ++k) {
    const double quantum = std::max(ideal - taken, 0.0) / (num_tokens - k);
    // The most overloaded member (ties broken by name for determinism).
    std::string victim;
    double victim_own = -1;
    for (const auto& [ep, own] : ring.own) {
      if (ep != kNewNode && own > victim_own) {
        victim = ep;
        victim_own = own;
      }
    }
    // One of its primary ranges (a, b] large enough to give `quantum`, chosen at random
    // (always splitting the largest one lines the new node's tokens up right behind the
    // victim's, which skews replicated ownership); the largest if none is.
    std::vector<const Token*> candidates;
    const Token* best = nullptr;
    double best_size = -1;
    for (const auto& [t, ep] : ring.owner) {
      if (ep != victim) continue;
      const double size = p.RingFraction(ring.Pred(t), t);
      if (size * 0.9 >= quantum) candidates.push_back(&t);
      if (size > best_size) {
        best = &t;
        best_size = size;
      }
    }
    assert(best != nullptr);
    if (!candidates.empty()) {
      best = candidates[rng() % candidates.size()];
      best_size = p.RingFraction(ring.Pred(*best), *best);
    }
    const Token b = *best;
    const Token a = ring.Pred(b);
    const double amount = std::min(quantum, best_size * 0.9);
    // Jitter of +-1% of the share taken: two nodes allocating against the same ring at
    // once (a new cluster's nodes starting together) would otherwise often pick the very
    // same token when they pick the same range, and a shared token changes owner.
    const double jitter =
        1.0 + (static_cast<double>(rng() % 2'000'001) / 1'000'000.0 - 1.0) * 0.01;
    Token t = p.Split(a, b, best_size > 0 ? std::min(0.95, amount * jitter / best_size) : 0.5);
    if (t == a || t == b || ring.owner.count(t) > 0) {
      t = p.Midpoint(a, b);  // degenerate (tiny) range: fall back to halving it
      if (ring.owner.count(t) > 0) return RandomTokens(tm, num_tokens, rng);
    }
    const double moved = p.RingFraction(a, t);
    ring.owner.emplace(t, kNewNode);
    ring.own[victim] -= moved;
    ring.own[kNewNode] += moved;
    taken += moved;
    out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace cairn::ring
