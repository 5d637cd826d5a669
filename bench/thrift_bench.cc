// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// thrift_bench: a load generator speaking Cassandra's Thrift API (framed transport,
// strict binary protocol) to a running cairnd, and the trivial "ping" server that is its
// ceiling. bench/run_thrift_bench.sh drives it; bench/README.md ("Thrift (single node)")
// has the figures.
//
// Workloads (--workload):
//   ping    describe_version: the Thrift stack alone (against --serve_ping or cairnd)
//   insert  insert of one column (--value_size bytes) into a random partition of
//           --keys, consistency ONE
//   fill    insert of every partition 0..--keys-1 once (sequential ids, not timed as a
//           benchmark: it prepares the read workload)
//   read    get_slice of a random partition of --keys, SliceRange("", "", false, 100)
// each run with every connection count of --connections (e.g. 1,8,32): --warmup_s of
// unmeasured load, then --duration_s measured.
//
// Client model: like real Thrift clients, one request outstanding per connection (no
// pipelining); a response is matched to its connection and the next request is sent at
// once. Connections are spread over --threads client threads, each an epoll loop, so
// the generator costs little CPU next to the server on a small machine. Requests are
// hand-encoded (no generated client on the hot path); a response is checked for a reply
// (not an exception) and, for get_slice, for a non-empty list. Latency is from just
// before write() to the read() completing the response frame, recorded in a log-linear
// histogram (tools/stress/histogram.h, shared with cairn-stress: 128 linear sub-buckets
// per power of two, < 0.8 % error).
//
// Other modes:
//   --setup        creates keyspace --keyspace (SimpleStrategy, RF 1) with the standard
//                  column family --column_family (BytesType) unless it exists
//   --serve_ping   serves Cassandra's Thrift service with a handler that only answers
//                  describe_version, through cairn::thrift::ThriftServer: the same
//                  event loops, transport, protocol and thread setup as cairnd
//                  (--io_threads, --worker_threads), until SIGTERM/SIGINT
//
// Output: one line per workload and connection count, `key=value` pairs:
//   thrift_bench workload=read conns=32 ops=... ops_per_s=... p50_us=... p95_us=...
//   p99_us=... p999_us=... max_us=... errors=... empty=... client_cpu_pct=...
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>

#include "gen-cpp/Cassandra.h"
#include "thrift/server.h"
#include "tools/stress/histogram.h"

namespace {

namespace gen = ::cairn::cassandra;
using ::cairn::stress::Histogram;

// --- Options -------------------------------------------------------------------------

struct Options {
  std::string host = "127.0.0.1";
  int port = 9160;
  std::string workload = "ping";
  std::vector<int> connections = {1, 8, 32};
  int threads = 1;
  double warmup_s = 1;
  double duration_s = 5;
  uint64_t keys = 200000;
  int value_size = 64;
  std::string keyspace = "bench";
  std::string column_family = "standard1";
  bool setup = false;
  bool serve_ping = false;
  int io_threads = 2;
  int worker_threads = 0;
  std::string label;
};

void Usage() {
  std::fprintf(stderr,
               "usage: thrift_bench [--host H] [--port P] [--workload ping|insert|fill|read]\n"
               "  [--connections 1,8,32] [--threads N] [--warmup_s S] [--duration_s S]\n"
               "  [--keys N] [--value_size B] [--keyspace KS] [--column_family CF]\n"
               "  [--label TEXT] | --setup | --serve_ping [--io_threads N] [--worker_threads N]\n");
}

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "thrift_bench: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--host") o->host = value();
    else if (a == "--port") o->port = std::stoi(value());
    else if (a == "--workload") o->workload = value();
    else if (a == "--threads") o->threads = std::stoi(value());
    else if (a == "--warmup_s") o->warmup_s = std::stod(value());
    else if (a == "--duration_s") o->duration_s = std::stod(value());
    else if (a == "--keys") o->keys = std::stoull(value());
    else if (a == "--value_size") o->value_size = std::stoi(value());
    else if (a == "--keyspace") o->keyspace = value();
    else if (a == "--column_family") o->column_family = value();
    else if (a == "--label") o->label = value();
    else if (a == "--io_threads") o->io_threads = std::stoi(value());
    else if (a == "--worker_threads") o->worker_threads = std::stoi(value());
    else if (a == "--setup") o->setup = true;
    else if (a == "--serve_ping") o->serve_ping = true;
    else if (a == "--connections") {
      o->connections.clear();
      std::string list = value();
      size_t pos = 0;
      while (pos <= list.size()) {
        size_t comma = list.find(',', pos);
        if (comma == std::string::npos) comma = list.size();
        if (comma > pos) o->connections.push_back(std::stoi(list.substr(pos, comma - pos)));
        pos = comma + 1;
      }
    } else {
      Usage();
      return false;
    }
  }
  return true;
}

