// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// StorageProxy, the coordinator (issue 5), driven through the Coordinator interface on
// a real three-node cluster in this process: each node is a Database + StorageService +
// StorageProxy on 127.0.0.141-143 over real loopback sockets (fast gossip), with the
// proxy built after the StorageService and started before it, as node/cairnd.cc does.
// Each test starts its own cluster on its own storage port, so ctest may run them in
// parallel. What they check:
//   - writes at ONE/QUORUM/ALL reach every replica (each node's local store is read);
//     a dropped MUTATION times ALL out with acknowledged_by and leaves a hint that
//     delivery hands to the replica; ANY counts a hint; Unavailable sends nothing;
//   - digest reads: identical data (memtable or SSTable) gives equal digests; a newer
//     value on one replica is returned and repaired on every contacted replica;
//     background read repair (read_repair_chance);
//   - range scans over the whole ring and a wrapping pair of bounds, paged, in
//     DecoratedKey order, repairing a replica that lacks rows;
//   - the batch log (MutateAtomically), its replay after a timed-out batch, truncate;
//   - LOCAL_QUORUM / EACH_QUORUM / LOCAL_ONE with two datacenters (gossiping snitch,
//     NetworkTopologyStrategy).
// Waits poll with generous deadlines; nothing asserts on timing. Tests marked
// "Regression" found bugs that are fixed now.
#include "node/storage_proxy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <future>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/mutation.h"
#include "common/partition.h"
#include "node/database.h"
#include "node/net/fault.h"
#include "node/storage_service.h"
#include "ring/replication_strategy.h"
#include "tests/lib/database_util.h"
#include "tests/lib/test_util.h"

namespace cairn::node {
namespace {

using namespace std::chrono_literals;

constexpr char kKeyspace[] = "ks";         // SimpleStrategy RF 3
constexpr char kTable[] = "t";             // read repair chances 0
constexpr char kBackgroundTable[] = "bg";  // read_repair_chance 1
constexpr char kRf1Keyspace[] = "ks1";     // SimpleStrategy RF 1, table t

bool WaitFor(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return predicate();
}

std::string Address(int i) { return "127.0.0." + std::to_string(141 + i); }

// The whole ring as one pair of bounds.
std::vector<KeyBounds> WholeRing() {
  return {KeyBounds{RingPosition::BeforeAll(), true, RingPosition::AfterAll()}};
}

struct ClusterOptions {
  // Distinct per test so that tests may run concurrently.
  int storage_port = 0;
  // GossipingPropertyFileSnitch: nodes 0 and 1 in dc1, node 2 in dc2.
  bool two_datacenters = false;
  int write_timeout_ms = 1500;
  int64_t max_hint_window_ms = 3 * 3600 * 1000;
  size_t max_background_writes = 1024;
};

struct Node {
  std::string address;
  std::string dir;
  std::unique_ptr<Database> db;
  std::unique_ptr<StorageService> service;
  std::unique_ptr<StorageProxy> proxy;
  bool running = false;

  net::Endpoint endpoint(int port) const { return *net::Endpoint::Parse(address, port); }
  // Stops the proxy and the service (announcing the shutdown); the Database stays.
  void Stop() {
    if (proxy) proxy->Stop();
    if (service) service->Stop();
    running = false;
  }
};

class StorageProxyTest : public ::testing::Test {
 protected:
  ~StorageProxyTest() override {
    for (auto& n : nodes_) n->Stop();
    for (auto& n : nodes_) n->proxy.reset();
    for (auto& n : nodes_) n->service.reset();
    for (auto& n : nodes_) n->db.reset();
  }

  std::string DcOf(int i) const {
    return options_.two_datacenters ? (i < 2 ? "dc1" : "dc2") : "datacenter1";
  }

  // Builds Database + StorageService + StorageProxy for node `i` (the Database is
  // opened unless it already is) and starts them.
  void StartNode(int i) {
    Node& n = *nodes_[i];
    if (n.db == nullptr) {
      DatabaseOptions o = test::DatabaseTestOptions(n.dir);
      o.datacenter = DcOf(i);
      auto db = Database::Open(std::move(o));
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      n.db = std::move(db).value();
    }
    StorageServiceOptions so;
    so.listen_address = n.address;
    so.rpc_address = n.address;
    so.storage_port = options_.storage_port;
    so.seeds = {Address(0)};
    so.gossip_interval_ms = 100;
    so.ring_delay_ms = 300;
    so.num_tokens = 4;
    so.shutdown_announce_ms = 50;
    // Nodes go down in these tests only by announcing it (Stop); a loaded machine
    // (sanitizers) must not convict a live one.
    so.phi_convict_threshold = 16;
    so.gossiping_snitch = options_.two_datacenters;
    so.dc = DcOf(i);
    so.network_threads = 1;
    n.service = std::make_unique<StorageService>(so, n.db.get());

    StorageProxyOptions po;
    po.write_request_timeout_ms = options_.write_timeout_ms;
    po.read_request_timeout_ms = 3000;
    po.range_request_timeout_ms = 10000;
    po.truncate_request_timeout_ms = 10000;
    po.hints_directory = n.dir + "/hints";
    po.batchlog_directory = n.dir + "/batchlog";
    po.sync_hints = false;
    po.max_hint_window_ms = options_.max_hint_window_ms;
    po.max_background_writes = options_.max_background_writes;
    // Only the tests run delivery and replay (RunBackgroundRoundForTest).
    po.hint_delivery_interval_ms = 3'600'000;
    po.batchlog_replay_timeout_ms = 200;
    n.proxy = std::make_unique<StorageProxy>(po, n.db.get(), n.service.get(),
                                             &n.service->messaging());
    ASSERT_OK(n.proxy->Start());
    ASSERT_OK(n.service->Start());
    n.running = true;
  }

  // Starts three nodes, waits until each sees the full ring with everyone up, then
  // creates the test keyspaces on node 0 and waits until every node has them.
  void StartCluster(ClusterOptions options) {
    options_ = options;
    for (int i = 0; i < 3; ++i) {
      auto n = std::make_unique<Node>();
      n->address = Address(i);
      n->dir = (root_.path() / ("n" + std::to_string(i))).string();
      nodes_.push_back(std::move(n));
    }
    for (int i = 0; i < 3; ++i) ASSERT_NO_FATAL_FAILURE(StartNode(i));
    ASSERT_TRUE(WaitFor([&] { return AllUp(); }, 30s)) << "the ring did not form";
    if (options_.two_datacenters) {
      ASSERT_TRUE(WaitFor(
          [&] {
            for (auto& n : nodes_) {
              for (int j = 0; j < 3; ++j) {
                if (n->service->snitch()->GetDatacenter(Address(j)) != DcOf(j)) return false;
              }
            }
            return true;
          },
          20s))
          << "the snitch did not learn the datacenters";
    }
    ASSERT_NO_FATAL_FAILURE(CreateSchema());
  }

  bool AllUp() const {
    for (const auto& n : nodes_) {
      if (!n->running) continue;
      if (n->service->token_metadata()->GetNormalEndpoints().size() != nodes_.size()) return false;
      for (const auto& m : nodes_) {
        if (m->running && !n->service->IsAlive(m->address)) return false;
      }
    }
    return true;
  }

  static TableSchema Table(const std::string& ks, const std::string& name, double rr,
                           double dclocal_rr) {
    TableSchema t = test::TestKeyspace(ks, {name}).tables[0];
    t.read_repair_chance = rr;
    t.dclocal_read_repair_chance = dclocal_rr;
    return t;
  }

  void CreateSchema() {
    KeyspaceSchema ks;
    ks.name = kKeyspace;
    if (options_.two_datacenters) {
      ks.strategy_class = "NetworkTopologyStrategy";
      ks.strategy_options = {{"dc1", "2"}, {"dc2", "1"}};
    } else {
      ks.strategy_class = "SimpleStrategy";
      ks.strategy_options = {{"replication_factor", "3"}};
    }
    ks.tables = {Table(kKeyspace, kTable, 0, 0), Table(kKeyspace, kBackgroundTable, 1.0, 0)};
    auto v = nodes_[0]->db->AddKeyspace(ks);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    KeyspaceSchema ks1 = test::TestKeyspace(kRf1Keyspace, {});
    ks1.tables = {Table(kRf1Keyspace, kTable, 0, 0)};
    v = nodes_[0]->db->AddKeyspace(ks1);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    ASSERT_TRUE(WaitFor(
        [&] {
          for (auto& n : nodes_) {
            auto s = n->db->schema();
            for (const auto& [ks, t] : {std::pair{kKeyspace, kTable},
                                        std::pair{kKeyspace, kBackgroundTable},
                                        std::pair{kRf1Keyspace, kTable}}) {
              // In the schema, and open: Database::MergeSchemaMutations publishes the
              // merged schema before it opens the new tables.
              const TableSchema* ts = s->FindTable(ks, t);
              if (ts == nullptr || n->db->Store(ts->metadata.id) == nullptr) return false;
            }
          }
          return true;
        },
        20s))
        << "the schema did not reach every node";
  }

  // Whether node `i`'s schema has the table and its store is open.
  bool HasOpenTable(int i, const std::string& ks, const std::string& t) {
    const TableSchema* ts = nodes_[i]->db->schema()->FindTable(ks, t);
    return ts != nullptr && nodes_[i]->db->Store(ts->metadata.id) != nullptr;
  }

  Node& node(int i) { return *nodes_[i]; }
  StorageProxy& proxy(int i) { return *nodes_[i]->proxy; }
  net::Endpoint endpoint(int i) const { return nodes_[i]->endpoint(options_.storage_port); }

  // Drops MUTATION messages from node `from` to node `to`; returns the rule id.
  uint64_t DropMutations(int from, int to) {
    return node(from).service->messaging().SetFault(
        net::FaultRule{endpoint(to), net::internode::Verb::MUTATION,
                       net::FaultDirection::kOutbound, 1.0, 0});
  }

  // Stops node `i` and waits until every running node sees it down.
  void StopNode(int i) {
    node(i).Stop();
    ASSERT_TRUE(WaitFor(
        [&] {
          for (auto& n : nodes_) {
            if (n->running && n->service->IsAlive(node(i).address)) return false;
          }
          return true;
        },
        10s))
        << Address(i) << " is still seen up";
  }

  // ---- schema and data helpers ----

  // The table's id, read from node 0's schema.
  std::string TableId(const std::string& ks = kKeyspace, const std::string& t = kTable) {
    const TableSchema* ts = nodes_[0]->db->schema()->FindTable(ks, t);
    return ts == nullptr ? std::string() : ts->metadata.id;
  }

  // A TableRef into node `i`'s current schema; `holder` keeps the snapshot alive.
  TableRef Ref(int i, std::shared_ptr<const Schema>* holder, const std::string& ks = kKeyspace,
               const std::string& t = kTable) {
    *holder = nodes_[i]->db->schema();
    return TableRef{(*holder)->FindKeyspace(ks), (*holder)->FindTable(ks, t)};
  }

  const KeyspaceSchema& Keyspace(int i, std::shared_ptr<const Schema>* holder,
                                 const std::string& ks = kKeyspace) {
    *holder = nodes_[i]->db->schema();
    return *(*holder)->FindKeyspace(ks);
  }

