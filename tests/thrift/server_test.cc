// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The event-loop ThriftServer (thrift/server.h) with a fake session instead of a node:
// real sockets and the generated client. The session (FakeSession) answers
//   - describe_version synchronously ("fake-1.0"), describe_cluster_name synchronously
//     after sleeping kSlowMs (a blocking method), describe_splits synchronously with a
//     large list (a reply the socket cannot take at once), remove through the
//     synchronous processor (DispatchAsync returns false);
//   - get asynchronously from another thread (the Responder) after column_path.column
//     milliseconds, with a column named after the key; insert asynchronously but from
//     inside DispatchAsync; truncate by throwing TProtocolException from DispatchAsync.
// It records the threads it ran on, so tests can tell I/O threads from workers.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thrift/TApplicationException.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "tests/thrift/thrift_test_util.h"
#include "thrift/async_dispatch.h"

namespace cairn::thrift::test {
namespace {

using namespace std::chrono_literals;

constexpr int kSlowMs = 300;

// Runs functions on its own thread at given times; on destruction, runs what is left at
// once (late replies, possibly after the server is gone).
class Responder {
 public:
  Responder() : thread_([this] { Run(); }) {}
  ~Responder() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    for (auto& [when, fn] : tasks_) fn();
  }
  void After(int ms, std::function<void()> fn) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      tasks_.emplace(std::chrono::steady_clock::now() + std::chrono::milliseconds(ms),
                     std::move(fn));
    }
    cv_.notify_all();
  }
  int fired() const { return fired_.load(); }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      if (tasks_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto it = tasks_.begin();
      if (it->first > std::chrono::steady_clock::now()) {
        cv_.wait_until(lock, it->first);
        continue;
      }
      auto fn = std::move(it->second);
      tasks_.erase(it);
      lock.unlock();
      fn();
      ++fired_;
      lock.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> tasks_;
  bool stop_ = false;
  std::atomic<int> fired_{0};
  std::thread thread_;
};

// Which threads ran what, across sessions.
struct Threads {
  std::mutex mu;
  std::set<std::thread::id> dispatch;  // DispatchAsync calls (I/O threads)
  std::set<std::thread::id> sync;      // synchronous methods
  std::atomic<int> dispatched{0};
  void Dispatch() {
    std::lock_guard<std::mutex> lock(mu);
    dispatch.insert(std::this_thread::get_id());
    ++dispatched;
  }
  void Sync() {
    std::lock_guard<std::mutex> lock(mu);
    sync.insert(std::this_thread::get_id());
  }
};

std::atomic<int> live_sessions{0};

template <typename Result>
std::string ReplyMessage(const std::string& name, int32_t seqid, const Result& result) {
  auto buffer = std::make_shared<at::transport::TMemoryBuffer>();
  at::protocol::TBinaryProtocol out(buffer);
  out.writeMessageBegin(name, at::protocol::T_REPLY, seqid);
  result.write(&out);
  out.writeMessageEnd();
  return buffer->getBufferAsString();
}

class FakeSession : public gen::CassandraNull, public AsyncDispatch {
 public:
  FakeSession(Responder* responder, Threads* threads)
      : responder_(responder), threads_(threads) {
    ++live_sessions;
  }
  ~FakeSession() override { --live_sessions; }

  void describe_version(std::string& out) override {
    threads_->Sync();
    out = "fake-1.0";
  }
  void describe_cluster_name(std::string& out) override {
    threads_->Sync();
    std::this_thread::sleep_for(std::chrono::milliseconds(kSlowMs));
    out = "slow";
  }
  void describe_splits(std::vector<std::string>& out, const std::string& cf,
                       const std::string&, const std::string&, int32_t count) override {
    out.assign(static_cast<size_t>(count), std::string(1000, cf.empty() ? 'x' : cf[0]));
  }

