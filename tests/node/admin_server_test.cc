// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The admin endpoint (node/admin_server.h): its JSON (admin_json.h); every route of a
// standalone node through AdminServer::Handle (status, ring, info, describering,
// getendpoints, tablestats before and after a flush, compact, tpstats, metrics, the 4xx
// and 501 answers); the HTTP layer over a real socket on 127.0.0.173 (keep-alive,
// malformed and oversized requests answered 400 without harming the server); and the
// fault hook of a clustered node (a StorageService on 127.0.0.174).
#include "node/admin_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "node/local_cluster_view.h"
#include "node/storage_proxy.h"
#include "node/storage_service.h"
#include "tests/lib/database_util.h"
#include "tests/lib/test_util.h"

namespace cairn::node {
namespace {

// ---- Json ----

TEST(AdminJsonTest, DumpsInInsertionOrderWithEscapes) {
  Json j = Json::MakeObject();
  j.Set("b", 1);
  j.Set("a", "x\"y\\\n\x01");
  j.Set("n", Json());
  j.Set("d", 0.5);
  j.Set("l", Json::Array{Json(true), Json(uint64_t{18446744073709551615ull})});
  EXPECT_EQ(j.Dump(),
            R"({"b":1,"a":"x\"y\\\n\u0001","n":null,"d":0.5,"l":[true,18446744073709551615]})");
}

TEST(AdminJsonTest, ParsesWhatItDumps) {
  auto j = Json::Parse(R"( {"verb":"MUTATION","drop":1,"x":[1.5,-2,{"y":null}],"s":"\u00e9\n"} )");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(j->Find("verb")->as_string(), "MUTATION");
  EXPECT_EQ(j->Find("drop")->as_double(), 1.0);
  EXPECT_EQ(j->Find("s")->as_string(), "\xc3\xa9\n");
  EXPECT_EQ(j->Find("x")->as_array().size(), 3u);
  EXPECT_EQ(Json::Parse(j->Dump())->Dump(), j->Dump());
}

TEST(AdminJsonTest, MalformedInputIsAnErrorNamingTheOffset) {
  for (const char* bad : {"", "{", "{\"a\":}", "[1,]", "\"abc", "tru", "{\"a\" 1}", "1 2",
                          "\"\\x\"", "-", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]"
                          "]]]]]]]]]]]]]]]]]]]]]]"}) {
    auto j = Json::Parse(bad);
    EXPECT_FALSE(j.ok()) << bad;
    if (!j.ok()) {
      EXPECT_NE(j.status().message().find("offset"), std::string::npos) << bad;
    }
  }
}

// ---- Routes of a standalone node ----

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open(test::DatabaseTestOptions(dir_.str()));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(db_->AddKeyspace(test::TestKeyspace("ks", {"cf", "other"})).ok());
    view_ = std::make_unique<LocalClusterView>(db_.get(), "127.0.0.173", "127.0.0.173");
    proxy_ = std::make_unique<StorageProxy>(StorageProxyOptions(), db_.get(), view_.get(),
                                            nullptr);
    ASSERT_OK(proxy_->Start());
    AdminServerOptions o;
    o.address = "127.0.0.173";
    o.port = 0;
    AdminServices s;
    s.db = db_.get();
    s.cluster = view_.get();
    s.proxy = proxy_.get();
    s.commitlog_directory = dir_.str() + "/commitlog";
    s.cluster_name = "Test Cluster";
    s.drain = [this] {
      drained_++;
      return db_->Drain();
    };
    admin_ = std::make_unique<AdminServer>(o, s);
  }
  void TearDown() override {
    admin_.reset();
    if (proxy_) proxy_->Stop();
    proxy_.reset();
    if (db_) EXPECT_OK(db_->Close());
  }

  Json Get(const std::string& target, int expect = 200) {
    AdminServer::Response r = admin_->Handle("GET", target, "");
    EXPECT_EQ(r.status, expect) << target << ": " << r.body;
    auto j = Json::Parse(r.body);
    EXPECT_TRUE(j.ok()) << r.body;
    return j.ok() ? *j : Json();
  }
  int StatusOf(std::string_view method, const std::string& target, std::string_view body = "") {
    return admin_->Handle(method, target, body).status;
  }
  std::string ErrorOf(std::string_view method, const std::string& target) {
    auto j = Json::Parse(admin_->Handle(method, target, "").body);
    return j.ok() && j->Find("error") ? j->Find("error")->as_string() : "(no error)";
  }
  void Write(const std::string& key) {
    auto schema = db_->schema();
    Mutation m;
    m.keyspace = "ks";
    m.key = key;
    PartitionUpdate u;
    u.cells.push_back(Cell::Live("col", std::string(100, 'v'), 1));
    m.updates.push_back({schema->FindTable("ks", "cf")->metadata.id, u});
    ASSERT_OK(db_->Apply(m));
  }
  const Json* TableStats(const Json& j, const std::string& ks, const std::string& cf) {
    for (const Json& k : j.Find("keyspaces")->as_array()) {
      if (k.Find("keyspace")->as_string() != ks) continue;
      for (const Json& t : k.Find("tables")->as_array()) {
        if (t.Find("table")->as_string() == cf) return &t;
      }
    }
    return nullptr;
  }

  test::ScratchDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<LocalClusterView> view_;
  std::unique_ptr<StorageProxy> proxy_;
  std::unique_ptr<AdminServer> admin_;
  int drained_ = 0;
};

