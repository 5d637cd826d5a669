// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Thrift encode/decode cost of the two heaviest messages of the Cassandra API, with the
// code thrift/CMakeLists.txt generates from thrift/cassandra.thrift (target
// cairn::thrift_gen) and the protocol cairnd's server uses (TBinaryProtocol, strict read
// and write, string and container limits = max_frame_bytes, thrift/server.cc), over a
// TMemoryBuffer: no sockets, no framing, only the (de)serialisation.
//
//   BM_BatchMutateArgs{Encode,Decode}/value_bytes:V
//       Cassandra_batch_mutate_args: 100 row keys (10 bytes) x {"Standard1": 5 Mutations},
//       each a Column "C0".."C4" with a V-byte value and a timestamp (500 Mutations),
//       consistency ONE. Decode is what the server does per request (message header +
//       args.read into a fresh args object); encode what a client does.
//   BM_GetSliceResult{Encode,Decode}/value_bytes:V
//       Cassandra_get_slice_result: 100 ColumnOrSuperColumn{Column} named
//       "column0000".."column0099" with V-byte values and timestamps. Encode is what the
//       server does per get_slice answer; decode what a client does.
//
// Each op includes the message envelope (writeMessageBegin/End or readMessageBegin/End),
// as the generated processor and client do. bytes/s counts the encoded message.
// V = 34 (cairn-stress's default cell) and 1024.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "gen-cpp/Cassandra.h"

