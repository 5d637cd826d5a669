// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "thrift/server.h"

#include <thrift/TOutput.h>
#include <thrift/TProcessor.h>
#include <thrift/concurrency/ThreadFactory.h>
#include <thrift/concurrency/ThreadManager.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/server/TNonblockingServer.h>
#include <thrift/transport/TNonblockingServerSocket.h>

#include <future>

#include "common/logging.h"
#include "node/local_cluster_view.h"
#include "node/storage_proxy.h"
#include "thrift/handler.h"

namespace cairn::thrift {

namespace {

namespace at = ::apache::thrift;

// The generated processor, plus the Java server's answer to malformed arguments: a
// request missing a required argument (or otherwise undecodable after its header) gets a
// TApplicationException(PROTOCOL_ERROR) instead of a dropped connection.
class CassandraProcessor : public gen::CassandraProcessor {
 public:
  using gen::CassandraProcessor::CassandraProcessor;

 protected:
  bool dispatchCall(at::protocol::TProtocol* iprot, at::protocol::TProtocol* oprot,
                    const std::string& fname, int32_t seqid, void* call_context) override {
    try {
      return gen::CassandraProcessor::dispatchCall(iprot, oprot, fname, seqid, call_context);
    } catch (const at::protocol::TProtocolException& e) {
      at::TApplicationException x(at::TApplicationException::PROTOCOL_ERROR, e.what());
      oprot->writeMessageBegin(fname, at::protocol::T_EXCEPTION, seqid);
      x.write(oprot);
      oprot->writeMessageEnd();
      oprot->getTransport()->writeEnd();
      oprot->getTransport()->flush();
      return true;
    }
  }
};

// One handler (session) per accepted connection.
class SessionProcessorFactory : public at::TProcessorFactory {
 public:
  explicit SessionProcessorFactory(ThriftServer::HandlerFactory factory)
      : factory_(std::move(factory)) {}
  std::shared_ptr<at::TProcessor> getProcessor(const at::TConnectionInfo&) override {
    return std::make_shared<CassandraProcessor>(factory_());
  }

 private:
  ThriftServer::HandlerFactory factory_;
};

// Tells Start() when the server socket is listening.
class ReadyHandler : public at::server::TServerEventHandler {
 public:
  std::promise<void> ready;
  void preServe() override { ready.set_value(); }
};

void RouteThriftLogs(const char* message) { CAIRN_LOG(INFO) << "thrift: " << message; }

}  // namespace

ThriftServer::ThriftServer(ThriftServerOptions options, node::Database* db)
    : options_(std::move(options)), db_(db) {}

ThriftServer::ThriftServer(ThriftServerOptions options, HandlerFactory factory)
    : options_(std::move(options)), factory_(std::move(factory)) {}

ThriftServer::~ThriftServer() { Stop(); }

Status ThriftServer::Start() {
  at::GlobalOutput.setOutputFunction(RouteThriftLogs);
  HandlerFactory factory = factory_;
  if (!factory) {
    auto context = std::make_shared<ServerContext>();
    context->db = db_;
    context->cluster_name = options_.cluster_name;
    context->snitch = options_.snitch;
    context->listen_address = options_.rpc_address_for_ring;
    context->rpc_address = options_.address;
    context->cluster = options_.cluster;
    context->coordinator = options_.coordinator;
    if (context->coordinator == nullptr) {
      own_cluster_ = std::make_unique<node::LocalClusterView>(db_, options_.rpc_address_for_ring,
                                                              options_.address);
      auto proxy = std::make_unique<node::StorageProxy>(node::StorageProxyOptions{}, db_,
                                                        own_cluster_.get(), nullptr);
      CAIRN_RETURN_IF_ERROR(proxy->Start());
      own_coordinator_ = std::move(proxy);
      context->coordinator = own_coordinator_.get();
    }
    factory = [context] { return std::make_shared<CassandraHandler>(context); };
  }

  // Without a ThreadManager, TNonblockingServer runs each request on the I/O thread that
  // read it (see the file comment of server.h for when that is better).
  std::shared_ptr<at::concurrency::ThreadManager> workers;
  if (options_.worker_threads > 0) {
    workers = at::concurrency::ThreadManager::newSimpleThreadManager(
        static_cast<size_t>(options_.worker_threads));
    workers->threadFactory(std::make_shared<at::concurrency::ThreadFactory>());
    workers->start();
  }

  // Strict read and write, like Cassandra; strings and containers can never claim more
  // than a frame holds.
  const auto limit = static_cast<int32_t>(options_.max_frame_bytes);
  auto protocol = std::make_shared<at::protocol::TBinaryProtocolFactory>(limit, limit, true, true);
  auto socket =
      std::make_shared<at::transport::TNonblockingServerSocket>(options_.address, options_.port);
  auto processors = std::make_shared<SessionProcessorFactory>(std::move(factory));
  server_ = std::make_shared<at::server::TNonblockingServer>(processors, protocol, socket,
                                                              workers);  // may be null
  server_->setNumIOThreads(static_cast<size_t>(std::max(1, options_.io_threads)));
  server_->setMaxFrameSize(options_.max_frame_bytes);
  auto ready = std::make_shared<ReadyHandler>();
  std::future<void> ready_future = ready->ready.get_future();
  server_->setServerEventHandler(ready);

  auto failure = std::make_shared<std::promise<std::string>>();
  std::future<std::string> failure_future = failure->get_future();
  serve_done_ = std::make_shared<std::atomic<bool>>(false);
  serve_thread_ = std::thread([server = server_, failure, done = serve_done_] {
    try {
      server->serve();
      failure->set_value("");
    } catch (const std::exception& e) {
      failure->set_value(e.what());
    }
    done->store(true);
  });
  // Either the server reports it is listening, or serve() fails (e.g. address in use).
  while (true) {
    if (ready_future.wait_for(std::chrono::milliseconds(10)) == std::future_status::ready) break;
    if (failure_future.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready) {
      std::string why = failure_future.get();
      serve_thread_.join();
      server_.reset();
      if (workers) workers->stop();
      return Status::IOError("cannot serve Thrift on " + options_.address + ":" +
                             std::to_string(options_.port) + ": " + why);
    }
  }
  port_ = server_->getListenPort();
  CAIRN_LOG(INFO) << "Thrift server listening on " << options_.address << ":" << port_
                  << " (framed, binary, max frame " << options_.max_frame_bytes << " bytes, "
                  << options_.io_threads << " I/O threads, "
                  << (options_.worker_threads > 0
                          ? std::to_string(options_.worker_threads) + " workers)"
                          : std::string("handlers on the I/O threads)"));
  return Status::OK();
}

void ThriftServer::Stop() {
  if (server_ == nullptr) return;
  // TNonblockingServer::stop() only asks each I/O loop to break, and with several I/O
  // threads a request made while the extra loops are still starting can be lost (about
  // 1 in 10 when stopping right after Start()), leaving serve() running forever. Asking
  // again until serve() returns is harmless: stop() only writes to the loops' pipes.
  server_->stop();
  for (int i = 0; !serve_done_->load() && i < 600; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(i < 10 ? 10 : 100));
    if (!serve_done_->load()) server_->stop();
  }
  if (serve_thread_.joinable()) serve_thread_.join();
  if (auto tm = server_->getThreadManager()) tm->stop();
  server_.reset();
  CAIRN_LOG(INFO) << "Thrift server stopped";
}

}  // namespace cairn::thrift
