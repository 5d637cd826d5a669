// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// MessagingService: the accept loop, the outbound and inbound connections, request
// bookkeeping and dispatch. Threading rules (node/net/README.md):
//   * Outbound / Inbound state is touched only on the connection's strand, except the
//     outbound queue, which senders fill under Outbound::mu_.
//   * Every async handler captures the connection's epoch; a handler from before the last
//     close/reconnect sees a stale epoch and does nothing, so each failure is handled once.
//   * One sweep timer on timer_strand_ times requests out; the pending map under
//     pending_mu_ decides who completes a request (response, timeout or Stop), so its
//     callback runs exactly once.
#include "node/net/messaging_service.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <deque>
#include <future>

#include "common/logging.h"
#include "common/thread_name.h"
#include "node/net/frame.h"

namespace cairn::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

tcp::endpoint ToAsio(const Endpoint& e) { return tcp::endpoint(e.address, e.port); }

// Write batches: at most this many frames / bytes gathered into one async_write.
constexpr size_t kMaxBatchFrames = 128;
constexpr size_t kMaxBatchBytes = 1u << 20;
// Inbound read buffer: grown to the largest frame seen, shrunk back when idle.
constexpr size_t kReadChunk = 64u << 10;

}  // namespace

// ---------------------------------------------------------------------------------------
// Outbound: the persistent connection to one peer and its bounded queue.
//
// States (strand only): kIdle (no socket; connect on the next message) -> kConnecting ->
// kConnected -> on failure kBackoff (timer) -> kIdle or kConnecting; kClosed at Stop.
class MessagingService::Outbound : public std::enable_shared_from_this<Outbound> {
 public:
  Outbound(MessagingService* service, Endpoint peer, Channel channel)
      : service_(service),
        peer_(std::move(peer)),
        channel_(channel),
        strand_(asio::make_strand(service->io_)),
        socket_(strand_),
        connect_timer_(strand_),
        backoff_timer_(strand_),
        backoff_ms_(service->options_.reconnect_initial_backoff_ms) {}

