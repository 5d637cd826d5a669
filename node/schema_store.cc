// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Schema validation and the system table codec. Layouts are documented in
// node/SCHEMA_FORMAT.md; the encoders below write them field by field in that order:
//
//   system_schema.keyspaces  key=keyspace  cells "durable_writes"=bool
//                                                 "replication"=map (incl. "class")
//   system_schema.tables     key=keyspace  cell <table name>=byte 1, table
//   system.local             key="local"   cells "cluster_name", "host_id",
//                                                 "partitioner", "tokens"=list
//   system.peers             key=endpoint  cells "tokens"=list, "host_id",
//                                                 "data_center", "rack", "rpc_address",
//                                                 "release_version", "schema_version"
//   legacy file := magic[8]="CAIRNSYS" fixed32 version=1 fixed32 payload_len payload
//                  fixed64 checksum (Checksum64 of every preceding byte)
#include "node/schema_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "common/checksum.h"
#include "common/coding.h"

namespace cairn::node {

namespace {

constexpr char kMagic[8] = {'C', 'A', 'I', 'R', 'N', 'S', 'Y', 'S'};
constexpr uint32_t kVersion = 1;
constexpr char kLocator[] = "org.apache.cassandra.locator.";

void PutString(std::string* dst, std::string_view s) { PutLengthPrefixed(dst, s); }
void PutDouble(std::string* dst, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  PutFixed64(dst, bits);
}
void PutInt(std::string* dst, int32_t v) { PutVarsint64(dst, v); }
void PutMap(std::string* dst, const std::map<std::string, std::string>& m) {
  PutVarint32(dst, static_cast<uint32_t>(m.size()));
  for (const auto& [k, v] : m) {
    PutString(dst, k);
    PutString(dst, v);
  }
}

// A decoder that remembers the first failure and the offset where it happened.
class Reader {
 public:
  Reader(std::string_view data, size_t base) : dec_(data), size_(data.size()), base_(base) {}
  bool ok() const { return ok_; }
  size_t offset() const { return base_ + (size_ - dec_.remaining()); }

