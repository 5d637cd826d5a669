// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Internode request/response round trips over loopback TCP between two MessagingService
// instances in one process (127.0.0.90 -> 127.0.0.91, ephemeral ports): an ECHO request
// carrying `payload` bytes, answered with the same bytes by the peer's handler.
//   BM_EchoRoundTrip/in_flight:1   one request at a time: latency of a round trip
//   BM_EchoRoundTrip/in_flight:32  32 outstanding: throughput with write coalescing
//   BM_RawTcpPingPong              floor for comparison: blocking 64-byte ping-pong between
//                                  two threads on a plain loopback socket (no framing,
//                                  no Thrift, no thread hops beyond the two endpoints)
//   BM_EncodeDecodeMessage/payload:N  CPU only: one message encoded into a frame and its
//                                  payload decoded back, as every internode message is
// items_per_second = completed round trips (or encode+decode pairs) per second.
#include <benchmark/benchmark.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "node/net/frame.h"
#include "node/net/message.h"
#include "node/net/messaging_service.h"

namespace cairn::net {
namespace {

struct Pair {
  std::unique_ptr<MessagingService> client;
  std::unique_ptr<MessagingService> server;
};

Pair StartPair() {
  Pair p;
  MessagingOptions so;
  so.listen_endpoint = *Endpoint::Parse("127.0.0.91", 0);
  p.server = std::make_unique<MessagingService>(so);
  MessagingService* server = p.server.get();
  server->RegisterHandler(internode::Verb::ECHO, [server](Message msg) {
    server->SendResponse(msg, std::move(msg.payload)).IgnoreError();  // bench counts answers
  });
  MessagingOptions co;
  co.listen_endpoint = *Endpoint::Parse("127.0.0.90", 0);
  p.client = std::make_unique<MessagingService>(co);
  if (!p.server->Start().ok() || !p.client->Start().ok()) std::abort();
  return p;
}

void BM_EchoRoundTrip(benchmark::State& state) {
  const int in_flight = static_cast<int>(state.range(0));
  const size_t payload_size = static_cast<size_t>(state.range(1));
  Pair p = StartPair();
  const Endpoint to = p.server->local_endpoint();
  internode::EchoMessage echo;
  echo.__set_data(std::string(payload_size, 'e'));
  const std::string payload = Serialize(echo);

  std::mutex mu;
  std::condition_variable cv;
  int outstanding = 0;
  int64_t failures = 0;
  auto send = [&] {
    Status st = p.client->SendRequest(to, internode::Verb::ECHO, payload, std::chrono::milliseconds(10000),
                                      [&](Result<Message> r) {
                                        std::lock_guard<std::mutex> lock(mu);
                                        --outstanding;
                                        if (!r.ok()) ++failures;
                                        cv.notify_one();
                                      });
    if (!st.ok()) std::abort();
  };
  // Warm the connections both ways.
  {
    std::unique_lock<std::mutex> lock(mu);
    ++outstanding;
    lock.unlock();
    send();
    lock.lock();
    cv.wait(lock, [&] { return outstanding == 0; });
  }
  for (auto _ : state) {
    // Keep `in_flight` requests outstanding; each iteration is one completed round trip.
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return outstanding < in_flight; });
    ++outstanding;
    lock.unlock();
    send();
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return outstanding == 0; });
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(payload.size()) * 2);
  state.counters["failures"] = static_cast<double>(failures);
  lock.unlock();
  p.client->Stop();
  p.server->Stop();
}
BENCHMARK(BM_EchoRoundTrip)
    ->ArgNames({"in_flight", "payload"})
    ->Args({1, 64})
    ->Args({32, 64})
    ->Args({1, 4096})
    ->Args({32, 4096})
    ->UseRealTime();

void BM_RawTcpPingPong(benchmark::State& state) {
  namespace asio = boost::asio;
  using asio::ip::tcp;
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.91"), 0));
  tcp::socket client(io);
  client.connect(acceptor.local_endpoint());
  client.set_option(tcp::no_delay(true));
  tcp::socket server = acceptor.accept();
  server.set_option(tcp::no_delay(true));
  std::thread echo([&server] {
    char buf[64];
    boost::system::error_code ec;
    while (!ec) {
      asio::read(server, asio::buffer(buf), ec);
      if (!ec) asio::write(server, asio::buffer(buf), ec);
    }
  });
  char buf[64] = {};
  for (auto _ : state) {
    asio::write(client, asio::buffer(buf));
    asio::read(client, asio::buffer(buf));
  }
  client.close();
  echo.join();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawTcpPingPong)->UseRealTime();

void BM_EncodeDecodeMessage(benchmark::State& state) {
  Message msg;
  msg.verb = internode::Verb::MUTATION;
  msg.id = 12345;
  msg.from = *Endpoint::Parse("127.0.0.151", 7000);
  msg.created_at_us = 1'700'000'000'000'000;
  msg.timeout_ms = 2000;
  msg.payload.assign(static_cast<size_t>(state.range(0)), 'p');
  Message out;
  for (auto _ : state) {
    std::string frame = EncodeMessageFrame(msg);
    Status st = DecodeMessage(std::string_view(frame).substr(kFrameHeaderSize), &out);
    if (!st.ok()) std::abort();
    benchmark::DoNotOptimize(out.payload.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeDecodeMessage)->ArgName("payload")->Arg(64)->Arg(1024);

}  // namespace
}  // namespace cairn::net

BENCHMARK_MAIN();
