// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// The Thrift methods. Validation order and messages follow Cassandra 3.11's
// CassandraServer and ThriftValidation; where Cairn differs (features not built yet),
// the message says so.
#include "thrift/handler.h"

#include <thrift/TApplicationException.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>

#include "common/clock.h"
#include "common/counter.h"
#include "common/logging.h"
#include "ring/replication_strategy.h"
#include "thrift/conversion.h"

namespace cairn::thrift {

namespace {

constexpr size_t kMaxNameLength = 65535;  // Cassandra's MAX_UNSIGNED_SHORT
constexpr int32_t kMaxTtl = 20 * 365 * 24 * 60 * 60;  // Cassandra's Attributes.MAX_TTL

int32_t NowSeconds() { return Clock::Real()->NowSeconds(); }
int64_t NowMicros() { return Clock::Real()->NowMicros(); }

[[noreturn]] void NotSupported(const std::string& what) {
  ThrowInvalid(what + " is not supported by Cairn yet");
}

void ValidateKey(const node::TableSchema& t, const std::string& key) {
  if (key.empty()) ThrowInvalid("Key may not be empty");
  if (key.size() > kMaxNameLength) {
    ThrowInvalid("Key length of " + std::to_string(key.size()) +
                 " is longer than maximum of " + std::to_string(kMaxNameLength));
  }
  Status st = t.metadata.key_validator->Validate(key);
  if (!st.ok()) ThrowInvalid(st.message());
}

// The comparator of names addressed with `super_column` (Cassandra's
// getThriftColumnNameComparator).
const AbstractType& NameComparator(const node::TableSchema& t, bool sub_columns) {
  if (t.is_super && sub_columns) return *t.subcomparator;
  return *t.metadata.comparator;
}

void ValidateColumnNames(const node::TableSchema& t, const std::string* super_column,
                         const std::vector<std::string>& names) {
  if (super_column != nullptr) {
    if (super_column->size() > kMaxNameLength) {
      ThrowInvalid("supercolumn name length must not be greater than " +
                   std::to_string(kMaxNameLength));
    }
    if (super_column->empty()) ThrowInvalid("supercolumn name must not be empty");
    if (!t.is_super) {
      ThrowInvalid("supercolumn specified to table " + t.metadata.name +
                   " containing normal columns");
    }
  }
  const AbstractType& cmp = NameComparator(t, super_column != nullptr);
  for (const std::string& name : names) {
    if (name.size() > kMaxNameLength) {
      ThrowInvalid("column name length must not be greater than " +
                   std::to_string(kMaxNameLength));
    }
    if (name.empty()) ThrowInvalid("column name must not be empty");
    Status st = cmp.Validate(name);
    if (!st.ok()) ThrowInvalid(st.message());
  }
}

const std::string* SuperOf(const gen::ColumnParent& p) {
  return p.__isset.super_column ? &p.super_column : nullptr;
}

void ValidateColumnParent(const node::TableSchema& t, const gen::ColumnParent& parent) {
  if (!t.is_super && parent.__isset.super_column) {
    ThrowInvalid("table alone is required for standard CF " + t.metadata.name);
  }
  if (parent.__isset.super_column) ValidateColumnNames(t, nullptr, {parent.super_column});
}

void ValidateColumnPath(const node::TableSchema& t, const gen::ColumnPath& path) {
  if (!t.is_super) {
    if (path.__isset.super_column) {
      ThrowInvalid("supercolumn parameter is invalid for standard CF " + t.metadata.name);
    }
    if (!path.__isset.column) {
      ThrowInvalid("column parameter is not optional for standard CF " + t.metadata.name);
    }
  } else if (!path.__isset.super_column) {
    ThrowInvalid("supercolumn parameter is not optional for super CF " + t.metadata.name);
  }
  if (path.__isset.column) {
    ValidateColumnNames(t, path.__isset.super_column ? &path.super_column : nullptr,
                        {path.column});
  }
  if (path.__isset.super_column) ValidateColumnNames(t, nullptr, {path.super_column});
}

void ValidateColumnPathOrParent(const node::TableSchema& t, const gen::ColumnPath& path) {
  if (t.is_super) {
    if (!path.__isset.super_column && path.__isset.column) {
      ThrowInvalid(
          "A column cannot be specified without specifying a super column for removal on "
          "super CF " + t.metadata.name);
    }
  } else if (path.__isset.super_column) {
    ThrowInvalid("supercolumn may not be specified for standard CF " + t.metadata.name);
  }
  if (path.__isset.column) {
    ValidateColumnNames(t, path.__isset.super_column ? &path.super_column : nullptr,
                        {path.column});
  }
  if (path.__isset.super_column) ValidateColumnNames(t, nullptr, {path.super_column});
}

void ValidateRange(const node::TableSchema& t, const std::string* super_column,
                   const gen::SliceRange& range) {
  if (range.count < 0) ThrowInvalid("get_slice requires non-negative count");
  if (range.start.size() > kMaxNameLength) {
    ThrowInvalid("range start length cannot be larger than " + std::to_string(kMaxNameLength));
  }
  if (range.finish.size() > kMaxNameLength) {
    ThrowInvalid("range finish length cannot be larger than " + std::to_string(kMaxNameLength));
  }
  const AbstractType& cmp = NameComparator(t, super_column != nullptr);
  Status st = cmp.Validate(range.start);
  if (st.ok()) st = cmp.Validate(range.finish);
  if (!st.ok()) ThrowInvalid(st.message());
  if (!range.start.empty() && !range.finish.empty()) {
    int c = cmp.Compare(range.start, range.finish);
    if (range.reversed ? c < 0 : c > 0) {
      ThrowInvalid("range finish must come after start in the order of traversal");
    }
  }
}

void ValidatePredicate(const node::TableSchema& t, const gen::ColumnParent& parent,
                       const gen::SlicePredicate& p) {
  if (!p.__isset.column_names && !p.__isset.slice_range) {
    ThrowInvalid("predicate column_names and slice_range may not both be null");
  }
  if (p.__isset.column_names && p.__isset.slice_range) {
    ThrowInvalid("predicate column_names and slice_range may not both be present");
  }
  if (p.__isset.slice_range) {
    ValidateRange(t, SuperOf(parent), p.slice_range);
  } else {
    ValidateColumnNames(t, SuperOf(parent), p.column_names);
  }
}

// Deletion predicates may carry both names and a range (Cassandra's
// validateSlicePredicate).
void ValidateSlicePredicate(const node::TableSchema& t, const std::string* super_column,
                            const gen::SlicePredicate& p) {
  if (!p.__isset.column_names && !p.__isset.slice_range) {
    ThrowInvalid("A SlicePredicate must be given a list of Columns, a SliceRange, or both");
  }
  if (p.__isset.slice_range) ValidateRange(t, super_column, p.slice_range);
  if (p.__isset.column_names) ValidateColumnNames(t, super_column, p.column_names);
}

void ValidateTtl(const gen::Column& c) {
  if (c.__isset.ttl) {
    if (c.ttl < 0) ThrowInvalid("ttl must be greater or equal to 0");
    if (c.ttl > kMaxTtl) {
      ThrowInvalid("ttl is too large. requested (" + std::to_string(c.ttl) + ") maximum (" +
                   std::to_string(kMaxTtl) + ")");
    }
  }
}

void ValidateColumnData(const node::TableSchema& t, const gen::Column& c) {
  ValidateTtl(c);
  if (!c.__isset.value) ThrowInvalid("Column value is required");
  if (!c.__isset.timestamp) ThrowInvalid("Column timestamp is required");
  Status st = t.ValueValidator(c.name).Validate(c.value);
  if (!st.ok()) {
    ThrowInvalid("(" + st.message() + ") [" + t.metadata.keyspace + "][" + t.metadata.name +
                 "][" + t.metadata.comparator->ToString(c.name) + "] failed validation");
  }
}

// The cell a Thrift Column writes (default TTL applied when the column has none).
Cell CellFromColumn(const node::TableSchema& t, const gen::Column& c, int32_t now) {
  int32_t ttl = c.__isset.ttl ? c.ttl : 0;
  if (ttl == 0) ttl = t.metadata.default_time_to_live;
  if (ttl > 0) return Cell::Expiring(c.name, c.value, c.timestamp, ttl, now);
  return Cell::Live(c.name, c.value, c.timestamp);
}

void RefuseSuper(const node::TableSchema& t) {
  if (t.is_super) {
    ThrowInvalid("reads and writes on super column families are not supported by Cairn yet (" +
                 t.metadata.name + " is a super column family)");
  }
}

// --- Consistency -------------------------------------------------------------------

// Cassandra's ConsistencyLevel.validateForRead/validateForWrite, the checks that need no
// replica: the proxy (node/storage_proxy.h) counts the live replicas and answers
// UnavailableException when too few are up.
node::ConsistencyLevel CheckConsistency(gen::ConsistencyLevel::type cl, bool is_write) {
  if (cl < gen::ConsistencyLevel::ONE || cl > gen::ConsistencyLevel::LOCAL_ONE) {
    ThrowInvalid("Invalid consistency level " + std::to_string(static_cast<int>(cl)));
  }
  if (!is_write && cl == gen::ConsistencyLevel::ANY) {
    ThrowInvalid("ANY ConsistencyLevel is only supported for writes");
  }
  if (is_write &&
      (cl == gen::ConsistencyLevel::SERIAL || cl == gen::ConsistencyLevel::LOCAL_SERIAL)) {
    ThrowInvalid("You must use conditional updates for serializable writes");
  }
  return static_cast<node::ConsistencyLevel>(static_cast<int>(cl));
}

// Maps a coordinator failure to Cassandra's exceptions (TimedOutException with how many
// replicas acknowledged, and whether the batch log was written).
[[noreturn]] void ThrowCoordinator(const Status& st, const node::WriteOutcome& outcome) {
  if (st.IsTimedOut()) {
    gen::TimedOutException e;
    e.__set_acknowledged_by(outcome.acknowledged_by);
    if (outcome.batchlog_written) e.__set_acknowledged_by_batchlog(true);
    throw e;
  }
  ThrowStatus(st);
  throw gen::UnavailableException();  // not reached: ThrowStatus always throws
}

// --- Asynchronous replies --------------------------------------------------------------

namespace at = ::apache::thrift;

// The message the generated processor writes for a method's result: T_REPLY with the
// result struct (strict binary protocol).
template <typename ResultT>
std::string EncodeReply(const char* name, int32_t seqid, const ResultT& result) {
  auto buffer = std::make_shared<at::transport::TMemoryBuffer>(128);
  at::protocol::TBinaryProtocolT<at::transport::TMemoryBuffer> out(buffer);
  out.writeMessageBegin(name, at::protocol::T_REPLY, seqid);
  result.write(&out);
  out.writeMessageEnd();
  return buffer->getBufferAsString();
}

// ... and for an undeclared exception: T_EXCEPTION with a TApplicationException.
std::string EncodeApplicationException(const char* name, int32_t seqid, const char* what) {
  auto buffer = std::make_shared<at::transport::TMemoryBuffer>(128);
  at::protocol::TBinaryProtocolT<at::transport::TMemoryBuffer> out(buffer);
  at::TApplicationException x(what);
  out.writeMessageBegin(name, at::protocol::T_EXCEPTION, seqid);
  x.write(&out);
  out.writeMessageEnd();
  return buffer->getBufferAsString();
}

// Runs `fn`. When it throws, returns the reply the generated processor would send: the
// method's declared exceptions (ire, ue, te, and nfe for get) in its result, anything
// else as a TApplicationException. nullopt when `fn` returned.
template <typename ResultT, typename Fn>
std::optional<std::string> ReplyIfThrows(const char* name, int32_t seqid, Fn&& fn) {
  ResultT result;
  try {
    fn();
    return std::nullopt;
  } catch (const gen::InvalidRequestException& e) {
    result.ire = e;  // (the generated result types declare no __set_ bodies)
    result.__isset.ire = true;
  } catch (const gen::UnavailableException& e) {
    result.ue = e;
    result.__isset.ue = true;
  } catch (const gen::TimedOutException& e) {
    result.te = e;
    result.__isset.te = true;
  } catch (const gen::NotFoundException& e) {
    if constexpr (requires { result.nfe; }) {
      result.nfe = e;
      result.__isset.nfe = true;
    } else {
      return EncodeApplicationException(name, seqid, e.what());
    }
  } catch (const std::exception& e) {
    return EncodeApplicationException(name, seqid, e.what());
  }
  return EncodeReply(name, seqid, result);
}

// --- Reading -----------------------------------------------------------------------

// How a SlicePredicate reads: which cells to fetch, in which order, how many.
struct ReadPlan {
  CellFilter filter;
  bool reversed = false;
  int32_t count = INT32_MAX;
};

ReadPlan PlanFor(const node::TableSchema& t, const gen::SlicePredicate& p) {
  ReadPlan plan;
  const AbstractType& cmp = *t.metadata.comparator;
  if (p.__isset.column_names) {
    std::vector<std::string> names = p.column_names;
    std::sort(names.begin(), names.end(), TypeLess{&cmp});
    names.erase(std::unique(names.begin(), names.end(),
                            [&](const std::string& a, const std::string& b) {
                              return cmp.Compare(a, b) == 0;
                            }),
                names.end());
    plan.filter = CellFilter::Names(std::move(names));
  } else {
    const gen::SliceRange& r = p.slice_range;
    plan.reversed = r.reversed;
    plan.count = r.count;
    plan.filter = r.reversed ? CellFilter::Slice(r.finish, r.start)
                             : CellFilter::Slice(r.start, r.finish);
  }
  return plan;
}

// Live cells of a (raw, merged) partition that the filter selects, in comparator order.
std::vector<Cell> LiveCells(const node::TableSchema& t, PartitionUpdate update,
                            const CellFilter& filter, int32_t now) {
  const AbstractType& cmp = *t.metadata.comparator;
  filter.Apply(&update, cmp);
  update.RemoveShadowed(cmp);
  std::vector<Cell> out;
  out.reserve(update.cells.size());
  for (Cell& c : update.cells) {
    if (c.IsLive(now)) out.push_back(std::move(c));
  }
  return out;
}

// Applies reversal and count to cells in comparator order.
std::vector<Cell> Limit(std::vector<Cell> cells, bool reversed, int32_t count) {
  if (reversed) std::reverse(cells.begin(), cells.end());
  if (count >= 0 && cells.size() > static_cast<size_t>(count)) cells.resize(count);
  return cells;
}

std::vector<gen::ColumnOrSuperColumn> ToThrift(const std::vector<Cell>& cells) {
  std::vector<gen::ColumnOrSuperColumn> out;
  out.reserve(cells.size());
  for (const Cell& c : cells) {
    gen::ColumnOrSuperColumn cosc;
    if (c.kind == CellKind::kCounter) {
      gen::CounterColumn cc;
      cc.name = c.name;
      cc.value = CounterTotal(c.value);
      cosc.__set_counter_column(std::move(cc));
    } else {
      cosc.__set_column(ColumnFromCell(c));
    }
    out.push_back(std::move(cosc));
  }
  return out;
}

// Which partitions a KeyRange selects, in ring order, as the coordinator's KeyBounds.
// Cassandra's Bounds (keys, inclusive) or Range (tokens, start exclusive, end inclusive,
// wrapping; left == right is the whole ring).
std::vector<node::KeyBounds> BoundsFor(const ring::Partitioner& p, const gen::KeyRange& range) {
  using node::KeyBounds;
  using node::RingPosition;
  std::vector<KeyBounds> b;
  const Token min = p.MinimumToken();
  auto token_of = [&](const std::string& text) {
    auto t = p.TokenFromString(text);
    if (!t.ok()) ThrowInvalid(t.status().message());
    return *t;
  };
  if (!range.__isset.start_key) {
    Token left = token_of(range.start_token);
    Token right = token_of(range.end_token);
    RingPosition from = RingPosition::TokenEnd(left);
    if (right == min || left == right) {
      // (left, max]; then, when wrapping the whole ring, [min, left].
      b.push_back({from, true, RingPosition::AfterAll()});
      if (left == right && left != min) {
        b.push_back({RingPosition::BeforeAll(), true, RingPosition::TokenEnd(left)});
      }
    } else if (left < right) {
      b.push_back({from, true, RingPosition::TokenEnd(right)});
    } else {
      b.push_back({from, true, RingPosition::AfterAll()});
      b.push_back({RingPosition::BeforeAll(), true, RingPosition::TokenEnd(right)});
    }
    return b;
  }
  KeyBounds kb;
  if (!range.start_key.empty()) kb.start = RingPosition::KeyAt(p.Decorate(range.start_key));
  if (range.__isset.end_key) {
    if (!range.end_key.empty()) kb.end = RingPosition::KeyAt(p.Decorate(range.end_key));
  } else {
    Token end = token_of(range.end_token);
    if (end != min) kb.end = RingPosition::TokenEnd(end);
  }
  b.push_back(std::move(kb));
  return b;
}

// Walks this node's own partitions within `bounds` in ring order, calling `visit(key)`
// until it returns false (describe_splits samples the local data, as Cassandra's does).
void LocalScan(const node::ColumnFamilyStore& store, const std::vector<node::KeyBounds>& bounds,
               const std::function<bool(const DecoratedKey&)>& visit) {
  for (const node::KeyBounds& b : bounds) {
    std::unique_ptr<PartitionIterator> it = store.NewScanIterator();
    if (b.start.kind == node::RingPosition::Kind::kBeforeAll) {
      it->SeekToFirst();
    } else {
      it->Seek(DecoratedKey{b.start.token, b.start.key});
    }
    for (; it->Valid(); it->Next()) {
      const DecoratedKey& k = it->key();
      if (b.start.CompareTo(k) >= 0 && !(b.start_inclusive && b.start.CompareTo(k) == 0)) continue;
      if (b.end.CompareTo(k) < 0) break;
      if (!visit(k)) return;
    }
    if (!it->status().ok()) ThrowStatus(it->status());
  }
}

// Cassandra's validateKeyRange.
void ValidateKeyRange(const ring::Partitioner& p, const gen::KeyRange& range) {
  if (range.__isset.start_key == range.__isset.start_token ||
      range.__isset.end_key == range.__isset.end_token) {
    ThrowInvalid(
        "exactly one each of {start key, start token} and {end key, end token} must be "
        "specified");
  }
  if (range.__isset.start_token && range.__isset.end_key) {
    ThrowInvalid("start token + end key is not a supported key range");
  }
  auto token_of = [&](const std::string& text) {
    auto t = p.TokenFromString(text);
    if (!t.ok()) ThrowInvalid(t.status().message());
    return *t;
  };
  if (range.__isset.start_token) {
    token_of(range.start_token);
    token_of(range.end_token);
  }
  if (range.__isset.start_key && range.__isset.end_key) {
    Token s = p.GetToken(range.start_key), e = p.GetToken(range.end_key);
    if (s > e && e != p.MinimumToken()) {
      if (p.PreservesOrder()) {
        ThrowInvalid("start key must sort before (or equal to) finish key in your partitioner!");
      }
      ThrowInvalid(
          "start key's token sorts after end key's token.  this is not allowed; you probably "
          "should not specify end key at all except with an ordered partitioner");
    }
  } else if (range.__isset.start_key && range.__isset.end_token) {
    Token e = token_of(range.end_token);
    if (!range.start_key.empty() && p.GetToken(range.start_key) > e && e != p.MinimumToken()) {
      ThrowInvalid("Start key's token sorts after end token");
    }
  }
  if (range.count <= 0) ThrowInvalid("maxRows must be positive");
}

// True when the partition's live cells satisfy every expression (row_filter).
bool MatchesRowFilter(const node::TableSchema& t, const std::vector<Cell>& all_live,
                      const std::vector<gen::IndexExpression>& filter) {
  const AbstractType& cmp = *t.metadata.comparator;
  for (const gen::IndexExpression& e : filter) {
    const Cell* found = nullptr;
    for (const Cell& c : all_live) {
      if (cmp.Compare(c.name, e.column_name) == 0) found = &c;
    }
    if (found == nullptr) return false;
    int c = t.ValueValidator(e.column_name).Compare(found->value, e.value);
    bool ok = false;
    switch (e.op) {
      case gen::IndexOperator::EQ: ok = c == 0; break;
      case gen::IndexOperator::GTE: ok = c >= 0; break;
      case gen::IndexOperator::GT: ok = c > 0; break;
      case gen::IndexOperator::LTE: ok = c <= 0; break;
      case gen::IndexOperator::LT: ok = c < 0; break;
    }
    if (!ok) return false;
  }
  return true;
}

void ValidateRowFilter(const node::TableSchema& t, const std::vector<gen::IndexExpression>& f) {
  for (const gen::IndexExpression& e : f) {
    Status st = t.metadata.comparator->Validate(e.column_name);
    if (!st.ok()) {
      ThrowInvalid("[" + BytesToHex(e.column_name) + "]=[" + BytesToHex(e.value) +
                   "] failed name validation (" + st.message() + ")");
    }
    if (e.value.size() > 0xFFFF) {
      ThrowInvalid("Index expression values may not be larger than 64K");
    }
    st = t.ValueValidator(e.column_name).Validate(e.value);
    if (!st.ok()) {
      ThrowInvalid("[" + BytesToHex(e.column_name) + "]=[" + BytesToHex(e.value) +
                   "] failed value validation (" + st.message() + ")");
    }
  }
}

}  // namespace

// A keyspace and column family resolved against one schema snapshot.
struct CassandraHandler::Target {
  std::shared_ptr<const node::Schema> schema;
  const node::KeyspaceSchema* keyspace = nullptr;
  const node::TableSchema* table = nullptr;
};

CassandraHandler::CassandraHandler(std::shared_ptr<const ServerContext> context)
    : context_(std::move(context)), db_(context_->db), coordinator_(context_->coordinator) {}

const std::string& CassandraHandler::RequireKeyspace() const {
  if (keyspace_.empty()) ThrowInvalid("You have not set a keyspace for this session");
  return keyspace_;
}

CassandraHandler::Target CassandraHandler::ResolveTable(const std::string& cf) const {
  const std::string& ks = RequireKeyspace();
  Target t;
  t.schema = db_->schema();
  t.keyspace = t.schema->FindKeyspace(ks);
  if (t.keyspace == nullptr && !node::IsSystemKeyspace(ks)) {
    ThrowInvalid("Keyspace " + ks + " does not exist");
  }
  if (cf.empty()) ThrowInvalid("non-empty table is required");
  if (t.keyspace != nullptr) t.table = t.keyspace->FindTable(cf);
  if (t.table == nullptr) ThrowInvalid("unconfigured table " + cf);
  return t;
}

// --- Session -----------------------------------------------------------------------

void CassandraHandler::login(const gen::AuthenticationRequest& auth_request) {
  // AllowAllAuthenticator: every credential is accepted (Cassandra returns the
  // anonymous user); the name is kept for logging.
  auto it = auth_request.credentials.find("username");
  user_ = it == auth_request.credentials.end() ? "anonymous" : it->second;
}

void CassandraHandler::set_keyspace(const std::string& keyspace) {
  if (db_->schema()->FindKeyspace(keyspace) == nullptr && !node::IsSystemKeyspace(keyspace)) {
    ThrowInvalid("Keyspace '" + keyspace + "' does not exist");
  }
  keyspace_ = keyspace;
}

void CassandraHandler::set_cql_version(const std::string&) {
  // Accepted without effect, as Cassandra 3.x does.
}

// --- Reads -------------------------------------------------------------------------

// A validated read of whole partitions by key (get, get_slice, multiget_*, get_count).
struct CassandraHandler::PreparedRead {
  std::shared_ptr<const node::Schema> schema;  // keeps `table` alive
  node::TableRef table;
  std::vector<std::string> keys;  // distinct, in request order
  ReadPlan plan;
  node::ConsistencyLevel cl = node::ConsistencyLevel::ONE;
};

CassandraHandler::PreparedRead CassandraHandler::PrepareGet(
    const std::string& key, const gen::ColumnPath& column_path,
    gen::ConsistencyLevel::type consistency_level) const {
  Target t = ResolveTable(column_path.column_family);
  ValidateColumnPath(*t.table, column_path);
  PreparedRead r;
  r.cl = CheckConsistency(consistency_level, false);
  ValidateKey(*t.table, key);
  RefuseSuper(*t.table);
  r.plan.filter = CellFilter::Names({column_path.column});
  r.keys = {key};
  r.table = node::TableRef{t.keyspace, t.table};
  r.schema = std::move(t.schema);
  return r;
}

CassandraHandler::PreparedRead CassandraHandler::PrepareMultiget(
    const std::vector<std::string>& keys, const gen::ColumnParent& column_parent,
    const gen::SlicePredicate& predicate, gen::ConsistencyLevel::type consistency_level) const {
  Target t = ResolveTable(column_parent.column_family);
  ValidateColumnParent(*t.table, column_parent);
  ValidatePredicate(*t.table, column_parent, predicate);
  PreparedRead r;
  r.cl = CheckConsistency(consistency_level, false);
  for (const std::string& key : keys) ValidateKey(*t.table, key);
  RefuseSuper(*t.table);
  r.plan = PlanFor(*t.table, predicate);
  for (const std::string& key : keys) {
    if (std::find(r.keys.begin(), r.keys.end(), key) == r.keys.end()) r.keys.push_back(key);
  }
  r.table = node::TableRef{t.keyspace, t.table};
  r.schema = std::move(t.schema);
  return r;
}

// get's answer from the coordinator's: the one live cell, else NotFoundException.
gen::ColumnOrSuperColumn CassandraHandler::GetResult(const PreparedRead& r,
                                                     node::Coordinator::ReadResult read) {
  if (!read.ok()) ThrowStatus(read.status());
  std::optional<PartitionUpdate>& p = (*read)[0];
  if (!p.has_value()) throw gen::NotFoundException();
  std::vector<Cell> cells = LiveCells(*r.table.table, std::move(*p), r.plan.filter, NowSeconds());
  if (cells.empty()) throw gen::NotFoundException();
  return ToThrift({cells[0]})[0];
}

// multiget_slice's answer: every requested key, empty where no replica has it.
std::map<std::string, std::vector<gen::ColumnOrSuperColumn>> CassandraHandler::SliceResults(
    const PreparedRead& r, node::Coordinator::ReadResult read) {
  if (!read.ok()) ThrowStatus(read.status());
  std::map<std::string, std::vector<gen::ColumnOrSuperColumn>> out;
  const int32_t now = NowSeconds();
  for (size_t i = 0; i < r.keys.size(); ++i) {
    std::optional<PartitionUpdate>& p = (*read)[i];
    out[r.keys[i]] = p.has_value() ? ToThrift(Limit(LiveCells(*r.table.table, std::move(*p),
                                                              r.plan.filter, now),
                                                    r.plan.reversed, r.plan.count))
                                   : std::vector<gen::ColumnOrSuperColumn>();
  }
  return out;
}

void CassandraHandler::get(gen::ColumnOrSuperColumn& _return, const std::string& key,
                           const gen::ColumnPath& column_path,
                           const gen::ConsistencyLevel::type consistency_level) {
  PreparedRead r = PrepareGet(key, column_path, consistency_level);
  _return = GetResult(r, coordinator_->Read(r.table, r.keys, r.plan.filter, r.cl));
}

void CassandraHandler::get_slice(std::vector<gen::ColumnOrSuperColumn>& _return,
                                 const std::string& key, const gen::ColumnParent& column_parent,
                                 const gen::SlicePredicate& predicate,
                                 const gen::ConsistencyLevel::type consistency_level) {
  std::map<std::string, std::vector<gen::ColumnOrSuperColumn>> result;
  multiget_slice(result, {key}, column_parent, predicate, consistency_level);
  _return = std::move(result[key]);
}

int32_t CassandraHandler::get_count(const std::string& key, const gen::ColumnParent& column_parent,
                                    const gen::SlicePredicate& predicate,
                                    const gen::ConsistencyLevel::type consistency_level) {
  std::map<std::string, int32_t> result;
  multiget_count(result, {key}, column_parent, predicate, consistency_level);
  return result[key];
}

void CassandraHandler::multiget_slice(
    std::map<std::string, std::vector<gen::ColumnOrSuperColumn>>& _return,
    const std::vector<std::string>& keys, const gen::ColumnParent& column_parent,
    const gen::SlicePredicate& predicate, const gen::ConsistencyLevel::type consistency_level) {
  PreparedRead r = PrepareMultiget(keys, column_parent, predicate, consistency_level);
  _return = SliceResults(r, coordinator_->Read(r.table, r.keys, r.plan.filter, r.cl));
}

void CassandraHandler::multiget_count(std::map<std::string, int32_t>& _return,
                                      const std::vector<std::string>& keys,
                                      const gen::ColumnParent& column_parent,
                                      const gen::SlicePredicate& predicate,
                                      const gen::ConsistencyLevel::type consistency_level) {
  std::map<std::string, std::vector<gen::ColumnOrSuperColumn>> slices;
  multiget_slice(slices, keys, column_parent, predicate, consistency_level);
  for (const auto& [key, columns] : slices) {
    _return[key] = static_cast<int32_t>(columns.size());
  }
}

void CassandraHandler::get_range_slices(std::vector<gen::KeySlice>& _return,
                                        const gen::ColumnParent& column_parent,
                                        const gen::SlicePredicate& predicate,
                                        const gen::KeyRange& range,
                                        const gen::ConsistencyLevel::type consistency_level) {
  Target t = ResolveTable(column_parent.column_family);
  ValidateColumnParent(*t.table, column_parent);
  ValidatePredicate(*t.table, column_parent, predicate);
  const ring::Partitioner& p = db_->partitioner();
  ValidateKeyRange(p, range);
  if (range.__isset.row_filter) ValidateRowFilter(*t.table, range.row_filter);
  node::ConsistencyLevel cl = CheckConsistency(consistency_level, false);
  RefuseSuper(*t.table);
  ReadPlan plan = PlanFor(*t.table, predicate);
  const bool filtered = range.__isset.row_filter && !range.row_filter.empty();
  int32_t now = NowSeconds();
  // A row filter looks at every cell, so the replicas send whole partitions then.
  const CellFilter fetch = filtered ? CellFilter::All() : plan.filter;
  Status st = coordinator_->ScanRange(
      node::TableRef{t.keyspace, t.table}, BoundsFor(p, range), fetch, range.count, cl,
      [&](const DecoratedKey& k, PartitionUpdate raw) {
        if (filtered &&
            !MatchesRowFilter(*t.table, LiveCells(*t.table, raw, CellFilter::All(), now),
                              range.row_filter)) {
          return true;
        }
        // Partitions holding only tombstones come back as empty rows, as Cassandra's
        // Thrift range scans return them.
        gen::KeySlice slice;
        slice.key = k.key;
        slice.columns = ToThrift(Limit(LiveCells(*t.table, std::move(raw), plan.filter, now),
                                       plan.reversed, plan.count));
        _return.push_back(std::move(slice));
        return static_cast<int32_t>(_return.size()) < range.count;
      });
  if (!st.ok()) ThrowStatus(st);
}

void CassandraHandler::get_paged_slice(std::vector<gen::KeySlice>& _return,
                                       const std::string& column_family,
                                       const gen::KeyRange& range,
                                       const std::string& start_column,
                                       const gen::ConsistencyLevel::type consistency_level) {
  Target t = ResolveTable(column_family);
  const ring::Partitioner& p = db_->partitioner();
  ValidateKeyRange(p, range);
  node::ConsistencyLevel cl = CheckConsistency(consistency_level, false);
  if (range.__isset.row_filter && !range.row_filter.empty()) {
    ThrowInvalid("Cross-row paging is not supported along with index clauses");
  }
  RefuseSuper(*t.table);
  // count limits the cells returned across partitions (Cassandra 2.x paging); the first
  // partition starts at start_column.
  int32_t remaining = range.count;
  int32_t now = NowSeconds();
  bool first = true;
  Status st = coordinator_->ScanRange(
      node::TableRef{t.keyspace, t.table}, BoundsFor(p, range), CellFilter::All(),
      std::min<int32_t>(range.count, 1000), cl, [&](const DecoratedKey& k, PartitionUpdate raw) {
        CellFilter filter = first && range.__isset.start_key && !start_column.empty()
                                ? CellFilter::Slice(start_column, std::string())
                                : CellFilter::All();
        first = false;
        std::vector<Cell> cells =
            Limit(LiveCells(*t.table, std::move(raw), filter, now), false, remaining);
        remaining -= static_cast<int32_t>(cells.size());
        gen::KeySlice slice;
        slice.key = k.key;
        slice.columns = ToThrift(cells);
        _return.push_back(std::move(slice));
        return remaining > 0;
      });
  if (!st.ok()) ThrowStatus(st);
}

void CassandraHandler::get_indexed_slices(std::vector<gen::KeySlice>&,
                                          const gen::ColumnParent& column_parent,
                                          const gen::IndexClause& index_clause,
                                          const gen::SlicePredicate& column_predicate,
                                          const gen::ConsistencyLevel::type) {
  Target t = ResolveTable(column_parent.column_family);
  if (t.table->IsCounter()) {
    ThrowInvalid("invalid operation for commutative table " + column_parent.column_family);
  }
  ValidateColumnParent(*t.table, column_parent);
  ValidatePredicate(*t.table, column_parent, column_predicate);
  if (index_clause.expressions.empty()) ThrowInvalid("index clause list may not be empty");
  ValidateRowFilter(*t.table, index_clause.expressions);
  // Cairn builds no secondary indexes yet, so no expression can use one: Cassandra's
  // answer for a clause without an indexed column.
  ThrowInvalid("No indexed columns present in index clause with operator EQ");
}

void CassandraHandler::get_multi_slice(std::vector<gen::ColumnOrSuperColumn>& _return,
                                       const gen::MultiSliceRequest& request) {
  Target t = ResolveTable(request.column_parent.column_family);
  if (t.table->is_super) ThrowInvalid("get_multi_slice does not support super columns");
  ValidateColumnParent(*t.table, request.column_parent);
  node::ConsistencyLevel cl = CheckConsistency(request.consistency_level, false);
  const AbstractType& cmp = *t.table->metadata.comparator;
  std::vector<std::pair<std::string, std::string>> slices;  // [lo, hi] in comparator order
  for (size_t i = 0; i < request.column_slices.size(); ++i) {
    const gen::ColumnSlice& s = request.column_slices[i];
    std::string start = s.__isset.start ? s.start : std::string();
    std::string finish = s.__isset.finish ? s.finish : std::string();
    if (!start.empty() && !finish.empty()) {
      int c = cmp.Compare(start, finish);
      if (!request.reversed && c > 0) {
        ThrowInvalid("Column slice at index " + std::to_string(i) +
                     " had start greater than finish");
      }
      if (request.reversed && c < 0) {
        ThrowInvalid("Reversed column slice at index " + std::to_string(i) +
                     " had start less than finish");
      }
    }
    if (request.reversed) std::swap(start, finish);
    slices.emplace_back(std::move(start), std::move(finish));
  }
  ValidateKey(*t.table, request.key);
  auto r = coordinator_->Read(node::TableRef{t.keyspace, t.table}, {request.key},
                              CellFilter::All(), cl);
  if (!r.ok()) ThrowStatus(r.status());
  if (!(*r)[0].has_value()) return;
  std::vector<Cell> all =
      LiveCells(*t.table, std::move(*(*r)[0]), CellFilter::All(), NowSeconds());
  std::vector<Cell> selected;
  for (Cell& c : all) {
    for (const auto& [lo, hi] : slices) {
      if (CellFilter::Slice(lo, hi).Selects(c.name, cmp)) {
        selected.push_back(std::move(c));
        break;
      }
    }
  }
  _return = ToThrift(Limit(std::move(selected), request.reversed, request.count));
}

// --- Writes ------------------------------------------------------------------------

CassandraHandler::PreparedWrite CassandraHandler::PrepareInsert(
    const std::string& key, const gen::ColumnParent& column_parent, const gen::Column& column,
    gen::ConsistencyLevel::type consistency_level) const {
  Target t = ResolveTable(column_parent.column_family);
  if (t.table->IsCounter()) {
    ThrowInvalid("invalid operation for commutative table " + column_parent.column_family);
  }
  ValidateKey(*t.table, key);
  ValidateColumnParent(*t.table, column_parent);
  if (t.table->is_super && !column_parent.__isset.super_column) {
    ThrowInvalid("missing mandatory super column name for super CF " +
                 column_parent.column_family);
  }
  ValidateColumnNames(*t.table, SuperOf(column_parent), {column.name});
  ValidateColumnData(*t.table, column);
  PreparedWrite w;
  w.cl = CheckConsistency(consistency_level, true);
  RefuseSuper(*t.table);
  Mutation m;
  m.keyspace = t.keyspace->name;
  m.key = key;
  Mutation::Update u;
  u.table_id = t.table->metadata.id;
  u.update.cells.push_back(CellFromColumn(*t.table, column, NowSeconds()));
  m.updates.push_back(std::move(u));
  w.mutations.push_back(std::move(m));
  w.schema = std::move(t.schema);
  w.keyspace = t.keyspace;
  return w;
}

void CassandraHandler::insert(const std::string& key, const gen::ColumnParent& column_parent,
                              const gen::Column& column,
                              const gen::ConsistencyLevel::type consistency_level) {
  Execute(PrepareInsert(key, column_parent, column, consistency_level));
}

void CassandraHandler::Execute(PreparedWrite w) {
  node::WriteOutcome outcome;
  if (!w.mutations.empty()) {
    Status st = w.atomic ? coordinator_->MutateAtomically(*w.keyspace, std::move(w.mutations), w.cl,
                                                          &outcome)
                         : coordinator_->Mutate(*w.keyspace, std::move(w.mutations), w.cl, &outcome);
    if (!st.ok()) ThrowCoordinator(st, outcome);
  }
  for (node::CounterMutation& cm : w.counters) {
    Status st = coordinator_->MutateCounter(*w.keyspace, std::move(cm), w.cl, &outcome);
    if (!st.ok()) ThrowCoordinator(st, outcome);
  }
}

void CassandraHandler::add(const std::string& key, const gen::ColumnParent& column_parent,
                           const gen::CounterColumn& column,
                           const gen::ConsistencyLevel::type consistency_level) {
  Target t = ResolveTable(column_parent.column_family);
  if (!t.table->IsCounter()) {
    ThrowInvalid("invalid operation for non commutative table " + column_parent.column_family);
  }
  ValidateKey(*t.table, key);
  ValidateColumnParent(*t.table, column_parent);
  RefuseSuper(*t.table);
  ValidateColumnNames(*t.table, SuperOf(column_parent), {column.name});
  node::ConsistencyLevel cl = CheckConsistency(consistency_level, true);
  if (cl == node::ConsistencyLevel::ANY) {
    ThrowInvalid("Consistency level ANY is not yet supported for counter columnfamily " +
                 column_parent.column_family);
  }
  node::CounterMutation cm;
  cm.key = key;
  cm.table_id = t.table->metadata.id;
  cm.deltas.emplace_back(column.name, column.value);
  cm.timestamp = NowMicros();
  node::WriteOutcome outcome;
  Status st = coordinator_->MutateCounter(*t.keyspace, std::move(cm), cl, &outcome);
  if (!st.ok()) ThrowCoordinator(st, outcome);
}

void CassandraHandler::remove_counter(const std::string& key, const gen::ColumnPath& path,
                                      const gen::ConsistencyLevel::type consistency_level) {
  Target t = ResolveTable(path.column_family);
  if (!t.table->IsCounter()) {
    ThrowInvalid("invalid operation for non commutative table " + path.column_family);
  }
  ValidateKey(*t.table, key);
  ValidateColumnPathOrParent(*t.table, path);
  RefuseSuper(*t.table);
  node::ConsistencyLevel cl = CheckConsistency(consistency_level, true);
  // The server's clock, as Cassandra's remove_counter: a removed counter stays removed
  // (a tombstone beats counter cells whatever their timestamps).
  const int64_t timestamp = NowMicros();
  const int32_t now = NowSeconds();
  Mutation m;
  m.keyspace = t.keyspace->name;
  m.key = key;
  Mutation::Update u;
  u.table_id = t.table->metadata.id;
  if (path.__isset.column) {
    u.update.cells.push_back(Cell::Tombstone(path.column, timestamp, now));
  } else {
    u.update.deletion = DeletionTime{timestamp, now};
  }
  m.updates.push_back(std::move(u));
  std::vector<Mutation> ms;
  ms.push_back(std::move(m));
  node::WriteOutcome outcome;
  Status st = coordinator_->Mutate(*t.keyspace, std::move(ms), cl, &outcome);
  if (!st.ok()) ThrowCoordinator(st, outcome);
}

void CassandraHandler::cas(gen::CASResult& _return, const std::string& key,
                           const std::string& column_family,
                           const std::vector<gen::Column>& expected,
                           const std::vector<gen::Column>& updates,
                           const gen::ConsistencyLevel::type serial_consistency_level,
                           const gen::ConsistencyLevel::type commit_consistency_level) {
  Target t = ResolveTable(column_family);
  ValidateKey(*t.table, key);
  if (t.table->is_super) ThrowInvalid("CAS does not support supercolumns");
  if (t.table->IsCounter()) ThrowInvalid("Conditional updates are not supported on counter tables");
  std::vector<std::string> names;
  for (const gen::Column& c : updates) names.push_back(c.name);
  ValidateColumnNames(*t.table, nullptr, names);
  for (const gen::Column& c : updates) ValidateColumnData(*t.table, c);
  std::vector<std::string> expected_names;
  for (const gen::Column& c : expected) {
    if (!c.__isset.value) ThrowInvalid("Column value is required");
    expected_names.push_back(c.name);
  }
  ValidateColumnNames(*t.table, nullptr, expected_names);
  // The proxy checks the levels themselves (node/consistency.h ValidateForCas,
  // ValidateForCasCommit: Cassandra's messages).
  for (gen::ConsistencyLevel::type cl : {serial_consistency_level, commit_consistency_level}) {
    if (cl < gen::ConsistencyLevel::ONE || cl > gen::ConsistencyLevel::LOCAL_ONE) {
      ThrowInvalid("Invalid consistency level " + std::to_string(static_cast<int>(cl)));
    }
  }
  auto serial = static_cast<node::ConsistencyLevel>(static_cast<int>(serial_consistency_level));
  auto commit = static_cast<node::ConsistencyLevel>(static_cast<int>(commit_consistency_level));
  const int32_t now = NowSeconds();
  node::CasRequest request;
  request.key = key;
  for (const gen::Column& c : expected) request.expected.emplace_back(c.name, c.value);
  for (const gen::Column& c : updates) request.updates.cells.push_back(CellFromColumn(*t.table, c, now));
  request.updates.Normalize(*t.table->metadata.comparator, now);
  auto r = coordinator_->Cas(node::TableRef{t.keyspace, t.table}, std::move(request), serial, commit);
  if (!r.ok()) {
    node::WriteOutcome outcome;
    ThrowCoordinator(r.status(), outcome);
  }
  _return.success = r->success;
  if (!r->success) {
    std::vector<gen::Column> current;
    for (gen::ColumnOrSuperColumn& cosc : ToThrift(r->current)) current.push_back(std::move(cosc.column));
    _return.__set_current_values(std::move(current));
  }
}

CassandraHandler::PreparedWrite CassandraHandler::PrepareRemove(
    const std::string& key, const gen::ColumnPath& column_path, int64_t timestamp,
    gen::ConsistencyLevel::type consistency_level) const {
  Target t = ResolveTable(column_path.column_family);
  if (t.table->IsCounter()) {
    ThrowInvalid("invalid operation for commutative table " + column_path.column_family);
  }
  ValidateKey(*t.table, key);
  ValidateColumnPathOrParent(*t.table, column_path);
  PreparedWrite w;
  w.cl = CheckConsistency(consistency_level, true);
  RefuseSuper(*t.table);
  int32_t now = NowSeconds();
  Mutation m;
  m.keyspace = t.keyspace->name;
  m.key = key;
  Mutation::Update u;
  u.table_id = t.table->metadata.id;
  if (column_path.__isset.column) {
    u.update.cells.push_back(Cell::Tombstone(column_path.column, timestamp, now));
  } else {
    u.update.deletion = DeletionTime{timestamp, now};
  }
  m.updates.push_back(std::move(u));
  w.mutations.push_back(std::move(m));
  w.schema = std::move(t.schema);
  w.keyspace = t.keyspace;
  return w;
}

void CassandraHandler::remove(const std::string& key, const gen::ColumnPath& column_path,
                              const int64_t timestamp,
                              const gen::ConsistencyLevel::type consistency_level) {
  Execute(PrepareRemove(key, column_path, timestamp, consistency_level));
}

void CassandraHandler::batch_mutate(
    const std::map<std::string, std::map<std::string, std::vector<gen::Mutation>>>& mutation_map,
    const gen::ConsistencyLevel::type consistency_level) {
  Execute(PrepareBatch(mutation_map, consistency_level, /*atomic=*/false));
}

void CassandraHandler::atomic_batch_mutate(
    const std::map<std::string, std::map<std::string, std::vector<gen::Mutation>>>& mutation_map,
    const gen::ConsistencyLevel::type consistency_level) {
  // The batch as a whole is validated before anything is written, so a bad element
  // writes nothing; the batch log makes the rest all-or-nothing across nodes.
  Execute(PrepareBatch(mutation_map, consistency_level, /*atomic=*/true));
}

CassandraHandler::PreparedWrite CassandraHandler::PrepareBatch(
    const std::map<std::string, std::map<std::string, std::vector<gen::Mutation>>>& mutation_map,
    gen::ConsistencyLevel::type consistency_level, bool atomic) const {
  const std::string& ks_name = RequireKeyspace();
  int32_t now = NowSeconds();
  std::vector<Mutation> mutations;
  // (key, table) -> counter deltas, applied through the counter path after validation.
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<std::string, int64_t>>>
      counter_deltas;
  std::shared_ptr<const node::Schema> schema;
  for (const auto& [key, by_cf] : mutation_map) {
    Mutation m;
    m.keyspace = ks_name;
    m.key = key;
    for (const auto& [cf, muts] : by_cf) {
      Target t = ResolveTable(cf);
      schema = t.schema;
      ValidateKey(*t.table, key);
      Mutation::Update u;
      u.table_id = t.table->metadata.id;
      for (const gen::Mutation& mut : muts) {
        const bool has_cosc = mut.__isset.column_or_supercolumn;
        const bool has_del = mut.__isset.deletion;
        if (has_cosc == has_del) {
          ThrowInvalid("mutation must have one and only one of column_or_supercolumn or deletion");
        }
        if (has_cosc) {
          const gen::ColumnOrSuperColumn& cosc = mut.column_or_supercolumn;
          int set = cosc.__isset.column + cosc.__isset.super_column + cosc.__isset.counter_column +
                    cosc.__isset.counter_super_column;
          if (set != 1) {
            ThrowInvalid(
                "ColumnOrSuperColumn must have one (and only one) of column, super_column, "
                "counter and counter_super_column");
          }
          if ((cosc.__isset.column || cosc.__isset.super_column) && t.table->IsCounter()) {
            ThrowInvalid("invalid operation for commutative table " + cf);
          }
          if ((cosc.__isset.counter_column || cosc.__isset.counter_super_column) &&
              !t.table->IsCounter()) {
            ThrowInvalid("invalid operation for non commutative table " + cf);
          }
          if (cosc.__isset.column) {
            ValidateTtl(cosc.column);
            gen::ColumnPath path;
            path.column_family = cf;
            path.__set_column(cosc.column.name);
            ValidateColumnPath(*t.table, path);
            ValidateColumnData(*t.table, cosc.column);
            RefuseSuper(*t.table);
            u.update.cells.push_back(CellFromColumn(*t.table, cosc.column, now));
          } else if (cosc.__isset.super_column) {
            for (const gen::Column& c : cosc.super_column.columns) {
              gen::ColumnPath path;
              path.column_family = cf;
              path.__set_super_column(cosc.super_column.name);
              path.__set_column(c.name);
              ValidateColumnPath(*t.table, path);
              ValidateColumnData(*t.table, c);
            }
            RefuseSuper(*t.table);
          } else if (cosc.__isset.counter_column) {
            ValidateColumnNames(*t.table, nullptr, {cosc.counter_column.name});
            RefuseSuper(*t.table);
            counter_deltas[{key, cf}].emplace_back(cosc.counter_column.name,
                                                   cosc.counter_column.value);
          } else {
            RefuseSuper(*t.table);
          }
        } else {
          const gen::Deletion& del = mut.deletion;
          if (del.__isset.super_column) ValidateColumnNames(*t.table, nullptr, {del.super_column});
          if (del.__isset.predicate) {
            ValidateSlicePredicate(*t.table,
                                   del.__isset.super_column ? &del.super_column : nullptr,
                                   del.predicate);
          }
          if (!t.table->is_super && del.__isset.super_column) {
            ThrowInvalid("Deletion of super columns is not possible on a standard table "
                         "(KeySpace=" + ks_name + " Table=" + cf +
                         " Deletion=Deletion(timestamp:" + std::to_string(del.timestamp) +
                         ", super_column:" + BytesToHex(del.super_column) + "))");
          }
          const bool counter = t.table->IsCounter();
          if (!counter && !del.__isset.timestamp) {
            ThrowInvalid("Deletion timestamp is not optional for non commutative table " + cf);
          }
          RefuseSuper(*t.table);
          // Counter deletions use the server's clock (Cassandra ignores theirs).
          DeletionTime dt{counter ? NowMicros() : del.timestamp, now};
          if (del.__isset.predicate && del.predicate.__isset.column_names) {
            for (const std::string& name : del.predicate.column_names) {
              u.update.cells.push_back(Cell::Tombstone(name, dt.marked_for_delete_at, now));
            }
          } else if (del.__isset.predicate && del.predicate.__isset.slice_range) {
            const gen::SliceRange& r = del.predicate.slice_range;
            RangeTombstone rt;
            // Bounds in comparator order whatever `reversed` says.
            rt.start = r.reversed ? r.finish : r.start;
            rt.end = r.reversed ? r.start : r.finish;
            rt.deletion = dt;
            u.update.range_tombstones.push_back(std::move(rt));
          } else {
            u.update.deletion.Merge(dt);
          }
        }
      }
      if (!u.update.empty()) m.updates.push_back(std::move(u));
    }
    if (!m.updates.empty()) mutations.push_back(std::move(m));
  }
  // Cassandra checks the consistency level against the session keyspace.
  if (schema == nullptr) schema = db_->schema();
  const node::KeyspaceSchema* ks = schema->FindKeyspace(ks_name);
  if (ks == nullptr) {
    if (!node::IsSystemKeyspace(ks_name)) ThrowInvalid("Keyspace " + ks_name + " does not exist");
    for (const node::KeyspaceSchema& s : node::SystemKeyspaces()) {
      if (s.name == ks_name) ks = &s;
    }
  }
  node::ConsistencyLevel cl = CheckConsistency(consistency_level, true);
  if (!counter_deltas.empty()) {
    if (atomic) ThrowInvalid("Counter mutations are not allowed in atomic batches");
    if (cl == node::ConsistencyLevel::ANY) {
      ThrowInvalid("Consistency level ANY is not yet supported for counter columnfamily " +
                   counter_deltas.begin()->first.second);
    }
  }
  PreparedWrite w;
  w.mutations = std::move(mutations);
  w.cl = cl;
  w.atomic = atomic;
  for (auto& [where, deltas] : counter_deltas) {
    node::CounterMutation cm;
    cm.key = where.first;
    cm.table_id = ResolveTable(where.second).table->metadata.id;
    cm.deltas = std::move(deltas);
    cm.timestamp = NowMicros();
    w.counters.push_back(std::move(cm));
  }
  w.schema = std::move(schema);
  w.keyspace = ks;
  return w;
}

// --- Asynchronous writes ---------------------------------------------------------------

template <typename ResultT>
void CassandraHandler::ExecuteAsync(const char* name, int32_t seqid, PreparedWrite w,
                                    Reply reply) {
  if (w.mutations.empty()) {
    reply(EncodeReply(name, seqid, ResultT{}));
    return;
  }
  coordinator_->MutateAsync(
      *w.keyspace, std::move(w.mutations), w.cl,
      [name, seqid, reply = std::move(reply)](const Status& st, const node::WriteOutcome& outcome) {
        if (st.ok()) {
          reply(EncodeReply(name, seqid, ResultT{}));
          return;
        }
        reply(*ReplyIfThrows<ResultT>(name, seqid, [&] { ThrowCoordinator(st, outcome); }));
      });
}

template <typename ArgsT, typename ResultT, typename Prepare, typename Convert>
bool CassandraHandler::ReadAsync(const char* name, int32_t seqid, at::protocol::TProtocol* in,
                                 Reply reply, Prepare prepare, Convert convert) {
  ArgsT args;
  args.read(in);
  in->readMessageEnd();
  in->getTransport()->readEnd();
  auto r = std::make_shared<PreparedRead>();
  if (auto err = ReplyIfThrows<ResultT>(name, seqid, [&] { *r = prepare(args); })) {
    reply(std::move(*err));
    return true;
  }
  const node::TableRef table = r->table;
  std::vector<std::string> keys = r->keys;
  CellFilter filter = r->plan.filter;
  const node::ConsistencyLevel cl = r->cl;
  coordinator_->ReadAsync(
      table, std::move(keys), std::move(filter), cl,
      [name, seqid, r, reply = std::move(reply), convert](node::Coordinator::ReadResult read) {
        ResultT result;
        auto err = ReplyIfThrows<ResultT>(name, seqid, [&] {
          convert(*r, std::move(read), &result);
          result.__isset.success = true;
        });
        reply(err.has_value() ? std::move(*err) : EncodeReply(name, seqid, result));
      });
  return true;
}

bool CassandraHandler::DispatchAsync(const std::string& name, int32_t seqid,
                                     at::protocol::TProtocol* in, Reply reply) {
  // Reads the arguments as the generated processor does (a missing required argument
  // throws TProtocolException: the server answers PROTOCOL_ERROR), then validates.
  auto run = [&]<typename ArgsT, typename ResultT>(const char* method, auto prepare) {
    ArgsT args;
    args.read(in);
    in->readMessageEnd();
    in->getTransport()->readEnd();
    PreparedWrite w;
    if (auto err = ReplyIfThrows<ResultT>(method, seqid, [&] { w = prepare(args); })) {
      reply(std::move(*err));
      return true;
    }
    if (!w.counters.empty()) {
      // Counter batches lock and read on their leader: the synchronous path, here.
      auto done = ReplyIfThrows<ResultT>(method, seqid, [&] { Execute(std::move(w)); });
      reply(done.has_value() ? std::move(*done) : EncodeReply(method, seqid, ResultT{}));
      return true;
    }
    ExecuteAsync<ResultT>(method, seqid, std::move(w), std::move(reply));
    return true;
  };
  if (name == "insert") {
    return run.operator()<gen::Cassandra_insert_args, gen::Cassandra_insert_result>(
        "insert", [this](const gen::Cassandra_insert_args& a) {
          return PrepareInsert(a.key, a.column_parent, a.column, a.consistency_level);
        });
  }
  if (name == "remove") {
    return run.operator()<gen::Cassandra_remove_args, gen::Cassandra_remove_result>(
        "remove", [this](const gen::Cassandra_remove_args& a) {
          return PrepareRemove(a.key, a.column_path, a.timestamp, a.consistency_level);
        });
  }
  if (name == "get") {
    return ReadAsync<gen::Cassandra_get_args, gen::Cassandra_get_result>(
        "get", seqid, in, std::move(reply),
        [this](const gen::Cassandra_get_args& a) {
          return PrepareGet(a.key, a.column_path, a.consistency_level);
        },
        [](const PreparedRead& r, node::Coordinator::ReadResult read,
           gen::Cassandra_get_result* out) { out->success = GetResult(r, std::move(read)); });
  }
  if (name == "get_slice") {
    return ReadAsync<gen::Cassandra_get_slice_args, gen::Cassandra_get_slice_result>(
        "get_slice", seqid, in, std::move(reply),
        [this](const gen::Cassandra_get_slice_args& a) {
          return PrepareMultiget({a.key}, a.column_parent, a.predicate, a.consistency_level);
        },
        [](const PreparedRead& r, node::Coordinator::ReadResult read,
           gen::Cassandra_get_slice_result* out) {
          out->success = std::move(SliceResults(r, std::move(read))[r.keys[0]]);
        });
  }
  if (name == "get_count") {
    return ReadAsync<gen::Cassandra_get_count_args, gen::Cassandra_get_count_result>(
        "get_count", seqid, in, std::move(reply),
        [this](const gen::Cassandra_get_count_args& a) {
          return PrepareMultiget({a.key}, a.column_parent, a.predicate, a.consistency_level);
        },
        [](const PreparedRead& r, node::Coordinator::ReadResult read,
           gen::Cassandra_get_count_result* out) {
          out->success =
              static_cast<int32_t>(SliceResults(r, std::move(read))[r.keys[0]].size());
        });
  }
  if (name == "multiget_slice") {
    return ReadAsync<gen::Cassandra_multiget_slice_args, gen::Cassandra_multiget_slice_result>(
        "multiget_slice", seqid, in, std::move(reply),
        [this](const gen::Cassandra_multiget_slice_args& a) {
          return PrepareMultiget(a.keys, a.column_parent, a.predicate, a.consistency_level);
        },
        [](const PreparedRead& r, node::Coordinator::ReadResult read,
           gen::Cassandra_multiget_slice_result* out) {
          out->success = SliceResults(r, std::move(read));
        });
  }
  if (name == "multiget_count") {
    return ReadAsync<gen::Cassandra_multiget_count_args, gen::Cassandra_multiget_count_result>(
        "multiget_count", seqid, in, std::move(reply),
        [this](const gen::Cassandra_multiget_count_args& a) {
          return PrepareMultiget(a.keys, a.column_parent, a.predicate, a.consistency_level);
        },
        [](const PreparedRead& r, node::Coordinator::ReadResult read,
           gen::Cassandra_multiget_count_result* out) {
          for (const auto& [key, columns] : SliceResults(r, std::move(read))) {
            out->success[key] = static_cast<int32_t>(columns.size());
          }
        });
  }
  if (name == "batch_mutate") {
    return run.operator()<gen::Cassandra_batch_mutate_args, gen::Cassandra_batch_mutate_result>(
        "batch_mutate", [this](const gen::Cassandra_batch_mutate_args& a) {
          return PrepareBatch(a.mutation_map, a.consistency_level, /*atomic=*/false);
        });
  }
  return false;
}

void CassandraHandler::truncate(const std::string& cfname) {
  Target t = ResolveTable(cfname);
  Status st = coordinator_->Truncate(t.keyspace->name, cfname);
  if (!st.ok()) ThrowStatus(st);
}

// --- Description -------------------------------------------------------------------

void CassandraHandler::describe_schema_versions(
    std::map<std::string, std::vector<std::string>>& _return) {
  if (context_->cluster != nullptr) {
    // Per endpoint from gossip; down peers under "UNREACHABLE" (Cassandra's
    // StorageProxy.describeSchemaVersions).
    _return = context_->cluster->SchemaVersions();
    return;
  }
  _return[db_->schema()->version].push_back(context_->listen_address);
}

void CassandraHandler::describe_keyspaces(std::vector<gen::KsDef>& _return) {
  for (const node::KeyspaceSchema& ks : node::SystemKeyspaces()) {
    _return.push_back(KeyspaceToThrift(ks));
  }
  auto schema = db_->schema();
  for (const auto& [name, ks] : schema->keyspaces) _return.push_back(KeyspaceToThrift(ks));
}

void CassandraHandler::describe_keyspace(gen::KsDef& _return, const std::string& keyspace) {
  for (const node::KeyspaceSchema& ks : node::SystemKeyspaces()) {
    if (ks.name == keyspace) {
      _return = KeyspaceToThrift(ks);
      return;
    }
  }
  auto schema = db_->schema();
  const node::KeyspaceSchema* ks = schema->FindKeyspace(keyspace);
  if (ks == nullptr) throw gen::NotFoundException();
  _return = KeyspaceToThrift(*ks);
}

void CassandraHandler::describe_cluster_name(std::string& _return) {
  _return = context_->cluster_name;
}

void CassandraHandler::describe_version(std::string& _return) {
  _return = gen::g_cassandra_constants.VERSION;  // "20.1.0"
}

void CassandraHandler::describe_partitioner(std::string& _return) {
  _return = std::string(db_->partitioner().Name());
}

void CassandraHandler::describe_snitch(std::string& _return) { _return = context_->snitch; }

void CassandraHandler::DescribeRing(std::vector<gen::TokenRange>& out,
                                    const std::string& keyspace, bool local_only) {
  auto schema = db_->schema();
  const node::KeyspaceSchema* ks = schema->FindKeyspace(keyspace);
  if (ks == nullptr || keyspace.empty()) {
    for (const node::KeyspaceSchema& s : node::SystemKeyspaces()) {
      if (s.name == keyspace && s.strategy_class.find("LocalStrategy") == std::string::npos) {
        ks = &s;
      }
    }
  }
  if (ks == nullptr) ThrowInvalid("There is no ring for the keyspace: " + keyspace);
  if (context_->cluster != nullptr && DescribeClusterRing(out, *ks, local_only)) return;
  // A single node is always in the local datacenter.
  node::ReplicaCounts rc = node::CountReplicas(*ks, db_->options().datacenter);
  const bool replicates = rc.local_dc > 0;
  const ring::Partitioner& p = db_->partitioner();
  const std::vector<Token>& tokens = db_->tokens();
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& prev = tokens[(i + tokens.size() - 1) % tokens.size()];
    gen::TokenRange r;
    r.start_token = p.TokenToString(prev);
    r.end_token = p.TokenToString(tokens[i]);
    std::vector<gen::EndpointDetails> details;
    std::vector<std::string> rpc;
    if (replicates) {
      r.endpoints.push_back(context_->listen_address);
      rpc.push_back(context_->rpc_address);
      gen::EndpointDetails d;
      d.host = context_->listen_address;
      d.datacenter = db_->options().datacenter;
      d.__set_rack(db_->options().rack);
      details.push_back(std::move(d));
    }
    r.__set_rpc_endpoints(std::move(rpc));
    r.__set_endpoint_details(std::move(details));
    out.push_back(std::move(r));
  }
}

