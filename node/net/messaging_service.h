// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// MessagingService: how a node talks to the other nodes (Cassandra's
// org.apache.cassandra.net.MessagingService). It listens on listen_address:storage_port,
// keeps one persistent outbound TCP connection per peer, and moves framed, checksummed
// messages (frame.h, PROTOCOL.md) whose Envelope is Thrift compact (internode.thrift).
//
// Messages are one-way (gossip) or requests with a response. Connections are one-way as
// in Cassandra: a node writes to a peer only on its own outbound connection to that peer
// and reads only from inbound connections, so a response travels on the responder's
// outbound connection to the requester's listen endpoint (Envelope.sender).
//
// Guarantees
//   * A request accepted by SendRequest (it returned OK) gets its callback run exactly
//     once: with the response, with TimedOut after its timeout, with the peer's failure
//     (Overloaded when the peer's handler queue was full, NotSupported for a verb it does
//     not handle), or with Aborted when Stop() runs first. A response arriving after the
//     timeout is counted and ignored. A request SendRequest refused (non-OK) never runs
//     its callback.
//   * Back-pressure: each peer's outbound queue is bounded (messages and bytes). When it
//     is full — typically the peer is down or slow — Send* returns Overloaded at once
//     instead of queueing more (a rate-limited WARN says so; MessagingStats counts
//     requests and responses refused). Responses (SendResponse, SendFailureResponse)
//     count against the byte bound only: the work they answer is done, and refusing one
//     turned a replica's successful write into a timeout and a hint at the coordinator
//     (issue 5: bursts of thousands of small MUTATION acks). Queued messages expire
//     (requests at their timeout, others after one_way_expiry_ms) and are dropped
//     unsent, so a dead peer's queue drains.
//   * Inbound handlers run on a bounded executor (handler_threads threads, at most
//     max_pending_handlers messages queued or running). When it is full, a request is
//     answered with an OVERLOADED failure and a one-way message is dropped.
//   * A corrupt frame (bad magic, version, checksum, oversized length, undecodable
//     envelope) closes that one connection with a WARN log line; the service goes on
//     serving every other connection. Nothing read from the network can crash the node.
//   * Outbound connections are made on demand and re-made after failures with
//     exponential backoff (reconnect_initial_backoff_ms doubling up to
//     reconnect_max_backoff_ms); messages written on a connection that then fails are
//     lost (their requests time out), those still queued go out on the next connection.
//
// Threading (node/net/README.md): one io_context run by network_threads threads; each
// connection is confined to its own strand, request timers to one timer strand. Verb
// handlers and response callbacks run on the handler pool, never on a network thread,
// so they may block briefly and may call Send*. Send* and the fault API may be called
// from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "common/status.h"
#include "node/net/codec.h"
#include "node/net/endpoint.h"
#include "node/net/fault.h"
#include "node/net/frame.h"
#include "node/net/message.h"