// --- Hand-encoded requests (TBinaryProtocol, strict) ---------------------------------

enum TType : uint8_t {
  kStop = 0, kBool = 2, kI32 = 8, kI64 = 10, kString = 11, kStruct = 12, kList = 15
};

class Encoder {
 public:
  explicit Encoder(std::string* out) : out_(out) {}
  void I8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void I16(uint16_t v) { I8(static_cast<uint8_t>(v >> 8)); I8(static_cast<uint8_t>(v)); }
  void I32(uint32_t v) { I16(static_cast<uint16_t>(v >> 16)); I16(static_cast<uint16_t>(v)); }
  void I64(uint64_t v) { I32(static_cast<uint32_t>(v >> 32)); I32(static_cast<uint32_t>(v)); }
  void Bytes(std::string_view s) { I32(static_cast<uint32_t>(s.size())); out_->append(s); }
  void Field(TType t, uint16_t id) { I8(t); I16(id); }
  void Stop() { I8(kStop); }
  // Frame length placeholder + strict call header.
  void BeginCall(std::string_view method, uint32_t seqid) {
    out_->clear();
    I32(0);
    I32(0x80010000u | 1u);  // VERSION_1 | T_CALL
    Bytes(method);
    I32(seqid);
  }
  void EndCall() {
    Stop();  // args struct
    const uint32_t n = static_cast<uint32_t>(out_->size() - 4);
    for (int i = 0; i < 4; ++i) (*out_)[i] = static_cast<char>(n >> (24 - 8 * i));
  }

 private:
  std::string* out_;
};

constexpr int32_t kConsistencyOne = 1;

std::string KeyName(uint64_t id) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "k%011" PRIu64, id);
  return buf;
}

void EncodePing(std::string* out, uint32_t seqid) {
  Encoder e(out);
  e.BeginCall("describe_version", seqid);
  e.EndCall();
}

void EncodeSetKeyspace(std::string* out, uint32_t seqid, const std::string& ks) {
  Encoder e(out);
  e.BeginCall("set_keyspace", seqid);
  e.Field(kString, 1);
  e.Bytes(ks);
  e.EndCall();
}

void EncodeInsert(std::string* out, uint32_t seqid, const Options& o, std::string_view key,
                  std::string_view value, int64_t timestamp_us) {
  Encoder e(out);
  e.BeginCall("insert", seqid);
  e.Field(kString, 1);  // key
  e.Bytes(key);
  e.Field(kStruct, 2);  // ColumnParent
  e.Field(kString, 3);
  e.Bytes(o.column_family);
  e.Stop();
  e.Field(kStruct, 3);  // Column
  e.Field(kString, 1);
  e.Bytes("c0");
  e.Field(kString, 2);
  e.Bytes(value);
  e.Field(kI64, 3);
  e.I64(static_cast<uint64_t>(timestamp_us));
  e.Stop();
  e.Field(kI32, 4);  // consistency_level
  e.I32(kConsistencyOne);
  e.EndCall();
}

