// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The event-loop Thrift server (contract in server.h). Threads and ownership:
//   - Engine (one per started ThriftServer): the listening socket, the loops, the worker
//     pool, the handler factory. Lives from Start() to Stop().
//   - Loop (one thread each): an epoll set, an eventfd for wake-ups, a mutex-protected
//     queue of posts (accepted sockets, asynchronous replies, finished worker requests),
//     and the connections it owns. Held by shared_ptr so that a Reply callback, which may
//     outlive the server, can still post to it (the post is then dropped).
//   - Connection: owned by its loop's map; used on the loop thread, except that while
//     `pinned` a worker thread runs the processor on the frame in place (the loop only
//     appends to the buffer past that frame and never moves it meanwhile). Replies name
//     their connection by weak_ptr plus the request number, so a late or stray reply is
//     dropped rather than sent on the wrong request.
//
// Accepting: the listening socket is in loop 0's epoll set only (level-triggered); loop 0
// accepts until EAGAIN and deals the sockets round-robin, posting them to the other loops,
// which make the session and register the socket (EPOLLIN | EPOLLOUT | EPOLLRDHUP |
// EPOLLET, once). Edge-triggered means: read until a short read (or EAGAIN), write until
// EAGAIN, and remember what no later edge will repeat (`read_blocked`, `hung_up`).
//
// Read buffer of a connection: [0, begin) consumed, [begin, end) received and not yet
// consumed, [end, cap) free. It grows (doubling, from kInitialBuffer) only when full, up
// to max_frame_bytes + 4, and is freed when empty and larger than kKeepBuffer.
#include "thrift/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <thrift/TApplicationException.h>
#include <thrift/TOutput.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TVirtualTransport.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/logging.h"
#include "common/thread_name.h"
#include "node/local_cluster_view.h"
#include "node/storage_proxy.h"
#include "thrift/async_dispatch.h"
#include "thrift/handler.h"

namespace cairn::thrift {

namespace {

namespace at = ::apache::thrift;

constexpr size_t kInitialBuffer = 8 << 10;
constexpr size_t kKeepBuffer = 64 << 10;
constexpr int kMaxIov = 64;
// A connection whose client does not read its replies stops being served (its frames wait
// in the read buffer, then in the socket) once this many reply bytes are queued.
constexpr size_t kMaxPendingReplyBytes = 1 << 20;

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

// Reads one frame in place (no copy): TBufferBase's inline fast path over the bytes of
// the connection's read buffer. Reading past the frame throws END_OF_FILE.
class FrameTransport
    : public at::transport::TVirtualTransport<FrameTransport, at::transport::TBufferBase> {
 public:
  explicit FrameTransport(std::shared_ptr<at::TConfiguration> config)
      : TVirtualTransport(std::move(config)) {}
  void Reset(uint8_t* frame, uint32_t size) {
    setReadBuffer(frame, size);
    setWriteBuffer(nullptr, 0);
    resetConsumedMessageSize();      // then no container may claim more than the frame:
    resetConsumedMessageSize(size);  // TBinaryProtocol checks sizes against what is left
  }

 protected:
  uint32_t readSlow(uint8_t*, uint32_t) override { return 0; }
  void writeSlow(const uint8_t*, uint32_t) override {
    throw at::transport::TTransportException(at::transport::TTransportException::BAD_ARGS,
                                             "frame transport is read-only");
  }
  const uint8_t* borrowSlow(uint8_t*, uint32_t*) override { return nullptr; }
};

// Collects a reply message into a string that is then queued without a copy.
class ReplyTransport : public at::transport::TVirtualTransport<ReplyTransport> {
 public:
  void write(const uint8_t* buf, uint32_t len) {
    out.append(reinterpret_cast<const char*>(buf), len);
  }
  std::string out;
};

using InProtocol = at::protocol::TBinaryProtocolT<FrameTransport>;
using OutProtocol = at::protocol::TBinaryProtocolT<ReplyTransport>;

void RouteThriftLogs(const char* message) { CAIRN_LOG(INFO) << "thrift: " << message; }

class Loop;

struct OutChunk {
  char header[4];
  std::string body;
  size_t sent = 0;  // of header + body
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Loop* loop = nullptr;
  int fd = -1;
  bool closed = false;