  Mutation Write(const std::string& key, const std::string& column, const std::string& value,
                 int64_t timestamp, const std::string& ks = kKeyspace,
                 const std::string& table = kTable) {
    Mutation m;
    m.keyspace = ks;
    m.key = key;
    PartitionUpdate u;
    u.cells.push_back(Cell::Live(column, value, timestamp));
    m.updates.push_back({TableId(ks, table), std::move(u)});
    return m;
  }

  // Mutate through node `coordinator`.
  Status Mutate(int coordinator, std::vector<Mutation> ms, ConsistencyLevel cl,
                WriteOutcome* outcome = nullptr, const std::string& ks = kKeyspace) {
    std::shared_ptr<const Schema> holder;
    return proxy(coordinator).Mutate(Keyspace(coordinator, &holder, ks), std::move(ms), cl,
                                      outcome);
  }

  // MutateAsync through node `coordinator`, waiting for its answer. `inline_answer`
  // (optional): whether it answered before MutateAsync returned.
  Status MutateAsyncAndWait(int coordinator, std::vector<Mutation> ms, ConsistencyLevel cl,
                            WriteOutcome* outcome = nullptr, bool* inline_answer = nullptr) {
    std::shared_ptr<const Schema> holder;
    auto answer = std::make_shared<std::promise<std::pair<Status, WriteOutcome>>>();
    auto calls = std::make_shared<std::atomic<int>>(0);
    proxy(coordinator)
        .MutateAsync(Keyspace(coordinator, &holder, kKeyspace), std::move(ms), cl,
                     [answer, calls](const Status& st, const WriteOutcome& o) {
                       if (calls->fetch_add(1) == 0) answer->set_value({st, o});
                     });
    auto f = answer->get_future();
    if (inline_answer != nullptr) {
      *inline_answer = f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    }
    if (f.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      return Status::Aborted("MutateAsync never answered");
    }
    auto [st, o] = f.get();
    if (outcome != nullptr) *outcome = o;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(calls->load(), 1) << "the callback ran more than once";
    return st;
  }

  // ReadAsync of `keys` through node `coordinator`, waiting for its answer.
  Coordinator::ReadResult ReadAsyncAndWait(int coordinator, std::vector<std::string> keys,
                                           ConsistencyLevel cl) {
    auto holder = std::make_shared<std::shared_ptr<const Schema>>();
    TableRef ref = Ref(coordinator, holder.get(), kKeyspace, kTable);
    auto answer = std::make_shared<std::promise<Coordinator::ReadResult>>();
    auto calls = std::make_shared<std::atomic<int>>(0);
    proxy(coordinator)
        .ReadAsync(ref, std::move(keys), CellFilter::All(), cl,
                   [answer, calls, holder](Coordinator::ReadResult r) {
                     if (calls->fetch_add(1) == 0) answer->set_value(std::move(r));
                   });
    auto f = answer->get_future();
    if (f.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      return Status::Aborted("ReadAsync never answered");
    }
    auto r = f.get();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(calls->load(), 1) << "the callback ran more than once";
    return r;
  }

  // The value of `column` in node `i`'s own store (no coordinator), nullopt if absent.
  std::optional<std::string> LocalValue(int i, const std::string& key,
                                        const std::string& column = "c",
                                        const std::string& ks = kKeyspace,
                                        const std::string& table = kTable) {
    const TableSchema* ts = nodes_[i]->db->schema()->FindTable(ks, table);
    if (ts == nullptr) return std::nullopt;
    auto store = nodes_[i]->db->Store(ts->metadata.id);
    if (store == nullptr) return std::nullopt;
    auto p = store->Read(nodes_[i]->db->Decorate(key), CellFilter::All());
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    if (!p.ok() || !p->has_value()) return std::nullopt;
    for (const Cell& c : (*p)->cells) {
      if (c.name == column && c.kind == CellKind::kLive) return c.value;
    }
    return std::nullopt;
  }

  // The value of `column` in a coordinator read result.
  static std::optional<std::string> ValueIn(const std::optional<PartitionUpdate>& p,
                                            const std::string& column = "c") {
    if (!p.has_value()) return std::nullopt;
    for (const Cell& c : p->cells) {
      if (c.name == column && c.kind == CellKind::kLive) return c.value;
    }
    return std::nullopt;
  }

  Result<std::optional<PartitionUpdate>> ReadKey(int coordinator, const std::string& key,
                                                 ConsistencyLevel cl,
                                                 const std::string& table = kTable,
                                                 const CellFilter& filter = CellFilter::All(),
                                                 const std::string& ks = kKeyspace) {
    std::shared_ptr<const Schema> holder;
    TableRef ref = Ref(coordinator, &holder, ks, table);
    auto r = proxy(coordinator).Read(ref, {key}, filter, cl);
    if (!r.ok()) return r.status();
    return std::move((*r)[0]);
  }

  // Scans through node `coordinator`; the visited keys in order.
  Result<std::vector<DecoratedKey>> Scan(int coordinator, const std::vector<KeyBounds>& bounds,
                                         int32_t page_rows, ConsistencyLevel cl,
                                         size_t stop_after = SIZE_MAX,
                                         const std::string& ks = kKeyspace) {
    std::shared_ptr<const Schema> holder;
    TableRef ref = Ref(coordinator, &holder, ks);
    std::vector<DecoratedKey> keys;
    Status st = proxy(coordinator)
                    .ScanRange(ref, bounds, CellFilter::All(), page_rows, cl,
                               [&](const DecoratedKey& k, PartitionUpdate p) {
                                 EXPECT_FALSE(p.cells.empty()) << k.key;
                                 keys.push_back(k);
                                 return keys.size() < stop_after;
                               });
    if (!st.ok()) return st;
    return keys;
  }

  // The RF 1 replica of `key` in ks1, as node 0 computes it.
  std::string Rf1ReplicaOf(const std::string& key) {
    auto strategy = ring::ReplicationStrategy::Create(
        "SimpleStrategy", {{"replication_factor", "1"}}, nodes_[0]->service->snitch());
    EXPECT_TRUE(strategy.ok());
    auto eps = (*strategy)->GetNaturalEndpoints(nodes_[0]->db->Decorate(key).token,
                                                *nodes_[0]->service->token_metadata());
    return eps.size() == 1 ? eps[0] : std::string();
  }

  test::ScratchDir root_;
  ClusterOptions options_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

// ---------------------------------------------------------------------------------------
// Writes

TEST_F(StorageProxyTest, MutateReachesEveryReplicaAtOneQuorumAndAll) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17141}));
  const std::vector<std::pair<ConsistencyLevel, std::string>> levels = {
      {ConsistencyLevel::ONE, "one"},
      {ConsistencyLevel::QUORUM, "quorum"},
      {ConsistencyLevel::ALL, "all"},
      {ConsistencyLevel::TWO, "two"},
      {ConsistencyLevel::THREE, "three"},
      // With SimpleStrategy: LOCAL_ONE is ONE, LOCAL_QUORUM and EACH_QUORUM are QUORUM.
      {ConsistencyLevel::LOCAL_ONE, "local_one"},
      {ConsistencyLevel::LOCAL_QUORUM, "local_quorum"},
      {ConsistencyLevel::EACH_QUORUM, "each_quorum"},
      {ConsistencyLevel::ANY, "any"}};
  int coordinator = 0;
  for (const auto& [cl, key] : levels) {
    Status st = Mutate(coordinator, {Write(key, "c", "v-" + key, 10)}, cl);
    ASSERT_TRUE(st.ok()) << key << ": " << st.ToString();
    coordinator = (coordinator + 1) % 3;
  }
  // ONE and QUORUM return before every replica answered: the rest arrive shortly.
  for (const auto& [cl, key] : levels) {
    for (int i = 0; i < 3; ++i) {
      EXPECT_TRUE(WaitFor([&] { return LocalValue(i, key) == "v-" + key; }, 10s))
          << key << " missing on " << Address(i);
    }
  }
  // Several mutations in one call, each to its own partition.
  std::vector<Mutation> batch;
  for (int k = 0; k < 20; ++k) batch.push_back(Write("multi" + std::to_string(k), "c", "m", 10));
  ASSERT_OK(Mutate(1, batch, ConsistencyLevel::ALL));
  for (int k = 0; k < 20; ++k) {
    for (int i = 0; i < 3; ++i) EXPECT_EQ(LocalValue(i, "multi" + std::to_string(k)), "m");
  }
  EXPECT_EQ(proxy(1).stats().writes, 3u + 20u);  // QUORUM, THREE, EACH_QUORUM, then the 20
  EXPECT_EQ(proxy(1).stats().write_timeouts, 0u);
  EXPECT_EQ(proxy(0).pending_hints(), 0u);
  // SERIAL is refused for writes, ANY for reads.
  EXPECT_TRUE(Mutate(0, {Write("x", "c", "v", 1)}, ConsistencyLevel::SERIAL).IsInvalidArgument());
  EXPECT_TRUE(ReadKey(0, "x", ConsistencyLevel::ANY).status().IsInvalidArgument());
}

TEST_F(StorageProxyTest, MutateAsyncAnswersWhatMutateWouldOnce) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17176}));
  for (ConsistencyLevel cl : {ConsistencyLevel::ONE, ConsistencyLevel::QUORUM,
                              ConsistencyLevel::ALL, ConsistencyLevel::ANY}) {
    const std::string key = "async-" + std::to_string(static_cast<int>(cl));
    ASSERT_OK(MutateAsyncAndWait(1, {Write(key, "c", "v", 10)}, cl));
    for (int i = 0; i < 3; ++i) {
      EXPECT_TRUE(WaitFor([&] { return LocalValue(i, key) == "v"; }, 10s)) << key;
    }
  }
  // Several mutations: one answer, after all of them.
  std::vector<Mutation> batch;
  for (int k = 0; k < 20; ++k) batch.push_back(Write("am" + std::to_string(k), "c", "m", 10));
  ASSERT_OK(MutateAsyncAndWait(2, batch, ConsistencyLevel::ALL));
  for (int k = 0; k < 20; ++k) {
    for (int i = 0; i < 3; ++i) EXPECT_EQ(LocalValue(i, "am" + std::to_string(k)), "m");
  }
  // Refused before anything is sent: answered inline.
  bool inline_answer = false;
  Status st = MutateAsyncAndWait(0, {Write("x", "c", "v", 1)}, ConsistencyLevel::SERIAL, nullptr,
                                 &inline_answer);
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_TRUE(inline_answer);

  // A replica that drops its mutations: ALL times out with the two acks, QUORUM does not.
  const uint64_t rule = DropMutations(0, 2);
  ASSERT_OK(MutateAsyncAndWait(0, {Write("q", "c", "vq", 10)}, ConsistencyLevel::QUORUM));
  WriteOutcome outcome;
  st = MutateAsyncAndWait(0, {Write("a", "c", "va", 10)}, ConsistencyLevel::ALL, &outcome);
  EXPECT_TRUE(st.IsTimedOut()) << st.ToString();
  EXPECT_EQ(outcome.acknowledged_by, 2);
  // In a batch the first failing mutation answers, as Mutate's would.
  st = MutateAsyncAndWait(0, {Write("b1", "c", "v", 10), Write("b2", "c", "v", 10)},
                          ConsistencyLevel::ALL, &outcome);
  EXPECT_TRUE(st.IsTimedOut()) << st.ToString();
  EXPECT_EQ(outcome.acknowledged_by, 2);
  ASSERT_TRUE(node(0).service->messaging().RemoveFault(rule));

  // A down replica: Unavailable inline, nothing written.
  ASSERT_NO_FATAL_FAILURE(StopNode(2));
  st = MutateAsyncAndWait(0, {Write("u", "c", "vu", 10)}, ConsistencyLevel::ALL, nullptr,
                          &inline_answer);
  EXPECT_TRUE(st.IsUnavailable()) << st.ToString();
  EXPECT_TRUE(inline_answer);
  EXPECT_EQ(LocalValue(0, "u"), std::nullopt);
  ASSERT_OK(MutateAsyncAndWait(0, {Write("u", "c", "vu", 10)}, ConsistencyLevel::QUORUM));
  EXPECT_EQ(LocalValue(0, "u"), "vu");
}