void EncodeGetSlice(std::string* out, uint32_t seqid, const Options& o, std::string_view key) {
  Encoder e(out);
  e.BeginCall("get_slice", seqid);
  e.Field(kString, 1);  // key
  e.Bytes(key);
  e.Field(kStruct, 2);  // ColumnParent
  e.Field(kString, 3);
  e.Bytes(o.column_family);
  e.Stop();
  e.Field(kStruct, 3);  // SlicePredicate
  e.Field(kStruct, 2);  // SliceRange
  e.Field(kString, 1);
  e.Bytes("");
  e.Field(kString, 2);
  e.Bytes("");
  e.Field(kBool, 3);
  e.I8(0);
  e.Field(kI32, 4);
  e.I32(100);
  e.Stop();
  e.Stop();
  e.Field(kI32, 4);  // consistency_level
  e.I32(kConsistencyOne);
  e.EndCall();
}

enum class Outcome { kOk, kEmpty, kError };

// Classifies a complete response frame (without its 4-byte length): a T_REPLY whose
// result struct holds field 0 (or nothing, for void) is OK; for a list result, an empty
// list is kEmpty; exceptions and anything unparsable are kError.
Outcome ParseResponse(const uint8_t* p, size_t n) {
  auto be32 = [](const uint8_t* q) {
    return (uint32_t{q[0]} << 24) | (uint32_t{q[1]} << 16) | (uint32_t{q[2]} << 8) | q[3];
  };
  if (n < 8) return Outcome::kError;
  const uint32_t version = be32(p);
  if ((version & 0xffff0000u) != 0x80010000u || (version & 0xff) != 2) return Outcome::kError;
  const uint32_t name_len = be32(p + 4);
  size_t off = 8 + size_t{name_len} + 4;  // name, seqid
  if (off + 1 > n) return Outcome::kError;
  const uint8_t type = p[off];
  if (type == kStop) return Outcome::kOk;  // void
  if (off + 3 > n) return Outcome::kError;
  const uint16_t id = static_cast<uint16_t>((p[off + 1] << 8) | p[off + 2]);
  if (id != 0) return Outcome::kError;  // a declared exception
  if (type == kList) {
    if (off + 8 > n) return Outcome::kError;
    return be32(p + off + 4) == 0 ? Outcome::kEmpty : Outcome::kOk;
  }
  return Outcome::kOk;
}

// --- The load generator --------------------------------------------------------------

uint64_t NowNanos() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

// Phases shared by all client threads.
enum Phase : int { kWarmup = 0, kMeasure = 1, kDrain = 2 };

struct Connection {
  int fd = -1;
  std::string out;        // the request being sent
  size_t out_done = 0;
  std::vector<uint8_t> in;
  size_t in_len = 0;
  uint64_t sent_nanos = 0;
  uint32_t seqid = 0;
  bool waiting = false;   // a request is outstanding
};

