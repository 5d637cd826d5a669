// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// TokenMetadata: who owns which tokens, Cassandra's org.apache.cassandra.locator.TokenMetadata.
//
// It holds, per endpoint (an address string such as "127.0.0.2"):
//   * normal tokens  -- the sorted ring; ring token t owns the primary range (pred(t), t];
//   * host id        -- the node's UUID string (HOST_ID in gossip);
//   * bootstrap tokens of joining nodes (STATUS BOOT) and the set of leaving nodes
//     (STATUS LEAVING);
//   * pending ranges per keyspace: ranges an endpoint is about to gain, computed by
//     CalculatePendingRanges exactly as Cassandra's calculatePendingRanges. Coordinators
//     write to pending endpoints as well as natural ones (PendingEndpointsFor).
//
// Invariants:
//   * every normal token has exactly one owner; SortedTokens() is ascending and
//     sorted_owners_[i] owns SortedTokens()[i];
//   * a bootstrap token is never a normal token of another endpoint;
//   * an endpoint with normal tokens is never in the bootstrap map.
//
// Thread-safety. TokenMetadata is a plain value: const methods may be called from many
// threads at once, mutation needs exclusive access. The node shares it through
// SharedTokenMetadata (copy-on-write): readers -- the coordinator on every request --
// take an immutable snapshot with Get() (a mutex-guarded shared_ptr copy, no allocation)
// and keep using it even while gossip publishes a new version; writers clone, mutate
// and publish under a writer lock. Scylla does the same (shared_token_metadata).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/token.h"
#include "ring/partitioner.h"
#include "ring/range.h"

namespace cairn::ring {

class ReplicationStrategy;

class TokenMetadata {
 public:
  explicit TokenMetadata(std::shared_ptr<const Partitioner> partitioner);

  TokenMetadata(const TokenMetadata&) = default;
  TokenMetadata& operator=(const TokenMetadata&) = default;
  TokenMetadata(TokenMetadata&&) = default;
  TokenMetadata& operator=(TokenMetadata&&) = default;

  const Partitioner& partitioner() const { return *partitioner_; }
  const std::shared_ptr<const Partitioner>& partitioner_ptr() const { return partitioner_; }

  // Changes (to a process-wide unique value) whenever the normal tokens change, so that
  // cached replica placements can be keyed by it. Copies share the version of their
  // source until one of them changes.
  uint64_t ring_version() const { return ring_version_; }

  // ------------------------------- normal tokens -------------------------------

  // Makes `tokens` the normal tokens of `endpoint` (replacing any it had), and takes the
  // endpoint out of the bootstrapping and leaving sets (it has joined / stayed).
  // A token owned by another endpoint changes ownership, as in Cassandra (logged there
  // as "Token X changing ownership from A to B").
  void UpdateNormalTokens(const std::string& endpoint, const std::vector<Token>& tokens);
  // Forgets `endpoint` entirely: tokens, bootstrap tokens, leaving state, host id.
  void RemoveEndpoint(const std::string& endpoint);

  // Records the host id of `endpoint`. A host id moving to a new address (a node
  // replaced with the same id) is reassigned.
  void UpdateHostId(const std::string& endpoint, const std::string& host_id);
  std::optional<std::string> GetHostId(const std::string& endpoint) const;
  std::optional<std::string> GetEndpointForHostId(const std::string& host_id) const;

  // Whether `endpoint` owns normal tokens.
  bool IsMember(const std::string& endpoint) const;
  // The normal tokens of `endpoint`, ascending (empty if none).
  std::vector<Token> GetTokens(const std::string& endpoint) const;
  // The owner of the normal token `token`, if it is one.
  std::optional<std::string> GetEndpoint(const Token& token) const;
  // Endpoints owning normal tokens, sorted.
  std::vector<std::string> GetNormalEndpoints() const;
  size_t NumNormalEndpoints() const { return endpoint_tokens_.size(); }

  // All normal tokens, ascending, and their owners (same index).
  const std::vector<Token>& SortedTokens() const { return sorted_tokens_; }
  const std::vector<std::string>& SortedOwners() const { return sorted_owners_; }
  bool empty() const { return sorted_tokens_.empty(); }

  // ------------------------------- ring walking -------------------------------

  // Index in SortedTokens() of the first token >= `start`, wrapping to 0 past the end:
  // the ring token whose primary range holds `start`. REQUIRES: !empty().
  size_t FirstTokenIndex(const Token& start) const;
  const Token& FirstToken(const Token& start) const {
    return sorted_tokens_[FirstTokenIndex(start)];
  }

  // Iterates every normal token once, starting at FirstToken(start) and wrapping:
  //   for (size_t i : tm.RingFrom(t)) { tm.SortedTokens()[i]; tm.SortedOwners()[i]; }
  // Cassandra's TokenMetadata.ringIterator. Empty when the ring is empty.
  class RingIndices {
   public:
    class iterator {
     public:
      iterator(size_t pos, size_t start, size_t n) : pos_(pos), start_(start), n_(n) {}
      size_t operator*() const { return (start_ + pos_) % n_; }
      iterator& operator++() {
        ++pos_;
        return *this;
      }
      bool operator!=(const iterator& o) const { return pos_ != o.pos_; }
      bool operator==(const iterator& o) const { return pos_ == o.pos_; }

     private:
      size_t pos_, start_, n_;
    };
    RingIndices(size_t start, size_t n) : start_(start), n_(n) {}
    iterator begin() const { return iterator(0, start_, n_); }
    iterator end() const { return iterator(n_, start_, n_); }

   private:
    size_t start_, n_;
  };
  RingIndices RingFrom(const Token& start) const {
    return empty() ? RingIndices(0, 0) : RingIndices(FirstTokenIndex(start), sorted_tokens_.size());
  }

