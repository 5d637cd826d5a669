// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "node/config.h"

#include <boost/program_options.hpp>
#include <charconv>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

namespace cairn::node {

namespace {

namespace po = boost::program_options;

using Setter = std::function<Status(Config*, const std::vector<std::string>&)>;

struct KeyDef {
  ConfigKeyInfo info;
  Setter set;
};

Status Bad(const std::string& key, const std::string& why) {
  return Status::InvalidArgument("configuration key " + key + ": " + why);
}

Status One(const std::string& key, const std::vector<std::string>& v, std::string* out) {
  if (v.size() != 1) return Bad(key, "expects one value, got " + std::to_string(v.size()));
  *out = v[0];
  return Status::OK();
}

Setter Str(std::string Config::*field) {
  return [field](Config* c, const std::vector<std::string>& v) -> Status {
    return One("", v, &(c->*field));
  };
}

Setter Int(const std::string& key, int Config::*field, long min, long max) {
  return [=](Config* c, const std::vector<std::string>& v) -> Status {
    std::string s;
    CAIRN_RETURN_IF_ERROR(One(key, v, &s));
    long n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || p != s.data() + s.size()) return Bad(key, "not an integer: " + s);
    if (n < min || n > max) {
      return Bad(key, s + " is out of range [" + std::to_string(min) + ", " +
                          std::to_string(max) + "]");
    }
    c->*field = static_cast<int>(n);
    return Status::OK();
  };
}

Setter Bool(const std::string& key, bool Config::*field) {
  return [=](Config* c, const std::vector<std::string>& v) -> Status {
    std::string s;
    CAIRN_RETURN_IF_ERROR(One(key, v, &s));
    if (s == "true" || s == "True" || s == "yes" || s == "1") {
      c->*field = true;
    } else if (s == "false" || s == "False" || s == "no" || s == "0") {
      c->*field = false;
    } else {
      return Bad(key, "not a boolean: " + s);
    }
    return Status::OK();
  };
}

Setter Double(const std::string& key, double Config::*field, double min) {
  return [=](Config* c, const std::vector<std::string>& v) -> Status {
    std::string s;
    CAIRN_RETURN_IF_ERROR(One(key, v, &s));
    try {
      size_t used = 0;
      double d = std::stod(s, &used);
      if (used != s.size()) return Bad(key, "not a number: " + s);
      if (d < min) return Bad(key, s + " is below " + std::to_string(min));
      c->*field = d;
    } catch (...) {
      return Bad(key, "not a number: " + s);
    }
    return Status::OK();
  };
}

Setter List(const std::string& key, std::vector<std::string> Config::*field) {
  return [=](Config* c, const std::vector<std::string>& v) -> Status {
    std::vector<std::string> out;
    // A single comma-separated value is also a list (handy on the command line).
    for (const std::string& item : v) {
      std::stringstream ss(item);
      std::string part;
      while (std::getline(ss, part, ',')) {
        size_t b = part.find_first_not_of(" \t"), e = part.find_last_not_of(" \t");
        if (b != std::string::npos) out.push_back(part.substr(b, e - b + 1));
      }
    }
    if (out.empty()) return Bad(key, "the list is empty");
    c->*field = std::move(out);
    return Status::OK();
  };
}

const std::vector<KeyDef>& Keys() {
  static const std::vector<KeyDef> kKeys = {
      {{"cluster_name", "name of the cluster; must match the data. Default: Test Cluster", false},
       Str(&Config::cluster_name)},
      {{"seeds", "seed node addresses (list); none = standalone, no gossip. Default: none", true},
       List("seeds", &Config::seeds)},
      {{"ring_delay_ms", "how long a new node learns the ring before choosing tokens (and "
        "waits after announcing a join or leave), ms. "
        "Default: 30000", false},
       Int("ring_delay_ms", &Config::ring_delay_ms, 0, 3600000)},
      {{"auto_bootstrap",
        "a new node (not its own seed) streams its ranges before turning NORMAL. "
        "Default: true",
        false},
       Bool("auto_bootstrap", &Config::auto_bootstrap)},
      {{"stream_throughput_outbound_megabits_per_sec",
        "outbound streaming bandwidth, megabits/s (0 = unthrottled). Default: 200", false},
       Int("stream_throughput_outbound_megabits_per_sec",
           &Config::stream_throughput_outbound_megabits_per_sec, 0, 1000000)},
      {{"gossip_settle_max_wait_ms",
        "longest wait for gossip to settle before serving Thrift, ms (0 = none). "
        "Default: 10000",
        false},
       Int("gossip_settle_max_wait_ms", &Config::gossip_settle_max_wait_ms, 0, 600000)},
      {{"num_tokens", "random tokens a new node picks (count). Default: 16", false},
       Int("num_tokens", &Config::num_tokens, 1, 1536)},
      {{"initial_token",
        "comma-separated tokens for a new node, instead of num_tokens. Default: none", false},
       Str(&Config::initial_token)},
      {{"partitioner",
        "Murmur3Partitioner, RandomPartitioner or ByteOrderedPartitioner. "
        "Default: org.apache.cassandra.dht.Murmur3Partitioner",
        false},
       Str(&Config::partitioner)},
      {{"endpoint_snitch", "SimpleSnitch or GossipingPropertyFileSnitch. Default: SimpleSnitch",
        false},
       Str(&Config::endpoint_snitch)},
      {{"dc", "this node's datacenter. Default: datacenter1", false}, Str(&Config::dc)},
      {{"rack", "this node's rack. Default: rack1", false}, Str(&Config::rack)},
      {{"listen_address", "internode address. Default: 127.0.0.1", false},
       Str(&Config::listen_address)},
      {{"storage_port", "internode TCP port. Default: 7000", false},
       Int("storage_port", &Config::storage_port, 0, 65535)},
      {{"start_rpc", "start the Thrift server (true/false). Default: true", false},
       Bool("start_rpc", &Config::start_rpc)},
      {{"rpc_address", "Thrift listen address. Default: 127.0.0.1", false},
       Str(&Config::rpc_address)},
      {{"rpc_port", "Thrift TCP port (0 = any free port). Default: 9160", false},
       Int("rpc_port", &Config::rpc_port, 0, 65535)},
      {{"start_admin", "serve the admin endpoint (HTTP/JSON, metrics). Default: true", false},
       Bool("start_admin", &Config::start_admin)},
      {{"admin_address", "admin endpoint address; empty = listen_address. Default: empty",
        false},
       Str(&Config::admin_address)},
      {{"admin_port", "admin endpoint TCP port (0 = any free port). Default: 7199", false},
       Int("admin_port", &Config::admin_port, 0, 65535)},
      {{"thrift_framed_transport_size_in_mb", "largest Thrift frame, MiB. Default: 15", false},
       Int("thrift_framed_transport_size_in_mb", &Config::thrift_framed_transport_size_in_mb, 1,
           2047)},
      {{"rpc_dispatch",
        "where Thrift requests run: io_threads, workers or auto (io_threads with "
        "commitlog_sync periodic, workers with batch). Default: auto",
        false},
       Str(&Config::rpc_dispatch)},
      {{"rpc_max_threads", "worker threads executing Thrift requests (rpc_dispatch workers). "
        "Default: 32", false},
       Int("rpc_max_threads", &Config::rpc_max_threads, 1, 4096)},
      {{"rpc_io_threads", "threads doing Thrift network I/O (0 = one per core). Default: 0",
        false},
       Int("rpc_io_threads", &Config::rpc_io_threads, 0, 64)},
      {{"internode_network_threads",
        "threads doing internode network I/O and replica writes and reads (0 = one per "
        "two cores). Default: 0",
        false},
       Int("internode_network_threads", &Config::internode_network_threads, 0, 64)},
      {{"rpc_busy_poll_us",
        "microseconds an idle Thrift I/O loop polls before sleeping (0 = sleep at once). "
        "Default: 0",
        false},
       Int("rpc_busy_poll_us", &Config::rpc_busy_poll_us, 0, 10000)},
      {{"data_file_directories", "SSTable directories (list; the first is used). Default: data/data",
        true},
       List("data_file_directories", &Config::data_file_directories)},
      {{"commitlog_directory", "commit log directory. Default: data/commitlog", false},
       Str(&Config::commitlog_directory)},
      {{"commitlog_sync", "batch or periodic. Default: batch", false},
       Str(&Config::commitlog_sync)},
      {{"commitlog_sync_period_in_ms", "periodic mode: ms between fsyncs. Default: 10000", false},
       Int("commitlog_sync_period_in_ms", &Config::commitlog_sync_period_in_ms, 1, 3600000)},
      {{"commitlog_sync_batch_window_in_ms", "batch mode: ms a sync waits for writers. Default: 2",
        false},
       Int("commitlog_sync_batch_window_in_ms", &Config::commitlog_sync_batch_window_in_ms, 0,
           10000)},
      {{"commitlog_segment_size_in_mb", "commit log segment size, MiB. Default: 32", false},
       Int("commitlog_segment_size_in_mb", &Config::commitlog_segment_size_in_mb, 1, 1024)},
      {{"commitlog_total_space_in_mb",
        "commit log size that forces flushes to free segments, MiB. Default: 1024", false},
       Int("commitlog_total_space_in_mb", &Config::commitlog_total_space_in_mb, 1, 1 << 20)},
      {{"memtable_space_in_mb", "memory for all memtables, MiB. Default: 256", false},
       Int("memtable_space_in_mb", &Config::memtable_space_in_mb, 1, 1 << 20)},
      {{"concurrent_compactors", "background compaction threads. Default: 1", false},
       Int("concurrent_compactors", &Config::concurrent_compactors, 0, 64)},
      {{"compaction_throughput_mb_per_sec",
        "SSTable MiB all compactions may read per second (0 = unpaced). Default: 64", false},
       Int("compaction_throughput_mb_per_sec", &Config::compaction_throughput_mb_per_sec, 0,
           1 << 20)},
      {{"read_request_timeout_in_ms", "read timeout, ms. Default: 5000", false},
       Int("read_request_timeout_in_ms", &Config::read_request_timeout_in_ms, 1, 86400000)},
      {{"write_request_timeout_in_ms", "write timeout, ms. Default: 2000", false},
       Int("write_request_timeout_in_ms", &Config::write_request_timeout_in_ms, 1, 86400000)},
      {{"range_request_timeout_in_ms", "range scan timeout, ms. Default: 10000", false},
       Int("range_request_timeout_in_ms", &Config::range_request_timeout_in_ms, 1, 86400000)},
      {{"cas_contention_timeout_in_ms",
        "how long compare-and-set retries contended Paxos rounds, ms. Default: 1000", false},
       Int("cas_contention_timeout_in_ms", &Config::cas_contention_timeout_in_ms, 1, 86400000)},
      {{"truncate_request_timeout_in_ms", "truncate timeout, ms. Default: 60000", false},
       Int("truncate_request_timeout_in_ms", &Config::truncate_request_timeout_in_ms, 1,
           86400000)},
      {{"hinted_handoff_enabled", "store hints for down replicas (true/false). Default: true",
        false},
       Bool("hinted_handoff_enabled", &Config::hinted_handoff_enabled)},
      {{"max_hint_window_in_ms", "no hints for replicas down longer, ms. Default: 10800000",
        false},
       Int("max_hint_window_in_ms", &Config::max_hint_window_in_ms, 0, INT32_MAX)},
      {{"hints_directory", "where hints are kept. Default: hints beside the data directory", false},
       Str(&Config::hints_directory)},
      {{"max_background_writes",
        "writes to replicas of this datacenter still unacknowledged after their write "
        "answered its client, beyond which further answers wait. Default: 1024",
        false},
       Int("max_background_writes", &Config::max_background_writes, 1, 1 << 24)},
      {{"hinted_handoff_throttle_in_kb", "hint delivery bandwidth per node, KiB/s. Default: 1024",
        false},
       Int("hinted_handoff_throttle_in_kb", &Config::hinted_handoff_throttle_in_kb, 1, 1 << 20)},
      {{"batchlog_directory", "where logged batches are kept. Default: batchlog beside the data directory", false},
       Str(&Config::batchlog_directory)},
      {{"concurrent_writes", "threads serving requests from other nodes. Default: 32", false},
       Int("concurrent_writes", &Config::concurrent_writes, 1, 1024)},
      {{"phi_convict_threshold", "failure detector threshold. Default: 8", false},
       Double("phi_convict_threshold", &Config::phi_convict_threshold, 1.0)},
      {{"authenticator", "AllowAllAuthenticator or PasswordAuthenticator. "
                         "Default: AllowAllAuthenticator",
        false},
       Str(&Config::authenticator)},
      {{"authorizer", "AllowAllAuthorizer or CassandraAuthorizer. Default: AllowAllAuthorizer",
        false},
       Str(&Config::authorizer)},
      {{"log_level", "debug, info, warn or error. Default: info", false},
       Str(&Config::log_level)},
  };
  return kKeys;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

// Removes a trailing comment (a '#' outside quotes) and surrounding quotes.
std::string CleanValue(std::string_view raw) {
  std::string s;
  char quote = 0;
  for (char c : raw) {
    if (quote == 0 && c == '#') break;
    if (c == '"' || c == '\'') quote = quote == c ? 0 : (quote == 0 ? c : quote);
    s.push_back(c);
  }
  s = Trim(s);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    s = s.substr(1, s.size() - 2);
  }
  return s;
}

}  // namespace