bool CassandraHandler::DescribeClusterRing(std::vector<gen::TokenRange>& out,
                                           const node::KeyspaceSchema& ks, bool local_only) {
  const node::ClusterView& cluster = *context_->cluster;
  auto tm = cluster.token_metadata();
  if (tm->empty()) return false;  // not joined yet: this node's own tokens
  auto snitch = cluster.snitch();
  auto strategy =
      ring::ReplicationStrategy::Create(ks.strategy_class, ks.strategy_options, snitch, ks.name);
  if (!strategy.ok()) return false;  // a class the ring does not implement: single-node view
  const std::string local_dc = snitch->GetDatacenter(cluster.local_endpoint());
  const ring::Partitioner& p = db_->partitioner();
  const std::vector<Token>& tokens = tm->SortedTokens();
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& prev = tokens[(i + tokens.size() - 1) % tokens.size()];
    gen::TokenRange r;
    r.start_token = p.TokenToString(prev);
    r.end_token = p.TokenToString(tokens[i]);
    std::vector<gen::EndpointDetails> details;
    std::vector<std::string> rpc;
    for (const std::string& endpoint : (*strategy)->GetNaturalEndpoints(tokens[i], *tm)) {
      const std::string dc = snitch->GetDatacenter(endpoint);
      if (local_only && dc != local_dc) continue;
      r.endpoints.push_back(endpoint);
      rpc.push_back(cluster.RpcAddress(endpoint));
      gen::EndpointDetails d;
      d.host = endpoint;
      d.datacenter = dc;
      d.__set_rack(snitch->GetRack(endpoint));
      details.push_back(std::move(d));
    }
    r.__set_rpc_endpoints(std::move(rpc));
    r.__set_endpoint_details(std::move(details));
    out.push_back(std::move(r));
  }
  return true;
}