  // The normal token before `token` on the ring (wrapping). REQUIRES: !empty().
  // If `token` is not a ring token, the last ring token < token.
  const Token& PredecessorToken(const Token& token) const;
  // (PredecessorToken(t), t]; with one ring token, the whole ring (t, t].
  // REQUIRES: !empty().
  Range GetPrimaryRangeFor(const Token& ring_token) const;
  std::vector<Range> GetPrimaryRangesFor(const std::vector<Token>& ring_tokens) const;
  // The primary ranges of `endpoint` (one per normal token).
  std::vector<Range> GetPrimaryRanges(const std::string& endpoint) const;

  // Fraction of the ring each normal endpoint owns as primary ranges (sums to 1).
  std::map<std::string, double> GetOwnership() const;

  // --------------------------- bootstrapping / leaving ---------------------------

  // Records the tokens a joining endpoint announced (STATUS BOOT). InvalidArgument on a
  // collision, with Cassandra's messages: "Bootstrap Token collision between A and B
  // (token T)" or "Bootstrapping node A has token T owned by B" -- in which case nothing
  // is changed.
  Status AddBootstrapTokens(const std::string& endpoint, const std::vector<Token>& tokens);
  void RemoveBootstrapTokens(const std::vector<Token>& tokens);
  // Token -> joining endpoint, ascending by token.
  const std::map<Token, std::string>& BootstrapTokens() const { return bootstrap_tokens_; }
  bool IsBootstrapping(const std::string& endpoint) const;
  // Tokens announced by a joining endpoint, ascending.
  std::vector<Token> GetBootstrapTokens(const std::string& endpoint) const;

  // Marks a normal endpoint as leaving (STATUS LEAVING) / no longer leaving.
  void AddLeavingEndpoint(const std::string& endpoint);
  void RemoveLeavingEndpoint(const std::string& endpoint);
  bool IsLeaving(const std::string& endpoint) const { return leaving_.count(endpoint) > 0; }
  const std::set<std::string>& LeavingEndpoints() const { return leaving_; }

  // ------------------------------- pending ranges -------------------------------

  struct PendingRange {
    Range range;
    std::string endpoint;
    friend bool operator==(const PendingRange&, const PendingRange&) = default;
  };

  // Recomputes the pending ranges of `keyspace` under `strategy`, Cassandra's
  // calculatePendingRanges:
  //   1. For every range a leaving endpoint replicates, the endpoints that will replicate
  //      it once all leaving endpoints are gone, minus the current ones, get it pending.
  //   2. Each bootstrapping endpoint, added alone to the all-left ring, gets pending every
  //      range it would then replicate.
  // With nobody joining or leaving, the keyspace has no pending ranges.
  void CalculatePendingRanges(const ReplicationStrategy& strategy, const std::string& keyspace);
  void ClearPendingRanges(const std::string& keyspace);
  // (range, endpoint) pairs pending for `keyspace`, sorted.
  const std::vector<PendingRange>& PendingRanges(const std::string& keyspace) const;
  // Pending ranges of `endpoint` in `keyspace`.
  std::vector<Range> GetPendingRanges(const std::string& keyspace,
                                      const std::string& endpoint) const;
  // Endpoints that must also receive writes for `token` in `keyspace` (sorted, unique).
  std::vector<std::string> PendingEndpointsFor(const Token& token,
                                               const std::string& keyspace) const;

  // ---------------------------------- clones ----------------------------------

  // A copy holding only the normal tokens and host ids (Cassandra: cloneOnlyTokenMap).
  TokenMetadata CloneOnlyTokenMap() const;
  // The normal-token ring as it will be once every leaving endpoint has gone
  // (Cassandra: cloneAfterAllLeft).
  TokenMetadata CloneAfterAllLeft() const;

  // One line per ring token "token endpoint", plus bootstrap/leaving lines; for logs.
  std::string ToString() const;

 private:
  void RebuildRing();  // re-derives sorted_tokens_/sorted_owners_, bumps ring_version_

  std::shared_ptr<const Partitioner> partitioner_;
  uint64_t ring_version_;

  std::map<Token, std::string> token_to_endpoint_;
  std::map<std::string, std::set<Token>> endpoint_tokens_;
  std::vector<Token> sorted_tokens_;
  std::vector<std::string> sorted_owners_;

  std::map<std::string, std::string> endpoint_to_host_id_;
  std::map<Token, std::string> bootstrap_tokens_;
  std::set<std::string> leaving_;
  std::map<std::string, std::vector<PendingRange>> pending_;  // keyspace -> sorted pairs
};

// The node-wide holder of the current TokenMetadata (copy-on-write; see the file comment).
class SharedTokenMetadata {
 public:
  explicit SharedTokenMetadata(std::shared_ptr<const Partitioner> partitioner);
  explicit SharedTokenMetadata(TokenMetadata initial);

  // The current snapshot. Cheap (a shared_ptr copy under a mutex held for nanoseconds);
  // the snapshot never changes and stays valid for as long as the caller holds it.
  std::shared_ptr<const TokenMetadata> Get() const;

  // Clones the current snapshot, applies `fn` to the clone and, if fn returns OK,
  // publishes it (otherwise the current snapshot stays). Writers are serialized, so
  // read-modify-write sequences are atomic. `fn` must not call Mutate (deadlock).
  Status Mutate(const std::function<Status(TokenMetadata&)>& fn);
  // Publishes `tm` as the new snapshot.
  void Set(TokenMetadata tm);

 private:
  mutable std::mutex read_mu_;  // guards current_ (the pointer only)
  std::mutex write_mu_;         // serializes writers
  std::shared_ptr<const TokenMetadata> current_;
};

}  // namespace cairn::ring