const std::vector<ConfigKeyInfo>& ConfigKeys() {
  static const std::vector<ConfigKeyInfo> kInfo = [] {
    std::vector<ConfigKeyInfo> v;
    for (const KeyDef& k : Keys()) v.push_back(k.info);
    return v;
  }();
  return kInfo;
}

Status SetConfigValue(Config* config, const std::string& key,
                      const std::vector<std::string>& values) {
  for (const KeyDef& k : Keys()) {
    if (k.info.name == key) {
      Status st = k.set(config, values);
      if (!st.ok() && st.message().rfind("configuration key :", 0) == 0) {
        return Bad(key, st.message().substr(std::string("configuration key : ").size()));
      }
      return st;
    }
  }
  return Status::InvalidArgument("unknown configuration key '" + key + "'");
}

Status ParseConfigText(std::string_view text, std::string_view source, Config* config) {
  std::string pending_key;  // a "key:" line awaiting "- item" lines
  int pending_line = 0;
  std::vector<std::string> pending_items;
  auto flush_pending = [&]() -> Status {
    if (pending_key.empty()) return Status::OK();
    Status st = pending_items.empty()
                    ? Status::InvalidArgument("configuration key " + pending_key + ": no value")
                    : SetConfigValue(config, pending_key, pending_items);
    pending_key.clear();
    pending_items.clear();
    if (!st.ok()) {
      return Status::InvalidArgument(std::string(source) + ":" + std::to_string(pending_line) +
                                     ": " + st.message());
    }
    return Status::OK();
  };
  std::istringstream in{std::string(text)};
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    if (t == "---") continue;
    auto error = [&](const std::string& why) {
      return Status::InvalidArgument(std::string(source) + ":" + std::to_string(lineno) + ": " +
                                     why);
    };
    if (t[0] == '-') {
      if (pending_key.empty()) return error("list item outside a list");
      std::string item = CleanValue(t.substr(1));
      if (item.empty()) return error("empty list item");
      pending_items.push_back(item);
      continue;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      return error("nested settings are not supported: " + t);
    }
    CAIRN_RETURN_IF_ERROR(flush_pending());
    size_t colon = t.find(':');
    if (colon == std::string::npos) return error("expected 'key: value', got: " + t);
    std::string key = Trim(t.substr(0, colon));
    std::string value = CleanValue(t.substr(colon + 1));
    if (value.empty()) {
      pending_key = key;
      pending_line = lineno;
      continue;
    }
    std::vector<std::string> values;
    if (value.front() == '[') {
      if (value.back() != ']') return error("unterminated list for " + key);
      std::stringstream ss(value.substr(1, value.size() - 2));
      std::string part;
      while (std::getline(ss, part, ',')) {
        std::string v = CleanValue(part);
        if (!v.empty()) values.push_back(v);
      }
    } else {
      values.push_back(value);
    }
    Status st = SetConfigValue(config, key, values);
    if (!st.ok()) return error(st.message());
  }
  return flush_pending();
}

