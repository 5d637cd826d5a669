// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// MessagingService over real TCP sockets on loopback. Each test owns its own 127.0.0.x
// addresses (40-79) and listens on ephemeral ports, so tests run in parallel (ctest -j)
// without colliding with each other or with a node on 127.0.0.1:7000.
#include "node/net/messaging_service.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <condition_variable>
#include <latch>
#include <mutex>
#include <thread>

#include "node/net/frame.h"
#include "tests/lib/test_util.h"

namespace cairn::net {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;

Endpoint Local(int last_octet, uint16_t port = 0) {
  return *Endpoint::Parse("127.0.0." + std::to_string(last_octet), port);
}

MessagingOptions Options(int last_octet, uint16_t port = 0) {
  MessagingOptions o;
  o.listen_endpoint = Local(last_octet, port);
  o.reconnect_initial_backoff_ms = 20;
  o.reconnect_max_backoff_ms = 200;
  return o;
}

// A node whose ECHO handler answers with the request's payload.
std::unique_ptr<MessagingService> StartNode(MessagingOptions options) {
  auto node = std::make_unique<MessagingService>(std::move(options));
  MessagingService* raw = node.get();
  node->RegisterHandler(internode::Verb::ECHO, [raw](Message msg) {
    raw->SendResponse(msg, msg.payload).IgnoreError();  // the requester sees a timeout
  });
  Status st = node->Start();
  EXPECT_TRUE(st.ok()) << st.ToString();
  return node;
}

// Collects callback results; Wait blocks until `n` have arrived or the deadline passes.
class Results {
 public:
  ResponseCallback Callback() {
    return [this](Result<Message> r) {
      std::lock_guard<std::mutex> lock(mu_);
      statuses_.push_back(r.status());
      if (r.ok()) payloads_.push_back(r->payload);
      cv_.notify_all();
    };
  }
  bool Wait(size_t n, milliseconds timeout = milliseconds(5000)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return statuses_.size() >= n; });
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mu_);
    return statuses_.size();
  }
  Status status(size_t i) {
    std::lock_guard<std::mutex> lock(mu_);
    return statuses_.at(i);
  }
  std::string payload(size_t i) {
    std::lock_guard<std::mutex> lock(mu_);
    return payloads_.at(i);
  }
  size_t ok_count() {
    std::lock_guard<std::mutex> lock(mu_);
    return payloads_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Status> statuses_;
  std::vector<std::string> payloads_;
};

std::string EchoPayload(const std::string& data) {
  internode::EchoMessage echo;
  echo.__set_data(data);
  return Serialize(echo);
}

// One synchronous ECHO round trip.
Result<std::string> Echo(MessagingService& from, const Endpoint& to, const std::string& data,
                         milliseconds timeout = milliseconds(2000)) {
  Results results;
  Status st = from.SendRequest(to, internode::Verb::ECHO, EchoPayload(data), timeout, results.Callback());
  if (!st.ok()) return st;
  if (!results.Wait(1, timeout + milliseconds(5000))) return Status::IOError("callback never ran");
  if (!results.status(0).ok()) return results.status(0);
  internode::EchoMessage echo;
  CAIRN_RETURN_IF_ERROR(Deserialize(results.payload(0), &echo));
  return echo.data;
}

bool WaitFor(const std::function<bool()>& pred, milliseconds timeout = milliseconds(5000)) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return pred();
}

TEST(MessagingServiceTest, RequestResponseRoundTrip) {
  auto a = StartNode(Options(40));
  auto b = StartNode(Options(41));
  EXPECT_EQ(a->local_endpoint().address, Local(40).address);
  EXPECT_NE(a->local_endpoint().port, 0);

  auto r = Echo(*a, b->local_endpoint(), "ping");
  ASSERT_OK(r.status());
  EXPECT_EQ(*r, "ping");
  auto r2 = Echo(*b, a->local_endpoint(), "pong");
  ASSERT_OK(r2.status());
  EXPECT_EQ(*r2, "pong");
  EXPECT_EQ(a->pending_requests(), 0u);
  // A request and a response; the response's write completes on A's side a moment after
  // B may already have read it.
  EXPECT_TRUE(WaitFor([&] { return a->stats().messages_sent >= 2; }));
  EXPECT_GE(a->stats().messages_received, 2u);
  // A's request (ECHO: the gossip channel) and A's response to B travel on separate
  // connections, so a response never waits behind a backlog of requests.
  EXPECT_EQ(a->stats().connects, 2u);
  EXPECT_TRUE(WaitFor([&] { return b->stats().inbound_connections == 2u; }));
}

