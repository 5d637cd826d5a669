// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// db_bench: the storage engine against RocksDB and LevelDB on the same key/value
// workloads, in one run on one machine, in the manner of leveldb's benchmarks/db_bench.
//
// Data: --num keys of 16 bytes ("%016llu" of a shuffled number), values of 100 bytes that
// compress to about half (half random bytes, half a repeated pattern). Cairn stores each
// key as a partition with one cell; RocksDB/LevelDB store key -> value. All three use
// Snappy, 10-bit (1%) bloom filters and a write-ahead log.
//
// Workloads (--benchmarks, comma-separated, run in order on one database per engine):
//   fillrandom    --num puts in random order, --threads writers (WAL on, no fsync:
//                 Cairn periodic mode vs RocksDB/LevelDB sync=false)
//   fillsync      --num / 10 puts, each durable before it returns (Cairn batch mode,
//                 group commit across --threads writers; RocksDB/LevelDB sync=true)
//   fillasync     --num / 10 durable puts (Cairn batch mode) issued through
//                 StorageEngine::ApplyAsync: each of --threads threads keeps up to
//                 --inflight writes outstanding, none blocked per write. Cairn only
//                 (RocksDB and LevelDB have no asynchronous write; they report n/a)
//                 fillsync and fillasync also print Cairn's records and microseconds
//                 per fdatasync (the group-commit size and the disk's sync latency)
//   readhot       --num random point reads right after the fill (memtable + SSTables)
//   flush         flush memtables to disk (not timed against the others)
//   compact       full compaction, reported in MB/s of input
//   reopen        close and reopen the database (Cairn replays nothing: it drained)
//   readrandom    --num random point reads, after reopen
//   readmissing   --num point reads of absent keys (bloom filters)
//   readseq       full scan in key order (token order for Cairn), cells/s
//   fillwide      --num cells in 1000 wide partitions (Cairn: partition key + cell name;
//                 RocksDB/LevelDB: the two concatenated into one key)
//   slice100      --num / 100 reads of 100 consecutive cells of a random wide partition
//                 (Cairn: a slice query; RocksDB/LevelDB: Seek and 99 Next)
//
// Usage: db_bench [--engines=cairn,rocksdb,leveldb] [--num=1000000] [--threads=1]
//                 [--inflight=32] [--benchmarks=...] [--dir=/tmp/cairn-db-bench]
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/logging.h"
#include "node/storage_engine.h"
#include "ring/partitioner.h"