int Connect(const Options& o) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(o.port));
  if (::inet_pton(AF_INET, o.host.c_str(), &addr.sin_addr) != 1 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

// Blocking round trip used once per connection before the measured loop.
bool RoundTrip(int fd, const std::string& request) {
  size_t done = 0;
  while (done < request.size()) {
    ssize_t w = ::write(fd, request.data() + done, request.size() - done);
    if (w <= 0) return false;
    done += static_cast<size_t>(w);
  }
  uint8_t header[4];
  size_t got = 0;
  while (got < 4) {
    ssize_t r = ::read(fd, header + got, 4 - got);
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  const uint32_t len = (uint32_t{header[0]} << 24) | (uint32_t{header[1]} << 16) |
                       (uint32_t{header[2]} << 8) | header[3];
  std::vector<uint8_t> body(len);
  got = 0;
  while (got < len) {
    ssize_t r = ::read(fd, body.data() + got, len - got);
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return ParseResponse(body.data(), len) != Outcome::kError;
}

struct ThreadResult {
  Histogram latency;
  uint64_t errors = 0;
  uint64_t empty = 0;
  bool failed = false;
};

class ClientThread {
 public:
  ClientThread(const Options& o, int index, int nthreads, int nconns,
               const std::atomic<int>* phase, std::atomic<uint64_t>* fill_next)
      : o_(o), index_(index), nthreads_(nthreads), nconns_(nconns), phase_(phase),
        fill_next_(fill_next), rng_(0x9e3779b97f4a7c15ull * static_cast<uint64_t>(index + 1)),
        value_(static_cast<size_t>(o.value_size), 'v') {}

  // Connects, then loops until the phase is kDrain and every response is in.
  void Run() {
    epfd_ = ::epoll_create1(0);
    conns_.resize(static_cast<size_t>(nconns_));
    std::string setup;
    for (int i = 0; i < nconns_; ++i) {
      Connection& c = conns_[static_cast<size_t>(i)];
      c.fd = Connect(o_);
      if (c.fd < 0) {
        std::fprintf(stderr, "thrift_bench: cannot connect to %s:%d\n", o_.host.c_str(), o_.port);
        result_.failed = true;
        ready_.store(true);
        return;
      }
      if (o_.workload != "ping") {
        EncodeSetKeyspace(&setup, 0, o_.keyspace);
        if (!RoundTrip(c.fd, setup)) {
          std::fprintf(stderr, "thrift_bench: set_keyspace %s failed\n", o_.keyspace.c_str());
          result_.failed = true;
          ready_.store(true);
          return;
        }
      }
      ::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) | O_NONBLOCK);
      c.in.resize(4096);
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u32 = static_cast<uint32_t>(i);
      ::epoll_ctl(epfd_, EPOLL_CTL_ADD, c.fd, &ev);
    }
    ready_.store(true);
    while (phase_->load(std::memory_order_relaxed) == -1) std::this_thread::yield();
    for (auto& c : conns_) {
      if (!Send(c)) return;
    }
    epoll_event events[64];
    size_t outstanding = conns_.size();
    uint64_t drain_deadline = 0;  // responses still missing 5 s after the end are lost
    while (outstanding > 0) {
      int n = ::epoll_wait(epfd_, events, 64, 1000);
      if (phase_->load(std::memory_order_relaxed) == kDrain) {
        if (drain_deadline == 0) drain_deadline = NowNanos() + 5'000'000'000ull;
        if (NowNanos() > drain_deadline) {
          std::fprintf(stderr, "thrift_bench: %zu responses missing\n", outstanding);
          result_.failed = true;
          break;
        }
      }
      for (int k = 0; k < n; ++k) {
        Connection& c = conns_[events[k].data.u32];
        if (events[k].events & EPOLLOUT) {
          if (!Flush(c)) return;
          continue;
        }
        int done = OnReadable(c);
        if (done < 0) return;
        if (done == 0) continue;
        if (phase_->load(std::memory_order_relaxed) == kDrain || filled_) {
          --outstanding;
        } else if (!Send(c)) {
          return;
        }
      }
    }
    for (auto& c : conns_) ::close(c.fd);
    ::close(epfd_);
  }

  bool ready() const { return ready_.load(); }
  // REQUIRES: Run() returned, or ready() (failures before ready() are published by it).
  const ThreadResult& result() const { return result_; }

 private:
  // Encodes and starts sending the next request of the workload.
  bool Send(Connection& c) {
    ++c.seqid;
    if (o_.workload == "ping") {
      EncodePing(&c.out, c.seqid);
    } else if (o_.workload == "insert") {
      EncodeInsert(&c.out, c.seqid, o_, KeyName(rng_() % o_.keys), value_, NowMicros());
    } else if (o_.workload == "fill") {
      uint64_t id = fill_next_->fetch_add(1);
      if (id >= o_.keys) {
        filled_ = true;
        id = rng_() % o_.keys;  // one last overwrite keeps the loop's shape simple
      }
      EncodeInsert(&c.out, c.seqid, o_, KeyName(id), value_, NowMicros());
    } else {
      EncodeGetSlice(&c.out, c.seqid, o_, KeyName(rng_() % o_.keys));
    }
    c.out_done = 0;
    c.in_len = 0;
    c.waiting = true;
    c.sent_nanos = NowNanos();
    return Flush(c);
  }

  bool Flush(Connection& c) {
    while (c.out_done < c.out.size()) {
      ssize_t w = ::write(c.fd, c.out.data() + c.out_done, c.out.size() - c.out_done);
      if (w < 0 && errno == EAGAIN) {
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT;
        ev.data.u32 = static_cast<uint32_t>(&c - conns_.data());
        ::epoll_ctl(epfd_, EPOLL_CTL_MOD, c.fd, &ev);
        return true;
      }
      if (w <= 0) return Fail("write");
      c.out_done += static_cast<size_t>(w);
    }
    return true;
  }

  // Reads what is available: 1 when a response completed, 0 when more is needed, -1 on
  // a connection failure.
  int OnReadable(Connection& c) {
    for (;;) {
      if (c.in_len == c.in.size()) c.in.resize(c.in.size() * 2);
      ssize_t r = ::read(c.fd, c.in.data() + c.in_len, c.in.size() - c.in_len);
      if (r < 0 && errno == EAGAIN) return 0;
      if (r <= 0) return Fail("read") ? 0 : -1;
      c.in_len += static_cast<size_t>(r);
      if (c.in_len < 4) continue;
      const uint32_t len = (uint32_t{c.in[0]} << 24) | (uint32_t{c.in[1]} << 16) |
                           (uint32_t{c.in[2]} << 8) | c.in[3];
      if (c.in_len < 4 + size_t{len}) {
        if (c.in.size() < 4 + size_t{len}) c.in.resize(4 + size_t{len});
        continue;
      }
      const uint64_t now = NowNanos();
      c.waiting = false;
      Outcome outcome = ParseResponse(c.in.data() + 4, len);
      if (phase_->load(std::memory_order_relaxed) == kMeasure) {
        result_.latency.Record(now - c.sent_nanos);
        if (outcome == Outcome::kError) ++result_.errors;
        if (outcome == Outcome::kEmpty) ++result_.empty;
      }
      return 1;
    }
  }

  bool Fail(const char* what) {
    std::fprintf(stderr, "thrift_bench: %s failed: %s\n", what, std::strerror(errno));
    result_.failed = true;
    return false;
  }

  static int64_t NowMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  const Options& o_;
  [[maybe_unused]] int index_;
  [[maybe_unused]] int nthreads_;
  int nconns_;
  const std::atomic<int>* phase_;
  std::atomic<uint64_t>* fill_next_;
  std::mt19937_64 rng_;
  std::string value_;
  int epfd_ = -1;
  std::vector<Connection> conns_;
  std::atomic<bool> ready_{false};
  bool filled_ = false;
  ThreadResult result_;
};

double CpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

bool RunWorkload(const Options& o, int nconns) {
  const int nthreads = std::max(1, std::min(o.threads, nconns));
  std::atomic<int> phase{-1};
  std::atomic<uint64_t> fill_next{0};
  std::vector<std::unique_ptr<ClientThread>> clients;
  std::vector<std::thread> threads;
  for (int t = 0; t < nthreads; ++t) {
    const int share = nconns / nthreads + (t < nconns % nthreads ? 1 : 0);
    clients.push_back(std::make_unique<ClientThread>(o, t, nthreads, share, &phase, &fill_next));
  }
  for (auto& c : clients) threads.emplace_back([&c] { c->Run(); });
  for (auto& c : clients) {
    while (!c->ready()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const bool fill = o.workload == "fill";
  const auto start = std::chrono::steady_clock::now();
  double measured_s = 0;
  double cpu0 = 0;
  if (fill) {
    cpu0 = CpuSeconds();
    phase.store(kMeasure);
    for (auto& t : threads) t.join();
    measured_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } else {
    phase.store(kWarmup);
    std::this_thread::sleep_for(std::chrono::duration<double>(o.warmup_s));
    cpu0 = CpuSeconds();
    const auto m0 = std::chrono::steady_clock::now();
    phase.store(kMeasure);
    std::this_thread::sleep_for(std::chrono::duration<double>(o.duration_s));
    phase.store(kDrain);
    measured_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - m0).count();
  }
  const double cpu = CpuSeconds() - cpu0;
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
  ThreadResult total;
  for (auto& c : clients) {
    total.latency.Merge(c->result().latency);
    total.errors += c->result().errors;
    total.empty += c->result().empty;
    total.failed |= c->result().failed;
  }
  const Histogram& h = total.latency;
  auto us = [](uint64_t ns) { return static_cast<double>(ns) / 1000.0; };
  std::printf(
      "thrift_bench %s%sworkload=%s conns=%d threads=%d ops=%" PRIu64
      " ops_per_s=%.0f p50_us=%.1f p95_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f"
      " errors=%" PRIu64 " empty=%" PRIu64 " client_cpu_pct=%.0f%s\n",
      o.label.empty() ? "" : "label=", o.label.empty() ? "" : (o.label + " ").c_str(),
      o.workload.c_str(), nconns, nthreads, h.count(),
      static_cast<double>(h.count()) / measured_s, us(h.Percentile(0.50)),
      us(h.Percentile(0.95)), us(h.Percentile(0.99)), us(h.Percentile(0.999)), us(h.max()),
      total.errors, total.empty, 100.0 * cpu / measured_s, total.failed ? " FAILED" : "");
  std::fflush(stdout);
  return !total.failed;
}

// --- Setup and the ping server ---------------------------------------------------------

int Setup(const Options& o) {
  namespace at = ::apache::thrift;
  try {
    auto socket = std::make_shared<at::transport::TSocket>(o.host, o.port);
    auto transport = std::make_shared<at::transport::TFramedTransport>(socket);
    gen::CassandraClient client(std::make_shared<at::protocol::TBinaryProtocol>(transport));
    transport->open();
    std::vector<gen::KsDef> keyspaces;
    client.describe_keyspaces(keyspaces);
    for (const auto& ks : keyspaces) {
      if (ks.name == o.keyspace) return 0;
    }
    gen::CfDef cf;
    cf.keyspace = o.keyspace;
    cf.name = o.column_family;
    cf.__set_comparator_type("BytesType");
    gen::KsDef ks;
    ks.name = o.keyspace;
    ks.strategy_class = "org.apache.cassandra.locator.SimpleStrategy";
    ks.__set_strategy_options({{"replication_factor", "1"}});
    ks.cf_defs = {cf};
    std::string version;
    client.system_add_keyspace(version, ks);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "thrift_bench: setup failed: %s\n", e.what());
    return 1;
  }
}

class PingHandler : public gen::CassandraNull {
 public:
  void describe_version(std::string& _return) override { _return = "20.1.0"; }
};

int ServePing(const Options& o) {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);
  cairn::thrift::ThriftServerOptions so;
  so.address = o.host;
  so.port = o.port;
  so.io_threads = o.io_threads;
  so.worker_threads = o.worker_threads;
  cairn::thrift::ThriftServer server(so, [] { return std::make_shared<PingHandler>(); });
  cairn::Status st = server.Start();
  if (!st.ok()) {
    std::fprintf(stderr, "thrift_bench: %s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("thrift_bench: ping server on %s:%d\n", o.host.c_str(), server.port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  server.Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) return 2;
  if (o.serve_ping) return ServePing(o);
  if (o.setup) return Setup(o);
  if (o.workload != "ping" && o.workload != "insert" && o.workload != "fill" &&
      o.workload != "read") {
    Usage();
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  bool ok = true;
  if (o.workload == "fill") return RunWorkload(o, o.connections.back()) ? 0 : 1;
  for (int n : o.connections) ok = RunWorkload(o, n) && ok;
  return ok ? 0 : 1;
}