  std::string String() {
    std::string_view v;
    if (ok_ && !dec_.GetLengthPrefixed(&v)) Fail();
    return ok_ ? std::string(v) : std::string();
  }
  uint32_t Count() {
    uint32_t v = 0;
    if (ok_ && !dec_.GetVarint32(&v)) Fail();
    // Every element takes at least one byte: a larger count is corrupt.
    if (ok_ && v > dec_.remaining()) Fail();
    return ok_ ? v : 0;
  }
  int32_t Int() {
    int64_t v = 0;
    if (ok_ && !dec_.GetVarsint64(&v)) Fail();
    if (ok_ && (v < INT32_MIN || v > INT32_MAX)) Fail();
    return ok_ ? static_cast<int32_t>(v) : 0;
  }
  double Double() {
    uint64_t bits = 0;
    if (ok_ && !dec_.GetFixed64(&bits)) Fail();
    double d = 0;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  bool Bool() {
    uint8_t b = 0;
    if (ok_ && (!dec_.GetByte(&b) || b > 1)) Fail();
    return b == 1;
  }
  std::map<std::string, std::string> Map() {
    std::map<std::string, std::string> m;
    uint32_t n = Count();
    for (uint32_t i = 0; ok_ && i < n; ++i) {
      std::string k = String();
      m[k] = String();
    }
    return m;
  }
  TypePtr Type() {
    std::string name = String();
    if (!ok_) return nullptr;
    auto t = ParseType(name);
    if (!t.ok()) {
      Fail();
      return nullptr;
    }
    return *t;
  }
  void Fail() {
    if (ok_) failed_at_ = offset();
    ok_ = false;
  }
  size_t failed_at() const { return failed_at_; }
  bool empty() const { return dec_.empty(); }

 private:
  Decoder dec_;
  size_t size_;
  size_t base_;
  bool ok_ = true;
  size_t failed_at_ = 0;
};

void EncodeTable(std::string* dst, const TableSchema& t) {
  const TableMetadata& m = t.metadata;
  PutString(dst, m.keyspace);
  PutString(dst, m.name);
  PutString(dst, m.id);
  PutString(dst, m.comparator->Name());
  PutString(dst, m.default_validator->Name());
  PutString(dst, m.key_validator->Name());
  PutInt(dst, m.gc_grace_seconds);
  PutInt(dst, m.default_time_to_live);
  PutDouble(dst, m.bloom_filter_fp_chance);
  PutInt(dst, m.compaction.min_threshold);
  PutInt(dst, m.compaction.max_threshold);
  dst->push_back(t.is_super ? 1 : 0);
  PutString(dst, t.subcomparator ? t.subcomparator->Name() : std::string());
  PutString(dst, t.comment);
  PutDouble(dst, t.read_repair_chance);
  PutDouble(dst, t.dclocal_read_repair_chance);
  PutVarint32(dst, static_cast<uint32_t>(t.column_metadata.size()));
  for (const ColumnDefinition& c : t.column_metadata) {
    PutString(dst, c.name);
    PutString(dst, c.validator->Name());
    dst->push_back(c.index_type.has_value() ? 1 : 0);
    PutInt(dst, c.index_type.value_or(0));
    PutString(dst, c.index_name);
    PutMap(dst, c.index_options);
  }
  PutString(dst, t.compaction_strategy);
  PutMap(dst, t.compaction_strategy_options);
  PutMap(dst, t.compression_options);
  PutString(dst, t.caching);
  PutString(dst, t.cells_per_row_to_cache);
  PutString(dst, t.speculative_retry);
  PutInt(dst, t.min_index_interval);
  PutInt(dst, t.max_index_interval);
  PutInt(dst, t.memtable_flush_period_in_ms);
  PutVarint32(dst, static_cast<uint32_t>(t.triggers.size()));
  for (const TriggerDefinition& tr : t.triggers) {
    PutString(dst, tr.name);
    PutMap(dst, tr.options);
  }
  dst->push_back(t.key_alias.has_value() ? 1 : 0);
  PutString(dst, t.key_alias.value_or(std::string()));
}

TableSchema DecodeTable(Reader* r) {
  TableSchema t;
  TableMetadata& m = t.metadata;
  m.keyspace = r->String();
  m.name = r->String();
  m.id = r->String();
  if (r->ok() && m.id.size() != 16) r->Fail();
  m.comparator = r->Type();
  m.default_validator = r->Type();
  m.key_validator = r->Type();
  m.gc_grace_seconds = r->Int();
  m.default_time_to_live = r->Int();
  m.bloom_filter_fp_chance = r->Double();
  m.compaction.min_threshold = r->Int();
  m.compaction.max_threshold = r->Int();
  t.is_super = r->Bool();
  std::string sub = r->String();
  if (r->ok() && !sub.empty()) {
    auto st = ParseType(sub);
    if (st.ok()) {
      t.subcomparator = *st;
    } else {
      r->Fail();
    }
  }
  t.comment = r->String();
  t.read_repair_chance = r->Double();
  t.dclocal_read_repair_chance = r->Double();
  uint32_t ncols = r->Count();
  for (uint32_t i = 0; r->ok() && i < ncols; ++i) {
    ColumnDefinition c;
    c.name = r->String();
    c.validator = r->Type();
    bool has_index = r->Bool();
    int32_t index_type = r->Int();
    if (has_index) c.index_type = index_type;
    c.index_name = r->String();
    c.index_options = r->Map();
    t.column_metadata.push_back(std::move(c));
  }
  t.compaction_strategy = r->String();
  t.compaction_strategy_options = r->Map();
  t.compression_options = r->Map();
  t.caching = r->String();
  t.cells_per_row_to_cache = r->String();
  t.speculative_retry = r->String();
  t.min_index_interval = r->Int();
  t.max_index_interval = r->Int();
  t.memtable_flush_period_in_ms = r->Int();
  uint32_t ntriggers = r->Count();
  for (uint32_t i = 0; r->ok() && i < ntriggers; ++i) {
    TriggerDefinition tr;
    tr.name = r->String();
    tr.options = r->Map();
    t.triggers.push_back(std::move(tr));
  }
  bool has_alias = r->Bool();
  std::string alias = r->String();
  if (has_alias) t.key_alias = alias;
  return t;
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Status::IOErrorFromErrno("open " + dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Status::IOErrorFromErrno("fsync " + dir, err);
  return Status::OK();
}

std::mt19937_64& Rng() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

KeyspaceSchema SystemKs(std::string name, std::string strategy,
                        std::map<std::string, std::string> options) {
  KeyspaceSchema ks;
  ks.name = std::move(name);
  ks.strategy_class = std::string(kLocator) + strategy;
  ks.strategy_options = std::move(options);
  ks.durable_writes = true;
  return ks;
}

}  // namespace

const AbstractType& TableSchema::ValueValidator(std::string_view name) const {
  for (const ColumnDefinition& c : column_metadata) {
    if (metadata.comparator->Compare(c.name, name) == 0) return *c.validator;
  }
  return *metadata.default_validator;
}

const TableSchema* KeyspaceSchema::FindTable(std::string_view name) const {
  for (const TableSchema& t : tables) {
    if (t.metadata.name == name) return &t;
  }
  return nullptr;
}

const KeyspaceSchema* Schema::FindKeyspace(std::string_view name) const {
  auto it = keyspaces.find(std::string(name));
  return it == keyspaces.end() ? nullptr : &it->second;
}

const TableSchema* Schema::FindTable(std::string_view keyspace, std::string_view name) const {
  const KeyspaceSchema* ks = FindKeyspace(keyspace);
  return ks == nullptr ? nullptr : ks->FindTable(name);
}

const std::vector<KeyspaceSchema>& SystemKeyspaces() {
  // Cassandra 3.11 lists them in this order (its keyspace set's iteration order).
  static const std::vector<KeyspaceSchema> kSystem = {
      SystemKs("system_auth", "SimpleStrategy", {{"replication_factor", "1"}}),
      SystemKs("system_distributed", "SimpleStrategy", {{"replication_factor", "3"}}),
      SystemKs("system_schema", "LocalStrategy", {}),
      SystemKs("system", "LocalStrategy", {}),
      SystemKs("system_traces", "SimpleStrategy", {{"replication_factor", "2"}}),
  };
  return kSystem;
}

bool IsSystemKeyspace(std::string_view name) {
  for (const KeyspaceSchema& ks : SystemKeyspaces()) {
    if (ks.name.size() == name.size() &&
        std::equal(name.begin(), name.end(), ks.name.begin(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return true;
    }
  }
  return false;
}

bool IsValidSchemaName(std::string_view name) {
  if (name.empty() || name.size() > 48) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

Result<std::string> ResolveStrategyClass(std::string_view name) {
  std::string full = name.find('.') == std::string_view::npos
                         ? std::string(kLocator) + std::string(name)
                         : std::string(name);
  static const char* kKnown[] = {"SimpleStrategy", "NetworkTopologyStrategy",
                                 "OldNetworkTopologyStrategy", "LocalStrategy"};
  for (const char* k : kKnown) {
    if (full == std::string(kLocator) + k) return full;
  }
  return Status::InvalidArgument("Unable to find replication strategy class '" + full + "'");
}

namespace {

Status ValidateRf(const std::string& value) {
  if (value.empty() ||
      !std::all_of(value.begin() + (value[0] == '-' ? 1 : 0), value.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
      value == "-" || value.size() > 10) {
    return Status::InvalidArgument("Replication factor must be numeric; found " + value);
  }
  long rf = std::stol(value);
  if (rf < 0) {
    return Status::InvalidArgument("Replication factor must be non-negative; found " + value);
  }
  return Status::OK();
}

}  // namespace

Status ValidateReplication(const KeyspaceSchema& ks) {
  const std::string simple = std::string(kLocator) + "SimpleStrategy";
  const std::string old_nts = std::string(kLocator) + "OldNetworkTopologyStrategy";
  const std::string nts = std::string(kLocator) + "NetworkTopologyStrategy";
  if (ks.strategy_class == std::string(kLocator) + "LocalStrategy") {
    return Status::InvalidArgument(
        "Unable to use given strategy class: LocalStrategy is reserved for internal use.");
  }
  std::string short_name = ks.strategy_class.substr(std::strlen(kLocator));
  if (ks.strategy_class == simple || ks.strategy_class == old_nts) {
    auto it = ks.strategy_options.find("replication_factor");
    if (it == ks.strategy_options.end()) {
      return Status::InvalidArgument(short_name +
                                     " requires a replication_factor strategy option.");
    }
    CAIRN_RETURN_IF_ERROR(ValidateRf(it->second));
    for (const auto& [k, v] : ks.strategy_options) {
      if (k != "replication_factor") {
        return Status::InvalidArgument("Unrecognized strategy option {" + k + "} passed to " +
                                       short_name + " for keyspace " + ks.name);
      }
    }
  } else if (ks.strategy_class == nts) {
    for (const auto& [dc, rf] : ks.strategy_options) {
      if (dc == "replication_factor") {
        return Status::InvalidArgument(
            "replication_factor is an option for SimpleStrategy, not NetworkTopologyStrategy");
      }
      CAIRN_RETURN_IF_ERROR(ValidateRf(rf));
    }
  }
  return Status::OK();
}

Status ValidateTable(const TableSchema& t) {
  const TableMetadata& m = t.metadata;
  if (!IsValidSchemaName(m.keyspace)) {
    return Status::InvalidArgument(
        "Keyspace name must not be empty, more than 48 characters long, or contain "
        "non-alphanumeric-underscore characters (got \"" + m.keyspace + "\")");
  }
  if (!IsValidSchemaName(m.name)) {
    return Status::InvalidArgument(
        "ColumnFamily name must not be empty, more than 48 characters long, or contain "
        "non-alphanumeric-underscore characters (got \"" + m.name + "\")");
  }
  if (m.key_validator->IsCounter()) {
    return Status::InvalidArgument("Counter types are not allowed as key validators");
  }
  if (m.comparator->IsCounter() || (t.subcomparator && t.subcomparator->IsCounter())) {
    return Status::InvalidArgument("Counter types are not allowed as comparators");
  }
  if (m.gc_grace_seconds < 0) {
    return Status::InvalidArgument("gc_grace_seconds must be greater than or equal to 0 (got " +
                                   std::to_string(m.gc_grace_seconds) + ")");
  }
  if (m.default_time_to_live < 0) {
    return Status::InvalidArgument(
        "default_time_to_live must be greater than or equal to 0 (got " +
        std::to_string(m.default_time_to_live) + ")");
  }
  if (m.bloom_filter_fp_chance <= 0 || m.bloom_filter_fp_chance > 1) {
    std::ostringstream os;
    os << "bloom_filter_fp_chance must be larger than 0.0 and less than or equal to 1.0 (got "
       << m.bloom_filter_fp_chance << ")";
    return Status::InvalidArgument(os.str());
  }
  if (t.read_repair_chance < 0 || t.read_repair_chance > 1) {
    return Status::InvalidArgument("read_repair_chance must be larger than or equal to 0 and "
                                   "smaller than or equal to 1.0");
  }
  if (t.dclocal_read_repair_chance < 0 || t.dclocal_read_repair_chance > 1) {
    return Status::InvalidArgument("dclocal_read_repair_chance must be larger than or equal to "
                                   "0 and smaller than or equal to 1.0");
  }
  if (m.compaction.min_threshold < 2) {
    return Status::InvalidArgument(
        "min_compaction_threshold cannot be smaller than 2, or set to 0 to disable compaction");
  }
  if (m.compaction.max_threshold < m.compaction.min_threshold) {
    return Status::InvalidArgument(
        "min_compaction_threshold cannot be greater than max_compaction_threshold");
  }
  if (t.min_index_interval < 1) {
    return Status::InvalidArgument("min_index_interval must be greater than 0");
  }
  if (t.max_index_interval < t.min_index_interval) {
    return Status::InvalidArgument("max_index_interval must be greater than min_index_interval");
  }
  return Status::OK();
}

ReplicaCounts CountReplicas(const KeyspaceSchema& ks, std::string_view local_dc) {
  ReplicaCounts rc;
  auto to_int = [](const std::string& s) {
    try {
      return std::max(0, std::stoi(s));
    } catch (...) {
      return 0;
    }
  };
  if (ks.strategy_class == std::string(kLocator) + "NetworkTopologyStrategy") {
    rc.network_topology = true;
    for (const auto& [dc, rf] : ks.strategy_options) {
      int n = to_int(rf);
      rc.per_dc[dc] = n;
      rc.total += n;
      if (dc == local_dc) rc.local_dc = n;
    }
  } else if (ks.strategy_class == std::string(kLocator) + "LocalStrategy") {
    rc.total = rc.local_dc = 1;
  } else {
    auto it = ks.strategy_options.find("replication_factor");
    rc.total = rc.local_dc = it == ks.strategy_options.end() ? 0 : to_int(it->second);
  }
  return rc;
}

std::string EncodeSystemFile(const LocalState& local, const Schema& schema) {
  std::string payload;
  PutString(&payload, local.cluster_name);
  PutString(&payload, local.host_id);
  PutString(&payload, local.partitioner);
  PutVarint32(&payload, static_cast<uint32_t>(local.tokens.size()));
  for (const std::string& t : local.tokens) PutString(&payload, t);
  PutString(&payload, schema.version);
  PutVarint32(&payload, static_cast<uint32_t>(schema.keyspaces.size()));
  for (const auto& [name, ks] : schema.keyspaces) {
    PutString(&payload, ks.name);
    PutString(&payload, ks.strategy_class);
    PutMap(&payload, ks.strategy_options);
    payload.push_back(ks.durable_writes ? 1 : 0);
    PutVarint32(&payload, static_cast<uint32_t>(ks.tables.size()));
    for (const TableSchema& t : ks.tables) EncodeTable(&payload, t);
  }
  std::string out(kMagic, sizeof kMagic);
  PutFixed32(&out, kVersion);
  PutFixed32(&out, static_cast<uint32_t>(payload.size()));
  out += payload;
  PutFixed64(&out, Checksum64(out));
  return out;
}

Status DecodeSystemFile(std::string_view path, std::string_view contents, LocalState* local,
                        Schema* schema) {
  auto corrupt = [&](size_t offset, std::string_view what) {
    return Status::Corruption(std::string(path) + ": offset " + std::to_string(offset) + ": " +
                              std::string(what));
  };
  constexpr size_t kHeader = sizeof kMagic + 8;
  if (contents.size() < kHeader + 8) return corrupt(0, "file too short");
  if (std::memcmp(contents.data(), kMagic, sizeof kMagic) != 0) return corrupt(0, "bad magic");
  uint32_t version = DecodeFixed32(contents.data() + 8);
  if (version != kVersion) {
    return corrupt(8, "unsupported version " + std::to_string(version));
  }
  uint32_t len = DecodeFixed32(contents.data() + 12);
  if (contents.size() != kHeader + len + 8) return corrupt(12, "length does not match file size");
  uint64_t stored = DecodeFixed64(contents.data() + kHeader + len);
  if (stored != Checksum64(contents.substr(0, kHeader + len))) {
    return corrupt(kHeader + len, "checksum mismatch");
  }
  Reader r(contents.substr(kHeader, len), kHeader);
  LocalState l;
  Schema s;
  l.cluster_name = r.String();
  l.host_id = r.String();
  l.partitioner = r.String();
  uint32_t ntokens = r.Count();
  for (uint32_t i = 0; r.ok() && i < ntokens; ++i) l.tokens.push_back(r.String());
  s.version = r.String();
  uint32_t nks = r.Count();
  for (uint32_t i = 0; r.ok() && i < nks; ++i) {
    KeyspaceSchema ks;
    ks.name = r.String();
    ks.strategy_class = r.String();
    ks.strategy_options = r.Map();
    ks.durable_writes = r.Bool();
    uint32_t ntables = r.Count();
    for (uint32_t j = 0; r.ok() && j < ntables; ++j) ks.tables.push_back(DecodeTable(&r));
    if (r.ok()) s.keyspaces.emplace(ks.name, std::move(ks));
  }
  if (r.ok() && !r.empty()) r.Fail();
  if (!r.ok()) return corrupt(r.failed_at(), "malformed payload");
  *local = std::move(l);
  *schema = std::move(s);
  return Status::OK();
}

Status LegacySystemFile::Load(LocalState* local, Schema* schema) const {
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return Status::NotFound(path_);
  std::ifstream in(path_, std::ios::binary);
  if (!in) return Status::IOError("cannot open " + path_);
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IOError("cannot read " + path_);
  return DecodeSystemFile(path_, contents, local, schema);
}

Status LegacySystemFile::Save(const LocalState& local, const Schema& schema) const {
  const std::string data = EncodeSystemFile(local, schema);
  const std::string tmp = path_ + ".tmp";
  std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOErrorFromErrno("open " + tmp, errno);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Status::IOErrorFromErrno("write " + tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return Status::IOErrorFromErrno("fsync " + tmp, err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    return Status::IOErrorFromErrno("rename " + tmp, errno);
  }
  return SyncDirectory(dir.string());
}

namespace {

constexpr uint8_t kTableDefinitionVersion = 1;
constexpr char kLocalKey[] = "local";

TableMetadata MakeSystemTable(const char* keyspace, const char* name) {
  TableMetadata m;
  m.keyspace = keyspace;
  m.name = name;
  m.id = SystemTableId(keyspace, name);
  m.comparator = *ParseType("UTF8Type");
  m.key_validator = *ParseType("UTF8Type");
  m.default_validator = BytesTypeInstance();
  m.gc_grace_seconds = 7 * 24 * 3600;  // Cassandra's system_schema tables: 7 days
  return m;
}

std::string EncodeMapValue(const std::map<std::string, std::string>& m) {
  std::string out;
  PutMap(&out, m);
  return out;
}

PartitionUpdate Cells(std::vector<Cell> cells) {
  PartitionUpdate u;
  u.cells = std::move(cells);
  return u;
}

PartitionUpdate PartitionDeletion(int64_t timestamp, int32_t now) {
  PartitionUpdate u;
  u.deletion.marked_for_delete_at = timestamp;
  u.deletion.local_deletion_time = now;
  return u;
}

std::string EncodeTableDefinition(const TableSchema& t) {
  std::string out(1, static_cast<char>(kTableDefinitionVersion));
  EncodeTable(&out, t);
  return out;
}

void EncodeKeyspaceDefinition(std::string* dst, const KeyspaceSchema& ks) {
  PutString(dst, ks.name);
  PutString(dst, ks.strategy_class);
  PutMap(dst, ks.strategy_options);
  dst->push_back(ks.durable_writes ? 1 : 0);
}

// varint32 n, string token x n (system.local and system.peers "tokens").
std::string EncodeTokenList(const std::vector<std::string>& tokens) {
  std::string out;
  PutVarint32(&out, static_cast<uint32_t>(tokens.size()));
  for (const std::string& t : tokens) PutString(&out, t);
  return out;
}

// Decodes EncodeTokenList; false (with the failing offset) when malformed.
bool DecodeTokenList(std::string_view value, std::vector<std::string>* out, size_t* failed_at) {
  Reader r(value, 0);
  uint32_t n = r.Count();
  std::vector<std::string> tokens;
  for (uint32_t i = 0; r.ok() && i < n; ++i) tokens.push_back(r.String());
  if (r.ok() && !r.empty()) r.Fail();
  if (!r.ok()) {
    *failed_at = r.failed_at();
    return false;
  }
  *out = std::move(tokens);
  return true;
}

Status CorruptCell(const TableMetadata& table, std::string_view key, std::string_view cell,
                   std::string_view what) {
  return Status::Corruption(table.keyspace + "." + table.name + ": partition '" +
                            std::string(key) + "' cell '" + std::string(cell) +
                            "': " + std::string(what));
}

}  // namespace

TableId SystemTableId(std::string_view keyspace, std::string_view table) {
  Digest128 d;
  d.Update(keyspace);
  d.Update(".");
  d.Update(table);
  TableId id = d.Finish();
  id[6] = static_cast<char>((id[6] & 0x0f) | 0x80);  // version 8: custom
  id[8] = static_cast<char>((id[8] & 0x3f) | 0x80);  // IETF variant
  return id;
}

const TableMetadata& SchemaKeyspacesTable() {
  static const TableMetadata kTable = MakeSystemTable("system_schema", "keyspaces");
  return kTable;
}

const TableMetadata& SchemaTablesTable() {
  static const TableMetadata kTable = MakeSystemTable("system_schema", "tables");
  return kTable;
}

const TableMetadata& SystemLocalTable() {
  static const TableMetadata kTable = MakeSystemTable("system", "local");
  return kTable;
}

const TableMetadata& SystemPeersTable() {
  static const TableMetadata kTable = MakeSystemTable("system", "peers");
  return kTable;
}

const TableMetadata& SystemPaxosTable() {
  static const TableMetadata kTable = [] {
    TableMetadata m = MakeSystemTable("system", "paxos");
    m.comparator = BytesTypeInstance();
    m.key_validator = BytesTypeInstance();
    return m;
  }();
  return kTable;
}

std::vector<TableMetadata> SchemaAndLocalTables() {
  return {SchemaKeyspacesTable(), SchemaTablesTable(), SystemLocalTable()};
}

std::vector<TableMetadata> SystemTables() {
  return {SchemaKeyspacesTable(), SchemaTablesTable(), SystemLocalTable(), SystemPeersTable(),
          SystemPaxosTable()};
}

Mutation KeyspaceMutation(const KeyspaceSchema& ks, bool with_tables, int64_t timestamp) {
  Mutation m;
  m.keyspace = SchemaKeyspacesTable().keyspace;
  m.key = ks.name;
  std::map<std::string, std::string> replication = ks.strategy_options;
  replication["class"] = ks.strategy_class;
  m.updates.push_back(
      {SchemaKeyspacesTable().id,
       Cells({Cell::Live("durable_writes", std::string(1, ks.durable_writes ? 1 : 0), timestamp),
              Cell::Live("replication", EncodeMapValue(replication), timestamp)})});
  if (with_tables && !ks.tables.empty()) {
    std::vector<Cell> cells;
    for (const TableSchema& t : ks.tables) {
      cells.push_back(Cell::Live(t.metadata.name, EncodeTableDefinition(t), timestamp));
    }
    m.updates.push_back({SchemaTablesTable().id, Cells(std::move(cells))});
  }
  return m;
}

Mutation DropKeyspaceMutation(const std::string& keyspace, int64_t timestamp, int32_t now) {
  Mutation m;
  m.keyspace = SchemaKeyspacesTable().keyspace;
  m.key = keyspace;
  m.updates.push_back({SchemaKeyspacesTable().id, PartitionDeletion(timestamp, now)});
  m.updates.push_back({SchemaTablesTable().id, PartitionDeletion(timestamp, now)});
  return m;
}

Mutation TableMutation(const TableSchema& table, int64_t timestamp) {
  Mutation m;
  m.keyspace = SchemaTablesTable().keyspace;
  m.key = table.metadata.keyspace;
  m.updates.push_back(
      {SchemaTablesTable().id,
       Cells({Cell::Live(table.metadata.name, EncodeTableDefinition(table), timestamp)})});
  return m;
}

Mutation DropTableMutation(const std::string& keyspace, const std::string& table,
                           int64_t timestamp, int32_t now) {
  Mutation m;
  m.keyspace = SchemaTablesTable().keyspace;
  m.key = keyspace;
  m.updates.push_back({SchemaTablesTable().id, Cells({Cell::Tombstone(table, timestamp, now)})});
  return m;
}

Mutation LocalStateMutation(const LocalState& local, int64_t timestamp) {
  Mutation m;
  m.keyspace = SystemLocalTable().keyspace;
  m.key = kLocalKey;
  std::string tokens = EncodeTokenList(local.tokens);
  m.updates.push_back({SystemLocalTable().id,
                       Cells({Cell::Live("cluster_name", local.cluster_name, timestamp),
                              Cell::Live("host_id", local.host_id, timestamp),
                              Cell::Live("partitioner", local.partitioner, timestamp),
                              Cell::Live("tokens", std::move(tokens), timestamp)})});
  return m;
}

Mutation PeerMutation(const PeerInfo& peer, int64_t timestamp) {
  Mutation m;
  m.keyspace = SystemPeersTable().keyspace;
  m.key = peer.endpoint;
  m.updates.push_back({SystemPeersTable().id,
                       Cells({Cell::Live("data_center", peer.data_center, timestamp),
                              Cell::Live("host_id", peer.host_id, timestamp),
                              Cell::Live("rack", peer.rack, timestamp),
                              Cell::Live("release_version", peer.release_version, timestamp),
                              Cell::Live("rpc_address", peer.rpc_address, timestamp),
                              Cell::Live("schema_version", peer.schema_version, timestamp),
                              Cell::Live("tokens", EncodeTokenList(peer.tokens), timestamp)})});
  return m;
}

Mutation RemovePeerMutation(const std::string& endpoint, int64_t timestamp, int32_t now) {
  Mutation m;
  m.keyspace = SystemPeersTable().keyspace;
  m.key = endpoint;
  m.updates.push_back({SystemPeersTable().id, PartitionDeletion(timestamp, now)});
  return m;
}

Status ReadSystemTable(const ColumnFamilyStore& store, int32_t now, SystemTableContent* out) {
  const AbstractType& comparator = *store.metadata().comparator;
  SystemTableContent content;
  auto it = store.NewScanIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    PartitionUpdate p = it->partition();
    content.max_timestamp = std::max(content.max_timestamp, p.deletion.marked_for_delete_at);
    for (const RangeTombstone& rt : p.range_tombstones) {
      content.max_timestamp = std::max(content.max_timestamp, rt.deletion.marked_for_delete_at);
    }
    for (const Cell& c : p.cells) {
      content.max_timestamp = std::max(content.max_timestamp, c.timestamp);
    }
    p.RemoveShadowed(comparator);
    std::vector<Cell> live;
    for (Cell& c : p.cells) {
      if (c.IsLive(now)) live.push_back(std::move(c));
    }
    if (!live.empty()) content.partitions.emplace_back(it->key().key, std::move(live));
  }
  CAIRN_RETURN_IF_ERROR(it->status());
  *out = std::move(content);
  return Status::OK();
}

Status DecodeSchemaTables(const SystemTableContent& keyspaces, const SystemTableContent& tables,
                          const SystemTableContent& local, StoredSchema* out) {
  StoredSchema stored;
  stored.max_timestamp = std::max(keyspaces.max_timestamp, tables.max_timestamp);
  const TableMetadata& ks_table = SchemaKeyspacesTable();
  for (const auto& [key, cells] : keyspaces.partitions) {
    KeyspaceSchema ks;
    ks.name = key;
    bool has_replication = false, has_durable = false;
    for (const Cell& c : cells) {
      if (c.name == "durable_writes") {
        if (c.value.size() != 1 || static_cast<uint8_t>(c.value[0]) > 1) {
          return CorruptCell(ks_table, key, c.name, "not a boolean");
        }
        ks.durable_writes = c.value[0] == 1;
        has_durable = true;
      } else if (c.name == "replication") {
        Reader r(c.value, 0);
        ks.strategy_options = r.Map();
        if (!r.ok() || !r.empty()) {
          return CorruptCell(ks_table, key, c.name,
                             "malformed map at offset " + std::to_string(r.failed_at()));
        }
        auto cls = ks.strategy_options.find("class");
        if (cls == ks.strategy_options.end()) {
          return CorruptCell(ks_table, key, c.name, "no replication class");
        }
        ks.strategy_class = cls->second;
        ks.strategy_options.erase(cls);
        has_replication = true;
      }
      // Unknown cells are ignored: a later version may add fields.
    }
    if (!has_replication || !has_durable) {
      return CorruptCell(ks_table, key, has_replication ? "durable_writes" : "replication",
                         "missing");
    }
    stored.schema.keyspaces.emplace(key, std::move(ks));
  }
  const TableMetadata& cf_table = SchemaTablesTable();
  for (const auto& [key, cells] : tables.partitions) {
    auto ks = stored.schema.keyspaces.find(key);
    for (const Cell& c : cells) {
      if (c.value.empty() || static_cast<uint8_t>(c.value[0]) != kTableDefinitionVersion) {
        return CorruptCell(cf_table, key, c.name, "unknown definition version");
      }
      Reader r(std::string_view(c.value).substr(1), 1);
      TableSchema t = DecodeTable(&r);
      if (r.ok() && !r.empty()) r.Fail();
      if (!r.ok()) {
        return CorruptCell(cf_table, key, c.name,
                           "malformed definition at offset " + std::to_string(r.failed_at()));
      }
      if (t.metadata.keyspace != key || t.metadata.name != c.name) {
        return CorruptCell(cf_table, key, c.name,
                           "definition names " + t.metadata.keyspace + "." + t.metadata.name);
      }
      if (ks == stored.schema.keyspaces.end()) {
        return CorruptCell(cf_table, key, c.name, "keyspace not in system_schema.keyspaces");
      }
      ks->second.tables.push_back(std::move(t));
    }
  }
  stored.schema.version = SchemaVersion(stored.schema);
  for (const auto& [key, cells] : local.partitions) {
    if (key != kLocalKey) continue;
    const TableMetadata& local_table = SystemLocalTable();
    int found = 0;
    for (const Cell& c : cells) {
      if (c.name == "cluster_name") {
        stored.local.cluster_name = c.value;
      } else if (c.name == "host_id") {
        stored.local.host_id = c.value;
      } else if (c.name == "partitioner") {
        stored.local.partitioner = c.value;
      } else if (c.name == "tokens") {
        size_t failed_at = 0;
        if (!DecodeTokenList(c.value, &stored.local.tokens, &failed_at)) {
          return CorruptCell(local_table, key, c.name,
                             "malformed list at offset " + std::to_string(failed_at));
        }
      } else {
        continue;
      }
      ++found;
    }
    if (found != 4) return CorruptCell(local_table, key, "*", "missing node identity fields");
    stored.has_local = true;
  }
  *out = std::move(stored);
  return Status::OK();
}

Status DecodePeers(const SystemTableContent& peers, std::map<std::string, PeerInfo>* out) {
  std::map<std::string, PeerInfo> decoded;
  for (const auto& [key, cells] : peers.partitions) {
    PeerInfo peer;
    peer.endpoint = key;
    for (const Cell& c : cells) {
      if (c.name == "tokens") {
        size_t failed_at = 0;
        if (!DecodeTokenList(c.value, &peer.tokens, &failed_at)) {
          return CorruptCell(SystemPeersTable(), key, c.name,
                             "malformed list at offset " + std::to_string(failed_at));
        }
      } else if (c.name == "host_id") {
        peer.host_id = c.value;
      } else if (c.name == "data_center") {
        peer.data_center = c.value;
      } else if (c.name == "rack") {
        peer.rack = c.value;
      } else if (c.name == "rpc_address") {
        peer.rpc_address = c.value;
      } else if (c.name == "release_version") {
        peer.release_version = c.value;
      } else if (c.name == "schema_version") {
        peer.schema_version = c.value;
      }
      // Unknown cells are ignored: a later version may add fields.
    }
    decoded.emplace(key, std::move(peer));
  }
  *out = std::move(decoded);
  return Status::OK();
}

std::string SchemaVersion(const Schema& schema) {
  Digest128 d;
  std::string buf;
  for (const auto& [name, ks] : schema.keyspaces) {
    buf.clear();
    EncodeKeyspaceDefinition(&buf, ks);
    // Tables in name order, the order the system table returns them.
    std::vector<const TableSchema*> tables;
    for (const TableSchema& t : ks.tables) tables.push_back(&t);
    std::sort(tables.begin(), tables.end(), [](const TableSchema* a, const TableSchema* b) {
      return a->metadata.name < b->metadata.name;
    });
    PutVarint32(&buf, static_cast<uint32_t>(tables.size()));
    for (const TableSchema* t : tables) EncodeTable(&buf, *t);
    d.Update(buf);
  }
  std::string bytes = d.Finish();
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x30);  // version 3 (name-based), as Cassandra
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);
  return UuidToString(bytes);
}

std::string UuidToString(std::string_view b) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    unsigned char c = static_cast<unsigned char>(b[i]);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string NewUuidString() {
  std::string b(16, '\0');
  uint64_t a = Rng()(), c = Rng()();
  std::memcpy(b.data(), &a, 8);
  std::memcpy(b.data() + 8, &c, 8);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  return UuidToString(b);
}

}  // namespace cairn::node