namespace cairn::net {

struct MessagingOptions {
  // Where to listen (listen_address:storage_port) and the sender endpoint put in every
  // message. Port 0 picks an ephemeral port (tests); local_endpoint() tells which.
  // Outbound connections are bound to this address too (port chosen by the kernel), so a
  // node on 127.0.0.2 talks from 127.0.0.2. Default: 127.0.0.1:7000.
  Endpoint listen_endpoint;
  // Threads running the network io_context. Default: 2 (cairnd: internode_network_threads).
  int network_threads = 2;
  // Threads running verb handlers and response callbacks. Default: 2.
  int handler_threads = 2;
  // Inbound messages queued or running on the handler pool before new ones are refused
  // (requests answered OVERLOADED, one-way messages dropped). Default: 4096.
  size_t max_pending_handlers = 4096;
  // Largest frame payload accepted (inbound) and sent (outbound), bytes; at most
  // kMaxFrameSizeLimit. Default: 16 MiB.
  uint32_t max_frame_size_bytes = kDefaultMaxFrameSize;
  // Per-peer outbound queue bounds: requests and one-way messages, and bytes (of every
  // queued frame, responses included) waiting to be written. SendRequest and SendOneWay
  // return Overloaded beyond either; SendResponse and SendFailureResponse only beyond
  // the byte bound (see "Back-pressure"). Defaults: 4096 messages, 64 MiB.
  size_t max_queued_messages_per_peer = 4096;
  size_t max_queued_bytes_per_peer = 64u << 20;
  // A queued one-way message or response not written within this time is dropped.
  // Requests expire at their own timeout. Milliseconds. Default: 10000.
  int one_way_expiry_ms = 10000;
  // A connect attempt that has not completed by then fails. Milliseconds. Default: 2000.
  int connect_timeout_ms = 2000;
  // Delay before the first reconnect after a failure, doubled after each further failure
  // up to the maximum, reset by a successful connect. Milliseconds. Defaults: 50, 4000.
  int reconnect_initial_backoff_ms = 50;
  int reconnect_max_backoff_ms = 4000;
};

// Counters since Start(), for tests, tpstats and metrics.
struct MessagingStats {
  uint64_t messages_sent = 0;          // frames written to sockets
  uint64_t messages_received = 0;      // frames decoded from sockets
  uint64_t requests_timed_out = 0;
  uint64_t late_responses = 0;         // responses for unknown or expired request ids
  uint64_t overloaded_sends = 0;       // Send* refused: peer queue full (all kinds)
  uint64_t overloaded_requests = 0;    // ... of which requests (SendRequest)
  uint64_t overloaded_responses = 0;   // ... of which responses (SendResponse, SendFailureResponse)
  uint64_t overloaded_inbound = 0;     // inbound refused: handler pool full
  uint64_t expired_unsent = 0;         // queued messages dropped at expiry
  uint64_t lost_on_failure = 0;        // being written when a connection failed
  uint64_t corrupt_frames = 0;         // inbound connections closed for corruption
  uint64_t fault_dropped = 0;
  uint64_t fault_delayed = 0;
  uint64_t connects = 0;               // successful outbound connects
  uint64_t connect_failures = 0;
  uint64_t inbound_connections = 0;    // accepted inbound connections
};

// A response callback: the response Message, or TimedOut / Overloaded / NotSupported /
// IOError / Aborted (see "Guarantees"). Runs on the handler pool.
using ResponseCallback = std::function<void(Result<Message>)>;
// Where a request's callback runs. kHandlerPool (the default): always on the handler
// pool. kNetworkOnSuccess: a successful response runs the callback directly on the
// network thread that read it (one thread hand-off less per request: the coordinator's
// hot path), so it must be quick and never block; failures, timeouts and Aborted still
// run on the handler pool.
enum class CallbackThread { kHandlerPool, kNetworkOnSuccess };
// A verb handler: runs on the handler pool with the inbound message. For a request it
// should answer with SendResponse or SendFailureResponse (possibly later, from another
// thread); one that never answers leaves the requester to time out. A handler that
// throws is logged and, for a request, answered HANDLER_ERROR.
using VerbHandler = std::function<void(Message)>;

class MessagingService {
 public:
  explicit MessagingService(MessagingOptions options);
  // Stops the service if it is running.
  ~MessagingService();
  MessagingService(const MessagingService&) = delete;
  MessagingService& operator=(const MessagingService&) = delete;

  // Registers the handler for `verb`, replacing any earlier one. With `on_network_thread`
  // the handler runs directly on the network thread that decoded the message (no hand-off
  // to the handler pool): only for handlers that never block (a replica write whose
  // commit log does not wait for fsync).
  // REQUIRES: Start() has not been called.
  void RegisterHandler(Verb verb, VerbHandler handler, bool on_network_thread = false);

  // Binds listen_endpoint, starts the network threads and the handler pool, and accepts
  // connections. IOError when the address cannot be bound (in use, not local).
  // REQUIRES: called at most once.
  Status Start();

  // Stops accepting, closes every connection, fails outstanding requests with Aborted,
  // and waits for the network threads and for every queued handler and callback to
  // finish. Queued outbound messages are dropped. Idempotent.
  // REQUIRES: not called from a handler, a callback or a network thread.
  void Stop();

  // The endpoint peers reach this node at (the bound port when listen port was 0).
  // REQUIRES: Start() returned OK.
  const Endpoint& local_endpoint() const { return local_endpoint_; }

  // Queues a one-way message. OK once queued (delivery is not confirmed); Overloaded when
  // the peer's queue is full; Aborted when not running; InvalidArgument when the payload
  // exceeds max_frame_size_bytes.
  Status SendOneWay(const Endpoint& to, Verb verb, std::string payload);

  // Sends a request; `callback` runs exactly once if this returns OK (see "Guarantees"),
  // never otherwise. Errors as SendOneWay. REQUIRES: timeout > 0.
  Status SendRequest(const Endpoint& to, Verb verb, std::string payload,
                     std::chrono::milliseconds timeout, ResponseCallback callback,
                     CallbackThread thread = CallbackThread::kHandlerPool);

  // Answers `request` (whose id and sender are used) with `payload`.
  Status SendResponse(const Message& request, std::string payload);
  // Answers `request` with a failure the requester sees as a non-OK Status.
  Status SendFailureResponse(const Message& request, FailureReason reason, std::string_view text);

  // Typed forms: serialize a struct of internode.thrift with the compact protocol.
  template <typename T>
  Status SendOneWay(const Endpoint& to, Verb verb, const T& msg) {
    return SendOneWay(to, verb, Serialize(msg));
  }
  template <typename T>
  Status SendRequest(const Endpoint& to, Verb verb, const T& msg, std::chrono::milliseconds timeout,
                     ResponseCallback callback,
                     CallbackThread thread = CallbackThread::kHandlerPool) {
    return SendRequest(to, verb, Serialize(msg), timeout, std::move(callback), thread);
  }

