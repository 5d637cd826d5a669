// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// What cairn-stress sends and how it judges the answers: partition keys, column names and
// the deterministic cell values derived from them; the Thrift request frames (framed
// transport, strict binary protocol, encoded with the code generated from
// thrift/cassandra.thrift); and the classification of replies into success or an error
// kind, including the --verify check of every cell read.
//
// Values: the value of column i of key k is a function of (k, i) and the --cell-size
// distribution only: Mix64-seeded bytes from a 64-letter alphabet, its length drawn from
// --cell-size with a generator seeded by (k, i). The number of columns of key k is drawn
// from --columns the same way. So a later run with the same --columns and --cell-size can
// check any cell it reads without remembering what it wrote.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gen-cpp/Cassandra.h"
#include "tools/stress/options.h"

namespace apache::thrift::protocol {
class TProtocol;
}
namespace apache::thrift::transport {
class TMemoryBuffer;
}

namespace cairn::stress {

namespace gen = ::cairn::cassandra;

// Error kinds, counted separately. kNone is success.
enum class ErrorKind {
  kNone = -1,
  kUnavailable = 0,  // UnavailableException: not enough live replicas for the level
  kTimedOut,         // TimedOutException from the coordinator
  kClientTimeout,    // no answer within --timeout-ms; the connection is reopened
  kInvalid,          // InvalidRequestException (its first message is kept)
  kCorrupt,          // --verify: a cell whose value is not the one the tool writes
  kMissing,          // --verify (read workload): the partition or some of its cells absent
  kConnection,       // the connection failed with the request in flight
  kOther,            // TApplicationException, an undecodable reply, anything else
};
inline constexpr int kErrorKinds = 8;
const char* ErrorKindName(ErrorKind k);  // "unavailable", "timed_out", ...

// "0000000042": keys are 10-digit zero-padded decimals, as cassandra-stress's legacy mode.
std::string KeyName(uint64_t id);
// The id of a KeyName; false when `key` is not one.
bool ParseKeyName(std::string_view key, uint64_t* id);
// "C0", "C1", ...
std::string ColumnName(int index);
// False when `name` is not "C<decimal>".
bool ParseColumnName(std::string_view name, int* index);
// Columns of partition `key` under `columns` (fixed, or drawn per key).
int ColumnsFor(const Distribution& columns, uint64_t key);
// The value of column `index` of partition `key` under `cell_size`, into *out.
void ValueFor(const Distribution& cell_size, uint64_t key, int index, std::string* out);

// The outcome of decoding one reply.
struct Reply {
  ErrorKind error = ErrorKind::kNone;
  std::string message;  // for errors
};

// Encodes requests into complete frames (4-byte length + message) and decodes replies.
// One per connection; not thread-safe.
class RequestCodec {
 public:
  RequestCodec();
  ~RequestCodec();

  void EncodeSetKeyspace(int32_t seqid, const std::string& keyspace, std::string* frame);
  void EncodeBatchMutate(
      int32_t seqid,
      const std::map<std::string, std::map<std::string, std::vector<gen::Mutation>>>& m, int32_t cl,
      std::string* frame);
  void EncodeGetSlice(int32_t seqid, const std::string& key, const std::string& cf, int32_t count,
                      int32_t cl, std::string* frame);
  void EncodeGetRangeSlices(int32_t seqid, const std::string& cf, const std::string& start_key,
                            int32_t rows, int32_t columns, int32_t cl, std::string* frame);

  // `body` is a frame without its length prefix. Methods with results fill *out only
  // on success.
  Reply DecodeVoid(const uint8_t* body, size_t n, int32_t seqid, bool set_keyspace);
  Reply DecodeGetSlice(const uint8_t* body, size_t n, int32_t seqid,
                       std::vector<gen::ColumnOrSuperColumn>* out);
  Reply DecodeGetRangeSlices(const uint8_t* body, size_t n, int32_t seqid,
                             std::vector<gen::KeySlice>* out);

 private:
  template <typename Args>
  void Encode(const char* method, int32_t seqid, const Args& args, std::string* frame);
  template <typename PResult>
  Reply Decode(const uint8_t* body, size_t n, int32_t seqid, PResult* result, bool has_success);

  std::shared_ptr<::apache::thrift::transport::TMemoryBuffer> wbuf_;
  std::shared_ptr<::apache::thrift::transport::TMemoryBuffer> rbuf_;
  std::unique_ptr<::apache::thrift::protocol::TProtocol> wproto_;
  std::unique_ptr<::apache::thrift::protocol::TProtocol> rproto_;
};

// The --verify check of one partition read back: every cell must be named C<i> and hold
// ValueFor(key, i); fewer cells than ColumnsFor(key) is kMissing (lost cells), and so is
// an empty partition when `expect_present`. Returns kNone when the partition passes.
Reply VerifyPartition(const StressOptions& o, uint64_t key,
                      const std::vector<gen::ColumnOrSuperColumn>& cells, bool expect_present);

}  // namespace cairn::stress
