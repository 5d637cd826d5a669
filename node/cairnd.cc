// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// cairnd: one Cairn node. Reads its configuration (node/config.h: defaults, then
// --config FILE, then --key value flags), opens the local database (loading the schema
// and replaying the commit log), joins the cluster (node/storage_service.h: messaging on
// listen_address:storage_port, gossip with the seeds, the ring), waits for gossip to
// settle (bounded: gossip_settle_max_wait_ms), serves Thrift on rpc_address:rpc_port, and runs until SIGTERM or SIGINT, when it stops accepting
// requests, announces its shutdown to its peers, flushes every memtable (drain) and
// exits 0. Exit codes: 0 clean stop, 1 startup failure, 2 bad configuration.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <thread>

#include "common/logging.h"
#include "node/admin_server.h"
#include "node/config.h"
#include "node/database.h"
#include "node/local_cluster_view.h"
#include "node/storage_proxy.h"
#include "node/storage_service.h"
#include "thrift/server.h"

namespace {

std::vector<std::string> SplitTokens(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, ',')) {
    size_t b = part.find_first_not_of(" \t"), e = part.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(part.substr(b, e - b + 1));
  }
  return out;
}

std::string FullSnitchName(const std::string& s) {
  return s.find('.') == std::string::npos ? "org.apache.cassandra.locator." + s : s;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cairn;
  node::Config config;
  bool exit_now = false;
  Status st = node::ParseCommandLine(argc, argv, &config, &exit_now);
  if (!st.ok()) {
    std::cerr << "cairnd: " << st.message() << "\n";
    return 2;
  }
  if (exit_now) return 0;
  LogLevel level;
  if (ParseLogLevel(config.log_level, &level)) SetLogLevel(level);

  // Block the stop signals in every thread; main waits for them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  CAIRN_LOG(INFO) << "starting cairnd: cluster '" << config.cluster_name << "', listen_address "
                  << config.listen_address << ", data " << config.data_file_directories[0]
                  << ", commit log " << config.commitlog_directory << " ("
                  << config.commitlog_sync << ")";

  node::DatabaseOptions options;
  options.engine.data_directory = config.data_file_directories[0];
  options.engine.commitlog_directory = config.commitlog_directory;
  options.engine.commitlog_sync = config.commitlog_sync == "periodic"
                                      ? memtable::CommitLogSyncMode::kPeriodic
                                      : memtable::CommitLogSyncMode::kBatch;
  options.engine.commitlog_sync_period_ms = static_cast<uint32_t>(config.commitlog_sync_period_in_ms);
  options.engine.commitlog_sync_batch_window_ms =
      static_cast<uint32_t>(config.commitlog_sync_batch_window_in_ms);
  options.engine.commitlog_segment_size_bytes =
      static_cast<uint64_t>(config.commitlog_segment_size_in_mb) << 20;
  options.engine.commitlog_total_space_bytes =
      static_cast<uint64_t>(config.commitlog_total_space_in_mb) << 20;
  options.engine.memtable_space_bytes = static_cast<size_t>(config.memtable_space_in_mb) << 20;
  options.engine.concurrent_compactors = config.concurrent_compactors;
  options.engine.compaction_throughput_bytes_per_sec =
      static_cast<uint64_t>(config.compaction_throughput_mb_per_sec) << 20;
  options.cluster_name = config.cluster_name;
  options.partitioner = config.partitioner;
  options.num_tokens = config.num_tokens;
  options.initial_tokens = SplitTokens(config.initial_token);
  options.datacenter = config.dc;
  options.rack = config.rack;
  // With seeds the node is a cluster member: the tokens of a new node come from the
  // StorageService, chosen against the ring it learns (evenly spaced for the first
  // node). Without seeds it is a standalone node as before issue 4: random tokens, no
  // internode port.
  const bool clustered = !config.seeds.empty();
  options.defer_new_tokens = clustered;

  auto db = node::Database::Open(std::move(options));
  if (!db.ok()) {
    CAIRN_LOG(ERROR) << "cannot open the database: " << db.status().ToString();
    return 1;
  }
  CAIRN_LOG(INFO) << "database open: partitioner " << (*db)->partitioner().Name() << ", "
                  << (*db)->tokens().size() << " saved tokens";

  // Membership: messaging on listen_address:storage_port, gossip, the ring.
  std::unique_ptr<node::StorageService> storage;
  std::unique_ptr<node::LocalClusterView> local_view;
  const node::ClusterView* cluster = nullptr;
  if (clustered) {
    node::StorageServiceOptions ss;
    ss.listen_address = config.listen_address;
    ss.storage_port = config.storage_port;
    ss.seeds = config.seeds;
    ss.cluster_name = config.cluster_name;
    ss.phi_convict_threshold = config.phi_convict_threshold;
    ss.ring_delay_ms = config.ring_delay_ms;
    ss.settle_max_wait_ms = config.gossip_settle_max_wait_ms;
    ss.gossiping_snitch =
        FullSnitchName(config.endpoint_snitch).find("GossipingPropertyFileSnitch") !=
        std::string::npos;
    ss.dc = config.dc;
    ss.rack = config.rack;
    ss.rpc_address = config.rpc_address;
    ss.num_tokens = config.num_tokens;
    ss.handler_threads = config.concurrent_writes;
    ss.network_threads =
        config.internode_network_threads > 0
            ? config.internode_network_threads
            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency() / 2));
    ss.auto_bootstrap = config.auto_bootstrap;
    ss.stream.throughput_mbits = config.stream_throughput_outbound_megabits_per_sec;
    storage = std::make_unique<node::StorageService>(ss, db->get());
    cluster = storage.get();
  } else {
    CAIRN_LOG(INFO) << "no seeds: a standalone node (no gossip, internode port closed)";
    local_view = std::make_unique<node::LocalClusterView>(db->get(), config.listen_address,
                                                          config.rpc_address);
    cluster = local_view.get();
  }

  // The coordinator: built before messaging starts (it registers the replica verbs).
  const std::filesystem::path data_parent =
      std::filesystem::path(config.data_file_directories[0]).parent_path();
  node::StorageProxyOptions po;
  po.write_request_timeout_ms = config.write_request_timeout_in_ms;
  po.cas_contention_timeout_ms = config.cas_contention_timeout_in_ms;
  po.read_request_timeout_ms = config.read_request_timeout_in_ms;
  po.range_request_timeout_ms = config.range_request_timeout_in_ms;
  po.truncate_request_timeout_ms = config.truncate_request_timeout_in_ms;
  po.hinted_handoff_enabled = config.hinted_handoff_enabled;
  po.max_hint_window_ms = config.max_hint_window_in_ms;
  po.hinted_handoff_throttle_kb = config.hinted_handoff_throttle_in_kb;
  po.max_background_writes = static_cast<size_t>(config.max_background_writes);
  po.hints_directory = config.hints_directory.empty() ? (data_parent / "hints").string()
                                                      : config.hints_directory;
  po.batchlog_directory = config.batchlog_directory.empty()
                              ? (data_parent / "batchlog").string()
                              : config.batchlog_directory;
  po.batchlog_replay_timeout_ms = 2 * config.write_request_timeout_in_ms + 1000;
  auto proxy = std::make_unique<node::StorageProxy>(
      po, db->get(), cluster, storage ? &storage->messaging() : nullptr);
  if (storage) {
    // Decommission hands the hints to another node, then this process stops as after
    // SIGTERM (the node has LEFT; a restart is refused).
    storage->SetHintTransfer([&proxy](const std::string& to) { return proxy->TransferHints(to); });
    storage->SetOnDecommissioned([] {
      // A moment for the admin endpoint to answer the decommission request first.
      std::thread([] {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        kill(getpid(), SIGTERM);
      }).detach();
    });
  }
  st = proxy->Start();
  if (st.ok() && storage) st = storage->Start();
  if (!st.ok()) {
    CAIRN_LOG(ERROR) << st.ToString();
    proxy->Stop();
    if (storage) storage->Stop();
    proxy.reset();
    storage.reset();
    (*db)->Close().IgnoreError();  // already failing; Close logs its own errors
    return 1;
  }

  std::unique_ptr<thrift::ThriftServer> server;
  // The admin endpoint (node/admin_server.h): what Cassandra serves over JMX, as HTTP/JSON
  // for tools/cairn-admin, plus Prometheus metrics.
  std::unique_ptr<node::AdminServer> admin;
  // Started before the node joins, so netstats and status follow a bootstrap.
  if (config.start_admin) {
    node::AdminServerOptions ao;
    ao.address = config.admin_address.empty() ? config.listen_address : config.admin_address;
    ao.port = config.admin_port;
    node::AdminServices as;
    as.db = db->get();
    as.cluster = cluster;
    as.storage = storage.get();
    as.proxy = proxy.get();
    as.commitlog_directory = config.commitlog_directory;
    as.cluster_name = config.cluster_name;
    as.thrift_enabled = config.start_rpc;
    as.drain = [&]() -> Status {  // nodetool drain; the SIGTERM path below repeats it
      if (server) server->Stop();
      proxy->Stop();
      if (storage) storage->Stop();
      return (*db)->Drain();
    };
    admin = std::make_unique<node::AdminServer>(std::move(ao), std::move(as));
    st = admin->Start();
    if (!st.ok()) {
      CAIRN_LOG(ERROR) << st.ToString();
      if (server) server->Stop();
      proxy->Stop();
      if (storage) storage->Stop();
      (*db)->Close().IgnoreError();  // already failing; Close logs its own errors
      return 1;
    }
  }
  // A new node bootstraps before it serves clients (Cassandra starts its transports
  // after joining the ring).
  if (storage) {
    // SIGTERM while joining stops the node (the bootstrap resumes at the next start).
    std::optional<Status> joined;
    while (!(joined = storage->join_result()).has_value()) {
      timespec wait = {0, 200'000'000};
      const int sig = sigtimedwait(&stop_signals, nullptr, &wait);
      if (sig == SIGTERM || sig == SIGINT) {
        CAIRN_LOG(INFO) << "received a stop signal while joining the ring; stopping";
        if (admin) admin->Stop();
        proxy->Stop();
        storage->Stop();
        st = (*db)->Drain();
        Status closed = (*db)->Close();
        return st.ok() && closed.ok() ? 0 : 1;
      }
    }
    st = *joined;
    if (!st.ok()) {
      CAIRN_LOG(ERROR) << "cannot join the ring: " << st.ToString();
      if (admin) admin->Stop();
      proxy->Stop();
      storage->Stop();
      (*db)->Close().IgnoreError();  // already failing; Close logs its own errors
      return 1;
    }
  }
  if (config.start_rpc) {
    // Cassandra's Gossiper.waitToSettle before the transports start: the saved peers
    // made the ring right already; this learns which of them are up.
    if (storage) storage->WaitToSettle();
    thrift::ThriftServerOptions so;
    so.address = config.rpc_address;
    so.port = config.rpc_port;
    so.max_frame_bytes = static_cast<size_t>(config.thrift_framed_transport_size_in_mb) << 20;
    // rpc_dispatch (node/config.h): handlers on the I/O threads unless they block: on
    // batch-mode fdatasync, where only a worker pool lets group commits grow, or, in a
    // cluster, on the replicas' answers.
    const bool workers = config.rpc_dispatch == "workers" ||
                         (config.rpc_dispatch == "auto" &&
                          (config.commitlog_sync == "batch" || clustered));
    so.worker_threads = workers ? config.rpc_max_threads : 0;
    so.busy_poll_us = config.rpc_busy_poll_us;
    so.io_threads = config.rpc_io_threads > 0
                        ? config.rpc_io_threads
                        : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    so.cluster_name = config.cluster_name;
    so.snitch = FullSnitchName(config.endpoint_snitch);
    so.rpc_address_for_ring = config.listen_address;
    so.cluster = storage.get();
    so.coordinator = proxy.get();
    server = std::make_unique<thrift::ThriftServer>(so, db->get());
    st = server->Start();
    if (!st.ok()) {
      CAIRN_LOG(ERROR) << st.ToString();
      proxy->Stop();
      if (storage) storage->Stop();
      (*db)->Close().IgnoreError();  // already failing; Close logs its own errors
      return 1;
    }
  }
  CAIRN_LOG(INFO) << "node ready";
  // Tests and scripts read this line to learn the bound port.
  if (server) std::printf("cairnd: serving thrift on %s:%d\n", config.rpc_address.c_str(), server->port());
  if (admin) {
    std::printf("cairnd: serving admin on %s:%d\n",
                (config.admin_address.empty() ? config.listen_address : config.admin_address)
                    .c_str(),
                admin->port());
  }
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  CAIRN_LOG(INFO) << "received " << (sig == SIGTERM ? "SIGTERM" : "SIGINT") << ", draining";
  if (admin) admin->Stop();      // first: waits for a drain it is running
  if (server) server->Stop();
  proxy->Stop();                 // hint delivery and batch log replay
  if (storage) storage->Stop();  // announces the shutdown to live peers
  st = (*db)->Drain();
  if (!st.ok()) CAIRN_LOG(ERROR) << "drain failed: " << st.ToString();
  Status closed = (*db)->Close();
  if (!closed.ok()) CAIRN_LOG(ERROR) << "close failed: " << closed.ToString();
  CAIRN_LOG(INFO) << "stopped";
  return st.ok() && closed.ok() ? 0 : 1;
}
