// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The admin endpoint (see admin_server.h for the routes). Two halves: the HTTP layer
// (Beast sessions on one io thread, actions posted to one action thread) and the routes
// (Impl::Route and the Route* methods), which only read thread-safe accessors: ring and
// gossip snapshots, atomic counters, the engine's table list.
#include "node/admin_server.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/logging.h"
#include "common/thread_name.h"
#include "gossip/gossiper.h"
#include "node/storage_proxy.h"
#include "node/storage_service.h"
#include "ring/replication_strategy.h"

namespace cairn::node {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Response = AdminServer::Response;

namespace {

constexpr size_t kHeaderLimit = 8 * 1024;
constexpr size_t kBodyLimit = 64 * 1024;

// What issue 6 still has to build before these routes can work.

Response JsonResponse(const Json& value, int status = 200) {
  Response r;
  r.status = status;
  r.body = value.Dump();
  r.body.push_back('\n');
  return r;
}

Response Error(int status, const std::string& message) {
  Json j = Json::MakeObject();
  j.Set("error", message);
  return JsonResponse(j, status);
}

Response MethodNotAllowed(const std::string& allow, std::string_view method,
                          const std::string& path) {
  Response r = Error(405, std::string(method) + " is not allowed on " + path + " (use " +
                              allow + ")");
  r.allow = allow;
  return r;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `s` ('+' stays '+': only query strings from forms use it for space).
std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

struct Target {
  std::string path;                   // as sent, for messages
  std::vector<std::string> segments;  // decoded, empty ones dropped
  std::map<std::string, std::string> query;
};

Status ParseTarget(std::string_view target, Target* out) {
  if (target.empty() || target[0] != '/') {
    return Status::InvalidArgument("the request target must start with '/'");
  }
  const size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  out->path = std::string(path);
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) {
      auto seg = PercentDecode(path.substr(start, end - start));
      if (!seg) return Status::InvalidArgument("bad percent-encoding in the path");
      out->segments.push_back(std::move(*seg));
    }
    start = end + 1;
  }
  if (q != std::string_view::npos) {
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
      size_t amp = rest.find('&');
      std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      if (pair.empty()) continue;
      const size_t eq = pair.find('=');
      auto name = PercentDecode(pair.substr(0, eq));
      auto value = PercentDecode(eq == std::string_view::npos ? std::string_view()
                                                              : pair.substr(eq + 1));
      if (!name || !value) return Status::InvalidArgument("bad percent-encoding in the query");
      out->query[*name] = *value;
    }
  }
  return Status::OK();
}

std::optional<std::string> HexDecode(std::string_view s) {
  if (s.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < s.size(); i += 2) {
    const int hi = HexValue(s[i]), lo = HexValue(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

// Bytes of the regular files under `dir` (0 when it does not exist).
uint64_t DirectoryBytes(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  uint64_t total = 0;
  if (dir.empty() || !fs::exists(dir, ec)) return 0;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied,
                                           ec),
       end;
       !ec && it != end; it.increment(ec)) {
    std::error_code fec;
    if (it->is_regular_file(fec)) {
      const uint64_t size = it->file_size(fec);
      if (!fec) total += size;
    }
  }
  return total;
}

// Seconds since this process started (Linux: /proc/self/stat field 22 against
// /proc/uptime); nullopt when /proc cannot tell.
std::optional<double> ProcessUptimeSeconds() {
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (!std::getline(stat, line)) return std::nullopt;
  // The command name (field 2) may hold spaces: fields are counted after its ')'.
  const size_t paren = line.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(paren + 2));
  std::string field;
  for (int i = 3; i <= 22 && (rest >> field); ++i) {
    if (i == 22) {
      std::ifstream up("/proc/uptime");
      double system_uptime = 0;
      if (!(up >> system_uptime)) return std::nullopt;
      const long ticks = sysconf(_SC_CLK_TCK);
      if (ticks <= 0) return std::nullopt;
      return std::max(0.0, system_uptime - std::stod(field) / static_cast<double>(ticks));
    }
  }
  return std::nullopt;
}

const KeyspaceSchema* FindAnyKeyspace(const Schema& schema, std::string_view name) {
  if (const KeyspaceSchema* ks = schema.FindKeyspace(name)) return ks;
  for (const KeyspaceSchema& s : SystemKeyspaces()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string DirectionName(net::FaultDirection d) {
  switch (d) {
    case net::FaultDirection::kOutbound: return "out";
    case net::FaultDirection::kInbound: return "in";
    case net::FaultDirection::kBoth: return "both";
  }
  return "both";
}

std::string EscapeLabel(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Prometheus text exposition format 0.0.4.
class MetricsWriter {
 public:
  void Family(const std::string& name, const char* type, const std::string& help) {
    out_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }
  void Sample(const std::string& name, double value,
              const std::vector<std::pair<std::string, std::string>>& labels = {}) {
    out_ += name;
    if (!labels.empty()) {
      out_ += "{";
      for (size_t i = 0; i < labels.size(); ++i) {
        if (i > 0) out_ += ",";
        out_ += labels[i].first + "=\"" + EscapeLabel(labels[i].second) + "\"";
      }
      out_ += "}";
    }
    char buf[64];
    if (value == std::floor(value) && std::fabs(value) < 1e15) {
      std::snprintf(buf, sizeof buf, " %.0f\n", value);
    } else {
      std::snprintf(buf, sizeof buf, " %.17g\n", value);
    }
    out_ += buf;
  }
  void One(const std::string& name, const char* type, const std::string& help, double value) {
    Family(name, type, help);
    Sample(name, value);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

// ---------------------------------------------------------------------------------
// Impl: the routes and the HTTP layer.

class AdminServer::Impl {
 public:
  Impl(AdminServerOptions options, AdminServices services)
      : options_(std::move(options)), services_(std::move(services)), acceptor_(io_),
        retry_timer_(io_) {}

  Status Start(int* port);
  void Stop();
  Response Handle(std::string_view method, std::string_view target, std::string_view body);

 private:
  class Session;

  // One node of status/ring.
  struct NodeRow {
    std::string endpoint;
    std::string status;  // gossip STATUS name, "" when none
    bool up = false;
    std::string state;   // "UN", "DJ", ...
    std::optional<double> load;
    size_t tokens = 0;
    std::optional<double> owns;
    std::string host_id;
    std::string dc, rack;
  };

  Response Route(std::string_view method, const Target& t, std::string_view body);
  Response RouteIndex() const;
  Response RouteStatus(const std::string& keyspace);
  Response RouteRing(const std::string& keyspace);
  Response RouteInfo();
  Response RouteDescribeRing(const std::string& keyspace);
  Response RouteGossipInfo();
  Response RouteGetEndpoints(const std::string& ks, const std::string& cf,
                             const std::string& key, bool hex);
  Response RouteTableStats(const std::vector<std::string>& filter);
  Response RouteTpStats();
  Response RouteMetrics();
  Response RouteFlushOrCompact(bool compact, const std::vector<std::string>& filter);
  Response RouteDrain();
  // nodetool getcompactionthroughput (nullopt) / setcompactionthroughput <MiB/s>.
  Response RouteCompactionThroughput(const std::optional<std::string>& mib_per_sec);
  Response RouteCleanup(const std::vector<std::string>& filter);
  Response RouteDecommission();
  Response RouteRemoveNode(const std::string& host_id);
  Response RouteNetstats();
  Response RouteRepair(const std::string& keyspace, const std::vector<std::string>& tables,
                       bool primary_range);
  Response RouteFaults(std::string_view method, const Target& t, std::string_view body);

  // The rows of every known node; the error response in *err when `keyspace` is bad.
  bool CollectNodes(const std::string& keyspace, std::vector<NodeRow>* rows,
                    std::string* ownership, std::optional<Response>* err);
  // The stores `filter` ({}, {ks} or {ks, cf}) names; the error in *err when none match.
  bool SelectTables(const std::vector<std::string>& filter,
                    std::vector<std::shared_ptr<ColumnFamilyStore>>* out,
                    std::optional<Response>* err) const;
  uint64_t MemtableBytes() const;
  net::MessagingService* messaging() const;

  void DoAccept();

  const AdminServerOptions options_;
  const AdminServices services_;
  std::atomic<bool> drained_{false};

  // Before io_: sessions, destroyed with io_'s pending handlers, decrement it.
  std::atomic<int> connections_{0};
  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  asio::thread_pool actions_{1};
  std::thread io_thread_;
  bool started_ = false;
  std::atomic<bool> stopped_{false};
};

// ---- HTTP layer ----

class AdminServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Impl* impl) : stream_(std::move(socket)), impl_(impl) {}
  ~Session() { impl_->connections_--; }

  void Start() { DoRead(); }

 private:
  void DoRead() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    stream_.expires_after(std::chrono::milliseconds(impl_->options_.idle_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRead(ec);
                     });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted) {
      Close();
      return;
    }
    if (ec) {
      // Malformed or oversized request: say why, then close (the stream position is lost).
      malformed_ = true;
      Write(Error(400, "malformed HTTP request: " + ec.message()), false, 11);
      return;
    }
    const auto& req = parser_->get();
    const bool keep_alive = req.keep_alive();
    const unsigned version = req.version();
    std::string method(req.method_string());
    std::string target(req.target());
    std::string body = req.body();
    if (AdminServer::IsAction(method)) {
      // Actions may take long (a major compaction): off the io thread, one at a time.
      asio::post(impl_->actions_, [self = shared_from_this(), method = std::move(method),
                                   target = std::move(target), body = std::move(body),
                                   keep_alive, version]() {
        Response r = self->impl_->Handle(method, target, body);
        asio::post(self->impl_->io_, [self, r = std::move(r), keep_alive, version]() mutable {
          self->Write(std::move(r), keep_alive, version);
        });
      });
      return;
    }
    Write(impl_->Handle(method, target, body), keep_alive, version);
  }

  void Write(Response r, bool keep_alive, unsigned version) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), version);
    res->set(http::field::server, "cairnd");
    res->set(http::field::content_type, r.content_type);
    if (!r.allow.empty()) res->set(http::field::allow, r.allow);
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    stream_.expires_after(std::chrono::milliseconds(impl_->options_.idle_timeout_ms));
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
                        if (!ec && self->malformed_) {
                          self->LingeringClose();
                        } else if (ec || !keep_alive) {
                          self->Close();
                        } else {
                          self->DoRead();
                        }
                      });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  // After an error answer the client may still be sending (the rest of an oversized
  // request). Closing with unread data makes the kernel send a reset, which can destroy
  // the answer before the client reads it; so stop sending, read and discard until the
  // client closes (at most 1 MiB or 2 s, as web servers' lingering close), then close.
  void LingeringClose() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
    DiscardSome();
  }
  void DiscardSome() {
    stream_.async_read_some(
        asio::buffer(discard_), [self = shared_from_this()](beast::error_code ec, size_t n) {
          self->discarded_ += n;
          if (ec || self->discarded_ > (1u << 20)) {
            self->Close();
          } else {
            self->DiscardSome();
          }
        });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Impl* const impl_;
  bool malformed_ = false;
  std::array<char, 4096> discard_;
  size_t discarded_ = 0;
};