Status ParseConfigFile(const std::string& path, Config* config) {
  std::ifstream in(path);
  if (!in) return Status::IOError("cannot read configuration file " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseConfigText(buf.str(), path, config);
}

Status ParseCommandLine(int argc, const char* const* argv, Config* config, bool* exit_now) {
  *exit_now = false;
  po::options_description desc(
      "Usage: cairnd [--config FILE] [--<key> VALUE]...\n"
      "Starts one Cairn node. Settings come from the defaults, then FILE, then flags.\n"
      "Options");
  desc.add_options()("help,h", "print this help and exit")(
      "config,f", po::value<std::string>(), "configuration file (YAML subset, cassandra.yaml keys)");
  for (const KeyDef& k : Keys()) {
    if (k.info.is_list) {
      desc.add_options()(k.info.name.c_str(),
                         po::value<std::vector<std::string>>()->multitoken()->composing(),
                         k.info.description.c_str());
    } else {
      desc.add_options()(k.info.name.c_str(), po::value<std::string>(),
                         k.info.description.c_str());
    }
  }
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return Status::InvalidArgument(std::string(e.what()) + " (see cairnd --help)");
  }
  if (vm.count("help")) {
    std::cout << desc << "\nKeys, units and defaults: docs/configuration.md\n";
    *exit_now = true;
    return Status::OK();
  }
  if (vm.count("config")) {
    CAIRN_RETURN_IF_ERROR(ParseConfigFile(vm["config"].as<std::string>(), config));
  }
  for (const KeyDef& k : Keys()) {
    if (!vm.count(k.info.name)) continue;
    std::vector<std::string> values =
        k.info.is_list ? vm[k.info.name].as<std::vector<std::string>>()
                       : std::vector<std::string>{vm[k.info.name].as<std::string>()};
    Status st = SetConfigValue(config, k.info.name, values);
    if (!st.ok()) return Status::InvalidArgument("--" + st.message());
  }
  return ValidateConfig(*config);
}

