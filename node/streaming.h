// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// StreamService: moves whole token ranges of tables between nodes (Cassandra's
// streaming), for bootstrap, decommission and removenode (node/storage_service.h).
//
// Pull model: the receiver asks a source for the next section of a table within a list
// of key bounds (STREAM_PULL, internode.thrift); the source scans its SSTables and
// memtables (every cell version and tombstone, nothing purged or filtered) and answers
// with up to stream_section_bytes of encoded partitions, an XXH3-64 checksum over them
// and whether it reached the end of the bounds. The receiver checks the checksum, writes
// the partitions in key order into a new SSTable of its own store
// (ColumnFamilyStore::BeginImport) and asks again after the last key, until done; one
// SSTable per (table, source) fetch, installed only when complete, so an interrupted
// fetch leaves nothing behind and is simply started again.
//
// Throttling: the source paces its answers to stream_throughput_outbound_megabits_per_sec
// (all sessions of the node together), as Cassandra throttles outbound streams.
//
// Progress: every fetch is a session (peer, keyspace, table, bytes and partitions so
// far, SSTables written); Sessions() lists the running and the recent ones (netstats).
//
// Threading: Fetch blocks the calling thread (a bootstrap thread); STREAM_PULL is
// answered on the messaging handler pool. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/rate_limiter.h"
#include "common/status.h"
#include "node/coordinator.h"
#include "node/database.h"
#include "node/net/messaging_service.h"

namespace cairn::node {

struct StreamOptions {
  // Outbound bandwidth of all streams together (stream_throughput_outbound_megabits_per_sec).
  // Default: 200 (Cassandra's). 0 = unthrottled.
  int64_t throughput_mbits = 200;
  // Encoded partition bytes per STREAM_PULL answer (at least one partition). Default: 1 MiB.
  int32_t section_bytes = 1 << 20;
  // How long the receiver waits for one section, ms. Default: 60000.
  int section_timeout_ms = 60000;
};

struct StreamSessionInfo {
  std::string id;
  std::string peer;
  bool incoming = true;
  std::string keyspace;
  std::string table;
  uint64_t bytes = 0;
  uint64_t partitions = 0;
  uint64_t sstables = 0;
  bool done = false;
  std::string error;  // empty unless it failed
};

class StreamService {
 public:
  // Registers STREAM_PULL on `messaging` (before it starts). `db` and `messaging` must
  // outlive the service.
  StreamService(StreamOptions options, Database* db, net::MessagingService* messaging,
                const Clock* clock = Clock::Real());

  // Pulls every partition of `table` within `bounds` from `source` into a new SSTable of
  // the local store. `bounds` need not be sorted; they must not overlap. Returns the
  // bytes received.
  Result<uint64_t> Fetch(const std::string& session, const std::string& source_name,
                         const net::Endpoint& source, const TableMetadata& table,
                         std::vector<KeyBounds> bounds);

  // The running sessions and the last 512 finished ones, oldest first.
  std::vector<StreamSessionInfo> Sessions() const;
  uint64_t bytes_sent() const;
  uint64_t bytes_received() const;

 private:
  void HandlePull(net::Message msg);
  // Blocks until `bytes` more may be sent under the throughput cap.
  void Throttle(uint64_t bytes);
  size_t StartSession(StreamSessionInfo info);
  // Appends `info`, forgets the oldest finished sessions while more than 512 are kept
  // (kKeptFinishedSessions) and returns the new session's index. REQUIRES: mu_ held.
  size_t AddSessionLocked(StreamSessionInfo info);
  void UpdateSession(size_t index, const std::function<void(StreamSessionInfo&)>& fn);

  const StreamOptions options_;
  Database* const db_;
  net::MessagingService* const messaging_;
  const Clock* const clock_;

  RateLimiter throttle_;  // the outbound cap, bytes per second

  mutable std::mutex mu_;
  std::deque<StreamSessionInfo> sessions_;  // GUARDED_BY(mu_)
  size_t first_index_ = 0;                   // GUARDED_BY(mu_): index of sessions_.front()
  uint64_t bytes_sent_ = 0;                  // GUARDED_BY(mu_)
  uint64_t bytes_received_ = 0;              // GUARDED_BY(mu_)
};

}  // namespace cairn::node