Status AdminServer::Impl::Start(int* port) {
  beast::error_code ec;
  const auto address = asio::ip::make_address(options_.address, ec);
  if (ec) {
    return Status::InvalidArgument("admin_address '" + options_.address +
                                   "' is not an IP address");
  }
  const tcp::endpoint ep(address, static_cast<uint16_t>(options_.port));
  const std::string where = options_.address + ":" + std::to_string(options_.port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IOError("cannot listen for admin requests on " + where + ": " +
                           ec.message());
  }
  *port = acceptor_.local_endpoint().port();
  DoAccept();
  started_ = true;
  io_thread_ = std::thread([this] {
    SetThreadName("admin-io");
    io_.run();
  });
  return Status::OK();
}

void AdminServer::Impl::DoAccept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // Out of file descriptors and the like: try again shortly rather than spin.
      CAIRN_LOG(WARN) << "admin endpoint: accept failed: " << ec.message();
      retry_timer_.expires_after(std::chrono::milliseconds(100));
      retry_timer_.async_wait([this](beast::error_code tec) {
        if (!tec) DoAccept();
      });
      return;
    }
    if (connections_.load() >= options_.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      connections_++;
      std::make_shared<Session>(std::move(socket), this)->Start();
    }
    DoAccept();
  });
}

void AdminServer::Impl::Stop() {
  if (stopped_.exchange(true) || !started_) return;
  // A running action (a drain) completes; queued ones are dropped with their connections.
  actions_.stop();
  actions_.join();
  io_.stop();
  if (io_thread_.joinable()) io_thread_.join();
  // No thread runs io_ any more: the acceptor and the connections may be closed here.
  beast::error_code ignored;
  acceptor_.close(ignored);
  retry_timer_.cancel();
  // Open connections close when io_ is destroyed with the handlers that own them.
}

// ---- Routes ----

Response AdminServer::Impl::Handle(std::string_view method, std::string_view target,
                                   std::string_view body) {
  try {
    Target t;
    Status st = ParseTarget(target, &t);
    if (!st.ok()) return Error(400, st.message());
    return Route(method, t, body);
  } catch (const std::exception& e) {
    CAIRN_LOG(ERROR) << "admin endpoint: " << method << " " << target << " failed: " << e.what();
    return Error(500, std::string("internal error: ") + e.what());
  }
}

Response AdminServer::Impl::Route(std::string_view method, const Target& t,
                                  std::string_view body) {
  const std::vector<std::string>& s = t.segments;
  const bool get = method == "GET";
  const bool post = method == "POST";
  auto query = [&](const char* name) {
    auto it = t.query.find(name);
    return it == t.query.end() ? std::string() : it->second;
  };
  if (s.empty()) return get ? RouteIndex() : MethodNotAllowed("GET", method, t.path);
  const std::string& r = s[0];
  const std::string unknown = "unknown route " + t.path + " (GET / lists the routes)";

  if (r == "status" || r == "ring") {
    if (!get) return MethodNotAllowed("GET", method, t.path);
    if (s.size() > 2) return Error(404, unknown);
    const std::string ks = s.size() == 2 ? s[1] : query("keyspace");
    return r == "status" ? RouteStatus(ks) : RouteRing(ks);
  }
  if (r == "info") {
    if (!get) return MethodNotAllowed("GET", method, t.path);
    return s.size() == 1 ? RouteInfo() : Error(404, unknown);
  }
  if (r == "describering") {
    if (!get) return MethodNotAllowed("GET", method, t.path);
    if (s.size() != 2) return Error(400, "usage: GET /describering/<keyspace>");
    return RouteDescribeRing(s[1]);
  }
  if (r == "gossipinfo") {
    if (!get) return MethodNotAllowed("GET", method, t.path);
    return s.size() == 1 ? RouteGossipInfo() : Error(404, unknown);
  }
  if (r == "getendpoints") {
    if (!get) return MethodNotAllowed("GET", method, t.path);
    if (s.size() != 4) return Error(400, "usage: GET /getendpoints/<keyspace>/<table>/<key>");
    const std::string format = query("format");
    if (!format.empty() && format != "hex" && format != "text") {
      return Error(400, "format must be text or hex, got '" + format + "'");
    }
    return RouteGetEndpoints(s[1], s[2], s[3], format == "hex");
  }
  if (r == "tablestats" || r == "cfstats") {
    if (!get) return MethodNotAllowed("GET", method, t.path);
    if (s.size() > 3) return Error(404, unknown);
    return RouteTableStats({s.begin() + 1, s.end()});
  }
  if (r == "tpstats") {
    if (!get) return MethodNotAllowed("GET", method, t.path);
    return s.size() == 1 ? RouteTpStats() : Error(404, unknown);
  }
  if (r == "metrics") {
    if (!get) return MethodNotAllowed("GET", method, t.path);
    return s.size() == 1 ? RouteMetrics() : Error(404, unknown);
  }
  if (r == "flush" || r == "compact") {
    if (!post) return MethodNotAllowed("POST", method, t.path);
    if (s.size() > 3) return Error(404, unknown);
    return RouteFlushOrCompact(r == "compact", {s.begin() + 1, s.end()});
  }
  if (r == "compactionthroughput") {
    if (get && s.size() == 1) return RouteCompactionThroughput(std::nullopt);
    if (!post) return MethodNotAllowed(s.size() == 1 ? "GET" : "POST", method, t.path);
    if (s.size() == 1) return Error(400, "set the pace with POST /compactionthroughput/<MiB/s>");
    if (s.size() != 2) return Error(404, unknown);
    return RouteCompactionThroughput(s[1]);
  }
  if (r == "drain") {
    if (!post) return MethodNotAllowed("POST", method, t.path);
    return s.size() == 1 ? RouteDrain() : Error(404, unknown);
  }
  if (r == "faults" || r == "fault") return RouteFaults(method, t, body);
  if (r == "cleanup") {
    if (!post) return MethodNotAllowed("POST", method, t.path);
    if (s.size() > 3) return Error(404, unknown);
    return RouteCleanup({s.begin() + 1, s.end()});
  }
  if (r == "decommission") {
    if (!post) return MethodNotAllowed("POST", method, t.path);
    return s.size() == 1 ? RouteDecommission() : Error(404, unknown);
  }
  if (r == "removenode") {
    if (!post) return MethodNotAllowed("POST", method, t.path);
    if (s.size() != 2) return Error(400, "usage: POST /removenode/<host id>");
    return RouteRemoveNode(s[1]);
  }
  if (r == "repair") {
    if (!post) return MethodNotAllowed("POST", method, t.path);
    if (s.size() < 2) return Error(400, "usage: POST /repair/<keyspace>[/<table>...][?pr=true]");
    const std::string pr = query("pr");
    if (!pr.empty() && pr != "true" && pr != "false") {
      return Error(400, "pr must be true or false, got '" + pr + "'");
    }
    return RouteRepair(s[1], {s.begin() + 2, s.end()}, pr == "true");
  }
  if (r == "netstats") {
    if (!get) return MethodNotAllowed("GET", method, t.path);
    return s.size() == 1 ? RouteNetstats() : Error(404, unknown);
  }
  return Error(404, unknown);
}