// Issue 5: replica writes still out after their write answered (at ONE, the two remote
// copies) are counted, and beyond max_background_writes the next successful answer waits
// until they are acknowledged, so a slow replica cannot drift behind without limit.
TEST_F(StorageProxyTest, AnswersWaitWhileTooManyReplicaWritesAreInTheBackground) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17178, .max_background_writes = 2}));
  std::vector<uint64_t> rules;
  for (int to : {1, 2}) {
    rules.push_back(node(0).service->messaging().SetFault(net::FaultRule{
        endpoint(to), net::internode::Verb::MUTATION, net::FaultDirection::kOutbound, 0.0, 400}));
  }
  // The first write answers at once (its local copy is enough for ONE) and leaves two
  // replica writes in the background: the limit.
  ASSERT_OK(MutateAsyncAndWait(0, {Write("bg1", "c", "v1", 10)}, ConsistencyLevel::ONE));
  EXPECT_EQ(proxy(0).stats().background_write_throttled, 0u);
  // The second one would make four: it waits until the first one's are acknowledged, so
  // when it answers every replica has the first write.
  ASSERT_OK(MutateAsyncAndWait(0, {Write("bg2", "c", "v2", 10)}, ConsistencyLevel::ONE));
  EXPECT_EQ(proxy(0).stats().background_write_throttled, 1u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(LocalValue(i, "bg1"), "v1") << "node " << i;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(WaitFor([&] { return LocalValue(i, "bg2") == "v2"; }, 10s)) << "node " << i;
  }
  EXPECT_TRUE(WaitFor([&] { return proxy(0).stats().background_writes == 0; }, 10s));
  // A write that times out leaves nothing in the background.
  for (uint64_t r : rules) ASSERT_TRUE(node(0).service->messaging().RemoveFault(r));
  const uint64_t drop = DropMutations(0, 2);
  Status st = MutateAsyncAndWait(0, {Write("bg3", "c", "v3", 10)}, ConsistencyLevel::ALL);
  EXPECT_TRUE(st.IsTimedOut()) << st.ToString();
  ASSERT_TRUE(node(0).service->messaging().RemoveFault(drop));
  EXPECT_TRUE(WaitFor([&] { return proxy(0).stats().background_writes == 0; }, 10s));
}

TEST_F(StorageProxyTest, DroppedMutationTimesOutAllAndIsHintedThenDelivered) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17142}));
  const uint64_t rule = DropMutations(0, 2);

  // QUORUM: nodes 0 and 1 are enough.
  ASSERT_OK(Mutate(0, {Write("q", "c", "vq", 10)}, ConsistencyLevel::QUORUM));
  // ALL: node 2 never answers.
  WriteOutcome outcome;
  Status st = Mutate(0, {Write("a", "c", "va", 10)}, ConsistencyLevel::ALL, &outcome);
  EXPECT_TRUE(st.IsTimedOut()) << st.ToString();
  EXPECT_EQ(outcome.acknowledged_by, 2);
  EXPECT_GE(proxy(0).stats().write_timeouts, 1u);

  // Each write timed out on node 2 and left a hint for it (stored when the request
  // expires, which may be just after Mutate returned).
  ASSERT_TRUE(WaitFor([&] { return proxy(0).pending_hints() == 2; }, 10s))
      << "pending hints: " << proxy(0).pending_hints();
  // The counters go up just after each hint is stored.
  EXPECT_TRUE(WaitFor([&] { return proxy(0).stats().hints_stored == 2; }, 5s));
  // Issue 5: the reason is counted (node 2 is up, it did not answer in time).
  EXPECT_TRUE(WaitFor([&] { return proxy(0).stats().hints_replica_timed_out == 2; }, 5s));
  EXPECT_EQ(proxy(0).stats().hints_replica_down, 0u);
  EXPECT_EQ(LocalValue(2, "q"), std::nullopt);
  EXPECT_EQ(LocalValue(2, "a"), std::nullopt);
  EXPECT_EQ(LocalValue(1, "a"), "va");

  // Healed: one delivery round hands both hints over.
  ASSERT_TRUE(node(0).service->messaging().RemoveFault(rule));
  proxy(0).RunBackgroundRoundForTest();
  EXPECT_TRUE(WaitFor([&] { return LocalValue(2, "q") == "vq" && LocalValue(2, "a") == "va"; }, 10s));
  EXPECT_TRUE(WaitFor([&] { return proxy(0).pending_hints() == 0; }, 10s))
      << "pending hints: " << proxy(0).pending_hints();
  EXPECT_EQ(proxy(0).stats().hints_delivered, 2u);
  // Nothing left to deliver.
  proxy(0).RunBackgroundRoundForTest();
  EXPECT_EQ(proxy(0).stats().hints_delivered, 2u);
}

TEST_F(StorageProxyTest, DownReplicaGivesUnavailableWithoutSendingOrHinting) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17143}));
  ASSERT_NO_FATAL_FAILURE(StopNode(2));

  // QUORUM works with two of three, and hints the down one.
  ASSERT_OK(Mutate(0, {Write("q", "c", "vq", 10)}, ConsistencyLevel::QUORUM));
  EXPECT_EQ(LocalValue(0, "q"), "vq");
  EXPECT_TRUE(WaitFor([&] { return LocalValue(1, "q") == "vq"; }, 10s));
  EXPECT_EQ(proxy(0).pending_hints(), 1u);

  // ALL cannot be met: Unavailable, and nothing is written or hinted.
  const StorageProxyStats before = proxy(0).stats();
  Status st = Mutate(0, {Write("a", "c", "va", 10)}, ConsistencyLevel::ALL);
  EXPECT_TRUE(st.IsUnavailable()) << st.ToString();
  EXPECT_EQ(proxy(0).stats().unavailables, before.unavailables + 1);
  EXPECT_EQ(proxy(0).stats().hints_stored, before.hints_stored);
  EXPECT_EQ(proxy(0).stats().writes, before.writes);
  EXPECT_EQ(proxy(0).pending_hints(), 1u);
  std::this_thread::sleep_for(200ms);  // a wrongly sent write would have landed by now
  EXPECT_EQ(LocalValue(0, "a"), std::nullopt);
  EXPECT_EQ(LocalValue(1, "a"), std::nullopt);
  // THREE likewise; a batch with one mutation that cannot be met sends none of them.
  EXPECT_TRUE(Mutate(0, {Write("b", "c", "vb", 10)}, ConsistencyLevel::THREE).IsUnavailable());
  EXPECT_TRUE(Mutate(1, {Write("b", "c", "vb", 10)}, ConsistencyLevel::ALL).IsUnavailable());
  EXPECT_EQ(LocalValue(1, "b"), std::nullopt);

  // Reads: QUORUM answers, ALL is Unavailable.
  auto r = ReadKey(1, "q", ConsistencyLevel::QUORUM);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ValueIn(*r), "vq");
  EXPECT_TRUE(ReadKey(1, "q", ConsistencyLevel::ALL).status().IsUnavailable());

  // Two down: QUORUM is Unavailable, ANY and ONE still work on the coordinator alone
  // (every node is a replica at RF 3).
  ASSERT_NO_FATAL_FAILURE(StopNode(1));
  EXPECT_TRUE(Mutate(0, {Write("z", "c", "vz", 10)}, ConsistencyLevel::QUORUM).IsUnavailable());
  ASSERT_OK(Mutate(0, {Write("any", "c", "vany", 10)}, ConsistencyLevel::ANY));
  ASSERT_OK(Mutate(0, {Write("one", "c", "vone", 10)}, ConsistencyLevel::ONE));
  EXPECT_EQ(LocalValue(0, "any"), "vany");
  EXPECT_EQ(LocalValue(0, "one"), "vone");
  // Hints for both down replicas of both writes, on top of the first one.
  EXPECT_EQ(proxy(0).pending_hints(), 1u + 4u);
  auto one = ReadKey(0, "one", ConsistencyLevel::ONE);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(ValueIn(*one), "vone");
}

TEST_F(StorageProxyTest, AnyIsSatisfiedByAHintWhenNoReplicaIsUp) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17144}));
  // A key of the RF 1 keyspace whose only replica is node 2.
  std::string key;
  for (int k = 0; k < 1000 && key.empty(); ++k) {
    std::string candidate = "k" + std::to_string(k);
    if (Rf1ReplicaOf(candidate) == Address(2)) key = candidate;
  }
  ASSERT_FALSE(key.empty());
  ASSERT_NO_FATAL_FAILURE(StopNode(2));

  // ONE needs a live replica; ANY takes the hint the coordinator stores.
  Status st = Mutate(0, {Write(key, "c", "v", 10, kRf1Keyspace)}, ConsistencyLevel::ONE, nullptr,
                     kRf1Keyspace);
  EXPECT_TRUE(st.IsUnavailable()) << st.ToString();
  EXPECT_EQ(proxy(0).pending_hints(), 0u);
  ASSERT_OK(Mutate(0, {Write(key, "c", "v", 10, kRf1Keyspace)}, ConsistencyLevel::ANY, nullptr,
                   kRf1Keyspace));
  EXPECT_EQ(proxy(0).pending_hints(), 1u);
  EXPECT_EQ(LocalValue(0, key, "c", kRf1Keyspace), std::nullopt);  // not a replica

  // While node 2 is down the hint stays; once it is back, delivery hands it over.
  proxy(0).RunBackgroundRoundForTest();
  EXPECT_EQ(proxy(0).pending_hints(), 1u);
  node(2).proxy.reset();
  node(2).service.reset();
  ASSERT_NO_FATAL_FAILURE(StartNode(2));
  ASSERT_TRUE(WaitFor([&] { return AllUp(); }, 30s)) << "node 2 did not come back";
  // Delivery waits until gossip shows node 2 with our schema version.
  EXPECT_TRUE(WaitFor(
      [&] {
        proxy(0).RunBackgroundRoundForTest();
        return LocalValue(2, key, "c", kRf1Keyspace) == "v";
      },
      20s));
  EXPECT_EQ(proxy(0).pending_hints(), 0u);
}


TEST_F(StorageProxyTest, NoHintForAReplicaDownLongerThanTheHintWindow) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17159, .max_hint_window_ms = 1000}));
  ASSERT_NO_FATAL_FAILURE(StopNode(2));
  // Within the window: hinted.
  ASSERT_OK(Mutate(0, {Write("early", "c", "v", 10)}, ConsistencyLevel::QUORUM));
  EXPECT_EQ(proxy(0).pending_hints(), 1u);
  // Past it: the write succeeds without a hint.
  std::this_thread::sleep_for(1500ms);
  ASSERT_OK(Mutate(0, {Write("late", "c", "v", 10)}, ConsistencyLevel::QUORUM));
  EXPECT_EQ(proxy(0).pending_hints(), 1u);
  EXPECT_EQ(proxy(0).stats().hints_stored, 1u);
  EXPECT_EQ(proxy(0).stats().hints_replica_down, 1u);
  // ANY cannot count a hint it may not store; the live replicas answer instead.
  ASSERT_OK(Mutate(0, {Write("any", "c", "v", 10)}, ConsistencyLevel::ANY));
  EXPECT_EQ(proxy(0).pending_hints(), 1u);
}

