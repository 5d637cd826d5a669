// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Keys, values, request frames and reply classification (workload.h).
#include "tools/stress/workload.h"

#include <thrift/TApplicationException.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <charconv>
#include <cstring>

namespace cairn::stress {

namespace at = ::apache::thrift;

const char* ErrorKindName(ErrorKind k) {
  switch (k) {
    case ErrorKind::kNone:
      return "none";
    case ErrorKind::kUnavailable:
      return "unavailable";
    case ErrorKind::kTimedOut:
      return "timed_out";
    case ErrorKind::kClientTimeout:
      return "client_timeout";
    case ErrorKind::kInvalid:
      return "invalid_request";
    case ErrorKind::kCorrupt:
      return "corrupt";
    case ErrorKind::kMissing:
      return "missing";
    case ErrorKind::kConnection:
      return "connection";
    case ErrorKind::kOther:
      return "other";
  }
  return "?";
}

std::string KeyName(uint64_t id) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%010llu", static_cast<unsigned long long>(id));
  return buf;
}

bool ParseKeyName(std::string_view key, uint64_t* id) {
  if (key.size() != 10) return false;
  auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), *id);
  return ec == std::errc() && p == key.data() + key.size();
}

std::string ColumnName(int index) { return "C" + std::to_string(index); }

bool ParseColumnName(std::string_view name, int* index) {
  if (name.size() < 2 || name[0] != 'C') return false;
  if (name.size() > 2 && name[1] == '0') return false;  // "C01" is not a name we write
  auto [p, ec] = std::from_chars(name.data() + 1, name.data() + name.size(), *index);
  return ec == std::errc() && p == name.data() + name.size() && *index >= 0;
}

int ColumnsFor(const Distribution& columns, uint64_t key) {
  if (columns.kind() == Distribution::Kind::kFixed) return static_cast<int>(columns.min());
  Rng rng(Mix64(key, 0xc01c0u));
  return static_cast<int>(columns.Sample(rng));
}

void ValueFor(const Distribution& cell_size, uint64_t key, int index, std::string* out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const uint64_t seed = Mix64(key, static_cast<uint64_t>(index));
  size_t size = cell_size.min();
  if (cell_size.kind() != Distribution::Kind::kFixed) {
    Rng size_rng(Mix64(seed, 0x51e5u));
    size = cell_size.Sample(size_rng);
  }
  out->resize(size);
  Rng rng(seed);
  for (size_t i = 0; i < size;) {
    uint64_t bits = rng.Next();
    for (int j = 0; j < 10 && i < size; ++j, ++i, bits >>= 6) (*out)[i] = kAlphabet[bits & 63];
  }
}

RequestCodec::RequestCodec()
    : wbuf_(std::make_shared<at::transport::TMemoryBuffer>()),
      rbuf_(std::make_shared<at::transport::TMemoryBuffer>()),
      // Strict read and write, as Cassandra's server requires.
      wproto_(std::make_unique<at::protocol::TBinaryProtocol>(wbuf_, 0, 0, true, true)),
      rproto_(std::make_unique<at::protocol::TBinaryProtocol>(rbuf_, 0, 0, true, true)) {}

RequestCodec::~RequestCodec() = default;

template <typename Args>
void RequestCodec::Encode(const char* method, int32_t seqid, const Args& args, std::string* frame) {
  wbuf_->resetBuffer();
  wproto_->writeMessageBegin(method, at::protocol::T_CALL, seqid);
  args.write(wproto_.get());
  wproto_->writeMessageEnd();
  uint8_t* p = nullptr;
  uint32_t n = 0;
  wbuf_->getBuffer(&p, &n);
  frame->resize(4 + size_t{n});
  (*frame)[0] = static_cast<char>(n >> 24);
  (*frame)[1] = static_cast<char>(n >> 16);
  (*frame)[2] = static_cast<char>(n >> 8);
  (*frame)[3] = static_cast<char>(n);
  std::memcpy(frame->data() + 4, p, n);
}

void RequestCodec::EncodeSetKeyspace(int32_t seqid, const std::string& keyspace,
                                     std::string* frame) {
  gen::Cassandra_set_keyspace_pargs args;
  args.keyspace = &keyspace;
  Encode("set_keyspace", seqid, args, frame);
}

void RequestCodec::EncodeBatchMutate(
    int32_t seqid,
    const std::map<std::string, std::map<std::string, std::vector<gen::Mutation>>>& m, int32_t cl,
    std::string* frame) {
  gen::Cassandra_batch_mutate_pargs args;
  const auto level = static_cast<gen::ConsistencyLevel::type>(cl);
  args.mutation_map = &m;
  args.consistency_level = &level;
  Encode("batch_mutate", seqid, args, frame);
}

void RequestCodec::EncodeGetSlice(int32_t seqid, const std::string& key, const std::string& cf,
                                  int32_t count, int32_t cl, std::string* frame) {
  gen::ColumnParent parent;
  parent.column_family = cf;
  gen::SlicePredicate predicate;
  gen::SliceRange range;
  range.count = count;
  predicate.__set_slice_range(range);
  const auto level = static_cast<gen::ConsistencyLevel::type>(cl);
  gen::Cassandra_get_slice_pargs args;
  args.key = &key;
  args.column_parent = &parent;
  args.predicate = &predicate;
  args.consistency_level = &level;
  Encode("get_slice", seqid, args, frame);
}

