// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Helpers for the Thrift tests: an in-process node (Database + ThriftServer on a
// loopback address and a free port) and a generated C++ client connected to it over a
// real socket (framed transport, strict binary protocol), as Cassandra clients connect.
#pragma once

#include <gtest/gtest.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>

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

}  // namespace cairn::thrift::test