TEST(MessagingServiceTest, GossipAndLargeMessagesHaveTheirOwnConnections) {
  auto a = StartNode(Options(42));
  auto b = StartNode(Options(43));
  ASSERT_OK(Echo(*a, b->local_endpoint(), "ping").status());  // gossip channel (ECHO) + response
  EXPECT_EQ(a->stats().connects, 1u);
  EXPECT_EQ(b->stats().connects, 1u);
  ASSERT_OK(Echo(*a, b->local_endpoint(), std::string(100 << 10, 'x')).status());  // large, both ways
  EXPECT_EQ(a->stats().connects, 2u);
  EXPECT_EQ(b->stats().connects, 2u);
  ASSERT_OK(Echo(*a, b->local_endpoint(), "again").status());  // reuses the first two
  EXPECT_EQ(a->stats().connects, 2u);
  EXPECT_EQ(b->stats().connects, 2u);
}

TEST(MessagingServiceTest, OneWayGossipMessageCarriesSenderAndPayload) {
  auto a = StartNode(Options(42));
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Message> got;
  MessagingService b(Options(43));
  b.RegisterHandler(internode::Verb::GOSSIP_DIGEST_SYN, [&](Message msg) {
    std::lock_guard<std::mutex> lock(mu);
    got = std::move(msg);
    cv.notify_all();
  });
  ASSERT_OK(b.Start());

  internode::GossipDigestSyn syn;
  syn.cluster_name = "Test Cluster";
  syn.partitioner = "org.apache.cassandra.dht.Murmur3Partitioner";
  internode::GossipDigest d;
  d.endpoint = a->local_endpoint().ToString();
  d.generation = 1700000000;
  d.max_version = 7;
  syn.digests.push_back(d);
  ASSERT_OK(a->SendOneWay(b.local_endpoint(), internode::Verb::GOSSIP_DIGEST_SYN, syn));

  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return got.has_value(); }));
  EXPECT_EQ(got->verb, internode::Verb::GOSSIP_DIGEST_SYN);
  EXPECT_EQ(got->from, a->local_endpoint());
  EXPECT_EQ(got->id, 0);
  EXPECT_FALSE(got->is_request());
  internode::GossipDigestSyn received;
  ASSERT_OK(Deserialize(got->payload, &received));
  EXPECT_EQ(received, syn);
}

TEST(MessagingServiceTest, TimeoutFiresExactlyOnceWhenPeerDropsRequest) {
  auto a = StartNode(Options(44));
  auto b = StartNode(Options(45));
  FaultRule rule;
  rule.peer = a->local_endpoint();
  rule.verb = internode::Verb::ECHO;
  rule.direction = FaultDirection::kInbound;
  rule.drop_probability = 1.0;
  b->SetFault(rule);

  Results results;
  const auto start = Clock::now();
  ASSERT_OK(a->SendRequest(b->local_endpoint(), internode::Verb::ECHO, EchoPayload("x"), milliseconds(150),
                           results.Callback()));
  ASSERT_TRUE(results.Wait(1));
  const auto elapsed = Clock::now() - start;
  EXPECT_TRUE(results.status(0).IsTimedOut()) << results.status(0).ToString();
  EXPECT_GE(elapsed, milliseconds(150));
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(results.size(), 1u);
  EXPECT_EQ(a->stats().requests_timed_out, 1u);
  EXPECT_TRUE(WaitFor([&] { return b->stats().fault_dropped == 1; }));
  EXPECT_EQ(a->pending_requests(), 0u);

  // Lifting the partition restores the link.
  b->ClearFaults();
  ASSERT_OK(Echo(*a, b->local_endpoint(), "healed").status());
}