void RequestCodec::EncodeGetRangeSlices(int32_t seqid, const std::string& cf,
                                        const std::string& start_key, int32_t rows, int32_t columns,
                                        int32_t cl, std::string* frame) {
  gen::ColumnParent parent;
  parent.column_family = cf;
  gen::SlicePredicate predicate;
  gen::SliceRange slice;
  slice.count = columns;
  predicate.__set_slice_range(slice);
  gen::KeyRange range;
  // Keys, start inclusive, end empty = to the end of the ring (in token order); the
  // next page starts at the last key returned, as pycassa's get_range pages.
  range.__set_start_key(start_key);
  range.__set_end_key("");
  range.count = rows;
  const auto level = static_cast<gen::ConsistencyLevel::type>(cl);
  gen::Cassandra_get_range_slices_pargs args;
  args.column_parent = &parent;
  args.predicate = &predicate;
  args.range = &range;
  args.consistency_level = &level;
  Encode("get_range_slices", seqid, args, frame);
}

template <typename PResult>
Reply RequestCodec::Decode(const uint8_t* body, size_t n, int32_t seqid, PResult* result,
                           bool has_success) {
  rbuf_->resetBuffer(const_cast<uint8_t*>(body), static_cast<uint32_t>(n),
                     at::transport::TMemoryBuffer::OBSERVE);
  try {
    std::string name;
    at::protocol::TMessageType type;
    int32_t reply_seqid = 0;
    rproto_->readMessageBegin(name, type, reply_seqid);
    if (type == at::protocol::T_EXCEPTION) {
      at::TApplicationException x;
      x.read(rproto_.get());
      return {ErrorKind::kOther, std::string("TApplicationException: ") + x.what()};
    }
    if (type != at::protocol::T_REPLY) return {ErrorKind::kOther, "unexpected message type"};
    if (reply_seqid != seqid) {
      return {ErrorKind::kOther, "reply sequence id " + std::to_string(reply_seqid) +
                                     " for request " + std::to_string(seqid)};
    }
    result->read(rproto_.get());
    rproto_->readMessageEnd();
  } catch (const at::TException& e) {
    return {ErrorKind::kOther, std::string("undecodable reply: ") + e.what()};
  }
  if (result->__isset.ire) return {ErrorKind::kInvalid, result->ire.why};
  if constexpr (requires { result->__isset.ue; }) {
    if (result->__isset.ue) return {ErrorKind::kUnavailable, "UnavailableException"};
    if (result->__isset.te) {
      std::string m = "TimedOutException";
      if (result->te.__isset.acknowledged_by) {
        m += " (acknowledged_by " + std::to_string(result->te.acknowledged_by) + ")";
      }
      return {ErrorKind::kTimedOut, m};
    }
  }
  if constexpr (requires { result->__isset.success; }) {
    if (has_success && !result->__isset.success) {
      return {ErrorKind::kOther, "reply without a result"};
    }
  }
  return {};
}

Reply RequestCodec::DecodeVoid(const uint8_t* body, size_t n, int32_t seqid, bool set_keyspace) {
  if (set_keyspace) {
    gen::Cassandra_set_keyspace_presult r;
    return Decode(body, n, seqid, &r, false);
  }
  gen::Cassandra_batch_mutate_presult r;
  return Decode(body, n, seqid, &r, false);
}

Reply RequestCodec::DecodeGetSlice(const uint8_t* body, size_t n, int32_t seqid,
                                   std::vector<gen::ColumnOrSuperColumn>* out) {
  gen::Cassandra_get_slice_presult r;
  r.success = out;
  out->clear();
  return Decode(body, n, seqid, &r, true);
}

Reply RequestCodec::DecodeGetRangeSlices(const uint8_t* body, size_t n, int32_t seqid,
                                         std::vector<gen::KeySlice>* out) {
  gen::Cassandra_get_range_slices_presult r;
  r.success = out;
  out->clear();
  return Decode(body, n, seqid, &r, true);
}

Reply VerifyPartition(const StressOptions& o, uint64_t key,
                      const std::vector<gen::ColumnOrSuperColumn>& cells, bool expect_present) {
  const std::string k = KeyName(key);
  if (cells.empty()) {
    if (!expect_present) return {};
    return {ErrorKind::kMissing, "partition " + k + " not found"};
  }
  std::string expected;
  size_t good = 0;
  for (const gen::ColumnOrSuperColumn& c : cells) {
    if (!c.__isset.column) {
      return {ErrorKind::kCorrupt, "partition " + k + ": a cell that is not a standard column"};
    }
    int index = 0;
    if (!ParseColumnName(c.column.name, &index)) {
      return {ErrorKind::kCorrupt,
              "partition " + k + ": unexpected column name '" + c.column.name.substr(0, 40) + "'"};
    }
    ValueFor(o.cell_size, key, index, &expected);
    if (c.column.value != expected) {
      return {ErrorKind::kCorrupt,
              "partition " + k + " column " + c.column.name + ": read " +
                  std::to_string(c.column.value.size()) + " bytes '" +
                  c.column.value.substr(0, 16) + (c.column.value.size() > 16 ? "...'" : "'") +
                  ", wrote " + std::to_string(expected.size()) + " bytes '" +
                  expected.substr(0, 16) + (expected.size() > 16 ? "...'" : "'")};
    }
    if (index < ColumnsFor(o.columns, key)) ++good;
  }
  const int want = ColumnsFor(o.columns, key);
  if (good < static_cast<size_t>(want)) {
    return {ErrorKind::kMissing, "partition " + k + ": " + std::to_string(good) + " of " +
                                     std::to_string(want) + " cells"};
  }
  return {};
}

}  // namespace cairn::stress
