// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// ThriftServer: the Cassandra-compatible Thrift endpoint of a node (Cassandra's
// ThriftServer with the hsha server type).
//
// Transport: framed, binary protocol, strict read and write. I/O runs on
// `io_threads` libevent loops (TNonblockingServer), so an idle connection costs a
// socket and a small buffer but no thread. Complete frames are executed either
//   - on the I/O thread that read them (`worker_threads` == 0): one busy thread per
//     core and no hand-off, the fastest when requests never block for long
//     (commitlog_sync: periodic; bench/README.md, "Thrift (single node)"), or
//   - by a pool of `worker_threads` (`worker_threads` > 0): needed when a request blocks
//     on the commit log's fdatasync (commitlog_sync: batch), because a batch of group
//     commit can only be as large as the number of requests waiting in it.
//
// Frames: a frame whose 4-byte length exceeds `max_frame_bytes` is refused and its
// connection closed before any buffer of that size is allocated, so no byte sequence a
// client sends can make the server reserve more than max_frame_bytes per connection.
//
// Sessions: every connection gets its own CassandraHandler (the keyspace set with
// set_keyspace, the login), created when the connection is accepted.
//
// Thread-safety: Start and Stop are called from one thread; Stop waits for the I/O
// loop and the workers to finish.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/status.h"
#include "node/cluster_view.h"
#include "node/coordinator.h"
#include "node/database.h"

namespace apache::thrift::server {
class TNonblockingServer;
}

namespace cairn::cassandra {
class CassandraIf;
}

namespace cairn::thrift {

struct ThriftServerOptions {
  std::string address = "127.0.0.1";  // rpc_address
  int port = 9160;                     // rpc_port; 0 = any free port
  size_t max_frame_bytes = 15u << 20;  // thrift_framed_transport_size_in_mb
  int worker_threads = 32;             // rpc_max_threads; 0 = run handlers on I/O threads
  int io_threads = 1;                  // rpc_io_threads; >= 1
  std::string cluster_name = "Test Cluster";
  std::string snitch = "org.apache.cassandra.locator.SimpleSnitch";
  std::string rpc_address_for_ring = "127.0.0.1";  // advertised in describe_ring
  // The cluster (ring, liveness, schema versions) for describe_*; nullptr answers as a
  // single node. Must outlive the server.
  const node::ClusterView* cluster = nullptr;
  // Where reads and writes go. nullptr: the server makes a standalone node's own
  // (node/local_cluster_view.h + node/storage_proxy.h without messaging). Must outlive
  // the server.
  node::Coordinator* coordinator = nullptr;
};

class ThriftServer {
 public:
  // Makes the handler (session) of a newly accepted connection.
  using HandlerFactory = std::function<std::shared_ptr<cassandra::CassandraIf>()>;

  // Serves a node: one CassandraHandler per connection. `db` must outlive the server.
  ThriftServer(ThriftServerOptions options, node::Database* db);
  // Serves the handlers `factory` makes, with the same transport, protocol and threads
  // (bench/thrift_bench's ping server, the ceiling of the Thrift benchmark).
  ThriftServer(ThriftServerOptions options, HandlerFactory factory);
  ~ThriftServer();  // Stop()s

  // Binds and starts serving in background threads. IOError when the address cannot be
  // bound.
  Status Start();
  // Stops accepting, closes connections, waits for threads. Idempotent.
  void Stop();
  // The bound port (useful with port 0). REQUIRES: Start() succeeded.
  int port() const { return port_; }

 private:
  ThriftServerOptions options_;
  node::Database* db_ = nullptr;
  HandlerFactory factory_;  // when set, used instead of CassandraHandler over db_
  // The standalone coordinator made when options_.coordinator is nullptr.
  std::unique_ptr<node::ClusterView> own_cluster_;
  std::unique_ptr<node::Coordinator> own_coordinator_;
  std::shared_ptr<apache::thrift::server::TNonblockingServer> server_;
  std::thread serve_thread_;
  std::shared_ptr<std::atomic<bool>> serve_done_;  // set when serve() returns
  int port_ = 0;
};

}  // namespace cairn::thrift