TEST(MessagingServiceTest, LateResponseAfterTimeoutIsIgnored) {
  auto a = StartNode(Options(46));
  auto b = StartNode(Options(47));
  // B's responses to A take 400 ms; A waits 100 ms.
  b->SetFault(FaultRule::Delay(a->local_endpoint(), 400, FaultDirection::kOutbound));

  Results results;
  ASSERT_OK(a->SendRequest(b->local_endpoint(), internode::Verb::ECHO, EchoPayload("slow"), milliseconds(100),
                           results.Callback()));
  ASSERT_TRUE(results.Wait(1));
  EXPECT_TRUE(results.status(0).IsTimedOut()) << results.status(0).ToString();
  ASSERT_TRUE(WaitFor([&] { return a->stats().late_responses == 1; }));
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(results.size(), 1u);
  EXPECT_EQ(b->stats().fault_delayed, 1u);
}

TEST(MessagingServiceTest, ReconnectsAfterPeerRestarts) {
  auto a = StartNode(Options(48));
  auto b = StartNode(Options(49));
  const Endpoint b_endpoint = b->local_endpoint();
  ASSERT_OK(Echo(*a, b_endpoint, "before").status());

  b->Stop();
  b.reset();
  // While B is down a request fails by timeout (its connection is refused; it waits in
  // the queue until it expires).
  auto down = Echo(*a, b_endpoint, "down", milliseconds(200));
  EXPECT_TRUE(down.status().IsTimedOut()) << down.status().ToString();

  // B comes back on the same address and port (a restarted node keeps its endpoint).
  b = StartNode(Options(49, b_endpoint.port));
  ASSERT_EQ(b->local_endpoint(), b_endpoint);
  bool ok = false;
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (!ok && Clock::now() < deadline) {
    auto r = Echo(*a, b_endpoint, "after", milliseconds(300));
    ok = r.ok() && *r == "after";
  }
  EXPECT_TRUE(ok);
  EXPECT_GE(a->stats().connects, 2u);
  EXPECT_GE(a->stats().connect_failures, 1u);
}

// A free port on `address`, by binding and closing an acceptor.
uint16_t FreePort(const Endpoint& address) {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(address.address, 0));
  return acceptor.local_endpoint().port();
}

TEST(MessagingServiceTest, BackPressureReturnsOverloadedWhenPeerIsDown) {
  MessagingOptions options = Options(50);
  options.max_queued_messages_per_peer = 64;
  auto a = StartNode(options);
  const Endpoint down = Local(51, FreePort(Local(51)));

  for (int i = 0; i < 64; ++i) {
    ASSERT_OK(a->SendOneWay(down, internode::Verb::GOSSIP_DIGEST_SYN, std::string("m")));
  }
  Status st = a->SendOneWay(down, internode::Verb::GOSSIP_DIGEST_SYN, std::string("m"));
  EXPECT_TRUE(st.IsOverloaded()) << st.ToString();
  // A refused request never runs its callback.
  Results results;
  st = a->SendRequest(down, internode::Verb::ECHO, EchoPayload("x"), milliseconds(1000), results.Callback());
  EXPECT_TRUE(st.IsOverloaded()) << st.ToString();
  EXPECT_EQ(a->pending_requests(), 0u);
  EXPECT_EQ(a->stats().overloaded_sends, 2u);
  // Other peers are unaffected.
  auto up = StartNode(Options(52));
  ASSERT_OK(Echo(*a, up->local_endpoint(), "other peer").status());

  // The peer comes up: the queued messages go out on the reconnect.
  std::atomic<int> received{0};
  MessagingService b(Options(51, down.port));
  b.RegisterHandler(internode::Verb::GOSSIP_DIGEST_SYN, [&](Message) { received.fetch_add(1); });
  ASSERT_OK(b.Start());
  EXPECT_TRUE(WaitFor([&] { return received.load() == 64; })) << received.load();
  EXPECT_OK(a->SendOneWay(down, internode::Verb::GOSSIP_DIGEST_SYN, std::string("m")));
  EXPECT_TRUE(results.Wait(1, milliseconds(1200)) == false);
}