  bool DispatchAsync(const std::string& name, int32_t seqid, at::protocol::TProtocol* in,
                     Reply reply) override {
    threads_->Dispatch();
    if (name == "get") {
      gen::Cassandra_get_args args;
      args.read(in);
      in->readMessageEnd();
      gen::Cassandra_get_result result;
      result.success.__isset.column = true;
      result.success.column.name = args.key;
      result.__isset.success = true;
      const int delay_ms = std::stoi(args.column_path.column);
      responder_->After(delay_ms, [reply = std::move(reply),
                                   message = ReplyMessage("get", seqid, result)] {
        reply(message);
      });
      return true;
    }
    if (name == "insert") {
      gen::Cassandra_insert_args args;
      args.read(in);
      in->readMessageEnd();
      reply(ReplyMessage("insert", seqid, gen::Cassandra_insert_result()));
      return true;
    }
    if (name == "truncate") {
      throw at::protocol::TProtocolException(at::protocol::TProtocolException::INVALID_DATA,
                                             "truncate arguments do not decode");
    }
    return false;  // the synchronous processor answers
  }

 private:
  Responder* responder_;
  Threads* threads_;
};


class ThriftServerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_) server_->Stop();
    server_.reset();
  }
  void StartServer(int io_threads, int worker_threads, size_t max_frame = 1 << 20) {
    ThriftServerOptions o;
    o.address = kHost;
    o.port = 0;
    o.io_threads = io_threads;
    o.worker_threads = worker_threads;
    o.max_frame_bytes = max_frame;
    server_ = std::make_unique<ThriftServer>(
        o, [this] { return std::make_shared<FakeSession>(&responder_, &threads_); });
    ASSERT_OK(server_->Start());
    ASSERT_GT(server_->port(), 0);
  }
  static gen::ColumnPath DelayMs(int ms) { return Path("cf", std::to_string(ms)); }
  std::string Get(Client& c, const std::string& key, int delay_ms) {
    gen::ColumnOrSuperColumn out;
    c->get(out, key, DelayMs(delay_ms), gen::ConsistencyLevel::ONE);
    return out.column.name;
  }

  Responder responder_;  // destroyed after the server: its leftovers reply to nobody
  Threads threads_;
  std::unique_ptr<ThriftServer> server_;
};

TEST_F(ThriftServerTest, SyncAsyncAndEarlyRepliesOnOneConnection) {
  StartServer(1, 0);
  Client c(server_->port());
  std::string v;
  c->describe_version(v);
  EXPECT_EQ(v, "fake-1.0");
  EXPECT_EQ(Get(c, "k1", 0), "k1");
  EXPECT_EQ(Get(c, "k2", 50), "k2");
  c->insert("k", Parent("cf"), Col("c", "v", 1), gen::ConsistencyLevel::ONE);  // early reply
  gen::ColumnPath path = Path("cf", "c");
  c->remove("k", path, 1, gen::ConsistencyLevel::ONE);  // DispatchAsync returned false
  c->describe_version(v);
  EXPECT_EQ(v, "fake-1.0");
}

TEST_F(ThriftServerTest, PipelinedRepliesKeepTheRequestOrder) {
  StartServer(2, 0);
  Client c(server_->port());
  // Sent before any reply is read: the slow asynchronous get must still come first.
  c->send_get("first", DelayMs(200), gen::ConsistencyLevel::ONE);
  c->send_get("second", DelayMs(0), gen::ConsistencyLevel::ONE);
  c->send_describe_version();
  c->send_insert("k", Parent("cf"), Col("c", "v", 1), gen::ConsistencyLevel::ONE);
  c->send_get("third", DelayMs(20), gen::ConsistencyLevel::ONE);
  gen::ColumnOrSuperColumn out;
  c->recv_get(out);
  EXPECT_EQ(out.column.name, "first");
  c->recv_get(out);
  EXPECT_EQ(out.column.name, "second");
  std::string v;
  c->recv_describe_version(v);
  EXPECT_EQ(v, "fake-1.0");
  c->recv_insert();
  c->recv_get(out);
  EXPECT_EQ(out.column.name, "third");
}