  // Any thread. A response counts against the byte bound only, not the message bound
  // (issue 5): the work it answers is done, and refusing it turns that success into a
  // timeout and a needless hint at the requester. Replica writes answered inline on a
  // network thread can queue thousands of small acks in one burst (one read of a backlog
  // of MUTATIONs) before this connection's strand gets a thread to write them.
  Status Enqueue(std::string frame, Clock::time_point expires, bool response) {
    const MessagingOptions& opt = service_->options_;
    bool kick = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return Status::Aborted("messaging service stopped");
      if ((!response && queued_messages_ >= opt.max_queued_messages_per_peer) ||
          queued_bytes_ + frame.size() > opt.max_queued_bytes_per_peer) {
        return Status::Overloaded(std::string(ChannelName(channel_)) + " queue to " +
                                  peer_.ToString() + " is full (" +
                                  std::to_string(queued_messages_) + " messages and " +
                                  std::to_string(queue_.size() - queued_messages_) +
                                  " responses, " + std::to_string(queued_bytes_) + " bytes)");
      }
      queued_bytes_ += frame.size();
      if (!response) ++queued_messages_;
      queue_.push_back(Queued{std::move(frame), expires, response});
      kick = !kick_pending_;
      kick_pending_ = true;
    }
    if (kick) asio::post(strand_, [self = shared_from_this()] { self->Kick(); });
    return Status::OK();
  }

  // Any thread; completes on the strand. Drops the queue and refuses further messages.
  void Close(std::promise<void>* done) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
      queue_.clear();
      queued_bytes_ = 0;
      queued_messages_ = 0;
    }
    asio::post(strand_, [self = shared_from_this(), done] {
      self->state_ = State::kClosed;
      self->ResetSocket();
      error_code ignored;
      self->connect_timer_.cancel(ignored);
      self->backoff_timer_.cancel(ignored);
      done->set_value();
    });
  }

 private:
  enum class State { kIdle, kConnecting, kConnected, kBackoff, kClosed };
  struct Queued {
    std::string frame;
    Clock::time_point expires;
    bool response = false;  // not counted in queued_messages_
  };

  void Kick() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      kick_pending_ = false;
    }
    if (state_ == State::kIdle) {
      Connect();
    } else if (state_ == State::kConnected) {
      WriteNext();
    }
  }

  void Connect() {
    state_ = State::kConnecting;
    const uint64_t epoch = ++epoch_;
    error_code ec;
    socket_ = tcp::socket(strand_);
    const tcp::endpoint remote = ToAsio(peer_);
    socket_.open(remote.protocol(), ec);
    const Endpoint& local = service_->local_endpoint_;
    if (!ec && !local.address.is_unspecified() && local.address.is_v4() == remote.address().is_v4()) {
      // Talk from our listen address, as Cassandra binds outbound sockets to it.
      socket_.bind(tcp::endpoint(local.address, 0), ec);
    }
    if (ec) {
      Fail(ec, "connect");
      return;
    }
    connect_timer_.expires_after(std::chrono::milliseconds(service_->options_.connect_timeout_ms));
    connect_timer_.async_wait(
        asio::bind_executor(strand_, [self = shared_from_this(), epoch](const error_code& e) {
          if (e || epoch != self->epoch_ || self->state_ != State::kConnecting) return;
          error_code ignored;
          self->socket_.close(ignored);  // the connect handler fails with operation_aborted
        }));
    socket_.async_connect(remote, asio::bind_executor(strand_, [self = shared_from_this(),
                                                                 epoch](const error_code& e) {
                            self->OnConnect(e, epoch);
                          }));
  }

  void OnConnect(const error_code& ec, uint64_t epoch) {
    if (epoch != epoch_ || state_ != State::kConnecting) return;
    error_code ignored;
    connect_timer_.cancel(ignored);
    if (ec) {
      Fail(ec, "connect");
      return;
    }
    socket_.set_option(tcp::no_delay(true), ignored);
    state_ = State::kConnected;
    backoff_ms_ = service_->options_.reconnect_initial_backoff_ms;
    failures_logged_ = 0;
    service_->counters_.connects.fetch_add(1, std::memory_order_relaxed);
    CAIRN_LOG(DEBUG) << "connected to " << peer_.ToString() << " (" << ChannelName(channel_) << ")";
    WatchForClose(epoch);
    WriteNext();
  }

  // The peer never writes on our outbound connection; a completed read means it closed
  // (or broke the protocol). Noticing promptly lets the next message use a new connection
  // instead of vanishing into a dead one.
  void WatchForClose(uint64_t epoch) {
    socket_.async_read_some(
        asio::buffer(watch_byte_, 1),
        asio::bind_executor(strand_, [self = shared_from_this(), epoch](const error_code& ec, size_t) {
          if (epoch != self->epoch_ || self->state_ != State::kConnected) return;
          self->Fail(ec ? ec : asio::error::make_error_code(asio::error::connection_reset), "read");
        }));
  }

  void WriteNext() {
    if (writing_ || state_ != State::kConnected) return;
    const Clock::time_point now = Clock::now();
    uint64_t expired = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      size_t bytes = 0;
      while (!queue_.empty() && inflight_.size() < kMaxBatchFrames && bytes < kMaxBatchBytes) {
        Queued& q = queue_.front();
        queued_bytes_ -= q.frame.size();
        if (!q.response) --queued_messages_;
        if (q.expires < now) {
          ++expired;
        } else {
          bytes += q.frame.size();
          inflight_.push_back(std::move(q.frame));
        }
        queue_.pop_front();
      }
    }
    if (expired > 0) service_->counters_.expired_unsent.fetch_add(expired, std::memory_order_relaxed);
    if (inflight_.empty()) return;
    buffers_.clear();
    for (const std::string& f : inflight_) buffers_.emplace_back(f.data(), f.size());
    writing_ = true;
    const uint64_t epoch = epoch_;
    asio::async_write(socket_, buffers_,
                      asio::bind_executor(strand_, [self = shared_from_this(), epoch](
                                                       const error_code& ec, size_t) {
                        if (epoch != self->epoch_) return;
                        self->writing_ = false;
                        if (ec) {
                          self->Fail(ec, "write");
                          return;
                        }
                        self->service_->counters_.messages_sent.fetch_add(
                            self->inflight_.size(), std::memory_order_relaxed);
                        self->inflight_.clear();
                        self->WriteNext();
                      }));
  }

  // The connection failed: drop what was being written, back off, reconnect if there is
  // still something to send.
  void Fail(const error_code& ec, const char* what) {
    if (state_ == State::kClosed) return;
    const bool was_connected = state_ == State::kConnected;
    ResetSocket();
    if (!inflight_.empty()) {
      service_->counters_.lost_on_failure.fetch_add(inflight_.size(), std::memory_order_relaxed);
      inflight_.clear();
    }
    writing_ = false;
    if (!was_connected) service_->counters_.connect_failures.fetch_add(1, std::memory_order_relaxed);
    // One line per outage, not per retry.
    if (was_connected || failures_logged_ == 0) {
      CAIRN_LOG(INFO) << "connection to " << peer_.ToString() << " (" << ChannelName(channel_)
                      << ") failed (" << what
                      << "): " << ec.message() << "; retrying in " << backoff_ms_ << " ms";
    }
    ++failures_logged_;
    DropExpired();
    state_ = State::kBackoff;
    const uint64_t epoch = epoch_;
    backoff_timer_.expires_after(std::chrono::milliseconds(backoff_ms_));
    backoff_ms_ = std::min(backoff_ms_ * 2, service_->options_.reconnect_max_backoff_ms);
    backoff_timer_.async_wait(
        asio::bind_executor(strand_, [self = shared_from_this(), epoch](const error_code& e) {
          if (e || epoch != self->epoch_ || self->state_ != State::kBackoff) return;
          self->state_ = State::kIdle;
          bool has_work;
          {
            std::lock_guard<std::mutex> lock(self->mu_);
            has_work = !self->queue_.empty();
          }
          if (has_work) self->Connect();
        }));
  }

  void DropExpired() {
    const Clock::time_point now = Clock::now();
    uint64_t expired = 0;
    std::lock_guard<std::mutex> lock(mu_);
    std::deque<Queued> kept;
    for (Queued& q : queue_) {
      if (q.expires < now) {
        queued_bytes_ -= q.frame.size();
        if (!q.response) --queued_messages_;
        ++expired;
      } else {
        kept.push_back(std::move(q));
      }
    }
    queue_.swap(kept);
    if (expired > 0) service_->counters_.expired_unsent.fetch_add(expired, std::memory_order_relaxed);
  }

  // Closes the socket and invalidates every handler of the current epoch.
  void ResetSocket() {
    ++epoch_;
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  MessagingService* const service_;
  const Endpoint peer_;
  const Channel channel_;
  Strand strand_;

  // Strand only.
  tcp::socket socket_;
  asio::steady_timer connect_timer_;
  asio::steady_timer backoff_timer_;
  State state_ = State::kIdle;
  uint64_t epoch_ = 0;
  int backoff_ms_;
  uint64_t failures_logged_ = 0;
  bool writing_ = false;
  std::vector<std::string> inflight_;
  std::vector<asio::const_buffer> buffers_;
  char watch_byte_[1];

  std::mutex mu_;
  std::deque<Queued> queue_;      // guarded by mu_
  size_t queued_bytes_ = 0;       // guarded by mu_
  size_t queued_messages_ = 0;    // queued requests and one-way messages; guarded by mu_
  bool kick_pending_ = false;     // guarded by mu_
  bool closed_ = false;           // guarded by mu_
};