TEST(MessagingServiceTest, BackPressureCountsBytes) {
  MessagingOptions options = Options(53);
  options.max_queued_bytes_per_peer = 10000;
  auto a = StartNode(options);
  const Endpoint down = Local(54, FreePort(Local(54)));
  Status st;
  int accepted = 0;
  while ((st = a->SendOneWay(down, internode::Verb::GOSSIP_DIGEST_SYN, std::string(1000, 'b'))).ok()) {
    ++accepted;
    ASSERT_LT(accepted, 100);
  }
  EXPECT_TRUE(st.IsOverloaded()) << st.ToString();
  EXPECT_GE(accepted, 8);
  EXPECT_LE(accepted, 10);
}

// Issue 5: responses count against the byte bound only. A replica answering a burst of
// writes must not drop its acks (the requester would time out and hint a replica that has
// the data), while requests and one-way messages keep the message bound.
TEST(MessagingServiceTest, ResponsesAreBoundedByBytesNotByMessageCount) {
  MessagingOptions options = Options(77);
  options.max_queued_messages_per_peer = 4;
  options.max_queued_bytes_per_peer = 20000;
  auto a = StartNode(options);
  const Endpoint down = Local(79, FreePort(Local(79)));
  for (int i = 0; i < 4; ++i) {
    ASSERT_OK(a->SendOneWay(down, internode::Verb::GOSSIP_DIGEST_SYN, std::string("m")));
  }
  Status st = a->SendOneWay(down, internode::Verb::GOSSIP_DIGEST_SYN, std::string("m"));
  EXPECT_TRUE(st.IsOverloaded()) << st.ToString();
  Results results;
  st = a->SendRequest(down, internode::Verb::ECHO, EchoPayload("x"), milliseconds(1000),
                      results.Callback());
  EXPECT_TRUE(st.IsOverloaded()) << st.ToString();

  // Answers to requests `down` sent us: many more than the message bound fit.
  Message request;
  request.verb = internode::Verb::ECHO;
  request.from = down;
  for (int i = 0; i < 50; ++i) {
    request.id = i + 1;
    ASSERT_OK(a->SendResponse(request, std::string(10, 'r')));
  }
  ASSERT_OK(a->SendFailureResponse(request, internode::FailureReason::OVERLOADED, "busy"));
  // The byte bound still refuses them.
  int accepted = 0;
  while ((st = a->SendResponse(request, std::string(1000, 'r'))).ok()) {
    ++accepted;
    ASSERT_LT(accepted, 100);
  }
  EXPECT_TRUE(st.IsOverloaded()) << st.ToString();
  EXPECT_GE(accepted, 15);
  const MessagingStats stats = a->stats();
  EXPECT_EQ(stats.overloaded_requests, 1u);
  EXPECT_EQ(stats.overloaded_responses, 1u);
  EXPECT_EQ(stats.overloaded_sends, 3u);  // the one-way message too
}

// Issue 5, end to end: a replica holding 300 requests answers them all at once with a
// message bound of 4; every request gets its response (none times out).
TEST(MessagingServiceTest, BurstOfResponsesBeyondTheMessageBoundIsDelivered) {
  auto a = StartNode(Options(77));
  MessagingOptions ob = Options(78);
  ob.max_queued_messages_per_peer = 4;
  constexpr int kRequests = 300;
  std::mutex mu;
  std::vector<Message> held;
  MessagingService b(ob);
  b.RegisterHandler(internode::Verb::ECHO, [&](Message msg) {
    std::vector<Message> burst;
    {
      std::lock_guard<std::mutex> lock(mu);
      held.push_back(std::move(msg));
      if (held.size() == kRequests) burst.swap(held);
    }
    for (const Message& m : burst) {
      Status st = b.SendResponse(m, m.payload);
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
  });
  ASSERT_OK(b.Start());
  Results results;
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_OK(a->SendRequest(b.local_endpoint(), internode::Verb::ECHO, EchoPayload("x"),
                             milliseconds(10000), results.Callback()));
  }
  ASSERT_TRUE(results.Wait(kRequests, milliseconds(15000))) << results.size();
  EXPECT_EQ(results.ok_count(), static_cast<size_t>(kRequests));
  EXPECT_EQ(b.stats().overloaded_responses, 0u);
}