// A hint the replica can never apply (its table was dropped before delivery) is
// dropped, not retried forever: it must not hold up the replica's later hints
// (Cassandra's HintVerbHandler acknowledges hints for dropped tables).
TEST_F(StorageProxyTest, HintForADroppedTableDoesNotBlockLaterHints) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17160}));
  const uint64_t rule = DropMutations(0, 2);
  ASSERT_OK(Mutate(0, {Write("k1", "c", "v1", 10, kKeyspace, kBackgroundTable)},
                   ConsistencyLevel::QUORUM));
  ASSERT_OK(Mutate(0, {Write("k2", "c", "v2", 10)}, ConsistencyLevel::QUORUM));
  ASSERT_TRUE(WaitFor([&] { return proxy(0).pending_hints() == 2; }, 10s));
  // The first hint's table goes away everywhere.
  auto dropped = node(0).db->DropTable(kKeyspace, kBackgroundTable);
  ASSERT_TRUE(dropped.ok()) << dropped.status().ToString();
  ASSERT_TRUE(WaitFor(
      [&] {
        for (int i = 0; i < 3; ++i) {
          if (node(i).db->schema()->FindTable(kKeyspace, kBackgroundTable) != nullptr) return false;
        }
        return true;
      },
      10s));
  ASSERT_TRUE(node(0).service->messaging().RemoveFault(rule));
  // Delivery starts once gossip shows node 2 with node 0's schema version.
  EXPECT_TRUE(WaitFor(
      [&] {
        proxy(0).RunBackgroundRoundForTest();
        return LocalValue(2, "k2") == "v2";
      },
      15s))
      << "the live table's hint was not delivered";
  EXPECT_TRUE(WaitFor([&] { return proxy(0).pending_hints() == 0; }, 5s))
      << "pending hints: " << proxy(0).pending_hints();
  EXPECT_EQ(proxy(0).stats().hints_delivered, 1u);
  EXPECT_EQ(proxy(0).stats().hints_dropped, 1u);
}

// Regression (was a bug): hints went to a replica whose schema differed from the
// coordinator's, and a hint for a table the replica did not know *yet* was dropped as
// if the table had been dropped, so the replica never got that write. Here
// node 2 has not pulled the new table when delivery runs (its schema pulls are held
// back, as when a node comes back up and delivery runs before its pull finishes).
// Cassandra 3.11's HintsDispatchTrigger only dispatches to hosts whose gossiped SCHEMA
// equals ours, so the hint waits until the replica has the table.
TEST_F(StorageProxyTest, HintWaitsUntilTheReplicaKnowsTheTable) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17165}));
  const uint64_t no_pull = node(2).service->messaging().SetFault(net::FaultRule{
      std::nullopt, net::internode::Verb::SCHEMA_PULL, net::FaultDirection::kBoth, 1.0, 0});
  ASSERT_TRUE(node(0).db->AddTable(Table(kKeyspace, "late", 0, 0)).ok());
  ASSERT_TRUE(WaitFor([&] { return HasOpenTable(1, kKeyspace, "late"); },
                      10s));
  // The write misses node 2 (dropped) and is hinted for it.
  const uint64_t drop = DropMutations(0, 2);
  ASSERT_OK(Mutate(0, {Write("k", "c", "v", 10, kKeyspace, "late")}, ConsistencyLevel::QUORUM));
  ASSERT_TRUE(WaitFor([&] { return proxy(0).pending_hints() == 1; }, 10s));
  ASSERT_TRUE(node(0).service->messaging().RemoveFault(drop));

  // Delivery while node 2 still lacks the table must keep the hint.
  proxy(0).RunBackgroundRoundForTest();
  ASSERT_EQ(node(2).db->schema()->FindTable(kKeyspace, "late"), nullptr);
  EXPECT_EQ(proxy(0).pending_hints(), 1u);
  EXPECT_EQ(proxy(0).stats().hints_dropped, 0u);

  // Node 2 learns the table; the next round delivers.
  ASSERT_TRUE(node(2).service->messaging().RemoveFault(no_pull));
  ASSERT_TRUE(WaitFor([&] { return HasOpenTable(2, kKeyspace, "late"); },
                      10s));
  // (Delivery starts once gossip shows node 2 with our schema version.)
  EXPECT_TRUE(WaitFor(
      [&] {
        proxy(0).RunBackgroundRoundForTest();
        return LocalValue(2, "k", "c", kKeyspace, "late") == "v";
      },
      15s))
      << "node 2 never got the hinted write";
}

// Regression (was a bug, same root as the test above): a replica that does not know the
// table yet answers INVALID, which the write path neither counted nor hinted, so that
// replica silently missed the write (only a later read repair could bring it).
// In Cassandra 3.11 the replica cannot deserialize the mutation and does not answer;
// the write times out on it and is hinted (and the hint waits for schema agreement).
TEST_F(StorageProxyTest, WriteRefusedForAnUnknownTableIsHinted) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17168}));
  node(2).service->messaging().SetFault(net::FaultRule{
      std::nullopt, net::internode::Verb::SCHEMA_PULL, net::FaultDirection::kBoth, 1.0, 0});
  ASSERT_TRUE(node(0).db->AddTable(Table(kKeyspace, "late", 0, 0)).ok());
  ASSERT_TRUE(WaitFor([&] { return HasOpenTable(1, kKeyspace, "late"); },
                      10s));
  ASSERT_OK(Mutate(0, {Write("k", "c", "v", 10, kKeyspace, "late")}, ConsistencyLevel::QUORUM));
  EXPECT_TRUE(WaitFor([&] { return proxy(0).pending_hints() == 1; }, 5s))
      << "no hint for the replica that refused the write";
  // Counted as a failure answer of a live replica (INVALID), not a timeout. (The counter
  // goes up just after the hint is stored: wait for it too.)
  EXPECT_TRUE(WaitFor([&] { return proxy(0).stats().hints_replica_failed == 1; }, 5s));
  EXPECT_EQ(proxy(0).stats().hints_replica_timed_out, 0u);
}

// Regression (was a bug in node/database.cc): Database::MergeSchemaMutations published
// the merged schema (schema() lists the new table, and gossip may announce the new
// version) before the table was opened, so for a moment a node that "had" the table
// refused writes to it ("unknown table in mutation"); a write at ALL issued as soon as
// every node listed the table failed. Racy by nature: it failed within a few rounds.
TEST_F(StorageProxyTest, TableListedInTheSchemaTakesWrites) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17169}));
  for (int round = 0; round < 10; ++round) {
    const std::string name = "new" + std::to_string(round);
    ASSERT_TRUE(node(0).db->AddTable(Table(kKeyspace, name, 0, 0)).ok());
    // Spin (no sleep) so the write goes out right when the last node lists the table.
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    auto listed = [&] {
      for (int i = 0; i < 3; ++i) {
        if (node(i).db->schema()->FindTable(kKeyspace, name) == nullptr) return false;
      }
      return true;
    };
    while (!listed() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    ASSERT_TRUE(listed());
    Status st = Mutate(0, {Write("k", "c", "v", 10, kKeyspace, name)}, ConsistencyLevel::ALL);
    ASSERT_TRUE(st.ok()) << "round " << round << ": " << st.ToString();
  }
}

// Clients on every coordinator at once: every write lands everywhere, every read sees
// the latest value of its own key.
TEST_F(StorageProxyTest, ConcurrentClientsOnEveryCoordinator) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17167}));
  constexpr int kThreads = 6, kOps = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const int c = t % 3;
      for (int op = 0; op < kOps; ++op) {
        const std::string key = "c" + std::to_string(t) + "_" + std::to_string(op % 10);
        const std::string value = std::to_string(op);
        if (!Mutate(c, {Write(key, "c", value, 100 + op)}, ConsistencyLevel::QUORUM).ok()) {
          ++failures;
          continue;
        }
        auto r = ReadKey(c, key, ConsistencyLevel::QUORUM);
        if (!r.ok() || ValueIn(*r) != value) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    for (int k = 0; k < 10; ++k) {
      const std::string key = "c" + std::to_string(t) + "_" + std::to_string(k);
      const std::string last = std::to_string(kOps - 10 + k);
      for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(WaitFor([&] { return LocalValue(i, key) == last; }, 10s)) << key << " on " << i;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Reads

TEST_F(StorageProxyTest, IdenticalDataOnEveryReplicaHasEqualDigests) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17145}));
  std::vector<Mutation> ms;
  for (int k = 0; k < 10; ++k) {
    Mutation m = Write("d" + std::to_string(k), "a", "1", 10);
    PartitionUpdate& u = m.updates[0].update;
    u.cells.push_back(Cell::Live("b", std::string(k * 100, 'x'), 11));
    // Deletions and an expiring cell travel and persist the same way.
    const int32_t now = Clock::Real()->NowSeconds();
    u.cells.push_back(Cell::Expiring("e", "ttl", 12, 3600, now));
    u.cells.push_back(Cell::Tombstone("t", 13, now));
    u.range_tombstones.push_back(RangeTombstone{"x", "z", DeletionTime{9, now}});
    if (k % 2 == 1) u.deletion = DeletionTime{5, now};
    ms.push_back(std::move(m));
  }
  ASSERT_OK(Mutate(0, ms, ConsistencyLevel::ALL));
  // Node 1 serves from an SSTable, the others from memtables: same digest.
  ASSERT_OK(node(1).db->Drain());
  for (int c = 0; c < 3; ++c) {
    for (int k = 0; k < 10; ++k) {
      auto r = ReadKey(c, "d" + std::to_string(k), ConsistencyLevel::ALL);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(ValueIn(*r, "a"), "1");
      EXPECT_EQ(ValueIn(*r, "b"), std::string(k * 100, 'x'));
    }
    // A key nobody has: no partition, equal (empty) digests.
    auto none = ReadKey(c, "nobody", ConsistencyLevel::ALL);
    ASSERT_TRUE(none.ok()) << none.status().ToString();
    EXPECT_FALSE(none->has_value());
    EXPECT_EQ(proxy(c).stats().digest_mismatches, 0u);
    EXPECT_EQ(proxy(c).stats().read_repairs_sent, 0u);
  }
}

