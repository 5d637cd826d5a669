// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "ring/token_metadata.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <sstream>

#include "ring/replication_strategy.h"

namespace cairn::ring {
namespace {

// Ring versions are unique across all TokenMetadata objects, so a cache keyed by a
// version can never confuse two different rings.
uint64_t NextRingVersion() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

const std::vector<TokenMetadata::PendingRange>& EmptyPending() {
  static const auto* empty = new std::vector<TokenMetadata::PendingRange>();
  return *empty;
}

}  // namespace

TokenMetadata::TokenMetadata(std::shared_ptr<const Partitioner> partitioner)
    : partitioner_(std::move(partitioner)), ring_version_(NextRingVersion()) {
  assert(partitioner_ != nullptr);
}

void TokenMetadata::RebuildRing() {
  sorted_tokens_.clear();
  sorted_owners_.clear();
  sorted_tokens_.reserve(token_to_endpoint_.size());
  sorted_owners_.reserve(token_to_endpoint_.size());
  for (const auto& [token, endpoint] : token_to_endpoint_) {
    sorted_tokens_.push_back(token);
    sorted_owners_.push_back(endpoint);
  }
  ring_version_ = NextRingVersion();
}

// ------------------------------- normal tokens -------------------------------

void TokenMetadata::UpdateNormalTokens(const std::string& endpoint,
                                       const std::vector<Token>& tokens) {
  // The endpoint has joined (or stays): it is no longer bootstrapping or leaving.
  std::erase_if(bootstrap_tokens_, [&](const auto& kv) { return kv.second == endpoint; });
  leaving_.erase(endpoint);

  if (auto it = endpoint_tokens_.find(endpoint); it != endpoint_tokens_.end()) {
    for (const Token& t : it->second) token_to_endpoint_.erase(t);
    endpoint_tokens_.erase(it);
  }
  for (const Token& t : tokens) {
    bootstrap_tokens_.erase(t);
    auto [it, inserted] = token_to_endpoint_.try_emplace(t, endpoint);
    if (!inserted && it->second != endpoint) {
      // The token changes ownership (Cassandra logs a warning and reassigns it).
      auto prev = endpoint_tokens_.find(it->second);
      if (prev != endpoint_tokens_.end()) {
        prev->second.erase(t);
        if (prev->second.empty()) endpoint_tokens_.erase(prev);
      }
      it->second = endpoint;
    }
    endpoint_tokens_[endpoint].insert(t);
  }
  RebuildRing();
}

void TokenMetadata::RemoveEndpoint(const std::string& endpoint) {
  std::erase_if(bootstrap_tokens_, [&](const auto& kv) { return kv.second == endpoint; });
  leaving_.erase(endpoint);
  endpoint_to_host_id_.erase(endpoint);
  if (auto it = endpoint_tokens_.find(endpoint); it != endpoint_tokens_.end()) {
    for (const Token& t : it->second) token_to_endpoint_.erase(t);
    endpoint_tokens_.erase(it);
    RebuildRing();
  }
}

void TokenMetadata::UpdateHostId(const std::string& endpoint, const std::string& host_id) {
  std::erase_if(endpoint_to_host_id_,
                [&](const auto& kv) { return kv.second == host_id && kv.first != endpoint; });
  endpoint_to_host_id_[endpoint] = host_id;
}

std::optional<std::string> TokenMetadata::GetHostId(const std::string& endpoint) const {
  auto it = endpoint_to_host_id_.find(endpoint);
  if (it == endpoint_to_host_id_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> TokenMetadata::GetEndpointForHostId(const std::string& host_id) const {
  for (const auto& [endpoint, id] : endpoint_to_host_id_) {
    if (id == host_id) return endpoint;
  }
  return std::nullopt;
}

bool TokenMetadata::IsMember(const std::string& endpoint) const {
  return endpoint_tokens_.count(endpoint) > 0;
}

std::vector<Token> TokenMetadata::GetTokens(const std::string& endpoint) const {
  auto it = endpoint_tokens_.find(endpoint);
  if (it == endpoint_tokens_.end()) return {};
  return std::vector<Token>(it->second.begin(), it->second.end());
}

std::optional<std::string> TokenMetadata::GetEndpoint(const Token& token) const {
  auto it = token_to_endpoint_.find(token);
  if (it == token_to_endpoint_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> TokenMetadata::GetNormalEndpoints() const {
  std::vector<std::string> out;
  out.reserve(endpoint_tokens_.size());
  for (const auto& [endpoint, tokens] : endpoint_tokens_) out.push_back(endpoint);
  return out;
}

// ------------------------------- ring walking -------------------------------

size_t TokenMetadata::FirstTokenIndex(const Token& start) const {
  assert(!sorted_tokens_.empty());
  auto it = std::lower_bound(sorted_tokens_.begin(), sorted_tokens_.end(), start);
  return it == sorted_tokens_.end() ? 0 : static_cast<size_t>(it - sorted_tokens_.begin());
}

const Token& TokenMetadata::PredecessorToken(const Token& token) const {
  assert(!sorted_tokens_.empty());
  auto it = std::lower_bound(sorted_tokens_.begin(), sorted_tokens_.end(), token);
  const size_t idx = static_cast<size_t>(it - sorted_tokens_.begin());
  return sorted_tokens_[idx == 0 ? sorted_tokens_.size() - 1 : idx - 1];
}

Range TokenMetadata::GetPrimaryRangeFor(const Token& ring_token) const {
  return Range(PredecessorToken(ring_token), ring_token);
}

std::vector<Range> TokenMetadata::GetPrimaryRangesFor(const std::vector<Token>& ring_tokens) const {
  std::vector<Range> out;
  out.reserve(ring_tokens.size());
  for (const Token& t : ring_tokens) out.push_back(GetPrimaryRangeFor(t));
  return out;
}

std::vector<Range> TokenMetadata::GetPrimaryRanges(const std::string& endpoint) const {
  return GetPrimaryRangesFor(GetTokens(endpoint));
}

std::map<std::string, double> TokenMetadata::GetOwnership() const {
  std::map<std::string, double> out;
  const size_t n = sorted_tokens_.size();
  for (size_t i = 0; i < n; ++i) {
    const Token& prev = sorted_tokens_[i == 0 ? n - 1 : i - 1];
    out[sorted_owners_[i]] += partitioner_->RingFraction(prev, sorted_tokens_[i]);
  }
  return out;
}

// --------------------------- bootstrapping / leaving ---------------------------

Status TokenMetadata::AddBootstrapTokens(const std::string& endpoint,
                                         const std::vector<Token>& tokens) {
  for (const Token& t : tokens) {
    if (auto it = bootstrap_tokens_.find(t); it != bootstrap_tokens_.end() && it->second != endpoint) {
      return Status::InvalidArgument("Bootstrap Token collision between " + it->second + " and " +
                                     endpoint + " (token " + partitioner_->TokenToString(t) + ")");
    }
    if (auto it = token_to_endpoint_.find(t); it != token_to_endpoint_.end() && it->second != endpoint) {
      return Status::InvalidArgument("Bootstrapping node " + endpoint + " has token " +
                                     partitioner_->TokenToString(t) + " owned by " + it->second);
    }
  }
  std::erase_if(bootstrap_tokens_, [&](const auto& kv) { return kv.second == endpoint; });
  for (const Token& t : tokens) bootstrap_tokens_[t] = endpoint;
  return Status::OK();
}

void TokenMetadata::RemoveBootstrapTokens(const std::vector<Token>& tokens) {
  for (const Token& t : tokens) bootstrap_tokens_.erase(t);
}

bool TokenMetadata::IsBootstrapping(const std::string& endpoint) const {
  return std::any_of(bootstrap_tokens_.begin(), bootstrap_tokens_.end(),
                     [&](const auto& kv) { return kv.second == endpoint; });
}

std::vector<Token> TokenMetadata::GetBootstrapTokens(const std::string& endpoint) const {
  std::vector<Token> out;
  for (const auto& [t, ep] : bootstrap_tokens_) {
    if (ep == endpoint) out.push_back(t);
  }
  return out;
}

void TokenMetadata::AddLeavingEndpoint(const std::string& endpoint) { leaving_.insert(endpoint); }
void TokenMetadata::RemoveLeavingEndpoint(const std::string& endpoint) { leaving_.erase(endpoint); }

// ------------------------------- pending ranges -------------------------------

void TokenMetadata::CalculatePendingRanges(const ReplicationStrategy& strategy,
                                           const std::string& keyspace) {
  if (bootstrap_tokens_.empty() && leaving_.empty()) {
    pending_.erase(keyspace);
    return;
  }
  std::vector<PendingRange> pending;

  // 1. Leaving endpoints: who gains each range they replicate once they are all gone.
  const std::map<std::string, std::vector<Range>> address_ranges = strategy.GetAddressRanges(*this);
  TokenMetadata all_left = CloneAfterAllLeft();
  std::set<Range> affected;
  for (const std::string& ep : leaving_) {
    if (auto it = address_ranges.find(ep); it != address_ranges.end()) {
      affected.insert(it->second.begin(), it->second.end());
    }
  }
  for (const Range& range : affected) {
    const std::vector<std::string> current = strategy.CalculateNaturalEndpoints(range.right, *this);
    const std::vector<std::string> after = strategy.CalculateNaturalEndpoints(range.right, all_left);
    for (const std::string& ep : after) {
      if (std::find(current.begin(), current.end(), ep) == current.end()) {
        pending.push_back(PendingRange{range, ep});
      }
    }
  }

  // 2. Bootstrapping endpoints, each added alone to the all-left ring.
  std::map<std::string, std::vector<Token>> joining;
  for (const auto& [t, ep] : bootstrap_tokens_) joining[ep].push_back(t);
  for (const auto& [ep, tokens] : joining) {
    all_left.UpdateNormalTokens(ep, tokens);
    for (Range& range : strategy.GetRangesFor(ep, all_left)) {
      pending.push_back(PendingRange{std::move(range), ep});
    }
    all_left.RemoveEndpoint(ep);
  }

  auto key = [](const PendingRange& p) { return std::tie(p.range, p.endpoint); };
  std::sort(pending.begin(), pending.end(),
            [&](const PendingRange& a, const PendingRange& b) { return key(a) < key(b); });
  pending.erase(std::unique(pending.begin(), pending.end()), pending.end());
  pending_[keyspace] = std::move(pending);
}

void TokenMetadata::ClearPendingRanges(const std::string& keyspace) { pending_.erase(keyspace); }

const std::vector<TokenMetadata::PendingRange>& TokenMetadata::PendingRanges(
    const std::string& keyspace) const {
  auto it = pending_.find(keyspace);
  return it == pending_.end() ? EmptyPending() : it->second;
}

std::vector<Range> TokenMetadata::GetPendingRanges(const std::string& keyspace,
                                                   const std::string& endpoint) const {
  std::vector<Range> out;
  for (const PendingRange& p : PendingRanges(keyspace)) {
    if (p.endpoint == endpoint) out.push_back(p.range);
  }
  return out;
}

std::vector<std::string> TokenMetadata::PendingEndpointsFor(const Token& token,
                                                            const std::string& keyspace) const {
  std::vector<std::string> out;
  for (const PendingRange& p : PendingRanges(keyspace)) {
    if (p.range.Contains(token)) out.push_back(p.endpoint);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// ---------------------------------- clones ----------------------------------

TokenMetadata TokenMetadata::CloneOnlyTokenMap() const {
  TokenMetadata copy = *this;
  copy.bootstrap_tokens_.clear();
  copy.leaving_.clear();
  copy.pending_.clear();
  return copy;
}

TokenMetadata TokenMetadata::CloneAfterAllLeft() const {
  TokenMetadata copy = CloneOnlyTokenMap();
  for (const std::string& ep : leaving_) copy.RemoveEndpoint(ep);
  return copy;
}

std::string TokenMetadata::ToString() const {
  std::ostringstream out;
  for (size_t i = 0; i < sorted_tokens_.size(); ++i) {
    out << partitioner_->TokenToString(sorted_tokens_[i]) << ' ' << sorted_owners_[i] << '\n';
  }
  for (const auto& [t, ep] : bootstrap_tokens_) {
    out << "bootstrapping " << partitioner_->TokenToString(t) << ' ' << ep << '\n';
  }
  for (const std::string& ep : leaving_) out << "leaving " << ep << '\n';
  return out.str();
}

// ---------------------------- SharedTokenMetadata ----------------------------

SharedTokenMetadata::SharedTokenMetadata(std::shared_ptr<const Partitioner> partitioner)
    : current_(std::make_shared<const TokenMetadata>(std::move(partitioner))) {}

SharedTokenMetadata::SharedTokenMetadata(TokenMetadata initial)
    : current_(std::make_shared<const TokenMetadata>(std::move(initial))) {}

std::shared_ptr<const TokenMetadata> SharedTokenMetadata::Get() const {
  std::lock_guard lock(read_mu_);
  return current_;
}

Status SharedTokenMetadata::Mutate(const std::function<Status(TokenMetadata&)>& fn) {
  std::lock_guard writer(write_mu_);
  auto next = std::make_shared<TokenMetadata>(*Get());
  CAIRN_RETURN_IF_ERROR(fn(*next));
  std::shared_ptr<const TokenMetadata> publish = std::move(next);
  std::lock_guard lock(read_mu_);
  current_.swap(publish);
  // `publish` now holds the old snapshot; it is destroyed after `lock` (reverse
  // declaration order), so the old ring is never freed under read_mu_.
  return Status::OK();
}

void SharedTokenMetadata::Set(TokenMetadata tm) {
  std::lock_guard writer(write_mu_);
  std::shared_ptr<const TokenMetadata> publish = std::make_shared<const TokenMetadata>(std::move(tm));
  std::lock_guard lock(read_mu_);
  current_.swap(publish);
}

}  // namespace cairn::ring