Response AdminServer::Impl::RouteIndex() const {
  static const std::vector<std::array<const char*, 3>> kRoutes = {
      {"GET", "/status[/<keyspace>]", "nodes: state, address, load, tokens, owns, host id, rack"},
      {"GET", "/ring[/<keyspace>]", "every ring token and its node"},
      {"GET", "/info", "this node: host id, generation, uptime, load, sizes, hints"},
      {"GET", "/describering/<keyspace>", "token ranges and their replicas"},
      {"GET", "/gossipinfo", "gossip state of every endpoint"},
      {"GET", "/getendpoints/<keyspace>/<table>/<key>[?format=hex]", "replicas of a key"},
      {"GET", "/tablestats[/<keyspace>[/<table>]]", "per table: SSTables, sizes"},
      {"GET", "/tpstats", "per stage: active, pending, completed, blocked"},
      {"GET", "/metrics", "Prometheus text format"},
      {"POST", "/flush[/<keyspace>[/<table>]]", "flush memtables"},
      {"POST", "/compact[/<keyspace>[/<table>]]", "major compaction"},
      {"POST", "/drain", "stop client and internode services, flush everything"},
      {"GET", "/compactionthroughput", "the compaction pace, MiB/s (0: unpaced)"},
      {"POST", "/compactionthroughput/<MiB/s>", "set the compaction pace (0: unpaced)"},
      {"GET", "/faults", "messaging fault rules"},
      {"POST", "/faults", "add a fault rule: verb, peer, direction, drop, delay_ms"},
      {"DELETE", "/faults[/<id>]", "remove every fault rule, or one"},
      {"POST", "/cleanup[/<keyspace>[/<table>]]", "drop data in ranges this node no longer owns"},
      {"POST", "/decommission", "stream this node's data away and leave the ring"},
      {"POST", "/removenode/<host id>", "re-replicate a dead node's ranges and remove it"},
      {"GET", "/netstats", "mode, range movement progress, streaming sessions"},
      {"POST", "/repair/<keyspace>[/<table>...][?pr=true]", "anti-entropy repair with Merkle trees"},
  };
  Json routes = Json::MakeArray();
  for (const auto& [m, p, d] : kRoutes) {
    Json r = Json::MakeObject();
    r.Set("method", m);
    r.Set("path", p);
    r.Set("description", d);
    routes.Push(std::move(r));
  }
  Json j = Json::MakeObject();
  j.Set("routes", std::move(routes));
  return JsonResponse(j);
}

net::MessagingService* AdminServer::Impl::messaging() const {
  return services_.storage == nullptr ? nullptr : &services_.storage->messaging();
}

uint64_t AdminServer::Impl::MemtableBytes() const {
  uint64_t total = 0;
  for (const auto& cfs : services_.db->engine().Tables()) total += cfs->memtable_memory();
  return total;
}

bool AdminServer::Impl::CollectNodes(const std::string& keyspace, std::vector<NodeRow>* rows,
                                     std::string* ownership, std::optional<Response>* err) {
  const ClusterView& cluster = *services_.cluster;
  auto tm = cluster.token_metadata();
  auto snitch = cluster.snitch();
  const std::string local = cluster.local_endpoint();
  std::shared_ptr<const gossip::GossipSnapshot> gossip;
  if (services_.storage != nullptr) gossip = services_.storage->gossip_snapshot();

  // Ownership: primary (fractions sum to 1) or effective for a keyspace (sum to its RF).
  std::map<std::string, double> owns;
  if (keyspace.empty()) {
    *ownership = "primary";
    if (!tm->empty()) owns = tm->GetOwnership();
  } else {
    *ownership = "effective";
    auto schema = services_.db->schema();
    const KeyspaceSchema* ks = FindAnyKeyspace(*schema, keyspace);
    if (ks == nullptr) {
      *err = Error(400, "keyspace '" + keyspace + "' does not exist");
      return false;
    }
    if (ks->strategy_class.find("LocalStrategy") != std::string::npos) {
      *err = Error(400, "keyspace '" + keyspace +
                            "' uses LocalStrategy: every node holds its own data, ownership "
                            "is not meaningful");
      return false;
    }
    auto strategy = ring::ReplicationStrategy::Create(ks->strategy_class, ks->strategy_options,
                                                      snitch, ks->name);
    if (!strategy.ok()) {
      *err = Error(400, "cannot compute ownership of '" + keyspace +
                            "': " + strategy.status().message());
      return false;
    }
    if (!tm->empty()) {
      for (const std::string& ep : tm->GetNormalEndpoints()) {
        owns[ep] = tm->partitioner().OwnedFraction((*strategy)->GetRangesFor(ep, *tm));
      }
    }
  }

  std::set<std::string> endpoints;
  for (const std::string& ep : tm->GetNormalEndpoints()) endpoints.insert(ep);
  for (const auto& [token, ep] : tm->BootstrapTokens()) endpoints.insert(ep);
  for (const std::string& ep : tm->LeavingEndpoints()) endpoints.insert(ep);
  if (gossip != nullptr) {
    for (const auto& [ep, state] : gossip->states) endpoints.insert(ep);
  }
  endpoints.insert(local);

  for (const std::string& ep : endpoints) {
    NodeRow row;
    row.endpoint = ep;
    const gossip::EndpointState* gs = nullptr;
    if (gossip != nullptr) {
      auto it = gossip->states.find(ep);
      if (it != gossip->states.end()) gs = &it->second;
    }
    if (gs != nullptr) {
      row.status = gs->GossipStatus();
    } else if (ep == local && services_.storage == nullptr) {
      row.status = std::string(gossip::kStatusNormal);  // a standalone node
    }
    if (row.status == gossip::kStatusLeft || row.status == gossip::kStatusRemoved) continue;
    row.up = ep == local ? !drained_.load() : cluster.IsAlive(ep);
    char state = '?';
    if (row.status == gossip::kStatusNormal || row.status == gossip::kStatusShutdown) {
      state = 'N';
    } else if (row.status == gossip::kStatusBootstrapping ||
               row.status == gossip::kStatusBootstrappingReplace) {
      state = 'J';
    } else if (row.status == gossip::kStatusLeaving || row.status == gossip::kStatusRemoving) {
      state = 'L';
    } else if (row.status == gossip::kStatusMoving) {
      state = 'M';
    } else if (row.status.empty()) {
      // No STATUS yet: a new node still learning the ring before it picks tokens.
      state = tm->IsMember(ep) ? 'N' : 'J';
    }
    row.state = std::string(1, row.up ? 'U' : 'D') + state;
    if (ep == local) {
      row.load = static_cast<double>(services_.db->LiveSSTableBytes());
    } else if (gs != nullptr) {
      if (const gossip::VersionedValue* v = gs->Get(gossip::ApplicationState::kLoad)) {
        try {
          row.load = std::stod(v->value);
        } catch (...) {
        }
      }
    }
    row.tokens = tm->GetTokens(ep).size();
    if (row.tokens == 0 && gs != nullptr) {
      row.tokens = gossip::ParseTokens(gs->GetValue(gossip::ApplicationState::kTokens)).size();
    }
    if (row.tokens == 0) row.tokens = tm->GetBootstrapTokens(ep).size();
    if (auto it = owns.find(ep); it != owns.end()) row.owns = it->second;
    if (auto id = tm->GetHostId(ep)) {
      row.host_id = *id;
    } else if (gs != nullptr) {
      row.host_id = gs->GetValue(gossip::ApplicationState::kHostId);
    }
    if (row.host_id.empty() && ep == local) row.host_id = services_.db->local().host_id;
    row.dc = snitch->GetDatacenter(ep);
    row.rack = snitch->GetRack(ep);
    rows->push_back(std::move(row));
  }
  return true;
}