TEST_F(StorageProxyTest, ReadAtAllReturnsNewestValueAndRepairsEveryReplica) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17146}));
  ASSERT_OK(Mutate(0, {Write("k", "c", "old", 10)}, ConsistencyLevel::ALL));
  // A newer value reaches node 2 alone (written straight into its store).
  ASSERT_OK(node(2).db->Apply(Write("k", "c", "new", 20)));
  ASSERT_EQ(LocalValue(0, "k"), "old");

  // Node 0 reads its own (stale) data and node 2's digest: mismatch, full reads,
  // reconcile, repair nodes 0 and 1 before answering.
  auto r = ReadKey(0, "k", ConsistencyLevel::ALL);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ValueIn(*r), "new");
  EXPECT_EQ(proxy(0).stats().digest_mismatches, 1u);
  EXPECT_EQ(proxy(0).stats().read_repairs_sent, 2u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(LocalValue(i, "k"), "new") << Address(i);

  // Repaired: the next read matches.
  auto again = ReadKey(1, "k", ConsistencyLevel::ALL);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ValueIn(*again), "new");
  EXPECT_EQ(proxy(1).stats().digest_mismatches, 0u);

  // A partition only one replica has is found and copied to the others.
  ASSERT_OK(node(1).db->Apply(Write("only1", "c", "x", 5)));
  auto only = ReadKey(2, "only1", ConsistencyLevel::ALL);
  ASSERT_TRUE(only.ok()) << only.status().ToString();
  EXPECT_EQ(ValueIn(*only), "x");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(LocalValue(i, "only1"), "x") << Address(i);
}

TEST_F(StorageProxyTest, ReadAtQuorumRepairsTheContactedReplica) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17147}));
  ASSERT_OK(Mutate(0, {Write("k", "c", "old", 10)}, ConsistencyLevel::ALL));
  // Node 1 alone has the newer value; it coordinates, so it is one of the two contacted.
  ASSERT_OK(node(1).db->Apply(Write("k", "c", "new", 20)));
  auto r = ReadKey(1, "k", ConsistencyLevel::QUORUM);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ValueIn(*r), "new");
  EXPECT_EQ(proxy(1).stats().digest_mismatches, 1u);
  EXPECT_EQ(proxy(1).stats().read_repairs_sent, 1u);
  int with_new = 0;
  for (int i = 0; i < 3; ++i) with_new += LocalValue(i, "k") == "new" ? 1 : 0;
  EXPECT_EQ(with_new, 2);  // node 1 and the replica it read

  // A newer partition tombstone on one replica wins and is repaired too.
  Mutation del;
  del.keyspace = kKeyspace;
  del.key = "k";
  PartitionUpdate u;
  u.deletion.marked_for_delete_at = 30;
  u.deletion.local_deletion_time = 1000;
  del.updates.push_back({TableId(), u});
  ASSERT_OK(node(1).db->Apply(del));
  auto deleted = ReadKey(1, "k", ConsistencyLevel::ALL);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  ASSERT_TRUE(deleted->has_value());
  EXPECT_EQ((*deleted)->deletion.marked_for_delete_at, 30);
  for (int i = 0; i < 3; ++i) {
    auto p = node(i).db->Store(TableId())->Read(node(i).db->Decorate("k"), CellFilter::All());
    ASSERT_TRUE(p.ok() && p->has_value());
    EXPECT_EQ((*p)->deletion.marked_for_delete_at, 30) << Address(i);
  }
}

TEST_F(StorageProxyTest, ReadAsyncAnswersWhatReadWould) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17177}));
  ASSERT_OK(Mutate(0, {Write("k1", "c", "v1", 10), Write("k2", "c", "v2", 10)},
                   ConsistencyLevel::ALL));
  for (ConsistencyLevel cl : {ConsistencyLevel::ONE, ConsistencyLevel::QUORUM,
                              ConsistencyLevel::ALL, ConsistencyLevel::SERIAL}) {
    auto r = ReadAsyncAndWait(1, {"k1"}, cl);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->size(), 1u);
    ASSERT_TRUE((*r)[0].has_value());
    EXPECT_EQ(ValueIn(*(*r)[0]), "v1");
  }
  // Several keys: one answer, in key order, nullopt for a partition nobody has.
  auto many = ReadAsyncAndWait(2, {"k2", "none", "k1"}, ConsistencyLevel::QUORUM);
  ASSERT_TRUE(many.ok()) << many.status().ToString();
  ASSERT_EQ(many->size(), 3u);
  EXPECT_EQ(ValueIn(*(*many)[0]), "v2");
  EXPECT_FALSE((*many)[1].has_value());
  EXPECT_EQ(ValueIn(*(*many)[2]), "v1");

  // A digest mismatch: the second round and the blocking repair, off the caller.
  ASSERT_OK(node(2).db->Apply(Write("k1", "c", "new", 20)));
  auto repaired = ReadAsyncAndWait(0, {"k1"}, ConsistencyLevel::ALL);
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  EXPECT_EQ(ValueIn(*(*repaired)[0]), "new");
  EXPECT_EQ(proxy(0).stats().digest_mismatches, 1u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(LocalValue(i, "k1"), "new") << Address(i);

  // A replica that does not answer: TimedOut; ONE still answers from this node.
  node(0).service->messaging().SetFault(net::FaultRule{
      endpoint(2), net::internode::Verb::READ, net::FaultDirection::kOutbound, 1.0, 0});
  auto all = ReadAsyncAndWait(0, {"k2"}, ConsistencyLevel::ALL);
  EXPECT_TRUE(all.status().IsTimedOut()) << all.status().ToString();
  auto one = ReadAsyncAndWait(0, {"k2"}, ConsistencyLevel::ONE);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(ValueIn(*(*one)[0]), "v2");

  // Too few live replicas: Unavailable; ANY is refused for reads.
  ASSERT_NO_FATAL_FAILURE(StopNode(1));
  EXPECT_TRUE(ReadAsyncAndWait(0, {"k2"}, ConsistencyLevel::ALL).status().IsUnavailable());
  EXPECT_TRUE(ReadAsyncAndWait(0, {"k2"}, ConsistencyLevel::ANY).status().IsInvalidArgument());
}

TEST_F(StorageProxyTest, ReadTimesOutWhenADigestReplicaDoesNotAnswer) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17148}));
  ASSERT_OK(Mutate(0, {Write("k", "c", "v", 10)}, ConsistencyLevel::ALL));
  node(0).service->messaging().SetFault(net::FaultRule{
      endpoint(2), net::internode::Verb::READ, net::FaultDirection::kOutbound, 1.0, 0});
  auto all = ReadKey(0, "k", ConsistencyLevel::ALL);
  EXPECT_TRUE(all.status().IsTimedOut()) << all.status().ToString();
  EXPECT_EQ(proxy(0).stats().read_timeouts, 1u);
  // ONE reads the coordinator's own replica.
  auto one = ReadKey(0, "k", ConsistencyLevel::ONE);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(ValueIn(*one), "v");
}

// Regression (a flaky cluster test): a replica that did not answer a timed-out read or
// write must be avoided by the very next read, even before messaging's own timeout
// of the request fires.
TEST_F(StorageProxyTest, ReplicaThatTimedOutIsAvoidedByTheNextRead) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17174}));
  ASSERT_OK(Mutate(0, {Write("k", "c", "v", 10)}, ConsistencyLevel::ALL));
  for (auto verb : {net::internode::Verb::READ, net::internode::Verb::MUTATION}) {
    node(0).service->messaging().SetFault(
        net::FaultRule{endpoint(2), verb, net::FaultDirection::kOutbound, 1.0, 0});
  }
  // The ALL write times out on node 2; every QUORUM read after it must avoid node 2.
  EXPECT_TRUE(Mutate(0, {Write("k", "c", "v2", 20)}, ConsistencyLevel::ALL).IsTimedOut());
  for (int i = 0; i < 5; ++i) {
    auto r = ReadKey(0, "k", ConsistencyLevel::QUORUM);
    ASSERT_TRUE(r.ok()) << "read " << i << ": " << r.status().ToString();
    EXPECT_EQ(ValueIn(*r), "v2");
  }
}

TEST_F(StorageProxyTest, FilteredReadsCompareAndRepairOnlySelectedCells) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17161}));
  Mutation m = Write("k", "a", "a1", 10);
  m.updates[0].update.cells.push_back(Cell::Live("b", "b1", 10));
  m.updates[0].update.cells.push_back(Cell::Live("c", "c1", 10));
  ASSERT_OK(Mutate(0, {m}, ConsistencyLevel::ALL));
  // Node 2 alone has a newer b.
  ASSERT_OK(node(2).db->Apply(Write("k", "b", "b2", 20)));

  // Names and slices that leave b out see equal digests.
  auto a = ReadKey(0, "k", ConsistencyLevel::ALL, kTable, CellFilter::Names({"a", "c"}));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(ValueIn(*a, "a"), "a1");
  EXPECT_EQ(ValueIn(*a, "c"), "c1");
  EXPECT_EQ(ValueIn(*a, "b"), std::nullopt);
  auto slice = ReadKey(0, "k", ConsistencyLevel::ALL, kTable, CellFilter::Slice("", "a"));
  ASSERT_TRUE(slice.ok()) << slice.status().ToString();
  ASSERT_TRUE(slice->has_value());
  EXPECT_EQ((*slice)->cells.size(), 1u);
  EXPECT_EQ(proxy(0).stats().digest_mismatches, 0u);

  // A slice holding b finds the newer value and repairs only b.
  auto bc = ReadKey(0, "k", ConsistencyLevel::ALL, kTable, CellFilter::Slice("b", ""));
  ASSERT_TRUE(bc.ok()) << bc.status().ToString();
  EXPECT_EQ(ValueIn(*bc, "b"), "b2");
  EXPECT_EQ(ValueIn(*bc, "c"), "c1");
  EXPECT_EQ(ValueIn(*bc, "a"), std::nullopt);
  EXPECT_EQ(proxy(0).stats().digest_mismatches, 1u);
  EXPECT_EQ(proxy(0).stats().read_repairs_sent, 2u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(LocalValue(i, "k", "b"), "b2") << Address(i);
    EXPECT_EQ(LocalValue(i, "k", "a"), "a1") << Address(i);
  }
}

TEST_F(StorageProxyTest, MultiKeyReadAnswersEveryKeyInOrder) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17162}));
  std::vector<Mutation> ms;
  std::vector<std::string> keys;
  for (int k = 0; k < 30; ++k) {
    keys.push_back("m" + std::to_string(k));
    if (k % 3 != 0) ms.push_back(Write(keys.back(), "c", "v" + std::to_string(k), 10));
  }
  ASSERT_OK(Mutate(0, ms, ConsistencyLevel::ALL));
  ASSERT_OK(node(1).db->Apply(Write("m1", "c", "newer", 20)));
  std::shared_ptr<const Schema> holder;
  auto r = proxy(2).Read(Ref(2, &holder), keys, CellFilter::All(), ConsistencyLevel::ALL);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), keys.size());
  for (int k = 0; k < 30; ++k) {
    if (k % 3 == 0) {
      EXPECT_FALSE((*r)[k].has_value()) << keys[k];
    } else {
      EXPECT_EQ(ValueIn((*r)[k]), k == 1 ? "newer" : "v" + std::to_string(k)) << keys[k];
    }
  }
  EXPECT_EQ(proxy(2).stats().digest_mismatches, 1u);
}