  // The session and how it is called (set once, then read by the loop or the worker).
  std::shared_ptr<gen::CassandraIf> handler;
  AsyncDispatch* async = nullptr;  // the handler, when it implements AsyncDispatch
  std::shared_ptr<CassandraProcessor> processor;
  std::shared_ptr<FrameTransport> in_transport;
  std::shared_ptr<InProtocol> in;
  std::shared_ptr<ReplyTransport> out_transport;
  std::shared_ptr<OutProtocol> out;

  // Read buffer (see the top of this file).
  std::unique_ptr<uint8_t[]> buf;
  size_t cap = 0, begin = 0, end = 0;
  bool read_blocked = false;  // stopped reading because the buffer may not grow
  bool hung_up = false;       // the peer closed or reset: read to the end, whenever we read

  // The request in flight.
  bool busy = false;     // a request is in flight: process no further frame
  bool pinned = false;   // a worker reads the frame at [begin, begin + frame_size)
  bool dispatching = false;  // inside DispatchAsync on the loop thread
  uint64_t request = 0;  // number of the latest request
  size_t frame_size = 0;  // of the request in flight, header included
  std::optional<std::string> early_reply;  // replied during DispatchAsync

  std::deque<OutChunk> pending;  // replies not yet (fully) written
  size_t pending_bytes = 0;      // of `pending`, not yet written

  // No further frame is processed for now: a request in flight, or the client is not
  // reading its replies.
  bool Stalled() const { return busy || pending_bytes >= kMaxPendingReplyBytes; }
};

// A fixed pool running the synchronous processor; finished requests go back to their loop.
class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool() { Stop(); }
  void Submit(std::shared_ptr<Connection> c) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
      queue_.push_back(std::move(c));
    }
    cv_.notify_one();
  }
  // Waits for the running requests; queued ones are dropped.
  void Stop() {
    std::deque<std::shared_ptr<Connection>> dropped;  // freed outside the lock
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      dropped.swap(queue_);
    }
    cv_.notify_all();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
  }

 private:
  void Run();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Connection>> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

// What the loops share; read-only while they run.
struct Shared {
  size_t max_frame_bytes = 0;
  int busy_poll_us = 0;
  ThriftServer::HandlerFactory factory;
  std::shared_ptr<at::TConfiguration> config;
  WorkerPool* workers = nullptr;  // nullptr: processors run on the loops
  std::vector<std::shared_ptr<Loop>>* loops = nullptr;
};

// Runs the generated processor on the frame the connection's input protocol reads and
// returns the reply ("" for oneway calls and for frames that are not messages).
std::string RunProcessor(Connection& c) {
  c.out_transport->out.clear();
  try {
    c.processor->process(c.in, c.out, nullptr);
  } catch (const std::exception& e) {
    CAIRN_LOG_EVERY_N_SEC(WARN, 10) << "Thrift: skipping a frame that is not a valid request: "
                                    << e.what();
    c.out_transport->out.clear();
  }
  return std::move(c.out_transport->out);
}

std::string ApplicationError(Connection& c, const std::string& name, int32_t seqid,
                             at::TApplicationException::TApplicationExceptionType type,
                             const std::string& what) {
  c.out_transport->out.clear();
  at::TApplicationException x(type, what);
  c.out->writeMessageBegin(name, at::protocol::T_EXCEPTION, seqid);
  x.write(c.out.get());
  c.out->writeMessageEnd();
  return std::move(c.out_transport->out);
}

thread_local Loop* current_loop = nullptr;

class Loop : public std::enable_shared_from_this<Loop> {
 public:
  enum class PostKind { kAccepted, kReply, kWorkerDone };
  struct Post {
    PostKind kind;
    int fd = -1;  // kAccepted
    std::weak_ptr<Connection> conn;
    uint64_t request = 0;
    std::string message;
  };