TEST_F(AdminServerTest, StatusShowsTheSingleNodeUpAndNormal) {
  Json j = Get("/status");
  EXPECT_EQ(j.Find("ownership")->as_string(), "primary");
  EXPECT_TRUE(j.Find("standalone")->as_bool());
  const auto& dcs = j.Find("datacenters")->as_array();
  ASSERT_EQ(dcs.size(), 1u);
  EXPECT_EQ(dcs[0].Find("name")->as_string(), "datacenter1");
  const auto& nodes = dcs[0].Find("nodes")->as_array();
  ASSERT_EQ(nodes.size(), 1u);
  const Json& n = nodes[0];
  EXPECT_EQ(n.Find("state")->as_string(), "UN");
  EXPECT_EQ(n.Find("address")->as_string(), "127.0.0.173");
  EXPECT_EQ(n.Find("tokens")->as_double(), 4);
  EXPECT_DOUBLE_EQ(n.Find("owns")->as_double(), 1.0);
  EXPECT_EQ(n.Find("host_id")->as_string(), db_->local().host_id);
  EXPECT_EQ(n.Find("rack")->as_string(), "rack1");
  EXPECT_TRUE(n.Find("load_bytes")->is_number());

  // Effective ownership for a keyspace, by path or by query parameter.
  for (const char* target : {"/status/ks", "/status?keyspace=ks"}) {
    Json e = Get(target);
    EXPECT_EQ(e.Find("ownership")->as_string(), "effective");
    EXPECT_DOUBLE_EQ(
        e.Find("datacenters")->as_array()[0].Find("nodes")->as_array()[0].Find("owns")->as_double(),
        1.0);
  }
  EXPECT_EQ(StatusOf("GET", "/status/nope"), 400);
  EXPECT_NE(ErrorOf("GET", "/status/nope").find("'nope' does not exist"), std::string::npos);
  EXPECT_EQ(StatusOf("GET", "/status/system"), 400);  // LocalStrategy
}

TEST_F(AdminServerTest, RingListsEveryTokenWithItsShare) {
  Json j = Get("/ring");
  const auto& tokens = j.Find("tokens")->as_array();
  ASSERT_EQ(tokens.size(), 4u);
  double total = 0;
  for (const Json& t : tokens) {
    EXPECT_EQ(t.Find("address")->as_string(), "127.0.0.173");
    EXPECT_EQ(t.Find("state")->as_string(), "UN");
    total += t.Find("token_owns")->as_double();
  }
  EXPECT_NEAR(total, 1.0, 1e-9);
}

TEST_F(AdminServerTest, InfoDescribesThisNode) {
  Json j = Get("/info");
  EXPECT_EQ(j.Find("id")->as_string(), db_->local().host_id);
  EXPECT_EQ(j.Find("mode")->as_string(), "NORMAL");
  EXPECT_FALSE(j.Find("gossip_active")->as_bool());  // standalone
  EXPECT_TRUE(j.Find("generation")->is_null());
  EXPECT_TRUE(j.Find("uptime_seconds")->is_number());
  EXPECT_EQ(j.Find("hints_pending")->as_double(), 0);
  EXPECT_GT(j.Find("commitlog_bytes")->as_double(), 0);  // the active segment
  EXPECT_EQ(j.Find("tokens")->as_double(), 4);
  EXPECT_TRUE(j.Find("heap")->is_null());
}