// RF 1: every key lives on one node, so reads and scans through any coordinator must
// find the right replica for every ring range.
TEST_F(StorageProxyTest, SingleReplicaKeyspaceThroughEveryCoordinator) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17163}));
  std::vector<Mutation> ms;
  std::vector<DecoratedKey> expected;
  for (int k = 0; k < 300; ++k) {
    const std::string key = "r" + std::to_string(k);
    ms.push_back(Write(key, "c", "v", 10, kRf1Keyspace));
    expected.push_back(node(0).db->Decorate(key));
  }
  std::sort(expected.begin(), expected.end());
  ASSERT_OK(Mutate(0, ms, ConsistencyLevel::ONE, nullptr, kRf1Keyspace));
  std::map<std::string, int> per_node;
  for (const DecoratedKey& k : expected) {
    const std::string owner = Rf1ReplicaOf(k.key);
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(LocalValue(i, k.key, "c", kRf1Keyspace).has_value(), owner == Address(i))
          << k.key << " on " << Address(i);
    }
    ++per_node[owner];
  }
  EXPECT_EQ(per_node.size(), 3u);  // every node owns some
  const Token t = expected[150].token;
  std::vector<DecoratedKey> wrapped;
  for (const DecoratedKey& k : expected) {
    if (k.token > t) wrapped.push_back(k);
  }
  for (const DecoratedKey& k : expected) {
    if (!(k.token > t)) wrapped.push_back(k);
  }
  for (int c = 0; c < 3; ++c) {
    for (ConsistencyLevel cl : {ConsistencyLevel::ONE, ConsistencyLevel::QUORUM}) {
      auto keys = Scan(c, WholeRing(), 7, cl, SIZE_MAX, kRf1Keyspace);
      ASSERT_TRUE(keys.ok()) << keys.status().ToString();
      EXPECT_EQ(*keys, expected) << "coordinator " << c;
    }
    auto keys = Scan(c,
                     {KeyBounds{RingPosition::TokenEnd(t), false, RingPosition::AfterAll()},
                      KeyBounds{RingPosition::BeforeAll(), true, RingPosition::TokenEnd(t)}},
                     5, ConsistencyLevel::ONE, SIZE_MAX, kRf1Keyspace);
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    EXPECT_EQ(*keys, wrapped) << "coordinator " << c;
    for (int k = 0; k < 300; k += 29) {
      auto r = ReadKey(c, expected[k].key, ConsistencyLevel::ONE, kTable, CellFilter::All(),
                       kRf1Keyspace);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(ValueIn(*r), "v") << expected[k].key;
    }
  }
}

// Read repair chance 1: after a ONE read, the replicas it did not contact are read and
// repaired in the background.
TEST_F(StorageProxyTest, BackgroundReadRepairPushesCoordinatorDataToOtherReplicas) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17149}));
  ASSERT_OK(Mutate(0, {Write("k", "c", "old", 10, kKeyspace, kBackgroundTable)},
                   ConsistencyLevel::ALL));
  ASSERT_OK(node(0).db->Apply(Write("k", "c", "new", 20, kKeyspace, kBackgroundTable)));
  auto r = ReadKey(0, "k", ConsistencyLevel::ONE, kBackgroundTable);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ValueIn(*r), "new");
  for (int i = 1; i < 3; ++i) {
    EXPECT_TRUE(WaitFor(
        [&] { return LocalValue(i, "k", "c", kKeyspace, kBackgroundTable) == "new"; }, 10s))
        << Address(i);
  }
  EXPECT_EQ(proxy(0).stats().background_repairs_sent, 2u);
}

// Regression (was a bug): background read repair only pushed the coordinator's answer
// to the replicas it did not contact and never reconciled them: a newer value on an
// uncontacted replica was not brought to the contacted ones (Cassandra 3.11's
// AsyncRepairCallback resolves every response and repairs every replica).
TEST_F(StorageProxyTest, BackgroundReadRepairSpreadsNewerValueOfUncontactedReplica) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17150}));
  ASSERT_OK(Mutate(0, {Write("k", "c", "old", 10, kKeyspace, kBackgroundTable)},
                   ConsistencyLevel::ALL));
  ASSERT_OK(node(2).db->Apply(Write("k", "c", "new", 20, kKeyspace, kBackgroundTable)));
  auto r = ReadKey(0, "k", ConsistencyLevel::ONE, kBackgroundTable);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ValueIn(*r), "old");  // ONE: node 0's own answer
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(WaitFor(
        [&] { return LocalValue(i, "k", "c", kKeyspace, kBackgroundTable) == "new"; }, 5s))
        << Address(i) << " still has the stale value";
  }
}

// ---------------------------------------------------------------------------------------
// Range scans

class StorageProxyScanTest : public StorageProxyTest {
 protected:
  static constexpr int kKeys = 500;

  static std::string KeyName(int k) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "key%03d", k);
    return buf;
  }

  void WriteKeys() {
    std::vector<Mutation> ms;
    for (int k = 0; k < kKeys; ++k) ms.push_back(Write(KeyName(k), "c", "v" + std::to_string(k), 10));
    ASSERT_OK(Mutate(0, std::move(ms), ConsistencyLevel::ALL));
  }

  // `keys` decorated and sorted in ring order.
  std::vector<DecoratedKey> Sorted(const std::vector<std::string>& keys) {
    std::vector<DecoratedKey> out;
    for (const std::string& k : keys) out.push_back(node(0).db->Decorate(k));
    std::sort(out.begin(), out.end());
    return out;
  }

};

TEST_F(StorageProxyScanTest, WholeRingInPagesReturnsEveryKeyOnceInRingOrder) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17151}));
  ASSERT_NO_FATAL_FAILURE(WriteKeys());
  std::vector<std::string> names;
  for (int k = 0; k < kKeys; ++k) names.push_back(KeyName(k));
  const std::vector<DecoratedKey> expected = Sorted(names);

  for (int page_rows : {7, 1, 1000}) {
    auto keys = Scan(1, WholeRing(), page_rows, ConsistencyLevel::QUORUM);
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    EXPECT_EQ(*keys, expected) << "page_rows " << page_rows;
  }
  EXPECT_EQ(proxy(1).stats().read_repairs_sent, 0u);
  EXPECT_GE(proxy(1).stats().range_pages, 500u / 7u);
  // ALL and ONE, and every coordinator, agree.
  for (int c = 0; c < 3; ++c) {
    for (ConsistencyLevel cl : {ConsistencyLevel::ONE, ConsistencyLevel::ALL}) {
      auto keys = Scan(c, WholeRing(), 50, cl);
      ASSERT_TRUE(keys.ok()) << keys.status().ToString();
      EXPECT_EQ(*keys, expected);
    }
  }
  // The visitor can stop the walk.
  auto first = Scan(0, WholeRing(), 7, ConsistencyLevel::QUORUM, /*stop_after=*/10);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, std::vector<DecoratedKey>(expected.begin(), expected.begin() + 10));
  // Resuming after a key (exclusive start) gives the rest.
  auto rest = Scan(0, {KeyBounds{RingPosition::KeyAt(expected[9]), false, RingPosition::AfterAll()}},
                   7, ConsistencyLevel::QUORUM);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, std::vector<DecoratedKey>(expected.begin() + 10, expected.end()));
  // An inclusive key range.
  auto mid = Scan(2, {KeyBounds{RingPosition::KeyAt(expected[100]), true, RingPosition::KeyAt(expected[199])}},
                  7, ConsistencyLevel::QUORUM);
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(*mid, std::vector<DecoratedKey>(expected.begin() + 100, expected.begin() + 200));
}

TEST_F(StorageProxyScanTest, WrappingBoundsReturnKeysAfterTheTokenFirst) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17152}));
  ASSERT_NO_FATAL_FAILURE(WriteKeys());
  std::vector<std::string> names;
  for (int k = 0; k < kKeys; ++k) names.push_back(KeyName(k));
  const std::vector<DecoratedKey> sorted = Sorted(names);
  const Token t = sorted[250].token;
  std::vector<DecoratedKey> expected;
  for (const DecoratedKey& k : sorted) {
    if (k.token > t) expected.push_back(k);
  }
  for (const DecoratedKey& k : sorted) {
    if (!(k.token > t)) expected.push_back(k);
  }
  const std::vector<KeyBounds> wrap = {
      KeyBounds{RingPosition::TokenEnd(t), false, RingPosition::AfterAll()},
      KeyBounds{RingPosition::BeforeAll(), true, RingPosition::TokenEnd(t)}};
  for (int page_rows : {7, 100}) {
    auto keys = Scan(0, wrap, page_rows, ConsistencyLevel::QUORUM);
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    ASSERT_EQ(keys->size(), expected.size());
    EXPECT_EQ(*keys, expected) << "page_rows " << page_rows;
  }
  // One range of the ring: (first token, second token].
  auto tm = node(0).service->token_metadata();
  const std::vector<Token>& ring_tokens = tm->SortedTokens();
  ASSERT_GE(ring_tokens.size(), 3u);
  const Token& lo = ring_tokens[0];
  const Token& hi = ring_tokens[1];
  std::vector<DecoratedKey> in_range;
  for (const DecoratedKey& k : sorted) {
    if (k.token > lo && !(k.token > hi)) in_range.push_back(k);
  }
  auto keys = Scan(1, {KeyBounds{RingPosition::TokenEnd(lo), false, RingPosition::TokenEnd(hi)}}, 3,
                   ConsistencyLevel::QUORUM);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(*keys, in_range);
}

TEST_F(StorageProxyScanTest, ScanReturnsRowsAReplicaLacksAndRepairsIt) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17153}));
  ASSERT_NO_FATAL_FAILURE(WriteKeys());
  // 30 keys only nodes 0 and 1 have, and a newer value of key000 only node 1 has.
  std::vector<std::string> names;
  for (int k = 0; k < kKeys; ++k) names.push_back(KeyName(k));
  for (int k = 0; k < 30; ++k) {
    const std::string key = "miss" + std::to_string(k);
    names.push_back(key);
    ASSERT_OK(node(0).db->Apply(Write(key, "c", "m", 10)));
    ASSERT_OK(node(1).db->Apply(Write(key, "c", "m", 10)));
  }
  ASSERT_OK(node(1).db->Apply(Write(KeyName(0), "c", "newer", 20)));
  const std::vector<DecoratedKey> expected = Sorted(names);

  // Node 2 coordinates at QUORUM: it reads itself and one of the others, both have
  // the missing keys.
  auto keys = Scan(2, WholeRing(), 7, ConsistencyLevel::QUORUM);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(*keys, expected);
  EXPECT_GE(proxy(2).stats().read_repairs_sent, 30u);
  for (int k = 0; k < 30; ++k) {
    EXPECT_EQ(LocalValue(2, "miss" + std::to_string(k)), "m") << "miss" << k;
  }

  // ALL: every replica ends up with key000's newer value, and the scan returns it.
  std::shared_ptr<const Schema> holder;
  TableRef ref = Ref(0, &holder);
  std::optional<std::string> seen;
  ASSERT_OK(proxy(0).ScanRange(ref, WholeRing(), CellFilter::All(), 7, ConsistencyLevel::ALL,
                               [&](const DecoratedKey& k, PartitionUpdate p) {
                                 if (k.key == KeyName(0)) seen = ValueIn(p);
                                 return true;
                               }));
  EXPECT_EQ(seen, "newer");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(LocalValue(i, KeyName(0)), "newer") << Address(i);
  // Converged: a scan at ALL repairs nothing more.
  const uint64_t repairs = proxy(1).stats().read_repairs_sent;
  auto again = Scan(1, WholeRing(), 7, ConsistencyLevel::ALL);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, expected);
  EXPECT_EQ(proxy(1).stats().read_repairs_sent, repairs);
}

