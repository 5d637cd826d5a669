// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Helpers for the Thrift tests: an in-process node (Database + ThriftServer on a
// loopback address and a free port) and a generated C++ client connected to it over a
// real socket (framed transport, strict binary protocol), as Cassandra clients connect.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "gen-cpp/Cassandra.h"
#include "node/database.h"
#include "tests/lib/test_util.h"
#include "thrift/server.h"

namespace cairn::thrift::test {

namespace gen = ::cairn::cassandra;
namespace at = ::apache::thrift;

inline constexpr char kHost[] = "127.0.0.3";

// A node whose data lives in `dir`; Start/Stop may be repeated (restart).
class TestNode {
 public:
  explicit TestNode(std::string dir, std::string partitioner = "Murmur3Partitioner")
      : dir_(std::move(dir)), partitioner_(std::move(partitioner)) {}
  ~TestNode() { Stop(); }

  void Start() {
    node::DatabaseOptions o;
    o.engine.data_directory = dir_ + "/data";
    o.engine.commitlog_directory = dir_ + "/commitlog";
    o.engine.sync_sstables = false;
    o.partitioner = partitioner_;
    o.num_tokens = 4;
    auto db = node::Database::Open(std::move(o));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ThriftServerOptions so;
    so.address = kHost;
    so.port = 0;
    so.max_frame_bytes = 1 << 20;
    so.worker_threads = 4;
    server_ = std::make_unique<ThriftServer>(so, db_.get());
    ASSERT_OK(server_->Start());
  }
  void Stop() {
    if (server_) server_->Stop();
    server_.reset();
    if (db_) EXPECT_OK(db_->Close());
    db_.reset();
  }
  int port() const { return server_->port(); }
  node::Database* db() { return db_.get(); }

 private:
  std::string dir_;
  std::string partitioner_;
  std::unique_ptr<node::Database> db_;
  std::unique_ptr<ThriftServer> server_;
};

// A connected generated client.
class Client {
 public:
  explicit Client(int port, const std::string& host = kHost) {
    auto socket = std::make_shared<at::transport::TSocket>(host, port);
    socket->setRecvTimeout(10000);
    transport_ = std::make_shared<at::transport::TFramedTransport>(socket);
    auto protocol = std::make_shared<at::protocol::TBinaryProtocol>(transport_);
    client_ = std::make_unique<gen::CassandraClient>(protocol);
    transport_->open();
  }
  ~Client() {
    try {
      transport_->close();
    } catch (...) {
    }
  }
  gen::CassandraClient* operator->() { return client_.get(); }

 private:
  std::shared_ptr<at::transport::TTransport> transport_;
  std::unique_ptr<gen::CassandraClient> client_;
};

// Runs `fn` and returns the InvalidRequestException's `why` ("" if none was thrown).
template <typename Fn>
std::string WhyInvalid(Fn&& fn) {
  try {
    fn();
  } catch (const gen::InvalidRequestException& e) {
    return e.why;
  }
  return "";
}

inline gen::ColumnParent Parent(const std::string& cf) {
  gen::ColumnParent p;
  p.column_family = cf;
  return p;
}

inline gen::ColumnPath Path(const std::string& cf, const std::string& column) {
  gen::ColumnPath p;
  p.column_family = cf;
  p.__set_column(column);
  return p;
}

inline gen::Column Col(const std::string& name, const std::string& value, int64_t ts,
                       int32_t ttl = 0) {
  gen::Column c;
  c.name = name;
  c.__set_value(value);
  c.__set_timestamp(ts);
  if (ttl != 0) c.__set_ttl(ttl);
  return c;
}

inline gen::SlicePredicate Names(std::vector<std::string> names) {
  gen::SlicePredicate p;
  p.__set_column_names(std::move(names));
  return p;
}

inline gen::SlicePredicate Range(const std::string& start, const std::string& finish,
                                 bool reversed = false, int32_t count = 100) {
  gen::SliceRange r;
  r.start = start;
  r.finish = finish;
  r.reversed = reversed;
  r.count = count;
  gen::SlicePredicate p;
  p.__set_slice_range(r);
  return p;
}

inline gen::CfDef CfDefOf(const std::string& ks, const std::string& name,
                          const std::string& comparator = "BytesType") {
  gen::CfDef d;
  d.keyspace = ks;
  d.name = name;
  d.__set_comparator_type(comparator);
  return d;
}

inline gen::KsDef KsDefOf(const std::string& name, int rf = 1,
                          std::vector<gen::CfDef> cfs = {}) {
  gen::KsDef d;
  d.name = name;
  d.strategy_class = "SimpleStrategy";
  d.__set_strategy_options({{"replication_factor", std::to_string(rf)}});
  d.cf_defs = std::move(cfs);
  return d;
}

inline std::vector<std::string> NamesOf(const std::vector<gen::ColumnOrSuperColumn>& cols) {
  std::vector<std::string> out;
  for (const auto& c : cols) out.push_back(c.column.name);
  return out;
}

// A raw TCP connection to the test server on kHost; -1 when it cannot connect.
inline int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, kHost, &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline void SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;  // the server may already have closed: fine for these tests
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

// True when the server closes the connection within `ms`.
inline bool ClosedByServer(int fd, int ms = 5000) {
  char buf[4096];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) > 0) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return true;
    }
  }
  return false;
}

// The 4-byte big-endian header of a frame of `n` bytes.
inline std::string FrameLength(uint32_t n) {
  std::string s(4, '\0');
  s[0] = static_cast<char>(n >> 24);
  s[1] = static_cast<char>(n >> 16);
  s[2] = static_cast<char>(n >> 8);
  s[3] = static_cast<char>(n);
  return s;
}

}  // namespace cairn::thrift::test