TEST_F(AdminServerTest, DescribeRingAndGetEndpoints) {
  Json j = Get("/describering/ks");
  const auto& ranges = j.Find("ranges")->as_array();
  ASSERT_EQ(ranges.size(), 4u);
  EXPECT_EQ(ranges[0].Find("endpoints")->as_array()[0].as_string(), "127.0.0.173");
  EXPECT_EQ(StatusOf("GET", "/describering/nope"), 400);
  EXPECT_EQ(StatusOf("GET", "/describering"), 400);

  Json e = Get("/getendpoints/ks/cf/some%20key");
  EXPECT_EQ(e.Find("key")->as_string(), "some key");
  EXPECT_EQ(e.Find("token")->as_string(),
            db_->partitioner().TokenToString(db_->partitioner().GetToken("some key")));
  ASSERT_EQ(e.Find("endpoints")->as_array().size(), 1u);
  EXPECT_EQ(e.Find("endpoints")->as_array()[0].as_string(), "127.0.0.173");
  // Hex keys: "ab" is 0x61 0x62.
  EXPECT_EQ(Get("/getendpoints/ks/cf/6162?format=hex").Find("token")->as_string(),
            db_->partitioner().TokenToString(db_->partitioner().GetToken("ab")));
  EXPECT_EQ(StatusOf("GET", "/getendpoints/ks/cf/zz?format=hex"), 400);
  EXPECT_EQ(StatusOf("GET", "/getendpoints/ks/nope/k"), 400);
  EXPECT_EQ(StatusOf("GET", "/getendpoints/ks/cf"), 400);
}

TEST_F(AdminServerTest, FlushAndCompactShowInTableStats) {
  Json before = Get("/tablestats/ks");
  const Json* cf = TableStats(before, "ks", "cf");
  ASSERT_NE(cf, nullptr);
  EXPECT_EQ(cf->Find("sstable_count")->as_double(), 0);
  EXPECT_TRUE(cf->Find("read_count")->is_null());  // not counted per table
  EXPECT_EQ(TableStats(before, "system", "local"), nullptr);  // filtered to ks

  for (int i = 0; i < 200; ++i) Write("k" + std::to_string(i));  // more than one arena block
  const double memtable =
      TableStats(Get("/tablestats/ks/cf"), "ks", "cf")->Find("memtable_bytes")->as_double();
  EXPECT_GT(memtable, 0);
  EXPECT_EQ(StatusOf("POST", "/flush/ks/cf"), 200);
  Write("k2");
  EXPECT_EQ(StatusOf("POST", "/flush/ks"), 200);
  Json after = Get("/tablestats");
  cf = TableStats(after, "ks", "cf");
  ASSERT_NE(cf, nullptr);
  EXPECT_EQ(cf->Find("sstable_count")->as_double(), 2);
  EXPECT_GT(cf->Find("space_used_live_bytes")->as_double(), 0);
  EXPECT_LT(cf->Find("memtable_bytes")->as_double(), memtable);  // an empty arena remains
  EXPECT_NE(TableStats(after, "system", "local"), nullptr);

  EXPECT_EQ(StatusOf("POST", "/compact/ks/cf"), 200);
  EXPECT_EQ(TableStats(Get("/tablestats/ks/cf"), "ks", "cf")->Find("sstable_count")->as_double(),
            1);
  EXPECT_EQ(StatusOf("POST", "/flush"), 200);
  EXPECT_EQ(StatusOf("POST", "/flush/nope"), 400);
  EXPECT_EQ(StatusOf("POST", "/compact/ks/nope"), 400);
  EXPECT_EQ(StatusOf("GET", "/tablestats/nope"), 400);
}