Status ValidateConfig(const Config& c) {
  if (c.commitlog_sync != "batch" && c.commitlog_sync != "periodic") {
    return Bad("commitlog_sync", "must be batch or periodic, got " + c.commitlog_sync);
  }
  if (c.rpc_dispatch != "auto" && c.rpc_dispatch != "io_threads" &&
      c.rpc_dispatch != "workers") {
    return Bad("rpc_dispatch", "must be auto, io_threads or workers, got " + c.rpc_dispatch);
  }
  if (c.authenticator != "AllowAllAuthenticator" &&
      c.authenticator != "org.apache.cassandra.auth.AllowAllAuthenticator") {
    return Bad("authenticator", c.authenticator +
                                    " is not supported yet (only AllowAllAuthenticator)");
  }
  if (c.authorizer != "AllowAllAuthorizer" &&
      c.authorizer != "org.apache.cassandra.auth.AllowAllAuthorizer") {
    return Bad("authorizer", c.authorizer + " is not supported yet (only AllowAllAuthorizer)");
  }
  std::string snitch = c.endpoint_snitch;
  if (auto dot = snitch.rfind('.'); dot != std::string::npos) snitch = snitch.substr(dot + 1);
  if (snitch != "SimpleSnitch" && snitch != "GossipingPropertyFileSnitch") {
    return Bad("endpoint_snitch", c.endpoint_snitch + " is not supported");
  }
  if (c.log_level != "debug" && c.log_level != "info" && c.log_level != "warn" &&
      c.log_level != "error" && c.log_level != "DEBUG" && c.log_level != "INFO" &&
      c.log_level != "WARN" && c.log_level != "ERROR") {
    return Bad("log_level", "must be debug, info, warn or error");
  }
  return Status::OK();
}

}  // namespace cairn::node