TEST_F(StorageProxyScanTest, ScanWithADownReplica) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17154}));
  ASSERT_NO_FATAL_FAILURE(WriteKeys());
  ASSERT_NO_FATAL_FAILURE(StopNode(2));
  auto keys = Scan(0, WholeRing(), 50, ConsistencyLevel::QUORUM);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(keys->size(), static_cast<size_t>(kKeys));
  EXPECT_TRUE(Scan(0, WholeRing(), 50, ConsistencyLevel::ALL).status().IsUnavailable());
}

// ---------------------------------------------------------------------------------------
// Batch log and truncate

TEST_F(StorageProxyTest, MutateAtomicallyAppliesEveryMutationAndForgetsTheBatch) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17155}));
  std::vector<Mutation> ms;
  for (int k = 0; k < 10; ++k) ms.push_back(Write("b" + std::to_string(k), "c", "batched", 10));
  // Two tables in one mutation.
  ms[0].updates.push_back({TableId(kKeyspace, kBackgroundTable), ms[0].updates[0].update});
  std::shared_ptr<const Schema> holder;
  ASSERT_OK(proxy(0).MutateAtomically(Keyspace(0, &holder), ms, ConsistencyLevel::QUORUM, nullptr));
  EXPECT_EQ(proxy(0).stats().batches_stored, 1u);
  for (int k = 0; k < 10; ++k) {
    for (int i = 0; i < 3; ++i) {
      EXPECT_TRUE(WaitFor([&] { return LocalValue(i, "b" + std::to_string(k)) == "batched"; }, 10s))
          << "b" << k << " on " << Address(i);
    }
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(LocalValue(i, "b0", "c", kKeyspace, kBackgroundTable), "batched");
  }
  // The holders were told to forget the batch: past the replay timeout nothing replays.
  std::this_thread::sleep_for(500ms);
  for (int i = 0; i < 3; ++i) {
    proxy(i).RunBackgroundRoundForTest();
    EXPECT_EQ(proxy(i).stats().batches_replayed, 0u) << Address(i);
  }
}

TEST_F(StorageProxyTest, TimedOutBatchIsReplayedFromTheBatchLog) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17156}));
  // The batch reaches the batch logs of nodes 1 and 2, but the mutations do not.
  const uint64_t r1 = DropMutations(0, 1);
  const uint64_t r2 = DropMutations(0, 2);
  std::vector<Mutation> ms = {Write("x", "c", "vx", 10), Write("y", "c", "vy", 10)};
  std::shared_ptr<const Schema> holder;
  WriteOutcome outcome;
  Status st = proxy(0).MutateAtomically(Keyspace(0, &holder), ms, ConsistencyLevel::QUORUM, &outcome);
  EXPECT_TRUE(st.IsTimedOut()) << st.ToString();
  EXPECT_TRUE(outcome.batchlog_written);
  EXPECT_EQ(outcome.acknowledged_by, 1);  // the coordinator's own replica
  EXPECT_EQ(LocalValue(1, "x"), std::nullopt);
  ASSERT_TRUE(node(0).service->messaging().RemoveFault(r1));
  ASSERT_TRUE(node(0).service->messaging().RemoveFault(r2));

  // Node 1 replays the batch it holds (older than batchlog_replay_timeout_ms) to every
  // replica, and forgets it.
  std::this_thread::sleep_for(300ms);
  proxy(1).RunBackgroundRoundForTest();
  EXPECT_EQ(proxy(1).stats().batches_replayed, 1u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(WaitFor([&] { return LocalValue(i, "x") == "vx" && LocalValue(i, "y") == "vy"; }, 10s))
        << Address(i);
  }
  proxy(1).RunBackgroundRoundForTest();
  EXPECT_EQ(proxy(1).stats().batches_replayed, 1u);
}

TEST_F(StorageProxyTest, MutateAtomicallyWithoutOtherLiveNodesUsesTheLocalBatchLog) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17164}));
  ASSERT_NO_FATAL_FAILURE(StopNode(1));
  ASSERT_NO_FATAL_FAILURE(StopNode(2));
  std::shared_ptr<const Schema> holder;
  EXPECT_TRUE(proxy(0)
                  .MutateAtomically(Keyspace(0, &holder), {Write("x", "c", "v", 10)},
                                    ConsistencyLevel::QUORUM, nullptr)
                  .IsUnavailable());
  EXPECT_EQ(proxy(0).stats().batches_stored, 0u);
  ASSERT_OK(proxy(0).MutateAtomically(Keyspace(0, &holder), {Write("y", "c", "v", 10)},
                                      ConsistencyLevel::ONE, nullptr));
  EXPECT_EQ(proxy(0).stats().batches_stored, 1u);
  EXPECT_EQ(LocalValue(0, "y"), "v");
  EXPECT_EQ(proxy(0).pending_hints(), 2u);
  // Removed from the local batch log once applied: nothing to replay.
  std::this_thread::sleep_for(400ms);
  proxy(0).RunBackgroundRoundForTest();
  EXPECT_EQ(proxy(0).stats().batches_replayed, 0u);
}

TEST_F(StorageProxyTest, BatchNotLoggedIsNotApplied) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17166}));
  const uint64_t rule = node(0).service->messaging().SetFault(net::FaultRule{
      std::nullopt, net::internode::Verb::BATCH_STORE, net::FaultDirection::kOutbound, 1.0, 0});
  std::shared_ptr<const Schema> holder;
  WriteOutcome outcome;
  outcome.acknowledged_by = -1;
  Status st = proxy(0).MutateAtomically(Keyspace(0, &holder), {Write("x", "c", "v", 10)},
                                        ConsistencyLevel::ONE, &outcome);
  EXPECT_TRUE(st.IsTimedOut()) << st.ToString();
  EXPECT_FALSE(outcome.batchlog_written);
  EXPECT_EQ(outcome.acknowledged_by, 0);
  EXPECT_EQ(proxy(0).stats().batches_stored, 0u);
  std::this_thread::sleep_for(200ms);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(LocalValue(i, "x"), std::nullopt) << Address(i);
  ASSERT_TRUE(node(0).service->messaging().RemoveFault(rule));
  ASSERT_OK(proxy(0).MutateAtomically(Keyspace(0, &holder), {Write("x", "c", "v", 10)},
                                      ConsistencyLevel::ALL, nullptr));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(LocalValue(i, "x"), "v") << Address(i);
}

TEST_F(StorageProxyTest, TruncateEmptiesTheTableOnEveryNode) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17157}));
  std::vector<Mutation> ms;
  for (int k = 0; k < 20; ++k) ms.push_back(Write("t" + std::to_string(k), "c", "v", 10));
  ASSERT_OK(Mutate(0, ms, ConsistencyLevel::ALL));
  ASSERT_OK(node(2).db->Drain());  // some data in SSTables too
  ASSERT_OK(Mutate(0, {Write("other", "c", "v", 10, kKeyspace, kBackgroundTable)},
                   ConsistencyLevel::ALL));
  const std::string old_id = TableId();

  ASSERT_OK(proxy(1).Truncate(kKeyspace, kTable));
  // Every node continues the table under the same new id, with no rows.
  std::string new_id;
  for (int i = 0; i < 3; ++i) {
    const TableSchema* ts = node(i).db->schema()->FindTable(kKeyspace, kTable);
    ASSERT_NE(ts, nullptr);
    EXPECT_NE(ts->metadata.id, old_id) << Address(i);
    if (i == 0) new_id = ts->metadata.id;
    EXPECT_EQ(ts->metadata.id, new_id) << Address(i);
    for (int k = 0; k < 20; ++k) EXPECT_EQ(LocalValue(i, "t" + std::to_string(k)), std::nullopt);
    // The other table keeps its rows.
    EXPECT_EQ(LocalValue(i, "other", "c", kKeyspace, kBackgroundTable), "v");
  }
  std::shared_ptr<const Schema> holder;
  int visited = 0;
  ASSERT_OK(proxy(2).ScanRange(Ref(2, &holder), WholeRing(), CellFilter::All(),
                               100, ConsistencyLevel::ALL, [&](const DecoratedKey&, PartitionUpdate) {
                                 ++visited;
                                 return true;
                               }));
  EXPECT_EQ(visited, 0);
  // The schemas converge and the table takes writes again.
  EXPECT_TRUE(WaitFor([&] { return node(0).service->SchemaVersions().size() == 1; }, 10s));
  ASSERT_OK(Mutate(0, {Write("after", "c", "v2", 20)}, ConsistencyLevel::ALL));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(LocalValue(i, "after"), "v2");

  // With a node down: Unavailable, nothing truncated.
  ASSERT_NO_FATAL_FAILURE(StopNode(2));
  Status st = proxy(0).Truncate(kKeyspace, kTable);
  EXPECT_TRUE(st.IsUnavailable()) << st.ToString();
  EXPECT_EQ(LocalValue(0, "after"), "v2");
  EXPECT_EQ(LocalValue(1, "after"), "v2");
}

// ---------------------------------------------------------------------------------------
// Two datacenters: nodes 0 and 1 in dc1, node 2 in dc2; NetworkTopologyStrategy
// {dc1: 2, dc2: 1}.

TEST_F(StorageProxyTest, DatacenterLocalAndEachQuorumWithTwoDatacenters) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17158, .two_datacenters = true}));
  ASSERT_OK(Mutate(0, {Write("all", "c", "v", 10)}, ConsistencyLevel::EACH_QUORUM));
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(WaitFor([&] { return LocalValue(i, "all") == "v"; }, 10s)) << Address(i);
  }

  // dc2 unreachable for writes: LOCAL_QUORUM in dc1 succeeds, EACH_QUORUM times out.
  uint64_t rule = DropMutations(0, 2);
  ASSERT_OK(Mutate(0, {Write("lq", "c", "v", 10)}, ConsistencyLevel::LOCAL_QUORUM));
  WriteOutcome outcome;
  Status st = Mutate(0, {Write("eq", "c", "v", 10)}, ConsistencyLevel::EACH_QUORUM, &outcome);
  EXPECT_TRUE(st.IsTimedOut()) << st.ToString();
  EXPECT_EQ(outcome.acknowledged_by, 2);
  ASSERT_TRUE(node(0).service->messaging().RemoveFault(rule));

  // The other dc1 replica unreachable: LOCAL_QUORUM (2 of dc1) times out, QUORUM (2 of
  // 3) succeeds with node 2's ack, LOCAL_ONE succeeds.
  rule = DropMutations(0, 1);
  outcome = {};
  st = Mutate(0, {Write("lq2", "c", "v", 10)}, ConsistencyLevel::LOCAL_QUORUM, &outcome);
  EXPECT_TRUE(st.IsTimedOut()) << st.ToString();
  EXPECT_EQ(outcome.acknowledged_by, 1);  // only dc1 acks count
  ASSERT_OK(Mutate(0, {Write("q", "c", "v", 10)}, ConsistencyLevel::QUORUM));
  ASSERT_OK(Mutate(0, {Write("lo", "c", "v", 10)}, ConsistencyLevel::LOCAL_ONE));
  ASSERT_TRUE(node(0).service->messaging().RemoveFault(rule));

  // Node 2 coordinates in dc2: its local quorum is itself.
  ASSERT_OK(node(2).db->Apply(Write("dc2only", "c", "v2", 10)));
  auto local = ReadKey(2, "dc2only", ConsistencyLevel::LOCAL_QUORUM);
  ASSERT_TRUE(local.ok()) << local.status().ToString();
  EXPECT_EQ(ValueIn(*local), "v2");
  EXPECT_EQ(proxy(2).stats().digest_mismatches, 0u);  // nobody else was asked
  // EACH_QUORUM reads (CASSANDRA-9602) contact dc1 too and repair it.
  auto each = ReadKey(2, "dc2only", ConsistencyLevel::EACH_QUORUM);
  ASSERT_TRUE(each.ok()) << each.status().ToString();
  EXPECT_EQ(ValueIn(*each), "v2");
  EXPECT_EQ(LocalValue(0, "dc2only"), "v2");
  EXPECT_EQ(LocalValue(1, "dc2only"), "v2");

  // dc2 down: LOCAL_QUORUM and QUORUM from dc1 work, EACH_QUORUM is Unavailable.
  ASSERT_NO_FATAL_FAILURE(StopNode(2));
  ASSERT_OK(Mutate(0, {Write("down", "c", "v", 10)}, ConsistencyLevel::LOCAL_QUORUM));
  ASSERT_OK(Mutate(1, {Write("down2", "c", "v", 10)}, ConsistencyLevel::QUORUM));
  st = Mutate(0, {Write("down3", "c", "v", 10)}, ConsistencyLevel::EACH_QUORUM);
  EXPECT_TRUE(st.IsUnavailable()) << st.ToString();
  auto lq = ReadKey(1, "down", ConsistencyLevel::LOCAL_QUORUM);
  ASSERT_TRUE(lq.ok()) << lq.status().ToString();
  EXPECT_EQ(ValueIn(*lq), "v");
  EXPECT_TRUE(ReadKey(1, "down", ConsistencyLevel::EACH_QUORUM).status().IsUnavailable());
}