// nodetool getcompactionthroughput / setcompactionthroughput.
TEST_F(AdminServerTest, CompactionThroughputIsReadAndSetAtRuntime) {
  const double configured = Get("/compactionthroughput")
                                .Find("compaction_throughput_mb_per_sec")
                                ->as_double();
  EXPECT_EQ(configured, static_cast<double>(db_->engine().compaction_throughput() >> 20));
  AdminServer::Response r = admin_->Handle("POST", "/compactionthroughput/16", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(db_->engine().compaction_throughput(), 16u << 20);
  EXPECT_EQ(Get("/compactionthroughput").Find("compaction_throughput_mb_per_sec")->as_double(),
            16);
  EXPECT_EQ(StatusOf("POST", "/compactionthroughput/0"), 200);
  EXPECT_EQ(db_->engine().compaction_throughput(), 0u);
  EXPECT_EQ(StatusOf("POST", "/compactionthroughput/fast"), 400);
  EXPECT_NE(ErrorOf("POST", "/compactionthroughput/-1").find("whole number of MiB/s"),
            std::string::npos);
  EXPECT_EQ(StatusOf("POST", "/compactionthroughput/99999999"), 400);
  EXPECT_EQ(db_->engine().compaction_throughput(), 0u);  // refused values change nothing
  EXPECT_EQ(StatusOf("POST", "/compactionthroughput"), 400);
  EXPECT_EQ(StatusOf("GET", "/compactionthroughput/16"), 405);
  EXPECT_EQ(StatusOf("POST", "/compactionthroughput/1/2"), 404);
}

TEST_F(AdminServerTest, TpStatsAndMetrics) {
  Json tp = Get("/tpstats");
  bool flush_stage = false;
  for (const Json& s : tp.Find("stages")->as_array()) {
    if (s.Find("name")->as_string() == "MemtableFlushWriter") flush_stage = true;
    EXPECT_TRUE(s.Find("measures")->is_string());
  }
  EXPECT_TRUE(flush_stage);

  Write("k");
  AdminServer::Response m = admin_->Handle("GET", "/metrics", "");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type.rfind("text/plain; version=0.0.4", 0), 0u);
  for (const char* needle :
       {"# TYPE cairn_proxy_writes_total counter\n", "cairn_hints_pending 0\n",
        "cairn_table_memtable_bytes{keyspace=\"ks\",table=\"cf\"} ", "cairn_table_sstables{",
        "cairn_commitlog_bytes ", "cairn_storage_writes_total "}) {
    EXPECT_NE(m.body.find(needle), std::string::npos) << needle << "\n" << m.body;
  }
}

TEST_F(AdminServerTest, ErrorsAreJsonWithTheRightCode) {
  EXPECT_EQ(StatusOf("GET", "/nope"), 404);
  EXPECT_EQ(StatusOf("GET", "/status/a/b"), 404);
  EXPECT_EQ(StatusOf("POST", "/status"), 405);
  EXPECT_EQ(admin_->Handle("POST", "/status", "").allow, "GET");
  EXPECT_EQ(StatusOf("GET", "/flush"), 405);
  EXPECT_EQ(StatusOf("GET", "relative"), 400);
  EXPECT_EQ(StatusOf("GET", "/getendpoints/ks/cf/%zz"), 400);
  // A standalone node has no ring to move ranges in: 409 with the reason.
  for (const char* route : {"/cleanup", "/decommission", "/removenode/abc"}) {
    EXPECT_EQ(StatusOf("POST", route), 409) << route;
    EXPECT_NE(ErrorOf("POST", route).find("standalone"), std::string::npos) << route;
  }
  EXPECT_EQ(StatusOf("POST", "/removenode"), 400);
  EXPECT_EQ(StatusOf("GET", "/decommission"), 405);
  EXPECT_EQ(StatusOf("POST", "/cleanup/nosuchks"), 400);
  // netstats answers on a standalone node too: NORMAL, nothing streaming.
  EXPECT_EQ(Get("/netstats").Find("mode")->as_string(), "NORMAL");
  EXPECT_EQ(Get("/netstats").Find("sessions")->as_array().size(), 0u);
  // No messaging on a standalone node: no faults to add, none listed.
  EXPECT_EQ(StatusOf("POST", "/faults", R"({"drop":1})"), 409);
  EXPECT_EQ(Get("/faults").Find("faults")->as_array().size(), 0u);
  EXPECT_EQ(Get("/").Find("routes")->as_array().empty(), false);
}