void CassandraHandler::describe_ring(std::vector<gen::TokenRange>& _return,
                                     const std::string& keyspace) {
  DescribeRing(_return, keyspace, false);
}

void CassandraHandler::describe_local_ring(std::vector<gen::TokenRange>& _return,
                                           const std::string& keyspace) {
  DescribeRing(_return, keyspace, true);
}

void CassandraHandler::describe_token_map(std::map<std::string, std::string>& _return) {
  if (context_->cluster != nullptr) {
    auto tm = context_->cluster->token_metadata();
    if (!tm->empty()) {
      for (size_t i = 0; i < tm->SortedTokens().size(); ++i) {
        _return[db_->partitioner().TokenToString(tm->SortedTokens()[i])] = tm->SortedOwners()[i];
      }
      return;
    }
  }
  for (const Token& t : db_->tokens()) {
    _return[db_->partitioner().TokenToString(t)] = context_->listen_address;
  }
}

void CassandraHandler::describe_splits(std::vector<std::string>& _return,
                                       const std::string& cfName, const std::string& start_token,
                                       const std::string& end_token,
                                       const int32_t keys_per_split) {
  std::vector<gen::CfSplit> splits;
  describe_splits_ex(splits, cfName, start_token, end_token, keys_per_split);
  _return.push_back(splits.front().start_token);
  for (const gen::CfSplit& s : splits) _return.push_back(s.end_token);
}