Response AdminServer::Impl::RouteStatus(const std::string& keyspace) {
  std::vector<NodeRow> rows;
  std::string ownership;
  std::optional<Response> err;
  if (!CollectNodes(keyspace, &rows, &ownership, &err)) return *err;
  std::map<std::string, Json> by_dc;
  for (const NodeRow& row : rows) {
    Json n = Json::MakeObject();
    n.Set("state", row.state);
    n.Set("status", row.status.empty() ? Json() : Json(row.status));
    n.Set("up", row.up);
    n.Set("address", row.endpoint);
    n.Set("load_bytes", row.load ? Json(*row.load) : Json());
    n.Set("tokens", static_cast<uint64_t>(row.tokens));
    n.Set("owns", row.owns ? Json(*row.owns) : Json());
    n.Set("host_id", row.host_id);
    n.Set("rack", row.rack);
    n.Set("local", row.endpoint == services_.cluster->local_endpoint());
    auto [it, fresh] = by_dc.try_emplace(row.dc, Json::MakeArray());
    it->second.Push(std::move(n));
  }
  Json dcs = Json::MakeArray();
  for (auto& [dc, nodes] : by_dc) {
    Json d = Json::MakeObject();
    d.Set("name", dc);
    d.Set("nodes", std::move(nodes));
    dcs.Push(std::move(d));
  }
  Json j = Json::MakeObject();
  j.Set("keyspace", keyspace.empty() ? Json() : Json(keyspace));
  j.Set("ownership", ownership);
  j.Set("standalone", services_.storage == nullptr);
  j.Set("datacenters", std::move(dcs));
  return JsonResponse(j);
}

Response AdminServer::Impl::RouteRing(const std::string& keyspace) {
  std::vector<NodeRow> rows;
  std::string ownership;
  std::optional<Response> err;
  if (!CollectNodes(keyspace, &rows, &ownership, &err)) return *err;
  std::map<std::string, const NodeRow*> by_endpoint;
  for (const NodeRow& row : rows) by_endpoint[row.endpoint] = &row;
  auto tm = services_.cluster->token_metadata();
  const ring::Partitioner& p = tm->partitioner();
  const std::vector<Token>& tokens = tm->SortedTokens();
  const std::vector<std::string>& owners = tm->SortedOwners();
  std::map<Token, double> token_owns;
  if (!tokens.empty()) token_owns = p.DescribeOwnership(tokens);
  Json list = Json::MakeArray();
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& ep = owners[i];
    auto it = by_endpoint.find(ep);
    const NodeRow* row = it == by_endpoint.end() ? nullptr : it->second;
    Json t = Json::MakeObject();
    t.Set("token", p.TokenToString(tokens[i]));
    t.Set("address", ep);
    t.Set("datacenter", row ? Json(row->dc) : Json());
    t.Set("rack", row ? Json(row->rack) : Json());
    t.Set("up", row ? Json(row->up) : Json());
    t.Set("state", row ? Json(row->state) : Json());
    t.Set("load_bytes", row && row->load ? Json(*row->load) : Json());
    t.Set("token_owns", token_owns[tokens[i]]);
    t.Set("node_owns", row && row->owns ? Json(*row->owns) : Json());
    list.Push(std::move(t));
  }
  Json j = Json::MakeObject();
  j.Set("keyspace", keyspace.empty() ? Json() : Json(keyspace));
  j.Set("ownership", ownership);
  j.Set("tokens", std::move(list));
  return JsonResponse(j);
}

Response AdminServer::Impl::RouteInfo() {
  const ClusterView& cluster = *services_.cluster;
  const std::string local = cluster.local_endpoint();
  auto tm = cluster.token_metadata();
  Database* db = services_.db;
  std::shared_ptr<const gossip::GossipSnapshot> gossip;
  if (services_.storage != nullptr) gossip = services_.storage->gossip_snapshot();
  Json generation;
  Json heartbeat;
  if (gossip != nullptr) {
    if (auto it = gossip->states.find(local); it != gossip->states.end()) {
      generation = Json(static_cast<int64_t>(it->second.heartbeat.generation));
      heartbeat = Json(static_cast<int64_t>(it->second.heartbeat.version));
    }
  }
  const bool drained = drained_.load();
  std::string mode = "NORMAL";
  if (drained) {
    mode = "DRAINED";
  } else if (services_.storage != nullptr) {
    mode = services_.storage->OperationMode();
  }
  auto snitch = cluster.snitch();
  Json j = Json::MakeObject();
  j.Set("id", db->local().host_id);
  j.Set("address", local);
  j.Set("cluster_name", services_.cluster_name);
  j.Set("partitioner", std::string(db->partitioner().Name()));
  j.Set("mode", mode);
  j.Set("standalone", services_.storage == nullptr);
  j.Set("gossip_active", services_.storage != nullptr && !drained);
  j.Set("thrift_active", services_.thrift_enabled && !drained);
  j.Set("generation", generation);
  j.Set("heartbeat", heartbeat);
  auto uptime = ProcessUptimeSeconds();
  j.Set("uptime_seconds", uptime ? Json(*uptime) : Json());
  j.Set("load_bytes", db->LiveSSTableBytes());
  j.Set("memtable_bytes", MemtableBytes());
  j.Set("heap", Json());  // no JVM: memtable_bytes is the figure that matters
  j.Set("data_directory_bytes", DirectoryBytes(db->options().engine.data_directory));
  j.Set("commitlog_bytes", DirectoryBytes(services_.commitlog_directory));
  j.Set("hints_pending",
        services_.proxy != nullptr ? Json(services_.proxy->pending_hints()) : Json());
  j.Set("datacenter", snitch->GetDatacenter(local));
  j.Set("rack", snitch->GetRack(local));
  j.Set("tokens", static_cast<uint64_t>(tm->GetTokens(local).size()));
  return JsonResponse(j);
}

Response AdminServer::Impl::RouteDescribeRing(const std::string& keyspace) {
  auto schema = services_.db->schema();
  const KeyspaceSchema* ks = FindAnyKeyspace(*schema, keyspace);
  if (ks == nullptr) return Error(400, "keyspace '" + keyspace + "' does not exist");
  if (ks->strategy_class.find("LocalStrategy") != std::string::npos) {
    return Error(400, "There is no ring for the keyspace: " + keyspace);
  }
  const ClusterView& cluster = *services_.cluster;
  auto tm = cluster.token_metadata();
  if (tm->empty()) return Error(503, "this node has not joined the ring yet");
  auto snitch = cluster.snitch();
  auto strategy =
      ring::ReplicationStrategy::Create(ks->strategy_class, ks->strategy_options, snitch, ks->name);
  if (!strategy.ok()) return Error(400, strategy.status().message());
  const ring::Partitioner& p = tm->partitioner();
  const std::vector<Token>& tokens = tm->SortedTokens();
  Json ranges = Json::MakeArray();
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& prev = tokens[(i + tokens.size() - 1) % tokens.size()];
    Json r = Json::MakeObject();
    r.Set("start_token", p.TokenToString(prev));
    r.Set("end_token", p.TokenToString(tokens[i]));
    Json eps = Json::MakeArray(), rpc = Json::MakeArray(), details = Json::MakeArray();
    for (const std::string& ep : (*strategy)->GetNaturalEndpoints(tokens[i], *tm)) {
      eps.Push(ep);
      rpc.Push(cluster.RpcAddress(ep));
      Json d = Json::MakeObject();
      d.Set("host", ep);
      d.Set("datacenter", snitch->GetDatacenter(ep));
      d.Set("rack", snitch->GetRack(ep));
      details.Push(std::move(d));
    }
    r.Set("endpoints", std::move(eps));
    r.Set("rpc_endpoints", std::move(rpc));
    r.Set("endpoint_details", std::move(details));
    ranges.Push(std::move(r));
  }
  Json j = Json::MakeObject();
  j.Set("keyspace", keyspace);
  j.Set("ranges", std::move(ranges));
  return JsonResponse(j);
}

Response AdminServer::Impl::RouteGossipInfo() {
  Json j = Json::MakeObject();
  std::shared_ptr<const gossip::GossipSnapshot> gossip;
  if (services_.storage != nullptr) gossip = services_.storage->gossip_snapshot();
  j.Set("standalone", services_.storage == nullptr);
  Json list = Json::MakeArray();
  std::string text;
  if (gossip != nullptr) {
    for (const auto& [ep, state] : gossip->states) {
      Json e = Json::MakeObject();
      e.Set("endpoint", ep);
      e.Set("up", ep == gossip->local_endpoint || gossip->live.count(ep) > 0);
      e.Set("generation", static_cast<int64_t>(state.heartbeat.generation));
      e.Set("heartbeat", static_cast<int64_t>(state.heartbeat.version));
      Json states = Json::MakeArray();
      for (const auto& [name, value] : state.states) {
        Json s = Json::MakeObject();
        s.Set("name", gossip::ApplicationStateName(name));
        s.Set("version", static_cast<int64_t>(value.version));
        s.Set("value", value.value);
        states.Push(std::move(s));
      }
      e.Set("states", std::move(states));
      list.Push(std::move(e));
    }
    text = gossip::FormatGossipInfo(gossip->states);
  }
  j.Set("endpoints", std::move(list));
  j.Set("text", text);
  return JsonResponse(j);
}