TEST_F(AdminServerTest, DrainRunsOnce) {
  Write("k");
  EXPECT_EQ(StatusOf("POST", "/drain"), 200);
  EXPECT_EQ(drained_, 1);
  EXPECT_EQ(StatusOf("POST", "/drain"), 409);
  EXPECT_EQ(drained_, 1);
  EXPECT_EQ(Get("/info").Find("mode")->as_string(), "DRAINED");
  EXPECT_EQ(Get("/status").Find("datacenters")->as_array()[0].Find("nodes")->as_array()[0]
                .Find("state")->as_string(),
            "DN");
}

// ---- HTTP over a socket ----

// Sends `request` to 127.0.0.173:port and returns everything read until the server closes
// the connection or `until` appears (then stops reading).
std::string Exchange(int port, const std::string& request, const std::string& until = "") {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.173", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "(connect failed)";
  }
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);  // the server sees the end of what we send
  std::string out;
  char buf[4096];
  while (true) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (!until.empty() && out.find(until) != std::string::npos) break;
  }
  ::close(fd);
  return out;
}

int CountOf(const std::string& s, const std::string& needle) {
  int n = 0;
  for (size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
  return n;
}

TEST_F(AdminServerTest, ServesHttpAndSurvivesMalformedRequests) {
  ASSERT_OK(admin_->Start());
  const int port = admin_->port();
  ASSERT_GT(port, 0);

  // Two requests on one keep-alive connection, then one that closes.
  std::string out = Exchange(port,
                             "GET /info HTTP/1.1\r\nHost: x\r\n\r\n"
                             "GET /status HTTP/1.1\r\nHost: x\r\n\r\n"
                             "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(CountOf(out, "HTTP/1.1 200 OK"), 2) << out;
  EXPECT_EQ(CountOf(out, "HTTP/1.1 404 Not Found"), 1) << out;
  EXPECT_NE(out.find("Content-Type: application/json"), std::string::npos);
  EXPECT_NE(out.find("\"state\":\"UN\""), std::string::npos);

  // An action goes through the action thread and comes back on the same connection.
  out = Exchange(port, "POST /flush HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("HTTP/1.1 200 OK"), std::string::npos) << out;
  EXPECT_NE(out.find("\"flushed\""), std::string::npos) << out;
  out = Exchange(port,
                 "POST /faults HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: "
                 "close\r\n\r\n{\"a\":");
  EXPECT_NE(out.find("HTTP/1.1 409"), std::string::npos) << out;  // standalone

  // Garbage, a bad request line, an oversized header and an oversized body: 400, closed.
  for (const std::string& bad :
       {std::string("\x16\x03\x01\x02\x00garbage\r\n\r\n"), std::string("GET\r\n\r\n"),
        "GET /info HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n",
        std::string("POST /faults HTTP/1.1\r\nContent-Length: 10000000\r\n\r\n") +
            std::string(100000, 'b'),
        std::string("GET /info HTTP/1.1\r\nContent-Length: -5\r\n\r\n")}) {
    out = Exchange(port, bad);
    EXPECT_NE(out.find("HTTP/1.1 400 Bad Request"), std::string::npos) << out;
    EXPECT_NE(out.find("malformed HTTP request"), std::string::npos) << out;
  }
  // A client that connects and leaves, or sends half a request and leaves.
  Exchange(port, "");
  Exchange(port, "GET /inf");

  // Still serving.
  out = Exchange(port, "GET /info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("HTTP/1.1 200 OK"), std::string::npos) << out;
  admin_->Stop();
  admin_->Stop();  // idempotent
  EXPECT_EQ(Exchange(port, "GET /info HTTP/1.1\r\n\r\n"), "(connect failed)");
}

TEST_F(AdminServerTest, RefusesAnAddressInUse) {
  ASSERT_OK(admin_->Start());
  AdminServerOptions o;
  o.address = "127.0.0.173";
  o.port = admin_->port();
  AdminServices s;
  s.db = db_.get();
  s.cluster = view_.get();
  AdminServer second(o, s);
  Status st = second.Start();
  EXPECT_TRUE(st.IsIOError()) << st.ToString();
  EXPECT_NE(st.message().find("127.0.0.173:" + std::to_string(o.port)), std::string::npos);
}

// ---- A clustered node: gossip and the fault hook ----

TEST(AdminServerClusterTest, GossipViewAndFaultRules) {
  test::ScratchDir dir;
  DatabaseOptions dbo = test::DatabaseTestOptions(dir.str());
  dbo.defer_new_tokens = true;
  auto db = Database::Open(dbo);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  StorageServiceOptions so;
  so.listen_address = "127.0.0.174";
  so.rpc_address = "127.0.0.174";
  so.seeds = {"127.0.0.174"};
  so.gossip_interval_ms = 100;
  so.num_tokens = 8;
  so.shutdown_announce_ms = 10;
  StorageService storage(so, db->get());
  ASSERT_OK(storage.Start());
  AdminServices s;
  s.db = db->get();
  s.cluster = &storage;
  s.storage = &storage;
  AdminServer admin(AdminServerOptions(), s);

  auto get = [&](const std::string& target) {
    AdminServer::Response r = admin.Handle("GET", target, "");
    EXPECT_EQ(r.status, 200) << r.body;
    return *Json::Parse(r.body);
  };
  Json status = get("/status");
  const Json& node = status.Find("datacenters")->as_array()[0].Find("nodes")->as_array()[0];
  EXPECT_EQ(node.Find("state")->as_string(), "UN");
  EXPECT_EQ(node.Find("status")->as_string(), "NORMAL");
  EXPECT_EQ(node.Find("tokens")->as_double(), 8);
  Json gossip = get("/gossipinfo");
  ASSERT_EQ(gossip.Find("endpoints")->as_array().size(), 1u);
  EXPECT_NE(gossip.Find("text")->as_string().find("LOAD:"), std::string::npos);
  EXPECT_NE(get("/info").Find("generation")->as_double(), 0);

  // Add by JSON body and by query parameters, list, remove one, clear.
  AdminServer::Response r = admin.Handle(
      "POST", "/faults", R"({"verb":"mutation","peer":"127.0.0.9","direction":"out","drop":1})");
  ASSERT_EQ(r.status, 200) << r.body;
  Json rule = *Json::Parse(r.body);
  EXPECT_EQ(rule.Find("verb")->as_string(), "MUTATION");
  EXPECT_EQ(rule.Find("peer")->as_string(), "127.0.0.9:7000");
  EXPECT_EQ(rule.Find("direction")->as_string(), "out");
  r = admin.Handle("POST", "/faults?delay_ms=250", "");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string second_id = Json::Parse(r.body)->Find("id")->Dump();
  ASSERT_EQ(storage.messaging().Faults().size(), 2u);
  EXPECT_EQ(storage.messaging().Faults()[1].second.delay_ms, 250u);
  EXPECT_EQ(get("/faults").Find("faults")->as_array().size(), 2u);
  EXPECT_EQ(admin.Handle("DELETE", "/faults/" + second_id, "").status, 200);
  EXPECT_EQ(admin.Handle("DELETE", "/faults/" + second_id, "").status, 404);
  EXPECT_EQ(storage.messaging().Faults().size(), 1u);
  EXPECT_EQ(admin.Handle("DELETE", "/faults", "").status, 200);
  EXPECT_TRUE(storage.messaging().Faults().empty());

  for (const char* bad : {R"({"verb":"NOPE","drop":1})", R"({"drop":2})", R"({"delay_ms":-1})",
                          R"({})", R"({"direction":"up","drop":1})", R"({"peer":"x y","drop":1})",
                          R"({"colour":"red","drop":1})", "[1]", "{"}) {
    r = admin.Handle("POST", "/faults", bad);
    EXPECT_EQ(r.status, 400) << bad << " -> " << r.body;
  }
  EXPECT_TRUE(storage.messaging().Faults().empty());

  EXPECT_GT(storage.messaging().pending_handlers() + 1, 0u);
  AdminServer::Response m = admin.Handle("GET", "/metrics", "");
  EXPECT_NE(m.body.find("cairn_messaging_sent_total "), std::string::npos);
  EXPECT_NE(m.body.find("cairn_gossip_live_peers 0\n"), std::string::npos);
  storage.Stop();
  EXPECT_OK((*db)->Close());
}

}  // namespace
}  // namespace cairn::node