void CassandraHandler::describe_splits_ex(std::vector<gen::CfSplit>& _return,
                                          const std::string& cfName,
                                          const std::string& start_token,
                                          const std::string& end_token,
                                          const int32_t keys_per_split) {
  Target t = ResolveTable(cfName);
  if (keys_per_split <= 0) ThrowInvalid("keys_per_split must be positive");
  const ring::Partitioner& p = db_->partitioner();
  gen::KeyRange range;
  range.__set_start_token(start_token);
  range.__set_end_token(end_token);
  std::vector<node::KeyBounds> bounds = BoundsFor(p, range);
  auto store = db_->Store(t.table->metadata.id);
  if (store == nullptr) ThrowInvalid("unconfigured table " + cfName);
  // Cut the range after every keys_per_split partitions, at the token of the last key of
  // each piece (never inside a run of equal tokens).
  std::string split_start = start_token;
  int64_t in_split = 0;
  std::optional<Token> last_token;
  LocalScan(*store, bounds, [&](const DecoratedKey& k) {
    if (in_split >= keys_per_split && last_token.has_value() && k.token != *last_token) {
      gen::CfSplit s;
      s.start_token = split_start;
      s.end_token = p.TokenToString(*last_token);
      s.row_count = in_split;
      split_start = s.end_token;
      _return.push_back(std::move(s));
      in_split = 0;
    }
    ++in_split;
    last_token = k.token;
    return true;
  });
  gen::CfSplit s;
  s.start_token = split_start;
  s.end_token = end_token;
  s.row_count = in_split;
  _return.push_back(std::move(s));
}