  Loop(const Shared* shared, int listen_fd) : shared_(shared), listen_fd_(listen_fd) {
    // A descriptor held in reserve by the accepting loop: when accept fails with EMFILE
    // the loop frees it, accepts and closes the waiting connection, and takes it back,
    // so a full descriptor table sheds connections instead of spinning on the
    // level-triggered listener.
    if (listen_fd_ >= 0) spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }
  ~Loop() {
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    if (spare_fd_ >= 0) ::close(spare_fd_);
  }

  Status Init() {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_fd_ < 0 || wake_fd_ < 0) return Status::IOError(std::strerror(errno));
    epoll_event ev{};
    ev.events = EPOLLIN;  // level-triggered: Drain reads it
    ev.data.ptr = nullptr;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
      return Status::IOError(std::strerror(errno));
    }
    if (listen_fd_ >= 0) {
      ev.events = EPOLLIN;  // level-triggered: a backlog left by EMFILE is retried
      ev.data.ptr = &listen_fd_;
      if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev) != 0) {
        return Status::IOError(std::strerror(errno));
      }
    }
    return Status::OK();
  }

  void StartThread() {
    thread_ = std::thread([this] {
      SetThreadName("rpc-io");
      Run();
    });
  }

  // Any thread. False (and nothing happens) once the loop stopped.
  bool Enqueue(Post post) {
    bool was_empty;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) return false;
      was_empty = posts_.empty();
      posts_.push_back(std::move(post));
    }
    if (was_empty) Wake();
    return true;
  }

  void RequestStop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopped_ = true;
    }
    stop_.store(true, std::memory_order_release);
    Wake();
  }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }

  // The Reply given to DispatchAsync for request `request` of `c`.
  AsyncDispatch::Reply MakeReply(Connection& c) {
    return [loop = shared_from_this(), conn = c.weak_from_this(),
            request = c.request](std::string message) mutable {
      if (current_loop == loop.get()) {
        // Answered from inside DispatchAsync: no need to post.
        if (auto sc = conn.lock(); sc && sc->dispatching && sc->request == request) {
          sc->early_reply = std::move(message);
          return;
        }
      }
      loop->Enqueue(Post{PostKind::kReply, -1, std::move(conn), request, std::move(message)});
    };
  }

 private:
  void Wake() {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
  }

  void Run() {
    current_loop = this;
    std::vector<epoll_event> events(256);
    const auto poll_for = std::chrono::microseconds(shared_->busy_poll_us);
    std::chrono::steady_clock::time_point poll_until{};  // polling (not sleeping) until then
    while (!stop_.load(std::memory_order_acquire)) {
      const bool polling = poll_for.count() > 0 && std::chrono::steady_clock::now() < poll_until;
      int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                           polling ? 0 : -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        CAIRN_LOG(ERROR) << "Thrift: epoll_wait: " << std::strerror(errno);
        break;
      }
      if (n == 0) continue;
      if (poll_for.count() > 0) poll_until = std::chrono::steady_clock::now() + poll_for;
      for (int i = 0; i < n; ++i) {
        void* tag = events[i].data.ptr;
        if (tag == nullptr) {
          Drain();
        } else if (tag == &listen_fd_) {
          Accept();
        } else {
          OnEvents(*static_cast<Connection*>(tag), events[i].events);
        }
      }
      graveyard_.clear();  // closed in this batch: no event of the batch refers to them now
    }
    // Stopping: later posts are refused (stopped_), queued ones dropped.
    std::vector<Post> posts;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopped_ = true;
      posts.swap(posts_);
    }
    for (Post& p : posts) {
      if (p.kind == PostKind::kAccepted) ::close(p.fd);
    }
    std::vector<Connection*> all;
    for (auto& [ptr, conn] : conns_) all.push_back(ptr);
    for (Connection* c : all) Close(*c);
    graveyard_.clear();
    current_loop = nullptr;
  }

  void Drain() {
    uint64_t count;
    [[maybe_unused]] ssize_t r = ::read(wake_fd_, &count, sizeof count);  // before the swap
    std::vector<Post> posts;
    {
      std::lock_guard<std::mutex> lock(mu_);
      posts.swap(posts_);
    }
    for (Post& p : posts) {
      if (p.kind == PostKind::kAccepted) {
        AddConnection(p.fd);
        continue;
      }
      std::shared_ptr<Connection> c = p.conn.lock();
      if (c == nullptr || c->closed || !c->busy || c->request != p.request) continue;
      if (p.kind == PostKind::kWorkerDone) {
        c->pinned = false;
        Consume(*c);
      } else if (c->pinned) {
        continue;  // a Reply for a request the worker is running: not ours to answer
      }
      c->busy = false;
      if (!p.message.empty()) Queue(*c, std::move(p.message));
      Pump(*c, false);
    }
  }

  void Accept() {
    while (true) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if ((errno == EMFILE || errno == ENFILE) && spare_fd_ >= 0) {
          CAIRN_LOG_EVERY_N_SEC(WARN, 10)
              << "Thrift: out of file descriptors, closing a new connection";
          ::close(spare_fd_);
          int shed = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
          if (shed >= 0) ::close(shed);
          spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
          if (shed >= 0) continue;
          return;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
          CAIRN_LOG_EVERY_N_SEC(WARN, 10) << "Thrift: accept: " << std::strerror(errno);
        }
        return;
      }
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto& loops = *shared_->loops;
      Loop* target = loops[next_loop_++ % loops.size()].get();
      if (target == this) {
        AddConnection(fd);
      } else if (!target->Enqueue(Post{PostKind::kAccepted, fd, {}, 0, {}})) {
        ::close(fd);
      }
    }
  }

  void AddConnection(int fd) {
    auto c = std::make_shared<Connection>();
    c->loop = this;
    c->fd = fd;
    try {
      c->handler = shared_->factory();
      if (c->handler == nullptr) throw std::runtime_error("the handler factory made none");
      c->async = dynamic_cast<AsyncDispatch*>(c->handler.get());
      c->processor = std::make_shared<CassandraProcessor>(c->handler);
    } catch (const std::exception& e) {
      CAIRN_LOG_EVERY_N_SEC(ERROR, 10) << "Thrift: cannot make a session: " << e.what();
      ::close(fd);
      return;
    }
    const auto limit = static_cast<int32_t>(
        std::min<size_t>(shared_->max_frame_bytes, std::numeric_limits<int32_t>::max()));
    c->in_transport = std::make_shared<FrameTransport>(shared_->config);
    c->in = std::make_shared<InProtocol>(c->in_transport, limit, limit, true, true);
    c->out_transport = std::make_shared<ReplyTransport>();
    c->out = std::make_shared<OutProtocol>(c->out_transport, limit, limit, true, true);
    // Registered once for the connection's life: edge-triggered, both directions.
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = c.get();
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      CAIRN_LOG_EVERY_N_SEC(ERROR, 10) << "Thrift: epoll_ctl: " << std::strerror(errno);
      ::close(fd);
      return;
    }
    conns_.emplace(c.get(), std::move(c));
  }

  void Close(Connection& c) {
    if (c.closed) return;
    c.closed = true;
    // Explicitly: a descriptor duplicated into a forked child would keep the registration.
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    c.pending.clear();
    c.pending_bytes = 0;
    auto it = conns_.find(&c);
    if (it != conns_.end()) {
      graveyard_.push_back(std::move(it->second));
      conns_.erase(it);
    }
  }

  void OnEvents(Connection& c, uint32_t events) {
    if (c.closed) return;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
      // After a hang-up, read to the end so the close is seen (no further edge comes),
      // now or when reading resumes.
      if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c.hung_up = true;
      Pump(c, true);
    } else if ((events & EPOLLOUT) && !c.pending.empty()) {
      Pump(c, false);
    }
  }

  // Reads (when `read`, or when reading was blocked), processes the complete frames,
  // writes the replies; again while that unblocks reading or processing.
  void Pump(Connection& c, bool read) {
    while (true) {
      if (read || c.read_blocked) {
        c.read_blocked = false;
        ReadSome(c);
        if (c.closed) return;
      }
      ProcessFrames(c);
      if (c.closed) return;
      const bool output_stalled = c.pending_bytes >= kMaxPendingReplyBytes;
      Flush(c);
      if (c.closed || c.busy) return;
      if (output_stalled && !c.Stalled()) {
        read = false;  // the socket took the replies: serve the frames that waited
      } else if (c.read_blocked && !c.Stalled()) {
        read = true;  // blocked by a full buffer, and the frames served made room
      } else {
        return;
      }
    }
  }

  // Makes room at the end of the buffer. False when it may not grow.
  bool EnsureSpace(Connection& c) {
    if (c.end < c.cap) return true;
    if (c.pinned) return false;  // a worker reads the frame in place: no move
    if (c.begin > 0) {
      std::memmove(c.buf.get(), c.buf.get() + c.begin, c.end - c.begin);
      c.end -= c.begin;
      c.begin = 0;
      if (c.end < c.cap) return true;
    }
    const size_t limit = shared_->max_frame_bytes + 4;
    if (c.cap >= limit) return false;
    size_t cap = std::min(std::max(c.cap * 2, kInitialBuffer), limit);
    auto buf = std::make_unique_for_overwrite<uint8_t[]>(cap);
    if (c.end > 0) std::memcpy(buf.get(), c.buf.get(), c.end);
    c.buf = std::move(buf);
    c.cap = cap;
    return true;
  }

  void ReadSome(Connection& c) {
    while (true) {
      if (!EnsureSpace(c)) {
        c.read_blocked = true;
        return;
      }
      const size_t room = c.cap - c.end;
      ssize_t n = ::recv(c.fd, c.buf.get() + c.end, room, 0);
      if (n > 0) {
        c.end += static_cast<size_t>(n);
        // A short read emptied the socket: a new edge comes with the next bytes.
        if (static_cast<size_t>(n) < room && !c.hung_up) return;
        continue;
      }
      if (n == 0) {
        Close(c);
        return;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      Close(c);
      return;
    }
  }

  void ProcessFrames(Connection& c) {
    while (!c.Stalled() && !c.closed) {
      const size_t avail = c.end - c.begin;
      if (avail < 4) return;
      const uint8_t* p = c.buf.get() + c.begin;
      const uint32_t len = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
                           (uint32_t{p[2]} << 8) | uint32_t{p[3]};
      if (len == 0 || len > shared_->max_frame_bytes) {
        CAIRN_LOG_EVERY_N_SEC(WARN, 10)
            << "Thrift: closing a connection that sent a frame of " << len
            << " bytes (max " << shared_->max_frame_bytes
            << "; is the client using the framed transport?)";
        Close(c);
        return;
      }
      if (avail < 4 + static_cast<size_t>(len)) return;
      Dispatch(c, len);
    }
  }

  // The frame at c.begin is complete. Answers it, or leaves it in flight (busy).
  void Dispatch(Connection& c, uint32_t len) {
    uint8_t* frame = c.buf.get() + c.begin + 4;
    c.busy = true;
    c.frame_size = 4 + static_cast<size_t>(len);
    ++c.request;
    if (c.async != nullptr) {
      c.in_transport->Reset(frame, len);
      std::string name;
      at::protocol::TMessageType type;
      int32_t seqid = 0;
      try {
        c.in->readMessageBegin(name, type, seqid);
      } catch (const std::exception& e) {
        CAIRN_LOG_EVERY_N_SEC(WARN, 10)
            << "Thrift: skipping a frame that is not a valid message: " << e.what();
        Finish(c, "");
        return;
      }
      const bool oneway = type == at::protocol::T_ONEWAY;
      bool taken = false;
      std::optional<std::string> error;
      c.dispatching = true;
      c.early_reply.reset();
      try {
        taken = c.async->DispatchAsync(name, seqid, c.in.get(), MakeReply(c));
      } catch (const at::protocol::TProtocolException& e) {
        error = ApplicationError(c, name, seqid, at::TApplicationException::PROTOCOL_ERROR,
                                 e.what());
      } catch (const std::exception& e) {
        error = ApplicationError(c, name, seqid, at::TApplicationException::INTERNAL_ERROR,
                                 e.what());
      }
      c.dispatching = false;
      if (error) {
        Finish(c, oneway ? std::string() : std::move(*error));
        return;
      }
      if (taken) {
        Consume(c);  // the handler read its arguments: the frame is no longer needed
        if (oneway) {
          c.busy = false;
        } else if (c.early_reply) {
          c.busy = false;
          Queue(c, std::move(*c.early_reply));
          c.early_reply.reset();
        }
        return;  // otherwise the reply is posted to Drain
      }
    }
    c.in_transport->Reset(frame, len);  // the processor reads the whole message
    if (shared_->workers != nullptr) {
      c.pinned = true;
      shared_->workers->Submit(c.shared_from_this());
      return;
    }
    Finish(c, RunProcessor(c));
  }

  // The request in flight is answered by `reply` ("" = nothing to send).
  void Finish(Connection& c, std::string reply) {
    Consume(c);
    c.busy = false;
    if (!reply.empty()) Queue(c, std::move(reply));
  }

  // Drops the in-flight frame from the buffer.
  void Consume(Connection& c) {
    c.begin += c.frame_size;
    c.frame_size = 0;
    if (c.begin == c.end) {
      c.begin = c.end = 0;
      if (c.cap > kKeepBuffer) {
        c.buf.reset();
        c.cap = 0;
      }
    }
  }

  void Queue(Connection& c, std::string message) {
    OutChunk& chunk = c.pending.emplace_back();
    const auto n = static_cast<uint32_t>(message.size());
    chunk.header[0] = static_cast<char>(n >> 24);
    chunk.header[1] = static_cast<char>(n >> 16);
    chunk.header[2] = static_cast<char>(n >> 8);
    chunk.header[3] = static_cast<char>(n);
    chunk.body = std::move(message);
    c.pending_bytes += 4 + chunk.body.size();
  }

  // Writes what the socket takes; the rest waits for EPOLLOUT (edge-triggered).
  void Flush(Connection& c) {
    while (!c.pending.empty()) {
      iovec iov[kMaxIov];
      int n = 0;
      for (auto it = c.pending.begin(); it != c.pending.end() && n + 2 <= kMaxIov; ++it) {
        if (it->sent < 4) {
          iov[n++] = {it->header + it->sent, 4 - it->sent};
          iov[n++] = {it->body.data(), it->body.size()};
        } else {
          iov[n++] = {it->body.data() + (it->sent - 4), it->body.size() - (it->sent - 4)};
        }
      }
      msghdr msg{};
      msg.msg_iov = iov;
      msg.msg_iovlen = static_cast<size_t>(n);
      ssize_t w = ::sendmsg(c.fd, &msg, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        Close(c);
        return;
      }
      auto written = static_cast<size_t>(w);
      c.pending_bytes -= written;
      while (written > 0) {
        OutChunk& front = c.pending.front();
        const size_t left = 4 + front.body.size() - front.sent;
        if (written >= left) {
          written -= left;
          c.pending.pop_front();
        } else {
          front.sent += written;
          written = 0;
        }
      }
    }
  }

  const Shared* shared_;
  int listen_fd_;  // loop 0 only; -1 otherwise
  int spare_fd_ = -1;  // loop 0 only: the reserve descriptor (see the constructor)
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  size_t next_loop_ = 0;  // round-robin of accepted connections

  std::mutex mu_;
  std::vector<Post> posts_;  // GUARDED_BY(mu_)
  bool stopped_ = false;     // GUARDED_BY(mu_)

  // Loop thread only.
  std::unordered_map<Connection*, std::shared_ptr<Connection>> conns_;
  std::vector<std::shared_ptr<Connection>> graveyard_;
};