// ---------------------------------------------------------------------------------------
// Inbound: one accepted connection, read frame by frame on its strand.
class MessagingService::Inbound : public std::enable_shared_from_this<Inbound> {
 public:
  Inbound(MessagingService* service, tcp::socket socket)
      : service_(service), socket_(std::move(socket)) {
    error_code ec;
    tcp::endpoint remote = socket_.remote_endpoint(ec);
    remote_ = ec ? std::string("?") : remote.address().to_string() + ":" + std::to_string(remote.port());
  }

  void Start() {
    asio::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

  void Close(std::promise<void>* done) {
    asio::post(socket_.get_executor(), [self = shared_from_this(), done] {
      self->closed_ = true;
      error_code ignored;
      self->socket_.close(ignored);
      done->set_value();
    });
  }

 private:
  void Read() {
    if (closed_) return;
    if (buffer_.size() - end_ < kReadChunk / 2) {
      // Make room: slide unread bytes to the front, then grow if still short.
      if (begin_ > 0) {
        std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
      }
      if (buffer_.size() - end_ < kReadChunk / 2) buffer_.resize(std::max(buffer_.size() * 2, kReadChunk));
    }
    socket_.async_read_some(
        asio::buffer(buffer_.data() + end_, buffer_.size() - end_),
        [self = shared_from_this()](const error_code& ec, size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(const error_code& ec, size_t n) {
    if (closed_) return;
    if (ec) {
      if (ec != asio::error::eof && ec != asio::error::operation_aborted) {
        CAIRN_LOG(DEBUG) << "inbound connection from " << remote_ << " failed: " << ec.message();
      }
      Shutdown();
      return;
    }
    end_ += n;
    const uint32_t max = service_->options_.max_frame_size_bytes;
    while (end_ - begin_ >= kFrameHeaderSize) {
      auto header = ParseFrameHeader(buffer_.data() + begin_, max);
      if (!header.ok()) return Corrupt(header.status());
      const size_t frame_size = kFrameHeaderSize + header->length;
      if (end_ - begin_ < frame_size) {
        // Wait for the rest; make sure the buffer can hold the whole frame.
        if (buffer_.size() - begin_ < frame_size) {
          std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
          end_ -= begin_;
          begin_ = 0;
          if (buffer_.size() < frame_size) buffer_.resize(frame_size + kReadChunk / 2);
        }
        break;
      }
      std::string_view payload(buffer_.data() + begin_ + kFrameHeaderSize, header->length);
      Status st = VerifyFramePayload(*header, payload);
      if (!st.ok()) return Corrupt(st);
      Message msg;
      st = DecodeMessage(payload, &msg);
      if (!st.ok()) return Corrupt(st);
      begin_ += frame_size;
      service_->counters_.messages_received.fetch_add(1, std::memory_order_relaxed);
      service_->HandleInbound(std::move(msg));
    }
    if (begin_ == end_) {
      begin_ = end_ = 0;
      // Give back a buffer grown for one huge frame.
      if (buffer_.size() > 4 * kReadChunk) {
        buffer_.resize(kReadChunk);
        buffer_.shrink_to_fit();
      }
    }
    Read();
  }

  void Corrupt(const Status& st) {
    service_->counters_.corrupt_frames.fetch_add(1, std::memory_order_relaxed);
    CAIRN_LOG(WARN) << "closing internode connection from " << remote_
                    << " after a corrupt frame: " << st.ToString();
    Shutdown();
  }

  void Shutdown() {
    closed_ = true;
    error_code ignored;
    socket_.close(ignored);
    service_->RemoveInbound(shared_from_this());
  }

  MessagingService* const service_;
  tcp::socket socket_;  // its executor is this connection's strand
  std::string remote_;
  bool closed_ = false;
  std::vector<char> buffer_;
  size_t begin_ = 0;  // unread bytes are buffer_[begin_, end_)
  size_t end_ = 0;
};

// ---------------------------------------------------------------------------------------

MessagingService::MessagingService(MessagingOptions options)
    : options_(std::move(options)),
      local_endpoint_(options_.listen_endpoint),
      acceptor_strand_(asio::make_strand(io_)),
      timer_strand_(asio::make_strand(io_)),
      acceptor_(acceptor_strand_) {}

MessagingService::~MessagingService() { Stop(); }

void MessagingService::RegisterHandler(Verb verb, VerbHandler handler, bool on_network_thread) {
  assert(!started_);
  handlers_[static_cast<int>(verb)] = std::move(handler);
  if (on_network_thread) {
    network_thread_verbs_.insert(static_cast<int>(verb));
  } else {
    network_thread_verbs_.erase(static_cast<int>(verb));
  }
}

Status MessagingService::Start() {
  assert(!started_);
  if (options_.max_frame_size_bytes > kMaxFrameSizeLimit) {
    return Status::InvalidArgument("max_frame_size_bytes above " + std::to_string(kMaxFrameSizeLimit));
  }
  started_ = true;
  const tcp::endpoint listen = ToAsio(options_.listen_endpoint);
  error_code ec;
  acceptor_.open(listen.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(listen, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  tcp::endpoint bound;
  if (!ec) bound = acceptor_.local_endpoint(ec);
  if (ec) {
    error_code ignored;
    acceptor_.close(ignored);
    return Status::IOError("cannot listen on " + options_.listen_endpoint.ToString() + ": " + ec.message());
  }
  local_endpoint_.address = bound.address();
  local_endpoint_.port = bound.port();

  handler_pool_.emplace(static_cast<size_t>(std::max(1, options_.handler_threads)));
  work_.emplace(io_.get_executor());
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    running_ = true;
  }
  StartAccept();
  sweep_timer_.emplace(timer_strand_);
  asio::post(timer_strand_, [this] { ScheduleSweep(); });
  for (int i = 0; i < std::max(1, options_.network_threads); ++i) {
    network_threads_.emplace_back([this] {
      SetThreadName("net-io");
      for (;;) {
        try {
          io_.run();
          return;
        } catch (const std::exception& e) {
          // Handlers are written not to throw; if one does anyway (bad_alloc), keep the
          // thread serving rather than losing the node.
          CAIRN_LOG(ERROR) << "internode network thread caught: " << e.what();
        }
      }
    });
  }
  CAIRN_LOG(INFO) << "internode messaging listening on " << local_endpoint_.ToString();
  return Status::OK();
}

void MessagingService::Stop() {
  std::unordered_map<int64_t, PendingRequest> pending;
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    if (!running_) return;
    running_ = false;
    pending.swap(pending_);
    deadlines_.clear();
  }

  // Close the acceptor and every connection on their strands while the network threads
  // still run, and wait for that.
  std::vector<std::unique_ptr<std::promise<void>>> promises;
  auto next = [&promises] { return promises.emplace_back(std::make_unique<std::promise<void>>()).get(); };
  {
    std::promise<void>* done = next();
    asio::post(acceptor_strand_, [this, done] {
      error_code ignored;
      acceptor_.close(ignored);
      done->set_value();
    });
  }
  {
    std::lock_guard<std::mutex> lock(conns_mu_);
    for (auto& [peer, conn] : outbound_) conn->Close(next());
    for (auto& conn : inbound_) conn->Close(next());
  }
  for (auto& p : promises) p->get_future().wait();

  // Every request still outstanding completes now, exactly once, with Aborted.
  for (auto& [id, req] : pending) {
    asio::post(*handler_pool_, [cb = std::move(req.callback), peer = req.peer] {
      cb(Status::Aborted("messaging service stopped before " + peer.ToString() + " answered"));
    });
  }

  // Abandon what is left in the io_context (delay timers, request timers) and wait for
  // the threads, then for every handler and callback already queued.
  work_.reset();
  io_.stop();
  for (auto& t : network_threads_) t.join();
  network_threads_.clear();
  handler_pool_->join();
  {
    std::lock_guard<std::mutex> lock(conns_mu_);
    outbound_.clear();
    inbound_.clear();
  }
  CAIRN_LOG(INFO) << "internode messaging on " << local_endpoint_.ToString() << " stopped";
}

void MessagingService::StartAccept() {
  acceptor_.async_accept(
      asio::make_strand(io_), asio::bind_executor(acceptor_strand_, [this](const error_code& ec,
                                                                           tcp::socket socket) {
        if (!acceptor_.is_open()) return;
        if (ec) {
          // EMFILE and friends: log, and keep accepting (a later accept may succeed).
          CAIRN_LOG(WARN) << "internode accept failed: " << ec.message();
        } else {
          error_code ignored;
          socket.set_option(tcp::no_delay(true), ignored);
          auto conn = std::make_shared<Inbound>(this, std::move(socket));
          {
            std::lock_guard<std::mutex> lock(conns_mu_);
            inbound_.insert(conn);
          }
          counters_.inbound_connections.fetch_add(1, std::memory_order_relaxed);
          conn->Start();
        }
        StartAccept();
      }));
}

void MessagingService::RemoveInbound(const std::shared_ptr<Inbound>& conn) {
  std::lock_guard<std::mutex> lock(conns_mu_);
  inbound_.erase(conn);
}

std::shared_ptr<MessagingService::Outbound> MessagingService::GetOutbound(const Endpoint& to,
                                                                         Channel channel) {
  std::lock_guard<std::mutex> lock(conns_mu_);
  auto key = std::make_pair(to, channel);
  auto it = outbound_.find(key);
  if (it != outbound_.end()) return it->second;
  auto conn = std::make_shared<Outbound>(this, to, channel);
  outbound_.emplace(std::move(key), conn);
  return conn;
}

MessagingService::Channel MessagingService::ChannelOf(Verb verb, Kind kind, size_t frame_bytes) {
  // Large first: a 10 MB stream response must not hold up the acks behind it either.
  if (frame_bytes > kLargeMessageBytes) return Channel::kLarge;
  if (kind == Kind::kResponse) return Channel::kResponses;
  switch (verb) {
    case internode::Verb::GOSSIP_DIGEST_SYN:
    case internode::Verb::GOSSIP_DIGEST_ACK:
    case internode::Verb::GOSSIP_DIGEST_ACK2:
    case internode::Verb::GOSSIP_SHUTDOWN:
    case internode::Verb::ECHO:
      return Channel::kGossip;
    default:
      return Channel::kRequests;
  }
}

const char* MessagingService::ChannelName(Channel channel) {
  switch (channel) {
    case Channel::kGossip: return "gossip";
    case Channel::kRequests: return "requests";
    case Channel::kResponses: return "responses";
    case Channel::kLarge: return "large messages";
  }
  return "?";
}

Message MessagingService::NewMessage(Verb verb, int64_t id, int32_t flags, int32_t timeout_ms,
                                     std::string payload) const {
  Message msg;
  msg.verb = verb;
  msg.id = id;
  msg.from = local_endpoint_;
  msg.flags = flags;
  msg.created_at_us = NowMicros();
  msg.timeout_ms = timeout_ms;
  msg.payload = std::move(payload);
  return msg;
}

MessagingService::Kind MessagingService::KindOf(const Message& msg) {
  if (msg.is_response()) return Kind::kResponse;
  return msg.id != 0 ? Kind::kRequest : Kind::kOneWay;
}

Status MessagingService::Enqueue(const Endpoint& to, std::string frame, Clock::time_point expires,
                                 Verb verb, Kind kind) {
  const Channel channel = ChannelOf(verb, kind, frame.size());
  Status st = GetOutbound(to, channel)->Enqueue(std::move(frame), expires, kind == Kind::kResponse);
  if (st.IsOverloaded()) {
    counters_.overloaded_sends.fetch_add(1, std::memory_order_relaxed);
    if (kind == Kind::kRequest) counters_.overloaded_requests.fetch_add(1, std::memory_order_relaxed);
    if (kind == Kind::kResponse) {
      counters_.overloaded_responses.fetch_add(1, std::memory_order_relaxed);
    }
    CAIRN_LOG_EVERY_N_SEC(WARN, 10)
        << "refused "
        << (kind == Kind::kResponse ? "a response" : kind == Kind::kRequest ? "a request" : "a message")
        << " (" << VerbName(verb) << "): " << st.message() << "; refused since start: "
        << counters_.overloaded_requests.load(std::memory_order_relaxed) << " requests, "
        << counters_.overloaded_responses.load(std::memory_order_relaxed) << " responses, "
        << counters_.overloaded_sends.load(std::memory_order_relaxed) << " in all";
  }
  return st;
}

Status MessagingService::Route(const Endpoint& to, Message msg, Clock::time_point expires) {
  if (!running_.load(std::memory_order_acquire)) return Status::Aborted("messaging service not running");
  if (msg.payload.size() > options_.max_frame_size_bytes) {  // before paying for a copy
    return Status::InvalidArgument("message of " + std::to_string(msg.payload.size()) +
                                   " bytes exceeds max_frame_size_bytes");
  }
  std::string frame = EncodeMessageFrame(msg);
  if (frame.size() - kFrameHeaderSize > options_.max_frame_size_bytes) {
    return Status::InvalidArgument("frame of " + std::to_string(frame.size()) +
                                   " bytes exceeds max_frame_size_bytes");
  }
  const FaultDecision fault = faults_.Decide(to, msg.verb, FaultDirection::kOutbound);
  if (fault.drop) {
    counters_.fault_dropped.fetch_add(1, std::memory_order_relaxed);
    return Status::OK();
  }
  const Verb verb = msg.verb;
  const Kind kind = KindOf(msg);
  if (fault.delay_ms == 0) return Enqueue(to, std::move(frame), expires, verb, kind);

  counters_.fault_delayed.fetch_add(1, std::memory_order_relaxed);
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(fault.delay_ms));
  timer->async_wait([this, timer, to, frame = std::move(frame), expires, verb,
                     kind](const error_code& ec) mutable {
    if (ec) return;
    // Too late to refuse the caller; a full queue now just loses the message.
    Enqueue(to, std::move(frame), expires, verb, kind).IgnoreError();
  });
  return Status::OK();
}

Status MessagingService::SendOneWay(const Endpoint& to, Verb verb, std::string payload) {
  return Route(to, NewMessage(verb, 0, 0, 0, std::move(payload)),
               Clock::now() + std::chrono::milliseconds(options_.one_way_expiry_ms));
}

Status MessagingService::SendRequest(const Endpoint& to, Verb verb, std::string payload,
                                     std::chrono::milliseconds timeout, ResponseCallback callback,
                                     CallbackThread thread) {
  assert(timeout.count() > 0);
  const int64_t id = next_request_id_.fetch_add(1, std::memory_order_relaxed);
  Message msg = NewMessage(verb, id, 0, static_cast<int32_t>(timeout.count()), std::move(payload));
  const Clock::time_point deadline = Clock::now() + timeout;
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    if (!running_) return Status::Aborted("messaging service not running");
    pending_.emplace(id, PendingRequest{std::move(callback), deadline, to, verb, thread});
    deadlines_.emplace(deadline, id);
  }
  Status st = Route(to, std::move(msg), deadline);
  if (!st.ok()) {
    // Refused: withdraw the request unless its timeout already claimed it, in which case
    // the callback runs (TimedOut) and the send must count as accepted.
    std::optional<PendingRequest> req = TakePending(id);
    if (!req) return Status::OK();
    return st;
  }
  return Status::OK();
}

Status MessagingService::SendResponse(const Message& request, std::string payload) {
  return Route(request.from,
               NewMessage(request.verb, request.id, kFlagResponse, 0, std::move(payload)),
               Clock::now() + std::chrono::milliseconds(options_.one_way_expiry_ms));
}

Status MessagingService::SendFailureResponse(const Message& request, FailureReason reason,
                                             std::string_view text) {
  internode::FailureResponse failure;
  failure.reason = reason;
  if (!text.empty()) failure.__set_message(std::string(text));
  return Route(request.from,
               NewMessage(request.verb, request.id, kFlagResponse | kFlagFailure, 0, Serialize(failure)),
               Clock::now() + std::chrono::milliseconds(options_.one_way_expiry_ms));
}

std::optional<MessagingService::PendingRequest> MessagingService::TakePending(int64_t id) {
  std::lock_guard<std::mutex> lock(pending_mu_);
  auto it = pending_.find(id);
  if (it == pending_.end()) return std::nullopt;
  PendingRequest req = std::move(it->second);
  pending_.erase(it);
  deadlines_.erase({req.deadline, id});
  return req;
}

void MessagingService::HandleInbound(Message msg) {
  const FaultDecision fault = faults_.Decide(msg.from, msg.verb, FaultDirection::kInbound);
  if (fault.drop) {
    counters_.fault_dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (fault.delay_ms == 0) return Dispatch(std::move(msg));
  counters_.fault_delayed.fetch_add(1, std::memory_order_relaxed);
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(fault.delay_ms));
  timer->async_wait([this, timer, msg = std::move(msg)](const error_code& ec) mutable {
    if (!ec) Dispatch(std::move(msg));
  });
}

void MessagingService::Dispatch(Message msg) {
  if (msg.is_response()) return CompleteRequest(std::move(msg));

  auto it = handlers_.find(static_cast<int>(msg.verb));
  if (it == handlers_.end()) {
    CAIRN_LOG(DEBUG) << "no handler for " << VerbName(msg.verb) << " from " << msg.from.ToString();
    if (msg.is_request()) {
      SendFailureResponse(msg, internode::FailureReason::UNKNOWN_VERB, "no handler for " + VerbName(msg.verb))
          .IgnoreError();  // best effort: the requester times out otherwise
    }
    return;
  }
  if (network_thread_verbs_.count(static_cast<int>(msg.verb)) > 0) {
    const bool is_request = msg.is_request();
    Message reply_to;
    if (is_request) {
      reply_to.verb = msg.verb;
      reply_to.id = msg.id;
      reply_to.from = msg.from;
    }
    try {
      it->second(std::move(msg));
    } catch (const std::exception& e) {
      CAIRN_LOG(ERROR) << "handler for " << VerbName(reply_to.verb) << " threw: " << e.what();
      if (is_request) {
        SendFailureResponse(reply_to, internode::FailureReason::HANDLER_ERROR, e.what()).IgnoreError();
      }
    }
    return;
  }
  if (pending_handlers_.fetch_add(1, std::memory_order_acq_rel) >= options_.max_pending_handlers) {
    pending_handlers_.fetch_sub(1, std::memory_order_acq_rel);
    counters_.overloaded_inbound.fetch_add(1, std::memory_order_relaxed);
    if (msg.is_request()) {
      SendFailureResponse(msg, internode::FailureReason::OVERLOADED, "handler queue full")
          .IgnoreError();  // best effort, as above
    }
    return;
  }
  asio::post(*handler_pool_, [this, handler = &it->second, msg = std::move(msg)]() mutable {
    const bool is_request = msg.is_request();
    Message reply_to;
    if (is_request) {
      reply_to.verb = msg.verb;
      reply_to.id = msg.id;
      reply_to.from = msg.from;
    }
    try {
      (*handler)(std::move(msg));
    } catch (const std::exception& e) {
      CAIRN_LOG(ERROR) << "handler for " << VerbName(reply_to.verb) << " threw: " << e.what();
      if (is_request) {
        SendFailureResponse(reply_to, internode::FailureReason::HANDLER_ERROR, e.what()).IgnoreError();
      }
    }
    pending_handlers_.fetch_sub(1, std::memory_order_acq_rel);
  });
}

void MessagingService::CompleteRequest(Message response) {
  std::optional<PendingRequest> req = TakePending(response.id);
  if (!req) {
    // Timed out (or never ours): Cassandra logs these at debug too.
    counters_.late_responses.fetch_add(1, std::memory_order_relaxed);
    CAIRN_LOG(DEBUG) << "ignoring late response " << response.id << " (" << VerbName(response.verb)
                     << ") from " << response.from.ToString();
    return;
  }
  if (!response.is_failure() && req->thread == CallbackThread::kNetworkOnSuccess) {
    try {
      req->callback(Result<Message>(std::move(response)));
    } catch (const std::exception& e) {
      CAIRN_LOG(ERROR) << "response callback threw: " << e.what();
    }
    return;
  }
  Result<Message> result = response.is_failure() ? Result<Message>(FailureToStatus(response.from, response.payload))
                                                 : Result<Message>(std::move(response));
  asio::post(*handler_pool_, [cb = std::move(req->callback), result = std::move(result)]() mutable {
    cb(std::move(result));
  });
}

namespace {
constexpr std::chrono::milliseconds kSweepInterval{5};
}  // namespace

void MessagingService::ScheduleSweep() {
  sweep_timer_->expires_after(kSweepInterval);
  sweep_timer_->async_wait([this](const error_code& ec) {
    if (ec) return;
    SweepTimeouts();
    if (running_.load()) ScheduleSweep();
  });
}

void MessagingService::SweepTimeouts() {
  std::vector<PendingRequest> expired;
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    const Clock::time_point now = Clock::now();
    while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
      const int64_t id = deadlines_.begin()->second;
      deadlines_.erase(deadlines_.begin());
      auto it = pending_.find(id);
      if (it == pending_.end()) continue;
      expired.push_back(std::move(it->second));
      pending_.erase(it);
    }
  }
  for (PendingRequest& req : expired) {
    counters_.requests_timed_out.fetch_add(1, std::memory_order_relaxed);
    asio::post(*handler_pool_, [cb = std::move(req.callback), peer = req.peer, verb = req.verb] {
      cb(Status::TimedOut(VerbName(verb) + " request to " + peer.ToString() + " timed out"));
    });
  }
}

MessagingStats MessagingService::stats() const {
  MessagingStats s;
  auto get = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  s.messages_sent = get(counters_.messages_sent);
  s.messages_received = get(counters_.messages_received);
  s.requests_timed_out = get(counters_.requests_timed_out);
  s.late_responses = get(counters_.late_responses);
  s.overloaded_sends = get(counters_.overloaded_sends);
  s.overloaded_requests = get(counters_.overloaded_requests);
  s.overloaded_responses = get(counters_.overloaded_responses);
  s.overloaded_inbound = get(counters_.overloaded_inbound);
  s.expired_unsent = get(counters_.expired_unsent);
  s.lost_on_failure = get(counters_.lost_on_failure);
  s.corrupt_frames = get(counters_.corrupt_frames);
  s.fault_dropped = get(counters_.fault_dropped);
  s.fault_delayed = get(counters_.fault_delayed);
  s.connects = get(counters_.connects);
  s.connect_failures = get(counters_.connect_failures);
  s.inbound_connections = get(counters_.inbound_connections);
  return s;
}

size_t MessagingService::pending_requests() const {
  std::lock_guard<std::mutex> lock(pending_mu_);
  return pending_.size();
}

}  // namespace cairn::net