TEST_F(ThriftServerTest, ManyConnectionsAcrossIoThreads) {
  constexpr int kIoThreads = 3, kClients = 12, kConnsPerClient = 4, kRounds = 40;
  StartServer(kIoThreads, 0);
  std::atomic<int> wrong{0}, failed{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kClients; ++t) {
    clients.emplace_back([&, t] {
      try {
        std::vector<std::unique_ptr<Client>> conns;
        for (int i = 0; i < kConnsPerClient; ++i) {
          conns.push_back(std::make_unique<Client>(server_->port()));
        }
        for (int r = 0; r < kRounds; ++r) {
          Client& c = *conns[static_cast<size_t>(r % kConnsPerClient)];
          const std::string key = std::to_string(t) + "/" + std::to_string(r);
          if (Get(c, key, r % 3) != key) ++wrong;
          std::string v;
          c->describe_version(v);
          if (v != "fake-1.0") ++wrong;
          c->insert(key, Parent("cf"), Col("c", "v", 1), gen::ConsistencyLevel::ONE);
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
        ++failed;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(failed.load(), 0);
  std::lock_guard<std::mutex> lock(threads_.mu);
  EXPECT_EQ(threads_.dispatch.size(), static_cast<size_t>(kIoThreads))
      << "connections should be spread over every I/O thread";
  // No workers: the synchronous methods ran on those same threads.
  for (auto id : threads_.sync) EXPECT_TRUE(threads_.dispatch.count(id));
}

TEST_F(ThriftServerTest, ReplyAfterTheClientDisconnectedIsDropped) {
  StartServer(2, 0);
  {
    Client c(server_->port());
    c->send_get("gone", DelayMs(100), gen::ConsistencyLevel::ONE);
    for (int i = 0; i < 100 && threads_.dispatched.load() == 0; ++i) {
      std::this_thread::sleep_for(5ms);
    }
    ASSERT_EQ(threads_.dispatched.load(), 1);
  }  // disconnects before the reply
  // The session is freed when its connection closes, although its reply is pending.
  for (int i = 0; i < 100 && live_sessions.load() > 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(live_sessions.load(), 0);
  const int fired = responder_.fired();
  for (int i = 0; i < 100 && responder_.fired() == fired; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(responder_.fired(), fired + 1);
  Client c(server_->port());
  EXPECT_EQ(Get(c, "still", 0), "still");
}

TEST_F(ThriftServerTest, ReplyAfterStopIsDropped) {
  StartServer(2, 2);
  Client c(server_->port());
  c->send_get("late", DelayMs(150), gen::ConsistencyLevel::ONE);
  for (int i = 0; i < 100 && threads_.dispatched.load() == 0; ++i) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_EQ(threads_.dispatched.load(), 1);
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  server_->Stop();  // idempotent
  EXPECT_LT(std::chrono::steady_clock::now() - start, 100ms) << "Stop waits for no reply";
  EXPECT_EQ(live_sessions.load(), 0);
  const int fired = responder_.fired();
  for (int i = 0; i < 100 && responder_.fired() == fired; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(responder_.fired(), fired + 1);
  server_.reset();
  // And a reply after the server object is gone (run by ~Responder at the latest).
  StartServer(1, 0);
  Client d(server_->port());
  d->send_get("later", DelayMs(10000), gen::ConsistencyLevel::ONE);
  std::this_thread::sleep_for(30ms);
  server_.reset();
}

TEST_F(ThriftServerTest, OversizedAndEmptyFramesCloseTheConnection) {
  StartServer(2, 0, 64 << 10);
  Client steady(server_->port());
  for (uint32_t len : {(64u << 10) + 1, 0u, 0x80000000u, 0xffffffffu}) {
    int fd = Connect(server_->port());
    ASSERT_GE(fd, 0);
    std::string bytes = FrameLength(len) + std::string(100, 'x');
    ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
    EXPECT_TRUE(ClosedByServer(fd)) << "frame length " << len;
    ::close(fd);
  }
  std::string v;
  steady->describe_version(v);
  EXPECT_EQ(v, "fake-1.0");
  // A frame of exactly the limit is read (it is not a message: skipped), and the
  // connection goes on.
  int fd = Connect(server_->port());
  std::string big = FrameLength(64u << 10) + std::string(64u << 10, '\x01');
  ASSERT_EQ(::send(fd, big.data(), big.size(), MSG_NOSIGNAL), static_cast<ssize_t>(big.size()));
  EXPECT_FALSE(ClosedByServer(fd, 300));
  ::close(fd);
}

TEST_F(ThriftServerTest, WorkerPoolRunsBlockingMethodsOffTheIoThread) {
  StartServer(1, 2);
  std::thread slow([&] {
    Client c(server_->port());
    std::string name;
    c->describe_cluster_name(name);
    EXPECT_EQ(name, "slow");
  });
  std::this_thread::sleep_for(50ms);  // the slow call occupies a worker
  Client c(server_->port());
  const auto start = std::chrono::steady_clock::now();
  std::string v;
  c->describe_version(v);
  EXPECT_EQ(v, "fake-1.0");
  EXPECT_EQ(Get(c, "async", 0), "async");  // DispatchAsync still on the I/O thread
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(kSlowMs / 2))
      << "the single I/O thread must not be blocked by the slow method";
  slow.join();
  std::lock_guard<std::mutex> lock(threads_.mu);
  ASSERT_EQ(threads_.dispatch.size(), 1u);
  for (auto id : threads_.sync) EXPECT_FALSE(threads_.dispatch.count(id));
}

TEST_F(ThriftServerTest, ProtocolExceptionFromDispatchAsyncAnswersProtocolError) {
  for (int workers : {0, 2}) {
    StartServer(1, workers);
    Client c(server_->port());
    try {
      c->truncate("cf");
      ADD_FAILURE() << "truncate should fail";
    } catch (const at::TApplicationException& e) {
      EXPECT_EQ(e.getType(), at::TApplicationException::PROTOCOL_ERROR);
      EXPECT_NE(std::string(e.what()).find("do not decode"), std::string::npos) << e.what();
    }
    std::string v;
    c->describe_version(v);  // the connection goes on
    EXPECT_EQ(v, "fake-1.0");
    server_->Stop();
  }
}

TEST_F(ThriftServerTest, LargeReplyWaitsForTheSocket) {
  for (int workers : {0, 2}) {
    StartServer(1, workers);
    Client c(server_->port());
    // ~8 MB: more than the socket buffers hold while the client is not reading.
    c->send_describe_splits("z", "", "", 8000);
    c->send_describe_version();
    std::this_thread::sleep_for(200ms);
    std::vector<std::string> splits;
    c->recv_describe_splits(splits);
    ASSERT_EQ(splits.size(), 8000u);
    EXPECT_EQ(splits[7999], std::string(1000, 'z'));
    std::string v;
    c->recv_describe_version(v);
    EXPECT_EQ(v, "fake-1.0");
    server_->Stop();
  }
}

TEST_F(ThriftServerTest, ClientNotReadingItsRepliesIsPausedThenServed) {
  StartServer(1, 0);
  // 200 pipelined describe_splits of ~100 KB replies each (20 MB), sent while nobody reads:
  // the server stops serving that connection once its replies pile up, serves others
  // meanwhile, and resumes as the client reads.
  auto buffer = std::make_shared<at::transport::TMemoryBuffer>();
  auto framed = std::make_shared<at::transport::TFramedTransport>(buffer);
  gen::CassandraClient writer(std::make_shared<at::protocol::TBinaryProtocol>(framed));
  writer.send_describe_splits("q", "", "", 100);
  const std::string request = buffer->getBufferAsString();
  constexpr int kRequests = 200;
  int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  std::thread sender([&] {
    for (int i = 0; i < kRequests; ++i) {
      std::string_view rest = request;
      while (!rest.empty()) {
        ssize_t n = ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
        if (n <= 0) return;
        rest.remove_prefix(static_cast<size_t>(n));
      }
    }
  });
  std::this_thread::sleep_for(200ms);
  {
    Client other(server_->port());
    std::string v;
    other->describe_version(v);
    EXPECT_EQ(v, "fake-1.0");
  }
  int frames = 0;
  std::string in;
  char buf[65536];
  while (frames < kRequests) {
    pollfd p{fd, POLLIN, 0};
    ASSERT_GT(::poll(&p, 1, 5000), 0) << "after " << frames << " replies";
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 0);
    in.append(buf, static_cast<size_t>(n));
    while (in.size() >= 4) {
      const uint32_t len = ntohl(*reinterpret_cast<const uint32_t*>(in.data()));
      if (in.size() < 4 + len) break;
      EXPECT_GT(len, 100u * 1000u);
      in.erase(0, 4 + len);
      ++frames;
    }
  }
  sender.join();
  ::close(fd);
}

TEST_F(ThriftServerTest, HalfClosedClientIsClosedAfterItsBufferedRequests) {
  // A request in flight, 100 KB more pipelined behind it (more than the 64 KiB read
  // buffer takes), then the client shuts down its side: the server must still notice the
  // end of the stream once it resumes reading, rather than keep the socket forever.
  StartServer(1, 0, 64 << 10);
  auto buffer = std::make_shared<at::transport::TMemoryBuffer>();
  auto framed = std::make_shared<at::transport::TFramedTransport>(buffer);
  gen::CassandraClient writer(std::make_shared<at::protocol::TBinaryProtocol>(framed));
  writer.send_get("first", DelayMs(200), gen::ConsistencyLevel::ONE);
  while (buffer->available_read() < 100 << 10) {
    writer.send_get("next", DelayMs(0), gen::ConsistencyLevel::ONE);
  }
  const std::string requests = buffer->getBufferAsString();
  int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  std::thread sender([&] {
    std::string_view rest = requests;
    while (!rest.empty()) {
      ssize_t n = ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      rest.remove_prefix(static_cast<size_t>(n));
    }
    ::shutdown(fd, SHUT_WR);
  });
  // Read the replies until the server closes.
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(ClosedByServer(fd, 10000));
  sender.join();
  ::close(fd);
}

TEST_F(ThriftServerTest, OutOfDescriptorsShedsTheNewConnectionAndKeepsServing) {
  StartServer(1, 0);
  Client a(server_->port());
  std::string v;
  a->describe_version(v);
  // Use every descriptor number up to the highest open one, then allow exactly one more:
  // the client's socket takes it, so the server's accept fails with EMFILE.
  int highest = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    highest = std::max(highest, std::stoi(e.path().filename().string()));
  }
  std::vector<int> fillers;
  while (fillers.empty() || fillers.back() < highest) {
    int f = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(f, 0);
    fillers.push_back(f);
  }
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old), 0);
  rlimit low = old;
  low.rlim_cur = static_cast<rlim_t>(fillers.back() + 2);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  const int b = Connect(server_->port());
  const bool shed = b >= 0 && ClosedByServer(b);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &old), 0);
  for (int f : fillers) ::close(f);
  if (b >= 0) ::close(b);
  ASSERT_GE(b, 0);
  EXPECT_TRUE(shed) << "the connection accepted without a descriptor was not closed";
  // The server still serves the old connection and accepts new ones.
  a->describe_version(v);
  EXPECT_EQ(v, "fake-1.0");
  Client c(server_->port());
  c->describe_version(v);
  EXPECT_EQ(v, "fake-1.0");
}

TEST_F(ThriftServerTest, StartFailsWhenTheAddressIsTaken) {
  StartServer(1, 0);
  ThriftServerOptions o;
  o.address = kHost;
  o.port = server_->port();
  ThriftServer second(o, [this] { return std::make_shared<FakeSession>(&responder_, &threads_); });
  Status s = second.Start();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.ToString().find("cannot serve Thrift on"), std::string::npos) << s.ToString();
  second.Stop();
}

}  // namespace
}  // namespace cairn::thrift::test