namespace cairn::cassandra {
namespace {

namespace at = apache::thrift;

constexpr int kKeys = 100;
constexpr int kColumnsPerKey = 5;
constexpr int kSliceColumns = 100;
constexpr int32_t kLimit = 15 << 20;  // thrift/server.h max_frame_bytes

std::string Value(size_t bytes, int seed) {
  std::string v(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i) v[i] = static_cast<char>('a' + (seed * 31 + i) % 26);
  return v;
}

Column MakeColumn(std::string name, std::string value, int64_t timestamp) {
  Column c;
  c.__set_name(std::move(name));
  c.__set_value(std::move(value));
  c.__set_timestamp(timestamp);
  return c;
}

Cassandra_batch_mutate_args MakeBatchMutate(size_t value_bytes) {
  Cassandra_batch_mutate_args args;
  for (int k = 0; k < kKeys; ++k) {
    char key[16];
    std::snprintf(key, sizeof(key), "%010d", k);
    std::vector<Mutation>& mutations = args.mutation_map[key]["Standard1"];
    for (int c = 0; c < kColumnsPerKey; ++c) {
      ColumnOrSuperColumn cosc;
      std::string name = "C";  // not "C" + to_string: GCC 12's -Wrestrict false positive
      name += std::to_string(c);
      cosc.__set_column(MakeColumn(std::move(name), Value(value_bytes, k * 5 + c),
                                   1'700'000'000'000'000 + k));
      Mutation m;
      m.__set_column_or_supercolumn(cosc);
      mutations.push_back(std::move(m));
    }
  }
  args.consistency_level = ConsistencyLevel::ONE;  // required: the generator gives no __set_
  return args;
}

Cassandra_get_slice_result MakeGetSliceResult(size_t value_bytes) {
  Cassandra_get_slice_result result;
  for (int c = 0; c < kSliceColumns; ++c) {
    char name[16];
    std::snprintf(name, sizeof(name), "column%04d", c);
    ColumnOrSuperColumn cosc;
    cosc.__set_column(MakeColumn(name, Value(value_bytes, c), 1'700'000'000'000'000 + c));
    result.success.push_back(std::move(cosc));
  }
  result.__isset.success = true;
  return result;
}

// A TMemoryBuffer that can start a new message: Thrift 0.17 counts the bytes read
// against TConfiguration's max message size (100 MB) until the transport resets the
// count, as TFramedTransport does at each frame; resetBuffer() does not.
class MessageBuffer : public at::transport::TMemoryBuffer {
 public:
  using at::transport::TTransport::resetConsumedMessageSize;
};

// A memory buffer and a protocol configured like cairnd's server.
struct Codec {
  std::shared_ptr<MessageBuffer> buffer = std::make_shared<MessageBuffer>();
  std::shared_ptr<at::protocol::TProtocol> protocol =
      at::protocol::TBinaryProtocolFactory(kLimit, kLimit, true, true).getProtocol(buffer);
};

template <typename Message>
std::string Encode(const Message& m, const char* method, at::protocol::TMessageType type,
                   Codec* codec) {
  codec->buffer->resetBuffer();
  codec->protocol->writeMessageBegin(method, type, 1);
  m.write(codec->protocol.get());
  codec->protocol->writeMessageEnd();
  return codec->buffer->getBufferAsString();
}

template <typename Message>
void BM_Encode(benchmark::State& state, const Message& m, const char* method,
               at::protocol::TMessageType type) {
  Codec codec;
  const size_t bytes = Encode(m, method, type, &codec).size();
  for (auto _ : state) {
    codec.buffer->resetBuffer();  // keeps its capacity, as a connection's buffer does
    codec.protocol->writeMessageBegin(method, type, 1);
    m.write(codec.protocol.get());
    codec.protocol->writeMessageEnd();
    uint8_t* out;
    uint32_t size;
    codec.buffer->getBuffer(&out, &size);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["message_bytes"] = static_cast<double>(bytes);
}

template <typename Message>
void BM_Decode(benchmark::State& state, const Message& m, const char* method,
               at::protocol::TMessageType type) {
  Codec codec;
  std::string wire = Encode(m, method, type, &codec);
  uint8_t* data = reinterpret_cast<uint8_t*>(wire.data());
  const auto size = static_cast<uint32_t>(wire.size());
  for (auto _ : state) {
    codec.buffer->resetBuffer(data, size, at::transport::TMemoryBuffer::OBSERVE);
    codec.buffer->resetConsumedMessageSize();  // a new message, as a new frame would
    std::string name;
    at::protocol::TMessageType read_type;
    int32_t seqid;
    codec.protocol->readMessageBegin(name, read_type, seqid);
    Message decoded;
    decoded.read(codec.protocol.get());
    codec.protocol->readMessageEnd();
    benchmark::DoNotOptimize(&decoded);
  }
  // Check the round trip once, outside the timed loop.
  codec.buffer->resetBuffer(data, size, at::transport::TMemoryBuffer::OBSERVE);
  std::string name;
  at::protocol::TMessageType read_type;
  int32_t seqid;
  codec.protocol->readMessageBegin(name, read_type, seqid);
  Message decoded;
  decoded.read(codec.protocol.get());
  if (!(decoded == m)) state.SkipWithError("decoded message differs from the encoded one");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire.size()));
  state.counters["message_bytes"] = static_cast<double>(wire.size());
}

void RegisterAll() {
  for (size_t value_bytes : {size_t{34}, size_t{1024}}) {
    const std::string suffix = "/value_bytes:" + std::to_string(value_bytes);
    // Leaked on purpose: the benchmarks hold references until the process exits.
    const auto* batch = new Cassandra_batch_mutate_args(MakeBatchMutate(value_bytes));
    const auto* slice = new Cassandra_get_slice_result(MakeGetSliceResult(value_bytes));
    benchmark::RegisterBenchmark(("BM_BatchMutateArgsEncode" + suffix).c_str(),
                                 BM_Encode<Cassandra_batch_mutate_args>, std::cref(*batch),
                                 "batch_mutate", at::protocol::T_CALL);
    benchmark::RegisterBenchmark(("BM_BatchMutateArgsDecode" + suffix).c_str(),
                                 BM_Decode<Cassandra_batch_mutate_args>, std::cref(*batch),
                                 "batch_mutate", at::protocol::T_CALL);
    benchmark::RegisterBenchmark(("BM_GetSliceResultEncode" + suffix).c_str(),
                                 BM_Encode<Cassandra_get_slice_result>, std::cref(*slice),
                                 "get_slice", at::protocol::T_REPLY);
    benchmark::RegisterBenchmark(("BM_GetSliceResultDecode" + suffix).c_str(),
                                 BM_Decode<Cassandra_get_slice_result>, std::cref(*slice),
                                 "get_slice", at::protocol::T_REPLY);
  }
}

}  // namespace
}  // namespace cairn::cassandra

int main(int argc, char** argv) {
  cairn::cassandra::RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
