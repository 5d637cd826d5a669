// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Config: every setting of a cairnd node, named as in cassandra.yaml where Cassandra has
// the setting. A node reads, in order of increasing precedence:
//   1. the defaults below (a single node on 127.0.0.1 with data under ./data);
//   2. the file given with --config (a YAML subset: see ParseConfigFile);
//   3. command-line flags, one per key, same name: `--listen_address 127.0.0.2`.
// Unknown keys, malformed values and values out of range are errors that name the key.
// docs/configuration.md lists the same keys for operators.
//
// The struct is a plain value: build it once at startup and pass the parts each
// subsystem needs to its constructor (no global configuration object).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace cairn::node {

struct Config {
  // --- Cluster and ring ---
  // Name of the cluster; a node refuses to start with data saved under another name.
  // Default: "Test Cluster".
  std::string cluster_name = "Test Cluster";
  // Addresses of the seed nodes gossip contacts first ("addr" or "addr:port"). Empty: a
  // standalone node (Cairn-specific) that neither gossips nor opens storage_port, exactly
  // the single node of before issue 4. A node listing only itself is the first node of a
  // cluster others may join. Default: empty (Cassandra's default is 127.0.0.1).
  std::vector<std::string> seeds;
  // How long a new node gossips to learn the ring from its seeds before choosing its
  // tokens, in ms (Cassandra's cassandra.ring_delay_ms). Not waited by a node that has
  // tokens already or whose only seed is itself. Default: 30000.
  int ring_delay_ms = 30000;
  // Whether a new node that is not its own seed streams the data of the ranges it will
  // own from the current replicas before it turns NORMAL (bootstrap). Default: true.
  bool auto_bootstrap = true;
  // Outbound streaming bandwidth of the node (bootstrap, decommission, removenode),
  // megabits/s; 0 = unthrottled. Default: 200.
  int stream_throughput_outbound_megabits_per_sec = 200;
  // Longest wait, in ms, for gossip to settle before Thrift is served (Cassandra's
  // Gossiper.waitToSettle; node/storage_service.h, WaitToSettle): at least 2 gossip
  // rounds, then until the numbers of known and live endpoints stay unchanged for 3
  // rounds. Not waited by a standalone node, nor by one whose only seed is itself and
  // that knows no saved peer. 0: do not wait (Cassandra's
  // -Dcassandra.skip_wait_for_gossip_to_settle=0). Default: 10000.
  int gossip_settle_max_wait_ms = 10000;
  // Number of virtual-node tokens a new node picks at random. Default: 16.
  int num_tokens = 16;
  // Comma-separated tokens for a new node, instead of num_tokens random ones.
  // Default: empty (use num_tokens). Ignored once the node has saved its tokens.
  std::string initial_token;
  // Partitioner class (short or full name): Murmur3Partitioner, RandomPartitioner or
  // ByteOrderedPartitioner. Cannot change once data exists. Default: Murmur3Partitioner.
  std::string partitioner = "org.apache.cassandra.dht.Murmur3Partitioner";
  // Snitch class (short or full name): SimpleSnitch or GossipingPropertyFileSnitch.
  // Default: SimpleSnitch.
  std::string endpoint_snitch = "SimpleSnitch";
  // This node's datacenter and rack (cassandra-rackdc.properties' dc= and rack=).
  // Defaults: datacenter1, rack1.
  std::string dc = "datacenter1";
  std::string rack = "rack1";

  // --- Network ---
  // Address for internode messaging and gossip. Default: 127.0.0.1.
  std::string listen_address = "127.0.0.1";
  // Internode port (TCP). Default: 7000.
  int storage_port = 7000;
  // Whether to start the Thrift server. Default: true.
  bool start_rpc = true;
  // Address the Thrift server listens on. Default: 127.0.0.1.
  std::string rpc_address = "127.0.0.1";
  // Thrift port (TCP); 0 picks a free port (tests). Default: 9160.
  int rpc_port = 9160;
  // Largest Thrift frame accepted, in MiB; a client sending a bigger frame is
  // disconnected before the frame is read. Default: 15.
  int thrift_framed_transport_size_in_mb = 15;
  // Where Thrift requests run (Cairn-specific; Cassandra's rpc_server_type chose between
  // thread-per-connection and hsha):
  //   "io_threads": on the rpc_io_threads I/O loops that read them, no hand-off: one busy
  //                 thread per core, the fastest when requests do not block for long;
  //   "workers":    on a pool of rpc_max_threads threads (hsha): needed when writes wait
  //                 for the commit log's fdatasync, since a group commit gathers only as
  //                 many writes as there are threads blocked in it;
  //   "auto":       io_threads for a standalone node with commitlog_sync periodic;
  //                 workers with batch, or in a cluster (requests wait for replicas).
  // bench/README.md ("Thrift (single node)") has the measurements. Default: auto.
  std::string rpc_dispatch = "auto";
  // Worker threads executing Thrift requests when rpc_dispatch picks workers (Cassandra's
  // rpc_max_threads). Idle connections use none. Default: 32.
  int rpc_max_threads = 32;
  // Threads doing Thrift network I/O (Cairn-specific); 0 = one per core. Default: 0.
  int rpc_io_threads = 0;
  // Threads running the internode messaging io_context (Cairn-specific): socket reads and
  // writes, and the replica MUTATIONs and READs answered inline there. 0 = one per two
  // cores (at least one). Default: 0. See docs/configuration.md for why not one per core.
  int internode_network_threads = 0;
  // Microseconds an idle Thrift I/O loop keeps polling after its last event before it
  // sleeps (Cairn-specific). On a virtual machine waking a sleeping vCPU costs tens of
  // microseconds per request on a lightly used connection; polling trades CPU for that
  // latency. 0 (default): sleep at once.
  int rpc_busy_poll_us = 0;
  // Whether to serve the admin endpoint (HTTP/JSON + Prometheus metrics,
  // node/admin_server.h; Cassandra's JMX). Default: true.
  bool start_admin = true;
  // Address the admin endpoint listens on; empty = listen_address. Default: empty.
  std::string admin_address;
  // Admin endpoint TCP port (Cassandra's JMX port); 0 picks a free port (tests).
  // Default: 7199.
  int admin_port = 7199;