// Connects a raw socket to `to`, writes `bytes`, and reports whether the server closed the
// connection within the timeout.
bool ServerClosesAfter(const Endpoint& to, const std::string& bytes) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect(asio::ip::tcp::endpoint(to.address, to.port), ec);
  if (ec) return false;
  asio::write(socket, asio::buffer(bytes), ec);
  if (ec) return true;  // reset while writing: closed
  // Block in read until EOF or reset, bounded by SO_RCVTIMEO.
  struct timeval tv = {3, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  char c;
  const ssize_t n = ::recv(socket.native_handle(), &c, 1, 0);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

TEST(MessagingServiceTest, CorruptFrameClosesThatConnectionOnly) {
  auto a = StartNode(Options(55));
  auto b = StartNode(Options(56));
  ASSERT_OK(Echo(*a, b->local_endpoint(), "before").status());

  // Plain garbage (bad magic).
  EXPECT_TRUE(ServerClosesAfter(b->local_endpoint(), std::string(64, 'G')));
  // A good header with a payload that fails its checksum.
  std::string frame = EncodeMessageFrame(Message());
  frame.back() ^= 1;
  EXPECT_TRUE(ServerClosesAfter(b->local_endpoint(), frame));
  // A length above max_frame_size_bytes: refused from the header alone.
  std::string oversized;
  AppendFrame(&oversized, "x");
  oversized[6] = oversized[7] = oversized[8] = oversized[9] = '\x7f';
  EXPECT_TRUE(ServerClosesAfter(b->local_endpoint(), oversized));
  // A well-framed payload that is not an Envelope.
  std::string not_envelope;
  AppendFrame(&not_envelope, "this is not thrift");
  EXPECT_TRUE(ServerClosesAfter(b->local_endpoint(), not_envelope));
  // An unsupported frame version.
  std::string v2;
  AppendFrame(&v2, "x");
  v2[4] = 2;
  EXPECT_TRUE(ServerClosesAfter(b->local_endpoint(), v2));

  EXPECT_TRUE(WaitFor([&] { return b->stats().corrupt_frames == 5; })) << b->stats().corrupt_frames;
  // B still serves A on the existing connection and accepts new ones.
  ASSERT_OK(Echo(*a, b->local_endpoint(), "after").status());
  auto c = StartNode(Options(57));
  ASSERT_OK(Echo(*c, b->local_endpoint(), "new peer").status());
}

TEST(MessagingServiceTest, FramesSplitAcrossWritesAreReassembled) {
  std::atomic<int> received{0};
  MessagingService b(Options(58));
  b.RegisterHandler(internode::Verb::GOSSIP_DIGEST_SYN, [&](Message m) {
    if (m.payload == std::string(3000, 'p')) received.fetch_add(1);
  });
  ASSERT_OK(b.Start());
  Message msg;
  msg.verb = internode::Verb::GOSSIP_DIGEST_SYN;
  msg.from = Local(59, 7000);
  msg.payload = std::string(3000, 'p');
  const std::string frame = EncodeMessageFrame(msg);
  const std::string two = frame + frame;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect(asio::ip::tcp::endpoint(b.local_endpoint().address, b.local_endpoint().port));
  // Byte-sized dribbles through the first header, then the rest in odd chunks.
  size_t pos = 0;
  for (; pos < 20; ++pos) {
    asio::write(socket, asio::buffer(two.data() + pos, 1));
    std::this_thread::sleep_for(milliseconds(1));
  }
  while (pos < two.size()) {
    const size_t n = std::min<size_t>(777, two.size() - pos);
    asio::write(socket, asio::buffer(two.data() + pos, n));
    pos += n;
  }
  EXPECT_TRUE(WaitFor([&] { return received.load() == 2; }));
  EXPECT_EQ(b.stats().corrupt_frames, 0u);
}

TEST(MessagingServiceTest, DelayRuleDelays) {
  auto a = StartNode(Options(60));
  auto b = StartNode(Options(61));
  ASSERT_OK(Echo(*a, b->local_endpoint(), "warm").status());

  FaultRule rule = FaultRule::Delay(b->local_endpoint(), 250, FaultDirection::kOutbound);
  rule.verb = internode::Verb::ECHO;
  const uint64_t id = a->SetFault(rule);
  auto start = Clock::now();
  ASSERT_OK(Echo(*a, b->local_endpoint(), "delayed").status());
  EXPECT_GE(Clock::now() - start, milliseconds(250));
  // A rule for another verb does not touch ECHO.
  EXPECT_TRUE(a->RemoveFault(id));
  rule.verb = internode::Verb::GOSSIP_DIGEST_SYN;
  a->SetFault(rule);
  start = Clock::now();
  ASSERT_OK(Echo(*a, b->local_endpoint(), "fast").status());
  EXPECT_LT(Clock::now() - start, milliseconds(250));
  EXPECT_EQ(a->Faults().size(), 1u);
  a->ClearFaults();
  EXPECT_TRUE(a->Faults().empty());
}

TEST(MessagingServiceTest, ManyConcurrentRequestsAllComplete) {
  MessagingOptions oa = Options(62);
  oa.max_queued_messages_per_peer = 20000;
  MessagingOptions ob = Options(63);
  ob.max_queued_messages_per_peer = 20000;
  ob.max_pending_handlers = 20000;
  auto a = StartNode(oa);
  auto b = StartNode(ob);
  constexpr int kRequests = 10000;
  std::mutex mu;
  std::condition_variable cv;
  int done = 0, ok = 0;
  for (int i = 0; i < kRequests; ++i) {
    const std::string data = std::to_string(i);
    ASSERT_OK(a->SendRequest(b->local_endpoint(), internode::Verb::ECHO, EchoPayload(data), milliseconds(15000),
                             [&, data](Result<Message> r) {
                               internode::EchoMessage echo;
                               const bool good = r.ok() && Deserialize(r->payload, &echo).ok() && echo.data == data;
                               std::lock_guard<std::mutex> lock(mu);
                               ++done;
                               ok += good;
                               cv.notify_all();
                             }));
  }
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(15), [&] { return done == kRequests; })) << done;
  EXPECT_EQ(ok, kRequests);
  EXPECT_EQ(a->pending_requests(), 0u);
}