void CassandraHandler::trace_next_query(std::string&) {
  // The IDL declares no exception here, so the refusal travels as a
  // TApplicationException, which every client surfaces as an error.
  throw ::apache::thrift::TApplicationException(
      ::apache::thrift::TApplicationException::INTERNAL_ERROR,
      "trace_next_query is not supported by Cairn yet: query tracing is not implemented");
}

// --- Schema ------------------------------------------------------------------------

void CassandraHandler::system_add_column_family(std::string& _return,
                                                const gen::CfDef& cf_def) {
  RequireKeyspace();  // Cassandra checks access against the session keyspace first
  node::TableSchema t = TableFromThrift(cf_def);
  auto r = db_->AddTable(std::move(t));
  if (!r.ok()) ThrowStatus(r.status());
  _return = *r;
}

void CassandraHandler::system_drop_column_family(std::string& _return,
                                                 const std::string& column_family) {
  if (node::IsSystemKeyspace(keyspace_)) {
    ThrowInvalid(keyspace_ + " keyspace is not user-modifiable");
  }
  Target t = ResolveTable(column_family);
  auto r = db_->DropTable(t.keyspace->name, column_family);
  if (!r.ok()) ThrowStatus(r.status());
  _return = *r;
}

void CassandraHandler::system_add_keyspace(std::string& _return, const gen::KsDef& ks_def) {
  if (ks_def.name == "system" || ks_def.name == "system_schema") {
    ThrowInvalid(ks_def.name + " keyspace is not user-modifiable");
  }
  node::KeyspaceSchema ks = KeyspaceFromThrift(ks_def);
  auto r = db_->AddKeyspace(std::move(ks));
  if (!r.ok()) ThrowStatus(r.status());
  _return = *r;
}