  // --- Storage ---
  // Directories for SSTables; Cairn uses the first. Default: [./data/data].
  std::vector<std::string> data_file_directories = {"data/data"};
  // Directory for commit log segments. Default: ./data/commitlog.
  std::string commitlog_directory = "data/commitlog";
  // "batch" (acknowledge after fsync, group commit) or "periodic" (fsync every
  // commitlog_sync_period_in_ms). Default: batch.
  std::string commitlog_sync = "batch";
  // Periodic mode: milliseconds between fsyncs. Default: 10000.
  int commitlog_sync_period_in_ms = 10000;
  // Batch mode: milliseconds a sync waits to gather more writers. Default: 2.
  int commitlog_sync_batch_window_in_ms = 2;
  // Size of a commit log segment file, in MiB. Default: 32.
  int commitlog_segment_size_in_mb = 32;
  // Commit log size past which every table holding unflushed data is flushed so old
  // segments can be freed, in MiB. Default: 1024.
  int commitlog_total_space_in_mb = 1024;
  // Memory all memtables may use before the largest is flushed, in MiB. Default: 256.
  int memtable_space_in_mb = 256;
  // Background compaction threads. Default: 1.
  int concurrent_compactors = 1;
  // SSTable bytes all compactions together may read per second, in MiB; 0 = unpaced.
  // Default: 64 (Cassandra 4.1's compaction_throughput).
  int compaction_throughput_mb_per_sec = 64;

  // --- Requests ---
  // How long a coordinator waits for replicas, in milliseconds.
  // Defaults: reads 5000, writes 2000, range scans 10000, truncate 60000.
  int read_request_timeout_in_ms = 5000;
  int write_request_timeout_in_ms = 2000;
  int range_request_timeout_in_ms = 10000;
  int truncate_request_timeout_in_ms = 60000;
  // How long a compare-and-set (or a SERIAL read) retries contended Paxos rounds, ms.
  // Default: 1000.
  int cas_contention_timeout_in_ms = 1000;

  // --- Failure handling ---
  // Whether coordinators store hints for replicas that are down. Default: true.
  bool hinted_handoff_enabled = true;
  // Hints are not stored for a replica down longer than this, in ms. Default: 10800000 (3 h).
  int max_hint_window_in_ms = 10800000;
  // Where a coordinator keeps hints for replicas that are down. Default (empty): "hints"
  // beside the first data directory (./data/hints).
  std::string hints_directory;
  // Bandwidth of hint delivery to one node, KiB per second. Default: 1024.
  int hinted_handoff_throttle_in_kb = 1024;
  // Writes to replicas of this datacenter still unacknowledged after their write answered
  // its client (Cairn-specific, ScyllaDB throttles the same way); beyond it further
  // successful write answers wait until some are acknowledged. Default: 1024.
  int max_background_writes = 1024;
  // (Cairn) Where a node keeps the batches other coordinators logged on it
  // (atomic_batch_mutate). Default (empty): "batchlog" beside the first data directory
  // (./data/batchlog).
  std::string batchlog_directory;
  // Threads applying replica writes and reads that arrive from other nodes (the
  // messaging handler pool; Cassandra's concurrent_writes). Default: 32.
  int concurrent_writes = 32;
  // Phi-accrual threshold above which a peer is convicted (marked down). Default: 8.
  double phi_convict_threshold = 8.0;

  // --- Security ---
  // AllowAllAuthenticator (any login passes) or PasswordAuthenticator.
  // Default: AllowAllAuthenticator.
  std::string authenticator = "AllowAllAuthenticator";
  // AllowAllAuthorizer or CassandraAuthorizer. Default: AllowAllAuthorizer.
  std::string authorizer = "AllowAllAuthorizer";

  // --- Logging ---
  // Lowest level logged: debug, info, warn or error (Cairn-specific). Default: info.
  std::string log_level = "info";
};

// One documented key, for --help and docs/configuration.md.
struct ConfigKeyInfo {
  std::string name;
  std::string description;  // meaning, unit and default
  bool is_list;
};
const std::vector<ConfigKeyInfo>& ConfigKeys();

// Sets one key from its textual value(s) (lists take several). InvalidArgument naming
// the key for an unknown key or a bad value.
Status SetConfigValue(Config* config, const std::string& key,
                      const std::vector<std::string>& values);

// Parses the YAML subset cairnd accepts into `config`:
//   key: value                 scalars (quotes optional; `#` starts a comment)
//   key: [a, b]                inline lists
//   key:                       block lists
//     - a
//     - b
// `source` names the file in error messages ("<file>:<line>: ...").
Status ParseConfigText(std::string_view text, std::string_view source, Config* config);
Status ParseConfigFile(const std::string& path, Config* config);

// Parses the command line: --config FILE, then every key as --key value. Prints the
// usage and returns NotFound-free OK with *exit_now=true for --help.
Status ParseCommandLine(int argc, const char* const* argv, Config* config, bool* exit_now);

// Checks cross-key consistency (ports in range, a known commitlog_sync...).
Status ValidateConfig(const Config& config);

}  // namespace cairn::node