Response AdminServer::Impl::RouteGetEndpoints(const std::string& ks, const std::string& cf,
                                              const std::string& key, bool hex) {
  auto schema = services_.db->schema();
  const KeyspaceSchema* keyspace = FindAnyKeyspace(*schema, ks);
  if (keyspace == nullptr) return Error(400, "keyspace '" + ks + "' does not exist");
  if (keyspace->FindTable(cf) == nullptr) {
    return Error(400, "table '" + cf + "' does not exist in keyspace '" + ks + "'");
  }
  std::string raw = key;
  if (hex) {
    auto decoded = HexDecode(key);
    if (!decoded) return Error(400, "the key is not valid hex: '" + key + "'");
    raw = std::move(*decoded);
  }
  const ClusterView& cluster = *services_.cluster;
  auto tm = cluster.token_metadata();
  const Token token = tm->partitioner().GetToken(raw);
  Json eps = Json::MakeArray();
  if (keyspace->strategy_class.find("LocalStrategy") != std::string::npos) {
    eps.Push(cluster.local_endpoint());
  } else {
    if (tm->empty()) return Error(503, "this node has not joined the ring yet");
    auto strategy = ring::ReplicationStrategy::Create(
        keyspace->strategy_class, keyspace->strategy_options, cluster.snitch(), ks);
    if (!strategy.ok()) return Error(400, strategy.status().message());
    for (const std::string& ep : (*strategy)->GetNaturalEndpoints(token, *tm)) eps.Push(ep);
  }
  Json j = Json::MakeObject();
  j.Set("keyspace", ks);
  j.Set("table", cf);
  j.Set("key", key);
  j.Set("token", tm->partitioner().TokenToString(token));
  j.Set("endpoints", std::move(eps));
  return JsonResponse(j);
}

bool AdminServer::Impl::SelectTables(const std::vector<std::string>& filter,
                                     std::vector<std::shared_ptr<ColumnFamilyStore>>* out,
                                     std::optional<Response>* err) const {
  auto tables = services_.db->engine().Tables();
  bool keyspace_seen = false;
  for (auto& cfs : tables) {
    const TableMetadata& m = cfs->metadata();
    if (!filter.empty() && m.keyspace != filter[0]) continue;
    keyspace_seen = true;
    if (filter.size() > 1 && m.name != filter[1]) continue;
    out->push_back(cfs);
  }
  if (!filter.empty() && !keyspace_seen) {
    // A keyspace without tables still exists.
    if (FindAnyKeyspace(*services_.db->schema(), filter[0]) == nullptr) {
      *err = Error(400, "keyspace '" + filter[0] + "' does not exist");
      return false;
    }
  }
  if (filter.size() > 1 && out->empty()) {
    *err = Error(400, "table '" + filter[1] + "' does not exist in keyspace '" + filter[0] + "'");
    return false;
  }
  std::sort(out->begin(), out->end(), [](const auto& a, const auto& b) {
    return std::tie(a->metadata().keyspace, a->metadata().name) <
           std::tie(b->metadata().keyspace, b->metadata().name);
  });
  return true;
}

Response AdminServer::Impl::RouteTableStats(const std::vector<std::string>& filter) {
  std::vector<std::shared_ptr<ColumnFamilyStore>> stores;
  std::optional<Response> err;
  if (!SelectTables(filter, &stores, &err)) return *err;
  Json keyspaces = Json::MakeArray();
  Json* current = nullptr;
  std::string current_name;
  uint64_t ks_sstables = 0, ks_bytes = 0, ks_memtable = 0;
  auto close_keyspace = [&] {
    if (current == nullptr) return;
    current->Set("sstable_count", ks_sstables);
    current->Set("space_used_live_bytes", ks_bytes);
    current->Set("memtable_bytes", ks_memtable);
  };
  std::vector<Json> ks_list;
  for (const auto& cfs : stores) {
    const TableMetadata& m = cfs->metadata();
    if (current == nullptr || m.keyspace != current_name) {
      close_keyspace();
      Json k = Json::MakeObject();
      k.Set("keyspace", m.keyspace);
      k.Set("tables", Json::MakeArray());
      keyspaces.Push(std::move(k));
      current = &keyspaces.as_array().back();
      current_name = m.keyspace;
      ks_sstables = ks_bytes = ks_memtable = 0;
    }
    Json t = Json::MakeObject();
    t.Set("table", m.name);
    t.Set("id", [&] {
      std::string hex;
      static const char* kDigits = "0123456789abcdef";
      for (unsigned char c : m.id) {
        hex.push_back(kDigits[c >> 4]);
        hex.push_back(kDigits[c & 15]);
      }
      return hex;
    }());
    const uint64_t sstables = cfs->sstable_count(), bytes = cfs->live_sstable_bytes(),
                   memtable = cfs->memtable_memory();
    t.Set("sstable_count", sstables);
    t.Set("space_used_live_bytes", bytes);
    t.Set("memtable_bytes", memtable);
    t.Set("memtable_active_bytes", static_cast<uint64_t>(cfs->active_memtable_memory()));
    // Not counted per table in Cairn (the engine counts writes in total only).
    t.Set("read_count", Json());
    t.Set("write_count", Json());
    ks_sstables += sstables;
    ks_bytes += bytes;
    ks_memtable += memtable;
    Json* tables = const_cast<Json*>(current->Find("tables"));
    tables->Push(std::move(t));
  }
  close_keyspace();
  Json j = Json::MakeObject();
  j.Set("keyspaces", std::move(keyspaces));
  return JsonResponse(j);
}

Response AdminServer::Impl::RouteTpStats() {
  // What each figure is: nodetool's columns where Cairn measures them, null where not.
  auto stage = [](const char* name, Json active, Json pending, Json completed, Json blocked,
                  Json all_time_blocked, const char* measures) {
    Json s = Json::MakeObject();
    s.Set("name", name);
    s.Set("active", std::move(active));
    s.Set("pending", std::move(pending));
    s.Set("completed", std::move(completed));
    s.Set("blocked", std::move(blocked));
    s.Set("all_time_blocked", std::move(all_time_blocked));
    s.Set("measures", measures);
    return s;
  };
  Json stages = Json::MakeArray();
  Json dropped = Json::MakeObject();
  if (net::MessagingService* m = messaging()) {
    const net::MessagingStats ms = m->stats();
    stages.Push(stage("InternodeHandlers", Json(),
                      Json(static_cast<uint64_t>(m->pending_handlers())), Json(), Json(),
                      Json(ms.overloaded_inbound),
                      "replica verbs and response callbacks: pending = queued or running; "
                      "all_time_blocked = inbound messages refused because the pool was full"));
    stages.Push(stage("RequestResponse", Json(),
                      Json(static_cast<uint64_t>(m->pending_requests())),
                      Json(ms.messages_received), Json(), Json(),
                      "pending = requests sent and awaiting a response; completed = "
                      "internode messages received"));
    dropped.Set("requests_timed_out", ms.requests_timed_out);
    dropped.Set("expired_unsent", ms.expired_unsent);
    dropped.Set("lost_on_connection_failure", ms.lost_on_failure);
    dropped.Set("refused_peer_queue_full", ms.overloaded_sends);
    dropped.Set("refused_peer_queue_full_requests", ms.overloaded_requests);
    dropped.Set("refused_peer_queue_full_responses", ms.overloaded_responses);
    dropped.Set("refused_handler_pool_full", ms.overloaded_inbound);
    dropped.Set("fault_injected", ms.fault_dropped);
  }
  if (StorageProxy* proxy = services_.proxy) {
    const StorageProxyStats ps = proxy->stats();
    stages.Push(stage("CoordinatorWrite", Json(), Json(), Json(ps.writes), Json(), Json(),
                      "completed = mutations coordinated (counted when sent)"));
    stages.Push(stage("CoordinatorRead", Json(), Json(), Json(ps.reads), Json(), Json(),
                      "completed = partition reads coordinated (counted when sent)"));
    stages.Push(stage("CoordinatorRangeSlice", Json(), Json(), Json(ps.range_pages), Json(),
                      Json(), "completed = range pages coordinated"));
    stages.Push(stage("HintsDispatcher", Json(), Json(proxy->pending_hints()),
                      Json(ps.hints_delivered), Json(), Json(),
                      "pending = undelivered hints; completed = hints delivered"));
  }
  const StorageEngineMetrics em = services_.db->engine().metrics();
  stages.Push(stage("MemtableFlushWriter", Json(), Json(), Json(em.flushes), Json(),
                    Json(em.write_stalls),
                    "completed = memtables flushed; all_time_blocked = writes that waited "
                    "for flushes (back-pressure)"));
  stages.Push(stage("CompactionExecutor", Json(), Json(), Json(em.compactions), Json(), Json(),
                    "completed = compactions"));
  Json j = Json::MakeObject();
  j.Set("stages", std::move(stages));
  j.Set("dropped", std::move(dropped));
  j.Set("not_measured",
        "active threads per stage, queue lengths of the Thrift workers, gossip, flush and "
        "compaction executors, and per-verb drop counts are not measured by Cairn yet");
  return JsonResponse(j);
}