void CassandraHandler::system_drop_keyspace(std::string& _return, const std::string& keyspace) {
  auto r = db_->DropKeyspace(keyspace);
  if (!r.ok()) ThrowStatus(r.status());
  if (keyspace_ == keyspace) keyspace_.clear();
  _return = *r;
}

void CassandraHandler::system_update_keyspace(std::string& _return, const gen::KsDef& ks_def) {
  if (node::IsSystemKeyspace(ks_def.name)) {
    ThrowInvalid(ks_def.name + " keyspace is not user-modifiable");
  }
  if (db_->schema()->FindKeyspace(ks_def.name) == nullptr) {
    ThrowInvalid("Keyspace " + ks_def.name + " does not exist");
  }
  if (!ks_def.cf_defs.empty()) {
    ThrowInvalid("Keyspace update must not contain any table definitions.");
  }
  auto r = db_->UpdateKeyspace(KeyspaceFromThrift(ks_def));
  if (!r.ok()) ThrowStatus(r.status());
  _return = *r;
}

void CassandraHandler::system_update_column_family(std::string& _return,
                                                   const gen::CfDef& cf_def) {
  if (node::IsSystemKeyspace(cf_def.keyspace)) {
    ThrowInvalid(cf_def.keyspace + " keyspace is not user-modifiable");
  }
  if (db_->schema()->FindTable(cf_def.keyspace, cf_def.name) == nullptr) {
    ThrowInvalid("Could not find table definition to modify.");
  }
  auto r = db_->UpdateTable(TableFromThrift(cf_def));
  if (!r.ok()) ThrowStatus(r.status());
  _return = *r;
}