WorkerPool::WorkerPool(int threads) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      SetThreadName("rpc-worker");
      Run();
    });
  }
}

void WorkerPool::Run() {
  while (true) {
    std::shared_ptr<Connection> c;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      c = std::move(queue_.front());
      queue_.pop_front();
    }
    std::string reply = RunProcessor(*c);
    c->loop->Enqueue(Loop::Post{Loop::PostKind::kWorkerDone, -1, c->weak_from_this(),
                                c->request, std::move(reply)});
  }
}

// Binds and listens on address:port. Returns the socket or -1 with `error` set.
int Listen(const std::string& address, int port, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  int rc = ::getaddrinfo(address.empty() ? nullptr : address.c_str(), service.c_str(), &hints,
                         &res);
  if (rc != 0) {
    *error = ::gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                  ai->ai_protocol);
    if (fd < 0) {
      *error = std::strerror(errno);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0) break;
    *error = std::strerror(errno);
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(res);
  return fd;
}

}  // namespace

class ThriftServer::Engine {
 public:
  ~Engine() { Stop(); }

  Status Start(const ThriftServerOptions& options, HandlerFactory factory, int listen_fd) {
    listen_fd_ = listen_fd;
    shared_.max_frame_bytes = options.max_frame_bytes;
    shared_.busy_poll_us = std::max(0, options.busy_poll_us);
    shared_.factory = std::move(factory);
    shared_.config = std::make_shared<at::TConfiguration>(
        static_cast<int>(std::min<size_t>(options.max_frame_bytes + 4,
                                          std::numeric_limits<int32_t>::max())));
    shared_.loops = &loops_;
    if (options.worker_threads > 0) {
      workers_ = std::make_unique<WorkerPool>(options.worker_threads);
      shared_.workers = workers_.get();
    }
    const int n = std::max(1, options.io_threads);
    for (int i = 0; i < n; ++i) {
      loops_.push_back(std::make_shared<Loop>(&shared_, i == 0 ? listen_fd : -1));
      CAIRN_RETURN_IF_ERROR(loops_.back()->Init());
    }
    for (auto& loop : loops_) loop->StartThread();
    return Status::OK();
  }

