// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// ThriftServer: the Cassandra-compatible Thrift endpoint of a node (Cassandra's
// ThriftServer with the hsha server type), on Cairn's own epoll event loops.
//
// Transport: framed (4-byte big-endian length, then the message), binary protocol, strict
// read and write. I/O runs on `io_threads` event loops, one thread each. Loop 0 accepts
// and hands new connections round-robin to the loops; a connection then stays on its
// loop, registered once with edge-triggered epoll (no epoll_ctl per request), so an idle
// connection costs a socket but no thread and no buffer.
//
// Requests: one in flight per connection; its next frame is not processed until the
// previous reply has been queued, so replies keep the requests' order (the client may
// still send ahead: the server keeps reading up to one maximal frame). Each frame is
//   - first offered to the session's AsyncDispatch (thrift/async_dispatch.h), on the I/O
//     thread, when the handler implements it: a taken request is answered later, from
//     any thread, and holds no thread meanwhile (the reply is posted back to the loop);
//   - otherwise run through the generated (synchronous) processor, either on the I/O
//     thread (`worker_threads` == 0: one busy thread per core, no hand-off; the fastest
//     when requests never block for long) or on a fixed pool of `worker_threads`
//     (`worker_threads` > 0: needed while some methods still block, e.g. on replicas or
//     on the commit log's fdatasync in commitlog_sync: batch).
// Replies are written at once from the loop thread; what the socket does not take waits
// for EPOLLOUT, and queued replies go out together in one sendmsg. A connection whose
// client does not read its replies is not served further while 1 MiB of them wait.
//
// Frames: a frame whose 4-byte length is 0 or exceeds `max_frame_bytes` (a "negative"
// length always does) is refused and its connection closed before any buffer of that size
// is allocated: read buffers grow only as bytes arrive, up to max_frame_bytes + 4 per
// connection. A frame that is not a valid message is logged and skipped. A request whose
// arguments do not decode gets TApplicationException(PROTOCOL_ERROR).
//
// Sessions: every connection gets its own handler (a CassandraHandler: the keyspace set
// with set_keyspace, the login), made by the loop that serves it. A handler is called by
// one thread at a time (its loop, or a worker) but not always the same thread.
//
// Thread-safety: Start and Stop are called from one thread. Stop closes every connection
// and waits for the loops and the workers; an asynchronous reply that arrives after its
// connection closed or after Stop is dropped.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "node/cluster_view.h"
#include "node/coordinator.h"
#include "node/database.h"

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
  // rpc_busy_poll_us: after handling events, a loop polls (epoll_wait without a timeout)
  // for this long before it sleeps, so the next request of a client that just got its
  // reply is read without waking a sleeping thread. 0: sleep at once.
  int busy_poll_us = 0;
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
  class Engine;                     // thrift/server.cc: listener, loops, workers
  std::unique_ptr<Engine> engine_;  // while started
  int port_ = 0;
};

}  // namespace cairn::thrift