namespace cairn::bench {
namespace {

struct Flags {
  std::vector<std::string> engines = {"cairn", "rocksdb", "leveldb"};
  std::vector<std::string> benchmarks = {"fillrandom", "readhot", "flush", "compact", "reopen",
                                         "readrandom", "readmissing", "readseq"};
  uint64_t num = 1'000'000;
  int threads = 1;
  int inflight = 32;  // fillasync: outstanding writes per thread
  std::string dir = "/tmp/cairn-db-bench";
};

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string KeyOf(uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%016llu", static_cast<unsigned long long>(n));
  return std::string(buf, 16);
}

constexpr uint64_t kWidePartitions = 1000;

std::string WideKey(uint64_t p) { return "wide" + KeyOf(p); }
std::string CellName(uint64_t c) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>(c >> (56 - 8 * i));
  return s;
}


// 100-byte values that Snappy compresses to about half.
class ValueGenerator {
 public:
  explicit ValueGenerator(uint64_t seed) {
    std::mt19937_64 rng(seed);
    data_.reserve(1 << 20);
    while (data_.size() < (1 << 20)) {
      std::string piece(50, '\0');
      for (char& c : piece) c = static_cast<char>(' ' + rng() % 95);
      data_ += piece;
      data_ += std::string(50, piece[0]);
    }
  }
  std::string_view Next() {
    if (pos_ + 100 > data_.size()) pos_ = 0;
    std::string_view v(data_.data() + pos_, 100);
    pos_ += 100;
    return v;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

class KV {
 public:
  virtual ~KV() = default;
  virtual std::string name() const = 0;
  virtual bool Open(const std::string& dir, bool sync_writes) = 0;
  virtual bool Put(const std::string& key, std::string_view value) = 0;
  // Starts a put and calls `done(ok)` once it is acknowledged, possibly on another
  // thread. Returns false (and never calls `done`) when the engine has no async write.
  virtual bool PutAsync(const std::string&, std::string_view, std::function<void(bool)>) {
    return false;
  }
  virtual bool Get(const std::string& key, std::string* value) = 0;
  virtual uint64_t Scan() = 0;  // returns entries seen
  // Wide partitions: one cell of partition `p` named `cell` (8 bytes, big-endian).
  virtual bool PutWide(const std::string& p, const std::string& cell, std::string_view v) = 0;
  // Reads up to `n` cells of `p` from `start` on; returns how many were read.
  // Reads the cells of `p` from `start` to `finish` (inclusive); returns how many.
  virtual size_t Slice(const std::string& p, const std::string& start,
                       const std::string& finish) = 0;
  // Commit log counters so far (Cairn: "syncs records sync_micros"), to report the
  // group size and fdatasync time of a write workload; empty for the others.
  virtual std::vector<uint64_t> LogCounters() { return {}; }
  virtual void Flush() = 0;
  virtual void Compact() = 0;
  virtual void Close() = 0;
};

class CairnKV final : public KV {
 public:
  std::string name() const override { return "cairn"; }
  bool Open(const std::string& dir, bool sync_writes) override {
    node::StorageEngineOptions o;
    o.data_directory = dir + "/data";
    o.commitlog_directory = dir + "/commitlog";
    o.commitlog_sync = sync_writes ? memtable::CommitLogSyncMode::kBatch
                                   : memtable::CommitLogSyncMode::kPeriodic;
    o.memtable_space_bytes = 256ull << 20;
    table_.keyspace = "bench";
    table_.name = "kv";
    table_.id = std::string("db-bench-table-1", 16);
    auto partitioner = ring::Murmur3Partitioner::Instance();
    auto engine = node::StorageEngine::Open(
        o, {table_}, [partitioner](std::string_view key) {
          return DecoratedKey{partitioner->GetToken(key), std::string(key)};
        });
    if (!engine.ok()) {
      std::fprintf(stderr, "cairn open: %s\n", engine.status().ToString().c_str());
      return false;
    }
    engine_ = std::move(engine).value();
    cfs_ = engine_->GetTable(table_.id);
    return true;
  }
  bool Put(const std::string& key, std::string_view value) override {
    Mutation m;
    m.keyspace = "bench";
    m.key = key;
    m.updates.resize(1);
    m.updates[0].table_id = table_.id;
    m.updates[0].update.cells.push_back(Cell::Live("v", std::string(value), 1));
    return engine_->Apply(std::move(m)).ok();
  }
  bool PutAsync(const std::string& key, std::string_view value,
                std::function<void(bool)> done) override {
    Mutation m;
    m.keyspace = "bench";
    m.key = key;
    m.updates.resize(1);
    m.updates[0].table_id = table_.id;
    m.updates[0].update.cells.push_back(Cell::Live("v", std::string(value), 1));
    engine_->ApplyAsync(std::move(m), [done = std::move(done)](Status s) { done(s.ok()); });
    return true;
  }
  bool Get(const std::string& key, std::string* value) override {
    static const CellFilter kFilter = CellFilter::Names({"v"});
    auto r = cfs_->Read(engine_->Decorate(key), kFilter);
    if (!r.ok() || !r->has_value() || (*r)->cells.empty()) return false;
    *value = (*r)->cells[0].value;
    return true;
  }
  bool PutWide(const std::string& p, const std::string& cell, std::string_view v) override {
    Mutation m;
    m.keyspace = "bench";
    m.key = p;
    m.updates.resize(1);
    m.updates[0].table_id = table_.id;
    m.updates[0].update.cells.push_back(Cell::Live(cell, std::string(v), 1));
    return engine_->Apply(std::move(m)).ok();
  }
  size_t Slice(const std::string& p, const std::string& start,
               const std::string& finish) override {
    // The column index lets the store read only the blocks the slice needs.
    auto r = cfs_->Read(engine_->Decorate(p), CellFilter::Slice(start, finish));
    if (!r.ok() || !r->has_value()) return 0;
    return (*r)->cells.size();
  }
  uint64_t Scan() override {
    uint64_t n = 0;
    auto it = cfs_->NewScanIterator();
    for (it->SeekToFirst(); it->Valid(); it->Next()) n += it->partition().cells.size();
    return n;
  }
  std::vector<uint64_t> LogCounters() override {
    const memtable::CommitLogMetrics m = engine_->commit_log()->metrics();
    return {m.syncs, m.records, m.sync_micros};
  }
  void Flush() override { (void)engine_->FlushAll().IgnoreError(); }
  void Compact() override {
    Status st = cfs_->MajorCompact();
    if (!st.ok()) std::fprintf(stderr, "cairn compact: %s\n", st.ToString().c_str());
  }
  void Close() override {
    cfs_.reset();
    if (engine_) (void)engine_->Close().IgnoreError();
    engine_.reset();
  }

 private:
  node::TableMetadata table_;
  std::unique_ptr<node::StorageEngine> engine_;
  std::shared_ptr<node::ColumnFamilyStore> cfs_;
};

// RocksDB and LevelDB share their API shape; only opening, flushing and compacting differ.
template <typename DB, typename ReadOptions, typename WriteOptions, typename SliceT>
class LsmKV : public KV {
 public:
  bool Put(const std::string& key, std::string_view value) override {
    return db_->Put(write_, key, SliceT(value.data(), value.size())).ok();
  }
  bool Get(const std::string& key, std::string* value) override {
    return db_->Get(ReadOptions(), key, value).ok();
  }
  bool PutWide(const std::string& p, const std::string& cell, std::string_view v) override {
    return Put(p + cell, v);
  }
  size_t Slice(const std::string& p, const std::string& start,
               const std::string& finish) override {
    auto it = NewIterator();
    size_t got = 0;
    const std::string end = p + finish;
    for (it->Seek(p + start); it->Valid() && it->key().compare(end) <= 0; it->Next()) ++got;
    return got;
  }
  uint64_t Scan() override {
    uint64_t n = 0;
    auto it = NewIterator();
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    return n;
  }
  void Close() override { db_.reset(); }

 protected:
  auto NewIterator() {
    using Iterator = std::remove_pointer_t<decltype(db_->NewIterator(ReadOptions()))>;
    return std::unique_ptr<Iterator>(db_->NewIterator(ReadOptions()));
  }
  WriteOptions write_;
  std::unique_ptr<DB> db_;
};

class RocksKV final
    : public LsmKV<rocksdb::DB, rocksdb::ReadOptions, rocksdb::WriteOptions, rocksdb::Slice> {
 public:
  std::string name() const override { return "rocksdb"; }
  bool Open(const std::string& dir, bool sync_writes) override {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.compression = rocksdb::kSnappyCompression;
    rocksdb::BlockBasedTableOptions t;
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    o.IncreaseParallelism(2);
    write_.sync = sync_writes;
    rocksdb::DB* db = nullptr;
    auto st = rocksdb::DB::Open(o, dir, &db);
    if (!st.ok()) {
      std::fprintf(stderr, "rocksdb open: %s\n", st.ToString().c_str());
      return false;
    }
    db_.reset(db);
    return true;
  }
  void Flush() override { (void)db_->Flush(rocksdb::FlushOptions()); }
  void Compact() override {
    (void)db_->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr);
  }
};

class LevelKV final
    : public LsmKV<leveldb::DB, leveldb::ReadOptions, leveldb::WriteOptions, leveldb::Slice> {
 public:
  std::string name() const override { return "leveldb"; }
  bool Open(const std::string& dir, bool sync_writes) override {
    leveldb::Options o;
    o.create_if_missing = true;
    o.compression = leveldb::kSnappyCompression;
    filter_.reset(leveldb::NewBloomFilterPolicy(10));
    o.filter_policy = filter_.get();
    write_.sync = sync_writes;
    leveldb::DB* db = nullptr;
    auto st = leveldb::DB::Open(o, dir, &db);
    if (!st.ok()) {
      std::fprintf(stderr, "leveldb open: %s\n", st.ToString().c_str());
      return false;
    }
    db_.reset(db);
    return true;
  }
  void Flush() override {}  // leveldb has no explicit flush; compact handles it
  void Compact() override { db_->CompactRange(nullptr, nullptr); }
  // The filter policy must outlive the database, which the base would destroy after it.
  ~LevelKV() override { db_.reset(); }

 private:
  std::unique_ptr<const leveldb::FilterPolicy> filter_;
};

std::unique_ptr<KV> MakeKV(const std::string& name) {
  if (name == "cairn") return std::make_unique<CairnKV>();
  if (name == "rocksdb") return std::make_unique<RocksKV>();
  if (name == "leveldb") return std::make_unique<LevelKV>();
  return nullptr;
}

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) n += e.file_size(ec);
  }
  return n;
}

