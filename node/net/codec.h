// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Serializing the structs of internode.thrift with Thrift's TCompactProtocol. Every
// internode payload goes through these two functions; nothing in the messaging layer
// encodes a message by hand.
//
// Deserialize never throws and never trusts its input: a truncated buffer, a missing
// required field or a string/container size larger than the input is Corruption, and
// string and container sizes are capped (Thrift's string_limit / container_limit) so a
// forged size cannot make it allocate more than the input could hold.
//
// Thread-safety: free functions; distinct calls may run concurrently.
#pragma once

#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "gen-cpp/internode_types.h"

namespace cairn::net {

namespace codec_internal {
using Buffer = apache::thrift::transport::TMemoryBuffer;
using Protocol = apache::thrift::protocol::TCompactProtocolT<Buffer>;
}  // namespace codec_internal

// The compact serialization of `msg` (any struct generated from internode.thrift).
template <typename T>
std::string Serialize(const T& msg) {
  auto buffer = std::make_shared<codec_internal::Buffer>(256);
  codec_internal::Protocol protocol(buffer);
  msg.write(&protocol);
  return buffer->getBufferAsString();
}

// Parses `bytes` into *msg. Corruption (naming T's fields when Thrift does) on any
// malformed input. Trailing bytes after the struct are ignored (a newer sender's
// extension would be a new optional field, not trailing bytes, so this never hides one).
template <typename T>
Status Deserialize(std::string_view bytes, T* msg) {
  try {
    // OBSERVE: the buffer reads `bytes` in place and never writes to it.
    auto buffer = std::make_shared<codec_internal::Buffer>(
        reinterpret_cast<uint8_t*>(const_cast<char*>(bytes.data())),
        static_cast<uint32_t>(bytes.size()), codec_internal::Buffer::OBSERVE);
    const int32_t limit = static_cast<int32_t>(bytes.size());
    codec_internal::Protocol protocol(buffer, limit, limit);
    msg->read(&protocol);
    return Status::OK();
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("bad internode message: ") + e.what());
  }
}

}  // namespace cairn::net