// ---------------------------------------------------------------------------------------
// Compare-and-set (Paxos)

// cas through node `coordinator` on kTable: expected {c = expected} (nullopt: the row
// must be empty), update c = value.
Result<CasResult> CasThrough(StorageProxyTest* t, StorageProxy& proxy, Database& db,
                             const std::string& key, std::optional<std::string> expected,
                             const std::string& value,
                             ConsistencyLevel commit = ConsistencyLevel::QUORUM,
                             ConsistencyLevel serial = ConsistencyLevel::SERIAL) {
  (void)t;
  std::shared_ptr<const Schema> holder = db.schema();
  TableRef ref{holder->FindKeyspace(kKeyspace), holder->FindTable(kKeyspace, kTable)};
  CasRequest req;
  req.key = key;
  if (expected.has_value()) req.expected.emplace_back("c", *expected);
  req.updates.cells.push_back(Cell::Live("c", value, 1));  // the ballot's time replaces 1
  return proxy.Cas(ref, std::move(req), serial, commit);
}

TEST_F(StorageProxyTest, CasCreatesComparesAndReportsTheCurrentValue) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17170}));
  auto cas = [&](int i, std::optional<std::string> expected, const std::string& value,
                 ConsistencyLevel commit = ConsistencyLevel::QUORUM) {
    return CasThrough(this, proxy(i), *node(i).db, "reg", std::move(expected), value, commit);
  };
  auto r = cas(0, std::nullopt, "0");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->success);
  // Not empty any more: fails, showing the first live cell.
  r = cas(1, std::nullopt, "x");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->success);
  ASSERT_EQ(r->current.size(), 1u);
  EXPECT_EQ(r->current[0].value, "0");
  // Matching value: applied everywhere with ALL.
  r = cas(2, "0", "1", ConsistencyLevel::ALL);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->success);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(LocalValue(i, "reg"), "1") << Address(i);
  // Stale expectation: fails with the current value, changes nothing.
  r = cas(0, "0", "2");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->success);
  ASSERT_EQ(r->current.size(), 1u);
  EXPECT_EQ(r->current[0].value, "1");
  // The committed cell carries the ballot's time, not the client's timestamp (1).
  EXPECT_GT(r->current[0].timestamp, 1'000'000'000'000'000);
  // Expected on a missing column: fails with no current values.
  std::shared_ptr<const Schema> holder = node(1).db->schema();
  TableRef ref{holder->FindKeyspace(kKeyspace), holder->FindTable(kKeyspace, kTable)};
  CasRequest req;
  req.key = "nothing-here";
  req.expected.emplace_back("c", "1");
  req.updates.cells.push_back(Cell::Live("c", "2", 1));
  r = proxy(1).Cas(ref, req, ConsistencyLevel::SERIAL, ConsistencyLevel::QUORUM);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->success);
  EXPECT_TRUE(r->current.empty());
  // SERIAL reads: one key only, and not for ranges.
  auto serial = ReadKey(1, "reg", ConsistencyLevel::SERIAL);
  ASSERT_TRUE(serial.ok()) << serial.status().ToString();
  EXPECT_EQ(ValueIn(*serial), "1");
  EXPECT_TRUE(proxy(1).Read(ref, {"a", "b"}, CellFilter::All(), ConsistencyLevel::SERIAL)
                  .status()
                  .IsInvalidArgument());
  EXPECT_TRUE(Scan(1, WholeRing(), 10, ConsistencyLevel::SERIAL).status().IsInvalidArgument());
  // Levels: Cassandra's checks.
  EXPECT_TRUE(cas(0, "1", "2", ConsistencyLevel::SERIAL).status().IsInvalidArgument());
  EXPECT_TRUE(CasThrough(this, proxy(0), *node(0).db, "reg", "1", "2", ConsistencyLevel::QUORUM,
                         ConsistencyLevel::QUORUM)
                  .status()
                  .IsInvalidArgument());
}

TEST_F(StorageProxyTest, ConcurrentCasOnEveryCoordinatorLosesNoIncrement) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17171}));
  ASSERT_TRUE(CasThrough(this, proxy(0), *node(0).db, "ctr", std::nullopt, "0").ok());
  constexpr int kThreads = 6, kRounds = 25;
  std::mutex mu;
  std::map<int, int> successes_from;  // old value -> successful cas from it
  int successes = 0, unknown = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const int i = t % 3;
      for (int round = 0; round < kRounds; ++round) {
        auto read = ReadKey(i, "ctr", ConsistencyLevel::SERIAL);
        if (!read.ok()) continue;
        auto v = ValueIn(*read);
        if (!v.has_value()) continue;
        const int old = std::stoi(*v);
        auto r = CasThrough(this, proxy(i), *node(i).db, "ctr", *v, std::to_string(old + 1));
        std::lock_guard lock(mu);
        if (!r.ok()) {
          ++unknown;  // TimedOut: may or may not have applied
        } else if (r->success) {
          ++successes;
          ++successes_from[old];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& [old, n] : successes_from) EXPECT_EQ(n, 1) << "two cas succeeded from " << old;
  auto final_read = ReadKey(0, "ctr", ConsistencyLevel::SERIAL);
  ASSERT_TRUE(final_read.ok()) << final_read.status().ToString();
  const int final_value = std::stoi(ValueIn(*final_read).value_or("-1"));
  EXPECT_GE(final_value, successes);
  EXPECT_LE(final_value, successes + unknown);
  EXPECT_GT(successes, 0);
}

TEST_F(StorageProxyTest, ProposalAcceptedByOneReplicaIsFinishedByTheNextSerialRead) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17172}));
  ASSERT_TRUE(CasThrough(this, proxy(0), *node(0).db, "p", std::nullopt, "0").ok());
  // Node 0's proposals reach nobody else: accepted by itself only (not a quorum), so
  // the cas times out with its outcome unknown.
  std::vector<uint64_t> rules;
  for (int to : {1, 2}) {
    rules.push_back(node(0).service->messaging().SetFault(net::FaultRule{
        endpoint(to), net::internode::Verb::PAXOS_PROPOSE, net::FaultDirection::kOutbound, 1.0,
        0}));
  }
  auto r = CasThrough(this, proxy(0), *node(0).db, "p", "0", "1");
  EXPECT_TRUE(r.status().IsTimedOut()) << r.status().ToString();
  for (uint64_t id : rules) ASSERT_TRUE(node(0).service->messaging().RemoveFault(id));
  EXPECT_EQ(LocalValue(1, "p"), "0");
  // A SERIAL read through node 0 finds its accepted proposal in its own promise, and
  // finishes it before reading.
  auto read = ReadKey(0, "p", ConsistencyLevel::SERIAL);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(ValueIn(*read), "1");
  EXPECT_GE(proxy(0).stats().paxos_repairs, 1u);
  // ...committed at QUORUM, so QUORUM reads anywhere see it.
  auto q = ReadKey(2, "p", ConsistencyLevel::QUORUM);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(ValueIn(*q), "1");
}

TEST_F(StorageProxyTest, CasNeedsAPaxosQuorumOfLiveReplicas) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17173}));
  ASSERT_NO_FATAL_FAILURE(StopNode(2));
  auto r = CasThrough(this, proxy(0), *node(0).db, "q", std::nullopt, "a");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->success);
  r = CasThrough(this, proxy(1), *node(1).db, "q", "a", "b");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->success);
  // Commit at ALL cannot be met with a replica down (the value is decided anyway).
  r = CasThrough(this, proxy(0), *node(0).db, "q", "b", "c", ConsistencyLevel::ALL);
  EXPECT_FALSE(r.ok());
  ASSERT_NO_FATAL_FAILURE(StopNode(1));
  r = CasThrough(this, proxy(0), *node(0).db, "q", "c", "d");
  EXPECT_TRUE(r.status().IsUnavailable()) << r.status().ToString();
  EXPECT_TRUE(ReadKey(0, "q", ConsistencyLevel::SERIAL).status().IsUnavailable());
}

TEST_F(StorageProxyTest, LocalSerialTakesItsQuorumInTheLocalDatacenter) {
  // dc1: nodes 0 and 1, dc2: node 2 (NetworkTopologyStrategy dc1:2, dc2:1).
  ASSERT_NO_FATAL_FAILURE(StartCluster({.storage_port = 17175, .two_datacenters = true}));
  auto cas = [&](int i, std::optional<std::string> expected, const std::string& value,
                 ConsistencyLevel serial) {
    return CasThrough(this, proxy(i), *node(i).db, "dc", std::move(expected), value,
                      ConsistencyLevel::ALL, serial);
  };
  auto r = cas(0, std::nullopt, "a", ConsistencyLevel::LOCAL_SERIAL);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->success);
  ASSERT_NO_FATAL_FAILURE(StopNode(0));
  // dc1 has one of its two replicas: no LOCAL_SERIAL quorum there, but a SERIAL one
  // (2 of 3) over both datacenters.
  EXPECT_TRUE(cas(1, "a", "b", ConsistencyLevel::LOCAL_SERIAL).status().IsUnavailable());
  r = CasThrough(this, proxy(1), *node(1).db, "dc", "a", "b", ConsistencyLevel::QUORUM,
                 ConsistencyLevel::SERIAL);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->success);
  ASSERT_NO_FATAL_FAILURE(StopNode(1));
  // dc2 alone: its LOCAL_SERIAL quorum is node 2 itself; SERIAL is unavailable.
  EXPECT_TRUE(cas(2, "b", "c", ConsistencyLevel::SERIAL).status().IsUnavailable());
  r = CasThrough(this, proxy(2), *node(2).db, "dc", "b", "c", ConsistencyLevel::LOCAL_QUORUM,
                 ConsistencyLevel::LOCAL_SERIAL);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->success) << (r->current.empty() ? "" : r->current[0].value);
}

}  // namespace
}  // namespace cairn::node