Response AdminServer::Impl::RouteMetrics() {
  MetricsWriter w;
  if (StorageProxy* proxy = services_.proxy) {
    const StorageProxyStats s = proxy->stats();
    const std::vector<std::tuple<const char*, uint64_t, const char*>> counters = {
        {"cairn_proxy_writes_total", s.writes, "Mutations coordinated by this node."},
        {"cairn_proxy_reads_total", s.reads, "Partition reads coordinated by this node."},
        {"cairn_proxy_range_pages_total", s.range_pages, "Range scan pages coordinated."},
        {"cairn_proxy_write_timeouts_total", s.write_timeouts, "Writes that timed out."},
        {"cairn_proxy_read_timeouts_total", s.read_timeouts, "Reads that timed out."},
        {"cairn_proxy_unavailables_total", s.unavailables,
         "Requests refused: too few live replicas for the consistency level."},
        {"cairn_proxy_hints_stored_total", s.hints_stored,
         "Hints stored (down, slow or failing replicas)."},
        {"cairn_proxy_hints_replica_down_total", s.hints_replica_down,
         "Hints stored because the replica was down."},
        {"cairn_proxy_hints_replica_timed_out_total", s.hints_replica_timed_out,
         "Hints stored because a live replica did not answer within the write timeout."},
        {"cairn_proxy_hints_replica_failed_total", s.hints_replica_failed,
         "Hints stored because a live replica answered with a failure."},
        {"cairn_proxy_hints_send_refused_total", s.hints_send_refused,
         "Hints stored because this node's outbound queue to a live replica was full."},
        {"cairn_proxy_hints_delivered_total", s.hints_delivered, "Hints delivered."},
        {"cairn_proxy_hints_dropped_total", s.hints_dropped,
         "Hints dropped (target left the ring, or could never apply them)."},
        {"cairn_proxy_digest_mismatches_total", s.digest_mismatches,
         "Reads whose replica digests differed."},
        {"cairn_proxy_read_repairs_total", s.read_repairs_sent,
         "Blocking read repair mutations sent."},
        {"cairn_proxy_background_read_repairs_total", s.background_repairs_sent,
         "Background read repair mutations sent."},
        {"cairn_proxy_batches_stored_total", s.batches_stored, "Batch log entries stored."},
        {"cairn_proxy_batches_replayed_total", s.batches_replayed, "Batch log entries replayed."},
        {"cairn_proxy_background_write_throttled_total", s.background_write_throttled,
         "Write answers that waited for background replica writes to fall under the limit."},
    };
    for (const auto& [name, value, help] : counters) {
      w.One(name, "counter", help, static_cast<double>(value));
    }
    w.One("cairn_hints_pending", "gauge", "Undelivered hints on this node.",
          static_cast<double>(proxy->pending_hints()));
    w.One("cairn_proxy_background_writes", "gauge",
          "Replica writes not yet acknowledged whose write already answered its client.",
          static_cast<double>(s.background_writes));
  }
  if (net::MessagingService* m = messaging()) {
    const net::MessagingStats s = m->stats();
    const std::vector<std::tuple<const char*, uint64_t, const char*>> counters = {
        {"cairn_messaging_sent_total", s.messages_sent, "Internode frames written."},
        {"cairn_messaging_received_total", s.messages_received, "Internode frames decoded."},
        {"cairn_messaging_requests_timed_out_total", s.requests_timed_out,
         "Internode requests that got no response in time."},
        {"cairn_messaging_late_responses_total", s.late_responses,
         "Responses for unknown or expired requests."},
        {"cairn_messaging_overloaded_sends_total", s.overloaded_sends,
         "Sends refused because the peer's queue was full."},
        {"cairn_messaging_overloaded_requests_total", s.overloaded_requests,
         "Requests refused because the peer's queue was full."},
        {"cairn_messaging_overloaded_responses_total", s.overloaded_responses,
         "Responses refused (lost) because the peer's queue was full."},
        {"cairn_messaging_overloaded_inbound_total", s.overloaded_inbound,
         "Inbound messages refused because the handler pool was full."},
        {"cairn_messaging_expired_unsent_total", s.expired_unsent,
         "Queued messages dropped at expiry."},
        {"cairn_messaging_lost_on_failure_total", s.lost_on_failure,
         "Messages lost when their connection failed."},
        {"cairn_messaging_corrupt_frames_total", s.corrupt_frames,
         "Inbound connections closed for corruption."},
        {"cairn_messaging_fault_dropped_total", s.fault_dropped,
         "Messages dropped by fault injection."},
        {"cairn_messaging_fault_delayed_total", s.fault_delayed,
         "Messages delayed by fault injection."},
        {"cairn_messaging_connects_total", s.connects, "Successful outbound connects."},
        {"cairn_messaging_connect_failures_total", s.connect_failures,
         "Failed outbound connects."},
        {"cairn_messaging_inbound_connections_total", s.inbound_connections,
         "Accepted inbound connections."},
    };
    for (const auto& [name, value, help] : counters) {
      w.One(name, "counter", help, static_cast<double>(value));
    }
    w.One("cairn_messaging_pending_requests", "gauge", "Requests awaiting a response.",
          static_cast<double>(m->pending_requests()));
    w.One("cairn_messaging_pending_handlers", "gauge",
          "Inbound messages queued or running on the handler pool.",
          static_cast<double>(m->pending_handlers()));
  }
  if (services_.storage != nullptr) {
    if (auto g = services_.storage->gossip_snapshot()) {
      w.One("cairn_gossip_live_peers", "gauge", "Peers gossip considers up.",
            static_cast<double>(g->live.size()));
      w.One("cairn_gossip_unreachable_peers", "gauge", "Peers gossip considers down.",
            static_cast<double>(g->unreachable.size()));
    }
  }
  const StorageEngineMetrics em = services_.db->engine().metrics();
  w.One("cairn_storage_writes_total", "counter", "Mutations applied locally.",
        static_cast<double>(em.writes));
  w.One("cairn_storage_flushes_total", "counter", "Memtables flushed.",
        static_cast<double>(em.flushes));
  w.One("cairn_storage_flush_failures_total", "counter", "Failed flushes (retried).",
        static_cast<double>(em.flush_failures));
  w.One("cairn_storage_compactions_total", "counter", "Compactions run.",
        static_cast<double>(em.compactions));
  w.One("cairn_storage_write_stalls_total", "counter", "Writes that waited for flushes.",
        static_cast<double>(em.write_stalls));
  w.One("cairn_commitlog_bytes", "gauge", "Bytes of commit log segments on disk.",
        static_cast<double>(DirectoryBytes(services_.commitlog_directory)));
  if (memtable::CommitLog* log = services_.db->engine().commit_log()) {
    w.One("cairn_commitlog_written_bytes_total", "counter", "Bytes appended to the commit log.",
          static_cast<double>(log->metrics().bytes_written));
  }
  std::vector<std::shared_ptr<ColumnFamilyStore>> stores;
  std::optional<Response> err;
  SelectTables({}, &stores, &err);
  w.Family("cairn_table_memtable_bytes", "gauge", "Bytes of a table's memtables.");
  for (const auto& c : stores) {
    w.Sample("cairn_table_memtable_bytes", static_cast<double>(c->memtable_memory()),
             {{"keyspace", c->metadata().keyspace}, {"table", c->metadata().name}});
  }
  w.Family("cairn_table_sstables", "gauge", "Live SSTables of a table.");
  for (const auto& c : stores) {
    w.Sample("cairn_table_sstables", static_cast<double>(c->sstable_count()),
             {{"keyspace", c->metadata().keyspace}, {"table", c->metadata().name}});
  }
  w.Family("cairn_table_live_bytes", "gauge", "Bytes of a table's live SSTables.");
  for (const auto& c : stores) {
    w.Sample("cairn_table_live_bytes", static_cast<double>(c->live_sstable_bytes()),
             {{"keyspace", c->metadata().keyspace}, {"table", c->metadata().name}});
  }
  w.One("cairn_load_bytes", "gauge", "Bytes of live SSTables of every table.",
        static_cast<double>(services_.db->LiveSSTableBytes()));
  w.One("cairn_memtable_bytes", "gauge", "Bytes of every memtable.",
        static_cast<double>(MemtableBytes()));
  if (auto uptime = ProcessUptimeSeconds()) {
    w.One("cairn_uptime_seconds", "gauge", "Seconds since cairnd started.", *uptime);
  }
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = w.Take();
  return r;
}