TEST(MessagingServiceTest, UnknownVerbIsAnsweredNotSupported) {
  auto a = StartNode(Options(64));
  auto b = StartNode(Options(65));
  Results results;
  ASSERT_OK(a->SendRequest(b->local_endpoint(), internode::Verb::GOSSIP_DIGEST_ACK2, std::string(),
                           milliseconds(2000), results.Callback()));
  ASSERT_TRUE(results.Wait(1));
  EXPECT_TRUE(results.status(0).IsNotSupported()) << results.status(0).ToString();
}

TEST(MessagingServiceTest, FullHandlerQueueAnswersOverloaded) {
  auto a = StartNode(Options(66));
  MessagingOptions ob = Options(67);
  ob.handler_threads = 1;
  ob.max_pending_handlers = 1;
  std::latch release(1);
  std::atomic<int> entered{0};
  MessagingService b(ob);
  b.RegisterHandler(internode::Verb::ECHO, [&](Message msg) {
    entered.fetch_add(1);
    release.wait();
    b.SendResponse(msg, msg.payload).IgnoreError();  // the test checks the callback
  });
  ASSERT_OK(b.Start());
  Results first, second;
  ASSERT_OK(a->SendRequest(b.local_endpoint(), internode::Verb::ECHO, EchoPayload("1"), milliseconds(5000),
                           first.Callback()));
  ASSERT_TRUE(WaitFor([&] { return entered.load() == 1; }));
  ASSERT_OK(a->SendRequest(b.local_endpoint(), internode::Verb::ECHO, EchoPayload("2"), milliseconds(5000),
                           second.Callback()));
  ASSERT_TRUE(second.Wait(1));
  EXPECT_TRUE(second.status(0).IsOverloaded()) << second.status(0).ToString();
  release.count_down();
  ASSERT_TRUE(first.Wait(1));
  EXPECT_OK(first.status(0));
  EXPECT_EQ(b.stats().overloaded_inbound, 1u);
}