  void Stop() {
    for (auto& loop : loops_) loop->RequestStop();
    for (auto& loop : loops_) loop->Join();
    if (workers_) workers_->Stop();  // finished requests post to stopped loops: dropped
    if (listen_fd_ >= 0) ::close(listen_fd_);
    listen_fd_ = -1;
    loops_.clear();  // a Reply still held by a handler keeps its Loop, which drops it
    workers_.reset();
  }

 private:
  Shared shared_;
  std::vector<std::shared_ptr<Loop>> loops_;
  std::unique_ptr<WorkerPool> workers_;
  int listen_fd_ = -1;
};

ThriftServer::ThriftServer(ThriftServerOptions options, node::Database* db)
    : options_(std::move(options)), db_(db) {}

ThriftServer::ThriftServer(ThriftServerOptions options, HandlerFactory factory)
    : options_(std::move(options)), factory_(std::move(factory)) {}

ThriftServer::~ThriftServer() { Stop(); }

Status ThriftServer::Start() {
  at::GlobalOutput.setOutputFunction(RouteThriftLogs);
  std::string error;
  int listen_fd = Listen(options_.address, options_.port, &error);
  if (listen_fd < 0) {
    return Status::IOError("cannot serve Thrift on " + options_.address + ":" +
                           std::to_string(options_.port) + ": " + error);
  }
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof bound;
  ::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&bound), &bound_len);
  port_ = ntohs(bound.ss_family == AF_INET6
                    ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                    : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);

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
      Status s = proxy->Start();
      if (!s.ok()) {
        ::close(listen_fd);
        return s;
      }
      own_coordinator_ = std::move(proxy);
      context->coordinator = own_coordinator_.get();
    }
    factory = [context] { return std::make_shared<CassandraHandler>(context); };
  }

  engine_ = std::make_unique<Engine>();
  Status s = engine_->Start(options_, std::move(factory), listen_fd);  // owns listen_fd
  if (!s.ok()) {
    engine_.reset();
    return Status::IOError("cannot serve Thrift on " + options_.address + ":" +
                           std::to_string(options_.port) + ": " + s.ToString());
  }
  CAIRN_LOG(INFO) << "Thrift server listening on " << options_.address << ":" << port_
                  << " (framed, binary, max frame " << options_.max_frame_bytes << " bytes, "
                  << std::max(1, options_.io_threads) << " I/O threads, "
                  << (options_.worker_threads > 0
                          ? std::to_string(options_.worker_threads) + " workers)"
                          : std::string("handlers on the I/O threads)"));
  return Status::OK();
}

void ThriftServer::Stop() {
  if (engine_ == nullptr) return;
  engine_->Stop();
  engine_.reset();
  CAIRN_LOG(INFO) << "Thrift server stopped";
}

}  // namespace cairn::thrift