Response AdminServer::Impl::RouteFlushOrCompact(bool compact,
                                                const std::vector<std::string>& filter) {
  std::vector<std::shared_ptr<ColumnFamilyStore>> stores;
  std::optional<Response> err;
  if (!SelectTables(filter, &stores, &err)) return *err;
  StorageEngine& engine = services_.db->engine();
  Json done = Json::MakeArray();
  const auto start = std::chrono::steady_clock::now();
  for (const auto& cfs : stores) {
    const TableMetadata& m = cfs->metadata();
    Status st = compact ? cfs->MajorCompact() : engine.Flush(m.id);
    if (!st.ok()) {
      CAIRN_LOG(ERROR) << (compact ? "compaction" : "flush") << " of " << m.keyspace << "."
                       << m.name << " failed: " << st.ToString();
      return Error(500, std::string(compact ? "compaction" : "flush") + " of " + m.keyspace +
                            "." + m.name + " failed: " + st.ToString());
    }
    done.Push(m.keyspace + "." + m.name);
  }
  CAIRN_LOG(INFO) << "admin: " << (compact ? "compacted " : "flushed ") << done.as_array().size()
                  << " table(s)";
  Json j = Json::MakeObject();
  j.Set(compact ? "compacted" : "flushed", std::move(done));
  j.Set("seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return JsonResponse(j);
}

Response AdminServer::Impl::RouteCompactionThroughput(
    const std::optional<std::string>& mib_per_sec) {
  StorageEngine& engine = services_.db->engine();
  if (mib_per_sec) {
    uint64_t mib = 0;
    const char* end = mib_per_sec->data() + mib_per_sec->size();
    auto [ptr, ec] = std::from_chars(mib_per_sec->data(), end, mib);
    if (mib_per_sec->empty() || ec != std::errc() || ptr != end || mib > (1u << 20)) {
      return Error(400, "compaction throughput must be a whole number of MiB/s from 0 to " +
                            std::to_string(1u << 20) + ", got '" + *mib_per_sec + "'");
    }
    engine.SetCompactionThroughput(mib << 20);
    CAIRN_LOG(INFO) << "admin: compaction throughput set to " << mib << " MiB/s"
                    << (mib == 0 ? " (unpaced)" : "");
  }
  Json j = Json::MakeObject();
  j.Set("compaction_throughput_mb_per_sec",
        static_cast<double>(engine.compaction_throughput() >> 20));
  j.Set("compaction_bytes_paced", static_cast<double>(engine.compaction_bytes_paced()));
  return JsonResponse(j);
}

Response AdminServer::Impl::RouteDrain() {
  if (!services_.drain) return Error(501, "drain is not available on this server");
  if (drained_.exchange(true)) return Error(409, "the node is already drained");
  CAIRN_LOG(INFO) << "admin: draining (stop Thrift, hints, gossip and messaging; flush)";
  Status st = services_.drain();
  if (!st.ok()) {
    CAIRN_LOG(ERROR) << "drain failed: " << st.ToString();
    return Error(500, "drain failed: " + st.ToString());
  }
  CAIRN_LOG(INFO) << "admin: drained; stop the process with SIGTERM";
  Json j = Json::MakeObject();
  j.Set("mode", "DRAINED");
  return JsonResponse(j);
}

Response AdminServer::Impl::RouteCleanup(const std::vector<std::string>& filter) {
  if (drained_.load()) return Error(409, "the node is drained");
  std::vector<std::shared_ptr<ColumnFamilyStore>> stores;
  std::optional<Response> err;
  if (!SelectTables(filter, &stores, &err)) return *err;
  if (services_.storage == nullptr) {
    return Error(409, "cleanup needs a cluster member: a standalone node owns every token");
  }
  const auto start = std::chrono::steady_clock::now();
  std::map<std::string, std::vector<ring::Range>> owned;  // keyspace -> ranges
  Json tables = Json::MakeArray();
  uint64_t dropped = 0;
  for (const auto& cfs : stores) {
    const TableMetadata& m = cfs->metadata();
    auto it = owned.find(m.keyspace);
    if (it == owned.end()) {
      auto ranges = services_.storage->RangesForCleanup(m.keyspace);
      if (ranges.status().IsNotFound()) continue;  // system or node-local keyspace
      if (!ranges.ok()) return Error(409, ranges.status().message());
      it = owned.emplace(m.keyspace, std::move(ranges).value()).first;
    }
    const std::vector<ring::Range>& ranges = it->second;
    // StorageEngine::Cleanup flushes the memtable first (as Cassandra's cleanup does).
    ColumnFamilyStore::CleanupStats stats;
    Status st = services_.db->engine().Cleanup(
        m.id,
        [&ranges](const Token& t) {
          for (const ring::Range& r : ranges) {
            if (r.Contains(t)) return true;
          }
          return false;
        },
        &stats);
    if (!st.ok()) {
      CAIRN_LOG(ERROR) << "cleanup of " << m.keyspace << "." << m.name << " failed: " << st.ToString();
      return Error(500, "cleanup of " + m.keyspace + "." + m.name + " failed: " + st.ToString());
    }
    dropped += stats.partitions_dropped;
    Json t = Json::MakeObject();
    t.Set("table", m.keyspace + "." + m.name);
    t.Set("sstables_rewritten", static_cast<uint64_t>(stats.sstables_rewritten));
    t.Set("sstables_removed", static_cast<uint64_t>(stats.sstables_removed));
    t.Set("partitions_dropped", static_cast<uint64_t>(stats.partitions_dropped));
    t.Set("bytes_before", static_cast<uint64_t>(stats.bytes_before));
    t.Set("bytes_after", static_cast<uint64_t>(stats.bytes_after));
    tables.Push(std::move(t));
  }
  CAIRN_LOG(INFO) << "admin: cleanup of " << tables.as_array().size() << " table(s) dropped "
                  << dropped << " partitions";
  Json j = Json::MakeObject();
  j.Set("cleaned", std::move(tables));
  j.Set("partitions_dropped", dropped);
  j.Set("seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return JsonResponse(j);
}

Response AdminServer::Impl::RouteDecommission() {
  if (services_.storage == nullptr) {
    return Error(409, "decommission needs a cluster member: this node is standalone");
  }
  if (drained_.load()) return Error(409, "the node is drained");
  const auto start = std::chrono::steady_clock::now();
  CAIRN_LOG(INFO) << "admin: decommissioning this node";
  Status st = services_.storage->Decommission();
  if (!st.ok()) {
    return Error(st.IsInvalidArgument() ? 409 : 500, st.message());
  }
  Json j = Json::MakeObject();
  j.Set("mode", "DECOMMISSIONED");
  j.Set("bytes_streamed", services_.storage->movement().bytes);
  j.Set("seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return JsonResponse(j);
}

Response AdminServer::Impl::RouteRemoveNode(const std::string& host_id) {
  if (services_.storage == nullptr) {
    return Error(409, "removenode needs a cluster member: this node is standalone");
  }
  if (drained_.load()) return Error(409, "the node is drained");
  const auto start = std::chrono::steady_clock::now();
  CAIRN_LOG(INFO) << "admin: removenode " << host_id;
  Status st = services_.storage->RemoveNode(host_id);
  if (!st.ok()) {
    const bool bad_id = st.message() == "Host ID not found.";
    return Error(bad_id ? 400 : st.IsInvalidArgument() ? 409 : 500, st.message());
  }
  Json j = Json::MakeObject();
  j.Set("removed", host_id);
  j.Set("bytes_streamed", services_.storage->movement().bytes);
  j.Set("seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return JsonResponse(j);
}

Response AdminServer::Impl::RouteRepair(const std::string& keyspace,
                                        const std::vector<std::string>& tables,
                                        bool primary_range) {
  if (services_.storage == nullptr) {
    return Error(409, "repair needs a cluster member: a standalone node has no replicas");
  }
  if (drained_.load()) return Error(409, "the node is drained");
  const auto start = std::chrono::steady_clock::now();
  auto summary = services_.storage->Repair(keyspace, tables, primary_range);
  if (!summary.ok()) {
    const Status& st = summary.status();
    const bool bad = st.message().find("does not exist") != std::string::npos ||
                     st.message().starts_with("Unknown table");
    return Error(bad ? 400 : st.IsInvalidArgument() ? 409 : 500, st.message());
  }
  Json replicas = Json::MakeArray();
  for (const std::string& e : summary->replicas) replicas.Push(e);
  Json j = Json::MakeObject();
  j.Set("keyspace", keyspace);
  j.Set("primary_range", primary_range);
  j.Set("ranges_compared", summary->ranges);
  j.Set("ranges_out_of_sync", summary->out_of_sync);
  j.Set("bytes_streamed", summary->bytes);
  j.Set("partitions_hashed", summary->partitions);
  j.Set("replicas", std::move(replicas));
  j.Set("seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return JsonResponse(j);
}

Response AdminServer::Impl::RouteNetstats() {
  Json j = Json::MakeObject();
  Json sessions = Json::MakeArray();
  if (services_.storage == nullptr) {
    j.Set("mode", drained_.load() ? "DRAINED" : "NORMAL");
    j.Set("movement", Json());
    j.Set("sessions", std::move(sessions));
    j.Set("bytes_sent", uint64_t{0});
    j.Set("bytes_received", uint64_t{0});
    return JsonResponse(j);
  }
  StorageService& storage = *services_.storage;
  j.Set("mode", drained_.load() ? std::string("DRAINED") : storage.OperationMode());
  const StorageService::MovementProgress m = storage.movement();
  if (m.operation.empty()) {
    j.Set("movement", Json());
  } else {
    Json mj = Json::MakeObject();
    mj.Set("operation", m.operation);
    mj.Set("state", m.state);
    mj.Set("ranges_total", m.ranges_total);
    mj.Set("ranges_done", m.ranges_done);
    mj.Set("bytes", m.bytes);
    mj.Set("error", m.error.empty() ? Json() : Json(m.error));
    j.Set("movement", std::move(mj));
  }
  for (const StreamSessionInfo& si : storage.streams().Sessions()) {
    Json sj = Json::MakeObject();
    sj.Set("id", si.id);
    sj.Set("peer", si.peer);
    sj.Set("direction", si.incoming ? "receiving" : "sending");
    sj.Set("keyspace", si.keyspace);
    sj.Set("table", si.table);
    sj.Set("bytes", si.bytes);
    sj.Set("partitions", si.partitions);
    sj.Set("files", si.sstables);
    sj.Set("done", si.done);
    sj.Set("error", si.error.empty() ? Json() : Json(si.error));
    sessions.Push(std::move(sj));
  }
  j.Set("sessions", std::move(sessions));
  j.Set("bytes_sent", storage.streams().bytes_sent());
  j.Set("bytes_received", storage.streams().bytes_received());
  return JsonResponse(j);
}

namespace {

Json RuleJson(uint64_t id, const net::FaultRule& rule) {
  Json j = Json::MakeObject();
  j.Set("id", id);
  j.Set("peer", rule.peer ? Json(rule.peer->ToString()) : Json());
  j.Set("verb", rule.verb ? Json(net::VerbName(*rule.verb)) : Json());
  j.Set("direction", DirectionName(rule.direction));
  j.Set("drop", rule.drop_probability);
  j.Set("delay_ms", static_cast<uint64_t>(rule.delay_ms));
  j.Set("text", rule.ToString());
  return j;
}

// A parameter as text: query parameters and JSON strings as they are, JSON numbers and
// booleans printed.
std::optional<std::string> ParamText(const Json& v) {
  if (v.is_string()) return v.as_string();
  if (v.is_number() || v.is_bool()) return v.Dump();
  return std::nullopt;
}

}  // namespace

Response AdminServer::Impl::RouteFaults(std::string_view method, const Target& t,
                                        std::string_view body) {
  const std::vector<std::string>& s = t.segments;
  net::MessagingService* m = messaging();
  if (method == "GET") {
    if (s.size() != 1) return Error(404, "unknown route " + t.path);
    Json rules = Json::MakeArray();
    if (m != nullptr) {
      for (const auto& [id, rule] : m->Faults()) rules.Push(RuleJson(id, rule));
    }
    Json j = Json::MakeObject();
    j.Set("faults", std::move(rules));
    return JsonResponse(j);
  }
  if (method == "DELETE") {
    if (s.size() > 2) return Error(404, "unknown route " + t.path);
    if (m == nullptr) {
      Json j = Json::MakeObject();
      j.Set("removed", 0);
      return JsonResponse(j);
    }
    Json j = Json::MakeObject();
    if (s.size() == 2) {
      uint64_t id = 0;
      auto [p, ec] = std::from_chars(s[1].data(), s[1].data() + s[1].size(), id);
      if (ec != std::errc() || p != s[1].data() + s[1].size()) {
        return Error(400, "a fault rule id is a number, got '" + s[1] + "'");
      }
      if (!m->RemoveFault(id)) return Error(404, "no fault rule with id " + s[1]);
      j.Set("removed", 1);
    } else {
      const size_t n = m->Faults().size();
      m->ClearFaults();
      j.Set("removed", static_cast<uint64_t>(n));
    }
    CAIRN_LOG(INFO) << "admin: fault rules removed";
    return JsonResponse(j);
  }
  if (method != "POST") return MethodNotAllowed("GET, POST, DELETE", method, t.path);
  if (s.size() != 1) return Error(404, "unknown route " + t.path);
  if (m == nullptr) {
    return Error(409, "a standalone node (no seeds) has no internode messaging to inject "
                      "faults into");
  }

  // Parameters: the query string, then a JSON object body (which wins).
  std::map<std::string, std::string> params = t.query;
  const size_t first = body.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos) {
    auto parsed = Json::Parse(body);
    if (!parsed.ok()) return Error(400, "the body: " + parsed.status().message());
    if (!parsed->is_object()) return Error(400, "the body must be a JSON object");
    for (const auto& [k, v] : parsed->as_object()) {
      if (v.is_null()) continue;
      auto text = ParamText(v);
      if (!text) return Error(400, "parameter '" + k + "' must be a string or a number");
      params[k] = *text;
    }
  }
  static const std::set<std::string> kKnown = {"verb", "peer", "direction", "drop", "delay_ms"};
  for (const auto& [k, v] : params) {
    if (kKnown.count(k) == 0) {
      return Error(400, "unknown parameter '" + k + "' (verb, peer, direction, drop, delay_ms)");
    }
  }
  net::FaultRule rule;
  auto get = [&](const char* k) {
    auto it = params.find(k);
    return it == params.end() ? std::string() : it->second;
  };
  if (std::string verb = get("verb"); !verb.empty() && verb != "*" && verb != "any") {
    std::transform(verb.begin(), verb.end(), verb.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    std::optional<int> value;
    std::string known;
    for (const auto& [v, name] : net::internode::_Verb_VALUES_TO_NAMES) {
      if (verb == name) value = v;
      known += (known.empty() ? "" : ", ") + std::string(name);
    }
    if (!value) return Error(400, "unknown verb '" + get("verb") + "' (known: " + known + ")");
    rule.verb = static_cast<net::Verb>(*value);
  }
  if (std::string peer = get("peer"); !peer.empty() && peer != "*" && peer != "any") {
    auto ep = net::Endpoint::Parse(peer, m->local_endpoint().port);
    if (!ep.ok()) return Error(400, "bad peer '" + peer + "': " + ep.status().message());
    rule.peer = *ep;
  }
  if (std::string d = get("direction"); !d.empty()) {
    if (d == "in" || d == "inbound") {
      rule.direction = net::FaultDirection::kInbound;
    } else if (d == "out" || d == "outbound") {
      rule.direction = net::FaultDirection::kOutbound;
    } else if (d == "both") {
      rule.direction = net::FaultDirection::kBoth;
    } else {
      return Error(400, "direction must be in, out or both, got '" + d + "'");
    }
  }
  if (std::string d = get("drop"); !d.empty()) {
    double p = -1;
    auto [end, ec] = std::from_chars(d.data(), d.data() + d.size(), p);
    if (ec != std::errc() || end != d.data() + d.size() || !(p >= 0.0 && p <= 1.0)) {
      return Error(400, "drop must be a probability between 0 and 1, got '" + d + "'");
    }
    rule.drop_probability = p;
  }
  if (std::string d = get("delay_ms"); !d.empty()) {
    uint32_t ms = 0;
    auto [end, ec] = std::from_chars(d.data(), d.data() + d.size(), ms);
    if (ec != std::errc() || end != d.data() + d.size() || ms > 600'000) {
      return Error(400, "delay_ms must be an integer from 0 to 600000, got '" + d + "'");
    }
    rule.delay_ms = ms;
  }
  if (rule.drop_probability <= 0.0 && rule.delay_ms == 0) {
    return Error(400, "a fault rule needs drop > 0 or delay_ms > 0");
  }
  const uint64_t id = m->SetFault(rule);
  CAIRN_LOG(INFO) << "admin: fault rule " << id << " added: " << rule.ToString();
  return JsonResponse(RuleJson(id, rule));
}

// ---------------------------------------------------------------------------------

AdminServer::AdminServer(AdminServerOptions options, AdminServices services)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(services))) {}

AdminServer::~AdminServer() { Stop(); }

Status AdminServer::Start() { return impl_->Start(&port_); }

void AdminServer::Stop() { impl_->Stop(); }

AdminServer::Response AdminServer::Handle(std::string_view method, std::string_view target,
                                          std::string_view body) {
  return impl_->Handle(method, target, body);
}

bool AdminServer::IsAction(std::string_view method) {
  return method == "POST" || method == "DELETE" || method == "PUT";
}

}  // namespace cairn::node
