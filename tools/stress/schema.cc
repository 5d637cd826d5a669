// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Schema setup and the counter probe (schema.h).
#include "tools/stress/schema.h"

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>

#include <chrono>
#include <memory>
#include <thread>

#include "gen-cpp/Cassandra.h"
#include "tools/stress/workload.h"

namespace cairn::stress {

namespace {

namespace at = ::apache::thrift;

class SyncClient {
 public:
  SyncClient(const Endpoint& e, int timeout_ms) {
    auto socket = std::make_shared<at::transport::TSocket>(e.host, e.port);
    socket->setConnTimeout(2000);
    socket->setRecvTimeout(timeout_ms);
    socket->setSendTimeout(timeout_ms);
    transport_ = std::make_shared<at::transport::TFramedTransport>(socket);
    client_ = std::make_unique<gen::CassandraClient>(
        std::make_shared<at::protocol::TBinaryProtocol>(transport_, 0, 0, true, true));
    transport_->open();
  }
  ~SyncClient() {
    try {
      transport_->close();
    } catch (...) {
      // Closing a broken transport: nothing left to do.
    }
  }
  gen::CassandraClient* operator->() { return client_.get(); }

 private:
  std::shared_ptr<at::transport::TTransport> transport_;
  std::unique_ptr<gen::CassandraClient> client_;
};

// Connects to the first node that accepts, or returns the last error.
Result<std::unique_ptr<SyncClient>> ConnectAny(const StressOptions& o) {
  std::string errors;
  for (const Endpoint& e : o.nodes) {
    try {
      return std::make_unique<SyncClient>(e, std::max(o.timeout_ms, 30000));
    } catch (const at::TException& x) {
      errors += (errors.empty() ? "" : "; ") + e.ToString() + ": " + x.what();
    }
  }
  return Status::IOError("cannot connect to any node (" + errors + ")");
}

bool IsCounterWorkload(Workload w) {
  return w == Workload::kCounterWrite || w == Workload::kCounterRead;
}

gen::CfDef MakeCf(const StressOptions& o, const std::string& name, bool counter) {
  gen::CfDef cf;
  cf.keyspace = o.keyspace;
  cf.name = name;
  cf.__set_comparator_type("BytesType");
  cf.__set_key_validation_class("BytesType");
  cf.__set_default_validation_class(counter ? "CounterColumnType" : "BytesType");
  return cf;
}

std::string ReplicationOf(const gen::KsDef& ks) {
  std::string s = ks.strategy_class;
  const size_t dot = s.rfind('.');
  if (dot != std::string::npos) s = s.substr(dot + 1);
  s += " {";
  bool first = true;
  for (const auto& [k, v] : ks.strategy_options) {
    s += (first ? "" : ", ") + k + ": " + v;
    first = false;
  }
  return s + "}";
}

}  // namespace

Status SetUpSchema(const StressOptions& o, const SetupLog& log) {
  if (o.no_schema) return Status::OK();
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<SyncClient> c, ConnectAny(o));
  try {
    std::vector<gen::KsDef> keyspaces;
    (*c)->describe_keyspaces(keyspaces);
    const gen::KsDef* existing = nullptr;
    for (const gen::KsDef& ks : keyspaces) {
      if (ks.name == o.keyspace) existing = &ks;
    }
    std::string version;
    if (existing != nullptr && o.drop) {
      (*c)->system_drop_keyspace(version, o.keyspace);
      log("dropped keyspace " + o.keyspace);
      existing = nullptr;
    }
    const bool counter = IsCounterWorkload(o.workload);
    if (existing == nullptr) {
      gen::KsDef ks;
      ks.name = o.keyspace;
      ks.strategy_class = "org.apache.cassandra.locator." + o.replication_strategy;
      const std::string rf = std::to_string(o.replication_factor);
      if (o.replication_strategy == "NetworkTopologyStrategy") {
        ks.__set_strategy_options({{o.datacenter, rf}});
      } else {
        ks.__set_strategy_options({{"replication_factor", rf}});
      }
      ks.cf_defs.push_back(MakeCf(o, o.column_family, false));
      if (counter) ks.cf_defs.push_back(MakeCf(o, o.counter_column_family, true));
      (*c)->system_add_keyspace(version, ks);
      log("created keyspace " + o.keyspace + " (" + ReplicationOf(ks) + ") with " +
          o.column_family + (counter ? " and " + o.counter_column_family : ""));
    } else {
      log("using existing keyspace " + o.keyspace + " (" + ReplicationOf(*existing) +
          "; --drop recreates it with --replication-factor/--replication-strategy)");
      (*c)->set_keyspace(o.keyspace);
      auto has_cf = [&](const std::string& name) {
        for (const gen::CfDef& cf : existing->cf_defs) {
          if (cf.name == name) return true;
        }
        return false;
      };
      if (!has_cf(o.column_family)) {
        (*c)->system_add_column_family(version, MakeCf(o, o.column_family, false));
        log("created column family " + o.keyspace + "." + o.column_family);
      }
      if (counter && !has_cf(o.counter_column_family)) {
        (*c)->system_add_column_family(version, MakeCf(o, o.counter_column_family, true));
        log("created column family " + o.keyspace + "." + o.counter_column_family);
      }
    }
    // Schema agreement, as cassandra-stress and cqlsh wait for it.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
      std::map<std::string, std::vector<std::string>> versions;
      (*c)->describe_schema_versions(versions);
      versions.erase("UNREACHABLE");
      if (versions.size() <= 1) break;
      if (std::chrono::steady_clock::now() > deadline) {
        return Status::TimedOut("nodes still disagree on the schema after 30 s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  } catch (const gen::InvalidRequestException& e) {
    return Status::InvalidArgument("schema setup refused: " + e.why);
  } catch (const gen::SchemaDisagreementException&) {
    return Status::InvalidArgument("schema setup refused: SchemaDisagreementException");
  } catch (const at::TException& e) {
    return Status::IOError(std::string("schema setup failed: ") + e.what());
  }
  return Status::OK();
}

Status ProbeCounters(const StressOptions& o) {
  if (!IsCounterWorkload(o.workload)) return Status::OK();
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<SyncClient> c, ConnectAny(o));
  try {
    (*c)->set_keyspace(o.keyspace);
    gen::ColumnParent parent;
    parent.column_family = o.counter_column_family;
    gen::CounterColumn column;
    column.name = ColumnName(0);
    column.value = 0;
    (*c)->add(KeyName(0), parent, column, gen::ConsistencyLevel::ONE);
  } catch (const gen::InvalidRequestException& e) {
    if (e.why.find("not supported") != std::string::npos ||
        e.why.find("not implemented") != std::string::npos) {
      return Status::NotSupported(
          "counters are not supported by this cluster (the server said: " + e.why + ")");
    }
    return Status::InvalidArgument("counter probe refused: " + e.why);
  } catch (const gen::UnavailableException&) {
    return Status::OK();  // supported; the run will count the unavailability
  } catch (const gen::TimedOutException&) {
    return Status::OK();
  } catch (const at::TException& e) {
    return Status::IOError(std::string("counter probe failed: ") + e.what());
  }
  return Status::OK();
}

Result<RingDescription> DescribeRing(const StressOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<SyncClient> c, ConnectAny(o));
  RingDescription out;
  out.keyspace = o.keyspace;
  try {
    (*c)->describe_partitioner(out.partitioner);
    std::vector<gen::TokenRange> ranges;
    (*c)->describe_ring(ranges, o.keyspace);
    for (gen::TokenRange& r : ranges) {
      RingRange rr;
      rr.start_token = std::move(r.start_token);
      rr.end_token = std::move(r.end_token);
      rr.endpoints = std::move(r.endpoints);
      if (r.__isset.rpc_endpoints) rr.rpc_endpoints = std::move(r.rpc_endpoints);
      out.ranges.push_back(std::move(rr));
    }
  } catch (const gen::InvalidRequestException& e) {
    return Status::InvalidArgument("describe_ring(" + o.keyspace + ") refused: " + e.why);
  } catch (const at::TException& e) {
    return Status::IOError(std::string("describe_ring failed: ") + e.what());
  }
  return out;
}

}  // namespace cairn::stress