  // Fault injection (fault.h), effective immediately for messages not yet sent or
  // dispatched. SetFault returns the rule's id for RemoveFault.
  uint64_t SetFault(FaultRule rule) { return faults_.Add(std::move(rule)); }
  bool RemoveFault(uint64_t id) { return faults_.Remove(id); }
  void ClearFaults() { faults_.Clear(); }
  std::vector<std::pair<uint64_t, FaultRule>> Faults() const { return faults_.Rules(); }

  MessagingStats stats() const;
  // Requests waiting for a response.
  size_t pending_requests() const;
  // Inbound messages queued for or running on the handler pool (bounded by
  // max_pending_handlers): tpstats' pending for the handler stage.
  size_t pending_handlers() const { return pending_handlers_.load(std::memory_order_relaxed); }

 private:
  class Outbound;
  class Inbound;
  friend class Outbound;
  friend class Inbound;

  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  using Clock = std::chrono::steady_clock;

  struct PendingRequest {
    ResponseCallback callback;
    std::chrono::steady_clock::time_point deadline;  // also a key of deadlines_
    Endpoint peer;
    Verb verb;
    CallbackThread thread = CallbackThread::kHandlerPool;
  };

  // One atomic per MessagingStats field.
  struct Counters {
    std::atomic<uint64_t> messages_sent{0}, messages_received{0}, requests_timed_out{0},
        late_responses{0}, overloaded_sends{0}, overloaded_requests{0}, overloaded_responses{0},
        overloaded_inbound{0}, expired_unsent{0},
        lost_on_failure{0}, corrupt_frames{0}, fault_dropped{0}, fault_delayed{0}, connects{0},
        connect_failures{0}, inbound_connections{0};
  };

  // Frames `msg` and routes it to `to` through the fault hook and the peer's queue.
  Status Route(const Endpoint& to, Message msg, Clock::time_point expires);
  // What a framed message is, for the refusal counters and log line.
  enum class Kind { kOneWay, kRequest, kResponse };
  static Kind KindOf(const Message& msg);
  // The outbound connections to one peer (see README.md, "Connections and
  // back-pressure"): each has its own queue and socket, so a message waits only behind
  // messages of its own channel.
  enum class Channel { kGossip, kRequests, kResponses, kLarge };
  static constexpr size_t kLargeMessageBytes = 64u << 10;
  static Channel ChannelOf(Verb verb, Kind kind, size_t frame_bytes);
  static const char* ChannelName(Channel channel);
  Status Enqueue(const Endpoint& to, std::string frame, Clock::time_point expires, Verb verb,
                 Kind kind);
  std::shared_ptr<Outbound> GetOutbound(const Endpoint& to, Channel channel);
  Message NewMessage(Verb verb, int64_t id, int32_t flags, int32_t timeout_ms, std::string payload) const;

  void StartAccept();
  // A decoded inbound message: fault hook, then Dispatch. Network thread.
  void HandleInbound(Message msg);
  void Dispatch(Message msg);
  void CompleteRequest(Message response);
  // Every kSweepInterval on timer_strand_: times out the requests past their deadline
  // (one timer for all requests instead of one per request).
  void ScheduleSweep();
  void SweepTimeouts();
  // Removes and returns the pending request, if still there.
  std::optional<PendingRequest> TakePending(int64_t id);
  void RemoveInbound(const std::shared_ptr<Inbound>& conn);

  const MessagingOptions options_;
  Endpoint local_endpoint_;
  std::unordered_map<int, VerbHandler> handlers_;  // immutable after Start()
  std::set<int> network_thread_verbs_;             // immutable after Start()
  FaultInjector faults_;
  Counters counters_;

  boost::asio::io_context io_;
  Strand acceptor_strand_;
  Strand timer_strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> network_threads_;
  std::optional<boost::asio::thread_pool> handler_pool_;
  std::atomic<size_t> pending_handlers_{0};

  // running_ flips under pending_mu_ so no request is registered after Stop() failed
  // the outstanding ones; readers outside the mutex use it as a fast check.
  std::atomic<bool> running_{false};
  bool started_ = false;
  std::atomic<int64_t> next_request_id_{1};
  mutable std::mutex pending_mu_;
  std::unordered_map<int64_t, PendingRequest> pending_;  // guarded by pending_mu_
  // (deadline, id) of every pending request, soonest first. Guarded by pending_mu_.
  std::set<std::pair<std::chrono::steady_clock::time_point, int64_t>> deadlines_;
  std::optional<boost::asio::steady_timer> sweep_timer_;  // timer_strand_ only

  mutable std::mutex conns_mu_;
  std::map<std::pair<Endpoint, Channel>, std::shared_ptr<Outbound>> outbound_;  // guarded by conns_mu_
  std::set<std::shared_ptr<Inbound>> inbound_;               // guarded by conns_mu_
};

}  // namespace cairn::net