// Runs `op(i)` for i in [0, n) split across `threads` threads; returns seconds.
double RunParallel(uint64_t n, int threads, const std::function<void(uint64_t, int)>& op) {
  double start = Now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (uint64_t i = static_cast<uint64_t>(t); i < n; i += static_cast<uint64_t>(threads)) {
        op(i, t);
      }
    });
  }
  for (auto& w : workers) w.join();
  return Now() - start;
}

// Runs `op(t)` on `threads` threads; returns seconds.
double RunPerThread(int threads, const std::function<void(int)>& op) {
  double start = Now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) workers.emplace_back([&, t] { op(t); });
  for (auto& w : workers) w.join();
  return Now() - start;
}

struct Row {
  std::string engine, benchmark, result;
};

int Main(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* prefix) -> const char* {
      size_t n = std::strlen(prefix);
      return a.compare(0, n, prefix) == 0 ? a.c_str() + n : nullptr;
    };
    if (const char* v = value("--engines=")) flags.engines = Split(v);
    else if (const char* v = value("--benchmarks=")) flags.benchmarks = Split(v);
    else if (const char* v = value("--num=")) flags.num = std::stoull(v);
    else if (const char* v = value("--threads=")) flags.threads = std::stoi(v);
    else if (const char* v = value("--inflight=")) flags.inflight = std::stoi(v);
    else if (const char* v = value("--dir=")) flags.dir = v;
    else {
      std::fprintf(stderr, "unknown flag %s (see the top of bench/db_bench.cc)\n", argv[i]);
      return 2;
    }
  }
  SetLogLevel(LogLevel::kWarn);
  std::printf("db_bench: %llu keys of 16 bytes, 100-byte values (half compressible), "
              "%d thread(s), %u cores\n",
              static_cast<unsigned long long>(flags.num), flags.threads,
              std::thread::hardware_concurrency());

  // A fixed random permutation of the key space, so every engine sees the same order.
  std::vector<uint64_t> order(flags.num);
  for (uint64_t i = 0; i < flags.num; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(42));

  std::vector<Row> rows;
  for (const std::string& engine_name : flags.engines) {
    auto kv = MakeKV(engine_name);
    if (!kv) {
      std::fprintf(stderr, "unknown engine %s\n", engine_name.c_str());
      return 2;
    }
    const std::string dir = flags.dir + "/" + engine_name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    bool sync_mode = false;
    if (!kv->Open(dir, sync_mode)) return 1;
    std::vector<ValueGenerator> gens;
    for (int t = 0; t < std::max(flags.threads, 1); ++t) gens.emplace_back(1000 + t);

    for (const std::string& b : flags.benchmarks) {
      char result[256];
      std::vector<uint64_t> log_before;  // set by the fill workloads
      std::atomic<uint64_t> errors{0}, found{0};
      if (b == "fillasync") {
        if (!sync_mode) {
          kv->Close();
          if (!kv->Open(dir, true)) return 1;
          sync_mode = true;
        }
        const uint64_t n = flags.num / 10;
        log_before = kv->LogCounters();
        std::atomic<bool> supported{true};
        double secs = RunPerThread(flags.threads, [&](int t) {
          // Up to --inflight puts outstanding; the callbacks free the slots.
          std::mutex mu;
          std::condition_variable cv;
          int outstanding = 0;
          for (uint64_t i = static_cast<uint64_t>(t); i < n && supported;
               i += static_cast<uint64_t>(flags.threads)) {
            {
              std::unique_lock l(mu);
              cv.wait(l, [&] { return outstanding < flags.inflight; });
              ++outstanding;
            }
            bool started = kv->PutAsync(KeyOf(order[i]), gens[static_cast<size_t>(t)].Next(),
                                        [&](bool ok) {
                                          if (!ok) errors++;
                                          std::lock_guard l(mu);
                                          --outstanding;
                                          cv.notify_one();
                                        });
            if (!started) {
              supported = false;
              std::lock_guard l(mu);
              --outstanding;
            }
          }
          std::unique_lock l(mu);
          cv.wait(l, [&] { return outstanding == 0; });
        });
        if (!supported) {
          std::snprintf(result, sizeof(result), "       n/a  (no asynchronous write)");
        } else {
          std::snprintf(result, sizeof(result),
                        "%10.0f ops/s  %7.1f MB/s  (%d in flight x %d threads, %llu errors)",
                        static_cast<double>(n) / secs, static_cast<double>(n) * 116 / secs / 1e6,
                        flags.inflight, flags.threads,
                        static_cast<unsigned long long>(errors.load()));
        }
      } else if (b == "fillrandom" || b == "fillsync") {
        const bool want_sync = b == "fillsync";
        if (want_sync != sync_mode) {
          kv->Close();
          if (!kv->Open(dir, want_sync)) return 1;
          sync_mode = want_sync;
        }
        const uint64_t n = want_sync ? flags.num / 10 : flags.num;
        if (want_sync) log_before = kv->LogCounters();
        double secs = RunParallel(n, flags.threads, [&](uint64_t i, int t) {
          if (!kv->Put(KeyOf(order[i]), gens[static_cast<size_t>(t)].Next())) errors++;
        });
        std::snprintf(result, sizeof(result), "%10.0f ops/s  %7.1f MB/s  (%llu errors)",
                      static_cast<double>(n) / secs,
                      static_cast<double>(n) * 116 / secs / 1e6,
                      static_cast<unsigned long long>(errors.load()));
      } else if (b == "readhot" || b == "readrandom") {
        std::mt19937_64 rng(7);
        std::vector<uint64_t> keys(flags.num);
        for (auto& k : keys) k = rng() % flags.num;
        double secs = RunParallel(flags.num, flags.threads, [&](uint64_t i, int) {
          std::string v;
          if (kv->Get(KeyOf(keys[i]), &v)) found++;
        });
        std::snprintf(result, sizeof(result), "%10.0f ops/s  (%llu of %llu found)",
                      static_cast<double>(flags.num) / secs,
                      static_cast<unsigned long long>(found.load()),
                      static_cast<unsigned long long>(flags.num));
      } else if (b == "fillwide") {
        const uint64_t per = std::max<uint64_t>(flags.num / kWidePartitions, 1);
        double secs = RunParallel(flags.num, flags.threads, [&](uint64_t i, int t) {
          if (!kv->PutWide(WideKey(i % kWidePartitions), CellName(i / kWidePartitions),
                           gens[static_cast<size_t>(t)].Next())) {
            errors++;
          }
        });
        std::snprintf(result, sizeof(result),
                      "%10.0f cells/s  (%llu partitions of %llu cells, %llu errors)",
                      static_cast<double>(flags.num) / secs,
                      static_cast<unsigned long long>(kWidePartitions),
                      static_cast<unsigned long long>(per),
                      static_cast<unsigned long long>(errors.load()));
      } else if (b == "slice100") {
        const uint64_t per = std::max<uint64_t>(flags.num / kWidePartitions, 1);
        const uint64_t n = std::max<uint64_t>(flags.num / 100, 1);
        std::atomic<uint64_t> cells{0};
        std::mt19937_64 rng(9);
        std::vector<std::pair<uint64_t, uint64_t>> at(n);
        for (auto& a : at) a = {rng() % kWidePartitions, rng() % (per > 100 ? per - 100 : 1)};
        double secs = RunParallel(n, flags.threads, [&](uint64_t i, int) {
          cells += kv->Slice(WideKey(at[i].first), CellName(at[i].second),
                             CellName(at[i].second + 99));
        });
        std::snprintf(result, sizeof(result), "%10.0f slices/s  (%.1f cells per slice)",
                      static_cast<double>(n) / secs,
                      static_cast<double>(cells.load()) / static_cast<double>(n));
      } else if (b == "readmissing") {
        double secs = RunParallel(flags.num, flags.threads, [&](uint64_t i, int) {
          std::string v;
          if (kv->Get(KeyOf(flags.num + i) + "x", &v)) found++;
        });
        std::snprintf(result, sizeof(result), "%10.0f ops/s  (%llu found)",
                      static_cast<double>(flags.num) / secs,
                      static_cast<unsigned long long>(found.load()));
      } else if (b == "readseq") {
        double start = Now();
        uint64_t n = kv->Scan();
        double secs = Now() - start;
        std::snprintf(result, sizeof(result), "%10.0f entries/s  (%llu entries)",
                      static_cast<double>(n) / secs, static_cast<unsigned long long>(n));
      } else if (b == "flush") {
        double start = Now();
        kv->Flush();
        std::snprintf(result, sizeof(result), "%10.2f s", Now() - start);
      } else if (b == "compact") {
        uint64_t before = DirBytes(engine_name == "cairn" ? dir + "/data" : dir);
        double start = Now();
        kv->Compact();
        double secs = Now() - start;
        std::snprintf(result, sizeof(result), "%10.1f MB/s  (%.1f MB on disk before, %.1f after, %.2f s)",
                      static_cast<double>(before) / secs / 1e6, static_cast<double>(before) / 1e6,
                      static_cast<double>(DirBytes(engine_name == "cairn" ? dir + "/data" : dir)) / 1e6, secs);
      } else if (b == "reopen") {
        double start = Now();
        kv->Close();
        if (!kv->Open(dir, sync_mode)) return 1;
        std::snprintf(result, sizeof(result), "%10.2f s", Now() - start);
      } else {
        std::fprintf(stderr, "unknown benchmark %s\n", b.c_str());
        return 2;
      }
      if (!log_before.empty()) {  // group commit: records per fdatasync, time per fdatasync
        const std::vector<uint64_t> after = kv->LogCounters();
        const double syncs = static_cast<double>(after[0] - log_before[0]);
        const size_t used = std::strlen(result);
        std::snprintf(result + used, sizeof(result) - used,
                      "  [%.1f records/fdatasync, %.0f us/fdatasync]",
                      static_cast<double>(after[1] - log_before[1]) / std::max(syncs, 1.0),
                      static_cast<double>(after[2] - log_before[2]) / std::max(syncs, 1.0));
      }
      std::printf("%-8s %-12s %s\n", engine_name.c_str(), b.c_str(), result);
      std::fflush(stdout);
      rows.push_back({engine_name, b, result});
    }
    kv->Close();
    std::filesystem::remove_all(dir);
  }
  return 0;
}

}  // namespace
}  // namespace cairn::bench

int main(int argc, char** argv) { return cairn::bench::Main(argc, argv); }