TEST(MessagingServiceTest, HandlerExceptionIsAnsweredWithAnError) {
  auto a = StartNode(Options(68));
  MessagingService b(Options(69));
  b.RegisterHandler(internode::Verb::ECHO, [](Message) { throw std::runtime_error("handler bug"); });
  ASSERT_OK(b.Start());
  Results results;
  ASSERT_OK(a->SendRequest(b.local_endpoint(), internode::Verb::ECHO, EchoPayload("x"), milliseconds(2000),
                           results.Callback()));
  ASSERT_TRUE(results.Wait(1));
  EXPECT_TRUE(results.status(0).IsIOError()) << results.status(0).ToString();
  EXPECT_NE(results.status(0).message().find("handler bug"), std::string::npos);
}

TEST(MessagingServiceTest, StopAbortsOutstandingRequestsExactlyOnce) {
  auto a = StartNode(Options(70));
  auto b = StartNode(Options(71));
  b->SetFault(FaultRule::DropAll(std::nullopt));
  Results results;
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(a->SendRequest(b->local_endpoint(), internode::Verb::ECHO, EchoPayload("x"), milliseconds(10000),
                             results.Callback()));
  }
  a->Stop();
  // Stop waited for the callbacks.
  ASSERT_EQ(results.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_TRUE(results.status(i).IsAborted()) << results.status(i).ToString();
  EXPECT_TRUE(a->SendOneWay(b->local_endpoint(), internode::Verb::ECHO, std::string()).IsAborted());
  Results after;
  EXPECT_TRUE(a->SendRequest(b->local_endpoint(), internode::Verb::ECHO, std::string(), milliseconds(100),
                             after.Callback())
                  .IsAborted());
  a->Stop();  // idempotent
  EXPECT_EQ(after.size(), 0u);
}

TEST(MessagingServiceTest, StartFailsWhenTheAddressIsTaken) {
  auto a = StartNode(Options(72));
  MessagingService b(Options(72, a->local_endpoint().port));
  Status st = b.Start();
  EXPECT_TRUE(st.IsIOError()) << st.ToString();
}

TEST(MessagingServiceTest, OversizedPayloadIsRefused) {
  MessagingOptions o = Options(73);
  o.max_frame_size_bytes = 1024;
  auto a = StartNode(o);
  Status st = a->SendOneWay(Local(74, 7000), internode::Verb::ECHO, std::string(2000, 'x'));
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  // The bound is on the whole envelope: a payload just under it is refused too.
  st = a->SendOneWay(Local(74, 7000), internode::Verb::ECHO, std::string(1020, 'x'));
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_OK(a->SendOneWay(Local(74, 7000), internode::Verb::ECHO, std::string(900, 'x')));
}

TEST(MessagingServiceTest, ReceiverRejectsFramesAboveItsLimit) {
  auto a = StartNode(Options(75));
  MessagingOptions ob = Options(76);
  ob.max_frame_size_bytes = 4096;
  auto b = StartNode(ob);
  // A 10 KB ECHO is fine for A but above B's limit: B closes the connection and A's
  // request times out; a small one afterwards gets through on a new connection.
  auto big = Echo(*a, b->local_endpoint(), std::string(10000, 'x'), milliseconds(300));
  EXPECT_TRUE(big.status().IsTimedOut()) << big.status().ToString();
  EXPECT_TRUE(WaitFor([&] { return b->stats().corrupt_frames == 1; }));
  bool ok = false;
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (!ok && Clock::now() < deadline) ok = Echo(*a, b->local_endpoint(), "small", milliseconds(300)).ok();
  EXPECT_TRUE(ok);
}

}  // namespace
}  // namespace cairn::net