// --- CQL -----------------------------------------------------------------------------

void CassandraHandler::execute_cql_query(gen::CqlResult&, const std::string&,
                                         const gen::Compression::type) {
  ThrowInvalid("CQL2 has been removed in Cassandra 3.0. Please use CQL3 instead");
}

void CassandraHandler::prepare_cql_query(gen::CqlPreparedResult&, const std::string&,
                                         const gen::Compression::type) {
  ThrowInvalid("CQL2 has been removed in Cassandra 3.0. Please use CQL3 instead");
}

void CassandraHandler::execute_prepared_cql_query(gen::CqlResult&, const int32_t,
                                                  const std::vector<std::string>&) {
  ThrowInvalid("CQL2 has been removed in Cassandra 3.0. Please use CQL3 instead");
}

void CassandraHandler::execute_cql3_query(gen::CqlResult&, const std::string&,
                                          const gen::Compression::type,
                                          const gen::ConsistencyLevel::type) {
  NotSupported("CQL (execute_cql3_query)");
}

void CassandraHandler::prepare_cql3_query(gen::CqlPreparedResult&, const std::string&,
                                          const gen::Compression::type) {
  NotSupported("CQL (prepare_cql3_query)");
}

void CassandraHandler::execute_prepared_cql3_query(gen::CqlResult&, const int32_t,
                                                   const std::vector<std::string>&,
                                                   const gen::ConsistencyLevel::type) {
  NotSupported("CQL (execute_prepared_cql3_query)");
}

}  // namespace cairn::thrift
