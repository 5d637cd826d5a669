// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// AdminServer: a node's admin endpoint, where Cassandra has JMX (DESIGN.md, "Operations
// and observability"): HTTP/1.1 with JSON answers on admin_address:admin_port (default
// listen_address:7199), served with Boost.Beast. tools/cairn-admin (nodetool-like) is its
// client; Prometheus scrapes /metrics.
//
// Routes. Read-only routes answer GET (and HEAD); actions answer POST (DELETE for
// removals). Path segments are percent-decoded; `?name=value` query parameters too.
//
//   GET  /                          this list (JSON)
//   GET  /status[/<ks>]             per node: state (UN/DN/UJ/UL/UM from gossip STATUS and
//        (or ?keyspace=<ks>)        liveness), address, load (bytes of live SSTables: this
//                                   node's own figure, gossip LOAD for peers), tokens, owns
//                                   (primary ownership; with a keyspace, effective ownership
//                                   weighted by its replication as `nodetool status <ks>`:
//                                   the fractions sum to the RF), host id, datacenter, rack
//   GET  /ring[/<ks>]               every ring token with its node (nodetool ring)
//   GET  /info                      host id, gossip generation, uptime, mode, load,
//                                   memtable bytes (Cairn has no JVM heap), data and commit
//                                   log bytes on disk, hints pending, dc, rack, tokens
//   GET  /describering/<ks>         the keyspace's token ranges and their replicas
//   GET  /gossipinfo                every endpoint's gossip state (and nodetool's text)
//   GET  /getendpoints/<ks>/<cf>/<key>[?format=hex]
//                                   the natural replicas of a partition key (the key's UTF-8
//                                   bytes; hex with format=hex) and its token
//   GET  /tablestats[/<ks>[/<cf>]]  per table: SSTable count, live bytes, memtable bytes
//   GET  /tpstats                   per stage: active, pending, completed, blocked (null
//                                   where Cairn does not measure it), dropped messages
//   GET  /metrics                   Prometheus text format 0.0.4
//   POST /flush[/<ks>[/<cf>]]       flushes memtables (all tables, a keyspace, a table)
//   POST /compact[/<ks>[/<cf>]]     major compaction
//   GET  /compactionthroughput      the compaction pace, MiB/s (0: unpaced), and the bytes
//                                   charged to it since start
//   POST /compactionthroughput/<n>  sets the pace to n MiB/s until restart (nodetool
//                                   setcompactionthroughput)
//   POST /drain                     stops Thrift, hints and gossip/messaging, flushes every
//                                   memtable; the process then waits for SIGTERM
//   GET  /faults                    the messaging fault rules (node/net/fault.h)
//   POST /faults                    adds one: JSON body or query parameters `verb`
//                                   (MUTATION, ...; default every verb), `peer` (address or
//                                   address:port; default every peer), `direction`
//                                   (in/out/both, default both), `drop` (probability 0..1)
//                                   and/or `delay_ms`; answers the rule with its id
//   DELETE /faults                  removes every rule; DELETE /faults/<id> removes one
//   POST /cleanup[/<ks>[/<cf>]]     drops partitions in ranges this node no longer
//                                   replicates (409 while it is joining or leaving or a
//                                   range is moving to it); per table: SSTables rewritten,
//                                   partitions dropped, bytes before/after
//   POST /decommission              streams this node's ranges to their new owners and its
//                                   hints to another node, announces LEFT; answers when
//                                   done, then the process stops (409 when it cannot
//                                   start: not a member, another movement, too few nodes
//                                   for a keyspace's RF; 500 when streaming failed)
//   POST /removenode/<host id>      re-replicates a dead node's ranges from the survivors
//                                   and removes it (400 unknown host id, 409 alive/self)
//   POST /repair/<ks>[/<cf>...][?pr=true]
//                                   anti-entropy repair (StorageService::Repair): ranges
//                                   compared, ranges out of sync, bytes streamed; 400
//                                   unknown keyspace/table, 409 a replica down or another
//                                   repair or movement running
//   GET  /netstats                  mode (STARTING/JOINING/NORMAL/LEAVING/DECOMMISSIONED),
//                                   the current or last range movement (ranges done/total,
//                                   bytes) and the streaming sessions (bytes, partitions,
//                                   files per session)
//
// Errors are JSON {"error": "..."}: 400 bad input (unknown keyspace or table, bad
// parameter, malformed JSON or HTTP), 404 unknown route, 405 wrong method, 409 when the
// node cannot do it now (a standalone node has no messaging to inject faults into; the
// node was drained), 500 a failed flush or compaction, 501 not implemented yet, 503 not in
// the ring yet. Nothing a client sends can crash the node: requests are parsed by Beast
// with a header limit of 8 KiB and a body limit of 64 KiB, a connection idle for
// idle_timeout_ms is closed, and at most max_connections are served at once.
//
// Threading (node/THREADING.md, "Admin endpoint"): one thread runs the server's
// io_context (accept, read, write, and every GET, which only reads snapshots and
// counters); one action thread runs the POST/DELETE routes one at a time, since a flush or
// a major compaction may take long and must not hold up /metrics. Both are the server's
// own; Stop() joins them.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "common/status.h"
#include "node/admin_json.h"
#include "node/cluster_view.h"
#include "node/database.h"

namespace cairn::node {

class StorageService;
class StorageProxy;

struct AdminServerOptions {
  // Where to listen (admin_address, admin_port); port 0 picks a free port (tests).
  // Defaults: 127.0.0.1, 7199.
  std::string address = "127.0.0.1";
  int port = 7199;
  // Connections served at once; more are closed at accept. Default: 32.
  int max_connections = 32;
  // A connection with no complete request for this long is closed, ms. Default: 30000.
  int idle_timeout_ms = 30'000;
};

// What the routes read and act on. Nothing is owned; every pointer must outlive the server.
struct AdminServices {
  // The local database (required).
  Database* db = nullptr;
  // The ring, liveness and snitch (required): the StorageService in a cluster, the
  // LocalClusterView of a standalone node.
  const ClusterView* cluster = nullptr;
  // Gossip and messaging: nullptr on a standalone node (single-node view, no faults).
  StorageService* storage = nullptr;
  // Coordinator counters and pending hints; may be nullptr.
  StorageProxy* proxy = nullptr;
  // The commit log directory, measured for /info and /metrics.
  std::string commitlog_directory;
  std::string cluster_name;
  // Whether the Thrift server was started (start_rpc), for /info.
  bool thrift_enabled = false;
  // nodetool drain: stops the client and internode services and flushes. Called at most
  // once, on the action thread. nullptr: /drain answers 501.
  std::function<Status()> drain;
};

class AdminServer {
 public:
  AdminServer(AdminServerOptions options, AdminServices services);
  ~AdminServer();  // Stop()s
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and starts the threads. IOError naming the address when it cannot bind.
  // REQUIRES: called once.
  Status Start();
  // Waits for a running action (a drain in progress completes), stops the threads and
  // stops accepting; open connections are closed by the destructor. Idempotent.
  void Stop();
  // The bound port. REQUIRES: Start() succeeded.
  int port() const { return port_; }

  // One request, without sockets: what the HTTP layer calls and what tests drive.
  // `target` is the request target ("/status?keyspace=ks"). Runs on the calling thread
  // (actions included). Never throws.
  struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::string allow;  // for 405: the methods the route accepts
  };
  Response Handle(std::string_view method, std::string_view target, std::string_view body);

  // True for methods Handle runs as actions (POST, DELETE, PUT): the HTTP layer runs them
  // on the action thread.
  static bool IsAction(std::string_view method);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace cairn::node
